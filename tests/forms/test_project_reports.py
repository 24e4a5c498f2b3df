"""The participant list of a project, built, rendered to PDF and XLSX, and read back."""

import json
from datetime import date

import pytest
from readback import find_row, pdf_fonts, pdf_text, sheet

from gnapp.db import documents
from gnapp.db import projects as pj
from gnapp.db.store import Locked
from gnapp.domain.documents import document_key
from gnapp.forms import project_reports as reports
from gnapp.forms.document import Cell
from tests.projects_helpers import build_commune, make_project

TODAY = date(2024, 8, 5)


@pytest.fixture
def project(writer):
    homes = build_commune(writer)
    row = make_project(writer)
    for key, counterpart in (("poor", 1_500_000), ("escaped", 2_000_000),
                             ("disabled", 0), ("other", 3_000_000)):
        pj.add_participant(writer, row["id"], homes[key], counterpart=counterpart)
    pj.add_input(writer, row["id"], item="Dê cái giống", quantity=3, unit="con",
                 delivered_on="2024-07-20", household_id=homes["poor"])
    pj.add_input(writer, row["id"], item="Thức ăn tinh", quantity="13.8", unit="kg",
                 delivered_on="2024-07-31")
    return row


def _values(row):
    return [c.value if isinstance(c, Cell) else c for c in row.cells]


def test_document_lists_the_households_with_their_group(site_db, project):
    doc = reports.participant_list(site_db, project["id"], today=TODAY)
    table = doc.body[-1]
    rows = [_values(r) for r in table.rows]
    assert len(rows) == 5
    by_head = {r[2]: r for r in rows[:-1]}
    assert by_head["Lò Văn Pụ"][4] == "Hộ nghèo"
    assert by_head["Nông Văn Thắng"][4] == "Hộ mới thoát nghèo (trong 36 tháng)"
    assert by_head["Đinh Văn Sáng"][4] == "Hộ có người khuyết tật không có sinh kế ổn định"
    assert by_head["Nguyễn Văn An"][4] == "Không thuộc nhóm đối tượng"
    assert by_head["Lò Văn Pụ"][6] == "3 con dê cái giống (20/07/2024)"
    assert rows[-1][1] == "4 hộ" and rows[-1][4] == 6_500_000    # after "Tổng cộng" over 2 columns
    assert table.notes[0].startswith("Hộ thuộc nhóm đối tượng: 3/4 (75,00%) – đạt tỷ lệ tối thiểu 50%; ")
    assert "hộ ưu tiên: 2/4 (50,00%) – chưa trên 70%." in table.notes[0]
    assert "13,8 kg thức ăn tinh (31/07/2024)" in table.notes[1]
    assert doc.issuer == ("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN")
    assert doc.fingerprint


def test_fingerprint_follows_the_data(writer, site_db, project):
    before = reports.participant_list(site_db, project["id"], today=TODAY).fingerprint
    first = pj.participants(site_db, project["id"])[0]
    pj.update_participant(writer, first.id, counterpart=first.counterpart + 1)
    assert reports.participant_list(site_db, project["id"], today=TODAY).fingerprint != before


def test_pdf_reads_back(site_db, project, tmp_path):
    path = reports.produce_participant_list(site_db, project["id"], tmp_path / "ds.pdf",
                                            today=TODAY)
    text = pdf_text(path)
    for expected in ("DANH SÁCH HỘ THAM GIA DỰ ÁN HỖ TRỢ PHÁT TRIỂN SẢN XUẤT",
                     "Dự án chăn nuôi dê sinh sản", "Lò Văn Pụ", "Hộ mới thoát nghèo",
                     "1.500.000", "6.500.000", "Tổ quản lý: Hoàng Văn Bảo (tổ trưởng)",
                     "75,00%", "tháng 8 năm 2024", "CHỦ TỊCH"):
        assert expected in text, expected
    assert any("LiberationSerif" in f for f in pdf_fonts(path))


def test_xlsx_reads_back(site_db, project, tmp_path):
    path = reports.produce_participant_list(site_db, project["id"], tmp_path / "ds.xlsx",
                                            today=TODAY)
    ws = sheet(path)
    row = find_row(ws, 3, "Nông Văn Thắng")
    values = [ws.cell(row, c).value for c in range(1, 9)]
    assert values[4] == "Hộ mới thoát nghèo (trong 36 tháng)"
    assert values[5] == 2_000_000
    total = find_row(ws, 3, "4 hộ")
    assert ws.cell(total, 6).value == 6_500_000


def test_other_suffix_is_refused(site_db, project, tmp_path):
    from gnapp.domain.errors import InputError
    with pytest.raises(InputError, match=".pdf hoặc .xlsx"):
        reports.produce_participant_list(site_db, project["id"], tmp_path / "ds.docx")


def test_cli_lists_participants_and_prints(site_path, site_db, project, tmp_path):
    from click.testing import CliRunner

    from gnapp.cli import cli

    def run(*args):
        result = CliRunner().invoke(cli, [*args, "--db", str(site_path), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    listed = run("projects", "list")
    assert [(p["id"], p["participants"]) for p in listed["projects"]] == [(project["id"], 4)]
    data = run("projects", "participants", project["id"])
    assert data["shares"] == {"participants": 4, "target": 3, "priority": 2,
                              "target_rate": "75.00", "priority_rate": "50.00",
                              "meets_target_rule": True, "has_priority": False}
    assert {p["head"]: p["group"] for p in data["participants"]}["Nông Văn Thắng"] == \
        "newly_escaped"
    out = tmp_path / "ds.xlsx"
    assert run("projects", "print", project["id"], "--out", out)["path"] == str(out)
    assert find_row(sheet(out), 3, "Lò Văn Pụ")


def test_prints_are_recorded_and_a_reprint_is_a_copy(writer, site_db, project, tmp_path):
    first = reports.produce_participant_list(site_db, project["id"], tmp_path / "a.pdf",
                                             today=TODAY)
    assert "BẢN SAO" not in pdf_text(first)
    again = reports.produce_participant_list(site_db, project["id"], tmp_path / "b.pdf",
                                             today=TODAY)
    assert "BẢN SAO" in pdf_text(again)
    copies = documents.copies_of(site_db, document_key(reports.FORM, {"project": project["id"]}))
    assert [c["copy_no"] for c in copies] == [1, 2]
    shown = {tuple(r) for r in json.loads(copies[0]["shown_rows"])}
    assert ("livelihood_project", project["id"]) in shown
    assert len([r for r in shown if r[0] == "project_participant"]) == 4
    # signing the list locks the participants it shows
    documents.mark_signed(writer, copies[1]["id"])
    participant = pj.participants(site_db, project["id"])[0]
    with pytest.raises(Locked):
        pj.update_participant(writer, participant.id, counterpart=1)
