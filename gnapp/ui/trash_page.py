"""The "Thùng rác" area: households, members and documents deleted as entered by mistake,
and bringing them back (``gnapp.db.trash``), with a reason, through the task manager."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidgetItem, QWidget
from sqlite_utils import Database

from gnapp.db import sites, trash
from gnapp.domain.errors import GnappError
from gnapp.ui.format import format_datetime
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import (ERROR_COLOR, ask_text, list_table, message_label, page_layout,
                               show_message)

AREA_TITLE = "Thùng rác"
PLAIN = "palette(window-text)"

NOTE = ("Hộ, thành viên và văn bản (kế hoạch, báo cáo) bị xóa do nhập nhầm nằm ở đây; không "
        "có gì bị xóa hẳn. Khôi phục một hộ thì các thành viên bị xóa cùng hộ cũng trở lại. "
        "Người chuyển đi, mất, hộ chuyển đi không ở đây: đó là biến động của hộ. "
        + trash.LEDGER_NOTE)


def ask_reason(parent: QWidget | None, title: str, question: str, go_text: str) -> str | None:
    """Why a row goes to the trash or comes back (required; written to the audit log)."""
    return ask_text(parent, title, question, go_text,
                    placeholder="Lý do (bắt buộc), ví dụ: nhập trùng hộ")


def _when(text: str | None) -> str:
    """An audit time (ISO, UTC) in local time, as the user reads it."""
    if not text:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(text).astimezone())
    except ValueError:
        return text


class TrashPage(QWidget):
    """The rows in the trash, newest deletion first, with "Khôi phục…"."""

    COLUMNS = ["Loại", "Tên, nội dung", "Chi tiết", "Ngày xóa", "Người xóa", "Lý do"]

    # a status-bar line for the main window
    message = Signal(str)
    # something came back: the lists that show it must be read again
    data_changed = Signal()

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.rows: list[dict] = []
        layout = page_layout(self, AREA_TITLE, bottom=20)
        self.note_label = QLabel(NOTE)
        self.note_label.setWordWrap(True)
        self.note_label.setMaximumWidth(900)
        layout.addWidget(self.note_label)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Khôi phục…")
        self.restore_button.setToolTip("Đưa dòng đang chọn trở lại (cần ghi lý do)")
        self.refresh_button = QPushButton("Làm mới")
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.table = list_table(self.COLUMNS, stretch=5)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel("Thùng rác trống.")
        self.empty_label.setStyleSheet("color: #666; font-style: italic;")
        layout.addWidget(self.empty_label)
        self.status_label = message_label()
        layout.addWidget(self.status_label)

        self.restore_button.clicked.connect(self.restore_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.doubleClicked.connect(lambda index: self.restore_row(index.row()))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None and self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: the trash as it is now, each time it is shown."""
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Read the trash again (GUI thread, read connection)."""
        if self._db is None:
            return
        site = sites.local_site(self._db)
        self.rows = trash.list_deleted(self._db, site.unit_code if site else None)
        self.table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            cells = [row["kind"], row["label"], row["detail"], _when(row["deleted_at"]),
                     row["deleted_by"] or "", row["reason"]]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                self.table.setItem(n, col, item)
        self.empty_label.setVisible(not self.rows)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected_row() is not None
                                       and not self.tasks.busy)

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def restore_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.restore_row(row)

    def ask_restore_reason(self, entry: dict) -> str | None:
        return ask_reason(self, "Khôi phục từ thùng rác",
                          f"Khôi phục {entry['kind'].lower()} «{entry['label']}»?", "Khôi phục")


    def restore_row(self, row: int) -> None:
        """Ask the reason, then restore the row in the worker."""
        if not 0 <= row < len(self.rows) or self.tasks.busy:
            return
        entry = self.rows[row]
        reason = self.ask_restore_reason(entry)
        if not reason:
            return
        show_message(self.status_label, "Đang khôi phục…", PLAIN)
        table, row_id = entry["table"], entry["id"]

        def done(_result) -> None:
            text = f"Đã khôi phục {entry['kind'].lower()} «{entry['label']}»."
            show_message(self.status_label, text, PLAIN)
            self.refresh()
            self.message.emit(text)
            self.data_changed.emit()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, GnappError):
                show_message(self.status_label, str(exc), ERROR_COLOR)
            else:
                show_message(self.status_label,
                             "Không khôi phục được do lỗi của phần mềm; dữ liệu chưa thay đổi.",
                             ERROR_COLOR)
                show_error(self, exc)

        self.tasks.run(lambda db: trash.restore(sites.writer(db), table, row_id, reason),
                       done, failed)
