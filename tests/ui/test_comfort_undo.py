"""Undo of the last saved edit from the household editor and the review form (button and
Ctrl+Z), on real database files read back on a fresh connection."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import connection, reviews, sites, store
from gnapp.db import households as hh
from gnapp.ui.household_editor import HouseholdEditor
from gnapp.ui.review_form import ReviewForm

CTRL = Qt.KeyboardModifier.ControlModifier
CLOCK = [0]


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The audit log's clock (to the second) moves only on ``later()``: people do not save
    twice in one second."""
    CLOCK[0] = 0
    monkeypatch.setattr(store, "utc_now",
                        lambda: f"2025-11-20T08:{CLOCK[0] // 60:02d}:{CLOCK[0] % 60:02d}+00:00")


def later():
    CLOCK[0] += 1


def read(path, fn):
    db = connection.connect(path)
    try:
        return fn(db)
    finally:
        db.close()


def first_household(path):
    return read(path, lambda db: db.execute(
        "SELECT id FROM household WHERE deleted = 0 ORDER BY code LIMIT 1").fetchone()[0])


def edit_address(path, household_id, address):
    later()
    read(path, lambda db: hh.update_household(sites.writer(db), household_id,
                                              {"address": address}))
    later()


@pytest.fixture
def confirmations(monkeypatch):
    asked = []

    def confirm(self, edit):
        asked.append(edit)
        return True

    monkeypatch.setattr(HouseholdEditor, "confirm_undo", confirm)
    monkeypatch.setattr(ReviewForm, "confirm_undo", confirm)
    return asked


def open_editor(qtbot, page, household_id):
    page.edit_row(next(r for r in range(page.model.rowCount())
                       if page.model.household_id(r) == household_id))
    qtbot.waitUntil(page.editor.isActiveWindow)
    return page.editor


def test_the_editor_undoes_the_last_save(register_window, register_path, confirmations,
                                         qtbot):
    household_id = first_household(register_path)
    before = read(register_path, lambda db: hh.household(db, household_id)["address"])
    edit_address(register_path, household_id, "Xóm Đồi Chè")
    page = register_window.household_page
    page.refresh()
    editor = open_editor(qtbot, page, household_id)
    assert editor.undo_button.isVisible()
    assert editor.undo_button.toolTip().endswith("(Ctrl+Z)")
    with qtbot.waitSignal(editor.undone, timeout=5000):
        qtbot.mouseClick(editor.undo_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    assert [c.new for c in confirmations[0].changes] == ["Xóm Đồi Chè"]
    assert read(register_path, lambda db: hh.household(db, household_id)["address"]) == before
    reason = read(register_path, lambda db: db.execute(
        "SELECT reason FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert reason.startswith("Hoàn tác lần sửa lúc")
    code = read(register_path, lambda db: hh.household(db, household_id)["code"])
    assert register_window.statusBar().currentMessage() == \
        f"Đã hoàn tác lần sửa cuối của hộ {code}."


def test_ctrl_z_in_a_text_field_undoes_the_typing_only(register_window, register_path,
                                                       confirmations, qtbot):
    household_id = first_household(register_path)
    edit_address(register_path, household_id, "Xóm Đồi Chè")
    page = register_window.household_page
    page.refresh()
    editor = open_editor(qtbot, page, household_id)
    editor.address_edit.setFocus()
    qtbot.keyClicks(editor.address_edit, " 2")
    qtbot.keyClick(editor.address_edit, Qt.Key.Key_Z, CTRL)   # the field's own undo
    assert confirmations == []
    assert editor.address_edit.text() == "Xóm Đồi Chè"
    editor.roster.setFocus()
    with qtbot.waitSignal(editor.undone, timeout=5000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert len(confirmations) == 1


def test_unsaved_typing_must_be_saved_or_dropped_first(register_window, register_path,
                                                       confirmations, qtbot):
    household_id = first_household(register_path)
    edit_address(register_path, household_id, "Xóm Đồi Chè")
    page = register_window.household_page
    page.refresh()
    editor = open_editor(qtbot, page, household_id)
    editor.address_edit.setText("Xóm Khác")
    editor.undo_last_edit()
    assert confirmations == [] and editor.isVisible()
    assert "trước khi hoàn tác" in editor.message_label.text()


def test_an_edit_changed_since_is_refused_with_a_message(register_window, register_path,
                                                         qtbot, monkeypatch):
    household_id = first_household(register_path)
    edit_address(register_path, household_id, "Xóm Đồi Chè")
    page = register_window.household_page
    page.refresh()
    editor = open_editor(qtbot, page, household_id)

    def meanwhile(self, edit):             # another PC's package arrives while asking
        edit_address(register_path, household_id, "Xóm Ba")
        return True

    monkeypatch.setattr(HouseholdEditor, "confirm_undo", meanwhile)
    editor.undo_last_edit()
    qtbot.waitUntil(lambda: "lần sửa khác" in editor.message_label.text())
    assert editor.isVisible()
    assert read(register_path, lambda db: hh.household(db, household_id)["address"]) == "Xóm Ba"


def test_the_review_form_undoes_its_last_save(make_window, register_path, confirmations, qtbot):
    household_id = first_household(register_path)

    def two_saves(db):
        w = sites.writer(db)
        round_ = reviews.create_round(w, year=2025, kind="periodic")
        later()
        first, _ = w.transact(lambda w: reviews.save_review(
            w, round_["id"], household_id, reviewer="Hà Thị Ngân", review_date="2025-11-20",
            screen_result="continue")).result
        later()
        w.transact(lambda w: reviews.save_review(
            w, round_["id"], household_id, reviewer="Lê Văn Bình", review_date="2025-11-20",
            screen_result="continue", expected_version=first["version"]))
        later()
        return round_["id"]

    round_id = read(register_path, two_saves)
    window = make_window(register_path)
    window.show_area("Rà soát")
    form = window.review_page.open_form(household_id)
    qtbot.waitUntil(form.isActiveWindow)
    assert form.undo_button.isVisible()
    with qtbot.waitSignal(form.finished, timeout=5000):
        qtbot.mouseClick(form.undo_button, Qt.MouseButton.LeftButton)
    assert read(register_path, lambda db: reviews.review_of(db, round_id, household_id)
                )["reviewer"] == "Hà Thị Ngân"

