"""Spending an allocation line: payments, the disbursement rate, settlement, and the
approval chain of detailed estimates (domain.md §1.2, §3.5).

Money is an ``int`` of đồng. What is available on a line is the allocated amount plus the
amount carried over into it; the disbursement rate is disbursed ÷ available, computed with
the project's one rate rule (``numbers.rate``: half-up to 2 decimals) and never stored.

A payment that would take the disbursed total above what is available is refused; a payment
is never edited, a mistake is corrected by a reversing payment (the ledger is append-only).
Once a line is settled (thanh quyết toán) no payment is added to it.

The commune's spending chain for a detailed estimate (dự toán chi tiết) is::

    prepared (lập) → appraised (thẩm định) → approved (phê duyệt)

and an appraiser or the approver may send it back (returned, with a comment), after which
the preparer submits it again (prepared). Every step is a change of one field, audited by
the write path with the step's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gnapp.domain.errors import GnappError
from gnapp.domain.issues import Issue, error, warning
from gnapp.domain.numbers import format_int, rate
from gnapp.domain.text import clean

RATE_LABEL = "tỷ lệ giải ngân"


class OverDisbursement(GnappError):
    """A payment would take the disbursed total above what is available on the line."""


class ChainError(GnappError):
    """A step of the estimate approval chain that is not allowed from the current state."""


def dong(amount: int) -> str:
    """"1.234.567 đồng"."""
    return f"{format_int(amount)} đồng"


@dataclass(frozen=True)
class LineBalance:
    """The money of one allocation line, folded from its movements.

    Attributes:
        allocated: the line's amount (đồng)
        carried_in: carried over into the line from the year before (đồng)
        disbursed: sum of the payments, reversals included (đồng)
        settled: the settled (quyết toán) amount, ``None`` while the line is not settled
    """

    allocated: int
    carried_in: int = 0
    disbursed: int = 0
    settled: int | None = None

    @property
    def available(self) -> int:
        """What may be disbursed in all: allocated + carried over."""
        return self.allocated + self.carried_in

    @property
    def remaining(self) -> int:
        return self.available - self.disbursed

    @property
    def rate(self) -> Decimal | None:
        """Disbursed ÷ available × 100, half-up to 2 decimals; ``None`` when nothing is
        available (no denominator: not a number)."""
        if self.available <= 0:
            return None
        return disbursement_rate(self.disbursed, self.available)

    @property
    def is_settled(self) -> bool:
        return self.settled is not None

    @property
    def state(self) -> str:
        """Key of ``LINE_STATES``."""
        if self.is_settled:
            return "settled"
        if self.disbursed <= 0:
            return "not_started"
        if self.disbursed >= self.available:
            return "fully_disbursed"
        return "disbursing"


LINE_STATES = {
    "not_started": "Chưa giải ngân",
    "disbursing": "Đang giải ngân",
    "fully_disbursed": "Đã giải ngân hết",
    "settled": "Đã quyết toán",
}


def disbursement_rate(disbursed: int, available: int) -> Decimal:
    """Disbursed ÷ available × 100, rounded half-up to 2 decimals.

    27.346 of 34.498 triệu is 79,27 % (the document prints the truncated "79,26%").

    :raises RateError: nothing available, or more disbursed than available
    """
    return rate(disbursed, available, share=True, what=RATE_LABEL)


def balance(allocated: int, payments: Iterable[int], *, carried_in: int = 0,
            settled: int | None = None) -> LineBalance:
    """Fold a line's payments (reversals are negative) into its balance."""
    return LineBalance(allocated=allocated, carried_in=carried_in,
                       disbursed=sum(payments), settled=settled)


def check_payment(line: LineBalance, amount: int, *, line_label: str) -> None:
    """Refuse a payment of ``amount`` đồng on a line that cannot take it.

    :param line_label: how the user knows the line ("DA2 – NSTW – SN, QĐ 725/QĐ-UBND")
    :raises OverDisbursement: the line is settled, or the payment would take the disbursed
        total above what is available (the message gives both figures and what is left)
    """
    if line.is_settled:
        raise OverDisbursement(f"Dòng vốn {line_label} đã quyết toán; không ghi thêm khoản chi.")
    if amount <= 0:
        raise OverDisbursement("Số tiền chi phải lớn hơn 0 đồng.")
    if line.disbursed + amount > line.available:
        over = line.disbursed + amount - line.available
        raise OverDisbursement(
            f"Không ghi được khoản chi {dong(amount)}: vượt số vốn của dòng {line_label}. "
            f"Vốn được sử dụng {dong(line.available)}, đã giải ngân {dong(line.disbursed)}, "
            f"còn lại {dong(max(line.remaining, 0))}; khoản chi này vượt {dong(over)}.")


def validate_payment(values: Mapping[str, Any]) -> list[Issue]:
    """Rules of one stored payment row: a date, a document, a non-zero amount; a negative
    amount only as the reversal of another payment."""
    issues = []
    amount = values.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        issues.append(error("payment.amount", "Số tiền chi phải là số đồng khác 0.", "amount"))
    elif amount < 0 and not values.get("reverses_id"):
        issues.append(error("payment.negative", "Số tiền chi âm chỉ dùng để hủy một khoản chi "
                            "đã ghi.", "amount"))
    if not values.get("paid_on"):
        issues.append(error("payment.date", "Chưa nhập ngày chi.", "paid_on"))
    if not clean(values.get("document")):
        issues.append(error("payment.document", "Chưa nhập số chứng từ.", "document"))
    if not values.get("allocation_line_id"):
        issues.append(error("payment.line", "Chưa chọn dòng vốn.", "allocation_line_id"))
    return issues


def validate_settlement(values: Mapping[str, Any]) -> list[Issue]:
    issues = []
    amount = values.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        issues.append(error("settlement.amount", "Số quyết toán phải là số đồng không âm.",
                            "amount"))
    if not values.get("settled_on"):
        issues.append(error("settlement.date", "Chưa nhập ngày quyết toán.", "settled_on"))
    if not clean(values.get("document")):
        issues.append(error("settlement.document", "Chưa nhập số văn bản quyết toán.",
                            "document"))
    return issues


def check_settlement(line: LineBalance, amount: int) -> list[Issue]:
    """Whether a line can be settled at ``amount`` đồng: not more than was disbursed (an
    error); less is allowed but shown (the rest goes back)."""
    if line.is_settled:
        return [error("settlement.twice", "Dòng vốn này đã quyết toán.")]
    if amount > line.disbursed:
        return [error("settlement.over", f"Số quyết toán {dong(amount)} lớn hơn số đã giải ngân "
                      f"{dong(line.disbursed)}.", "amount")]
    if amount < line.disbursed:
        return [warning("settlement.less", f"Số quyết toán {dong(amount)} nhỏ hơn số đã giải "
                        f"ngân {dong(line.disbursed)}; chênh lệch {dong(line.disbursed - amount)} "
                        "phải nộp trả.", "amount")]
    return []


# -- detailed estimates ---------------------------------------------------------------------

ESTIMATE_STATES = {
    "prepared": "Đã lập, chờ thẩm định",
    "appraised": "Đã thẩm định, chờ phê duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Bị trả lại",
}

# step → (states it may start from, state it leads to, Vietnamese name of the step)
ESTIMATE_STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "appraise": (("prepared",), "appraised", "Thẩm định"),
    "approve": (("appraised",), "approved", "Phê duyệt"),
    "return": (("prepared", "appraised"), "returned", "Trả lại"),
    "resubmit": (("returned",), "prepared", "Trình lại"),
}


def next_state(state: str, step: str) -> str:
    """The state an estimate in ``state`` reaches by ``step``.

    :raises ChainError: the step is not allowed from that state (approval before
        appraisal, anything after approval…), with the reason in Vietnamese
    """
    if step not in ESTIMATE_STEPS:
        raise ChainError(f"Bước «{step}» không có trong quy trình dự toán.")
    allowed, target, name = ESTIMATE_STEPS[step]
    if state not in allowed:
        now = ESTIMATE_STATES.get(state, state)
        if step == "approve" and state == "prepared":
            reason = "dự toán chưa được thẩm định"
        elif state == "approved":
            reason = "dự toán đã được phê duyệt"
        else:
            reason = f"dự toán đang ở trạng thái «{now}»"
        raise ChainError(f"Không thể {name.lower()}: {reason}.")
    return target


def steps_from(state: str) -> list[str]:
    """The steps allowed from ``state``, in chain order."""
    return [step for step, (allowed, _, _) in ESTIMATE_STEPS.items() if state in allowed]


def validate_estimate(values: Mapping[str, Any]) -> list[Issue]:
    issues = []
    if not clean(values.get("activity")):
        issues.append(error("estimate.activity", "Chưa nhập nội dung hoạt động.", "activity"))
    amount = values.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        issues.append(error("estimate.amount", "Số tiền dự toán phải lớn hơn 0 đồng.", "amount"))
    if values.get("state") not in ESTIMATE_STATES:
        issues.append(error("estimate.state", "Trạng thái dự toán không hợp lệ.", "state"))
    if values.get("state") == "returned" and not clean(values.get("return_comment")):
        issues.append(error("estimate.comment", "Cần ghi lý do trả lại dự toán.",
                            "return_comment"))
    return issues


def check_estimate_total(line: LineBalance, estimated_total: int, amount: int) -> list[Issue]:
    """A new estimate whose amount, with the line's other live estimates, exceeds what is
    available on the line (an error: an estimate cannot plan money the line does not have)."""
    if estimated_total + amount > line.available:
        return [error("estimate.over", f"Tổng dự toán của dòng vốn sẽ là "
                      f"{dong(estimated_total + amount)}, vượt số vốn được sử dụng "
                      f"{dong(line.available)}.", "amount")]
    return []


def check_estimate_payment(state: str, estimate_amount: int, paid: int, amount: int, *,
                           activity: str) -> None:
    """A payment made under a detailed estimate: the estimate must be approved, and its
    payments may not exceed its amount.

    :raises OverDisbursement: with the reason in Vietnamese
    """
    if state != "approved":
        raise OverDisbursement(f"Dự toán «{activity}» chưa được phê duyệt "
                               f"({ESTIMATE_STATES.get(state, state).lower()}); chưa chi được.")
    if paid + amount > estimate_amount:
        raise OverDisbursement(
            f"Không ghi được khoản chi {dong(amount)}: vượt dự toán «{activity}» "
            f"({dong(estimate_amount)}, đã chi {dong(paid)}, còn {dong(estimate_amount - paid)}).")
