"""The ``users`` commands and the CLI's login: the same permissions as the GUI, refused alike."""

import json

import pytest
from click.testing import CliRunner

from gnapp.cli import cli
from gnapp.db import connection, users


def run(*args, code=0, env=None, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def commune(tmp_path):
    path = tmp_path / "xa.sqlite"
    run("init", "--unit", "07339", "--role", "commune", "--full-name", "Nguyễn Văn A",
        "--db", path)
    run("users", "add", "lan", "--full-name", "Phạm Thị Lan", "--role", "officer", "--db", path,
        env={"GNAPP_NEW_PASSWORD": "matkhau-lan"})
    return path


def test_users_are_listed_without_passwords(commune):
    data = json.loads(run("users", "list", "--json", "--db", commune).output)
    assert [(u["name"], u["role"]) for u in data["users"]] == [("admin", "admin"),
                                                               ("lan", "officer")]
    assert data["login_required"] is False
    assert "password_hash" not in json.dumps(data)


def test_an_officer_cannot_manage_users_from_the_cli(commune):
    result = run("users", "set-role", "lan", "admin", "--user", "lan", "--db", commune, code=1)
    assert "không có quyền quản lý người dùng" in result.output


def test_an_unknown_user_is_named_in_the_refusal(commune):
    result = run("units", "add-village", "Thôn Mới", "--commune", "07339", "--user", "ai",
                 "--db", commune, code=2)
    assert "Không có người dùng «ai» đang hoạt động" in result.output and "admin, lan" in result.output


def test_with_login_required_the_cli_asks_for_the_password(commune):
    run("users", "reset-password", "admin", "--password", "quantri-1", "--db", commune)
    run("users", "login-required", "on", "--user", "admin", "--db", commune,
        env={"GNAPP_PASSWORD": "quantri-1"})
    # nobody named: refused, nothing written
    result = run("units", "add-village", "Thôn Mới", "--commune", "07339", "--db", commune,
                 code=1)
    assert "yêu cầu đăng nhập" in result.output
    # a wrong password (asked on the terminal) is refused and counted
    result = run("units", "add-village", "Thôn Mới", "--commune", "07339", "--user", "lan",
                 "--db", commune, input="sai-mat-khau\n", code=1)
    assert "Sai mật khẩu. Còn 4 lần thử" in result.output
    # the right one, from the environment
    run("units", "add-village", "Thôn Mới", "--commune", "07339", "--db", commune,
        env={"GNAPP_USER": "lan", "GNAPP_PASSWORD": "matkhau-lan"})
    db = connection.connect(commune)
    villages = [r[0] for r in db.execute("SELECT name FROM admin_unit WHERE level = 'village' "
                                         "AND deleted = 0")]
    who = db.execute("SELECT DISTINCT user FROM audit_log WHERE row_id IN "
                     "(SELECT id FROM admin_unit WHERE level = 'village')").fetchall()
    db.close()
    assert villages == ["Thôn Mới"] and who == [("lan",)]


def test_reset_password_recovers_a_lost_admin_password(commune):
    run("users", "reset-password", "admin", "--password", "quantri-1", "--db", commune)
    run("users", "login-required", "on", "--user", "admin", "--db", commune,
        env={"GNAPP_PASSWORD": "quantri-1"})
    data = json.loads(run("users", "reset-password", "admin", "--json", "--db", commune).output)
    db = connection.connect(commune)
    try:
        assert users.login(db, "admin", data["password"])["must_change"] == 1
    finally:
        users.logout()
        db.close()
