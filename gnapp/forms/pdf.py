"""Render a ``Document`` to PDF with reportlab: A4, Nghị định 30/2020 layout, Liberation Serif.

Only the bundled Liberation Serif faces are used and embedded (subset): the page stream, the
tables (including empty cells) and the footer name no other font, so the PDF prints the same
on any PC (stack.md §3). Text is NFC-normalised before drawing: reportlab misplaces the marks
of decomposed text.

Page numbers follow Nghị định 30/2020: Arabic numerals centred in the top margin, not shown on
the first page. The footer of every page carries the short data fingerprint.

The margins of Nghị định 30/2020 apply to the page as it is read, in both orientations: a
landscape page (A4 turned, 297 × 210 mm) also has 20 mm at the top and bottom, 30 mm on the
left and 15 mm on the right of the text as read (``MARGINS``; tests/forms pin it).

A document whose body ends with a table keeps the last rows of that table on the page of
what follows it (the notes under the table, "Nơi nhận" and the signature blocks), so the
signatures never stand alone on a page (``TableWithTail``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak, Flowable, HRFlowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate,
    Spacer, Table, TableStyle,
)

from gnapp import __version__
from gnapp.forms import document as d
from gnapp.paths import resource_dir

FONT = "LiberationSerif"
BOLD, ITALIC, BOLD_ITALIC = FONT + "-Bold", FONT + "-Italic", FONT + "-BoldItalic"
_FILES = {FONT: "LiberationSerif-Regular.ttf", BOLD: "LiberationSerif-Bold.ttf",
          ITALIC: "LiberationSerif-Italic.ttf", BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}

# Nghị định 30/2020, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}

BODY_SIZE = 13
TABLE_SIZE = {d.PORTRAIT: 11, d.LANDSCAPE: 10}


def register_fonts() -> None:
    """Register the four Liberation Serif faces with reportlab (once)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = resource_dir() / "fonts"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC,
                                  boldItalic=BOLD_ITALIC)


def _font(bold: bool = False, italic: bool = False) -> str:
    return {(False, False): FONT, (True, False): BOLD, (False, True): ITALIC,
            (True, True): BOLD_ITALIC}[(bold, italic)]


def _style(size: float, *, bold: bool = False, italic: bool = False, align: int = TA_CENTER,
           leading: float | None = None, indent: float = 0, before: float = 0,
           after: float = 0, left: float = 0) -> ParagraphStyle:
    return ParagraphStyle("gnapp", fontName=_font(bold, italic), fontSize=size,
                          leading=leading or size * 1.2, alignment=align,
                          firstLineIndent=indent, spaceBefore=before, spaceAfter=after,
                          leftIndent=left)


def _markup(text: str) -> str:
    """NFC, XML-escaped, runs of spaces kept (NBSP: a draft's blanks) and line breaks as <br/>."""
    text = escape(unicodedata.normalize("NFC", text))
    text = re.sub(r" {2,}", lambda m: "\u00a0" * len(m.group()), text)
    return text.replace("\n", "<br/>")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_markup(text), style)


def _text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(unicodedata.normalize("NFC", text), font, size)


# -- header, title, closing ------------------------------------------------------------------

def _header(doc: d.Document, width: float) -> list:
    issuer_size, motto_size = 12.5, 13
    left_w = min(85 * mm, width * 0.42)
    right_w = min(105 * mm, width - left_w)
    gap = width - left_w - right_w
    issuer = []
    for i, line in enumerate(doc.issuer):
        issuer.append(_p(line, _style(issuer_size, bold=i == len(doc.issuer) - 1)))
    if doc.issuer:
        rule = _text_width(doc.issuer[-1], BOLD, issuer_size) * 0.45
        issuer.append(HRFlowable(width=max(rule, 18 * mm), thickness=0.6, color=colors.black,
                                 spaceBefore=3, spaceAfter=0, hAlign="CENTER"))
    motto = [_p(d.MOTTO_TITLE, _style(12.5, bold=True)),
             _p(d.MOTTO, _style(motto_size, bold=True)),
             HRFlowable(width=_text_width(d.MOTTO, BOLD, motto_size), thickness=0.6,
                        color=colors.black, spaceBefore=3, spaceAfter=0, hAlign="CENTER")]
    rows = [[issuer, "", motto]]
    number_line = doc.number_line
    rows.append([_p(number_line, _style(13)) if number_line else "", "",
                 _p(doc.date_line, _style(14, italic=True))])
    table = Table(rows, colWidths=[left_w, gap, right_w])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, 1), 6),
    ]))
    return [table]


def _title(doc: d.Document) -> list:
    out: list = [Spacer(1, 8 * mm)]
    for line in doc.title:
        out.append(_p(line, _style(14, bold=True, leading=18)))
    for line in doc.subtitle:
        out.append(_p(line, _style(13, italic=True, leading=17)))
    out.append(Spacer(1, 5 * mm))
    return out


def _signature_cells(sig: d.Signature, width: float) -> list:
    cells = [_p(line, _style(13, bold=True)) for line in sig.authority]
    if sig.title:
        cells.append(_p(sig.title, _style(13, bold=True)))
    if sig.hint:
        cells.append(_p(sig.hint, _style(13, italic=True)))
    cells.append(Spacer(1, 26 * mm))
    cells.append(_p(sig.name or "", _style(13, bold=True)))
    return cells


def _recipients(items: tuple[str, ...]) -> list:
    out = [_p("Nơi nhận:", _style(12, bold=True, italic=True, align=TA_LEFT))]
    for item in items:
        out.append(_p(item if item.startswith("-") else f"- {item}",
                      _style(11, align=TA_LEFT, leading=13)))
    return out


def _closing(doc: d.Document, width: float) -> list:
    if not doc.signatures and not doc.recipients:
        return []
    right = _signature_cells(doc.signatures[-1], width) if doc.signatures else ""
    if len(doc.signatures) > 1:
        left = _signature_cells(doc.signatures[0], width)
    elif doc.recipients:
        left = _recipients(doc.recipients)
    else:
        left = ""
    left_w = width * (0.5 if len(doc.signatures) > 1 else 0.45)
    table = Table([[left, right]], colWidths=[left_w, width - left_w])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 6 * mm), KeepTogether([table])]


class TableWithTail(Flowable):
    """A table followed by flowables (its notes, the closing) that must not start a page of
    their own: when they do not fit under the table, the table's last ``keep`` body rows go
    to the next page with them (under the repeated header)."""

    def __init__(self, table: Table, tail: list, keep: int = 2):
        super().__init__()
        self.table, self.keep, self._moved = table, keep, False
        self.tail = [g for f in tail for g in (f._content if isinstance(f, KeepTogether)
                                               else [f])]

    def _tail_sizes(self, width: float) -> list[tuple[float, float]]:
        return [f.wrap(width, 10 ** 6) for f in self.tail]

    def _tail_height(self, width: float) -> float:
        return sum(h + f.getSpaceBefore() + f.getSpaceAfter()
                   for f, (_, h) in zip(self.tail, self._tail_sizes(width)))

    def wrap(self, avail_width, avail_height):
        _, table_height = self.table.wrap(avail_width, avail_height)
        self.width = avail_width
        self.height = table_height + self._tail_height(avail_width)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        items = [(self.table, self.table.wrap(self.width, self.height))] + list(
            zip(self.tail, self._tail_sizes(self.width)))
        for flowable, (w, h) in items:
            y -= flowable.getSpaceBefore() + h
            align = str(getattr(flowable, "hAlign", "LEFT")).upper()
            x = 0.0
            if w < self.width and align in ("CENTER", "CENTRE"):
                x = (self.width - w) / 2
            elif w < self.width and align == "RIGHT":
                x = self.width - w
            flowable.drawOn(self.canv, x, y)
            y -= flowable.getSpaceAfter()

    def split(self, avail_width, avail_height):
        _, table_height = self.table.wrap(avail_width, avail_height)
        if table_height + self._tail_height(avail_width) <= avail_height:
            return [self.table, *self.tail]
        limit = avail_height
        if table_height <= avail_height:        # the table fits, what follows does not
            heights = self.table._rowHeights
            limit = sum(heights[:max(0, len(heights) - self.keep)]) + 0.01
        parts = self.table.split(avail_width, limit)
        if len(parts) < 2:
            if self._moved:                     # already on a fresh page: let it flow
                return [self.table, *self.tail]
            self._moved = True
            return []                           # too few rows to split: all to the next page
        return [parts[0], TableWithTail(parts[1], self.tail, self.keep)]


# -- body ---------------------------------------------------------------------------------------

def _table(table: d.Table, width: float, size: float) -> list:
    columns = table.columns
    scale = width / sum(c.width for c in columns) / mm       # the table fills the line
    widths = [c.width * mm * scale for c in columns]
    n_header = len(table.header)
    grid = [list(r) for r in table.header] + [list(r.cells) for r in table.rows]
    placed = d.place_cells(grid, len(columns))
    data: list[list] = [["" for _ in columns] for _ in grid]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    styles = {}
    for p in placed:
        cell = p.cell
        is_header = p.row < n_header
        row_style = None if is_header else table.rows[p.row - n_header].style
        bold = cell.bold or (is_header and not cell.italic) or row_style == d.TOTAL
        kind = d.LABEL if is_header else d.kind_of(cell, columns[p.col])
        align = TA_LEFT if kind == d.TEXT else TA_CENTER
        key = (bold, cell.italic, align)
        if key not in styles:
            styles[key] = _style(size, bold=bold, italic=cell.italic, align=align,
                                 leading=size * 1.15)
        data[p.row][p.col] = _p(d.cell_text(cell, kind), styles[key])
        if cell.colspan > 1 or cell.rowspan > 1:
            commands.append(("SPAN", (p.col, p.row),
                             (p.col + cell.colspan - 1, p.row + cell.rowspan - 1)))
    out: list = []
    if table.unit_note:
        out.append(_p(table.unit_note, _style(11, italic=True, align=TA_RIGHT, after=2)))
    grid_table = Table(data, colWidths=widths, repeatRows=n_header, hAlign="CENTER")
    grid_table.setStyle(TableStyle(commands))
    grid_table.gnapp_grid = True           # see render_pdf: the last one keeps its tail
    out.append(grid_table)
    for note in table.notes:
        out.append(_p(note, _style(10.5, italic=True, align=TA_LEFT, leading=13,
                                   before=2)))
    return out


def _figure(figure: d.Figure, width: float, before: list) -> Flowable:
    """A chart (its title inside) the width of the text, in one piece: it moves whole to
    the next page when it does not fit, taking a heading just before it along."""
    from gnapp.forms.charts import chart_drawing      # charts import this module's fonts

    drawing = chart_drawing(figure.chart, width / mm, figure.height_mm)
    drawing.hAlign = "CENTER"
    parts: list = [Spacer(1, 2 * mm), drawing, Spacer(1, 3 * mm)]
    if len(before) >= 2 and isinstance(before[-2], CondPageBreak) and \
            getattr(before[-1], "gnapp_heading", False):
        parts = [before.pop(-1)] + parts            # the heading goes with its figure
        before.pop(-1)
    return KeepTogether(parts)


def _body(doc: d.Document, width: float) -> list:
    size = TABLE_SIZE[doc.orientation]
    out: list = []
    for block, label in zip(doc.body, d.heading_labels(doc.body)):
        if isinstance(block, d.Heading):
            bold = block.level <= 3
            italic = block.level >= 3
            text = block.text.upper() if block.level == 0 else block.text
            out.append(CondPageBreak(25 * mm))
            out.append(_p(f"{label} {text}", _style(BODY_SIZE, bold=bold, italic=italic,
                                                   align=TA_JUSTIFY, indent=10 * mm,
                                                   before=6, after=3)))
            out[-1].gnapp_heading = True
        elif isinstance(block, d.Bullet):
            out.append(_p(f"{label} {block.text}", _style(BODY_SIZE, align=TA_JUSTIFY,
                                                          indent=10 * mm, after=3)))
        elif isinstance(block, d.Para):
            align = TA_CENTER if block.center else TA_JUSTIFY
            out.append(_p(block.text, _style(BODY_SIZE, bold=block.bold, italic=block.italic,
                                             align=align, indent=0 if block.center else 10 * mm,
                                             after=6)))
        elif isinstance(block, d.Table):
            out.extend(_table(block, width, size))
        elif isinstance(block, d.PageBreak):
            out.append(PageBreak())
        elif isinstance(block, d.Figure):
            out.append(_figure(block, width, out))
        elif isinstance(block, d.Closing):
            out.extend(_closing(replace(doc, signatures=block.signatures,
                                        recipients=block.recipients), width))
        else:
            raise TypeError(f"unknown block {type(block).__name__}")
    return out


# -- the page ---------------------------------------------------------------------------------

def page_size(orientation: str) -> tuple[float, float]:
    if orientation not in (d.PORTRAIT, d.LANDSCAPE):
        raise ValueError(f"orientation must be portrait or landscape, not {orientation!r}")
    return landscape(A4) if orientation == d.LANDSCAPE else A4


def render_pdf(doc: d.Document, path: str | Path) -> Path:
    """Write ``doc`` to ``path`` as a PDF and return the path."""
    register_fonts()
    path = Path(path)
    size = page_size(doc.orientation)
    width = size[0] - MARGINS["left"] - MARGINS["right"]
    footer = d.footer_text(doc)

    def decorate(canvas, template) -> None:
        canvas.saveState()
        number = canvas.getPageNumber()
        if number > 1:
            canvas.setFont(FONT, 13)
            canvas.drawCentredString(MARGINS["left"] + width / 2, size[1] - 12 * mm, str(number))
        if doc.copy_mark:
            canvas.setFont(BOLD, 13)
            canvas.drawRightString(size[0] - MARGINS["right"], size[1] - 12 * mm, doc.copy_mark)
        if footer:
            canvas.setFont(ITALIC, 8)
            canvas.setFillColor(colors.HexColor("#555555"))
            canvas.drawRightString(size[0] - MARGINS["right"], 10 * mm, footer)
        canvas.restoreState()

    template = SimpleDocTemplate(
        str(path), pagesize=size, leftMargin=MARGINS["left"], rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"], initialFontName=FONT,
        initialFontSize=BODY_SIZE,
        title=unicodedata.normalize("NFC", doc.name or " ".join(doc.title)),
        author="gnapp", creator=f"gnapp {__version__}", subject=footer or "")
    body, closing = _body(doc, width), _closing(doc, width)
    grids = [i for i, f in enumerate(body) if getattr(f, "gnapp_grid", False)]
    if doc.body and isinstance(doc.body[-1], d.Table) and grids:
        last = grids[-1]
        body = body[:last] + [TableWithTail(body[last], body[last + 1:] + closing)]
    else:
        body = body + closing
    story = _header(doc, width) + _title(doc) + body
    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return path
