"""Fixtures for the GUI tests (pytest-qt, offscreen, real SQLite files)."""

import random
import shutil
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest

from gnapp.db import connection, sites, units
from gnapp.db import households as hh
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


def _focus_chain(start):
    """The widgets of the focus chain from ``start``, once round (Tab order)."""
    chain, widget = [], start
    while True:
        chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            return chain


@pytest.fixture
def focus_chain():
    return _focus_chain


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
    for module in ("gnapp.ui.main_window", "gnapp.ui.first_start", "gnapp.ui.household_editor",
                   "gnapp.ui.household_list", "gnapp.ui.review_page", "gnapp.ui.review_form",
                   "gnapp.ui.reports_page"):
        monkeypatch.setattr(f"{module}.show_error", record)
    return errors


@pytest.fixture(autouse=True)
def discard_prompts(monkeypatch):
    """"Bỏ thay đổi?" of the household editor answers "discard" and is recorded (the real
    box is modal and would block the test)."""
    from gnapp.ui.household_editor import HouseholdEditor

    asked = []

    def confirm(editor):
        asked.append(editor.windowTitle())
        return True

    monkeypatch.setattr(HouseholdEditor, "confirm_discard", confirm)
    # every other unsaved-changes question ("Lưu / Không lưu / Hủy") answers "Không lưu"
    monkeypatch.setattr("gnapp.ui.widgets.ask_unsaved",
                        lambda parent, question, *args, **kw: "discard")
    return asked


@pytest.fixture
def make_window(qtbot, shown_errors):
    """Build (and show) a main window over a database file; closed at the end of the test."""
    def make(path, *, auto_backup=False, show=True):
        window = build_main_window(path, auto_backup=auto_backup)
        qtbot.addWidget(window)
        _WINDOWS.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window
    return make


_WINDOWS = []   # the main windows of the running test


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """The test is over: its windows close (pytest-qt, in its own teardown wrapper) without
    asking about unsaved changes, whatever the test did to the questions."""
    for window in _WINDOWS:
        window.confirm_close_unsaved = lambda unsaved: True
    _WINDOWS.clear()
    return (yield)


@pytest.fixture
def window(make_window, site_path):
    """The main window of the commune 07339 (Xã Tân Yên), without automatic backups."""
    return make_window(site_path)


# -- a register of 250 households -------------------------------------------------------------

REGISTER_VILLAGES = ("Thôn Đông Sơn", "Thôn Tân Lập", "Thôn Hòa Bình")
REGISTER_HOUSEHOLDS = 250
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ")
_MIDDLE = {"nam": ("Văn", "Đức", "Minh", "Hữu"), "nu": ("Thị", "Thu", "Hồng", "Ngọc")}
_GIVEN = {"nam": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Long", "Sơn", "Thắng"),
          "nu": ("Anh", "Ánh", "Chi", "Dung", "Hà", "Hoa", "Hương", "Lan", "Mai", "Yến")}


def _person(rng, family, sex, year, relation):
    return {"full_name": f"{family} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}",
            "sex": sex, "birth_date": str(year), "ethnicity": "Kinh", "relation": relation,
            "health_insurance": 1}


def fill_register(db, households=REGISTER_HOUSEHOLDS, seed=7):
    """Villages and households shaped like a commune's register, in one transaction."""
    rng = random.Random(seed)
    writer = sites.writer(db)
    villages = writer.transact(
        lambda w: [units.add_village(w, name) for name in REGISTER_VILLAGES]).result

    def add_all(w):
        for i in range(households):
            family = _FAMILY[i % len(_FAMILY)]
            sex = "nam" if i % 5 else "nu"
            year = 1950 + i % 45
            home = hh.add_household(w, village_id=villages[i % len(villages)]["id"],
                                    area="rural", head=_person(rng, family, sex, year, "head"),
                                    on_date="2024-01-01")
            for n in range(i % 4):
                other = "nu" if sex == "nam" else "nam"
                relation, member_sex = ("spouse", other) if n == 0 else ("child", rng.choice(
                    ("nam", "nu")))
                hh.add_member(w, home["id"], _person(
                    rng, rng.choice(_FAMILY) if n == 0 else family, member_sex,
                    year + (2 if n == 0 else 25), relation))

    writer.transact(add_all)


@pytest.fixture(scope="session")
def _register_template(_site_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("register") / "gnapp.sqlite"
    shutil.copy(_site_template, path)
    db = connection.connect(path)
    fill_register(db)
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def register_path(_register_template, db_path):
    """Commune 07339 with 3 villages and 250 households (copied from a template)."""
    shutil.copy(_register_template, db_path)
    return db_path


@pytest.fixture
def register_db(register_path):
    db = connection.connect(register_path)
    yield db
    db.close()


@pytest.fixture
def register_window(make_window, register_path):
    """The main window over the 250 households, on the household page."""
    window = make_window(register_path)
    window.show_area("Hộ gia đình")
    return window
