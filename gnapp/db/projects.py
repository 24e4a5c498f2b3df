"""Livelihood projects and models, their participating households and the inputs delivered
(domain.md §2.4, §3.5).

A household's eligibility is computed on the project's reference day (its start, or today
while it has none) from the register and the review history, by
``gnapp.domain.projects.eligibility``; nothing about it is stored. Participants are the
households picked from the register; each carries its counterpart contribution (vốn đối
ứng, đồng). Inputs delivered (giống, vật tư) are recorded per project, per household or for
the whole group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db.store import NotFound, Writer, WriteError, flush_derived, get_row
from gnapp.domain import projects as rules
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import to_decimal
from gnapp.domain.projects import DisabledMember, Eligibility, HouseholdFacts, ReviewMark, Shares

# Fields of a project an editor may set.
PROJECT_FIELDS = ("name", "kind", "line_code", "implementer", "village_id", "allocation_line_id",
                  "amount", "year", "starts_on", "ends_on", "management_group",
                  "supervision_group", "groups_decision", "note")


def _iso(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# -- projects -------------------------------------------------------------------------------

def create_project(w: Writer, **values: Any) -> dict:
    """Add a project or model (``PROJECT_FIELDS``); it starts in the "planning" state."""
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    row = {"kind": "project", "amount": 0, **values, "status": "planning"}
    for key in ("starts_on", "ends_on"):
        row[key] = _iso(row.get(key))
    return w.insert("livelihood_project", row, reason="Thêm dự án, mô hình")


def update_project(w: Writer, project_id: str, changes: Mapping[str, Any], *,
                   expected_version: int | None = None) -> dict:
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    changes = {k: (_iso(v) if k in ("starts_on", "ends_on") else v) for k, v in changes.items()}
    return w.update("livelihood_project", project_id, changes, reason="Sửa dự án, mô hình",
                    expected_version=expected_version)


def project(db: Database, project_id: str) -> dict:
    row = get_row(db, "livelihood_project", project_id)
    if row is None or row["deleted"]:
        raise NotFound("Không tìm thấy dự án, mô hình.")
    return row


def list_projects(db: Database, owner_unit: str | None = None) -> list[dict]:
    """The projects, newest year first, each with its number of participants and the sum of
    their counterpart contributions (``participants``, ``counterpart``)."""
    sql = ("SELECT p.*, (SELECT count(*) FROM project_participant x WHERE x.project_id = p.id "
           "AND x.deleted = 0) AS participants, (SELECT coalesce(sum(x.counterpart), 0) FROM "
           "project_participant x WHERE x.project_id = p.id AND x.deleted = 0) AS counterpart "
           "FROM livelihood_project p WHERE p.deleted = 0")
    params: list = []
    if owner_unit:
        sql += " AND p.owner_unit = ?"
        params.append(owner_unit)
    return list(db.query(sql + " ORDER BY coalesce(p.year, 0) DESC, p.starts_on DESC, p.name",
                         params))


def reference_day(project_row: Mapping[str, Any], today: date | None = None) -> date:
    """The day eligibility is judged on: the project's start, or today without one."""
    starts = project_row.get("starts_on")
    return date.fromisoformat(starts) if starts else (today or date.today())


def set_status(w: Writer, project_id: str, status: str, *, today: date | None = None) -> dict:
    """Move a project to ``status`` (``rules.PROJECT_STATES``).

    Starting the implementation is refused while fewer than half of the participants are
    from the target groups (the message says how many are missing).
    """
    if status not in rules.PROJECT_STATES:
        raise InputError(f"Trạng thái «{status}» không hợp lệ.", field="status")
    row = project(w.db, project_id)
    if status == "implementing":
        found = shares(w.db, project_id, today=today)
        problems = [i for i in rules.check_shares(found) if i.severity == "error"]
        if problems:
            raise WriteError("Chưa thể chuyển sang thực hiện: " + problems[0].message)
    return w.update("livelihood_project", project_id, {"status": status},
                    reason=f"Chuyển trạng thái: {rules.PROJECT_STATES[status]}",
                    expected_version=row["version"])


# -- eligibility ----------------------------------------------------------------------------

def _decision_days(db: Database, household: Mapping[str, Any]) -> dict[str, date]:
    """Per round, the first recognition decision covering the household's village."""
    found: dict[str, date] = {}
    for row in db.query(
            "SELECT round_id, min(on_date) AS on_date FROM procedure_step WHERE kind = 'decision' "
            "AND deleted = 0 AND (village_id IS NULL OR village_id = ?) GROUP BY round_id",
            [household["village_id"]]):
        found[row["round_id"]] = date.fromisoformat(row["on_date"])
    return found


def household_facts(db: Database, household_id: str) -> HouseholdFacts:
    """What eligibility needs of a household: its register flags, members and reviews."""
    home = hh.household(db, household_id)
    members = hh.members(db, household_id)
    head = next((m for m in members if m["relation"] == "head"), None)
    decided = _decision_days(db, home)
    history = tuple(
        ReviewMark(ended_on=date.fromisoformat(r["ends_on"]), klass=r["class"],
                   recognised_on=decided.get(r["round_id"]))
        for r in db.query(
            "SELECT r.round_id, r.class, o.ends_on FROM household_review r JOIN review_round o "
            "ON o.id = r.round_id WHERE r.household_id = ? AND r.deleted = 0 AND o.deleted = 0",
            [household_id]))
    return HouseholdFacts(
        household_id=household_id, code=home["code"], head=head["full_name"] if head else None,
        active=home["status"] == "active", history=history,
        ethnic_minority=bool(home["ethnic_minority"]),
        revolution_merit=bool(home["revolution_merit"]),
        head_is_woman=bool(head and head["sex"] == "nu"),
        disabled=tuple(DisabledMember(m["full_name"], m["employment"]) for m in members
                       if m["disability"]))


def eligibility(db: Database, household_id: str, on: date) -> Eligibility:
    return rules.eligibility(household_facts(db, household_id), on)


@dataclass(frozen=True)
class Candidate:
    """A household found in the register, with its eligibility on the project's day."""

    household_id: str
    code: str
    head: str | None
    village: str
    eligibility: Eligibility
    participating: bool


def find_households(db: Database, project_id: str, text: str | None, *, limit: int = 50,
                    today: date | None = None) -> list[Candidate]:
    """Households whose code or members' names match ``text`` (diacritics ignored), each with
    its eligibility on the project's day and whether it already takes part."""
    row = project(db, project_id)
    on = reference_day(row, today)
    taking_part = {r["household_id"] for r in db.query(
        "SELECT household_id FROM project_participant WHERE project_id = ? AND deleted = 0",
        [project_id])}
    found = hh.list_households(db, search=text or None, limit=limit)
    return [Candidate(household_id=h["household_id"], code=h["code"], head=h["head_name"],
                      village=h["village_name"], eligibility=eligibility(db, h["household_id"], on),
                      participating=h["household_id"] in taking_part)
            for h in found]


# -- participants ---------------------------------------------------------------------------

def add_participant(w: Writer, project_id: str, household_id: str, *, counterpart: int = 0,
                    joined_on: date | str | None = None, note: str | None = None,
                    today: date | None = None) -> dict:
    """Add a household of the register to a project.

    Refused when the household is not in the register any more, already takes part, or the
    project has ended. A household outside the target groups is accepted (up to half of the
    participants may be); the shares show it.
    """
    row = project(w.db, project_id)
    if row["status"] == "completed":
        raise WriteError("Dự án đã kết thúc; không thêm hộ tham gia.")
    found = eligibility(w.db, household_id, reference_day(row, today))
    home = hh.household(w.db, household_id)
    if not found.allowed:
        raise WriteError(f"Không thêm được hộ {home['code']}: {found.reason}")
    existing = w.db.execute("SELECT 1 FROM project_participant WHERE project_id = ? AND "
                            "household_id = ? AND deleted = 0",
                            [project_id, household_id]).fetchone()
    if existing:
        raise WriteError(f"Hộ {home['code']} đã có trong danh sách tham gia dự án.")
    return w.insert("project_participant", {
        "project_id": project_id, "household_id": household_id, "counterpart": counterpart,
        "joined_on": _iso(joined_on), "note": note}, reason="Thêm hộ tham gia dự án")


def update_participant(w: Writer, participant_id: str, *, counterpart: int | None = None,
                       note: str | None = None) -> dict:
    changes: dict[str, Any] = {}
    if counterpart is not None:
        changes["counterpart"] = counterpart
    if note is not None:
        changes["note"] = note
    return w.update("project_participant", participant_id, changes,
                    reason="Sửa thông tin hộ tham gia dự án")


def remove_participant(w: Writer, participant_id: str, *, reason: str) -> dict:
    return w.delete("project_participant", participant_id, reason=reason)


@dataclass(frozen=True)
class Participant:
    """A participating household as lists and the printed list show it."""

    id: str
    household_id: str
    code: str
    head: str | None
    village: str
    counterpart: int
    joined_on: str | None
    note: str | None
    eligibility: Eligibility
    version: int


def participants(db: Database, project_id: str, *, today: date | None = None
                 ) -> list[Participant]:
    """The participating households in village order then by the head's name, each with its
    eligibility on the project's day."""
    on = reference_day(project(db, project_id), today)
    flush_derived(db)   # the household index, when read inside a save
    rows = db.query(
        "SELECT x.*, i.code, i.head_name, i.head_key, v.name AS village, v.code AS village_code "
        "FROM project_participant x JOIN household_index i ON i.household_id = x.household_id "
        "JOIN admin_unit v ON v.id = i.village_id WHERE x.project_id = ? AND x.deleted = 0 "
        "ORDER BY v.code, i.head_key, i.code", [project_id])
    return [Participant(id=r["id"], household_id=r["household_id"], code=r["code"],
                        head=r["head_name"], village=r["village"], counterpart=r["counterpart"],
                        joined_on=r["joined_on"], note=r["note"],
                        eligibility=eligibility(db, r["household_id"], on), version=r["version"])
            for r in rows]


def shares(db: Database, project_id: str, *, today: date | None = None) -> Shares:
    return rules.shares(p.eligibility for p in participants(db, project_id, today=today))


# -- inputs delivered -----------------------------------------------------------------------

def add_input(w: Writer, project_id: str, *, item: str, quantity: Any, unit: str,
              delivered_on: date | str, household_id: str | None = None,
              note: str | None = None) -> dict:
    """Record inputs delivered (giống, vật tư): what, how many, when; to one participating
    household, or to the whole group when ``household_id`` is None."""
    project(w.db, project_id)
    if household_id is not None and not w.db.execute(
            "SELECT 1 FROM project_participant WHERE project_id = ? AND household_id = ? "
            "AND deleted = 0", [project_id, household_id]).fetchone():
        raise WriteError("Hộ này không có trong danh sách tham gia dự án.")
    try:
        amount = str(to_decimal(quantity if not isinstance(quantity, float) else repr(quantity)))
    except (ValueError, TypeError):
        raise InputError(f"Số lượng «{quantity}» không đúng định dạng.", field="quantity") \
            from None
    return w.insert("project_input", {
        "project_id": project_id, "household_id": household_id, "item": item,
        "quantity": amount, "unit": unit, "delivered_on": _iso(delivered_on), "note": note},
        reason="Ghi cấp vật tư, giống")


def inputs(db: Database, project_id: str) -> list[dict]:
    """Inputs delivered, by date; ``household_code`` / ``head_name`` when given to one
    household."""
    flush_derived(db)   # the household index, when read inside a save
    return list(db.query(
        "SELECT n.*, i.code AS household_code, i.head_name FROM project_input n "
        "LEFT JOIN household_index i ON i.household_id = n.household_id "
        "WHERE n.project_id = ? AND n.deleted = 0 ORDER BY n.delivered_on, n.updated_at",
        [project_id]))


def remove_input(w: Writer, input_id: str, *, reason: str) -> dict:
    return w.delete("project_input", input_id, reason=reason)


def delivered_by(db: Database, day: date | str, owner_unit: str | None = None) -> list[dict]:
    """The projects that had inputs delivered on or before ``day`` ("Đến thời điểm ngày
    31/7/2023: Có 3 dự án đã cấp giống cho dân"), each with its first delivery date."""
    sql = ("SELECT p.*, min(n.delivered_on) AS first_delivery FROM livelihood_project p "
           "JOIN project_input n ON n.project_id = p.id AND n.deleted = 0 "
           "WHERE p.deleted = 0 AND n.delivered_on <= ?")
    params: list = [_iso(day)]
    if owner_unit:
        sql += " AND p.owner_unit = ?"
        params.append(owner_unit)
    return list(db.query(sql + " GROUP BY p.id ORDER BY first_delivery, p.name", params))
