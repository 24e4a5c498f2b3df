"""tools/xlsx_picture.py draws a real XLSX as a PNG of the sheet's size and says what looks
wrong in it; the review reports of the scripted commune show nothing wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from PySide6.QtGui import QImage

from gnapp.forms import catalog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import xlsx_picture as xp  # noqa: E402


def _expected_size(path: Path) -> tuple[int, int]:
    """The sheet's size at 100 %, from its own column widths and row heights."""
    ws = load_workbook(path).active
    columns = [ws.column_dimensions.get(get_column_letter(c)) for c in range(1, ws.max_column + 1)]
    width = sum(round(((c.width if c is not None else None) or 8.43) * 7 + 5) for c in columns)
    rows = [ws.row_dimensions.get(r) for r in range(1, ws.max_row + 1)]
    height = sum(round(((r.height if r is not None else None) or 15) * 4 / 3) for r in rows)
    return width, height


def test_a_report_is_drawn_at_the_size_of_its_sheet(commune, tmp_path):
    xlsx = catalog.produce(commune.db, "bao-cao-1", tmp_path / "bc1.xlsx", round_year=2025)
    png, problems = xp.render(xlsx, tmp_path / "bc1.png")
    image = QImage(str(png))
    assert (image.width(), image.height()) == _expected_size(xlsx)
    assert image.width() > 800 and image.height() > 400
    assert problems == []
    # some of the picture is ink: the grid, the text
    dark = sum(image.pixelColor(x, y).lightness() < 100
               for y in range(0, image.height(), 4) for x in range(0, image.width(), 4))
    assert dark > 500


def test_every_review_report_of_the_commune_looks_right_as_a_sheet(commune, tmp_path):
    for name, spec in catalog.REPORTS.items():
        if ".xlsx" not in spec.formats or name == "phu-luc-1":
            continue
        xlsx = catalog.produce(commune.db, name, tmp_path / f"{name}.xlsx", round_year=2025)
        picture = xp.SheetPicture(load_workbook(xlsx).active)
        assert picture.problems() == [], name


def test_numbers_as_text_and_cut_off_text_are_found(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "1.234"                                       # a figure typed as text
    ws["B1"] = 1234
    ws["B1"].number_format = "#,##0"
    ws["C1"] = 11.675
    ws["C1"].number_format = "0.00"
    ws["A2"] = "Tổng số hộ nông, lâm, ngư nghiệp có mức sống trung bình"
    ws["A2"].alignment = Alignment(wrap_text=True)
    box = Side(style="thin")
    ws["A2"].border = Border(left=box, right=box, top=box, bottom=box)
    ws["A3"] = "1959"                                        # a year of birth: a label
    path = tmp_path / "t.xlsx"
    wb.save(path)
    picture = xp.SheetPicture(load_workbook(path).active)
    assert [str(p) for p in picture.problems()] == [
        "A1: số lưu dạng chữ «1.234»",
        "A2: chữ không vừa ô «Tổng số hộ nông, lâm, ngư nghiệp có mức »"]
    shown = {(b.row, b.col): b.text for b in picture.boxes}
    assert shown[(1, 2)] == "1.234" and shown[(1, 3)] == "11,68"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "xlsx_picture.py"), str(path),
                           str(tmp_path / "t.png")], capture_output=True, text=True,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and "A1: số lưu dạng chữ" in done.stdout
    assert QImage(str(tmp_path / "t.png")).width() == _expected_size(path)[0]
