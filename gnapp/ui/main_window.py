"""The main window: navigation between the areas of work, the backup page, the status bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QMainWindow, QPlainTextEdit, QPushButton, QStackedWidget,
                               QTableWidgetItem, QWidget)
from sqlite_utils import Database

from gnapp.db import backup, checks, connection, recovery, settings, sites, units, users
from gnapp.db.store import last_change_seq
from gnapp.domain.cancel import Cancelled
from gnapp.domain.numbers import format_size
from gnapp.ui.format import backup_kind, format_datetime, size_kb, unit_line
from gnapp.ui.allocation_page import AREA_TITLE as ALLOCATION_AREA
from gnapp.ui.allocation_page import AllocationPage
from gnapp.ui.documents_page import AREA_TITLE as DOCUMENTS_AREA
from gnapp.ui.documents_page import DocumentsPage
from gnapp.ui.home_page import AREA_TITLE as HOME_AREA
from gnapp.ui.home_page import HomePage
from gnapp.ui.help import install_help
from gnapp.ui.household_list import HouseholdPage
from gnapp.ui.projects_page import AREA_TITLE as PROJECTS_AREA
from gnapp.ui.projects_page import ProjectsPage
from gnapp.ui.progress_page import AREA_TITLE as PROGRESS_AREA
from gnapp.ui.progress_page import ProgressPage
from gnapp.ui.review_page import AREA_TITLE as REVIEW_AREA
from gnapp.ui.review_page import ReviewPage
from gnapp.ui.reports_page import AREA_TITLE as REPORTS_AREA
from gnapp.ui.reports_page import ReportsPage
from gnapp.ui.sync_page import AREA_TITLE as SYNC_AREA
from gnapp.ui.sync_page import SyncPage
from gnapp.ui.recovery import RestoreConfirmDialog
from gnapp.ui import widgets
from gnapp.ui.tasks import TaskManager, TaskProgress, show_error
from gnapp.ui.ui_state import UiState
from gnapp.ui.trash_page import AREA_TITLE as TRASH_AREA
from gnapp.ui.trash_page import TrashPage
from gnapp.ui.users_page import AREA_TITLE as USERS_AREA
from gnapp.ui.users_page import LoginDialog, UsersPage, user_line
from gnapp.ui.widgets import ERROR_COLOR, ElidedLabel, choose_paths, list_table, page_layout

APP_TITLE = "gnapp – Giảm nghèo bền vững"
DEFAULT_BACKUP_INTERVAL_MIN = 15
START_BACKUP_DELAY_MS = 1500
START_CHECK_DELAY_MS = 800

NOT_YET = "Phiên bản này chưa có phần này."

# What a restore does, said before it is done.
RESTORE_EXPLANATION = (
    "Dữ liệu hiện tại sẽ được sao lưu trước (loại «trước khi khôi phục»), nên không mất "
    "gì. Sau đó toàn bộ dữ liệu được thay bằng bản sao lưu đã chọn; các thay đổi sau "
    "thời điểm sao lưu đó sẽ không còn.\n\n"
    "Sau khi khôi phục, dữ liệu được coi là một bản cài đặt mới (có mã nhận dạng khóa "
    "mới) để không dùng lại số thứ tự các gói đồng bộ đã gửi; cơ quan cấp trên sẽ xác "
    "nhận khóa mới khi nhận gói đồng bộ tiếp theo.")

HOUSEHOLD_AREA = "Hộ gia đình"

# (title, what the area will hold) for the areas not built yet, in navigation order.
COMING_AREAS: list[tuple[str, str]] = []
BACKUP_AREA = "Sao lưu"
AREAS = [HOME_AREA, HOUSEHOLD_AREA, REVIEW_AREA, ALLOCATION_AREA, PROGRESS_AREA] + \
    [title for title, _ in COMING_AREAS] + [BACKUP_AREA]
AREAS.insert(AREAS.index("Đồng bộ") if "Đồng bộ" in AREAS else len(AREAS) - 1, REPORTS_AREA)
AREAS.insert(AREAS.index("Phân bổ vốn") + 1, PROJECTS_AREA)
AREAS.insert(AREAS.index(BACKUP_AREA), SYNC_AREA)
AREAS.insert(AREAS.index(SYNC_AREA), TRASH_AREA)
AREAS.insert(AREAS.index(REPORTS_AREA), DOCUMENTS_AREA)
AREAS.append(USERS_AREA)


@dataclass(frozen=True)
class SiteInfo:
    """What the window shows about this installation (read on the GUI thread)."""

    site: sites.Site
    unit: dict
    parent: dict | None

    @property
    def title(self) -> str:
        return self.unit["name"]

    @property
    def line(self) -> str:
        return unit_line(self.unit, self.parent)


def read_site_info(db: Database) -> SiteInfo:
    site = sites.require_site(db)
    unit = units.get_unit(db, site.unit_code) or {"code": site.unit_code,
                                                   "name": site.display_name, "type": ""}
    parent = units.get_unit(db, unit["parent_code"]) if unit.get("parent_code") else None
    return SiteInfo(site, unit, parent)


def _backup_task(db_path: Path, label: str, backed_up_seq: int | None = None):
    """A task making an automatic backup unless the database has not changed since the
    backup of ``backed_up_seq`` (a change-log seq) or since the newest backup on disk;
    returns (change-log seq at the time, BackupInfo or None when none was needed). Given a
    task's ``progress``, it reports the pages copied."""
    def task(db: Database, progress=None):
        seq = last_change_seq(db)
        if backed_up_seq is not None and seq <= backed_up_seq \
                or backup.up_to_date_backup(db_path) is not None:
            return seq, None
        return seq, backup.make_backup(
            db_path, label=label,
            progress=_pages_progress(progress, "Đang sao lưu…") if progress else None)
    return task


def _pages_progress(progress, text: str):
    """``make_backup``'s progress (pages copied, pages) as a task's progress with ``text``."""
    return lambda done, total: progress(done, total, text)


class ComingAreaPage(QWidget):
    """An area of work that this version does not have yet: what it will hold, honestly."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = page_layout(self, title, bottom=20)
        self.title_label = layout.itemAt(0).widget()
        self.description_label = QLabel(description)
        self.description_label.setWordWrap(True)
        self.description_label.setMaximumWidth(760)
        self.not_yet_label = QLabel(NOT_YET)
        self.not_yet_label.setStyleSheet("color: #666; font-style: italic;")
        layout.addSpacing(8)
        layout.addWidget(self.description_label)
        layout.addSpacing(8)
        layout.addWidget(self.not_yet_label)
        layout.addStretch()


class BackupPage(QWidget):
    """The backups of this database: back up now or to a chosen folder, restore the chosen
    backup or a file, and the data check."""

    COLUMNS = ["Thời gian", "Loại", "Dung lượng (KB)", "Tệp"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = page_layout(self, BACKUP_AREA, bottom=20)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info_label)

        budget_row = QHBoxLayout()
        self.budget_spin = widgets.limit_spin(
            backup.MAX_BUDGET_GB, "GB", "Tự động",
            "Khi các bản sao lưu trong thư mục trên chiếm nhiều hơn mức này, lần sao lưu sau xóa "
            "bớt các bản cũ nhất (luôn giữ 2 bản mới nhất). Để 0: một phần tư ổ đĩa.")
        budget_label = QLabel("&Dung lượng tối đa cho các bản sao lưu:")
        budget_label.setBuddy(self.budget_spin)
        self.usage_label = QLabel()
        for widget in (budget_label, self.budget_spin, self.usage_label):
            budget_row.addWidget(widget)
        budget_row.addStretch()
        layout.addLayout(budget_row)

        buttons = QHBoxLayout()
        self.backup_button = QPushButton("Sao lưu ngay")
        self.backup_to_button = QPushButton("Sao lưu ra thư mục…")
        self.backup_to_button.setToolTip("Ghi một bản sao lưu vào thư mục tự chọn, ví dụ thẻ "
                                         "nhớ USB (các bản ở đó không bị xóa bớt)")
        self.restore_selected_button = QPushButton("Khôi phục bản đã chọn…")
        self.restore_selected_button.setToolTip("Khôi phục bản sao lưu đang chọn trong bảng "
                                                "(hoặc nhấp đúp vào dòng)")
        self.restore_button = QPushButton("Khôi phục từ tệp…")
        self.restore_button.setToolTip("Khôi phục từ một tệp sao lưu ở nơi khác (thẻ nhớ, "
                                       "máy khác)")
        self.check_button = QPushButton("Kiểm tra dữ liệu")
        for button in self._buttons():
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)

        self.table = list_table(self.COLUMNS, stretch=3)
        layout.addWidget(self.table, 3)

        self.check_title = QLabel("Kết quả kiểm tra dữ liệu")
        self.check_title.hide()
        self.check_output = QPlainTextEdit()
        self.check_output.setReadOnly(True)
        self.check_output.setMaximumHeight(140)
        self.check_output.hide()
        layout.addWidget(self.check_title)
        layout.addWidget(self.check_output, 1)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._enabled = True
        self._update_buttons()

    def _buttons(self) -> list[QPushButton]:
        return [self.backup_button, self.backup_to_button, self.restore_selected_button,
                self.restore_button, self.check_button]

    def set_backups(self, backups: list[backup.BackupInfo], budget_gb: int, auto_bytes: int
                    ) -> None:
        """Show the backups, the space set for them (``budget_gb``, 0: ``auto_bytes``) and
        the space they take."""
        self.budget_spin.blockSignals(True)
        self.budget_spin.setSpecialValueText(f"Tự động ({format_size(auto_bytes)})")
        # the spin box sizes itself by its numbers, not by this text
        self.budget_spin.setMinimumWidth(
            self.budget_spin.fontMetrics().horizontalAdvance(self.budget_spin.specialValueText())
            + 40)
        self.budget_spin.setValue(budget_gb)
        self.budget_spin.blockSignals(False)
        self.usage_label.setText(f"đang dùng {format_size(sum(b.size for b in backups))} cho "
                                 f"{len(backups)} bản" if backups else "")
        self.table.setRowCount(len(backups))
        for row, info in enumerate(backups):
            cells = [format_datetime(info.taken_at), backup_kind(info.label), size_kb(info.size),
                     info.path.name]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(str(info.path))
                item.setData(Qt.ItemDataRole.UserRole, str(info.path))
                self.table.setItem(row, col, item)
        self._update_buttons()

    def selected_backup(self) -> Path | None:
        """The backup file of the chosen row, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def set_check_result(self, ok: bool, text: str) -> None:
        self.check_title.show()
        self.check_output.show()
        self.check_output.setStyleSheet("" if ok else f"color: {ERROR_COLOR};")
        self.check_output.setPlainText(text)

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._update_buttons()

    def _update_buttons(self) -> None:
        for button in self._buttons():
            button.setEnabled(self._enabled)
        self.restore_selected_button.setEnabled(self._enabled
                                                and self.selected_backup() is not None)


def describe_check(result: checks.CheckResult) -> str:
    """The data check's result as lines for the user."""
    lines = []
    if result.ok:
        lines.append("Dữ liệu không có lỗi.")
    else:
        lines.append("Phát hiện lỗi trong dữ liệu:")
    if result.integrity != ["ok"]:
        lines += [f"• Tệp dữ liệu bị hỏng: {problem}" for problem in result.integrity]
    lines += [f"• Bảng {fk['table']}, dòng {fk['rowid']}: tham chiếu tới bảng {fk['parent']} "
              f"không tồn tại." for fk in result.foreign_keys]
    for issue in result.issues:
        kind = "Lỗi" if issue.severity == "error" else "Cảnh báo"
        lines.append(f"• {kind}: {issue.message}")
    return "\n".join(lines)


class MainWindow(QMainWindow):
    """The main window of a site's database.

    :param tasks: the task manager of this database; the window takes it over and closes it
        when it closes
    :param auto_backup: back up once after the window is shown, every few minutes of editing
        and on close
    :param full_check: run the full data check in the background once the window is shown
        (default: as ``auto_backup``)
    """

    # emitted on the GUI thread after each backup made from this window
    backup_made = Signal(object)

    def __init__(self, tasks: TaskManager, *, auto_backup: bool = True,
                 full_check: bool | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.tasks.setParent(self)
        self.db_path = tasks.db_path
        self.auto_backup = auto_backup
        self.full_check_on_start = auto_backup if full_check is None else full_check
        self._db: Database | None = None
        self._closed = False
        self.restore_progress: TaskProgress | None = None     # the restore running, if any
        self._started = False
        self._backed_up_seq: int | None = None
        self._closing_backup = False
        self._open_read_connection()
        self.info = read_site_info(self._db)
        self._setup()
        self._refresh()
        self.ui_state = UiState(self.db_path)
        self.restore_ui_state()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        self.resize(1100, 700)
        self.nav = QListWidget()
        self.nav.addItems(AREAS)
        self.nav.setMinimumWidth(170)
        self.nav.setMaximumWidth(240)
        nav_font = self.nav.font()
        nav_font.setPointSizeF(nav_font.pointSizeF() * 1.1)
        self.nav.setFont(nav_font)
        self.nav.setStyleSheet("QListWidget::item { padding: 6px 8px; }")

        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.household_page = HouseholdPage(self._db, self.tasks)
        self.pages[HOUSEHOLD_AREA] = self.household_page
        self.stack.addWidget(self.household_page)
        self.review_page = ReviewPage(self._db, self.tasks)
        self.pages[REVIEW_AREA] = self.review_page
        self.stack.addWidget(self.review_page)
        self.allocation_page = AllocationPage(self._db, self.tasks)
        self.pages[ALLOCATION_AREA] = self.allocation_page
        self.stack.addWidget(self.allocation_page)
        for title, description in COMING_AREAS:
            page = ComingAreaPage(title, description)
            self.pages[title] = page
            self.stack.addWidget(page)
        self.backup_page = BackupPage()
        self.pages[BACKUP_AREA] = self.backup_page
        self.stack.addWidget(self.backup_page)
        self.trash_page = TrashPage(self._db, self.tasks)
        self.pages[TRASH_AREA] = self.trash_page
        self.stack.insertWidget(AREAS.index(TRASH_AREA), self.trash_page)
        self.users_page = UsersPage(self._db, self.tasks)
        self.pages[USERS_AREA] = self.users_page
        self.stack.insertWidget(AREAS.index(USERS_AREA), self.users_page)
        self.reports_page = ReportsPage(self._db, self.tasks)
        self.pages[REPORTS_AREA] = self.reports_page
        self.stack.insertWidget(AREAS.index(REPORTS_AREA), self.reports_page)
        self.documents_page = DocumentsPage(self._db, self.tasks)
        self.pages[DOCUMENTS_AREA] = self.documents_page
        self.stack.insertWidget(AREAS.index(DOCUMENTS_AREA), self.documents_page)
        self.projects_page = ProjectsPage(self._db, self.tasks)
        self.pages[PROJECTS_AREA] = self.projects_page
        self.stack.insertWidget(AREAS.index(PROJECTS_AREA), self.projects_page)
        self.sync_page = SyncPage(self._db, self.tasks)
        self.pages[SYNC_AREA] = self.sync_page
        self.stack.insertWidget(AREAS.index(SYNC_AREA), self.sync_page)
        self.home_page = HomePage(self._db, self.tasks)
        self.pages[HOME_AREA] = self.home_page
        self.stack.insertWidget(AREAS.index(HOME_AREA), self.home_page)
        self.progress_page = ProgressPage(self._db, self.tasks)
        self.pages[PROGRESS_AREA] = self.progress_page
        self.stack.insertWidget(AREAS.index(PROGRESS_AREA), self.progress_page)
        for index, title in enumerate(AREAS):      # the stack follows the navigation's order
            page = self.pages[title]
            if self.stack.indexOf(page) != index:
                self.stack.removeWidget(page)
                self.stack.insertWidget(index, page)

        splitter = widgets.split_panes((self.nav, 0), (self.stack, 1), sizes=[200, 900])
        self.splitter = splitter
        central = QWidget()
        central_layout = QHBoxLayout(central)
        central_layout.setContentsMargins(6, 6, 6, 0)
        central_layout.addWidget(splitter)
        self.setCentralWidget(central)

        status = self.statusBar()
        self.unit_status = QLabel()
        # elided: a long path would leave no room for the messages at the left
        self.path_status = ElidedLabel(180)
        self.backup_status = QLabel()
        self.user_status = QLabel()
        self.check_status = QLabel()
        self.check_status.setStyleSheet(f"color: {ERROR_COLOR};")
        self.check_status.hide()
        status.addWidget(self.check_status)
        for label in (self.user_status, self.unit_status, self.path_status, self.backup_status):
            label.setContentsMargins(6, 0, 6, 0)
            status.addPermanentWidget(label)

        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.backup_page.backup_button.clicked.connect(self.backup_now)
        self.backup_page.restore_button.clicked.connect(self.restore_from_file)
        self.backup_page.backup_to_button.clicked.connect(self.backup_to_folder)
        self.backup_page.restore_selected_button.clicked.connect(self.restore_selected)
        self.backup_page.table.doubleClicked.connect(
            lambda index: (self.backup_page.table.selectRow(index.row()),
                           self.restore_selected()))
        self.trash_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.users_page.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.users_page.message.connect(lambda _: self._show_user())
        self.users_page.switch_button.clicked.connect(self.switch_user)
        self.trash_page.data_changed.connect(lambda: self.household_page.refresh())
        self.backup_page.check_button.clicked.connect(self.check_data)
        self.backup_page.budget_spin.valueChanged.connect(self.set_backup_budget)
        self.household_page.message.connect(
            lambda text: self.statusBar().showMessage(text, 8000))
        self.review_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.allocation_page.message.connect(
            lambda text: self.statusBar().showMessage(text, 8000))
        self.reports_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.documents_page.message.connect(
            lambda text: self.statusBar().showMessage(text, 8000))
        self.projects_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.sync_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.progress_page.message.connect(
            lambda text: self.statusBar().showMessage(text, 8000))
        self.home_page.period_requested.connect(self.open_period)
        self.home_page.rollup_requested.connect(self.open_rollup)
        self.home_page.households_requested.connect(self.open_households)
        self.home_page.review_requested.connect(self.open_village_review)
        self.home_page.area_requested.connect(self.show_area)
        self.sync_page.data_changed.connect(lambda: self.household_page.review_changed())
        self.household_page.household_saved.connect(lambda *_: self.review_page.refresh())
        self.review_page.review_saved.connect(lambda *_: self.household_page.review_changed())
        self.household_page.review_requested.connect(self.open_review)
        self.tasks.busy_changed.connect(self._busy_changed)

        self._auto_timer = QTimer(self)
        self._auto_timer.setInterval(self.backup_interval_minutes() * 60_000)
        self._auto_timer.timeout.connect(self.backup_if_changed)
        install_help(self)
        self._install_area_shortcuts()

    def _install_area_shortcuts(self) -> None:
        """Ctrl+1 … Ctrl+9 (then Ctrl+0) go to the areas in navigation order; F5 shows the
        current area's data afresh."""
        window = Qt.ShortcutContext.WindowShortcut
        for row in range(min(self.nav.count(), 10)):
            keys = f"Ctrl+{(row + 1) % 10}"
            widgets.add_shortcut(self, keys, lambda row=row: self.nav.setCurrentRow(row),
                                 context=window)
            item = self.nav.item(row)
            item.setToolTip(f"{item.text()} ({widgets.key_text(keys)})")
        widgets.add_shortcut(self, "F5", self.refresh_current_area, context=window)

    def refresh_current_area(self) -> None:
        """"F5": read the current area's data again (not over unsaved changes)."""
        page = self.stack.currentWidget()
        if page is self.backup_page:
            self.refresh_backups()
        elif page is not None and getattr(page, "unsaved_changes", lambda: [])():
            self.statusBar().showMessage("Còn thay đổi chưa lưu: hãy lưu trước khi làm mới.",
                                         8000)
            return
        else:
            for name in ("refresh", "reload"):
                method = getattr(page, name, None)
                if callable(method):
                    method()
                    break
        self.statusBar().showMessage("Đã làm mới.", 3000)

    def show_area(self, title: str) -> None:
        self.nav.setCurrentRow(AREAS.index(title))

    def open_period(self, period_id: str) -> None:
        """Go to "Tiến độ" on a report period (the home screen's links)."""
        self.show_area(PROGRESS_AREA)
        self.progress_page.select_period(period_id)

    def open_rollup(self, kind: str, year: int) -> None:
        """Go to "Tiến độ", "Tổng hợp" of a period (an office's home screen)."""
        self.show_area(PROGRESS_AREA)
        self.progress_page.show_rollup(kind, year)

    def open_households(self, wanted: dict) -> None:
        """Go to "Hộ gia đình" showing the households a home screen figure counts
        (``village_id``, ``klass``, ``review_state`` in the current round)."""
        self.show_area(HOUSEHOLD_AREA)
        self.household_page.show_filter(**wanted)

    def open_village_review(self, village_id: str) -> None:
        """Go to "Rà soát" on the current round, on a village ("": the whole commune)."""
        self.show_area(REVIEW_AREA)
        self.review_page.select_village(village_id or None)

    def open_review(self, household_id: str, round_id: str) -> None:
        """Go to "Rà soát", choose the round and open the household's review form."""
        self.show_area(REVIEW_AREA)
        self.review_page.reload_rounds(select=round_id)
        self.review_page.open_form(household_id)

    # -- reading (GUI thread, own connection) ----------------------------------------------

    def _pages_reading(self) -> list[QWidget]:
        """The pages that read through the window's connection (they have ``set_db``)."""
        return [page for page in getattr(self, "pages", {}).values() if hasattr(page, "set_db")]

    def _open_read_connection(self) -> None:
        self._db = connection.connect(self.db_path, migrate=False)
        for page in self._pages_reading():
            page.set_db(self._db)

    def _close_read_connection(self) -> None:
        for page in self._pages_reading():
            page.set_db(None)
        if self._db is not None:
            self._db.close()
            self._db = None

    def backup_interval_minutes(self) -> int:
        value = settings.get(self._db, settings.BACKUP_INTERVAL_MINUTES) if self._db is not None else None
        try:
            minutes = int(value) if value is not None else DEFAULT_BACKUP_INTERVAL_MIN
        except ValueError:
            minutes = DEFAULT_BACKUP_INTERVAL_MIN
        return minutes if minutes > 0 else DEFAULT_BACKUP_INTERVAL_MIN

    def _refresh(self) -> None:
        """Show the site, the database path and the backups as they are now."""
        self.setWindowTitle(f"{APP_TITLE} – {self.info.title}")
        self.unit_status.setText(self.info.line)
        self.path_status.setText(str(self.db_path))
        self.path_status.setToolTip(f"Tệp cơ sở dữ liệu: {self.db_path}")
        self._show_user()
        self.sync_page.refresh()
        self.refresh_backups()

    def _show_user(self) -> None:
        self.user_status.setText(user_line(self.users_page.me()))
        self.user_status.setToolTip("Người đang dùng phần mềm (mọi thay đổi ghi tên người này)")

    def switch_user(self) -> LoginDialog:
        """Log in as another user (the window stays open; an unsuccessful try changes
        nothing, a cancelled one keeps the user logged in before)."""
        before = users.session_user()
        names = [u["name"] for u in users.all_users(self._db) if u["active"]]
        dialog = LoginDialog(self.tasks, names, self.info.line, self)

        def finished(result: int) -> None:
            if result != LoginDialog.DialogCode.Accepted:
                users.set_session(before)
            self.users_page.refresh()
            self._show_user()

        dialog.finished.connect(finished)
        dialog.open()
        self.login_dialog = dialog
        return dialog

    def refresh_backups(self) -> None:
        folder = backup.backup_dir(self.db_path)
        backups = backup.list_backups(folder, self.db_path.stem)
        self.backup_page.set_backups(
            backups, backup.budget_gb(self._db) if self._db is not None else 0,
            backup.budget_bytes(0, folder))
        self.backup_page.info_label.setText(
            f"Các bản sao lưu được lưu trong thư mục {folder}. Phần mềm tự sao lưu khi mở, khi "
            f"đóng và sau mỗi {self.backup_interval_minutes()} phút nếu dữ liệu đã thay đổi kể "
            f"từ bản sao lưu mới nhất; các bản cũ được xóa bớt theo ngày, tuần, tháng và khi "
            f"chúng chiếm quá dung lượng đặt dưới đây.")
        if backups:
            self.backup_status.setText(f"Sao lưu lần cuối: {format_datetime(backups[0].taken_at)}")
        else:
            self.backup_status.setText("Chưa sao lưu")

    # -- backups ---------------------------------------------------------------------------

    def _backup_done(self, result) -> None:
        seq, info = result
        self._backed_up_seq = seq       # in a backup, new or already made
        if info is None:
            return
        self.refresh_backups()
        self.statusBar().showMessage(f"Đã sao lưu: {info.path.name}", 8000)
        self.backup_made.emit(info)

    def set_backup_budget(self, gb: int) -> None:
        """The space for backups changed: remember it (in the worker); the next backup's
        rotation applies it."""
        if self._db is None or gb == backup.budget_gb(self._db):
            return
        self.tasks.run(lambda db: backup.set_budget_gb(db, gb),
                       lambda _r: (self.statusBar().showMessage(
                           "Đã nhớ dung lượng tối đa cho sao lưu: "
                           + self.backup_page.budget_spin.text(), 8000), self.refresh_backups()),
                       self._task_failed)

    def backup_now(self) -> None:
        """Make a manual backup in the worker."""
        self.statusBar().showMessage("Đang sao lưu…")
        db_path = self.db_path

        def task(db: Database, progress):
            return last_change_seq(db), backup.make_backup(
                db_path, label="manual", progress=_pages_progress(progress, "Đang sao lưu…"))

        self.tasks.run_with_progress(task, self._backup_done, self._task_failed, parent=self,
                                     label="Sao lưu dữ liệu")

    def ask_backup_folder(self) -> Path | None:
        """Ask for the folder (a USB stick …) to write a backup to."""
        chosen = choose_paths(self, "Chọn thư mục để lưu bản sao lưu (ví dụ thẻ nhớ USB)",
                              mode=QFileDialog.FileMode.Directory)
        return chosen[0] if chosen else None

    def backup_to_folder(self) -> None:
        """Write a backup to a folder the user chooses; the copies there are all kept."""
        folder = self.ask_backup_folder()
        if folder is None:
            return
        self.statusBar().showMessage(f"Đang sao lưu ra {folder}…")
        db_path = self.db_path

        def done(info: backup.BackupInfo) -> None:
            self.statusBar().showMessage(f"Đã sao lưu ra {info.path}", 15000)
            self.backup_made.emit(info)

        self.tasks.run_with_progress(
            lambda db, progress: backup.make_backup(
                db_path, folder=folder, rule=None,
                progress=_pages_progress(progress, f"Đang sao lưu ra {folder}…")),
            done, self._task_failed, parent=self, label="Sao lưu ra thư mục")

    def backup_if_changed(self) -> None:
        """Make an automatic backup if the change log has grown since the last backup."""
        if self._closed:
            return
        self.tasks.run(_backup_task(self.db_path, "auto", self._backed_up_seq),
                       self._backup_done, self._task_failed)

    def _backup_on_start(self) -> None:
        if self._closed:
            return
        self.tasks.run(_backup_task(self.db_path, "start"), self._backup_done,
                       self._task_failed)
        self._auto_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: the start backup, once, after the first show."""
        super().showEvent(event)
        if not self._started:
            self._started = True
            if self.full_check_on_start:
                QTimer.singleShot(START_CHECK_DELAY_MS, self.start_full_check)
            if self.auto_backup:
                QTimer.singleShot(START_BACKUP_DELAY_MS, self._backup_on_start)

    # -- remembered layout and filters (per PC and database file: ``gnapp.ui.ui_state``) --

    STATE_PAGES = ("household_page", "review_page", "reports_page")

    def save_ui_state(self) -> None:
        """Remember the window's size and place, the navigation's width and the filters."""
        state = self.ui_state
        state.save_geometry("window/geometry", self)
        state.set_bytes("window/state", self.saveState())
        state.save_splitter("window/splitter", self.splitter)
        for name in self.STATE_PAGES:
            getattr(self, name).save_state(state)
        state.sync()

    def restore_ui_state(self) -> None:
        """Put back what ``save_ui_state`` remembered; what no longer fits is ignored."""
        state = self.ui_state
        state.restore_geometry("window/geometry", self)
        window_state = state.get_bytes("window/state")
        if window_state is not None:
            self.restoreState(window_state)
        state.restore_splitter("window/splitter", self.splitter)
        for name in self.STATE_PAGES:
            getattr(self, name).restore_state(state)

    def unsaved_changes(self) -> list[str]:
        """What the open forms and areas hold typed but not saved (each one line)."""
        found: list[str] = []
        for child in self.findChildren(QObject):
            describe = getattr(child, "unsaved_changes", None)
            if callable(describe):
                found += describe()
        return found

    def confirm_close_unsaved(self, unsaved: list[str]) -> bool:
        """Ask before closing the program over unsaved changes ("Hủy" goes back)."""
        listed = "\n".join(f"• {line}" for line in unsaved)
        return widgets.ask_unsaved(
            self, "Còn thay đổi chưa lưu. Đóng phần mềm và bỏ các thay đổi này?",
            f"{listed}\n\nBấm «Hủy» để quay lại và lưu.", can_save=False,
            discard_text="Đóng, không lưu") == widgets.DISCARD

    def closeEvent(self, event: QCloseEvent) -> None:
        """Overrides QWidget.closeEvent: the unsaved-changes guard, the exit backup (waited
        for, with its progress: at an office it copies gigabytes; «Hủy» closes without
        it), then close the worker."""
        if self._closing_backup:        # asked again while the exit backup runs
            event.ignore()
            return
        if self._closed:
            event.accept()
            return
        unsaved = self.unsaved_changes()
        if unsaved and not self.confirm_close_unsaved(unsaved):
            event.ignore()
            return
        self.save_ui_state()
        self._closed = True
        self._auto_timer.stop()
        if self.auto_backup:
            self.statusBar().showMessage("Đang sao lưu trước khi đóng…")
            self._closing_backup = True
            try:
                self.tasks.wait_with_progress(
                    _backup_task(self.db_path, "exit", self._backed_up_seq), parent=self,
                    label="Sao lưu trước khi đóng (bấm «Hủy» để đóng ngay, không sao lưu)",
                    without_db=False)
            except Cancelled:
                pass
            except Exception as exc:       # never keep the window open because of it
                show_error(self, exc)
            finally:
                self._closing_backup = False
        self.tasks.close(wait=True)
        self._close_read_connection()
        event.accept()

    # -- restore ---------------------------------------------------------------------------

    def ask_restore_file(self) -> Path | None:
        """Ask which backup to restore (a file dialog)."""
        chosen = choose_paths(self, "Chọn bản sao lưu để khôi phục",
                              mode=QFileDialog.FileMode.ExistingFile,
                              folder=str(backup.backup_dir(self.db_path)),
                              filters=f"Bản sao lưu gnapp (*{backup.BACKUP_SUFFIX});;"
                                      "Tất cả các tệp (*)")
        return chosen[0] if chosen else None

    def confirm_restore(self, file: Path) -> bool:
        """Show the backup's date and contents, explain what a restore does, ask to go on."""
        try:
            found = backup.summary(file)
        except backup.BackupError as exc:
            show_error(self, exc)
            return False
        dialog = RestoreConfirmDialog(file, found, RESTORE_EXPLANATION, self)
        self.restore_dialog = dialog
        return dialog.exec() == RestoreConfirmDialog.DialogCode.Accepted

    def restore_selected(self) -> None:
        """Restore the backup chosen in the table, after showing what it holds."""
        file = self.backup_page.selected_backup()
        if file is None or self.tasks.busy:
            return
        if self.confirm_restore(file):
            self.restore(file)

    def restore_from_file(self) -> None:
        file = self.ask_restore_file()
        if file is None or not self.confirm_restore(file):
            return
        self.restore(file)

    def restore(self, file: Path) -> None:
        """Restore ``file`` over this database in the worker, with both connections closed."""
        self.statusBar().showMessage("Đang khôi phục…")
        self._auto_timer.stop()
        self._close_read_connection()
        db_path = self.db_path

        def done(site: sites.Site) -> None:
            self._reopen()
            self._backed_up_seq = None
            self.statusBar().showMessage(
                f"Đã khôi phục từ {file.name}. Mã nhận dạng khóa mới: {site.fingerprint}", 15000)

        def failed(exc: BaseException) -> None:
            self._reopen()
            if isinstance(exc, Cancelled):
                self.statusBar().showMessage("Đã hủy khôi phục; dữ liệu vẫn như trước.", 15000)
                return
            self._task_failed(exc)

        self.restore_progress = self.tasks.run_with_progress(
            lambda progress: backup.restore(file, db_path, progress),
            done, failed, parent=self, without_db=True, label=f"Khôi phục từ {file.name}")

    def _reopen(self) -> None:
        self._open_read_connection()
        self.info = read_site_info(self._db)
        self._refresh()
        if self.auto_backup and not self._closed:
            self._auto_timer.start()

    # -- data check ------------------------------------------------------------------------

    def check_data(self) -> None:
        """Run the data check in the worker and show its result on the backup page."""
        self.statusBar().showMessage("Đang kiểm tra dữ liệu…")

        def done(result: checks.CheckResult) -> None:
            self.backup_page.set_check_result(result.ok, describe_check(result))
            self.statusBar().showMessage("Đã kiểm tra dữ liệu.", 5000)

        self.tasks.run(checks.check, done, self._task_failed)

    def start_full_check(self) -> None:
        """The full data check in the background (after the start's quick check): problems
        show in the status bar and on the backup page."""
        if self._closed or self.tasks.closed:
            return

        def done(result: checks.CheckResult) -> None:
            if result.ok:
                self.check_status.hide()
                self.statusBar().showMessage("Kiểm tra dữ liệu khi mở: không có lỗi.", 5000)
                return
            self.backup_page.set_check_result(False, describe_check(result))
            self.check_status.setText("Dữ liệu có lỗi: xem trang «Sao lưu»")
            self.check_status.show()

        def failed(exc: BaseException) -> None:
            self.backup_page.set_check_result(False, f"Không kiểm tra được dữ liệu: {exc}")
            self.check_status.setText("Không kiểm tra được dữ liệu: xem trang «Sao lưu»")
            self.check_status.show()

        # beside the worker: on a province office's file it reads for minutes
        self.tasks.run_in_background(recovery.full_check, done, failed)

    # -- common ----------------------------------------------------------------------------

    def _task_failed(self, exc: BaseException) -> None:
        self.statusBar().clearMessage()
        show_error(self, exc)

    def _busy_changed(self, busy: bool) -> None:
        self.backup_page.set_enabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()
