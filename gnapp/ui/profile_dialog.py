"""The commune's document profile («Hồ sơ đơn vị»): the issuing body's lines, the signers and
their titles by period, the usual "Nơi nhận" lists and the document-number book.

Every rule is below the widgets (``gnapp.db.documents``: what is stored, who may change it
with ``gnapp.db.users``' "profile" permission, numbers never given twice); the dialog reads
with the GUI thread's connection and writes through the task manager's worker. It is opened
non-modally (``open_profile_dialog``) so that tests can fill it in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QSpinBox, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from gnapp.db import documents, sites
from gnapp.domain import documents as rules
from gnapp.domain.dates import format_date
from gnapp.ui.tasks import TaskManager, report_failure
from gnapp.ui.widgets import (code_combo, list_table, message_label, set_tab_order,
                              show_message)

TITLE = "Hồ sơ đơn vị – văn bản"
TABS = ("Cơ quan ban hành", "Người ký", "Nơi nhận", "Sổ văn bản")
INFO_COLOR = "#1b5e20"
DATE_FORMAT = "dd/MM/yyyy"


def _date_edit(day: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    day = day or date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def _right(button: QPushButton) -> QHBoxLayout:
    """A button at the right of its own line (the form's buttons are not stretched)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    return row


def _iso(edit: QDateEdit) -> str:
    return edit.date().toPython().isoformat()


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso)) if iso else ""


class ProfileDialog(QDialog):
    """Four tabs: Cơ quan ban hành / Người ký / Nơi nhận / Sổ văn bản.

    :param db: the GUI thread's read connection
    :param tasks: the task manager whose worker writes
    """

    def __init__(self, db: Database, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.unit = sites.require_site(db).unit_code
        self._recipients: dict[str, tuple[str, ...]] = {}
        self._signers: list[dict] = []
        self._numbers: list[dict] = []
        self.setWindowTitle(TITLE)
        self.resize(820, 540)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._issuer_tab(), TABS[0])
        self.tabs.addTab(self._signer_tab(), TABS[1])
        self.tabs.addTab(self._recipient_tab(), TABS[2])
        self.tabs.addTab(self._number_tab(), TABS[3])
        self.message = message_label()
        buttons = QDialogButtonBox()
        self.close_button = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    # -- tabs -----------------------------------------------------------------------------

    def _issuer_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        self.issuer_parent = QLineEdit()
        self.issuer_parent.setPlaceholderText("ỦY BAN NHÂN DÂN")
        self.issuer_name = QLineEdit()
        self.issuer_name.setPlaceholderText("XÃ HOẰNG HÓA")
        self.place = QLineEdit()
        self.place.setPlaceholderText("Hoằng Hóa")
        form.addRow("Cơ quan chủ quản (dòng trên):", self.issuer_parent)
        form.addRow("Tên cơ quan ban hành:", self.issuer_name)
        form.addRow("Địa danh ở dòng ngày tháng:", self.place)
        self.issuer_preview = QLabel()
        self.issuer_preview.setStyleSheet("border: 1px solid #bbb; padding: 8px;")
        for edit in (self.issuer_parent, self.issuer_name, self.place):
            edit.textChanged.connect(self._show_issuer_preview)
        self.save_issuer_button = QPushButton("Lưu thông tin cơ quan")
        self.save_issuer_button.clicked.connect(self.save_issuer)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(QLabel("Văn bản sẽ in:"))
        layout.addWidget(self.issuer_preview)
        layout.addLayout(_right(self.save_issuer_button))
        layout.addStretch(1)
        set_tab_order([self.issuer_parent, self.issuer_name, self.place,
                       self.save_issuer_button])
        return page

    def _signer_tab(self) -> QWidget:
        page = QWidget()
        self.signer_table = list_table(["Chức vụ", "Họ và tên", "Từ ngày", "Đến ngày",
                                        "Ký văn bản"], stretch=4)
        self.signer_table.itemSelectionChanged.connect(self._signer_selected)
        add = QGroupBox("Thêm người ký")
        form = QFormLayout(add)
        self.signer_role = code_combo(rules.SIGNER_ROLES)
        self.signer_name = QLineEdit()
        self.signer_name.setPlaceholderText("Họ và tên đầy đủ")
        self.signer_from = _date_edit()
        self.signer_from.setMaximumWidth(160)
        self.signer_role.setMaximumWidth(260)
        self.add_signer_button = QPushButton("Thêm người ký")
        self.add_signer_button.clicked.connect(self.add_signer)
        form.addRow("Chức vụ:", self.signer_role)
        form.addRow("Họ và tên:", self.signer_name)
        form.addRow("Giữ chức vụ từ ngày:", self.signer_from)
        form.addRow("", _right(self.add_signer_button))
        end = QHBoxLayout()
        self.signer_to = _date_edit()
        self.end_signer_button = QPushButton("Ghi ngày thôi giữ chức vụ")
        self.end_signer_button.setEnabled(False)
        self.end_signer_button.clicked.connect(self.end_signer)
        end.addWidget(QLabel("Người đang chọn thôi giữ chức vụ từ ngày:"))
        end.addWidget(self.signer_to)
        end.addWidget(self.end_signer_button)
        end.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.signer_table, 1)
        layout.addLayout(end)
        layout.addWidget(add)
        set_tab_order([self.signer_table, self.signer_to, self.end_signer_button,
                       self.signer_role, self.signer_name, self.signer_from,
                       self.add_signer_button])
        return page

    def _recipient_tab(self) -> QWidget:
        page = QWidget()
        self.recipient_kind = code_combo(rules.RECIPIENT_KINDS)
        self.recipient_kind.currentIndexChanged.connect(self._show_recipients)
        self.recipient_lines = QPlainTextEdit()
        self.recipient_lines.setPlaceholderText("Mỗi dòng một nơi nhận, ví dụ:\nUBND tỉnh (b/c);"
                                                "\nLưu: VT.")
        self.save_recipients_button = QPushButton("Lưu nơi nhận")
        self.save_recipients_button.clicked.connect(self.save_recipients)
        self.default_recipients_button = QPushButton("Dùng danh sách mặc định")
        self.default_recipients_button.clicked.connect(self.use_default_recipients)
        row = QHBoxLayout()
        row.addWidget(QLabel("Loại văn bản:"))
        row.addWidget(self.recipient_kind, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.default_recipients_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_recipients_button)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(QLabel("Nơi nhận (mỗi dòng một nơi):"))
        layout.addWidget(self.recipient_lines, 1)
        layout.addLayout(buttons)
        set_tab_order([self.recipient_kind, self.recipient_lines,
                       self.default_recipients_button, self.save_recipients_button])
        return page

    def _number_tab(self) -> QWidget:
        page = QWidget()
        self.number_year = QSpinBox()
        self.number_year.setRange(2000, 2100)
        self.number_year.setValue(date.today().year)
        self.number_year.valueChanged.connect(self._load_numbers)
        self.number_table = list_table(["Số", "Ngày ban hành", "Trích yếu", "Trạng thái"],
                                       stretch=2)
        self.number_table.itemSelectionChanged.connect(self._number_selected)
        self.cancel_number_button = QPushButton("Hủy số đã chọn…")
        self.cancel_number_button.setEnabled(False)
        self.cancel_number_button.clicked.connect(self.cancel_number)
        self.number_note = QLabel("Số văn bản được cấp khi in văn bản có số (quyết định, giấy "
                                  "chứng nhận, thông báo). Số đã hủy vẫn giữ trong sổ, không "
                                  "cấp lại.")
        self.number_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Năm:"))
        row.addWidget(self.number_year)
        row.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.number_note, 1)
        bottom.addWidget(self.cancel_number_button)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.number_table, 1)
        layout.addLayout(bottom)
        set_tab_order([self.number_year, self.number_table, self.cancel_number_button])
        return page

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Show what the database holds now."""
        profile = documents.profile(self._db, self.unit)
        self.issuer_parent.setText(profile["issuer_parent"])
        self.issuer_name.setText(profile["issuer_name"])
        self.place.setText(profile["place"])
        self._recipients = dict(profile["recipients"])
        self._show_recipients()
        self._signers = documents.signer_rows(self._db, self.unit)
        signers = documents.signers(self._db, self.unit)
        current = rules.signer_on(signers, date.today())
        self.signer_table.setRowCount(0)
        for row in self._signers:
            n = self.signer_table.rowCount()
            self.signer_table.insertRow(n)
            signer = rules.Signer(row["role"], row["name"], row["valid_from"], row["valid_to"])
            lines = " / ".join((*signer.authority, signer.title))
            for c, text in enumerate((rules.SIGNER_ROLES.get(row["role"], row["role"]),
                                      row["name"], _day(row["valid_from"]),
                                      _day(row["valid_to"]) or "đang giữ chức vụ",
                                      lines + (" (ký hiện nay)" if signer == current else ""))):
                self.signer_table.setItem(n, c, QTableWidgetItem(text))
        self._signer_selected()
        self._load_numbers()

    def _load_numbers(self) -> None:
        self._numbers = documents.numbers(self._db, self.unit, self.number_year.value())
        self.number_table.setRowCount(0)
        for row in self._numbers:
            n = self.number_table.rowCount()
            self.number_table.insertRow(n)
            for c, text in enumerate((rules.number_text(row["number"], row["symbol"]),
                                      _day(row["issued_on"]), row["subject"],
                                      "Đã hủy (không cấp lại)" if row["deleted"] else "Đã cấp")):
                self.number_table.setItem(n, c, QTableWidgetItem(text))
        self._number_selected()

    def _show_issuer_preview(self) -> None:
        parent = self.issuer_parent.text().strip() or self.issuer_parent.placeholderText()
        name = self.issuer_name.text().strip() or self.issuer_name.placeholderText()
        place = self.place.text().strip() or self.place.placeholderText()
        self.issuer_preview.setText(f"<div align='center'>{parent.upper()}<br><b>{name.upper()}"
                                    f"</b></div><p align='right'><i>{place}, ngày … tháng … năm "
                                    f"{date.today().year}</i></p>")

    def _show_recipients(self) -> None:
        kind = self.recipient_kind.currentData()
        self.recipient_lines.setPlainText("\n".join(self._recipients.get(kind, ())))

    def selected_signer(self) -> dict | None:
        rows = self.signer_table.selectionModel().selectedRows()
        return self._signers[rows[0].row()] if rows else None

    def selected_number(self) -> dict | None:
        rows = self.number_table.selectionModel().selectedRows()
        return self._numbers[rows[0].row()] if rows else None

    def _signer_selected(self) -> None:
        signer = self.selected_signer()
        self.end_signer_button.setEnabled(signer is not None and signer["valid_to"] is None)

    def _number_selected(self) -> None:
        number = self.selected_number()
        self.cancel_number_button.setEnabled(number is not None and not number["deleted"])

    # -- writing ---------------------------------------------------------------------------

    def _write(self, fn: Callable[[Any], Any], said: str) -> None:
        """Run ``fn(writer)`` in the worker, then show the database again and ``said``."""
        self.setEnabled(False)

        def ok(_: Any) -> None:
            self.setEnabled(True)
            self.reload()
            show_message(self.message, said, INFO_COLOR)

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            report_failure(self, exc, lambda text: show_message(self.message, text))

        self.tasks.run(lambda db: fn(sites.writer(db)), ok, failed)

    def save_issuer(self) -> None:
        values = {"issuer_parent": self.issuer_parent.text().strip().upper() or None,
                  "issuer_name": self.issuer_name.text().strip().upper(),
                  "place": self.place.text().strip() or None}
        if not values["issuer_name"]:
            show_message(self.message, "Chưa nhập tên cơ quan ban hành.")
            self.issuer_name.setFocus()
            return
        self._write(lambda w: documents.save_profile(w, **values),
                    "Đã lưu thông tin cơ quan ban hành.")

    def add_signer(self) -> None:
        name = " ".join(self.signer_name.text().split())
        if not name:
            show_message(self.message, "Chưa nhập họ tên người ký.")
            self.signer_name.setFocus()
            return
        role, start = self.signer_role.currentData(), _iso(self.signer_from)

        def done(w) -> None:
            documents.add_signer(w, role=role, name=name, valid_from=start)

        self.signer_name.clear()
        self._write(done, f"Đã thêm người ký: {rules.SIGNER_ROLES[role]} {name}.")

    def end_signer(self) -> None:
        signer = self.selected_signer()
        if signer is None:
            return
        end = _iso(self.signer_to)
        self._write(lambda w: documents.end_signer(w, signer["id"], end),
                    f"{signer['name']} thôi giữ chức vụ từ ngày {_day(end)}.")

    def save_recipients(self) -> None:
        kind = self.recipient_kind.currentData()
        lines = [" ".join(line.split()) for line in self.recipient_lines.toPlainText().splitlines()]
        wanted = {**self._recipients, kind: tuple(line for line in lines if line)}
        self._write(lambda w: documents.save_profile(w, recipients=wanted),
                    f"Đã lưu nơi nhận của {rules.RECIPIENT_KINDS[kind].lower()}.")

    def use_default_recipients(self) -> None:
        kind = self.recipient_kind.currentData()
        self.recipient_lines.setPlainText("\n".join(rules.DEFAULT_RECIPIENTS.get(kind, ())))

    def ask_cancel_reason(self, number: dict) -> str | None:
        """Why the number is cancelled (None: the user gave up); tests replace this."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            self, "Hủy số văn bản",
            f"Lý do hủy số {rules.number_text(number['number'], number['symbol'])} (số đã hủy "
            "không được cấp lại):")
        return text.strip() if ok and text.strip() else None

    def cancel_number(self) -> None:
        number = self.selected_number()
        if number is None or number["deleted"]:
            return
        reason = self.ask_cancel_reason(number)
        if not reason:
            return
        text = rules.number_text(number["number"], number["symbol"])
        self._write(lambda w: documents.cancel_number(w, number["id"], reason=reason),
                    f"Đã hủy số {text}; số này không được cấp lại.")


def open_profile_dialog(parent: QWidget | None, db: Database, tasks: TaskManager) -> ProfileDialog:
    """Open the commune's profile dialog (non-modal) and return it."""
    dialog = ProfileDialog(db, tasks, parent)
    dialog.open()
    return dialog
