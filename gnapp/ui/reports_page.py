"""The Reports area ("Báo cáo"): every form and report gnapp prints, with its parameters, a
preview, printing and saving as PDF or XLSX, and the book of printed copies (sign, unlock).

Building and writing run in the task manager's worker (a busy progress bar shows meanwhile);
every print goes through ``gnapp.forms.printing.print_form``, which records the printed copy
of the procedure forms and marks a reprint "BẢN SAO".

Preview: PySide6-Essentials does not ship QtPdf, so the preview shows the document's own
description (title, text, tables) as rich text, built from the same ``Document`` the PDF is
rendered from; where QtPdf is installed the PDF itself is shown instead. Printing sends the
PDF written by reportlab to the printer chosen in the print dialog (``lp`` on Linux, the
shell's "print" verb on Windows), or writes it where "Print to PDF" points.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QSplitter, QTableWidgetItem, QTextBrowser, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import documents, reviews, sites, units
from gnapp.domain.cancel import Cancelled
from gnapp.domain.documents import COPY_STATES, SIGNED, local_time
from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import format_decimal, format_int
from gnapp.forms import catalog, printing
from gnapp.forms import document as d
from gnapp.ui.tasks import TaskManager, TaskProgress, show_error
from gnapp.ui.widgets import add_shortcut, list_table, page_layout

AREA_TITLE = "Báo cáo"
WHOLE_COMMUNE = "Toàn xã"
CURRENT_ROUND = "Đợt hiện tại"
NAME_ROLE = Qt.ItemDataRole.UserRole


# -- preview as rich text (layout only) ------------------------------------------------------------

def _h(text: str) -> str:
    """Escaped, with the runs of spaces of a draft's blanks kept ("Số:      /QĐ-UBND")."""
    return re.sub(r" {2,}", lambda m: "&nbsp;" * len(m.group()), html.escape(text))

def _cell_html(cell: d.Cell, column: d.Column, header: bool) -> str:
    value = cell.value
    kind = d.LABEL if header else d.kind_of(cell, column)
    if value is None:
        text = "" if kind in (d.TEXT, d.LABEL) else "—"
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = format_int(value)
    elif isinstance(value, str):
        text = value
    else:
        text = format_decimal(value, 2)
    tag = "th" if header else "td"
    align = "left" if kind == d.TEXT else "center"
    style = "font-weight:bold;" if cell.bold else ""
    style += "font-style:italic;" if cell.italic else ""
    return (f'<{tag} colspan="{cell.colspan}" rowspan="{cell.rowspan}" align="{align}" '
            f'style="{style}">{_h(text)}</{tag}>')


def _table_html(table: d.Table) -> str:
    parts = []
    if table.unit_note:
        parts.append(f'<p align="right"><i>{_h(table.unit_note)}</i></p>')
    parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%">')
    grid = [list(r) for r in table.header] + [list(r.cells) for r in table.rows]
    placed = d.place_cells(grid, len(table.columns))
    rows: dict[int, list[str]] = {}
    for p in placed:
        header = p.row < len(table.header)
        cell = d.as_cell(p.cell)
        if not header and table.rows[p.row - len(table.header)].style == d.TOTAL:
            cell = d.Cell(cell.value, cell.colspan, cell.rowspan, cell.kind, True, cell.italic)
        rows.setdefault(p.row, []).append(_cell_html(cell, table.columns[p.col], header))
    for r in range(len(grid)):
        parts.append("<tr>" + "".join(rows.get(r, [])) + "</tr>")
    parts.append("</table>")
    parts += [f"<p><i>{_h(n)}</i></p>" for n in table.notes]
    return "".join(parts)


def _signatures_html(signatures: tuple[d.Signature, ...], recipients: tuple[str, ...]) -> str:
    def block(sig: d.Signature) -> str:
        lines = [f"<b>{_h(a)}</b>" for a in sig.authority]
        if sig.title:
            lines.append(f"<b>{_h(sig.title)}</b>")
        if sig.hint:
            lines.append(f"<i>{_h(sig.hint)}</i>")
        lines += ["", "", f"<b>{_h(sig.name or '')}</b>"]
        return "<br>".join(lines)

    left = block(signatures[0]) if len(signatures) > 1 else (
        "<b><i>Nơi nhận:</i></b><br>" + "<br>".join(_h(r) for r in recipients)
        if recipients else "")
    right = block(signatures[-1]) if signatures else ""
    return (f'<table width="100%"><tr><td width="50%" valign="top">{left}</td>'
            f'<td align="center" valign="top">{right}</td></tr></table>')


def document_html(doc: d.Document) -> str:
    """The document as rich text for the preview: the same description the PDF is rendered
    from, without its page layout."""
    out = ['<table width="100%"><tr><td align="center" width="45%">'
           + "<br>".join(f"<b>{_h(x)}</b>" if i == len(doc.issuer) - 1
                         else _h(x) for i, x in enumerate(doc.issuer))
           + (f"<br>{_h(doc.number_line)}" if doc.number_line else "")
           + f'</td><td align="center"><b>{d.MOTTO_TITLE}</b><br><b>{d.MOTTO}</b><br>'
           f"<i>{_h(doc.date_line)}</i></td></tr></table>"]
    if doc.copy_mark:
        out.append(f'<p align="right"><b>{_h(doc.copy_mark)}</b></p>')
    out += [f'<h3 align="center">{_h(t)}</h3>' for t in doc.title]
    out += [f'<p align="center"><i>{_h(t)}</i></p>' for t in doc.subtitle]
    for block, label in zip(doc.body, d.heading_labels(doc.body)):
        if isinstance(block, d.Heading):
            out.append(f"<p><b>{label} {_h(block.text)}</b></p>")
        elif isinstance(block, d.Bullet):
            out.append(f"<p>{label} {_h(block.text)}</p>")
        elif isinstance(block, d.Para):
            text = _h(block.text)
            text = f"<b>{text}</b>" if block.bold else text
            text = f"<i>{text}</i>" if block.italic else text
            out.append(f'<p align="{"center" if block.center else "justify"}">{text}</p>')
        elif isinstance(block, d.Table):
            out.append(_table_html(block))
        elif isinstance(block, d.PageBreak):
            out.append("<hr>")
        elif isinstance(block, d.Closing):
            out.append(_signatures_html(block.signatures, block.recipients))
    if doc.signatures or doc.recipients:
        out.append(_signatures_html(doc.signatures, doc.recipients))
    footer = d.footer_text(doc)
    if footer:
        out.append(f'<p align="right"><i>{_h(footer)}</i></p>')
    return "".join(out)


# -- sending a PDF to a printer --------------------------------------------------------------------

def send_to_printer(pdf: Path, printer_name: str, copies: int = 1) -> None:
    """Print ``pdf`` on ``printer_name`` with the system's spooler.

    :raises OSError: no spooler (``lp``) on this system, or it refused the job
    """
    if sys.platform.startswith("win"):                       # pragma: no cover
        os.startfile(str(pdf), "print")                      # type: ignore[attr-defined]
        return
    lp = shutil.which("lp")
    if lp is None:
        raise OSError("Máy này không có lệnh in «lp» (CUPS); hãy lưu tệp PDF rồi in từ trình "
                      "xem PDF.")
    args = [lp, "-n", str(max(1, copies))]
    if printer_name:
        args += ["-d", printer_name]
    done = subprocess.run(args + [str(pdf)], capture_output=True, text=True, encoding="utf-8",
                          errors="replace")
    if done.returncode != 0:
        raise OSError(f"Máy in từ chối lệnh in: {done.stderr.strip() or done.returncode}")


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
        self.forms.setMinimumWidth(250)
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
        self.issue_check = QCheckBox("Ban hành: cấp số văn bản tiếp theo và ngày hôm nay")
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

        self.preview = QTextBrowser()
        self.preview.setPlaceholderText("Chọn biểu mẫu rồi bấm «Xem trước».")

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
        right_layout.addWidget(self.preview, 1)

        top = QSplitter()
        top.addWidget(self.forms)
        top.addWidget(right)
        top.setStretchFactor(1, 1)
        top.setSizes([260, 740])
        top.setChildrenCollapsible(False)

        self.copies = list_table(["Thời gian in", "Văn bản", "Số", "Người in", "Mã dữ liệu",
                                  "Trạng thái"], stretch=1)
        self.sign_button = QPushButton("Đánh dấu đã ký")
        self.unlock_button = QPushButton("Mở khóa…")
        copy_buttons = QHBoxLayout()
        copy_buttons.addWidget(QLabel("Sổ bản in: bản in lại cùng dữ liệu ghi «BẢN SAO»; bản "
                                      "đã ký khóa dữ liệu văn bản thể hiện."))
        copy_buttons.addStretch()
        copy_buttons.addWidget(self.sign_button)
        copy_buttons.addWidget(self.unlock_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(copy_buttons)
        bottom_layout.addWidget(self.copies)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.forms.currentItemChanged.connect(lambda *_: self._form_changed())
        self.preview_button.clicked.connect(self.show_preview)
        self.print_button.clicked.connect(self.print_current)
        self.pdf_button.clicked.connect(lambda: self.save_current(".pdf"))
        self.xlsx_button.clicked.connect(lambda: self.save_current(".xlsx"))
        self.cancel_button.clicked.connect(self.cancel_task)
        window = Qt.ShortcutContext.WindowShortcut          # while this area is shown
        add_shortcut(self, QKeySequence.StandardKey.Print, self._print_if_enabled,
                     button=self.print_button, context=window)
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
        """Run ``fn(db)`` in the worker (``fn(db, progress)`` when ``cancellable``: "Hủy"
        stops it and nothing it wrote stays)."""
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
            self.cancel_button.setEnabled(True)
            self.cancel_button.show()
        else:
            self.tasks.run(fn, ok, failed)

    def cancel_task(self) -> None:
        """"Hủy": stop the form being made (nothing is written or recorded)."""
        if self.task_progress is not None:
            self.task_progress.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Đang hủy…")

    def _set_busy(self, busy: bool, label: str = "") -> None:
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
        """Build the chosen form (nothing recorded) and show it."""
        name = self.current_name()
        if name is None:
            return
        params = {k: v for k, v in self.parameters().items() if k != "issue"}
        self._run("Đang lập biểu mẫu để xem trước…",
                  lambda db: catalog.build(db, name, **params), self._show_document)

    def _show_document(self, doc: d.Document) -> None:
        self.preview_doc = doc
        self.preview.setHtml(document_html(doc))
        self.status_label.setText(f"Xem trước: {doc.name or doc.title[0]} – {d.footer_text(doc)}"
                                  if doc.fingerprint else f"Xem trước: {doc.title[0]}")

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
        self._print_to(path, lambda printed: self._saved(printed))

    def _print_to(self, path: Path, done: Callable[[printing.Printed], None]) -> None:
        name = self.current_name()
        params = self.parameters()
        self._run("Đang lập và ghi tệp…",
                  lambda db, progress: printing.print_form(db, name, path, progress=progress,
                                                           **params), done, cancellable=True)

    def _saved(self, printed: printing.Printed) -> None:
        self._show_document(printed.document)
        note = " – BẢN SAO" if printed.is_copy else ""
        self.status_label.setText(f"Đã lưu {printed.path}{note}")
        self.message.emit(f"Đã lưu {printed.path.name}{note}")
        self.refresh_copies()
        self.printed.emit(printed)

    def ask_printer(self):
        """The print dialog; returns the chosen ``QPrinter`` or None (tests replace it)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("In văn bản")
        return printer if dialog.exec() else None

    def _print_if_enabled(self) -> None:
        if self.print_button.isEnabled():
            self.print_current()

    def print_current(self) -> None:
        """Print the chosen form: the PDF is written and recorded, then sent to the printer."""
        printer = self.ask_printer()
        if printer is None:
            return
        from PySide6.QtPrintSupport import QPrinter

        target = printer.outputFileName() if printer.outputFormat() == \
            QPrinter.OutputFormat.PdfFormat else ""
        name, copies = printer.printerName(), printer.copyCount()
        folder = Path(tempfile.mkdtemp(prefix="gnapp-print-"))
        path = Path(target) if target else folder / f"{self.current_name()}.pdf"

        def sent(printed: printing.Printed) -> None:
            try:
                if not target:
                    send_to_printer(printed.path, name, copies)
            except OSError as exc:
                show_error(self, _PrintError(str(exc)))
                return
            self._saved(printed)
            self.status_label.setText(
                (f"Đã in ra tệp {printed.path}" if target else f"Đã gửi tới máy in {name}")
                + (" – BẢN SAO" if printed.is_copy else ""))

        self._print_to(path, sent)

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
        text, ok = QInputDialog.getText(self, "Mở khóa dữ liệu",
                                        "Lý do mở khóa (ghi vào nhật ký):")
        return text if ok else None

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


class _PrintError(GnappError):
    """The spooler refused a job (shown as a message, not as a program fault)."""
