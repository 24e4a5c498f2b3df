"""Who may join a livelihood project, and the 50 % / 70 % shares (domain.md §2.4, §4.1)."""

from datetime import date
from decimal import Decimal

import pytest

from gnapp.domain import projects as rules
from gnapp.domain.projects import DisabledMember, HouseholdFacts, ReviewMark

ROUND_2022 = date(2022, 12, 14)
ROUND_2023 = date(2023, 12, 14)
ROUND_2024 = date(2024, 12, 14)


def facts(*marks, **kw) -> HouseholdFacts:
    return HouseholdFacts(household_id="h", code="01.001", head="Lò Văn Pụ",
                          history=tuple(marks), **kw)


@pytest.mark.parametrize("klass, group", [("poor", "poor"), ("near_poor", "near_poor")])
def test_poor_and_near_poor_are_target_and_priority(klass, group):
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, klass)), date(2024, 3, 1))
    assert (result.allowed, result.group, result.target, result.priority) == \
        (True, group, True, True)
    assert result.reason.startswith(rules.GROUPS[group])
    assert "14/12/2023" in result.reason


def test_class_is_the_one_in_force_on_the_day():
    history = (ReviewMark(ROUND_2022, "poor"), ReviewMark(ROUND_2023, "not_poor"))
    assert rules.eligibility(facts(*history), date(2023, 6, 1)).group == "poor"
    # the 2023 result is not known yet in June 2023, it is in 2024
    assert rules.eligibility(facts(*history), date(2024, 1, 10)).group == "newly_escaped"


def test_newly_escaped_counts_for_36_months_from_the_decision():
    history = (ReviewMark(ROUND_2022, "poor"),
               ReviewMark(ROUND_2023, "average", recognised_on=date(2023, 12, 20)))
    assert rules.exit_date(history, date(2024, 1, 1)) == date(2023, 12, 20)
    inside = rules.eligibility(facts(*history), date(2026, 12, 19))
    assert (inside.group, inside.target, inside.priority) == ("newly_escaped", True, True)
    assert "thoát nghèo từ 20/12/2023" in inside.reason
    assert "đến hết ngày 19/12/2026" in inside.reason
    outside = rules.eligibility(facts(*history), date(2026, 12, 20))
    assert (outside.group, outside.target) == ("other", False)
    assert "đã quá 36 tháng" in outside.reason


def test_escape_through_near_poor_dates_from_leaving_the_poor_list():
    history = (ReviewMark(ROUND_2022, "poor"), ReviewMark(ROUND_2023, "near_poor"),
               ReviewMark(ROUND_2024, "not_poor"))
    assert rules.exit_date(history, date(2025, 2, 1)) == ROUND_2023
    result = rules.eligibility(facts(*history), date(2025, 2, 1))
    assert result.group == "newly_escaped"


def test_falling_back_into_poverty_clears_the_exit():
    history = (ReviewMark(ROUND_2022, "poor"), ReviewMark(ROUND_2023, "not_poor"),
               ReviewMark(ROUND_2024, "poor"))
    assert rules.exit_date(history, date(2025, 2, 1)) is None
    assert rules.eligibility(facts(*history), date(2025, 2, 1)).group == "poor"


def test_disabled_member_without_stable_work():
    disabled = (DisabledMember("Lò Thị Mai", "not_working"),)
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, "not_poor"), disabled=disabled),
                               date(2024, 3, 1))
    assert (result.group, result.target) == ("disability", True)
    assert "Lò Thị Mai" in result.reason
    working = (DisabledMember("Lò Thị Mai", "self_employed"),)
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, "not_poor"), disabled=working),
                               date(2024, 3, 1))
    assert result.group == "other"


def test_other_households_may_join_but_do_not_count():
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, "not_poor")), date(2024, 3, 1))
    assert (result.allowed, result.target, result.priority) == (True, False, False)
    assert result.reason == "Không thuộc nhóm đối tượng: hộ không nghèo."
    unreviewed = rules.eligibility(facts(), date(2024, 3, 1))
    assert "chưa có kết quả rà soát" in unreviewed.reason


def test_ethnic_minority_household_is_priority_not_target():
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, "not_poor"), ethnic_minority=True),
                               date(2024, 3, 1))
    assert (result.target, result.priority) == (False, True)
    assert "hộ dân tộc thiểu số" in result.reason


def test_household_gone_from_the_register_is_not_allowed():
    result = rules.eligibility(facts(ReviewMark(ROUND_2023, "poor"), active=False),
                               date(2024, 3, 1))
    assert not result.allowed


def _mix(target: int, priority_only: int, other: int):
    t = rules.Eligibility(True, "poor", True, True, "")
    p = rules.Eligibility(True, "other", False, True, "")
    o = rules.Eligibility(True, "other", False, False, "")
    return rules.shares([t] * target + [p] * priority_only + [o] * other)


@pytest.mark.parametrize("target, other, meets", [
    (5, 5, True),     # exactly half
    (4, 5, False),    # 44,44 %
    (1, 0, True),
    (0, 1, False),
    (50, 51, False),  # 49,50 %
    (51, 50, True),
])
def test_at_least_half_from_the_target_groups(target, other, meets):
    shares = _mix(target, 0, other)
    assert shares.meets_target_rule is meets
    errors = [i.code for i in rules.check_shares(shares) if i.severity == "error"]
    assert ("project.target_share" in errors) is (not meets)


def test_share_text_says_how_many_are_missing():
    shares = _mix(3, 0, 7)
    assert shares.target_rate == Decimal("30.00")
    assert shares.target_needed == 4        # 7 of 14 with 4 more
    assert "3/10 (30,00%)" in rules.share_text(shares)
    assert "cần thêm ít nhất 4 hộ" in rules.share_text(shares)
    assert _mix(7, 0, 7).meets_target_rule


@pytest.mark.parametrize("priority, other, has", [
    (7, 3, False),    # exactly 70 % is not "more than"
    (8, 3, True),     # 72,73 %
    (71, 29, True),
])
def test_priority_is_more_than_seventy_percent(priority, other, has):
    shares = _mix(0, priority, other)
    assert shares.has_priority is has
    assert ("trên 70%: dự án thuộc diện ưu tiên" in rules.priority_text(shares)) is has


def test_rates_round_half_up():
    shares = _mix(2, 0, 1)          # 66,666… %
    assert shares.target_rate == Decimal("66.67")
    assert _mix(0, 0, 0).target_rate is None
    assert [i.code for i in rules.check_shares(_mix(0, 0, 0))] == ["project.no_participants"]


def test_row_rules():
    good = {"name": "Dự án chăn nuôi dê sinh sản", "line_code": "DA2", "kind": "project",
            "amount": 400_000_000, "starts_on": "2023-03-01", "ends_on": "2023-12-31"}
    assert rules.validate_project(good) == []
    bad = rules.validate_project({**good, "name": " ", "amount": -1, "ends_on": "2023-01-01"})
    assert {i.field for i in bad} == {"name", "amount", "ends_on"}
    assert rules.validate_input({"item": "Dê giống", "quantity": "13.8", "unit": "kg",
                                 "delivered_on": "2023-07-20"}) == []
    assert {i.field for i in rules.validate_input({"item": "Dê", "quantity": "0"})} == \
        {"quantity", "unit", "delivered_on"}
    assert rules.validate_participant({"project_id": "p", "household_id": "h",
                                       "counterpart": -5})[0].field == "counterpart"
