"""The package ledger: what was sent and received, stream by stream (SYNC.md §4, §6)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

from gnapp.db.store import utc_now

# States of a ledger row.
SENT, ACKNOWLEDGED = "sent", "acknowledged"
APPLIED, HELD, FORK, REFUSED, UNTRUSTED = "applied", "held", "fork", "refused", "untrusted"
STATE_LABELS = {
    SENT: "đã gửi", ACKNOWLEDGED: "đã được xác nhận", APPLIED: "đã nhận",
    HELD: "đang chờ", FORK: "trùng số (hai bản khác nhau)", REFUSED: "bị từ chối",
    UNTRUSTED: "chờ xác nhận máy gửi",
}


@dataclass(frozen=True)
class LedgerRow:
    id: int
    direction: str
    package_id: str
    kind: str
    from_site: str
    from_unit: str
    to_unit: str
    package_no: int
    previous_hash: str
    manifest_sha256: str
    state: str
    reason: str | None
    created_at: str
    recorded_at: str
    applied_at: str | None
    counts: dict
    report: dict | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def recorded(self) -> datetime:
        """When this site wrote the row (sent or received the package), as a moment."""
        moment = datetime.fromisoformat(self.recorded_at)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_COLUMNS = ("id, direction, package_id, kind, from_site, from_unit, to_unit, package_no, "
            "previous_hash, manifest_sha256, state, reason, created_at, recorded_at, "
            "applied_at, counts, report")


def _row(r: tuple) -> LedgerRow:
    values = dict(zip([c.strip() for c in _COLUMNS.split(",")], r))
    values["counts"] = json.loads(values["counts"] or "{}")
    values["report"] = json.loads(values["report"]) if values["report"] else None
    return LedgerRow(**values)


def rows(db: Database, where: str = "1", params: list | None = None, *,
         order: str = "id", limit: int | None = None) -> list[LedgerRow]:
    sql = f"SELECT {_COLUMNS} FROM package_ledger WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_row(r) for r in db.execute(sql, params or [])]


def record(db: Database, *, direction: str, manifest: dict, manifest_sha256: str, state: str,
           reason: str | None = None, content: bytes | None = None,
           last_seq: int | None = None, report: dict | None = None) -> int:
    stream = manifest["stream"]
    cur = db.execute(
        "INSERT INTO package_ledger (direction, package_id, kind, from_site, from_unit, to_unit, "
        "package_no, previous_hash, manifest_sha256, state, reason, created_at, recorded_at, "
        "applied_at, last_seq, counts, report, content) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [direction, manifest["package_id"], manifest["kind"], stream["from_site"],
         stream["from_unit"], stream["to_unit"], manifest["package_no"],
         manifest["previous_hash"], manifest_sha256, state, reason, manifest["created_at"],
         utc_now(), utc_now() if state == APPLIED else None, last_seq,
         json.dumps(manifest["counts"], ensure_ascii=False),
         json.dumps(report, ensure_ascii=False) if report is not None else None, content])
    return cur.lastrowid


def set_state(db: Database, ledger_id: int, state: str, *, reason: str | None = None,
              report: dict | None = None, keep_content: bool = False) -> None:
    db.execute(
        "UPDATE package_ledger SET state = ?, reason = ?, report = coalesce(?, report), "
        "applied_at = CASE WHEN ? = 'applied' THEN ? ELSE applied_at END, "
        "content = CASE WHEN ? THEN content ELSE NULL END WHERE id = ?",
        [state, reason, json.dumps(report, ensure_ascii=False) if report is not None else None,
         state, utc_now(), int(keep_content), ledger_id])


def content(db: Database, ledger_id: int) -> bytes | None:
    found = db.execute("SELECT content FROM package_ledger WHERE id = ?", [ledger_id]).fetchone()
    return found[0] if found else None


def last_sent(db: Database, from_site: str, to_unit: str) -> tuple[int, str, int]:
    """(package number, manifest hash, last change-log seq) of the stream's newest package."""
    found = db.execute(
        "SELECT package_no, manifest_sha256, coalesce(last_seq, 0) FROM package_ledger "
        "WHERE direction = 'out' AND from_site = ? AND to_unit = ? "
        "ORDER BY package_no DESC LIMIT 1", [from_site, to_unit]).fetchone()
    return tuple(found) if found else (0, "", 0)


def applied_up_to(db: Database, from_site: str, to_unit: str) -> int:
    """The highest package number N such that 1..N of the stream are all applied; an
    applied snapshot covers every number before it."""
    expected = 1
    for number, kind in db.execute(
            "SELECT package_no, kind FROM package_ledger WHERE direction = 'in' AND from_site = ? "
            "AND to_unit = ? AND state = 'applied' ORDER BY package_no", [from_site, to_unit]):
        if number == expected or (kind == "snapshot" and number > expected):
            expected = number + 1
        elif number > expected:
            break
    return expected - 1


def received(db: Database, from_site: str, to_unit: str, package_no: int) -> LedgerRow | None:
    """The package of this number already in the ledger (applied or held), if any."""
    found = rows(db, "direction = 'in' AND from_site = ? AND to_unit = ? AND package_no = ? "
                     "AND state IN ('applied', 'held', 'untrusted')",
                 [from_site, to_unit, package_no])
    return found[0] if found else None
