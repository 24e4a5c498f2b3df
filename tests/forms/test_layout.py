"""The document layout engine: numbering, PDF (pypdf) and XLSX (openpyxl) read back."""

import unicodedata
from datetime import date

import pytest

from gnapp.forms import catalog
from gnapp.forms import document as d
from gnapp.forms.pdf import render_pdf
from gnapp.forms.xlsx import INT_FORMAT, RATE_FORMAT, render_xlsx
from readback import (
    find_row, pdf_cells_after, pdf_fonts, pdf_page_sizes, pdf_pages, pdf_text, sheet,
)

A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)
KT = d.Signature(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), "PHÓ CHỦ TỊCH", name="Phạm Duy Hưng")


def test_heading_numbers_are_generated_per_level():
    body = [d.Heading("Kết quả", 0), d.Heading("Chỉ đạo", 1), d.Para("…"),
            d.Heading("Mục tiêu", 1), d.Heading("Giảm nghèo", 2), d.Heading("Hộ nghèo", 3),
            d.Heading("Hộ cận nghèo", 3), d.Heading("Mục tiêu", 4), d.Heading("Đối tượng", 4),
            d.Bullet("một"), d.Bullet("hai", 2), d.Heading("Việc làm", 2),
            d.Heading("Kế hoạch", 0), d.Heading("Bối cảnh", 1)]
    assert d.heading_labels(body) == ["A.", "I.", None, "II.", "1.", "1.1.", "1.2.", "a)",
                                      "b)", "-", "+", "2.", "B.", "I."]
    assert [d.roman(n) for n in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]


def test_cells_are_placed_around_spans_and_bad_rows_are_refused():
    placed = d.place_cells([[d.Cell("TT", rowspan=2), d.Cell("Hộ nghèo", colspan=2)],
                            ["Số hộ", "Tỷ lệ"]], 3)
    assert [(p.row, p.col, p.cell.value) for p in placed] == [
        (0, 0, "TT"), (0, 1, "Hộ nghèo"), (1, 1, "Số hộ"), (1, 2, "Tỷ lệ")]
    with pytest.raises(ValueError):
        d.place_cells([["a", "b"]], 3)


def test_number_and_date_lines_of_a_draft_and_of_an_issued_document():
    draft = d.Document(issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN"), title=("BÁO CÁO",),
                       place="Tân Yên", symbol="BC-UBND", month=7, year=2026)
    assert draft.number_line == "Số:       /BC-UBND"
    assert draft.date_line == "Tân Yên, ngày     tháng 7 năm 2026"
    issued = d.Document(issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN"), title=("BÁO CÁO",),
                        place="Tân Yên", symbol="KH-UBND", number="58", day=date(2026, 2, 5))
    assert (issued.number_line, issued.date_line) == \
        ("Số: 58/KH-UBND", "Tân Yên, ngày 05 tháng 02 năm 2026")


def narrative(pages: int = 3) -> d.Document:
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân xã báo cáo kết quả rà soát như sau:")
    body = []
    for _ in range(pages):
        body += [d.Para(nfd), d.Heading("Kết quả thực hiện", 0), d.Heading("Chỉ đạo", 1),
                 d.Para("Nội dung " * 120), d.Heading("Mục tiêu", 2), d.Bullet("Giảm 1,5%;")]
    return d.Document(
        issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN"), title=("BÁO CÁO", "Kết quả rà soát năm 2025"),
        place="Tân Yên", symbol="BC-UBND", month=11, year=2026, body=tuple(body),
        recipients=("UBND tỉnh Bắc Ninh (b/c);", "Lưu: VT, VHXH."), signatures=(KT,),
        fingerprint="ab" * 32, name="Báo cáo mẫu")


def test_a_narrative_document_in_pdf(tmp_path):
    path = render_pdf(narrative(), tmp_path / "bc.pdf")
    pages = pdf_pages(path)
    text = "\n".join(pages)
    assert unicodedata.is_normalized("NFC", text)
    for expected in ("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN", d.MOTTO_TITLE, d.MOTTO, "BÁO CÁO",
                     "Kết quả rà soát năm 2025", "Số:", "/BC-UBND", "tháng 11 năm 2026",
                     "A. KẾT QUẢ THỰC HIỆN", "I. Chỉ đạo", "1. Mục tiêu", "- Giảm 1,5%;",
                     "B. KẾT QUẢ THỰC HIỆN", "Ủy ban nhân dân xã báo cáo", "Nơi nhận:",
                     "- UBND tỉnh Bắc Ninh (b/c);", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH",
                     "PHÓ CHỦ TỊCH", "Phạm Duy Hưng", "Mã dữ liệu: abababababab"):
        assert expected in text, expected
    assert len(pages) >= 2
    # Nghị định 30/2020: the first page shows no number, the next ones do (top centre)
    assert not pages[0].lstrip().startswith("1\n")
    assert "\n2\n" in f"\n{pages[1]}"
    assert set(pdf_page_sizes(path)) == {A4_PORTRAIT}
    assert pdf_fonts(path) <= {"LiberationSerif", "LiberationSerif-Bold",
                               "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}


def test_a_narrative_document_in_xlsx(tmp_path):
    ws = sheet(render_xlsx(narrative(1), tmp_path / "bc.xlsx"))
    column = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "A. KẾT QUẢ THỰC HIỆN" in column and "- Giảm 1,5%;" in column
    assert d.MOTTO_TITLE in column and "KT. CHỦ TỊCH" in column


def test_a_report_pdf_is_landscape_with_only_liberation_serif(commune, tmp_path):
    path = catalog.produce(commune.db, "bao-cao-2", tmp_path / "bc2.pdf", round_year=2025)
    assert set(pdf_page_sizes(path)) == {A4_LANDSCAPE}
    assert pdf_fonts(path) == {"LiberationSerif", "LiberationSerif-Bold",
                               "LiberationSerif-Italic"}      # column numbers: italic only
    text = pdf_text(path)
    assert unicodedata.is_normalized("NFC", text)
    text = " ".join(text.split())                 # header cells wrap
    for expected in ("TỔNG HỢP DIỄN BIẾN HỘ NGHÈO", d.MOTTO_TITLE, d.MOTTO, "XÃ TÂN YÊN",
                     "Tân Yên, ngày", "Diễn biến giảm số hộ nghèo", "Tái nghèo",
                     "Nhân khẩu", "NGƯỜI LẬP BIỂU", "CHỦ TỊCH"):
        assert expected in text, expected


def test_a_report_xlsx_has_merged_headers_totals_and_number_formats(commune, tmp_path):
    path = catalog.produce(commune.db, "bao-cao-1", tmp_path / "bc1.xlsx", round_year=2025)
    ws = sheet(path)
    top = find_row(ws, 1, "TT")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A{top}:A{top + 2}", f"B{top}:B{top + 2}", f"C{top}:D{top + 1}",
            f"E{top}:J{top}", f"K{top}:P{top}", f"E{top + 1}:F{top + 1}",
            f"O{top + 1}:P{top + 1}"} <= merged
    assert ws.cell(top, 5).value == "Kết quả rà soát về hộ (chính thức)"
    assert [ws.cell(top + 3, c).value for c in (1, 2, 3, 6)] == ["A", "B", "1", "4=3/1 ×100"]
    total = find_row(ws, 2, "Xã Tân Yên")
    villages = [find_row(ws, 2, name) for name in ("Thôn Một", "Thôn Hai", "Thôn Ba")]
    assert total == top + 4 and ws.cell(total, 1).value == "1"
    assert ws.cell(total, 3).font.b and not ws.cell(villages[0], 3).font.b
    for col in (3, 4, 5, 7, 9, 11, 13, 15):          # counts: the total is the sum of rows
        assert ws.cell(total, col).value == sum(ws.cell(r, col).value for r in villages)
        assert ws.cell(total, col).number_format == INT_FORMAT
        assert not str(ws.cell(total, col).value).startswith("=")
    assert ws.cell(total, 6).value == pytest.approx(30.0)       # 3 of 10 households
    assert ws.cell(total, 6).number_format == RATE_FORMAT
    assert ws.cell(total, 16).value == pytest.approx(14.81)     # 4 of 27 persons
    assert ws.print_title_rows == f"${top}:${top + 3}"
    assert ws.page_setup.orientation == "landscape"


def test_a_movement_report_xlsx_merges_each_unit_over_its_two_rows(commune, tmp_path):
    ws = sheet(catalog.produce(commune.db, "bao-cao-3", tmp_path / "bc3.xlsx",
                               round_year=2025))
    row = find_row(ws, 2, "Thôn Hai")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A{row}:A{row + 1}", f"B{row}:B{row + 1}"} <= merged
    assert [ws.cell(row, c).value for c in range(3, 13)] == ["Hộ", 2, 1, 0, 0, 0, 0, 1, 0, 2]
    assert [ws.cell(row + 1, c).value for c in range(3, 13)] == \
        ["Nhân khẩu", 5, 3, 0, 0, 0, 0, 2, 0, 4]


def test_rates_print_with_a_decimal_comma(commune, tmp_path):
    path = catalog.produce(commune.db, "bao-cao-1", tmp_path / "bc1.pdf", round_year=2025)
    assert pdf_cells_after(path, "Thôn Một", 4) == ["5", "15", "3", "60,00"]
