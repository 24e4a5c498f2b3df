"""The unsaved-changes guard ("Lưu / Không lưu / Hủy"): the household editor, the review form,
the small write dialogs, the project form, and closing the main window, on real databases."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gnapp.db import connection, reviews, sites
from gnapp.db import households as hh
from gnapp.db import projects as pj
from gnapp.ui import widgets
from gnapp.ui.household_editor import HouseholdEditor

REAL_CONFIRM = HouseholdEditor.confirm_discard   # before the autouse fixture replaces it
REAL_ASK = widgets.ask_unsaved


class Answers:
    """Stands in for ``widgets.ask_unsaved``: records each question, gives the set answer."""

    def __init__(self, answer=widgets.CANCEL):
        self.answer = answer
        self.asked = []

    def __call__(self, parent, question, explanation="", **kw):
        self.asked.append(question)
        return self.answer


@pytest.fixture
def answers(monkeypatch):
    found = Answers()
    monkeypatch.setattr(widgets, "ask_unsaved", found)
    monkeypatch.setattr(HouseholdEditor, "confirm_discard", REAL_CONFIRM)
    return found


@pytest.fixture
def round_path(register_path):
    db = connection.connect(register_path)
    reviews.create_round(sites.writer(db, "canbo"), year=2025, kind="periodic")
    db.close()
    return register_path


def first_household(path):
    db = connection.connect(path)
    try:
        return {"id": db.execute("SELECT id FROM household WHERE deleted = 0 "
                                 "ORDER BY code LIMIT 1").fetchone()[0]}
    finally:
        db.close()


def stored_review(path, household_id):
    db = connection.connect(path)
    try:
        return reviews.review_of(db, reviews.rounds(db)[0]["id"], household_id)
    finally:
        db.close()


# -- the question itself ----------------------------------------------------------------------------

@pytest.mark.parametrize("button, expected", [("Lưu", widgets.SAVE),
                                              ("Không lưu", widgets.DISCARD),
                                              ("Hủy", widgets.CANCEL)])
def test_the_question_has_three_vietnamese_answers(qtbot, button, expected):
    seen = []

    def click():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append([b.text() for b in box.buttons()])
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(50, click)
    assert REAL_ASK(None, "Hộ này có thay đổi chưa lưu. Lưu trước khi đóng?") == \
        expected
    assert sorted(seen[0]) == sorted(["Lưu", "Không lưu", "Hủy"])


# -- the household editor -----------------------------------------------------------------------------

def test_the_household_editor_saves_on_lưu(register_window, answers, qtbot, register_db):
    page = register_window.household_page
    page.edit_row(0)
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    household_id = editor.household_id
    editor.address_edit.setText("Xóm Đồi Chè")
    answers.answer = widgets.CANCEL
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.isVisible() and len(answers.asked) == 1
    answers.answer = widgets.SAVE
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert hh.household(register_db, household_id)["address"] == "Xóm Đồi Chè"


# -- the review form ------------------------------------------------------------------------------------

@pytest.fixture
def review_page(make_window, round_path):
    window = make_window(round_path)
    window.show_area("Rà soát")
    return window.review_page


def open_form(page, qtbot, household_id):
    form = page.open_form(household_id)
    qtbot.waitUntil(form.isActiveWindow)
    return form


def test_the_review_form_asks_only_when_something_was_typed(review_page, round_path, answers,
                                                           qtbot, type_vi):
    home = first_household(round_path)
    form = open_form(review_page, qtbot, home["id"])
    form.reject()                                      # nothing typed: closes, no question
    assert not form.isVisible() and answers.asked == []

    form = open_form(review_page, qtbot, home["id"])
    form.reviewer_edit.setFocus()
    type_vi(form.reviewer_edit, "Hà Thị Ngân")
    assert form.unsaved_changes() == [form.windowTitle()]
    answers.answer = widgets.CANCEL
    form.reject()
    assert form.isVisible() and form.reviewer_edit.text() == "Hà Thị Ngân"
    answers.answer = widgets.DISCARD
    form.reject()
    assert not form.isVisible()
    assert stored_review(round_path, home["id"]) is None
    assert answers.asked == ["Phiếu này có thay đổi chưa lưu. Lưu nháp trước khi đóng?"] * 2


def test_lưu_in_the_review_form_saves_the_draft(review_page, round_path, answers, qtbot,
                                                type_vi):
    home = first_household(round_path)
    form = open_form(review_page, qtbot, home["id"])
    form.reviewer_edit.setFocus()
    type_vi(form.reviewer_edit, "Hà Thị Ngân")
    answers.answer = widgets.SAVE
    with qtbot.waitSignal(form.finished, timeout=5000):
        form.reject()
    assert stored_review(round_path, home["id"])["reviewer"] == "Hà Thị Ngân"


# -- the small write dialogs ---------------------------------------------------------------------------

def test_a_write_dialog_asks_before_dropping_what_was_typed(review_page, answers, qtbot):
    qtbot.mouseClick(review_page.new_round_button, Qt.MouseButton.LeftButton)
    dialog = review_page.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()                                    # untouched: no question
    assert answers.asked == [] and not dialog.isVisible()

    qtbot.mouseClick(review_page.new_round_button, Qt.MouseButton.LeftButton)
    dialog = review_page.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.year_spin.setValue(2031)
    answers.answer = widgets.CANCEL
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and len(answers.asked) == 1
    answers.answer = widgets.DISCARD
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_an_allocation_decision_dialog_asks_too(make_window, site_path, answers, qtbot,
                                                type_vi):
    window = make_window(site_path)
    window.show_area("Phân bổ vốn")
    dialog = window.allocation_page.new_decision()
    qtbot.waitUntil(dialog.isVisible)
    dialog.issuer_edit.setFocus()
    type_vi(dialog.issuer_edit, "UBND huyện")
    answers.answer = widgets.CANCEL
    dialog.reject()
    assert dialog.isVisible() and len(answers.asked) == 1
    assert window.unsaved_changes() == [dialog.windowTitle()]


# -- the project form --------------------------------------------------------------------------------

def test_switching_project_with_changed_information_asks(make_window, site_path, answers,
                                                         qtbot):
    db = connection.connect(site_path)
    w = sites.writer(db, "canbo")
    first = pj.create_project(w, name="Dự án nuôi dê", kind="project", line_code="DA2")
    second = pj.create_project(w, name="Mô hình trồng cam", kind="model", line_code="DA2")
    db.close()
    window = make_window(site_path)
    window.show_area("Dự án, giải ngân")
    page = window.projects_page
    page.refresh()
    rows = {page.project_table.item(r, 0).text(): r for r in range(page.project_table.rowCount())}
    page.project_table.setCurrentCell(rows["Dự án nuôi dê"], 0)
    assert page.project_id == first["id"]
    page.name_edit.setText("Dự án nuôi dê sinh sản")
    answers.answer = widgets.CANCEL
    page.project_table.setCurrentCell(rows["Mô hình trồng cam"], 0)
    assert page.project_id == first["id"]
    assert page.name_edit.text() == "Dự án nuôi dê sinh sản"
    assert page.project_table.currentRow() == rows["Dự án nuôi dê"]
    answers.answer = widgets.DISCARD
    page.project_table.setCurrentCell(rows["Mô hình trồng cam"], 0)
    assert page.project_id == second["id"] and page.name_edit.text() == "Mô hình trồng cam"
    assert len(answers.asked) == 2


# -- closing the program --------------------------------------------------------------------------------

def test_closing_the_window_over_an_unsaved_household_asks(register_window, answers, qtbot):
    page = register_window.household_page
    page.edit_row(0)
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    assert register_window.unsaved_changes() == []
    editor.address_edit.setText("Xóm Đồi Chè")
    assert register_window.unsaved_changes() == [editor.windowTitle()]
    answers.answer = widgets.CANCEL
    assert not register_window.close()
    assert register_window.isVisible() and editor.isVisible()
    assert answers.asked == ["Còn thay đổi chưa lưu. Đóng phần mềm và bỏ các thay đổi này?"]
    answers.answer = widgets.DISCARD
    assert register_window.close()
