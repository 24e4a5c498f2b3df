"""The whole way of a new household through the GUI, from the keyboard: add the household,
add its members, enter its Phiếu B in the round, complete it (commune 07339, Xã Tân Yên)."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import connection, reviews, sites, units
from gnapp.db import households as hh

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
TODAY = date(2025, 11, 20)
DEPRIVED = {"healthInsurance", "housingArea", "hygienicToilet"}     # indicators answered T


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


@pytest.fixture
def round_path(site_path):
    """The commune with one village and the periodic round of 2025 under CN2022."""
    db = connection.connect(site_path)
    w = sites.writer(db, "canbo")
    units.add_village(w, "Thôn Đồng Tâm")
    reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    db.close()
    return site_path


def test_add_household_members_phieu_b_and_complete(make_window, round_path, qtbot, type_vi,
                                                     shown_errors):
    window = make_window(round_path)
    window.review_page.today = lambda: TODAY
    page = window.household_page
    page.add_household()
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)

    # the household, then its head and a child, typed as on the paper form
    type_vi(editor.village_combo.lineEdit(), "đồng tâm")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_vi(focused(), "Xóm Đồi Chè")
    for name, sex_key, birth, relation in (("Lò Thị Hương", Qt.Key.Key_U, "1980", None),
                                           ("Lò Văn Đức", Qt.Key.Key_N, "12/04/2012", "Con")):
        press(qtbot, Qt.Key.Key_N, CTRL)
        form = editor.member_form
        qtbot.waitUntil(form.isActiveWindow)
        type_vi(focused(), name)
        press(qtbot, Qt.Key.Key_Tab)
        form.sex_combo.setCurrentIndex(form.sex_combo.findText("Nữ" if sex_key == Qt.Key.Key_U
                                                               else "Nam"))
        press(qtbot, Qt.Key.Key_Tab)
        qtbot.keyClicks(focused(), birth)
        if relation:
            form.relation_combo.setCurrentIndex(form.relation_combo.findText(relation))
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(editor.isActiveWindow)
    assert [e.name for e in editor.entries] == ["Lò Thị Hương", "Lò Văn Đức"]

    # the review tab: save and go on to the household's review in the round
    press(qtbot, Qt.Key.Key_2, ALT)
    assert editor.tabs.currentIndex() == 1
    assert editor.round_combo.currentText() == "Rà soát định kỳ năm 2025 – chuẩn CN2022"
    assert "chưa có phiếu" in editor.review_hint.text()
    with qtbot.waitSignal(page.review_requested, timeout=5000):
        press(qtbot, Qt.Key.Key_R, CTRL)
    assert not shown_errors
    review_form = window.review_page.form
    assert review_form is not None
    qtbot.waitUntil(review_form.isVisible)
    assert window.stack.currentWidget() is window.review_page
    assert "Lò Thị Hương" in review_form.windowTitle()

    # Phiếu B from the keyboard: Phiếu A left blank, date as given, reviewer, income
    assert focused() is review_form.screen_choice
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is review_form.date_edit
    assert review_form.date_edit.text() == "20/11/2025"
    press(qtbot, Qt.Key.Key_Tab)
    type_vi(focused(), "Nguyễn Thị Lan")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "1200000")
    press(qtbot, Qt.Key.Key_Tab)                        # Điểm B1: blank
    press(qtbot, Qt.Key.Key_Tab)                        # "Dùng tất cả gợi ý": not used
    press(qtbot, Qt.Key.Key_Tab)
    for row in review_form.indicator_rows:
        assert focused() is row.choice, row.indicator.code
        press(qtbot, Qt.Key.Key_T if row.indicator.code in DEPRIVED else Qt.Key.Key_K)
        press(qtbot, Qt.Key.Key_Tab)
    assert review_form.preview.result is not None
    assert review_form.preview.result.klass == "poor"

    with qtbot.waitSignal(window.review_page.review_saved, timeout=5000):
        qtbot.mouseClick(review_form.complete_button, Qt.MouseButton.LeftButton)
    assert not shown_errors

    db = connection.connect(round_path)
    household = next(h for h in db.query("SELECT * FROM household"))
    assert household["address"] == "Xóm Đồi Chè"
    members = hh.members(db, household["id"])
    assert [(m["full_name"], m["relation"]) for m in members] == [
        ("Lò Thị Hương", "head"), ("Lò Văn Đức", "child")]
    round_ = reviews.rounds(db)[0]
    review = reviews.review_of(db, round_["id"], household["id"])
    assert review["status"] == "complete"
    assert review["standard_id"] == "CN2022"
    assert review["class"] == "poor" and review["computed_class"] == "poor"
    assert review["income_per_person"] == 1_200_000
    assert review["deprivation_count"] == 3 and review["b2"] == 30
    assert review["reviewer"] == "Nguyễn Thị Lan"
    assert review["review_date"] == "2025-11-20"
    db.close()

    # the household editor now lists the completed review in its review tab
    page.refresh()
    page.edit_row(0)
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    assert editor.review_table.rowCount() == 1
    assert [editor.review_table.item(0, c).text() for c in range(5)] == [
        "Rà soát định kỳ năm 2025 – chuẩn CN2022", "20/11/2025", "Hộ nghèo", "30",
        "Hoàn thành"]
