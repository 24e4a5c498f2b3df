"""Deleting a household or a member entered by mistake from the editor, and the "Thùng rác"
area bringing them back (commune 07339 with 250 households)."""

import pytest
from PySide6.QtCore import Qt

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.ui import trash_page as tp


def open_editor(qtbot, page, row):
    page.edit_row(row)
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def search(db, text):
    return [r["household_id"] for r in hh.list_households(db, search=text, status=None)]


@pytest.fixture
def page(register_window):
    return register_window.household_page


def trash_rows(window):
    table = window.trash_page.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_a_household_deleted_from_the_editor_goes_to_the_trash_and_comes_back(
        register_window, page, qtbot, register_db, monkeypatch, shown_errors):
    window = register_window
    household_id = page.model.household_id(3)
    home = hh.household(register_db, household_id)
    head = hh.members(register_db, household_id)[0]["full_name"]
    assert household_id in search(register_db, home["code"])
    assert page.count_label.text() == "250 hộ"

    editor = open_editor(qtbot, page, 3)
    assert editor.delete_household_button.isVisible()
    asked = []
    monkeypatch.setattr(editor, "ask_delete_reason",
                        lambda title, question: asked.append(question) or "Nhập trùng hộ")
    with qtbot.waitSignal(editor.finished, timeout=5000):
        qtbot.mouseClick(editor.delete_household_button, Qt.MouseButton.LeftButton)
    assert f"Xóa hộ {home['code']}" in asked[0]
    qtbot.waitUntil(lambda: page.count_label.text() == "249 hộ")
    assert window.statusBar().currentMessage() == \
        f"Đã chuyển hộ {home['code']} vào «Thùng rác»."
    assert page.model.cached_row_of(household_id) is None
    assert search(register_db, home["code"]) == []

    window.show_area(tp.AREA_TITLE)
    assert window.stack.currentWidget() is window.trash_page
    [row] = trash_rows(window)
    assert row[0] == "Hộ gia đình" and row[1] == f"Hộ {home['code']} – {head}"
    assert row[4] == "canbo" and row[5] == "Nhập trùng hộ"
    assert "Sổ vốn" in window.trash_page.note_label.text()

    window.trash_page.table.selectRow(0)
    monkeypatch.setattr(window.trash_page, "ask_restore_reason", lambda entry: "Xóa nhầm")
    qtbot.mouseClick(window.trash_page.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.trash_page.table.rowCount() == 0)
    assert window.trash_page.empty_label.isVisible()
    assert "Đã khôi phục hộ gia đình" in window.trash_page.status_label.text()
    qtbot.waitUntil(lambda: page.count_label.text() == "250 hộ")
    assert search(register_db, home["code"]) == [household_id]
    assert not shown_errors


def test_a_member_deleted_from_the_editor_and_brought_back(register_window, page, qtbot,
                                                            register_db, monkeypatch):
    window = register_window
    row = next(r for r in range(20)
               if len(hh.members(register_db, page.model.household_id(r))) >= 3)
    household_id = page.model.household_id(row)
    member = hh.members(register_db, household_id)[2]
    editor = open_editor(qtbot, page, row)
    editor.roster.setCurrentIndex(editor.roster_model.index(2, 1))
    assert editor.delete_member_button.isEnabled()
    monkeypatch.setattr(editor, "ask_delete_reason", lambda title, question: "Không phải "
                        "người của hộ")
    count = len(editor.entries)
    qtbot.mouseClick(editor.delete_member_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(editor.entries) == count - 1)
    assert member["full_name"] in editor.message_label.text()
    assert member["id"] not in [m["id"] for m in hh.members(register_db, household_id)]
    editor.reject()

    window.show_area(tp.AREA_TITLE)
    [line] = trash_rows(window)
    assert line[:2] == ["Thành viên", member["full_name"]] and line[5] == ("Không phải người "
                                                                          "của hộ")
    window.trash_page.table.selectRow(0)
    monkeypatch.setattr(window.trash_page, "ask_restore_reason", lambda entry: "Nhầm")
    window.trash_page.restore_selected()
    qtbot.waitUntil(lambda: window.trash_page.table.rowCount() == 0)
    assert member["id"] in [m["id"] for m in hh.members(register_db, household_id)]


def test_deleting_the_head_is_refused_in_the_editor(page, qtbot, register_db, monkeypatch):
    row = next(r for r in range(20)
               if len(hh.members(register_db, page.model.household_id(r))) >= 2)
    editor = open_editor(qtbot, page, row)
    head_row = next(n for n, e in enumerate(editor.entries) if e.values["relation"] == "head")
    editor.roster.setCurrentIndex(editor.roster_model.index(head_row, 1))
    monkeypatch.setattr(editor, "ask_delete_reason", lambda title, question: "Nhầm")
    count = len(editor.entries)
    editor.delete_selected_member()
    qtbot.waitUntil(lambda: "Hãy chọn chủ hộ mới trước" in editor.message_label.text())
    assert len(editor.entries) == count and editor.isVisible()


def test_a_new_member_not_saved_cannot_be_deleted_and_a_new_household_has_no_delete(
        page, qtbot, register_db):
    page.add_household()
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    assert not editor.delete_household_button.isVisible()
    assert not editor.delete_member_button.isEnabled()


def test_a_restore_refused_says_why_in_the_page(register_window, qtbot, register_db,
                                                monkeypatch, shown_errors):
    window = register_window
    household_id = window.household_page.model.household_id(5)
    others = [m for m in hh.members(register_db, household_id) if m["relation"] != "head"]
    if not others:
        household_id = window.household_page.model.household_id(6)
        others = [m for m in hh.members(register_db, household_id) if m["relation"] != "head"]
    writer = sites.writer(register_db)
    hh.delete_member(writer, others[0]["id"], reason="Nhầm người")
    hh.delete_household(writer, household_id, reason="Nhập trùng hộ")
    window.show_area(tp.AREA_TITLE)
    rows = trash_rows(window)
    member_row = next(n for n, r in enumerate(rows) if r[0] == "Thành viên")
    assert "(hộ cũng đã xóa)" in rows[member_row][2]
    monkeypatch.setattr(window.trash_page, "ask_restore_reason", lambda entry: "Thử")
    window.trash_page.restore_row(member_row)
    qtbot.waitUntil(lambda: "Hãy khôi phục hộ trước" in window.trash_page.status_label.text())
    assert window.trash_page.table.rowCount() == 2 and not shown_errors


def test_the_reason_dialog_needs_a_reason(qtbot, type_vi):
    """Every page asks a reason or a comment with the same ``widgets.TextDialog``."""
    from gnapp.ui.widgets import TextDialog

    dialog = TextDialog("Khôi phục từ thùng rác", "Khôi phục hộ?", "Khôi phục")
    qtbot.addWidget(dialog)
    assert not dialog.go_button.isEnabled() and dialog.go_button.text() == "Khôi phục"
    type_vi(dialog.text_edit, "  ")
    assert not dialog.go_button.isEnabled()
    dialog.text_edit.clear()
    type_vi(dialog.text_edit, " Xóa   nhầm ")
    assert dialog.go_button.isEnabled() and dialog.value() == "Xóa nhầm"
    optional = TextDialog("Ghi chú", "Ghi chú thêm:", required=False, text="Cấp trên trả lại")
    qtbot.addWidget(optional)
    assert optional.go_button.isEnabled() and optional.value() == "Cấp trên trả lại"
