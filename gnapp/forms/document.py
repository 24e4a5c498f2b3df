"""A printed document described as plain data, rendered by ``pdf`` and ``xlsx`` alike.

The description follows the administrative layout of Nghị định 30/2020/NĐ-CP (domain.md §8):
issuer block and national motto, number and place–date line, title, body (paragraphs,
headings numbered by the program, bullets, tables), "Nơi nhận" and signature blocks. A
renderer only lays it out: every figure, total and rate is already in the description.

Heading numbers are generated, never typed (domain.md §8.2, §11 items 7, 17, 20):

=====  ==========  ======================
level  form        example
=====  ==========  ======================
0      A., B.      A. KẾT QUẢ THỰC HIỆN
1      I., II.     I. Công tác chỉ đạo
2      1., 2.      1. Mục tiêu
3      1.1., 1.2.  1.1. Hộ nghèo
4      a), b)      a) Mục tiêu
=====  ==========  ======================

``Bullet`` items are "-" (level 1) and "+" (level 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Union

from gnapp.domain.charts import Chart
from gnapp.domain.dates import DRAFT_BLANK, place_date_line
from gnapp.domain.numbers import format_decimal, format_int

MOTTO_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

PORTRAIT, LANDSCAPE = "portrait", "landscape"

# Cell kinds: how a value is shown and aligned.
TEXT, INT, RATE, LABEL = "text", "int", "rate", "label"

# Row styles.
NORMAL, TOTAL = "normal", "total"


@dataclass(frozen=True)
class Heading:
    """A numbered heading; ``level`` 0 (A.) to 4 (a)), see the module doc."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph of body text (justified, first line indented)."""

    text: str
    bold: bool = False
    italic: bool = False
    center: bool = False


@dataclass(frozen=True)
class Bullet:
    """A bullet item: "-" at level 1, "+" at level 2."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Cell:
    """One table cell; a plain value in a row stands for ``Cell(value)``.

    Attributes:
        value: ``str``, ``int``, ``Decimal`` (a rate) or ``None`` (a rate that cannot be
            computed, shown "—")
        colspan, rowspan: cells covered to the right and below (header or body)
        kind: how to show it (default: the column's kind)
        bold, italic: emphasis
    """

    value: str | int | Decimal | None
    colspan: int = 1
    rowspan: int = 1
    kind: str | None = None
    bold: bool = False
    italic: bool = False


CellLike = Union[Cell, str, int, Decimal, None]


@dataclass(frozen=True)
class Column:
    """A table column: its width in millimetres (scaled to fit the page) and kind."""

    width: float
    kind: str = INT


@dataclass(frozen=True)
class Row:
    """A body row; ``style`` TOTAL rows are bold."""

    cells: tuple[CellLike, ...]
    style: str = NORMAL


@dataclass(frozen=True)
class Table:
    """A table with a header of merged cells (repeated on every page) and body rows.

    Attributes:
        columns: the columns, left to right
        header: header rows of ``Cell`` with colspans and rowspans (HTML-table style: a slot
            covered by a span above or to the left takes no cell in later rows)
        rows: body rows, which may also span (a unit's name over its Hộ and Nhân khẩu rows)
        unit_note: "Đơn vị tính: hộ, người", printed above the table at the right
        notes: lines printed under the table (legends, "—" notes)
    """

    columns: tuple[Column, ...]
    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[Row, ...]
    unit_note: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (one paper form per household); ignored in XLSX but for a page break."""


@dataclass(frozen=True)
class Closing:
    """Signature blocks (and "Nơi nhận") inside the body, where a document goes on after its
    signatures: a decision before its annexed lists, each copy of a meeting's minutes."""

    signatures: tuple["Signature", ...]
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A chart the full width of the text, ``height_mm`` high, its title inside it: drawn
    in a PDF (never split across pages), written as its figures in XLSX (``figure_table``),
    as a picture or its figures in .docx."""

    chart: Chart
    height_mm: float = 90


Block = Union[Heading, Para, Bullet, Table, PageBreak, Closing, Figure]


@dataclass(frozen=True)
class Signature:
    """A signature block (domain.md §8.4): authority lines, the signer's title, a hint, space
    for signature and seal, and the name (blank when not known: written by hand).

    ``Signature(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), "PHÓ CHỦ TỊCH", name="Phạm Duy Hưng")``
    """

    authority: tuple[str, ...] = ()
    title: str = ""
    hint: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Document:
    """A whole document.

    Attributes:
        issuer: the issuing body's lines, upper case; the last is the body itself (bold),
            e.g. ("ỦY BAN NHÂN DÂN", "XÃ HOẰNG HÓA")
        symbol: the number's symbol ("BC-UBND"); ``None`` prints no number line
        number: the number; ``None`` leaves it blank for the records office (a draft)
        place: the place of the date line, without its level word ("Hoằng Hóa")
        day: the date; ``None`` for a draft, whose ``month`` and ``year`` are printed
        title: title lines, all bold, the first being the document type ("BÁO CÁO")
        subtitle: lines in italics under the title
        body: the blocks of the body
        recipients: "Nơi nhận" entries, printed at the bottom left; empty prints none
        signatures: one block (bottom right) or two (left and right; a left block replaces
            the recipients)
        orientation: ``portrait`` or ``landscape`` (A4)
        fingerprint: hash of the data shown; its first 12 characters go in the footer
        name: a short name for the file's properties
        copy_mark: "BẢN SAO" on a second print of the same document with the same data,
            printed at the top right of every page and in the footer
        shown_rows: the syncable rows the document shows, as (table, row id); marking a
            printed copy signed locks them
    """

    issuer: tuple[str, ...]
    title: tuple[str, ...]
    place: str
    body: tuple[Block, ...] = ()
    symbol: str | None = None
    number: str | None = None
    day: date | None = None
    month: int | None = None
    year: int | None = None
    subtitle: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    signatures: tuple[Signature, ...] = ()
    orientation: str = PORTRAIT
    fingerprint: str | None = None
    name: str = ""
    copy_mark: str | None = None
    shown_rows: tuple[tuple[str, str], ...] = ()

    @property
    def number_line(self) -> str | None:
        """"Số: 635/KH-UBND", or "Số:      /BC-UBND" for a draft; ``None`` without a symbol."""
        if self.symbol is None:
            return None
        return f"Số: {self.number}/{self.symbol}" if self.number else \
            f"Số: {DRAFT_BLANK * 2}/{self.symbol}"

    @property
    def date_line(self) -> str:
        """"Hoằng Hóa, ngày 05 tháng 02 năm 2026", the day left blank in a draft."""
        if self.day is not None:
            return place_date_line(self.place, self.day)
        return place_date_line(self.place, month=self.month,
                               year=self.year or date.today().year)

    @property
    def short_fingerprint(self) -> str | None:
        return self.fingerprint[:12] if self.fingerprint else None


FOOTER_LABEL = "Mã dữ liệu"


def _cell_value(value: CellLike):
    return value.value if isinstance(value, Cell) else value


def shown_content(doc: Document) -> list[dict]:
    """Everything a document shows, as plain canonical data, in reading order: the issuer,
    title and subtitle, each block (every table cell of its header and body, its unit and
    notes; every paragraph, heading and bullet; each chart's figures; the signers of a
    closing), the recipients and the signature blocks.

    Left out: the number, the date line (a draft's month moves with the day it is printed)
    and the copy mark, which a print sets (``gnapp.forms.printing`` adds an issued number
    and date to the fingerprint itself).
    """
    items: list[dict] = [{"issuer": list(doc.issuer), "title": list(doc.title),
                          "subtitle": list(doc.subtitle), "symbol": doc.symbol}]
    for block in doc.body:
        if isinstance(block, Table):
            items.append({"unit": block.unit_note, "notes": list(block.notes),
                          "header": [[_cell_value(c) for c in row] for row in block.header]})
            items.extend({"cells": [_cell_value(c) for c in row.cells]} for row in block.rows)
        elif isinstance(block, (Para, Heading, Bullet)):
            items.append({"text": block.text})
        elif isinstance(block, Closing):
            items.append({"signers": [[*s.authority, s.title, s.name or ""]
                                      for s in block.signatures],
                          "recipients": list(block.recipients)})
        elif isinstance(block, Figure):
            chart = block.chart
            items.append({"chart": chart.title, "categories": list(chart.categories),
                          "series": [[s.name, list(s.values)] for s in chart.series],
                          "references": [[r.label, r.value] for r in chart.references]})
        elif isinstance(block, PageBreak):
            items.append({"page": 1})
    items.append({"recipients": list(doc.recipients),
                  "signers": [[*s.authority, s.title, s.name or ""] for s in doc.signatures]})
    return items


def content_fingerprint(doc: Document, identity: dict) -> str:
    """The hash of exactly what ``doc`` shows (``shown_content``) and of what it is
    (``identity``: the form, round, unit and options): a changed figure, name or note gives
    another fingerprint, the same data printed again the same one."""
    from gnapp.domain.canonical import rows_hash

    return rows_hash([identity, *shown_content(doc)])


def footer_text(doc: Document) -> str | None:
    """The footer line: "Mã dữ liệu: 1a2b3c4d5e6f" (``None`` without a fingerprint)."""
    if not doc.fingerprint:
        return None
    text = f"{FOOTER_LABEL}: {doc.short_fingerprint}"
    return f"{doc.copy_mark} – {text}" if doc.copy_mark else text


# -- heading numbers --------------------------------------------------------------------------

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    """Return ``n`` (≥ 1) in Roman numerals: 4 → "IV", 14 → "XIV"."""
    if n < 1:
        raise ValueError("roman numerals start at 1")
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _letter(n: int) -> str:
    """a, b, …, z, then aa, ab …: Vietnamese documents skip no letter in points."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = letters[rest] + text
    return text


def heading_labels(body: Iterable[Block]) -> list[str | None]:
    """The label of each block ("A.", "II.", "3.", "3.2.", "b)", "-", "+"), ``None`` for
    blocks without one. Counters of deeper levels restart under each new heading."""
    counters = [0] * 5
    labels: list[str | None] = []
    for block in body:
        if isinstance(block, Heading):
            level = block.level
            if not 0 <= level <= 4:
                raise ValueError(f"heading level must be 0..4, not {level}")
            counters[level] += 1
            for deeper in range(level + 1, 5):
                counters[deeper] = 0
            n = counters[level]
            labels.append({0: f"{chr(ord('A') + n - 1)}.", 1: f"{roman(n)}.", 2: f"{n}.",
                           3: f"{counters[2]}.{n}.", 4: f"{_letter(n)})"}[level])
        elif isinstance(block, Bullet):
            labels.append("-" if block.level <= 1 else "+")
        else:
            labels.append(None)
    return labels


# -- table grids ------------------------------------------------------------------------------

def as_cell(value: CellLike) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


@dataclass(frozen=True)
class Placed:
    """A cell at its place in the grid (row and column from 0)."""

    row: int
    col: int
    cell: Cell


def place_cells(rows: Sequence[Sequence[CellLike]], columns: int) -> list[Placed]:
    """Put cells given HTML-style (spans cover later slots) at their grid positions.

    :raises ValueError: a row that does not fill exactly ``columns`` slots
    """
    covered: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for value in row:
            while (r, c) in covered:
                c += 1
            cell = as_cell(value)
            if c + cell.colspan > columns:
                raise ValueError(f"row {r} has more than {columns} columns")
            placed.append(Placed(r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    covered.add((r + dr, c + dc))
            c += cell.colspan
        while (r, c) in covered:
            c += 1
        if c != columns:
            raise ValueError(f"row {r} fills {c} of {columns} columns")
    return placed


def kind_of(cell: Cell, column: Column) -> str:
    if cell.kind:
        return cell.kind
    if isinstance(cell.value, str):
        return TEXT if column.kind == TEXT else LABEL
    return column.kind


def cell_text(cell: Cell, kind: str) -> str:
    """A table cell as printed: whole numbers with "." between thousands, decimals with 2
    places, a missing number as "—" (a missing text as nothing)."""
    value = cell.value
    if value is None:
        return "" if kind in (TEXT, LABEL) else "—"
    if isinstance(value, bool):
        raise TypeError("a bool is not a cell value")
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, Decimal):
        return format_decimal(value, 2)
    return str(value)


# -- a chart's figures as a table -------------------------------------------------------------

FIGURE_CATEGORY_WIDTH = 80.0
FIGURE_VALUE_WIDTH = 30.0


def figure_columns(figure: Figure) -> tuple[Column, ...]:
    """The columns of a figure's table of its own: the categories, then one per series."""
    return (Column(FIGURE_CATEGORY_WIDTH, TEXT),) + tuple(
        Column(FIGURE_VALUE_WIDTH, INT) for _ in figure.chart.series)


def figure_table(figure: Figure, columns: tuple[Column, ...] | None = None) -> Table:
    """A chart's figures as a table, for those who want the numbers (XLSX, Word without a
    picture): the categories down, one column per series, each reference line as an extra
    row under them with its value in its series' column; the unit above, the note under.

    With ``columns`` of the sheet it goes on (at least one per series and one more), the
    category spans the columns left of the series' ones.
    """
    chart = figure.chart
    k = len(chart.series)
    if columns is None or len(columns) < k + 1:
        columns = figure_columns(figure)
    span = len(columns) - k

    def row(label: str, values) -> Row:
        return Row((Cell(label, colspan=span, kind=TEXT),
                    *(Cell(v) if v is not None else Cell(None, kind=RATE) for v in values)))

    header = ((Cell("Nội dung", colspan=span), *(Cell(s.name) for s in chart.series)),)
    rows = [row(name, [s.values[i] if i < len(s.values) else None for s in chart.series])
            for i, name in enumerate(chart.categories)]
    for ref in chart.references:
        rows.append(Row((Cell(ref.label, colspan=span, kind=TEXT, italic=True),
                         *(Cell(ref.value, italic=True) if i == ref.series else Cell("")
                           for i in range(k)))))
    return Table(columns, header, tuple(rows),
                 unit_note=f"Đơn vị tính: {chart.unit}" if chart.unit else None,
                 notes=(chart.note,) if chart.note else ())
