"""The main window over a real commune database (07339, Xã Tân Yên)."""

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer

from gnapp.db import backup, connection, sites, units
from gnapp.domain.numbers import format_size
from gnapp.ui import main_window as mw
from gnapp.ui import widgets
from gnapp.ui.review_page import ReviewPage
from gnapp.ui.reports_page import ReportsPage


def backups_of(path):
    return backup.list_backups(backup.backup_dir(path), path.stem)


def table_rows(window):
    table = window.backup_page.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_navigation_lists_the_areas_in_order(window):
    nav = window.nav
    titles = [nav.item(i).text() for i in range(nav.count())]
    expected = ["Tổng quan", "Hộ gia đình", "Rà soát", "Phân bổ vốn", "Tiến độ", "Báo cáo",
                "Đồng bộ", "Sao lưu"]
    assert [t for t in titles if t in expected] == expected and titles == mw.AREAS
    # each navigation row shows its own page, whatever areas were added in between
    assert [window.stack.widget(i) for i in range(window.stack.count())] == [
        window.pages[t] for t in titles]
    assert window.stack.currentWidget() is window.pages["Tổng quan"]


def test_choosing_an_area_shows_its_page(window, qtbot):
    nav = window.nav
    item = nav.item(mw.AREAS.index("Sao lưu"))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=nav.visualItemRect(item).center())
    assert window.stack.currentWidget() is window.backup_page
    qtbot.keyClick(nav, Qt.Key.Key_Up)
    assert window.stack.currentWidget() is window.pages[mw.AREAS[mw.AREAS.index("Sao lưu") - 1]]
    qtbot.keyClick(nav, Qt.Key.Key_End)
    assert window.stack.currentWidget() is window.users_page
    window.show_area("Rà soát")
    assert window.stack.currentIndex() == mw.AREAS.index("Rà soát") == 2


def test_areas_to_come_say_what_they_will_hold_and_that_they_are_not_there_yet(window, qtbot):
    page = mw.ComingAreaPage("Tiến độ", "Số liệu theo từng kỳ báo cáo.")
    qtbot.addWidget(page)
    assert page.title_label.text() == "Tiến độ"
    assert "kỳ báo cáo" in page.description_label.text()
    assert page.not_yet_label.text() == "Phiên bản này chưa có phần này." == mw.NOT_YET
    assert isinstance(window.pages["Rà soát"], ReviewPage)
    assert isinstance(window.pages["Báo cáo"], ReportsPage)
    assert type(window.pages["Phân bổ vốn"]).__name__ == "AllocationPage"
    assert type(window.pages["Tiến độ"]).__name__ == "ProgressPage"
    assert mw.COMING_AREAS == []


def test_sync_page_shows_this_sites_key_fingerprint(window, site_path):
    db = connection.connect(site_path)
    fingerprint = sites.local_site(db).fingerprint
    db.close()
    assert fingerprint in window.pages["Đồng bộ"].fingerprint_label.text()


def test_title_and_status_bar_show_unit_and_database(window, site_path):
    assert window.windowTitle() == "gnapp – Giảm nghèo bền vững – Xã Tân Yên"
    assert window.unit_status.text() == "Xã Tân Yên (07339) – Tỉnh Bắc Ninh"
    assert window.path_status.text() == str(site_path)
    assert window.backup_status.text() == "Chưa sao lưu"
    permanent = window.statusBar().findChildren(type(window.unit_status))
    assert window.unit_status in permanent and window.backup_status in permanent


def test_backup_now_makes_a_file_and_a_row(window, qtbot, site_path, shown_errors):
    assert window.backup_page.table.rowCount() == 0
    window.show_area("Sao lưu")
    qtbot.mouseClick(window.backup_page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.backup_page.table.rowCount() == 1)
    [info] = backups_of(site_path)
    assert info.label == "manual" and info.path.is_file()
    [row] = table_rows(window)
    assert row[0] == info.taken_at.strftime("%d/%m/%Y %H:%M")
    assert row[1] == "thủ công"
    assert row[2] == f"{-(-info.size // 1024):,}".replace(",", ".")
    assert row[3] == info.path.name
    assert window.backup_status.text() == f"Sao lưu lần cuối: {row[0]}"
    assert not shown_errors


def test_backup_table_kinds_sizes_and_order(site_path, make_window):
    for label, hour in [("start", 8), ("auto", 9), ("exit", 17), ("before-restore", 18)]:
        backup.make_backup(site_path, label=label, now=datetime(2025, 7, 1, hour, 5))
    window = make_window(site_path)
    rows = table_rows(window)
    assert [r[:2] for r in rows] == [["01/07/2025 18:05", "trước khi khôi phục"],
                                     ["01/07/2025 17:05", "khi đóng"],
                                     ["01/07/2025 09:05", "tự động"],
                                     ["01/07/2025 08:05", "khi mở"]]
    assert all("." in r[2] for r in rows)       # hundreds of KB: "1.234" in Vietnamese notation
    assert window.backup_status.text() == "Sao lưu lần cuối: 01/07/2025 18:05"


def test_data_check_on_a_good_database(window, qtbot, shown_errors):
    window.show_area("Sao lưu")
    page = window.backup_page
    assert not page.check_output.isVisible()
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check_output.toPlainText() != "")
    assert page.check_output.toPlainText() == "Dữ liệu không có lỗi."
    assert page.check_output.isVisible()
    assert not shown_errors


def test_data_check_lists_problems(window, qtbot, site_path):
    db = connection.connect(site_path)
    db.execute("INSERT INTO change_log (table_name, row_id, version, base_version, updated_at, "
               "origin) VALUES ('admin_unit', 'x', 1, 0, 'y', 'local')")
    # a village without its commune: written around the write path on purpose
    db.execute("DROP TRIGGER IF EXISTS admin_unit_guard_insert")
    unit = units.get_unit(db, "07339")
    row = {**unit, "id": "x", "code": "07339.99", "name": "Thôn Lạc", "type": "thôn",
           "level": "village", "parent_id": None, "updated_at": "y"}
    for k in ("parent_code", "parent_name", "name_fold"):
        row.pop(k)
    db["admin_unit"].insert(row)
    db.close()
    page = window.backup_page
    window.check_data()
    qtbot.waitUntil(lambda: page.check_output.toPlainText() != "")
    text = page.check_output.toPlainText()
    assert text.startswith("Phát hiện lỗi trong dữ liệu:")
    assert "• Lỗi: Thôn «Thôn Lạc» không thuộc xã nào." in text


def test_start_backup_after_show_and_exit_backup_on_close(make_window, qtbot, site_path,
                                                            monkeypatch):
    monkeypatch.setattr(mw, "START_BACKUP_DELAY_MS", 0)
    window = make_window(site_path, auto_backup=True)
    qtbot.waitUntil(lambda: [b.label for b in backups_of(site_path)] == ["start"])
    qtbot.waitUntil(lambda: window.backup_page.table.rowCount() == 1)
    assert window.backup_page.table.item(0, 1).text() == "khi mở"
    db = connection.connect(site_path)
    units.add_village(sites.writer(db), "Thôn Đông")
    db.close()
    window.close()
    labels = sorted(b.label for b in backups_of(site_path))
    assert labels == ["exit", "start"]
    assert window.tasks.closed


def test_the_exit_backup_shows_its_progress_and_hủy_closes_without_it(
        make_window, qtbot, site_path, monkeypatch):
    """At an office the exit backup copies gigabytes: the window stays drawn, a dialog shows
    the pages copied, and «Hủy» closes the program without the copy."""
    window = make_window(site_path, auto_backup=True)
    copied, seen = [], {}

    def slow_copy(db_path, *, label, progress=None, **kwargs):
        for page in range(1, 2001):
            progress(page, 2000)            # raises Cancelled once «Hủy» is pressed
            copied.append(page)
            time.sleep(0.002)
        raise AssertionError("the copy was not stopped")
    monkeypatch.setattr(mw.backup, "make_backup", slow_copy)

    def press_cancel():     # once the dialog shows (later on a busy machine)
        dialog = window.findChild(widgets.ProgressDialog)
        if dialog is None or not dialog.isVisible():
            return
        watch.stop()
        seen.update(title=dialog.title_label.text(),
                    bar=(dialog.bar.value(), dialog.bar.maximum()))
        dialog.cancel_button.click()
    watch = QTimer(window)
    watch.timeout.connect(press_cancel)
    watch.start(50)
    window.close()
    assert seen, "the progress dialog never showed"
    assert "bấm «Hủy» để đóng ngay, không sao lưu" in seen["title"]
    assert 0 < seen["bar"][0] < seen["bar"][1] == 2000
    assert 0 < len(copied) < 2000 and backups_of(site_path) == []
    assert not window.isVisible() and window.tasks.closed


def test_no_automatic_copy_of_data_a_backup_already_holds(make_window, qtbot, site_path,
                                                          monkeypatch):
    """Opening and closing without changes copies nothing (at an office a copy is the whole
    7 GB file), not even when the window opens on data the newest backup holds."""
    monkeypatch.setattr(mw, "START_BACKUP_DELAY_MS", 0)
    window = make_window(site_path, auto_backup=True)
    qtbot.waitUntil(lambda: [b.label for b in backups_of(site_path)] == ["start"])
    with qtbot.waitSignal(window.tasks.busy_changed, check_params_cb=lambda busy: not busy):
        window.backup_if_changed()
    window.close()
    assert [b.label for b in backups_of(site_path)] == ["start"]
    again = make_window(site_path, auto_backup=True)
    qtbot.waitUntil(lambda: again._backed_up_seq is not None)
    again.close()
    assert [b.label for b in backups_of(site_path)] == ["start"]


def test_no_automatic_backups_when_disabled(make_window, qtbot, site_path):
    window = make_window(site_path, auto_backup=False)
    qtbot.wait(50)
    window.close()
    assert backups_of(site_path) == []


def test_automatic_backup_only_after_changes(window, qtbot, site_path):
    made = []
    window.backup_made.connect(made.append)
    window.backup_now()
    qtbot.waitUntil(lambda: len(made) == 1)
    with qtbot.waitSignal(window.tasks.busy_changed, check_params_cb=lambda busy: not busy):
        window.backup_if_changed()
    assert [b.label for b in backups_of(site_path)] == ["manual"]

    db = connection.connect(site_path)
    units.add_village(sites.writer(db), "Thôn Đông")
    db.close()
    window.backup_if_changed()
    qtbot.waitUntil(lambda: len(made) == 2)
    assert made[1].label == "auto"
    assert sorted(b.label for b in backups_of(site_path)) == ["auto", "manual"]


def test_backup_interval_comes_from_the_settings(site_path, make_window):
    db = connection.connect(site_path)
    db["setting"].upsert({"key": "backup.interval_minutes", "value": "5"}, pk="key")
    db.close()
    window = make_window(site_path, auto_backup=True)
    assert window.backup_interval_minutes() == 5
    assert window._auto_timer.interval() == 5 * 60_000
    assert "sau mỗi 5 phút" in window.backup_page.info_label.text()


def test_the_space_for_backups_is_set_on_the_backup_page(site_path, make_window, qtbot):
    window = make_window(site_path)
    page = window.backup_page
    auto = backup.budget_bytes(0, backup.backup_dir(site_path))
    assert page.budget_spin.value() == 0
    assert page.budget_spin.text() == f"Tự động ({format_size(auto)})"
    assert "quá dung lượng đặt dưới đây" in page.info_label.text()
    assert page.usage_label.text() == ""
    page.budget_spin.setValue(40)
    qtbot.waitUntil(lambda: backup.budget_gb(connection.connect(site_path)) == 40)
    qtbot.waitUntil(lambda: "Đã nhớ dung lượng tối đa cho sao lưu: 40 GB"
                    in window.statusBar().currentMessage())
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    size = backups_of(site_path)[0].size
    assert page.usage_label.text() == f"đang dùng {format_size(size)} cho 1 bản"
    # a window opened later shows what was set
    window.close()
    again = make_window(site_path)
    assert again.backup_page.budget_spin.value() == 40
    assert again.backup_page.budget_spin.text() == "40 GB"


def test_backup_interval_defaults_to_15_minutes(window):
    assert window.backup_interval_minutes() == 15


def test_restore_brings_back_a_backup_as_a_new_site(window, qtbot, site_path, monkeypatch,
                                                     shown_errors):
    db = connection.connect(site_path)
    old_site = sites.local_site(db)
    db.close()
    saved = backup.make_backup(site_path, label="manual", now=datetime(2025, 7, 1, 8, 0))
    db = connection.connect(site_path)
    units.add_village(sites.writer(db), "Thôn Sau")
    db.close()

    monkeypatch.setattr(window, "ask_restore_file", lambda: saved.path)
    asked = []
    monkeypatch.setattr(window, "confirm_restore", lambda f: asked.append(f) or True)
    qtbot.mouseClick(window.backup_page.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.info.site.id != old_site.id)
    assert asked == [saved.path]
    assert window.info.site.replaces == old_site.id
    assert window.info.site.fingerprint in window.pages["Đồng bộ"].fingerprint_label.text()
    assert "before-restore" in [b.label for b in backups_of(site_path)]
    assert "trước khi khôi phục" in [r[1] for r in table_rows(window)]
    db = connection.connect(site_path)
    assert not list(db.query("SELECT 1 FROM admin_unit WHERE name = 'Thôn Sau'"))
    db.close()
    # the worker works on the restored file
    window.check_data()
    qtbot.waitUntil(lambda: window.backup_page.check_output.toPlainText() != "")
    assert window.backup_page.check_output.toPlainText() == "Dữ liệu không có lỗi."
    assert not shown_errors


def test_restore_cancelled_does_nothing(window, qtbot, site_path, monkeypatch):
    monkeypatch.setattr(window, "ask_restore_file", lambda: None)
    window.restore_from_file()
    qtbot.wait(20)
    assert backups_of(site_path) == []


def test_restore_of_a_bad_file_reports_the_error_and_keeps_working(window, qtbot, tmp_path,
                                                                    shown_errors):
    bad = tmp_path / "hong.gnbak"
    bad.write_bytes(b"not a database" * 100)
    site_id = window.info.site.id
    window.restore(bad)
    qtbot.waitUntil(lambda: len(shown_errors) == 1)
    assert isinstance(shown_errors[0], backup.BackupError)
    assert window.info.site.id == site_id
    window.check_data()
    qtbot.waitUntil(lambda: window.backup_page.check_output.toPlainText() != "")
    assert window.backup_page.check_output.toPlainText() == "Dữ liệu không có lỗi."


def test_a_long_database_path_leaves_room_for_the_status_messages(window, site_path, qtbot):
    window.show()
    qtbot.waitExposed(window)
    assert window.path_status.fontMetrics().horizontalAdvance(str(site_path)) > 180
    assert window.path_status.width() <= 180
    assert window.path_status.text() == str(site_path)        # drawn elided, kept whole
    assert str(site_path) in window.path_status.toolTip()
