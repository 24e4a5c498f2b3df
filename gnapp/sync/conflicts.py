"""The conflict queue: both versions of a row, decided field by field by a person of the
owning unit (SYNC.md §5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from gnapp.db import registry, sites
from gnapp.db.store import NotOwner, utc_now
from gnapp.domain.errors import GnappError, InputError

OURS, THEIRS = "ours", "theirs"


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

    def as_dict(self) -> dict:
        return {"id": self.id, "table": self.table, "label": self.label, "row_id": self.row_id,
                "owner_unit": self.owner_unit, "local_version": self.local_version,
                "remote_version": self.remote_version, "from_site": self.from_site,
                "sender_name": self.sender_name, "state": self.state,
                "fields": [{"field": f, "ours": self.local.get(f), "theirs": self.remote.get(f)}
                           for f in self.fields]}


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


def resolve(db: Database, conflict_id: int, choices: Mapping[str, Any], *,
            user: str | None = None) -> dict:
    """Decide a conflict: for every field in conflict, ``"ours"``, ``"theirs"`` or
    ``{"value": typed value}``. Only a site of the owning unit decides; the decision is a new
    change above both versions, audited, that travels on and closes the conflict elsewhere."""
    conflict = get(db, conflict_id)
    local_site = sites.require_site(db)
    if conflict.state != "open":
        raise GnappError(f"Xung đột số {conflict_id} đã được giải quyết.")
    if local_site.unit_code != conflict.owner_unit:
        raise NotOwner(f"Chỉ đơn vị sở hữu dữ liệu ({conflict.owner_unit}) mới quyết định "
                       "xung đột này; hãy gửi lại cho đơn vị đó.")
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
                       reason=f"Giải quyết xung đột số {conflict.id}")
        db.execute("UPDATE conflict SET state = 'resolved', resolved_at = ?, resolved_by = ?, "
                   "decision = ? WHERE id = ?",
                   [utc_now(), w.actor.user, json.dumps(
                       {k: choices[k] for k in conflict.fields}, ensure_ascii=False),
                    conflict.id])
        return row

    return w.transact(decide).result
