"""The review procedure of QĐ 24/2021/QĐ-TTg as rules: deadlines, meetings, postings, and
where a village stands in a round.

Durations the sources give but do not settle (domain.md §6.2, tag R) are constants here so
that they are named once: the posting lasts 3 working days, complaints are re-checked within
5 working days, a household's request is answered within 15 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from datetime import date, timedelta

from gnapp.domain.issues import Issue, error, warning

REQUEST_KINDS = {
    "review": "Đề nghị rà soát hộ nghèo, hộ cận nghèo",
    "escape": "Đề nghị công nhận thoát nghèo, thoát cận nghèo",
    "average": "Đề nghị xác định hộ có mức sống trung bình",
}
STEP_KINDS = {
    "meeting": "Họp dân",
    "posting": "Niêm yết công khai",
    "complaint": "Khiếu nại",
    "recheck": "Phúc tra",
    "decision": "Quyết định công nhận",
}
REQUEST_DAYS = 15
POSTING_WORKING_DAYS = 3
RECHECK_WORKING_DAYS = 5

# Where a village stands in a round, in procedure order.
STAGES = {
    "not_started": "Chưa rà soát",
    "reviewing": "Đang rà soát",
    "reviewed": "Đã rà soát xong",
    "meeting_failed": "Họp dân chưa thống nhất, rà soát lại",
    "met": "Đã họp dân",
    "posting": "Đang niêm yết",
    "posted": "Đã niêm yết",
    "recognised": "Đã có quyết định công nhận",
}


def as_date(value: date | str) -> date:
    """A date given as a date or as ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def validate_request(values: Mapping[str, Any]) -> list[Issue]:
    issues = []
    if values.get("kind") not in REQUEST_KINDS:
        issues.append(error("request.kind_invalid", "Loại giấy đề nghị không hợp lệ.", "kind"))
    if not (values.get("applicant") or "").strip():
        issues.append(error("request.applicant_missing", "Chưa nhập người đề nghị.", "applicant"))
    return issues


def validate_step(values: Mapping[str, Any]) -> list[Issue]:
    """Each kind of step has its own rules (domain.procedure)."""
    kind = values.get("kind")
    if kind not in STEP_KINDS:
        return [error("step.kind_invalid", f"Bước «{kind}» không hợp lệ.", "kind")]
    if kind == "meeting":
        return [i for i in check_meeting(values.get("attendees"), values.get("agreed"))
                if i.severity == "error"]
    if kind == "posting":
        if not values.get("end_date"):
            return [error("posting.end_missing", "Chưa nhập ngày kết thúc niêm yết.", "end_date")]
        return check_posting(as_date(values["on_date"]), as_date(values["end_date"]))
    if kind == "decision":
        issues = []
        if not (values.get("number") or "").strip():
            issues.append(error("decision.number_missing", "Chưa nhập số quyết định.", "number"))
        if not (values.get("signer") or "").strip():
            issues.append(error("decision.signer_missing", "Chưa nhập người ký.", "signer"))
        return issues
    if kind in ("complaint", "recheck") and not values.get("household_id"):
        return [error("step.household_missing", "Chưa chọn hộ.", "household_id")]
    return []


def add_working_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """The date ``days`` working days after ``start`` (Monday–Friday, not a holiday).

    The posting of 3 working days that starts on Friday ends on Wednesday: Friday counts
    as the first day when it is a working day, so the result is the last day of the period.
    """
    day, counted = start, 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def request_due(received_on: date) -> date:
    """The day by which a household's request must be answered."""
    return received_on + timedelta(days=REQUEST_DAYS)


def meeting_agreed(attendees: int, agreed: int) -> bool:
    """A village meeting agrees when at least half of those present agree."""
    return attendees > 0 and agreed * 2 >= attendees


def check_meeting(attendees: int | None, agreed: int | None) -> list[Issue]:
    """Counts of a village meeting: both given, agreed not more than present."""
    if attendees is None or agreed is None:
        return [error("meeting.counts_missing", "Chưa nhập số người dự họp và số người đồng ý.")]
    if attendees <= 0:
        return [error("meeting.no_attendees", "Số người dự họp phải lớn hơn 0.", "attendees")]
    if agreed < 0 or agreed > attendees:
        return [error("meeting.agreed_invalid",
                      f"Số người đồng ý ({agreed}) không thể lớn hơn số người dự họp ({attendees}).",
                      "agreed")]
    if not meeting_agreed(attendees, agreed):
        return [warning("meeting.not_agreed",
                        f"Chỉ {agreed}/{attendees} người đồng ý (dưới 50%): phải rà soát lại và "
                        "họp lại.")]
    return []


def check_posting(starts_on: date, ends_on: date,
                  holidays: frozenset[date] = frozenset()) -> list[Issue]:
    """A posting lasts at least 3 working days."""
    if ends_on < starts_on:
        return [error("posting.reversed", "Ngày kết thúc niêm yết trước ngày bắt đầu.", "end_date")]
    if ends_on < add_working_days(starts_on, POSTING_WORKING_DAYS, holidays):
        return [error("posting.too_short",
                      f"Niêm yết phải đủ {POSTING_WORKING_DAYS} ngày làm việc (đến ít nhất ngày "
                      f"{add_working_days(starts_on, POSTING_WORKING_DAYS, holidays):%d/%m/%Y}).",
                      "end_date")]
    return []


@dataclass(frozen=True)
class VillageFacts:
    """What is known of one village in one round."""

    households: int
    reviewed: int
    complete: int
    with_errors: int
    meeting_agreed: bool | None     # None: no meeting yet; the latest meeting counts
    posting_start: date | None
    posting_end: date | None
    open_complaints: int
    recognised: bool


def stage(facts: VillageFacts, today: date) -> str:
    """Where the village stands (a key of STAGES)."""
    if facts.recognised:
        return "recognised"
    if facts.posting_start is not None:
        return "posted" if facts.posting_end and facts.posting_end < today else "posting"
    if facts.meeting_agreed is False:
        return "meeting_failed"
    if facts.meeting_agreed:
        return "met"
    if facts.reviewed == 0:
        return "not_started"
    if facts.complete == facts.households and facts.with_errors == 0:
        return "reviewed"
    return "reviewing"
