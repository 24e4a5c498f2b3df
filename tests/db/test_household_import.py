"""Importing household lists: reading messy files, the dry-run plan, applying it, the CLI.

The files under ``tests/fixtures/import`` are small and written for these tests:

``national.json`` — the national review software's export (domain.md §4.5), one record per
household, keys as the software writes them; the commune has "Thôn Đồng Tâm" and "Thôn Hòa
Bình", and the register already holds HB-010 (Phạm Văn Hùng) and HB-011 (Hoàng Thị Lan):

====  ========  =====================================================================  =========
row   code      what is in it                                                          category
====  ========  =====================================================================  =========
1     HB-001    names in NFD, booleans true/false, dates d/m/yyyy, b1Point "135,5",    new
                membersJson as a JSON *string* (head, wife, son), village "Đồng Tâm"
2     HB-002    nested objects ({"family": {...}}), booleans "Có"/"Không", b1Point    new
                the JSON number 120, membersJson a list, village "Thôn Hoà Bình"
                (old tone placement), year "2024" as text
3     HB-001    row 1 again, names in NFC: the same household exported twice          duplicate
4     HB-003    Trần Thị Mai — booleans 1/0                                            conflict
5     HB-003    Lò Văn Páo: the same code for another household                        conflict
6     HB-004    two flags set, printed totalCount 4 and b2Point 40                     flagged
7     HB-005    printed "Hộ nghèo", but B1 150,25 > 140 (rural): gnapp says not poor   flagged
8     HB-006    village "Thôn Khe Mạ" that the commune does not have                   refused
9     HB-007    review date "31/02/2024"                                               refused
10    HB-002    the household of row 2, its 2023 review                                new
11    HB-010    in the register with birth year 1965: now 12/4/1965, and a wife        updated
12    HB-011    the register's HB-011 has another head                                 conflict
13    (none)    no household code                                                      refused
14    HB-014    no head's name                                                         refused
====  ========  =====================================================================  =========

("duplicate" is the category ``identical_duplicate``.)

``households.csv`` (";" separated, UTF-8 with BOM, one name in NFD) and ``households.xlsx``
(made from it by ``make_households_xlsx.py``: a merged title row above the header, real
Excel dates, B1 as numbers and as "150,25") are a flat sheet read through ``mapping.json``;
deprivations are marked "x". Line numbers of the CSV (XLSX: one more, for the title row):

====  ========  ==============================================================  ==========
line  code      what is in it                                                   category
====  ========  ==============================================================  ==========
2     HB-001    NFD name and village "Đồng Tâm", B1 "135,5" (XLSX: 135.5)       new
3     HB-001    line 2 again in NFC (XLSX: B1 as text "135,5")                  duplicate
4     HB-003    Trần Thị Mai, sex "nữ"                                          conflict
5     HB-003    Lò Văn Páo, class "hộ nghèo" in lower case                      conflict
6     HB-004    two "x" but total 4                                             flagged
7     HB-005    class "Hộ nghèo" with B1 "150,25"; sex "F"                      flagged
8     HB-006    village "Thôn Khe Mạ"                                           refused
9     HB-007    review date "31/02/2024" (XLSX: text, the others real dates)    refused
10    HB-008    village "Hòa Bình" without its type word, not poor              new
====  ========  ==============================================================  ==========
"""

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gnapp.cli import cli
from gnapp.db import household_import as imp
from gnapp.db import households as hh
from gnapp.db import reviews, units
from gnapp.db.store import WriteError, last_change_seq
from gnapp.domain import import_rows as rows
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import format_number

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
NATIONAL = FIXTURES / "national.json"
CSV = FIXTURES / "households.csv"
XLSX = FIXTURES / "households.xlsx"
MAPPING = FIXTURES / "mapping.json"

NATIONAL_CATEGORIES = {
    1: "new", 2: "new", 3: "identical_duplicate", 4: "conflict", 5: "conflict", 6: "flagged",
    7: "flagged", 8: "refused", 9: "refused", 10: "new", 11: "updated", 12: "conflict",
    13: "refused", 14: "refused"}
SHEET_CATEGORIES = {  # by CSV line
    2: "new", 3: "identical_duplicate", 4: "conflict", 5: "conflict", 6: "flagged",
    7: "flagged", 8: "refused", 9: "refused", 10: "new"}


@pytest.fixture
def villages(writer):
    return {"Đồng Tâm": units.add_village(writer, "Thôn Đồng Tâm"),
            "Hòa Bình": units.add_village(writer, "Thôn Hòa Bình")}


@pytest.fixture
def register(writer, villages):
    """HB-010 and HB-011 already in the register (rows 11 and 12 of national.json)."""
    village = villages["Đồng Tâm"]["id"]
    hh.add_household(writer, village_id=village, area="rural", code="HB-010",
                     head={"full_name": "Phạm Văn Hùng", "sex": "nam", "birth_date": "1965"},
                     on_date="2020-01-01")
    hh.add_household(writer, village_id=village, area="rural", code="HB-011",
                     head={"full_name": "Hoàng Thị Lan", "sex": "nu", "birth_date": "1970"},
                     on_date="2020-01-01")


def categories(plan):
    return {r.row: r.category for r in plan.rows}


def reason(plan, row):
    return next(r.reason for r in plan.rows if r.row == row)


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def review_of(db, code, year):
    home = hh.find_by_code(db, code, "07339")
    round_ = next(r for r in reviews.rounds(db) if r["year"] == year and r["kind"] == "periodic")
    return reviews.review_of(db, round_["id"], home["id"])


def write_json(tmp_path, records, name="tep.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def record(code="HB-100", host="Bùi Văn Khánh", village="Đồng Tâm", year=2024, **extra):
    """A tidy national-export record (all 12 indicators answered), for small cases."""
    data = {"date": "10/10/2024", "family.code": code, "family.hostName": host,
            "family.hostGender": "Nam", "family.hostBirthDate": "1970", "b1Point": "150",
            "classify": "Không nghèo", "administrative.year": year,
            "administrative.village_or_group": village,
            **{f"deprivation.{c}": False for c in rows.DEPRIVATIONS},
            "deprivation.totalCount": 0}
    data.update(extra)
    return data


# -- reading and parsing ------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("true", True), ("FALSE", False), ("Có", True),
    ("Không", False), ("co", True), ("khong", False), ("x", True), ("X", True), (1, True),
    (0, False), ("1", True), ("0", False), ("yes", True), ("No", False), (None, None), ("", None),
])
def test_yes_or_no_in_every_spelling(value, expected):
    assert rows.parse_bool(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("5/3/2024", date(2024, 3, 5)), ("05/03/2024", date(2024, 3, 5)),
    ("2024-03-05", date(2024, 3, 5)), ("2024-03-05T00:00:00", date(2024, 3, 5)),
    (datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)), (None, None),
])
def test_dates_day_first_or_iso(value, expected):
    assert rows.parse_day(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("135,5", Decimal("135.5")), (135.5, Decimal("135.5")), (120, Decimal(120)),
    ("1.234.567", Decimal(1234567)), ("135.5", Decimal("135.5")), ("1 234,5", Decimal("1234.5")),
])
def test_numbers_in_the_files_own_notation(value, expected):
    assert rows.parse_decimal(value) == expected


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_a_number_printed_the_vietnamese_way_reads_back(value):
    assert rows.parse_decimal(format_number(value)) == value


@pytest.mark.parametrize("value, expected", [
    ("Nam", "nam"), ("Nữ", "nu"), ("nam", "nam"), ("nu", "nu"), ("M", "nam"), ("F", "nu"),
    ("NỮ", "nu"),
])
def test_sex(value, expected):
    assert rows.parse_sex(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("Hộ nghèo", "poor"), ("hộ nghèo", "poor"), ("Hộ cận nghèo", "near_poor"),
    ("Không nghèo", "not_poor"), ("Hộ có mức sống trung bình", "average"),
    ("Hộ làm NLNDN có mức sống trung bình", "average"), ("Hộ không nghèo", "not_poor"),
])
def test_printed_classes(value, expected):
    assert rows.parse_class(value) == expected


@pytest.mark.parametrize("parser, value, says", [
    (rows.parse_bool, "có lẽ", "không phải có/không"),
    (rows.parse_day, "31/02/2024", "không có ngày 31"),
    (rows.parse_decimal, "12,3,4", "không đúng định dạng"),
    (rows.parse_sex, "khác", "Giới tính «khác» không rõ"),
    (rows.parse_class, "Hộ khá", "Phân loại «Hộ khá» không rõ"),
])
def test_a_bad_value_names_file_row_and_field(parser, value, says):
    with pytest.raises(InputError) as caught:
        parser(value, field="Cột X", row=7, source="tep.xlsx")
    assert caught.value.message.startswith("Tệp tep.xlsx, dòng 7, trường «Cột X»: ")
    assert says in caught.value.message


def test_json_is_flattened_and_every_text_comes_out_nfc():
    table = rows.read_table(NATIONAL)
    assert table.kind == "json" and len(table.rows) == 14
    first, nested = table.rows[0].values, table.rows[1].values
    assert first["family.hostName"] == "Nguyễn Văn Đức"          # NFD in the file
    assert "administrative.village_or_group" in nested and nested["family.code"] == "HB-002"
    assert isinstance(nested["family.membersJson"], list)
    assert isinstance(first["family.membersJson"], str)


def test_the_csv_delimiter_and_bom_and_the_xlsx_title_row():
    csv_table, xlsx_table = rows.read_table(CSV), rows.read_table(XLSX)
    assert csv_table.headers[:3] == ("Mã hộ", "Thôn", "Họ và tên chủ hộ")
    assert xlsx_table.headers == csv_table.headers
    assert [r.number for r in csv_table.rows] == list(range(2, 11))
    assert [r.number for r in xlsx_table.rows] == list(range(3, 12))
    assert csv_table.rows[0].values["Họ và tên chủ hộ"] == "Nguyễn Văn Đức"


def test_the_members_json_may_be_text_or_a_list():
    table = rows.read_table(NATIONAL)
    one, _ = rows.read_record(table.rows[0], rows.NATIONAL_MAPPING, source="national.json")
    two, _ = rows.read_record(table.rows[1], rows.NATIONAL_MAPPING, source="national.json")
    assert [(m.full_name, m.relation, m.sex, m.birth_date) for m in one.members] == [
        ("Trần Thị Hoa", "spouse", "nu", "1972"), ("Nguyễn Văn Nam", "child", "nam", "2005-07-20")]
    assert one.head.health_insurance == 1 and one.head.birth_date == "1970-03-05"
    assert [(m.full_name, m.health_insurance) for m in two.members] == [("Lò Văn Minh", 1)]
    assert one.review.b1_score == Decimal("135.5") and one.review.causes == ("lackCapital",)
    assert two.flags == {"ethnic_minority": 1, "no_labour": 0, "revolution_merit": 0}


def test_suggested_mapping_matches_the_hand_written_one(tmp_path):
    suggested = rows.suggest_mapping(rows.read_table(CSV).headers)
    by_hand = {k: v for k, v in rows.load_mapping(MAPPING).items() if v}
    assert suggested == by_hand
    assert rows.suggest_mapping(["Họ và tên chủ hộ", "Mã hộ", "Thôn", "Cột lạ"]) == {
        "Họ và tên chủ hộ": "head.full_name", "Mã hộ": "household.code", "Thôn": "village"}
    saved = rows.save_mapping(tmp_path / "anh-xa.json", suggested)
    assert rows.load_mapping(saved) == suggested


def test_a_mapping_file_with_an_unknown_field_is_refused_naming_the_file(site_db, villages):
    with pytest.raises(InputError) as caught:
        imp.plan_import(site_db, CSV, mapping=FIXTURES / "mapping-bad.json")
    assert "mapping-bad.json" in caught.value.message and "«head.name»" in caught.value.message


def test_a_sheet_the_guess_cannot_read_needs_a_mapping(site_db, tmp_path):
    path = tmp_path / "lạ.csv"
    path.write_text("Cột A,Cột B\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        imp.plan_import(site_db, path)
    assert "lạ.csv" in caught.value.message and "household.code" in caught.value.message
    assert "cần tệp ánh xạ cột" in caught.value.message


@pytest.mark.parametrize("name, says", [
    ("so-ho.xls", "lưu lại dưới dạng .xlsx"), ("khong-co.json", "Không tìm thấy tệp"),
])
def test_files_that_cannot_be_read_at_all(site_db, tmp_path, name, says):
    if name.endswith(".xls"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as caught:
        imp.plan_import(site_db, tmp_path / name)
    assert says in caught.value.message and name in caught.value.message


# -- planning -----------------------------------------------------------------------------

def test_the_national_export_is_planned_row_by_row(site_db, register):
    plan = imp.plan_import(site_db, NATIONAL)
    assert plan.mapping_origin == "national"
    assert categories(plan) == NATIONAL_CATEGORIES
    assert plan.counts() == {"new": 3, "updated": 1, "unchanged": 0, "identical_duplicate": 1,
                             "conflict": 3, "flagged": 2, "refused": 4}
    assert plan.has_problems
    assert "Giống hệt dòng 1" in reason(plan, 3)
    assert "dòng 4 («Trần Thị Mai»), dòng 5 («Lò Văn Páo»)" in reason(plan, 4)
    assert "ghi 4 nhưng các chỉ số được đánh dấu thiếu hụt là 2" in reason(plan, 6)
    assert "điểm B2 ghi 40 nhưng 10 × 2 chỉ số thiếu hụt = 20" in reason(plan, 6)
    assert "«Hộ nghèo»" in reason(plan, 7) and "«Không nghèo»" in reason(plan, 7)
    assert "Điểm B1 150,25 > ngưỡng nông thôn 140" in reason(plan, 7)
    assert reason(plan, 8).startswith("Tệp national.json, dòng 8, trường "
                                      "«administrative.village_or_group»: Không có thôn "
                                      "«Thôn Khe Mạ»")
    assert reason(plan, 9).startswith("Tệp national.json, dòng 9, trường «date»: "
                                      "Ngày «31/02/2024» không hợp lệ")
    assert "Phiếu rà soát năm 2023 mới của hộ HB-002" in reason(plan, 10)
    assert "ngày sinh chủ hộ (1965 → 12/04/1965)" in reason(plan, 11)
    assert "thêm thành viên «Đỗ Thị Lan»" in reason(plan, 11)
    assert "«Hoàng Thị Lan»" in reason(plan, 12) and "«Đinh Văn Tú»" in reason(plan, 12)
    assert "trường «family.code»: Thiếu mã hộ" in reason(plan, 13)
    assert "trường «family.hostName»: Thiếu họ và tên chủ hộ" in reason(plan, 14)
    assert "quickReview.result" in plan.ignored_columns
    assert plan.rounds_to_create == [2023, 2024]


def test_the_dry_run_writes_nothing(site_db, register):
    before = [count(site_db, t) for t in ("change_log", "audit_log", "household", "admin_unit")]
    seq = last_change_seq(site_db)
    imp.plan_import(site_db, NATIONAL, create_villages=True)
    imp.plan_import(site_db, CSV, mapping=MAPPING)
    assert last_change_seq(site_db) == seq
    assert [count(site_db, t) for t in ("change_log", "audit_log", "household",
                                        "admin_unit")] == before


def test_apply_writes_new_updated_and_flagged_rows_then_a_reimport_is_unchanged(
        site_db, writer, register):
    plan = imp.plan_import(site_db, NATIONAL)
    done = imp.apply_import(site_db, plan, writer)
    assert done.result == {"households_added": 4, "households_updated": 1, "reviews_saved": 6}

    duc = hh.find_by_code(site_db, "HB-001", "07339")
    people = hh.members(site_db, duc["id"])
    assert [(m["full_name"], m["relation"], m["birth_date"], m["health_insurance"])
            for m in people] == [("Nguyễn Văn Đức", "head", "1970-03-05", 1),
                                 ("Trần Thị Hoa", "spouse", "1972", 1),
                                 ("Nguyễn Văn Nam", "child", "2005-07-20", 0)]
    review = review_of(site_db, "HB-001", 2024)
    assert (review["class"], review["b1_score"], review["deprivation_count"], review["b2"],
            review["persons"], review["review_date"], review["reviewer"]) == \
        ("poor", "135.5", 3, 30, 3, "2024-10-12", "Lê Văn Tâm")
    assert json.loads(review["causes"]) == ["lackCapital"]
    assert json.loads(review["needs"]) == ["credit", "production"]
    # printed values that disagree are reported, never trusted
    assert review_of(site_db, "HB-005", 2024)["class"] == "not_poor"
    assert review_of(site_db, "HB-004", 2024)["deprivation_count"] == 2
    # one household, two review rounds; it is in the register since its first review
    assert review_of(site_db, "HB-002", 2023)["b1_score"] == "125"
    assert review_of(site_db, "HB-002", 2024)["class"] == "near_poor"
    xuan = hh.find_by_code(site_db, "HB-002", "07339")
    assert xuan["ethnic_minority"] == 1
    assert [e["on_date"] for e in hh.events(site_db, xuan["id"])] == ["2023-10-15"]
    hung = hh.find_by_code(site_db, "HB-010", "07339")
    assert [(m["full_name"], m["birth_date"]) for m in hh.members(site_db, hung["id"])] == [
        ("Phạm Văn Hùng", "1965-04-12"), ("Đỗ Thị Lan", "1968")]
    # held and refused rows wrote nothing
    lan = hh.find_by_code(site_db, "HB-011", "07339")
    assert hh.members(site_db, lan["id"])[0]["full_name"] == "Hoàng Thị Lan"
    for code in ("HB-003", "HB-006", "HB-007", "HB-014"):
        assert hh.find_by_code(site_db, code, "07339") is None

    seq = last_change_seq(site_db)
    again = imp.plan_import(site_db, NATIONAL)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 6, "identical_duplicate": 1,
                              "conflict": 3, "flagged": 0, "refused": 4}
    assert "Lưu ý" in reason(again, 7)          # the disagreement is still reported
    assert imp.apply_import(site_db, again, writer).counts == {}
    assert last_change_seq(site_db) == seq


@pytest.mark.parametrize("path, shift", [(CSV, 0), (XLSX, 1)])
def test_a_flat_sheet_with_a_mapping_file(site_db, writer, villages, path, shift):
    plan = imp.plan_import(site_db, path, mapping=MAPPING)
    assert plan.mapping_origin == "file" and plan.ignored_columns == ("Ghi chú",)
    assert categories(plan) == {line + shift: c for line, c in SHEET_CATEGORIES.items()}
    assert reason(plan, 9 + shift).startswith(
        f"Tệp {path.name}, dòng {9 + shift}, trường «Ngày rà soát»: Ngày «31/02/2024»")
    assert "ghi 4 nhưng các chỉ số được đánh dấu thiếu hụt là 2" in reason(plan, 6 + shift)
    imp.apply_import(site_db, plan, writer)
    review = review_of(site_db, "HB-001", 2024)
    # blank cells beside an "x" count as "not deprived": the household is classified
    assert (review["b1_score"], review["deprivation_count"], review["class"]) == \
        ("135.5", 3, "poor")
    thang = hh.find_by_code(site_db, "HB-008", "07339")
    assert thang["village_id"] == villages["Hòa Bình"]["id"]
    assert imp.plan_import(site_db, path, mapping=MAPPING).counts()["unchanged"] == 4


def test_unknown_villages_can_be_added_while_importing(site_db, writer, register):
    plan = imp.plan_import(site_db, NATIONAL, create_villages=True)
    assert categories(plan)[8] == "new"
    assert list(plan.villages_to_create.values()) == ["Thôn Khe Mạ"]
    imp.apply_import(site_db, plan, writer)
    made = [v for v in units.children(site_db, "07339", level="village")
            if v["name"] == "Thôn Khe Mạ"]
    assert len(made) == 1 and made[0]["type"] == "thôn"
    khai = hh.find_by_code(site_db, "HB-006", "07339")
    assert khai["village_id"] == made[0]["id"]


def test_a_failure_while_applying_leaves_nothing_written(site_db, writer, register, monkeypatch):
    plan = imp.plan_import(site_db, NATIONAL)
    before = [count(site_db, t) for t in ("change_log", "audit_log", "household", "member",
                                          "review_round", "household_review")]
    real, calls = hh.add_member, []

    def failing(w, household_id, values):
        calls.append(values)
        if len(calls) == 6:
            raise RuntimeError("ổ đĩa đầy")
        return real(w, household_id, values)

    monkeypatch.setattr(hh, "add_member", failing)
    with pytest.raises(RuntimeError):
        imp.apply_import(site_db, plan, writer)
    assert [count(site_db, t) for t in ("change_log", "audit_log", "household", "member",
                                        "review_round", "household_review")] == before


def test_a_plan_the_database_has_moved_on_from_is_not_applied(site_db, writer, register):
    plan = imp.plan_import(site_db, NATIONAL)
    units.add_village(writer, "Thôn Mới")
    with pytest.raises(WriteError, match="xem trước lại"):
        imp.apply_import(site_db, plan, writer)


def test_two_different_rows_for_the_same_household_and_year_are_held(site_db, villages,
                                                                      tmp_path):
    path = write_json(tmp_path, [record(), record(**{"b1Point": "152"})])
    plan = imp.plan_import(site_db, path)
    assert categories(plan) == {1: "conflict", 2: "conflict"}
    assert "khác nhau ở: điểm B1" in reason(plan, 1)


def test_a_completed_review_is_not_overwritten(site_db, writer, villages, tmp_path):
    first = write_json(tmp_path, [record(**{"reviewer": "Lê Văn Tâm"})], "lan-1.json")
    imp.apply_import(site_db, imp.plan_import(site_db, first), writer)
    reviews.complete_review(writer, review_of(site_db, "HB-100", 2024)["id"])
    second = write_json(tmp_path, [record(**{"reviewer": "Lê Văn Tâm", "b1Point": "160"})],
                        "lan-2.json")
    plan = imp.plan_import(site_db, second)
    assert categories(plan) == {1: "conflict"}
    assert "đã hoàn thành: không ghi đè (điểm B1 khác với tệp)" in reason(plan, 1)


def test_a_row_without_a_year_takes_the_chosen_round(site_db, villages, tmp_path):
    data = record()
    del data["administrative.year"]
    data["date"] = ""
    path = write_json(tmp_path, [data])
    assert "Thiếu năm rà soát" in reason(imp.plan_import(site_db, path), 1)
    plan = imp.plan_import(site_db, path, round_year=2025)
    assert categories(plan) == {1: "new"} and plan.rounds_to_create == [2025]


def test_blank_cells_never_erase_and_a_hand_correction_is_kept(site_db, writer, villages,
                                                                tmp_path):
    path = write_json(tmp_path, [record(**{"family.hostBirthDate": "5/3/1970"})])
    imp.apply_import(site_db, imp.plan_import(site_db, path), writer)
    stored = review_of(site_db, "HB-100", 2024)
    reviews.save_review(writer, stored["round_id"], stored["household_id"],
                        deprivations=reviews._review_input(stored).deprivations,
                        b1_score="150", review_date="2024-10-10",
                        override_class="near_poor", override_reason="Hộ có người ốm nặng")
    # no birth date, no sex this time, and another reviewer
    blank = write_json(tmp_path, [record(**{"family.hostBirthDate": None,
                                            "family.hostGender": "",
                                            "reviewer": "Hà Thị Nhàn"})], "blank.json")
    plan = imp.plan_import(site_db, blank)
    assert categories(plan) == {1: "updated"}
    assert reason(plan, 1) == "Cập nhật hộ HB-100: phiếu rà soát năm 2024: người rà soát"
    imp.apply_import(site_db, plan, writer)
    home = hh.find_by_code(site_db, "HB-100", "07339")
    head = hh.members(site_db, home["id"])[0]
    assert (head["birth_date"], head["sex"]) == ("1970-03-05", "nam")
    review = review_of(site_db, "HB-100", 2024)
    assert (review["reviewer"], review["class"], review["computed_class"],
            review["override_reason"]) == ("Hà Thị Nhàn", "near_poor", "not_poor",
                                           "Hộ có người ốm nặng")


def test_a_new_household_needs_the_heads_sex(site_db, villages, tmp_path):
    path = write_json(tmp_path, [record(**{"family.hostGender": None})])
    assert reason(imp.plan_import(site_db, path), 1) == (
        "Tệp tep.json, dòng 1, trường «family.hostName»: Chủ hộ: Chưa chọn giới tính.")


# -- the command line ---------------------------------------------------------------------

def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output + result.stderr
    return result


def test_cli_dry_run_reports_by_category_and_writes_nothing(site_path, site_db, register):
    seq = last_change_seq(site_db)
    data = json.loads(run("households", "import", NATIONAL, "--dry-run", "--json",
                          "--db", site_path, code=1).stdout)
    assert data["dry_run"] is True and data["ok"] is False and data["written"] is None
    assert data["counts"] == {"new": 3, "updated": 1, "unchanged": 0, "identical_duplicate": 1,
                              "conflict": 3, "flagged": 2, "refused": 4}
    assert [r["row"] for r in data["rows"]["refused"]] == [8, 9, 13, 14]
    assert data["rows"]["identical_duplicate"][0]["reason"].startswith("Giống hệt dòng 1")
    assert data["rows"]["flagged"][0]["disagreements"]
    assert last_change_seq(site_db) == seq


def test_cli_import_then_again_is_unchanged(site_path, register):
    text = run("households", "import", NATIONAL, "--db", site_path, code=1).stdout
    assert "[Mới] dòng 1, HB-001 Nguyễn Văn Đức" in text
    assert "[Bị từ chối] dòng 9, HB-007 Dương Thị Thu: Tệp national.json, dòng 9" in text
    assert "Đã ghi: thêm 4 hộ, cập nhật 1 hộ, 6 phiếu rà soát." in text
    again = json.loads(run("households", "import", NATIONAL, "--json", "--db", site_path,
                           code=1).stdout)
    assert again["counts"]["unchanged"] == 6 and again["written"] == {
        "households_added": 0, "households_updated": 0, "reviews_saved": 0}


def test_cli_a_clean_sheet_exits_0_and_can_keep_its_mapping(site_path, villages, tmp_path):
    sheet = tmp_path / "so-ho.csv"
    sheet.write_text("Mã hộ,Thôn,Họ và tên chủ hộ,Giới tính\n"
                     "HB-200,Đồng Tâm,Lý Thị Nga,Nữ\n", encoding="utf-8")
    saved = tmp_path / "anh-xa.json"
    data = json.loads(run("households", "import", sheet, "--save-mapping", saved, "--json",
                          "--db", site_path).stdout)
    assert data["ok"] is True and data["counts"]["new"] == 1
    assert data["mapping"]["origin"] == "suggested"
    assert rows.load_mapping(saved)["Họ và tên chủ hộ"] == "head.full_name"
    again = json.loads(run("households", "import", sheet, "--mapping", saved, "--json",
                           "--db", site_path).stdout)
    assert again["mapping"]["origin"] == "file" and again["counts"]["unchanged"] == 1


def test_cli_bad_input_exits_2(site_path, villages):
    result = run("households", "import", CSV, "--mapping", FIXTURES / "mapping-bad.json",
                 "--db", site_path, code=2)
    assert result.stderr.startswith("Lỗi: Tệp mapping-bad.json") and "head.name" in result.stderr


# -- a former commune's register (merged communes, July 2025) ------------------------------

def test_a_former_communes_file_keeps_its_codes_and_rekeys_colliding_ones(site_db, writer,
                                                                          villages, tmp_path):
    """07342 is a former commune merged into 07339: its HB-010 collides with ours."""
    hh.add_household(writer, village_id=villages["Đồng Tâm"]["id"], area="rural",
                     code="HB-010", head={"full_name": "Phạm Văn Hùng", "sex": "nam",
                                          "birth_date": "1965"}, on_date="2020-01-01")
    units.add_village(writer, "Thôn Đồng Tâm (xã cũ 07342)")   # named on an earlier merge
    path = write_json(tmp_path, [record("HB-010", "Lương Văn Sáng"),
                                 record("HB-020", "Hà Thị Nga"),
                                 record("HB-021", "Vi Văn Lực", village="Thôn Nà Lẹng")])
    plan = imp.plan_import(site_db, path, former_unit="07342", create_villages=True)
    assert categories(plan) == {1: "new", 2: "new", 3: "new"}
    assert reason(plan, 1).startswith("Hộ mới 07342-HB-010: chủ hộ Lương Văn Sáng")
    assert "mã HB-010 của xã cũ 07342 đã có ở xã này: đổi thành 07342-HB-010" in reason(plan, 1)
    imp.apply_import(site_db, plan, writer)

    ours = hh.find_by_code(site_db, "HB-010", "07339")
    assert ours["former_unit_code"] is None              # our own household is untouched
    sang = hh.find_by_code(site_db, "07342-HB-010", "07339")
    nga = hh.find_by_code(site_db, "HB-020", "07339")
    assert (sang["former_unit_code"], sang["former_code"]) == ("07342", "HB-010")
    assert (nga["former_unit_code"], nga["former_code"]) == ("07342", "HB-020")
    village_names = {v["id"]: v["name"] for v in units.children(site_db, "07339",
                                                                level="village")}
    assert village_names[sang["village_id"]] == "Thôn Đồng Tâm (xã cũ 07342)"
    assert village_names[hh.find_by_code(site_db, "HB-021", "07339")["village_id"]] == \
        "Thôn Nà Lẹng"
    assert review_of(site_db, "07342-HB-010", 2024)["class"] == "not_poor"

    # the same file again: matched by the former codes, nothing new
    again = imp.plan_import(site_db, path, former_unit="07342")
    assert categories(again) == {1: "unchanged", 2: "unchanged", 3: "unchanged"}


@pytest.mark.parametrize("code, says", [
    ("7351", "Mã xã cũ «7351» không hợp lệ"),
    ("07339", "trùng mã của chính xã này"),
    ("07351", None)])
def test_the_former_commune_code_is_checked(site_db, villages, tmp_path, code, says):
    path = write_json(tmp_path, [record()])
    if says is None:            # Xã Ngọc Thiện: a commune in the list is fine
        plan = imp.plan_import(site_db, path, former_unit=code)
        assert "(thuộc Xã Ngọc Thiện)" in reason(plan, 1)
        return
    with pytest.raises(InputError) as caught:
        imp.plan_import(site_db, path, former_unit=code)
    assert caught.value.field == "former_unit"
    assert says in caught.value.message


def test_cli_imports_a_former_communes_file(site_path, villages, tmp_path):
    path = write_json(tmp_path, [record("HB-030", "Đàm Văn Tú")])
    result = CliRunner().invoke(cli, ["households", "import", str(path), "--former-unit",
                                      "07342", "--db", str(site_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["counts"]["new"] == 1
    assert "(thuộc xã cũ 07342)" in data["rows"]["new"][0]["reason"]
