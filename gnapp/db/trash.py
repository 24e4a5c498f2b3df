"""The trash: rows deleted as entered by mistake, and bringing them back.

Nothing is ever removed (SYNC.md §3): a deleted row is a tombstone (``deleted = 1``) that
travels in packages. The trash lists the tombstones a person may want back (households with
the members and events deleted with them, members, plan and report documents) with who
deleted them, when and why (from the audit log), and ``restore`` un-deletes them through the
write path, so that the change travels and the local indexes follow (registry hooks).

The fund ledger (allocations, disbursements, settlements) is not here: it is append-only and
a mistake there is corrected by a reversing entry.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlite_utils import Database

from gnapp.db import registry
from gnapp.db.hlc import Timestamp
from gnapp.db.store import NotFound, Writer, WriteError, get_row

# The tables whose deleted rows the trash shows, and what a user calls one row.
TABLES = {"household": "Hộ gia đình", "member": "Thành viên", "plan_document": "Văn bản"}

# What the trash note says about the fund ledger.
LEDGER_NOTE = ("Sổ vốn (phân bổ, giải ngân, quyết toán) không xóa dòng nào: sai sót được sửa "
               "bằng bút toán điều chỉnh (ghi đảo), nên không có trong thùng rác.")


def _deletion(db: Database, table: str, row: dict) -> dict:
    """Who deleted the row, when and why: the audit log's entry, or (a deletion that came
    in a package) the time of the change and no user."""
    found = db.execute(
        "SELECT at, user, reason FROM audit_log WHERE table_name = ? AND row_id = ? "
        "AND field = 'deleted' AND new = '1' ORDER BY id DESC LIMIT 1",
        [table, row["id"]]).fetchone()
    if found:
        return {"deleted_at": found[0], "deleted_by": found[1], "reason": found[2] or ""}
    try:
        ms = Timestamp.parse(row["updated_at"]).ms
        at = datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")
    except ValueError:
        at = None
    return {"deleted_at": at, "deleted_by": None,
            "reason": "Xóa ở máy khác (nhận qua gói đồng bộ)"}


def _with_household(db: Database, household_id: str) -> list[str]:
    """The members and events deleted together with a household: those marked deleted
    after it, in its own transaction (nothing of a deleted household can change later)."""
    home = get_row(db, "household", household_id)
    if home is None or not home["deleted"]:
        return []
    return [r[0] for r in db.execute(
        "SELECT id FROM member WHERE household_id = ? AND deleted = 1 AND updated_at > ? "
        "ORDER BY position", [household_id, home["updated_at"]])]


def _events_with_household(db: Database, household_id: str, stamp: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT id FROM household_event WHERE household_id = ? AND deleted = 1 "
        "AND updated_at > ?", [household_id, stamp])]


def list_deleted(db: Database, owner_unit: str | None = None) -> list[dict]:
    """The rows in the trash, newest deletion first.

    Each is a dict: ``table``, ``id``, ``kind`` (what it is, in Vietnamese), ``label`` (code
    and name, or the document's subject), ``detail``, ``deleted_at`` (ISO, UTC),
    ``deleted_by``, ``reason``, ``household_id``. Members deleted with their household are
    not listed on their own: they come back with it.

    :param owner_unit: only the rows this unit owns (None: all)
    """
    where, params = "deleted = 1", []
    if owner_unit is not None:
        where += " AND owner_unit = ?"
        params.append(owner_unit)
    found = []
    for home in db.query(f"SELECT * FROM household WHERE {where}", params):
        with_it = list(db.query(
            "SELECT full_name, relation FROM member WHERE household_id = ? AND deleted = 1 "
            "AND updated_at > ? ORDER BY position", [home["id"], home["updated_at"]]))
        head = next((m["full_name"] for m in with_it if m["relation"] == "head"), None)
        village = get_row(db, "admin_unit", home["village_id"])
        found.append({"table": "household", "id": home["id"], "kind": TABLES["household"],
                      "label": f"Hộ {home['code']}" + (f" – {head}" if head else ""),
                      "detail": (f"{village['name']}; " if village else "")
                      + f"{len(with_it)} thành viên", "household_id": home["id"],
                      **_deletion(db, "household", home)})
    for member in db.query(
            "SELECT m.*, h.code, h.deleted AS household_deleted, h.updated_at AS household_at "
            "FROM member m JOIN household h ON h.id = m.household_id WHERE m.deleted = 1"
            + (" AND m.owner_unit = ?" if owner_unit is not None else ""), params):
        if member["household_deleted"] and member["updated_at"] > member["household_at"]:
            continue                     # deleted with its household: listed with it
        found.append({"table": "member", "id": member["id"], "kind": TABLES["member"],
                      "label": member["full_name"],
                      "detail": f"Hộ {member['code']}"
                      + (" (hộ cũng đã xóa)" if member["household_deleted"] else ""),
                      "household_id": member["household_id"],
                      **_deletion(db, "member", member)})
    for doc in db.query(f"SELECT * FROM plan_document WHERE {where}", params):
        kind = "Kế hoạch" if doc["kind"] == "plan" else "Báo cáo"
        found.append({"table": "plan_document", "id": doc["id"], "kind": TABLES["plan_document"],
                      "label": doc["subject"], "detail": f"{kind} năm {doc['year']}",
                      "household_id": None, **_deletion(db, "plan_document", doc)})
    found.sort(key=lambda r: r["deleted_at"] or "", reverse=True)
    return found


def _restore_household(w: Writer, household_id: str, reason: str) -> None:
    home = get_row(w.db, "household", household_id)
    village = get_row(w.db, "admin_unit", home["village_id"])
    if village is None or village["deleted"]:
        raise WriteError(f"Không khôi phục được hộ {home['code']}: thôn của hộ không còn "
                         "trong danh mục.")
    taken = w.db.execute("SELECT count(*) FROM household WHERE owner_unit = ? AND code = ? "
                         "AND deleted = 0 AND id != ?",
                         [home["owner_unit"], home["code"], household_id]).fetchone()[0]
    if taken:
        raise WriteError(f"Không khôi phục được hộ {home['code']}: mã hộ này đã dùng cho một "
                         "hộ khác. Hãy đổi mã của hộ kia trước.")
    members = _with_household(w.db, household_id)
    events = _events_with_household(w.db, household_id, home["updated_at"])
    w.undelete("household", household_id, reason=reason)
    for member_id in members:
        w.undelete("member", member_id, reason=reason)
    for event_id in events:
        w.undelete("household_event", event_id, reason=reason)


def _restore_member(w: Writer, member_id: str, reason: str) -> None:
    member = get_row(w.db, "member", member_id)
    home = get_row(w.db, "household", member["household_id"])
    if home["deleted"]:
        raise WriteError(f"Không khôi phục được {member['full_name']}: hộ {home['code']} "
                         "cũng đang trong thùng rác. Hãy khôi phục hộ trước.")
    if member["relation"] == "head" and member["status"] == "present":
        head = w.db.execute("SELECT full_name FROM member WHERE household_id = ? AND "
                            "relation = 'head' AND status = 'present' AND deleted = 0",
                            [home["id"]]).fetchone()
        if head:
            raise WriteError(f"Không khôi phục được {member['full_name']} làm chủ hộ: hộ "
                             f"{home['code']} đã có chủ hộ {head[0]}.")
    w.undelete("member", member_id, reason=reason)


def restore(w: Writer, table: str, row_id: str, reason: str) -> None:
    """Bring a row back from the trash (a household with the members and events deleted
    with it), through the write path: logged, audited, and it travels.

    :raises WriteError: with a Vietnamese message: the row is not in the trash, its
        household is itself deleted, its household code is now used by another household …
    """
    if table not in TABLES:
        raise WriteError(f"Thùng rác không có loại dữ liệu «{table}» (chỉ có: "
                         f"{', '.join(TABLES.values()).lower()}).")
    if not (reason or "").strip():
        raise WriteError("Cần ghi lý do khôi phục.")
    reason = reason.strip()

    def op(w: Writer) -> None:
        row = get_row(w.db, table, row_id)
        if row is None or not row["deleted"]:
            raise NotFound(f"Không có {registry.table(table).label} (mã dòng {row_id}) trong "
                           "thùng rác.")
        if table == "household":
            _restore_household(w, row_id, reason)
        elif table == "member":
            _restore_member(w, row_id, reason)
        else:
            w.undelete(table, row_id, reason=reason)

    w.transact(op)
