"""A chart in a document (``Figure``): drawn in the PDF, its figures in XLSX, a picture or
its figures in .docx. Files are read back with pypdf, openpyxl and python-docx."""

from decimal import Decimal as D

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from chart_samples import (BUDGET_LINES, INDICATORS, VILLAGES, budget_lines, deprivations,
                           rates_over_years, village_rates)
from gnapp.forms import document as d
from gnapp.forms.docx_export import render_docx
from gnapp.forms.pdf import render_pdf
from gnapp.forms.xlsx import render_xlsx


def report(*body: d.Block) -> d.Document:
    return d.Document(issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN"), title=("BÁO CÁO",),
                      place="Tân Yên", symbol="BC-UBND", year=2025, month=12, body=body,
                      signatures=(d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH"),),
                      recipients=("Lưu: VT.",))


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def pdf_fonts(path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_pdf_draws_the_chart_with_its_title_categories_and_ticks(tmp_path):
    doc = report(d.Heading("Kết quả rà soát"), d.Figure(village_rates()),
                 d.Figure(deprivations(), 110), d.Figure(rates_over_years()))
    out = render_pdf(doc, tmp_path / "bieu-do.pdf")
    text = pdf_text(out)
    for expected in ("Tỷ lệ hộ nghèo, hộ cận nghèo theo thôn – năm 2025", "Thôn Bãi Sậy",
                     "Toàn xã 12,50%", "Hộ cận nghèo", "Việc làm", "Nhà tiêu hợp vệ sinh",
                     "Chuẩn nghèo 2022–2025", "2019", "2026"):
        assert expected in text, expected
    lines = {line.strip() for line in text.splitlines()}
    assert {"0", "10", "20", "25"} <= lines            # the rate axis's gridline labels
    assert pdf_fonts(out) == {"LiberationSerif", "LiberationSerif-Bold",
                              "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}


def test_a_figure_is_never_split_and_takes_its_heading_along(tmp_path):
    filler = tuple(d.Para("Nội dung báo cáo " * 30) for _ in range(4))
    doc = report(*filler, d.Heading("Giải ngân"), d.Figure(budget_lines(), 120))
    out = render_pdf(doc, tmp_path / "tach.pdf")
    pages = [page.extract_text() for page in PdfReader(out).pages]
    (where,) = [i for i, text in enumerate(pages) if BUDGET_LINES[0][:20] in text]
    assert "Vốn được giao và đã giải ngân" in pages[where]
    assert BUDGET_LINES[-1][:20] in pages[where]       # the whole chart on one page
    assert "II. Giải ngân" not in pages[where - 1] and "I. Giải ngân" in pages[where]


def test_xlsx_writes_the_figures_as_a_table(tmp_path):
    out = render_xlsx(report(d.Figure(village_rates())), tmp_path / "bieu-do.xlsx")
    ws = load_workbook(out).active
    cells = {(r, col): ws.cell(r, col).value for r in range(1, ws.max_row + 1)
             for col in range(1, 4)}
    (title_row,) = [r for (r, col), v in cells.items() if v == village_rates().title]
    header = title_row + 2                         # the unit note, then the header
    assert cells[(header - 1, 1)] == "Đơn vị tính: %"
    assert [cells[(header, col)] for col in (1, 2, 3)] == ["Nội dung", "Hộ nghèo",
                                                            "Hộ cận nghèo"]
    body = [[cells[(header + 1 + i, col)] for col in (1, 2, 3)] for i in range(10)]
    assert [row[0] for row in body[:8]] == list(VILLAGES)
    assert body[0][1:] == [3.85, 5.1] and body[2][1:] == [21.4, 14.2]
    assert body[6][2] == "—"                        # no near-poor rate for Thôn Bãi Sậy
    assert body[8] == ["Toàn xã", 12.5, None] and body[9] == ["Toàn xã", None, 8.9]
    assert ws.cell(header + 1, 2).number_format == "0.00"


def test_xlsx_figure_fits_the_columns_of_the_tables_around_it(tmp_path):
    table = d.Table((d.Column(10), d.Column(60, d.TEXT), d.Column(25), d.Column(25)),
                    ((d.Cell("TT"), d.Cell("Thôn"), d.Cell("Hộ"), d.Cell("Hộ nghèo")),),
                    (d.Row((1, "Thôn Đông Thịnh", 120, 5)),))
    chart = deprivations()
    out = render_xlsx(report(table, d.Figure(chart)), tmp_path / "cot.xlsx")
    ws = load_workbook(out).active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == INDICATORS[0])
    assert ws.cell(row, 4).value == 41                     # the one series: last column
    assert any(str(m) == f"A{row}:C{row}" for m in ws.merged_cells.ranges)


def test_docx_with_a_picture(tmp_path, qapp):
    from gnapp.ui.charts import chart_png
    drawn = []

    def picture(chart):
        drawn.append(chart.name)
        return chart_png(chart)

    out = render_docx(report(d.Figure(village_rates()), d.Figure(budget_lines())),
                      tmp_path / "anh.docx", picture=picture)
    document = docx.Document(str(out))
    assert len(document.inline_shapes) == 2
    assert drawn == ["ty-le-ngheo-theo-thon", "giai-ngan-theo-du-an"]
    shape = document.inline_shapes[0]
    assert shape.width.mm == pytest.approx(165, abs=0.5)
    assert shape.height / shape.width == pytest.approx(900 / 1600, abs=0.01)


def test_docx_without_a_picture_writes_the_figures(tmp_path):
    out = render_docx(report(d.Figure(budget_lines())), tmp_path / "bang.docx")
    document = docx.Document(str(out))
    assert len(document.inline_shapes) == 0
    texts = [p.text for p in document.paragraphs]
    assert budget_lines().title in texts and "Đơn vị tính: triệu đồng" in texts
    table = document.tables[-2]                 # the last one is the signature block
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Nội dung", "Vốn được giao", "Đã giải ngân"]
    assert rows[1] == [BUDGET_LINES[0], "1.250,50", "1.010,00"]
    assert len(rows) == 1 + len(BUDGET_LINES)


def test_figure_table_keeps_missing_values_apart_from_references():
    table = d.figure_table(d.Figure(village_rates()))
    assert len(table.columns) == 3 and len(table.rows) == 10
    bai_say = table.rows[6].cells
    assert bai_say[0].value == "Thôn Bãi Sậy" and bai_say[2].value is None
    assert d.cell_text(bai_say[2], d.RATE) == "—"
    assert [cell.value for cell in table.rows[9].cells] == ["Toàn xã", "", D("8.90")]
