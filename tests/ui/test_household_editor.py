"""The household editor and the member form: keyboard entry, validation next to the fields,
saving through the worker (commune 07339 with 250 households)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.db.store import StaleVersion
from gnapp.domain import codes
from gnapp.ui import household_editor as he
from gnapp.ui.household_editor import (HouseholdDraft, MemberEntry, MemberForm,
                                       MemberInvalid, MemberRosterModel, save_household)

CTRL = Qt.KeyboardModifier.ControlModifier
HEAD_CCCD = "024075001234"          # Bắc Giang, a man born in 1975


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


def choose(combo, text):
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def open_editor(qtbot, page, row=None):
    if row is None:
        page.add_household()
    else:
        page.edit_row(row)
    editor = page.editor
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def new_member_form(qtbot, editor):
    press(qtbot, Qt.Key.Key_N, CTRL)
    form = editor.member_form
    assert form is not None
    qtbot.waitUntil(form.isActiveWindow)
    return form


def accept_form(qtbot, editor, form):
    press(qtbot, Qt.Key.Key_Return)
    assert not form.isVisible()
    qtbot.waitUntil(editor.isActiveWindow)


def save_and_wait(qtbot, editor):
    with qtbot.waitSignal(editor.finished, timeout=5000):
        press(qtbot, Qt.Key.Key_S, CTRL)


@pytest.fixture
def page(register_window):
    return register_window.household_page


@pytest.fixture
def saved(page):
    ids = []
    page.household_saved.connect(lambda household_id, code: ids.append(household_id))
    return ids


def test_add_a_household_then_its_members_from_the_keyboard(page, qtbot, type_vi, register_db,
                                                            saved, shown_errors):
    editor = open_editor(qtbot, page)
    assert editor.windowTitle() == "Thêm hộ mới"
    assert "Nhập chủ hộ trước" in editor.roster_hint.text()
    assert focused() is editor.village_combo
    qtbot.keyClicks(editor.village_combo.lineEdit(), "tan lap")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is editor.code_edit               # blank: the next code is given
    assert editor.code_edit.placeholderText().startswith("Để trống: phần mềm tự cấp (")
    press(qtbot, Qt.Key.Key_Tab)
    type_vi(focused(), "Xóm Giữa")
    editor.flag_checks["farm_household"].setChecked(True)

    head = new_member_form(qtbot, editor)               # the first member is the head
    assert head.windowTitle() == "Thêm chủ hộ"
    assert head.relation_combo.currentText() == "Chủ hộ"
    assert head.ethnicity_combo.currentText() == "Kinh"
    type_vi(focused(), "Nguyễn Văn Đức")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_N)                          # "Nam"
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "5/3/1975")
    for _ in range(3):                                  # Dân tộc, Quan hệ: as they are
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is head.id_edit
    qtbot.keyClicks(focused(), HEAD_CCCD)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)                      # Có thẻ BHYT
    assert head.birth_edit.text() == "05/03/1975"       # tidied when left
    accept_form(qtbot, editor, head)

    wife = new_member_form(qtbot, editor)
    assert wife.windowTitle() == "Thêm thành viên" and wife.relation_combo.currentIndex() == -1
    type_vi(focused(), "Trần Thị Ánh")
    choose(wife.sex_combo, "Nữ")
    wife.birth_edit.setText("03/1978")
    choose(wife.relation_combo, "Vợ/chồng")
    choose(wife.employment_combo, "Tự làm (nông nghiệp, buôn bán…)")
    accept_form(qtbot, editor, wife)

    child = new_member_form(qtbot, editor)
    type_vi(focused(), "Nguyễn Thị Bình")
    choose(child.sex_combo, "Nữ")
    child.birth_edit.setText("2012")
    choose(child.relation_combo, "Con")
    choose(child.schooling_combo, "Trung học cơ sở")
    child.disability_check.setChecked(True)
    accept_form(qtbot, editor, child)

    model = editor.roster_model
    assert [[model.index(r, c).data() for c in range(8)] for r in range(3)] == [
        ["1", "Nguyễn Văn Đức", "Nam", "05/03/1975", "Kinh", "Chủ hộ", HEAD_CCCD, "Có"],
        ["2", "Trần Thị Ánh", "Nữ", "03/1978", "Kinh", "Vợ/chồng", "", "Không"],
        ["3", "Nguyễn Thị Bình", "Nữ", "2012", "Kinh", "Con", "", "Không"]]
    assert not editor.roster_message.isVisible()

    save_and_wait(qtbot, editor)
    assert not shown_errors
    [household_id] = saved
    household = hh.household(register_db, household_id)
    assert household["address"] == "Xóm Giữa" and household["farm_household"] == 1
    assert household["code"].startswith("02-")          # Thôn Tân Lập is the 2nd village
    members = hh.members(register_db, household_id)
    assert [(m["full_name"], m["sex"], m["birth_date"], m["relation"], m["ethnicity"])
            for m in members] == [
        ("Nguyễn Văn Đức", "nam", "1975-03-05", "head", "Kinh"),
        ("Trần Thị Ánh", "nu", "1978-03", "spouse", "Kinh"),
        ("Nguyễn Thị Bình", "nu", "2012", "child", "Kinh")]
    assert members[0]["id_number"] == HEAD_CCCD and members[0]["health_insurance"] == 1
    assert members[1]["employment"] == "self_employed"
    assert (members[2]["schooling"], members[2]["disability"]) == ("lower_secondary", 1)
    assert hh.household_issues(register_db, household_id) == []
    assert page.count_label.text() == "251 hộ"            # the list was read again
    assert page.window().statusBar().currentMessage() == f"Đã lưu hộ {household['code']}."


def test_a_bad_identity_number_is_shown_under_its_field_and_nothing_is_saved(
        page, qtbot, type_vi, register_db):
    editor = open_editor(qtbot, page)
    choose(editor.village_combo, "Thôn Đông Sơn")
    form = new_member_form(qtbot, editor)
    type_vi(form.name_edit, "Lê Thị Hoa")
    choose(form.sex_combo, "Nữ")
    form.birth_edit.setText("1990")
    form.id_edit.setFocus()
    qtbot.keyClicks(form.id_edit, "12345")              # shown while typing
    assert form.errors.message("id_number") == (
        "Số CCCD/CMND «12345» có 5 chữ số; số CCCD có 12 chữ số, số CMND cũ có 9 chữ số.")
    assert form.errors.labels["id_number"].isVisible()
    assert form.errors.message("full_name") == ""
    form.id_edit.clear()
    qtbot.keyClicks(form.id_edit, HEAD_CCCD)             # a man's card born in 1975
    assert form.errors.message("id_number") == (
        f"Số CCCD {HEAD_CCCD} cho biết nam sinh năm 1975, nhưng thành viên là nữ sinh năm "
        "1990 (khác giới tính và năm sinh).")
    press(qtbot, Qt.Key.Key_Return)                      # refused: the form stays open
    assert form.isVisible() and focused() is form.id_edit
    assert editor.entries == []
    form.reject()
    qtbot.waitUntil(editor.isActiveWindow)
    press(qtbot, Qt.Key.Key_S, CTRL)                     # a household without its head
    assert editor.isVisible()
    assert editor.roster_message.text() == "Hộ chưa có chủ hộ."
    assert hh.count_households(register_db) == 250


def test_a_missing_name_is_shown_next_to_the_field(page, qtbot):
    editor = open_editor(qtbot, page)
    form = new_member_form(qtbot, editor)
    press(qtbot, Qt.Key.Key_Return)
    assert form.isVisible()
    assert form.errors.message("full_name") == "Chưa nhập họ và tên."
    assert form.errors.message("sex") == "Chưa chọn giới tính."
    assert form.errors.message("relation") == ""         # the head's relation is preset
    assert focused() is form.name_edit
    qtbot.keyClicks(form.name_edit, "A")
    assert form.errors.message("full_name") == ""
    form.reject()


def test_the_household_part_is_checked_before_saving(page, qtbot, type_vi, register_db):
    editor = open_editor(qtbot, page)
    qtbot.keyClicks(editor.village_combo.lineEdit(), "xyz")
    assert editor.errors.message("village_id") == (
        "Không có thôn «xyz» trong xã; hãy chọn trong danh sách.")
    editor.village_combo.lineEdit().clear()
    qtbot.keyClicks(editor.village_combo.lineEdit(), "thon")
    assert editor.errors.message("village_id") == ""     # still typing: three villages match
    form = new_member_form(qtbot, editor)
    type_vi(form.name_edit, "Đỗ Văn Hải")
    choose(form.sex_combo, "Nam")
    accept_form(qtbot, editor, form)
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert editor.isVisible()
    assert editor.errors.message("village_id") == (
        "Có nhiều thôn khớp với «thon»; hãy chọn một thôn trong danh sách.")
    assert focused() is editor.village_combo
    assert hh.count_households(register_db) == 250


def test_a_code_already_taken_comes_back_from_the_database_next_to_its_field(
        page, qtbot, type_vi, register_db, shown_errors):
    taken = hh.list_households(register_db, limit=1)[0]["code"]
    editor = open_editor(qtbot, page)
    choose(editor.village_combo, "Thôn Đông Sơn")
    editor.code_edit.setText(taken)
    form = new_member_form(qtbot, editor)
    type_vi(form.name_edit, "Đỗ Văn Hải")
    choose(form.sex_combo, "Nam")
    accept_form(qtbot, editor, form)
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: editor.errors.message("code") != "")
    assert editor.errors.message("code") == (
        f"Mã hộ {taken} đã có trong xã; hãy nhập mã khác hoặc để trống để phần mềm tự cấp.")
    assert editor.isVisible() and editor.save_button.isEnabled()
    assert "Chưa lưu được" in editor.message_label.text()
    assert hh.count_households(register_db) == 250 and not shown_errors


def test_edit_a_member_and_add_one_then_the_list_shows_it(page, qtbot, type_vi, register_db):
    row = next(r for r in range(20) if page.model.row(r)["members"] == 2)
    household_id = page.model.household_id(row)
    before = hh.members(register_db, household_id)
    page.select_row(row)
    editor = open_editor(qtbot, page, row)
    assert editor.windowTitle() == (f"Sửa hộ {page.model.row(row)['code']} – "
                                    f"{before[0]['full_name']}")
    assert editor.code_edit.text() == page.model.row(row)["code"]
    editor.roster.setCurrentIndex(editor.roster_model.index(1, 1))
    editor.roster.setFocus()
    press(qtbot, Qt.Key.Key_Return)                      # edits the member, does not save
    form = editor.member_form
    assert form is not None and editor.isVisible()
    qtbot.waitUntil(form.isActiveWindow)
    assert form.name_edit.text() == before[1]["full_name"]
    form.name_edit.selectAll()
    type_vi(form.name_edit, "Hà Thị Mỹ Duyên")
    accept_form(qtbot, editor, form)
    form = new_member_form(qtbot, editor)
    type_vi(form.name_edit, "Bùi Minh Khôi")
    choose(form.sex_combo, "Nam")
    form.birth_edit.setText("2020")
    choose(form.relation_combo, "Cháu")
    accept_form(qtbot, editor, form)
    save_and_wait(qtbot, editor)

    after = hh.members(register_db, household_id)
    assert [m["full_name"] for m in after] == [before[0]["full_name"], "Hà Thị Mỹ Duyên",
                                               "Bùi Minh Khôi"]
    assert (after[0]["version"], after[1]["version"]) == (before[0]["version"],
                                                          before[1]["version"] + 1)
    assert page.selected_household_id() == household_id  # the same line, read again
    assert page.model.index(row, 3).data() == "3"
    assert page.count_label.text() == "250 hộ"


def test_opening_and_saving_without_changes_writes_nothing(page, qtbot, register_db):
    household_id = page.model.household_id(7)
    versions = [m["version"] for m in hh.members(register_db, household_id)]
    household = hh.household(register_db, household_id)
    editor = open_editor(qtbot, page, 7)
    save_and_wait(qtbot, editor)
    assert [m["version"] for m in hh.members(register_db, household_id)] == versions
    assert hh.household(register_db, household_id)["version"] == household["version"]


def test_a_second_head_is_refused(page, qtbot, type_vi, register_db):
    editor = open_editor(qtbot, page, 0)
    form = new_member_form(qtbot, editor)
    type_vi(form.name_edit, "Phan Văn Tú")
    choose(form.sex_combo, "Nam")
    choose(form.relation_combo, "Chủ hộ")
    accept_form(qtbot, editor, form)
    assert editor.roster_message.text().startswith("Hộ có 2 chủ hộ:")
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert editor.isVisible()
    assert len(hh.members(register_db, page.model.household_id(0))) == \
        page.model.row(0)["members"]
    editor.remove_member_button.click()                  # the member just added
    assert not editor.roster_message.isVisible()


def test_database_refusal_of_a_member_is_shown_on_its_line_and_in_its_form(
        page, qtbot, register_db, monkeypatch):
    """The form's own check is switched off here, so the database's check answers."""
    monkeypatch.setattr(he, "validate_member", lambda values: [])
    editor = open_editor(qtbot, page, 1)
    editor.edit_member(0)
    form = editor.member_form
    qtbot.waitUntil(form.isActiveWindow)
    form.id_edit.setText("12345")
    accept_form(qtbot, editor, form)
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: editor.roster_message.text() != "")
    monkeypatch.undo()
    name = editor.entries[0].name
    assert editor.roster_message.text() == (
        f"Thành viên thứ 1 ({name}): Số CCCD/CMND «12345» có 5 chữ số; số CCCD có 12 chữ số, "
        "số CMND cũ có 9 chữ số.")
    assert editor.isVisible()
    assert editor.roster_model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole) is not None
    editor.roster.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    form = editor.member_form
    assert form.errors.message("id_number").startswith("Số CCCD/CMND «12345» có 5 chữ số")
    assert hh.members(register_db, page.model.household_id(1))[0]["id_number"] is None


def test_a_change_made_elsewhere_meanwhile_is_reported(page, qtbot, register_db, shown_errors):
    household_id = page.model.household_id(2)
    editor = open_editor(qtbot, page, 2)
    member = hh.members(register_db, household_id)[0]
    hh.update_member(sites.writer(register_db), member["id"], {"ethnicity": "Tày"})
    editor.address_edit.setText("Xóm Mới")
    editor.entries[0].values["ethnicity"] = "Mường"
    press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "vừa được sửa ở nơi khác" in editor.message_label.text())
    assert editor.isVisible() and not shown_errors
    assert hh.household(register_db, household_id)["address"] is None   # nothing kept
    assert hh.members(register_db, household_id)[0]["ethnicity"] == "Tày"


def test_member_form_tab_order_follows_the_paper_form(qtbot):
    form = MemberForm()
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(form.isActiveWindow)
    seen = [focused()]
    for _ in range(12):
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == [form.name_edit, form.sex_combo, form.birth_edit, form.ethnicity_combo,
                    form.relation_combo, form.id_edit, form.insurance_check,
                    form.schooling_combo, form.employment_combo, form.disability_check,
                    form.allowance_check, form.ok_button, form.cancel_button]


def test_editor_tab_order_follows_the_paper_form(page, qtbot):
    editor = open_editor(qtbot, page)
    seen = [focused()]
    for _ in range(13):
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == [editor.village_combo, editor.code_edit, editor.address_edit,
                    editor.area_combo, *editor.flag_checks.values(),
                    editor.add_member_button, editor.roster, editor.save_button,
                    editor.cancel_button]
    editor.reject()


@pytest.mark.parametrize("typed, stored, shown", [
    ("1985", "1985", "1985"),
    ("3/1985", "1985-03", "03/1985"),
    ("05/03/1985", "1985-03-05", "05/03/1985"),
    ("5-3-1985", "1985-03-05", "05/03/1985"),
])
def test_birth_dates_may_be_partial(qtbot, typed, stored, shown):
    form = MemberForm()
    qtbot.addWidget(form)
    form.birth_edit.setText(typed)
    assert form.values()["birth_date"] == stored
    form.birth_edit.editingFinished.emit()
    assert form.birth_edit.text() == shown


def test_a_birth_date_that_does_not_exist_is_shown_under_its_field(qtbot):
    form = MemberForm()
    qtbot.addWidget(form)
    form.show()
    form.birth_edit.setFocus()
    qtbot.keyClicks(form.birth_edit, "29/02/1985")
    assert form.errors.message("birth_date") == (
        "Ngày «29/02/1985» không hợp lệ: tháng 2/1985 không có ngày 29 (chỉ có 28 ngày).")
    form.birth_edit.clear()
    qtbot.keyClicks(form.birth_edit, "2090")
    assert form.errors.message("birth_date") == "Năm sinh ở tương lai."


def test_an_ethnic_group_typed_without_diacritics_is_recognised(qtbot):
    form = MemberForm()
    qtbot.addWidget(form)
    form.ethnicity_combo.setEditText("tay")
    assert form.values()["ethnicity"] == "Tày"
    form.ethnicity_combo.setEditText("Ơ Đu")
    assert form.values()["ethnicity"] == "Ơ Đu"
    assert len(codes.ETHNIC_GROUPS) == len(set(codes.ETHNIC_GROUPS)) == 54


def test_the_roster_model_passes_the_model_tester(qtmodeltester):
    model = MemberRosterModel()
    model.set_entries([
        MemberEntry({"full_name": "Nguyễn Văn Đức", "sex": "nam", "birth_date": "1975",
                     "relation": "head", "health_insurance": 1}),
        MemberEntry({"full_name": "Trần Thị Ánh", "sex": "nu", "relation": "spouse"})])
    qtmodeltester.check(model)
    assert model.index(1, 7).data() == ""                # BHYT unknown
    model.remove(0)
    assert model.index(0, 0).data() == "1"
    qtmodeltester.check(model)


def test_save_household_names_the_refused_member(register_db):
    village = hh.list_households(register_db, limit=1)[0]["village_id"]
    draft = HouseholdDraft(None, None, {"village_id": village, "code": "", "area": "rural"},
                           None, [MemberEntry({"full_name": "Lò Văn Pọm", "sex": "nam",
                                               "relation": "head"}),
                                  MemberEntry({"full_name": "Lò Thị Ón", "sex": "nu",
                                               "relation": "spouse", "id_number": "12"})])
    with pytest.raises(MemberInvalid) as info:
        save_household(register_db, draft)
    assert info.value.row == 1 and [i.field for i in info.value.issues] == ["id_number"]
    assert hh.count_households(register_db) == 250
    draft.members[1].values["id_number"] = None
    household_id, code = save_household(register_db, draft)
    assert [m["full_name"] for m in hh.members(register_db, household_id)] == [
        "Lò Văn Pọm", "Lò Thị Ón"]
    member = hh.members(register_db, household_id)[0]
    stale = HouseholdDraft(household_id, 1, dict(draft.values, code=code),
                           {**draft.values, "code": code},
                           [MemberEntry(dict(draft.members[0].values, full_name="Lò Văn Pọn"),
                                        id=member["id"], version=member["version"] - 1,
                                        original=draft.members[0].values)])
    with pytest.raises(StaleVersion):
        save_household(register_db, stale)


def test_cancel_asks_before_dropping_typed_changes(page, qtbot, type_vi, discard_prompts,
                                                   monkeypatch):
    editor = open_editor(qtbot, page, row=0)
    press(qtbot, Qt.Key.Key_Escape)                     # nothing typed: closes, no question
    assert not editor.isVisible() and discard_prompts == []

    editor = open_editor(qtbot, page, row=0)
    editor.address_edit.clear()
    type_vi(editor.address_edit, "Xóm Đồi Chè")
    monkeypatch.setattr(he.HouseholdEditor, "confirm_discard", lambda self: False)
    press(qtbot, Qt.Key.Key_Escape)                     # "Hủy" on the question: stays open
    assert editor.isVisible()
    assert editor.address_edit.text() == "Xóm Đồi Chè"
    monkeypatch.setattr(he.HouseholdEditor, "confirm_discard",
                        lambda self: discard_prompts.append(self.windowTitle()) or True)
    press(qtbot, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert discard_prompts == [editor.windowTitle()]


def test_a_village_is_added_from_the_editor_of_a_new_household(qtbot, site_path, type_vi,
                                                                 shown_errors):
    """A commune set up without demo data has no village yet: the officer adds one here."""
    from gnapp.db import connection, units
    from gnapp.ui.household_editor import HouseholdEditor
    from gnapp.ui.tasks import TaskManager

    db = connection.connect(site_path)
    tasks = TaskManager(site_path)
    editor = HouseholdEditor(db, tasks)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.village_combo.count() == 0
    dialog = editor.add_village()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisibleTo(dialog))
    assert "Chưa nhập tên thôn" in dialog.message.text()
    type_vi(dialog.name_edit, "Thôn Đông Sơn")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.village_combo.count() == 1)
    assert editor.village_combo.currentText() == "Thôn Đông Sơn"
    assert [v["name"] for v in units.children(db, "07339", level="village")] == ["Thôn Đông Sơn"]
    assert not shown_errors
    editor.reject()
    tasks.close()
    db.close()
