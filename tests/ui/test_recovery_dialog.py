"""Recovery at start (a damaged database is never overwritten; the latest good backup is
offered) and, in the main window, restoring a chosen backup with its summary, backups to a
folder and the full check in the background."""

import sqlite3
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from gnapp.db import backup, connection, schema, sites, units
from gnapp.ui import recovery as rec
from gnapp.ui.main_window import MainWindow
from gnapp.ui.tasks import TaskManager
from tests.recovery_helpers import add_village, village_names


@pytest.fixture
def saved(site_path):
    add_village(site_path, "Thôn Đồng Tâm")
    info = backup.make_backup(site_path, now=datetime(2026, 3, 2, 8, 30))
    add_village(site_path, "Thôn Sau Sao Lưu")
    return info


@pytest.fixture
def messages(monkeypatch):
    shown = []
    monkeypatch.setattr(rec, "message_box",
                        lambda parent, icon, text, **kw: shown.append((icon, text)))
    return shown


@pytest.fixture
def answer(monkeypatch, qtbot):
    """Answer the recovery dialog with the given choices in turn; the dialogs are kept."""
    dialogs, choices = [], []

    def ask(dialog):
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        return choices.pop(0)

    monkeypatch.setattr(rec.RecoveryDialog, "ask", ask)

    def set_choices(*wanted):
        choices.extend(wanted)
        return dialogs
    return set_choices


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])


def garbage(path):
    path.write_bytes(b"\x13\x37garbage" * 4000)


def other_sqlite(path):
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def empty(path):
    path.write_bytes(b"")


def folder_listing(folder):
    return sorted((p.name, p.stat().st_size) for p in folder.rglob("*"))


@pytest.mark.parametrize("spoil", [truncate, garbage, other_sqlite, empty])
def test_a_damaged_database_at_start_is_set_aside_and_the_latest_backup_restored(
        site_path, saved, spoil, answer, messages):
    spoil(site_path)
    damaged = site_path.read_bytes()
    dialogs = answer(rec.LATEST)

    assert rec.check_at_start(site_path) is True

    [dialog] = dialogs
    assert site_path.name in dialog.message_label.text()
    assert "không bị ghi đè hay xóa" in dialog.keep_label.text()
    assert dialog.latest_button.text() == ("Khôi phục từ bản sao lưu gần nhất "
                                           "(02/03/2026 08:30)")
    summary = dialog.latest_box.summary_label.text()
    assert "Xã Tân Yên (07339), cấp xã" in summary and "Thời điểm sao lưu: 02/03/2026 08:30" \
        in summary
    [aside] = site_path.parent.glob("gnapp.sqlite.hong-*[0-9]")
    assert aside.read_bytes() == damaged
    assert village_names(site_path) == ["Thôn Đồng Tâm"]
    [(_, text)] = messages
    assert aside.name in text and "Đã khôi phục dữ liệu" in text


@pytest.mark.parametrize("spoil", [truncate, garbage, other_sqlite])
def test_quitting_leaves_every_file_as_it_was(site_path, saved, spoil, answer, messages):
    spoil(site_path)
    before = folder_listing(site_path.parent)
    damaged = site_path.read_bytes()
    answer(rec.QUIT)
    assert rec.check_at_start(site_path) is False
    assert site_path.read_bytes() == damaged
    assert folder_listing(site_path.parent) == before and messages == []


def test_another_backup_chosen_shows_its_summary_first(site_path, saved, tmp_path, answer,
                                                       messages, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    copy = usb / saved.path.name
    copy.write_bytes(saved.path.read_bytes())
    saved.path.unlink()                         # no backup left beside the database
    garbage(site_path)
    dialogs = answer(rec.OTHER, rec.OTHER)
    picks = [None, copy]                        # cancelled once, then the USB copy
    monkeypatch.setattr(rec, "choose_backup_file", lambda parent, folder: picks.pop(0))
    confirmed = []
    monkeypatch.setattr(rec, "confirm_backup",
                        lambda parent, file, found: confirmed.append((file, found)) or True)

    assert rec.check_at_start(site_path) is True
    assert len(dialogs) == 2 and not dialogs[0].latest_button.isVisibleTo(dialogs[0])
    assert "Không tìm thấy bản sao lưu nào" in dialogs[0].none_label.text()
    [(file, found)] = confirmed
    assert file == copy and found["unit_code"] == "07339"
    assert village_names(site_path) == ["Thôn Đồng Tâm"]


def test_a_bad_file_chosen_is_refused_and_the_dialog_comes_back(site_path, tmp_path, answer,
                                                                messages, monkeypatch):
    garbage(site_path)
    bad = tmp_path / "hong.gnbak"
    bad.write_bytes(b"not a backup" * 50)
    answer(rec.OTHER, rec.QUIT)
    monkeypatch.setattr(rec, "choose_backup_file", lambda parent, folder: bad)
    assert rec.check_at_start(site_path) is False
    [(_, text)] = messages
    assert "không phải bản sao lưu gnapp" in text
    assert not list(site_path.parent.glob("*.hong-*"))


def test_good_missing_and_too_new_files(site_path, tmp_path, answer, messages):
    dialogs = answer()
    assert rec.check_at_start(site_path) is True
    assert rec.check_at_start(tmp_path / "new" / "gnapp.sqlite") is True
    conn = sqlite3.connect(site_path)
    conn.execute(f"PRAGMA user_version = {(schema.SCHEMA_MAJOR + 1) * 1000}")
    conn.close()
    before = site_path.read_bytes()
    assert rec.check_at_start(site_path) is False
    assert dialogs == [] and "Cần cập nhật phần mềm" in messages[0][1]
    assert site_path.read_bytes() == before


def test_the_dialog_buttons_give_the_choice(site_path, saved, qtbot):
    garbage(site_path)
    from gnapp.db import recovery
    health = recovery.inspect(site_path)
    dialog = rec.RecoveryDialog(health, saved, backup.summary(saved.path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.latest_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == rec.LATEST and dialog.result() == QDialog.DialogCode.Accepted
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.choice == rec.QUIT


# -- the backup page ---------------------------------------------------------------------------

def test_restore_the_backup_chosen_in_the_table_after_its_summary(make_window, site_path,
                                                                  saved, qtbot, monkeypatch,
                                                                  shown_errors):
    backup.make_backup(site_path, now=datetime(2026, 3, 3, 9, 0))
    window = make_window(site_path)
    page = window.backup_page
    old_site = window.info.site.id
    assert page.table.rowCount() == 2 and not page.restore_selected_button.isEnabled()
    page.table.selectRow(1)                              # the older one, 02/03/2026 08:30
    assert page.restore_selected_button.isEnabled()
    seen = []

    def exec_(dialog):
        seen.append((dialog.question_label.text(), dialog.summary_box.summary_label.text()))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(rec.RestoreConfirmDialog, "exec", exec_)
    qtbot.mouseClick(page.restore_selected_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.info.site.id != old_site)
    [(question, summary)] = seen
    assert saved.path.name in question
    assert "Thời điểm sao lưu: 02/03/2026 08:30" in summary and "Số hộ đang quản lý: 0" in summary
    assert village_names(site_path) == ["Thôn Đồng Tâm"]
    assert "before-restore" in [b.label for b in backup.list_backups(
        backup.backup_dir(site_path), site_path.stem)]
    assert not shown_errors


def test_a_double_click_asks_and_cancel_changes_nothing(make_window, site_path, saved, qtbot,
                                                        monkeypatch):
    window = make_window(site_path)
    window.show_area("Sao lưu")
    table = window.backup_page.table
    asked = []
    monkeypatch.setattr(rec.RestoreConfirmDialog, "exec",
                        lambda dialog: asked.append(dialog) or QDialog.DialogCode.Rejected)
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(asked) == 1
    qtbot.wait(50)
    assert village_names(site_path) == ["Thôn Đồng Tâm", "Thôn Sau Sao Lưu"]


def test_backup_to_a_chosen_folder(window, site_path, tmp_path, qtbot, monkeypatch,
                                   shown_errors):
    usb = tmp_path / "USB"
    usb.mkdir()
    monkeypatch.setattr(window, "ask_backup_folder", lambda: usb)
    with qtbot.waitSignal(window.backup_made, timeout=5000) as made:
        qtbot.mouseClick(window.backup_page.backup_to_button, Qt.MouseButton.LeftButton)
    assert made.args[0].path.parent == usb
    assert str(usb) in window.statusBar().currentMessage()
    assert backup.summary(made.args[0].path)["unit_code"] == "07339"
    assert window.backup_page.table.rowCount() == 0      # the local list is not touched

    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    monkeypatch.setattr(window, "ask_backup_folder", lambda: blocked / "sub")
    window.backup_to_folder()
    qtbot.waitUntil(lambda: len(shown_errors) == 1)
    assert "Không ghi được bản sao lưu vào thư mục" in str(shown_errors[0])


def test_the_full_check_after_start_warns_in_the_status_bar(site_path, qtbot, shown_errors):
    db = connection.connect(site_path)
    village = units.add_village(sites.writer(db), "Thôn Đồng Tâm")
    db.execute("DROP TRIGGER admin_unit_guard_update")
    db.execute("UPDATE admin_unit SET name = 'Sửa lén', version = 9 WHERE id = ?",
               [village["id"]])
    db.close()
    window = MainWindow(TaskManager(site_path), auto_backup=False, full_check=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.check_status.isVisible(), timeout=10000)
    assert window.check_status.text() == "Dữ liệu có lỗi: xem trang «Sao lưu»"
    assert "không có trong nhật ký thay đổi" in window.backup_page.check_output.toPlainText()


def test_no_warning_when_the_full_check_finds_nothing(site_path, qtbot):
    window = MainWindow(TaskManager(site_path), auto_backup=False, full_check=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "không có lỗi" in window.statusBar().currentMessage(),
                    timeout=10000)
    assert not window.check_status.isVisible()
    assert not window.backup_page.check_output.isVisible()


def test_recovery_at_start_shows_progress_and_can_be_cancelled(site_path, saved, answer,
                                                               messages, monkeypatch):
    """«Hủy» in the progress of a restore at start: the damaged file stays where it was and
    the choice is offered again (here: quit)."""
    garbage(site_path)
    damaged = site_path.read_bytes()
    shown = []
    real_wait = TaskManager.wait_with_progress

    def cancelled_at_once(self, fn, **kw):
        shown.append(kw["label"])

        def run(progress):
            progress.cancel()                 # as if «Hủy» was pressed before the first step
            return fn(progress)
        return real_wait(self, run, **kw)

    monkeypatch.setattr(TaskManager, "wait_with_progress", cancelled_at_once)
    dialogs = answer(rec.LATEST, rec.QUIT)
    assert rec.check_at_start(site_path) is False
    assert len(dialogs) == 2 and shown == [f"Khôi phục từ {saved.path.name}"]
    [(_, text)] = messages
    assert "Đã hủy khôi phục" in text
    assert site_path.read_bytes() == damaged
    assert not list(site_path.parent.glob("*.hong-*"))


def test_restore_in_the_window_can_be_cancelled(make_window, site_path, saved, qtbot,
                                                 monkeypatch, shown_errors):
    import threading

    window = make_window(site_path)
    site_id = window.info.site.id
    gate = threading.Event()
    window.tasks.run(lambda db: gate.wait(10))         # the worker is busy: restore waits
    monkeypatch.setattr(window, "ask_restore_file", lambda: saved.path)
    monkeypatch.setattr(window, "confirm_restore", lambda f: True)
    window.restore_from_file()
    window.restore_progress.cancel()
    gate.set()
    qtbot.waitUntil(lambda: "Đã hủy khôi phục" in window.statusBar().currentMessage())
    assert window.info.site.id == site_id and not shown_errors
    assert village_names(site_path) == ["Thôn Đồng Tâm", "Thôn Sau Sao Lưu"]
    assert "before-restore" not in [b.label for b in backup.list_backups(
        backup.backup_dir(site_path), site_path.stem)]
