"""Rules of single register rows: households, members, events (validation returns Issues).

Rules that need the whole household (exactly one head …) are in ``gnapp.domain.people``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date

from gnapp.domain import codes, people
from gnapp.domain.dates import PartialDate
from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue, error

FLAG_FIELDS = tuple(codes.HOUSEHOLD_FLAGS)


def _check_code(field: str, value, allowed: Mapping[str, str], what: str,
                required: bool = True) -> list[Issue]:
    if value is None or value == "":
        return [error(f"{field}.missing", f"Chưa chọn {what}.", field)] if required else []
    if value not in allowed:
        return [error(f"{field}.invalid", f"{what.capitalize()} «{value}» không hợp lệ.", field)]
    return []


def _check_flag(field: str, value, label: str) -> list[Issue]:
    if value not in (0, 1, None):
        return [error(f"{field}.invalid", f"«{label}» phải là có hoặc không.", field)]
    return []


def validate_household(values: Mapping) -> list[Issue]:
    """A household row: a code, a village, the area (urban/rural), yes/no flags."""
    issues: list[Issue] = []
    if not (values.get("code") or "").strip():
        issues.append(error("household.code_missing", "Chưa nhập mã hộ.", "code"))
    if not values.get("village_id"):
        issues.append(error("household.village_missing", "Chưa chọn thôn.", "village_id"))
    issues += _check_code("area", values.get("area"), codes.AREA, "khu vực (thành thị/nông thôn)")
    for field, label in codes.HOUSEHOLD_FLAGS.items():
        issues += _check_flag(field, values.get(field), label)
    return issues


def parse_birth(value) -> PartialDate | None:
    """A stored birth date (ISO, possibly partial) as a PartialDate; None if empty or bad."""
    if not value:
        return None
    if type(value) is str:
        return _parse_iso_birth(value)
    try:
        return PartialDate.from_iso(value)
    except (InputError, ValueError, TypeError):
        return None


# An import checks each member's birth date twice (the row, then its household): the dates
# read last are kept, as their parts are (``PartialDate`` is frozen).
@functools.lru_cache(maxsize=1 << 16)
def _parse_iso_birth(value: str) -> PartialDate | None:
    try:
        return PartialDate.from_iso(value)
    except (InputError, ValueError):
        return None


def validate_member(values: Mapping, today: date | None = None) -> list[Issue]:
    """A member row: name, sex, relation to the head, a real (possibly partial) birth date
    not in the future, an identity number that agrees with sex and birth year, codes from
    the lists of ``gnapp.domain.codes``."""
    issues: list[Issue] = []
    if not (values.get("full_name") or "").strip():
        issues.append(error("member.name_missing", "Chưa nhập họ và tên.", "full_name"))
    issues += _check_code("sex", values.get("sex"), codes.SEX, "giới tính")
    issues += _check_code("relation", values.get("relation"), codes.RELATION,
                          "quan hệ với chủ hộ")
    issues += _check_code("schooling", values.get("schooling"), codes.SCHOOLING,
                          "tình trạng đi học", required=False)
    issues += _check_code("employment", values.get("employment"), codes.EMPLOYMENT,
                          "tình trạng việc làm", required=False)
    for field, label in (("health_insurance", "Có thẻ bảo hiểm y tế"),
                         ("disability", "Người khuyết tật"),
                         ("social_allowance", "Hưởng trợ cấp xã hội hằng tháng")):
        issues += _check_flag(field, values.get(field), label)
    birth = None
    raw_birth = values.get("birth_date")
    if raw_birth:
        birth = parse_birth(raw_birth)
        if birth is None:
            issues.append(error("member.birth_invalid", f"Ngày sinh «{raw_birth}» không hợp lệ.",
                                "birth_date"))
        elif birth.year > (today or date.today()).year:
            issues.append(error("member.birth_future", "Năm sinh ở tương lai.", "birth_date"))
    issues += [Issue(i.severity, i.code, i.message, "id_number", i.source)
               for i in people.check_id_number(values.get("id_number"), sex=values.get("sex"),
                                               birth=birth)]
    return issues


def validate_event(values: Mapping) -> list[Issue]:
    """An event: a known kind and a date."""
    issues = _check_code("kind", values.get("kind"), codes.EVENT, "loại biến động")
    if not values.get("on_date"):
        issues.append(error("event.date_missing", "Chưa nhập ngày biến động.", "on_date"))
    return issues
