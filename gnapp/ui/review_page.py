"""The review page ("Rà soát"): the commune's review rounds, each round's progress village by
village, the steps of the procedure, and the households of a village with their review.

The round selector lists the rounds of this commune ("Rà soát định kỳ năm 2025 – chuẩn
CN2022", "… (tạm thời)" under a provisional standard); "Mở đợt rà soát…" opens a new one.
The dashboard shows, per village, what ``gnapp.db.procedure.village_progress`` computes
(counts, meeting, posting, open complaints, stage); the buttons under it record a village
meeting, a posting or the recognition decision, each in a small dialog that shows the
backend's refusal in the dialog. The list below shows the households of the chosen village
with their class and the state of their review; "Nhập phiếu" (Enter, double-click) opens the
review form. Every write runs in the task manager's worker.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import (QModelIndex, QObject, QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import approvals, procedure, reviews, sites
from gnapp.db.store import NotFound
from gnapp.domain import procedure as steps
from gnapp.domain.codes import CLASS
from gnapp.domain.dates import format_date, parse_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.issues import ERROR, Issue, error
from gnapp.domain.numbers import format_int
from gnapp.domain.text import clean
from gnapp.ui.household_editor import ERROR_COLOR, FieldErrors
from gnapp.ui.household_list import (PAGE_SIZE, HouseholdFilter, HouseholdListModel,
                                     HouseholdTable, delayed)
from gnapp.ui.review_form import WARNING_COLOR, ReviewForm, round_title
from gnapp.ui.tasks import TaskManager, report_failure, show_error
from gnapp.ui.widgets import (UnsavedGuard, add_shortcut, code_combo, page_layout, read_only_rows,
                              set_tab_order, split_panes, year_spin)

AREA_TITLE = "Rà soát"
NO_ROUNDS = "Chưa có đợt rà soát nào. Bấm «Mở đợt rà soát…» để bắt đầu."
ALL_VILLAGES = "Toàn xã"
OK_COLOR = "#1b6e20"
DATE_PLACEHOLDER = "dd/mm/yyyy"

# The state of a household's review in a round, as the list shows it.
REVIEW_STATES = {
    "none": "Chưa rà soát",
    "draft": "Nháp",
    "errors": "Có lỗi",
    "complete": "Hoàn thành",
}
REVIEW_STATE_COLORS = {"none": "#777777", "errors": ERROR_COLOR, "complete": OK_COLOR}

VILLAGE_ID_ROLE = Qt.ItemDataRole.UserRole
HOUSEHOLD_ID_ROLE = Qt.ItemDataRole.UserRole


def meeting_text(agreed: bool | None) -> str:
    return {None: "Chưa họp", True: "Đã thống nhất", False: "Chưa thống nhất"}[agreed]


def posting_text(start: date | None, end: date | None) -> str:
    """"Chưa", "25/11 – 27/11/2026"."""
    if start is None:
        return "Chưa"
    if end is None:
        return f"Từ {format_date(start)}"
    return f"{start:%d/%m} – {format_date(end)}"


def round_period(round_: dict) -> str:
    return (f"Từ {format_date(date.fromisoformat(round_['starts_on']))} đến "
            f"{format_date(date.fromisoformat(round_['ends_on']))}")


def describe_failure(exc: BaseException) -> str | None:
    """A message for the user when the database refused a write, or None for a fault.

    A dialog shows its fields, so a refusal about one of them is shown without the field's
    code name ("trường «kind»"); one about a file and row keeps where it comes from.
    """
    if isinstance(exc, InputError) and exc.source is None and exc.row is None:
        return exc.detail
    if isinstance(exc, GnappError):
        return str(exc)
    if isinstance(exc, sqlite3.IntegrityError) and "review_round_key" in str(exc):
        return "Đã có đợt rà soát này trong xã; hãy chọn đợt đó trong danh sách."
    return None


# -- small dialogs -----------------------------------------------------------------------------

class TaskDialog(QDialog):
    """A small dialog whose "Ghi" runs one write in the worker and closes only when it
    succeeded; refusals are shown in the dialog, under the form.

    Subclasses build ``self.form`` in ``_fields`` and return the task (a function of the
    worker's database) from ``make_task``, or None when a field is wrong.
    """

    OK_TEXT = "Ghi"

    def __init__(self, tasks: TaskManager, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.result_row: Any = None
        self.errors = FieldErrors()
        self._running = False
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(self.OK_TEXT,
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Hủy",
                                                    QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        self._fields()
        layout.addLayout(self.form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.message_label)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.guard = UnsavedGuard(self, "Các thông tin vừa nhập chưa được ghi. Ghi trước khi "
                                        "đóng?", self.accept)
        add_shortcut(self, QKeySequence.StandardKey.Save, self.accept, button=self.ok_button,
                     context=Qt.ShortcutContext.WindowShortcut)

    def _fields(self) -> None:
        raise NotImplementedError

    def make_task(self) -> Callable[[Database], Any] | None:
        raise NotImplementedError

    def add_row(self, name: str, text: str, widget: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(widget)
        self.form.addRow(label, self.errors.wrap(name, widget))

    def date_field(self, today: date) -> QLineEdit:
        edit = QLineEdit(format_date(today))
        edit.setPlaceholderText(DATE_PLACEHOLDER)
        edit.setMaximumWidth(160)
        return edit

    def read_date(self, name: str, edit: QLineEdit, problems: list[Issue]) -> date | None:
        try:
            return parse_date(edit.text())
        except InputError as exc:
            problems.append(error(f"{name}.invalid", exc.detail, name))
            return None

    def set_hint(self, text: str, color: str | None = None) -> None:
        self.hint_label.setText(text)
        self.hint_label.setStyleSheet(f"color: {color};" if color else "color: #555;")
        self.hint_label.setVisible(bool(text))

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def accept(self) -> None:
        """Overrides QDialog.accept: run the write; close in its success callback."""
        if self._running:
            return
        self.show_message("")
        task = self.make_task()
        if task is None:
            widget = self.errors.first_with_message(self.errors.labels)
            if widget is not None:
                widget.setFocus()
            return
        self._set_running(True)
        self.tasks.run(task, self._done, self._failed)

    def reject(self) -> None:
        """Overrides QDialog.reject: not while the write runs; what was typed is dropped
        only when the user says so."""
        if not self._running and self.guard.may_close():
            super().reject()

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.ok_button.setEnabled(not running)
        self.cancel_button.setEnabled(not running)

    def _done(self, row: Any) -> None:
        self._set_running(False)
        self.result_row = row
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        report_failure(self, exc, self.show_message, describe_failure)


def _write(fn: Callable[..., Any]) -> Callable[[Database], Any]:
    """A task running ``fn(writer)`` in one transaction on the worker's connection."""
    return lambda db: sites.writer(db).transact(fn).result


class RoundDialog(TaskDialog):
    """Open a review round of the commune: kind, year, and the month of a regular review."""

    OK_TEXT = "Mở đợt"

    def __init__(self, tasks: TaskManager, *, today: date, db: Database | None = None,
                 parent: QWidget | None = None):
        self.today = today
        self.db = db
        super().__init__(tasks, "Mở đợt rà soát", parent)
        self.kind_combo.setFocus()

    def _fields(self) -> None:
        self.kind_combo = code_combo(reviews.ROUND_KINDS)
        self.year_spin = year_spin(2021, self.today.year)
        self.month_spin = QSpinBox()
        self.month_spin.setRange(1, 12)
        self.month_spin.setValue(self.today.month)
        self.standard_label = QLabel()
        self.standard_label.setWordWrap(True)
        self.add_row("kind", "&Loại đợt:", self.kind_combo)
        self.add_row("year", "&Năm:", self.year_spin)
        self.add_row("month", "&Tháng:", self.month_spin)
        self.add_row("standard_id", "Chuẩn nghèo:", self.standard_label)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.year_spin.valueChanged.connect(self._show_standard)
        self.month_spin.valueChanged.connect(self._show_standard)
        self._kind_changed()

    def _show_standard(self) -> None:
        """Which standard the round will take, before it is opened."""
        kind = self.kind_combo.currentData()
        month = self.month_spin.value() if kind == "regular" else None
        try:
            standard = reviews.standard_for_round(kind, self.year_spin.value(), month, self.db)
        except InputError as exc:
            self.standard_label.setText(exc.message)
            self.standard_label.setStyleSheet(f"color: {ERROR_COLOR};")
            return
        text = f"{standard.id} – {standard.title}"
        if standard.is_provisional:
            text += ". Kết quả phân loại theo chuẩn này được ghi là tạm thời."
        self.standard_label.setText(text)
        self.standard_label.setStyleSheet(f"color: {WARNING_COLOR};"
                                          if standard.is_provisional else "")

    def _kind_changed(self) -> None:
        regular = self.kind_combo.currentData() == "regular"
        self.month_spin.setEnabled(regular)
        self._show_standard()
        self.set_hint("Chuẩn nghèo áp dụng được chọn theo năm của danh sách: đợt định kỳ cuối "
                      "năm lập danh sách cho năm sau; đợt thường xuyên theo tháng rà soát."
                      if not regular else "Rà soát thường xuyên bắt đầu từ ngày 15 của tháng.")

    def make_task(self) -> Callable[[Database], Any] | None:
        kind = self.kind_combo.currentData()
        year = self.year_spin.value()
        month = self.month_spin.value() if kind == "regular" else None
        return _write(lambda w: reviews.create_round(w, year=year, kind=kind, month=month))


class MeetingDialog(TaskDialog):
    """The minutes of a village meeting: date, people present, people agreeing."""

    def __init__(self, tasks: TaskManager, round_id: str, village: dict, *, today: date,
                 parent: QWidget | None = None):
        self.round_id, self.village, self.today = round_id, village, today
        super().__init__(tasks, f"Ghi biên bản họp dân – {village['village']}", parent)
        self._check()

    def _fields(self) -> None:
        self.date_edit = self.date_field(self.today)
        self.attendees_spin = QSpinBox()
        self.attendees_spin.setRange(0, 100_000)
        self.agreed_spin = QSpinBox()
        self.agreed_spin.setRange(0, 100_000)
        self.content_edit = QLineEdit()
        self.content_edit.setPlaceholderText("Không bắt buộc")
        self.add_row("held_on", "Ngày &họp:", self.date_edit)
        self.add_row("attendees", "Số người &dự họp:", self.attendees_spin)
        self.add_row("agreed", "Số người đồn&g ý:", self.agreed_spin)
        self.add_row("content", "&Nội dung, ghi chú:", self.content_edit)
        self.attendees_spin.valueChanged.connect(self._check)
        self.agreed_spin.valueChanged.connect(self._check)

    def _check(self) -> list[Issue]:
        """The meeting rule of the domain, shown as it is typed (≥ 50 % must agree)."""
        issues = steps.check_meeting(self.attendees_spin.value(), self.agreed_spin.value())
        if not issues and self.attendees_spin.value():
            self.set_hint(f"{self.agreed_spin.value()}/{self.attendees_spin.value()} người "
                          "đồng ý: họp dân thống nhất.", OK_COLOR)
        elif issues and issues[0].severity != ERROR:
            self.set_hint(issues[0].message, WARNING_COLOR)
        else:
            self.set_hint("Cần ít nhất một nửa số người dự họp đồng ý; nếu không, thôn rà "
                          "soát lại và họp lại.")
        return issues

    def make_task(self) -> Callable[[Database], Any] | None:
        problems: list[Issue] = []
        held_on = self.read_date("held_on", self.date_edit, problems)
        problems += [i for i in self._check() if i.severity == ERROR and i.field]
        self.errors.show(problems)
        if problems:
            return None
        round_id, village_id = self.round_id, self.village["village_id"]
        attendees, agreed = self.attendees_spin.value(), self.agreed_spin.value()
        content = clean(self.content_edit.text())
        return _write(lambda w: procedure.record_meeting(
            w, round_id, village_id, held_on=held_on, attendees=attendees, agreed=agreed,
            content=content))


class PostingDialog(TaskDialog):
    """A public posting of the lists (3 working days), at the village or at the commune."""

    def __init__(self, tasks: TaskManager, round_id: str, village: dict | None, *, today: date,
                 parent: QWidget | None = None):
        self.round_id, self.village, self.today = round_id, village, today
        where = village["village"] if village else ALL_VILLAGES.lower()
        super().__init__(tasks, f"Ghi niêm yết công khai – {where}", parent)
        self._update_hint()

    def _fields(self) -> None:
        self.date_edit = self.date_field(self.today)
        self.commune_check = QCheckBox("Niêm yết tại trụ sở UBND xã (chung cho mọi thôn)")
        self.commune_check.setChecked(self.village is None)
        self.commune_check.setEnabled(self.village is not None)
        self.add_row("starts_on", "Ngày &bắt đầu:", self.date_edit)
        self.form.addRow("", self.commune_check)
        self.date_edit.textEdited.connect(self._update_hint)

    def _update_hint(self) -> None:
        try:
            start = parse_date(self.date_edit.text())
        except InputError:
            self.set_hint("")
            return
        end = steps.add_working_days(start, steps.POSTING_WORKING_DAYS)
        self.set_hint(f"Niêm yết {steps.POSTING_WORKING_DAYS} ngày làm việc: từ "
                      f"{format_date(start)} đến hết ngày {format_date(end)}.")

    def make_task(self) -> Callable[[Database], Any] | None:
        problems: list[Issue] = []
        starts_on = self.read_date("starts_on", self.date_edit, problems)
        self.errors.show(problems)
        if problems:
            return None
        round_id = self.round_id
        village_id = None if self.commune_check.isChecked() or self.village is None \
            else self.village["village_id"]
        return _write(lambda w: procedure.record_posting(w, round_id, village_id,
                                                         starts_on=starts_on))


class DecisionDialog(TaskDialog):
    """The chairman's recognition decision: number, date signed, signer."""

    def __init__(self, tasks: TaskManager, round_id: str, village: dict | None, *, today: date,
                 parent: QWidget | None = None):
        self.round_id, self.village, self.today = round_id, village, today
        super().__init__(tasks, "Ghi quyết định công nhận", parent)
        self.number_edit.setFocus()

    def _fields(self) -> None:
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("Ví dụ 125/QĐ-UBND")
        self.date_edit = self.date_field(self.today)
        self.signer_edit = QLineEdit()
        self.signer_edit.setPlaceholderText("Ví dụ Chủ tịch UBND xã Nguyễn Văn Hải")
        self.village_check = QCheckBox(
            f"Chỉ cho {self.village['village']}" if self.village else "Chỉ cho một thôn")
        self.village_check.setEnabled(self.village is not None)
        self.add_row("number", "&Số quyết định:", self.number_edit)
        self.add_row("signed_on", "Ngày &ký:", self.date_edit)
        self.add_row("signer", "&Người ký:", self.signer_edit)
        self.form.addRow("", self.village_check)
        self.set_hint("Quyết định công nhận danh sách hộ nghèo, hộ cận nghèo, hộ thoát nghèo, "
                      "thoát cận nghèo của Chủ tịch UBND xã; mặc định áp dụng cho toàn xã.")

    def make_task(self) -> Callable[[Database], Any] | None:
        problems: list[Issue] = []
        signed_on = self.read_date("signed_on", self.date_edit, problems)
        number = clean(self.number_edit.text()) or ""
        signer = clean(self.signer_edit.text()) or ""
        problems += steps.validate_step({"kind": "decision", "number": number,
                                         "signer": signer})
        self.errors.show(problems)
        if problems:
            return None
        round_id = self.round_id
        village_id = self.village["village_id"] if self.village and \
            self.village_check.isChecked() else None
        return _write(lambda w: procedure.record_decision(
            w, round_id, number=number, signed_on=signed_on, signer=signer,
            village_id=village_id))


# -- the households of a village in a round ----------------------------------------------------

class RoundHouseholdModel(HouseholdListModel):
    """The households of a village (or of the commune) with their review in one round.

    Paged like the household list; the review of each household shown is read when its row
    is first drawn and kept until the next refresh.
    """

    COLUMNS = ["Mã hộ", "Chủ hộ", "Phân loại", "Phiếu rà soát"]
    CODE, HEAD, KLASS, STATE = range(4)

    def __init__(self, db: Database | None, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, load: bool = True):
        super().__init__(db, parent, page_size=page_size, load=load)
        self.round_id: str | None = None
        self._reviews: dict[str, tuple[str, str]] = {}

    def set_round(self, round_id: str | None) -> None:
        self.round_id = round_id
        self.refresh(keep_rows=False)

    def refresh(self, *, keep_rows: bool = True) -> None:
        """Overrides HouseholdListModel.refresh: the reviews are read again too."""
        self._reviews = {}
        super().refresh(keep_rows=keep_rows)

    def review_info(self, household_id: str) -> tuple[str, str]:
        """(class label or "", state key of ``REVIEW_STATES``) of a household in the round."""
        found = self._reviews.get(household_id)
        if found is not None:
            return found
        review = (reviews.review_of(self._db, self.round_id, household_id)
                  if self._db is not None and self.round_id else None)
        if review is None:
            found = ("", "none")
        else:
            klass = CLASS.get(review["class"], "") if review["class"] else ""
            if review["status"] == "complete":
                state = "complete"
            elif any(i.severity == ERROR for i in reviews.checklist(self._db, review)):
                state = "errors"
            else:
                state = "draft"
            found = (klass, state)
        self._reviews[household_id] = found
        return found

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
            return None
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.data."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ForegroundRole,
                                               HOUSEHOLD_ID_ROLE):
            return None
        line = self.row(index.row())
        if line is None:
            return None
        if role == HOUSEHOLD_ID_ROLE:
            return line["household_id"]
        column = index.column()
        if column in (self.KLASS, self.STATE):
            klass, state = self.review_info(line["household_id"])
            if role == Qt.ItemDataRole.ForegroundRole:
                color = REVIEW_STATE_COLORS.get(state) if column == self.STATE else None
                return QBrush(QColor(color)) if color else None
            return klass if column == self.KLASS else REVIEW_STATES[state]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.CODE:
            return line["code"]
        if column == self.HEAD:
            return line["head_name"] or "(chưa có chủ hộ)"
        return None


# -- the page ----------------------------------------------------------------------------------

def approval_text(approval: Mapping[str, Any]) -> str:
    """How an office's decision on the round reads where the reviews are edited."""
    where = f" ({approval['village_name']})" if approval.get("village_name") else ""
    day = format_date(date.fromisoformat(approval["decided_on"]))
    if approval["status"] == approvals.RETURNED:
        return f"Cấp trên trả lại{where} ngày {day}: {approval['comment']}"
    if approval["status"] == approvals.STALE:
        return (f"Cấp trên đã phê duyệt{where} ngày {day}, nhưng phiếu đã sửa sau khi gửi: "
                "cần gửi lại để được phê duyệt.")
    return f"Cấp trên đã phê duyệt{where} ngày {day}: các phiếu đã khóa."


class ReviewPage(QWidget):
    """The "Rà soát" area: rounds, the round's dashboard per village, households to review.

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager whose worker writes
    """

    DASHBOARD_COLUMNS = ["Thôn", "Số hộ", "Đã rà soát", "Hoàn thành", "Có lỗi", "Họp dân",
                         "Niêm yết", "Khiếu nại chưa xử lý", "Giai đoạn"]
    VILLAGE, HOUSEHOLDS, REVIEWED, COMPLETE, ERRORS, MEETING, POSTING, COMPLAINTS, STAGE = \
        range(9)

    # (household id, review status "draft"/"complete") after the form saved a review
    review_saved = Signal(str, str)
    # a short message for the status bar ("Đã ghi biên bản họp dân Thôn Kim Sơn.")
    message = Signal(str)

    def __init__(self, db: Database | None, tasks: TaskManager,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.today: Callable[[], date] = date.today
        self.form: ReviewForm | None = None
        self.dialog: QDialog | None = None
        self.progress: list[dict] = []
        self.last_reviewer: str | None = None
        self._restored: dict | None = None    # remembered round and village, until shown
        self._fitted = False
        self._setup()
        self.model = RoundHouseholdModel(db, self, load=False)    # read when first shown
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._size_columns()
        # the rounds and the dashboard are read when the page is first shown (showEvent)

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)
        layout.addSpacing(4)

        self.round_combo = QComboBox()
        self.round_combo.setMinimumContentsLength(44)
        self.round_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.round_combo.setPlaceholderText("Chưa có đợt rà soát")
        round_label = QLabel("Đợt &rà soát:")
        round_label.setBuddy(self.round_combo)
        self.new_round_button = QPushButton("Mở đợt rà soát…")
        self.new_round_button.setToolTip("Mở một đợt rà soát mới của xã")
        top = QHBoxLayout()
        top.addWidget(round_label)
        top.addWidget(self.round_combo)
        top.addWidget(self.new_round_button)
        top.addStretch()
        layout.addLayout(top)
        self.round_info = QLabel()
        self.round_info.setWordWrap(True)
        self.round_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.round_info)

        self.dashboard = QTableWidget(0, len(self.DASHBOARD_COLUMNS))
        self.dashboard.setHorizontalHeaderLabels(
            [c.replace("Khiếu nại chưa xử lý", "Khiếu nại\nchưa xử lý")
             for c in self.DASHBOARD_COLUMNS])
        read_only_rows(self.dashboard)
        self.dashboard.setWordWrap(False)
        self.dashboard.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.dashboard.verticalHeader().setDefaultSectionSize(
            self.dashboard.fontMetrics().height() + 10)
        header = self.dashboard.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.STAGE, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)

        self.meeting_button = QPushButton("Ghi họp dân…")
        self.meeting_button.setToolTip("Ghi biên bản họp dân của thôn đang chọn")
        self.posting_button = QPushButton("Ghi niêm yết…")
        self.posting_button.setToolTip("Ghi việc niêm yết công khai danh sách (3 ngày làm việc)")
        self.decision_button = QPushButton("Ghi quyết định công nhận…")
        self.decision_button.setToolTip("Ghi quyết định công nhận của Chủ tịch UBND xã")
        step_buttons = QHBoxLayout()
        for button in (self.meeting_button, self.posting_button, self.decision_button):
            step_buttons.addWidget(button)
        step_buttons.addStretch()

        dashboard_box = QWidget()
        dashboard_layout = QVBoxLayout(dashboard_box)
        dashboard_layout.setContentsMargins(0, 0, 0, 0)
        dashboard_layout.addWidget(self.dashboard, 1)
        dashboard_layout.addLayout(step_buttons)

        self.households_title = QLabel()
        font = self.households_title.font()
        font.setBold(True)
        self.households_title.setFont(font)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Tìm theo tên, mã hộ, số CCCD…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip("Gõ không dấu cũng được (Ctrl+F)")
        self.open_button = QPushButton("Nhập phiếu")
        self.open_button.setToolTip("Nhập hoặc sửa phiếu rà soát của hộ đang chọn (Enter hoặc "
                                    "nhấp đúp)")
        self.count_label = QLabel()
        list_bar = QHBoxLayout()
        list_bar.addWidget(self.households_title)
        list_bar.addSpacing(12)
        list_bar.addWidget(self.search_edit, 1)
        list_bar.addWidget(self.open_button)
        list_bar.addWidget(self.count_label)

        self.table = HouseholdTable()

        households_box = QWidget()
        households_layout = QVBoxLayout(households_box)
        households_layout.setContentsMargins(0, 6, 0, 0)
        households_layout.addLayout(list_bar)
        households_layout.addWidget(self.table, 1)

        self.splitter = split_panes((dashboard_box, 3), (households_box, 2), vertical=True)
        layout.addWidget(self.splitter, 1)

        order = [self.round_combo, self.new_round_button, self.dashboard, self.meeting_button,
                 self.posting_button, self.decision_button, self.search_edit, self.open_button,
                 self.table]
        set_tab_order(order)

        self._search_timer = delayed(self, self._apply_filter)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.round_combo.currentIndexChanged.connect(self._round_changed)
        self.new_round_button.clicked.connect(self.open_round_dialog)
        self.dashboard.itemSelectionChanged.connect(self._village_changed)
        self.meeting_button.clicked.connect(self.record_meeting)
        self.posting_button.clicked.connect(self.record_posting)
        self.decision_button.clicked.connect(self.record_decision)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.row_activated.connect(self.open_row)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.search_edit.setFocus)

    def _size_columns(self) -> None:
        self.table.set_column_widths({
            RoundHouseholdModel.CODE: "00-00000",
            RoundHouseholdModel.HEAD: "Nguyễn Thị Hồng Phượng",
            RoundHouseholdModel.KLASS: CLASS["average"]})

    # -- data ------------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        """Use another read connection (the window reopened the database), or none."""
        self._db = db
        self.model.set_db(db)
        self.reload_rounds()

    def _unit_code(self) -> str | None:
        site = sites.local_site(self._db) if self._db is not None else None
        return site.unit_code if site else None

    def rounds(self) -> list[dict]:
        """The rounds of this commune, oldest first."""
        unit = self._unit_code()
        return reviews.rounds(self._db, unit) if unit else []

    def current_round_id(self) -> str | None:
        return self.round_combo.currentData()

    def current_round(self) -> dict | None:
        """The chosen round; None when none is chosen or it is gone (a sync, another
        window)."""
        round_id = self.current_round_id()
        if not round_id or self._db is None:
            return None
        try:
            return reviews.get_round(self._db, round_id)
        except NotFound:
            return None

    def reload_rounds(self, select: str | None = None) -> None:
        """Fill the round selector again; keep the chosen round (or choose ``select``, else
        the latest round)."""
        chosen = select or self.round_combo.currentData()
        found = self.rounds()
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for round_ in found:
            self.round_combo.addItem(round_title(round_), round_["id"])
        index = self.round_combo.findData(chosen) if chosen else -1
        if index < 0:
            index = self.round_combo.count() - 1
        self.round_combo.setCurrentIndex(index)
        self.round_combo.blockSignals(False)
        self._round_changed()

    def _round_changed(self, *args) -> None:
        round_ = self.current_round()
        if round_ is None and self.current_round_id() is not None:
            self.reload_rounds()            # the chosen round is gone: list the rounds again
            return
        round_id = round_["id"] if round_ else None
        if round_id != self.model.round_id:  # the same round: keep the rows (and selection)
            self.model.set_round(round_id)
        if round_ is None:
            self.round_info.setText(NO_ROUNDS)
            self.round_info.setStyleSheet("")
        else:
            standard = reviews.standard(round_["standard_id"], self._db)
            text = f"{round_period(round_)}. Chuẩn {standard.id}: {standard.title}."
            if standard.is_provisional:
                text += (f" Chuẩn {standard.id} là chuẩn tạm thời: kết quả phân loại cần xem "
                         "lại khi có văn bản chính thức.")
            decisions = [approval_text(a) for a in approvals.for_round(self._db, round_id)]
            self.round_info.setText("\n".join([text, *decisions]))
            self.round_info.setStyleSheet(f"color: {WARNING_COLOR};"
                                          if standard.is_provisional or decisions else "")
        self.refresh()

    def refresh(self) -> None:
        """Read the dashboard and the list again, keeping the chosen village and household."""
        round_id = self.current_round_id()
        village_id = self.selected_village_id()
        whole_commune = village_id is None and self._selected_dashboard_row() is not None
        try:
            self.progress = (procedure.village_progress(self._db, round_id, self.today())
                             if round_id and self._db is not None else [])
        except NotFound:                    # the round is gone (a sync, another window)
            self.reload_rounds()
            return
        self.dashboard.blockSignals(True)
        self.dashboard.selectionModel().blockSignals(True)
        self._fill_dashboard()
        self.dashboard.clearSelection()
        row = next((n for n, v in enumerate(self.progress) if v["village_id"] == village_id),
                   None)
        if row is None and whole_commune and self.progress:
            row = len(self.progress)
        if row is not None:
            self.dashboard.selectRow(row)
        else:
            self.dashboard.setCurrentCell(-1, -1)
        self.dashboard.selectionModel().blockSignals(False)
        self.dashboard.blockSignals(False)
        self._fit_dashboard()
        self._apply_filter()

    def _fit_dashboard(self) -> None:
        """Give the dashboard the height of its rows (at most two thirds of the page), the
        household list the rest; once, so that a height the user chose is kept."""
        if self._fitted or not self.isVisible() or not self.progress:
            return
        self._fitted = True
        total = sum(self.splitter.sizes())
        rows = self.dashboard.rowCount() * self.dashboard.verticalHeader().defaultSectionSize()
        wanted = (rows + self.dashboard.horizontalHeader().height()
                  + 2 * self.dashboard.frameWidth() + self.meeting_button.sizeHint().height()
                  + 12)
        top = min(wanted, total * 2 // 3)
        self.splitter.setSizes([top, total - top])

    def _fill_dashboard(self) -> None:
        rows = self.progress
        self.dashboard.clearContents()
        self.dashboard.setRowCount(len(rows) + (1 if rows else 0))
        totals = [0] * 9
        for n, village in enumerate(rows):
            facts = village["facts"]
            numbers = {self.HOUSEHOLDS: facts.households, self.REVIEWED: facts.reviewed,
                       self.COMPLETE: facts.complete, self.ERRORS: facts.with_errors,
                       self.COMPLAINTS: facts.open_complaints}
            for column, value in numbers.items():
                totals[column] += value
            cells = {self.VILLAGE: village["village"],
                     self.MEETING: meeting_text(facts.meeting_agreed),
                     self.POSTING: posting_text(facts.posting_start, facts.posting_end),
                     self.STAGE: village["stage_label"],
                     **{c: format_int(v) for c, v in numbers.items()}}
            self._set_row(n, cells, village["village_id"])
            if facts.with_errors:
                self.dashboard.item(n, self.ERRORS).setForeground(QBrush(QColor(ERROR_COLOR)))
            if facts.open_complaints:
                self.dashboard.item(n, self.COMPLAINTS).setForeground(
                    QBrush(QColor(ERROR_COLOR)))
            if facts.meeting_agreed is False:
                self.dashboard.item(n, self.MEETING).setForeground(QBrush(QColor(ERROR_COLOR)))
        if rows:
            cells = {self.VILLAGE: ALL_VILLAGES,
                     **{c: format_int(totals[c]) for c in (self.HOUSEHOLDS, self.REVIEWED,
                                                           self.COMPLETE, self.ERRORS,
                                                           self.COMPLAINTS)}}
            self._set_row(len(rows), cells, None)
            for column in range(len(self.DASHBOARD_COLUMNS)):
                item = self.dashboard.item(len(rows), column)
                if item is not None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)

    def _set_row(self, row: int, cells: dict[int, str], village_id: str | None) -> None:
        for column in range(len(self.DASHBOARD_COLUMNS)):
            item = QTableWidgetItem(cells.get(column, ""))
            item.setData(VILLAGE_ID_ROLE, village_id)
            if column in (self.HOUSEHOLDS, self.REVIEWED, self.COMPLETE, self.ERRORS,
                          self.COMPLAINTS):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.dashboard.setItem(row, column, item)

    def dashboard_rows(self) -> list[list[str]]:
        """The dashboard as shown, one list of cell texts per row (the total row last)."""
        return [[self.dashboard.item(r, c).text() if self.dashboard.item(r, c) else ""
                 for c in range(self.dashboard.columnCount())]
                for r in range(self.dashboard.rowCount())]

    def selected_village(self) -> dict | None:
        """The progress line of the chosen village; None for the whole commune or none."""
        row = self._selected_dashboard_row()
        return self.progress[row] if row is not None and row < len(self.progress) else None

    def _selected_dashboard_row(self) -> int | None:
        rows = self.dashboard.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def selected_village_id(self) -> str | None:
        village = self.selected_village()
        return village["village_id"] if village else None

    def save_state(self, state) -> None:
        """Remember the round and the village (``gnapp.ui.ui_state``)."""
        if self._restored is not None:      # never shown: what was remembered still holds
            state.set("review", self._restored)
            return
        village = self.selected_village()
        state.set("review", {"round": self.current_round_id(),
                             "village": village["village_id"] if village else None,
                             "commune": village is None
                             and self._selected_dashboard_row() is not None})

    def restore_state(self, state) -> None:
        """Show the round and village of last time (when the page is first shown, as the
        rounds are read then); ones since deleted are ignored."""
        saved = state.get("review")
        self._restored = saved if isinstance(saved, dict) else None
        if self._restored is not None and self.round_combo.count():
            self._apply_restored()

    def _apply_restored(self) -> None:
        saved, self._restored = self._restored or {}, None
        if saved.get("round") and self.round_combo.findData(saved["round"]) >= 0:
            self.reload_rounds(select=saved["round"])
        village = saved.get("village")
        if village and any(v["village_id"] == village for v in self.progress):
            self.select_village(village)
        elif saved.get("commune") and self.progress:
            self.select_village(None)

    def select_village(self, village_id: str | None) -> None:
        """Choose a village in the dashboard (None: the whole commune)."""
        row = next((n for n, v in enumerate(self.progress) if v["village_id"] == village_id),
                   len(self.progress))
        self.dashboard.selectRow(row)

    def _village_changed(self) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        village = self.selected_village()
        search = " ".join(self.search_edit.text().split()) or None
        flt = HouseholdFilter(search=search, village_id=village["village_id"] if village
                              else None)
        if flt != self.model.filter:
            self.model.set_filter(flt)
        else:
            self.model.refresh()
        self.households_title.setText(f"Các hộ – {village['village'] if village else 'toàn xã'}")
        self.count_label.setText(self.model.count_text())
        self._update_buttons()

    # -- selection -------------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        self.table.select_row(row)

    def selected_household_id(self) -> str | None:
        return self.table.selected_household_id()

    def _update_buttons(self, *args) -> None:
        has_round = self.current_round_id() is not None
        village = self.selected_village() is not None
        self.meeting_button.setEnabled(has_round and village)
        self.posting_button.setEnabled(has_round)
        self.decision_button.setEnabled(has_round)
        self.open_button.setEnabled(has_round and self.selected_household_id() is not None)
        self.search_edit.setEnabled(has_round)

    # -- the review form -------------------------------------------------------------------

    def open_selected(self) -> None:
        household_id = self.selected_household_id()
        if household_id is not None:
            self.open_form(household_id)

    def open_row(self, row: int) -> None:
        household_id = self.model.household_id(row)
        if household_id is not None:
            self.open_form(household_id)

    def open_form(self, household_id: str) -> ReviewForm | None:
        """Open the review form of a household in the chosen round."""
        round_id = self.current_round_id()
        if self._db is None or round_id is None:
            return None
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            self.form.activateWindow()
            return self.form
        try:
            self.form = ReviewForm(self._db, self.tasks, round_id, household_id,
                                   today=self.today(), default_reviewer=self.last_reviewer,
                                   parent=self)
        except GnappError as exc:           # removed meanwhile (a sync, a restore)
            show_error(self, exc)
            self.refresh()
            return None
        self.form.saved.connect(self._form_saved)
        self.form.finished.connect(self._form_closed)
        self.form.open()
        return self.form

    def _form_saved(self, household_id: str, status: str) -> None:
        form = self.form
        if form is not None and form.review and form.review.get("reviewer"):
            self.last_reviewer = form.review["reviewer"]
        self.refresh()
        row = self.model.cached_row_of(household_id)
        if row is not None:
            self.select_row(row)
        self.review_saved.emit(household_id, status)
        code = form.household["code"] if form is not None else ""
        self.message.emit(f"Đã hoàn thành phiếu rà soát hộ {code}." if status == "complete"
                          else f"Đã lưu phiếu rà soát hộ {code}.")

    def _form_closed(self) -> None:
        form, self.form = self.form, None
        if form is not None:
            form.deleteLater()
        self.table.setFocus()

    # -- rounds and procedure steps --------------------------------------------------------

    def _open_dialog(self, dialog: QDialog, done: Callable[[Any], None]) -> QDialog:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                done(dialog.result_row)
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def open_round_dialog(self) -> QDialog:
        """"Mở đợt rà soát…": kind, year (and month); the new round is then chosen."""
        def done(row: dict) -> None:
            self.reload_rounds(select=row["id"])
            self.message.emit(f"Đã mở đợt {round_title(row)}.")

        return self._open_dialog(RoundDialog(self.tasks, today=self.today(), db=self._db,
                                                 parent=self),
                                 done)

    def _step_done(self, text: str) -> Callable[[Any], None]:
        def done(row: Any) -> None:
            self.refresh()
            self.message.emit(text)
        return done

    def record_meeting(self) -> QDialog | None:
        village = self.selected_village()
        round_id = self.current_round_id()
        if village is None or round_id is None:
            return None
        return self._open_dialog(
            MeetingDialog(self.tasks, round_id, village, today=self.today(), parent=self),
            self._step_done(f"Đã ghi biên bản họp dân {village['village']}."))

    def record_posting(self) -> QDialog | None:
        village = self.selected_village()
        round_id = self.current_round_id()
        if round_id is None:
            return None
        where = village["village"] if village else "tại UBND xã"
        return self._open_dialog(
            PostingDialog(self.tasks, round_id, village, today=self.today(), parent=self),
            self._step_done(f"Đã ghi niêm yết công khai {where}."))

    def record_decision(self) -> QDialog | None:
        round_id = self.current_round_id()
        if round_id is None:
            return None
        return self._open_dialog(
            DecisionDialog(self.tasks, round_id, self.selected_village(), today=self.today(),
                           parent=self),
            self._step_done("Đã ghi quyết định công nhận."))

    # -- Qt --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: other areas may have changed the register."""
        super().showEvent(event)
        if self._db is not None and not event.spontaneous():
            self.reload_rounds()            # keeps the chosen round; reads everything again
            if self._restored is not None:
                self._apply_restored()
