"""The "Rà soát" area: opening a round, the per-village dashboard, the households of a village,
and the procedure steps (village meeting, posting, decision), each written through its dialog
on a real database file and read back on a fresh connection."""

import unicodedata
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import connection, procedure, reviews, sites, units
from gnapp.domain.numbers import format_int
from gnapp.ui.review_page import (ALL_VILLAGES, NO_ROUNDS, MeetingDialog, ReviewPage,
                                  meeting_text, posting_text)

TODAY = date(2025, 12, 1)


def focused():
    return QApplication.focusWidget()


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def review_page(window) -> ReviewPage:
    page = window.review_page
    page.today = lambda: TODAY
    window.show_area("Rà soát")
    return page


def open_dialog(qtbot, button):
    page = button.parentWidget()
    while not isinstance(page, ReviewPage):
        page = page.parentWidget()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def press_ok(qtbot, dialog) -> bool:
    """"Ghi" (or "Mở đợt"); wait until the worker answered. True when the dialog closed
    (it is deleted then), False when it stays open with the refusal."""
    closed = []
    dialog.finished.connect(closed.append)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(closed) or dialog.ok_button.isEnabled(), timeout=5000)
    return bool(closed)


def steps_of(path, kind: str) -> list[dict]:
    db = connection.connect(path)
    try:
        round_ = reviews.rounds(db)[-1]
        return [s for s in procedure.steps(db, round_["id"]) if s["kind"] == kind]
    finally:
        db.close()


@pytest.fixture
def villages_path(site_path):
    """The commune with two villages and no round yet."""
    db = connection.connect(site_path)
    w = sites.writer(db, "canbo")
    units.add_village(w, "Thôn Đồng Tâm")
    units.add_village(w, "Thôn Hòa Bình")
    db.close()
    return site_path


@pytest.fixture
def round_path(register_path):
    """The register of 250 households in 3 villages and the periodic round of 2025."""
    db = connection.connect(register_path)
    reviews.create_round(sites.writer(db, "canbo"), year=2025, kind="periodic")
    db.close()
    return register_path


@pytest.fixture
def page(make_window, round_path):
    return review_page(make_window(round_path))


def village_row(page, name: str) -> int:
    return next(n for n, v in enumerate(page.progress) if v["village"] == name)


# -- rounds -------------------------------------------------------------------------------------

def test_open_the_periodic_round_of_a_year(make_window, villages_path, qtbot, shown_errors):
    page = review_page(make_window(villages_path))
    assert page.round_combo.count() == 0
    assert page.round_info.text() == NO_ROUNDS
    assert not page.meeting_button.isEnabled() and not page.posting_button.isEnabled()
    assert page.dashboard.rowCount() == 0

    dialog = open_dialog(qtbot, page.new_round_button)
    assert focused() is dialog.kind_combo
    assert dialog.kind_combo.currentData() == "periodic"
    assert not dialog.month_spin.isEnabled()
    dialog.year_spin.setValue(2025)
    assert press_ok(qtbot, dialog)
    assert not shown_errors

    db = connection.connect(villages_path)
    [round_] = reviews.rounds(db)
    db.close()
    assert (round_["kind"], round_["year"], round_["month"]) == ("periodic", 2025, None)
    assert round_["standard_id"] == "CN2022"          # the lists of 2026
    assert (round_["starts_on"], round_["ends_on"]) == ("2025-09-01", "2025-12-14")
    assert page.round_combo.currentText() == "Rà soát định kỳ năm 2025 – chuẩn CN2022"
    assert page.current_round_id() == round_["id"]
    assert page.round_info.text().startswith("Từ 01/09/2025 đến 14/12/2025. Chuẩn CN2022")
    assert [r[0] for r in page.dashboard_rows()] == ["Thôn Đồng Tâm", "Thôn Hòa Bình",
                                                     ALL_VILLAGES]
    assert page.posting_button.isEnabled()


def test_the_round_of_2026_takes_the_provisional_standard(make_window, villages_path, qtbot):
    page = review_page(make_window(villages_path))
    dialog = open_dialog(qtbot, page.new_round_button)
    dialog.year_spin.setValue(2025)
    assert dialog.standard_label.text().startswith("CN2022 – ")
    dialog.year_spin.setValue(2026)  # the standard is shown before the round is opened
    assert dialog.standard_label.text().startswith("CN2027 – ")
    assert dialog.standard_label.text().endswith("Kết quả phân loại theo chuẩn này được ghi là tạm thời.")
    dialog.year_spin.setValue(2031)
    assert dialog.standard_label.text().startswith("Không có chuẩn nghèo nào áp dụng")
    dialog.year_spin.setValue(2026)
    assert press_ok(qtbot, dialog)
    assert page.round_combo.currentText() == "Rà soát định kỳ năm 2026 – chuẩn CN2027 (tạm thời)"
    assert "chuẩn tạm thời" in page.round_info.text()
    db = connection.connect(villages_path)
    assert [r["standard_id"] for r in reviews.rounds(db)] == ["CN2027"]
    db.close()


def test_a_regular_round_takes_its_month(make_window, villages_path, qtbot):
    page = review_page(make_window(villages_path))
    dialog = open_dialog(qtbot, page.new_round_button)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("regular"))
    assert dialog.month_spin.isEnabled()
    assert "ngày 15" in dialog.hint_label.text()
    dialog.year_spin.setValue(2025)
    dialog.month_spin.setValue(3)
    assert press_ok(qtbot, dialog)
    db = connection.connect(villages_path)
    [round_] = reviews.rounds(db)
    db.close()
    assert (round_["kind"], round_["month"], round_["starts_on"]) == ("regular", 3, "2025-03-15")
    assert page.round_combo.currentText() == "Rà soát thường xuyên tháng 3/2025 – chuẩn CN2022"


def test_a_round_without_a_standard_for_its_dates_is_refused_in_the_dialog(
        make_window, villages_path, qtbot, shown_errors):
    page = review_page(make_window(villages_path))
    dialog = open_dialog(qtbot, page.new_round_button)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("regular"))
    dialog.year_spin.setValue(2021)                   # before CN2022 (from 01/01/2022)
    dialog.month_spin.setValue(6)
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.message_label.isVisibleTo(dialog)
    assert "Không có chuẩn nghèo nào áp dụng cho ngày 15/06/2021" in dialog.message_label.text()
    assert not shown_errors
    db = connection.connect(villages_path)
    assert reviews.rounds(db) == []
    db.close()


def test_the_same_round_twice_is_refused_in_the_dialog(page, qtbot, round_path, shown_errors):
    dialog = open_dialog(qtbot, page.new_round_button)
    dialog.year_spin.setValue(2025)
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "Đã có đợt rà soát này" in dialog.message_label.text()
    assert not shown_errors
    dialog.reject()
    db = connection.connect(round_path)
    assert len(reviews.rounds(db)) == 1
    db.close()


# -- the dashboard and the households -----------------------------------------------------------

def save_reviews(path, count: int, *, complete_every: int = 2) -> None:
    """Reviews of the first ``count`` households (by code): every other one complete, one in
    four a draft with errors (no reviewer)."""
    db = connection.connect(path)
    w = sites.writer(db, "canbo")
    round_ = reviews.rounds(db)[-1]
    codes = reviews.standard(round_["standard_id"]).indicator_codes
    homes = [r["id"] for r in db.query("SELECT id FROM household ORDER BY code LIMIT ?",
                                       [count])]

    def op(w):
        for n, home in enumerate(homes):
            row, _ = reviews.save_review(
                w, round_["id"], home, income_per_person=1_000_000 + 10_000 * n,
                review_date="2025-11-10", reviewer=None if n % 4 == 3 else "Lê Văn Tám",
                deprivations={c: i < n % 5 for i, c in enumerate(codes)})
            if n % complete_every == 0:
                reviews.complete_review(w, row["id"])

    w.transact(op)
    db.close()


def test_dashboard_counts_match_village_progress(page, round_path, qtbot):
    save_reviews(round_path, 40)
    page.refresh()
    db = connection.connect(round_path)
    progress = procedure.village_progress(db, reviews.rounds(db)[-1]["id"], TODAY)
    db.close()
    rows = page.dashboard_rows()
    assert len(rows) == len(progress) + 1
    for line, village in zip(rows, progress):
        facts = village["facts"]
        assert line[page.VILLAGE] == village["village"]
        assert [line[c] for c in (page.HOUSEHOLDS, page.REVIEWED, page.COMPLETE, page.ERRORS,
                                  page.COMPLAINTS)] == [
            format_int(facts.households), format_int(facts.reviewed),
            format_int(facts.complete), format_int(facts.with_errors),
            format_int(facts.open_complaints)]
        assert line[page.STAGE] == village["stage_label"]
        assert line[page.MEETING] == meeting_text(facts.meeting_agreed)
        assert line[page.POSTING] == posting_text(facts.posting_start, facts.posting_end)
    total = rows[-1]
    assert total[page.VILLAGE] == ALL_VILLAGES
    assert total[page.HOUSEHOLDS] == "250"
    assert total[page.REVIEWED] == "40"
    assert total[page.COMPLETE] == "20"
    assert total[page.ERRORS] == format_int(sum(v["facts"].with_errors for v in progress))
    assert sum(v["facts"].with_errors for v in progress) == 10


def test_saving_a_review_in_the_form_updates_the_dashboard(page, round_path, qtbot):
    page.select_village(page.progress[0]["village_id"])
    assert page.dashboard_rows()[0][page.REVIEWED] == "0"
    page.select_row(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    form = page.form
    assert form is not None
    qtbot.waitUntil(form.isActiveWindow)
    form.reviewer_edit.setText("Lê Văn Tám")
    form.reviewer_edit.textEdited.emit("Lê Văn Tám")
    with qtbot.waitSignal(page.review_saved, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    rows = page.dashboard_rows()
    assert rows[0][page.REVIEWED] == "1" and rows[0][page.ERRORS] == "1"
    assert rows[0][page.STAGE] == "Đang rà soát"
    assert page.selected_village_id() == page.progress[0]["village_id"]
    assert page.selected_household_id() == page.model.household_id(0)
    assert page.model.data(page.model.index(0, page.model.STATE)) == "Có lỗi"


def test_the_household_list_follows_the_chosen_village(page, round_path, qtbot):
    save_reviews(round_path, 6)
    row = village_row(page, "Thôn Tân Lập")
    village_id = page.progress[row]["village_id"]
    page.dashboard.selectRow(row)
    assert page.model.filter.village_id == village_id
    assert page.households_title.text() == "Các hộ – Thôn Tân Lập"
    db = connection.connect(round_path)
    expected = {r["id"] for r in db.query(
        "SELECT id FROM household WHERE village_id = ? AND deleted = 0", [village_id])}
    db.close()
    shown = {page.model.household_id(r) for r in range(page.model.rowCount())}
    assert shown == expected and len(shown) == int(page.dashboard_rows()[row][page.HOUSEHOLDS])
    assert page.count_label.text().startswith(format_int(len(expected)))
    assert page.meeting_button.isEnabled()
    states = {page.model.data(page.model.index(r, page.model.STATE))
              for r in range(page.model.rowCount())}
    assert "Chưa rà soát" in states

    page.dashboard.selectRow(len(page.progress))      # "Toàn xã"
    assert page.model.filter.village_id is None
    assert page.model.rowCount() == 250
    assert page.households_title.text() == "Các hộ – toàn xã"
    assert not page.meeting_button.isEnabled()

    page.dashboard.selectRow(row)
    page.search_edit.setText("khong co ai ten nay")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.model.filter.village_id == village_id


# -- procedure steps ----------------------------------------------------------------------------

def test_a_meeting_without_half_agreeing_sends_the_village_back_to_review(
        page, round_path, qtbot, type_vi, shown_errors):
    save_reviews(round_path, 12)
    row = village_row(page, "Thôn Đông Sơn")
    page.dashboard.selectRow(row)
    dialog = open_dialog(qtbot, page.meeting_button)
    assert isinstance(dialog, MeetingDialog)
    assert "Thôn Đông Sơn" in dialog.windowTitle()
    dialog.date_edit.selectAll()
    qtbot.keyClicks(dialog.date_edit, "05/12/2025")
    dialog.attendees_spin.setValue(40)
    dialog.agreed_spin.setValue(15)
    assert "Chỉ 15/40 người đồng ý (dưới 50%)" in dialog.hint_label.text()
    dialog.content_edit.setFocus()
    type_vi(dialog.content_edit, nfd("Bình xét danh sách hộ nghèo"))
    assert press_ok(qtbot, dialog)
    assert not shown_errors

    [step] = steps_of(round_path, "meeting")
    assert (step["on_date"], step["attendees"], step["agreed"], step["result"]) == (
        "2025-12-05", 40, 15, "not_agreed")
    assert step["village_id"] == page.progress[row]["village_id"]
    assert step["content"] == "Bình xét danh sách hộ nghèo"
    line = page.dashboard_rows()[row]
    assert line[page.MEETING] == "Chưa thống nhất"
    assert line[page.STAGE] == "Họp dân chưa thống nhất, rà soát lại"
    assert page.selected_village_id() == step["village_id"]

    dialog = open_dialog(qtbot, page.meeting_button)         # reviewed again, met again
    dialog.date_edit.setText("09/12/2025")
    dialog.attendees_spin.setValue(40)
    dialog.agreed_spin.setValue(20)
    assert "20/40 người đồng ý: họp dân thống nhất" in dialog.hint_label.text()
    assert press_ok(qtbot, dialog)
    assert page.dashboard_rows()[row][page.MEETING] == "Đã thống nhất"
    assert page.dashboard_rows()[row][page.STAGE] == "Đã họp dân"


def test_a_meeting_with_a_bad_date_or_counts_is_refused_in_the_dialog(page, round_path, qtbot):
    page.dashboard.selectRow(0)
    dialog = open_dialog(qtbot, page.meeting_button)
    dialog.date_edit.setText("31/02/2025")
    dialog.attendees_spin.setValue(10)
    dialog.agreed_spin.setValue(12)
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors.message("held_on")
    assert dialog.errors.message("agreed").startswith("Số người đồng ý (12) không thể lớn hơn")
    assert focused() is dialog.date_edit
    dialog.attendees_spin.setValue(0)
    dialog.agreed_spin.setValue(0)
    dialog.date_edit.setText("02/12/2025")
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors.message("held_on") == ""
    assert dialog.errors.message("attendees") == "Số người dự họp phải lớn hơn 0."
    dialog.reject()
    assert steps_of(round_path, "meeting") == []


def test_a_posting_lasts_three_working_days(page, round_path, qtbot, shown_errors):
    row = village_row(page, "Thôn Hòa Bình")
    page.dashboard.selectRow(row)
    dialog = open_dialog(qtbot, page.posting_button)
    assert not dialog.commune_check.isChecked()
    dialog.date_edit.selectAll()
    qtbot.keyClicks(dialog.date_edit, "05/12/2025")         # a Friday
    assert dialog.hint_label.text() == ("Niêm yết 3 ngày làm việc: từ 05/12/2025 đến hết "
                                        "ngày 09/12/2025.")
    assert press_ok(qtbot, dialog)
    assert not shown_errors
    [step] = steps_of(round_path, "posting")
    assert (step["on_date"], step["end_date"]) == ("2025-12-05", "2025-12-09")
    assert step["village_id"] == page.progress[row]["village_id"]
    assert page.dashboard_rows()[row][page.POSTING] == "05/12 – 09/12/2025"
    assert page.dashboard_rows()[row][page.STAGE] == "Đang niêm yết"


def test_a_posting_at_the_commune_counts_for_every_village(page, round_path, qtbot):
    page.dashboard.selectRow(len(page.progress))
    dialog = open_dialog(qtbot, page.posting_button)
    assert dialog.commune_check.isChecked() and not dialog.commune_check.isEnabled()
    dialog.date_edit.setText("ngày mai")
    dialog.date_edit.textEdited.emit("ngày mai")
    assert dialog.hint_label.text() == ""
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.errors.message("starts_on")
    dialog.date_edit.setText("24/11/2025")
    assert press_ok(qtbot, dialog)
    [step] = steps_of(round_path, "posting")
    assert step["village_id"] is None and step["end_date"] == "2025-11-26"
    assert {r[page.POSTING] for r in page.dashboard_rows()[:-1]} == {"24/11 – 26/11/2025"}
    assert {r[page.STAGE] for r in page.dashboard_rows()[:-1]} == {"Đã niêm yết"}


def test_a_decision_needs_number_and_signer(page, round_path, qtbot, type_vi, shown_errors):
    dialog = open_dialog(qtbot, page.decision_button)
    assert focused() is dialog.number_edit
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors.message("number") == "Chưa nhập số quyết định."
    assert dialog.errors.message("signer") == "Chưa nhập người ký."
    assert focused() is dialog.number_edit
    qtbot.keyClicks(dialog.number_edit, "125/QD-UBND")
    qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Tab)
    assert focused() is dialog.date_edit
    dialog.date_edit.selectAll()
    qtbot.keyClicks(dialog.date_edit, "15/12/2025")
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Tab)
    type_vi(focused(), nfd("Chủ tịch UBND xã Nguyễn Văn Hải"))
    assert press_ok(qtbot, dialog)
    assert not shown_errors
    [step] = steps_of(round_path, "decision")
    assert (step["number"], step["on_date"], step["village_id"]) == (
        "125/QD-UBND", "2025-12-15", None)
    assert step["signer"] == "Chủ tịch UBND xã Nguyễn Văn Hải"
    assert unicodedata.is_normalized("NFC", step["signer"])
    assert {r[page.STAGE] for r in page.dashboard_rows()[:-1]} == {"Đã có quyết định công nhận"}


def test_a_refusal_of_the_database_is_shown_in_the_dialog(page, round_path, qtbot,
                                                          shown_errors):
    page.dashboard.selectRow(0)
    dialog = open_dialog(qtbot, page.meeting_button)
    dialog.attendees_spin.setValue(10)
    dialog.agreed_spin.setValue(8)
    db = connection.connect(round_path)                # the round is deleted meanwhile
    w = sites.writer(db, "canbo")
    w.delete("review_round", reviews.rounds(db)[-1]["id"], reason="Mở nhầm đợt")
    db.close()
    assert not press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.message_label.text() == "Không tìm thấy đợt rà soát."
    assert dialog.ok_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert not shown_errors


def test_a_round_deleted_elsewhere_leaves_the_page_usable(page, round_path, qtbot,
                                                          shown_errors):
    db = connection.connect(round_path)
    gone = reviews.create_round(sites.writer(db, "canbo"), year=2026, kind="periodic")["id"]
    db.close()
    page.reload_rounds(select=gone)
    assert page.round_combo.count() == 2 and page.current_round_id() == gone
    db = connection.connect(round_path)
    sites.writer(db, "canbo").delete("review_round", gone, reason="Mở nhầm đợt")
    db.close()
    page.refresh()
    assert page.round_combo.count() == 1
    assert page.round_combo.currentText() == "Rà soát định kỳ năm 2025 – chuẩn CN2022"
    assert len(page.dashboard_rows()) == 4
    assert not shown_errors


def test_a_round_opened_elsewhere_appears_when_the_page_is_shown_again(
        make_window, round_path, qtbot):
    window = make_window(round_path)
    page = review_page(window)
    window.show_area("Hộ gia đình")
    db = connection.connect(round_path)
    reviews.create_round(sites.writer(db, "canbo"), year=2026, kind="periodic")
    db.close()
    window.show_area("Rà soát")
    assert page.round_combo.count() == 2
    assert page.round_combo.currentText() == "Rà soát định kỳ năm 2025 – chuẩn CN2022"


def test_choosing_another_round_shows_its_reviews(page, round_path, qtbot):
    save_reviews(round_path, 9)
    db = connection.connect(round_path)
    reviews.create_round(sites.writer(db, "canbo"), year=2026, kind="periodic")
    db.close()
    page.reload_rounds()
    assert page.round_combo.count() == 2
    page.dashboard.selectRow(len(page.progress))
    assert page.dashboard_rows()[-1][page.REVIEWED] == "9"
    db = connection.connect(round_path)
    first = next(db.query("SELECT household_id FROM household_review"))["household_id"]
    db.close()
    assert page.model.review_info(first)[1] != "none"
    page.round_combo.setCurrentIndex(1)
    assert "CN2027" in page.round_info.text()
    assert page.dashboard_rows()[-1][page.REVIEWED] == "0"
    assert page.model.round_id == page.current_round_id()
    assert page.model.review_info(first) == ("", "none")
    assert {page.model.data(page.model.index(r, page.model.STATE))
            for r in range(page.model.rowCount())} == {"Chưa rà soát"}
    assert page.selected_village() is None and page.model.rowCount() == 250


def test_the_round_household_model_passes_the_model_tester(page, qtmodeltester, round_path):
    save_reviews(round_path, 8)
    page.refresh()
    qtmodeltester.check(page.model)      # fails the test on any breach of the model contract
    states = [page.model.data(page.model.index(r, page.model.STATE))
              for r in range(page.model.rowCount())]
    assert len(states) == 250
    assert {s: states.count(s) for s in set(states)} == {
        "Hoàn thành": 4, "Có lỗi": 2, "Nháp": 2, "Chưa rà soát": 242}


def test_a_household_removed_elsewhere_is_a_message_not_a_crash(page, round_path, qtbot,
                                                                shown_errors):
    page.dashboard.selectRow(0)
    page.select_row(0)
    household_id = page.selected_household_id()
    db = connection.connect(round_path)
    sites.writer(db, "canbo").delete("household", household_id, reason="Nhập trùng")
    db.close()
    page.open_selected()
    assert page.form is None
    assert len(shown_errors) == 1 and "Không tìm thấy" in str(shown_errors[0])
    assert household_id not in {page.model.household_id(r) for r in range(page.model.rowCount())}


def test_coming_back_to_the_page_keeps_the_village_and_household(make_window, round_path,
                                                                 qtbot):
    window = make_window(round_path)
    page = review_page(window)
    page.dashboard.selectRow(1)
    page.select_row(3)
    chosen = page.selected_household_id()
    window.show_area("Hộ gia đình")
    window.show_area("Rà soát")
    assert page.selected_village_id() == page.progress[1]["village_id"]
    assert page.selected_household_id() == chosen


def test_the_offices_return_is_shown_where_the_reviews_are_edited(make_window, round_path):
    """A return (as it arrives in the office's package) shows its comment above the round."""
    from gnapp.db.store import Actor, Writer
    from gnapp.db.approvals import Scope, fingerprint

    db = connection.connect(round_path)
    round_ = reviews.rounds(db)[-1]
    office = Writer(db, Actor(site_id="office-site", unit_code="24", user="sonv"))
    print_, count = fingerprint(db, Scope(round_["id"]))
    office.insert("approval", {"unit_code": "07339", "round_id": round_["id"],
                               "village_id": None, "state": "returned", "fingerprint": print_,
                               "row_count": count, "decided_on": "2025-12-20",
                               "decided_by": "sonv",
                               "comment": "Thôn Đồng Tâm chưa có biên bản họp dân."})
    db.close()
    page = review_page(make_window(round_path))
    assert page.round_info.text().splitlines()[1] == (
        "Cấp trên trả lại ngày 20/12/2025: Thôn Đồng Tâm chưa có biên bản họp dân.")
