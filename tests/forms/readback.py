"""Reading generated files back: PDF text and fonts (pypdf), XLSX cells (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from gnapp.forms import document as d


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))


def pdf_fonts(path: Path) -> set[str]:
    """Base font names of every font any page uses, without the subset prefix."""
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).lstrip("/").split("+")[-1])
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None:
                assert "/FontFile2" in descriptor.get_object(), "font not embedded"
    return names


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in PdfReader(path).pages]


def sheet(path: Path):
    return load_workbook(path).active


def find_row(ws, column: int, value) -> int:
    """The first row whose cell in ``column`` holds ``value``."""
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, column).value == value:
            return row
    raise AssertionError(f"{value!r} not found in column {column}")


def pdf_cells_after(path: Path, label: str, n: int) -> list[str]:
    """The ``n`` table cells printed after the cell ``label`` (pypdf gives one cell per line)."""
    lines = [line.strip() for line in pdf_text(path).splitlines()]
    start = lines.index(label) + 1
    return lines[start:start + n]


def table_of(doc: d.Document) -> d.Table:
    """The one table of a document."""
    (table,) = [b for b in doc.body if isinstance(b, d.Table)]
    return table


def values(row: d.Row) -> list:
    return [c.value if isinstance(c, d.Cell) else c for c in row.cells]


def rows_by_name(doc: d.Document) -> dict[str, list]:
    """Row values by unit name (column B), without TT and name."""
    return {values(r)[1]: values(r)[2:] for r in table_of(doc).rows}
