"""Login at start, the login dialog's lockout, and the users area."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from gnapp.db import connection, users
from gnapp.ui import app as ui_app
from gnapp.ui.main_window import AREAS
from gnapp.ui.tasks import TaskManager
from gnapp.ui.users_page import AREA_TITLE, LoginDialog


def _prepare(path, *, login=True):
    """canbo (admin, with a password) and lan (officer); login asked when ``login``."""
    db = connection.connect(path)
    try:
        users.reset_password(db, "canbo", "canbo", password="quantri-1")
        db.execute("UPDATE app_user SET must_change = 0")
        users.add(db, "canbo", "lan", "Phạm Thị Lan", role=users.OFFICER, password="matkhau-lan")
        if login:
            users.set_login_required(db, "canbo", True)
    finally:
        db.close()
        users.logout()


def _login_dialog(qtbot, path):
    tasks = TaskManager(path)
    dialog = LoginDialog(tasks, ["canbo", "lan"], "Xã Tân Yên")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, tasks


def _submit(qtbot, dialog, name, password, until=None):
    dialog.name_combo.setEditText(name)
    dialog.password_edit.setText(password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(until or (lambda: dialog.ok_button.isEnabled() or dialog.result()))


def test_the_login_dialog_counts_failures_then_lets_in(qtbot, site_path):
    _prepare(site_path)
    dialog, tasks = _login_dialog(qtbot, site_path)
    assert dialog.windowTitle() == "Đăng nhập – gnapp"
    assert [dialog.name_combo.itemText(i) for i in range(2)] == ["canbo", "lan"]
    _submit(qtbot, dialog, "lan", "sai")
    assert "Sai mật khẩu. Còn 4 lần thử" in dialog.message.text()
    assert dialog.password_edit.text() == "" and dialog.isVisible()
    _submit(qtbot, dialog, "lan", "matkhau-lan")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user["name"] == "lan" and users.session_user() == "lan"
    tasks.close()


def test_a_reset_password_must_be_changed_at_login(qtbot, site_path):
    _prepare(site_path)
    db = connection.connect(site_path)
    temporary = users.reset_password(db, None, "lan", recovery=True)
    db.close()
    dialog, tasks = _login_dialog(qtbot, site_path)
    _submit(qtbot, dialog, "lan", temporary, until=lambda: hasattr(dialog, "change_dialog"))
    change = dialog.change_dialog
    assert change.windowTitle() == "Đổi mật khẩu" and dialog.result() != QDialog.DialogCode.Accepted
    change.new_edit.setText("mat-khau-moi")
    change.again_edit.setText("mat-khau-khac")
    qtbot.mouseClick(change.ok_button, Qt.MouseButton.LeftButton)
    assert change.message.text() == "Hai lần nhập mật khẩu mới không giống nhau."
    change.again_edit.setText("mat-khau-moi")
    qtbot.mouseClick(change.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    tasks.close()
    db = connection.connect(site_path)
    users.logout()
    assert users.login(db, "lan", "mat-khau-moi")["must_change"] == 0
    db.close()


def test_start_asks_for_a_login_and_cancelling_quits(qapp, site_path, monkeypatch):
    _prepare(site_path)
    asked = []

    def cancel(dialog):
        asked.append((dialog.windowTitle(), dialog.name_combo.count()))
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ui_app.LoginDialog, "exec", cancel)
    assert ui_app.run(site_path) == 0
    assert asked == [("Đăng nhập – gnapp", 2)]
    assert users.session_user() is None


def test_no_login_on_a_one_user_pc(qapp, site_path, monkeypatch):
    _prepare(site_path, login=False)
    monkeypatch.setattr(ui_app.LoginDialog, "exec", lambda d: (_ for _ in ()).throw(
        AssertionError("no login dialog expected")))
    monkeypatch.setattr(ui_app.QApplication, "exec", lambda *a: 0)
    monkeypatch.setattr(ui_app.MainWindow, "show", lambda w: None)
    assert ui_app.run(site_path) == 0


def test_the_users_area_for_an_administrator(qtbot, make_window, site_path, shown_errors):
    _prepare(site_path, login=False)
    window = make_window(site_path)
    window.show_area(AREA_TITLE)
    page = window.users_page
    assert AREAS[-1] == AREA_TITLE
    assert "Quản trị viên" in page.me_label.text() or "canbo" in page.me_label.text()
    assert window.user_status.text().endswith("(canbo), quản trị")
    assert page.add_button.isEnabled() and not page.admin_note.isVisible()
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["canbo", "lan"]

    dialog = page.add_user()
    dialog.name_edit.setText("hung")
    dialog.full_name_edit.setText("Trần Văn Hùng")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(users.LEADER))
    dialog.password_edit.setText("matkhau-hung")
    dialog.again_edit.setText("matkhau-hung")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 3)
    assert page.table.item(0, 2).text() == "quản trị"
    assert [page.table.item(r, 2).text() for r in range(3)] == ["quản trị", "lãnh đạo xã",
                                                                "cán bộ xã"]

    page.select("lan")
    page.role_combo.setCurrentIndex(page.role_combo.findData(users.LEADER))
    qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.item(2, 2).text() == "lãnh đạo xã")

    page.select("canbo")
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)     # oneself: refused
    qtbot.waitUntil(lambda: page.error.isVisibleTo(page))
    assert page.error.text() == "Không tự ngừng tài khoản của chính mình được."

    qtbot.mouseClick(page.login_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: users.login_required(window._db))
    assert users.session_user() == "canbo"
    assert not shown_errors


def test_an_officer_sees_the_area_but_cannot_manage(qtbot, make_window, site_path):
    _prepare(site_path)
    users.set_session("lan")
    window = make_window(site_path)
    page = window.users_page
    assert not page.add_button.isEnabled() and not page.login_check.isEnabled()
    assert page.admin_note.isVisibleTo(page)
    assert page.password_button.isEnabled() and page.switch_button.isEnabled()
    assert window.user_status.text() == "Phạm Thị Lan (lan), cán bộ xã"
    # the rule is below the GUI: the same call is refused
    page.role_combo.setEnabled(True)
    page.select("canbo")
    page.set_role()
    qtbot.waitUntil(lambda: page.error.isVisibleTo(page))
    assert "không có quyền quản lý người dùng" in page.error.text()


def test_switching_user_from_the_window(qtbot, make_window, site_path):
    _prepare(site_path)
    users.set_session("lan")
    window = make_window(site_path)
    dialog = window.switch_user()
    dialog.name_combo.setEditText("canbo")
    dialog.password_edit.setText("quantri-1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.user_status.text().endswith("(canbo), quản trị"))
    assert window.users_page.add_button.isEnabled()
    # a cancelled switch keeps whoever was logged in
    dialog = window.switch_user()
    dialog.reject()
    assert users.session_user() == "canbo"
