"""The first-start wizard on a database without a site."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from gnapp import paths
from gnapp.db import connection, sites, users
from gnapp.ui import first_start
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
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20000)
    dialog.tasks.close()


def next_step(qtbot, dialog, step):
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.step() == step, dialog.message_label.text()


def first_user(qtbot, dialog, type_vi, full_name, password="matkhau-1", *, no_login=False):
    """Step 2 filled in, then on to step 3."""
    type_vi(dialog.full_name_edit, full_name)
    if no_login:
        dialog.no_login_check.setChecked(True)
    else:
        dialog.password_edit.setText(password)
        dialog.again_edit.setText(password)
    next_step(qtbot, dialog, 2)


def test_commune_site_on_a_fresh_database(qtbot, db_path, type_vi, shown_errors):
    """A brand-new file: the official list is loaded, the commune is found by typing without
    diacritics, the first user gets a password and the login is asked from then on."""
    dialog = make_dialog(qtbot, db_path)
    assert dialog.windowTitle() == "Thiết lập lần đầu"
    assert dialog.step_label.text() == "Bước 1/3: Đơn vị"
    assert dialog.next_button.isVisible() and not dialog.ok_button.isVisible()
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
    next_step(qtbot, dialog, 1)
    assert dialog.step_label.text() == "Bước 2/3: Người dùng đầu tiên"
    assert dialog.login_edit.text() == "admin"
    first_user(qtbot, dialog, type_vi, "Nguyễn Thị Hồng Nhung")
    assert dialog.step_label.text() == "Bước 3/3: Dữ liệu mẫu và nơi lưu"
    assert dialog.ok_button.isVisible() and dialog.ok_button.text() == "Bắt đầu sử dụng"
    assert dialog.data_folder_edit.text() == str(db_path.parent)
    accept_and_wait(qtbot, dialog)
    site, people = local_site_of(db_path)
    assert (site.unit_code, site.role, site.display_name) == ("07339", "commune", "Xã Tân Yên")
    assert dialog.site == site
    assert people == [{"name": "admin", "full_name": "Nguyễn Thị Hồng Nhung"}]
    db = connection.connect(db_path)
    try:
        assert users.login_required(db)
        assert users.session_user() == "admin"     # the one who set it up is logged in
        users.logout()
        assert users.login(db, "admin", "matkhau-1")["role"] == "admin"
    finally:
        db.close()
    assert not shown_errors


def test_commune_typed_with_diacritics_a_display_name_and_no_login(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    type_vi(dialog.commune_combo.lineEdit(), "Tân Yên")
    assert dialog.commune_combo.filtered_texts() == ["Xã Tân Yên"]
    # not picked from the list: the only matching name is taken
    type_vi(dialog.display_name_edit, "UBND xã Tân Yên")
    next_step(qtbot, dialog, 1)
    dialog.login_edit.setText("nhung.nt")
    first_user(qtbot, dialog, type_vi, "Trần Văn Đức", no_login=True)
    accept_and_wait(qtbot, dialog)
    site, people = local_site_of(units_path)
    assert (site.unit_code, site.display_name) == ("07339", "UBND xã Tân Yên")
    assert people == [{"name": "nhung.nt", "full_name": "Trần Văn Đức"}]
    db = connection.connect(units_path)
    try:
        assert not users.login_required(db)
        assert sites.writer(db).actor.user == "nhung.nt"
    finally:
        db.close()


def test_office_role_disables_the_commune_and_demo_data(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    assert dialog.commune_combo.isEnabled() and dialog.demo_check.isEnabled()
    qtbot.mouseClick(dialog.role_office, Qt.MouseButton.LeftButton)
    assert dialog.role_office.isChecked()
    assert not dialog.commune_combo.isEnabled() and not dialog.demo_check.isEnabled()
    dialog.province_combo.setCurrentIndex(dialog.province_combo.findText("Tỉnh Bắc Ninh"))
    next_step(qtbot, dialog, 1)
    first_user(qtbot, dialog, type_vi, "Lê Thị Ánh")
    accept_and_wait(qtbot, dialog)
    site, _ = local_site_of(units_path)
    assert (site.unit_code, site.role) == ("24", "office")
    assert site.display_name.endswith("Bắc Ninh")     # the unit's name, with or without "Tỉnh"
    qtbot.mouseClick(dialog.role_commune, Qt.MouseButton.LeftButton)
    assert dialog.commune_combo.isEnabled()


def test_each_step_says_what_is_missing_and_stays(qtbot, units_path, type_vi):
    dialog = make_dialog(qtbot, units_path)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa chọn tỉnh, thành phố."
    assert dialog.step() == 0
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa chọn xã, phường, đặc khu."
    qtbot.keyClicks(dialog.commune_combo.lineEdit(), "khong co xa nay")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "Không tìm thấy đúng một xã" in dialog.message_label.text()
    dialog.commune_combo.set_current_key("07339")
    next_step(qtbot, dialog, 1)
    assert dialog.message_label.text() == ""
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Chưa nhập họ và tên người sử dụng."
    type_vi(dialog.full_name_edit, "Đỗ Minh")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text().startswith("Chưa đặt mật khẩu.")
    dialog.password_edit.setText("12345")
    dialog.again_edit.setText("12345")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Mật khẩu cần ít nhất 6 ký tự."
    dialog.again_edit.setText("123456")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "Hai lần nhập mật khẩu không giống nhau."
    dialog.login_edit.setText("nhung nt")
    dialog.password_edit.setText("123456")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "không được có dấu cách" in dialog.message_label.text()
    assert dialog.step() == 1 and dialog.isVisible()
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.step() == 0 and dialog.commune_combo.current_key() == "07339"
    dialog.tasks.close()
    site, _ = local_site_of(units_path)
    assert site is None


def test_errors_from_init_site_are_shown_next_to_the_form(qtbot, site_path, type_vi):
    """A database that already has a site: init_site refuses, the dialog says why."""
    dialog = make_dialog(qtbot, site_path)
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    dialog.commune_combo.set_current_key("07339")
    next_step(qtbot, dialog, 1)
    first_user(qtbot, dialog, type_vi, "Đỗ Minh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "đã được khởi tạo" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.ok_button.isEnabled()
    dialog.tasks.close()


def test_another_data_folder_demo_data_and_a_backup_folder(qtbot, units_path, tmp_path,
                                                           type_vi, monkeypatch):
    """The site is made in the chosen folder, which is opened by default from then on; the
    backups go to the chosen folder; the demo households are there."""
    data, saves = tmp_path / "D" / "gnapp-du-lieu", tmp_path / "USB" / "sao-luu"
    data.mkdir(parents=True)
    saves.mkdir(parents=True)
    dialog = make_dialog(qtbot, units_path)
    choose_province(qtbot, dialog, "Tỉnh Bắc Ninh")
    dialog.commune_combo.set_current_key("07339")
    next_step(qtbot, dialog, 1)
    first_user(qtbot, dialog, type_vi, "Lê Thị Hương", no_login=True)
    dialog.demo_check.setChecked(True)
    monkeypatch.setattr(first_start, "choose_paths", lambda *a, **k: [data])
    dialog.choose_data_folder()
    assert dialog.backup_folder_edit.text() == str(data / "backups")
    monkeypatch.setattr(first_start, "choose_paths", lambda *a, **k: [saves])
    dialog.choose_backup_folder()
    given = dialog.tasks
    accept_and_wait(qtbot, dialog)
    given.close()
    assert dialog.db_path == data / "gnapp.sqlite"
    assert paths.default_db_path() == data / "gnapp.sqlite"
    assert paths.chosen_backup_dir(data / "gnapp.sqlite") == saves
    site, _ = local_site_of(data / "gnapp.sqlite")
    assert site.unit_code == "07339"
    assert local_site_of(units_path)[0] is None        # the given file stays as it was
    db = connection.connect(data / "gnapp.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM household").fetchone()[0] > 0
    finally:
        db.close()


def test_a_data_folder_that_already_has_data_is_refused(qtbot, units_path, tmp_path, type_vi,
                                                        monkeypatch):
    taken = tmp_path / "da-co"
    taken.mkdir()
    (taken / "gnapp.sqlite").write_bytes(b"du lieu cu")
    dialog = make_dialog(qtbot, units_path)
    dialog.role_office.setChecked(True)
    dialog.select_province("24")
    next_step(qtbot, dialog, 1)
    first_user(qtbot, dialog, type_vi, "Lê Thị Hương", no_login=True)
    monkeypatch.setattr(first_start, "choose_paths", lambda *a, **k: [taken])
    dialog.choose_data_folder()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "không ghi đè tệp dữ liệu đã có" in dialog.message_label.text()
    assert (taken / "gnapp.sqlite").read_bytes() == b"du lieu cu"
    dialog.tasks.close()


def test_tab_order(focus_chain, qtbot, units_path):
    dialog = make_dialog(qtbot, units_path)
    expected = [dialog.role_commune, dialog.role_office, dialog.province_combo,
                dialog.commune_combo, dialog.display_name_edit, dialog.login_edit,
                dialog.full_name_edit, dialog.password_edit, dialog.again_edit,
                dialog.no_login_check, dialog.demo_check, dialog.data_folder_button,
                dialog.backup_folder_button, dialog.back_button, dialog.next_button,
                dialog.ok_button, dialog.cancel_button]
    chain = focus_chain(dialog.role_commune)
    assert [w for w in chain if any(w is e for e in expected)] == expected

    # with real Tab presses: Qt skips the unchecked radio button of the group (arrow keys
    # move between the two) and the hidden steps, so role → province → commune → display
    # name → Tiếp theo (Quay lại is disabled on the first step)
    dialog.activateWindow()
    qtbot.waitActive(dialog)

    def tab_from(widget, key=Qt.Key.Key_Tab):
        qtbot.keyClick(widget, key)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not widget)
        return QApplication.focusWidget()

    dialog.role_commune.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.role_commune)
    visited = [dialog.role_commune]
    for _ in range(4):
        visited.append(tab_from(visited[-1]))
    assert visited == [dialog.role_commune, dialog.province_combo, dialog.commune_combo,
                       dialog.display_name_edit, dialog.next_button]
    # Shift+Tab goes back
    assert tab_from(dialog.next_button, Qt.Key.Key_Backtab) is dialog.display_name_edit
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
    next_step(qtbot, dialog, 1)
    first_user(qtbot, dialog, type_vi, "Phạm Quỳnh", no_login=True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert dialog.tasks.closed
    site, _ = local_site_of(units_path)
    assert site.role == "office"
