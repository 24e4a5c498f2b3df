"""Starting the GUI: fonts, no display, a bad database, first start cancelled."""

import sqlite3

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QRawFont
from PySide6.QtWidgets import QDialog

from gnapp.db import connection, sites
from gnapp.ui import app as ui_app
from gnapp.ui.fonts import register_fonts


def test_bundled_fonts_are_registered(qapp):
    families = register_fonts()
    assert families == ["Liberation Sans", "Liberation Serif"]
    assert "Liberation Sans" in QFontDatabase.families()
    assert register_fonts() == families          # registering again changes nothing
    font = QFont("Liberation Sans", 10)
    assert QFontInfo(font).family() == "Liberation Sans"
    raw = QRawFont.fromFont(font)
    assert all(raw.supportsCharacter(ord(ch)) for ch in "ăâđêôơưấầẩẫậễệốồổỗộớờởỡợứừửữựỳýỷỹỵĐ")


def test_no_display_is_a_message_not_a_crash(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui_app.sys, "platform", "linux")
    assert ui_app.run() == 1
    err = capsys.readouterr().err
    assert "không tìm thấy màn hình" in err
    assert "xvfb-run" in err and "QT_QPA_PLATFORM=offscreen" in err


def test_display_detection():
    assert ui_app.display_available({}, "win32")
    assert not ui_app.display_available({}, "linux")
    assert ui_app.display_available({"DISPLAY": ":0"}, "linux")
    assert ui_app.display_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert ui_app.display_available({"QT_QPA_PLATFORM": "offscreen"}, "linux")


def _leave_recovery(monkeypatch) -> list[str]:
    """Answer the recovery dialog with «Thoát»; what it said is collected."""
    said = []

    def leave(dialog):
        said.append(dialog.message_label.text())
        return "quit"

    monkeypatch.setattr("gnapp.ui.recovery.RecoveryDialog.ask", leave)
    return said


def test_a_file_that_is_not_gnapps_is_refused_with_a_message(qapp, tmp_path, monkeypatch):
    path = tmp_path / "khac.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (y)")
    conn.close()
    before = path.read_bytes()
    said = _leave_recovery(monkeypatch)
    assert ui_app.run(path) == 1
    assert said == ["Tệp khac.sqlite là cơ sở dữ liệu của một chương trình khác, không phải của gnapp."]
    assert path.read_bytes() == before


def test_cancelling_the_first_start_quits(qapp, units_path, monkeypatch):
    opened = []

    def fake_exec(dialog):
        opened.append(dialog.windowTitle())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ui_app.FirstStartDialog, "exec", fake_exec)
    assert ui_app.run(units_path) == 0
    assert opened == ["Thiết lập lần đầu"]
    db = connection.connect(units_path)
    assert sites.local_site(db) is None
    db.close()


def test_application_font_is_liberation_sans(qapp):
    ui_app.application()
    assert qapp.applicationName() == "gnapp"
    assert qapp.font().family() == "Liberation Sans"
    assert qapp.font().pointSize() == 10


def test_a_damaged_database_is_not_opened_and_its_bytes_stay(qapp, site_path, monkeypatch):
    """A truncated file without backups: the recovery dialog says so; Thoát leaves it as is."""
    data = site_path.read_bytes()
    site_path.write_bytes(data[: len(data) // 3])
    before = site_path.read_bytes()
    said = _leave_recovery(monkeypatch)
    monkeypatch.setattr(ui_app.FirstStartDialog, "exec", lambda d: (_ for _ in ()).throw(
        AssertionError("a damaged file must not reach the first start")))
    assert ui_app.run(site_path) == 1
    assert said and site_path.read_bytes() == before
