"""Poverty standards stored in the database (domain.md §5, DESIGN.md §3.3).

The program ships the standards of ``resources/standards``. An office may store more: a
provisional standard completed as its indicators become known (CN2027), or a province overlay.
Stored rows belong to the office, travel down in its packages, and take precedence over the
shipped file of the same id; official national standards are law and are not replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from gnapp.db.store import Writer
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.issues import Issue, error
from gnapp.domain.standards import Standard, load_standard, load_standards, to_dict


@lru_cache(maxsize=1)
def shipped() -> dict[str, Standard]:
    """The standards shipped in ``resources/standards`` (read once)."""
    return load_standards()


def _check(code: str, data: Any, bases: Mapping[str, Standard],
           name: str | None = None) -> Standard:
    if not isinstance(data, Mapping):
        raise InputError("nội dung không phải một chuẩn nghèo", source=name)
    standard = load_standard(data, bases=bases, name=name or f"chuẩn {code}")
    if standard.id != code:
        raise InputError(f"mã chuẩn trong nội dung ({standard.id}) khác mã đã lưu ({code})",
                         field="id")
    national = shipped().get(code)
    if national is not None and not national.is_provisional:
        raise InputError(f"Chuẩn {code} là chuẩn chính thức, không sửa được; muốn áp dụng "
                         "chuẩn riêng của tỉnh thì tạo chuẩn mới lấy chuẩn này làm gốc",
                         field="id")
    return standard


def validate_row(values: Mapping[str, Any]) -> list[Issue]:
    """A stored standard must read as a standard file would."""
    try:
        _check(values.get("code") or "", json.loads(values.get("body") or "null"),
               shipped())
    except (InputError, ValueError) as exc:
        return [error("standard.invalid", str(exc), "body")]
    return []


_cache: dict[tuple, dict[str, Standard]] = {}


def standards(db: Database | None = None) -> dict[str, Standard]:
    """The standards in force on this site: shipped, with the stored ones over them (the
    newest row of each code wins), ordered by start date then id."""
    if db is None:
        return shipped()
    key = (id(db.conn), *db.execute("SELECT max(updated_at), count(*) FROM poverty_standard "
                                    "WHERE deleted = 0").fetchone())
    if key[2] == 0:
        return shipped()
    if key not in _cache:
        out = dict(shipped())
        rows = db.execute("SELECT code, body FROM poverty_standard WHERE deleted = 0 "
                          "ORDER BY updated_at").fetchall()
        for code, body in rows:  # overlays read after their (possibly stored) base
            out[code] = _check(code, json.loads(body), out)
        _cache.clear()
        _cache[key] = dict(sorted(out.items(), key=lambda kv: (kv[1].valid_from, kv[0])))
    return _cache[key]


def standard(db: Database | None, standard_id: str) -> Standard:
    try:
        return standards(db)[standard_id]
    except KeyError:
        raise InputError(f"Không có chuẩn nghèo «{standard_id}».", field="standard_id") from None


def store(w: Writer, data: Any, *, note: str | None = None, name: str | None = None) -> dict:
    """Store (or replace) a standard from the content of a standard file.

    :param name: the file it came from, named in messages
    """
    role = w.db.execute("SELECT role FROM site WHERE id = ?", [w.actor.site_id]).fetchone()
    if not role or role[0] != "office":
        raise GnappError("Chỉ máy của cơ quan cấp trên nạp chuẩn nghèo và gửi xuống xã.")
    code = str(data.get("id") or "") if isinstance(data, Mapping) else ""
    body = json.dumps(to_dict(_check(code, data, standards(w.db), name)), ensure_ascii=False,
                      sort_keys=True)
    existing = w.db.execute("SELECT id FROM poverty_standard WHERE owner_unit = ? AND code = ? "
                            "AND deleted = 0", [w.actor.unit_code, code]).fetchone()
    values = {"code": code, "body": body, "note": note}
    if existing is None:
        return w.insert("poverty_standard", values, reason=f"Nạp chuẩn nghèo {code}")
    return w.update("poverty_standard", existing[0], values, reason=f"Sửa chuẩn nghèo {code}")
