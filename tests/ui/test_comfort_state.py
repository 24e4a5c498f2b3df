"""Remembered window layout and last filters, per PC (``ui-state.ini`` in the data folder, a
temporary one in the tests) and per database file."""

import os
from pathlib import Path

from PySide6.QtWidgets import QComboBox

from gnapp.db import connection, reviews, sites
from gnapp.forms import catalog
from gnapp.paths import data_dir
from gnapp.ui.ui_state import FILE_NAME, UiState, combo_index, database_key


def reopen(make_window, window, path):
    assert window.close()
    return make_window(path)


def test_the_state_file_lives_in_the_data_folder_and_is_per_database(tmp_path, qapp):
    assert Path(os.environ["GNAPP_HOME"]) == data_dir()
    assert str(data_dir()).startswith(str(tmp_path))      # never the user's own folder
    first, second = UiState(tmp_path / "a.sqlite"), UiState(tmp_path / "b.sqlite")
    first.set("households/search", "Nguyễn Văn Đức")
    first.sync()
    assert first.file == data_dir() / FILE_NAME and first.file.exists()
    assert UiState(tmp_path / "a.sqlite").get("households/search") == "Nguyễn Văn Đức"
    assert second.get("households/search") is None
    assert database_key(tmp_path / "a.sqlite") == database_key(tmp_path / "x" / ".." / "a.sqlite")


def test_a_value_no_longer_offered_is_ignored(tmp_path, qapp):
    state = UiState(tmp_path / "a.sqlite")
    combo = QComboBox()
    combo.addItem("Tất cả", None)
    combo.addItem("Thôn Đông Sơn", "v1")
    state.set("households/village", {"data": "v-deleted", "text": "Thôn Cũ"})
    assert not state.restore_widgets("households", {"village": combo})
    assert combo.currentIndex() == 0
    state.set("households/village", "not a dict")
    assert not state.restore_widgets("households", {"village": combo})
    assert combo_index(combo, "v1") == 1 and combo_index(combo, None, "Tất cả") == 0


def test_household_filters_and_the_window_come_back(make_window, register_path, qtbot):
    window = make_window(register_path)
    window.show_area("Hộ gia đình")
    page = window.household_page
    village = page.village_combo.findText("Thôn Tân Lập")
    page.village_combo.setCurrentIndex(village)
    page.status_combo.setCurrentIndex(page.status_combo.count() - 1)
    page.search_edit.setText("nguyen")
    page._apply_filter()
    shown = page.model.rowCount()
    # the offscreen screen is 800 pixels high and narrower than the window can be: the
    # height shows the size came back (restoreGeometry keeps a window on its screen)
    window.resize(window.width(), 737)
    window.splitter.setSizes([230, window.width() - 250])
    height, nav_width = window.height(), window.splitter.sizes()[0]

    window = reopen(make_window, window, register_path)
    page = window.household_page
    assert page.village_combo.currentText() == "Thôn Tân Lập"
    assert page.status_combo.currentIndex() == page.status_combo.count() - 1
    assert page.search_edit.text() == "nguyen"
    assert page.model.filter == page.current_filter() and page.model.rowCount() == shown
    assert window.height() == height == 737
    assert window.splitter.sizes()[0] == nav_width


def test_a_deleted_village_is_forgotten_silently(make_window, register_path, qtbot,
                                                shown_errors):
    state = UiState(register_path)
    state.set("households/village", {"data": "0190-no-such-village", "text": "Thôn Đã Xóa"})
    state.set("households/search", "tran")
    state.sync()
    page = make_window(register_path).household_page
    assert page.village_combo.currentIndex() == 0
    assert page.search_edit.text() == "tran"
    assert shown_errors == []


def test_the_review_page_remembers_round_and_village(make_window, register_path, qtbot):
    db = connection.connect(register_path)
    w = sites.writer(db, "canbo")
    old = reviews.create_round(w, year=2024, kind="periodic")
    reviews.create_round(w, year=2025, kind="periodic")
    db.close()
    window = make_window(register_path)
    window.show_area("Rà soát")
    page = window.review_page
    page.reload_rounds(select=old["id"])
    village = page.progress[1]["village_id"]
    page.select_village(village)

    window = reopen(make_window, window, register_path)
    window.show_area("Rà soát")
    page = window.review_page
    assert page.current_round_id() == old["id"]
    assert page.selected_village_id() == village


def test_the_reports_page_remembers_report_round_and_unit(make_window, demo_path, qtbot):
    window = make_window(demo_path)
    window.show_area("Báo cáo")
    page = window.reports_page
    name = list(catalog.REPORTS)[2]
    page.select_form(name)
    page.round_box.setCurrentIndex(page.round_box.count() - 1)
    page.unit_box.setCurrentIndex(1)
    chosen = (page.round_box.currentText(), page.unit_box.currentText())

    page = reopen(make_window, window, demo_path).reports_page
    assert page.current_name() == name
    assert (page.round_box.currentText(), page.unit_box.currentText()) == chosen


def test_another_database_starts_with_its_own_filters(make_window, register_path, site_path,
                                                      tmp_path, qtbot):
    window = make_window(register_path)
    window.household_page.search_edit.setText("nguyen")
    assert window.close()
    other = tmp_path / "other.sqlite"
    other.write_bytes(site_path.read_bytes())
    assert make_window(other).household_page.search_edit.text() == ""
