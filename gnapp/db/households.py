"""The household register: households, members and their recorded events.

Every change goes through the write path (``Writer``); splits, merges, moves and deaths
are events plus changes of status, never deletions. ``household_index`` is a local, derived
table (one line per household: head, member count, folded search text) kept in step by the
registry's ``after_write`` hook, so the household list can page and search 100,000 households
in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db.store import (IN_CHUNK, Invalid, NotFound, Writer, WriteError, flush_derived,
                             get_row, live_row)
from gnapp.domain import people
from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue, error
from gnapp.domain.register import parse_birth
from gnapp.domain.text import clean, fold, fts_query, name_sort_key

PRESENT = "present"


# -- the local index ------------------------------------------------------------------------

_INDEX_MEMBER = ("household_id", "full_name", "sex", "birth_date", "relation", "id_number",
                 "status")


def refresh_indexes(db: Database, household_ids: Iterable[str]) -> None:
    """Rebuild the index lines of these households, reading them and their members in bulk
    (called inside the writing transaction)."""
    ids = list(dict.fromkeys(household_ids))
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        homes = {row[0]: row for row in db.execute(
            f"SELECT id, code, former_code, village_id, status FROM household "
            f"WHERE id IN ({marks}) AND deleted = 0", chunk)}
        everyone: dict[str, list[dict]] = {}
        for row in db.execute(f"SELECT {', '.join(_INDEX_MEMBER)} FROM member WHERE "
                              f"household_id IN ({marks}) AND deleted = 0 "
                              "ORDER BY household_id, position", chunk):
            everyone.setdefault(row[0], []).append(dict(zip(_INDEX_MEMBER, row)))
        indexed = {row[0] for row in db.execute(
            f"SELECT household_id FROM household_index WHERE household_id IN ({marks})", chunk)}
        db.conn.executemany("DELETE FROM household_index WHERE household_id = ?",
                            [(i,) for i in chunk if i in indexed and i not in homes])
        lines = [_index_line(home, everyone.get(home[0], [])) for home in homes.values()]
        # an upsert, or a trigger on INSERT, makes SQLite write each row several times
        # slower: new lines are inserted, then their search words in one statement
        # (UPDATE and DELETE keep the search index by their triggers)
        new = [line for line in lines if line[0] not in indexed]
        db.conn.executemany(
            "INSERT INTO household_index (household_id, code, village_id, status, head_name, "
            "head_key, members, search, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new)
        if new:
            db.execute("INSERT INTO household_index_fts (rowid, search) SELECT rowid, search "
                       "FROM household_index WHERE household_id IN "
                       f"({', '.join('?' for _ in new)})", [line[0] for line in new])
        db.conn.executemany(
            "UPDATE household_index SET code = ?, village_id = ?, status = ?, head_name = ?, "
            "head_key = ?, members = ?, search = ?, errors = ? WHERE household_id = ?",
            [(*line[1:], line[0]) for line in lines if line[0] in indexed])


def _index_line(home: tuple, everyone: list[dict]) -> tuple:
    """The index line of a household ``(id, code, former_code, village_id, status)``."""
    household_id, code, former_code, village_id, status = home
    present = [m for m in everyone if m["status"] == PRESENT]
    head = next((m for m in present if m["relation"] == "head"), None)
    words = [code, former_code or ""]
    words += [m["full_name"] for m in present] + [m["id_number"] or "" for m in present]
    errors = sum(1 for i in people.check_household([_facts(m) for m in everyone])
                 if i.severity == "error")
    return (household_id, code, village_id, status, head["full_name"] if head else None,
            name_sort_key(head["full_name"]) if head else None, len(present),
            fold(" ".join(w for w in words if w)), errors)


# Households a search as you type reads at most (the first matches in index order): a prefix
# of one letter matches most of a province, and the list shows «hơn 1.000 hộ» instead.
SEARCH_CAP = 1000

# The state of a household's review in a round, as the list filters it.
REVIEW_FILTERS = {"none": "Chưa rà soát", "draft": "Phiếu nháp", "complete": "Phiếu hoàn thành"}


def _index_filter(search: str | None, village_id: str | None, status: str | None,
                  round_id: str | None = None, klass: str | None = None,
                  review_state: str | None = None, errors_only: bool = False,
                  cap: int | None = None) -> tuple[str, list]:
    """The WHERE clause of the list; ``klass`` and ``review_state`` are those of the
    household's review in ``round_id``; ``errors_only`` keeps the households whose members
    break a rule of the household as a whole (no head, a number given twice …); with
    ``search``, ``cap`` keeps the first ``cap`` households matching everything, in the order
    of the search index (it reads no further)."""
    where, params = ["1 = 1"], []
    if errors_only:
        where.append("i.errors > 0")
    if (klass or review_state) and round_id:
        reviewed = ("i.household_id IN (SELECT household_id FROM household_review "
                    "WHERE round_id = ? AND deleted = 0")
        if review_state == "none":
            where.append(f"NOT {reviewed})")
            params.append(round_id)
        elif review_state:
            where.append(f"{reviewed} AND status = ?)")
            params += [round_id, review_state]
        if klass:
            where.append(f"{reviewed} AND class = ?)")
            params += [round_id, klass]
    if village_id:
        where.append("i.village_id = ?")
        params.append(village_id)
    if status:  # the status's index serves the status alone ("+": not with other filters)
        alone = not (village_id or search or errors_only or (klass or review_state) and round_id)
        where.append("i.status = ?" if alone else "+i.status = ?")
        params.append(status)
    if search:
        query = fts_query(search)
        if query is None:
            return "0 = 1", []
        if cap is not None:
            # the matches stream from the index in rowid order: LIMIT stops the reading
            return ("i.rowid IN (SELECT i.rowid FROM household_index_fts f JOIN household_index "
                    "i ON i.rowid = f.rowid WHERE household_index_fts MATCH ? AND "
                    f"{' AND '.join(where)} LIMIT ?)"), [query, *params, cap]
        where.append("i.rowid IN (SELECT rowid FROM household_index_fts "
                     "WHERE household_index_fts MATCH ?)")
        params.append(query)
    return " AND ".join(where), params


def count_households(db: Database, *, search: str | None = None, village_id: str | None = None,
                     status: str | None = "active", round_id: str | None = None,
                     klass: str | None = None, review_state: str | None = None,
                     errors_only: bool = False, cap: int | None = None) -> int:
    """The households matching the filter; with ``search`` and ``cap``, at most ``cap + 1``
    (more than ``cap``: the list shows the first ``cap``)."""
    flush_derived(db)
    where, params = _index_filter(search, village_id, status, round_id, klass, review_state,
                                  errors_only, None if cap is None else cap + 1)
    return db.execute(f"SELECT count(*) FROM household_index i WHERE {where}",
                      params).fetchone()[0]


def list_households(db: Database, *, search: str | None = None, village_id: str | None = None,
                    status: str | None = "active", offset: int = 0,
                    limit: int = 200, after: Mapping | None = None,
                    round_id: str | None = None, klass: str | None = None,
                    review_state: str | None = None, errors_only: bool = False,
                    cap: int | None = None) -> list[dict]:
    """One page of the household list, in Vietnamese order of the head's name.

    :param search: words typed by the user: code, any member's name or identity number,
        ignoring case and diacritics
    :param after: the last line of the page before: the page starts after it (``offset``
        then counts from there), which spares SQLite stepping over the rows before it
    :param round_id: a review round: each line gets the household's class and review
        status in it (``klass``, ``review_status``), and ``klass`` / ``review_state``
        (``REVIEW_FILTERS``) filter by them
    :param cap: with ``search``, list only the first ``cap`` matching households in the order
        of the search index (``SEARCH_CAP``), still shown in the order of the head's name
    """
    flush_derived(db)
    where, params = _index_filter(search, village_id, status, round_id, klass, review_state,
                                  errors_only, cap)
    if after is not None:
        where += " AND (i.head_key, i.code) > (?, ?)"
        params += [after["head_key"], after["code"]]
    return list(db.query(
        "SELECT i.*, v.name AS village_name, r.class AS klass, r.status AS review_status "
        "FROM household_index i JOIN admin_unit v ON v.id = i.village_id "
        "LEFT JOIN household_review r ON r.household_id = i.household_id AND r.round_id = ? "
        f"AND r.deleted = 0 WHERE {where} ORDER BY i.head_key, i.code LIMIT ? OFFSET ?",
        [round_id, *params, limit, offset]))


# -- reading --------------------------------------------------------------------------------

def members(db: Database, household_id: str, *, include_left: bool = False) -> list[dict]:
    """The members of a household in roster order (by default only those still present)."""
    sql = "SELECT * FROM member WHERE household_id = ? AND deleted = 0"
    if not include_left:
        sql += " AND status = 'present'"
    return list(db.query(sql + " ORDER BY position", [household_id]))


def household(db: Database, household_id: str) -> dict:
    return live_row(db, "household", household_id, "hộ")


def find_by_code(db: Database, code: str, owner_unit: str) -> dict | None:
    rows = list(db.query("SELECT * FROM household WHERE code = ? AND owner_unit = ? "
                         "AND deleted = 0", [code.strip(), owner_unit]))
    return rows[0] if rows else None


def events(db: Database, household_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM household_event WHERE household_id = ? AND deleted = 0 "
                         "ORDER BY on_date, updated_at", [household_id]))


def _facts(m: Mapping) -> people.MemberFacts:
    return people.MemberFacts(name=m["full_name"], sex=m["sex"], birth=parse_birth(m["birth_date"]),
                              relation=m["relation"], id_number=m["id_number"],
                              present=m["status"] == PRESENT)


def household_issues(db: Database, household_id: str) -> list[Issue]:
    """What is wrong with a household as a whole (exactly one head, repeated numbers …)."""
    return people.check_household([_facts(m) for m in members(db, household_id,
                                                                include_left=True)])


def duplicate_people(db: Database, owner_unit: str) -> list:
    """Likely duplicate persons in the commune's register, for a person to decide."""
    from gnapp.domain.duplicates import PersonRef, find_duplicates

    refs = (PersonRef(member_id=r["id"], household_id=r["household_id"],
                      household_code=r["code"], name=r["full_name"],
                      birth=parse_birth(r["birth_date"]), id_number=r["id_number"])
            for r in db.query(
                "SELECT m.id, m.household_id, h.code, m.full_name, m.birth_date, m.id_number "
                "FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE m.deleted = 0 AND m.status = 'present' AND h.deleted = 0 "
                "AND h.status = 'active' AND h.owner_unit = ?", [owner_unit]))
    return find_duplicates(refs)


DUPLICATE_DECISIONS = {"different": "Không phải một người",
                       "same": "Là một người: cần sửa sổ hộ"}


@dataclass(frozen=True)
class DuplicateCase:
    """A pair of members that may be the same person, and what a person decided about it
    (``decision``: ``None`` undecided, ``different`` or ``same``)."""

    pair: Any                   # gnapp.domain.duplicates.DuplicatePair
    decision: str | None = None
    note: str | None = None
    decision_id: str | None = None
    version: int | None = None

    @property
    def is_open(self) -> bool:
        """Still to look at: undecided, or the same person recorded twice."""
        return self.decision != "different"


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def duplicate_cases(db: Database, owner_unit: str, *, include_closed: bool = False
                    ) -> list[DuplicateCase]:
    """The likely duplicates of the register with the decisions taken on them; pairs
    decided "not the same person" only with ``include_closed``."""
    decided = {(r["member_a"], r["member_b"]): r for r in db.query(
        "SELECT * FROM duplicate_decision WHERE deleted = 0 AND owner_unit = ?", [owner_unit])}
    cases = []
    for pair in duplicate_people(db, owner_unit):
        row = decided.get(_pair_key(pair.a.member_id, pair.b.member_id))
        case = DuplicateCase(pair, row["decision"], row["note"], row["id"], row["version"]) \
            if row else DuplicateCase(pair)
        if include_closed or case.is_open:
            cases.append(case)
    return cases


def decide_duplicate(w: Writer, member_a: str, member_b: str, decision: str, *,
                     note: str | None = None) -> dict:
    """Record what a person decided about two members that may be the same person.

    Nothing is merged: "same" keeps the pair on the list until the register is corrected
    (a member moved out or removed by an event); "different" takes it off the list.
    """
    if decision not in DUPLICATE_DECISIONS:
        raise InputError(f"Quyết định «{decision}» không hợp lệ: chọn "
                         f"{' hoặc '.join(DUPLICATE_DECISIONS)}.", field="decision")
    a, b = _pair_key(member_a, member_b)
    if a == b:
        raise InputError("Hai người phải là hai dòng khác nhau.", field="member_b")
    for member_id in (a, b):
        live_row(w.db, "member", member_id, "thành viên")
    note = clean(note) or None
    existing = list(w.db.query("SELECT * FROM duplicate_decision WHERE member_a = ? AND "
                               "member_b = ? AND deleted = 0", [a, b]))
    reason = f"Xác định người trùng: {DUPLICATE_DECISIONS[decision]}"
    if existing:
        return w.update("duplicate_decision", existing[0]["id"],
                        {"decision": decision, "note": note}, reason=reason)
    return w.insert("duplicate_decision", {"member_a": a, "member_b": b, "decision": decision,
                                           "note": note}, reason=reason)


# -- writing --------------------------------------------------------------------------------

def next_code(db: Database, village_id: str) -> str:
    """The next free household code of a village: "<village number>-<4 digits>" ("03-0012")."""
    village = get_row(db, "admin_unit", village_id)
    prefix = village["code"].rsplit(".", 1)[-1] + "-"
    last = db.execute("SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM household "
                      "WHERE village_id = ? AND code > ? AND code < ?",
                      [len(prefix) + 1, village_id, prefix, prefix[:-1] + "."]).fetchone()[0]
    return f"{prefix}{(last or 0) + 1:04d}"


def _event(w: Writer, household_id: str, kind: str, on_date: date | str, *,
           member_id: str | None = None, other: str | None = None,
           note: str | None = None) -> dict:
    return w.insert("household_event", {
        "household_id": household_id, "kind": kind, "on_date": str(on_date),
        "member_id": member_id, "other_household_id": other, "note": note})


def add_household(w: Writer, *, village_id: str, area: str, head: Mapping[str, Any],
                  code: str | None = None, on_date: date | str | None = None,
                  kind: str = "created", **fields: Any) -> dict:
    """Register a household with its head, and record how it came (``created``, ``moved_in``).

    :param head: the head's member fields (``relation`` is set to ``head``)
    :param fields: other household fields: address, flags, former codes, note
    """
    def op(w: Writer) -> dict:
        if code:
            _code_free(w, code)
        row = w.insert("household", {"code": code or next_code(w.db, village_id),
                                     "village_id": village_id, "area": area, **fields})
        head_row = add_member(w, row["id"], {**head, "relation": "head"})
        _event(w, row["id"], kind, on_date or date.today(), member_id=head_row["id"])
        return household(w.db, row["id"])

    return w.transact(op).result


def add_member(w: Writer, household_id: str, values: Mapping[str, Any]) -> dict:
    """Add a member at the end of the roster."""
    household(w.db, household_id)
    last = w.db.execute("SELECT coalesce(max(position), 0) FROM member WHERE household_id = ?",
                        [household_id]).fetchone()[0]
    return w.insert("member", {"position": last + 1, **values, "household_id": household_id})


def update_member(w: Writer, member_id: str, changes: Mapping[str, Any], *,
                  reason: str | None = None, expected_version: int | None = None) -> dict:
    return w.update("member", member_id, changes, reason=reason,
                    expected_version=expected_version)


def _code_free(w: Writer, code: str, household_id: str | None = None) -> None:
    """A household code is used once in the commune (refused as Invalid on field ``code``)."""
    other = find_by_code(w.db, code, w.actor.unit_code)
    if other is not None and other["id"] != household_id:
        raise Invalid("hộ gia đình", [error("household.code_taken",
                                             f"Mã hộ {code.strip()} đã dùng cho hộ khác.", "code")])


def update_household(w: Writer, household_id: str, changes: Mapping[str, Any], *,
                     reason: str | None = None, expected_version: int | None = None) -> dict:
    if changes.get("code"):
        _code_free(w, changes["code"], household_id)
    return w.update("household", household_id, changes, reason=reason,
                    expected_version=expected_version)


def _present_member(db: Database, member_id: str) -> dict:
    row = get_row(db, "member", member_id)
    if row is None or row["deleted"] or row["status"] != PRESENT:
        raise NotFound("Không tìm thấy thành viên đang có mặt trong hộ.")
    return row


def _take_over_head(w: Writer, leaving: dict, new_head_id: str | None, reason: str) -> None:
    """When the head leaves, another present member becomes head (or none is left)."""
    if leaving["relation"] != "head":
        return
    others = [m for m in members(w.db, leaving["household_id"]) if m["id"] != leaving["id"]]
    if not others:
        return
    if new_head_id is None or new_head_id not in {m["id"] for m in others}:
        raise WriteError("Chủ hộ rời khỏi hộ: hãy chọn thành viên làm chủ hộ mới.")
    w.update("member", new_head_id, {"relation": "head"}, reason=reason)


def record_death(w: Writer, member_id: str, on_date: date | str, *,
                 new_head_id: str | None = None) -> None:
    """A member died: status and date kept, an event recorded, a new head if needed."""
    def op(w: Writer) -> None:
        member = _present_member(w.db, member_id)
        _take_over_head(w, member, new_head_id, "Chủ hộ mất")
        w.update("member", member_id, {"status": "deceased", "left_on": str(on_date)},
                 reason="Thành viên mất")
        _event(w, member["household_id"], "death", on_date, member_id=member_id)
        if not members(w.db, member["household_id"]):
            w.update("household", member["household_id"], {"status": "dissolved"},
                     reason="Hộ không còn thành viên")

    w.transact(op)


def move_out_member(w: Writer, member_id: str, on_date: date | str, *,
                    new_head_id: str | None = None, note: str | None = None) -> None:
    """A member moved away from the commune."""
    def op(w: Writer) -> None:
        member = _present_member(w.db, member_id)
        _take_over_head(w, member, new_head_id, "Chủ hộ chuyển đi")
        w.update("member", member_id, {"status": "moved_out", "left_on": str(on_date)},
                 reason="Thành viên chuyển đi")
        _event(w, member["household_id"], "moved_out", on_date, member_id=member_id, note=note)

    w.transact(op)


def move_out_household(w: Writer, household_id: str, on_date: date | str, *,
                       note: str | None = None) -> None:
    """The whole household moved away: it stays in the register with its history."""
    def op(w: Writer) -> None:
        household(w.db, household_id)
        for m in members(w.db, household_id):
            w.update("member", m["id"], {"status": "moved_out", "left_on": str(on_date)},
                     reason="Hộ chuyển đi")
        w.update("household", household_id, {"status": "moved_out"}, reason="Hộ chuyển đi")
        _event(w, household_id, "moved_out", on_date, note=note)

    w.transact(op)


def split_household(w: Writer, household_id: str, member_ids: Iterable[str], *,
                    new_head_id: str, on_date: date | str, code: str | None = None,
                    remaining_head_id: str | None = None) -> dict:
    """Split members off into a new household in the same village (tách hộ)."""
    member_ids = list(member_ids)

    def op(w: Writer) -> dict:
        source = household(w.db, household_id)
        present = {m["id"]: m for m in members(w.db, household_id)}
        if not member_ids or any(m not in present for m in member_ids):
            raise WriteError("Chỉ tách được các thành viên đang có mặt trong hộ.")
        if len(member_ids) == len(present):
            raise WriteError("Không thể tách toàn bộ thành viên; hộ cũ phải còn người.")
        if new_head_id not in member_ids:
            raise WriteError("Chủ hộ mới phải là một trong các thành viên được tách.")
        new = w.insert("household", {
            "code": code or next_code(w.db, source["village_id"]),
            "village_id": source["village_id"], "area": source["area"],
            "address": source["address"]})
        if any(present[m]["relation"] == "head" for m in member_ids):
            if remaining_head_id not in present or remaining_head_id in member_ids:
                raise WriteError("Chủ hộ được tách đi: hãy chọn chủ hộ mới cho hộ cũ.")
            w.update("member", remaining_head_id, {"relation": "head"}, reason="Tách hộ")
        for position, m in enumerate(member_ids, 1):
            w.update("member", m, {"household_id": new["id"], "position": position,
                                   "relation": "head" if m == new_head_id else
                                   ("other" if present[m]["relation"] == "head"
                                    else present[m]["relation"])}, reason="Tách hộ")
        _event(w, household_id, "split", on_date, other=new["id"])
        _event(w, new["id"], "split", on_date, other=household_id)
        return household(w.db, new["id"])

    return w.transact(op).result


def merge_households(w: Writer, from_id: str, into_id: str, on_date: date | str) -> None:
    """Merge one household into another (nhập hộ): its members join as non-heads."""
    def op(w: Writer) -> None:
        household(w.db, from_id)
        household(w.db, into_id)
        last = len(members(w.db, into_id, include_left=True))
        for offset, m in enumerate(members(w.db, from_id), 1):
            w.update("member", m["id"], {
                "household_id": into_id, "position": last + offset,
                "relation": "other" if m["relation"] == "head" else m["relation"]},
                reason="Nhập hộ")
        w.update("household", from_id, {"status": "merged"}, reason="Nhập hộ")
        _event(w, from_id, "merged", on_date, other=into_id)
        _event(w, into_id, "merged", on_date, other=from_id)

    w.transact(op)


# -- entered by mistake: to the trash (``gnapp.db.trash`` brings them back) -------------------

# Rows that show a household really existed: it is moved out or dissolved, never deleted.
_HOUSEHOLD_TRACES = (
    ("household_review", "household_id", "đã có phiếu rà soát"),
    ("household_request", "household_id", "đã có giấy đề nghị"),
    ("procedure_step", "household_id", "có trong biên bản, bước rà soát"),
    ("project_participant", "household_id", "tham gia dự án, mô hình sinh kế"),
    ("project_input", "household_id", "đã được cấp vật tư, giống"),
    ("household_event", "other_household_id", "có trong biến động tách, nhập hộ"),
)
_MEMBER_EVENTS = ("created", "moved_in")


def _reason(reason: str | None) -> str:
    reason = clean(reason or "")
    if not reason:
        raise WriteError("Cần ghi lý do xóa (ví dụ: nhập trùng, nhập nhầm hộ khác).")
    return reason


def delete_household(w: Writer, household_id: str, *, reason: str) -> None:
    """Put a household entered by mistake in the trash, with its members and events.

    The rows are marked deleted (tombstones that travel), never removed; ``trash.restore``
    brings them back together. A household that left traces elsewhere (reviews, requests,
    projects, splits and merges) is refused: it existed, so it is moved out or dissolved by
    an event instead.
    """
    reason = _reason(reason)

    def op(w: Writer) -> None:
        home = household(w.db, household_id)
        for table, column, what in _HOUSEHOLD_TRACES:
            found = w.db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ? "
                                 "AND deleted = 0", [household_id]).fetchone()[0]
            if found:
                raise WriteError(f"Không xóa được hộ {home['code']}: hộ {what}. Chỉ xóa được hộ "
                                 "nhập nhầm; hộ đã chuyển đi hay không còn thì ghi biến động "
                                 "của hộ.")
        # the household first: what is deleted after it, in this transaction, goes with it
        w.delete("household", household_id, reason=reason)
        for table in ("member", "household_event"):
            for row in w.db.execute(f"SELECT id FROM {table} WHERE household_id = ? "
                                    "AND deleted = 0", [household_id]).fetchall():
                w.delete(table, row[0], reason=f"Xóa cùng hộ {home['code']}: {reason}")

    w.transact(op)


def delete_member(w: Writer, member_id: str, *, reason: str) -> None:
    """Put a member entered by mistake in the trash (a person who left is recorded by an
    event instead). The head is refused while other members are present: choose another
    head first (or delete the whole household if the head is alone)."""
    reason = _reason(reason)

    def op(w: Writer) -> None:
        member = live_row(w.db, "member", member_id, "thành viên")
        home = household(w.db, member["household_id"])
        name = member["full_name"]
        if member["relation"] == "head" and member["status"] == PRESENT:
            others = [m for m in members(w.db, home["id"]) if m["id"] != member_id]
            if others:
                raise WriteError(f"Không xóa được {name}: đây là chủ hộ {home['code']} và hộ "
                                 f"còn {len(others)} thành viên khác. Hãy chọn chủ hộ mới "
                                 "trước.")
            raise WriteError(f"Không xóa được {name}: đây là chủ hộ và là người duy nhất của "
                             f"hộ {home['code']}. Nếu cả hộ nhập nhầm, hãy xóa hộ.")
        marks = ", ".join("?" for _ in _MEMBER_EVENTS)
        if w.db.execute(f"SELECT count(*) FROM household_event WHERE member_id = ? AND "
                        f"deleted = 0 AND kind NOT IN ({marks})",
                        [member_id, *_MEMBER_EVENTS]).fetchone()[0]:
            raise WriteError(f"Không xóa được {name}: người này đã có biến động trong sổ hộ "
                             "(chuyển đi, mất…). Chỉ xóa được người nhập nhầm.")
        w.delete("member", member_id, reason=reason)

    w.transact(op)
