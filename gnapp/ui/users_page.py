"""Logging in, changing one's password, and the users area (for administrators).

Every rule (who may manage users, the lockout, the last administrator) is in
``gnapp.db.users``; these widgets ask and show. Dialogs are opened non-modally with
``open()`` and returned, so that tests can fill them in.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidgetItem,
                               QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import users
from gnapp.ui.tasks import TaskManager, report_failure
from gnapp.ui.widgets import (ask_to_go_on, code_combo, list_table, message_label, page_layout,
                              password_edit, set_tab_order, show_message)

AREA_TITLE = "Người dùng"
INFO_COLOR = "#1b5e20"


def user_line(user: dict | None) -> str:
    """"Họ tên (tên đăng nhập), vai trò" for the status bar and the users area."""
    if user is None:
        return "Chưa đăng nhập"
    return f"{user['full_name']} ({user['name']}), {users.role_label(user['role'])}"


class _FormDialog(QDialog):
    """A small form with a message line and OK / Hủy; ``submit`` does the work."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.message = message_label()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit(self) -> None:
        raise NotImplementedError

    def failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        report_failure(self, exc, lambda text: show_message(self.message, text))

    def run(self, tasks: TaskManager, fn, done) -> None:
        self.ok_button.setEnabled(False)
        tasks.run(fn, done, self.failed)


class ChangePasswordDialog(_FormDialog):
    """A user changes their own password; ``forced`` after a reset (the old one is known)."""

    def __init__(self, tasks: TaskManager, name: str, *, current: str | None = None,
                 parent: QWidget | None = None):
        super().__init__("Đổi mật khẩu", "Đổi mật khẩu", parent)
        self.tasks, self.name, self._current = tasks, name, current
        if current is not None:
            note = QLabel("Mật khẩu của bạn vừa được đặt lại. Hãy chọn mật khẩu mới để tiếp tục.")
            note.setWordWrap(True)
            self.form.addRow(note)
        self.old_edit = password_edit()
        self.new_edit = password_edit(f"Ít nhất {users.MIN_PASSWORD} ký tự")
        self.again_edit = password_edit()
        if current is None:
            self.form.addRow("Mật khẩu &hiện tại:", self.old_edit)
        self.form.addRow("Mật khẩu &mới:", self.new_edit)
        self.form.addRow("&Nhập lại mật khẩu mới:", self.again_edit)

    def submit(self) -> None:
        if self.new_edit.text() != self.again_edit.text():
            show_message(self.message, "Hai lần nhập mật khẩu mới không giống nhau.")
            self.again_edit.setFocus()
            return
        old = self._current if self._current is not None else self.old_edit.text()
        new = self.new_edit.text()
        self.run(self.tasks, lambda db: users.change_password(db, self.name, old, new),
                 lambda _: self.accept())


class LoginDialog(_FormDialog):
    """Asks who is at the keyboard; accepted once ``users.login`` has succeeded (and, after a
    password reset, the new password is chosen). ``user`` then holds the logged-in user."""

    def __init__(self, tasks: TaskManager, names: list[str], unit_line: str = "",
                 parent: QWidget | None = None):
        super().__init__("Đăng nhập – gnapp", "Đăng nhập", parent)
        self.tasks = tasks
        self.user: dict | None = None
        self.cancel_button.setText("Thoát")
        if unit_line:
            unit = QLabel(unit_line)
            unit.setWordWrap(True)
            self.form.addRow(unit)
        self.name_combo = QComboBox()
        self.name_combo.setEditable(True)
        self.name_combo.addItems(names)
        self.name_combo.setCurrentIndex(-1)
        self.password_edit = password_edit()
        self.form.addRow("&Tên đăng nhập:", self.name_combo)
        self.form.addRow("&Mật khẩu:", self.password_edit)
        set_tab_order([self.name_combo, self.password_edit, self.ok_button, self.cancel_button])
        self.name_combo.setFocus()

    def submit(self) -> None:
        name, password = self.name_combo.currentText().strip(), self.password_edit.text()
        if not name:
            show_message(self.message, "Chưa nhập tên đăng nhập.")
            return
        self.run(self.tasks, lambda db: users.login(db, name, password),
                 lambda user: self._logged_in(user, password))

    def _logged_in(self, user: dict, password: str) -> None:
        self.user = user
        if user["must_change"]:
            change = ChangePasswordDialog(self.tasks, user["name"], current=password, parent=self)
            change.accepted.connect(self.accept)
            change.rejected.connect(self._change_refused)
            change.open()
            self.change_dialog = change
            return
        self.accept()

    def _change_refused(self) -> None:
        users.logout()
        self.user = None
        self.ok_button.setEnabled(True)
        show_message(self.message, "Cần đổi mật khẩu trước khi dùng phần mềm.")

    def failed(self, exc: BaseException) -> None:
        super().failed(exc)
        self.password_edit.clear()
        self.password_edit.setFocus()


class UserDialog(_FormDialog):
    """Adds a user: login name, full name, role and a first password."""

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__("Thêm người dùng", "Thêm", parent)
        self.tasks = tasks
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Ví dụ: lan.pt (không dấu cách)")
        self.full_name_edit = QLineEdit()
        self.role_combo = code_combo(users.ROLE_LABELS)
        self.role_combo.setCurrentIndex(self.role_combo.findData(users.OFFICER))
        self.password_edit = password_edit(f"Ít nhất {users.MIN_PASSWORD} ký tự")
        self.again_edit = password_edit()
        self.form.addRow("&Tên đăng nhập:", self.name_edit)
        self.form.addRow("&Họ và tên:", self.full_name_edit)
        self.form.addRow("&Vai trò:", self.role_combo)
        self.form.addRow("&Mật khẩu:", self.password_edit)
        self.form.addRow("&Nhập lại mật khẩu:", self.again_edit)
        set_tab_order([self.name_edit, self.full_name_edit, self.role_combo, self.password_edit,
                       self.again_edit, self.ok_button, self.cancel_button])

    def submit(self) -> None:
        if self.password_edit.text() != self.again_edit.text():
            show_message(self.message, "Hai lần nhập mật khẩu không giống nhau.")
            return
        name, full_name = self.name_edit.text(), self.full_name_edit.text()
        role, password = self.role_combo.currentData(), self.password_edit.text()
        self.run(self.tasks, lambda db: users.add(db, None, name, full_name, role=role,
                                                  password=password),
                 lambda _: self.accept())


class UsersPage(QWidget):
    """Who is logged in, their own password, and (for administrators) the users, their roles,
    locks and passwords, and whether a login is asked at start."""

    message = Signal(str)
    COLUMNS = ["Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái"]

    def __init__(self, db: Database, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.tasks = db, tasks
        self.dialog: QDialog | None = None
        layout = page_layout(self, AREA_TITLE)
        self.me_label = QLabel()
        self.me_label.setWordWrap(True)
        layout.addWidget(self.me_label)
        mine = QHBoxLayout()
        self.password_button = QPushButton("Đổi mật khẩu của tôi…")
        self.switch_button = QPushButton("Đổi người dùng…")
        mine.addWidget(self.password_button)
        mine.addWidget(self.switch_button)
        mine.addStretch()
        layout.addLayout(mine)

        self.admin_note = QLabel("Chỉ quản trị thêm, sửa người dùng và đổi cài đặt đăng nhập.")
        self.admin_note.setStyleSheet("color: #666;")
        layout.addWidget(self.admin_note)
        self.login_check = QCheckBox("Yêu cầu đăng nhập khi mở phần mềm (bỏ chọn nếu máy chỉ "
                                     "một người dùng)")
        layout.addWidget(self.login_check)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Thêm người dùng…")
        self.role_button = QPushButton("Đổi vai trò")
        self.role_combo = code_combo(users.ROLE_LABELS)
        self.active_button = QPushButton("Ngừng tài khoản")
        self.unlock_button = QPushButton("Mở khóa")
        self.reset_button = QPushButton("Đặt lại mật khẩu…")
        for w in (self.add_button, self.role_combo, self.role_button, self.active_button,
                  self.unlock_button, self.reset_button):
            buttons.addWidget(w)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.table = list_table(self.COLUMNS, stretch=1)
        layout.addWidget(self.table, 1)
        self.error = message_label()
        layout.addWidget(self.error)
        self._admin_widgets = (self.login_check, self.add_button, self.role_combo,
                               self.role_button, self.active_button, self.unlock_button,
                               self.reset_button)

        self.password_button.clicked.connect(self.change_my_password)
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.set_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.unlock_button.clicked.connect(self.unlock)
        self.reset_button.clicked.connect(self.reset_password)
        self.login_check.clicked.connect(self.set_login_required)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()

    # -- reading ---------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self.db = db
        if db is not None:
            self.refresh()

    def me(self) -> dict | None:
        name = users.current_user(self.db)
        return users.get(self.db, name) if name else None

    def refresh(self) -> None:
        me = self.me()
        self.me_label.setText(f"Đang dùng phần mềm: {user_line(me)}.")
        admin = users.can(self.db, me["name"] if me else None, "users")
        for w in self._admin_widgets:
            w.setEnabled(admin)
        self.admin_note.setVisible(not admin)
        self.login_check.setChecked(users.login_required(self.db))
        self.switch_button.setEnabled(users.login_required(self.db))
        self.rows = users.all_users(self.db)
        self.table.setRowCount(len(self.rows))
        for row, user in enumerate(self.rows):
            state = "Đang hoạt động" if user["active"] else "Đã ngừng"
            if user["locked_until"]:
                state += " — bị khóa do nhập sai mật khẩu"
            for col, text in enumerate([user["name"], user["full_name"], user["role_label"],
                                        state]):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self._selection_changed()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        for row, user in enumerate(self.rows):
            if user["name"] == name:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        user = self.selected()
        if user is not None:
            self.role_combo.setCurrentIndex(self.role_combo.findData(user["role"]))
            self.active_button.setText("Ngừng tài khoản" if user["active"]
                                       else "Cho hoạt động lại")

    # -- acting ----------------------------------------------------------------------------

    def _run(self, fn, done_text, *, keep: bool = False) -> None:
        """Run a change; say ``done_text`` in the status bar, or, with ``keep``, on the page
        until the next change (a temporary password must not vanish)."""
        show_message(self.error, "")

        def done(_):
            self.refresh()
            text = done_text() if callable(done_text) else done_text
            if keep:
                show_message(self.error, text, INFO_COLOR)
            self.message.emit(text)

        self.tasks.run(fn, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.refresh()
        report_failure(self, exc, lambda text: show_message(self.error, text))

    def _need_selection(self) -> dict | None:
        user = self.selected()
        if user is None:
            show_message(self.error, "Hãy chọn một người dùng trong bảng.")
        return user

    def add_user(self) -> QDialog:
        self.dialog = UserDialog(self.tasks, self)
        self.dialog.accepted.connect(self.refresh)
        self.dialog.accepted.connect(lambda: self.message.emit("Đã thêm người dùng."))
        self.dialog.open()
        return self.dialog

    def change_my_password(self) -> QDialog | None:
        me = self.me()
        if me is None:
            return None
        self.dialog = ChangePasswordDialog(self.tasks, me["name"], parent=self)
        self.dialog.accepted.connect(lambda: self.message.emit("Đã đổi mật khẩu."))
        self.dialog.open()
        return self.dialog

    def set_role(self) -> None:
        user, role = self._need_selection(), self.role_combo.currentData()
        if user is not None:
            self._run(lambda db: users.set_role(db, None, user["name"], role),
                      f"{user['name']}: vai trò {users.role_label(role)}.")

    def toggle_active(self) -> None:
        user = self._need_selection()
        if user is not None:
            active = not user["active"]
            self._run(lambda db: users.set_active(db, None, user["name"], active),
                      f"Đã {'cho hoạt động lại' if active else 'ngừng'} tài khoản "
                      f"{user['name']}.")

    def unlock(self) -> None:
        user = self._need_selection()
        if user is not None:
            self._run(lambda db: users.unlock(db, None, user["name"]),
                      f"Đã mở khóa tài khoản {user['name']}.")

    def reset_password(self) -> None:
        """A new random password for the selected user, shown once, to be changed at their
        next login."""
        user = self._need_selection()
        if user is None or not ask_to_go_on(
                self, "Đặt lại mật khẩu", f"Đặt lại mật khẩu của {user['full_name']}?",
                "Phần mềm tạo một mật khẩu tạm và hiện ra một lần; người dùng phải đổi mật "
                "khẩu ở lần đăng nhập tới.", "Đặt lại"):
            return
        new: list[str] = []

        def reset(db):
            new.append(users.reset_password(db, None, user["name"]))

        self._run(reset, lambda: f"Mật khẩu tạm của {user['name']}: {new[0]} — hãy ghi lại "
                                 "và trao cho người dùng.", keep=True)

    def set_login_required(self, required: bool) -> None:
        self._run(lambda db: users.set_login_required(db, None, required),
                  "Từ nay phải đăng nhập khi mở phần mềm." if required
                  else "Từ nay không cần đăng nhập khi mở phần mềm.")
