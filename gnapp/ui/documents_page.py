"""The "Văn bản" area: the commune's plans and reports (Kế hoạch, Báo cáo) and their editor.

Above, the documents (kind, year, state, number, subject) with "Tạo từ mẫu…". Below, the
editor of the chosen document:

- the header: kind, year, report period, symbol (KH-UBND / BC-UBND), subject, signer;
- tabs: "Căn cứ" (the preamble, one line per paragraph), "Nội dung" (the blocks in the
  heading hierarchy, each shown with the number the forms engine gives it; add a heading of a
  level, a paragraph, a bullet, a data table with its source and parameters; move up and down;
  delete; the chosen block edited below the list), "Kết thúc, nơi nhận" (the closing sentence,
  checked for its "/.", and the "Nơi nhận" lines) and "Bản in" (the preview);
- buttons: Lưu, Xem bản in (the PDF written to a temporary file, its content shown as in the
  Reports area), Xuất PDF…, Xuất Word…, Ký ban hành…, Hủy ký ban hành….

A signed document is shown read-only. Leaving a document with unsaved changes asks first
(``confirm_discard``). Every question (a template, a file, a number and a date, a reason) goes
through an ``ask_…`` method so that tests can answer it. Reads use the GUI thread's
connection; writes and files run in the task manager's worker.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QStackedWidget,
                               QTabWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import plan_documents, sites
from gnapp.domain import plan_docs as rules
from gnapp.domain.documents import SIGNER_ROLES
from gnapp.domain.errors import GnappError, InputError
from gnapp.forms import document as d
from gnapp.forms import plan_document, plan_tables
from gnapp.forms.pdf import render_pdf
from gnapp.ui.charts import chart_png
from gnapp.ui.pdf_view import PdfPreview
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import (ERROR_COLOR, add_shortcut, ask_text, ask_to_go_on, code_combo,
                              list_table, page_layout, split_panes, year_spin)

AREA_TITLE = "Văn bản"
ID_ROLE = Qt.ItemDataRole.UserRole
NO_PERIOD = "(không theo kỳ báo cáo)"
TABLE_MARK = "[Bảng]"


def _write(fn: Callable[..., Any]) -> Callable[[Database], Any]:
    return lambda db: sites.writer(db).transact(fn).result


def _periods(db: Database | None) -> list[dict]:
    if db is None:
        return []
    try:
        from gnapp.db import progress
        return progress.periods(db)
    except (ImportError, GnappError):
        return []


def block_labels(blocks: list[dict]) -> list[str | None]:
    """The number each block prints with ("A.", "II.", "1.1.", "a)", "-", "+"), from the forms
    engine itself."""
    shadow: list[d.Block] = []
    for block in blocks:
        if block.get("type") == "heading" and block.get("level") in rules.HEADING_LEVELS:
            shadow.append(d.Heading(block.get("text") or "", block["level"]))
        elif block.get("type") == "bullet":
            shadow.append(d.Bullet(block.get("text") or "", block.get("level", 1)))
        else:
            shadow.append(d.Para(""))
    return d.heading_labels(shadow)


def block_line(block: dict, label: str | None) -> str:
    """How the block list shows a block: indented by level, with its number."""
    kind = block.get("type")
    if kind == "table":
        return f"        {TABLE_MARK} {plan_tables.table_title(block)}"
    text = " ".join((block.get("text") or "").split())
    if len(text) > 90:
        text = text[:88] + "…"
    if kind == "heading":
        level = block.get("level", 1)
        shown = text.upper() if level == 0 else text
        return "    " * max(0, level - 1) + f"{label} {shown}"
    if kind == "bullet":
        return "    " * (block.get("level", 1) + 1) + f"{label} {text}"
    return "        " + (text or "(đoạn văn trống)")


class NewDocumentDialog(QDialog):
    """Template, year and report period of a new document."""

    def __init__(self, templates: dict[str, dict], periods: list[dict], year: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Tạo văn bản từ mẫu")
        self.template_box = QComboBox()
        for name, data in templates.items():
            self.template_box.addItem(data["label"], name)
        self.year_box = year_spin(2000, year)
        self.period_box = QComboBox()
        self.period_box.addItem(NO_PERIOD, None)
        for period in periods:
            self.period_box.addItem(period["label"], period["id"])
        form = QFormLayout(self)
        form.addRow("Mẫu:", self.template_box)
        form.addRow("Năm:", self.year_box)
        form.addRow("Kỳ báo cáo:", self.period_box)
        buttons = QDialogButtonBox()
        buttons.addButton("Tạo", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, int, str | None]:
        return (self.template_box.currentData(), self.year_box.value(),
                self.period_box.currentData())


class SignDialog(QDialog):
    """The number (blank: the next one of the number book) and the date of signing."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Ký ban hành văn bản")
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("để trống: số tiếp theo trong sổ văn bản")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        form = QFormLayout(self)
        form.addRow(QLabel("Sau khi ký, văn bản không sửa được và số liệu các bảng được chốt."))
        form.addRow("Số văn bản:", self.number_edit)
        form.addRow("Ngày ký:", self.date_edit)
        buttons = QDialogButtonBox()
        buttons.addButton("Ký ban hành", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[int | None, date]:
        text = self.number_edit.text().strip()
        if text and not text.isdigit():
            raise InputError("Số văn bản phải là số nguyên, ví dụ 12.", field="Số văn bản")
        return (int(text) if text else None, self.date_edit.date().toPython())


class DocumentsPage(QWidget):
    """The documents and the editor of one (see the module doc).

    :param db: the GUI thread's read connection
    :param tasks: the worker that writes and renders
    """

    message = Signal(str)

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.current: dict | None = None
        self.blocks: list[dict] = []
        self.dirty = False
        self._loading = False
        self._rows: list[dict] = []
        self.preview_doc: d.Document | None = None
        self.preview_path: Path | None = None
        self._setup()
        self.reload()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)
        self.list = list_table(["Loại", "Năm", "Trạng thái", "Số", "Trích yếu"], stretch=4)
        self.new_button = QPushButton("Tạo từ mẫu…")
        self.delete_button = QPushButton("Xóa dự thảo…")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.delete_button)
        left_buttons.addStretch()
        left_layout.addLayout(left_buttons)
        left_layout.addWidget(self.list)

        self.kind_box = code_combo(rules.KINDS)
        self.year_box = year_spin(2000)
        self.period_box = QComboBox()
        self.symbol_edit = QLineEdit()
        self.subject_edit = QLineEdit()
        self.signer_box = QComboBox()
        for key in ("chairman", "vice_chairman"):
            self.signer_box.addItem(SIGNER_ROLES[key], key)
        header = QFormLayout()
        first = QHBoxLayout()
        first.addWidget(self.kind_box)
        first.addWidget(QLabel("Năm:"))
        first.addWidget(self.year_box)
        first.addWidget(QLabel("Ký hiệu:"))
        first.addWidget(self.symbol_edit)
        first.addWidget(QLabel("Người ký:"))
        first.addWidget(self.signer_box)
        header.addRow("Loại:", first)
        header.addRow("Kỳ báo cáo:", self.period_box)
        header.addRow("Trích yếu:", self.subject_edit)

        self.preamble_edit = QPlainTextEdit()
        self.preamble_edit.setPlaceholderText("Căn cứ …; (mỗi dòng một đoạn)")

        self.block_list = QListWidget()
        self.level_for_new = QComboBox()
        for level, label in rules.HEADING_LEVELS.items():
            self.level_for_new.addItem(label, level)
        self.level_for_new.setCurrentIndex(1)
        self.add_heading_button = QPushButton("Thêm đề mục")
        self.add_para_button = QPushButton("Thêm đoạn văn")
        self.add_bullet_button = QPushButton("Thêm gạch đầu dòng")
        self.add_table_button = QPushButton("Thêm bảng số liệu")
        self.up_button = QPushButton("Lên")
        self.down_button = QPushButton("Xuống")
        self.remove_button = QPushButton("Xóa khối")
        block_buttons = QHBoxLayout()
        for widget in (self.level_for_new, self.add_heading_button, self.add_para_button,
                       self.add_bullet_button, self.add_table_button):
            block_buttons.addWidget(widget)
        block_buttons.addStretch()
        for widget in (self.up_button, self.down_button, self.remove_button):
            block_buttons.addWidget(widget)

        # the editor of the chosen block: text blocks or a data table
        self.block_level = QComboBox()
        self.block_text = QPlainTextEdit()
        self.block_text.setMaximumHeight(80)
        text_page = QWidget()
        self.text_form = text_form = QFormLayout(text_page)
        text_form.setContentsMargins(0, 0, 0, 0)
        text_form.addRow("Cấp:", self.block_level)
        text_form.addRow("Nội dung:", self.block_text)
        self.source_box = QComboBox()
        for source in rules.TABLE_SOURCES.values():
            self.source_box.addItem(source.label, source.name)
        self.table_title_edit = QLineEdit()
        self.table_title_edit.setPlaceholderText("để trống: tên nguồn số liệu và năm")
        self.param_form = QFormLayout()
        self.param_edits: dict[str, QWidget] = {}
        table_page = QWidget()
        table_form = QFormLayout(table_page)
        table_form.setContentsMargins(0, 0, 0, 0)
        table_form.addRow("Nguồn số liệu:", self.source_box)
        table_form.addRow("Tên bảng:", self.table_title_edit)
        table_form.addRow(self.param_form)
        self.block_stack = QStackedWidget()
        self.block_stack.setMaximumHeight(150)
        self.block_stack.addWidget(QLabel("Chọn một khối trong danh sách để sửa."))
        self.block_stack.addWidget(text_page)
        self.block_stack.addWidget(table_page)
        self.block_box = QGroupBox("Khối đang chọn")
        block_box_layout = QVBoxLayout(self.block_box)
        block_box_layout.addWidget(self.block_stack)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(block_buttons)
        content_layout.addWidget(self.block_list, 1)
        content_layout.addWidget(self.block_box)

        self.closing_edit = QPlainTextEdit()
        self.closing_edit.setMaximumHeight(90)
        self.closing_note = QLabel()
        self.closing_note.setWordWrap(True)
        self.recipients_edit = QPlainTextEdit()
        self.recipients_edit.setPlaceholderText("- UBND tỉnh (b/c);\n- Lưu: VT.")
        ending = QWidget()
        ending_form = QFormLayout(ending)
        ending_form.addRow("Câu kết thúc:", self.closing_edit)
        ending_form.addRow("", self.closing_note)
        ending_form.addRow("Nơi nhận:", self.recipients_edit)

        self.preview = PdfPreview("Bấm «Xem bản in»: văn bản hiện ra đúng như khi in.")

        self.tabs = QTabWidget()
        self.tabs.addTab(self.preamble_edit, "Căn cứ")
        self.tabs.addTab(content, "Nội dung")
        self.tabs.addTab(ending, "Kết thúc, nơi nhận")
        self.tabs.addTab(self.preview, "Bản in")
        self.tabs.setCurrentIndex(1)

        self.save_button = QPushButton("Lưu")
        self.preview_button = QPushButton("Xem bản in")
        self.pdf_button = QPushButton("Xuất PDF…")
        self.docx_button = QPushButton("Xuất Word…")
        self.sign_button = QPushButton("Ký ban hành…")
        self.unsign_button = QPushButton("Hủy ký ban hành…")
        actions = QHBoxLayout()
        for button in (self.save_button, self.preview_button, self.pdf_button,
                       self.docx_button):
            actions.addWidget(button)
        actions.addStretch()
        actions.addWidget(self.sign_button)
        actions.addWidget(self.unsign_button)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 0, 0)
        right_layout.addLayout(header)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.status_label)

        split = split_panes((left, 0), (right, 1), vertical=True, sizes=[110, 650])
        layout.addWidget(split, 1)

        self.editors = (self.kind_box, self.year_box, self.period_box, self.symbol_edit,
                        self.subject_edit, self.signer_box, self.preamble_edit,
                        self.level_for_new, self.add_heading_button, self.add_para_button,
                        self.add_bullet_button, self.add_table_button, self.up_button,
                        self.down_button, self.remove_button, self.block_level,
                        self.block_text, self.source_box, self.table_title_edit,
                        self.closing_edit, self.recipients_edit)

        self.list.itemSelectionChanged.connect(self._list_selection_changed)
        self.new_button.clicked.connect(self.new_document)
        self.delete_button.clicked.connect(self.delete_current)
        for widget in (self.subject_edit, self.symbol_edit):
            widget.textEdited.connect(self._changed)
        for box in (self.kind_box, self.period_box, self.signer_box):
            box.currentIndexChanged.connect(self._changed)
        self.year_box.valueChanged.connect(self._changed)
        self.preamble_edit.textChanged.connect(self._changed)
        self.recipients_edit.textChanged.connect(self._changed)
        self.closing_edit.textChanged.connect(self._closing_changed)
        self.block_list.currentRowChanged.connect(self._show_block)
        self.add_heading_button.clicked.connect(lambda: self.add_block("heading"))
        self.add_para_button.clicked.connect(lambda: self.add_block("para"))
        self.add_bullet_button.clicked.connect(lambda: self.add_block("bullet"))
        self.add_table_button.clicked.connect(lambda: self.add_block("table"))
        self.up_button.clicked.connect(lambda: self.move_block(-1))
        self.down_button.clicked.connect(lambda: self.move_block(1))
        self.remove_button.clicked.connect(self.remove_block)
        self.block_text.textChanged.connect(self._block_text_changed)
        self.block_level.currentIndexChanged.connect(self._block_level_changed)
        self.source_box.currentIndexChanged.connect(self._source_changed)
        self.table_title_edit.textEdited.connect(self._table_changed)
        self.save_button.clicked.connect(self.save)
        add_shortcut(self, QKeySequence.StandardKey.Save, self._save_if_enabled,
                     button=self.save_button, context=Qt.ShortcutContext.WindowShortcut)
        self.preview_button.clicked.connect(self.show_preview)
        self.pdf_button.clicked.connect(lambda: self.export(".pdf"))
        self.docx_button.clicked.connect(lambda: self.export(".docx"))
        self.sign_button.clicked.connect(self.sign)
        self.unsign_button.clicked.connect(self.unsign)
        self._load(None)

    # -- reading (GUI thread) ----------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self._db = db
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: periods and data may have changed elsewhere."""
        super().showEvent(event)
        if not self.dirty:
            self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the documents again and keep (or choose) the current one."""
        if self._db is None:
            return
        keep = select or (self.current["id"] if self.current else None)
        self._rows = plan_documents.documents(self._db)
        self.list.blockSignals(True)
        self.list.setRowCount(len(self._rows))
        chosen = -1
        for r, row in enumerate(self._rows):
            number = f"{row['number']}/{row['symbol']}" if row.get("number") else ""
            for c, text in enumerate((rules.KINDS[row["kind"]], str(row["year"]),
                                      rules.STATES[row["state"]], number, row["subject"])):
                item = QTableWidgetItem(text)
                item.setToolTip(row["subject"])
                item.setData(ID_ROLE, row["id"])
                self.list.setItem(r, c, item)
            if row["id"] == keep:
                chosen = r
        if chosen >= 0:
            self.list.selectRow(chosen)
        self.list.blockSignals(False)
        self._fill_periods()
        if not self.dirty:
            self._load(plan_documents.get(self._db, keep) if chosen >= 0 else None)

    def _fill_periods(self) -> None:
        self._loading, was = True, self._loading
        current = self.period_box.currentData()
        self.period_box.clear()
        self.period_box.addItem(NO_PERIOD, None)
        for period in _periods(self._db):
            self.period_box.addItem(period["label"], period["id"])
        index = self.period_box.findData(current)
        self.period_box.setCurrentIndex(max(index, 0))
        self._loading = was

    def selected_id(self) -> str | None:
        rows = self.list.selectionModel().selectedRows()
        return self._rows[rows[0].row()]["id"] if rows else None

    def _list_selection_changed(self) -> None:
        chosen = self.selected_id()
        if self.current and chosen == self.current["id"]:
            return
        if self.dirty and not self.confirm_discard():
            self.reload(select=self.current["id"] if self.current else None)
            return
        self.dirty = False
        self._load(plan_documents.get(self._db, chosen) if chosen else None)

    # -- the editor --------------------------------------------------------------------------

    def _load(self, row: dict | None) -> None:
        """Fill the editor from a stored document (or empty it)."""
        self._loading = True
        self.current = row
        body = row["body_data"] if row else rules.empty_body()
        self.blocks = copy.deepcopy(body.get("blocks", []))
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(row["kind"] if row
                                                                    else "plan")))
        self.year_box.setValue(row["year"] if row else date.today().year)
        self.period_box.setCurrentIndex(max(0, self.period_box.findData(
            row["period_id"] if row else None)))
        self.symbol_edit.setText(row["symbol"] or "" if row else "")
        self.subject_edit.setText(row["subject"] if row else "")
        self.signer_box.setCurrentIndex(max(0, self.signer_box.findData(
            (row.get("signer_role") if row else None) or "chairman")))
        self.preamble_edit.setPlainText("\n".join(body.get("preamble", [])))
        self.closing_edit.setPlainText(body.get("closing") or "")
        self.recipients_edit.setPlainText("\n".join(row["recipient_lines"] if row else []))
        self._refresh_blocks(select=0 if self.blocks else -1)
        self._loading = False
        self.dirty = False
        self._closing_changed(mark=False)
        self._update_state()

    @property
    def signed(self) -> bool:
        return bool(self.current) and self.current["state"] == rules.SIGNED

    def _update_state(self) -> None:
        has = self.current is not None
        editable = has and not self.signed
        for widget in self.editors:
            widget.setEnabled(editable)
        self.save_button.setEnabled(editable)
        for button in (self.preview_button, self.pdf_button, self.docx_button):
            button.setEnabled(has)
        self.sign_button.setEnabled(editable)
        self.unsign_button.setEnabled(self.signed)
        self.delete_button.setEnabled(editable)
        if self.signed:
            self.status_label.setText(
                f"Đã ký ban hành số {self.current['number']}/{self.current['symbol']} ngày "
                f"{date.fromisoformat(self.current['signed_on']).strftime('%d/%m/%Y')}: văn "
                "bản không sửa được, số liệu các bảng đã được chốt.")
        elif not has:
            self.status_label.setText("Chọn một văn bản, hoặc bấm «Tạo từ mẫu…».")

    def _changed(self, *_args) -> None:
        if not self._loading:
            self.dirty = True

    def _closing_changed(self, mark: bool = True) -> None:
        issues = rules.check_closing(self.closing_edit.toPlainText())
        self.closing_note.setText(" ".join(i.message for i in issues) or
                                  "Câu kết thúc có dấu «/.».")
        self.closing_note.setStyleSheet(f"color: {ERROR_COLOR};" if issues else "color: #555;")
        if mark is not False:
            self._changed()

    def body(self) -> dict:
        """The body as edited (not yet saved)."""
        preamble = [line.strip() for line in self.preamble_edit.toPlainText().splitlines()
                    if line.strip()]
        return {"preamble": preamble, "blocks": copy.deepcopy(self.blocks),
                "closing": self.closing_edit.toPlainText().strip()}

    def recipients(self) -> list[str]:
        return [line.strip() for line in self.recipients_edit.toPlainText().splitlines()
                if line.strip()]

    def values(self) -> dict[str, Any]:
        """The editor's document as ``plan_documents.save`` takes it."""
        return {"kind": self.kind_box.currentData(), "year": self.year_box.value(),
                "period_id": self.period_box.currentData(),
                "symbol": self.symbol_edit.text().strip() or None,
                "subject": self.subject_edit.text().strip(),
                "signer_role": self.signer_box.currentData(), "body": self.body(),
                "recipients": self.recipients()}

    # -- blocks ------------------------------------------------------------------------------

    def _refresh_blocks(self, select: int | None = None) -> None:
        row = self.block_list.currentRow() if select is None else select
        self.block_list.blockSignals(True)
        self.block_list.clear()
        for block, label in zip(self.blocks, block_labels(self.blocks)):
            item = QListWidgetItem(block_line(block, label))
            if block.get("type") == "heading" and block.get("level", 1) <= 2:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.block_list.addItem(item)
        self.block_list.blockSignals(False)
        if 0 <= row < len(self.blocks):
            self.block_list.setCurrentRow(row)
        self._show_block(self.block_list.currentRow())

    def _relabel(self) -> None:
        for i, (block, label) in enumerate(zip(self.blocks, block_labels(self.blocks))):
            item = self.block_list.item(i)
            if item is not None:
                item.setText(block_line(block, label))

    def current_block(self) -> dict | None:
        row = self.block_list.currentRow()
        return self.blocks[row] if 0 <= row < len(self.blocks) else None

    def _show_block(self, row: int) -> None:
        was, self._loading = self._loading, True
        block = self.blocks[row] if 0 <= row < len(self.blocks) else None
        if block is None:
            self.block_stack.setCurrentIndex(0)
        elif block["type"] == "table":
            self.block_stack.setCurrentIndex(2)
            self.source_box.setCurrentIndex(max(0, self.source_box.findData(block["source"])))
            self.table_title_edit.setText(block.get("title") or "")
            self._param_fields(block)
        else:
            self.block_stack.setCurrentIndex(1)
            self.block_level.clear()
            levels = rules.HEADING_LEVELS if block["type"] == "heading" else (
                rules.BULLET_LEVELS if block["type"] == "bullet" else {})
            for level, label in levels.items():
                self.block_level.addItem(label, level)
            self.block_level.setEnabled(bool(levels) and not self.signed)
            self.text_form.setRowVisible(self.block_level, bool(levels))
            self.block_level.setCurrentIndex(max(0, self.block_level.findData(
                block.get("level"))))
            self.block_text.setPlainText(block.get("text") or "")
        self.block_box.setTitle(f"Khối đang chọn: {rules.BLOCK_TYPES[block['type']].lower()}"
                                if block else "Khối đang chọn")
        self._loading = was

    def _param_fields(self, block: dict) -> None:
        while self.param_form.rowCount():
            self.param_form.removeRow(0)
        self.param_edits = {}
        source = rules.TABLE_SOURCES[block["source"]]
        params = block.get("params") or {}
        for param in source.params:
            if param.kind == "choice":
                widget = QComboBox()
                for key, label in param.choices:
                    widget.addItem(label, key)
                widget.setCurrentIndex(max(0, widget.findData(params.get(param.name,
                                                                         param.default))))
                widget.currentIndexChanged.connect(self._table_changed)
            elif param.kind == "period":
                widget = QComboBox()
                widget.addItem("(chọn kỳ báo cáo)", None)
                for period in _periods(self._db):
                    widget.addItem(period["label"], period["id"])
                widget.setCurrentIndex(max(0, widget.findData(params.get(param.name))))
                widget.currentIndexChanged.connect(self._table_changed)
            else:
                widget = QLineEdit(str(params.get(param.name, "") or ""))
                widget.textEdited.connect(self._table_changed)
            widget.setEnabled(not self.signed)
            self.param_edits[param.name] = widget
            self.param_form.addRow(f"{param.label}:", widget)

    def _params(self, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for param in rules.TABLE_SOURCES[source].params:
            widget = self.param_edits.get(param.name)
            if widget is None:
                continue
            if isinstance(widget, QComboBox):
                value = widget.currentData()
            else:
                value = widget.text().strip()
                if param.kind == "year" and value.isdigit():
                    value = int(value)
            if value not in (None, ""):
                out[param.name] = value
        return out

    def _block_text_changed(self) -> None:
        block = self.current_block()
        if self._loading or block is None or block["type"] == "table":
            return
        block["text"] = self.block_text.toPlainText()
        self._relabel()
        self._changed()

    def _block_level_changed(self) -> None:
        block = self.current_block()
        if self._loading or block is None or self.block_level.currentData() is None:
            return
        block["level"] = self.block_level.currentData()
        self._refresh_blocks()
        self._changed()

    def _source_changed(self) -> None:
        block = self.current_block()
        if self._loading or block is None or block["type"] != "table":
            return
        block["source"] = self.source_box.currentData()
        block["params"] = self._default_params(block["source"])
        self._param_fields(block)
        self._relabel()
        self._changed()

    def _table_changed(self, *_args) -> None:
        block = self.current_block()
        if self._loading or block is None or block["type"] != "table":
            return
        block["params"] = self._params(block["source"])
        title = self.table_title_edit.text().strip()
        if title:
            block["title"] = title
        else:
            block.pop("title", None)
        self._relabel()
        self._changed()

    def _default_params(self, source: str) -> dict[str, Any]:
        year = self.year_box.value()
        out: dict[str, Any] = {}
        for param in rules.TABLE_SOURCES[source].params:
            if param.name == "from_year":
                out[param.name] = year - 1
            elif param.kind == "year":
                out[param.name] = year
            elif param.kind == "period" and self.period_box.currentData():
                out[param.name] = self.period_box.currentData()
            elif param.default is not None:
                out[param.name] = param.default
        return out

    def add_block(self, kind: str) -> None:
        """Insert a block after the chosen one (at the end when none is chosen)."""
        row = self.block_list.currentRow()
        at = row + 1 if row >= 0 else len(self.blocks)
        if kind == "heading":
            block = {"type": "heading", "level": self.level_for_new.currentData(),
                     "text": "Đề mục mới"}
        elif kind == "bullet":
            block = {"type": "bullet", "level": 1, "text": "Nội dung"}
        elif kind == "para":
            block = {"type": "para", "text": "Nội dung đoạn văn."}
        else:
            source = "poverty_by_village"
            block = {"type": "table", "source": source,
                     "params": self._default_params(source)}
        self.blocks.insert(at, block)
        self._refresh_blocks(select=at)
        self._changed()
        if kind != "table":
            self.block_text.setFocus()
            self.block_text.selectAll()

    def move_block(self, step: int) -> None:
        row = self.block_list.currentRow()
        other = row + step
        if not (0 <= row < len(self.blocks) and 0 <= other < len(self.blocks)):
            return
        self.blocks[row], self.blocks[other] = self.blocks[other], self.blocks[row]
        self._refresh_blocks(select=other)
        self._changed()

    def remove_block(self) -> None:
        row = self.block_list.currentRow()
        if not 0 <= row < len(self.blocks):
            return
        del self.blocks[row]
        self._refresh_blocks(select=min(row, len(self.blocks) - 1))
        self._changed()

    # -- questions (tests replace them) ------------------------------------------------------

    def unsaved_changes(self) -> list[str]:
        """The document being edited when it has unsaved changes (closing the program)."""
        if not self.dirty or self.current is None:
            return []
        return [f"Văn bản «{self.current.get('subject') or ''}»"]

    def confirm_discard(self) -> bool:
        """"Bỏ các thay đổi chưa lưu?" before leaving a document."""
        return ask_to_go_on(self, "Văn bản chưa lưu", "Bỏ các thay đổi chưa lưu của văn bản?",
                            "Các thay đổi từ lần lưu trước sẽ mất.", "Bỏ thay đổi")

    def ask_new_document(self) -> tuple[str, int, str | None] | None:
        dialog = NewDocumentDialog(plan_document.templates(), _periods(self._db),
                                   date.today().year, self)
        return dialog.values() if dialog.exec() else None

    def ask_save_path(self, suffix: str) -> Path | None:
        kind = "Tệp PDF (*.pdf)" if suffix == ".pdf" else "Văn bản Word (*.docx)"
        name = f"{rules.SYMBOLS.get(self.current['kind'], 'van-ban')}-{self.current['year']}"
        path, _ = QFileDialog.getSaveFileName(self, "Lưu văn bản",
                                              str(Path.home() / f"{name}{suffix}"), kind)
        if not path:
            return None
        path = Path(path)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def ask_sign(self) -> tuple[int | None, date] | None:
        dialog = SignDialog(self)
        return dialog.values() if dialog.exec() else None

    def ask_reason(self, title: str, label: str) -> str | None:
        return ask_text(self, title, label)

    # -- work in the worker ------------------------------------------------------------------

    def _run(self, label: str, fn: Callable[[Database], Any],
             done: Callable[[Any], None]) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(label)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, GnappError):
                self.status_label.setStyleSheet(f"color: {ERROR_COLOR};")
                self.status_label.setText(str(exc))
            else:
                self.status_label.setText("")
            show_error(self, exc)

        self.tasks.run(fn, done, failed)

    def _say(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)
        self.message.emit(text)

    def new_document(self) -> None:
        if self.dirty and not self.confirm_discard():
            return
        answer = self.ask_new_document()
        if answer is None:
            return
        name, year, period_id = answer
        self.dirty = False
        self._run("Đang tạo văn bản từ mẫu…",
                  _write(lambda w: plan_document.new_from_template(w, name, year=year,
                                                                   period_id=period_id)),
                  lambda row: self._stored(row, f"Đã tạo dự thảo: {row['subject']}."))

    def _stored(self, row: dict, text: str) -> None:
        self.dirty = False
        self.reload(select=row["id"])
        self._load(plan_documents.get(self._db, row["id"]))
        self._say(text)

    def _save_if_enabled(self) -> None:
        if self.save_button.isEnabled():
            self.save()

    def save(self, then: Callable[[], None] | None = None) -> None:
        if self.current is None or self.signed:
            return
        doc_id, version = self.current["id"], self.current["version"]
        values = self.values()

        def saved(row: dict) -> None:
            self._stored(row, "Đã lưu văn bản.")
            if then:
                then()

        self._run("Đang lưu…", _write(lambda w: plan_documents.save(
            w, doc_id, expected_version=version, **values)), saved)

    def delete_current(self) -> None:
        if self.current is None or self.signed:
            return
        reason = self.ask_reason("Xóa dự thảo", "Lý do xóa (ghi vào nhật ký):")
        if not reason:
            return
        doc_id = self.current["id"]
        self.dirty = False
        self.current = None
        self._run("Đang xóa…", _write(lambda w: plan_documents.delete(w, doc_id, reason=reason)),
                  lambda _row: (self.reload(), self._load(None), self._say("Đã xóa dự thảo.")))

    def show_preview(self) -> None:
        """Lay the document out as edited (or as signed), write the PDF to a temporary file
        and show it."""
        if self.current is None:
            return
        path = self.preview.scratch / "ban-in.pdf"
        if self.signed:
            doc_id = self.current["id"]
            build = lambda db: plan_document.build(db, doc_id)   # noqa: E731
        else:
            values = self.values()
            row = {"id": self.current["id"], "owner_unit": self.current["owner_unit"],
                   **{k: v for k, v in values.items() if k not in ("body", "recipients")},
                   "body": rules.dump_body(values["body"]),
                   "recipients": json.dumps(values["recipients"], ensure_ascii=False)}
            build = lambda db: plan_document.build_draft(db, row)   # noqa: E731

        def work(db: Database) -> tuple[d.Document, Path]:
            doc = build(db)
            return doc, render_pdf(doc, path)

        self._run("Đang lập bản in…", work, self._show_preview)

    def _show_preview(self, result: tuple[d.Document, Path]) -> None:
        self.preview_doc, self.preview_path = result
        pages = self.preview.show_pdf(self.preview_path)
        self.tabs.setCurrentWidget(self.preview)
        self._say(f"Bản in: {pages} trang, đúng như khi in hoặc xuất PDF.")

    def export(self, suffix: str) -> None:
        """Write the stored document to a PDF or Word file (saving the edits first)."""
        if self.current is None:
            return
        if self.dirty:
            self.save(then=lambda: self.export(suffix))
            return
        path = self.ask_save_path(suffix)
        if path is None:
            return
        doc_id = self.current["id"]
        self._run("Đang ghi tệp…", lambda db: plan_document.write(db, doc_id, path,
                                                                  picture=chart_png),
                  lambda written: self._say(f"Đã lưu {written}"))

    def sign(self) -> None:
        if self.current is None or self.signed:
            return
        if self.dirty:
            self.save(then=self.sign)
            return
        try:
            answer = self.ask_sign()
        except InputError as exc:
            show_error(self, exc)
            return
        if answer is None:
            return
        number, day = answer
        doc_id = self.current["id"]
        self._run("Đang ký ban hành…",
                  lambda db: plan_document.sign(sites.writer(db), doc_id, day=day,
                                                number=number),
                  lambda row: self._stored(row, f"Đã ký ban hành số {row['number']}/"
                                                f"{row['symbol']}."))

    def unsign(self) -> None:
        if not self.signed:
            return
        reason = self.ask_reason("Hủy ký ban hành",
                                 "Lý do hủy ký ban hành (bắt buộc, ghi vào nhật ký):")
        if reason is None:
            return
        doc_id = self.current["id"]
        self._run("Đang hủy ký ban hành…",
                  _write(lambda w: plan_documents.unsign(w, doc_id, reason=reason)),
                  lambda row: self._stored(row, "Đã hủy ký ban hành; văn bản là dự thảo."))
