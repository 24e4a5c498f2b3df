"""The conflict queue: both versions of a row, decided field by field by a person of the
owning unit (SYNC.md §5).

A conflict between a deletion and an edit (one site deleted the row, the other edited it
from the same version) is decided as a whole row, not field by field: keep the row deleted
(«Giữ bản đã xóa») or restore it with the edited values («Giữ bản đã sửa (khôi phục)»).
``deletion`` tells who deleted and who edited, and when; the decision is a new change above
both versions, like any other decision, and travels the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from gnapp.db import registry, sites
from gnapp.db.hlc import Timestamp
from gnapp.db.store import NotOwner, utc_now
from gnapp.domain.errors import GnappError, InputError

OURS, THEIRS = "ours", "theirs"
# A deletion against an edit: the key of the one decision and its two values.
ROW, KEEP_DELETED, KEEP_EDITED = "row", "deleted", "edited"
ROW_CHOICES = {KEEP_DELETED: "Giữ bản đã xóa", KEEP_EDITED: "Giữ bản đã sửa (khôi phục)"}


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    row_id: str
    owner_unit: str
    local_version: int
    remote_version: int
    local: dict
    remote: dict
    fields: list[str]
    from_site: str
    sender_name: str | None
    state: str
    created_at: str

    @property
    def label(self) -> str:
        return registry.table(self.table).label

    @property
    def is_deletion(self) -> bool:
        """One side deleted the row and the other did not: decided as a whole row."""
        return bool(self.local.get("deleted")) != bool(self.remote.get("deleted"))

    @property
    def deleted_side(self) -> str | None:
        """``ours`` or ``theirs``: the side that deleted the row (None: not a deletion)."""
        if not self.is_deletion:
            return None
        return OURS if self.local.get("deleted") else THEIRS

    @property
    def edited_fields(self) -> list[str]:
        return [f for f in self.fields if f != "deleted"]

    def as_dict(self) -> dict:
        out = {"id": self.id, "table": self.table, "label": self.label, "row_id": self.row_id,
               "owner_unit": self.owner_unit, "local_version": self.local_version,
               "remote_version": self.remote_version, "from_site": self.from_site,
               "sender_name": self.sender_name, "state": self.state,
               "kind": "deletion" if self.is_deletion else "fields",
               "fields": [{"field": f, "ours": self.local.get(f), "theirs": self.remote.get(f)}
                          for f in self.fields]}
        if self.is_deletion:
            out["deleted_side"] = self.deleted_side
            out["choices"] = [{"choice": k, "label": v} for k, v in ROW_CHOICES.items()]
        return out


@dataclass(frozen=True)
class Side:
    """Who made one side of a conflict and when."""

    site_id: str
    site_name: str
    at: str               # local date and time, "dd/mm/yyyy HH:MM"
    user: str | None      # known for a change made on this PC
    reason: str | None    # the reason recorded with a deletion made on this PC
    here: bool            # made on this PC
    fingerprint: str | None   # the key fingerprint of the PC (PCs of a unit share a name)

    def as_dict(self) -> dict:
        return {"site_id": self.site_id, "site_name": self.site_name, "at": self.at,
                "user": self.user, "reason": self.reason, "here": self.here,
                "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class Deletion:
    """A deletion against an edit: who deleted, who edited, when; the edited values."""

    conflict_id: int
    deleted_side: str
    deleted: Side
    edited: Side
    edited_values: dict   # field → value of the edited version, for the fields in conflict

    def as_dict(self) -> dict:
        return {"conflict_id": self.conflict_id, "deleted_side": self.deleted_side,
                "deleted": self.deleted.as_dict(), "edited": self.edited.as_dict(),
                "edited_values": self.edited_values}


def _when(stamp: str) -> str:
    try:
        ms = Timestamp.parse(stamp).ms
    except (ValueError, TypeError):
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%d/%m/%Y %H:%M")


def _side(db: Database, table: str, values: Mapping[str, Any], *, deletion: bool) -> Side:
    site_id = str(values.get("updated_by") or "")
    found = db.execute("SELECT display_name, sign_public, is_local FROM site WHERE id = ?",
                       [site_id]).fetchone()
    audit = db.execute(
        "SELECT user, reason FROM audit_log WHERE table_name = ? AND row_id = ? AND site_id = ? "
        + ("AND field = 'deleted' " if deletion else "") + "ORDER BY id DESC LIMIT 1",
        [table, values.get("id"), site_id]).fetchone()
    return Side(site_id=site_id, site_name=found[0] if found else site_id[:8],
                at=_when(str(values.get("updated_at") or "")),
                user=audit[0] if audit else None,
                reason=audit[1] if audit and deletion else None,
                here=bool(found and found[2]),
                fingerprint=sites.key_fingerprint(found[1]) if found else None)


def _conflict(row: Mapping[str, Any]) -> Conflict:
    return Conflict(id=row["id"], table=row["table_name"], row_id=row["row_id"],
                    owner_unit=row["owner_unit"], local_version=row["local_version"],
                    remote_version=row["remote_version"], local=json.loads(row["local_row"]),
                    remote=json.loads(row["remote_row"]), fields=json.loads(row["fields"]),
                    from_site=row["from_site"], sender_name=row["sender_name"],
                    state=row["state"], created_at=row["created_at"])


_SELECT = ("SELECT c.*, s.display_name AS sender_name FROM conflict c "
           "LEFT JOIN site s ON s.id = c.from_site")


def open_conflicts(db: Database) -> list[Conflict]:
    return [_conflict(r) for r in db.query(f"{_SELECT} WHERE c.state = 'open' ORDER BY c.id")]


def get(db: Database, conflict_id: int) -> Conflict:
    rows = list(db.query(f"{_SELECT} WHERE c.id = ?", [conflict_id]))
    if not rows:
        raise InputError(f"Không có xung đột số {conflict_id}.", field="conflict")
    return _conflict(rows[0])


def deletion(db: Database, conflict: Conflict) -> Deletion:
    """Who deleted the row and who edited it, and when (a deletion conflict only)."""
    if not conflict.is_deletion:
        raise InputError(f"Xung đột số {conflict.id} không phải xung đột giữa xóa và sửa.",
                         field="conflict")
    ours_deleted = conflict.deleted_side == OURS
    deleted_row = conflict.local if ours_deleted else conflict.remote
    edited_row = conflict.remote if ours_deleted else conflict.local
    return Deletion(conflict.id, conflict.deleted_side,
                    deleted=_side(db, conflict.table, deleted_row, deletion=True),
                    edited=_side(db, conflict.table, edited_row, deletion=False),
                    edited_values={f: edited_row.get(f) for f in conflict.edited_fields})


def _row_decision(conflict: Conflict, choices: Mapping[str, Any]) -> tuple[dict, bool]:
    """The values and the deleted flag a deletion conflict is decided with."""
    choice = choices.get(ROW)
    if choice is None:
        raise InputError("Chưa chọn: giữ bản đã xóa hay giữ bản đã sửa (khôi phục).",
                         field=ROW)
    if choice not in ROW_CHOICES:
        raise InputError(f"Lựa chọn «{choice}» không hợp lệ với xung đột giữa xóa và sửa "
                         f"({KEEP_DELETED} hoặc {KEEP_EDITED}).", field=ROW)
    keep_deleted = choice == KEEP_DELETED
    ours_deleted = conflict.deleted_side == OURS
    chosen = conflict.local if keep_deleted == ours_deleted else conflict.remote
    spec = registry.table(conflict.table)
    values = {k: v for k, v in chosen.items()
              if k not in registry.SYNC_COLUMNS and k not in spec.derived}
    return values, keep_deleted


def resolve(db: Database, conflict_id: int, choices: Mapping[str, Any], *,
            user: str | None = None) -> dict:
    """Decide a conflict: for every field in conflict, ``"ours"``, ``"theirs"`` or
    ``{"value": typed value}``; for a deletion against an edit, ``{"row": "deleted"}`` (the
    row stays deleted) or ``{"row": "edited"}`` (restored with the edited values). Only a
    site of the owning unit decides; the decision is a new change above both versions,
    audited, that travels on and closes the conflict elsewhere."""
    conflict = get(db, conflict_id)
    local_site = sites.require_site(db)
    if conflict.state != "open":
        raise GnappError(f"Xung đột số {conflict_id} đã được giải quyết.")
    if local_site.unit_code != conflict.owner_unit:
        raise NotOwner(f"Chỉ đơn vị sở hữu dữ liệu ({conflict.owner_unit}) mới quyết định "
                       "xung đột này; hãy gửi lại cho đơn vị đó.")
    if conflict.is_deletion:
        values, keep_deleted = _row_decision(conflict, choices)
        return _decide(db, conflict, values, {ROW: choices[ROW]}, user, deleted=keep_deleted)
    missing = [f for f in conflict.fields if f not in choices]
    if missing:
        raise InputError("Chưa chọn giá trị cho: " + ", ".join(missing) + ".", field="fields")
    values = {}
    for name in conflict.fields:
        choice = choices[name]
        if choice == OURS:
            values[name] = conflict.local.get(name)
        elif choice == THEIRS:
            values[name] = conflict.remote.get(name)
        elif isinstance(choice, Mapping) and "value" in choice:
            values[name] = choice["value"]
        else:
            raise InputError(f"Lựa chọn «{choice}» không hợp lệ (ours, theirs hoặc giá trị).",
                             field=name)
    # both sides deleted the row and differ in other fields: it stays deleted
    return _decide(db, conflict, values, {k: choices[k] for k in conflict.fields}, user,
                   deleted=True if conflict.local.get("deleted") else None)


def _decide(db: Database, conflict: Conflict, values: dict, decision: dict,
            user: str | None, *, deleted: bool | None = None) -> dict:
    w = sites.writer(db, user)

    def decide(w) -> dict:
        # the other side's change is known here from now on: it is part of what we decided
        db.execute("INSERT OR IGNORE INTO change_log (table_name, row_id, version, base_version, "
                   "updated_at, origin) VALUES (?, ?, ?, ?, ?, ?)",
                   [conflict.table, conflict.row_id, conflict.remote_version,
                    conflict.remote_version - 1, conflict.remote["updated_at"],
                    f"conflict:{conflict.id}"])
        current = db.execute(f"SELECT version FROM {conflict.table} WHERE id = ?",
                             [conflict.row_id]).fetchone()[0]
        version = max(current, conflict.remote_version) + 1
        row = w.decide(conflict.table, conflict.row_id, values, version=version,
                       reason=f"Giải quyết xung đột số {conflict.id}", deleted=deleted)
        db.execute("UPDATE conflict SET state = 'resolved', resolved_at = ?, resolved_by = ?, "
                   "decision = ? WHERE id = ?",
                   [utc_now(), w.actor.user, json.dumps(decision, ensure_ascii=False),
                    conflict.id])
        return row

    return w.transact(decide).result
