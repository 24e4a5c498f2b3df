"""Households' requests and the procedure of a round, village by village (QĐ 24/2021).

Each step (village meeting, posting, complaint, re-check, recognition decision) is a row of
``procedure_step``; where a village stands is computed from them and the reviews, never typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db import reviews, units, users
from gnapp.db.store import Writer
from gnapp.domain import procedure as rules
from gnapp.domain.errors import InputError


# -- requests -------------------------------------------------------------------------------

def add_request(w: Writer, *, applicant: str, kind: str, received_on: date | str,
                household_id: str | None = None, round_id: str | None = None) -> dict:
    """Register a household's request (giấy đề nghị) with its answer deadline."""
    received = rules.as_date(received_on)
    return w.insert("household_request", {
        "applicant": applicant, "kind": kind, "received_on": received.isoformat(),
        "due_on": rules.request_due(received).isoformat(), "household_id": household_id,
        "round_id": round_id}, reason="Nhận giấy đề nghị")


def answer_request(w: Writer, request_id: str, *, answered_on: date | str, answer: str) -> dict:
    if not (answer or "").strip():
        raise InputError("Chưa nhập nội dung trả lời.", field="answer")
    return w.update("household_request", request_id,
                    {"answered_on": rules.as_date(answered_on).isoformat(), "answer": answer},
                    reason="Trả lời giấy đề nghị")


def open_requests(db: Database, today: date) -> list[dict]:
    """Requests not answered yet, oldest deadline first, with ``overdue`` set."""
    rows = list(db.query("SELECT * FROM household_request WHERE deleted = 0 "
                         "AND answered_on IS NULL ORDER BY due_on"))
    return [{**r, "overdue": r["due_on"] < today.isoformat()} for r in rows]


# -- steps ----------------------------------------------------------------------------------

def _step(w: Writer, round_id: str, kind: str, on_date: date | str, reason: str,
          **values: Any) -> dict:
    reviews.get_round(w.db, round_id)
    return w.insert("procedure_step", {"round_id": round_id, "kind": kind,
                                       "on_date": rules.as_date(on_date).isoformat(), **values},
                    reason=reason)


def record_meeting(w: Writer, round_id: str, village_id: str, *, held_on: date | str,
                   attendees: int, agreed: int, content: str | None = None) -> dict:
    """A village meeting; without the agreement of half of those present, review again."""
    return _step(w, round_id, "meeting", held_on, "Ghi biên bản họp dân", village_id=village_id,
                 attendees=attendees, agreed=agreed, content=content,
                 result="agreed" if rules.meeting_agreed(attendees, agreed) else "not_agreed")


def record_posting(w: Writer, round_id: str, village_id: str | None, *,
                   starts_on: date | str, ends_on: date | str | None = None) -> dict:
    """A public posting (3 working days by default); ``village_id`` None: at the commune."""
    start = rules.as_date(starts_on)
    end = rules.as_date(ends_on) if ends_on else rules.add_working_days(start, rules.POSTING_WORKING_DAYS)
    return _step(w, round_id, "posting", start, "Niêm yết công khai", village_id=village_id,
                 end_date=end.isoformat())


def record_complaint(w: Writer, round_id: str, household_id: str, *, received_on: date | str,
                     content: str) -> dict:
    village = reviews.hh.household(w.db, household_id)["village_id"]
    return _step(w, round_id, "complaint", received_on, "Nhận khiếu nại", village_id=village,
                 household_id=household_id, content=content)


def record_recheck(w: Writer, round_id: str, household_id: str, *, on_date: date | str,
                   result: str) -> dict:
    """The re-check (phúc tra) that answers the complaints about a household."""
    village = reviews.hh.household(w.db, household_id)["village_id"]
    return _step(w, round_id, "recheck", on_date, "Phúc tra", village_id=village,
                 household_id=household_id, result=result)


def record_decision(w: Writer, round_id: str, *, number: str, signed_on: date | str,
                    signer: str, village_id: str | None = None) -> dict:
    """The chairman's recognition decision (for the whole commune unless a village is named);
    recorded by a user allowed to approve."""
    users.require(w.db, w.actor.user, "approve")
    return _step(w, round_id, "decision", signed_on, "Quyết định công nhận",
                 village_id=village_id, number=number, signer=signer)


def steps(db: Database, round_id: str, village_id: str | None = None) -> list[dict]:
    sql = "SELECT * FROM procedure_step WHERE round_id = ? AND deleted = 0"
    params: list = [round_id]
    if village_id:
        sql += " AND (village_id = ? OR village_id IS NULL)"
        params.append(village_id)
    return list(db.query(sql + " ORDER BY on_date, updated_at", params))


def _facts(db: Database, round_id: str, village_id: str) -> rules.VillageFacts:
    counts = db.execute(
        "SELECT count(*), count(r.id), sum(r.status = 'complete') FROM household h "
        "LEFT JOIN household_review r ON r.household_id = h.id AND r.round_id = ? "
        "AND r.deleted = 0 WHERE h.village_id = ? AND h.deleted = 0 AND h.status = 'active'",
        [round_id, village_id]).fetchone()
    with_errors = reviews.drafts_with_errors(db, round_id, village_id)
    found = steps(db, round_id, village_id)
    meetings = [s for s in found if s["kind"] == "meeting"]
    postings = [s for s in found if s["kind"] == "posting"]
    complaints = {s["household_id"]: s["on_date"] for s in found if s["kind"] == "complaint"}
    rechecked = {s["household_id"]: s["on_date"] for s in found if s["kind"] == "recheck"}
    open_complaints = sum(1 for h, day in complaints.items() if rechecked.get(h, "") < day)
    return rules.VillageFacts(
        households=counts[0], reviewed=counts[1], complete=counts[2] or 0,
        with_errors=with_errors,
        meeting_agreed=meetings[-1]["result"] == "agreed" if meetings else None,
        posting_start=rules.as_date(postings[-1]["on_date"]) if postings else None,
        posting_end=rules.as_date(postings[-1]["end_date"]) if postings else None,
        open_complaints=open_complaints,
        recognised=any(s["kind"] == "decision" for s in found))


def village_progress(db: Database, round_id: str, today: date) -> list[dict]:
    """For each village of the round's commune: counts, open complaints and the stage."""
    round_ = reviews.get_round(db, round_id)
    result = []
    for village in units.children(db, round_["owner_unit"], level="village"):
        facts = _facts(db, round_id, village["id"])
        key = rules.stage(facts, today)
        result.append({"village_id": village["id"], "village": village["name"],
                       "facts": facts, "stage": key, "stage_label": rules.STAGES[key]})
    return result

