"""«Nhập từ tệp…» in the household area: preview every row of a real file, then import it
into a real database (tests/fixtures/import/national.json, described in
tests/db/test_household_import.py)."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gnapp.db import connection, sites, units
from gnapp.db import households as hh
from gnapp.ui.household_import_dialog import HouseholdImportDialog, written_text
from gnapp.ui.tasks import TaskManager

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
NATIONAL = FIXTURES / "national.json"


@pytest.fixture
def commune(site_path):
    """The villages of the file and HB-010, HB-011 already in the register."""
    db = connection.connect(site_path)
    w = sites.writer(db)
    village = units.add_village(w, "Thôn Đồng Tâm")["id"]
    units.add_village(w, "Thôn Hòa Bình")
    for code, head, sex, year in (("HB-010", "Phạm Văn Hùng", "nam", "1965"),
                                  ("HB-011", "Hoàng Thị Lan", "nu", "1970")):
        hh.add_household(w, village_id=village, area="rural", code=code, on_date="2020-01-01",
                         head={"full_name": head, "sex": sex, "birth_date": year})
    db.close()
    return site_path


@pytest.fixture
def dialog(qtbot, commune):
    tasks = TaskManager(commune)
    dialog = HouseholdImportDialog(tasks)
    qtbot.addWidget(dialog)
    yield dialog
    tasks.close()


def codes(path):
    db = connection.connect(path)
    try:
        return sorted(r["code"] for r in hh.list_households(db, limit=100))
    finally:
        db.close()


def table_rows(dialog):
    return [[dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
            for r in range(dialog.table.rowCount())]


def previewed(qtbot, dialog, path=NATIONAL):
    dialog.set_source(path)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.tasks.busy, timeout=10000)


def test_the_preview_lists_every_row_and_writes_nothing(qtbot, dialog, commune):
    assert not dialog.preview_button.isEnabled() and not dialog.import_button.isEnabled()
    previewed(qtbot, dialog)
    rows = table_rows(dialog)
    assert [int(r[0]) for r in rows] == list(range(1, 15))
    assert rows[7][1] == "Bị từ chối" and "Không có thôn «Thôn Khe Mạ»" in rows[7][4]
    assert rows[10][:4] == ["11", "Cập nhật", "HB-010", "Phạm Văn Hùng"]
    assert "Mới: 3 · Cập nhật: 1 · Trùng lặp giống hệt: 1 · Xung đột (giữ lại): 3 · Cần xem " \
        "lại: 2 · Bị từ chối: 4" in dialog.summary_label.text()
    assert "không được nhập" in dialog.message.text()
    # households written: HB-001, HB-002 (new), HB-004, HB-005 (flagged), HB-010 (updated)
    assert dialog.import_button.text() == "Nhập 5 hộ" and dialog.import_button.isEnabled()
    assert codes(commune) == ["HB-010", "HB-011"]

    dialog.filter_box.setCurrentIndex(dialog.filter_box.findText("Bị từ chối (4)"))
    assert [r[0] for r in table_rows(dialog)] == ["8", "9", "13", "14"]


def test_an_option_changed_drops_the_preview(qtbot, dialog):
    previewed(qtbot, dialog)
    dialog.create_villages_check.setChecked(True)
    assert dialog.plan is None and dialog.table.rowCount() == 0
    assert not dialog.import_button.isEnabled()
    assert "bấm «Xem trước» lại" in dialog.summary_label.text()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.tasks.busy, timeout=10000)
    row8 = table_rows(dialog)[7]          # the unknown village is now added, not refused
    assert row8[1] == "Mới" and dialog.import_button.text() == "Nhập 6 hộ"


def test_import_writes_what_was_previewed(qtbot, dialog, commune):
    previewed(qtbot, dialog)
    written = []
    dialog.imported.connect(written.append)
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert codes(commune) == ["HB-001", "HB-002", "HB-004", "HB-005", "HB-010", "HB-011"]
    [counts] = written
    assert (counts["households_added"], counts["households_updated"]) == (4, 1)
    assert written_text(counts).startswith("Đã nhập từ tệp: thêm 4 hộ, cập nhật 1 hộ")


def test_a_register_changed_after_the_preview_is_refused(qtbot, dialog, commune):
    previewed(qtbot, dialog)
    db = connection.connect(commune)
    units.add_village(sites.writer(db), "Thôn Mới Thêm")
    db.close()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.message.isHidden() and not dialog.tasks.busy)
    assert "hãy xem trước lại" in dialog.message.text()
    assert codes(commune) == ["HB-010", "HB-011"]


def test_an_unreadable_file_is_named_in_the_dialog(qtbot, dialog, tmp_path, shown_errors):
    bad = tmp_path / "danh-sach.xlsx"
    bad.write_bytes(b"khong phai bang tinh")
    dialog.set_source(bad)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.message.isHidden() and not dialog.tasks.busy)
    assert "danh-sach.xlsx" in dialog.message.text() and dialog.plan is None
    assert not dialog.import_button.isEnabled() and shown_errors == []


def test_the_chosen_row_shows_its_whole_reason(qtbot, dialog):
    previewed(qtbot, dialog)
    assert "và " in dialog.summary_label.text() and " cột khác" in dialog.summary_label.text()
    dialog.table.setCurrentCell(10, 0)
    assert dialog.detail_label.text().startswith("Dòng 11: Cập nhật hộ HB-010")
    assert "thêm thành viên «Đỗ Thị Lan»" in dialog.detail_label.text()


def test_the_household_area_opens_the_import_and_shows_what_it_wrote(make_window, commune,
                                                                      qtbot):
    window = make_window(commune)
    window.show_area("Hộ gia đình")
    page = window.household_page
    assert page.count_label.text() == "2 hộ"
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = page.import_dialog
    previewed(qtbot, dialog)
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.count_label.text() == "6 hộ")
    assert window.statusBar().currentMessage().startswith("Đã nhập từ tệp: thêm 4 hộ")
