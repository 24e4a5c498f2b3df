"""The commune's document profile, its document-number book and the printed copies.

- ``doc_profile``: the issuing body's lines, the place of the date line and the usual
  "Nơi nhận" lists, one row per commune (defaults come from the unit when there is none).
- ``doc_signer``: office holders who sign (chairman, vice-chairmen), valid by period.
- ``doc_number``: the number book; a number taken for a symbol and year is never given again.
- ``printed_copy``: every print of a recorded form: its document key, number, date, the
  fingerprint of the data shown, who printed and when, and its state (printed → signed →
  unlocked). A signed copy locks the rows it shows (``row_lock``); the locks are kept in step
  with the copies by the registry's ``after_write`` whatever the origin of the change, so a
  signed copy that arrives in a package locks the rows on that site too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date

from sqlite_utils import Database

from gnapp.db import units, users
from gnapp.db.store import Writer, WriteError, live_row, round_scope, utc_now
from gnapp.domain import documents as rules
from gnapp.domain.dates import format_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.units import place_name

LOCK_PREFIX = "văn bản đã ký"


# -- profile ----------------------------------------------------------------------------------

def _profile_row(db: Database, unit_code: str) -> dict | None:
    rows = list(db.query("SELECT * FROM doc_profile WHERE owner_unit = ? AND deleted = 0",
                         [unit_code]))
    return rows[0] if rows else None


def profile(db: Database, unit_code: str) -> dict:
    """The commune's profile: ``issuer`` lines, ``place``, ``recipients`` by kind.

    Without a stored profile the unit gives it: "ỦY BAN NHÂN DÂN / XÃ HOẰNG HÓA", place
    "Hoằng Hóa", and the default "Nơi nhận" lists.
    """
    unit = units.get_unit(db, unit_code)
    name = unit["name"] if unit else unit_code
    row = _profile_row(db, unit_code)
    stored = json.loads(row["recipients"] or "{}") if row else {}
    recipients = {kind: tuple(stored.get(kind, lines))
                  for kind, lines in rules.DEFAULT_RECIPIENTS.items()}
    recipients.update({k: tuple(v) for k, v in stored.items() if k not in recipients})
    parent = (row["issuer_parent"] if row else None) or "ỦY BAN NHÂN DÂN"
    issuer_name = (row["issuer_name"] if row else None) or name.upper()
    return {"id": row["id"] if row else None, "issuer": (parent, issuer_name),
            "issuer_parent": parent, "issuer_name": issuer_name,
            "place": (row["place"] if row else None) or place_name(name),
            "recipients": recipients}


def save_profile(w: Writer, *, issuer_parent: str | None = None, issuer_name: str | None = None,
                 place: str | None = None,
                 recipients: dict[str, Sequence[str]] | None = None) -> dict:
    """Store (or change) the profile of the writer's commune; fields left None keep their
    value (or the default).

    :raises PermissionDenied: a user whose role may not change the profile
    """
    users.require(w.db, w.actor.user, "profile")
    current = profile(w.db, w.actor.unit_code)
    values = {"issuer_parent": issuer_parent or current["issuer_parent"],
              "issuer_name": issuer_name or current["issuer_name"],
              "place": place or current["place"],
              "recipients": json.dumps({k: list(v) for k, v in (
                  recipients if recipients is not None else current["recipients"]).items()},
                  ensure_ascii=False, sort_keys=True)}
    if current["id"] is None:
        return w.insert("doc_profile", values, reason="Lập thông tin cơ quan ban hành")
    return w.update("doc_profile", current["id"], values,
                    reason="Sửa thông tin cơ quan ban hành")


# -- signers ----------------------------------------------------------------------------------

def add_signer(w: Writer, *, role: str, name: str, valid_from: date | str,
               valid_to: date | str | None = None) -> dict:
    """An office holder who signs from ``valid_from`` (to ``valid_to``)."""
    users.require(w.db, w.actor.user, "profile")
    return w.insert("doc_signer", {"role": role, "name": name, "valid_from": str(valid_from),
                                   "valid_to": str(valid_to) if valid_to else None},
                    reason="Thêm người ký văn bản")


def end_signer(w: Writer, signer_id: str, valid_to: date | str) -> dict:
    """The signer left office on ``valid_to`` (kept: older documents show their name)."""
    users.require(w.db, w.actor.user, "profile")
    return w.update("doc_signer", signer_id, {"valid_to": str(valid_to)},
                    reason="Thôi giữ chức vụ ký văn bản")


def signer_rows(db: Database, unit_code: str) -> list[dict]:
    return list(db.query("SELECT * FROM doc_signer WHERE owner_unit = ? AND deleted = 0 "
                         "ORDER BY valid_from, role", [unit_code]))


def signers(db: Database, unit_code: str) -> list[rules.Signer]:
    return [rules.Signer(r["role"], r["name"], r["valid_from"], r["valid_to"])
            for r in signer_rows(db, unit_code)]


# -- number book ------------------------------------------------------------------------------

def numbers(db: Database, unit_code: str, year: int | None = None) -> list[dict]:
    """The number book (tombstones included: a cancelled number stays taken)."""
    sql = "SELECT * FROM doc_number WHERE owner_unit = ?"
    params: list = [unit_code]
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    return list(db.query(sql + " ORDER BY year, symbol, number", params))


def number_of(db: Database, doc_key: str) -> dict | None:
    """The number already given to a document (a reprint keeps it)."""
    rows = list(db.query("SELECT * FROM doc_number WHERE doc_key = ? AND deleted = 0 "
                         "ORDER BY number DESC LIMIT 1", [doc_key]))
    return rows[0] if rows else None


def take_number(w: Writer, *, symbol: str, issued_on: date, doc_key: str, subject: str,
                number: int | None = None) -> dict:
    """Take a number from the book for ``symbol`` in the year of ``issued_on``: the next free
    one, or ``number`` if it has never been taken.

    :raises GnappError: ``number`` was taken already (by which document)
    """
    year = issued_on.year
    taken = {r["number"]: r for r in w.db.query(
        "SELECT * FROM doc_number WHERE owner_unit = ? AND symbol = ? AND year = ?",
        [w.actor.unit_code, symbol, year])}
    if number is None:
        number = rules.next_number(taken)
    elif number in taken:
        other = taken[number]
        raise GnappError(f"Số {rules.number_text(number, symbol)} năm {year} đã cấp cho "
                         f"«{other['subject']}» ngày "
                         f"{format_date(date.fromisoformat(other['issued_on']))}; mỗi số chỉ dùng "
                         f"một lần. Số tiếp theo còn trống: "
                         f"{rules.number_text(rules.next_number(taken), symbol)}.")
    return w.insert("doc_number", {"symbol": symbol, "year": year, "number": number,
                                   "issued_on": issued_on.isoformat(), "doc_key": doc_key,
                                   "subject": subject},
                    reason=f"Cấp số văn bản {rules.number_text(number, symbol)}")


def cancel_number(w: Writer, number_id: str, *, reason: str) -> dict:
    """Cancel a number (the document was not issued); the number stays taken."""
    users.require(w.db, w.actor.user, "profile")
    return w.delete("doc_number", number_id, reason=reason)


# -- printed copies ---------------------------------------------------------------------------

def copies_of(db: Database, doc_key: str) -> list[dict]:
    return list(db.query("SELECT * FROM printed_copy WHERE doc_key = ? AND deleted = 0 "
                         "ORDER BY copy_no", [doc_key]))


def printed_copies(db: Database, unit_code: str | None = None, *, limit: int = 500) -> list[dict]:
    """Printed copies, newest first."""
    sql = "SELECT * FROM printed_copy WHERE deleted = 0"
    params: list = []
    if unit_code:
        sql += " AND owner_unit = ?"
        params.append(unit_code)
    return list(db.query(sql + " ORDER BY printed_at DESC, copy_no DESC LIMIT ?",
                         params + [limit]))


def next_copy(db: Database, doc_key: str, fingerprint: str) -> tuple[int, bool]:
    """The number this print will have among the prints of the document, and whether it is
    a copy (the same data printed before)."""
    earlier = copies_of(db, doc_key)
    return len(earlier) + 1, rules.is_copy((c["fingerprint"] for c in earlier), fingerprint)


def record_copy(w: Writer, *, doc_key: str, form: str, title: str, fingerprint: str,
                shown_rows: Iterable[tuple[str, str]], file_format: str,
                number: dict | None = None, issued_on: date | None = None) -> dict:
    """Record one print of a document (in the caller's transaction)."""
    copy_no, is_copy = next_copy(w.db, doc_key, fingerprint)
    return w.insert("printed_copy", {
        "doc_key": doc_key, "form": form, "title": title,
        "number_id": number["id"] if number else None,
        "number_text": rules.number_text(number["number"], number["symbol"]) if number else None,
        "issued_on": issued_on.isoformat() if issued_on else None,
        "fingerprint": fingerprint, "copy_no": copy_no, "is_copy": int(is_copy),
        "printed_at": utc_now(),
        "printed_by": w.actor.user, "file_format": file_format, "state": rules.PRINTED,
        "shown_rows": json.dumps(sorted({(t, r) for t, r in shown_rows}))},
        reason="In văn bản")


def get_copy(db: Database, copy_id: str) -> dict:
    return live_row(db, "printed_copy", copy_id, "bản in")


def find_copy(db: Database, prefix: str) -> dict:
    """A printed copy by its id or the start of it (as ``report printed`` lists them).

    :raises InputError: no copy, or several, start with ``prefix``
    """
    rows = list(db.query("SELECT * FROM printed_copy WHERE id LIKE ? AND deleted = 0",
                         [prefix.strip() + "%"]))
    if len(rows) != 1:
        raise InputError(f"Không tìm thấy đúng một bản in có mã bắt đầu bằng «{prefix}» "
                         f"({len(rows)} bản); xem «gnapp report printed».")
    return rows[0]


def mark_signed(w: Writer, copy_id: str) -> dict:
    """The copy was signed: the rows it shows are locked until an unlock with a reason.

    :raises WriteError: a copy whose data changed since it was printed (another copy of the
        document was printed later with other data) is not the one to sign
    """
    users.require(w.db, w.actor.user, "sign")
    row = get_copy(w.db, copy_id)
    if row["state"] == rules.SIGNED:
        raise WriteError("Bản in này đã được đánh dấu đã ký.")
    later = [c for c in copies_of(w.db, row["doc_key"])
             if c["copy_no"] > row["copy_no"] and c["fingerprint"] != row["fingerprint"]]
    if later:
        raise WriteError("Dữ liệu của văn bản đã thay đổi sau lần in này (đã có bản in mới "
                         "hơn với dữ liệu khác); hãy đánh dấu đã ký trên bản in mới nhất.")
    return w.update("printed_copy", copy_id, {"state": rules.SIGNED, "signed_at": utc_now(),
                                              "signed_by": w.actor.user},
                    reason="Đánh dấu văn bản đã ký")


def unlock(w: Writer, copy_id: str, *, reason: str) -> dict:
    """Unlock the data of a signed copy; the reason is required and audited."""
    if not (reason or "").strip():
        raise InputError("Cần ghi lý do mở khóa dữ liệu của văn bản đã ký.", field="reason")
    users.require(w.db, w.actor.user, "unlock")
    row = get_copy(w.db, copy_id)
    if row["state"] != rules.SIGNED:
        raise WriteError("Bản in này chưa được đánh dấu đã ký nên không có gì để mở khóa.")
    return w.update("printed_copy", copy_id, {"state": rules.UNLOCKED,
                                              "unlocked_at": utc_now(),
                                              "unlock_reason": reason.strip()},
                    reason=reason.strip())


def round_rows(db: Database, round_id: str,
               village_ids: Sequence[str]) -> list[tuple[str, str]]:
    """What a document that counts a round in these villages locks once signed (the review
    reports Báo cáo 1–15, the lists of the round, the village's minutes):

    - every review of the round of a household of those villages (``household_review``):
      the reports count them and nothing else of the round (classes, persons, deprivations,
      causes: ``household_round`` is derived from them), and a changed review can put a
      household on a list or take it off;
    - the round in each village (``("review_round", store.round_scope(round, village))``):
      no new review or request of the round there, no register event dated on or before its
      end (which would bring a household into the round's figures or take one out), see
      ``store.insert_lock_reason``.

    The household rows themselves are not locked: the register lives on after the round
    (next year's changes do not touch a past round's figures, which come from the reviews
    and the event dates), and locking every household of a commune for each signed report
    would freeze it. What still moves a signed report (a member added to a household that
    has no review, counted with the members present) changes its fingerprint: the copy
    printed next is not a "BẢN SAO" and the signed one can no longer be marked as current.
    """
    marks = ", ".join("?" for _ in village_ids) or "NULL"
    reviews = db.execute(
        f"SELECT r.id FROM household_review r JOIN household h ON h.id = r.household_id "
        f"WHERE r.round_id = ? AND r.deleted = 0 AND h.village_id IN ({marks}) ORDER BY r.id",
        [round_id, *village_ids]).fetchall()
    return ([("household_review", r[0]) for r in reviews]
            + [("review_round", round_scope(round_id, v)) for v in village_ids])


def _signed_rows(db: Database, rows: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Which of ``rows`` a signed copy still shows, with that copy's lock reason."""
    found: dict[tuple[str, str], str] = {}
    for copy in db.query("SELECT * FROM printed_copy WHERE state = 'signed' AND deleted = 0 "
                         "ORDER BY printed_at"):
        shown = {tuple(r) for r in json.loads(copy["shown_rows"] or "[]")} & rows
        reason = rules.lock_reason_text(copy["title"], copy["number_text"], copy["printed_at"])
        for key in shown:
            found.setdefault(key, reason)
    return found


def refresh_locks(db, new, old) -> None:
    """``after_write`` of ``printed_copy``: lock the rows a signed copy shows, free the rows
    of a copy that is no longer signed (unless another signed copy shows them)."""
    rows = {tuple(r) for r in json.loads(new.get("shown_rows") or "[]")}
    if old is not None:
        rows |= {tuple(r) for r in json.loads(old.get("shown_rows") or "[]")}
    if not rows:
        return
    wanted = _signed_rows(db, rows)
    now = utc_now()
    for table, row_id in rows:
        current = db.execute("SELECT reason FROM row_lock WHERE table_name = ? AND row_id = ?",
                             [table, row_id]).fetchone()
        ours = current is not None and current[0].startswith(LOCK_PREFIX)
        if (table, row_id) in wanted:
            if current is None:
                db.execute("INSERT INTO row_lock (table_name, row_id, reason, locked_at) "
                           "VALUES (?, ?, ?, ?)", [table, row_id, wanted[(table, row_id)], now])
        elif ours:
            db.execute("DELETE FROM row_lock WHERE table_name = ? AND row_id = ?",
                       [table, row_id])


def locked_rows(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM row_lock ORDER BY locked_at, table_name, row_id"))
