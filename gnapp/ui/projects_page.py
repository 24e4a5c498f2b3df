"""The "Dự án, giải ngân" area: livelihood projects with their participants and inputs, and
the payments, estimates and settlement of each allocation line.

Two tabs:

- "Dự án, mô hình": the commune's projects; the chosen project's facts (editable), its
  participants picked from the household register by search (each household shown with
  its eligibility and the reason, computed by ``gnapp.db.projects``), the shares of
  target-group (≥ 50 %) and priority (> 70 %) households updated after every change, and
  the inputs delivered. "In danh sách…" writes the participant list (PDF or XLSX).
- "Giải ngân": the allocation lines of the commune with what is available, disbursed and
  left, and the rate; for the chosen line its payments (a payment that would overrun the
  line is refused and the refusal shown under the form), its detailed estimates with the
  approval chain buttons (thẩm định, phê duyệt, trả lại, trình lại), and the settlement.

Every write runs in the task manager's worker; refusals of the backend are shown in the
page, next to the form that caused them. Questions (a reason, a file name) go through
``ask_text`` and ``ask_save_path`` so that tests can answer them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShowEvent
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSplitter, QTabWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import disbursement as spending
from gnapp.db import projects as pj
from gnapp.db import sites
from gnapp.domain import disbursement as money_rules
from gnapp.domain import projects as rules
from gnapp.domain.dates import format_date, parse_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.numbers import (format_int, format_number, format_rate, parse_amount,
                                  parse_number, to_decimal)
from gnapp.domain.text import clean
from gnapp.ui import widgets
from gnapp.ui.tasks import TaskManager, report_failure, show_error
from gnapp.ui.widgets import (ERROR_COLOR, ask_text, form_values, list_table, message_label,
                               page_layout, show_message)

AREA_TITLE = "Dự án, giải ngân"
WARNING_COLOR = "#8a5a00"
OK_COLOR = "#1b6e20"
DATE_PLACEHOLDER = "dd/mm/yyyy"
ID_ROLE = Qt.ItemDataRole.UserRole
NEW_PROJECT = "Dự án mới"
GROUP_COLORS = {"other": "#777777"}


def _day(text: str | None) -> str:
    return format_date(date.fromisoformat(text)) if text else ""


def describe_failure(exc: BaseException) -> str | None:
    """The message for a refused write, or None for a program fault."""
    if isinstance(exc, GnappError):
        return str(exc)
    if isinstance(exc, sqlite3.IntegrityError) and "project_participant_key" in str(exc):
        return "Hộ này đã có trong danh sách tham gia dự án."
    return None


def _write(fn: Callable[..., Any]) -> Callable[[Database], Any]:
    """A task running ``fn(writer)`` in one transaction on the worker's connection."""
    return lambda db: sites.writer(db).transact(fn).result


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], ids: Sequence[Any],
          *, right: Sequence[int] = (), colors: Sequence[str | None] | None = None,
          tooltips: Sequence[str | None] | None = None) -> None:
    selected = current_id(table)
    table.setRowCount(len(rows))
    for r, (values, key) in enumerate(zip(rows, ids)):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setData(ID_ROLE, key)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if colors and colors[r]:
                item.setForeground(QBrush(QColor(colors[r])))
            if tooltips and tooltips[r]:
                item.setToolTip(tooltips[r])
            table.setItem(r, c, item)
    if selected is not None:
        select_id(table, selected)


def current_id(table: QTableWidget) -> Any:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(ID_ROLE) if item is not None else None


def select_id(table: QTableWidget, key: Any) -> bool:
    for row in range(table.rowCount()):
        if table.item(row, 0).data(ID_ROLE) == key:
            table.setCurrentCell(row, 0)
            return True
    return False


def _date_edit(today: date | None = None) -> QLineEdit:
    edit = QLineEdit(format_date(today) if today else "")
    edit.setPlaceholderText(DATE_PLACEHOLDER)
    edit.setMaximumWidth(130)
    return edit


class ProjectsPage(QWidget):
    """The area "Dự án, giải ngân" (see the module doc).

    :param db: the GUI thread's read connection (``None`` while it is closed)
    :param tasks: runs the writes in the worker
    """

    message = Signal(str)

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None,
                 *, today: date | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.today = today or date.today()
        self.project_id: str | None = None
        self.line_id: str | None = None
        self._setup()
        self.refresh()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._projects_tab(), "Dự án, mô hình")
        self.tabs.addTab(self._payments_tab(), "Giải ngân")
        layout.addWidget(self.tabs, 1)

    def _projects_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        buttons = QHBoxLayout()
        self.new_project_button = QPushButton("Thêm dự án…")
        self.print_button = QPushButton("In danh sách hộ…")
        self.start_button = QPushButton("Chuyển sang thực hiện")
        self.finish_button = QPushButton("Kết thúc dự án")
        for button in (self.new_project_button, self.print_button, self.start_button,
                       self.finish_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.project_message = message_label()
        layout.addWidget(self.project_message)

        split = QSplitter(Qt.Orientation.Vertical)
        self.project_table = list_table(["Tên dự án, mô hình", "Dự án/TDA", "Năm", "Số hộ",
                                     "Kinh phí (đồng)", "Trạng thái"], stretch=0)
        split.addWidget(self.project_table)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self._info_tab(), "Thông tin dự án")
        self.detail_tabs.addTab(self._participants_tab(), "Hộ tham gia")
        self.detail_tabs.addTab(self._inputs_tab(), "Giống, vật tư đã cấp")
        split.addWidget(self.detail_tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)

        self.project_table.itemSelectionChanged.connect(self._project_chosen)
        self.new_project_button.clicked.connect(self.new_project)
        self.print_button.clicked.connect(self.print_list)
        self.start_button.clicked.connect(lambda: self.set_status("implementing"))
        self.finish_button.clicked.connect(lambda: self.set_status("completed"))
        return tab

    def _info_tab(self) -> QWidget:
        box = QWidget()
        self.info_box = box
        self._info_values: tuple = ()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Ví dụ: Dự án chăn nuôi dê sinh sản")
        self.kind_combo = QComboBox()
        for key, label in rules.PROJECT_KINDS.items():
            self.kind_combo.addItem(label, key)
        self.line_combo = QComboBox()
        self.line_combo.setEditable(True)
        for code, label in rules.PROJECT_LINES.items():
            self.line_combo.addItem(f"{code} – {label}", code)
        self.implementer_edit = QLineEdit()
        self.implementer_edit.setPlaceholderText("Ví dụ: UBND xã, Hội Nông dân xã, hợp tác xã…")
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("Ví dụ 400.000.000 hoặc 400 triệu")
        self.amount_edit.setMaximumWidth(220)
        dates = QHBoxLayout()
        self.starts_edit = _date_edit()
        self.ends_edit = _date_edit()
        dates.addWidget(self.starts_edit)
        dates.addWidget(QLabel("đến"))
        dates.addWidget(self.ends_edit)
        dates.addStretch()
        self.management_edit = QLineEdit()
        self.management_edit.setPlaceholderText("Họ tên, chức vụ các thành viên tổ quản lý")
        self.supervision_edit = QLineEdit()
        self.supervision_edit.setPlaceholderText("Họ tên, chức vụ các thành viên tổ giám sát")
        self.decision_edit = QLineEdit()
        self.decision_edit.setPlaceholderText("Ví dụ 45/QĐ-UBND ngày 20/02/2024")
        self.save_project_button = QPushButton("Lưu thông tin dự án")
        self.info_message = message_label()
        form.addRow("&Tên dự án, mô hình:", self.name_edit)
        form.addRow("&Loại:", self.kind_combo)
        form.addRow("Thuộc &dự án, tiểu dự án:", self.line_combo)
        form.addRow("Đơn vị thực &hiện:", self.implementer_edit)
        form.addRow("&Kinh phí (đồng):", self.amount_edit)
        self.allocation_combo = QComboBox()
        dates_label = QLabel("Thời gian t&ừ:")
        dates_label.setBuddy(self.starts_edit)
        form.addRow(dates_label, dates)
        form.addRow("Lấy vốn từ dòng &vốn:", self.allocation_combo)
        form.addRow("Tổ &quản lý:", self.management_edit)
        form.addRow("Tổ giá&m sát:", self.supervision_edit)
        form.addRow("Quyết định &thành lập tổ:", self.decision_edit)
        row = QHBoxLayout()
        row.addWidget(self.save_project_button)
        row.addStretch()
        form.addRow("", row)
        form.addRow("", self.info_message)
        self.save_project_button.clicked.connect(self.save_project)
        widgets.add_shortcut(self, QKeySequence.StandardKey.Save, self._save_if_shown,
                             button=self.save_project_button,
                             context=Qt.ShortcutContext.WindowShortcut)
        return box

    def _participants_tab(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.target_label = QLabel()
        self.priority_label = QLabel()
        for label in (self.target_label, self.priority_label):
            label.setWordWrap(True)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            layout.addWidget(label)
        split = QSplitter(Qt.Orientation.Vertical)

        left = QGroupBox("Tìm hộ trong sổ hộ")
        left_layout = QVBoxLayout(left)
        add_row = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Mã hộ hoặc tên thành viên, gõ không dấu cũng được")
        self.search_edit.setClearButtonEnabled(True)
        add_row.addWidget(self.search_edit, 1)
        self.candidate_table = list_table(["Mã hộ", "Chủ hộ", "Thôn", "Nhóm đối tượng", "Lý do"],
                                      stretch=4)
        add_row.addWidget(QLabel("Vốn đối ứng (đồng):"))
        self.counterpart_edit = QLineEdit("0")
        self.counterpart_edit.setMaximumWidth(160)
        add_row.addWidget(self.counterpart_edit)
        self.add_participant_button = QPushButton("Thêm vào dự án")
        add_row.addWidget(self.add_participant_button)
        left_layout.addLayout(add_row)
        left_layout.addWidget(self.candidate_table, 1)
        self.participant_message = message_label()
        left_layout.addWidget(self.participant_message)
        split.addWidget(left)

        right = QGroupBox("Hộ tham gia dự án")
        right_layout = QVBoxLayout(right)
        self.participant_table = list_table(["Mã hộ", "Chủ hộ", "Thôn", "Nhóm đối tượng",
                                         "Vốn đối ứng", "Lý do"], stretch=5)
        right_layout.addWidget(self.participant_table, 1)
        row = QHBoxLayout()
        self.remove_participant_button = QPushButton("Bỏ khỏi dự án…")
        row.addWidget(self.remove_participant_button)
        row.addStretch()
        right_layout.addLayout(row)
        split.addWidget(right)
        layout.addWidget(split, 1)

        self.search_edit.textChanged.connect(self.search_households)
        self.search_edit.returnPressed.connect(self.search_households)
        self.add_participant_button.clicked.connect(self.add_participant)
        self.candidate_table.doubleClicked.connect(lambda _index: self.add_participant())
        self.remove_participant_button.clicked.connect(self.remove_participant)
        return box

    def _inputs_tab(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.input_table = list_table(["Ngày cấp", "Giống, vật tư", "Số lượng", "Đơn vị tính",
                                   "Cấp cho", "Ghi chú"], stretch=5)
        layout.addWidget(self.input_table, 1)
        form = QHBoxLayout()
        self.item_edit = QLineEdit()
        self.item_edit.setPlaceholderText("Giống, vật tư (dê cái giống…)")
        self.quantity_edit = QLineEdit()
        self.quantity_edit.setPlaceholderText("Số lượng")
        self.quantity_edit.setMaximumWidth(90)
        self.unit_edit = QLineEdit()
        self.unit_edit.setPlaceholderText("con, kg…")
        self.unit_edit.setMaximumWidth(90)
        self.delivered_edit = _date_edit(self.today)
        self.receiver_combo = QComboBox()
        self.receiver_combo.setMinimumWidth(200)
        self.add_input_button = QPushButton("Ghi cấp")
        for widget in (self.item_edit, self.quantity_edit, self.unit_edit, self.delivered_edit,
                       self.receiver_combo, self.add_input_button):
            form.addWidget(widget)
        layout.addLayout(form)
        self.input_message = message_label()
        layout.addWidget(self.input_message)
        self.add_input_button.clicked.connect(self.add_input)
        return box

    def _payments_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        split = QSplitter(Qt.Orientation.Vertical)
        self.line_table = list_table(["Dòng vốn", "Vốn được sử dụng", "Đã giải ngân", "Còn lại",
                                  "Tỷ lệ giải ngân", "Trạng thái"], stretch=0)
        split.addWidget(self.line_table)
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)

        pay_box = QGroupBox("Các khoản chi")
        pay_layout = QVBoxLayout(pay_box)
        self.payment_table = list_table(["Ngày", "Số tiền (đồng)", "Chứng từ", "Nội dung"],
                                    stretch=3)
        pay_layout.addWidget(self.payment_table, 1)
        pay_form = QFormLayout()
        self.pay_amount_edit = QLineEdit()
        self.pay_amount_edit.setPlaceholderText("Ví dụ 150.000.000 hoặc 150 triệu")
        self.pay_date_edit = _date_edit(self.today)
        self.pay_document_edit = QLineEdit()
        self.pay_document_edit.setPlaceholderText("Ví dụ PC 12/2024")
        self.pay_content_edit = QLineEdit()
        self.pay_estimate_combo = QComboBox()
        pay_form.addRow("Số &tiền:", self.pay_amount_edit)
        pay_form.addRow("&Ngày chi:", self.pay_date_edit)
        pay_form.addRow("Số &chứng từ:", self.pay_document_edit)
        pay_form.addRow("Nội &dung:", self.pay_content_edit)
        pay_form.addRow("Theo dự &toán:", self.pay_estimate_combo)
        pay_layout.addLayout(pay_form)
        row = QHBoxLayout()
        self.add_payment_button = QPushButton("Ghi khoản chi")
        self.reverse_payment_button = QPushButton("Hủy khoản chi…")
        self.settle_button = QPushButton("Quyết toán…")
        for button in (self.add_payment_button, self.reverse_payment_button, self.settle_button):
            row.addWidget(button)
        row.addStretch()
        pay_layout.addLayout(row)
        self.payment_message = message_label()
        pay_layout.addWidget(self.payment_message)
        lower_layout.addWidget(pay_box, 1)

        est_box = QGroupBox("Dự toán chi tiết (lập → thẩm định → phê duyệt)")
        est_layout = QVBoxLayout(est_box)
        self.estimate_table = list_table(["Hoạt động", "Số tiền (đồng)", "Trạng thái", "Đã chi"],
                                     stretch=0)
        est_layout.addWidget(self.estimate_table, 1)
        new_row = QHBoxLayout()
        self.activity_edit = QLineEdit()
        self.activity_edit.setPlaceholderText("Nội dung hoạt động")
        self.estimate_amount_edit = QLineEdit()
        self.estimate_amount_edit.setPlaceholderText("Số tiền")
        self.estimate_amount_edit.setMaximumWidth(150)
        self.prepare_button = QPushButton("Lập dự toán")
        for widget in (self.activity_edit, self.estimate_amount_edit, self.prepare_button):
            new_row.addWidget(widget)
        est_layout.addLayout(new_row)
        who_row = QHBoxLayout()
        who_row.addWidget(QLabel("Người thực hiện:"))
        self.actor_edit = QLineEdit()
        self.actor_edit.setPlaceholderText("Ví dụ: Bộ phận Kế toán – Ngân sách; Chủ tịch UBND xã")
        who_row.addWidget(self.actor_edit, 1)
        who_row.addWidget(QLabel("Ngày:"))
        self.step_date_edit = _date_edit(self.today)
        who_row.addWidget(self.step_date_edit)
        est_layout.addLayout(who_row)
        steps = QHBoxLayout()
        self.step_buttons: dict[str, QPushButton] = {}
        for step, (_, _, name) in money_rules.ESTIMATE_STEPS.items():
            button = QPushButton(name + ("…" if step == "return" else ""))
            button.clicked.connect(lambda _checked=False, s=step: self.estimate_step(s))
            self.step_buttons[step] = button
            steps.addWidget(button)
        steps.addStretch()
        est_layout.addLayout(steps)
        self.estimate_message = message_label()
        est_layout.addWidget(self.estimate_message)
        lower_layout.addWidget(est_box, 1)

        split.addWidget(lower)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        self.line_table.itemSelectionChanged.connect(self._line_chosen)
        self.add_payment_button.clicked.connect(self.add_payment)
        self.reverse_payment_button.clicked.connect(self.reverse_payment)
        self.settle_button.clicked.connect(self.settle)
        self.prepare_button.clicked.connect(self.prepare_estimate)
        self.estimate_table.itemSelectionChanged.connect(self._update_step_buttons)
        return tab

    # -- questions (patched in tests) ------------------------------------------------------

    def ask_text(self, title: str, label: str) -> str | None:
        """Ask for one line of text (a reason); None when cancelled."""
        return ask_text(self, title, label)

    def ask_save_path(self, suggested: str) -> Path | None:
        """Ask where to write the participant list (.pdf or .xlsx); None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Lưu danh sách hộ tham gia", suggested,
            "Bản in PDF (*.pdf);;Bảng tính Excel (*.xlsx)")
        return Path(path) if path else None

    # -- reading ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: the register or reviews may have changed meanwhile,
        and eligibility is computed from them."""
        super().showEvent(event)
        self.refresh()

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None:
            self.refresh()

    def refresh(self) -> None:
        if self._db is None:
            return
        self._load_projects()
        self._load_lines()

    def _unit(self) -> str | None:
        site = sites.local_site(self._db)
        return site.unit_code if site else None

    def _load_projects(self) -> None:
        rows = pj.list_projects(self._db, self._unit())
        _fill(self.project_table,
              [[r["name"], r["line_code"], str(r["year"] or ""), format_int(r["participants"]),
                format_int(r["amount"]), rules.PROJECT_STATES[r["status"]]] for r in rows],
              [r["id"] for r in rows], right=(2, 3, 4))
        if self.project_id and not select_id(self.project_table, self.project_id):
            self.project_id = None
        if self.project_id is None and rows and current_id(self.project_table) is None:
            select_id(self.project_table, rows[0]["id"])
        self._load_project()

    def _project_chosen(self) -> None:
        chosen = current_id(self.project_table)
        if chosen != self.project_id:
            if not self._may_leave_project():
                self.project_table.blockSignals(True)
                if self.project_id is None or not select_id(self.project_table,
                                                            self.project_id):
                    self.project_table.clearSelection()
                    self.project_table.setCurrentCell(-1, -1)
                self.project_table.blockSignals(False)
                return
            self.project_id = chosen
            for label in (self.project_message, self.info_message, self.participant_message,
                          self.input_message):
                show_message(label, "")
            self._load_project()

    def _load_project(self) -> None:
        has = self.project_id is not None
        for widget in (self.print_button, self.start_button, self.finish_button,
                       self.add_participant_button, self.remove_participant_button,
                       self.add_input_button, self.search_edit):
            widget.setEnabled(has)
        row = pj.project(self._db, self.project_id) if has else None
        self._load_info(row)
        if row is None:
            self.participant_table.setRowCount(0)
            self.candidate_table.setRowCount(0)
            self.input_table.setRowCount(0)
            self.target_label.setText("Chọn hoặc thêm một dự án để chọn hộ tham gia.")
            self.target_label.setStyleSheet("")
            self.priority_label.setText("")
            return
        self.start_button.setEnabled(row["status"] == "planning")
        self.finish_button.setEnabled(row["status"] != "completed")
        self._load_participants()
        self._load_inputs()
        self.search_households()

    def _load_info(self, row: dict | None) -> None:
        self._editing_version = row["version"] if row else None
        self.name_edit.setText(row["name"] if row else "")
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(
            row["kind"] if row else "project")))
        code = row["line_code"] if row else "DA2"
        index = self.line_combo.findData(code)
        if index >= 0:
            self.line_combo.setCurrentIndex(index)
        else:
            self.line_combo.setEditText(code)
        self.implementer_edit.setText((row or {}).get("implementer") or "")
        self.amount_edit.setText(format_int(row["amount"]) if row and row["amount"] else "")
        self.starts_edit.setText(_day(row["starts_on"]) if row else format_date(self.today))
        self.ends_edit.setText(_day(row["ends_on"]) if row else "")
        self.management_edit.setText((row or {}).get("management_group") or "")
        self.supervision_edit.setText((row or {}).get("supervision_group") or "")
        self.decision_edit.setText((row or {}).get("groups_decision") or "")
        self.allocation_combo.clear()
        self.allocation_combo.addItem("Chưa chọn", None)
        for summary in spending.line_summaries(self._db, self._unit()):
            self.allocation_combo.addItem(summary.label, summary.id)
        self.allocation_combo.setCurrentIndex(max(0, self.allocation_combo.findData(
            (row or {}).get("allocation_line_id"))))
        self.save_project_button.setText("Lưu thông tin dự án" if row else "Thêm dự án")
        self._info_values = form_values(self.info_box)

    def unsaved_changes(self) -> list[str]:
        """What this area holds that is typed but not saved (for closing the program)."""
        if self._info_values and form_values(self.info_box) != self._info_values:
            return [f"Thông tin dự án «{clean(self.name_edit.text()) or 'mới'}»"]
        return []

    def _may_leave_project(self) -> bool:
        """The unsaved-changes guard before another project is shown: "Lưu" saves and
        stays on this project, "Không lưu" drops the changes, "Hủy" stays."""
        if not self.unsaved_changes():
            return True
        answer = widgets.ask_unsaved(self, "Thông tin dự án có thay đổi chưa lưu. Lưu trước "
                                           "khi chuyển?",
                                     "«Không lưu» bỏ các thay đổi; «Hủy» để sửa tiếp.")
        if answer == widgets.SAVE:
            self.save_project()
        return answer == widgets.DISCARD

    def _load_participants(self) -> None:
        people = pj.participants(self._db, self.project_id, today=self.today)
        _fill(self.participant_table,
              [[p.code, p.head or "", p.village, p.eligibility.label, format_int(p.counterpart),
                p.eligibility.reason] for p in people],
              [p.id for p in people], right=(4,),
              colors=[GROUP_COLORS.get(p.eligibility.group) for p in people],
              tooltips=[p.eligibility.reason for p in people])
        self.show_shares(rules.shares(p.eligibility for p in people))
        self.receiver_combo.clear()
        self.receiver_combo.addItem("Cả nhóm hộ", None)
        for p in people:
            self.receiver_combo.addItem(f"{p.code} – {p.head or ''}", p.household_id)

    def show_shares(self, found: rules.Shares) -> None:
        """The ≥ 50 % and > 70 % lines, coloured by whether they hold."""
        if not found.participants:
            self.target_label.setText("Chưa có hộ tham gia. Tìm hộ trong sổ hộ ở bên trái.")
            self.target_label.setStyleSheet("")
            self.priority_label.setText("")
            return
        self.target_label.setText(rules.share_text(found) + ".")
        self.target_label.setStyleSheet(
            f"color: {OK_COLOR if found.meets_target_rule else ERROR_COLOR};")
        self.priority_label.setText(rules.priority_text(found) + ".")
        self.priority_label.setStyleSheet(
            f"color: {OK_COLOR if found.has_priority else WARNING_COLOR};")

    def search_households(self) -> None:
        if self._db is None or self.project_id is None:
            return
        found = pj.find_households(self._db, self.project_id, self.search_edit.text(),
                                   limit=60, today=self.today)
        _fill(self.candidate_table,
              [[c.code, c.head or "", c.village,
                ("Đã tham gia – " if c.participating else "") + c.eligibility.label,
                c.eligibility.reason] for c in found],
              [c.household_id for c in found],
              colors=["#777777" if c.participating or not c.eligibility.allowed
                      else (OK_COLOR if c.eligibility.target else None) for c in found],
              tooltips=[c.eligibility.reason for c in found])

    def _load_inputs(self) -> None:
        rows = pj.inputs(self._db, self.project_id)
        _fill(self.input_table,
              [[_day(r["delivered_on"]), r["item"], format_number(to_decimal(r["quantity"])),
                r["unit"], f"{r['household_code']} – {r['head_name']}" if r["household_id"]
                else "Cả nhóm hộ", r["note"] or ""] for r in rows],
              [r["id"] for r in rows], right=(2,))

    def _load_lines(self) -> None:
        found = spending.line_summaries(self._db, self._unit())
        _fill(self.line_table,
              [[s.label, format_int(s.balance.available), format_int(s.balance.disbursed),
                format_int(s.balance.remaining),
                format_rate(s.balance.rate) if s.balance.rate is not None else "—",
                money_rules.LINE_STATES[s.balance.state]] for s in found],
              [s.id for s in found], right=(1, 2, 3, 4))
        if self.line_id and not select_id(self.line_table, self.line_id):
            self.line_id = None
        if self.line_id is None and found and current_id(self.line_table) is None:
            select_id(self.line_table, found[0].id)
        self._load_line()

    def _line_chosen(self) -> None:
        chosen = current_id(self.line_table)
        if chosen != self.line_id:
            self.line_id = chosen
            show_message(self.payment_message, "")
            show_message(self.estimate_message, "")
            self._load_line()

    def _load_line(self) -> None:
        has = self.line_id is not None
        for widget in (self.add_payment_button, self.reverse_payment_button, self.settle_button,
                       self.prepare_button):
            widget.setEnabled(has)
        if not has:
            self.payment_table.setRowCount(0)
            self.estimate_table.setRowCount(0)
            self._update_step_buttons()
            return
        rows = spending.payments(self._db, self.line_id)
        _fill(self.payment_table,
              [[_day(r["paid_on"]), format_int(r["amount"]), r["document"],
                (r["content"] or "") + (" (đã hủy)" if r["reversed"] else "")
                + (f" – theo dự toán «{r['estimate_activity']}»" if r["estimate_activity"]
                   else "")] for r in rows],
              [r["id"] for r in rows], right=(1,),
              colors=["#777777" if r["reversed"] or r["reverses_id"] else None for r in rows])
        estimates = spending.estimates(self._db, self.line_id)
        _fill(self.estimate_table,
              [[e["activity"], format_int(e["amount"]), money_rules.ESTIMATE_STATES[e["state"]],
                format_int(e["paid"])] for e in estimates],
              [e["id"] for e in estimates], right=(1, 3),
              tooltips=[self.chain_text(e) for e in estimates])
        self.pay_estimate_combo.clear()
        self.pay_estimate_combo.addItem("Không theo dự toán", None)
        for e in estimates:
            if e["state"] == "approved":
                self.pay_estimate_combo.addItem(
                    f"{e['activity']} (còn {format_int(e['amount'] - e['paid'])} đồng)", e["id"])
        settled = spending.settlement(self._db, self.line_id)
        self.settle_button.setEnabled(settled is None)
        self._update_step_buttons()

    @staticmethod
    def chain_text(estimate: dict) -> str:
        """Who prepared, appraised and approved an estimate, and when (the row's tooltip)."""
        lines = []
        for label, who, when in (("Lập", "prepared_by", "prepared_on"),
                                 ("Thẩm định", "appraised_by", "appraised_on"),
                                 ("Phê duyệt", "approved_by", "approved_on")):
            if estimate[who] or estimate[when]:
                lines.append(f"{label}: {estimate[who] or ''} {_day(estimate[when])}".strip())
        if estimate["return_comment"]:
            lines.append(f"Lý do trả lại: {estimate['return_comment']}")
        return "\n".join(lines)

    def _update_step_buttons(self) -> None:
        chosen = current_id(self.estimate_table)
        state = None
        if chosen is not None and self._db is not None:
            state = next((e["state"] for e in spending.estimates(self._db, self.line_id)
                          if e["id"] == chosen), None)
        allowed = money_rules.steps_from(state) if state else []
        for step, button in self.step_buttons.items():
            button.setEnabled(step in allowed)

    # -- writing ---------------------------------------------------------------------------

    def _run(self, task: Callable[[Database], Any], label: QLabel,
             done: Callable[[Any], None] | None = None) -> None:
        """Run a write; on success reload and call ``done``; show a refusal in ``label``."""
        def succeeded(result: Any) -> None:
            show_message(label, "")
            self.refresh()
            if done is not None:
                done(result)

        def failed(exc: BaseException) -> None:
            report_failure(self, exc, lambda text: show_message(label, text), describe_failure)

        self.tasks.run(task, succeeded, failed)

    def new_project(self) -> None:
        """Clear the project form for a new project."""
        if not self._may_leave_project():
            return
        self._info_values = ()            # asked already: selecting nothing asks no more
        self.project_table.clearSelection()
        self.project_table.setCurrentCell(-1, -1)
        self.project_id = None
        self._load_project()
        self.detail_tabs.setCurrentIndex(0)
        self.name_edit.setFocus()

    def _read_project_form(self) -> dict | None:
        try:
            amount_text = clean(self.amount_edit.text())
            amount = parse_amount(amount_text, field="Kinh phí") if amount_text else 0
            starts = parse_date(self.starts_edit.text(), field="Ngày bắt đầu") \
                if clean(self.starts_edit.text()) else None
            ends = parse_date(self.ends_edit.text(), field="Ngày kết thúc") \
                if clean(self.ends_edit.text()) else None
        except InputError as exc:
            show_message(self.info_message, str(exc))
            return None
        code = self.line_combo.currentData() \
            if self.line_combo.currentText() == self.line_combo.itemText(
                self.line_combo.currentIndex()) else clean(self.line_combo.currentText())
        return {"name": clean(self.name_edit.text()) or "", "kind": self.kind_combo.currentData(),
                "line_code": code or "", "implementer": clean(self.implementer_edit.text()),
                "amount": amount, "starts_on": starts, "ends_on": ends,
                "year": (starts or self.today).year,
                "management_group": clean(self.management_edit.text()),
                "supervision_group": clean(self.supervision_edit.text()),
                "groups_decision": clean(self.decision_edit.text()),
                "allocation_line_id": self.allocation_combo.currentData()}

    def _save_if_shown(self) -> None:
        if self.save_project_button.isVisible():
            self.save_project()

    def save_project(self) -> None:
        values = self._read_project_form()
        if values is None:
            return
        project_id, version = self.project_id, self._editing_version
        if project_id is None:
            task = _write(lambda w: pj.create_project(w, **values))
        else:
            task = _write(lambda w: pj.update_project(w, project_id, values,
                                                      expected_version=version))

        def done(row: dict) -> None:
            self.project_id = row["id"]
            self.refresh()
            select_id(self.project_table, row["id"])
            self.message.emit(f"Đã lưu dự án «{row['name']}».")

        self._run(task, self.info_message, done)

    def set_status(self, status: str) -> None:
        project_id = self.project_id
        if project_id is None:
            return
        self._run(_write(lambda w: pj.set_status(w, project_id, status, today=self.today)),
                  self.project_message,
                  lambda row: self.message.emit(
                      f"Dự án: {rules.PROJECT_STATES[row['status']].lower()}."))

    def add_participant(self) -> None:
        project_id, household_id = self.project_id, current_id(self.candidate_table)
        if project_id is None:
            return
        if household_id is None:
            show_message(self.participant_message, "Chọn một hộ trong danh sách tìm được.")
            return
        try:
            counterpart = parse_amount(self.counterpart_edit.text() or "0",
                                       field="Vốn đối ứng")
        except InputError as exc:
            show_message(self.participant_message, str(exc))
            return
        today = self.today
        self._run(_write(lambda w: pj.add_participant(w, project_id, household_id,
                                                      counterpart=counterpart, today=today)),
                  self.participant_message)

    def remove_participant(self) -> None:
        participant_id = current_id(self.participant_table)
        if participant_id is None:
            show_message(self.participant_message, "Chọn một hộ trong danh sách hộ tham gia.")
            return
        reason = self.ask_text("Bỏ hộ khỏi dự án", "Lý do bỏ hộ khỏi danh sách tham gia:")
        if not reason:
            return
        self._run(_write(lambda w: pj.remove_participant(w, participant_id, reason=reason)),
                  self.participant_message)

    def add_input(self) -> None:
        project_id = self.project_id
        if project_id is None:
            return
        try:
            delivered = parse_date(self.delivered_edit.text(), field="Ngày cấp")
            quantity_text = clean(self.quantity_edit.text()) or ""
            quantity = parse_number(quantity_text, field="Số lượng") if quantity_text else None
        except InputError as exc:
            show_message(self.input_message, str(exc))
            return
        values = {"item": clean(self.item_edit.text()) or "", "unit": clean(self.unit_edit.text())
                  or "", "quantity": quantity if quantity is not None else 0,
                  "delivered_on": delivered, "household_id": self.receiver_combo.currentData()}

        def done(_row) -> None:
            for edit in (self.item_edit, self.quantity_edit):
                edit.clear()

        self._run(_write(lambda w: pj.add_input(w, project_id, **values)), self.input_message,
                  done)

    def print_list(self) -> None:
        project_id = self.project_id
        if project_id is None:
            return
        row = pj.project(self._db, project_id)
        path = self.ask_save_path(f"danh-sach-ho-{row['line_code'].lower()}.pdf")
        if path is None:
            return
        today = self.today

        def task(db: Database) -> Path:
            from gnapp.forms.project_reports import produce_participant_list
            return produce_participant_list(db, project_id, path, today=today)

        def done(written: Path) -> None:
            show_message(self.project_message, f"Đã lưu danh sách hộ tham gia vào {written}.",
                     OK_COLOR)
            self.message.emit(f"Đã lưu {written.name}.")

        def failed(exc: BaseException) -> None:
            text = describe_failure(exc)
            show_message(self.project_message, text or "Không lập được danh sách.")
            if text is None:
                show_error(self, exc)

        self.tasks.run(task, done, failed)

    # payments ------------------------------------------------------------------------------

    def add_payment(self) -> None:
        line_id = self.line_id
        if line_id is None:
            return
        try:
            amount = parse_amount(self.pay_amount_edit.text(), field="Số tiền")
            paid_on = parse_date(self.pay_date_edit.text(), field="Ngày chi")
        except InputError as exc:
            show_message(self.payment_message, str(exc))
            return
        document = clean(self.pay_document_edit.text()) or ""
        content = clean(self.pay_content_edit.text())
        estimate_id = self.pay_estimate_combo.currentData()

        def done(_row) -> None:
            for edit in (self.pay_amount_edit, self.pay_document_edit, self.pay_content_edit):
                edit.clear()
            self.message.emit(f"Đã ghi khoản chi {format_int(amount)} đồng.")

        self._run(_write(lambda w: spending.add_payment(
            w, line_id, amount=amount, paid_on=paid_on, document=document, content=content,
            estimate_id=estimate_id)), self.payment_message, done)

    def reverse_payment(self) -> None:
        payment_id = current_id(self.payment_table)
        if payment_id is None:
            show_message(self.payment_message, "Chọn khoản chi cần hủy.")
            return
        reason = self.ask_text("Hủy khoản chi", "Lý do hủy khoản chi (ghi bút toán đảo):")
        if not reason:
            return
        today = self.today
        self._run(_write(lambda w: spending.reverse_payment(w, payment_id, on=today,
                                                            reason=reason)),
                  self.payment_message)

    def settle(self) -> None:
        line_id = self.line_id
        if line_id is None:
            return
        balance = spending.line_balance(self._db, line_id)
        document = self.ask_text("Quyết toán dòng vốn",
                                 f"Quyết toán số đã giải ngân {format_int(balance.disbursed)} "
                                 "đồng. Số văn bản quyết toán:")
        if not document:
            return
        today = self.today
        self._run(_write(lambda w: spending.settle_line(
            w, line_id, amount=balance.disbursed, settled_on=today, document=document)),
            self.payment_message)

    def prepare_estimate(self) -> None:
        line_id = self.line_id
        if line_id is None:
            return
        try:
            amount = parse_amount(self.estimate_amount_edit.text(), field="Số tiền dự toán")
            on = parse_date(self.step_date_edit.text(), field="Ngày")
        except InputError as exc:
            show_message(self.estimate_message, str(exc))
            return
        activity = clean(self.activity_edit.text()) or ""
        by = clean(self.actor_edit.text()) or sites.local_site(self._db).display_name

        def done(_row) -> None:
            self.activity_edit.clear()
            self.estimate_amount_edit.clear()

        self._run(_write(lambda w: spending.prepare_estimate(
            w, line_id, activity=activity, amount=amount, prepared_by=by, prepared_on=on)),
            self.estimate_message, done)

    def estimate_step(self, step: str) -> None:
        estimate_id = current_id(self.estimate_table)
        if estimate_id is None:
            show_message(self.estimate_message, "Chọn một dự toán.")
            return
        by = clean(self.actor_edit.text())
        if not by:
            show_message(self.estimate_message, "Nhập người thực hiện (ai thẩm định, ai phê duyệt).")
            self.actor_edit.setFocus()
            return
        try:
            on = parse_date(self.step_date_edit.text(), field="Ngày")
        except InputError as exc:
            show_message(self.estimate_message, str(exc))
            return
        comment = None
        if step == "return":
            comment = self.ask_text("Trả lại dự toán", "Lý do trả lại:")
            if not comment:
                return
        name = money_rules.ESTIMATE_STEPS[step][2]
        self._run(_write(lambda w: spending.estimate_step(w, estimate_id, step, by=by, on=on,
                                                          comment=comment)),
                  self.estimate_message,
                  lambda row: self.message.emit(
                      f"{name}: {money_rules.ESTIMATE_STATES[row['state']].lower()}."))
