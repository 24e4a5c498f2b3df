"""The Reports area ("Báo cáo"): every form and report gnapp prints, with its parameters, a
preview, printing and saving as PDF or XLSX, and the book of printed copies (sign, unlock).

Building and writing run in the task manager's worker, with a progress bar and «Hủy»; every
print goes through ``gnapp.forms.printing.print_form``, which records the printed copy of the
recorded forms and marks a reprint "BẢN SAO".

The preview is the PDF itself, shown by QtPdf (``gnapp.ui.pdf_view``): what is seen is what
is printed. Printing renders that PDF on the printer chosen in the print dialog, with its
copies and page range, the same way on Windows and Linux; "Print to PDF" in the dialog
writes the PDF where it points instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTableWidgetItem, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import documents, reviews, sites, units
from gnapp.domain.cancel import Cancelled
from gnapp.domain.documents import COPY_STATES, SIGNED, local_time
from gnapp.forms import catalog, printing
from gnapp.forms import document as d
from gnapp.ui.pdf_view import PdfPreview, Sent, print_pdf
from gnapp.ui.profile_dialog import open_profile_dialog
from gnapp.ui.tasks import TaskManager, TaskProgress, show_error
from gnapp.ui.widgets import add_shortcut, ask_text, list_table, page_layout, split_panes

AREA_TITLE = "Báo cáo"
WHOLE_COMMUNE = "Toàn xã"
CURRENT_ROUND = "Đợt hiện tại"
NAME_ROLE = Qt.ItemDataRole.UserRole


class ReportsPage(QWidget):
    """Choose a form, set its parameters, preview, print or save it; printed copies below.

    :param db: the GUI thread's read connection
    :param tasks: the worker that builds, writes and records
    """

    message = Signal(str)
    printed = Signal(object)          # a printing.Printed, after each print or save

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.preview_doc: d.Document | None = None
        self.task_progress: TaskProgress | None = None
        self._setup()
        self.reload()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)

        self.forms = QTreeWidget()
        self.forms.setHeaderHidden(True)
        self.forms.setMinimumWidth(200)
        for group in dict.fromkeys(s.group for s in catalog.REPORTS.values()):
            parent = QTreeWidgetItem([group])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            self.forms.addTopLevelItem(parent)
            for spec in catalog.REPORTS.values():
                if spec.group == group:
                    item = QTreeWidgetItem([spec.label])
                    item.setData(0, NAME_ROLE, spec.name)
                    item.setToolTip(0, spec.title)
                    parent.addChild(item)
        self.forms.expandAll()

        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.round_box = QComboBox()
        self.unit_box = QComboBox()
        self.household_edit = QLineEdit()
        self.household_edit.setPlaceholderText("mã hộ, ví dụ 01-0011")
        self.blank_check = QCheckBox("Phiếu trắng (không điền sẵn từ sổ hộ)")
        self.chart_check = QCheckBox("Kèm biểu đồ sau bảng số liệu")
        self.issue_check = QCheckBox("Ban hành: cấp số tiếp theo, ngày hôm nay")
        self.issue_check.setToolTip("Văn bản được cấp số tiếp theo trong sổ văn bản và ghi ngày "
                                    "hôm nay; in lại vẫn giữ số đã cấp")
        params = QFormLayout()
        params.addRow("Đợt rà soát:", self.round_box)
        params.addRow("Phạm vi:", self.unit_box)
        params.addRow("Hộ:", self.household_edit)
        params.addRow("", self.blank_check)
        params.addRow("", self.chart_check)
        params.addRow("", self.issue_check)

        buttons = QHBoxLayout()
        self.preview_button = QPushButton("Xem trước")
        self.print_button = QPushButton("In…")
        self.pdf_button = QPushButton("Lưu PDF…")
        self.xlsx_button = QPushButton("Lưu Excel…")
        for button in (self.preview_button, self.print_button, self.pdf_button,
                       self.xlsx_button):
            buttons.addWidget(button)
        buttons.addStretch()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)          # busy: building has no count to show
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview = PdfPreview("Chọn biểu mẫu rồi bấm «Xem trước»: văn bản hiện ra đúng "
                                  "như khi in.")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.title_label)
        right_layout.addLayout(params)
        right_layout.addLayout(buttons)
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.setToolTip("Dừng lập biểu; không ghi tệp, không ghi sổ bản in")
        self.cancel_button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        right_layout.addLayout(progress_row)
        right_layout.addWidget(self.status_label)
        right_layout.addStretch(1)

        top = split_panes((self.forms, 0), (right, 1), sizes=[260, 740])

        self.copies = list_table(["Thời gian in", "Văn bản", "Số", "Người in", "Mã dữ liệu",
                                  "Trạng thái"], stretch=1)
        self.sign_button = QPushButton("Đánh dấu đã ký")
        self.unlock_button = QPushButton("Mở khóa…")
        copy_buttons = QHBoxLayout()
        book_note = QLabel("Sổ bản in: bản in lại cùng dữ liệu ghi «BẢN SAO»; bản đã ký khóa "
                           "dữ liệu văn bản thể hiện.")
        book_note.setWordWrap(True)
        copy_buttons.addWidget(book_note, 1)
        copy_buttons.addWidget(self.sign_button)
        copy_buttons.addWidget(self.unlock_button)
        self.profile_button = QPushButton("Hồ sơ đơn vị…")
        self.profile_button.setToolTip("Cơ quan ban hành, người ký, nơi nhận và sổ văn bản "
                                       "dùng cho mọi văn bản in ra")
        copy_buttons.addWidget(self.profile_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(copy_buttons)
        bottom_layout.addWidget(self.copies)

        left = split_panes((top, 3), (bottom, 2), vertical=True)
        # the preview beside the rest, at the full height: a portrait page can be read
        split = split_panes((left, 5), (self.preview, 4))
        layout.addWidget(split, 1)

        # Tab: the left side top to bottom (form, parameters, buttons, the book), then the
        # preview on the right
        chain = [self.forms, self.round_box, self.unit_box, self.household_edit,
                 self.blank_check, self.chart_check, self.issue_check, self.preview_button,
                 self.print_button, self.pdf_button, self.xlsx_button, self.cancel_button,
                 self.copies, self.sign_button, self.unlock_button, self.profile_button,
                 self.preview.zoom_out_button, self.preview.zoom_in_button,
                 self.preview.width_button, self.preview.page_button, self.preview.view]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.forms.currentItemChanged.connect(lambda *_: self._form_changed())
        self.preview_button.clicked.connect(self.show_preview)
        self.print_button.clicked.connect(self.print_current)
        self.pdf_button.clicked.connect(lambda: self.save_current(".pdf"))
        self.xlsx_button.clicked.connect(lambda: self.save_current(".xlsx"))
        self.cancel_button.clicked.connect(self.cancel_task)
        window = Qt.ShortcutContext.WindowShortcut          # while this area is shown
        add_shortcut(self, QKeySequence.StandardKey.Print, self._print_if_enabled,
                     button=self.print_button, context=window)
        self.profile_button.clicked.connect(self.open_profile)
        self.sign_button.clicked.connect(self.sign_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.copies.itemSelectionChanged.connect(self._copy_selection_changed)
        self._form_changed()

    # -- reading (GUI thread) -----------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self._db = db
        self.reload()

    def _unit_code(self) -> str | None:
        site = sites.local_site(self._db) if self._db is not None else None
        return site.unit_code if site else None

    def reload(self) -> None:
        """Read the rounds, the villages and the printed copies again (keeps the choices)."""
        unit = self._unit_code()
        round_year, unit_code = self.round_box.currentData(), self.unit_box.currentData()
        self.round_box.clear()
        self.unit_box.clear()
        self.round_box.addItem(CURRENT_ROUND, None)
        self.unit_box.addItem(WHOLE_COMMUNE, None)
        if unit is not None:
            years = sorted({r["year"] for r in reviews.rounds(self._db, unit)}, reverse=True)
            for year in years:
                self.round_box.addItem(f"Năm {year}", year)
            for village in units.children(self._db, unit, level="village"):
                self.unit_box.addItem(f"{village['name']} ({village['code']})",
                                      village["code"])
        for box, value in ((self.round_box, round_year), (self.unit_box, unit_code)):
            index = box.findData(value)
            box.setCurrentIndex(max(index, 0))
        self.refresh_copies()

    def refresh_copies(self) -> None:
        rows = documents.printed_copies(self._db) if self._db is not None else []
        self._copy_rows = rows
        self.copies.setRowCount(len(rows))
        for r, row in enumerate(rows):
            title = row["title"] + (" (BẢN SAO)" if row["is_copy"] else "")
            cells = [local_time(row["printed_at"]), title, row["number_text"] or "",
                     row["printed_by"], row["fingerprint"][:12], COPY_STATES[row["state"]]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 5 and row["state"] == SIGNED:
                    item.setForeground(Qt.GlobalColor.darkRed)
                if c == 5 and row["unlock_reason"]:
                    item.setToolTip(f"Lý do mở khóa: {row['unlock_reason']}")
                self.copies.setItem(r, c, item)
        self._copy_selection_changed()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: rounds and copies may have changed elsewhere."""
        super().showEvent(event)
        if self._db is not None and not event.spontaneous():
            self.reload()

    # -- remembered between sessions (``gnapp.ui.ui_state``) ------------------------------------

    def save_state(self, state) -> None:
        """Remember the chosen report, round and unit."""
        state.set("reports/form", self.current_name())
        state.save_widgets("reports", {"round": self.round_box, "unit": self.unit_box})

    def restore_state(self, state) -> None:
        """Choose the report, round and unit of last time (ones no longer offered are
        ignored)."""
        name = state.get("reports/form")
        if isinstance(name, str) and name in catalog.REPORTS:
            self.select_form(name)
        state.restore_widgets("reports", {"round": self.round_box, "unit": self.unit_box})

    # -- the chosen form ------------------------------------------------------------------------

    def current_name(self) -> str | None:
        item = self.forms.currentItem()
        return item.data(0, NAME_ROLE) if item is not None else None

    def select_form(self, name: str) -> None:
        for i in range(self.forms.topLevelItemCount()):
            group = self.forms.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, NAME_ROLE) == name:
                    self.forms.setCurrentItem(group.child(j))
                    return
        raise KeyError(name)

    def _form_changed(self) -> None:
        name = self.current_name()
        spec = catalog.REPORTS.get(name) if name else None
        self.title_label.setText(spec.title if spec else "Chọn một biểu mẫu hoặc báo cáo.")
        options = spec.options if spec else ()
        self.household_edit.setEnabled("household" in options)
        self.blank_check.setEnabled("blank" in options)
        self.chart_check.setEnabled("chart" in options)
        self.issue_check.setEnabled(bool(spec and spec.symbol))
        for button in (self.preview_button, self.print_button, self.pdf_button):
            button.setEnabled(spec is not None)
        self.xlsx_button.setEnabled(bool(spec and ".xlsx" in spec.formats))
        self.status_label.clear()

    def parameters(self) -> dict[str, Any]:
        """The parameters of the chosen form as ``print_form`` takes them."""
        name = self.current_name()
        spec = catalog.REPORTS[name]
        params: dict[str, Any] = {"round_year": self.round_box.currentData(),
                                  "unit_code": self.unit_box.currentData()}
        if "household" in spec.options and self.household_edit.text().strip():
            params["household"] = self.household_edit.text().strip()
        if "blank" in spec.options and self.blank_check.isChecked():
            params["blank"] = True
        if "chart" in spec.options and self.chart_check.isChecked():
            params["chart"] = True
        if spec.symbol and self.issue_check.isChecked():
            params["issue"] = True
        return params

    # -- work in the worker ---------------------------------------------------------------------

    def _run(self, label: str, fn: Callable[..., Any], done: Callable[[Any], None], *,
             cancellable: bool = False) -> None:
        """Run ``fn(db)`` in the worker (``fn(db, progress)`` when ``cancellable``: its steps
        show in the progress bar and "Hủy" stops it, leaving nothing it wrote)."""
        self._set_busy(True, label)

        def ok(result: Any) -> None:
            self._set_busy(False)
            done(result)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if isinstance(exc, Cancelled):
                self.status_label.setText(str(exc))
                self.message.emit(str(exc))
                return
            self.status_label.setText("")
            show_error(self, exc)

        if cancellable:
            self.task_progress = self.tasks.run_with_progress(fn, ok, failed, dialog=False)
            self.task_progress.changed.connect(self._show_progress)
            self.cancel_button.setEnabled(True)
            self.cancel_button.show()
        else:
            self.tasks.run(fn, ok, failed)

    def _show_progress(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total)          # total 0: busy, no count to show
        self.progress.setValue(done)
        if label:
            self.status_label.setText(f"{label}…")

    def cancel_task(self) -> None:
        """"Hủy": stop the form being made or printed (nothing is written or recorded)."""
        if self.task_progress is not None:
            self.task_progress.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Đang hủy…")

    def _set_busy(self, busy: bool, label: str = "") -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        if not busy:
            self.cancel_button.hide()
            self.task_progress = None
        if busy:
            self.status_label.setText(label)
        for button in (self.preview_button, self.print_button, self.pdf_button,
                       self.xlsx_button, self.sign_button, self.unlock_button):
            button.setEnabled(not busy)
        if not busy:
            self._form_changed()
            self._copy_selection_changed()

    def show_preview(self) -> None:
        """Build the chosen form as a PDF (nothing recorded) and show it."""
        name = self.current_name()
        if name is None:
            return
        params = {k: v for k, v in self.parameters().items() if k != "issue"}
        path = self.preview.scratch / f"{name}.pdf"

        def work(db: Database, progress) -> tuple[d.Document, Path]:
            progress(0, 0, "Đang lập biểu mẫu")
            doc = catalog.build(db, name, **params)
            progress(0, 0, "Đang dàn trang")
            return doc, catalog.render(doc, path)

        self._run("Đang lập biểu mẫu để xem trước…", work,
                  lambda result: self._show_document(*result), cancellable=True)

    def _show_document(self, doc: d.Document, pdf: Path) -> None:
        self.preview_doc = doc
        pages = self.preview.show_pdf(pdf)
        shown = doc.name or doc.title[0]
        identity = f" – {d.footer_text(doc)}" if doc.fingerprint else ""
        self.status_label.setText(f"Xem trước: {shown}{identity} ({pages} trang)")

    def ask_save_path(self, suffix: str) -> Path | None:
        """Where to save (a file dialog; tests replace it)."""
        spec = catalog.REPORTS[self.current_name()]
        kind = "Tệp PDF (*.pdf)" if suffix == ".pdf" else "Bảng tính Excel (*.xlsx)"
        path, _ = QFileDialog.getSaveFileName(self, f"Lưu {spec.label}",
                                              str(Path.home() / f"{spec.name}{suffix}"), kind)
        if not path:
            return None
        path = Path(path)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def save_current(self, suffix: str) -> None:
        """Write the chosen form to a file (recorded as a printed copy if the form is)."""
        path = self.ask_save_path(suffix)
        if path is None:
            return
        self._print_to(path, self._saved)

    def _print_to(self, path: Path, done: Callable[[printing.Printed], None]) -> None:
        """Write the chosen form to ``path`` (recorded if the form is)."""
        name = self.current_name()
        params = self.parameters()
        self._run("Đang lập và ghi tệp…",
                  lambda db, progress: printing.print_form(db, name, path, progress=progress,
                                                           **params), done, cancellable=True)

    def _saved(self, printed: printing.Printed) -> None:
        if printed.path.suffix.lower() == ".pdf":
            self._show_document(printed.document, printed.path)
        else:
            self.preview_doc = printed.document
        note = " – BẢN SAO" if printed.is_copy else ""
        self.status_label.setText(f"Đã lưu {printed.path}{note}")
        self.message.emit(f"Đã lưu {printed.path.name}{note}")
        self.refresh_copies()
        self.printed.emit(printed)

    def ask_printer(self):
        """The print dialog; returns the chosen ``QPrinter`` or None (tests replace it)."""
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("In văn bản")
        options = QAbstractPrintDialog.PrintDialogOption
        dialog.setOptions(options.PrintPageRange | options.PrintCollateCopies
                          | options.PrintToFile | options.PrintShowPageSize)
        return printer if dialog.exec() else None

    def _print_if_enabled(self) -> None:
        if self.print_button.isEnabled():
            self.print_current()

    def print_current(self) -> None:
        """Print the chosen form: its PDF is written and recorded, then printed on the
        printer chosen in the dialog ("Print to PDF" keeps the PDF where it points)."""
        printer = self.ask_printer()
        if printer is None:
            return
        from PySide6.QtPrintSupport import QPrinter

        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and \
                printer.outputFileName():
            self._print_to(Path(printer.outputFileName()), lambda printed: self._printed(
                printed, f"Đã in ra tệp {printed.path}"))
            return
        name, params = self.current_name(), self.parameters()
        path = self.preview.scratch / f"{name}-in.pdf"

        def work(db: Database, progress) -> tuple[printing.Printed, Sent]:
            # printed on paper before the copy is recorded: a printer that fails or a «Hủy»
            # leaves no record and uses no number
            jobs: list[Sent] = []
            printed = printing.print_form(
                db, name, path, progress=progress, **params,
                deliver=lambda pdf: jobs.append(print_pdf(pdf, printer, progress)))
            return printed, jobs[0]

        def sent(result: tuple[printing.Printed, Sent]) -> None:
            printed, job = result
            text = f"Đã gửi {job.pages} trang tới máy in {printer.printerName() or 'mặc định'}"
            if job.not_stopped:
                text += " (máy in này không dừng được giữa chừng nên đã in hết)"
            self._printed(printed, text)

        self._run("Đang lập và in…", work, sent, cancellable=True)

    def _printed(self, printed: printing.Printed, text: str) -> None:
        self._saved(printed)
        self.status_label.setText(text + (" – BẢN SAO" if printed.is_copy else ""))

    def open_profile(self) -> None:
        """The commune's profile: issuer, signers, recipients, the number book."""
        if self._db is not None:
            self.profile_dialog = open_profile_dialog(self, self._db, self.tasks)
            self.profile_dialog.finished.connect(lambda _: self.refresh_copies())

    # -- printed copies ------------------------------------------------------------------------

    def selected_copy(self) -> dict | None:
        rows = self.copies.selectionModel().selectedRows() if self.copies.model() else []
        return self._copy_rows[rows[0].row()] if rows else None

    def _copy_selection_changed(self) -> None:
        copy = self.selected_copy() if hasattr(self, "_copy_rows") else None
        self.sign_button.setEnabled(copy is not None and copy["state"] != SIGNED)
        self.unlock_button.setEnabled(copy is not None and copy["state"] == SIGNED)

    def sign_selected(self) -> None:
        copy = self.selected_copy()
        if copy is None:
            return
        user = None
        self._run("Đang đánh dấu đã ký…",
                  lambda db: documents.mark_signed(sites.writer(db, user), copy["id"]),
                  lambda row: self._copy_changed(f"Đã đánh dấu đã ký: {row['title']}; dữ liệu "
                                                 "văn bản thể hiện đã bị khóa."))

    def ask_unlock_reason(self) -> str | None:
        """Why the data of a signed document is unlocked (tests replace it)."""
        return ask_text(self, "Mở khóa dữ liệu", "Lý do mở khóa (ghi vào nhật ký):", "Mở khóa")

    def unlock_selected(self) -> None:
        copy = self.selected_copy()
        if copy is None:
            return
        reason = self.ask_unlock_reason()
        if reason is None:
            return
        self._run("Đang mở khóa…",
                  lambda db: documents.unlock(sites.writer(db), copy["id"], reason=reason),
                  lambda row: self._copy_changed(f"Đã mở khóa dữ liệu của {row['title']}."))

    def _copy_changed(self, text: str) -> None:
        self.status_label.setText(text)
        self.message.emit(text)
        self.refresh_copies()

