"""The rules of poverty targets (gnapp.domain.targets) on the Tân Yên annex and small cases."""

from decimal import Decimal

import pytest

from gnapp.domain import targets as tg
from gnapp.domain.errors import InputError
from gnapp.domain.targets import PlanGoals, TargetRow
from tests.targets_helpers import csv_rows, expected, goals, stated_rows


@pytest.fixture(scope="module")
def check():
    return tg.check_plan("58/KH-UBND", csv_rows(), stated_rows(), goals())


def test_year_totals_are_the_sums_of_the_rows_with_the_rate_of_the_sums(check):
    want = expected()["district_totals_computed"]
    assert [(t.year, t.households, t.poor_households, str(t.rate))
            for t in check.totals.values()] == \
        [(w["year"], w["households"], w["poor_households"], w["rate_percent"]) for w in want]
    assert {t.units for t in check.totals.values()} == {expected()["unit_count"]}


def test_the_documents_total_row_differs_where_the_expected_file_says(check):
    want = {(w["year"], w["field"].replace("rate_percent", "rate")): w
            for w in expected()["printed_total_row_vs_computed"]}
    got = {(d.year, d.field): d for d in check.differences}
    assert set(got) == set(want)
    for key, w in want.items():
        assert str(got[key].printed) == str(w["printed"])
        assert str(got[key].delta) == str(w["printed_minus_computed"])
    # 2015 printed "7,7" is the same rate as the computed 7,70: no difference
    assert (2015, "rate") not in got


def test_exactly_the_seven_cells_fail_both_parts_and_78_only_the_rate_part(check):
    want = expected()["cell_check"]
    assert sorted((f.row.unit_name, f.row.year) for f in check.flags) == \
        sorted((c["unit_name"], c["year"]) for c in want["flagged_cells"])
    by_cell = {(f.row.unit_name, f.row.year): f for f in check.flags}
    for c in want["flagged_cells"]:
        flag = by_cell[(c["unit_name"], c["year"])]
        assert str(flag.computed_rate) == c["rate_computed"]
        assert str(flag.implied_poor) == c["poor_implied_by_printed_rate"]
        assert c["unit_name"] in flag.message and str(c["year"]) in flag.message
    assert len(check.rate_first) == want["cells_failing_only_the_rate_test"]
    counts = [i for i in check.issues if i.code == "target.cell_rate"]
    assert len(counts) == 7 and all(i.severity == "warning" for i in counts)


@pytest.mark.parametrize("hh, poor, rate, kind", [
    (1911, 177, "7.26", tg.FLAGGED),      # Hợp Đức 2015: 9,26 computed
    (2008, 130, "6.47", tg.AGREES),       # An Dương 2015: 130/2008 = 6,474
    (2029, 84, "4.12", tg.RATE_FIRST),    # the count derives from 4,12 % × 2029 = 83,59
    (100, 5, "5", tg.AGREES),
    (0, 0, "0", tg.NO_RATE),
    (100, 5, None, tg.NO_RATE),
])
def test_classify(hh, poor, rate, kind):
    row = TargetRow("X", 2020, hh, poor, Decimal(rate) if rate else None, rate)
    assert tg.classify(row) == kind


def test_a_rate_fixed_first_gives_the_count_rounded_half_up():
    assert tg.derive_poor(Decimal("1.5"), 1000) == 15
    assert tg.derive_poor(Decimal("1.25"), 1002) == 13      # 12,525 → 13
    assert tg.derive_poor("4.12", 2029) == 84               # 83,5948 → 84
    assert tg.derive_poor(Decimal("0.05"), 1000) == 1       # 0,5 → 1 (half up)


@pytest.mark.parametrize("text, value", [("1,5", "1.5"), ("1.68", "1.68"), ("2%", "2"),
                                         (Decimal("3.1"), "3.1")])
def test_rates_typed_in_either_notation(text, value):
    assert tg.parse_rate(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "101", "-1", ""])
def test_bad_rates_are_refused_with_a_vietnamese_message(text):
    with pytest.raises(InputError, match="[Tt]ỷ lệ"):
        tg.parse_rate(text)


def test_the_text_goals_on_computed_and_printed_figures(check):
    text = expected()["text_targets"]
    ceiling, decrease = check.goals
    assert ceiling.code == "max_rate"
    assert str(ceiling.computed) == text["district_rate_2020_max_percent"][
        "computed_2020_rate_from_rows"]
    assert ceiling.met_computed is text["district_rate_2020_max_percent"]["met_by_row_sums"]
    assert ceiling.met_printed is text["district_rate_2020_max_percent"][
        "met_by_printed_total_row"]
    assert str(decrease.computed) == text["average_annual_decrease_points"][
        "computed_from_rounded_rates"]
    assert decrease.met_computed is text["average_annual_decrease_points"]["met"]
    want = text["high_rate_communes_annual_decrease_points"]
    got = {u.unit_name: u for u in check.unit_decreases}
    assert list(got) == [u["unit_name"] for u in want["units"]]
    for u in want["units"]:
        mine = got[u["unit_name"]]
        assert mine.above_printed is u["above_district_2015_by_printed_rate"]
        assert mine.above_computed is u["above_district_2015_by_computed_rate"]
        assert str(mine.decrease_printed) == u["annual_decrease_points_printed_rates"]
        assert str(mine.decrease_computed) == u["annual_decrease_points_computed_rates"]
        assert mine.meets_printed is u["meets_1_5_printed_basis"]
        assert mine.meets_computed is u["meets_1_5_computed_basis"]
    ceiling_issue = [i for i in check.issues if i.code == "target.goal_max_rate"]
    assert len(ceiling_issue) == 1 and "1,69%" in ceiling_issue[0].message
    assert "năm 2020" in ceiling_issue[0].message


def test_total_row_issues_name_year_and_field(check):
    messages = [i.message for i in check.issues if i.code == "target.total_row"]
    assert "Năm 2020, dòng tổng, số hộ nghèo: văn bản in 850, cộng các dòng 853 (chênh −3)." \
        in messages
    assert any("Năm 2017" in m and "số hộ" in m and "+1" in m for m in messages)


def test_stored_row_rules():
    good = {"plan": "58/KH-UBND", "unit_name": "An Dương", "year": 2020, "households": 10,
            "poor_households": 2, "rate": "20", "rate_first": 0}
    assert tg.check_row(good) == []
    bad = tg.check_row({**good, "poor_households": 11, "rate": "120", "year": 1800})
    assert {i.code for i in bad} == {"target.poor_above_total", "target.rate", "target.year"}
    assert all("An Dương" in i.message for i in bad)
    assert tg.check_row({**good, "rate": None, "rate_first": 1})[0].code == "target.rate_first"


def test_goals_from_json_data_refuse_unknown_fields():
    g = PlanGoals.from_dict({"max_rate": "1.68", "max_rate_year": 2020})
    assert g.max_rate == Decimal("1.68") and g.decrease is None
    with pytest.raises(InputError, match="trường không dùng: target"):
        PlanGoals.from_dict({"target": 1}, source="g.json")
    with pytest.raises(InputError, match="max_rate_year"):
        PlanGoals.from_dict({"max_rate": "1.68"})


def test_comparison_verdicts():
    target = TargetRow("Xã A", 2025, 1000, 15, Decimal("1.5"), "1.5", rate_first=True)
    met = tg.Comparison("15865", "Xã A", 2025, target, 990, 14)
    assert met.result_rate == Decimal("1.41") and met.rate_gap == Decimal("-0.09")
    assert met.verdict == tg.MET and met.poor_gap == -1
    assert tg.Comparison("1", "A", 2025, target, 1000, 20).verdict == tg.NOT_MET
    assert tg.Comparison("1", "A", 2025, target).verdict == tg.NO_RESULT
    assert tg.Comparison("1", "A", 2025, None, 1000, 20).verdict == tg.NO_TARGET
