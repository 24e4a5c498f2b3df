"""Starting the GUI: the application object, fonts, the database, first start, main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from gnapp.db import connection, sites
from gnapp.paths import APP_NAME, default_db_path
from gnapp.ui.first_start import FirstStartDialog
from gnapp.ui.fonts import UI_FAMILY, UI_POINT_SIZE, FontError, register_fonts
from gnapp.ui.main_window import MainWindow
from gnapp.ui.tasks import TaskManager, message_box

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

    1 when there is no display, a font or the database cannot be opened; 0 when the user
    cancels the first-start dialog; otherwise the event loop's status.
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
    try:
        db = connection.connect(db_path)       # creates and migrates the file if needed
        try:
            site = sites.local_site(db)
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
        if dialog.exec() != QDialog.DialogCode.Accepted:
            tasks.close()
            return 0
    window = MainWindow(tasks)
    app.aboutToQuit.connect(window.close)    # the exit backup however the program ends
    window.show()
    return app.exec()
