"""Keyboard shortcuts for the common actions, pressed through qtbot on real databases."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import connection, reviews, sites
from gnapp.db import households as hh
from gnapp.forms import catalog
from gnapp.ui.main_window import AREAS

CTRL = Qt.KeyboardModifier.ControlModifier
DIGITS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6,
          Qt.Key.Key_7, Qt.Key.Key_8, Qt.Key.Key_9, Qt.Key.Key_0]


def active(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget() or QApplication.activeWindow(), key, modifier)


def test_ctrl_and_a_digit_go_to_the_areas_in_navigation_order(window, qtbot):
    active(qtbot, window)
    for row, key in list(enumerate(DIGITS))[:min(len(AREAS), 10)]:
        press(qtbot, key, CTRL)
        assert window.nav.currentRow() == row
        assert window.stack.currentWidget() is window.pages[AREAS[row]]
    assert window.nav.item(1).toolTip() == f"{AREAS[1]} (Ctrl+2)"


def test_f5_shows_households_added_elsewhere(register_window, register_path, qtbot):
    window = active(qtbot, register_window)
    page = window.household_page
    total = page.count_label.text()
    db = connection.connect(register_path)
    village = db.execute("SELECT village_id FROM household LIMIT 1").fetchone()[0]
    hh.add_household(sites.writer(db), village_id=village, area="rural", on_date="2025-01-01",
                     head={"full_name": "Vũ Văn Tùng", "sex": "nam", "birth_date": "1988"})
    db.close()
    press(qtbot, Qt.Key.Key_F5)
    assert window.statusBar().currentMessage() == "Đã làm mới."
    assert page.count_label.text() != total


def test_ctrl_n_and_ctrl_f_on_the_household_area(register_window, qtbot):
    window = active(qtbot, register_window)
    window.nav.setFocus()                          # the keyboard is still in the navigation
    page = window.household_page
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is page.search_edit
    press(qtbot, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible())
    assert page.editor.household_id is None
    page.editor.reject()


def test_ctrl_s_writes_a_dialog(make_window, register_path, qtbot):
    window = active(qtbot, make_window(register_path))
    window.show_area("Rà soát")
    page = window.review_page
    qtbot.mouseClick(page.new_round_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.year_spin.setValue(2025)
    assert dialog.ok_button.toolTip().endswith("(Ctrl+S)")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        press(qtbot, Qt.Key.Key_S, CTRL)
    db = connection.connect(register_path)
    assert [r["year"] for r in reviews.rounds(db)] == [2025]
    db.close()


def test_ctrl_p_prints_the_chosen_report(make_window, demo_path, qtbot, monkeypatch):
    window = active(qtbot, make_window(demo_path))
    window.show_area("Báo cáo")
    page = window.reports_page
    page.select_form(next(iter(catalog.REPORTS)))
    assert page.print_button.isEnabled()
    asked = []
    monkeypatch.setattr(page, "ask_printer", lambda: asked.append(True) or None)
    assert page.print_button.toolTip().endswith("(Ctrl+P)")
    window.nav.setFocus()
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert asked == [True]


def test_ctrl_e_exports_the_next_package(make_window, register_path, qtbot, monkeypatch,
                                         tmp_path):
    window = active(qtbot, make_window(register_path))
    window.show_area("Đồng bộ")
    page = window.sync_page
    monkeypatch.setattr(page, "ask_folder", lambda title: tmp_path / "usb")
    assert page.export_button.toolTip().endswith("(Ctrl+E)")
    window.nav.setFocus()
    press(qtbot, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: page.result_label.text().startswith("Đã tạo gói số 1"))
    assert len(list((tmp_path / "usb").iterdir())) == 1


def test_ctrl_e_does_nothing_on_another_area(make_window, register_path, qtbot, monkeypatch):
    window = active(qtbot, make_window(register_path))
    window.show_area("Hộ gia đình")
    asked = []
    monkeypatch.setattr(window.sync_page, "ask_folder", lambda title: asked.append(title))
    press(qtbot, Qt.Key.Key_E, CTRL)
    assert asked == []
