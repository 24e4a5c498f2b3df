"""Starting the GUI: the application object, fonts, the database, first start, main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from gnapp.db import connection, sites, units, users
from gnapp.paths import APP_NAME, default_db_path
from gnapp.ui.first_start import FirstStartDialog
from gnapp.ui.help import add_help_key
from gnapp.ui.recovery import check_at_start
from gnapp.ui.fonts import UI_FAMILY, UI_POINT_SIZE, FontError, register_fonts
from gnapp.ui.main_window import MainWindow
from gnapp.ui.tasks import TaskManager, message_box
from gnapp.ui.users_page import LoginDialog

NO_DISPLAY = (
    "gnapp: không tìm thấy màn hình để mở giao diện (chưa đặt biến DISPLAY hoặc "
    "WAYLAND_DISPLAY).\n"
    "Hãy chạy gnapp trong phiên làm việc có giao diện đồ họa, hoặc chạy với màn hình ảo: "
    "xvfb-run -a gnapp, hoặc đặt QT_QPA_PLATFORM=offscreen (không hiện cửa sổ)."
)


def display_available(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt has somewhere to draw: always outside Linux; on Linux a display server or
    an explicit ``QT_QPA_PLATFORM`` (offscreen, xcb on Xvfb …)."""
    if not platform.startswith("linux"):
        return True
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def application() -> QApplication:
    """The QApplication (created if needed) with gnapp's name, fonts and default font.

    :raises FontError: a bundled font cannot be loaded
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    register_fonts()
    app.setFont(QFont(UI_FAMILY, UI_POINT_SIZE))
    return app


def build_main_window(db_path: str | Path, *, auto_backup: bool = True) -> MainWindow:
    """A main window over an initialised database, with its own task manager (not shown)."""
    return MainWindow(TaskManager(db_path), auto_backup=auto_backup)


def run(db_path: Path | None = None) -> int:
    """Open the GUI on ``db_path`` (default: the per-user database); return the exit status.

    Before anything opens the file, a damaged one is offered its latest good backup
    (``check_at_start``); a new database gets the first-start wizard, one that asks for a
    login the login dialog.

    1 when there is no display, a font or the database cannot be opened (or a damaged one
    is not recovered); 0 when the user cancels the wizard or the login; otherwise the event
    loop's status.
    """
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    try:
        app = application()
    except FontError as exc:
        message_box(None, QMessageBox.Icon.Critical, str(exc))
        return 1
    db_path = Path(db_path) if db_path is not None else default_db_path()
    if not check_at_start(db_path):     # a damaged file is never opened (nor overwritten)
        return 1
    try:
        db = connection.connect(db_path)       # creates and migrates the file if needed
        try:
            site = sites.local_site(db)
            login = site is not None and users.login_required(db)
            names = [u["name"] for u in users.all_users(db) if u["active"]]
            unit = units.get_unit(db, site.unit_code) if site else None
        finally:
            db.close()
    except connection.DatabaseError as exc:
        message_box(None, QMessageBox.Icon.Critical, str(exc))
        return 1
    except OSError as exc:
        message_box(None, QMessageBox.Icon.Critical, f"Không mở hoặc tạo được tệp dữ liệu {db_path}: "
                                            f"{exc.strerror or exc}.")
        return 1
    tasks = TaskManager(db_path)
    if site is None:
        dialog = FirstStartDialog(tasks)
        add_help_key(dialog)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if dialog.tasks is not tasks:       # the user chose another data folder
            tasks.close()
            tasks = dialog.tasks
        if not accepted:
            tasks.close()
            return 0
    elif login:
        dialog = LoginDialog(tasks, names, unit["name"] if unit else site.display_name)
        add_help_key(dialog)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            tasks.close()
            return 0
    window = MainWindow(tasks)
    app.aboutToQuit.connect(window.close)    # the exit backup however the program ends
    window.show()
    return app.exec()
