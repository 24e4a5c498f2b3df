"""Sites (installations) and their keys (SYNC.md §2); users are in ``gnapp.db.users``."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlite_utils import Database

from gnapp.db import units, users
from gnapp.db.store import Actor, Writer, transaction, utc_now
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.text import clean
from gnapp.domain.units import level_of_type, pad_code

ROLES = {"commune": "xã", "office": "cơ quan cấp trên"}
# Which unit levels each role may serve.
ROLE_LEVELS = {"commune": ("commune",), "office": ("province", "district")}
DEFAULT_USER = "admin"


class NotInitialized(GnappError):
    pass


class AlreadyInitialized(GnappError):
    pass


@dataclass(frozen=True)
class Site:
    """One installation of gnapp and the unit it serves."""

    id: str
    unit_code: str
    role: str
    display_name: str
    sign_public: str
    enc_public: str
    replaces: str | None
    created_at: str

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.sign_public)


def _raw_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_fingerprint(public_b64: str) -> str:
    """What people compare by phone or on paper: 20 hex digits of SHA-256, in groups of 4."""
    digest = hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:20].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 20, 4))


def _new_keys() -> dict[str, str]:
    raw = serialization.Encoding.Raw
    sign = Ed25519PrivateKey.generate()
    enc = X25519PrivateKey.generate()
    return {
        "sign_private": _raw_b64(sign.private_bytes(raw, serialization.PrivateFormat.Raw,
                                                    serialization.NoEncryption())),
        "sign_public": _raw_b64(sign.public_key().public_bytes(raw, serialization.PublicFormat.Raw)),
        "enc_private": _raw_b64(enc.private_bytes(raw, serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())),
        "enc_public": _raw_b64(enc.public_key().public_bytes(raw, serialization.PublicFormat.Raw)),
    }


def signing_key(db: Database) -> Ed25519PrivateKey:
    """The local site's private signing key."""
    row = db.execute("SELECT sign_private FROM site WHERE is_local = 1").fetchone()
    if row is None:
        raise NotInitialized("Cơ sở dữ liệu chưa được khởi tạo (chạy «gnapp init»).")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(row[0]))


def _site(row: dict) -> Site:
    return Site(id=row["id"], unit_code=row["unit_code"], role=row["role"],
                display_name=row["display_name"], sign_public=row["sign_public"],
                enc_public=row["enc_public"], replaces=row["replaces"],
                created_at=row["created_at"])


def local_site(db: Database) -> Site | None:
    """This installation's site, or None before ``init``."""
    rows = list(db.query("SELECT * FROM site WHERE is_local = 1"))
    return _site(rows[0]) if rows else None


def require_site(db: Database) -> Site:
    site = local_site(db)
    if site is None:
        raise NotInitialized("Cơ sở dữ liệu chưa được khởi tạo: hãy chạy «gnapp init --unit MÃ "
                             "--role commune|office» hoặc mở giao diện để chọn đơn vị.")
    return site


def actor(db: Database, user: str | None = None) -> Actor:
    """The local site acting for ``user`` (default: the logged-in user, or on an installation
    without login its first administrator).

    :raises LoginRequired: no user named on an installation that asks for a login, and
        nobody logged in
    """
    site = require_site(db)
    if user is None:
        user = users.current_user(db)
        if user is None and users.login_required(db):
            raise users.LoginRequired("Máy này yêu cầu đăng nhập trước khi ghi dữ liệu. Với "
                                      "dòng lệnh: thêm --user TÊN (nếu lệnh có) hoặc đặt biến "
                                      "môi trường GNAPP_USER; mật khẩu được hỏi khi chạy hoặc "
                                      "lấy từ biến GNAPP_PASSWORD.")
    return Actor(site_id=site.id, unit_code=site.unit_code, user=user or DEFAULT_USER)


def writer(db: Database, user: str | None = None) -> Writer:
    """A ``Writer`` for the local site."""
    return Writer(db, actor(db, user))


def _insert_site(db: Database, unit_code: str, role: str, display_name: str,
                 replaces: str | None) -> Site:
    site_id = str(uuid.uuid4())
    db["site"].insert({"id": site_id, "unit_code": unit_code, "role": role,
                       "display_name": display_name, "replaces": replaces, "is_local": 1,
                       "clock": None, "created_at": utc_now(), **_new_keys()})
    return require_site(db)


def init_site(db: Database, unit_code: str, role: str, *, display_name: str | None = None,
              user: str = DEFAULT_USER, user_full_name: str | None = None,
              password: str | None = None, legacy: dict | None = None) -> Site:
    """Make this database a new site serving ``unit_code`` in ``role``.

    Loads the official unit list first if needed. The unit must exist (official or legacy)
    and suit the role: a commune for ``commune``, a province (or legacy district) for
    ``office``. ``user`` (with ``user_full_name`` and an optional ``password``) becomes the
    first user, an administrator.

    :param legacy: to serve a pre-2025 unit that is not recorded yet, its ``name``,
        ``unit_type`` and optionally ``parent_code``, ``valid_from``, ``valid_to``: the unit
        is added as a legacy unit owned by the new site
    """
    if role not in ROLES:
        raise InputError(f"Vai trò «{role}» không hợp lệ; chọn commune (xã) hoặc office "
                         "(cơ quan cấp trên).", field="role")
    if local_site(db) is not None:
        site = require_site(db)
        raise AlreadyInitialized(f"Cơ sở dữ liệu đã được khởi tạo cho đơn vị {site.unit_code} "
                                 f"({site.display_name}).")
    units.ensure_official_units(db)
    with transaction(db):
        if legacy:
            level = level_of_type(legacy.get("unit_type") or "")
            try:
                code = pad_code(unit_code, level) if level else unit_code
            except ValueError as exc:
                raise InputError(str(exc), field="unit") from None
            site = _insert_site(db, code, role, clean(display_name) or clean(legacy["name"]),
                                None)
            units.add_legacy_unit(Writer(db, Actor(site.id, code, user)), code=code, **legacy)
        unit = units.get_unit(db, unit_code)
        if unit is None:
            raise InputError(f"Không có đơn vị hành chính mã «{unit_code}» trong danh mục.",
                             field="unit")
        if unit["level"] not in ROLE_LEVELS[role]:
            raise InputError(f"Đơn vị {unit['name']} ({unit['code']}) là cấp "
                             f"{unit['type']}, không dùng được cho vai trò {ROLES[role]}.",
                             field="unit")
        if not legacy:
            site = _insert_site(db, unit["code"], role, clean(display_name) or unit["name"],
                                None)
        users.create_first(db, user, user_full_name or "Quản trị viên", password=password)
    return site


def replace_site(db: Database, *, reason: str) -> Site:
    """Retire the local site and create a new one for the same unit (after a restore).

    The new site has a new id and new keys and names the site it replaces, so it never
    reuses the old site's package numbers (SYNC.md §2). The old site stays as a known peer.
    """
    old = require_site(db)
    with transaction(db):
        db.execute("UPDATE site SET is_local = 0, sign_private = NULL, enc_private = NULL, "
                   "retired_at = ? WHERE id = ?", [utc_now(), old.id])
        site = _insert_site(db, old.unit_code, old.role, old.display_name, old.id)
        db.execute(
            "INSERT INTO audit_log (at, user, site_id, table_name, row_id, field, old, new, reason) "
            "VALUES (?, ?, ?, 'site', ?, 'id', ?, ?, ?)",
            [utc_now(), actor(db).user, site.id, site.id, old.id, site.id, reason])
    return site
