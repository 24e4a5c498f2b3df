"""Allocation decisions, lines and stated totals on a real database, with the seed tables of
the Bắc Kạn 2022 plan and the Bạch Thông 2023 DA2 table (tests/fixtures/allocations)."""

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from gnapp.db import allocations as al
from gnapp.db import connection, sites
from gnapp.db import programme as programme_db
from gnapp.db.store import NotOwner
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.money import Scope

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "allocations"
CAPITAL = FIXTURES / "bac_kan_2022_capital.csv"
STATED = FIXTURES / "bac_kan_2022_stated_totals.json"
DA2 = FIXTURES / "bach_thong_da2_2023.csv"
DA2_TOTAL = json.loads((FIXTURES / "bach_thong_da2_2023_total.json").read_text("utf-8"))
EXPECTED = json.loads(STATED.read_text("utf-8"))
MILLION = 1_000_000


def import_bac_kan(writer, *, stated=True):
    report = al.import_file(writer, CAPITAL, new_decision={
        "issuer": "UBND tỉnh Bắc Kạn", "year": 2022, "kind": "plan",
        "number": "635/KH-UBND", "signed_on": "25/10/2021"}, recipient="Tỉnh Bắc Kạn")
    if stated:
        al.import_file(writer, STATED, decision="635/KH-UBND")
    return report.decision_id


def import_da2(writer, path=DA2):
    return al.import_file(writer, path, new_decision={"issuer": "UBND huyện Bạch Thông",
                                                      "year": 2023},
                          line="DA2", source="NSTW", capital_type="SN")


def test_the_bac_kan_table_imports_unchanged_in_whole_dong(writer, site_db):
    report = al.al_report = al.import_file(writer, CAPITAL, new_decision={
        "issuer": "UBND tỉnh Bắc Kạn", "year": 2022, "kind": "plan"})
    assert (report.new, report.created_decision) == (19, True)
    rows = list(csv.DictReader(CAPITAL.open(encoding="utf-8")))
    lines = al.lines_of(site_db, report.decision_id)
    assert [(r["line_code"], r["source"], r["capital_type"], r["amount"]) for r in lines] == [
        (r["budget_line"], r["source"], r["capital_type"],
         int(r["amount_million_dong"]) * MILLION) for r in rows]
    assert all(isinstance(r["amount"], int) for r in lines)
    assert report.total == EXPECTED["computed_from_lines"]["grand_total"] * MILLION


def test_the_stated_totals_show_exactly_the_three_gaps(writer, site_db):
    decision_id = import_bac_kan(writer)
    pairs = al.check(site_db, decision_id)
    expected = {d["figure"]: d for d in EXPECTED["differences_stated_minus_computed"]}
    differing = {p["figure"]: p for p in pairs if not p["agrees"]}
    assert set(differing) == set(expected) == {"grand_total", "NSTW.total", "NSTW.SN"}
    for figure, want in expected.items():
        got = differing[figure]
        assert (got["stated"], got["computed"], got["difference"]) == (
            want["stated"] * MILLION, want["computed"] * MILLION,
            want["stated_minus_computed"] * MILLION)
    # every other stated figure is listed too, and agrees (3 sources × 3 + 12 lines + total)
    assert len(pairs) == 1 + 9 + 12
    lines = {p["line_code"]: p for p in pairs if p["line_code"]}
    assert {c: p["stated"] // MILLION for c, p in lines.items()} == EXPECTED["line_totals_printed"]


def test_importing_the_same_files_again_changes_nothing(writer, site_db):
    decision_id = import_bac_kan(writer)
    seq = site_db.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    again = al.import_file(writer, CAPITAL, decision="635/KH-UBND")
    stated = al.import_file(writer, STATED, decision=decision_id)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 19)
    assert (stated.new, stated.updated, stated.unchanged) == (0, 0, 22)
    assert site_db.execute("SELECT max(seq) FROM change_log").fetchone()[0] == seq


def test_the_da2_table_gives_its_printed_total_and_per_commune_sums(writer, site_db):
    report = import_da2(writer)
    assert report.new == DA2_TOTAL["project_rows"] == 8
    lines = al.lines_of(site_db, report.decision_id)
    assert sum(r["amount"] for r in lines) == DA2_TOTAL["printed_total"]["amount_dong"]
    per_commune = {}
    for r in lines:
        name = r["recipient_name"].removeprefix("UBND xã ")
        per_commune[name] = per_commune.get(name, 0) + r["amount"]
    assert per_commune == DA2_TOTAL["per_commune_total_dong"]
    al.set_stated(writer, report.decision_id, Scope(),
                  DA2_TOTAL["printed_total"]["amount_dong"])
    assert [p["difference"] for p in al.check(site_db, report.decision_id)] == [0]


def test_a_blank_unit_cell_belongs_to_the_row_above(writer, site_db, tmp_path):
    rows = list(csv.reader(DA2.open(encoding="utf-8")))
    rows[6][1] = ""                          # row 6 as printed: the merged cell is empty
    blank = tmp_path / "da2_blank.csv"
    with blank.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    report = import_da2(writer, blank)
    assert report.carried_down == [7]        # file row 7 = printed row 6
    goat = [r for r in al.lines_of(site_db, report.decision_id)
            if r["purpose"] == "Dự án chăn nuôi dê sinh sản"]
    assert [r["recipient_name"] for r in goat] == ["UBND xã Lục Bình", "UBND xã Vũ Muộn",
                                                   "UBND xã Tân Tú"]


def test_a_blank_unit_cell_on_the_first_row_is_refused(writer, tmp_path):
    rows = list(csv.reader(DA2.open(encoding="utf-8")))
    rows[1][1] = ""
    path = tmp_path / "first_blank.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(InputError, match="dòng 2, trường «unit_name»: Ô đơn vị trống"):
        import_da2(writer, path)


def test_a_bad_file_names_every_bad_cell_and_writes_nothing(writer, site_db, tmp_path):
    text = CAPITAL.read_text("utf-8").replace("DA2,NSDP,SN,464", "DA9,NSDP,SN,464") \
        .replace("DA5,NSTW,SN,82520", "DA5,NSTW,XX,82520") \
        .replace("DA6.TDA1,NSTW,SN,4427", "DA6.TDA1,NSTW,SN,4 427")
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    before = site_db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(InputError) as exc:
        al.import_file(writer, bad, new_decision={"issuer": "UBND tỉnh Bắc Kạn", "year": 2022})
    message = str(exc.value)
    assert "Tệp bad.csv, dòng 6, trường «budget_line»: Dòng kinh phí «DA9»" in message
    assert "Tệp bad.csv, dòng 16, trường «capital_type»: Loại vốn «XX»" in message
    assert "Tệp bad.csv, dòng 17, trường «amount»: Số «4 427»" in message
    assert site_db.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert site_db.execute("SELECT count(*) FROM allocation_decision").fetchone()[0] == 0


def test_xlsx_with_vietnamese_headers_imports_like_csv(writer, site_db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Dự án", "Nguồn vốn", "Loại vốn", "Số tiền (triệu đồng)"])
    for r in csv.DictReader(CAPITAL.open(encoding="utf-8")):
        ws.append([r["budget_line"], r["source"], r["capital_type"],
                   int(r["amount_million_dong"])])
    path = tmp_path / "von.xlsx"
    wb.save(path)
    report = al.import_file(writer, path, new_decision={"issuer": "UBND tỉnh Bắc Kạn",
                                                        "year": 2022})
    assert report.new == 19 and report.total == 514_982 * MILLION


def test_carry_over_is_its_own_kind_of_line(writer, site_db, tmp_path):
    decision = al.create_decision(writer, issuer="UBND huyện Hoằng Hóa", year=2024,
                                  number="725/QĐ-UBND", signed_on="29/02/2024", batch=1)
    al.set_amount(writer, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=300_000_000)
    path = tmp_path / "carry.csv"
    path.write_text("budget_line,source,capital_type,amount_dong\nDA2,NSTW,SN,120500000\n"
                    "DA3.TDA1,NSTW,SN,80000000\n", encoding="utf-8")
    report = al.import_file(writer, path, decision="725/QĐ-UBND", kind="carry_over")
    assert report.new == 2
    assert [r["amount"] for r in al.lines_of(site_db, decision["id"], "allocation")] == \
        [300_000_000]
    assert sum(r["amount"] for r in al.lines_of(site_db, decision["id"], "carry_over")) == \
        200_500_000
    row = [d for d in al.decisions(site_db) if d["id"] == decision["id"]][0]
    assert (row["total"], row["carry_over"], row["label"]) == (
        300_000_000, 200_500_000, "Quyết định số 725/QĐ-UBND ngày 29/02/2024 (đợt 1)")
    al.set_stated(writer, decision["id"], Scope(line_kind="carry_over"), 200_000_000)
    pair = al.check(site_db, decision["id"])[0]
    assert (pair["figure"], pair["difference"]) == ("carry_over.grand_total", -500_000)


def test_the_matrix_sums_cells_rows_and_columns_in_dong(writer, site_db):
    decision_id = import_bac_kan(writer, stated=False)
    m = al.matrix(site_db, decision_id)
    assert m.lines[:3] == ("DA1", "DA2", "DA3.TDA1") and len(m.lines) == 12
    assert m.columns[:2] == (("NSTW", "DTPT"), ("NSTW", "SN"))
    assert m.cell("DA4.TDA1", "NSTW", "DTPT") == 4_315 * MILLION
    assert m.row_total("DA4.TDA1") == 28_011 * MILLION
    assert m.column_total("NSTW", "SN") == 159_232 * MILLION
    assert m.column_total("NSTW") == 499_796 * MILLION
    assert m.grand_total == 514_982 * MILLION


def test_a_grid_cell_is_set_changed_and_cleared_through_the_write_path(writer, site_db):
    decision = al.create_decision(writer, issuer="UBND tỉnh Thanh Hóa", year=2024)
    row = al.set_amount(writer, decision["id"], line_code="DA6.TDA2", source="NSDP",
                        capital_type="SN", amount=12_345_678)
    assert (row["owner_unit"], row["recipient_name"], row["version"]) == (
        "07339", "Xã Tân Yên", 1)
    row = al.set_amount(writer, decision["id"], line_code="DA6.TDA2", source="NSDP",
                        capital_type="SN", amount=12_000_000)
    assert row["version"] == 2
    assert al.set_amount(writer, decision["id"], line_code="DA6.TDA2", source="NSDP",
                         capital_type="SN", amount=None) is None
    assert al.lines_of(site_db, decision["id"]) == []
    audit = [r[0] for r in site_db.execute(
        "SELECT field FROM audit_log WHERE row_id = ? ORDER BY id", [row["id"]])]
    assert "amount" in audit and "deleted" in audit


def test_deleting_a_decision_marks_its_lines_and_totals(writer, site_db):
    decision_id = import_bac_kan(writer)
    al.delete_decision(writer, decision_id, reason="Nhập nhầm")
    for table in ("allocation_decision", "allocation_line", "stated_total"):
        assert site_db.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0"
                               ).fetchone()[0] == 0
    assert al.check(site_db) == []


def test_a_json_needs_a_decision_and_a_known_unit(writer, tmp_path):
    with pytest.raises(InputError, match="--decision"):
        al.import_file(writer, STATED)
    import_bac_kan(writer, stated=False)
    data = json.loads(STATED.read_text("utf-8"))
    data["unit"] = "đô la"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="Tệp bad.json.*trường «unit».*đô la"):
        al.import_file(writer, bad, decision="635/KH-UBND")


def test_a_dry_run_counts_and_writes_nothing(writer, site_db):
    before = site_db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    report = al.import_file(writer, CAPITAL, new_decision={"issuer": "UBND tỉnh Bắc Kạn",
                                                           "year": 2022}, dry_run=True)
    assert report.new == 19 and report.dry_run
    assert site_db.execute("SELECT count(*) FROM change_log").fetchone()[0] == before


def test_lines_of_another_unit_cannot_be_edited(writer, site_db, tmp_path):
    decision_id = import_bac_kan(writer, stated=False)
    line = al.lines_of(site_db, decision_id)[0]
    other = sites.Writer(site_db, sites.Actor(writer.actor.site_id, "24", "x"))
    with pytest.raises(NotOwner):
        other.update("allocation_line", line["id"], {"amount": 1})


# -- programme structures stored by an office --------------------------------------------------

@pytest.fixture
def office_db(units_path):
    db = connection.connect(units_path)
    sites.init_site(db, "24", "office", user="vanphong")
    yield db
    db.close()


NEW_PROGRAMME = {
    "id": "MTQG-2026-2035", "name": "Chương trình hợp nhất giai đoạn 2026 - 2035",
    "period": {"from": 2026, "to": 2035}, "status": "official",
    "items": [{"code": "HP1", "kind": "project", "name": "Hợp phần 1: Phát triển sinh kế",
               "line": True, "replaces": ["GNBV-2021-2025:DA2", "GNBV-2021-2025:DA3.TDA1"]},
              {"code": "HP2", "kind": "project", "name": "Hợp phần 2: Hạ tầng xã nghèo"},
              {"code": "HP2.1", "kind": "subproject", "parent": "HP2", "line": True,
               "name": "Nội dung 1: Đầu tư hạ tầng", "replaces": ["GNBV-2021-2025:DA1"]}]}


def test_an_office_loads_a_programme_that_then_serves_its_years(office_db, tmp_path):
    path = tmp_path / "mtqg.json"
    path.write_text(json.dumps(NEW_PROGRAMME, ensure_ascii=False), encoding="utf-8")
    counts = programme_db.load_programme(sites.writer(office_db), path)
    assert (counts["added"], counts["updated"]) == (4, 0)
    rows = list(office_db.query("SELECT owner_unit, code FROM programme_item"))
    assert {r["owner_unit"] for r in rows} == {"24"}
    assert programme_db.programme_for_year(office_db, 2027).id == "MTQG-2026-2035"
    assert [i.code for i in programme_db.get_programme(office_db, "MTQG-2026-2035").lines()] \
        == ["HP1", "HP2.1"]
    assert programme_db.programme_for_year(office_db, 2023).id == "GNBV-2021-2025"
    # loading a changed file updates and removes
    changed = dict(NEW_PROGRAMME, items=NEW_PROGRAMME["items"][:1])
    changed["items"] = [dict(changed["items"][0], name="Hợp phần 1: Sinh kế bền vững")]
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    counts = programme_db.load_programme(sites.writer(office_db), path)
    assert (counts["updated"], counts["removed"], counts["unchanged"]) == (1, 2, 1)
    decision = al.create_decision(sites.writer(office_db), issuer="Sở Nông nghiệp và Môi "
                                  "trường", year=2026, recipient_unit="07339")
    assert decision["programme"] == "MTQG-2026-2035"
    assert decision["recipient_name"] == "Xã Tân Yên"
    line = al.set_amount(sites.writer(office_db), decision["id"], line_code="hp1",
                         source="NSTW", capital_type="SN", amount=1_000)
    assert (line["line_code"], line["owner_unit"]) == ("HP1", "24")


def test_a_commune_does_not_load_programmes(writer):
    with pytest.raises(GnappError, match="cơ quan cấp trên"):
        programme_db.load_programme(writer, Path("resources/programme/MTQG-2026-2035.json"))
