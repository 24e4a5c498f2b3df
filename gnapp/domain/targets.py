"""Poverty targets per unit and year (issue 7, item 4; domain.md §2.5, §11 items 8–10).

A target row is what a plan fixes for one unit in one year: total households, poor
households and, as printed, the poverty rate. Counts are the source of truth (domain.md §4.4):
the rate is computed from them with the one rounding rule (``numbers.rate``: half up, 2
decimals); a rate printed in a document is kept beside it as a stated value and compared,
never overwritten.

Plans often fix the rate first and derive the count from it (poor = half-up of rate ×
households ÷ 100); recomputing the rate from such a count differs from the printed rate by a
few hundredths, which is not an error. So a printed rate is flagged only when it fails both
parts of the rule of domain.md §11 item 9:

- the count part: |poor − rate × households ÷ 100| > 0,5 household, and
- the rate part: |100 × poor ÷ households − rate| > 0,005 percentage points.

A cell that fails only the rate part is a rate-first cell (``RATE_FIRST``), not flagged.

A document's own total row ("Tổng") is kept as ``stated`` rows and compared with the sums of
the unit rows per year; the plan's text goals (a rate ceiling by a year, an average yearly
decrease for the whole and for the units above the whole's rate in the base year) are data
(``PlanGoals``), checked on the computed and on the printed figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue, error, warning
from gnapp.domain.numbers import (RateError, format_decimal, format_int, parse_number, rate,
                                  round_half_up, to_decimal)
from gnapp.domain.text import clean

# How a unit row's printed rate relates to its counts.
AGREES, RATE_FIRST, FLAGGED, NO_RATE = "agrees", "rate_first", "flagged", "no_rate"

COUNT_TOLERANCE = Fraction(1, 2)          # households
RATE_TOLERANCE = Fraction(5, 1000)        # percentage points

FIELD_NAMES = {"households": "số hộ", "poor_households": "số hộ nghèo",
               "rate": "tỷ lệ hộ nghèo"}
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class TargetRow:
    """One unit's target in one year.

    Attributes:
        unit_name: the unit as printed ("Cao xá", "TT Nhã Nam") or its official name
        year: the year the figures are for
        households, poor_households: counts (``None`` when not given)
        rate: the rate as printed or assigned (percent, ``None`` when not given)
        rate_text: the rate as written ("5.9" keeps its one decimal)
        rate_first: the rate was fixed first and the count derived from it
        unit_code: the unit's code where it is known
        row_no: the row number as printed (not the position)
        position: the row's place in the document
        source: where the row came from (file and row, or table and row id)
    """

    unit_name: str
    year: int
    households: int | None = None
    poor_households: int | None = None
    rate: Decimal | None = None
    rate_text: str | None = None
    rate_first: bool = False
    unit_code: str | None = None
    row_no: str | None = None
    position: int = 0
    source: str | None = None

    @property
    def computed_rate(self) -> Decimal | None:
        """100 × poor ÷ households, half up to 2 decimals; ``None`` when it cannot be
        computed (a count missing, no households)."""
        if self.households is None or self.poor_households is None or self.households == 0:
            return None
        try:
            return rate(self.poor_households, self.households)
        except RateError:
            return None

    @property
    def shown_rate(self) -> Decimal | None:
        """The rate to show: the printed one where there is one, else the computed one."""
        return self.rate if self.rate is not None else self.computed_rate


@dataclass(frozen=True)
class YearTotal:
    """The sum of the unit rows of one year, and the rate computed from the sums."""

    year: int
    households: int
    poor_households: int
    units: int

    @property
    def rate(self) -> Decimal | None:
        if self.households == 0:
            return None
        return rate(self.poor_households, self.households)


@dataclass(frozen=True)
class Difference:
    """A figure of the document's own total row that differs from the computed total."""

    year: int
    field: str                       # households | poor_households | rate
    printed: int | Decimal
    computed: int | Decimal | None

    @property
    def delta(self) -> int | Decimal | None:
        return None if self.computed is None else self.printed - self.computed


@dataclass(frozen=True)
class CellFlag:
    """A unit row whose printed rate and counts disagree under the two-part rule."""

    row: TargetRow
    computed_rate: Decimal
    implied_poor: Decimal            # rate × households ÷ 100, 2 decimals

    @property
    def message(self) -> str:
        r = self.row
        return (f"{r.unit_name}, năm {r.year}, tỷ lệ hộ nghèo: in {format_rate_text(r)}% "
                f"nhưng {format_int(r.poor_households)}/{format_int(r.households)} hộ là "
                f"{format_decimal(self.computed_rate, 2)}% (tỷ lệ in ứng với "
                f"{format_decimal(self.implied_poor, 2)} hộ nghèo, lệch quá 0,5 hộ)")


def format_rate_text(row: TargetRow) -> str:
    """The printed rate as written, in Vietnamese notation ("5.9" → "5,9")."""
    if row.rate_text:
        return row.rate_text.replace(".", ",")
    return "" if row.rate is None else format_decimal(row.rate, 2)


# -- single rows -----------------------------------------------------------------------------------

def derive_poor(rate_percent: Decimal | str | int, households: int) -> int:
    """The poor-household count a rate fixed first gives: half up of rate × households ÷ 100."""
    value = to_decimal(rate_percent) * households / 100
    return int(round_half_up(value, 0))


def parse_rate(text: str | Decimal | int, *, field: str = "rate", row: int | None = None,
               source: str | None = None) -> Decimal:
    """A rate typed by a person ("1,5", "1.5", "1,68%") or read from a file, in percent
    between 0 and 100.

    :raises InputError: not a number, or outside 0–100
    """
    if isinstance(text, (Decimal, int)) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        shown = (clean(str(text)) or "").rstrip("%").strip()
        if not shown:
            raise InputError("Chưa nhập tỷ lệ", field=field, row=row, source=source)
        try:
            value = parse_number(shown) if "," in shown else to_decimal(shown)
        except (InputError, ValueError):
            raise InputError(f"Tỷ lệ «{text}» không phải là số (ví dụ 1,68 hoặc 1.68)",
                             field=field, row=row, source=source) from None
    if not 0 <= value <= 100:
        raise InputError(f"Tỷ lệ «{text}» phải từ 0 đến 100", field=field, row=row,
                         source=source)
    return value


def classify(row: TargetRow) -> str:
    """``AGREES``, ``RATE_FIRST`` (only the rate part fails), ``FLAGGED`` (both parts fail)
    or ``NO_RATE`` (no printed rate, or counts missing)."""
    if row.rate is None or row.households in (None, 0) or row.poor_households is None:
        return NO_RATE
    printed = Fraction(row.rate)
    exact = Fraction(100 * row.poor_households, row.households)
    rate_off = abs(exact - printed) > RATE_TOLERANCE
    count_off = abs(row.poor_households - printed * row.households / 100) > COUNT_TOLERANCE
    if rate_off and count_off:
        return FLAGGED
    if rate_off:
        return RATE_FIRST
    return AGREES


def cell_flag(row: TargetRow) -> CellFlag | None:
    """The flag of a row whose printed rate fails both parts of the rule, else ``None``."""
    if classify(row) != FLAGGED:
        return None
    implied = round_half_up(row.rate * row.households / 100, 2)
    return CellFlag(row, row.computed_rate, implied)


def check_row(values: Mapping[str, Any]) -> list[Issue]:
    """Rules of one target row as stored (``poverty_target``):

    - a plan and a unit name are given; the year is between 1990 and 2100;
    - counts are whole numbers ≥ 0 and poor households do not exceed households;
    - a rate is a number between 0 and 100;
    - a rate fixed first comes with households and a rate.
    """
    issues: list[Issue] = []
    where = f"{values.get('unit_name') or '?'}, năm {values.get('year') or '?'}"
    if not clean(values.get("plan")):
        issues.append(error("target.plan_missing", "Chưa ghi kế hoạch (văn bản) của chỉ tiêu.",
                            "plan"))
    if not clean(values.get("unit_name")):
        issues.append(error("target.unit_missing", "Chưa ghi tên đơn vị của chỉ tiêu.",
                            "unit_name"))
    year = values.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        issues.append(error("target.year", f"{where}: năm phải từ {MIN_YEAR} đến {MAX_YEAR}.",
                            "year"))
    counts = {}
    for name in ("households", "poor_households"):
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            issues.append(error(f"target.{name}", f"{where}: {FIELD_NAMES[name]} phải là số "
                                "nguyên không âm.", name))
        else:
            counts[name] = value
    if len(counts) == 2 and counts["poor_households"] > counts["households"]:
        issues.append(error("target.poor_above_total",
                            f"{where}: số hộ nghèo ({format_int(counts['poor_households'])}) "
                            f"lớn hơn tổng số hộ ({format_int(counts['households'])}).",
                            "poor_households"))
    text = values.get("rate")
    if text not in (None, ""):
        try:
            value = to_decimal(str(text))
        except (InputError, ValueError):
            value = None
        if value is None or not 0 <= value <= 100:
            issues.append(error("target.rate", f"{where}: tỷ lệ hộ nghèo «{text}» phải là số "
                                "từ 0 đến 100.", "rate"))
    if values.get("rate_first") and (text in (None, "") or values.get("households") is None):
        issues.append(error("target.rate_first", f"{where}: chỉ tiêu đặt tỷ lệ trước cần có "
                            "tổng số hộ và tỷ lệ.", "rate"))
    return issues


# -- a plan's table --------------------------------------------------------------------------------

def years_of(rows: Iterable[TargetRow]) -> list[int]:
    return sorted({r.year for r in rows})


def year_totals(rows: Iterable[TargetRow]) -> dict[int, YearTotal]:
    """The sums of the unit rows per year (rows without a count add nothing to it)."""
    sums: dict[int, list[int]] = {}
    for r in rows:
        acc = sums.setdefault(r.year, [0, 0, 0])
        acc[0] += r.households or 0
        acc[1] += r.poor_households or 0
        acc[2] += 1
    return {year: YearTotal(year, *acc) for year, acc in sorted(sums.items())}


def total_differences(stated: Iterable[TargetRow],
                      totals: Mapping[int, YearTotal]) -> list[Difference]:
    """Each figure of the document's total row that differs from the sums of the rows: the
    households, the poor households, and the printed rate against the rate of the sums."""
    out: list[Difference] = []
    for s in sorted(stated, key=lambda r: r.year):
        total = totals.get(s.year)
        pairs = (("households", s.households, total.households if total else None),
                 ("poor_households", s.poor_households,
                  total.poor_households if total else None),
                 ("rate", s.rate, total.rate if total else None))
        for name, printed, computed in pairs:
            if printed is None:
                continue
            if name == "rate" and computed is not None:
                printed = Decimal(printed)
                if round_half_up(printed, 2) == computed:
                    continue              # "7,7" printed for 7,70 is the same rate
            elif printed == computed:
                continue
            out.append(Difference(s.year, name, printed, computed))
    return out


def difference_message(diff: Difference, unit: str = "dòng tổng") -> str:
    what = FIELD_NAMES[diff.field]
    if diff.field == "rate":
        printed = format_decimal(diff.printed, 2)
        computed = "—" if diff.computed is None else format_decimal(diff.computed, 2)
        delta = "" if diff.delta is None else f" (chênh {_signed(diff.delta, 2)} điểm)"
        return (f"Năm {diff.year}, {unit}, {what}: văn bản in {printed}%, tính từ các dòng "
                f"{computed}%{delta}.")
    computed = "—" if diff.computed is None else format_int(diff.computed)
    delta = "" if diff.delta is None else f" (chênh {_signed(diff.delta)})"
    return (f"Năm {diff.year}, {unit}, {what}: văn bản in {format_int(diff.printed)}, cộng "
            f"các dòng {computed}{delta}.")


def _signed(value: int | Decimal, places: int = 0) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    body = format_int(abs(value)) if places == 0 else format_decimal(abs(value), places)
    return sign + body


def signed(value: int | Decimal | None, places: int = 0) -> str:
    """"+1", "−3", "−0,01"; empty for ``None`` or zero."""
    if value is None or value == 0:
        return ""
    return _signed(value, places)


# -- the plan's text goals -------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanGoals:
    """What a plan's text sets, as data.

    Attributes:
        max_rate: the whole's rate must be at most this (percent) …
        max_rate_year: … by the end of this year
        decrease: average decrease of the whole's rate, in points per year …
        decrease_from, decrease_to: … between these years (the base year and the last)
        decrease_above: average decrease for units whose base-year rate is above the whole's
        quote: the goal as the document words it
    """

    max_rate: Decimal | None = None
    max_rate_year: int | None = None
    decrease: Decimal | None = None
    decrease_from: int | None = None
    decrease_to: int | None = None
    decrease_above: Decimal | None = None
    quote: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> PlanGoals:
        """Goals from JSON: ``{"max_rate": "1.68", "max_rate_year": 2020, "decrease": "1.2",
        "decrease_from": 2015, "decrease_to": 2020, "decrease_above": "1.5", "quote": …}``.

        :raises InputError: a value of the wrong kind, naming the field
        """
        def number(name: str) -> Decimal | None:
            value = data.get(name)
            if value in (None, ""):
                return None
            try:
                return to_decimal(str(value))
            except (InputError, ValueError):
                raise InputError(f"«{value}» không phải là số", field=name,
                                 source=source) from None

        def year(name: str) -> int | None:
            value = data.get(name)
            if value in (None, ""):
                return None
            if not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
                raise InputError(f"«{value}» không phải là năm", field=name, source=source)
            return value

        known = {"max_rate", "max_rate_year", "decrease", "decrease_from", "decrease_to",
                 "decrease_above", "quote"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"trường không dùng: {', '.join(unknown)} (dùng "
                             f"{', '.join(sorted(known))})", source=source)
        goals = cls(number("max_rate"), year("max_rate_year"), number("decrease"),
                    year("decrease_from"), year("decrease_to"), number("decrease_above"),
                    clean(data.get("quote")))
        if (goals.max_rate is None) != (goals.max_rate_year is None):
            raise InputError("mục tiêu tỷ lệ cần cả «max_rate» và «max_rate_year»",
                             source=source)
        return goals


@dataclass(frozen=True)
class UnitDecrease:
    """A unit's average yearly decrease on the printed and on the computed rates."""

    unit_name: str
    base_year: int
    above_printed: bool | None
    above_computed: bool | None
    decrease_printed: Decimal | None
    decrease_computed: Decimal | None
    target: Decimal

    @property
    def meets_printed(self) -> bool | None:
        return None if self.decrease_printed is None else self.decrease_printed >= self.target

    @property
    def meets_computed(self) -> bool | None:
        return None if self.decrease_computed is None else self.decrease_computed >= self.target


@dataclass(frozen=True)
class GoalResult:
    """One goal checked on both bases; ``None`` where a basis has no figure."""

    code: str
    label: str
    target: Decimal
    computed: Decimal | None
    printed: Decimal | None
    met_computed: bool | None
    met_printed: bool | None


def average_decrease(first: Decimal | None, last: Decimal | None, years: int) -> Decimal | None:
    """(first − last) ÷ years, half up to 2 decimals; ``None`` when a rate is missing."""
    if first is None or last is None or years <= 0:
        return None
    return round_half_up((first - last) / years, 2)


def _meets_ceiling(value: Decimal | None, ceiling: Decimal) -> bool | None:
    return None if value is None else value <= ceiling


def check_goals(rows: Sequence[TargetRow], stated: Sequence[TargetRow],
                goals: PlanGoals) -> tuple[list[GoalResult], list[UnitDecrease]]:
    """Check the goals on the computed figures (sums of the rows, rates from counts) and on
    the printed ones (the document's total row, printed rates)."""
    totals = year_totals(rows)
    printed_total = {s.year: s for s in stated}
    results: list[GoalResult] = []
    units: list[UnitDecrease] = []
    if goals.max_rate is not None:
        year = goals.max_rate_year
        computed = totals[year].rate if year in totals else None
        printed = printed_total[year].rate if year in printed_total else None
        results.append(GoalResult(
            "max_rate", f"Tỷ lệ hộ nghèo năm {year} không quá "
            f"{format_decimal(goals.max_rate, 2)}%", goals.max_rate, computed, printed,
            _meets_ceiling(computed, goals.max_rate), _meets_ceiling(printed, goals.max_rate)))
    if goals.decrease is not None or goals.decrease_above is not None:
        first, last = goals.decrease_from, goals.decrease_to
        if first is None or last is None:
            years = years_of(rows)
            first, last = (first or years[0], last or years[-1]) if years else (None, None)
        span = (last - first) if first is not None and last is not None else 0
        base_computed = totals[first].rate if first in totals else None
        base_printed = printed_total[first].rate if first in printed_total else None
        if goals.decrease is not None:
            computed = average_decrease(base_computed, totals[last].rate if last in totals
                                        else None, span)
            printed = average_decrease(base_printed, printed_total[last].rate
                                       if last in printed_total else None, span)
            results.append(GoalResult(
                "decrease", f"Tỷ lệ hộ nghèo giảm bình quân "
                f"{format_decimal(goals.decrease, 2)} điểm/năm ({first}–{last})", goals.decrease,
                computed, printed, None if computed is None else computed >= goals.decrease,
                None if printed is None else printed >= goals.decrease))
        if goals.decrease_above is not None and base_computed is not None:
            by_unit: dict[str, dict[int, TargetRow]] = {}
            for r in rows:
                by_unit.setdefault(r.unit_name, {})[r.year] = r
            for name, years_rows in by_unit.items():
                start, end = years_rows.get(first), years_rows.get(last)
                if start is None or end is None:
                    continue
                above_c = None if start.computed_rate is None else \
                    start.computed_rate > base_computed
                base_p = base_printed if base_printed is not None else base_computed
                above_p = None if start.rate is None else start.rate > base_p
                if not (above_c or above_p):
                    continue
                units.append(UnitDecrease(
                    name, first, above_p, above_c,
                    average_decrease(start.rate, end.rate, span),
                    average_decrease(start.computed_rate, end.computed_rate, span),
                    goals.decrease_above))
    return results, units


def goal_issues(results: Sequence[GoalResult], units: Sequence[UnitDecrease],
                plan: str) -> list[Issue]:
    """Warnings for goals not met on the computed figures (the printed basis named beside)."""
    issues: list[Issue] = []
    for g in results:
        if g.met_computed is not False:
            continue
        unit = "%" if g.code == "max_rate" else " điểm/năm"
        printed = "" if g.printed is None else (
            f"; theo số in trong văn bản {format_decimal(g.printed, 2)}{unit}: "
            f"{'đạt' if g.met_printed else 'không đạt'}")
        issues.append(warning(f"target.goal_{g.code}",
                              f"Kế hoạch {plan}: mục tiêu «{g.label}» không đạt theo số tính "
                              f"từ các dòng ({format_decimal(g.computed, 2)}{unit}){printed}.",
                              g.code, plan))
    for u in units:
        if u.meets_computed is not False:
            continue
        printed = "" if u.decrease_printed is None else (
            f"; theo tỷ lệ in: {format_decimal(u.decrease_printed, 2)}")
        issues.append(warning(
            "target.goal_unit_decrease",
            f"Kế hoạch {plan}: {u.unit_name} có tỷ lệ hộ nghèo năm {u.base_year} cao hơn bình "
            f"quân chung, giảm bình quân {format_decimal(u.decrease_computed, 2)} điểm/năm "
            f"(tính từ số hộ{printed}), dưới mục tiêu {format_decimal(u.target, 2)} điểm/năm.",
            "rate", plan))
    return issues


# -- all checks of a plan --------------------------------------------------------------------------

@dataclass
class PlanCheck:
    """Everything checked on one plan's table."""

    plan: str
    rows: list[TargetRow]
    stated: list[TargetRow]
    totals: dict[int, YearTotal]
    differences: list[Difference]
    flags: list[CellFlag]
    rate_first: list[TargetRow]
    goals: list[GoalResult] = field(default_factory=list)
    unit_decreases: list[UnitDecrease] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def check_plan(plan: str, rows: Sequence[TargetRow], stated: Sequence[TargetRow] = (),
               goals: PlanGoals | None = None) -> PlanCheck:
    """Sum the rows per year, compare the document's total row, flag printed rates that fail
    both parts of the rule, and check the text goals; every finding is also an ``Issue``
    naming the unit, the year and the field."""
    rows = sorted(rows, key=lambda r: (r.position, r.year))
    totals = year_totals(rows)
    differences = total_differences(stated, totals)
    flags = [f for f in (cell_flag(r) for r in rows) if f is not None]
    rate_first = [r for r in rows if classify(r) == RATE_FIRST]
    issues = [error("target.total_row", difference_message(d), d.field, plan)
              for d in differences]
    issues += [warning("target.cell_rate", f.message, "rate", f.row.source or plan)
               for f in flags]
    results: list[GoalResult] = []
    units: list[UnitDecrease] = []
    if goals is not None:
        results, units = check_goals(rows, stated, goals)
        issues += goal_issues(results, units, plan)
    return PlanCheck(plan, list(rows), sorted(stated, key=lambda r: r.year), totals,
                     differences, flags, rate_first, results, units, issues)


# -- target against result -------------------------------------------------------------------------

MET, NOT_MET, NO_RESULT, NO_TARGET = "met", "not_met", "no_result", "no_target"
VERDICTS = {MET: "Đạt", NOT_MET: "Chưa đạt", NO_RESULT: "Chưa có kết quả",
            NO_TARGET: "Chưa giao chỉ tiêu"}


@dataclass(frozen=True)
class Comparison:
    """A unit's target for a year beside the result of that year's review round.

    The target is met when the poverty rate of the result is not above the target rate (the
    target's own rate when fixed first, else the rate of its counts).
    """

    unit_code: str | None
    unit_name: str
    year: int
    target: TargetRow | None
    households: int | None = None
    poor_households: int | None = None

    @property
    def target_rate(self) -> Decimal | None:
        if self.target is None:
            return None
        if self.target.rate_first and self.target.rate is not None:
            return self.target.rate
        return self.target.computed_rate if self.target.computed_rate is not None \
            else self.target.rate

    @property
    def result_rate(self) -> Decimal | None:
        if not self.households or self.poor_households is None:
            return None
        return rate(self.poor_households, self.households)

    @property
    def rate_gap(self) -> Decimal | None:
        """Result rate minus target rate (points; negative is better than the target)."""
        if self.target_rate is None or self.result_rate is None:
            return None
        return self.result_rate - self.target_rate

    @property
    def poor_gap(self) -> int | None:
        if self.target is None or self.target.poor_households is None \
                or self.poor_households is None:
            return None
        return self.poor_households - self.target.poor_households

    @property
    def verdict(self) -> str:
        if self.target_rate is None:
            return NO_TARGET
        if self.rate_gap is None:
            return NO_RESULT
        return MET if self.rate_gap <= 0 else NOT_MET
