"""Review rounds and household reviews classified by the round's standard; transitions."""

import json
from datetime import date

import pytest

from gnapp.db import households as hh
from gnapp.db import reviews, units
from gnapp.db.store import WriteError
from gnapp.domain.codes import CN2022_INDICATORS

NONE_DEPRIVED = {code: False for code in CN2022_INDICATORS}


def deprived(*codes):
    return {**NONE_DEPRIVED, **{c: True for c in codes}}


@pytest.fixture
def village(writer):
    return units.add_village(writer, "Thôn Đồng Tâm")


def new_household(writer, village, name="Nguyễn Văn Đức", members=(), **fields):
    home = hh.add_household(writer, village_id=village["id"], area="rural",
                            head={"full_name": name, "sex": "nam", "birth_date": "1970",
                                  "health_insurance": 1, "employment": "self_employed"},
                            on_date="2020-01-01", **fields)
    for m in members:
        hh.add_member(writer, home["id"], m)
    return home


def test_a_periodic_round_takes_the_standard_of_the_year_it_lists_for(writer):
    r2025 = reviews.create_round(writer, year=2025, kind="periodic")
    r2026 = reviews.create_round(writer, year=2026, kind="periodic")
    assert (r2025["standard_id"], r2025["starts_on"], r2025["ends_on"]) == \
        ("CN2022", "2025-09-01", "2025-12-14")
    assert r2026["standard_id"] == "CN2027"  # lists of 2027: the provisional standard
    regular = reviews.create_round(writer, year=2026, kind="regular", month=3)
    assert (regular["standard_id"], regular["starts_on"]) == ("CN2022", "2026-03-15")


def test_a_review_is_classified_and_keeps_its_standard(site_db, writer, village):
    home = new_household(writer, village)
    round_ = reviews.create_round(writer, year=2025, kind="periodic")
    row, result = reviews.save_review(
        writer, round_["id"], home["id"], income_per_person=1_500_000,
        deprivations=deprived("employment", "healthInsurance", "housingArea"),
        reviewer="Lê Văn Tâm", review_date="2025-10-02")
    assert (row["class"], row["b2"], row["deprivation_count"], row["standard_id"]) == \
        ("poor", 30, 3, "CN2022")
    assert row["provisional"] == 0 and row["persons"] == 1
    assert json.loads(row["deprivations"])["employment"] == 1
    assert any("1.500.000" in r for r in result.reasons)


def test_the_same_household_under_the_provisional_standard_is_labelled_so(writer, village):
    home = new_household(writer, village)
    later = reviews.create_round(writer, year=2026, kind="periodic")
    answers_2027 = {code: False for code in reviews.standard("CN2027").indicator_codes}
    row, result = reviews.save_review(writer, later["id"], home["id"],
                                      income_per_person=1_800_000, deprivations=answers_2027)
    assert (row["class"], row["provisional"], row["standard_id"]) == ("near_poor", 1, "CN2027")
    assert any("tạm thời" in r or "provisional" in r for r in result.reasons)
    earlier = reviews.create_round(writer, year=2025, kind="periodic")
    row, _ = reviews.save_review(writer, earlier["id"], home["id"], income_per_person=1_800_000,
                                 deprivations=NONE_DEPRIVED)
    assert row["class"] == "not_poor"


def test_a_manual_class_needs_a_reason_and_keeps_the_computed_one(writer, village):
    home = new_household(writer, village)
    round_ = reviews.create_round(writer, year=2025, kind="periodic")
    with pytest.raises(Exception, match="lý do|Lý do"):
        reviews.save_review(writer, round_["id"], home["id"], income_per_person=1_400_000,
                            deprivations=NONE_DEPRIVED, override_class="poor",
                            override_reason=" ")
    row, result = reviews.save_review(
        writer, round_["id"], home["id"], income_per_person=1_400_000,
        deprivations=NONE_DEPRIVED, override_class="poor",
        override_reason="Chủ hộ ốm nặng dài ngày, họp thôn thống nhất")
    assert (row["class"], row["computed_class"]) == ("poor", "near_poor")
    assert any(i.code == "classify.override" for i in result.issues)


def test_a_review_is_complete_only_without_errors(site_db, writer, village):
    home = new_household(writer, village)
    round_ = reviews.create_round(writer, year=2025, kind="periodic")
    row, _ = reviews.save_review(writer, round_["id"], home["id"], income_per_person=1_000_000,
                                 deprivations={"employment": True})
    missing = [i.message for i in reviews.checklist(site_db, row) if i.severity == "error"]
    assert any("người rà soát" in m for m in missing)
    assert any("Bảo hiểm y tế" in m or "chưa trả lời" in m.lower() for m in missing)
    with pytest.raises(WriteError, match="Chưa thể đánh dấu hoàn thành"):
        reviews.complete_review(writer, row["id"])
    row, _ = reviews.save_review(writer, round_["id"], home["id"], income_per_person=1_000_000,
                                 deprivations=deprived("employment"), reviewer="Lê Văn Tâm",
                                 review_date="2025-10-02")
    done = reviews.complete_review(writer, row["id"])
    assert done["status"] == "complete"
    with pytest.raises(WriteError, match="mở lại"):
        reviews.save_review(writer, round_["id"], home["id"], income_per_person=2_000_000,
                            deprivations=NONE_DEPRIVED)


def test_the_register_suggests_answers(site_db, writer, village):
    home = new_household(writer, village, members=[
        {"full_name": "Nguyễn Văn Bé", "sex": "nam", "birth_date": "2015", "relation": "child",
         "health_insurance": 0, "schooling": "dropped_out"},
        {"full_name": "Nguyễn Thị Út", "sex": "nu", "birth_date": "2018", "relation": "child",
         "health_insurance": 1, "schooling": "primary"}])
    found = reviews.suggestions(site_db, home["id"], date(2025, 10, 1), floor_area_m2=20)
    assert found["healthInsurance"].deprived and "Nguyễn Văn Bé" in found["healthInsurance"].reason
    assert found["childSchoolAttendance"].deprived
    assert found["dependentPerson"].deprived  # 2 children of 3 members
    assert found["housingArea"].deprived      # 20 m² for 3 persons
    assert found["employment"].deprived is False


def test_two_rounds_give_the_movements_of_report_2_and_3(site_db, writer, village):
    """A small commune: the hand count is in the comments."""
    r1 = reviews.create_round(writer, year=2024, kind="periodic")
    r2 = reviews.create_round(writer, year=2025, kind="periodic")
    poor_both = new_household(writer, village, "Hộ A")         # poor → poor
    escaped = new_household(writer, village, "Hộ B")           # poor → near-poor (B2 col 2)
    rose = new_household(writer, village, "Hộ C")              # near-poor → not poor (B3 col 2)
    fell = new_household(writer, village, "Hộ D")              # not poor → poor, first time (col 7)
    gone = new_household(writer, village, "Hộ E")              # poor, moved away (col 4)
    for home, first, second in [(poor_both, 900_000, 900_000), (escaped, 900_000, 1_200_000),
                                (rose, 1_200_000, 3_000_000), (fell, 3_000_000, 900_000),
                                (gone, 900_000, None)]:
        worst = deprived("employment", "nutrition", "housingArea")
        reviews.save_review(writer, r1["id"], home["id"], income_per_person=first,
                            deprivations=worst if home is not rose else NONE_DEPRIVED)
        if second is not None:
            reviews.save_review(writer, r2["id"], home["id"], income_per_person=second,
                                deprivations=worst if home in (poor_both, fell) else NONE_DEPRIVED)
    hh.move_out_household(writer, gone["id"], "2025-03-01")
    poor, near = reviews.movement_tables(site_db, r1["id"], r2["id"])
    # Báo cáo 2: start 3 (A, B, E); col 2 B; col 4 E; col 7 D; end 2 (A, D)
    assert poor.households == (3, 1, 0, 1, 0, 0, 1, 0, 2)
    # Báo cáo 3: start 1 (C); col 2 C; col 5 B; end 1 (B)
    assert near.households == (1, 1, 0, 0, 1, 0, 0, 0, 1)
    assert poor.persons == poor.households  # one person each
    assert poor.issues == () and near.issues == ()


def test_a_complete_review_is_reopened_only_with_a_reason(writer, village):
    home = new_household(writer, village)
    round_ = reviews.create_round(writer, year=2025, kind="periodic")
    row, _ = reviews.save_review(writer, round_["id"], home["id"], income_per_person=2_500_000,
                                 deprivations=NONE_DEPRIVED, reviewer="Lê Văn Tâm",
                                 review_date="2025-10-02")
    reviews.complete_review(writer, row["id"])
    with pytest.raises(WriteError, match="lý do"):
        reviews.reopen_review(writer, row["id"], reason="")
    assert reviews.reopen_review(writer, row["id"], reason="Hộ khiếu nại")["status"] == "draft"
    changed, _ = reviews.save_review(writer, round_["id"], home["id"], income_per_person=900_000,
                                     deprivations=NONE_DEPRIVED)
    assert changed["class"] == "near_poor"
