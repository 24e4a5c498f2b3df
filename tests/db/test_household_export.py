"""The register exported to XLSX, read back with openpyxl."""

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gnapp.cli import cli
from gnapp.db import household_import as imp
from gnapp.db import households as hh
from gnapp.db import units
from gnapp.db.household_export import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, export_households
from gnapp.db.store import last_change_seq

NATIONAL = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "national.json"


@pytest.fixture
def imported(site_db, writer):
    """The register after importing national.json (see test_household_import.py)."""
    units.add_village(writer, "Thôn Đồng Tâm")
    units.add_village(writer, "Thôn Hòa Bình")
    imp.apply_import(site_db, imp.plan_import(site_db, NATIONAL), writer)
    home = hh.find_by_code(site_db, "HB-004", "07339")
    hh.update_household(writer, home["id"], {"address": "=HYPERLINK(\"x\")"})
    return site_db


def by_code(sheet):
    return {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_the_workbook_has_both_sheets_with_titles_and_headers(imported, tmp_path):
    path = export_households(imported, tmp_path / "sổ hộ.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Hộ gia đình", "Thành viên"]
    homes, people = wb["Hộ gia đình"], wb["Thành viên"]
    assert homes["A1"].value == "DANH SÁCH HỘ GIA ĐÌNH" and homes["A1"].font.bold
    assert [str(r) for r in homes.merged_cells.ranges] == [
        f"A1:{get_column_letter(len(HOUSEHOLD_COLUMNS))}1"]
    assert [c.value for c in homes[2]] == HOUSEHOLD_COLUMNS
    assert [c.value for c in people[2]] == MEMBER_COLUMNS
    assert homes["A2"].font.bold and homes["A2"].fill.fgColor.rgb.endswith("DDDDDD")
    assert homes.column_dimensions["E"].width == 24 and homes.freeze_panes == "A3"
    assert [c.value for c in homes[2]][:6] == ["Mã hộ", "Thôn", "Địa chỉ", "Khu vực", "Chủ hộ",
                                               "Số nhân khẩu"]
    assert [c.value for c in people[2]][:9] == [
        "Mã hộ", "STT", "Họ và tên", "Giới tính", "Ngày sinh", "Dân tộc", "Quan hệ với chủ hộ",
        "Số CCCD/CMND", "Có thẻ BHYT"]


def test_rows_hold_numbers_as_numbers_and_vietnamese_labels(imported, tmp_path):
    wb = load_workbook(export_households(imported, tmp_path / "so-ho.xlsx"))
    column = {name: i for i, name in enumerate(HOUSEHOLD_COLUMNS)}
    duc = by_code(wb["Hộ gia đình"])["HB-001"]
    assert duc[column["Chủ hộ"]] == unicodedata.normalize("NFC", "Nguyễn Văn Đức")
    assert (duc[column["Thôn"]], duc[column["Khu vực"]], duc[column["Số nhân khẩu"]]) == \
        ("Thôn Đồng Tâm", "Nông thôn", 3)
    assert (duc[column["Đợt rà soát gần nhất"]], duc[column["Phân loại"]],
            duc[column["Số chỉ số thiếu hụt"]], duc[column["Điểm B2"]],
            duc[column["Điểm B1"]]) == (2024, "Hộ nghèo", 3, 30, 135.5)
    assert duc[column["Hộ dân tộc thiểu số"]] == "Không"
    xuan = by_code(wb["Hộ gia đình"])["HB-002"]
    assert xuan[column["Hộ dân tộc thiểu số"]] == "Có" and xuan[column["Phân loại"]] == \
        "Hộ cận nghèo"
    members = [r for r in wb["Thành viên"].iter_rows(min_row=3, values_only=True)
               if r[0] == "HB-001"]
    assert [r[:9] for r in members] == [
        ("HB-001", 1, "Nguyễn Văn Đức", "Nam", "05/03/1970", "Kinh", "Chủ hộ", None, "Có"),
        ("HB-001", 2, "Trần Thị Hoa", "Nữ", "1972", "Kinh", "Vợ/chồng", None, "Có"),
        ("HB-001", 3, "Nguyễn Văn Nam", "Nam", "20/07/2005", "Kinh", "Con", None, "Không")]


def test_no_cell_is_a_formula(imported, tmp_path):
    wb = load_workbook(export_households(imported, tmp_path / "so-ho.xlsx"))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    address = HOUSEHOLD_COLUMNS.index("Địa chỉ")
    assert by_code(wb["Hộ gia đình"])["HB-004"][address] == '=HYPERLINK("x")'


def test_the_export_imports_back_unchanged(imported, tmp_path):
    path = export_households(imported, tmp_path / "so-ho.xlsx")
    seq = last_change_seq(imported)
    plan = imp.plan_import(imported, path)
    assert plan.mapping_origin == "suggested"
    # HB-001, 002, 004, 005, 010 and 011: the six households national.json brought
    assert plan.counts()["unchanged"] == len(plan.rows) == 6
    assert last_change_seq(imported) == seq


def test_cli_export_gives_the_path(site_path, tmp_path):
    out = tmp_path / "so-ho.xlsx"
    result = CliRunner().invoke(cli, ["households", "export", "--out", str(out), "--db",
                                      str(site_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["path"] == str(out)
    assert load_workbook(out).sheetnames == ["Hộ gia đình", "Thành viên"]
