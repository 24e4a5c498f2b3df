"""Fixtures for the GUI tests (pytest-qt, offscreen, real SQLite files)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest

from gnapp.ui import tasks as ui_tasks
from gnapp.ui.app import build_main_window
from gnapp.ui.fonts import UI_FAMILY, UI_POINT_SIZE, register_fonts


def type_text(widget, text: str) -> None:
    """Like qtbot.keyClicks, but safe for Vietnamese: QTest.keyClicks aborts the whole
    process on most non-ASCII characters (stack.md §2)."""
    for ch in text:
        if ch.isascii():
            QTest.keyClick(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def type_vi():
    return type_text


@pytest.fixture(autouse=True)
def _app_fonts(qapp):
    """The bundled fonts, as the application has them."""
    register_fonts()
    qapp.setFont(QFont(UI_FAMILY, UI_POINT_SIZE))


@pytest.fixture
def shown_errors(monkeypatch):
    """Error popups are recorded instead of shown (a modal box would block the test)."""
    errors = []

    def record(parent, exc):
        errors.append(exc)

    monkeypatch.setattr(ui_tasks, "show_error", record)
    for module in ("gnapp.ui.main_window", "gnapp.ui.first_start"):
        monkeypatch.setattr(f"{module}.show_error", record)
    return errors


@pytest.fixture
def make_window(qtbot, shown_errors):
    """Build (and show) a main window over a database file; closed at the end of the test."""
    def make(path, *, auto_backup=False, show=True):
        window = build_main_window(path, auto_backup=auto_backup)
        qtbot.addWidget(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window
    return make


@pytest.fixture
def window(make_window, site_path):
    """The main window of the commune 07339 (Xã Tân Yên), without automatic backups."""
    return make_window(site_path)
