"""Movements of households on the poor and near-poor lists between two review rounds.

Movements are computed from each household's class at the start and at the end of the
period, never typed (domain.md §4.2). They fill the columns of Báo cáo 2 (poor list) and
Báo cáo 3 (near-poor list), whose rows are households (Hộ) and persons (Nhân khẩu):

====  =====================================  =====================================
col   Báo cáo 2 — hộ nghèo                   Báo cáo 3 — hộ cận nghèo
====  =====================================  =====================================
1     poor at the start                      near-poor at the start
2     escaped poverty, became near-poor      escaped near-poverty
3     escaped above the near-poor standard   became poor
4     other decrease                         other decrease
5     near-poor became poor                  poor became near-poor
6     tái nghèo                              tái cận nghèo
7     phát sinh mới                          phát sinh mới
8     other increase                         other increase
9     1 − 2 − 3 − 4 + 5 + 6 + 7 + 8          1 − 2 − 3 − 4 + 5 + 6 + 7 + 8
====  =====================================  =====================================

How a household is placed (``poor_movement``, ``near_poor_movement``):

- a move between the two lists (poor ↔ near-poor) is always Báo cáo 2 col 2 / Báo cáo 3
  col 5, or Báo cáo 2 col 5 / Báo cáo 3 col 3, whatever reason is recorded, so that the
  cross checks hold;
- a household that leaves a list is an "other decrease" (col 4) when it left the register
  (``end is None``: died out, moved away, merged into another household) or a
  ``removed_reason`` is recorded; otherwise it escaped (the review found it above the list);
- a household that joins a list is an "other increase" (col 8) when it was not in the
  register at the start (``start is None``: moved in, split off, formed by a merger) or an
  ``added_reason`` is recorded; otherwise it is tái nghèo / tái cận nghèo (col 6) if it was
  on that list at an earlier round (``ever_*_before``), or phát sinh mới (col 7).

How persons are counted (``movement_table``):

- col 1 counts the members at the start (``persons_start``);
- a household removed for another reason (col 4) is counted with its members at the start;
- every other movement (cols 2, 3, 5–8) and col 9 count the household as reviewed at the end
  (``persons_end``), so Báo cáo 2 col 2 = Báo cáo 3 col 5 holds for persons too;
- the change of members of a household that was on the list at the start and was not removed
  for another reason (it stays, or moves with cols 2/3) is "thay đổi nhân khẩu": the persons
  fewer are added to col 4, the persons more to col 8 (households are not counted there).

With these rules col 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 equals the households and persons on the
list at the end; ``movement_table`` checks it all the same.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from gnapp.domain.codes import CLASS
from gnapp.domain.issues import Issue, error, warning

POOR, NEAR_POOR = "poor", "near_poor"
LISTS = (POOR, NEAR_POOR)
REPORT = {POOR: "Báo cáo 2", NEAR_POOR: "Báo cáo 3"}
LIST_NAME = {POOR: "hộ nghèo", NEAR_POOR: "hộ cận nghèo"}
ROWS = {"households": "Hộ", "persons": "Nhân khẩu"}

# Why a household left a list other than by escaping, and why it joined one other than by
# the review (cols 4 and 8).
REMOVED_REASONS = {"moved_out": "Chuyển đi", "split": "Tách hộ", "merged": "Nhập hộ",
                   "death": "Chết", "members": "Thay đổi nhân khẩu"}
ADDED_REASONS = {"moved_in": "Chuyển đến", "split": "Tách hộ", "merged": "Nhập hộ",
                 "members": "Thay đổi nhân khẩu"}

NEWLY_ESCAPED_MONTHS = 36


@dataclass(frozen=True)
class HouseholdHistory:
    """One household over one period (from the start round to the end round).

    Attributes:
        household_id: the household's id
        start: its class (a ``CLASS`` code) after the start round; ``None`` if it was not in
            the commune's register then. A household in the register that was never
            classified is ``not_poor``.
        end: its class after the end round; ``None`` if it is no longer in the register
        persons_start: members at the start (0 if not in the register)
        persons_end: members at the end (0 if not in the register)
        ever_poor_before: on the poor list at some round before the start round, within the
            look-back the caller chose (see ``on_list_before``)
        ever_near_poor_before: the same for the near-poor list
        removed_reason: why it left a list other than by escaping (``REMOVED_REASONS``)
        added_reason: why it joined a list other than by the review (``ADDED_REASONS``)
        source: where the data came from
    """

    household_id: Hashable
    start: str | None
    end: str | None
    persons_start: int
    persons_end: int
    ever_poor_before: bool = False
    ever_near_poor_before: bool = False
    removed_reason: str | None = None
    added_reason: str | None = None
    source: str | None = None


def on_list_before(classes: Mapping[int, str | None], code: str, start_year: int,
                   look_back: int | None = None) -> bool:
    """True when the household had class ``code`` at a round before ``start_year``.

    :param classes: the household's class by round year
    :param look_back: how many years before the start round count (``None``: all); with 3,
        a start round of 2024 looks at 2021, 2022 and 2023. The right window is not settled
        (domain.md §4.2, §13 item 12), so the caller takes it from the settings.
    """
    first = start_year - look_back if look_back is not None else None
    return any(cls == code and year < start_year and (first is None or year >= first)
               for year, cls in classes.items())


def _left_for_other_reason(h: HouseholdHistory) -> bool:
    """The household left the register, or a reason for leaving the list is recorded."""
    return h.end is None or h.removed_reason is not None


def _joined_for_other_reason(h: HouseholdHistory) -> bool:
    """The household was not in the register at the start, or a reason for joining is recorded."""
    return h.start is None or h.added_reason is not None


def poor_movement(h: HouseholdHistory) -> str | None:
    """Return the Báo cáo 2 column ("2"–"8") the household moves in, ``None`` if it does not.

    2 poor → near-poor; 3 poor → escaped (not poor, average); 4 poor → removed for another
    reason; 5 near-poor → poor; 6 → poor again (tái nghèo); 7 → poor for the first time
    (phát sinh mới); 8 → poor for another reason. See the module docstring.
    """
    if h.start == POOR and h.end == POOR:
        return None
    if h.start == POOR:
        if h.end == NEAR_POOR:
            return "2"
        return "4" if _left_for_other_reason(h) else "3"
    if h.end == POOR:
        if h.start == NEAR_POOR:
            return "5"
        if _joined_for_other_reason(h):
            return "8"
        return "6" if h.ever_poor_before else "7"
    return None


def near_poor_movement(h: HouseholdHistory) -> str | None:
    """Return the Báo cáo 3 column ("2"–"8") the household moves in, ``None`` if it does not.

    2 near-poor → escaped (not poor, average); 3 near-poor → poor; 4 near-poor → removed for
    another reason; 5 poor → near-poor; 6 → near-poor again (tái cận nghèo); 7 → near-poor
    for the first time (phát sinh mới); 8 → near-poor for another reason.
    """
    if h.start == NEAR_POOR and h.end == NEAR_POOR:
        return None
    if h.start == NEAR_POOR:
        if h.end == POOR:
            return "3"
        return "4" if _left_for_other_reason(h) else "2"
    if h.end == NEAR_POOR:
        if h.start == POOR:
            return "5"
        if _joined_for_other_reason(h):
            return "8"
        return "6" if h.ever_near_poor_before else "7"
    return None


MOVEMENT = {POOR: poor_movement, NEAR_POOR: near_poor_movement}


def closing_total(row: tuple[int, ...]) -> int:
    """Return 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 for a row of columns (``row[0]`` is col 1)."""
    return row[0] - row[1] - row[2] - row[3] + row[4] + row[5] + row[6] + row[7]


@dataclass(frozen=True)
class MovementTable:
    """The two rows of Báo cáo 2 (``which="poor"``) or Báo cáo 3 (``"near_poor"``) for one unit.

    Attributes:
        which: ``poor`` or ``near_poor``
        households: columns 1–9 of the Hộ row; ``households[n - 1]`` is column n
        persons: columns 1–9 of the Nhân khẩu row
        issues: what the checks found when the table was built
    """

    which: str
    households: tuple[int, ...]
    persons: tuple[int, ...]
    issues: tuple[Issue, ...] = ()

    def column(self, n: int) -> tuple[int, int]:
        """Return (households, persons) of column ``n`` (1–9)."""
        return self.households[n - 1], self.persons[n - 1]


def movement_table(histories: Iterable[HouseholdHistory], which: str = POOR) -> MovementTable:
    """Count the movements of one list into its report table (see the module docstring).

    Col 9 is computed as 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 and checked against the households
    and persons on the list at the end (``check_end_totals``); a difference is in ``issues``.
    """
    return movement_table_groups(((h, 1) for h in histories), which)


def movement_table_groups(groups: Iterable[tuple[HouseholdHistory, int]],
                          which: str = POOR) -> MovementTable:
    """``movement_table`` of households given in groups: (a history standing for the group,
    households). The households of a group have the same classes, past lists and reasons, and
    their members changed the same way (all fewer, or none fewer); the history's
    ``persons_start`` and ``persons_end`` are the group's sums."""
    if which not in LISTS:
        raise ValueError(f"which must be one of {LISTS}, not {which!r}")
    move = MOVEMENT[which]
    households, persons = [0] * 9, [0] * 9
    end_households = end_persons = 0
    for h, count in groups:
        column = move(h)
        if h.start == which:
            households[0] += count
            persons[0] += h.persons_start
        if h.end == which:
            end_households += count
            end_persons += h.persons_end
        if column is not None:
            n = int(column)
            households[n - 1] += count
            persons[n - 1] += h.persons_start if column == "4" else h.persons_end
        if h.start == which and column != "4":
            change = h.persons_end - h.persons_start
            persons[3 if change < 0 else 7] += abs(change)
    households[8] = closing_total(households)
    persons[8] = closing_total(persons)
    table = MovementTable(which, tuple(households), tuple(persons))
    issues = check_end_totals(table, end_households, end_persons)
    return MovementTable(which, table.households, table.persons, tuple(issues))


def _rows(table: MovementTable):
    return (("households", table.households), ("persons", table.persons))


def check_column_9(table: MovementTable) -> list[Issue]:
    """Col 9 of each row equals 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 (error ``transition.column_9``).

    For tables read from elsewhere; ``movement_table`` computes col 9 this way.
    """
    return [error("transition.column_9",
                  f"{REPORT[table.which]}, dòng {ROWS[row]}: cột 9 ghi {values[8]}, nhưng "
                  f"1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 = {closing_total(values)}.", f"{row}.9")
            for row, values in _rows(table) if values[8] != closing_total(values)]


def check_end_totals(table: MovementTable, households: int, persons: int) -> list[Issue]:
    """Col 9 equals the households and persons on the list after the review (error
    ``transition.end_total``, one per row that differs)."""
    counted = {"households": households, "persons": persons}
    unit = {"households": "hộ", "persons": "nhân khẩu"}
    return [error("transition.end_total",
                  f"{REPORT[table.which]}, dòng {ROWS[row]}: cột 9 = {values[8]}, nhưng danh "
                  f"sách {LIST_NAME[table.which]} cuối kỳ có {counted[row]} {unit[row]}.",
                  f"{row}.9")
            for row, values in _rows(table) if values[8] != counted[row]]


# (Báo cáo 2 column, Báo cáo 3 column, what moves)
CROSS_COLUMNS = ((2, 5, "hộ nghèo trở thành hộ cận nghèo"),
                 (5, 3, "hộ cận nghèo trở thành hộ nghèo"))


def check_cross(poor_table: MovementTable, near_table: MovementTable) -> list[Issue]:
    """Báo cáo 2 col 2 = Báo cáo 3 col 5 (poor → near-poor) and Báo cáo 2 col 5 = Báo cáo 3
    col 3 (near-poor → poor), on both rows (error ``transition.cross``, one per difference)."""
    issues = []
    for poor_col, near_col, what in CROSS_COLUMNS:
        for (row, poor_values), (_, near_values) in zip(_rows(poor_table), _rows(near_table)):
            a, b = poor_values[poor_col - 1], near_values[near_col - 1]
            if a != b:
                issues.append(error(
                    "transition.cross",
                    f"Dòng {ROWS[row]}: Báo cáo 2 cột {poor_col} ({what}) là {a}, nhưng "
                    f"Báo cáo 3 cột {near_col} là {b}; hai số này phải bằng nhau.",
                    f"{row}.{poor_col}"))
    return issues


# --- validation of histories --------------------------------------------------------------

def _label(h: HouseholdHistory) -> str:
    return f"Hộ {h.household_id}"


def check_history_classes(h: HouseholdHistory) -> list[Issue]:
    """Start and end are ``CLASS`` codes or ``None`` (error ``transition.class_invalid``)."""
    return [error("transition.class_invalid",
                  f"{_label(h)}: phân loại «{value}» không hợp lệ.", field, h.source)
            for field, value in (("start", h.start), ("end", h.end))
            if value is not None and value not in CLASS]


def check_history_persons(h: HouseholdHistory) -> list[Issue]:
    """Member counts are not negative, and a household in the register has at least one
    member (error ``transition.persons_invalid``)."""
    issues = []
    for field, cls, count in (("persons_start", h.start, h.persons_start),
                              ("persons_end", h.end, h.persons_end)):
        if count < 0 or (cls is not None and count < 1):
            issues.append(error("transition.persons_invalid",
                                f"{_label(h)}: số nhân khẩu {count} không hợp lệ.", field,
                                h.source))
    return issues


def check_history_reasons(h: HouseholdHistory) -> list[Issue]:
    """Reasons are from ``REMOVED_REASONS`` / ``ADDED_REASONS`` (error
    ``transition.reason_invalid``); a listed household that left the register has a removal
    reason and one that joined the register on a list has an addition reason (warning
    ``transition.reason_missing``)."""
    issues = []
    for field, value, allowed in (("removed_reason", h.removed_reason, REMOVED_REASONS),
                                  ("added_reason", h.added_reason, ADDED_REASONS)):
        if value is not None and value not in allowed:
            issues.append(error("transition.reason_invalid",
                                f"{_label(h)}: lý do «{value}» không hợp lệ.", field, h.source))
    if h.start in LISTS and h.end is None and h.removed_reason is None:
        issues.append(warning("transition.reason_missing",
                              f"{_label(h)} ra khỏi danh sách {LIST_NAME[h.start]} và khỏi sổ hộ "
                              "nhưng chưa ghi lý do (chết, chuyển đi, tách, nhập hộ …).",
                              "removed_reason", h.source))
    if h.end in LISTS and h.start is None and h.added_reason is None:
        issues.append(warning("transition.reason_missing",
                              f"{_label(h)} vào danh sách {LIST_NAME[h.end]} nhưng đầu kỳ chưa có "
                              "trong sổ hộ và chưa ghi lý do (chuyển đến, tách, nhập hộ …).",
                              "added_reason", h.source))
    return issues


HISTORY_CHECKS = (check_history_classes, check_history_persons, check_history_reasons)


def check_histories(histories: Iterable[HouseholdHistory]) -> list[Issue]:
    """Run every rule of ``HISTORY_CHECKS`` on each history."""
    return [issue for h in histories for check in HISTORY_CHECKS for issue in check(h)]


# --- newly escaped ------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months, kept inside the month it lands in:
    31/08/2021 + 36 → 31/08/2024; 29/02/2020 + 36 → 28/02/2023; 31/01/2024 + 1 → 29/02/2024."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def newly_escaped(exit_date: date | None, on: date, months: int = NEWLY_ESCAPED_MONTHS) -> bool:
    """True when a household whose exit from poverty was recognised on ``exit_date`` is still a
    "hộ mới thoát nghèo" on ``on`` (domain.md §4.1: within 36 months of leaving).

    The window starts on the exit date itself and ends the day before the same date
    ``months`` calendar months later (``add_months``): with an exit on 15/01/2022 the
    household is newly escaped from 15/01/2022 to 14/01/2025, and no longer on 15/01/2025.
    No exit date (never escaped) gives False.
    """
    if exit_date is None:
        return False
    return exit_date <= on < add_months(exit_date, months)
