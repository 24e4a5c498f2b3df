"""Dates: the official date line, dd/mm/yyyy display, and partial dates (year, month/year).

Official documents write "Bắc Kạn, ngày 05 tháng 02 năm 2021": days below 10 and the months
1 and 2 take a leading zero, months 3–12 do not (domain.md §8.1). Elsewhere dates are shown
as dd/mm/yyyy.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

from gnapp.domain.errors import InputError
from gnapp.domain.text import clean, quoted

MIN_YEAR, MAX_YEAR = 1900, 2100

# Blank left for the records office to write the day (or month) of a draft by hand: three
# ordinary spaces, so "ngày" + " " + blank + " " + "tháng" has five spaces between the words.
# Renderers that collapse runs of spaces (reportlab Paragraph, HTML) must keep them, e.g. by
# turning them into NBSP.
DRAFT_BLANK = "   "

_DATE_FORMS = [
    re.compile(r"(?P<year>[0-9]{4})"),
    re.compile(r"(?P<month>[0-9]{1,2})([/.-])(?P<year>[0-9]{4})"),
    re.compile(r"(?P<day>[0-9]{1,2})([/.-])(?P<month>[0-9]{1,2})\2(?P<year>[0-9]{4})"),
    re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?"),
]
_DATE_HINT = "ví dụ 05/03/1985, 03/1985 hoặc 1985"
_ISO_FORM = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def _month_text(month: int) -> str:
    """Return the month as official documents write it: "02" for 1–2, "6" or "10" otherwise."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_phrase(d: date) -> str:
    """Return "ngày 05 tháng 02 năm 2021" for an official date line."""
    return f"ngày {d.day:02d} tháng {_month_text(d.month)} năm {d.year}"


def draft_date_phrase(month: int | None, year: int) -> str:
    """Return the date phrase of a draft, with the day (and month if ``None``) left blank.

    ``draft_date_phrase(7, 2023) == "ngày     tháng 7 năm 2023"``; the blank is ``DRAFT_BLANK``.
    """
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month!r}")
    month_part = DRAFT_BLANK if month is None else _month_text(month)
    return f"ngày {DRAFT_BLANK} tháng {month_part} năm {year}"


def place_date_line(place: str, d: date | None = None, *, month: int | None = None,
                    year: int | None = None) -> str:
    """Return the place and date line: "Bắc Kạn, ngày 25 tháng 10 năm 2021".

    :param place: the unit's name without the level word ("Bắc Kạn", not "Tỉnh Bắc Kạn")
    :param d: the date; ``None`` for a draft, whose ``month`` (optional) and ``year`` are given
    """
    if d is not None:
        phrase = date_phrase(d)
    elif year is not None:
        phrase = draft_date_phrase(month, year)
    else:
        raise ValueError("place_date_line needs a date, or the year of a draft")
    return f"{clean(place)}, {phrase}"


def format_date(d: date) -> str:
    """Return ``d`` as dd/mm/yyyy: "05/03/2021"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


@functools.total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day (birth dates are often just "1985").

    Ordered by (year, month or 0, day or 0), so "1985" < "03/1985" < "05/03/1985".

    :raises InputError: year outside 1900–2100, month outside 1–12, a day without a month,
        or a day that the month does not have (29/02/2023)
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        for value in (self.year, self.month, self.day):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"PartialDate parts must be int, not {type(value).__name__}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InputError(f"năm {self.year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InputError(f"không có tháng {self.month}")
        if self.day is not None:
            if self.month is None:
                raise InputError("có ngày nhưng thiếu tháng")
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise InputError(f"tháng {self.month}/{self.year} không có ngày {self.day} "
                                 f"(chỉ có {last} ngày)")

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()

    @property
    def is_full(self) -> bool:
        """True when day, month and year are all known."""
        return self.day is not None

    def to_date(self) -> date:
        """Return the ``date``; only for a full date (``ValueError`` otherwise)."""
        if not self.is_full:
            raise ValueError(f"{self.display()} is not a full date")
        return date(self.year, self.month, self.day)

    def iso(self) -> str:
        """Return "1985", "1985-03" or "1985-03-05" (for storage)."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p is not None]
        return "-".join(parts)

    def display(self) -> str:
        """Return "1985", "03/1985" or "05/03/1985" (for the user)."""
        parts = [f"{p:02d}" for p in (self.day, self.month) if p is not None] + [str(self.year)]
        return "/".join(parts)

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Read a value written by ``iso()``.

        :raises InputError: text not in the form "yyyy", "yyyy-mm" or "yyyy-mm-dd", or not a date
        """
        match = _ISO_FORM.fullmatch(text or "")
        if not match:
            raise InputError(f"Ngày {quoted(text or '')} không đúng dạng yyyy, yyyy-mm hoặc yyyy-mm-dd")
        return cls(*(int(part) if part else None for part in match.groups()))


def parse_partial_date(text: str | None, *, field: str | None = None, row: int | None = None,
                       source: str | None = None) -> PartialDate | None:
    """Parse a date typed by a user or read from a file, possibly only a year or month/year.

    Accepts "1985", "3/1985", "03/1985", "5/3/1985", "05/03/1985", "5-3-1985", "05.03.1985",
    "1985-03-05" and "1985-03". Empty text gives ``None``.

    :raises InputError: any other text, or a date that does not exist, quoting the text
    """
    where = {"field": field, "row": row, "source": source}
    text = clean(text) or ""
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            parts = match.groupdict()
            try:
                return PartialDate(*(int(parts[key]) if parts.get(key) else None
                                     for key in ("year", "month", "day")))
            except InputError as error:
                raise InputError(f"Ngày {quoted(text)} không hợp lệ: {error.detail}",
                                 **where) from None
    raise InputError(f"Ngày {quoted(text)} không đúng định dạng ({_DATE_HINT})", **where)


def parse_date(text: str | None, *, field: str | None = None, row: int | None = None,
               source: str | None = None) -> date:
    """Parse a full date (day, month and year) in the forms of ``parse_partial_date``.

    :raises InputError: empty text, a year or month/year only, or any error of
        ``parse_partial_date``
    """
    where = {"field": field, "row": row, "source": source}
    value = parse_partial_date(text, **where)
    if value is None:
        raise InputError("Chưa nhập ngày", **where)
    if not value.is_full:
        raise InputError(f"Ngày {quoted(clean(text))} chưa đủ ngày, tháng, năm "
                         "(ví dụ 05/03/1985)", **where)
    return value.to_date()
