"""The one write path for syncable rows (DESIGN.md §3.1, SYNC.md §3).

Every change of a syncable row, whatever its table, goes through ``Writer`` (local edits)
or ``write_row`` (rows that arrive whole: reference lists, later sync packages). In the same
transaction as the row it:

- stamps ``version``, ``updated_at`` (hybrid logical clock) and ``updated_by``;
- appends the change to ``change_log`` with its ``base_version`` and ``origin``;
- for local edits, appends one ``audit_log`` row per changed field (who, when, old, new,
  reason), after checking ownership and locks.

Triggers (``schema.ensure_write_guards``) refuse any write that bypasses this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, TypeVar

from sqlite_utils import Database

from gnapp.db import registry
from gnapp.db.hlc import HybridClock
from gnapp.db.ids import uuid7
from gnapp.domain.errors import GnappError
from gnapp.domain.issues import Issue, has_errors
from gnapp.domain.text import nfc_values

T = TypeVar("T")
LOCAL = "local"


class WriteError(GnappError):
    """A change was refused; nothing was written."""


class NotFound(WriteError):
    pass


class NotOwner(WriteError):
    pass


class Locked(WriteError):
    pass


class StaleVersion(WriteError):
    pass


class Invalid(WriteError):
    """The row breaks its table's rules; ``issues`` lists them."""

    def __init__(self, label: str, issues: list[Issue]):
        self.issues = issues
        details = "; ".join(i.message for i in issues if i.severity == "error")
        super().__init__(f"Không lưu được {label}: {details}")


@dataclass
class Changes:
    """What one operation changed: rows per table, and the operation's own result."""

    counts: dict[str, int] = field(default_factory=dict)
    result: Any = None

    def add(self, table: str, n: int = 1) -> None:
        self.counts[table] = self.counts.get(table, 0) + n

    @property
    def tables(self) -> set[str]:
        return set(self.counts)

    def __bool__(self) -> bool:
        return bool(self.counts)


@dataclass(frozen=True)
class Actor:
    """Who writes: the site, the unit it serves and the user at the keyboard."""

    site_id: str
    unit_code: str
    user: str


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction (``BEGIN IMMEDIATE``), or a savepoint inside an open one.

    Everything inside commits together or not at all; deferred foreign keys are checked
    at the commit, and a violation rolls the whole transaction back.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


@contextmanager
def guards_lifted(db: Database) -> Iterator[None]:
    """Lift the insert and update guards of the syncable tables (``schema.ensure_write_guards``)
    inside the open transaction, for writes made by ``write_rows`` alone, which logs each row
    in the same call; they are back before the block ends, whatever happens.

    A package import writes this way: a trigger on a table makes SQLite insert each row
    through a slower path (at 8,000 households a package, the guards took about half the
    time of writing its rows). Should the process die in the block, the transaction, and
    with it the lifting, is rolled back.
    """
    from gnapp.db import schema

    if not db.conn.in_transaction:
        raise RuntimeError("guards are lifted only inside a transaction")
    for table in registry.SYNCABLE:
        db.execute(f"DROP TRIGGER IF EXISTS {table}_guard_insert")
        db.execute(f"DROP TRIGGER IF EXISTS {table}_guard_update")
    try:
        yield
    finally:
        schema.ensure_write_guards(db)


_COLUMNS = "_gnapp_columns"        # attribute of the Database: {table: stored columns}


def stored_columns(db: Database, table: str) -> list[str]:
    """The stored columns of a table, read once per connection (``forget_columns`` after a
    change of the schema)."""
    known = db.__dict__.setdefault(_COLUMNS, {})
    if table not in known:
        # hidden = 2 or 3 marks generated columns, which are never written
        known[table] = [r[1] for r in db.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0]
    return known[table]


def forget_columns(db: Database) -> None:
    """Read the tables' columns again at the next write (the schema changed)."""
    db.__dict__.pop(_COLUMNS, None)


# Keys asked for in one query's ``IN`` list (well under SQLite's limit on bound values).
IN_CHUNK = 500


def select_in(db: Database, sql: str, keys: Sequence[str], *args: Any) -> list[tuple]:
    """``sql`` (with ``{marks}`` for its ``IN`` list, after the parameters ``args``) run over
    ``keys`` ``IN_CHUNK`` at a time: the rows of every run."""
    out: list[tuple] = []
    for start in range(0, len(keys), IN_CHUNK):
        chunk = list(keys[start:start + IN_CHUNK])
        marks = ", ".join("?" for _ in chunk)
        out += db.execute(sql.format(marks=marks), [*args, *chunk]).fetchall()
    return out


def get_row(db: Database, table: str, row_id: str) -> dict | None:
    """The stored row with this id (tombstones included), or None."""
    registry.table(table)
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [row_id]))
    return rows[0] if rows else None


def live_row(db: Database, table: str, row_id: str, what: str | None = None) -> dict:
    """The stored row with this id; ``NotFound`` naming ``what`` (default: the table's
    label) when there is none or it is deleted."""
    row = get_row(db, table, row_id)
    if row is None or row["deleted"]:
        raise NotFound(f"Không tìm thấy {what or registry.table(table).label} "
                       f"(mã dòng {row_id}).")
    return row


def syncable_values(table: str, row: Mapping[str, Any]) -> dict:
    """The row without its derived columns: what is hashed and what travels."""
    derived = registry.table(table).derived
    return {k: v for k, v in row.items() if k not in derived}


def write_row(db: Database, table: str, row: Mapping[str, Any], *, base_version: int,
              origin: str) -> None:
    """Store a whole row and log the change, in the caller's transaction.

    The lowest step of the write path: no ownership, lock or validation checks (local
    edits get them in ``Writer``; package imports in their plan). ``row`` carries every
    sync column already stamped; columns it leaves out get their SQL default on insert
    and keep their value on update. The table's ``after_write`` runs for the row.

    :param base_version: the version the row had before this change (0 for a new row)
    :param origin: ``"local"`` or where the change came from (a package id, a reference list)
    """
    spec = registry.table(table)
    old = get_row(db, table, row["id"]) if spec.after_write else None
    write_rows(db, table, [(row, base_version)], origin=origin)
    if spec.after_write:
        spec.after_write(db, [(row, old)])


def write_rows(db: Database, table: str, rows: Sequence[tuple[Mapping[str, Any], int]], *,
               origin: str) -> None:
    """``write_row`` for many rows of one table at once: ``rows`` are ``(row, base_version)``.

    The table's ``after_write`` is left to the caller, which runs it once for all the rows
    it wrote (a package import does so at the end of the package).
    """
    spec = registry.table(table)
    columns = stored_columns(db, table)
    known = set(columns) | set(spec.derived)
    # rows of a package share their keys; a new row (base version 0) is a plain INSERT: an
    # upsert costs SQLite about twice as much per row, and a stored row with that id is then
    # refused instead of overwritten
    groups: dict[tuple[tuple[str, ...], bool], list[Mapping[str, Any]]] = {}
    for row, base in rows:
        groups.setdefault((tuple(row), base == 0), []).append(row)
    db.conn.executemany(
        "INSERT INTO change_log (table_name, row_id, version, base_version, updated_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(table, row["id"], row["version"], base, row["updated_at"], origin)
         for row, base in rows])
    for (keys, new), group in groups.items():
        unknown = set(keys) - known
        if unknown:
            raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
        # a new row may leave defaults to SQL; every row has its sync columns
        names = [c for c in columns if c in keys]
        values = itemgetter(*names)
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        if not new:
            sql += " ON CONFLICT(id) DO UPDATE SET " + ", ".join(
                f"{c} = excluded.{c}" for c in names if c != "id")
        db.conn.executemany(sql, [values(r) for r in group])


# -- derived tables, kept once per Writer transaction ----------------------------------------

_DEFERRED = "_gnapp_deferred"     # attribute of the Database: {after_write: [(new, old)]}
_DEPTH = "_gnapp_defer_depth"     # how many Writer.transact are open on it
# attribute of the Database: the time every audit row of the open Writer.transact carries, so
# that one save is one moment in the audit log even when it takes more than a second (undo
# finds a save by its moment)
_AUDIT_AT = "_gnapp_audit_at"


def flush_derived(db: Database) -> None:
    """Run now the ``after_write`` hooks a ``Writer`` deferred to the end of its transaction
    (tables with ``deferred``). A reader of a derived table inside that transaction calls it
    first; outside one there is nothing to run."""
    pending = getattr(db, _DEFERRED, None)
    while pending:
        hooks = dict(pending)
        pending.clear()
        registry.run_after_write(db, hooks)


def last_change_seq(db: Database) -> int:
    """The newest entry of the change log (0 when empty): it grows with every write."""
    return db.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def lock_reason(db: Database, table: str, row_id: str) -> str | None:
    """Why a row may not change (an approval or a signed document), or None."""
    found = db.execute(
        "SELECT reason FROM row_lock WHERE table_name = ? AND row_id IN (?, '*') LIMIT 1",
        [table, row_id]).fetchone()
    return found[0] if found else None


# -- locks that guard new rows (the signed documents of gnapp.db.documents) --------------------
#
# A lock on a row guards its changes (``lock_reason``). Two more rules guard the rows that
# would be added into what a signed document shows:
# - a lock on a household guards the rows added under it: a member, an event, a review or a
#   request of a locked household (its certificate shows its members and its reviews);
# - a signed document that counts a round (a review report, a list of the round) also locks
#   the round in each village it covers: a ``row_lock`` ("review_round",
#   ``round_scope(round, village)``) refuses a new review or request of that round for a
#   household of the village, and a new register event of one of its households dated on or
#   before the round's end (an arrival is what brings a new household into the round's
#   figures, a departure what takes one out).
# The same rules hold when a change moves a row under a locked household, round or date, and
# when a deleted row is brought back.
PARENT_LOCKS = {"member": "household_id", "household_event": "household_id",
                "household_review": "household_id", "household_request": "household_id"}
_ROUND_ROWS = ("household_review", "household_request")


def round_scope(round_id: str, village_id: str) -> str:
    """The ``row_id`` of the lock on a round in one village ("<round id>@<village id>")."""
    return f"{round_id}@{village_id}"


def insert_lock_reason(db: Database, table: str, values: Mapping[str, Any]) -> str | None:
    """Why a row with ``values`` may not be added to (or moved into) ``table``, or None."""
    column = PARENT_LOCKS.get(table)
    household = values.get(column) if column else None
    if not household:
        return None
    reason = lock_reason(db, "household", household)
    if reason:
        return f"hộ gia đình đã bị khóa ({reason})"
    found = db.execute("SELECT village_id FROM household WHERE id = ?", [household]).fetchone()
    if found is None:
        return None
    if table in _ROUND_ROWS and values.get("round_id"):
        reason = lock_reason(db, "review_round", round_scope(values["round_id"], found[0]))
        if reason:
            return f"kết quả đợt rà soát của thôn đã bị khóa ({reason})"
    if table == "household_event" and values.get("on_date"):
        hit = db.execute(
            "SELECT l.reason FROM row_lock l JOIN review_round r "
            "ON l.row_id = r.id || '@' || ? WHERE l.table_name = 'review_round' "
            "AND r.deleted = 0 AND r.ends_on >= ? LIMIT 1",
            [found[0], values["on_date"]]).fetchone()
        if hit:
            return (f"biến động ghi ngày {values['on_date']} làm thay đổi kết quả đợt rà soát "
                    f"của thôn đã bị khóa ({hit[0]})")
    return None


def _audit_text(value: Any) -> str | None:
    return None if value is None else str(value)


class Writer:
    """Local changes by one actor, each checked, stamped, logged and audited.

    :param db: an open gnapp database
    :param actor: the site, unit and user making the changes
    """

    def __init__(self, db: Database, actor: Actor):
        self.db = db
        self.actor = actor
        self._changes: Changes | None = None

    # -- operations -----------------------------------------------------------------------

    def transact(self, fn: Callable[["Writer"], T]) -> Changes:
        """Run ``fn(self)`` in one transaction and return what it changed.

        If ``fn`` raises, nothing it wrote stays (rows, change log and audit alike).
        """
        outer, self._changes = self._changes, Changes()
        # the outermost transact keeps the derived tables of what it wrote once, at its end
        depth = getattr(self.db, _DEPTH, 0)
        setattr(self.db, _DEPTH, depth + 1)
        if depth == 0:
            setattr(self.db, _DEFERRED, {})
            setattr(self.db, _AUDIT_AT, utc_now())
        try:
            with transaction(self.db):
                result = fn(self)
                if depth == 0:
                    flush_derived(self.db)
            changes = self._changes
            changes.result = result
            return changes
        finally:
            setattr(self.db, _DEPTH, depth)
            if depth == 0:
                setattr(self.db, _DEFERRED, None)  # rolled back or flushed
                setattr(self.db, _AUDIT_AT, None)
            if outer is not None and self._changes is not None:
                for table, n in self._changes.counts.items():
                    outer.add(table, n)
            self._changes = outer

    def insert(self, table: str, values: Mapping[str, Any], *, reason: str | None = None) -> dict:
        """Add a row owned by the actor's unit; returns the stored row."""
        spec = registry.table(table)
        values = self._clean(spec, values)
        self._validate(spec, values)
        with transaction(self.db):
            self._guard_new(spec, values)
            stamp = self._tick()
            row = {**values, **spec.derive(values),
                   "id": uuid7(), "site_id": self.actor.site_id,
                   "owner_unit": self.actor.unit_code, "version": 1, "updated_at": stamp,
                   "updated_by": self.actor.site_id, "deleted": 0}
            self._write(spec, row, 0, None)
            self._audit(table, row["id"], {k: (None, v) for k, v in values.items()
                                           if v is not None}, reason)
        self._count(table)
        return get_row(self.db, table, row["id"])

    def update(self, table: str, row_id: str, changes: Mapping[str, Any], *,
               reason: str | None = None, expected_version: int | None = None) -> dict:
        """Change fields of a row; a no-op when nothing differs. Returns the stored row.

        :param expected_version: the version the editor started from; a different stored
            version means someone else changed the row meanwhile (``StaleVersion``)
        """
        spec = registry.table(table)
        changes = self._clean(spec, changes)
        with transaction(self.db):
            row = self._editable(spec, row_id, expected_version)
            merged = {**syncable_values(table, row), **changes}
            self._validate(spec, merged)
            diff = {k: (row[k], v) for k, v in changes.items() if row[k] != v}
            if set(diff) & {PARENT_LOCKS.get(table), "round_id", "on_date"}:
                self._guard_new(spec, merged)
            if diff:
                self._change(spec, row, merged, diff, reason)
        return get_row(self.db, table, row_id)

    def delete(self, table: str, row_id: str, *, reason: str,
               expected_version: int | None = None) -> dict:
        """Mark a row deleted (a tombstone that travels); the reason is required."""
        if not (reason or "").strip():
            raise WriteError("Cần ghi lý do khi xóa.")
        spec = registry.table(table)
        with transaction(self.db):
            row = self._editable(spec, row_id, expected_version)
            merged = {**syncable_values(table, row), "deleted": 1}
            self._change(spec, row, merged, {"deleted": (0, 1)}, reason.strip())
        return get_row(self.db, table, row_id)

    def undelete(self, table: str, row_id: str, *, reason: str) -> dict:
        """Bring back a row marked deleted (from the trash): a change like any other,
        stamped, logged and audited, checked against the table's rules; the reason is
        required."""
        if not (reason or "").strip():
            raise WriteError("Cần ghi lý do khi khôi phục.")
        spec = registry.table(table)
        with transaction(self.db):
            row = self._editable(spec, row_id, None, deleted=True)
            merged = {**syncable_values(table, row), "deleted": 0}
            self._validate(spec, merged)
            self._guard_new(spec, merged)
            self._change(spec, row, merged, {"deleted": (1, 0)}, reason.strip())
        return get_row(self.db, table, row_id)

    def decide(self, table: str, row_id: str, values: Mapping[str, Any], *, version: int,
               reason: str, deleted: bool | None = None) -> dict:
        """Store a person's decision on a row in conflict: ``values`` replace the row's
        fields and the change gets ``version`` (above both versions in conflict), so that it
        supersedes them wherever it travels. Checked, logged and audited like any edit.

        :param deleted: for a conflict between a deletion and an edit, whether the row stays
            deleted (``True``) or is restored with the edited values (``False``); the row
            held here may be live or deleted. ``None``: the row stays as it is (live)."""
        spec = registry.table(table)
        values = self._clean(spec, values)
        with transaction(self.db):
            held = get_row(self.db, table, row_id) if deleted is not None else None
            row = self._editable(spec, row_id, None,
                                 deleted=bool(held is not None and held["deleted"]))
            if version <= row["version"]:
                raise StaleVersion(f"Phiên bản quyết định ({version}) phải lớn hơn phiên bản "
                                   f"đang có ({row['version']}).")
            if deleted is not None:
                values = {**values, "deleted": int(deleted)}
            merged = {**syncable_values(table, row), **values}
            if not merged["deleted"]:
                self._validate(spec, merged)
            diff = {k: (row[k], v) for k, v in values.items() if row[k] != v}
            stamp = self._tick()
            new = {**merged, **spec.derive(merged), "version": version, "updated_at": stamp,
                   "updated_by": self.actor.site_id}
            self._write(spec, new, row["version"], row)
            self._audit(table, row_id, diff or {"version": (row["version"], version)}, reason)
            self._count(table)
        return get_row(self.db, table, row_id)

    # -- steps ----------------------------------------------------------------------------

    def _clean(self, spec: registry.SyncTable, values: Mapping[str, Any]) -> dict:
        reserved = set(values) & (set(registry.SYNC_COLUMNS) | set(spec.derived))
        if reserved:
            raise ValueError(f"{spec.name}: {sorted(reserved)} are set by the write path")
        cleaned = nfc_values(dict(values))
        return {k: v.strip() if isinstance(v, str) else v for k, v in cleaned.items()}

    def _validate(self, spec: registry.SyncTable, values: Mapping[str, Any]) -> None:
        issues = spec.validate(values)
        if has_errors(issues):
            raise Invalid(spec.label, issues)

    def _editable(self, spec: registry.SyncTable, row_id: str,
                  expected_version: int | None, *, deleted: bool = False) -> dict:
        """The stored row if the actor may change it; ``deleted``: a row in the trash
        (to bring back) instead of a live one."""
        row = get_row(self.db, spec.name, row_id)
        if deleted and (row is None or not row["deleted"]):
            raise NotFound(f"Không có {spec.label} (mã dòng {row_id}) trong thùng rác.")
        if not deleted and (row is None or row["deleted"]):
            raise NotFound(f"Không tìm thấy {spec.label} (mã dòng {row_id}) hoặc đã bị xóa.")
        if row["owner_unit"] != self.actor.unit_code:
            raise NotOwner(f"{spec.label.capitalize()} này thuộc đơn vị {row['owner_unit']}; "
                           f"đơn vị {self.actor.unit_code} không được sửa.")
        reason = lock_reason(self.db, spec.name, row_id)
        if reason:
            raise Locked(f"{spec.label.capitalize()} đã bị khóa ({reason}); không sửa được.")
        if expected_version is not None and row["version"] != expected_version:
            raise StaleVersion(f"{spec.label.capitalize()} vừa được sửa ở nơi khác "
                               f"(phiên bản {row['version']}, bạn sửa từ {expected_version}). "
                               "Hãy mở lại và sửa lần nữa.")
        return row

    def _guard_new(self, spec: registry.SyncTable, values: Mapping[str, Any]) -> None:
        """Refuse a row added into what a signed document shows (``insert_lock_reason``)."""
        why = insert_lock_reason(self.db, spec.name, values)
        if why:
            raise Locked(f"Không thêm được {spec.label}: {why}. Muốn thay đổi, hãy mở khóa "
                         "văn bản đó (có ghi lý do) trước.")

    def _change(self, spec: registry.SyncTable, row: dict, merged: dict,
                diff: dict[str, tuple[Any, Any]], reason: str | None) -> None:
        stamp = self._tick()
        new = {**merged, **spec.derive(merged), "version": row["version"] + 1,
               "updated_at": stamp, "updated_by": self.actor.site_id}
        self._write(spec, new, row["version"], row)
        self._audit(spec.name, row["id"], diff, reason)
        self._count(spec.name)

    def _write(self, spec: registry.SyncTable, row: dict, base_version: int,
               old: dict | None) -> None:
        """``write_row`` of a local change; the table's ``after_write`` runs at once, or at
        the end of the outermost ``transact`` for a ``deferred`` one (once for all its rows:
        after a rollback there is nothing to run)."""
        write_rows(self.db, spec.name, [(row, base_version)], origin=LOCAL)
        if spec.after_write is None:
            return
        pending = getattr(self.db, _DEFERRED, None)
        if spec.deferred and pending is not None:
            pending.setdefault(spec.after_write, []).append((row, old))
        else:
            spec.after_write(self.db, [(row, old)])

    def _tick(self) -> str:
        """The next clock reading, persisted with the change (so it never goes back)."""
        last = self.db.execute("SELECT clock FROM site WHERE id = ?",
                               [self.actor.site_id]).fetchone()
        clock = HybridClock(self.actor.site_id, last[0] if last else None)
        stamp = clock.now()
        self.db.execute("UPDATE site SET clock = ? WHERE id = ?", [stamp, self.actor.site_id])
        return stamp

    def _audit(self, table: str, row_id: str, diff: Mapping[str, tuple[Any, Any]],
               reason: str | None) -> None:
        at = getattr(self.db, _AUDIT_AT, None) or utc_now()
        self.db.conn.executemany(
            "INSERT INTO audit_log (at, user, site_id, table_name, row_id, field, old, new, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(at, self.actor.user, self.actor.site_id, table, row_id, name,
              _audit_text(old), _audit_text(new), reason)
             for name, (old, new) in sorted(diff.items())])

    def _count(self, table: str) -> None:
        if self._changes is not None:
            self._changes.add(table)
