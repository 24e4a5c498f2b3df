"""Look at an XLSX sheet as a picture: render it as a spreadsheet program would show it at
100 % (column widths, row heights, merged cells, bold and italic, alignment and wrapping,
numbers as their format displays them, thin borders) into a PNG, through an offscreen Qt
widget grab.

    .venv/bin/python tools/xlsx_picture.py REPORT.xlsx OUT.png [--sheet NAME]

It also says what looks wrong (``problems``): a figure stored as text (Excel marks it with a
green corner, as the picture does), and text that does not fit its cell (cut off in the
picture, where a red corner marks it).

Sizes follow Excel's defaults: a column of width ``w`` is ``round(w * 7 + 5)`` pixels (7
pixels per character of the default font), a row of height ``h`` points is ``round(h * 4 / 3)``
pixels (96 dpi), 15 points when the sheet does not say. Times New Roman is drawn with
Liberation Serif, which has its metrics.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_ROW_POINTS = 15.0
DEFAULT_COLUMN_WIDTH = 8.43
PADDING = 3
# Text that looks like a figure (decimals, thousands, a percentage): what a spreadsheet can
# neither add nor sort. Small whole numbers and years are left alone: as text they are
# labels (TT, column numbers, years of birth), which no one adds.
_NUMBER_TEXT = re.compile(r"^-?\d+,\d+%?$|^-?\d{1,3}(\.\d{3})+(,\d+)?%?$|^-?\d+%$|^\d{5,}$")


def column_pixels(width: float | None) -> int:
    return round((width if width else DEFAULT_COLUMN_WIDTH) * 7 + 5)


def row_pixels(points: float | None) -> int:
    return round((points if points else DEFAULT_ROW_POINTS) * 4 / 3)


def display(value, number_format: str) -> str:
    """A cell's value as shown in a Vietnamese spreadsheet: "." between thousands, "," before
    decimals, as many decimals as the format has."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        fmt = number_format or "General"
        decimals = 0
        found = re.search(r"0\.(0+)", fmt)
        if found:
            decimals = len(found.group(1))
        elif fmt == "General" and isinstance(value, float) and not value.is_integer():
            text = repr(value)
            return text.replace(".", ",")
        grouped = "," in fmt.split(".")[0]
        text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text + ("%" if fmt.endswith("%") else "")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass(frozen=True)
class Problem:
    """Something that looks wrong in a sheet: its cell ("B12") and what."""

    cell: str
    what: str

    def __str__(self) -> str:
        return f"{self.cell}: {self.what}"


@dataclass
class _Box:
    """A cell as drawn: its (merged) rectangle, text, font and alignment."""

    row: int
    col: int
    x: int
    y: int
    w: int
    h: int
    text: str
    bold: bool
    italic: bool
    size: float
    align: str
    valign: str
    wrap: bool
    border: tuple[bool, bool, bool, bool]      # left, top, right, bottom
    numeric_text: bool


def _layout(ws, max_row: int | None = None, max_col: int | None = None):
    from openpyxl.utils import get_column_letter

    rows = max_row or ws.max_row
    cols = max_col or ws.max_column
    xs = [0]
    for c in range(1, cols + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        xs.append(xs[-1] + column_pixels(dim.width if dim is not None else None))
    ys = [0]
    for r in range(1, rows + 1):
        dim = ws.row_dimensions.get(r)
        ys.append(ys[-1] + row_pixels(dim.height if dim is not None else None))
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in ws.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_row, merged.max_col)
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if (r, c) != (merged.min_row, merged.min_col):
                    covered.add((r, c))
    boxes = []
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            if (r, c) in covered:
                continue
            cell = ws.cell(r, c)
            end_r, end_c = spans.get((r, c), (r, c))
            end_r, end_c = min(end_r, rows), min(end_c, cols)
            side = cell.border
            last = ws.cell(end_r, end_c).border
            border = (bool(side.left and side.left.style), bool(side.top and side.top.style),
                      bool(last.right and last.right.style),
                      bool(last.bottom and last.bottom.style))
            if cell.value is None and not any(border):
                continue
            font, align = cell.font, cell.alignment
            text = display(cell.value, cell.number_format)
            numeric_text = isinstance(cell.value, str) and bool(_NUMBER_TEXT.match(text.strip()))
            horizontal = align.horizontal or ("right" if isinstance(cell.value, (int, float))
                                              and not isinstance(cell.value, bool) else "left")
            boxes.append(_Box(r, c, xs[c - 1], ys[r - 1], xs[end_c] - xs[c - 1],
                              ys[end_r] - ys[r - 1], text, bool(font.b), bool(font.i),
                              float(font.sz or 11), horizontal, align.vertical or "bottom",
                              bool(align.wrap_text), border, numeric_text))
    return xs[-1], ys[-1], boxes


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _font(box: _Box):
    from PySide6.QtGui import QFont

    font = QFont("Liberation Serif")
    font.setPixelSize(max(1, round(box.size * 4 / 3)))
    font.setBold(box.bold)
    font.setItalic(box.italic)
    return font


def _flags(box: _Box) -> int:
    from PySide6.QtCore import Qt

    horizontal = {"center": Qt.AlignmentFlag.AlignHCenter, "right": Qt.AlignmentFlag.AlignRight,
                  "justify": Qt.AlignmentFlag.AlignJustify,
                  "centerContinuous": Qt.AlignmentFlag.AlignHCenter}.get(
        box.align, Qt.AlignmentFlag.AlignLeft)
    vertical = {"top": Qt.AlignmentFlag.AlignTop, "center": Qt.AlignmentFlag.AlignVCenter}.get(
        box.valign, Qt.AlignmentFlag.AlignBottom)
    flags = horizontal | vertical
    if box.wrap:
        # a spreadsheet breaks a word longer than the cell inside the word, at any letter
        flags |= (Qt.TextFlag.TextWrapAnywhere if _long_word(box) else Qt.TextFlag.TextWordWrap)
    return flags


def _long_word(box: _Box) -> bool:
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(_font(box))
    return any(metrics.horizontalAdvance(word) > box.w - 2 * PADDING
               for word in box.text.split())


def _fits(box: _Box) -> bool:
    """Whether the text shows whole in its cell (wrapped text: all its lines in the height;
    unwrapped text in a merged or bordered cell: within its width)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics

    if not box.text:
        return True
    metrics = QFontMetrics(_font(box))
    inner = QRect(0, 0, max(1, box.w - 2 * PADDING), 100000)
    if box.wrap:
        need = metrics.boundingRect(inner, int(_flags(box)), box.text)
        return need.height() <= box.h and need.width() <= inner.width() + 1
    return metrics.horizontalAdvance(box.text) <= box.w - 2 * PADDING or not any(box.border)


class SheetPicture:
    """A sheet laid out for drawing; ``image()`` paints it through a widget grab."""

    def __init__(self, ws, max_row: int | None = None, max_col: int | None = None):
        self.ws = ws
        self.width, self.height, self.boxes = _layout(ws, max_row, max_col)

    def problems(self) -> list[Problem]:
        from openpyxl.utils import get_column_letter

        _qt_app()
        found = []
        for box in self.boxes:
            name = f"{get_column_letter(box.col)}{box.row}"
            if box.numeric_text:
                found.append(Problem(name, f"số lưu dạng chữ «{box.text}»"))
            if not _fits(box):
                found.append(Problem(name, f"chữ không vừa ô «{box.text[:40]}»"))
        return found

    def image(self):
        from PySide6.QtCore import QRect, Qt
        from PySide6.QtGui import QColor, QPainter, QPen, QPolygon
        from PySide6.QtCore import QPoint
        from PySide6.QtWidgets import QWidget

        _qt_app()
        boxes, size = self.boxes, (self.width, self.height)

        class Canvas(QWidget):
            def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
                p = QPainter(self)
                p.fillRect(self.rect(), QColor("white"))
                grid = QPen(QColor("#e0e0e0"))
                p.setPen(grid)
                for box in boxes:
                    p.drawRect(QRect(box.x, box.y, box.w, box.h))
                for box in boxes:
                    rect = QRect(box.x, box.y, box.w, box.h)
                    p.setPen(QPen(QColor("black"), 1))
                    left, top, right, bottom = box.border
                    if left:
                        p.drawLine(rect.topLeft(), rect.bottomLeft())
                    if top:
                        p.drawLine(rect.topLeft(), rect.topRight())
                    if right:
                        p.drawLine(rect.topRight(), rect.bottomRight())
                    if bottom:
                        p.drawLine(rect.bottomLeft(), rect.bottomRight())
                    p.setFont(_font(box))
                    p.save()
                    p.setClipRect(rect.adjusted(1, 1, -1, -1))
                    p.drawText(rect.adjusted(PADDING, 1, -PADDING, -1), int(_flags(box)),
                               box.text)
                    p.restore()
                    corner = None
                    if box.numeric_text:
                        corner = QColor("#1e8c3a")
                    elif not _fits(box):
                        corner = QColor("#d32f2f")
                    if corner is not None:
                        p.setBrush(corner)
                        p.setPen(Qt.PenStyle.NoPen)
                        p.drawPolygon(QPolygon([rect.topLeft(), rect.topLeft() + QPoint(7, 0),
                                                rect.topLeft() + QPoint(0, 7)]))
                        p.setBrush(Qt.BrushStyle.NoBrush)
                p.end()

        canvas = Canvas()
        canvas.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        canvas.resize(*size)
        image = canvas.grab().toImage()
        canvas.deleteLater()
        return image


def render(xlsx: str | Path, out: str | Path, *, sheet: str | None = None,
           max_row: int | None = None) -> tuple[Path, list[Problem]]:
    """Draw a sheet (the active one by default) of ``xlsx`` into the PNG ``out``; return the
    path and what looks wrong."""
    from openpyxl import load_workbook

    _qt_app()
    wb = load_workbook(xlsx)
    ws = wb[sheet] if sheet else wb.active
    picture = SheetPicture(ws, max_row)
    image = picture.image()
    out = Path(out)
    if not image.save(str(out)):
        raise OSError(f"cannot write {out}")
    return out, picture.problems()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("xlsx", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sheet")
    parser.add_argument("--max-row", type=int)
    args = parser.parse_args(argv)
    path, problems = render(args.xlsx, args.out, sheet=args.sheet, max_row=args.max_row)
    print(path)
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
