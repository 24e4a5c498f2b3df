"""Users of an installation: roles, permissions, passwords, login and lockout.

Users are local to one installation (they never travel in packages). Each has one role; a
role grants permissions, and the functions that do something a role may not do check the
permission themselves (``require``), so the GUI and the CLI are refused alike.

Passwords are stored as scrypt hashes. After ``MAX_FAILURES`` wrong passwords in a row an
account is locked for ``LOCK_MINUTES``; an administrator can unlock it at once. A lost
administrator password is reset with ``reset_password(..., recovery=True)`` (the command
``gnapp users reset-password``), which needs nothing but access to the database file on the
PC: whoever can open the file could edit it anyway, so the file itself is the boundary.

The user logged in to this process (the GUI after its login dialog, the CLI after checking
a password) is the *session user*; writes made without naming a user are made in its name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from gnapp.db import settings
from gnapp.db.store import transaction
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.text import clean

OFFICER, LEADER, SUPERVISOR, ADMIN = "officer", "leader", "supervisor", "admin"
ROLE_LABELS = {OFFICER: "cán bộ xã", LEADER: "lãnh đạo xã", SUPERVISOR: "cán bộ cấp trên",
               ADMIN: "quản trị"}

# What each permission lets a user do (as said in a refusal: "không có quyền …").
PERMISSIONS = {
    "enter": "nhập và sửa dữ liệu",
    "approve": "phê duyệt",
    "return": "trả lại kết quả cho xã",
    "sign": "đánh dấu văn bản đã ký",
    "unlock": "mở khóa dữ liệu của văn bản đã ký",
    "profile": "sửa hồ sơ đơn vị (cơ quan ban hành, người ký, nơi nhận, sổ văn bản)",
    "merge": "nhập gói đồng bộ của các xã",
    "users": "quản lý người dùng",
    "settings": "thay đổi cài đặt",
}
GRANTS: dict[str, frozenset[str]] = {
    OFFICER: frozenset({"enter"}),
    LEADER: frozenset({"enter", "approve", "sign", "unlock", "profile"}),
    SUPERVISOR: frozenset({"enter", "merge", "approve", "return"}),
    ADMIN: frozenset(PERMISSIONS),
}

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 6
LOGIN_REQUIRED = "login.required"

_session: str | None = None


class PermissionDenied(GnappError):
    """The user's role does not allow what was asked."""


class LoginError(GnappError):
    """A login refused: unknown user, wrong password, locked account."""


class LoginRequired(GnappError):
    """This installation asks for a login, and nobody has logged in."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def _matches(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(hash_password(password, base64.b64decode(salt)), stored)


def _check_password_rule(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", field="password")


def _audit(db: Database, by: str, name: str, field: str, old, new, reason: str) -> None:
    site = db.execute("SELECT id FROM site WHERE is_local = 1").fetchone()
    db.execute("INSERT INTO audit_log (at, user, site_id, table_name, row_id, field, old, new, "
               "reason) VALUES (?, ?, ?, 'app_user', ?, ?, ?, ?, ?)",
               [_now().isoformat(timespec="seconds"), by, site[0] if site else "",
                name, field, None if old is None else str(old),
                None if new is None else str(new), reason])


# -- reading ------------------------------------------------------------------------------

def get(db: Database, name: str) -> dict | None:
    rows = list(db.query("SELECT * FROM app_user WHERE name = ?", [clean(name)]))
    return rows[0] if rows else None


def all_users(db: Database) -> list[dict]:
    """Every user, active ones first, without their password hashes."""
    return [{k: v for k, v in row.items() if k != "password_hash"}
            | {"has_password": bool(row["password_hash"]),
               "role_label": ROLE_LABELS.get(row["role"], row["role"])}
            for row in db.query("SELECT * FROM app_user ORDER BY active DESC, name")]


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def login_required(db: Database) -> bool:
    return settings.get(db, LOGIN_REQUIRED) == "1"


def session_user() -> str | None:
    return _session


def set_session(name: str | None) -> None:
    """Make ``name`` the user of this process (None: nobody logged in)."""
    global _session
    _session = name


def current_user(db: Database) -> str | None:
    """Who acts when no user is named: the logged-in user; on an installation without login,
    the first active administrator (the first user made at start when there is none)."""
    if _session is not None:
        return _session
    if login_required(db):
        return None
    row = db.execute("SELECT name FROM app_user WHERE active = 1 "
                     "ORDER BY role != 'admin', created_at, name LIMIT 1").fetchone()
    return row[0] if row else None


def can(db: Database, name: str | None, permission: str) -> bool:
    try:
        require(db, name, permission)
    except GnappError:
        return False
    return True


def require(db: Database, name: str | None, permission: str) -> dict:
    """The active user ``name`` (None: the current user), if their role grants ``permission``.

    On an installation that asks for a login, only the logged-in user may act.

    :raises LoginRequired: login is asked and ``name`` has not logged in
    :raises PermissionDenied: an unknown or inactive user, or a role without the permission
    """
    what = PERMISSIONS[permission]
    if name is None:
        name = current_user(db)
    if login_required(db) and (name is None or name != _session):
        raise LoginRequired(f"Máy này yêu cầu đăng nhập: cần đăng nhập bằng tài khoản có "
                            f"quyền {what}.")
    user = get(db, name) if name else None
    if user is None or not user["active"]:
        raise PermissionDenied(f"Người dùng «{name}» không có trong danh sách người dùng đang "
                               f"hoạt động của máy này nên không được {what}.")
    if permission not in GRANTS.get(user["role"], ()):
        allowed = ", ".join(label for role, label in ROLE_LABELS.items()
                            if permission in GRANTS[role])
        raise PermissionDenied(f"Người dùng «{name}» ({role_label(user['role'])}) không có "
                               f"quyền {what}. Việc này cần vai trò: {allowed}.")
    return user


# -- login --------------------------------------------------------------------------------

def login(db: Database, name: str, password: str) -> dict:
    """Check ``password`` and make ``name`` the session user.

    Wrong passwords are counted; the ``MAX_FAILURES``-th in a row locks the account for
    ``LOCK_MINUTES`` minutes (audited). A right password resets the count.

    :raises LoginError: unknown or inactive user, locked account, wrong password
    """
    name = clean(name)
    user = get(db, name)
    if user is None or not user["active"]:
        raise LoginError(f"Không có người dùng «{name}» đang hoạt động trên máy này.")
    if user["locked_until"] and datetime.fromisoformat(user["locked_until"]) > _now():
        until = datetime.fromisoformat(user["locked_until"]).astimezone()
        raise LoginError(f"Tài khoản «{name}» đang bị khóa đến {until:%H:%M} vì nhập sai mật "
                         f"khẩu {MAX_FAILURES} lần. Hãy chờ hoặc nhờ quản trị mở khóa.")
    if not user["password_hash"]:
        raise LoginError(f"Tài khoản «{name}» chưa có mật khẩu; nhờ quản trị đặt mật khẩu.")
    if not _matches(user["password_hash"], password):
        failures = user["failed_logins"] + 1
        locked = (_now() + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") \
            if failures >= MAX_FAILURES else None
        with transaction(db):
            db.execute("UPDATE app_user SET failed_logins = ?, locked_until = ? WHERE name = ?",
                       [0 if locked else failures, locked, name])
            if locked:
                _audit(db, name, name, "locked_until", None, locked,
                       f"Nhập sai mật khẩu {MAX_FAILURES} lần liên tiếp")
        if locked:
            raise LoginError(f"Sai mật khẩu {MAX_FAILURES} lần: tài khoản «{name}» bị khóa "
                             f"{LOCK_MINUTES} phút.")
        left = MAX_FAILURES - failures
        raise LoginError(f"Sai mật khẩu. Còn {left} lần thử trước khi tài khoản bị khóa "
                         f"{LOCK_MINUTES} phút.")
    if user["failed_logins"] or user["locked_until"]:
        with transaction(db):
            db.execute("UPDATE app_user SET failed_logins = 0, locked_until = NULL "
                       "WHERE name = ?", [name])
    set_session(name)
    return get(db, name)


def logout() -> None:
    set_session(None)


# -- managing users -----------------------------------------------------------------------

def _check_role(role: str) -> None:
    if role not in ROLE_LABELS:
        raise InputError(f"Vai trò «{role}» không hợp lệ; chọn: "
                         + ", ".join(f"{k} ({v})" for k, v in ROLE_LABELS.items()) + ".",
                         field="role")


def create_first(db: Database, name: str, full_name: str, *, password: str | None = None) -> None:
    """The first user of a new installation: an administrator (no permission to check)."""
    _insert(db, name, full_name, ADMIN, password)


def _insert(db: Database, name: str, full_name: str, role: str, password: str | None) -> dict:
    name = clean(name)
    if not name:
        raise InputError("Chưa nhập tên đăng nhập.", field="user")
    if any(ch.isspace() for ch in name):
        raise InputError(f"Tên đăng nhập «{name}» không được có dấu cách.", field="user")
    if get(db, name) is not None:
        raise InputError(f"Đã có người dùng tên đăng nhập «{name}».", field="user")
    if not clean(full_name):
        raise InputError("Chưa nhập họ và tên người dùng.", field="full_name")
    _check_role(role)
    if password is not None:
        _check_password_rule(password)
    db["app_user"].insert({"name": name, "full_name": clean(full_name), "role": role,
                           "password_hash": hash_password(password) if password else None,
                           "active": 1, "created_at": _now().isoformat(timespec="seconds"),
                           "failed_logins": 0, "locked_until": None, "must_change": 0})
    return get(db, name)


def add(db: Database, by: str | None, name: str, full_name: str, *, role: str,
        password: str) -> dict:
    """Add a user (``by`` needs the permission to manage users); audited."""
    by = require(db, by, "users")["name"]
    with transaction(db):
        user = _insert(db, name, full_name, role, password)
        _audit(db, by, user["name"], "role", None, role, "Thêm người dùng")
    return user


def set_role(db: Database, by: str | None, name: str, role: str) -> dict:
    by = require(db, by, "users")["name"]
    _check_role(role)
    user = _existing(db, name)
    if user["role"] == ADMIN and role != ADMIN:
        _keep_an_admin(db, name)
    with transaction(db):
        db.execute("UPDATE app_user SET role = ? WHERE name = ?", [role, user["name"]])
        _audit(db, by, user["name"], "role", user["role"], role, "Đổi vai trò")
    return get(db, name)


def set_active(db: Database, by: str | None, name: str, active: bool) -> dict:
    by = require(db, by, "users")["name"]
    user = _existing(db, name)
    if not active:
        if user["name"] == by:
            raise InputError("Không tự ngừng tài khoản của chính mình được.")
        if user["role"] == ADMIN:
            _keep_an_admin(db, name)
    with transaction(db):
        db.execute("UPDATE app_user SET active = ? WHERE name = ?", [int(active), user["name"]])
        _audit(db, by, user["name"], "active", user["active"], int(active),
               "Cho hoạt động lại" if active else "Ngừng tài khoản")
    return get(db, name)


def unlock(db: Database, by: str | None, name: str) -> dict:
    by = require(db, by, "users")["name"]
    user = _existing(db, name)
    with transaction(db):
        db.execute("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE name = ?",
                   [user["name"]])
        _audit(db, by, user["name"], "locked_until", user["locked_until"], None,
               "Quản trị mở khóa tài khoản")
    return get(db, name)


def change_password(db: Database, name: str, old: str, new: str) -> None:
    """A user changes their own password (the old one is asked again)."""
    user = _existing(db, name)
    if user["password_hash"] and not _matches(user["password_hash"], old):
        raise LoginError("Mật khẩu hiện tại không đúng.")
    _check_password_rule(new)
    with transaction(db):
        db.execute("UPDATE app_user SET password_hash = ?, must_change = 0 WHERE name = ?",
                   [hash_password(new), user["name"]])
        _audit(db, name, user["name"], "password", None, None, "Đổi mật khẩu")


def reset_password(db: Database, by: str | None, name: str, *, password: str | None = None,
                   recovery: bool = False) -> str:
    """Give ``name`` a new password, to be changed at the next login; returns it.

    :param password: the new password (default: a random one, returned)
    :param recovery: the recovery of a lost password on the PC itself
        (``gnapp users reset-password``): no permission is checked, since it needs the
        database file; the audit row says so
    """
    if not recovery:
        by = require(db, by, "users")["name"]
    user = _existing(db, name)
    password = password or secrets.token_urlsafe(6)
    _check_password_rule(password)
    with transaction(db):
        db.execute("UPDATE app_user SET password_hash = ?, must_change = 1, failed_logins = 0, "
                   "locked_until = NULL, active = 1 WHERE name = ?",
                   [hash_password(password), user["name"]])
        _audit(db, by or "(máy tính)", user["name"], "password", None, None,
               "Khôi phục mật khẩu bằng lệnh trên máy" if recovery else "Quản trị đặt lại mật khẩu")
    return password


def set_login_required(db: Database, by: str | None, required: bool) -> None:
    """Ask (or stop asking) for a login at start. Asking needs an active administrator with a
    password, so that somebody can still log in."""
    by = require(db, by, "settings")["name"]
    if required and not db.execute("SELECT 1 FROM app_user WHERE active = 1 AND role = ? "
                                   "AND password_hash IS NOT NULL", [ADMIN]).fetchone():
        raise InputError("Cần ít nhất một quản trị có mật khẩu trước khi bật đăng nhập.")
    old = login_required(db)
    with transaction(db):
        settings.put(db, LOGIN_REQUIRED, "1" if required else "0")
        _audit(db, by, "*", "login_required", int(old), int(required), "Đổi cài đặt đăng nhập")
    if required:
        set_session(by)


def _existing(db: Database, name: str) -> dict:
    user = get(db, name)
    if user is None:
        raise InputError(f"Không có người dùng «{clean(name)}».", field="user")
    return user


def _keep_an_admin(db: Database, name: str) -> None:
    others = db.execute("SELECT count(*) FROM app_user WHERE active = 1 AND role = ? "
                        "AND name != ?", [ADMIN, clean(name)]).fetchone()[0]
    if not others:
        raise InputError("Phải còn ít nhất một quản trị đang hoạt động.")
