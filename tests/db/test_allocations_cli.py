"""``gnapp allocations …`` and ``gnapp programme …`` run as a user would."""

import json
from pathlib import Path

from openpyxl import load_workbook

from tests.forms.readback import pdf_text
from tests.test_cli import run, run_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "allocations"
MILLION = 1_000_000


def sheet(path):
    return load_workbook(path).active




def import_bac_kan(db):
    return run_json("allocations", "import", FIXTURES / "bac_kan_2022_capital.csv", "--db", db,
                    "--issuer", "UBND tỉnh Bắc Kạn", "--year", "2022", "--kind", "plan",
                    "--number", "635/KH-UBND", "--date", "25/10/2021",
                    "--recipient", "Tỉnh Bắc Kạn")


def test_import_then_check_lists_every_pair_and_flags_three(site_path):
    lines = import_bac_kan(site_path)
    assert (lines["new"], lines["total"], lines["created_decision"]) == (
        19, 514_982 * MILLION, True)
    stated = run_json("allocations", "import", FIXTURES / "bac_kan_2022_stated_totals.json",
                      "--decision", "635/KH-UBND", "--db", site_path)
    assert stated["new"] == 22 and stated["differences"] == 3
    data = run_json("allocations", "check", "--db", site_path, code=1)
    assert (data["ok"], data["count"], data["differences"]) == (False, 22, 3)
    flagged = {p["figure"]: p["difference"] for p in data["pairs"] if not p["agrees"]}
    assert flagged == {"grand_total": 11_656 * MILLION, "NSTW.total": 11_656 * MILLION,
                       "NSTW.SN": 11_656 * MILLION}
    text = run("allocations", "check", "--db", site_path, code=1).stdout
    assert ("Tổng cộng: theo văn bản 526.638.000.000 đồng, cộng các dòng 514.982.000.000 "
            "đồng: LỆCH 11.656.000.000 đồng") in text
    listed = run_json("allocations", "list", "--db", site_path)
    assert listed["decisions"][0]["differences"] == 3
    assert listed["decisions"][0]["label"] == "Kế hoạch số 635/KH-UBND ngày 25/10/2021"


def test_the_da2_table_imports_with_its_line_and_prints(site_path, tmp_path):
    data = run_json("allocations", "import", FIXTURES / "bach_thong_da2_2023.csv",
                    "--db", site_path, "--issuer", "UBND huyện Bạch Thông", "--year", "2023",
                    "--line", "DA2", "--source", "NSTW", "--capital-type", "SN")
    assert (data["new"], data["total"]) == (8, 3_819_000_000)
    assert "unit_cell_blank_in_source" not in data["ignored_columns"]
    check = run_json("allocations", "check", "--db", site_path)
    assert check == {"ok": True, "count": 0, "differences": 0, "pairs": []}
    out = tmp_path / "ds.pdf"
    printed = run_json("allocations", "print", data["decision_id"], "--table", "danh-sach",
                       "--out", out, "--db", site_path)
    assert printed["path"] == str(out) and "3.819.000.000" in pdf_text(out)
    xlsx = tmp_path / "von.xlsx"
    run("allocations", "print", data["decision_id"], "--out", xlsx, "--unit", "nghin",
        "--db", site_path)
    ws = sheet(xlsx)
    assert any(ws.cell(r, 3).value == 3_819_000 for r in range(1, ws.max_row + 1))


def test_a_missing_column_is_bad_input_and_writes_nothing(site_path):
    result = run("allocations", "import", FIXTURES / "bach_thong_da2_2023.csv", "--db",
                 site_path, "--issuer", "X", "--year", "2023", code=2)
    assert "thiếu cột «budget_line / Dự án»" in result.stderr
    assert run_json("allocations", "list", "--db", site_path)["count"] == 0


def test_stated_totals_need_a_decision(site_path):
    result = run("allocations", "import", FIXTURES / "bac_kan_2022_stated_totals.json",
                 "--db", site_path, code=2)
    assert "--decision" in result.stderr


def test_programme_list_and_load_on_an_office(tmp_path):
    db = tmp_path / "office.sqlite"
    run("init", "--db", db, "--unit", "24", "--role", "office")
    listed = run_json("programme", "list", "--db", db)
    assert [p["id"] for p in listed["programmes"]] == ["GNBV-2021-2025", "MTQG-2026-2035"]
    assert len(listed["programmes"][0]["lines"]) == 12
    source = tmp_path / "p.json"
    source.write_text(json.dumps({
        "id": "MTQG-2026-2035", "name": "Chương trình hợp nhất", "status": "official",
        "period": {"from": 2026, "to": 2035},
        "items": [{"code": "HP1", "kind": "line", "name": "Hợp phần 1: Sinh kế",
                   "replaces": ["GNBV-2021-2025:DA2"]}]}, ensure_ascii=False),
        encoding="utf-8")
    loaded = run_json("programme", "load", source, "--db", db)
    assert (loaded["programme"], loaded["added"]) == ("MTQG-2026-2035", 2)
    listed = run_json("programme", "list", "--db", db)
    assert listed["programmes"][1]["lines"] == ["HP1"]


def test_a_commune_cannot_load_a_programme(site_path):
    result = run("programme", "load", "resources/programme/MTQG-2026-2035.json", "--db",
                 site_path, code=1)
    assert "cơ quan cấp trên" in result.stderr
