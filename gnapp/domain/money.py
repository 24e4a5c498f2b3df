"""Money amounts of allocations: integer đồng, units at print, stated against computed totals.

Amounts are stored as ``int`` đồng. A file or a document may give them in nghìn or triệu đồng;
they are converted to đồng exactly on the way in (``to_dong``) and back to the printed unit
only when shown (``in_unit``), rounded half-up once (domain.md §9.2). Totals are sums of the
đồng amounts, converted once; never sums of rounded figures.

A document may state totals (``Stated``). They are kept as stated and compared with the sum of
the lines in the same scope (``compare``); every difference is reported with its amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from gnapp.domain.errors import InputError
from gnapp.domain.numbers import MONEY_UNITS, format_money, round_half_up, to_decimal
from gnapp.domain.programme import LINE_KINDS, capital_name, source_name
from gnapp.domain.text import fold

# Print units (the keys of ``numbers.MONEY_UNITS`` a table may use).
PRINT_UNITS = {"dong": "đồng", "nghin": "nghìn đồng", "trieu": "triệu đồng"}

_UNIT_WORDS = {"dong": "dong", "đong": "dong", "vnd": "dong", "thousand dong": "nghin",
               "thousand": "nghin", "nghin dong": "nghin", "nghin": "nghin",
               "ngan dong": "nghin", "million dong": "trieu", "million": "trieu",
               "trieu dong": "trieu", "trieu": "trieu", "ty dong": "ty", "billion dong": "ty"}


def unit_key(text: str) -> str:
    """The unit key of a unit written in words: "triệu đồng", "million đồng (triệu đồng)",
    "thousand_dong", "nghin" → "trieu" / "nghin" / …

    :raises InputError: not a money unit
    """
    raw = (fold(text) or "").replace("_", " ").strip()
    if raw in MONEY_UNITS:
        return raw
    head = raw.split("(")[0].strip()
    for candidate in (raw, head):
        if candidate in _UNIT_WORDS:
            return _UNIT_WORDS[candidate]
    raise InputError(f"Đơn vị tiền «{text}» không đúng; dùng đồng, nghìn đồng hoặc triệu đồng")


def unit_name(unit: str) -> str:
    return MONEY_UNITS[unit][1]


def to_dong(value: Decimal | int | str, unit: str, *, field: str | None = None,
            row: int | None = None, source: str | None = None) -> int:
    """An amount given in ``unit`` as whole đồng: Decimal("526638") triệu → 526638000000.

    :raises InputError: negative, or not a whole number of đồng
    """
    amount = to_decimal(value) * MONEY_UNITS[unit][0]
    if amount != amount.to_integral_value():
        raise InputError(f"Số tiền {value} {unit_name(unit)} không phải là một số đồng nguyên",
                         field=field, row=row, source=source)
    if amount < 0:
        raise InputError("Số tiền không được âm", field=field, row=row, source=source)
    return int(amount)


def in_unit(dong: int, unit: str) -> int:
    """``dong`` shown in ``unit``, rounded half-up to a whole number: 1.500.000 đồng is 2
    triệu, 1.499.999 đồng is 1 triệu."""
    if isinstance(dong, bool) or not isinstance(dong, int):
        raise TypeError("money must be an int of đồng")
    return int(round_half_up(Decimal(dong) / MONEY_UNITS[unit][0], 0))


def show(dong: int, unit: str = "dong") -> str:
    """"526.638" for 526.638.000.000 đồng in triệu (no unit name: tables state it once)."""
    return format_money(dong, unit)


# -- stated against computed ---------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a total covers: all lines, or one budget line, source, capital type, line kind.

    ``None`` means "all" for each part.
    """

    line_code: str | None = None
    source: str | None = None
    capital_type: str | None = None
    line_kind: str = "allocation"

    def covers(self, line: Mapping) -> bool:
        return ((self.line_code is None or line["line_code"] == self.line_code)
                and (self.source is None or line["source"] == self.source)
                and (self.capital_type is None or line["capital_type"] == self.capital_type)
                and (line.get("kind") or "allocation") == self.line_kind)

    @property
    def key(self) -> str:
        """"grand_total", "NSTW.total", "NSTW.SN", "DA1.total", "DA4.TDA1.NSTW.DTPT"."""
        parts = [p for p in (self.line_code, self.source) if p]
        head = ".".join(parts) if parts else "grand_total"
        if self.capital_type:
            head = f"{head}.{self.capital_type}" if parts else self.capital_type
        elif parts:
            head = f"{head}.total"
        return head if self.line_kind == "allocation" else f"{self.line_kind}.{head}"

    @property
    def label(self) -> str:
        """In Vietnamese: "Tổng cộng", "Ngân sách trung ương – vốn sự nghiệp", "DA1"."""
        parts = []
        if self.line_code:
            parts.append(self.line_code)
        if self.source:
            parts.append(source_name(self.source))
        if self.capital_type:
            name = capital_name(self.capital_type)
            parts.append(name.lower() if parts else name)
        text = " – ".join(parts) if parts else "Tổng cộng"
        if self.line_kind != "allocation":
            text += f" ({LINE_KINDS[self.line_kind].lower()})"
        return text


@dataclass(frozen=True)
class Comparison:
    """A stated total beside the sum of the lines it covers.

    Attributes:
        scope: what the total covers
        stated: the figure as the document states it (đồng)
        computed: the sum of the stored lines in that scope (đồng)
        quote: where the stated figure comes from, if recorded
    """

    scope: Scope
    stated: int
    computed: int
    quote: str | None = None

    @property
    def difference(self) -> int:
        """Stated minus computed (đồng); 0 when they agree."""
        return self.stated - self.computed

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    def message(self, unit: str = "dong") -> str:
        """"Tổng cộng: theo văn bản 526.638, cộng các dòng 514.982, chênh lệch 11.656 triệu
        đồng"."""
        name = unit_name(unit)
        if self.agrees:
            return (f"{self.scope.label}: theo văn bản {show(self.stated, unit)} {name}, khớp "
                    "với tổng các dòng")
        return (f"{self.scope.label}: theo văn bản {show(self.stated, unit)}, cộng các dòng "
                f"{show(self.computed, unit)}, chênh lệch {show(self.difference, unit)} {name}")


def total(lines: Iterable[Mapping], scope: Scope = Scope()) -> int:
    """The sum in đồng of the lines ``scope`` covers."""
    return sum(int(line["amount"]) for line in lines if scope.covers(line))


def compare(stated: Iterable[tuple[Scope, int, str | None]],
            lines: Iterable[Mapping]) -> list[Comparison]:
    """Each stated total beside the sum of the lines in its scope, in the order given."""
    lines = list(lines)
    return [Comparison(scope, amount, total(lines, scope), quote)
            for scope, amount, quote in stated]
