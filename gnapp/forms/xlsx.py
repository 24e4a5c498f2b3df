"""Render a ``Document`` to XLSX with openpyxl: one sheet laid out like the printed page.

Table figures are written as numbers with number formats (``#,##0`` for counts, ``0.00`` for
rates), never as formulas: openpyxl computes nothing, so totals are written as the values the
description holds (DESIGN.md §3.1, stack.md §5). Header cells keep their merges; the header
rows repeat on every printed page. The font is Times New Roman, which Excel has on every
Windows PC and which Liberation Serif is metric-compatible with.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from gnapp.forms import document as d

FONT_NAME = "Times New Roman"
INT_FORMAT = "#,##0"
RATE_FORMAT = "0.00"
SHEET_TITLE = "Báo cáo"
_MM_PER_WIDTH_UNIT = 2.0   # one Excel column width unit is about 2 mm at 100 %
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INCH = 25.4

# Columns a narrative document (one without tables) is laid out on.
_TEXT_COLUMNS = (d.Column(165, d.TEXT),)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _font(size: float = 12, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


# average Times glyph width in mm (bold caps wider); 11 pt measured on "Nhân khẩu", which
# must take two lines in an 18 mm column
_MM_PER_CHAR = {11: 1.9, 12: 2.0, 13: 2.2, 14: 2.5}
_POINTS_PER_LINE = 1.3


def _lines_needed(text: str, width_mm: float, size: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width_mm`` wide (an estimate: Excel does
    not grow rows of merged cells by itself)."""
    per_char = _MM_PER_CHAR.get(round(size), size * 0.18)
    capacity = max(1, int(width_mm / per_char))
    return sum(max(1, -(-len(part) // capacity)) for part in text.split("\n"))


class _Sheet:
    """Writes rows from the top, each block spanning the sheet's columns."""

    def __init__(self, ws, columns: tuple[d.Column, ...]):
        self.ws = ws
        self.columns = columns
        self.n = len(columns)
        self.row = 1

    def line(self, text: str, *, first: int = 1, last: int | None = None, size: float = 12,
              bold: bool = False, italic: bool = False, align: str = "center",
              height: float | None = None, row: int | None = None) -> None:
        """Write ``text`` merged over columns ``first``..``last`` of the current row."""
        r = row or self.row
        last = last or self.n
        if last > first:
            self.ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
        cell = self.ws.cell(r, first, _nfc(text))
        cell.font = _font(size, bold, italic)
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
        width = sum(c.width for c in self.columns[first - 1:last])
        needed = _lines_needed(text, width, size + (1 if bold else 0)) * size * _POINTS_PER_LINE
        self.grow(r, max(height or 0, needed))

    def grow(self, row: int, height: float) -> None:
        """Make ``row`` at least ``height`` points high."""
        current = self.ws.row_dimensions[row].height or 15
        if height > current:
            self.ws.row_dimensions[row].height = height

    def next(self, rows: int = 1) -> None:
        self.row += rows


def _split(n: int) -> tuple[int, int]:
    """The last column of the left half (issuer) and the first of the right half (motto)."""
    if n == 1:
        return 1, 1
    left = max(1, round(n * 0.4))
    return left, min(n, left + 1)


def _header(sheet: _Sheet, doc: d.Document) -> None:
    left_end, right_start = _split(sheet.n)
    right_lines = [(d.MOTTO_TITLE, True, False, 12), (d.MOTTO, True, False, 13)]
    left_lines = [(text, i == len(doc.issuer) - 1, False, 12)
                  for i, text in enumerate(doc.issuer)]
    if sheet.n == 1:
        for text, bold, italic, size in left_lines + right_lines:
            sheet.line(text, bold=bold, italic=italic, size=size)
            sheet.next()
    else:
        for i in range(max(len(left_lines), len(right_lines))):
            if i < len(left_lines):
                text, bold, italic, size = left_lines[i]
                sheet.line(text, last=left_end, bold=bold, size=size)
            if i < len(right_lines):
                text, bold, italic, size = right_lines[i]
                sheet.line(text, first=right_start, bold=bold, size=size)
            sheet.next()
    number = doc.number_line
    if sheet.n == 1:
        if number:
            sheet.line(number, size=12)
            sheet.next()
        sheet.line(doc.date_line, italic=True, size=13)
    else:
        if number:
            sheet.line(number, last=left_end, size=12)
        sheet.line(doc.date_line, first=right_start, italic=True, size=13)
    sheet.next(2)
    for text in doc.title:
        sheet.line(text, bold=True, size=14, height=20)
        sheet.next()
    for text in doc.subtitle:
        sheet.line(text, italic=True, size=12)
        sheet.next()
    sheet.next()


def _value(cell: d.Cell, kind: str):
    value = cell.value
    if value is None:
        return None if kind in (d.TEXT, d.LABEL) else "—"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return _nfc(value)
    return value


def _table(sheet: _Sheet, table: d.Table) -> tuple[int, int]:
    """Write a table; return its first and last header row numbers."""
    ws = sheet.ws
    if table.unit_note:
        sheet.line(table.unit_note, italic=True, size=11, align="right")
        sheet.next()
    top = sheet.row
    n_header = len(table.header)
    grid = [list(r) for r in table.header] + [list(r.cells) for r in table.rows]
    for r in range(len(grid)):
        for c in range(1, len(table.columns) + 1):
            ws.cell(top + r, c).border = _BOX
    for p in d.place_cells(grid, len(table.columns)):
        cell = p.cell
        is_header = p.row < n_header
        row_style = None if is_header else table.rows[p.row - n_header].style
        kind = d.LABEL if is_header else d.kind_of(cell, table.columns[p.col])
        target = ws.cell(top + p.row, p.col + 1, _value(cell, kind))
        bold = cell.bold or (is_header and not cell.italic) or row_style == d.TOTAL
        target.font = _font(11, bold, cell.italic)
        target.alignment = Alignment(horizontal="left" if kind == d.TEXT else "center",
                                     vertical="center", wrap_text=True)
        if isinstance(cell.value, int) and not isinstance(cell.value, bool):
            target.number_format = INT_FORMAT
        elif isinstance(cell.value, Decimal):
            target.number_format = RATE_FORMAT
        text = "" if target.value is None else str(target.value)
        width = sum(c.width for c in table.columns[p.col:p.col + cell.colspan])
        # bold text (headers, totals) is wider: estimated as one point larger, as ``line`` does;
        # a header's words wrap with ragged ends, so a tenth of its width is left unused
        usable = (width - 2) * (0.9 if is_header else 1)
        needed = _lines_needed(text, usable, 12 if bold else 11) * 11 * _POINTS_PER_LINE + 4
        for dr in range(cell.rowspan):
            sheet.grow(top + p.row + dr, needed / cell.rowspan)
        if cell.colspan > 1 or cell.rowspan > 1:
            ws.merge_cells(start_row=top + p.row, start_column=p.col + 1,
                           end_row=top + p.row + cell.rowspan - 1,
                           end_column=p.col + cell.colspan)
    sheet.next(len(grid))
    for note in table.notes:
        sheet.line(note, italic=True, size=11, align="left")
        sheet.next()
    return top, top + n_header - 1


def _closing(sheet: _Sheet, doc: d.Document) -> None:
    if not doc.signatures and not doc.recipients:
        return
    sheet.next()
    left_end, right_start = _split(sheet.n)
    left: list[tuple[str, bool, bool]] = []
    if len(doc.signatures) > 1:
        left = _signature_lines(doc.signatures[0])
    elif doc.recipients:
        left = [("Nơi nhận:", True, True)] + [
            (r if r.startswith("-") else f"- {r}", False, False) for r in doc.recipients]
    right = _signature_lines(doc.signatures[-1]) if doc.signatures else []
    for i in range(max(len(left), len(right))):
        if i < len(left):
            text, bold, italic = left[i]
            align = "center" if len(doc.signatures) > 1 else "left"
            sheet.line(text, last=left_end, bold=bold, italic=italic, align=align)
        if i < len(right):
            text, bold, italic = right[i]
            sheet.line(text, first=right_start, bold=bold, italic=italic)
        sheet.next()


def _signature_lines(sig: d.Signature) -> list[tuple[str, bool, bool]]:
    lines = [(a, True, False) for a in sig.authority]
    if sig.title:
        lines.append((sig.title, True, False))
    if sig.hint:
        lines.append((sig.hint, False, True))
    lines += [("", False, False)] * 4
    lines.append((sig.name or "", True, False))
    return lines


def render_xlsx(doc: d.Document, path: str | Path) -> Path:
    """Write ``doc`` to ``path`` as an XLSX workbook and return the path."""
    path = Path(path)
    tables = [b for b in doc.body if isinstance(b, d.Table)]
    figures = [b for b in doc.body if isinstance(b, d.Figure)]
    columns = tables[0].columns if tables else (
        d.figure_columns(figures[0]) if figures else _TEXT_COLUMNS)
    if any(len(t.columns) != len(columns) for t in tables):
        raise ValueError("every table of a document must have the same number of columns")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width / _MM_PER_WIDTH_UNIT
    sheet = _Sheet(ws, columns)
    _header(sheet, doc)
    header_rows: tuple[int, int] | None = None
    labels = d.heading_labels(doc.body)
    for block, label in zip(doc.body, labels):
        if isinstance(block, d.PageBreak):
            ws.row_breaks.append(Break(id=sheet.row - 1))
            continue
        if isinstance(block, d.Closing):
            _closing(sheet, replace(doc, signatures=block.signatures,
                                    recipients=block.recipients))
            sheet.next()
            continue
        if isinstance(block, d.Table):
            span = _table(sheet, block)
            header_rows = header_rows or span
            continue
        if isinstance(block, d.Figure):           # a chart as its figures: a small table
            sheet.line(block.chart.title, bold=True, align="left")
            sheet.next()
            _table(sheet, d.figure_table(block, sheet.columns))
            sheet.next()
            continue
        if isinstance(block, d.Heading):
            text = block.text.upper() if block.level == 0 else block.text
            sheet.line(f"{label} {text}", bold=block.level <= 3, italic=block.level >= 3,
                       align="left")
        elif isinstance(block, d.Bullet):
            sheet.line(f"{label} {block.text}", align="left")
        elif isinstance(block, d.Para):
            sheet.line(block.text, bold=block.bold, italic=block.italic,
                       align="center" if block.center else "justify")
        sheet.next()
    _closing(sheet, doc)
    footer = d.footer_text(doc)
    if footer:
        sheet.next()
        sheet.line(footer, italic=True, size=9, align="right")
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = doc.orientation
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=30 / _INCH, right=15 / _INCH, top=20 / _INCH,
                                  bottom=20 / _INCH)
    if header_rows:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    if footer:
        ws.oddFooter.right.text = footer
    if doc.copy_mark:
        ws.oddHeader.right.text = doc.copy_mark
    wb.properties.title = _nfc(doc.name or " ".join(doc.title))
    wb.properties.creator = "gnapp"
    wb.save(path)
    return path
