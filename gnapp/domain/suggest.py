"""Deprivation answers the register already knows (suggested; the officer confirms them).

Each rule looks at the members present on the review date and returns a ``Suggestion``:
deprived or not, with the reason in Vietnamese, or no suggestion when the register lacks
what the rule needs. Nothing here decides; the review stores what the officer confirms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from gnapp.domain.numbers import format_decimal
from gnapp.domain.people import age_on
from gnapp.domain.register import parse_birth

NOT_IN_SCHOOL = {"not_yet", "dropped_out", "finished"}
UNSTABLE_WORK = {"unemployed", "employed_no_contract"}
MIN_FLOOR_AREA_PER_PERSON = 8  # m², CN2022 indicator 8


@dataclass(frozen=True)
class Suggestion:
    """A suggested answer for one indicator."""

    code: str
    deprived: bool
    reason: str


def _ages(members: Iterable[Mapping], on: date) -> list[tuple[Mapping, int | None]]:
    return [(m, age_on(parse_birth(m.get("birth_date")), on)) for m in members
            if m.get("status", "present") == "present"]


def _names(people: list[Mapping]) -> str:
    return ", ".join(m["full_name"] for m in people)


def health_insurance(members, on) -> Suggestion | None:
    """Deprived when a member aged 6 or over has no health insurance card."""
    aged = [(m, a) for m, a in _ages(members, on) if a is not None and a >= 6]
    without = [m for m, _ in aged if m.get("health_insurance") == 0]
    if without:
        return Suggestion("healthInsurance", True,
                          f"Thành viên từ 6 tuổi không có thẻ BHYT: {_names(without)}.")
    if aged and all(m.get("health_insurance") == 1 for m, _ in aged):
        return Suggestion("healthInsurance", False, "Mọi thành viên từ 6 tuổi đều có thẻ BHYT.")
    return None


def child_school(members, on) -> Suggestion | None:
    """Deprived when a child aged 3 to under 16 is not at school."""
    children = [m for m, a in _ages(members, on) if a is not None and 3 <= a < 16]
    if not children:
        return Suggestion("childSchoolAttendance", False, "Hộ không có trẻ từ 3 đến dưới 16 tuổi.")
    out = [m for m in children if m.get("schooling") in NOT_IN_SCHOOL]
    if out:
        return Suggestion("childSchoolAttendance", True,
                          f"Trẻ từ 3 đến dưới 16 tuổi không đi học: {_names(out)}.")
    if all(m.get("schooling") for m in children):
        return Suggestion("childSchoolAttendance", False, "Mọi trẻ từ 3 đến dưới 16 tuổi đều đi học.")
    return None


def dependants(members, on) -> Suggestion | None:
    """Deprived when dependants (children under 16, and elderly or disabled members with a
    monthly social allowance) are more than half of the members."""
    aged = _ages(members, on)
    if not aged or any(a is None for _, a in aged):
        return None
    count = sum(1 for m, a in aged
                if a < 16 or (m.get("social_allowance") == 1
                              and (a >= 60 or m.get("disability") == 1)))
    deprived = count * 2 > len(aged)
    return Suggestion("dependentPerson", deprived,
                      f"{count}/{len(aged)} thành viên là người phụ thuộc "
                      f"({'trên' if deprived else 'không quá'} 50%).")


def employment(members, on) -> Suggestion | None:
    """Deprived when a member of working age (15–60) is unemployed or works for a wage
    without a labour contract."""
    working_age = [m for m, a in _ages(members, on) if a is not None and 15 <= a <= 60]
    unstable = [m for m in working_age if m.get("employment") in UNSTABLE_WORK]
    if unstable:
        return Suggestion("employment", True,
                          f"Thất nghiệp hoặc làm công không có hợp đồng: {_names(unstable)}.")
    if working_age and all(m.get("employment") for m in working_age):
        return Suggestion("employment", False,
                          "Không có thành viên trong tuổi lao động thất nghiệp hay làm công "
                          "không có hợp đồng.")
    return None


RULES: list[Callable[[Iterable[Mapping], date], Suggestion | None]] = [
    employment, dependants, health_insurance, child_school]


def housing_area(floor_area_m2: float | int | None, persons: int) -> Suggestion | None:
    """Deprived when the floor area per person is under 8 m²."""
    if not floor_area_m2 or persons <= 0:
        return None
    per_person = floor_area_m2 / persons
    deprived = per_person < MIN_FLOOR_AREA_PER_PERSON
    return Suggestion("housingArea", deprived,
                      f"Diện tích nhà ở bình quân {format_decimal(per_person, 1)} m²/người "
                      f"{'dưới' if deprived else 'từ'} 8 m².")


def suggest(members: list[Mapping], on: date, *,
            floor_area_m2: float | int | None = None) -> dict[str, Suggestion]:
    """Every suggestion the register supports, by indicator code."""
    found = [rule(members, on) for rule in RULES]
    present = sum(1 for m in members if m.get("status", "present") == "present")
    found.append(housing_area(floor_area_m2, present))
    return {s.code: s for s in found if s is not None}
