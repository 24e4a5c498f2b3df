"""The arithmetic of the review reports (Báo cáo 1–5): counts per unit, sums and shares.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import RateError, rate

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
    total = ResultCounts()
    for klass, persons in households:
        if klass is None:
            continue
        total += ResultCounts(
            households=1, persons=persons,
            poor_households=int(klass == "poor"), poor_persons=persons if klass == "poor" else 0,
            near_poor_households=int(klass == "near_poor"),
            near_poor_persons=persons if klass == "near_poor" else 0,
            average_households=int(klass == "average"),
            average_persons=persons if klass == "average" else 0)
    return total


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
    households, deprived = 0, [0] * len(codes)
    for answer in answers:
        households += 1
        for i, code in enumerate(codes):
            if answer.get(code):
                deprived[i] += 1
    return DeprivationCounts(households, tuple(deprived))


REPORT_5 = "Báo cáo 5"


def deprivation_rates(counts: DeprivationCounts, row: str) -> list[Decimal | None]:
    """Báo cáo 5: each indicator's share of the unit's poor households (``None`` for a unit
    without poor households)."""
    return [share(n, counts.households, report=REPORT_5, row=row, column=f"chỉ số {i}")
            for i, n in enumerate(counts.deprived, 1)]
