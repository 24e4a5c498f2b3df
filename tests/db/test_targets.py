"""Poverty targets in the database (gnapp.db.targets): the Tân Yên annex imported by an office,
re-imported, refused when bad; targets set by hand; target against a review round's result."""

import pytest

from gnapp.db import connection, sites
from gnapp.db import targets as dt
from gnapp.domain import targets as tg
from gnapp.domain.errors import InputError
from tests.targets_helpers import CSV, PLAN, expected, tan_yen_office, with_total_row


@pytest.fixture
def office_db(units_path):
    db = connection.connect(units_path)
    tan_yen_office(db)
    yield db
    db.close()


def _rows(db, **where):
    sql = "SELECT * FROM poverty_target WHERE deleted = 0"
    for key in where:
        sql += f" AND {key} = ?"
    return list(db.query(sql, list(where.values())))


def _changes(db) -> int:
    return db.execute("SELECT count(*) FROM change_log").fetchone()[0]


def test_the_annex_imports_counts_printed_rates_and_the_total_row(office_db, tmp_path):
    report = dt.import_file(sites.writer(office_db), with_total_row(tmp_path), plan=PLAN)
    assert (report.new, report.updated, report.unchanged) == (150, 0, 0)
    assert (report.unit_rows, report.stated_rows) == (144, 6)
    units = _rows(office_db, row_kind="unit")
    assert len(units) == 144 and {r["owner_unit"] for r in units} == {"24"}
    dai_hoa = _rows(office_db, unit_name="Đại Hóa", year=2015)[0]
    assert (dai_hoa["households"], dai_hoa["poor_households"], dai_hoa["rate"]) == \
        (1255, 74, "5.9")                                   # the printed rate as written
    assert dai_hoa["row_no"] == "4" and dai_hoa["position"] == 4
    assert _rows(office_db, unit_name="TT Cao Thượng", year=2020)[0]["row_no"] == "23"
    total = {r["year"]: r for r in _rows(office_db, row_kind="stated_total")}
    assert [(total[v["year"]]["households"], total[v["year"]]["poor_households"],
             total[v["year"]]["rate"]) for v in expected()["district_total_row_printed"][
        "values"]] == [(v["households"], v["poor_households"], v["rate_printed"])
                       for v in expected()["district_total_row_printed"]["values"]]
    rate_first = _rows(office_db, row_kind="unit", rate_first=1)
    assert len(rate_first) == expected()["cell_check"]["cells_failing_only_the_rate_test"]


def test_names_match_units_under_the_office_valid_in_the_year(office_db, tmp_path):
    report = dt.import_file(sites.writer(office_db), CSV, plan=PLAN)
    assert report.matched == {"An Dương": "07330", "Nhã Nam": "07360", "TT Nhã Nam": "07306"}
    assert "Cao xá" in report.unmatched and "TT Cao Thượng" in report.unmatched
    assert {r["unit_code"] for r in _rows(office_db, unit_name="TT Nhã Nam")} == {"07306"}
    kept = _rows(office_db, unit_name="Cao xá")
    assert len(kept) == 6 and {r["unit_code"] for r in kept} == {None}
    # the current Xã Nhã Nam (07306 since 2025) is not a 2015 unit: the legacy ones are used
    assert {r["unit_code"] for r in _rows(office_db, unit_name="Nhã Nam")} == {"07360"}


def test_reimport_updates_and_never_duplicates(office_db, tmp_path):
    path = with_total_row(tmp_path)
    w = sites.writer(office_db)
    dt.import_file(w, path, plan=PLAN)
    before = _changes(office_db)
    again = dt.import_file(w, path, plan=PLAN)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 150)
    assert _changes(office_db) == before
    edited = path.read_text(encoding="utf-8").replace("1,An Dương,2020,2092,27,1.29",
                                                      "1,An Dương,2020,2092,30,1.43")
    path.write_text(edited, encoding="utf-8")
    third = dt.import_file(w, path, plan=PLAN)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 149)
    row = _rows(office_db, unit_name="An Dương", year=2020)
    assert len(row) == 1 and row[0]["poor_households"] == 30 and row[0]["version"] == 2
    assert len(_rows(office_db)) == 150


def test_a_dry_run_writes_nothing(office_db, tmp_path):
    report = dt.import_file(sites.writer(office_db), CSV, plan=PLAN, dry_run=True)
    assert report.new == 144 and report.dry_run
    assert _rows(office_db) == []


def test_bad_rows_are_refused_with_file_row_and_field_and_nothing_is_written(office_db,
                                                                            tmp_path):
    lines = CSV.read_text(encoding="utf-8").splitlines()
    lines[3] = "1,An Dương,hai nghìn,2029,84,4.12"        # row 4: year
    lines[10] = "2,Cao Thượng,2018,1903,1975,3.92"        # row 11: poor > households
    lines[20] = "4,,2016,1268,67,5.28"                    # row 21: no unit
    lines[30] = "6,Lam Cốt,2017,2207,124,năm"             # row 31: rate
    lines.append("1,An Dương,2015,2008,130,6.47")          # row 146: twice
    bad = tmp_path / "chi_tieu_sai.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        dt.import_file(sites.writer(office_db), bad, plan=PLAN)
    message = str(caught.value)
    for row, field in ((4, "year"), (11, "poor_households"), (21, "unit_name"),
                       (31, "rate_printed"), (146, "unit_name")):
        assert f"Tệp chi_tieu_sai.csv, dòng {row}, trường «{field}»" in message, message
    assert "lớn hơn tổng số hộ" in message and "trùng với dòng 2" in message
    assert _rows(office_db) == []


def test_a_file_without_its_columns_is_refused(office_db, tmp_path):
    bad = tmp_path / "thieu_cot.csv"
    bad.write_text("unit_name,year\nAn Dương,2015\n", encoding="utf-8")
    with pytest.raises(InputError, match="thieu_cot.csv: Thiếu cột «households"):
        dt.import_file(sites.writer(office_db), bad, plan=PLAN)


def test_an_office_sets_a_communes_target_with_the_rate_first(office_db):
    w = sites.writer(office_db)
    row = dt.set_target(w, "7339", 2026, households=2345, rate="1,5")
    assert (row["unit_code"], row["unit_name"], row["plan"]) == ("07339", "Xã Tân Yên",
                                                                 dt.ASSIGNED_PLAN)
    assert row["poor_households"] == tg.derive_poor("1.5", 2345) == 35   # 35,175 → 35
    assert (row["rate"], row["rate_first"], row["owner_unit"]) == ("1.5", 1, "24")
    again = dt.set_target(w, "07339", 2026, households=2345, poor_households=30)
    assert again["id"] == row["id"] and again["rate"] is None and again["rate_first"] == 0
    assert len(_rows(office_db, unit_code="07339")) == 1
    audit = [r[0] for r in office_db.execute(
        "SELECT field FROM audit_log WHERE row_id = ? ORDER BY field", [row["id"]])]
    assert "poor_households" in audit


@pytest.mark.parametrize("code, options, message", [
    ("15865", {"poor_households": 3}, "không thuộc đơn vị của máy này"),
    ("07339", {}, "một trong hai"),
    ("07339", {"poor_households": 3, "rate": "1"}, "một trong hai"),
    ("07339", {"rate": "120"}, "từ 0 đến 100"),
    ("24", {"poor_households": 3}, "không phải mã của một xã"),
])
def test_targets_set_by_hand_are_refused_when_wrong(office_db, code, options, message):
    with pytest.raises(InputError, match=message):
        dt.set_target(sites.writer(office_db), code, 2026, households=100, **options)
    assert _rows(office_db) == []


def test_a_commune_sets_only_its_own_target(writer):
    with pytest.raises(InputError, match="chỉ ghi chỉ tiêu của chính xã"):
        dt.set_target(writer, "07306", 2026, households=100, poor_households=3)
    assert dt.set_target(writer, "07339", 2026, households=100, poor_households=3)["year"] \
        == 2026


# -- target against the result of a review round ------------------------------------------------

def _round_result(db, year):
    """Households in the register and poor households of the year's periodic round,
    counted here with plain SQL (every household of the demo is reviewed in 2025)."""
    round_id = db.execute("SELECT id FROM review_round WHERE year = ? AND kind = 'periodic'",
                          [year]).fetchone()[0]
    households = db.execute("SELECT count(*) FROM household WHERE deleted = 0").fetchone()[0]
    poor = db.execute("SELECT count(*) FROM household_review WHERE round_id = ? AND deleted = 0 "
                      "AND status = 'complete' AND class = 'poor'", [round_id]).fetchone()[0]
    return households, poor


def test_target_against_the_demo_round(demo_db):
    site = sites.require_site(demo_db)
    households, poor = _round_result(demo_db, 2025)
    assert poor > 0
    dt.set_target(sites.writer(demo_db), site.unit_code, 2025, households=households,
                  rate="0")
    (found,) = dt.comparison(demo_db, 2025)
    assert (found.unit_code, found.households, found.poor_households) == \
        (site.unit_code, households, poor)
    assert found.result_rate == tg.rate(poor, households)
    assert found.target_rate == 0 and found.verdict == tg.NOT_MET
    assert found.poor_gap == poor
    dt.set_target(sites.writer(demo_db), site.unit_code, 2025, households=households,
                  poor_households=poor + 1)
    (better,) = dt.comparison(demo_db, 2025)
    assert better.verdict == tg.MET and better.poor_gap == -1


def test_a_year_without_a_round_has_no_result(demo_db):
    site = sites.require_site(demo_db)
    dt.set_target(sites.writer(demo_db), site.unit_code, 2030, households=500, rate="1")
    (found,) = dt.comparison(demo_db, 2030)
    assert found.households is None and found.verdict == tg.NO_RESULT
    assert found.target.poor_households == 5


def test_an_office_compares_each_commune_it_set_a_target_for(office_db):
    w = sites.writer(office_db)
    dt.set_target(w, "07339", 2026, households=2000, rate="2")
    dt.set_target(w, "07306", 2026, households=1500, poor_households=20)
    found = dt.comparison(office_db, 2026)
    assert [(c.unit_code, c.target.poor_households, c.verdict) for c in found] == \
        [("07306", 20, tg.NO_RESULT), ("07339", 40, tg.NO_RESULT)]
    assert [c.unit_code for c in dt.comparison(office_db, 2026, "7339")] == ["07339"]
