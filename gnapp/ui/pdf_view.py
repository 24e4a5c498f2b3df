"""Showing and printing a PDF with QtPdf.

``PdfPreview`` is the preview of the Reports and Văn bản areas: the very PDF that would be
saved or printed, page after page, with zoom. ``print_pdf`` prints such a file on the printer
chosen in the print dialog on every platform alike (Windows has no ``lp``, and its shell's
"print" verb ignores the chosen printer): each page is rendered by QtPdf and painted on the
``QPrinter``, so the dialog's printer, copies, page range and duplex are all honoured.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QStackedLayout, QVBoxLayout,
                               QWidget)

from gnapp.domain.cancel import Cancelled, Progress, no_progress
from gnapp.domain.errors import GnappError

PRINT_DPI = 300            # pages are rendered at most this fine (A4: 2480 × 3508 pixels)
ZOOM_STEP = 1.25


class PdfError(GnappError):
    """A PDF QtPdf cannot open, or a printer that refused the job."""


def _load(document: QPdfDocument, path: Path) -> None:
    status = document.load(str(path))
    if status != QPdfDocument.Error.None_:
        raise PdfError(f"Không mở được tệp PDF {path.name} ({status.name}).")


@dataclass(frozen=True)
class Sent:
    """What ``print_pdf`` sent: the pages, and whether a «Hủy» came too late to stop it (the
    printing system could not abort the job, so it was printed to the end)."""

    pages: int
    not_stopped: bool = False


def print_pdf(path: Path, printer: QPrinter, progress: Progress = no_progress) -> Sent:
    """Print the PDF at ``path`` on ``printer`` as the print dialog left it: the page range
    (``fromPage``/``toPage``, 0 for all), and the copies, made by the printing system or, where
    it cannot, by printing the pages again (collated as asked). Each page is put on the paper
    at its own size and orientation (the PDF already has the margins of Nghị định 30).

    :param progress: called before each page. A ``Cancelled`` it raises before the first page
        prints nothing; later it aborts the job where the printing system can (Windows).
        Where it cannot (CUPS spools the job when it ends), the job is finished and
        ``Sent.not_stopped`` says so, rather than leaving half a document in the printer.
    :raises PdfError: the file cannot be opened, the range holds no page, or the printer
        refused the job
    """
    document = QPdfDocument()
    _load(document, path)
    count = document.pageCount()
    first = max(printer.fromPage(), 1) if printer.fromPage() else 1
    last = min(printer.toPage(), count) if printer.toPage() else count
    if first > last:
        document.close()
        raise PdfError(f"Văn bản chỉ có {count} trang; khoảng trang {printer.fromPage()}–"
                       f"{printer.toPage()} không có trang nào để in.")
    pages = list(range(first - 1, last))
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if printer.collateCopies():
        order = pages * copies
    else:
        order = [p for p in pages for _ in range(copies)]
    printer.setFullPage(True)          # the PDF page is the sheet: no second set of margins
    dpi = min(printer.resolution(), PRINT_DPI)
    painter = QPainter()
    not_stopped = False

    def report(done: int, label: str) -> None:
        nonlocal not_stopped
        if not_stopped:
            return
        try:
            progress(done, len(order), label)
        except Cancelled:
            if not painter.isActive() or printer.abort():
                raise
            not_stopped = True

    try:
        for done, page in enumerate(order):
            report(done, f"Đang in trang {page + 1}/{count}")
            size = document.pagePointSize(page)
            printer.setPageOrientation(QPageLayout.Orientation.Landscape
                                       if size.width() > size.height()
                                       else QPageLayout.Orientation.Portrait)
            if done == 0:
                if not painter.begin(printer):
                    raise PdfError("Máy in không nhận lệnh in (kiểm tra máy in đã bật, đã "
                                   "nối và còn giấy).")
            elif not printer.newPage():
                raise PdfError("Máy in dừng giữa chừng khi sang trang mới.")
            image = document.render(page, QSize(round(size.width() * dpi / 72),
                                                round(size.height() * dpi / 72)))
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            scale = min(paper.width() / size.width(), paper.height() / size.height())
            painter.drawImage(QRectF(QPointF(0, 0), size * scale), image)
        report(len(order), "Đã gửi tới máy in")
    finally:
        if painter.isActive():
            painter.end()
        document.close()
    return Sent(len(order), not_stopped)


class PdfPreview(QWidget):
    """A PDF shown page after page, as it will be printed, with zoom buttons.

    The file is read into memory, so it may be replaced or removed while shown. ``scratch``
    is a folder of this widget's own for the files it shows (removed with the widget).
    """

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._temp = tempfile.TemporaryDirectory(prefix="gnapp-xem-truoc-")
        self.scratch = Path(self._temp.name)
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.view = QPdfView()
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.placeholder = QLabel(placeholder)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setToolTip("Thu nhỏ")
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setToolTip("Phóng to")
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("+") * 4 + 16)
        self.width_button = QPushButton("Vừa chiều rộng")
        self.page_button = QPushButton("Cả trang")
        self.pages_label = QLabel()
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for button in (self.zoom_out_button, self.zoom_in_button, self.width_button,
                       self.page_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            bar.addWidget(button)
        bar.addStretch()
        bar.addWidget(self.pages_label)
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / ZOOM_STEP))
        self.zoom_in_button.clicked.connect(lambda: self.zoom(ZOOM_STEP))
        self.width_button.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.page_button.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.view.pageNavigator().currentPageChanged.connect(lambda _: self._show_page())

        self._stack = QStackedLayout()
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(self._stack, 1)
        self.clear()

    def show_pdf(self, path: Path) -> int:
        """Show the PDF at ``path`` from its first page; returns its number of pages.

        :raises PdfError: QtPdf cannot read it (the preview is left empty)
        """
        data = QByteArray(Path(path).read_bytes())
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            self.clear()
            raise PdfError(f"Không hiển thị được tệp PDF {Path(path).name}.")
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        self._stack.setCurrentWidget(self.view)
        self.view.pageNavigator().jump(0, QPointF(), self.view.pageNavigator().currentZoom())
        self._set_enabled(True)
        self._show_page()
        return self.page_count()

    def clear(self) -> None:
        self.document.close()
        self._stack.setCurrentWidget(self.placeholder)
        self._set_enabled(False)
        self.pages_label.clear()

    def page_count(self) -> int:
        return self.document.pageCount() if self._stack.currentWidget() is self.view else 0

    def text(self) -> str:
        """The text of the pages shown, as QtPdf reads it (pages separated by a newline)."""
        return "\n".join(self.document.getAllText(page).text()
                         for page in range(self.page_count()))

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` from what is shown now (a fit mode becomes a fixed zoom)."""
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            page = self.document.pagePointSize(self.view.pageNavigator().currentPage())
            viewport = self.view.viewport().width()
            current = viewport / max(page.width() * self.logicalDpiX() / 72, 1)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(current * factor, 8.0)))

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.zoom_out_button, self.zoom_in_button, self.width_button,
                       self.page_button):
            button.setEnabled(enabled)

    def _show_page(self) -> None:
        if self.page_count():
            page = self.view.pageNavigator().currentPage() + 1
            self.pages_label.setText(f"Trang {page}/{self.page_count()}")
