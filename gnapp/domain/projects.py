"""Livelihood projects and models (DA2, DA3.TDA1 …): who may take part, and the shares of
target-group and priority households (domain.md §2.4, §3.5, §4.1–4.2).

A household's standing on a day comes from its review history: its class in the latest
round that had started by then, and, when it has left the poor list, the date it left
(the recognition decision of that round, or the round's end without one). "Newly escaped"
is never stored: it is computed from that date and the 36-month window
(``transitions.newly_escaped``).

Production-support rule (NĐ 27/2022/NĐ-CP as summarised, domain.md §2.4):

- at least 50 % of a project's participating households must be from the target groups:
  poor, near-poor, newly escaped (within 36 months), or a household with a person with a
  disability who has no stable livelihood;
- a project where more than 70 % of the participants are poor, near-poor or newly escaped,
  ethnic-minority households, households of people with revolutionary merit, or women of
  poor households, has priority.

Other households may take part (up to half), but do not count towards the 50 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gnapp.domain.dates import format_date
from gnapp.domain.issues import Issue, error, warning
from gnapp.domain.numbers import format_rate, rate, to_decimal
from gnapp.domain.text import clean
from gnapp.domain.transitions import NEWLY_ESCAPED_MONTHS, add_months, newly_escaped

TARGET_SHARE_MIN = Decimal(50)      # ≥ 50 % of participants from the target groups
PRIORITY_SHARE_OVER = Decimal(70)   # > 70 % priority households: the project has priority

# Budget lines whose projects pick participating households (domain.md §2.4).
PROJECT_LINES = {
    "DA2": "Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo",
    "DA3.TDA1": "Tiểu dự án 1 (Dự án 3): Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp",
}

PROJECT_KINDS = {"project": "Dự án hỗ trợ phát triển sản xuất", "model": "Mô hình giảm nghèo"}

PROJECT_STATES = {
    "planning": "Đang lập danh sách",
    "implementing": "Đang thực hiện",
    "completed": "Đã kết thúc",
}

# Why a household counts, in the order a reason is chosen (the first that applies).
GROUPS = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "newly_escaped": "Hộ mới thoát nghèo (trong 36 tháng)",
    "disability": "Hộ có người khuyết tật không có sinh kế ổn định",
    "other": "Không thuộc nhóm đối tượng",
}

# Work that is a stable livelihood (codes.EMPLOYMENT).
STABLE_WORK = ("employed_contract", "employed_no_contract", "self_employed")


@dataclass(frozen=True)
class ReviewMark:
    """A household's class at the end of one review round.

    Attributes:
        ended_on: when the round ended
        klass: the class found (codes.CLASS), ``None`` when not classified
        recognised_on: date of the recognition decision covering the household, if any
    """

    ended_on: date
    klass: str | None
    recognised_on: date | None = None

    @property
    def effective_on(self) -> date:
        """When the result took effect: the recognition decision, or the end of the round
        without one (a decision signed before the round's planned end makes it effective
        earlier)."""
        return self.recognised_on or self.ended_on


@dataclass(frozen=True)
class DisabledMember:
    """A member with a disability, and his or her work (codes.EMPLOYMENT), for the
    "person with disability without a stable livelihood" group."""

    name: str
    employment: str | None


@dataclass(frozen=True)
class HouseholdFacts:
    """What eligibility needs to know of one household, on one day.

    Attributes:
        household_id, code, head: identity for messages
        active: the household is in the register (not moved out, merged or dissolved)
        history: its reviews, in any order
        ethnic_minority, revolution_merit: register flags (priority groups)
        head_is_woman: the head of household is a woman (women of poor households)
        disabled: members with a disability (present members only)
    """

    household_id: str
    code: str
    head: str | None
    active: bool = True
    history: tuple[ReviewMark, ...] = ()
    ethnic_minority: bool = False
    revolution_merit: bool = False
    head_is_woman: bool = False
    disabled: tuple[DisabledMember, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    """Whether and why a household may join a project on a day.

    Attributes:
        allowed: it may be added at all (in the register)
        group: key of ``GROUPS``: the target group it counts in, or ``other``
        target: counts towards the ≥ 50 % target-group share
        priority: counts towards the > 70 % priority share
        reason: one Vietnamese sentence, shown next to the household
    """

    allowed: bool
    group: str
    target: bool
    priority: bool
    reason: str

    @property
    def label(self) -> str:
        return GROUPS[self.group]


def _class_on(history: Sequence[ReviewMark], on: date) -> ReviewMark | None:
    """The latest classified result in effect on ``on``."""
    done = sorted((m for m in history if m.klass and m.effective_on <= on),
                  key=lambda m: m.ended_on)
    return done[-1] if done else None


def exit_date(history: Iterable[ReviewMark], on: date) -> date | None:
    """When the household last left the poor list, as of ``on`` (None if it is still poor
    or never was): the effective date of the first result after its last poor result."""
    marks = sorted((m for m in history if m.klass and m.effective_on <= on),
                   key=lambda m: m.ended_on)
    last_poor = max((i for i, m in enumerate(marks) if m.klass == "poor"), default=None)
    if last_poor is None or last_poor == len(marks) - 1:
        return None
    return marks[last_poor + 1].effective_on


def _without_livelihood(facts: HouseholdFacts) -> DisabledMember | None:
    return next((m for m in facts.disabled if m.employment not in STABLE_WORK), None)


def eligibility(facts: HouseholdFacts, on: date,
                months: int = NEWLY_ESCAPED_MONTHS) -> Eligibility:
    """Whether and why ``facts``' household may join a project on ``on`` (see module doc)."""
    if not facts.active:
        return Eligibility(False, "other", False, False,
                           "Hộ không còn trong sổ hộ (đã chuyển đi, nhập hoặc giải thể).")
    current = _class_on(facts.history, on)
    minority = facts.ethnic_minority or facts.revolution_merit
    extra = []
    if facts.ethnic_minority:
        extra.append("hộ dân tộc thiểu số")
    if facts.revolution_merit:
        extra.append("hộ có người có công")
    tail = f" ({', '.join(extra)})" if extra else ""
    if current is not None and current.klass in ("poor", "near_poor"):
        group = current.klass
        woman = " – chủ hộ là phụ nữ" if group == "poor" and facts.head_is_woman else ""
        return Eligibility(True, group, True, True,
                           f"{GROUPS[group]} theo kết quả rà soát "
                           f"{format_date(current.effective_on)}{woman}{tail}.")
    left = exit_date(facts.history, on)
    if left is not None and newly_escaped(left, on, months):
        last_day = add_months(left, months) - timedelta(days=1)
        return Eligibility(True, "newly_escaped", True, True,
                           f"Hộ mới thoát nghèo: thoát nghèo từ {format_date(left)}, trong "
                           f"{months} tháng đến hết ngày {format_date(last_day)}{tail}.")
    disabled = _without_livelihood(facts)
    if disabled is not None:
        return Eligibility(True, "disability", True, minority,
                           f"Có người khuyết tật không có sinh kế ổn định ({disabled.name}){tail}.")
    if left is not None:
        why = (f"Không thuộc nhóm đối tượng: thoát nghèo từ {format_date(left)}, đã quá "
               f"{months} tháng")
    elif current is None:
        why = "Không thuộc nhóm đối tượng: chưa có kết quả rà soát"
    else:
        why = "Không thuộc nhóm đối tượng: hộ không nghèo"
    if minority:
        return Eligibility(True, "other", False, True, f"{why}; được ưu tiên{tail}.")
    return Eligibility(True, "other", False, False, f"{why}.")


# -- shares ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shares:
    """The target-group and priority shares of a project's participants.

    Attributes:
        participants: participating households
        target: of them, in the target groups
        priority: of them, priority households
    """

    participants: int
    target: int
    priority: int

    @property
    def target_rate(self) -> Decimal | None:
        """Percentage, half-up to 2 decimals; ``None`` without participants."""
        return rate(self.target, self.participants, what="tỷ lệ hộ thuộc nhóm đối tượng") \
            if self.participants else None

    @property
    def priority_rate(self) -> Decimal | None:
        return rate(self.priority, self.participants, what="tỷ lệ hộ ưu tiên") \
            if self.participants else None

    @property
    def meets_target_rule(self) -> bool:
        """At least half of the participants are from the target groups (exactly, by counts:
        2 × target ≥ participants, not by the rounded rate)."""
        return self.participants > 0 and 2 * self.target >= self.participants

    @property
    def has_priority(self) -> bool:
        """More than 70 % of the participants are priority households (10 × priority > 7 ×
        participants)."""
        return self.participants > 0 and 10 * self.priority > 7 * self.participants

    @property
    def target_needed(self) -> int:
        """How many more target-group households would make the rule hold, if the others
        stay (each one added raises both counts)."""
        return max(0, self.participants - 2 * self.target)


def shares(eligibilities: Iterable[Eligibility]) -> Shares:
    found = list(eligibilities)
    return Shares(len(found), sum(e.target for e in found), sum(e.priority for e in found))


def share_text(s: Shares) -> str:
    """"Hộ thuộc nhóm đối tượng: 6/8 (75,00%) – đạt tỷ lệ tối thiểu 50%"."""
    if not s.participants:
        return "Chưa có hộ tham gia."
    target = (f"Hộ thuộc nhóm đối tượng: {s.target}/{s.participants} "
              f"({format_rate(s.target_rate)})")
    target += (" – đạt tỷ lệ tối thiểu 50%" if s.meets_target_rule
               else f" – chưa đạt tỷ lệ tối thiểu 50% (cần thêm ít nhất {s.target_needed} hộ "
                    "thuộc nhóm đối tượng)")
    return target


def priority_text(s: Shares) -> str:
    if not s.participants:
        return ""
    text = f"Hộ ưu tiên: {s.priority}/{s.participants} ({format_rate(s.priority_rate)})"
    return text + (" – trên 70%: dự án thuộc diện ưu tiên" if s.has_priority
                   else " – chưa trên 70%")


def check_shares(s: Shares) -> list[Issue]:
    """The 50 % rule as an error, the 70 % priority as information (a warning when not met)."""
    if not s.participants:
        return [error("project.no_participants", "Dự án chưa có hộ tham gia.")]
    issues = []
    if not s.meets_target_rule:
        issues.append(error("project.target_share", share_text(s) + "."))
    if not s.has_priority:
        issues.append(warning("project.priority_share", priority_text(s) + "."))
    return issues


# -- row rules ------------------------------------------------------------------------------

def _is_money(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_project(values: Mapping[str, Any]) -> list[Issue]:
    issues = []
    if not clean(values.get("name")):
        issues.append(error("project.name", "Chưa nhập tên dự án.", "name"))
    if not clean(values.get("line_code")):
        issues.append(error("project.line", "Chưa chọn dự án, tiểu dự án (dòng vốn).",
                            "line_code"))
    if values.get("kind") not in PROJECT_KINDS:
        issues.append(error("project.kind", "Loại dự án không hợp lệ.", "kind"))
    if values.get("status", "planning") not in PROJECT_STATES:
        issues.append(error("project.status", "Trạng thái dự án không hợp lệ.", "status"))
    amount = values.get("amount")
    if not _is_money(amount) or amount < 0:
        issues.append(error("project.amount", "Kinh phí phải là số đồng không âm.", "amount"))
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and str(ends) < str(starts):
        issues.append(error("project.dates", "Ngày kết thúc trước ngày bắt đầu.", "ends_on"))
    return issues


def validate_participant(values: Mapping[str, Any]) -> list[Issue]:
    issues = []
    if not values.get("project_id") or not values.get("household_id"):
        issues.append(error("participant.keys", "Chưa chọn dự án hoặc hộ.", "household_id"))
    counterpart = values.get("counterpart")
    if counterpart is not None and (not _is_money(counterpart) or counterpart < 0):
        issues.append(error("participant.counterpart", "Vốn đối ứng phải là số đồng không âm.",
                            "counterpart"))
    return issues


def validate_input(values: Mapping[str, Any]) -> list[Issue]:
    """An input delivered: what, how many (a positive number, decimals allowed), when."""
    issues = []
    if not clean(values.get("item")):
        issues.append(error("input.item", "Chưa nhập tên vật tư, giống.", "item"))
    quantity = values.get("quantity")
    try:
        ok = quantity is not None and to_decimal(str(quantity)) > 0
    except (ValueError, TypeError, ArithmeticError):
        ok = False
    if not ok:
        issues.append(error("input.quantity", "Số lượng phải lớn hơn 0.", "quantity"))
    if not clean(values.get("unit")):
        issues.append(error("input.unit", "Chưa nhập đơn vị tính (con, kg, cây…).", "unit"))
    if not values.get("delivered_on"):
        issues.append(error("input.date", "Chưa nhập ngày cấp.", "delivered_on"))
    return issues
