"""The figures behind the review reports (Báo cáo 1–5), gathered from the register and the
reviews of a round. The arithmetic (sums, rates, denominators) is in
``gnapp.domain.report_rules``; a household's class at the end of a round is the one
``reviews.histories`` gives, so Báo cáo 1 and the end columns of Báo cáo 2–3 always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from gnapp.db import reviews, sites, units
from gnapp.domain import report_rules as rules
from gnapp.domain import transitions
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.standards import Standard
from gnapp.domain.units import place_name

# Which round a year names when it has several: the periodic review first.
_KIND_ORDER = {"periodic": 0, "general": 1, "regular": 2}


@dataclass(frozen=True)
class Scope:
    """What a report covers.

    Attributes:
        commune: the commune's unit row (the issuer of the report)
        unit: the unit asked for: the commune itself, or one of its villages
        villages: the villages shown as rows, in code order
        round: the review round
        standard: the round's poverty standard
        previous: the round before it (periodic or general), for Báo cáo 2–3; ``None`` if none
    """

    commune: dict
    unit: dict
    villages: tuple[dict, ...]
    round: dict
    standard: Standard
    previous: dict | None

    @property
    def is_commune(self) -> bool:
        return self.unit["level"] == "commune"

    @property
    def place(self) -> str:
        """The commune's name without its level word, for the date line ("Hoằng Hóa")."""
        return place_name(self.commune["name"])


def find_round(db: Database, owner_unit: str, year: int | None, today: date) -> dict:
    """The round of ``year`` (periodic first), or the current round when ``year`` is None.

    :raises GnappError: no such round
    """
    if year is None:
        found = reviews.current_round(db, owner_unit, today)
        if found is None:
            raise GnappError("Chưa có đợt rà soát nào; hãy mở đợt rà soát trước khi lập báo cáo.")
        return found
    candidates = [r for r in reviews.rounds(db, owner_unit) if r["year"] == year]
    if not candidates:
        raise GnappError(f"Không có đợt rà soát năm {year}.")
    return sorted(candidates, key=lambda r: (_KIND_ORDER[r["kind"]], -(r["month"] or 0)))[0]


def previous_round(db: Database, round_: dict) -> dict | None:
    """The latest periodic or general round that ended before ``round_`` ended."""
    earlier = [r for r in reviews.rounds(db, round_["owner_unit"])
               if r["kind"] != "regular" and r["ends_on"] < round_["ends_on"]]
    return earlier[-1] if earlier else None


def _villages(db: Database, commune: dict) -> list[dict]:
    """Villages of the commune: those valid today and any a household still belongs to."""
    rows = db.query(
        "SELECT * FROM admin_unit WHERE deleted = 0 AND level = 'village' AND (parent_id = ? "
        "OR id IN (SELECT village_id FROM household WHERE deleted = 0 AND owner_unit = ?))",
        [commune["id"], commune["code"]])
    today = date.today().isoformat()
    return sorted((r for r in rows if r["valid_to"] is None or r["valid_to"] >= today
                   or _has_households(db, r["id"])), key=lambda r: r["code"])


def _has_households(db: Database, village_id: str) -> bool:
    return db.execute("SELECT 1 FROM household WHERE village_id = ? AND deleted = 0 LIMIT 1",
                      [village_id]).fetchone() is not None


def resolve_scope(db: Database, *, round_year: int | None = None, unit_code: str | None = None,
                  today: date | None = None) -> Scope:
    """Work out the commune, the village rows, the round and the previous round of a report.

    :param unit_code: the commune (default: this site's) or one of its villages
    :raises InputError: a unit that is not this commune or one of its villages
    :raises GnappError: no site, no round
    """
    site = sites.require_site(db)
    if site.role != "commune":
        raise GnappError("Báo cáo rà soát tổng hợp theo từng xã cho cơ quan cấp trên chưa có; "
                         "hãy lập báo cáo trên máy của xã.")
    commune = units.get_unit(db, site.unit_code)
    unit = commune
    if unit_code and unit_code.strip() not in (site.unit_code, site.unit_code.lstrip("0")):
        unit = units.get_unit(db, unit_code)
        if unit is None or unit["level"] != "village" or unit["parent_id"] != commune["id"]:
            raise InputError(f"«{unit_code}» không phải mã của {commune['name']} hay một thôn "
                             "của xã (xem «gnapp units list»).")
    villages = _villages(db, commune)
    if unit["level"] == "village":
        villages = [v for v in villages if v["id"] == unit["id"]] or [unit]
    round_ = find_round(db, site.unit_code, round_year, today or date.today())
    return Scope(commune=commune, unit=unit, villages=tuple(villages), round=round_,
                 standard=reviews.standard(round_["standard_id"]),
                 previous=previous_round(db, round_))


def _village_of(db: Database, owner_unit: str) -> dict[str, str]:
    return {r["id"]: r["village_id"] for r in db.query(
        "SELECT id, village_id FROM household WHERE deleted = 0 AND owner_unit = ?",
        [owner_unit])}


def _histories(db: Database, scope: Scope, start_round: dict) -> dict[str, list]:
    """Each village's household histories from ``start_round`` to the scope's round."""
    village_of = _village_of(db, scope.commune["code"])
    by_village: dict[str, list] = {v["id"]: [] for v in scope.villages}
    for h in reviews.histories(db, start_round["id"], scope.round["id"]):
        village = village_of.get(h.household_id)
        if village in by_village:
            by_village[village].append(h)
    return by_village


def result_counts(db: Database, scope: Scope) -> dict[str, rules.ResultCounts]:
    """Báo cáo 1: each village's households and persons by class at the end of the round."""
    return {village: rules.count_result((h.end, h.persons_end) for h in found)
            for village, found in _histories(db, scope, scope.round).items()}


def movement_tables(db: Database, scope: Scope, report: str
                    ) -> dict[str, tuple[transitions.MovementTable, transitions.MovementTable]]:
    """Báo cáo 2 and 3: each village's poor and near-poor movements since the previous round.

    :raises ReportError: there is no previous round, or a table fails its own checks
    """
    if scope.previous is None:
        raise rules.ReportError(
            f"{report} so sánh với đợt rà soát trước, nhưng trước đợt năm {scope.round['year']} "
            "chưa có đợt rà soát định kỳ nào.")
    result = {}
    for village, found in _histories(db, scope, scope.previous).items():
        tables = (transitions.movement_table(found, transitions.POOR),
                  transitions.movement_table(found, transitions.NEAR_POOR))
        problems = [i.message for t in tables for i in t.issues if i.severity == "error"]
        if problems:
            raise rules.ReportError(f"{report}: " + "; ".join(problems))
        result[village] = tables
    return result


def deprivation_counts(db: Database, scope: Scope) -> dict[str, rules.DeprivationCounts]:
    """Báo cáo 4 and 5: each village's poor households and their deprivations, by the
    indicators of the round's standard."""
    answers = {r["household_id"]: json.loads(r["deprivations"] or "{}") for r in db.query(
        "SELECT household_id, deprivations FROM household_review WHERE round_id = ? "
        "AND deleted = 0", [scope.round["id"]])}
    codes = scope.standard.indicator_codes
    return {village: rules.count_deprivations(
                (answers.get(h.household_id, {}) for h in found if h.end == "poor"), codes)
            for village, found in _histories(db, scope, scope.round).items()}


@dataclass(frozen=True)
class RoundProgress:
    """How finished the round is, for the note under a report."""

    reviews: int
    drafts: int
    not_reviewed: int


def round_progress(db: Database, scope: Scope) -> RoundProgress:
    """Reviews of the round in the scope's villages, those still drafts, and households in the
    register at the end of the round without a review (counted as not poor)."""
    village_ids = [v["id"] for v in scope.villages]
    marks = ",".join("?" * len(village_ids)) or "NULL"
    row = db.execute(
        "SELECT count(*), coalesce(sum(r.status != 'complete'), 0) FROM household_review r "
        f"JOIN household h ON h.id = r.household_id WHERE r.round_id = ? AND r.deleted = 0 "
        f"AND h.village_id IN ({marks})", [scope.round["id"], *village_ids]).fetchone()
    reviewed = {r["household_id"] for r in db.query(
        "SELECT household_id FROM household_review WHERE round_id = ? AND deleted = 0",
        [scope.round["id"]])}
    missing = sum(1 for found in _histories(db, scope, scope.round).values() for h in found
                  if h.end is not None and h.household_id not in reviewed)
    return RoundProgress(reviews=row[0], drafts=row[1], not_reviewed=missing)
