"""Approvals and returns of a commune's review round by its office (SYNC.md §6).

An approval row belongs to the office and names its scope (a round, or one village of it),
its state and the fingerprint of the reviews it approved. Wherever it is stored — at the
office when it is decided, at the commune when its package arrives — the reviews in scope
are locked if they still have that fingerprint; a return unlocks them. An approval whose
fingerprint no longer matches (the commune edited after submitting) is *stale*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db.store import syncable_values, utc_now
from gnapp.domain.canonical import rows_hash
from gnapp.domain.dates import format_date

APPROVED, RETURNED, STALE = "approved", "returned", "stale"
STATE_LABELS = {APPROVED: "đã phê duyệt", RETURNED: "bị trả lại",
                STALE: "phê duyệt đã cũ (dữ liệu sửa sau khi duyệt)"}


@dataclass(frozen=True)
class Scope:
    round_id: str
    village_id: str | None = None


def scope_reviews(db: Database, scope: Scope) -> list[dict]:
    """The reviews an approval of ``scope`` covers, in id order, as they travel."""
    sql = ("SELECT r.* FROM household_review r JOIN household h ON h.id = r.household_id "
           "WHERE r.round_id = ? AND r.deleted = 0")
    params: list[Any] = [scope.round_id]
    if scope.village_id:
        sql += " AND h.village_id = ?"
        params.append(scope.village_id)
    return [syncable_values("household_review", r) for r in db.query(sql + " ORDER BY r.id",
                                                                      params)]


def fingerprint(db: Database, scope: Scope) -> tuple[str, int]:
    """The hash of the reviews in scope and how many there are."""
    rows = scope_reviews(db, scope)
    return rows_hash(rows), len(rows)


def lock_reason(approval: Mapping[str, Any]) -> str:
    return f"đã được cấp trên phê duyệt ngày {format_date(date.fromisoformat(approval['decided_on']))}"


def status(db: Database, approval: Mapping[str, Any]) -> str:
    """``approved``, ``returned`` or ``stale`` for an approval row, as this site sees it."""
    if approval["state"] == RETURNED:
        return RETURNED
    current, _ = fingerprint(db, Scope(approval["round_id"], approval["village_id"]))
    return APPROVED if current == approval["fingerprint"] else STALE


def refresh_locks(db: Database, new: Mapping[str, Any], old: Mapping[str, Any] | None) -> None:
    """Keep the locks of the reviews in scope in step with an approval just written."""
    scope = Scope(new["round_id"], new["village_id"])
    ids = [r["id"] for r in scope_reviews(db, scope)]
    if old is not None and old["state"] == APPROVED:
        db.execute("DELETE FROM row_lock WHERE table_name = 'household_review' AND reason = ?",
                   [lock_reason(old)])
    if new["state"] == APPROVED and not new["deleted"] and status(db, new) == APPROVED:
        db.conn.executemany(
            "INSERT OR IGNORE INTO row_lock (table_name, row_id, reason, locked_at) "
            "VALUES ('household_review', ?, ?, ?)",
            [(row_id, lock_reason(new), utc_now()) for row_id in ids])


def for_round(db: Database, round_id: str) -> list[dict]:
    """The approvals of a round, each with its ``status`` as seen here and its village."""
    rows = list(db.query(
        "SELECT a.*, v.name AS village_name FROM approval a "
        "LEFT JOIN admin_unit v ON v.id = a.village_id "
        "WHERE a.round_id = ? AND a.deleted = 0 ORDER BY v.name_key", [round_id]))
    return [{**r, "status": status(db, r)} for r in rows]


def find(db: Database, scope: Scope) -> dict | None:
    rows = list(db.query("SELECT * FROM approval WHERE round_id = ? AND coalesce(village_id, '') "
                         "= ? AND deleted = 0", [scope.round_id, scope.village_id or ""]))
    return rows[0] if rows else None
