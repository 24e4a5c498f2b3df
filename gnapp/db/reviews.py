"""Review rounds and household reviews: Phiếu A, B and C, classified by the round's standard.

A review stores the answers as entered, the class computed from them with the id of the
standard used (so history can be recomputed and never silently changes), and, when an
officer corrects the class by hand, the correction and its reason beside the computed class.
Transitions between two rounds are computed from the stored classes, never typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import standards as stored_standards
from gnapp.db.store import NotFound, Writer, WriteError, flush_derived, get_row
from gnapp.domain import classify as rules
from gnapp.domain import suggest, transitions
from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue, error
from gnapp.domain.standards import Standard, standard_for

ROUND_KINDS = {"periodic": "Rà soát định kỳ", "regular": "Rà soát thường xuyên",
               "general": "Tổng rà soát"}
# What leaves the register, as the reason of an "other decrease" (Báo cáo 2–3 col 4).
LEAVING = {"moved_out": "moved_out", "merged": "merged", "death": "death"}


def standards(db: Database | None = None) -> dict[str, Standard]:
    """The standards in force here: shipped, and those an office stored (``db`` given)."""
    return stored_standards.standards(db)


def standard(standard_id: str, db: Database | None = None) -> Standard:
    return stored_standards.standard(db, standard_id)


def _round_dates(kind: str, year: int, month: int | None) -> tuple[date, date]:
    if kind == "periodic":
        return date(year, 9, 1), date(year, 12, 14)       # QĐ 24/2021 Art. 3
    if kind == "regular":
        if not month or not 1 <= month <= 12:
            raise InputError("Rà soát thường xuyên cần tháng (1–12).", field="month")
        return date(year, month, 15), date(year, month, 15)
    return date(year, 1, 1), date(year, 12, 31)


def standard_for_round(kind: str, year: int, month: int | None = None,
                       db: Database | None = None) -> Standard:
    """The standard a new round takes: the one in force for the lists it produces.

    A periodic (or general) review at the end of year Y makes the lists of Y+1 (domain.md
    §5.1), a regular review those of its own month.

    :raises InputError: no standard covers that time
    """
    starts, _ = _round_dates(kind, year, month)
    return standard_for(starts if kind == "regular" else date(year + 1, 1, 1), standards(db))


def create_round(w: Writer, *, year: int, kind: str, month: int | None = None,
                 standard_id: str | None = None) -> dict:
    """Open a review round of the commune; without ``standard_id`` it takes
    ``standard_for_round``."""
    if kind not in ROUND_KINDS:
        raise InputError(f"Loại đợt rà soát «{kind}» không hợp lệ.", field="kind")
    starts, ends = _round_dates(kind, year, month)
    if standard_id is None:
        standard_id = standard_for_round(kind, year, month, w.db).id
    standard(standard_id, w.db)
    return w.insert("review_round", {
        "year": year, "kind": kind, "month": month if kind == "regular" else None,
        "standard_id": standard_id, "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat()}, reason=f"Mở đợt {ROUND_KINDS[kind].lower()} năm {year}")


def rounds(db: Database, owner_unit: str | None = None) -> list[dict]:
    sql = "SELECT * FROM review_round WHERE deleted = 0"
    params: list = []
    if owner_unit:
        sql += " AND owner_unit = ?"
        params.append(owner_unit)
    return list(db.query(sql + " ORDER BY starts_on", params))


def get_round(db: Database, round_id: str) -> dict:
    row = get_row(db, "review_round", round_id)
    if row is None or row["deleted"]:
        raise NotFound("Không tìm thấy đợt rà soát.")
    return row


def review_of(db: Database, round_id: str, household_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM household_review WHERE round_id = ? AND household_id = ? "
                         "AND deleted = 0", [round_id, household_id]))
    return rows[0] if rows else None


def household_reviews(db: Database, household_id: str) -> list[dict]:
    """The household's reviews, newest round first, each with its round's year, kind,
    month and dates (``round_year``, ``round_kind``, ``round_month``, ``starts_on``,
    ``ends_on``)."""
    return list(db.query(
        "SELECT r.*, o.year AS round_year, o.kind AS round_kind, o.month AS round_month, "
        "o.starts_on, o.ends_on FROM household_review r JOIN review_round o ON o.id = r.round_id "
        "WHERE r.household_id = ? AND r.deleted = 0 AND o.deleted = 0 "
        "ORDER BY o.starts_on DESC", [household_id]))


def current_round(db: Database, owner_unit: str, on: date) -> dict | None:
    """The round to enter reviews in on ``on``: the latest round already started (a round
    that has not started yet only when none has)."""
    found = rounds(db, owner_unit)
    started = [r for r in found if r["starts_on"] <= on.isoformat()]
    return (started or found or [None])[-1]


def suggestions(db: Database, household_id: str, on: date,
                floor_area_m2: float | None = None) -> dict[str, suggest.Suggestion]:
    """Indicator answers the register suggests for a household on the review date."""
    return suggest.suggest(hh.members(db, household_id), on, floor_area_m2=floor_area_m2)


def _review_input(values: Mapping[str, Any]) -> rules.ReviewInput:
    b1 = values.get("b1_score")
    return rules.ReviewInput(
        area=values["area"], income_per_person=values.get("income_per_person"),
        b1_score=Decimal(str(b1)) if b1 not in (None, "") else None,
        deprivations={k: (None if v is None else bool(v))
                      for k, v in json.loads(values.get("deprivations") or "{}").items()},
        is_farm_household=bool(values.get("is_farm")),
        farm_income_per_person=values.get("farm_income_per_person"))


def classification(values: Mapping[str, Any], db: Database | None = None, *,
                   known: Mapping[str, Standard] | None = None) -> rules.Classification:
    """The classification a stored review stands for (recomputed from its answers);
    ``known``: the site's standards when the caller classifies many reviews."""
    std = known[values["standard_id"]] if known and values["standard_id"] in known \
        else standard(values["standard_id"], db)
    if values.get("screen_result") == "stop":
        return rules.Classification(
            klass="not_poor", b2=None, deprivation_count=None, basis=None,
            provisional=std.is_provisional, standard_id=std.id,
            reasons=("Phiếu A: hộ có đặc điểm của hộ không nghèo; dừng rà soát.",))
    result = rules.classify(_review_input(values), std)
    if values.get("override_reason"):
        result = rules.override(result, values["class"], values["override_reason"])
    return result


def review_values(db: Database, round_id: str, household_id: str, *,
                  deprivations: Mapping[str, bool | None] | None = None,
                  income_per_person: int | None = None, b1_score: Decimal | str | None = None,
                  screen_result: str | None = None, reviewer: str | None = None,
                  review_date: date | str | None = None, causes: Iterable[str] = (),
                  needs: Iterable[str] = (),
                  farm_income_per_person: int | None = None) -> dict:
    """A review's answers in their stored form, not yet classified."""
    round_ = get_round(db, round_id)
    home = hh.household(db, household_id)
    return {
        "round_id": round_id, "household_id": household_id,
        "review_date": str(review_date) if review_date else None, "reviewer": reviewer,
        "screen_result": screen_result, "area": home["area"],
        "is_farm": home["farm_household"], "income_per_person": income_per_person,
        "farm_income_per_person": farm_income_per_person,
        "b1_score": str(b1_score) if b1_score not in (None, "") else None,
        "deprivations": json.dumps({k: (None if v is None else int(bool(v)))
                                    for k, v in (deprivations or {}).items()}, sort_keys=True),
        "standard_id": round_["standard_id"], "causes": json.dumps(sorted(causes)),
        "needs": json.dumps(sorted(needs)), "persons": len(hh.members(db, household_id)),
        "override_reason": None, "class": None}


def _classify(db: Database, values: Mapping[str, Any], override_class: str | None,
              override_reason: str | None) -> rules.Classification:
    """The class of new answers, corrected by hand when asked (InputError without reason)."""
    result = classification(values, db)
    if override_class and values.get("screen_result") != "stop":
        result = rules.override(result, override_class, override_reason)
    return result


def preview_review(db: Database, round_id: str, household_id: str, *,
                   override_class: str | None = None, override_reason: str | None = None,
                   **answers: Any) -> tuple[rules.Classification, list[Issue]]:
    """What saving these answers would give: the class, and what keeps the review from
    being complete (a correction without its reason is one of those, not a refusal)."""
    values = review_values(db, round_id, household_id, **answers)
    issues = []
    try:
        result = _classify(db, values, override_class, override_reason)
    except InputError as exc:
        issues.append(error("review.override_reason", exc.detail, "override_reason"))
        result = classification(values, db)
    values.update(klass_fields(result))
    return result, issues + checklist(db, values)


def save_review(w: Writer, round_id: str, household_id: str, *,
                override_class: str | None = None, override_reason: str | None = None,
                expected_version: int | None = None,
                **answers: Any) -> tuple[dict, rules.Classification]:
    """Enter (or change) a household's review in a round and classify it.

    The answers are those of ``review_values``. The class is computed with the round's
    standard; ``override_class`` with a reason corrects it by hand (the computed class is
    kept and the correction stays a warning); without a reason it is refused.
    """
    db = w.db
    values = review_values(db, round_id, household_id, **answers)
    result = _classify(db, values, override_class, override_reason)
    values.update(klass_fields(result))
    existing = review_of(db, round_id, household_id)
    if existing is None:
        row = w.insert("household_review", values, reason="Nhập phiếu rà soát")
    else:
        if existing["status"] == "complete":
            raise WriteError("Phiếu đã được đánh dấu hoàn thành; mở lại trước khi sửa.")
        row = w.update("household_review", existing["id"], values, reason="Sửa phiếu rà soát",
                       expected_version=expected_version)
    return row, result


def klass_fields(result: rules.Classification) -> dict:
    return {"class": result.klass,
            "computed_class": result.computed_klass if result.overridden else result.klass,
            "override_reason": result.override_reason, "b2": result.b2,
            "deprivation_count": result.deprivation_count,
            "provisional": int(result.provisional), "standard_id": result.standard_id}


def _review_issues(db: Database, review: Mapping[str, Any],
                   known: Mapping[str, Standard] | None = None) -> list[Issue]:
    """The review's own errors and warnings (not its household's)."""
    issues = list(classification(review, db, known=known).issues)
    if not review.get("review_date"):
        issues.append(error("review.date_missing", "Chưa nhập ngày rà soát.", "review_date"))
    if not review.get("reviewer"):
        issues.append(error("review.reviewer_missing", "Chưa nhập người rà soát.", "reviewer"))
    if review.get("screen_result") != "stop" and not review.get("class"):
        issues.append(error("review.class_missing", "Chưa phân loại được hộ.", "class"))
    return issues


def checklist(db: Database, review: Mapping[str, Any]) -> list[Issue]:
    """What keeps a review from being complete (errors) and what to look at (warnings)."""
    return _review_issues(db, review) + hh.household_issues(db, review["household_id"])


def drafts_with_errors(db: Database, round_id: str, village_id: str) -> int:
    """The village's draft reviews of the round that ``checklist`` finds errors in; the
    household's own errors are read from the register's index (kept on every write)."""
    known = standards(db)
    flush_derived(db)
    return sum(1 for r in db.query(
        "SELECT r.*, i.errors AS register_errors FROM household_review r JOIN household h ON "
        "h.id = r.household_id LEFT JOIN household_index i ON i.household_id = r.household_id "
        "WHERE r.round_id = ? AND h.village_id = ? AND r.deleted = 0 AND r.status = 'draft'",
        [round_id, village_id])
        if r.pop("register_errors") or any(i.severity == "error"
                                           for i in _review_issues(db, r, known)))


def complete_review(w: Writer, review_id: str) -> dict:
    """Mark a review complete; refused (with the list of what is missing) while it has errors."""
    review = get_row(w.db, "household_review", review_id)
    if review is None or review["deleted"]:
        raise NotFound("Không tìm thấy phiếu rà soát.")
    problems = [i for i in checklist(w.db, review) if i.severity == "error"]
    if problems:
        raise WriteError("Chưa thể đánh dấu hoàn thành: "
                         + "; ".join(i.message for i in problems))
    return w.update("household_review", review_id, {"status": "complete"},
                    reason="Hoàn thành phiếu rà soát")


def reopen_review(w: Writer, review_id: str, *, reason: str) -> dict:
    if not (reason or "").strip():
        raise WriteError("Cần ghi lý do mở lại phiếu.")
    return w.update("household_review", review_id, {"status": "draft"}, reason=reason)


# -- transitions ----------------------------------------------------------------------------

def _classes(db: Database, round_id: str) -> dict[str, tuple[str, int]]:
    """Each reviewed household's class (not poor when none was given) and persons."""
    return {household_id: (klass or "not_poor", persons)
            for household_id, klass, persons in db.execute(
                "SELECT household_id, class, persons FROM household_review "
                "WHERE round_id = ? AND deleted = 0", [round_id])}


# How a household comes into the register, and what takes it out (``LEAVING``).
_CAME = ("created", "moved_in", "split")
# Why a household joined the register other than by being formed here (Báo cáo 2–3 col 8).
JOINING = {"moved_in": "moved_in", "split": "split"}
# A household's register dates: (kind of its first event, first date it came, first date it
# left, how it left); ``None`` where there is no such event.
NO_EVENTS = (None, None, None, None)


def register_dates(events: Iterable[tuple]) -> dict[str, tuple]:
    """The register dates of each household from its events ``(household_id, kind, on_date,
    member_id)``, given by household and in date order (the first leaving event is the one
    that counts on any later day)."""
    found: dict[str, tuple] = {}
    for household_id, kind, on_date, member_id in events:
        first, came, left, left_kind = found.get(household_id) or (kind, None, None, None)
        if came is None and kind in _CAME:
            came = on_date
        if left is None and kind in LEAVING and member_id is None:
            left, left_kind = on_date, kind
        found[household_id] = (first, came, left, left_kind)
    return found


# The events ``register_dates`` reads, of the households the caller's condition selects.
EVENTS_SQL = ("SELECT household_id, kind, on_date, member_id FROM household_event WHERE "
              "deleted = 0 AND household_id IN ({}) ORDER BY household_id, on_date, updated_at")


def _register_dates(db: Database, owner: str) -> dict[str, tuple]:
    """The register dates of each household of ``owner``, from its events read once for all."""
    return register_dates(db.execute(EVENTS_SQL.format(
        "SELECT id FROM household WHERE owner_unit = ? AND deleted = 0"), [owner]))


def in_register(dates: tuple, day: str) -> tuple[bool, str | None, str | None]:
    """Whether the household was in the register on ``day``; how it came and went (its
    ``register_dates``)."""
    first, came, left, left_kind = dates
    gone = left is not None and left <= day
    return came is not None and came <= day and not gone, first, left_kind if gone else None


def _present_members(db: Database, owner: str) -> dict[str, int]:
    """Members present in each household of ``owner``, from the register's index (kept in
    step on every write)."""
    flush_derived(db)
    return dict(db.execute(
        "SELECT household_id, members FROM household_index WHERE household_id IN "
        "(SELECT id FROM household WHERE owner_unit = ? AND deleted = 0)", [owner]).fetchall())


def _past_classes(db: Database, start: dict) -> dict[str, dict[int, str]]:
    """Each household's class by year at the periodic and general rounds that ended before
    ``start``."""
    earlier = {round_id: year for round_id, year in db.execute(
        "SELECT id, year FROM review_round WHERE deleted = 0 AND owner_unit = ? AND "
        "ends_on < ? AND kind != 'regular' ORDER BY starts_on",
        [start["owner_unit"], start["ends_on"]])}
    past: dict[str, dict[int, str]] = {}
    for household_id, round_id, klass in db.execute(
            "SELECT household_id, round_id, class FROM household_review "
            f"WHERE deleted = 0 AND round_id IN ({','.join('?' * len(earlier))})", list(earlier)):
        past.setdefault(household_id, {})[earlier[round_id]] = klass
    return past


def _lists_before(past: dict[str, dict[int, str]], start_year: int, look_back: int | None
                  ) -> dict[str, tuple[bool, bool]]:
    """Whether each household of ``past`` was on the poor and on the near-poor list before
    ``start_year`` (``transitions.on_list_before``, asked once per distinct past)."""
    asked: dict[tuple, tuple[bool, bool]] = {}
    out = {}
    for household_id, classes in past.items():
        key = tuple(sorted(classes.items()))
        if key not in asked:
            asked[key] = tuple(transitions.on_list_before(classes, code, start_year, look_back)
                               for code in ("poor", "near_poor"))
        out[household_id] = asked[key]
    return out


def histories(db: Database, start_round_id: str, end_round_id: str, *,
              look_back: int | None = None) -> list[transitions.HouseholdHistory]:
    """Each household's class at the end of two rounds, for Báo cáo 2 and 3.

    A household in the register that was not reviewed in a round counts as not poor; one
    not in the register (not yet arrived, or gone) has no class. Persons are the members
    counted with the review, or the members present now for a household not reviewed.
    """
    start, end = get_round(db, start_round_id), get_round(db, end_round_id)
    same, start_day, end_day = end_round_id == start_round_id, start["ends_on"], end["ends_on"]
    at_start = _classes(db, start_round_id)
    at_end = at_start if same else _classes(db, end_round_id)
    listed_before = _lists_before(_past_classes(db, start), start["year"] + 1, look_back)
    owner = start["owner_unit"]
    # Read the households' events and present members once for all (not per household).
    dates_of = _register_dates(db, owner)
    present = _present_members(db, owner)
    result = []
    for (home_id,) in db.execute("SELECT id FROM household WHERE deleted = 0 AND "
                                 "owner_unit = ?", [owner]):
        dates = dates_of.get(home_id, NO_EVENTS)
        was_in, first_kind, _ = in_register(dates, start_day)
        is_in, _, left_kind = (was_in, first_kind, None) if same else in_register(dates, end_day)
        unreviewed = ("not_poor", present.get(home_id, 0))
        begin, persons_start = at_start.get(home_id, unreviewed) if was_in else (None, 0)
        finish, persons_end = at_end.get(home_id, unreviewed) if is_in else (None, 0)
        ever_poor, ever_near_poor = listed_before.get(home_id, (False, False))
        result.append(transitions.HouseholdHistory(
            household_id=home_id, start=begin, end=finish, persons_start=persons_start,
            persons_end=persons_end, ever_poor_before=ever_poor,
            ever_near_poor_before=ever_near_poor,
            removed_reason=LEAVING.get(left_kind) if not is_in and was_in else None,
            added_reason=JOINING.get(first_kind) if is_in and not was_in else None))
    return result


def movement_tables(db: Database, start_round_id: str, end_round_id: str, *,
                    look_back: int | None = None) -> tuple[transitions.MovementTable,
                                                           transitions.MovementTable]:
    """Báo cáo 2 (poor) and Báo cáo 3 (near-poor) between two rounds, checked."""
    found = histories(db, start_round_id, end_round_id, look_back=look_back)
    return (transitions.movement_table(found, transitions.POOR),
            transitions.movement_table(found, transitions.NEAR_POOR))

