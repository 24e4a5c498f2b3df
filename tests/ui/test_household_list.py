"""The household page over a register of 250 households (commune 07339, three villages)."""

from PySide6.QtCore import Qt

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.domain.text import fold
from gnapp.ui.household_list import (HOUSEHOLD_ID_ROLE, HouseholdFilter, HouseholdListModel,
                                     HouseholdPage, count_text)


def shown_rows(page, column=None):
    model = page.model
    if column is None:
        return [model.index(r, 0).data(HOUSEHOLD_ID_ROLE) for r in range(model.rowCount())]
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_page_replaces_the_placeholder_and_lists_the_register(register_window):
    page = register_window.pages["Hộ gia đình"]
    assert isinstance(page, HouseholdPage) and page is register_window.household_page
    assert register_window.stack.currentWidget() is page
    assert page.count_label.text() == "250 hộ"
    assert page.search_edit.placeholderText() == "Tìm theo tên, mã hộ, số CCCD…"
    assert [page.village_combo.itemText(i) for i in range(page.village_combo.count())] == [
        "Tất cả các thôn", "Thôn Đông Sơn", "Thôn Hòa Bình", "Thôn Tân Lập"]
    assert [page.status_combo.itemText(i) for i in range(page.status_combo.count())] == [
        "Đang ở", "Đã chuyển đi", "Đã nhập hộ khác", "Tất cả"]
    model = page.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Mã hộ", "Chủ hộ", "Thôn", "Số nhân khẩu", "Tình trạng"]
    assert page.add_button.text() == "Thêm hộ" and page.edit_button.text() == "Sửa hộ"
    assert not page.edit_button.isEnabled()          # nothing chosen yet


def test_rows_agree_with_the_register(register_window, register_db):
    page = register_window.household_page
    first = hh.list_households(register_db, limit=1)[0]
    assert [page.model.index(0, c).data() for c in range(5)] == [
        first["code"], first["head_name"], first["village_name"], str(first["members"]),
        "Đang ở"]


def test_the_model_fetches_pages_only_when_rows_are_read(register_db):
    model = HouseholdListModel(register_db, page_size=20)
    assert model.rowCount() == 250 and list(model.fetched_pages) == []
    expected = hh.list_households(register_db, offset=230, limit=1)[0]
    assert model.index(230, 1).data() == expected["head_name"]
    assert model.index(230, 0).data(HOUSEHOLD_ID_ROLE) == expected["household_id"]
    assert list(model.fetched_pages) == [11]          # 230 // 20: only that page
    model.index(235, 2).data()
    model.index(239, 0).data()
    assert list(model.fetched_pages) == [11]          # served from the cache
    model.index(0, 0).data()
    assert list(model.fetched_pages) == [11, 0]


def test_scrolling_on_continues_from_the_page_before_and_gives_the_same_rows(register_db):
    model = HouseholdListModel(register_db, page_size=20)
    scrolled = [model.household_id(row) for row in range(250)]   # page after page
    assert scrolled == [r["household_id"] for r in hh.list_households(register_db, limit=300)]
    assert len(set(scrolled)) == 250
    village = model.row(0)["village_id"]
    model = HouseholdListModel(register_db, page_size=4)
    model.set_filter(HouseholdFilter(village_id=village, search="nguyen"))
    assert model.rowCount() > 8
    rows = [model.household_id(row) for row in range(model.rowCount())]
    assert rows == [r["household_id"] for r in hh.list_households(
        register_db, village_id=village, search="nguyen", limit=300)]


def test_the_view_reads_only_the_visible_pages(register_window):
    page = register_window.household_page
    assert list(page.model.fetched_pages) == [0]     # 200 rows a page; the view shows < 200
    page.select_row(230)
    assert 1 in page.model.fetched_pages
    assert page.selected_household_id() == page.model.household_id(230)


def test_the_model_passes_the_model_tester(qtmodeltester, register_db):
    model = HouseholdListModel(register_db, page_size=30)
    qtmodeltester.check(model)
    model.set_filter(HouseholdFilter(search="nguyen van"))
    qtmodeltester.check(model)
    model.set_filter(HouseholdFilter(search="khong co ai ten the nay"))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_search_as_you_type_ascii(register_window, register_db, qtbot):
    page = register_window.household_page
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    expected = hh.list_households(register_db, search="nguyen van", limit=1000)
    assert 0 < len(expected) < 250
    qtbot.keyClicks(page.search_edit, "nguyen van")
    qtbot.waitUntil(lambda: page.count_label.text() == count_text(len(expected)))
    assert len(resets) == 1                          # one query after typing, not one per key
    assert shown_rows(page) == [r["household_id"] for r in expected]
    for household_id in shown_rows(page)[:20]:    # the words may come from different members
        words = " ".join(fold(m["full_name"]) for m in hh.members(register_db, household_id))
        assert "nguyen" in words.split() and any(w.startswith("van") for w in words.split())


def test_search_in_vietnamese_gives_the_same_households(register_window, register_db, qtbot,
                                                        type_vi):
    page = register_window.household_page
    expected = hh.count_households(register_db, search="nguyen van")
    type_vi(page.search_edit, "Nguyễn Văn")
    assert page.search_edit.text() == "Nguyễn Văn"
    qtbot.waitUntil(lambda: page.count_label.text() == count_text(expected))
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.count_label.text() == "250 hộ")


def test_search_by_household_code(register_window, register_db, qtbot):
    page = register_window.household_page
    target = hh.list_households(register_db, offset=100, limit=1)[0]
    qtbot.keyClicks(page.search_edit, target["code"])
    qtbot.waitUntil(lambda: page.count_label.text() == "1 hộ")
    assert page.model.index(0, 0).data() == target["code"]


def test_village_filter(register_window, register_db, qtbot):
    page = register_window.household_page
    combo = page.village_combo
    combo.setCurrentIndex(combo.findText("Thôn Tân Lập"))
    village_id = combo.currentData()
    expected = hh.count_households(register_db, village_id=village_id)
    assert page.count_label.text() == count_text(expected) and 0 < expected < 250
    assert set(shown_rows(page, 2)) == {"Thôn Tân Lập"}
    qtbot.keyClicks(page.search_edit, "nguyen")
    both = hh.count_households(register_db, village_id=village_id, search="nguyen")
    qtbot.waitUntil(lambda: page.count_label.text() == count_text(both))
    combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.count_label.text() ==
                    count_text(hh.count_households(register_db, search="nguyen")))


def test_status_filter(make_window, register_path):
    from gnapp.db import connection

    db = connection.connect(register_path)
    moved = hh.list_households(db, offset=5, limit=1)[0]
    hh.move_out_household(sites.writer(db), moved["household_id"], "2025-06-01")
    db.close()
    page = make_window(register_path).household_page
    assert page.count_label.text() == "249 hộ"
    page.set_status_filter("moved_out")
    assert page.count_label.text() == "1 hộ"
    assert [page.model.index(0, c).data() for c in (0, 4)] == [moved["code"], "Đã chuyển đi"]
    page.set_status_filter("merged")
    assert page.count_label.text() == "0 hộ"
    page.set_status_filter(None)
    assert page.status_combo.currentText() == "Tất cả"
    assert page.count_label.text() == "250 hộ"


def test_enter_double_click_and_edit_button_open_the_editor(register_window, qtbot):
    page = register_window.household_page
    page.select_row(3)
    assert page.edit_button.isEnabled()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.editor is not None and page.editor.household_id == page.model.household_id(3)
    page.editor.reject()
    assert page.editor is None
    qtbot.wait(50)                                    # let the closed dialog go
    rect = page.table.visualRect(page.model.index(2, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.editor.household_id == page.model.household_id(2)
    page.editor.reject()
    page.edit_button.click()
    assert page.editor.household_id == page.model.household_id(2)
    page.editor.reject()


def test_ctrl_n_and_the_add_button_open_an_empty_editor(register_window, qtbot):
    page = register_window.household_page
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.editor is not None and page.editor.household_id is None
    assert page.editor.windowTitle() == "Thêm hộ mới"
    page.editor.reject()
    page.add_button.click()
    assert page.editor.household_id is None
    page.editor.reject()


def test_a_new_household_starts_in_the_filtered_village(register_window):
    page = register_window.household_page
    page.village_combo.setCurrentIndex(page.village_combo.findText("Thôn Hòa Bình"))
    page.add_household()
    assert page.editor.village_combo.currentText() == "Thôn Hòa Bình"
    page.editor.reject()


def test_a_household_that_is_gone_is_an_error_message_not_a_crash(register_window,
                                                                  shown_errors):
    page = register_window.household_page
    page._open_editor("no-such-household")
    assert page.editor is None
    [error] = shown_errors
    assert str(error) == "Không tìm thấy hộ (mã dòng no-such-household)."


def test_the_page_follows_the_read_connection(register_window, register_db):
    page = register_window.household_page
    page.set_db(None)                                  # while a backup is being restored
    assert page.model.rowCount() == 0 and page.count_label.text() == "0 hộ"
    page.add_household()
    assert page.editor is None
    page.set_db(register_window._db)
    assert page.count_label.text() == "250 hộ"
    assert page.village_combo.count() == 4


def test_the_list_shows_and_filters_the_class_and_review_state_of_the_current_round(
        make_window, register_path, qtbot):
    from gnapp.db import connection, reviews, sites

    db = connection.connect(register_path)
    w = sites.writer(db)
    round_ = reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    indicators = reviews.standard("CN2022").indicators
    first = hh.list_households(db, limit=3)
    for line, income in zip(first, (900_000, 1_200_000, 6_000_000)):
        reviews.save_review(w, round_["id"], line["household_id"], income_per_person=income,
                            deprivations={i.code: i.order <= 3 for i in indicators})
    db.close()
    window = make_window(register_path)
    page = window.household_page
    assert page.round_label.text() == "Theo đợt: Rà soát định kỳ năm 2025 – chuẩn CN2022"
    model = page.model
    assert [model.index(r, HouseholdListModel.KLASS).data() for r in range(4)] == [
        "Hộ nghèo (nháp)", "Hộ nghèo (nháp)", "Không nghèo (nháp)", "Chưa rà soát"]
    page.class_combo.setCurrentIndex(page.class_combo.findData("poor"))
    assert model.rowCount() == 2 and page.count_label.text() == "2 hộ"
    page.class_combo.setCurrentIndex(0)
    page.review_combo.setCurrentIndex(page.review_combo.findData("none"))
    assert model.rowCount() == 247
    assert model.index(0, 0).data() not in {line["code"] for line in first}


def test_the_errors_filter_keeps_households_to_correct(make_window, register_path, qtbot):
    from gnapp.db import connection

    db = connection.connect(register_path)
    wrong = next(h for h in hh.list_households(db, limit=50) if h["members"] > 1)
    spouse = next(m for m in hh.members(db, wrong["household_id"]) if m["relation"] != "head")
    sites.writer(db).update("member", spouse["id"], {"relation": "head"})
    db.close()
    window = make_window(register_path)
    window.show_area("Hộ gia đình")
    page = window.household_page
    page.status_combo.setFocus()
    qtbot.keyClick(page.status_combo, Qt.Key.Key_Tab)
    assert page.focusWidget() is page.errors_check  # after the status, before the class
    qtbot.keyClick(page.errors_check, Qt.Key.Key_Space)
    assert page.count_label.text() == "1 hộ"
    assert shown_rows(page) == [wrong["household_id"]]
    page.errors_check.setChecked(False)
    assert page.count_label.text() == "250 hộ"
