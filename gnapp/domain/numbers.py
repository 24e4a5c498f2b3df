"""Numbers in Vietnamese notation: money, rates, rounding, formatting and parsing.

Money is an ``int`` of đồng; rates and other fractions are ``Decimal``. Rounding is always
half-up (domain.md §9.2). Display uses babel with locale "vi": "." groups thousands and ","
is the decimal separator ("1.234.567", "135,50", "22,31%").
"""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel import numbers as babel_numbers

from gnapp.domain.errors import InputError
from gnapp.domain.text import clean, quoted

LOCALE = "vi"

MONEY_UNITS: dict[str, tuple[int, str]] = {
    "dong": (1, "đồng"),
    "nghin": (1000, "nghìn đồng"),
    "trieu": (1_000_000, "triệu đồng"),
    "ty": (1_000_000_000, "tỷ đồng"),
}

# Typed by users: "1.234.567", "1 234 567", "1234567", optional ",decimals", optional sign.
_USER_NUMBER = re.compile(r"([-+−]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)"
                          r"(?:,([0-9]+))?")
_USER_FORMAT_HINT = ("dùng dấu chấm phân cách hàng nghìn, dấu phẩy cho phần thập phân, "
                     "ví dụ 1.234.567 hoặc 135,5")
# In data files: plain digits, optional sign, "." as decimal point.
_FILE_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")
# Amounts in words: "2 tỷ 679 triệu", "500 nghìn đồng".
_AMOUNT_WORDS = {"tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "triệu": 1_000_000,
                 "nghìn": 1000, "ngàn": 1000}
_AMOUNT_WORD = re.compile(r"\s*(tỷ|tỉ|triệu|nghìn|ngàn)\s*")
_DONG_SUFFIX = re.compile(r"\s*(?:đồng|vnđ|vnd|đ)$")
_AMOUNT_HINT = "ví dụ 1.234.567, 1,5 triệu hoặc 2 tỷ 679 triệu"


class RateError(InputError):
    """A rate (percentage) cannot be computed from the numbers given."""


def to_decimal(value: int | Decimal | str | float) -> Decimal:
    """Return ``value`` as a ``Decimal``.

    A float goes through ``repr`` so 0.22305 stays 0.22305 (not 0.223049999…); a str must be in
    Python notation ("135.5"). Booleans are refused.
    """
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InputError(f"Số {quoted(value)} không đúng định dạng") from None
    else:
        raise TypeError(f"not a number: {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_half_up(value: int | Decimal | str | float, places: int = 0) -> Decimal:
    """Round ``value`` half-up (2.5 → 3, 0.125 → 0.13) to ``places`` decimals."""
    result = to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result == 0 else result   # no "-0,00"


def rate(numerator, denominator, *, share: bool = True, what: str | None = None) -> Decimal:
    """Return ``100 × numerator ÷ denominator`` rounded half-up to 2 decimals (a percentage).

    :param share: the numerator is a part of the denominator (poverty rate), so the rate cannot
        exceed 100 %; ``False`` for an achievement rate (done ÷ planned), which may
    :param what: what the rate is, in Vietnamese, for the error message ("tỷ lệ hộ nghèo")
    :raises RateError: missing numerator or denominator, zero denominator, negative numbers,
        or a share whose numerator is larger than its denominator
    """
    label = what or "tỷ lệ"
    if numerator is None:
        raise RateError(f"Không tính được {label}: thiếu tử số")
    if denominator is None or to_decimal(denominator) == 0:
        raise RateError(f"Không tính được {label}: thiếu mẫu số (mẫu số trống hoặc bằng 0)")
    num, den = to_decimal(numerator), to_decimal(denominator)
    if num < 0 or den < 0:
        raise RateError(f"Không tính được {label}: tử số và mẫu số không được là số âm "
                        f"(tử số {format_number(num)}, mẫu số {format_number(den)})")
    if share and num > den:
        raise RateError(f"Không tính được {label}: tử số {format_number(num)} lớn hơn mẫu số "
                        f"{format_number(den)} (một phần không thể vượt quá 100%)")
    hundredths = Fraction(num) * 10000 / Fraction(den)        # exact, then half-up once
    return Decimal(int(hundredths + Fraction(1, 2))).scaleb(-2)


def _format(value: Decimal, places: int) -> str:
    """Format ``value`` with babel "vi" and exactly ``places`` decimals, rounding half-up."""
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    value = round_half_up(value, places)
    with decimal.localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        return babel_numbers.format_decimal(value, format=pattern, locale=LOCALE)


def format_int(n: int) -> str:
    """Format a whole number with "." between thousands: 1234567 → "1.234.567"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"format_int needs an int, not {type(n).__name__}")
    # What babel's "#,##0" gives for "vi", without its cost (counts are formatted by the
    # thousand in classification notes and lists).
    return f"{n:,}".replace(",", ".")


def format_decimal(value, places: int) -> str:
    """Format ``value`` with exactly ``places`` decimals, half-up: Decimal("135.5"), 2 → "135,50"."""
    return _format(to_decimal(value), places)


def format_number(value) -> str:
    """Format ``value`` with the decimals it has (none for whole numbers): 135.5 → "135,5"."""
    value = to_decimal(value)
    places = max(0, -value.normalize().as_tuple().exponent) if value != 0 else 0
    return _format(value, places)


def format_percent(fraction, places: int = 2) -> str:
    """Format a fraction of one as a percentage: Decimal("0.22305") → "22,31%"."""
    return format_rate(to_decimal(fraction) * 100, places)


def format_rate(percent, places: int = 2) -> str:
    """Format an already computed percentage: Decimal("22.305") → "22,31%"."""
    return _format(to_decimal(percent), places) + "%"


def format_size(size: int) -> str:
    """A file size for a person, in GB with one decimal from 1 GB up, else in whole MB
    (1 GB = 1024 MB = 1024³ bytes): 7_600_000_000 → "7,1 GB", 300_000_000 → "286 MB"."""
    if size >= 1024 ** 3:
        return format_decimal(Decimal(size) / 1024 ** 3, 1) + " GB"
    megabytes = int(round_half_up(Decimal(size) / 1024 ** 2))
    return format_int(megabytes if megabytes or not size else 1) + " MB"


def format_money(dong: int, unit: str = "dong", places: int = 0) -> str:
    """Format an amount of đồng in ``unit`` (a key of ``MONEY_UNITS``), rounded half-up.

    ``format_money(39758914000, "trieu", 3) == "39.758,914"``. The unit name is not appended:
    tables state it once ("Đơn vị tính: triệu đồng").
    """
    if isinstance(dong, bool) or not isinstance(dong, int):
        raise TypeError(f"money must be an int of đồng, not {type(dong).__name__}")
    factor = _unit_factor(unit)
    return _format(Decimal(dong) / factor, places)


def _unit_factor(unit: str) -> int:
    """Return the number of đồng in ``unit``."""
    try:
        return MONEY_UNITS[unit][0]
    except KeyError:
        raise ValueError(f"unknown money unit {unit!r}; use one of {sorted(MONEY_UNITS)}") from None


def parse_number(text: str, *, field: str | None = None, row: int | None = None,
                 source: str | None = None) -> Decimal:
    """Parse a number typed by a user in Vietnamese notation.

    "." or a space groups thousands (in groups of exactly 3 digits), "," starts the decimals:
    "1.234.567", "1 234 567", "-1.234,5", "135,5", "12".

    :param field: field name for the error message; ``row`` and ``source`` likewise
    :raises InputError: empty or malformed text, with a Vietnamese message quoting it
    """
    where = {"field": field, "row": row, "source": source}
    text = clean(text) or ""
    if not text:
        raise InputError("Chưa nhập số", **where)
    match = _USER_NUMBER.fullmatch(text)
    if not match:
        raise InputError(f"Số {quoted(text)} không đúng định dạng ({_USER_FORMAT_HINT})", **where)
    sign, whole, decimals = match.groups()
    digits = re.sub(r"[. ]", "", whole) + ("." + decimals if decimals else "")
    value = Decimal(digits)
    return -value if sign in ("-", "−") and value else value


def parse_int(text: str, *, field: str | None = None, row: int | None = None,
              source: str | None = None) -> int:
    """Parse a whole number typed by a user ("1.234", "12"); see ``parse_number``.

    :raises InputError: as ``parse_number``, or when the number has a fractional part
    """
    value = parse_number(text, field=field, row=row, source=source)
    if value != value.to_integral_value():
        raise InputError(f"Số {quoted(text)} phải là số nguyên (không có phần thập phân)",
                         field=field, row=row, source=source)
    return int(value)


def parse_amount(text: str, *, unit: str = "dong", field: str | None = None,
                 row: int | None = None, source: str | None = None) -> int:
    """Parse an amount of money typed by a user and return whole đồng.

    Accepts a number in ``unit`` ("1,5" with ``unit="trieu"`` → 1500000), a number followed by
    "đồng"/"đ" (always đồng, whatever ``unit``), or words in falling order: "2 tỷ 679 triệu",
    "500 nghìn", "1,5 triệu đồng".

    :param unit: key of ``MONEY_UNITS`` for a bare number
    :raises InputError: malformed text, or an amount that is not a whole number of đồng
    """
    where = {"field": field, "row": row, "source": source}
    factor = _unit_factor(unit)
    shown = clean(text) or ""
    if not shown:
        raise InputError("Chưa nhập số tiền", **where)
    bad = InputError(f"Số tiền {quoted(shown)} không đúng định dạng ({_AMOUNT_HINT})", **where)
    body, has_dong = _DONG_SUFFIX.subn("", shown.lower())
    if has_dong:
        factor = 1
    negative = body[:1] in ("-", "−")
    if body[:1] in ("-", "−", "+"):
        body = body[1:]
        if body[:1] == " ":
            raise bad                      # "- 5": the sign must touch the number
    parts = _AMOUNT_WORD.split(body)       # [number, word, number, word, …, rest]
    numbers, words = parts[0::2], parts[1::2]
    if words:
        factors = [_AMOUNT_WORDS[word] for word in words]
        if numbers.pop() or any(big <= small for big, small in zip(factors, factors[1:])):
            raise bad                      # text after the last word, or words out of order
    else:
        factors = [factor]
    if any(number[:1] in ("-", "−", "+") for number in numbers):
        raise bad                          # a sign is allowed only in front of everything
    try:
        total = sum(parse_number(number) * f for number, f in zip(numbers, factors))
    except InputError:
        raise bad from None
    if total != total.to_integral_value():
        raise InputError(f"Số tiền {quoted(shown)} không phải là một số đồng nguyên", **where)
    return -int(total) if negative else int(total)


def parse_file_number(text: str | None, *, field: str | None = None, row: int | None = None,
                      source: str | None = None) -> Decimal | None:
    """Parse a number read from a data file (CSV): digits, optional sign, "." decimal point.

    No thousands separators: "135.5", "3819000000", "-2". Empty text gives ``None``.

    :raises InputError: anything else, with a Vietnamese message quoting the text
    """
    text = (text or "").strip()
    if not text:
        return None
    if not _FILE_NUMBER.fullmatch(text):
        raise InputError(f"Số {quoted(text)} trong tệp không đúng định dạng (chỉ gồm chữ số, "
                         "dấu trừ và dấu chấm thập phân, ví dụ 3819000000 hoặc 135.5)",
                         field=field, row=row, source=source)
    value = Decimal(text)
    return value.copy_abs() if value == 0 else value
