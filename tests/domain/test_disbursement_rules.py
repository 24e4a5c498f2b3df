"""Disbursement rules: the rate and its rounding, over-disbursement, settlement, and the
estimate approval chain (domain.md §3.5, §9.2)."""

from decimal import Decimal

import pytest

from gnapp.domain import disbursement as rules
from gnapp.domain.disbursement import ChainError, LineBalance, OverDisbursement
from gnapp.domain.numbers import RateError

MILLION = 1_000_000


@pytest.mark.parametrize("disbursed, available, expected", [
    # [000]: printed truncated as "79,26%"; half-up gives 79,27
    (27_346 * MILLION, 34_498 * MILLION, Decimal("79.27")),
    # [000]: 2.679 of 5.260 triệu, printed "50,9%"
    (2_679 * MILLION, 5_260 * MILLION, Decimal("50.93")),
    # exactly half a hundredth rounds up: 1/8 = 12,5 % → 12.50; 1/16 = 6,25 %; 1/1600 = 0,0625 %
    (1, 8, Decimal("12.50")),
    (1, 1600, Decimal("0.06")),
    (3, 1600, Decimal("0.19")),      # 0,1875 → 0,19 (half-up at the third decimal)
    (1, 200_000, Decimal("0.00")),   # 0,0005 % → 0,00
    (1, 20_000, Decimal("0.01")),    # 0,005 % → 0,01 (half-up, not to even)
    (0, 500_000_000, Decimal("0.00")),
    (500_000_000, 500_000_000, Decimal("100.00")),
])
def test_rate_is_half_up_to_two_decimals(disbursed, available, expected):
    assert rules.disbursement_rate(disbursed, available) == expected
    assert rules.balance(available, [disbursed]).rate == expected


def test_rate_counts_carry_over_in_the_denominator():
    line = rules.balance(20 * MILLION, [15 * MILLION], carried_in=10 * MILLION)
    assert line.available == 30 * MILLION
    assert line.rate == Decimal("50.00")


def test_rate_without_money_is_not_a_number():
    assert LineBalance(allocated=0).rate is None
    with pytest.raises(RateError, match="mẫu số"):
        rules.disbursement_rate(0, 0)


def test_payments_fold_with_reversals():
    line = rules.balance(100, [40, 30, -30, 10])
    assert line.disbursed == 50
    assert line.remaining == 50
    assert line.state == "disbursing"


def test_over_disbursement_is_refused_with_the_figures():
    line = rules.balance(500_000_000, [300_000_000, 150_000_000])
    rules.check_payment(line, 50_000_000, line_label="DA2")      # exactly up to the amount
    with pytest.raises(OverDisbursement) as caught:
        rules.check_payment(line, 60_000_000, line_label="DA2 – NSTW – SN")
    message = str(caught.value)
    assert "vượt số vốn của dòng DA2 – NSTW – SN" in message
    assert "500.000.000 đồng" in message        # available
    assert "450.000.000 đồng" in message        # disbursed
    assert "còn lại 50.000.000 đồng" in message
    assert "vượt 10.000.000 đồng" in message


def test_no_payment_on_a_settled_line_nor_of_nothing():
    with pytest.raises(OverDisbursement, match="đã quyết toán"):
        rules.check_payment(rules.balance(100, [50], settled=50), 10, line_label="DA2")
    with pytest.raises(OverDisbursement, match="lớn hơn 0"):
        rules.check_payment(rules.balance(100, []), 0, line_label="DA2")


@pytest.mark.parametrize("payments, settled, state", [
    ([], None, "not_started"),
    ([10], None, "disbursing"),
    ([60, 40], None, "fully_disbursed"),
    ([60, 40], 100, "settled"),
])
def test_line_states(payments, settled, state):
    assert rules.balance(100, payments, settled=settled).state == state


def test_settlement_checks():
    line = rules.balance(100, [80])
    assert rules.check_settlement(line, 80) == []
    over = rules.check_settlement(line, 90)
    assert [i.severity for i in over] == ["error"] and "lớn hơn số đã giải ngân" in over[0].message
    less = rules.check_settlement(line, 70)
    assert [i.severity for i in less] == ["warning"] and "chênh lệch 10 đồng" in less[0].message
    assert rules.check_settlement(rules.balance(100, [80], settled=80), 80)[0].code == \
        "settlement.twice"


def test_payment_row_rules():
    good = {"allocation_line_id": "x", "amount": 5, "paid_on": "2024-03-01", "document": "PC 12"}
    assert rules.validate_payment(good) == []
    codes = {i.code for i in rules.validate_payment({**good, "amount": -5})}
    assert codes == {"payment.negative"}
    assert rules.validate_payment({**good, "amount": -5, "reverses_id": "y"}) == []
    codes = {i.code for i in rules.validate_payment({"amount": 1.5})}
    assert codes == {"payment.amount", "payment.date", "payment.document", "payment.line"}


# -- the approval chain ---------------------------------------------------------------------

def test_chain_goes_prepared_appraised_approved():
    state = "prepared"
    assert rules.steps_from(state) == ["appraise", "return"]
    state = rules.next_state(state, "appraise")
    assert state == "appraised"
    assert rules.steps_from(state) == ["approve", "return"]
    state = rules.next_state(state, "approve")
    assert state == "approved"
    assert rules.steps_from(state) == []


@pytest.mark.parametrize("state, step, reason", [
    ("prepared", "approve", "chưa được thẩm định"),
    ("approved", "approve", "đã được phê duyệt"),
    ("approved", "return", "đã được phê duyệt"),
    ("appraised", "appraise", "Đã thẩm định, chờ phê duyệt"),
    ("returned", "appraise", "Bị trả lại"),
])
def test_chain_refuses_steps_out_of_order(state, step, reason):
    with pytest.raises(ChainError, match=reason):
        rules.next_state(state, step)


def test_returned_estimate_is_submitted_again():
    state = rules.next_state("appraised", "return")
    assert state == "returned"
    assert rules.steps_from(state) == ["resubmit"]
    assert rules.next_state(state, "resubmit") == "prepared"


def test_returned_estimate_needs_a_comment():
    values = {"activity": "Mua giống dê", "amount": 10, "state": "returned"}
    assert [i.code for i in rules.validate_estimate(values)] == ["estimate.comment"]
    assert rules.validate_estimate({**values, "return_comment": "Thiếu báo giá"}) == []


def test_estimates_cannot_plan_more_than_the_line_has():
    line = rules.balance(100, [])
    assert rules.check_estimate_total(line, 60, 40) == []
    assert rules.check_estimate_total(line, 60, 41)[0].code == "estimate.over"


def test_payment_under_an_estimate_needs_approval_and_room():
    with pytest.raises(OverDisbursement, match="chưa được phê duyệt"):
        rules.check_estimate_payment("appraised", 100, 0, 10, activity="Mua giống")
    rules.check_estimate_payment("approved", 100, 90, 10, activity="Mua giống")
    with pytest.raises(OverDisbursement, match="vượt dự toán «Mua giống»"):
        rules.check_estimate_payment("approved", 100, 90, 11, activity="Mua giống")
