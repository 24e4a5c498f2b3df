"""The main window: navigation between the areas of work, the backup page, the status bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QMainWindow, QPlainTextEdit, QPushButton, QSplitter, QStackedWidget,
                               QTableWidgetItem, QWidget)
from sqlite_utils import Database

from gnapp.db import backup, checks, connection, settings, sites, units
from gnapp.db.store import last_change_seq
from gnapp.ui.format import backup_kind, format_datetime, size_kb, unit_line
from gnapp.ui.allocation_page import AREA_TITLE as ALLOCATION_AREA
from gnapp.ui.allocation_page import AllocationPage
from gnapp.ui.documents_page import AREA_TITLE as DOCUMENTS_AREA
from gnapp.ui.documents_page import DocumentsPage
from gnapp.ui.home_page import AREA_TITLE as HOME_AREA
from gnapp.ui.home_page import HomePage
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
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import ERROR_COLOR, ask_to_go_on, choose_paths, list_table, page_layout

APP_TITLE = "gnapp – Giảm nghèo bền vững"
DEFAULT_BACKUP_INTERVAL_MIN = 15
START_BACKUP_DELAY_MS = 1500

NOT_YET = "Phiên bản này chưa có phần này."

HOUSEHOLD_AREA = "Hộ gia đình"

# (title, what the area will hold) for the areas not built yet, in navigation order.
COMING_AREAS: list[tuple[str, str]] = []
BACKUP_AREA = "Sao lưu"
AREAS = [HOME_AREA, HOUSEHOLD_AREA, REVIEW_AREA, ALLOCATION_AREA, PROGRESS_AREA] + \
    [title for title, _ in COMING_AREAS] + [BACKUP_AREA]
AREAS.insert(AREAS.index("Đồng bộ") if "Đồng bộ" in AREAS else len(AREAS) - 1, REPORTS_AREA)
AREAS.insert(AREAS.index("Phân bổ vốn") + 1, PROJECTS_AREA)
AREAS.insert(AREAS.index(BACKUP_AREA), SYNC_AREA)
AREAS.insert(AREAS.index(REPORTS_AREA), DOCUMENTS_AREA)


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


def _backup_task(db_path: Path, label: str, only_if_changed_since: int | None = None):
    """A task making a backup; returns (change-log seq at the time, BackupInfo or None)."""
    def task(db: Database):
        seq = last_change_seq(db)
        if only_if_changed_since is not None and seq <= only_if_changed_since:
            return seq, None
        return seq, backup.make_backup(db_path, label=label)
    return task


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
    """The backups of this database, with backup now, restore and the data check."""

    COLUMNS = ["Thời gian", "Loại", "Dung lượng (KB)", "Tệp"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = page_layout(self, BACKUP_AREA, bottom=20)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info_label)

        buttons = QHBoxLayout()
        self.backup_button = QPushButton("Sao lưu ngay")
        self.restore_button = QPushButton("Khôi phục…")
        self.check_button = QPushButton("Kiểm tra dữ liệu")
        for button in (self.backup_button, self.restore_button, self.check_button):
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

    def set_backups(self, backups: list[backup.BackupInfo]) -> None:
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

    def set_check_result(self, ok: bool, text: str) -> None:
        self.check_title.show()
        self.check_output.show()
        self.check_output.setStyleSheet("" if ok else f"color: {ERROR_COLOR};")
        self.check_output.setPlainText(text)

    def set_enabled(self, enabled: bool) -> None:
        for button in (self.backup_button, self.restore_button, self.check_button):
            button.setEnabled(enabled)


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
    """

    # emitted on the GUI thread after each backup made from this window
    backup_made = Signal(object)

    def __init__(self, tasks: TaskManager, *, auto_backup: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.tasks.setParent(self)
        self.db_path = tasks.db_path
        self.auto_backup = auto_backup
        self._db: Database | None = None
        self._closed = False
        self._started = False
        self._backed_up_seq: int | None = None
        self._open_read_connection()
        self.info = read_site_info(self._db)
        self._setup()
        self._refresh()

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

        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 900])
        splitter.setChildrenCollapsible(False)
        central = QWidget()
        central_layout = QHBoxLayout(central)
        central_layout.setContentsMargins(6, 6, 6, 0)
        central_layout.addWidget(splitter)
        self.setCentralWidget(central)

        status = self.statusBar()
        self.unit_status = QLabel()
        self.path_status = QLabel()
        self.backup_status = QLabel()
        for label in (self.unit_status, self.path_status, self.backup_status):
            label.setContentsMargins(6, 0, 6, 0)
            status.addPermanentWidget(label)

        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.backup_page.backup_button.clicked.connect(self.backup_now)
        self.backup_page.restore_button.clicked.connect(self.restore_from_file)
        self.backup_page.check_button.clicked.connect(self.check_data)
        self.household_page.household_saved.connect(
            lambda _id, code: self.statusBar().showMessage(f"Đã lưu hộ {code}.", 8000))
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

    def _open_read_connection(self) -> None:
        self._db = connection.connect(self.db_path, migrate=False)
        if hasattr(self, "household_page"):
            self.household_page.set_db(self._db)
            self.review_page.set_db(self._db)
            self.allocation_page.set_db(self._db)
            self.reports_page.set_db(self._db)
            self.documents_page.set_db(self._db)
            self.projects_page.set_db(self._db)
            self.sync_page.set_db(self._db)
            self.home_page.set_db(self._db)
            self.progress_page.set_db(self._db)

    def _close_read_connection(self) -> None:
        if hasattr(self, "household_page"):
            self.household_page.set_db(None)
            self.review_page.set_db(None)
            self.allocation_page.set_db(None)
            self.reports_page.set_db(None)
            self.documents_page.set_db(None)
            self.projects_page.set_db(None)
            self.sync_page.set_db(None)
            self.home_page.set_db(None)
            self.progress_page.set_db(None)
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
        self.path_status.setToolTip("Tệp cơ sở dữ liệu")
        self.sync_page.refresh()
        self.refresh_backups()

    def refresh_backups(self) -> None:
        folder = backup.backup_dir(self.db_path)
        backups = backup.list_backups(folder, self.db_path.stem)
        self.backup_page.set_backups(backups)
        self.backup_page.info_label.setText(
            f"Các bản sao lưu được lưu trong thư mục {folder}. Phần mềm tự sao lưu khi mở, khi "
            f"đóng và sau mỗi {self.backup_interval_minutes()} phút nếu dữ liệu có thay đổi; "
            f"các bản cũ được xóa bớt theo ngày, tuần, tháng.")
        if backups:
            self.backup_status.setText(f"Sao lưu lần cuối: {format_datetime(backups[0].taken_at)}")
        else:
            self.backup_status.setText("Chưa sao lưu")

    # -- backups ---------------------------------------------------------------------------

    def _backup_done(self, result) -> None:
        seq, info = result
        if info is None:
            return
        self._backed_up_seq = seq
        self.refresh_backups()
        self.statusBar().showMessage(f"Đã sao lưu: {info.path.name}", 8000)
        self.backup_made.emit(info)

    def backup_now(self) -> None:
        """Make a manual backup in the worker."""
        self.statusBar().showMessage("Đang sao lưu…")
        self.tasks.run(_backup_task(self.db_path, "manual"), self._backup_done,
                       self._task_failed)

    def backup_if_changed(self) -> None:
        """Make an automatic backup if the change log has grown since the last backup."""
        if self._closed:
            return
        self.tasks.run(_backup_task(self.db_path, "auto", self._backed_up_seq or 0),
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
            if self.auto_backup:
                QTimer.singleShot(START_BACKUP_DELAY_MS, self._backup_on_start)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Overrides QWidget.closeEvent: the exit backup (waited for), then close the worker."""
        if self._closed:
            event.accept()
            return
        self._closed = True
        self._auto_timer.stop()
        if self.auto_backup:
            self.statusBar().showMessage("Đang sao lưu trước khi đóng…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.tasks.call(_backup_task(self.db_path, "exit"))
            except Exception as exc:       # never keep the window open because of it
                QApplication.restoreOverrideCursor()
                show_error(self, exc)
            else:
                QApplication.restoreOverrideCursor()
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
        """Explain what a restore does and ask to go on."""
        return ask_to_go_on(
            self, "Khôi phục dữ liệu", f"Khôi phục dữ liệu từ bản sao lưu {file.name}?",
            "Dữ liệu hiện tại sẽ được sao lưu trước (loại «trước khi khôi phục»), nên không mất "
            "gì. Sau đó toàn bộ dữ liệu được thay bằng bản sao lưu đã chọn; các thay đổi sau "
            "thời điểm sao lưu đó sẽ không còn.\n\n"
            "Sau khi khôi phục, dữ liệu được coi là một bản cài đặt mới (có mã nhận dạng khóa "
            "mới) để không dùng lại số thứ tự các gói đồng bộ đã gửi; cơ quan cấp trên sẽ xác "
            "nhận khóa mới khi nhận gói đồng bộ tiếp theo.", "Khôi phục")

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
            self._task_failed(exc)

        self.tasks.run_without_db(lambda: backup.restore(file, db_path), done, failed)

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
