"""The conflict queue (SYNC.md §5): both versions of a row, decided field by field.

The list on the left holds the open conflicts of this database; the right side shows, for
the chosen one, every field in conflict with the value held here and the sender's value, and
lets the person keep ours, take theirs, or type another value. A deletion against an edit is
one decision for the whole row («Giữ bản đã xóa» / «Giữ bản đã sửa (khôi phục)»), shown
with who deleted and who edited the row, and when. "Ghi quyết định" runs
``gnapp.sync.conflicts.resolve`` in the worker; a refusal (a site that does not own the data,
a value missing) is shown in the dialog with the backend's own message.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGridLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QRadioButton, QScrollArea,
                               QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import sites, units
from gnapp.domain.text import clean
from gnapp.sync import conflicts
from gnapp.ui import tasks as ui_tasks
from gnapp.ui.household_editor import ERROR_COLOR, MEMBER_LABELS
from gnapp.ui.tasks import TaskManager
from gnapp.ui.widgets import split_panes

OK_COLOR = "#1b6e20"
EMPTY = "(trống)"

# What a person calls the fields that conflict most often; other fields show their name.
FIELD_LABELS = {
    **MEMBER_LABELS,
    "code": "Mã hộ",
    "address": "Địa chỉ",
    "area": "Khu vực",
    "village_id": "Thôn",
    "name": "Tên",
    "note": "Ghi chú",
    "status": "Trạng thái",
}

CONFLICT_ID_ROLE = Qt.ItemDataRole.UserRole


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def value_text(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    return str(value)


def row_title(conflict: conflicts.Conflict) -> str:
    """What the conflicting row is called: a person's or household's name, or its id."""
    for values in (conflict.local, conflict.remote):
        for key in ("full_name", "name", "code", "title", "number"):
            if values.get(key):
                return str(values[key])
    return conflict.row_id[:13]


def typed_value(text: str, ours: Any, theirs: Any) -> Any:
    """A typed value in the type of the field: a whole number where both values are whole
    numbers (or empty), otherwise text; nothing typed is an empty value."""
    text = clean(text) or ""
    if not text:
        return None
    numeric = all(v is None or (isinstance(v, int) and not isinstance(v, bool))
                  for v in (ours, theirs)) and (ours is not None or theirs is not None)
    if numeric:
        try:
            return int(text)
        except ValueError:
            return text
    return text


class FieldChoice:
    """One field in conflict: ours / theirs / typed, as three radio buttons and an edit."""

    def __init__(self, name: str, ours: Any, theirs: Any, parent: QWidget):
        self.name, self.ours, self.theirs = name, ours, theirs
        self.label = QLabel(field_label(name))
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.ours_radio = QRadioButton(value_text(ours), parent)
        self.theirs_radio = QRadioButton(value_text(theirs), parent)
        self.typed_radio = QRadioButton("Giá trị khác:", parent)
        self.typed_edit = QLineEdit(parent)
        self.typed_edit.setEnabled(False)
        self.typed_edit.setMinimumWidth(120)
        self.group = QButtonGroup(parent)
        for button in (self.ours_radio, self.theirs_radio, self.typed_radio):
            self.group.addButton(button)
        self.typed_radio.toggled.connect(self._typed_toggled)
        self.typed_edit.textEdited.connect(lambda _t: self.typed_radio.setChecked(True))

    def _typed_toggled(self, on: bool) -> None:
        self.typed_edit.setEnabled(on)
        if on:
            self.typed_edit.setFocus()

    def choose(self, choice: str, value: str = "") -> None:
        """``ours``, ``theirs`` or ``typed`` (with the text typed)."""
        {"ours": self.ours_radio, "theirs": self.theirs_radio,
         "typed": self.typed_radio}[choice].setChecked(True)
        if choice == "typed":
            self.typed_edit.setText(value)

    def choice(self) -> Any:
        """The decision for ``conflicts.resolve``, or None when nothing is chosen."""
        if self.ours_radio.isChecked():
            return conflicts.OURS
        if self.theirs_radio.isChecked():
            return conflicts.THEIRS
        if self.typed_radio.isChecked():
            return {"value": typed_value(self.typed_edit.text(), self.ours, self.theirs)}
        return None


class RowChoice:
    """A deletion against an edit: keep the row deleted, or restore it with the edits."""

    def __init__(self, parent: QWidget):
        self.deleted_radio = QRadioButton(conflicts.ROW_CHOICES[conflicts.KEEP_DELETED], parent)
        self.edited_radio = QRadioButton(conflicts.ROW_CHOICES[conflicts.KEEP_EDITED], parent)
        self.group = QButtonGroup(parent)
        self.group.addButton(self.deleted_radio)
        self.group.addButton(self.edited_radio)

    def choose(self, choice: str) -> None:
        """``deleted`` or ``edited``."""
        {conflicts.KEEP_DELETED: self.deleted_radio,
         conflicts.KEEP_EDITED: self.edited_radio}[choice].setChecked(True)

    def choice(self) -> str | None:
        if self.deleted_radio.isChecked():
            return conflicts.KEEP_DELETED
        if self.edited_radio.isChecked():
            return conflicts.KEEP_EDITED
        return None


def side_text(side: conflicts.Side, what: str) -> str:
    """"Đã xóa ở máy X (mã khóa …) lúc …", "Đã sửa ở máy này (người dùng Y) lúc …" for
    one side of a deletion conflict (the PCs of a commune often share their name)."""
    if side.here:
        text = f"{what} ở máy này"
    else:
        text = f"{what} ở máy «{side.site_name}»"
        if side.fingerprint:
            text += f" (mã khóa {side.fingerprint[:9]}…)"
    if side.user:
        text += f" (người dùng {side.user})"
    if side.at:
        text += f" lúc {side.at}"
    if side.reason:
        text += f"; lý do: {side.reason}"
    return text + "."


class ConflictDialog(QDialog):
    """The open conflicts of this database, decided one at a time, field by field.

    :param db: the GUI thread's read connection
    :param tasks: the task manager whose worker writes the decision
    """

    # (conflict id) after a decision was written
    resolved = Signal(int)

    def __init__(self, db: Database, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.fields: list[FieldChoice] = []
        self.row_choice: RowChoice | None = None
        self.current: conflicts.Conflict | None = None
        self._running = False
        self.setWindowTitle("Xung đột dữ liệu chờ quyết định")
        self.resize(1040, 560)
        self._setup()
        self.reload()

    def _setup(self) -> None:
        layout = QVBoxLayout(self)
        self.intro_label = QLabel(
            "Cùng một dòng dữ liệu đã được sửa ở hai nơi. Với từng trường, chọn giữ giá trị "
            "ở máy này, lấy giá trị của máy gửi, hoặc gõ giá trị đúng. Quyết định được ghi "
            "nhật ký và gửi đi trong gói đồng bộ tiếp theo.")
        self.intro_label.setWordWrap(True)
        layout.addWidget(self.intro_label)

        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.list.setWordWrap(True)     # a long title wraps in the pane instead of hiding
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail = QWidget()
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        self.header_label = QLabel()
        self.header_label.setWordWrap(True)
        self.header_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.owner_label = QLabel()
        self.owner_label.setWordWrap(True)
        self.owner_label.setStyleSheet("color: #555;")
        self.grid_box = QWidget()
        self.grid = QGridLayout(self.grid_box)
        self.grid.setHorizontalSpacing(14)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setColumnStretch(4, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.grid_box)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        detail_layout.addWidget(self.header_label)
        detail_layout.addWidget(self.owner_label)
        detail_layout.addWidget(scroll, 1)
        detail_layout.addWidget(self.message_label)

        splitter = split_panes((self.list, 0), (self.detail, 1), sizes=[250, 790])
        layout.addWidget(splitter, 1)

        self.buttons = QDialogButtonBox()
        self.decide_button = self.buttons.addButton("Ghi quyết định",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(self.buttons)
        self.decide_button.clicked.connect(self.decide)
        self.close_button.clicked.connect(self.reject)
        self.list.currentItemChanged.connect(self._conflict_chosen)

    # -- data ------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        """Read the open conflicts again and show ``select`` (or the first)."""
        self.list.clear()
        found = conflicts.open_conflicts(self._db)
        for conflict in found:
            sender = conflict.sender_name or conflict.from_site[:8]
            kind = " (xóa và sửa)" if conflict.is_deletion else ""
            item = QListWidgetItem(f"Số {conflict.id} – {conflict.label}: {row_title(conflict)}"
                                   f"{kind}\nTừ {sender}")
            item.setData(CONFLICT_ID_ROLE, conflict.id)
            self.list.addItem(item)
        ids = [c.id for c in found]
        if found:
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)
        else:
            self._show(None)

    def conflict_ids(self) -> list[int]:
        return [self.list.item(i).data(CONFLICT_ID_ROLE) for i in range(self.list.count())]

    def select(self, conflict_id: int) -> None:
        self.list.setCurrentRow(self.conflict_ids().index(conflict_id))

    def _conflict_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        self._show(conflicts.get(self._db, item.data(CONFLICT_ID_ROLE)) if item else None)

    def _clear_grid(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.fields = []
        self.row_choice = None

    def _show(self, conflict: conflicts.Conflict | None) -> None:
        self.current = conflict
        self._clear_grid()
        self.show_message("")
        self.decide_button.setEnabled(conflict is not None)
        if conflict is None:
            self.header_label.setText("Không có xung đột nào chờ quyết định.")
            self.owner_label.setText("")
            return
        sender = conflict.sender_name or conflict.from_site
        self.header_label.setText(
            f"<b>Xung đột số {conflict.id}</b>: {conflict.label} «{row_title(conflict)}» — "
            f"ở máy này phiên bản {conflict.local_version}, máy gửi ({sender}) phiên bản "
            f"{conflict.remote_version}.")
        local = sites.local_site(self._db)
        unit = units.get_unit(self._db, conflict.owner_unit)
        owner = f"Dữ liệu thuộc {unit['name'] if unit else 'đơn vị'} ({conflict.owner_unit})."
        if local is not None and local.unit_code != conflict.owner_unit:
            owner += (" Máy này thuộc đơn vị khác nên chỉ xem được; xung đột được gửi về đơn "
                      "vị sở hữu trong gói xác nhận để quyết định.")
        self.owner_label.setText(owner)
        if conflict.is_deletion:
            self._show_deletion(conflict)
            return
        for col, text in enumerate(("Trường", "Giá trị ở máy này", "Giá trị của máy gửi", "",
                                    "")):
            if text:
                label = QLabel(f"<i>{text}</i>")
                self.grid.addWidget(label, 0, col)
        for row, name in enumerate(conflict.fields, start=1):
            choice = FieldChoice(name, conflict.local.get(name), conflict.remote.get(name),
                                 self.grid_box)
            self.grid.addWidget(choice.label, row, 0)
            self.grid.addWidget(choice.ours_radio, row, 1)
            self.grid.addWidget(choice.theirs_radio, row, 2)
            self.grid.addWidget(choice.typed_radio, row, 3)
            self.grid.addWidget(choice.typed_edit, row, 4)
            self.fields.append(choice)
        self.grid.setRowStretch(len(conflict.fields) + 1, 1)

    def _show_deletion(self, conflict: conflicts.Conflict) -> None:
        """One choice for the whole row, who deleted and who edited, and the edits."""
        info = conflicts.deletion(self._db, conflict)
        here = "máy này" if info.deleted_side == conflicts.OURS else "máy gửi"
        intro = QLabel(
            f"Một nơi đã <b>xóa</b> dòng này ({here}), nơi kia đã <b>sửa</b> nó. Không chọn "
            "từng trường: hoặc giữ bản đã xóa (dòng vẫn ở trong thùng rác), hoặc giữ bản đã "
            "sửa (dòng được khôi phục với các giá trị đã sửa).")
        intro.setWordWrap(True)
        deleted = QLabel(side_text(info.deleted, "Đã xóa"))
        edited = QLabel(side_text(info.edited, "Đã sửa"))
        for label in (deleted, edited):
            label.setWordWrap(True)
        self.grid.addWidget(intro, 0, 0, 1, 5)
        self.grid.addWidget(deleted, 1, 0, 1, 5)
        self.grid.addWidget(edited, 2, 0, 1, 5)
        row = 3
        if info.edited_values:
            self.grid.addWidget(QLabel("<i>Trường đã sửa</i>"), row, 0)
            self.grid.addWidget(QLabel("<i>Giá trị trong bản đã sửa</i>"), row, 1, 1, 2)
            for name, value in info.edited_values.items():
                row += 1
                self.grid.addWidget(QLabel(field_label(name)), row, 0)
                self.grid.addWidget(QLabel(value_text(value)), row, 1, 1, 2)
        self.row_choice = RowChoice(self.grid_box)
        self.grid.addWidget(self.row_choice.deleted_radio, row + 1, 0, 1, 2)
        self.grid.addWidget(self.row_choice.edited_radio, row + 1, 2, 1, 3)
        self.grid.setRowStretch(row + 2, 1)

    def field(self, name: str) -> FieldChoice:
        return next(f for f in self.fields if f.name == name)

    def show_message(self, text: str, *, ok: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {OK_COLOR if ok else ERROR_COLOR};")
        self.message_label.setVisible(bool(text))

    # -- deciding --------------------------------------------------------------------------

    def decide(self) -> None:
        """Write the decision for the conflict shown (in the worker)."""
        if self.current is None or self._running:
            return
        if self.row_choice is not None:
            choice = self.row_choice.choice()
            if choice is None:
                self.show_message("Chưa chọn: giữ bản đã xóa hay giữ bản đã sửa (khôi phục).")
                return
            self._run_decision(self.current.id, {conflicts.ROW: choice})
            return
        missing = [field_label(f.name) for f in self.fields if f.choice() is None]
        if missing:
            self.show_message("Chưa chọn giá trị cho: " + ", ".join(missing) + ".")
            return
        self._run_decision(self.current.id, {f.name: f.choice() for f in self.fields})

    def _run_decision(self, conflict_id: int, choices: dict) -> None:
        self._set_running(True)
        self.tasks.run(lambda db: conflicts.resolve(db, conflict_id, choices),
                       lambda row: self._decided(conflict_id, row), self._failed)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.decide_button.setEnabled(not running and self.current is not None)
        self.close_button.setEnabled(not running)

    def _decided(self, conflict_id: int, row: dict) -> None:
        self._set_running(False)
        self.reload()
        self.show_message(f"Đã ghi quyết định xung đột số {conflict_id} (phiên bản mới "
                          f"{row['version']}); quyết định sẽ đi theo gói đồng bộ tiếp theo.",
                          ok=True)
        self.resolved.emit(conflict_id)

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        ui_tasks.report_failure(self, exc, self.show_message)

    def reject(self) -> None:
        """Overrides QDialog.reject: not while a decision is being written."""
        if not self._running:
            super().reject()
