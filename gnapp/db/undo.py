"""Undo of the last saved edit of a record ("Hoàn tác lần sửa cuối").

History is never erased: undoing writes the previous values back through the ``Writer`` as a
new change, audited and logged like any edit (so it travels in the next package). The edit
to undo is read from the audit log: the newest audit rows of the record's rows that share
one moment and one user (one save). It is refused, with a message saying why, when

- a row of the record changed since (a later edit, or a change that came in a package);
- a row is locked (approved, signed) or owned by another unit (the ``Writer`` refuses);
- the edit created the record itself, or deleted a row (use the deletion's own way back);
- the record is a complete review (reopen it first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from gnapp.db import registry
from gnapp.db.store import WriteError, Writer, get_row

Row = tuple[str, str]          # (table, row id)


class UndoRefused(WriteError):
    """The last edit cannot be undone; the message says why."""


@dataclass(frozen=True)
class FieldChange:
    table: str
    row_id: str
    field: str
    old: str | None      # as the audit log holds them (text)
    new: str | None


@dataclass(frozen=True)
class LastEdit:
    """One save of a record: when, by whom, and each field it changed."""

    at: str
    user: str
    reason: str | None
    changes: tuple[FieldChange, ...]

    @property
    def rows(self) -> list[Row]:
        return list(dict.fromkeys((c.table, c.row_id) for c in self.changes))

    def when(self) -> str:
        """The moment of the edit as people read it (local time, "22:31 ngày 23/11/2026")."""
        try:
            moment = datetime.fromisoformat(self.at).astimezone()
        except ValueError:
            return self.at
        return moment.strftime("%H:%M ngày %d/%m/%Y")

    def describe(self, limit: int = 6) -> str:
        """What undoing it puts back, one line per field (at most ``limit``)."""
        lines = []
        for change in self.changes[:limit]:
            label = registry.table(change.table).label
            lines.append(f"• {label}, {change.field}: «{change.new or ''}» → "
                         f"«{change.old or ''}»")
        if len(self.changes) > limit:
            lines.append(f"• … và {len(self.changes) - limit} trường khác")
        return "\n".join(lines)


def household_rows(db: Database, household_id: str) -> list[Row]:
    """The rows a household editor saves: the household and its members."""
    members = [r[0] for r in db.execute("SELECT id FROM member WHERE household_id = ?",
                                        [household_id])]
    return [("household", household_id)] + [("member", m) for m in members]


def review_rows(db: Database, round_id: str, household_id: str) -> list[Row]:
    """The row a review form saves: the household's review in the round (if any)."""
    found = db.execute("SELECT id FROM household_review WHERE round_id = ? AND household_id = ?",
                       [round_id, household_id]).fetchone()
    return [("household_review", found[0])] if found else []


def last_edit(db: Database, rows: Sequence[Row]) -> LastEdit | None:
    """The newest save that changed any of ``rows`` (None when they have no audit)."""
    if not rows:
        return None
    where = " OR ".join("(table_name = ? AND row_id = ?)" for _ in rows)
    params = [v for row in rows for v in row]
    newest = db.execute(f"SELECT at, user FROM audit_log WHERE {where} ORDER BY id DESC LIMIT 1",
                        params).fetchone()
    if newest is None:
        return None
    at, user = newest
    found = db.execute(f"SELECT table_name, row_id, field, old, new, reason, at, user "
                       f"FROM audit_log WHERE {where} ORDER BY id DESC LIMIT 2000",
                       params).fetchall()
    changes = []
    reason = found[0][5]
    done: set[Row] = set()         # rows whose block of audit rows is behind us
    block: Row | None = None
    last_name = ""
    for table, row_id, name, old, new, _, when, who in found:
        # one save: the newest audit rows of one moment and one user. Each write of a row
        # audits its fields in name order, so (read backwards) a name that does not go down,
        # or a row met again after others, is an earlier write (two saves in one second)
        if (when, who) != (at, user):
            break
        if (table, row_id) != block:
            if (table, row_id) in done:
                break
            if block is not None:
                done.add(block)
            block, last_name = (table, row_id), ""
        elif name >= last_name:
            break
        last_name = name
        changes.append(FieldChange(table, row_id, name, old, new))
    return LastEdit(at, user, reason, tuple(reversed(changes)))


def _column_types(db: Database, table: str) -> dict[str, str]:
    return {r[1]: (r[2] or "").upper() for r in db.execute(f"PRAGMA table_xinfo({table})")}


def _value(text: str | None, column_type: str) -> Any:
    """A value of the audit log (text) back in its column's type."""
    if text is None:
        return None
    if "INT" in column_type:
        if text in ("True", "False"):
            return int(text == "True")
        try:
            return int(text)
        except ValueError:
            return text
    if any(t in column_type for t in ("REAL", "FLOA", "DOUB")):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _check(db: Database, edit: LastEdit) -> None:
    """Refuse when a row changed since the edit (or the edit cannot be reversed)."""
    for table, row_id in edit.rows:
        row = get_row(db, table, row_id)
        label = registry.table(table).label
        if row is None:
            raise UndoRefused(f"Không tìm thấy {label} của lần sửa cuối.")
        if table == "household_review" and row.get("status") == "complete":
            raise UndoRefused("Phiếu đã được đánh dấu hoàn thành; hãy mở lại phiếu trước khi "
                              "hoàn tác.")
        types = _column_types(db, table)
        for change in (c for c in edit.changes if (c.table, c.row_id) == (table, row_id)):
            if change.field == "deleted":
                raise UndoRefused(f"Lần sửa cuối là xóa {label}; không hoàn tác được bằng cách "
                                  "này (hãy khôi phục từ «Thùng rác» nếu cần).")
            if change.field not in row or \
                    row[change.field] != _value(change.new, types.get(change.field, "")):
                raise UndoRefused(f"{label.capitalize()} đã thay đổi sau lần sửa lúc "
                                  f"{edit.when()}; không hoàn tác được nữa.")
        origin = db.execute("SELECT origin FROM change_log WHERE table_name = ? AND row_id = ? "
                            "ORDER BY seq DESC LIMIT 1", [table, row_id]).fetchone()
        if origin is not None and origin[0] != "local":
            raise UndoRefused(f"{label.capitalize()} vừa được cập nhật từ gói đồng bộ sau lần "
                              "sửa này; không hoàn tác được nữa.")


def undo_last_edit(w: Writer, rows: Sequence[Row], *, expected: LastEdit | None = None,
                   main: Row | None = None) -> LastEdit:
    """Write back the values the newest save of ``rows`` replaced, in one transaction.

    :param expected: the edit the user was shown; refused if the newest one is another
    :param main: the record's own row (a household, a review): an edit that created it is
        not undone here; other rows it created (a member added in the same save) are marked
        deleted again
    :returns: the edit that was undone
    :raises UndoRefused: nothing to undo, or it can no longer be undone (see the module doc)
    """
    def op(w: Writer) -> LastEdit:
        db = w.db
        edit = last_edit(db, rows)
        if edit is None:
            raise UndoRefused("Chưa có lần sửa nào để hoàn tác.")
        if expected is not None and (edit.at, edit.changes) != (expected.at, expected.changes):
            raise UndoRefused("Đã có lần sửa khác sau lần định hoàn tác; hãy mở lại rồi thử "
                              "lại.")
        # a row still at version 1 was created by this, its last, edit
        created = {row for row in edit.rows
                   if (get_row(db, *row) or {}).get("version") == 1}
        if main is not None and main in created:
            raise UndoRefused(f"Lần sửa cuối là nhập mới {registry.table(main[0]).label}; "
                              "không có bản trước để quay lại.")
        _check(db, edit)
        reason = f"Hoàn tác lần sửa lúc {edit.when()}"
        for table, row_id in edit.rows:
            row = get_row(db, table, row_id)
            if (table, row_id) in created:
                w.delete(table, row_id, reason=reason, expected_version=row["version"])
                continue
            types = _column_types(db, table)
            stamped = set(registry.SYNC_COLUMNS) | set(registry.table(table).derived)
            values = {c.field: _value(c.old, types.get(c.field, "")) for c in edit.changes
                      if (c.table, c.row_id) == (table, row_id) and c.field not in stamped}
            w.update(table, row_id, values, reason=reason, expected_version=row["version"])
        return edit

    return w.transact(op).result
