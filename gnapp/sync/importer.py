"""Importing packages: read → verify → order → plan → apply → report (DESIGN.md §4).

Each step is its own function. ``import_files`` runs them for a batch of files and, after
each package applied, the packages of the same stream that were waiting for it. Nothing is
written by a package that fails a step (one transaction per package), and a dry run writes
nothing at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import connection, registry, schema, sites, units, users
from gnapp.db.hlc import HybridClock, Timestamp
from gnapp.db.store import (get_row, guards_lifted, select_in, stored_columns,
                            syncable_values, transaction, utc_now, write_rows)
from gnapp.domain.cancel import Progress, no_progress
from gnapp.domain.issues import has_errors
from gnapp.sync import ledger
from gnapp.sync import package as pkg
from gnapp.sync.package import Package, PackageError

NEW, UPDATE, UNCHANGED, CONFLICT, REFUSED = "new", "update", "unchanged", "conflict", "refused"
ACTION_LABELS = {NEW: "mới", UPDATE: "cập nhật", UNCHANGED: "không đổi",
                 CONFLICT: "xung đột", REFUSED: "bị từ chối"}

# Outcomes of one package.
STATUS_LABELS = {
    "applied": "đã nhận", "dry_run": "xem trước (chưa ghi)", "already": "đã nhận trước đó",
    "held": "đang chờ", "fork": "trùng số gói (hai bản khác nhau)", "refused": "bị từ chối",
    "untrusted": "chờ xác nhận máy gửi",
}


@dataclass
class RowPlan:
    """What importing one record does, and why."""

    table: str
    row_id: str
    action: str
    reason: str = ""
    fields: list[str] = field(default_factory=list)
    local: dict | None = None
    record: dict | None = None

    def as_dict(self) -> dict:
        return {"table": self.table, "row_id": self.row_id, "action": self.action,
                "action_label": ACTION_LABELS[self.action], "reason": self.reason,
                "fields": self.fields}


# Plans kept one by one in a report (new and unchanged rows are only counted).
DETAILED = (UPDATE, CONFLICT, REFUSED)


@dataclass
class ImportReport:
    """The outcome of one package: rows counted by action and table, and the rows updated,
    in conflict or refused one by one (``rows``)."""

    file: str
    status: str
    reason: str = ""
    package_id: str | None = None
    kind: str | None = None
    from_site: str | None = None
    from_unit: str | None = None
    sender_name: str | None = None
    package_no: int | None = None
    fingerprint: str | None = None
    rows: list[RowPlan] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)  # action → table → rows
    clock_warning: str | None = None
    acknowledged_up_to: int | None = None
    manifest_sha256: str | None = None

    def add(self, plans: Iterable[RowPlan]) -> None:
        """Count planned rows, keeping those worth showing one by one."""
        for p in plans:
            by_table = self.tables.setdefault(p.action, {})
            by_table[p.table] = by_table.get(p.table, 0) + 1
            if p.action in DETAILED:
                self.rows.append(p)

    @property
    def counts(self) -> dict[str, int]:
        return {a: sum(self.tables.get(a, {}).values()) for a in ACTION_LABELS}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def summary(self) -> str:
        """One line for a person: which package, what happened, with the counts."""
        head = f"Gói {self.file}"
        if self.package_no is not None:
            head += f" (số {self.package_no} từ {self.from_unit})"
        line = f"{head}: {self.status_label}"
        if self.reason:
            line += f" — {self.reason}"
        if self.tables:
            counts = self.counts
            line += ". " + ", ".join(f"{ACTION_LABELS[a]} {n}" for a, n in counts.items() if n)
        return line

    def as_dict(self) -> dict:
        return {"file": self.file, "status": self.status, "status_label": self.status_label,
                "reason": self.reason, "package_id": self.package_id, "kind": self.kind,
                "from_site": self.from_site, "from_unit": self.from_unit,
                "sender_name": self.sender_name, "package_no": self.package_no,
                "fingerprint": self.fingerprint, "counts": self.counts,
                "clock_warning": self.clock_warning,
                "acknowledged_up_to": self.acknowledged_up_to, "tables": self.tables,
                "rows": [p.as_dict() for p in self.rows]}

    def ledger_report(self) -> dict:
        """What the ledger keeps and the ack sends back to the sender."""
        return {"counts": self.counts,
                "refused": [p.as_dict() for p in self.rows if p.action == REFUSED],
                "conflicts": [{**p.as_dict(), "local_row": p.local,
                               "remote_row": (p.record or {}).get("row")}
                              for p in self.rows if p.action == CONFLICT],
                "clock_warning": self.clock_warning}


def _report_for(package: Package, status: str, reason: str = "") -> ImportReport:
    m = package.manifest
    return ImportReport(file=package.file, status=status, reason=reason,
                        package_id=m["package_id"], kind=m["kind"],
                        from_site=m["stream"]["from_site"], from_unit=m["stream"]["from_unit"],
                        sender_name=m["sender"].get("display_name"),
                        package_no=m["package_no"],
                        fingerprint=sites.key_fingerprint(package.sender_key),
                        manifest_sha256=package.manifest_sha256)


class Refused(Exception):
    """A step refused the package; ``reason`` is for the person."""

    def __init__(self, reason: str, status: str = "refused"):
        super().__init__(reason)
        self.reason = reason
        self.status = status


# -- verify -----------------------------------------------------------------------------

def verify(db: Database, package: Package, *, trust: Iterable[str] = (),
           dry_run: bool = False) -> dict | None:
    """Check who sent the package and for whom; returns the known sender site, or None
    when the sender is new and must be confirmed first (raises ``Refused`` otherwise).

    A sender whose key fingerprint is in ``trust`` is confirmed (recorded, unless in a dry
    run)."""
    local = sites.require_site(db)
    m, stream = package.manifest, package.stream
    if stream["to_unit"] != local.unit_code:
        raise Refused(f"gói gửi cho đơn vị {stream['to_unit']}, không phải đơn vị của máy này "
                      f"({local.unit_code}).")
    if stream["from_site"] == local.id:
        raise Refused("gói do chính máy này tạo ra.")
    major, minor = m["schema_version"][:2]
    if major > schema.SCHEMA_MAJOR:
        raise Refused(f"gói được tạo bởi phiên bản gnapp mới hơn (cấu trúc dữ liệu "
                      f"{major}.{minor}); cần cập nhật phần mềm trước khi nhận gói này.")
    sender_unit = stream["from_unit"]
    related = (sender_unit == local.unit_code or sender_unit in units.ancestors(db, local.unit_code)
               or local.unit_code in units.ancestors(db, sender_unit))
    if not related:
        raise Refused(f"đơn vị gửi {sender_unit} không thuộc địa bàn của đơn vị "
                      f"{local.unit_code} và cũng không phải cấp trên.")
    known = db.execute("SELECT * FROM site WHERE id = ?", [stream["from_site"]])
    columns = [d[0] for d in known.description]
    row = known.fetchone()
    site = dict(zip(columns, row)) if row else None
    if site is not None and site["sign_public"] != package.sender_key:
        raise Refused("gói được ký bằng khóa khác với khóa đã biết của máy gửi "
                      f"({sites.key_fingerprint(site['sign_public'])}); có thể là gói giả.")
    if site is not None and site["unit_code"] != sender_unit:
        raise Refused(f"máy gửi đã biết thuộc đơn vị {site['unit_code']}, không phải "
                      f"{sender_unit}.")
    if not pkg.verify_signature(package, package.sender_key):
        raise Refused("chữ ký của gói không hợp lệ (tệp bị sửa hoặc bị giả).")
    if site is not None and site["trusted_at"]:
        return site
    fingerprint = sites.key_fingerprint(package.sender_key)
    if fingerprint in {t.strip().upper() for t in trust}:
        return {"id": package.stream["from_site"]} if dry_run else _trust_site(db, package, site)
    return None


def _trust_site(db: Database, package: Package, site: dict | None) -> dict:
    sender, stream = package.manifest["sender"], package.stream
    with transaction(db):
        if site is None:
            replaces = sender.get("replaces")
            if replaces and not db.execute("SELECT 1 FROM site WHERE id = ?",
                                           [replaces]).fetchone():
                replaces = None
            db["site"].insert({
                "id": stream["from_site"], "unit_code": stream["from_unit"],
                "role": sender.get("role") if sender.get("role") in sites.ROLES else "commune",
                "display_name": sender.get("display_name") or stream["from_unit"],
                "sign_public": package.sender_key, "sign_private": None,
                "enc_public": sender["enc_public"], "enc_private": None, "replaces": replaces,
                "is_local": 0, "clock": None, "created_at": utc_now(), "retired_at": None,
                "trusted_at": utc_now()})
        else:
            db.execute("UPDATE site SET trusted_at = ? WHERE id = ?", [utc_now(), site["id"]])
    return db["site"].get(stream["from_site"])


# -- order ------------------------------------------------------------------------------

def order(db: Database, package: Package) -> tuple[str, str, ledger.LedgerRow | None]:
    """Where the package stands in its stream: ``("apply" | "already" | "held" | "fork",
    reason, the ledger row already holding this package)``."""
    stream, number = package.stream, package.package_no
    existing = ledger.received(db, stream["from_site"], stream["to_unit"], number)
    if existing is not None and existing.manifest_sha256 != package.manifest_sha256:
        return ("fork", f"đã có một gói số {number} khác của máy này (có thể cơ sở dữ liệu bị "
                        "sao chép sang máy khác); cần xác định bản nào đúng.", existing)
    if existing is not None and existing.state == ledger.APPLIED:
        return "already", f"gói số {number} đã được nhận trước đó.", existing
    upto = ledger.applied_up_to(db, stream["from_site"], stream["to_unit"])
    if number <= upto:
        return "already", f"gói số {number} đã có trong bản chụp toàn bộ đã nhận.", existing
    if number > upto + 1 and package.kind != "snapshot":
        return "held", f"chờ gói số {upto + 1}.", existing
    if number == upto + 1 and number > 1:
        previous = ledger.received(db, stream["from_site"], stream["to_unit"], number - 1)
        if previous is not None and previous.manifest_sha256 != package.manifest["previous_hash"]:
            return ("fork", f"gói số {number} không nối tiếp gói số {number - 1} đã nhận "
                            "(hai bản khác nhau của cùng một máy).", existing)
    return "apply", "", existing


# -- plan -------------------------------------------------------------------------------

# Records planned and written together: lookups are made for a whole batch at once.
BATCH = 2000
# The file's pages SQLite keeps in memory while packages are imported (``import_files``):
# merging a province's communes writes into indexes of gigabytes, whose pages it comes back
# to again and again (at 800,000 households, 256 MB gave 20 to 50% more rows/s, but a merge
# then peaked at 550 MB: the benchmark's limit is 500 MB).
IMPORT_CACHE_MB = 160
# A batch of packages bringing at least this many households, and this share of those the
# file has, builds the indexes spread over the whole file once at its end (``_is_bulk``):
# at 800,000 households a commune's package (8,000) costs 2.5 s more with them kept up, and
# building them 3 s.
BULK_HOUSEHOLDS = 10_000
BULK_SHARE = 0.05


def records_of(db: Database, package: Package) -> Iterator[dict]:
    """The package's records, decrypted if need be, read one line at a time."""
    payload = package.payload
    if package.manifest.get("encryption"):
        local = db.execute("SELECT enc_private FROM site WHERE is_local = 1").fetchone()
        payload = pkg.decrypt(package.file, payload, package.manifest["encryption"],
                              local[0] if local else None)
    return pkg.iter_records(package.file, payload)


def _batches(records: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# What a column may hold (a list or an object in a row is refused, not stored).
_SCALARS = frozenset({str, int, float, type(None)})
_TYPES = {"id": str, "site_id": str, "owner_unit": str, "version": int, "updated_at": str,
          "updated_by": str, "deleted": int}


class Planner:
    """Plans records by the rules of SYNC.md §5, reading what it needs for a whole batch of
    records at once (change log, stored conflicts, locks, local rows).

    :param sender_unit: the unit that sent the records
    :param kind: the package's kind (a recovery may carry rows of ``receiver_unit``)
    """

    def __init__(self, db: Database, sender_unit: str, kind: str, receiver_unit: str = ""):
        self.db = db
        self.sender_unit, self.kind, self.receiver_unit = sender_unit, kind, receiver_unit
        self._known: dict[str, frozenset[str]] = {}  # the stored columns of each table

    def plan(self, records: Sequence[Mapping[str, Any]]) -> list[RowPlan]:
        """The plan of each row record (others are skipped), in order. Writes nothing."""
        rows = [r for r in records if r.get("type", "row") == "row"]
        problems = [self._malformed(r) for r in rows]
        ids = list({str(r.get("id")) for r, problem in zip(rows, problems) if not problem})
        logged = set(select_in(self.db, "SELECT row_id, updated_at FROM change_log "
                                        "WHERE row_id IN ({marks})", ids))
        held = set(select_in(self.db, "SELECT row_id, remote_updated_at FROM conflict "
                                      "WHERE row_id IN ({marks})", ids))
        locks = self._locks(ids)
        local = self._local_rows([r for r, problem in zip(rows, problems) if not problem])
        return [self._plan_one(r, problem, logged, held, locks, local)
                for r, problem in zip(rows, problems)]

    def _plan_one(self, record: Mapping[str, Any], problem: str | None, logged: set,
                  held: set, locks: dict, local_rows: dict) -> RowPlan:
        """The first rule that matches, top to bottom."""
        table, row_id = str(record.get("table")), str(record.get("id"))
        if problem:
            return RowPlan(table, row_id, REFUSED, f"Không hợp lệ: {problem}", record=dict(record))
        row, stamp = record["row"], record["updated_at"]
        if (row_id, stamp) in logged:
            return RowPlan(table, row_id, UNCHANGED, "Đã có thay đổi này.")
        if (row_id, stamp) in held:
            return RowPlan(table, row_id, UNCHANGED, "Đã ghi nhận xung đột này trước đó.")
        spec = registry.table(table)
        issues = [i for i in spec.validate(row) if i.severity == "error"]
        if has_errors(issues):
            return RowPlan(table, row_id, REFUSED, "Không hợp lệ: "
                           + "; ".join(i.message for i in issues), record=dict(record))
        recovering = self.kind == "recovery" and row["owner_unit"] == self.receiver_unit
        if row["owner_unit"] != self.sender_unit and not recovering:
            return RowPlan(table, row_id, REFUSED,
                           f"Sai chủ sở hữu: {spec.label} thuộc đơn vị {row['owner_unit']}, đơn "
                           f"vị gửi {self.sender_unit} không được sửa.", record=dict(record))
        locked = locks.get((table, row_id)) or locks.get((table, "*"))
        if locked:
            return RowPlan(table, row_id, REFUSED, f"Đã khóa: {locked}.", record=dict(record))
        local = local_rows.get((table, row_id))
        if local is None:
            return RowPlan(table, row_id, NEW, record=dict(record))
        local_values = syncable_values(table, local)
        stamps = {h[2] for h in record.get("history", []) if isinstance(h, list) and len(h) == 3}
        if local["version"] == record["base_version"] or local["updated_at"] in stamps:
            changed = sorted(k for k in row if local_values.get(k) != row[k]
                             and k not in registry.SYNC_COLUMNS)
            return RowPlan(table, row_id, UPDATE, fields=changed, local=local_values,
                           record=dict(record))
        # a deletion against an edit names "deleted": the conflict is decided as a whole row
        fields = sorted(k for k in set(row) | set(local_values)
                        if (k not in registry.SYNC_COLUMNS or k == "deleted")
                        and local_values.get(k) != row.get(k))
        return RowPlan(table, row_id, CONFLICT,
                       f"Dòng đã được sửa ở đây (phiên bản {local['version']}) sau phiên bản "
                       f"{record['base_version']} mà máy gửi dựa vào.", fields=fields,
                       local=local_values, record=dict(record))

    def _malformed(self, record: Mapping[str, Any]) -> str | None:
        table, row = record.get("table"), record.get("row")
        if table not in registry.SYNCABLE:
            return f"bảng «{table}» không có trong phiên bản này."
        if not isinstance(row, dict) or row.get("id") != record.get("id"):
            return "dòng dữ liệu không đúng cấu trúc."
        for name, kind in _TYPES.items():
            if not isinstance(row.get(name), kind) or isinstance(row.get(name), bool):
                return f"trường «{name}» thiếu hoặc sai kiểu."
        if not _SCALARS.issuperset(map(type, row.values())):
            name = next(k for k, v in row.items() if type(v) not in _SCALARS)
            return f"trường «{name}» sai kiểu (phải là chữ, số hoặc để trống)."
        try:
            Timestamp.parse(row["updated_at"])
        except ValueError:
            return "trường «updated_at» không phải dấu thời gian hợp lệ."
        if not isinstance(record.get("base_version"), int) or not isinstance(
                record.get("history", []), list):
            return "bản ghi thiếu phiên bản gốc."
        if row["version"] != record.get("version") or row["updated_at"] != record.get(
                "updated_at"):
            return "phiên bản của dòng và của bản ghi không khớp."
        unknown = row.keys() - self._columns(table)
        if unknown:
            return (f"có trường {', '.join(sorted(unknown))} mà phiên bản này chưa biết; cần "
                    "cập nhật phần mềm.")
        return None

    def _columns(self, table: str) -> frozenset[str]:
        known = self._known.get(table)
        if known is None:
            known = self._known[table] = frozenset(stored_columns(self.db, table))
        return known

    def _locks(self, ids: Sequence[str]) -> dict[tuple[str, str], str]:
        """Why rows may not change: ``(table, row id or "*")`` → reason."""
        found = select_in(self.db, "SELECT table_name, row_id, reason FROM row_lock "
                                   "WHERE row_id = '*' OR row_id IN ({marks})", ids)
        return {(table, row_id): reason for table, row_id, reason in found}

    def _local_rows(self, records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], dict]:
        """The stored rows (tombstones included) these records would change."""
        by_table: dict[str, list[str]] = {}
        for r in records:
            by_table.setdefault(r["table"], []).append(r["id"])
        out = {}
        for table, ids in by_table.items():
            cursor = self.db.execute(f"SELECT * FROM {table} LIMIT 0")
            names = [d[0] for d in cursor.description]
            for row in select_in(self.db, f"SELECT * FROM {table} WHERE id IN ({{marks}})", ids):
                local = dict(zip(names, row))
                out[(table, local["id"])] = local
        return out


def plan_record(db: Database, record: Mapping[str, Any], sender_unit: str, kind: str,
                receiver_unit: str = "") -> RowPlan:
    """The plan for one record, by the first rule of SYNC.md §5 that matches."""
    return Planner(db, sender_unit, kind, receiver_unit).plan([record])[0]


def plan(db: Database, package: Package, records: Iterable[Mapping[str, Any]]) -> list[RowPlan]:
    """Dry run: what each row record of the package would do. Writes nothing."""
    planner = _planner(db, package)
    return [p for batch in _batches(records) for p in planner.plan(batch)]


def _planner(db: Database, package: Package) -> Planner:
    stream = package.stream
    return Planner(db, stream["from_unit"], package.kind, stream["to_unit"])


# -- apply ------------------------------------------------------------------------------

def _write(db: Database, plans: Sequence[RowPlan], origin: str,
           written: dict[Callable, list[tuple[dict, dict | None]]]) -> None:
    """Store the new and updated rows of a batch, table by table, with the changes of
    their history; ``written`` collects them by the ``after_write`` of their table (one
    call refreshes what several tables share, such as the household index)."""
    history = []
    by_table: dict[str, list[tuple[dict, int]]] = {}
    for p in plans:
        record = p.record or {}
        row = record["row"]
        spec = registry.table(p.table)
        for entry in record.get("history", []):
            if isinstance(entry, list) and len(entry) == 3:
                version, base, stamp = entry
                if stamp != row["updated_at"] and isinstance(version, int) \
                        and isinstance(base, int):
                    history.append((p.table, p.row_id, version, base, stamp, origin))
        full = {**row, **spec.derive(row)}
        by_table.setdefault(p.table, []).append((full, p.local["version"] if p.local else 0))
        if spec.after_write:
            new, old = full, p.local
            if spec.deferred:  # kept until the end of the package: only what the hook reads
                new, old = _deferred_fields(new), old and _deferred_fields(old)
            written.setdefault(spec.after_write, []).append((new, old))
    db.conn.executemany("INSERT OR IGNORE INTO change_log (table_name, row_id, version, "
                        "base_version, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?)", history)
    for table, rows in by_table.items():
        write_rows(db, table, rows, origin=origin)
    if not db.execute("SELECT 1 FROM conflict WHERE state = 'open' LIMIT 1").fetchone():
        return
    db.conn.executemany(
        "UPDATE conflict SET state = 'resolved', resolved_at = ?, decision = ? "
        "WHERE row_id = ? AND state = 'open' AND local_version < ? AND remote_version < ?",
        [(utc_now(), json.dumps({"superseded_by": p.record["row"]["updated_at"]}), p.row_id,
          p.record["row"]["version"], p.record["row"]["version"]) for p in plans])


def _deferred_fields(row: Mapping[str, Any]) -> dict:
    return {k: row[k] for k in registry.DEFERRED_FIELDS if k in row}


def _store_conflict(db: Database, plan_: RowPlan, package: Package) -> None:
    record = plan_.record or {}
    local = plan_.local or {}
    db.execute(
        "INSERT OR IGNORE INTO conflict (table_name, row_id, owner_unit, base_version, "
        "local_version, remote_version, local_row, remote_row, fields, package_id, from_site, "
        "remote_updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [plan_.table, plan_.row_id, local.get("owner_unit") or record["row"]["owner_unit"],
         record["base_version"], local.get("version", 0), record["version"],
         json.dumps(local, ensure_ascii=False), json.dumps(record["row"], ensure_ascii=False),
         json.dumps(plan_.fields), package.manifest["package_id"],
         package.stream["from_site"], record["updated_at"], utc_now()])


def _observe_clock(db: Database, stamps: Iterable[str]) -> str | None:
    local = sites.require_site(db)
    last = db.execute("SELECT clock FROM site WHERE id = ?", [local.id]).fetchone()[0]
    clock = HybridClock(local.id, last)
    wrong = False
    # stamps sort in time order as text: the newest not too far ahead is the one that counts
    for stamp in sorted(set(stamps), reverse=True):
        if clock.observe(stamp):
            break
        wrong = True
    db.execute("UPDATE site SET clock = ? WHERE id = ?", [clock.last, local.id])
    return "Đồng hồ máy gửi sai (nhanh hơn quá một ngày); đã nhận dữ liệu nhưng không chỉnh " \
           "đồng hồ máy này theo." if wrong else None


def _apply_acks(db: Database, package: Package, records: Sequence[Mapping[str, Any]]) -> int | None:
    """Mark our packages the sender has received; returns the highest acknowledged."""
    local = sites.require_site(db)
    upto = None
    for ack in records:
        if ack.get("type") != "ack" or ack.get("from_site") != local.id:
            continue
        upto = int(ack.get("received_up_to") or 0)
        db.execute("UPDATE package_ledger SET state = 'acknowledged' WHERE direction = 'out' "
                   "AND from_site = ? AND to_unit = ? AND package_no <= ? AND state = 'sent'",
                   [local.id, package.stream["from_unit"], upto])
        for item in ack.get("packages", []):
            db.execute("UPDATE package_ledger SET report = ? WHERE direction = 'out' "
                       "AND from_site = ? AND to_unit = ? AND package_id = ?",
                       [json.dumps(item, ensure_ascii=False), local.id,
                        package.stream["from_unit"], item.get("package_id")])
            for held in item.get("conflicts", []):
                _conflict_sent_back(db, package, held)
    return upto


def _logged(db: Database, row_id: str, stamp: str) -> bool:
    return db.execute("SELECT 1 FROM change_log WHERE row_id = ? AND updated_at = ?",
                      [row_id, stamp]).fetchone() is not None


def _conflict_sent_back(db: Database, package: Package, held: Mapping[str, Any]) -> None:
    """An office holds a conflict between our row and another site's: queue it here, where
    a person of the owning unit decides, unless our row has moved on since."""
    ours, theirs = held.get("remote_row"), held.get("local_row")
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return
    table = held.get("table")
    if table not in registry.SYNCABLE:
        return
    local = get_row(db, table, ours.get("id", ""))
    if local is None or local["updated_at"] != ours.get("updated_at"):
        return
    if _logged(db, theirs["id"], theirs.get("updated_at", "")):
        return
    record = {"row": theirs, "version": theirs.get("version", 0),
              "base_version": min(local["version"], theirs.get("version", 0)) - 1,
              "updated_at": theirs.get("updated_at", "")}
    _store_conflict(db, RowPlan(table, theirs["id"], CONFLICT,
                                fields=list(held.get("fields", [])),
                                local=syncable_values(table, local), record=record), package)


def apply(db: Database, package: Package, records: Iterable[Mapping[str, Any]],
          report: ImportReport, existing: ledger.LedgerRow | None, *,
          progress: Progress = no_progress) -> None:
    """Plan and write the records batch by batch, then the derived tables, the conflicts,
    the acks and the ledger entry, all in one transaction (nothing stays if a step fails).

    ``progress(records done, records in the package, file name)`` is called before each
    batch and before the last steps; a ``Cancelled`` it raises rolls the package back.

    Every batch is planned against the rows as they were before the package: records of
    one package name distinct rows, and the tables' ``after_write`` (indexes, locks) runs
    once at the end.
    """
    origin = package.manifest["package_id"]
    planner = _planner(db, package)
    acks: list[Mapping[str, Any]] = []
    written: dict[Callable, list[tuple[dict, dict | None]]] = {}
    stamps = [package.manifest["created_at"]]
    total = sum(n for n in package.manifest.get("counts", {}).values()
                if isinstance(n, int))
    done = 0
    with transaction(db), pkg.collector_paused():
        with guards_lifted(db):     # the rows are written by write_rows only
            for batch in _batches(records):
                progress(done, max(total, done), package.file)
                done += len(batch)
                acks += [r for r in batch if r.get("type") == "ack"]
                plans = planner.plan(batch)
                changed = [p for p in plans if p.action in (NEW, UPDATE)]
                _write(db, changed, origin, written)
                for p in plans:
                    if p.action == CONFLICT:
                        _store_conflict(db, p, package)
                stamps += [p.record["updated_at"] for p in changed]
                report.add(plans)
        progress(done, max(total, done), package.file)
        registry.run_after_write(db, written)
        report.clock_warning = _observe_clock(db, stamps)
        report.acknowledged_up_to = _apply_acks(db, package, acks)
        if existing is not None:
            ledger.set_state(db, existing.id, ledger.APPLIED, report=report.ledger_report())
        else:
            ledger.record(db, direction="in", manifest=package.manifest,
                          manifest_sha256=package.manifest_sha256, state=ledger.APPLIED,
                          report=report.ledger_report())


# -- the pipeline ---------------------------------------------------------------------

def _hold(db: Database, package: Package, state: str, reason: str,
          existing: ledger.LedgerRow | None) -> None:
    with transaction(db):
        if existing is not None and existing.manifest_sha256 == package.manifest_sha256:
            ledger.set_state(db, existing.id, state, reason=reason, keep_content=True)
        else:
            ledger.record(db, direction="in", manifest=package.manifest,
                          manifest_sha256=package.manifest_sha256, state=state, reason=reason,
                          content=package.content)


def import_package(db: Database, package: Package, *, dry_run: bool = False,
                   trust: Iterable[str] = (), accept_recovery: bool = False,
                   progress: Progress = no_progress) -> ImportReport:
    """Run one package through verify → order → plan → apply.

    ``progress`` is passed to ``apply``; the ``Cancelled`` it may raise goes to the caller.

    A recovery package (an office's copy of this commune's rows) is applied only with
    ``accept_recovery``: a person confirms that this site replaces a lost one.
    """
    try:
        site = verify(db, package, trust=trust, dry_run=dry_run)
    except Refused as refused:
        return _report_for(package, "refused", refused.reason)
    if package.kind == "recovery" and not (accept_recovery or dry_run):
        return _report_for(package, "held", "gói khôi phục dữ liệu của xã từ cơ quan cấp trên: "
                                            "chỉ nhận khi người dùng xác nhận máy này thay máy "
                                            "cũ bị mất (nhận lại gói và chọn «Nhận gói "
                                            "khôi phục»; dòng lệnh: --accept-recovery).")
    if site is None:
        report = _report_for(package, "untrusted",
                             "máy gửi chưa được xác nhận; hãy đối chiếu mã khóa "
                             f"{sites.key_fingerprint(package.sender_key)} với đơn vị gửi "
                             "(qua điện thoại hoặc giấy tờ) rồi xác nhận máy gửi.")
        if not dry_run:
            existing = ledger.received(db, package.stream["from_site"], package.stream["to_unit"],
                                       package.package_no)
            if existing is None:
                _hold(db, package, ledger.UNTRUSTED, report.reason, None)
        return report
    status, reason, existing = order(db, package)
    if status == "already":
        return _report_for(package, "already", reason)
    if status in ("held", "fork"):
        if not dry_run:
            _hold(db, package, ledger.HELD if status == "held" else ledger.FORK, reason,
                  existing if status == "held" else None)
        return _report_for(package, status, reason)
    report = _report_for(package, "dry_run" if dry_run else "applied")
    try:
        if dry_run:
            report.add(plan(db, package, records_of(db, package)))
        else:
            apply(db, package, records_of(db, package), report, existing, progress=progress)
    except PackageError as exc:
        return _report_for(package, "refused", exc.reason)
    except sqlite3.IntegrityError as exc:
        return _report_for(package, "refused", _integrity_reason(exc))
    return report


def _integrity_reason(exc: sqlite3.IntegrityError) -> str:
    """Why SQLite refused the package's rows, for a person: a value that must be unique is
    already used here (two PCs made the same code), or a row names one that is missing."""
    text = str(exc)
    if text.startswith("UNIQUE constraint failed:"):
        columns = text.split(":", 1)[1].split(",")
        fields = ", ".join(f"«{c.strip().split('.')[-1]}»" for c in columns)
        return (f"dữ liệu trong gói trùng với dữ liệu đã có ở máy này (trường {fields} không "
                "được trùng; có thể hai máy cùng tạo một mã); không ghi gì.")
    return f"dữ liệu trong gói không nhất quán (tham chiếu tới dòng không có: {exc}); không ghi gì."


def _held_next(db: Database, from_site: str, to_unit: str) -> ledger.LedgerRow | None:
    upto = ledger.applied_up_to(db, from_site, to_unit)
    found = ledger.rows(db, "direction = 'in' AND from_site = ? AND to_unit = ? AND "
                            "package_no = ? AND state = 'held'", [from_site, to_unit, upto + 1])
    return found[0] if found else None


def _release_held(db: Database, from_site: str, to_unit: str) -> list[ImportReport]:
    """Apply the packages of a stream that were waiting, as long as the next one is here."""
    reports = []
    while (held := _held_next(db, from_site, to_unit)) is not None:
        data = ledger.content(db, held.id)
        try:
            package = pkg.read_bytes(pkg.file_name(held.from_unit, held.to_unit, held.package_no),
                                     data or b"")
        except PackageError as exc:
            with transaction(db):
                ledger.set_state(db, held.id, ledger.REFUSED, reason=exc.reason)
            reports.append(ImportReport(file=exc.file, status="refused", reason=exc.reason))
            continue
        report = import_package(db, package)
        reports.append(report)
        if report.status != "applied":
            break
    return reports


def _untrusted(db: Database, trust: Iterable[str]) -> list[Package]:
    wanted = {t.strip().upper() for t in trust}
    out = []
    for row in ledger.rows(db, "direction = 'in' AND state = 'untrusted'"):
        data = ledger.content(db, row.id)
        try:
            package = pkg.read_bytes(pkg.file_name(row.from_unit, row.to_unit, row.package_no),
                                     data or b"")
        except PackageError:
            continue
        if sites.key_fingerprint(package.sender_key) in wanted:
            with transaction(db):
                ledger.set_state(db, row.id, ledger.HELD, reason="chờ nhận", keep_content=True)
            out.append(package)
    return out


def import_files(db: Database, paths: Iterable[str | Path], *, dry_run: bool = False,
                 trust: Iterable[str] = (), accept_recovery: bool = False,
                 progress: Progress = no_progress, user: str | None = None
                 ) -> list[ImportReport]:
    """Import packages (whole files or their parts), then whatever they release.

    Packages are taken in stream order whatever order the files come in; with ``trust``,
    packages held for an unconfirmed sender with that key fingerprint are taken too. Only
    the manifests are read up front; each package is read whole when its turn comes, so
    one package at a time is in memory.

    ``progress(records done, records in the package, file name)`` reports each package
    being applied; a ``Cancelled`` it raises rolls back the package being applied (the
    packages applied before it stay) and goes to the caller.

    :param user: who imports (default: the current user); at an office, merging the
        communes' packages needs that permission (a dry run needs none)
    :raises PermissionDenied: the user may not merge packages at this office
    """
    if not dry_run and sites.require_site(db).role == "office":
        users.require(db, user, "merge")
    trust = list(trust)
    waiting: dict[str, tuple[Package, Callable[[], Package]]] = {}
    reports: list[ImportReport] = []
    for path in pkg.group_parts(paths):
        try:
            head = pkg.read_file(path, payload=False)
        except PackageError as exc:
            reports.append(ImportReport(file=exc.file, status="refused", reason=exc.reason))
            continue
        waiting[head.manifest_sha256] = (head, lambda path=path: pkg.read_file(path))
    if trust and not dry_run:
        for package in _untrusted(db, trust):
            waiting[package.manifest_sha256] = (package, lambda package=package: package)
    with batch(db, [] if dry_run else [head for head, _ in waiting.values()]):
        reports += _import_in_order(db, waiting, dry_run=dry_run, trust=trust,
                                    accept_recovery=accept_recovery, progress=progress)
    return reports


@contextmanager
def batch(db: Database, packages: Sequence[Package]) -> Iterator[None]:
    """What a batch of packages is imported in (``import_files``, or a caller importing them
    one by one, stopping between two): SQLite keeps ``IMPORT_CACHE_MB`` of pages, and when the
    packages (their manifests are enough) bring many households, the indexes spread over the
    whole file are built once at the end (``_is_bulk``)."""
    with connection.page_cache(db, IMPORT_CACHE_MB), ExitStack() as bulk:
        if packages and _is_bulk(db, packages):
            bulk.enter_context(schema.without_spread_indexes(db))
        yield


def _is_bulk(db: Database, packages: Iterable[Package]) -> bool:
    """Whether the packages bring enough households to build the indexes spread over the
    whole file once at the end rather than keep them up (``schema.SPREAD_INDEXES``): at
    least ``BULK_HOUSEHOLDS``, and a ``BULK_SHARE`` of those the file has."""
    coming = sum(n for p in packages
                 if isinstance(n := p.manifest.get("counts", {}).get("household"), int))
    if coming < BULK_HOUSEHOLDS:
        return False
    return coming >= BULK_SHARE * db.execute("SELECT count(*) FROM household").fetchone()[0]


def _import_in_order(db: Database, waiting: Mapping[str, tuple[Package, Callable[[], Package]]],
                     **options: Any) -> list[ImportReport]:
    """Import the waiting packages in stream order, each followed by those it releases."""
    reports: list[ImportReport] = []
    done: set[str] = set()  # packages applied on the way (released when their turn came)
    for head, load in sorted(waiting.values(),
                             key=lambda w: (w[0].stream["from_site"], w[0].package_no)):
        if head.manifest_sha256 in done:
            continue
        try:
            package = load()
        except PackageError as exc:
            reports.append(ImportReport(file=exc.file, status="refused", reason=exc.reason))
            continue
        report = import_package(db, package, **options)
        reports.append(report)
        if report.status == "applied":
            released = _release_held(db, package.stream["from_site"],
                                     package.stream["to_unit"])
            done |= {r.manifest_sha256 for r in released if r.manifest_sha256}
            reports += released
    return reports


def status(db: Database) -> dict:
    """Streams as this site sees them: sent and acknowledged, received, waiting, conflicts."""
    local = sites.require_site(db)
    out_streams = []
    for (to_unit,) in db.execute("SELECT DISTINCT to_unit FROM package_ledger WHERE "
                                 "direction = 'out' AND from_site = ? ORDER BY to_unit",
                                 [local.id]):
        sent, _, _ = ledger.last_sent(db, local.id, to_unit)
        acked = db.execute("SELECT coalesce(max(package_no), 0) FROM package_ledger WHERE "
                           "direction = 'out' AND from_site = ? AND to_unit = ? AND state = "
                           "'acknowledged'", [local.id, to_unit]).fetchone()[0]
        out_streams.append({"to_unit": to_unit, "last_sent": sent, "acknowledged_up_to": acked})
    in_streams = []
    for from_site, from_unit in db.execute(
            "SELECT DISTINCT from_site, from_unit FROM package_ledger WHERE direction = 'in' "
            "ORDER BY from_unit, from_site"):
        upto = ledger.applied_up_to(db, from_site, local.unit_code)
        waiting = [r.package_no for r in ledger.rows(
            db, "direction = 'in' AND from_site = ? AND to_unit = ? AND state IN ('held', "
                "'untrusted')", [from_site, local.unit_code])]
        forks = [r.package_no for r in ledger.rows(
            db, "direction = 'in' AND from_site = ? AND to_unit = ? AND state = 'fork'",
            [from_site, local.unit_code])]
        name = db.execute("SELECT display_name, trusted_at FROM site WHERE id = ?",
                          [from_site]).fetchone()
        in_streams.append({
            "from_site": from_site, "from_unit": from_unit, "name": name[0] if name else None,
            "trusted": bool(name and name[1]), "applied_up_to": upto,
            "waiting": waiting, "waiting_for": upto + 1 if waiting else None, "forks": forks})
    conflicts = db.execute("SELECT count(*) FROM conflict WHERE state = 'open'").fetchone()[0]
    return {"site": local.id, "unit": local.unit_code, "fingerprint": local.fingerprint,
            "sent": out_streams, "received": in_streams, "open_conflicts": conflicts}
