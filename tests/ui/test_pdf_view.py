"""QtPdf preview and printing (``gnapp.ui.pdf_view``) on real PDFs and a real QPrinter that
writes what it prints to a PDF file."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from gnapp.domain.cancel import Cancelled
from gnapp.ui.pdf_view import PdfError, PdfPreview, print_pdf


@pytest.fixture
def source(tmp_path) -> Path:
    """Three pages: portrait, landscape, portrait, each with a black bar and its number."""
    path = tmp_path / "nguon.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for n, size in enumerate((A4, landscape(A4), A4), start=1):
        c.setPageSize(size)
        c.rect(72, size[1] - 144, size[0] / 2, 72, fill=1)
        c.setFont("Helvetica", 14)
        c.drawString(72, 72, f"Trang so {n}")
        c.showPage()
    c.save()
    return path


def printer_to(path: Path, copies: int = 1) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setCopyCount(copies)
    return printer


def sizes(path: Path) -> list[tuple[int, int]]:
    return [(round(p.mediabox.width), round(p.mediabox.height)) for p in PdfReader(path).pages]


def dark_share(path: Path, page: int) -> float:
    """The share of dark pixels of a page rendered small: where the ink is."""
    document = QPdfDocument()
    document.load(str(path))
    size = document.pagePointSize(page)
    image = document.render(page, QSize(round(size.width() / 4), round(size.height() / 4)))
    dark = sum(1 for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).lightness() < 100)
    document.close()
    return dark / (image.width() * image.height())


def test_every_page_is_printed_at_its_size_and_orientation(qapp, source, tmp_path):
    out = tmp_path / "giay.pdf"
    assert print_pdf(source, printer_to(out)).pages == 3
    assert sizes(out) == sizes(source) == [(595, 842), (842, 595), (595, 842)]
    for page in range(3):           # the ink lands where the source has it, nothing scaled
        assert dark_share(out, page) == pytest.approx(dark_share(source, page), abs=0.004)
        assert dark_share(out, page) > 0.03


def test_page_range_and_copies_collated_or_not(qapp, source, tmp_path):
    printer = printer_to(tmp_path / "a.pdf", copies=2)
    printer.setFromTo(2, 3)
    printer.setCollateCopies(True)
    assert print_pdf(source, printer).pages == 4
    assert sizes(tmp_path / "a.pdf") == [(842, 595), (595, 842)] * 2
    printer = printer_to(tmp_path / "b.pdf", copies=2)
    printer.setFromTo(2, 3)
    printer.setCollateCopies(False)
    print_pdf(source, printer)
    assert sizes(tmp_path / "b.pdf") == [(842, 595), (842, 595), (595, 842), (595, 842)]


def test_a_range_past_the_end_is_refused_in_vietnamese(qapp, source, tmp_path):
    printer = printer_to(tmp_path / "x.pdf")
    printer.setFromTo(5, 6)
    with pytest.raises(PdfError, match="chỉ có 3 trang"):
        print_pdf(source, printer)


def cancel_at(page: int, seen: list):
    def progress(done, total, label):
        seen.append(label)
        if done == page:
            raise Cancelled()
    return progress


def test_cancel_before_the_first_page_prints_nothing(qapp, source, tmp_path):
    out, seen = tmp_path / "huy.pdf", []
    with pytest.raises(Cancelled):
        print_pdf(source, printer_to(out), cancel_at(0, seen))
    assert seen == ["Đang in trang 1/3"] and not out.exists()


def test_a_job_that_cannot_be_aborted_is_finished_not_cut(qapp, source, tmp_path):
    """Qt's PDF and CUPS engines cannot abort: half a document is worse than a whole one."""
    out, seen = tmp_path / "het.pdf", []
    sent = print_pdf(source, printer_to(out), cancel_at(1, seen))
    assert sent.pages == 3 and sent.not_stopped
    assert seen == ["Đang in trang 1/3", "Đang in trang 2/3"]
    assert len(PdfReader(out).pages) == 3


def test_a_damaged_file_is_refused_naming_it(qapp, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(PdfError, match="hong.pdf"):
        print_pdf(bad, printer_to(tmp_path / "y.pdf"))
    preview = PdfPreview("trống")
    with pytest.raises(PdfError, match="hong.pdf"):
        preview.show_pdf(bad)
    assert preview.page_count() == 0 and not preview.zoom_in_button.isEnabled()


def test_preview_shows_pages_text_and_zooms(qtbot, source, tmp_path):
    preview = PdfPreview("Chưa có văn bản")
    qtbot.addWidget(preview)
    preview.resize(700, 500)
    preview.show()
    assert preview.placeholder.isVisible() and preview.page_count() == 0
    copy = tmp_path / "ban-sao.pdf"
    copy.write_bytes(source.read_bytes())
    assert preview.show_pdf(copy) == 3
    copy.unlink()                    # read into memory: the file may go
    assert preview.view.isVisible() and preview.pages_label.text() == "Trang 1/3"
    assert preview.text().split("\n")[0].strip() == "Trang so 1"
    preview.zoom_in_button.click()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    bigger = preview.view.zoomFactor()
    preview.zoom_out_button.click()
    assert preview.view.zoomFactor() == pytest.approx(bigger / 1.25)
    preview.page_button.click()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitInView
    preview.clear()
    assert preview.placeholder.isVisible() and preview.text() == ""
