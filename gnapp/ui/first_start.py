"""The first-start dialog: which unit this installation serves, and who uses it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout,
                               QWidget)

from gnapp.db import sites, units
from gnapp.domain.errors import GnappError
from gnapp.domain.text import clean
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import ERROR_COLOR, SearchComboBox, set_tab_order

ERROR_STYLE = f"color: {ERROR_COLOR};"


class FirstStartDialog(QDialog):
    """Makes a fresh database a site: role, province, commune, display name, user's name.

    The official unit list is loaded (if needed) and read through the task manager; the
    dialog closes only once ``init_site`` has succeeded, and ``site`` then holds the new site.
    Errors are shown in the dialog, under the form.

    :param tasks: the task manager of the database, or the database's path (the dialog then
        runs its own task manager and closes it when it closes)
    """

    def __init__(self, tasks: TaskManager | str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self._owns_tasks = not isinstance(tasks, TaskManager)
        self.tasks = TaskManager(tasks, self) if self._owns_tasks else tasks
        self.finished.connect(self._close_own_tasks)
        self.site: sites.Site | None = None
        self._province_units: dict[str, dict] = {}
        self._setup()
        self._load_provinces()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        self.setWindowTitle("Thiết lập lần đầu")
        self.setMinimumWidth(560)

        intro = QLabel("Chọn đơn vị hành chính mà máy tính này phục vụ. Mỗi cơ sở dữ liệu "
                       "chỉ thiết lập một lần; sau đó có thể sao lưu, khôi phục và đồng bộ với "
                       "cơ quan cấp trên.")
        intro.setWordWrap(True)

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
        self.full_name_edit = QLineEdit()
        self.full_name_edit.setPlaceholderText("Ví dụ: Nguyễn Thị Hồng Nhung")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Vai trò:", role_box)
        form.addRow("&Tỉnh, thành phố:", self.province_combo)
        self.commune_label = QLabel("&Xã, phường, đặc khu:")
        self.commune_label.setBuddy(self.commune_combo)
        form.addRow(self.commune_label, self.commune_combo)
        form.addRow("Tên hiển thị:", self.display_name_edit)
        form.addRow("&Họ và tên người sử dụng:", self.full_name_edit)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("Bắt đầu sử dụng",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addStretch()
        layout.addWidget(self.buttons)

        set_tab_order([self.role_commune, self.role_office, self.province_combo,
                       self.commune_combo, self.display_name_edit, self.full_name_edit,
                       self.ok_button, self.cancel_button])

        self.role_office.toggled.connect(self._role_changed)
        self.province_combo.currentIndexChanged.connect(self._province_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

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
        self.ok_button.setEnabled(True)
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

    def accept(self) -> None:
        """Overrides QDialog.accept: create the site; close only once it is created."""
        code, problem = self._unit_code()
        full_name = clean(self.full_name_edit.text())
        if problem is None and not full_name:
            problem = "Chưa nhập họ và tên người sử dụng."
            self.full_name_edit.setFocus()
        if problem is not None:
            self._show_message(problem, error=True)
            return
        role = self.role()
        display_name = clean(self.display_name_edit.text()) or None
        self.ok_button.setEnabled(False)
        self._show_message("Đang thiết lập…")
        self.tasks.run(
            lambda db: sites.init_site(db, code, role, display_name=display_name,
                                       user_full_name=full_name),
            self._created, self._create_failed)

    def _created(self, site: sites.Site) -> None:
        self.site = site
        self._show_message(f"Đã thiết lập. Mã nhận dạng khóa: {site.fingerprint}")
        super().accept()

    def _create_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, GnappError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message("Không thiết lập được cơ sở dữ liệu.", error=True)
            show_error(self, exc)
