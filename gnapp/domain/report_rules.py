"""The arithmetic of the review reports (Báo cáo 1–15): counts per unit, sums and shares.

Counts are the source of truth (domain.md §4.4): a unit's row holds whole numbers, a total row
is the sum of the rows' counts (never of rounded rates), and every rate is computed from the
counts once, half-up to 2 decimals (``numbers.rate``).

A share of a whole is never printed from a missing or too small denominator (DESIGN.md §3.1):

- 0 of 0 (a village without households, a commune without poor households in Báo cáo 5) has
  no rate: ``share`` returns ``None``, printed as "—" with a note under the table;
- anything else a rate cannot be computed from (a numerator without a denominator, a
  numerator larger than its denominator, a negative count) raises ``ReportError``, whose
  Vietnamese message names the report, the row and the column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import RateError, rate
from gnapp.domain.people import age_on
from gnapp.domain.register import parse_birth

NO_RATE = "—"
NO_RATE_NOTE = ("(—) Không tính tỷ lệ vì mẫu số bằng 0 (đơn vị không có hộ hoặc nhân khẩu "
                "thuộc diện tính).")


class ReportError(GnappError):
    """A report cannot be produced from the data as it is (message in Vietnamese)."""


def share(numerator: int | None, denominator: int | None, *, report: str, row: str,
          column: str) -> Decimal | None:
    """Return ``100 × numerator ÷ denominator`` (2 decimals, half-up), or ``None`` for 0 of 0.

    :param report: the report's name ("Báo cáo 1"), ``row`` the row's label ("Thôn Kim Sơn")
        and ``column`` the column ("cột 4"), for the error message
    :raises ReportError: the share cannot be computed (see the module doc)
    """
    if numerator == 0 and denominator == 0:
        return None
    try:
        return rate(numerator, denominator, share=True)
    except RateError as exc:
        raise ReportError(f"{report}, dòng «{row}», {column}: {exc.detail}.") from None


# -- Báo cáo 1: official result of the review ------------------------------------------------

@dataclass(frozen=True)
class ResultCounts:
    """Households and persons of one unit after a round, by class (Báo cáo 1).

    Attributes:
        households, persons: all households in the register at the end of the round, and
            their members (col 1 and 2)
        poor_households, poor_persons: hộ nghèo (col 3, col 9)
        near_poor_households, near_poor_persons: hộ cận nghèo (col 5, col 11)
        average_households, average_persons: farm households with an average living standard
            (col 7, col 13)
    """

    households: int = 0
    persons: int = 0
    poor_households: int = 0
    poor_persons: int = 0
    near_poor_households: int = 0
    near_poor_persons: int = 0
    average_households: int = 0
    average_persons: int = 0

    def __add__(self, other: ResultCounts) -> ResultCounts:
        return ResultCounts(*(getattr(self, f.name) + getattr(other, f.name)
                              for f in fields(self)))


# (count field, denominator field, col of the count, col of the rate)
RESULT_RATES = (
    ("poor_households", "households", 3, 4),
    ("near_poor_households", "households", 5, 6),
    ("average_households", "households", 7, 8),
    ("poor_persons", "persons", 9, 10),
    ("near_poor_persons", "persons", 11, 12),
    ("average_persons", "persons", 13, 14),
)

REPORT_1 = "Báo cáo 1"


def count_result(households: Iterable[tuple[str | None, int]]) -> ResultCounts:
    """Count one unit's households given as (class code or ``None`` if not in the register,
    persons); a household in the register that was not classified counts as not poor."""
    return count_result_groups((klass, 1, persons) for klass, persons in households)


def count_result_groups(groups: Iterable[tuple[str | None, int, int]]) -> ResultCounts:
    """``count_result`` of households given in groups of one class: (class code or ``None``
    if not in the register, households, their persons)."""
    homes: dict[str, int] = {}
    people: dict[str, int] = {}
    for klass, households, persons in groups:
        if klass is None:
            continue
        homes[klass] = homes.get(klass, 0) + households
        people[klass] = people.get(klass, 0) + persons
    return ResultCounts(
        households=sum(homes.values()), persons=sum(people.values()),
        poor_households=homes.get("poor", 0), poor_persons=people.get("poor", 0),
        near_poor_households=homes.get("near_poor", 0),
        near_poor_persons=people.get("near_poor", 0),
        average_households=homes.get("average", 0), average_persons=people.get("average", 0))


def result_values(counts: ResultCounts, row: str) -> list[int | Decimal | None]:
    """Columns 1–14 of Báo cáo 1 for one row (rates ``None`` where 0 of 0)."""
    values: list[int | Decimal | None] = [counts.households, counts.persons]
    for count_field, base_field, count_col, rate_col in RESULT_RATES:
        count = getattr(counts, count_field)
        values.append(count)
        values.append(share(count, getattr(counts, base_field), report=REPORT_1, row=row,
                            column=f"cột {rate_col} = {count_col}/"
                                   f"{1 if base_field == 'households' else 2} × 100"))
    return values


# -- Báo cáo 4 and 5: deprivations of poor households -----------------------------------------

@dataclass(frozen=True)
class DeprivationCounts:
    """Poor households of one unit and how many are deprived on each indicator.

    Attributes:
        households: poor households (the denominator of Báo cáo 5)
        deprived: households deprived on each indicator, in the standard's report order
    """

    households: int
    deprived: tuple[int, ...]

    @property
    def total(self) -> int:
        """All deprivations of the unit's poor households (Báo cáo 4 "Tổng số thiếu hụt")."""
        return sum(self.deprived)

    def __add__(self, other: DeprivationCounts) -> DeprivationCounts:
        if len(self.deprived) != len(other.deprived):
            raise ValueError("deprivation counts of different standards cannot be added")
        return DeprivationCounts(self.households + other.households,
                                 tuple(a + b for a, b in zip(self.deprived, other.deprived)))


def count_deprivations(answers: Iterable[Mapping[str, object]],
                       codes: Sequence[str]) -> DeprivationCounts:
    """Count the poor households given by their indicator answers (code → truthy when
    deprived); ``codes`` are the standard's indicators in report order."""
    return count_deprivation_groups(
        (({code for code, value in answer.items() if value}, 1) for answer in answers), codes)


def count_deprivation_groups(groups: Iterable[tuple[Collection[str], int]],
                             codes: Sequence[str]) -> DeprivationCounts:
    """``count_deprivations`` of households given in groups deprived alike: (the indicator
    codes deprived, households)."""
    households, deprived = 0, [0] * len(codes)
    for deprived_on, count in groups:
        households += count
        for i, code in enumerate(codes):
            if code in deprived_on:
                deprived[i] += count
    return DeprivationCounts(households, tuple(deprived))


REPORT_5 = "Báo cáo 5"


def deprivation_rates(counts: DeprivationCounts, row: str,
                      report: str = REPORT_5) -> list[Decimal | None]:
    """Báo cáo 5 (poor) and 7 (near-poor): each indicator's share of the unit's households on
    the list (``None`` for a unit without such households)."""
    return [share(n, counts.households, report=report, row=row, column=f"chỉ số {i}")
            for i, n in enumerate(counts.deprived, 1)]


REPORT_7 = "Báo cáo 7"


# -- Báo cáo 6–15: the households on the poor and near-poor lists ------------------------------
#
# Each of these reports counts the households on one list (or both) at the end of a round,
# from one plain record per household (``ListedHousehold``). A count function returns a
# tuple of whole numbers, one per column; a unit's row is the element-wise sum of its
# villages' tuples (``add_counts``), and any rate is computed from that sum once.

POOR, NEAR_POOR = "poor", "near_poor"
LISTS = (POOR, NEAR_POOR)
LIST_LABEL = {POOR: "Hộ nghèo", NEAR_POOR: "Hộ cận nghèo"}


@dataclass(frozen=True)
class ListedMember:
    """What the reports need of a member present in the household."""

    birth_date: str | None = None
    health_insurance: int | None = None
    schooling: str | None = None


@dataclass(frozen=True)
class ListedHousehold:
    """One household on the poor or near-poor list at the end of a round.

    Attributes:
        household_id, code: the household
        klass: ``poor`` or ``near_poor``
        persons: its members as counted with the review
        unit_id: the village it belongs to
        head_name, head_birth, head_sex: the head of household (``None`` when not recorded)
        ethnicity: the head's ethnicity, which the national software reports as the
            household's (``None`` when not recorded)
        flags: target-group flags of the register (``codes.HOUSEHOLD_FLAGS`` keys that are set)
        deprived: indicator codes the review found deprived
        causes: Phiếu C causes of poverty (``codes.POVERTY_CAUSES`` keys)
        income_per_person, b1_score, b2: the review's income estimate and scores
        members: members present (for the child counts of Báo cáo 11)
        source: where the record came from (``household_review:<id>``)
    """

    household_id: str
    code: str
    klass: str
    persons: int
    unit_id: str
    head_name: str | None = None
    head_birth: str | None = None
    head_sex: str | None = None
    ethnicity: str | None = None
    flags: frozenset[str] = frozenset()
    deprived: frozenset[str] = frozenset()
    causes: tuple[str, ...] = ()
    income_per_person: int | None = None
    b1_score: str | None = None
    b2: int | None = None
    members: tuple[ListedMember, ...] = ()
    source: str | None = None


def add_counts(rows: Iterable[Sequence[int]], width: int) -> tuple[int, ...]:
    """The element-wise sum of count tuples of ``width`` columns (zeros when none)."""
    total = [0] * width
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a count row has {len(row)} columns, not {width}")
        for i, value in enumerate(row):
            total[i] += value
    return tuple(total)


def on_list(households: Iterable[ListedHousehold], klass: str) -> list[ListedHousehold]:
    return [h for h in households if h.klass == klass]


# Báo cáo 8: target groups. A household may be in several groups; "khác" is a household in
# none of them, so "khác" plus the households of the groups is at least the total.
TARGET_GROUPS = (
    ("ethnic_minority", "Hộ dân tộc thiểu số"),
    ("no_labour", "Hộ không có khả năng lao động"),
    ("revolution_merit", "Hộ có người có công với cách mạng"),
)
OTHER_GROUP = "Hộ khác (không thuộc các nhóm trên)"


def target_group_counts(households: Iterable[ListedHousehold]) -> tuple[int, ...]:
    """Households and persons: all, each target group, and those in no group."""
    values = [0] * (2 * (len(TARGET_GROUPS) + 2))
    for h in households:
        slots = [0] + [i + 1 for i, (flag, _) in enumerate(TARGET_GROUPS) if flag in h.flags]
        if len(slots) == 1:
            slots.append(len(TARGET_GROUPS) + 1)
        for slot in slots:
            values[2 * slot] += 1
            values[2 * slot + 1] += h.persons
    return tuple(values)


# Báo cáo 9: ethnicity of the head of household.
KINH = "Kinh"
UNKNOWN_ETHNICITY = "Chưa ghi dân tộc"
OTHER_ETHNICITIES = "Dân tộc thiểu số khác"
MAX_ETHNIC_COLUMNS = 4


def ethnic_columns(households: Iterable[ListedHousehold], groups: Sequence[str],
                   limit: int = MAX_ETHNIC_COLUMNS) -> tuple[str, ...]:
    """The minority groups shown in their own columns: the ``limit`` most numerous among
    ``households`` (ties in the order of ``groups``, the official list), the rest being
    "khác"."""
    order = {name: i for i, name in enumerate(groups)}
    counts: dict[str, int] = {}
    for h in households:
        if h.ethnicity and h.ethnicity != KINH:
            counts[h.ethnicity] = counts.get(h.ethnicity, 0) + 1
    ranked = sorted(counts, key=lambda name: (-counts[name], order.get(name, len(order)), name))
    return tuple(ranked[:limit])


def ethnicity_counts(households: Iterable[ListedHousehold],
                     columns: Sequence[str]) -> tuple[int, ...]:
    """Households and persons: all, Kinh, all minorities, each group of ``columns``, the other
    minorities, and households whose head has no ethnicity recorded."""
    width = 2 * (len(columns) + 5)
    values = [0] * width
    for h in households:
        slots = [0]
        if not h.ethnicity:
            slots.append(len(columns) + 4)
        elif h.ethnicity == KINH:
            slots.append(1)
        else:
            slots.append(2)
            slots.append(3 + columns.index(h.ethnicity) if h.ethnicity in columns
                         else len(columns) + 3)
        for slot in slots:
            values[2 * slot] += 1
            values[2 * slot + 1] += h.persons
    return tuple(values)


def cause_counts(households: Iterable[ListedHousehold],
                 causes: Sequence[str]) -> tuple[int, ...]:
    """Households: all, with each cause (one household may give several), and without any."""
    values = [0] * (len(causes) + 2)
    for h in households:
        values[0] += 1
        for i, cause in enumerate(causes, 1):
            if cause in h.causes:
                values[i] += 1
        if not any(c in causes for c in h.causes):
            values[-1] += 1
    return tuple(values)


# Báo cáo 11: children of the households on the lists.
CHILD_AGE = 16                      # a child is under 16 (CN2022 indicators 2, 3 and 6)
SCHOOL_AGES = (3, 16)               # indicator 6: aged 3 to under 16
NOT_IN_SCHOOL = frozenset({"not_yet", "dropped_out", "finished"})
NUTRITION = "nutrition"


def child_counts(households: Iterable[ListedHousehold], on: date) -> tuple[int, ...]:
    """Children on ``on`` (the end of the round) of the given households.

    Columns: children under 16; of them without a health-insurance card; of them living in a
    household deprived on nutrition (the review records nutrition per household, not per
    child); children of school age (3 to under 16); of them not at school; members whose age
    is not known (not counted above).
    """
    values = [0] * 6
    for h in households:
        for m in h.members:
            age = age_on(parse_birth(m.birth_date), on)
            if age is None:
                values[5] += 1
                continue
            if age < CHILD_AGE:
                values[0] += 1
                values[1] += int(m.health_insurance == 0)
                values[2] += int(NUTRITION in h.deprived)
            if SCHOOL_AGES[0] <= age < SCHOOL_AGES[1]:
                values[3] += 1
                values[4] += int(m.schooling in NOT_IN_SCHOOL)
    return tuple(values)


REPORT_11 = "Báo cáo 11"


def child_values(counts: Sequence[int], row: str) -> list[int | Decimal | None]:
    """Báo cáo 11 columns 1–8 from ``child_counts``: counts and their shares (0 of 0: ``None``)."""
    children, no_card, nutrition, school_age, out = counts[:5]
    return [children,
            no_card, share(no_card, children, report=REPORT_11, row=row,
                           column="cột 3 = 2/1 × 100"),
            nutrition, share(nutrition, children, report=REPORT_11, row=row,
                             column="cột 5 = 4/1 × 100"),
            school_age,
            out, share(out, school_age, report=REPORT_11, row=row, column="cột 8 = 7/6 × 100")]


# Báo cáo 12 and 13: households of a list by the multidimensional standard: how many
# indicators they are deprived on, and which dimensions.

def deprivation_buckets(klass: str, cutoff: int) -> tuple[tuple[str, int, int | None], ...]:
    """(label, lowest, highest or ``None``) of the deprivation-count columns of a list: around
    the cut-off for the poor (a poor household below it was classified by hand), below it
    for the near-poor (one at or above it likewise)."""
    if klass == POOR:
        return ((f"Dưới {cutoff}", 0, cutoff - 1), (str(cutoff), cutoff, cutoff),
                (str(cutoff + 1), cutoff + 1, cutoff + 1),
                (f"Từ {cutoff + 2} trở lên", cutoff + 2, None))
    return tuple((str(n), n, n) for n in range(cutoff)) + ((f"Từ {cutoff} trở lên", cutoff,
                                                            None),)


def dimensions(indicators: Sequence) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The standard's dimensions in report order, each with its indicator codes."""
    out: dict[str, list[str]] = {}
    for indicator in indicators:
        out.setdefault(indicator.dimension, []).append(indicator.code)
    return tuple((name, tuple(codes)) for name, codes in out.items())


def dimension_counts(households: Iterable[ListedHousehold], klass: str, cutoff: int,
                     dims: Sequence[tuple[str, Sequence[str]]]) -> tuple[int, ...]:
    """Households and persons of the list, households by number of deprivations
    (``deprivation_buckets``), and households deprived on at least one indicator of each
    dimension."""
    buckets = deprivation_buckets(klass, cutoff)
    codes = {c for _, group in dims for c in group}
    values = [0] * (2 + len(buckets) + len(dims))
    for h in households:
        values[0] += 1
        values[1] += h.persons
        n = len(h.deprived & codes)
        for i, (_, low, high) in enumerate(buckets):
            if n >= low and (high is None or n <= high):
                values[2 + i] += 1
        for i, (_, group) in enumerate(dims):
            values[2 + len(buckets) + i] += int(any(c in h.deprived for c in group))
    return tuple(values)


REPORT_12 = {POOR: "Báo cáo 12", NEAR_POOR: "Báo cáo 13"}


def dimension_values(counts: Sequence[int], klass: str, buckets: int,
                     row: str) -> list[int | Decimal | None]:
    """Báo cáo 12/13 columns: the counts, each dimension followed by its share of the list."""
    households = counts[0]
    values: list[int | Decimal | None] = list(counts[:2 + buckets])
    for i, n in enumerate(counts[2 + buckets:], 1):
        values.append(n)
        values.append(share(n, households, report=REPORT_12[klass], row=row,
                            column=f"chiều {i}"))
    return values
