"""Shares, sums and the denominator rule of the review reports."""

from decimal import Decimal

import pytest

from gnapp.domain import report_rules as rules


def test_a_share_is_rounded_half_up_to_two_decimals():
    assert rules.share(1, 3, report="Báo cáo 1", row="Thôn Một", column="cột 4") == \
        Decimal("33.33")
    assert rules.share(2, 3, report="Báo cáo 1", row="Thôn Một", column="cột 4") == \
        Decimal("66.67")
    assert rules.share(1, 8, report="Báo cáo 1", row="x", column="y") == Decimal("12.50")
    assert rules.share(1, 800, report="Báo cáo 1", row="x", column="y") == Decimal("0.13")


def test_nothing_of_nothing_has_no_rate():
    assert rules.share(0, 0, report="Báo cáo 5", row="Thôn Ba", column="chỉ số 1") is None


@pytest.mark.parametrize("numerator, denominator, detail", [
    (204, 0, "thiếu mẫu số"),            # the national software printed 2040 % here
    (5, None, "thiếu mẫu số"),
    (None, 10, "thiếu tử số"),
    (11, 10, "lớn hơn mẫu số"),
])
def test_a_share_without_a_proper_denominator_is_an_error_naming_report_and_row(
        numerator, denominator, detail):
    with pytest.raises(rules.ReportError) as caught:
        rules.share(numerator, denominator, report="Báo cáo 1", row="Thôn Một",
                    column="cột 4 = 3/1 × 100")
    message = caught.value.message
    assert message.startswith("Báo cáo 1, dòng «Thôn Một», cột 4 = 3/1 × 100:")
    assert detail in message


def test_result_rows_add_up_and_rates_come_from_the_sums():
    a = rules.count_result([("poor", 3), ("near_poor", 2), ("not_poor", 4), (None, 9)])
    b = rules.count_result([("average", 4), ("poor", 1)])
    total = a + b
    assert (total.households, total.persons, total.poor_households, total.poor_persons) == \
        (5, 14, 2, 4)
    assert rules.result_values(total, "Xã")[2:4] == [2, Decimal("40.00")]


def test_deprivations_are_counted_per_indicator():
    counts = rules.count_deprivations([{"a": 1, "b": 0}, {"a": True, "c": 1}, {}],
                                      ["a", "b", "c"])
    assert counts == rules.DeprivationCounts(3, (2, 0, 1))
    assert counts.total == 3
    assert rules.deprivation_rates(counts, "Thôn") == [Decimal("66.67"), Decimal("0.00"),
                                                       Decimal("33.33")]
    assert rules.deprivation_rates(rules.DeprivationCounts(0, (0, 0)), "Thôn") == [None, None]
