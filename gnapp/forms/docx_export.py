"""Render a ``Document`` to .docx (python-docx), so that a plan or report can be finished in
Word: the same description the PDF is rendered from, in the same layout (Nghị định 30/2020).

- A4 portrait (or landscape), the margins of ``gnapp.forms.pdf.MARGINS``; Times New Roman
  (the font Word users have; the PDF embeds the metric-compatible Liberation Serif).
- The header block as a borderless two-column table: issuer lines (the body itself bold) with
  a short rule, the national motto with its rule, the number line and the place–date line.
- Headings with their generated numbers ("A.", "I.", "1.", "1.1.", "a)"), paragraphs justified
  with the first line indented, bullets "-" and "+".
- Tables with merged header cells (the same grid as the PDF), figures formatted as in the PDF:
  "." between thousands, "," before decimals, "—" for a rate that cannot be computed.
- "Nơi nhận" at the bottom left and the signature block at the bottom right; the data
  fingerprint in the page footer.
- Charts (``Figure``) as PNG pictures the width of the text when the caller passes a way to
  draw them (``picture``: this layer has no Qt), else as their title and figures (a table).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from gnapp.domain.charts import Chart
from gnapp.forms import document as d
from gnapp.forms.pdf import MARGINS, TABLE_SIZE

Picture = Callable[[Chart], bytes]

FONT = "Times New Roman"
BODY_SIZE = 13


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _run(paragraph, text: str, *, size: float = BODY_SIZE, bold: bool = False,
         italic: bool = False):
    run = paragraph.add_run(_nfc(text))
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    run.font.name = FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    return run


def _paragraph(container, text: str = "", *, size: float = BODY_SIZE, bold: bool = False,
               italic: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_mm: float = 0,
               before: float = 0, after: float = 0):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.first_line_indent = Mm(indent_mm) if indent_mm else None
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.15
    if text:
        _run(p, text, size=size, bold=bold, italic=italic)
    return p


def _rule(paragraph) -> None:
    """A line under a paragraph (the rules under the issuer and the motto): a bottom border;
    the paragraph's indents give its length."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _rule_paragraph(cell, width_mm: float, cell_width_mm: float):
    side = max(0.0, (cell_width_mm - width_mm) / 2)
    p = cell.add_paragraph()
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    p.paragraph_format.space_after = Pt(2)
    _run(p, "", size=2)
    _rule(p)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _set_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _first_paragraph(cell, text: str, **kw):
    p = cell.paragraphs[0]
    p.alignment = kw.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
    if text:
        _run(p, text, **kw)
    return p


def _header(doc: d.Document, document, width_mm: float) -> None:
    left_w = min(85.0, width_mm * 0.42)
    right_w = width_mm - left_w
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(table, [left_w, right_w])
    issuer_cell, motto_cell = table.cell(0, 0), table.cell(0, 1)
    for i, line in enumerate(doc.issuer):
        last = i == len(doc.issuer) - 1
        if i == 0:
            _first_paragraph(issuer_cell, line, size=12.5, bold=last)
        else:
            _paragraph(issuer_cell, line, size=12.5, bold=last, align=WD_ALIGN_PARAGRAPH.CENTER)
    if doc.issuer:
        _rule_paragraph(issuer_cell, 25, left_w)
    _first_paragraph(motto_cell, d.MOTTO_TITLE, size=12.5, bold=True)
    _paragraph(motto_cell, d.MOTTO, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule_paragraph(motto_cell, 62, right_w)
    if doc.number_line:
        _first_paragraph(table.cell(1, 0), doc.number_line, size=13)
    _first_paragraph(table.cell(1, 1), doc.date_line, size=14, italic=True)


def _title(doc: d.Document, document) -> None:
    _paragraph(document, "", after=6)
    for line in doc.title:
        _paragraph(document, line, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in doc.subtitle:
        _paragraph(document, line, size=13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "", after=6)


def _grid_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    tbl_pr.append(borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _table(table: d.Table, document, width_mm: float, size: float) -> None:
    if table.unit_note:
        _paragraph(document, table.unit_note, size=11, italic=True,
                   align=WD_ALIGN_PARAGRAPH.RIGHT)
    columns = table.columns
    scale = width_mm / sum(c.width for c in columns)
    widths = [c.width * scale for c in columns]
    grid = [list(r) for r in table.header] + [list(r.cells) for r in table.rows]
    n_header = len(table.header)
    out = document.add_table(rows=len(grid), cols=len(columns))
    _grid_borders(out)
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(out, widths)
    for r in range(n_header):
        _repeat_header(out.rows[r])
    for placed in d.place_cells(grid, len(columns)):
        cell = placed.cell
        is_header = placed.row < n_header
        style = None if is_header else table.rows[placed.row - n_header].style
        bold = cell.bold or (is_header and not cell.italic) or style == d.TOTAL
        kind = d.LABEL if is_header else d.kind_of(cell, columns[placed.col])
        target = out.cell(placed.row, placed.col)
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(out.cell(placed.row + cell.rowspan - 1,
                                           placed.col + cell.colspan - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = target.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if kind == d.TEXT else WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        text = d.cell_text(cell, kind)
        if text:
            _run(p, text, size=size, bold=bold, italic=cell.italic)
    for note in table.notes:
        _paragraph(document, note, size=10.5, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
                   before=2)


def _signature(cell, sig: d.Signature) -> None:
    lines = [(a, True, False) for a in sig.authority]
    if sig.title:
        lines.append((sig.title, True, False))
    if sig.hint:
        lines.append((sig.hint, False, True))
    first = True
    for text, bold, italic in lines:
        if first:
            _first_paragraph(cell, text, size=13, bold=bold, italic=italic)
            first = False
        else:
            _paragraph(cell, text, size=13, bold=bold, italic=italic,
                       align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(4):
        _paragraph(cell, "", size=13)
    _paragraph(cell, sig.name or "", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _closing(signatures, recipients, document, width_mm: float) -> None:
    if not signatures and not recipients:
        return
    _paragraph(document, "")
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left_w = width_mm * (0.5 if len(signatures) > 1 else 0.45)
    _set_widths(table, [left_w, width_mm - left_w])
    left, right = table.cell(0, 0), table.cell(0, 1)
    if len(signatures) > 1:
        _signature(left, signatures[0])
    elif recipients:
        _first_paragraph(left, "Nơi nhận:", size=12, bold=True, italic=True,
                         align=WD_ALIGN_PARAGRAPH.LEFT)
        for item in recipients:
            p = _paragraph(left, item if item.startswith("-") else f"- {item}", size=11,
                           align=WD_ALIGN_PARAGRAPH.LEFT)
            p.paragraph_format.line_spacing = 1.0
    if signatures:
        _signature(right, signatures[-1])


def _figure(figure: d.Figure, document, width_mm: float, size: float,
            picture: Picture | None) -> None:
    """A chart as a PNG picture the width of the text (its title is in the picture), or
    without a way to draw one, its title and its figures as a table."""
    if picture is not None:
        p = _paragraph(document, "", align=WD_ALIGN_PARAGRAPH.CENTER, before=4, after=6)
        p.add_run().add_picture(BytesIO(picture(figure.chart)), width=Mm(width_mm))
        return
    _paragraph(document, figure.chart.title, size=size, bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, before=4, after=2).paragraph_format \
        .keep_with_next = True
    _table(d.figure_table(figure), document, width_mm, size)


def _body(doc: d.Document, document, width_mm: float,
          picture: Picture | None = None) -> None:
    size = TABLE_SIZE[doc.orientation]
    for block, label in zip(doc.body, d.heading_labels(doc.body)):
        if isinstance(block, d.Heading):
            text = block.text.upper() if block.level == 0 else block.text
            _paragraph(document, f"{label} {text}", bold=block.level <= 3,
                       italic=block.level >= 3, indent_mm=10, before=6, after=3)
        elif isinstance(block, d.Bullet):
            _paragraph(document, f"{label} {block.text}", indent_mm=10, after=3)
        elif isinstance(block, d.Para):
            align = WD_ALIGN_PARAGRAPH.CENTER if block.center else WD_ALIGN_PARAGRAPH.JUSTIFY
            _paragraph(document, block.text, bold=block.bold, italic=block.italic, align=align,
                       indent_mm=0 if block.center else 10, after=6)
        elif isinstance(block, d.Table):
            _table(block, document, width_mm, size)
        elif isinstance(block, d.PageBreak):
            document.add_page_break()
        elif isinstance(block, d.Figure):
            _figure(block, document, width_mm, size, picture)
        elif isinstance(block, d.Closing):
            _closing(block.signatures, block.recipients, document, width_mm)
        else:
            raise TypeError(f"unknown block {type(block).__name__}")


def render_docx(doc: d.Document, path: str | Path, picture: Picture | None = None) -> Path:
    """Write ``doc`` to ``path`` as a Word document and return the path.

    :param picture: draws a chart as PNG bytes (``gnapp.ui.charts.chart_png``: this layer
        has no Qt); without it a ``Figure`` is written as its figures (a table)
    """
    path = Path(path)
    document = new_docx()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    section = document.sections[0]
    if doc.orientation == d.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    mm_of = {k: v / (72 / 25.4) for k, v in MARGINS.items()}    # reportlab points → mm
    section.top_margin, section.bottom_margin = Mm(mm_of["top"]), Mm(mm_of["bottom"])
    section.left_margin, section.right_margin = Mm(mm_of["left"]), Mm(mm_of["right"])
    width_mm = (297 if doc.orientation == d.LANDSCAPE else 210) - mm_of["left"] - mm_of["right"]
    _header(doc, document, width_mm)
    if doc.copy_mark:
        _paragraph(document, doc.copy_mark, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _title(doc, document)
    _body(doc, document, width_mm, picture)
    _closing(doc.signatures, doc.recipients, document, width_mm)
    footer = d.footer_text(doc)
    if footer:
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(p, footer, size=8, italic=True)
    props = document.core_properties
    props.title = _nfc(doc.name or " ".join(doc.title))
    props.author = "gnapp"
    document.save(str(path))
    return path
