"""The review form (Phiếu A, B, C of one household in one round), driven from the keyboard as
far as possible, on a real database file; what it stored is read back on a fresh connection.

The commune 07339 (Xã Tân Yên) with two villages, three households and the periodic round of
2025 (standard CN2022: rural line 1.500.000 đồng, poor from 3 deprivations).
"""

import unicodedata
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import connection, reviews, sites, units
from gnapp.db import households as hh
from gnapp.domain import codes

NO_MOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
TODAY = date(2025, 11, 20)


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=NO_MOD):
    qtbot.keyClick(focused(), key, modifier)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def round_path(site_path):
    """Two villages, three households, the periodic round of 2025 (CN2022).

    The household of Lò Thị Hương (Thôn Đồng Tâm) gives the register's suggestions something
    to go on: a head without health insurance who is unemployed, a child of 13 who dropped
    out of school; it is an ethnic-minority household with a member under social protection.
    """
    db = connection.connect(site_path)
    w = sites.writer(db, "canbo")
    dong_tam = units.add_village(w, "Thôn Đồng Tâm")
    hoa_binh = units.add_village(w, "Thôn Hòa Bình")
    poor = hh.add_household(
        w, village_id=dong_tam["id"], area="rural", on_date="2024-01-01",
        ethnic_minority=1, social_protection=1,
        head={"full_name": "Lò Thị Hương", "sex": "nu", "birth_date": "1980",
              "ethnicity": "Thái", "health_insurance": 0, "employment": "unemployed"})
    hh.add_member(w, poor["id"], {"full_name": "Lò Văn Đức", "sex": "nam",
                                  "birth_date": "2012-04-12", "relation": "child",
                                  "ethnicity": "Thái", "health_insurance": 1,
                                  "schooling": "dropped_out"})
    hh.add_household(
        w, village_id=dong_tam["id"], area="rural", on_date="2024-01-01",
        head={"full_name": "Nguyễn Văn Bình", "sex": "nam", "birth_date": "1975",
              "ethnicity": "Kinh", "health_insurance": 1})
    hh.add_household(
        w, village_id=hoa_binh["id"], area="rural", on_date="2024-01-01",
        head={"full_name": "Trần Thị Mai", "sex": "nu", "birth_date": "1990",
              "ethnicity": "Kinh", "health_insurance": 1})
    reviews.create_round(w, year=2025, kind="periodic")
    db.close()
    return site_path


@pytest.fixture
def page(make_window, round_path):
    window = make_window(round_path)
    window.review_page.today = lambda: TODAY
    window.show_area("Rà soát")
    return window.review_page


def household_id_in(db, head: str) -> str:
    return next(r["household_id"] for r in db.query(
        "SELECT household_id FROM member WHERE full_name = ?", [head]))


def household_id(path, head: str) -> str:
    db = connection.connect(path)
    try:
        return household_id_in(db, head)
    finally:
        db.close()


def stored_review(path, head: str) -> dict | None:
    """The household's review in the round, read on a fresh connection."""
    db = connection.connect(path)
    try:
        round_ = reviews.rounds(db)[0]
        return reviews.review_of(db, round_["id"], household_id_in(db, head))
    finally:
        db.close()


def open_form(page, qtbot, path, head: str):
    form = page.open_form(household_id(path, head))
    assert form is not None
    qtbot.waitUntil(form.isActiveWindow)
    return form


def answer_all(form, deprived: set[str]) -> None:
    for row in form.indicator_rows:
        row.choice.set_value(row.indicator.code in deprived)


def save_and_wait(qtbot, form, button) -> None:
    with qtbot.waitSignal(form.finished, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- keyboard entry -----------------------------------------------------------------------------

def test_tab_order_follows_the_paper_form(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    assert focused() is form.screen_choice
    seen = [focused()]
    for _ in range(40):
        press(qtbot, Qt.Key.Key_Tab)
        if focused() in seen:
            break
        seen.append(focused())
    expected = [form.screen_choice, form.date_edit, form.reviewer_edit, form.income_edit,
                form.b1_edit, form.use_all_button, *(r.choice for r in form.indicator_rows),
                *form.cause_checks.values(), *form.need_checks.values(),
                form.override_combo, form.save_button, form.complete_button,
                form.cancel_button]
    assert seen == expected
    form.override_combo.setCurrentIndex(form.override_combo.findData("poor"))
    form.override_combo.setFocus()
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.override_reason_edit      # the reason once a class is chosen
    assert [r.label.text().replace("&", "").split(".")[0] for r in form.indicator_rows] == [
        str(n) for n in range(1, 13)]


def test_phieu_b_from_the_keyboard_t_k_and_g(page, qtbot, round_path, type_vi, shown_errors):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    suggested = {r.indicator.code: r.suggestion.deprived for r in form.indicator_rows
                 if r.suggestion is not None}
    assert suggested["healthInsurance"] is True
    assert suggested["childSchoolAttendance"] is True
    assert suggested["employment"] is True

    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.date_edit and form.date_edit.text() == "20/11/2025"
    press(qtbot, Qt.Key.Key_Tab)
    type_vi(focused(), "Nguyễn Thị Lan")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "1200000")
    press(qtbot, Qt.Key.Key_Tab)                      # B1: blank
    assert form.income_edit.text() == "1.200.000"
    press(qtbot, Qt.Key.Key_Tab)                      # "Dùng tất cả gợi ý"
    press(qtbot, Qt.Key.Key_Tab)
    for row in form.indicator_rows:
        assert focused() is row.choice, row.indicator.code
        if row.suggestion is not None:
            press(qtbot, Qt.Key.Key_G)
            assert row.choice.value() is row.suggestion.deprived
        elif row.indicator.code == "hygienicToilet":
            press(qtbot, Qt.Key.Key_T)
            assert row.choice.value() is True
        else:
            press(qtbot, Qt.Key.Key_K)
            assert row.choice.value() is False
        press(qtbot, Qt.Key.Key_Tab)
    assert form.preview.result.klass == "poor"
    assert form.class_label.text() == "Hộ nghèo"
    deprived = {r.indicator.code for r in form.indicator_rows
                if r.suggestion is not None and r.suggestion.deprived} | {"hygienicToilet"}
    with qtbot.waitSignal(form.finished, timeout=5000):
        press(qtbot, Qt.Key.Key_S, CTRL)
    assert not shown_errors

    review = stored_review(round_path, "Lò Thị Hương")
    assert review["status"] == "draft"
    assert review["reviewer"] == "Nguyễn Thị Lan"
    assert review["income_per_person"] == 1_200_000
    assert review["class"] == "poor"
    assert review["deprivation_count"] == len(deprived)


def test_classification_preview_updates_live(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    assert form.class_label.text() == "Chưa phân loại được"
    form.income_edit.setFocus()
    qtbot.keyClicks(form.income_edit, "1400000")
    assert form.class_label.text() == "Chưa phân loại được"      # indicators unanswered
    answer_all(form, {"healthInsurance", "housingArea", "cleanWater"})
    assert form.class_label.text() == "Hộ nghèo"
    assert "3/12" in form.score_label.text() and "30" in form.score_label.text()
    assert any("1.400.000" in line for line in form.reasons_label.text().splitlines())
    form.indicator_rows[-1].choice.setFocus()
    form.indicator_rows[[r.indicator.code for r in form.indicator_rows].index(
        "cleanWater")].choice.set_value(False)
    assert form.class_label.text() == "Hộ cận nghèo"
    form.income_edit.selectAll()
    qtbot.keyClicks(form.income_edit, "1600000")
    assert form.class_label.text() == "Không nghèo"


# -- completing ---------------------------------------------------------------------------------

def save_draft(path, head: str, **answers) -> dict:
    """A draft review of a household, saved through the backend (another session)."""
    db = connection.connect(path)
    w = sites.writer(db, "canbo")
    round_ = reviews.rounds(db)[0]
    row, _ = reviews.save_review(w, round_["id"], household_id_in(db, head), **answers)
    db.close()
    return row


def test_complete_refused_while_the_checklist_has_errors(page, qtbot, round_path,
                                                         shown_errors):
    save_draft(round_path, "Nguyễn Văn Bình", income_per_person=1_200_000,
               review_date="2025-11-18")
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    assert form.income_edit.text() == "1.200.000"
    assert form.preview.errors
    assert form.complete_button.isEnabled()
    assert "Chưa nhập người rà soát" in form.complete_button.toolTip()
    press(qtbot, Qt.Key.Key_H, ALT)                  # the mnemonic clicks after a moment
    qtbot.waitUntil(lambda: form.message_label.text().startswith("Chưa hoàn thành"))
    assert form.isVisible()
    assert not shown_errors
    assert form.message_label.text().startswith("Chưa hoàn thành được phiếu: còn 3 lỗi")
    assert "✗ Chưa nhập người rà soát." in form.checklist_label.text()
    assert "✗ Chưa trả lời 12/12 chỉ số thiếu hụt" in form.checklist_label.text()
    assert form.checklist_title.text().startswith("Còn thiếu hoặc sai (")
    assert form.errors.message("reviewer") == "Chưa nhập người rà soát."
    assert focused() is form.reviewer_edit
    assert stored_review(round_path, "Nguyễn Văn Bình")["status"] == "draft"

    # fixing what was missing completes the same review
    qtbot.keyClicks(form.reviewer_edit, "Le Van Tam")
    assert form.errors.message("reviewer") == ""
    answer_all(form, set())
    assert not form.preview.errors
    save_and_wait(qtbot, form, form.complete_button)
    review = stored_review(round_path, "Nguyễn Văn Bình")
    assert review["status"] == "complete" and review["class"] == "near_poor"
    assert review["review_date"] == "2025-11-18" and review["reviewer"] == "Le Van Tam"
    assert review["version"] == 3                   # the refusal wrote nothing
    assert not shown_errors


def test_complete_refused_puts_the_keyboard_on_the_first_unanswered_indicator(
        page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    qtbot.keyClicks(form.reviewer_edit, "Le Van Tam")
    form.income_edit.setText("1200000")
    form.income_edit.textEdited.emit("1200000")
    answer_all(form, set())
    form.indicator_rows[4].choice.set_value(None)
    qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert focused() is form.indicator_rows[4].choice
    assert stored_review(round_path, "Nguyễn Văn Bình") is None


def test_complete_stores_status_standard_and_class(page, qtbot, round_path, type_vi):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    form.reviewer_edit.setFocus()
    type_vi(form.reviewer_edit, nfd("Đặng Thị Thủy"))
    assert form.reviewer_edit.text() == nfd("Đặng Thị Thủy")     # as an IME may send it
    form.income_edit.setFocus()
    qtbot.keyClicks(form.income_edit, "900000")
    form.use_all_suggestions()
    for row in form.indicator_rows:
        if row.choice.value() is None:
            row.choice.set_value(False)
    assert form.class_label.text() == "Hộ nghèo"
    assert "có thể bấm «Hoàn thành»" in form.checklist_label.text()
    save_and_wait(qtbot, form, form.complete_button)
    review = stored_review(round_path, "Lò Thị Hương")
    assert review["status"] == "complete"
    assert review["standard_id"] == "CN2022"
    assert review["class"] == "poor" and review["computed_class"] == "poor"
    assert review["reviewer"] == "Đặng Thị Thủy"
    assert unicodedata.is_normalized("NFC", review["reviewer"])
    assert review["review_date"] == "2025-11-20"
    assert page.model.review_info(review["household_id"]) == ("Hộ nghèo", "complete")


def shown_in_scroll(form, widget) -> bool:
    """Whether ``widget`` lies wholly in the visible part of the form's scroll area."""
    viewport = form.form_scroll.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    return viewport.rect().contains(top_left) and viewport.rect().contains(
        widget.mapTo(viewport, widget.rect().bottomRight()))


def test_enter_moves_on_in_sight_and_never_completes(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    form.date_edit.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is form.reviewer_edit
    form.indicator_rows[0].choice.setFocus()
    for row in form.indicator_rows[1:]:
        press(qtbot, Qt.Key.Key_K)
        press(qtbot, Qt.Key.Key_Return)
        assert focused() is row.choice
        assert shown_in_scroll(form, row.choice), row.indicator.code
    press(qtbot, Qt.Key.Key_K)
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is next(iter(form.cause_checks.values()))
    assert shown_in_scroll(form, focused())
    form.override_combo.setCurrentIndex(1)
    form.override_reason_edit.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    assert form.isVisible()
    assert stored_review(round_path, "Lò Thị Hương") is None


def test_a_refused_save_shows_the_field_to_fix(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    qtbot.keyClicks(form.reviewer_edit, "Le Van Tam")
    form.income_edit.setText("1200000")
    form.income_edit.textEdited.emit("1200000")
    answer_all(form, set())
    form.indicator_rows[10].choice.set_value(None)
    form.form_scroll.verticalScrollBar().setValue(0)
    qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert focused() is form.indicator_rows[10].choice
    assert shown_in_scroll(form, focused())


# -- manual override ----------------------------------------------------------------------------

def test_override_needs_a_reason_and_shows_as_a_warning(page, qtbot, round_path, type_vi):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    form.reviewer_edit.setText("Lê Văn Tám")
    form.reviewer_edit.textEdited.emit("Lê Văn Tám")
    form.income_edit.setText("1600000")
    form.income_edit.textEdited.emit("1600000")
    answer_all(form, set())
    assert form.class_label.text() == "Không nghèo"
    assert not form.override_reason_edit.isEnabled()      # no correction, no reason
    form.override_combo.setCurrentIndex(form.override_combo.findData("near_poor"))
    assert form.override_reason_edit.isEnabled()
    assert form.errors.message("override_reason")
    assert "lý do" in form.errors.message("override_reason").lower()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert "Chưa lưu được" in form.message_label.text()
    assert focused() is form.override_reason_edit
    assert stored_review(round_path, "Nguyễn Văn Bình") is None

    type_vi(form.override_reason_edit, nfd("Theo kết quả họp dân thôn"))
    assert form.errors.message("override_reason") == ""
    assert form.class_label.text() == "Hộ cận nghèo (sửa tay)"
    warnings = form.checklist_messages("warning")
    assert any(w.startswith("Phân loại được sửa tay: Không nghèo → Hộ cận nghèo") for w in warnings)
    assert "⚠ Phân loại được sửa tay" in form.checklist_label.text()
    save_and_wait(qtbot, form, form.complete_button)
    review = stored_review(round_path, "Nguyễn Văn Bình")
    assert review["status"] == "complete"
    assert review["class"] == "near_poor" and review["computed_class"] == "not_poor"
    assert review["override_reason"] == "Theo kết quả họp dân thôn"
    assert unicodedata.is_normalized("NFC", review["override_reason"])

    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    assert form.override_combo.currentData() == "near_poor"
    assert form.override_reason_edit.text() == "Theo kết quả họp dân thôn"
    assert form.class_label.text() == "Hộ cận nghèo (sửa tay)"


# -- a complete review --------------------------------------------------------------------------

def complete_review(path, head: str) -> dict:
    db = connection.connect(path)
    w = sites.writer(db, "canbo")
    round_ = reviews.rounds(db)[0]
    home = household_id_in(db, head)
    row, _ = reviews.save_review(
        w, round_["id"], home, income_per_person=1_000_000, reviewer="Lê Văn Tám",
        review_date="2025-11-02",
        deprivations={c: c in ("healthInsurance", "employment")
                      for c in reviews.standard(round_["standard_id"]).indicator_codes})
    row = reviews.complete_review(w, row["id"])
    db.close()
    return row


def test_complete_review_is_read_only_and_reopening_needs_a_reason(page, qtbot, round_path,
                                                                   type_vi, shown_errors):
    complete_review(round_path, "Nguyễn Văn Bình")
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    assert form.is_complete
    assert focused() is form.reopen_reason_edit
    for widget in (form.screen_choice, form.date_edit, form.reviewer_edit, form.income_edit,
                   form.b1_edit, *(r.choice for r in form.indicator_rows),
                   *form.cause_checks.values(), form.override_combo):
        assert not widget.isEnabled(), widget
    assert not form.save_button.isVisible() and not form.complete_button.isVisible()
    assert form.cancel_button.text() == "Đóng"
    assert form.class_label.text() == "Hộ cận nghèo"

    qtbot.mouseClick(form.reopen_button, Qt.MouseButton.LeftButton)
    assert "lý do" in form.message_label.text()
    assert stored_review(round_path, "Nguyễn Văn Bình")["status"] == "complete"

    form.reopen_reason_edit.setFocus()
    type_vi(form.reopen_reason_edit, nfd("Hộ bổ sung giấy tờ thu nhập"))
    with qtbot.waitSignal(form.saved, timeout=5000):
        qtbot.mouseClick(form.reopen_button, Qt.MouseButton.LeftButton)
    assert not shown_errors
    assert not form.is_complete
    assert form.income_edit.isEnabled() and form.save_button.isVisible()
    assert focused() is form.date_edit
    review = stored_review(round_path, "Nguyễn Văn Bình")
    assert review["status"] == "draft"
    db = connection.connect(round_path)
    reasons = [r[0] for r in db.execute(
        "SELECT reason FROM audit_log WHERE row_id = ? ORDER BY id", [review["id"]])]
    db.close()
    assert reasons[-1] == "Hộ bổ sung giấy tờ thu nhập"


# -- Phiếu A, C ---------------------------------------------------------------------------------

def test_phieu_a_stop_makes_the_household_not_poor(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Trần Thị Mai")
    press(qtbot, Qt.Key.Key_D)
    assert form.screen_choice.value() == "stop"
    assert not form.income_edit.isEnabled()
    assert not form.indicator_rows[0].choice.isEnabled()
    assert form.class_label.text() == "Không nghèo"
    form.reviewer_edit.setText("Lê Văn Tám")
    form.reviewer_edit.textEdited.emit("Lê Văn Tám")
    save_and_wait(qtbot, form, form.complete_button)
    review = stored_review(round_path, "Trần Thị Mai")
    assert review["status"] == "complete" and review["class"] == "not_poor"
    assert review["screen_result"] == "stop"


def test_phieu_c_causes_needs_and_target_groups(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    groups = form.target_group_texts()
    assert groups == [codes.HOUSEHOLD_FLAGS["ethnic_minority"],
                      codes.HOUSEHOLD_FLAGS["social_protection"]]
    assert "Hộ gia đình" in form.target_groups_hint.text()
    form.cause_checks["lackCapital"].setFocus()
    press(qtbot, Qt.Key.Key_Space)
    form.need_checks["credit"].setFocus()
    press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(form.finished, timeout=5000):
        press(qtbot, Qt.Key.Key_S, CTRL)
    review = stored_review(round_path, "Lò Thị Hương")
    assert review["causes"] == '["lackCapital"]' and review["needs"] == '["credit"]'


# -- refusals -----------------------------------------------------------------------------------

def test_a_change_made_elsewhere_is_shown_not_crashed_on(page, qtbot, round_path, shown_errors):
    db = connection.connect(round_path)
    w = sites.writer(db, "canbo")
    round_ = reviews.rounds(db)[0]
    home = household_id_in(db, "Nguyễn Văn Bình")
    reviews.save_review(w, round_["id"], home, income_per_person=1_000_000)
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    reviews.save_review(w, round_["id"], home, income_per_person=1_100_000,
                        expected_version=None)
    db.close()
    form.reviewer_edit.setText("Lê Văn Tám")
    form.reviewer_edit.textEdited.emit("Lê Văn Tám")
    with qtbot.waitSignal(page.tasks.busy_changed, timeout=5000,
                          check_params_cb=lambda busy: not busy):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert "vừa được sửa ở nơi khác" in form.message_label.text()
    assert not shown_errors
    assert stored_review(round_path, "Nguyễn Văn Bình")["income_per_person"] == 1_100_000


def test_unreadable_income_is_refused_next_to_the_field(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    form.income_edit.setFocus()
    qtbot.keyClicks(form.income_edit, "abc")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.errors.message("income_per_person")
    assert focused() is form.income_edit
    assert stored_review(round_path, "Nguyễn Văn Bình") is None


def test_the_form_fits_a_small_screen(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    available = form.screen().availableGeometry()
    assert form.frameGeometry().height() <= available.height()
    assert form.width() <= available.width()
    assert form.complete_button.isVisible()


def test_b1_score_instead_of_income(page, qtbot, round_path, type_vi):
    form = open_form(page, qtbot, round_path, "Trần Thị Mai")
    qtbot.keyClicks(form.reviewer_edit, "Le Van Tam")
    form.b1_edit.setFocus()
    qtbot.keyClicks(form.b1_edit, "135,5")
    answer_all(form, {"nutrition"})
    assert form.class_label.text() == "Hộ cận nghèo"
    assert any(line.startswith("• Điểm B1 135,5 ≤ ngưỡng nông thôn 140")
               for line in form.reasons_label.text().splitlines())
    save_and_wait(qtbot, form, form.complete_button)
    review = stored_review(round_path, "Trần Thị Mai")
    assert review["income_per_person"] is None
    assert review["b1_score"] == "135.5"
    assert review["class"] == "near_poor" and review["status"] == "complete"
    form = open_form(page, qtbot, round_path, "Trần Thị Mai")
    assert form.b1_edit.text() == "135,5"


def test_a_bad_review_date_is_refused_next_to_the_field(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    form.date_edit.selectAll()
    qtbot.keyClicks(form.date_edit, "31/02/2025")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.errors.message("review_date")
    assert focused() is form.date_edit
    assert stored_review(round_path, "Nguyễn Văn Bình") is None


def test_the_suggestions_follow_the_review_date(page, qtbot, round_path):
    form = open_form(page, qtbot, round_path, "Lò Thị Hương")
    school = next(r for r in form.indicator_rows if r.indicator.code == "childSchoolAttendance")
    assert school.suggestion.deprived is True            # Lò Văn Đức, 13, dropped out
    form.date_edit.selectAll()
    qtbot.keyClicks(form.date_edit, "20/11/2028")        # 16 then: not a child of school age
    assert school.suggestion.deprived is False
    assert school.suggestion_label.text().startswith("Gợi ý: không thiếu hụt")


def test_the_reviewer_is_carried_to_the_next_household_and_esc_saves_nothing(
        page, qtbot, round_path, type_vi):
    form = open_form(page, qtbot, round_path, "Nguyễn Văn Bình")
    form.reviewer_edit.setFocus()
    type_vi(form.reviewer_edit, "Hà Thị Ngân")
    save_and_wait(qtbot, form, form.save_button)
    assert page.last_reviewer == "Hà Thị Ngân"
    form = open_form(page, qtbot, round_path, "Trần Thị Mai")
    assert form.reviewer_edit.text() == "Hà Thị Ngân"
    form.income_edit.setFocus()
    qtbot.keyClicks(form.income_edit, "1000000")
    with qtbot.waitSignal(form.finished, timeout=5000):
        press(qtbot, Qt.Key.Key_Escape)
    assert stored_review(round_path, "Trần Thị Mai") is None
