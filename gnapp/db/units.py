"""Administrative units: the official list, legacy units and local villages.

The official list (PyPI ``vietnam-provinces``: 34 provinces, 3,321 communes after 1 July
2025) is reference data: every site loads the same rows with the same ids and clocks, so
they never need to travel. A newer list adds rows and closes old ones (``valid_to``,
``replaced_by``); it never overwrites a unit that history may still refer to. Legacy units
(pre-reform districts and communes) and villages are created through the write path like
any other row and travel with their owner's packages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta

from sqlite_utils import Database

from gnapp.db import registry, settings
from gnapp.db.hlc import Timestamp
from gnapp.db.store import Writer, transaction, utc_now, write_row
from gnapp.domain.errors import InputError
from gnapp.domain.text import clean, fold, fts_query
from gnapp.domain.units import LEVEL_NAMES, REFORM_DATE, level_of_type, pad_code

OFFICIAL_SOURCE = "vietnam-provinces"
_LEVEL_ORDER = "CASE u.level WHEN 'province' THEN 0 WHEN 'district' THEN 1 " \
               "WHEN 'commune' THEN 2 ELSE 3 END"


def official_list() -> tuple[str, list[dict]]:
    """The bundled official list: (data version, provinces each with its ``wards``)."""
    import vietnam_provinces

    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return vietnam_provinces.__data_version__, data


def official_version(db: Database) -> str | None:
    return settings.get(db, settings.OFFICIAL_UNITS_VERSION)


def ensure_official_units(db: Database) -> dict[str, int] | None:
    """Load the bundled official list unless this version is loaded already."""
    version, provinces = official_list()
    if official_version(db) == version:
        return None
    return load_official_units(db, provinces, version=version, valid_from=REFORM_DATE)


def _official_row(code: str, name: str, unit_type: str, parent_id: str | None,
                  valid_from: str, version: str) -> dict:
    stamp_ms = _epoch_ms(valid_from)
    values = {"code": code, "name": _official_name(name, unit_type), "type": unit_type,
              "level": level_of_type(unit_type), "parent_id": parent_id,
              "valid_from": valid_from, "valid_to": None, "replaced_by": None, "legacy": 0,
              "source": f"{OFFICIAL_SOURCE} {version}"}
    origin = f"{OFFICIAL_SOURCE}@{version}"
    return {**values, **registry.table("admin_unit").derive(values),
            "id": f"vn:{code}:{valid_from}", "site_id": origin, "owner_unit": registry.NATIONAL,
            "version": 1, "updated_at": str(Timestamp(stamp_ms, 0, origin)),
            "updated_by": origin, "deleted": 0}


def _official_name(name: str, unit_type: str) -> str:
    """The name with its type word: the list writes "Bắc Ninh" for "Tỉnh Bắc Ninh"."""
    name = clean(name)
    if fold(name).startswith(fold(unit_type.split()[0]) + " "):
        return name
    return f"{unit_type.capitalize()} {name}"


def _epoch_ms(day: str) -> int:
    return (date.fromisoformat(day) - date(1970, 1, 1)).days * 86_400_000


def load_official_units(db: Database, provinces: Iterable[dict], *, version: str,
                        valid_from: str) -> dict[str, int]:
    """Load an official list; returns counts of units added, closed and unchanged.

    :param provinces: ``{code, name, division_type, wards: [{code, name, division_type}]}``
        as in ``vietnam-provinces``' nested JSON
    :param version: the list's data version, recorded as the change's origin
    :param valid_from: the date from which the list is valid
    """
    origin = f"{OFFICIAL_SOURCE}@{version}"
    close_on = (date.fromisoformat(valid_from) - timedelta(days=1)).isoformat()
    counts = {"added": 0, "closed": 0, "unchanged": 0}
    with transaction(db):
        current = {r["code"]: r for r in db.query(
            "SELECT u.*, p.code AS parent_code FROM admin_unit u "
            "LEFT JOIN admin_unit p ON p.id = u.parent_id "
            "WHERE u.source LIKE ? AND u.valid_to IS NULL AND u.deleted = 0",
            [f"{OFFICIAL_SOURCE} %"])}
        stamp = Timestamp(_epoch_ms(valid_from), 1, origin)

        def close(old: dict, replaced_by: str | None) -> None:
            row = {k: v for k, v in old.items() if k != "parent_code"}
            row.update(valid_to=close_on, replaced_by=replaced_by, version=old["version"] + 1,
                       updated_at=str(stamp), updated_by=origin)
            write_row(db, "admin_unit", row, base_version=old["version"], origin=origin)
            counts["closed"] += 1

        def put(code: str, name: str, unit_type: str, parent: dict | None) -> dict:
            old = current.pop(code, None)
            parent_code = parent["code"] if parent else None
            if old and (old["name"], old["type"], old["parent_code"]) == \
                    (_official_name(name, unit_type), unit_type, parent_code):
                counts["unchanged"] += 1
                return old
            if old and old["valid_from"] >= valid_from:
                raise InputError(f"Danh mục mới ({version}) phải có hiệu lực sau danh mục đang "
                                 f"dùng (từ {old['valid_from']}).", field="valid_from")
            row = _official_row(code, name, unit_type, parent["id"] if parent else None,
                                valid_from, version)
            write_row(db, "admin_unit", row, base_version=0, origin=origin)
            counts["added"] += 1
            if old:
                close(old, row["id"])
            return {**row, "parent_code": parent_code}

        for p in provinces:
            province = put(pad_code(p["code"], "province"), p["name"], p["division_type"], None)
            for w in p.get("wards", ()):
                put(pad_code(w["code"], "commune"), w["name"], w["division_type"], province)
        for old in current.values():
            close(old, None)
        previous = official_version(db)
        settings.put(db, settings.OFFICIAL_UNITS_VERSION, version)
        db.execute(
            "INSERT INTO audit_log (at, user, site_id, table_name, row_id, field, old, new, reason) "
            "VALUES (?, 'gnapp', ?, 'admin_unit', '*', 'official_list', ?, ?, ?)",
            [utc_now(), origin, previous, version,
             f"Nạp danh mục đơn vị hành chính chính thức: thêm {counts['added']}, "
             f"đóng {counts['closed']}, giữ nguyên {counts['unchanged']}"])
    return counts


def _valid_clause(at: str | None) -> tuple[str, list]:
    if at is None:
        return "", []
    return " AND u.valid_from <= ? AND (u.valid_to IS NULL OR u.valid_to >= ?)", [at, at]


def get_unit(db: Database, code: str, at: str | None = None) -> dict | None:
    """The unit with this code valid on ``at`` (ISO date); without a date the one valid
    today, or else the most recent one (legacy units).

    A code typed without its leading zeros ("7339") finds the commune "07339" when no unit
    has the code as typed.
    """
    code = code.strip()
    rows: list[dict] = []
    for candidate in dict.fromkeys([code, code.zfill(5) if code.isdigit() else code]):
        rows = list(db.query(
            "SELECT u.*, p.code AS parent_code, p.name AS parent_name FROM admin_unit u "
            "LEFT JOIN admin_unit p ON p.id = u.parent_id "
            "WHERE u.code = ? AND u.deleted = 0 ORDER BY u.valid_from DESC", [candidate]))
        if rows:
            break
    day = at or date.today().isoformat()
    for row in rows:
        if row["valid_from"] <= day and (row["valid_to"] is None or row["valid_to"] >= day):
            return row
    return rows[0] if rows and at is None else None


def search_units(db: Database, text: str, *, level: str | None = None,
                 include_closed: bool = False, parent_code: str | None = None,
                 limit: int = 50) -> list[dict]:
    """Units whose name matches ``text``, ignoring case and diacritics (đ = d).

    "ha noi" finds "Thành phố Hà Nội"; the last word may be a prefix. Provinces come first,
    then districts, communes and villages, each in Vietnamese order.

    :param include_closed: also legacy and closed units (otherwise only those valid today)
    """
    query = fts_query(text)
    if query is None:
        return []
    sql = ("SELECT u.*, p.code AS parent_code, p.name AS parent_name FROM admin_unit_fts f "
           "JOIN admin_unit u ON u.rowid = f.rowid LEFT JOIN admin_unit p ON p.id = u.parent_id "
           "WHERE admin_unit_fts MATCH ? AND u.deleted = 0")
    params: list = [query]
    if level:
        sql += " AND u.level = ?"
        params.append(level)
    if parent_code:
        sql += " AND p.code = ?"
        params.append(parent_code)
    if not include_closed:
        valid, valid_params = _valid_clause(date.today().isoformat())
        sql += valid
        params += valid_params
    sql += f" ORDER BY {_LEVEL_ORDER}, u.name_key LIMIT ?"
    params.append(limit)
    return list(db.query(sql, params))


def ancestors(db: Database, code: str) -> list[str]:
    """The codes of the units above ``code``, nearest first (commune → province)."""
    out, unit = [], get_unit(db, code)
    while unit is not None and unit["parent_code"]:
        out.append(unit["parent_code"])
        unit = get_unit(db, unit["parent_code"])
    return out


def children(db: Database, parent_code: str, *, level: str | None = None) -> list[dict]:
    """Units valid today directly under the unit with this code, in Vietnamese order."""
    parent = get_unit(db, parent_code)
    if parent is None:
        return []
    valid, params = _valid_clause(date.today().isoformat())
    sql = f"SELECT u.* FROM admin_unit u WHERE u.parent_id = ? AND u.deleted = 0{valid}"
    args = [parent["id"], *params]
    if level:
        sql += " AND u.level = ?"
        args.append(level)
    return list(db.query(sql + " ORDER BY u.name_key", args))


def provinces(db: Database) -> list[dict]:
    """The provinces valid today, in Vietnamese order."""
    valid, params = _valid_clause(date.today().isoformat())
    return list(db.query("SELECT u.* FROM admin_unit u WHERE u.level = 'province' "
                         f"AND u.deleted = 0{valid} ORDER BY u.name_key", params))


def add_legacy_unit(writer: Writer, *, code: str, name: str, unit_type: str,
                    parent_code: str | None = None, valid_from: str = "1900-01-01",
                    valid_to: str = "2025-06-30", replaced_by_code: str | None = None) -> dict:
    """Record a unit that existed before the 2025 reform (a district, an old commune).

    Entered by hand with its old code and name; marked legacy and closed on ``valid_to``.
    """
    level = level_of_type(unit_type or "")
    if level not in ("province", "district", "commune"):
        raise InputError(f"Loại đơn vị cũ «{unit_type}» không hợp lệ (huyện, quận, thị xã, "
                         "thành phố, xã, phường, thị trấn).", field="type")
    try:
        code = pad_code(code, level)
    except ValueError as exc:
        raise InputError(str(exc), field="code") from None
    db = writer.db
    parent = replaced = None
    if parent_code:
        parent = get_unit(db, parent_code, at=valid_to) or get_unit(db, parent_code)
        if parent is None:
            raise InputError(f"Không có đơn vị cấp trên mã «{parent_code}».", field="parent")
    if replaced_by_code:
        replaced = get_unit(db, replaced_by_code)
        if replaced is None:
            raise InputError(f"Không có đơn vị mới mã «{replaced_by_code}».", field="replaced_by")
    clash = db.execute(
        "SELECT name FROM admin_unit WHERE code = ? AND deleted = 0 AND valid_from <= ? "
        "AND (valid_to IS NULL OR valid_to >= ?)", [code, valid_to, valid_from]).fetchone()
    if clash:
        raise InputError(f"Mã {code} đã dùng cho «{clash[0]}» trong cùng thời gian hiệu lực.",
                         field="code")
    return writer.insert("admin_unit", {
        "code": code, "name": name, "type": unit_type.lower(), "level": level,
        "parent_id": parent["id"] if parent else None, "valid_from": valid_from,
        "valid_to": valid_to, "replaced_by": replaced["id"] if replaced else None,
        "legacy": 1, "source": "legacy"}, reason="Thêm đơn vị hành chính cũ")


# Letters of a site's village series: the Vietnamese alphabet's (no F, J, W, Z), without
# I and O, which read like digits.
SERIES_LETTERS = "ABCDEGHKLMNPQRSTUVXY"


def site_series(site_id: str) -> str:
    """The three letters that mark the villages a site numbers once it knows another site
    of its unit ("HQX"): taken from the SHA-256 of the site id, so the same on every PC
    and different for different sites (one pair in 8,000 would share them)."""
    digest = int.from_bytes(hashlib.sha256(site_id.encode("ascii")).digest()[:8], "big")
    letters = []
    for _ in range(3):
        digest, i = divmod(digest, len(SERIES_LETTERS))
        letters.append(SERIES_LETTERS[i])
    return "".join(letters)


def _village_prefix(db: Database, writer: Writer, commune: dict) -> str:
    """What this site puts between the commune code and the number of a new village.

    Village codes are made on a PC without asking anyone, and two PCs of one commune
    (SYNC.md §2: two sites may serve the same unit) would both give their next village the
    same code, which SQLite refuses (``UNIQUE (code, valid_from)``) when the package
    between them, or to the office, arrives. A renumbering at the import cannot mend that:
    the office may not change a commune's row (SYNC.md §1), and the households of the
    village carry its number in their codes. So codes are allocated so that they cannot
    clash: a site that knows no other site of its unit (the usual single PC) numbers
    ``07339.01``, ``07339.02`` …; a site that knows another one (it received a package
    from it, it replaces one, or it was set up from another PC's snapshot) numbers in its
    own series ``07339.HQX01`` …, the letters from its site id (``site_series``). Two such
    series never meet each other or the plain numbers, and a household code built from
    the village number ("HQX01-0001") is distinct too. Only two PCs that have never
    exchanged anything can still make the same plain code; the package is then refused
    with the repeated field named, and nothing is written.
    """
    others = db.execute("SELECT count(*) FROM site WHERE unit_code = ? AND id != ?",
                        [commune["code"], writer.actor.site_id]).fetchone()[0]
    return site_series(writer.actor.site_id) if others else ""


def add_village(writer: Writer, name: str, *, unit_type: str = "thôn",
                commune_code: str | None = None) -> dict:
    """Add a village (thôn, bản, tổ dân phố …) to a commune (default: the site's own).

    Its code is the commune code and the next local number (``07339.01``), in this site's
    own series (``07339.HQX01``) when another PC serves the same commune: see
    ``_village_prefix``.
    """
    db = writer.db
    commune_code = commune_code or writer.actor.unit_code
    commune = get_unit(db, commune_code)
    if commune is None or commune["level"] != "commune":
        raise InputError(f"«{commune_code}» không phải mã xã.", field="commune")
    name = clean(name)
    if not name:
        raise InputError("Chưa nhập tên thôn.", field="name")
    same = db.execute("SELECT 1 FROM admin_unit WHERE parent_id = ? AND level = 'village' "
                      "AND deleted = 0 AND valid_to IS NULL AND name = ?",
                      [commune["id"], name]).fetchone()
    if same:
        raise InputError(f"{name} đã có trong {commune['name']}.", field="name")
    prefix = f"{commune['code']}.{_village_prefix(db, writer, commune)}"
    # codes "<prefix><n>" sort between "<prefix>0" and "<prefix>:" (index range scan)
    last = db.execute("SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM admin_unit "
                      "WHERE code >= ? AND code < ? AND level = 'village'",
                      [len(prefix) + 1, f"{prefix}0", f"{prefix}:"]).fetchone()[0] or 0
    return writer.insert("admin_unit", {
        "code": f"{prefix}{last + 1:02d}", "name": name, "type": unit_type.lower(),
        "level": "village", "parent_id": commune["id"], "valid_from": commune["valid_from"],
        "valid_to": None, "replaced_by": None, "legacy": 0, "source": "local"},
        reason=f"Thêm {LEVEL_NAMES['village']} vào {commune['name']}")
