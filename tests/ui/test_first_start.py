"""The first-start dialog on a database without a site."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from gnapp.db import connection, sites
from gnapp.ui.first_start import FirstStartDialog
from gnapp.ui.tasks import TaskManager


def make_dialog(qtbot, path):
    tasks = TaskManager(path)
    dialog = FirstStartDialog(tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.province_combo.count() == 34)
    return dialog


def choose_province(qtbot, dialog, name):
    dialog.province_combo.setCurrentIndex(dialog.province_combo.findText(name))
    qtbot.waitUntil(lambda: dialog.commune_combo.count() > 0)


def local_site_of(path):
    db = connection.connect(path)
    try:
        site = sites.local_site(db)
        users = list(db.query("SELECT name, full_name FROM app_user"))
        return site, users
    finally:
        db.close()


def accept_and_wait(qtbot, dialog):
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    dialog.tasks.close()


def test_commune_site_on_a_fresh_database(qtbot, db_path, type_vi, shown_errors):
    """A brand-new file: the official list is loaded, then the commune is found by
    typing without diacritics."""
    dialog = make_dialog(qtbot, db_path)
    assert dialog.windowTitle() == "Thiết lập lần đầu"
    assert dialog.ok_button.text() == "Bắt đầu sử dụng"
    names = [dialog.province_combo.itemText(i) for i in range(34)]
    assert names[:4] == ["Tỉnh An Giang", "Tỉnh Bắc Ninh", "Tỉnh Cà Mau", "Tỉnh Cao Bằng"]
    assert "Thành phố Hà Nội" in names
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    combo = dialog.commune_combo
    combo.setFocus()
    qtbot.keyClicks(combo.lineEdit(), "tan yen")
    assert combo.filtered_texts() == ["Xã Tân Yên"]
    popup = combo.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert combo.currentText() == "Xã Tân Yên"
    assert combo.current_key() == "07339"
    type_vi(dialog.full_name_edit, "Nguyễn Thị Hồng Nhung")
    accept_and_wait(qtbot, dialog)
    site, users = local_site_of(db_path)
    assert (site.unit_code, site.role, site.display_name) == ("07339", "commune", "Xã Tân Yên")
    assert dialog.site == site
    assert users == [{"name": "admin", "full_name": "Nguyễn Thị Hồng Nhung"}]
    assert not shown_errors


def test_commune_typed_with_diacritics_and_a_display_name(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    type_vi(dialog.commune_combo.lineEdit(), "Tân Yên")
    assert dialog.commune_combo.filtered_texts() == ["Xã Tân Yên"]
    # not picked from the list: the only matching name is taken
    type_vi(dialog.display_name_edit, "UBND xã Tân Yên")
    type_vi(dialog.full_name_edit, "Trần Văn Đức")
    accept_and_wait(qtbot, dialog)
    site, users = local_site_of(units_path)
    assert (site.unit_code, site.display_name) == ("07339", "UBND xã Tân Yên")
    assert users[0]["full_name"] == "Trần Văn Đức"


def test_office_role_disables_the_commune_and_makes_a_province_site(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    assert dialog.commune_combo.isEnabled()
    qtbot.mouseClick(dialog.role_office, Qt.MouseButton.LeftButton)
    assert dialog.role_office.isChecked()
    assert not dialog.commune_combo.isEnabled()
    dialog.province_combo.setCurrentIndex(dialog.province_combo.findText("Tỉnh Bắc Ninh"))
    type_vi(dialog.full_name_edit, "Lê Thị Ánh")
    accept_and_wait(qtbot, dialog)
    site, _ = local_site_of(units_path)
    assert (site.unit_code, site.role) == ("24", "office")
    assert site.display_name.endswith("Bắc Ninh")     # the unit's name, with or without "Tỉnh"
    qtbot.mouseClick(dialog.role_commune, Qt.MouseButton.LeftButton)
    assert dialog.commune_combo.isEnabled()


def test_missing_choices_are_shown_in_the_dialog_which_stays_open(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa chọn tỉnh, thành phố."
    assert dialog.isVisible()
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa chọn xã, phường, đặc khu."
    qtbot.keyClicks(dialog.commune_combo.lineEdit(), "khong co xa nay")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Không tìm thấy đúng một xã" in dialog.message_label.text()
    dialog.commune_combo.set_current_key("07339")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa nhập họ và tên người sử dụng."
    assert dialog.isVisible()
    dialog.tasks.close()
    site, _ = local_site_of(units_path)
    assert site is None


def test_errors_from_init_site_are_shown_next_to_the_form(qtbot, site_path, type_vi):
    """A database that already has a site: init_site refuses, the dialog says why."""
    dialog = make_dialog(qtbot, site_path)
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    dialog.commune_combo.set_current_key("07339")
    type_vi(dialog.full_name_edit, "Đỗ Minh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "đã được khởi tạo" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.ok_button.isEnabled()
    dialog.tasks.close()


def focus_chain(start: QWidget) -> list[QWidget]:
    """The widgets of the focus chain from ``start``, once round."""
    chain, widget = [], start
    while True:
        chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            return chain


def test_tab_order(qtbot, units_path):
    dialog = make_dialog(qtbot, units_path)
    expected = [dialog.role_commune, dialog.role_office, dialog.province_combo,
                dialog.commune_combo, dialog.display_name_edit, dialog.full_name_edit,
                dialog.ok_button, dialog.cancel_button]
    chain = focus_chain(dialog.role_commune)
    assert [w for w in chain if any(w is e for e in expected)] == expected

    # with real Tab presses: Qt skips the unchecked radio button of the group (arrow keys
    # move between the two), so role → province → commune → display name → full name → OK
    dialog.activateWindow()
    qtbot.waitActive(dialog)

    def tab_from(widget, key=Qt.Key.Key_Tab):
        qtbot.keyClick(widget, key)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not widget)
        return QApplication.focusWidget()

    dialog.role_commune.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.role_commune)
    visited = [dialog.role_commune]
    for _ in range(5):
        visited.append(tab_from(visited[-1]))
    assert visited == [dialog.role_commune, dialog.province_combo, dialog.commune_combo,
                       dialog.display_name_edit, dialog.full_name_edit, dialog.ok_button]
    # Shift+Tab goes back
    assert tab_from(dialog.ok_button, Qt.Key.Key_Backtab) is dialog.full_name_edit
    # with the office role checked, Tab from the role skips the disabled commune box
    dialog.role_office.setChecked(True)
    dialog.role_office.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.role_office)
    assert tab_from(dialog.role_office) is dialog.province_combo
    assert tab_from(dialog.province_combo) is dialog.display_name_edit
    dialog.tasks.close()


def test_dialog_given_a_path_runs_and_closes_its_own_task_manager(qtbot, units_path, type_vi):
    dialog = FirstStartDialog(units_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.province_combo.count() == 34)
    dialog.role_office.setChecked(True)
    dialog.select_province("24")
    type_vi(dialog.full_name_edit, "Phạm Quỳnh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert dialog.tasks.closed
    site, _ = local_site_of(units_path)
    assert site.role == "office"
