"""The first-start wizard: which unit this installation serves, its first user, demo data,
and where the data and its backups live."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QStackedWidget, QVBoxLayout, QWidget)

from gnapp import demo
from gnapp.db import sites, units, users
from gnapp.domain.errors import GnappError
from gnapp.domain.text import clean
from gnapp.paths import DEFAULT_DB_NAME, save_locations
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import (ERROR_COLOR, SearchComboBox, choose_paths, password_edit,
                              set_tab_order)

ERROR_STYLE = f"color: {ERROR_COLOR};"
STEPS = ["Đơn vị", "Người dùng đầu tiên", "Dữ liệu mẫu và nơi lưu"]


def _page(intro: str) -> tuple[QWidget, QFormLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(intro)
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addSpacing(6)
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.addLayout(form)
    layout.addStretch()
    return page, form


def _folder_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    edit.setReadOnly(True)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row


class FirstStartDialog(QDialog):
    """The first-start wizard, in three steps: the unit (role, province, commune, display
    name); the first user, an administrator (login name, full name, password, or no login on
    a one-user PC); demo data and the data and backup folders.

    The official unit list is loaded (if needed) and read through the task manager. The
    dialog closes only once the site is made (``init_site``, then the login setting and the
    demo data); ``site`` then holds it, and ``db_path`` / ``tasks`` the database it is in
    (another file than the one given when the user chose another data folder: the caller
    takes over that task manager and closes its own). Errors are shown in the dialog, under the form.

    :param tasks: the task manager of the database, or the database's path (the dialog then
        runs its own task manager and closes it when it closes)
    """

    def __init__(self, tasks: TaskManager | str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self._owns_tasks = not isinstance(tasks, TaskManager)
        self.tasks = TaskManager(tasks, self) if self._owns_tasks else tasks
        self.db_path = self._given_path = Path(self.tasks.db_path)
        self.finished.connect(self._close_own_tasks)
        self.site: sites.Site | None = None
        self._province_units: dict[str, dict] = {}
        self._setup()
        self._load_provinces()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        self.setWindowTitle("Thiết lập lần đầu")
        self.setMinimumWidth(600)
        self.step_label = QLabel()
        font = self.step_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.step_label.setFont(font)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._unit_page())
        self.pages.addWidget(self._user_page())
        self.pages.addWidget(self._data_page())

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.back_button = QPushButton("< Quay lại")
        self.next_button = QPushButton("Tiếp theo >")
        self.ok_button = QPushButton("Bắt đầu sử dụng")
        self.cancel_button = QPushButton("Thoát")
        self.next_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for button in (self.back_button, self.next_button, self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

        set_tab_order([self.role_commune, self.role_office, self.province_combo,
                       self.commune_combo, self.display_name_edit,
                       self.login_edit, self.full_name_edit, self.password_edit,
                       self.again_edit, self.no_login_check,
                       self.demo_check, self.data_folder_button, self.backup_folder_button,
                       self.back_button, self.next_button, self.ok_button, self.cancel_button])

        self.role_office.toggled.connect(self._role_changed)
        self.province_combo.currentIndexChanged.connect(self._province_changed)
        self.no_login_check.toggled.connect(self._login_changed)
        self.data_folder_button.clicked.connect(self.choose_data_folder)
        self.backup_folder_button.clicked.connect(self.choose_backup_folder)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.show_step(0)

    def _unit_page(self) -> QWidget:
        page, form = _page("Chọn đơn vị hành chính mà máy tính này phục vụ. Mỗi cơ sở dữ liệu "
                           "chỉ thiết lập một lần; sau đó có thể sao lưu, khôi phục và đồng bộ "
                           "với cơ quan cấp trên.")
        self.role_commune = QRadioButton("Xã, phường, đặc khu")
        self.role_office = QRadioButton("Cơ quan cấp trên (tỉnh)")
        self.role_commune.setChecked(True)
        self.role_group = QButtonGroup(self)
        self.role_group.addButton(self.role_commune)
        self.role_group.addButton(self.role_office)
        role_box = QWidget()
        role_layout = QHBoxLayout(role_box)
        role_layout.setContentsMargins(0, 0, 0, 0)
        role_layout.addWidget(self.role_commune)
        role_layout.addWidget(self.role_office)
        role_layout.addStretch()

        self.province_combo = QComboBox()
        self.province_combo.setMaxVisibleItems(20)
        self.province_combo.setPlaceholderText("Đang nạp danh mục…")
        self.commune_combo = SearchComboBox()
        self.commune_combo.lineEdit().setPlaceholderText("Gõ tên để tìm, ví dụ: tan yen")
        self.display_name_edit = QLineEdit()
        self.display_name_edit.setPlaceholderText("Không bắt buộc; mặc định là tên đơn vị")
        form.addRow("Vai trò:", role_box)
        form.addRow("&Tỉnh, thành phố:", self.province_combo)
        self.commune_label = QLabel("&Xã, phường, đặc khu:")
        self.commune_label.setBuddy(self.commune_combo)
        form.addRow(self.commune_label, self.commune_combo)
        form.addRow("Tên hiển thị:", self.display_name_edit)
        return page

    def _user_page(self) -> QWidget:
        page, form = _page("Người dùng đầu tiên là quản trị: thêm người dùng khác, đặt vai trò "
                           "(cán bộ xã, lãnh đạo xã, cán bộ cấp trên) và đổi cài đặt trong "
                           "mục «Người dùng». Mật khẩu được lưu dạng băm, không ai đọc được.")
        self.login_edit = QLineEdit("admin")
        self.full_name_edit = QLineEdit()
        self.full_name_edit.setPlaceholderText("Ví dụ: Nguyễn Thị Hồng Nhung")
        self.password_edit = password_edit(f"Ít nhất {users.MIN_PASSWORD} ký tự")
        self.again_edit = password_edit()
        self.no_login_check = QCheckBox("Không cần đăng nhập trên máy này (máy một người dùng)")
        form.addRow("Tê&n đăng nhập:", self.login_edit)
        form.addRow("&Họ và tên người sử dụng:", self.full_name_edit)
        form.addRow("&Mật khẩu:", self.password_edit)
        form.addRow("Nhập &lại mật khẩu:", self.again_edit)
        form.addRow("", self.no_login_check)
        return page

    def _data_page(self) -> QWidget:
        page, form = _page("Dữ liệu nằm trong một tệp trên máy này; phần mềm tự sao lưu tệp "
                           "đó (khi mở, trong lúc làm việc và khi đóng). Nên để thư mục sao lưu "
                           "ở ổ đĩa khác hoặc thẻ nhớ nếu có.")
        self.demo_check = QCheckBox("Điền dữ liệu mẫu để tập làm (hộ gia đình giả)")
        self.demo_note = QLabel("Chỉ chọn khi máy dùng để tập huấn: dữ liệu mẫu nằm chung với "
                                "dữ liệu thật và được gửi lên cấp trên trong gói đồng bộ.")
        self.demo_note.setWordWrap(True)
        self.demo_note.setStyleSheet("color: #666;")
        self.data_folder_edit = QLineEdit(str(self.db_path.parent))
        self.data_folder_button = QPushButton("Đổi…")
        self.backup_folder_edit = QLineEdit(str(self.db_path.parent / "backups"))
        self.backup_folder_button = QPushButton("Đổi…")
        form.addRow("", self.demo_check)
        form.addRow("", self.demo_note)
        form.addRow("Thư mục &dữ liệu:", _folder_row(self.data_folder_edit,
                                                     self.data_folder_button))
        form.addRow("Thư mục &sao lưu:", _folder_row(self.backup_folder_edit,
                                                     self.backup_folder_button))
        return page

    def step(self) -> int:
        return self.pages.currentIndex()

    def show_step(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.step_label.setText(f"Bước {index + 1}/{len(STEPS)}: {STEPS[index]}")
        self.back_button.setEnabled(index > 0)
        self.next_button.setVisible(index < len(STEPS) - 1)
        self.ok_button.setVisible(index == len(STEPS) - 1)
        (self.next_button if index < len(STEPS) - 1 else self.ok_button).setDefault(True)
        self._show_message("")
        first = (self.role_commune if not self.role_office.isChecked() else self.role_office,
                 self.full_name_edit if self.login_edit.text() else self.login_edit,
                 self.demo_check)[index]
        first.setFocus()

    def back(self) -> None:
        if self.step() > 0:
            self.show_step(self.step() - 1)

    def next(self) -> None:
        problem = self._problem(self.step())
        if problem is not None:
            self._show_message(problem, error=True)
            return
        self.show_step(self.step() + 1)

    def _close_own_tasks(self) -> None:
        if self._owns_tasks:
            self.tasks.close()

    # -- data ------------------------------------------------------------------------------

    def role(self) -> str:
        return "office" if self.role_office.isChecked() else "commune"

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)

    def _load_provinces(self) -> None:
        """Load the official list into the database if needed, then fill the provinces."""
        self._show_message("Đang nạp danh mục đơn vị hành chính…")

        def load(db):
            units.ensure_official_units(db)
            return units.provinces(db)

        self.tasks.run(load, self._fill_provinces, self._load_failed)

    def _fill_provinces(self, provinces: list[dict]) -> None:
        self._province_units = {p["code"]: p for p in provinces}
        self.province_combo.blockSignals(True)
        self.province_combo.clear()
        for p in provinces:
            self.province_combo.addItem(p["name"], p["code"])
        self.province_combo.setCurrentIndex(-1)
        self.province_combo.setPlaceholderText("Chọn tỉnh, thành phố")
        self.province_combo.blockSignals(False)
        self._show_message("")
        self.next_button.setEnabled(True)
        self._role_changed()

    def _load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, GnappError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message("Không nạp được danh mục đơn vị hành chính.", error=True)
            show_error(self, exc)

    def province_code(self) -> str | None:
        return self.province_combo.currentData()

    def select_province(self, code: str) -> None:
        self.province_combo.setCurrentIndex(self.province_combo.findData(code))

    def _province_changed(self) -> None:
        code = self.province_code()
        self.commune_combo.set_items([])
        if code is None:
            return
        self.commune_combo.lineEdit().setPlaceholderText("Đang nạp danh sách…")

        def fill(communes: list[dict]) -> None:
            if code != self.province_code():      # the user has chosen another province since
                return
            self.commune_combo.set_items((c["code"], c["name"]) for c in communes)
            self.commune_combo.lineEdit().setPlaceholderText("Gõ tên để tìm, ví dụ: tan yen")

        self.tasks.run(lambda db: units.children(db, code, level="commune"), fill,
                       self._load_failed)

    def _role_changed(self) -> None:
        commune = self.role() == "commune"
        self.commune_combo.setEnabled(commune)
        self.commune_label.setEnabled(commune)
        self.demo_check.setEnabled(commune)
        if not commune:
            self.demo_check.setChecked(False)

    def _login_changed(self) -> None:
        placeholder = ("Không bắt buộc" if self.no_login_check.isChecked()
                       else f"Ít nhất {users.MIN_PASSWORD} ký tự")
        self.password_edit.setPlaceholderText(placeholder)

    def _choose_folder(self, edit: QLineEdit, title: str) -> Path | None:
        chosen = choose_paths(self, title, mode=QFileDialog.FileMode.Directory,
                              folder=edit.text())
        if chosen:
            edit.setText(str(chosen[0]))
            return chosen[0]
        return None

    def choose_data_folder(self) -> None:
        before = Path(self.data_folder_edit.text())
        folder = self._choose_folder(self.data_folder_edit, "Chọn thư mục dữ liệu")
        if folder is not None and Path(self.backup_folder_edit.text()) == before / "backups":
            self.backup_folder_edit.setText(str(folder / "backups"))

    def choose_backup_folder(self) -> None:
        self._choose_folder(self.backup_folder_edit, "Chọn thư mục sao lưu")

    def chosen_db_path(self) -> Path:
        """The database file in the chosen data folder (the given one if it was not changed)."""
        folder = Path(self.data_folder_edit.text())
        if folder == self.db_path.parent:
            return self.db_path
        return folder / DEFAULT_DB_NAME

    # -- accept ----------------------------------------------------------------------------

    def _unit_code(self) -> tuple[str | None, str | None]:
        """The chosen unit code, or an error message."""
        province = self.province_code()
        if province is None:
            return None, "Chưa chọn tỉnh, thành phố."
        if self.role() == "office":
            return province, None
        code = self.commune_combo.current_key()
        if code is None:
            if self.commune_combo.currentText().strip():
                return None, (f"Không tìm thấy đúng một xã, phường, đặc khu có tên "
                              f"«{self.commune_combo.currentText().strip()}» trong "
                              f"{self.province_combo.currentText()}; hãy chọn trong danh sách.")
            return None, "Chưa chọn xã, phường, đặc khu."
        return code, None

    def _problem(self, step: int) -> str | None:
        """What is missing or wrong on a step, or None."""
        if step == 0:
            return self._unit_code()[1]
        if step == 1:
            name = clean(self.login_edit.text())
            if not name or any(ch.isspace() for ch in name):
                self.login_edit.setFocus()
                return "Tên đăng nhập cần có và không được có dấu cách."
            if not clean(self.full_name_edit.text()):
                self.full_name_edit.setFocus()
                return "Chưa nhập họ và tên người sử dụng."
            password = self.password_edit.text()
            if password != self.again_edit.text():
                self.again_edit.setFocus()
                return "Hai lần nhập mật khẩu không giống nhau."
            if password and len(password) < users.MIN_PASSWORD:
                self.password_edit.setFocus()
                return f"Mật khẩu cần ít nhất {users.MIN_PASSWORD} ký tự."
            if not password and not self.no_login_check.isChecked():
                self.password_edit.setFocus()
                return ("Chưa đặt mật khẩu. Đặt mật khẩu, hoặc chọn «Không cần đăng nhập trên "
                        "máy này» nếu máy chỉ một người dùng.")
            return None
        path = self.chosen_db_path()
        if path != self.db_path and path.exists():
            return (f"Thư mục {path.parent} đã có tệp dữ liệu {path.name}; hãy chọn thư mục "
                    "khác (phần mềm không ghi đè tệp dữ liệu đã có).")
        return None

    def accept(self) -> None:
        """Overrides QDialog.accept: make the site; close only once it is made."""
        for step in range(len(STEPS)):
            problem = self._problem(step)
            if problem is not None:
                self.show_step(step)
                self._show_message(problem, error=True)
                return
        code, _ = self._unit_code()
        role = self.role()
        display_name = clean(self.display_name_edit.text()) or None
        name, full_name = clean(self.login_edit.text()), clean(self.full_name_edit.text())
        password = self.password_edit.text() or None
        login = not self.no_login_check.isChecked()
        with_demo = self.demo_check.isChecked()
        path = self.chosen_db_path()
        if path != self.db_path:        # another data folder: the site is made there
            if self._owns_tasks:
                self.tasks.close()
            self.tasks = TaskManager(path, self if self._owns_tasks else None)
            self.db_path = path

        def make(db) -> sites.Site:
            site = sites.init_site(db, code, role, display_name=display_name, user=name,
                                   user_full_name=full_name, password=password)
            if login:
                users.set_login_required(db, name, True)
            if with_demo:
                demo.fill(db)
            return site

        self.ok_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self._show_message("Đang tạo dữ liệu mẫu…" if with_demo else "Đang thiết lập…")
        self.tasks.run(make, self._created, self._create_failed)

    def _created(self, site: sites.Site) -> None:
        self.site = site
        moved = self.db_path != self._given_path
        backups = Path(self.backup_folder_edit.text())
        if moved or backups != self.db_path.parent / "backups":
            save_locations(self.db_path, make_default=moved, backups=backups)
        self._show_message(f"Đã thiết lập. Mã nhận dạng khóa: {site.fingerprint}")
        super().accept()

    def _create_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.back_button.setEnabled(True)
        if isinstance(exc, GnappError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message("Không thiết lập được cơ sở dữ liệu.", error=True)
            show_error(self, exc)
