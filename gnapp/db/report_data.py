"""The figures behind the review reports (Báo cáo 1–15), gathered from the register and the
reviews of a round. The arithmetic (sums, rates, denominators) is in
``gnapp.domain.report_rules``. Báo cáo 1–7 and the note on unfinished reviews count the rows
of the derived table ``household_round`` (``gnapp.db.household_rounds``), which hold each
household's class at the end of a round as ``reviews.histories`` gives it, so Báo cáo 1 and
the end columns of Báo cáo 2–3 always agree; given the scope's histories (``found``), the
same functions count those instead (the reference the table is checked against).

A report covers one or more ``Part``: a commune's site counts its own commune; an office's
site (whose database holds the rows of many communes, each row owned by its commune) counts
each commune in its own round and adds them up. Every figure is returned per village, so the
report adds villages into a commune's row and communes into the office's total alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from gnapp.db import household_rounds, reviews, sites, units
from gnapp.domain import report_rules as rules
from gnapp.domain import transitions
from gnapp.domain.codes import HOUSEHOLD_FLAGS
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.standards import Standard
from gnapp.domain.units import place_name

# Which round a year names when it has several: the periodic review first.
_KIND_ORDER = {"periodic": 0, "general": 1, "regular": 2}


@dataclass(frozen=True)
class Part:
    """One commune's share of a report: its villages shown, its round and the round before.

    An office's report has one part per commune whose data it holds; each commune keeps its
    own rounds (owned by the commune), so the parts are counted one by one and added.
    """

    commune: dict
    villages: tuple[dict, ...]
    round: dict
    previous: dict | None


@dataclass(frozen=True)
class Scope:
    """What a report covers.

    Attributes:
        issuer: the unit whose report it is: the commune, or the office's unit (a province,
            or a legacy district)
        unit: the unit asked for: the issuer, one of the office's communes, or a village
        parts: one per commune counted (a single one for a commune's report)
        standard: the rounds' poverty standard (the same for every part)
        missing: communes of an office with data but no round of the year (not counted)
    """

    issuer: dict
    unit: dict
    parts: tuple[Part, ...]
    standard: Standard
    missing: tuple[dict, ...] = ()

    @property
    def is_office(self) -> bool:
        """The rows are the office's communes (with a total row)."""
        return self.unit["level"] in ("province", "district")

    @property
    def is_commune(self) -> bool:
        """The rows are a commune's villages (with the commune's total row)."""
        return self.unit["level"] == "commune"

    @property
    def commune(self) -> dict:
        """The commune of a commune's or a village's report (the first part's otherwise)."""
        return self.parts[0].commune

    @property
    def round(self) -> dict:
        """The round of the report (of the first commune in an office's report)."""
        return self.parts[0].round

    @property
    def previous(self) -> dict | None:
        return self.parts[0].previous

    @property
    def villages(self) -> tuple[dict, ...]:
        return tuple(v for part in self.parts for v in part.villages)

    @property
    def place(self) -> str:
        """The issuer's name without its level word, for the date line ("Hoằng Hóa")."""
        return place_name(self.issuer["name"])


def find_round(db: Database, owner_unit: str, year: int | None, today: date) -> dict:
    """The round of ``year`` (periodic first), or the current round when ``year`` is None.

    :raises GnappError: no such round
    """
    found = _find_round(db, owner_unit, year, today)
    if found is None:
        if year is None:
            raise GnappError("Chưa có đợt rà soát nào; hãy mở đợt rà soát trước khi lập báo cáo.")
        raise GnappError(f"Không có đợt rà soát năm {year}.")
    return found


def _find_round(db: Database, owner_unit: str, year: int | None, today: date) -> dict | None:
    if year is None:
        return reviews.current_round(db, owner_unit, today)
    candidates = [r for r in reviews.rounds(db, owner_unit) if r["year"] == year]
    if not candidates:
        return None
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


def _part(db: Database, commune: dict, round_: dict, village: dict | None = None) -> Part:
    villages = _villages(db, commune)
    if village is not None:
        villages = [v for v in villages if v["id"] == village["id"]] or [village]
    return Part(commune=commune, villages=tuple(villages), round=round_,
                previous=previous_round(db, round_))


def _same_unit(code: str | None, own: str) -> bool:
    return code is None or code.strip() in (own, own.lstrip("0"))


def _commune_scope(db: Database, site, unit_code: str | None, round_year: int | None,
                   today: date) -> Scope:
    commune = units.get_unit(db, site.unit_code)
    unit = commune
    if not _same_unit(unit_code, site.unit_code):
        unit = units.get_unit(db, unit_code)
        if unit is None or unit["level"] != "village" or unit["parent_id"] != commune["id"]:
            raise InputError(f"«{unit_code}» không phải mã của {commune['name']} hay một thôn "
                             "của xã (xem «gnapp units list»).")
    round_ = find_round(db, site.unit_code, round_year, today)
    part = _part(db, commune, round_, unit if unit["level"] == "village" else None)
    return Scope(issuer=commune, unit=unit, parts=(part,),
                 standard=reviews.standard(round_["standard_id"], db))


def office_communes(db: Database, office: dict) -> list[dict]:
    """The communes under ``office`` (directly, or through a legacy district) whose rows this
    database holds (a household or a review round they own), in code order."""
    owners = [r[0] for r in db.execute(
        "SELECT owner_unit FROM household WHERE deleted = 0 UNION "
        "SELECT owner_unit FROM review_round WHERE deleted = 0")]
    found = []
    for code in owners:
        unit = units.get_unit(db, code)
        if unit is None or unit["level"] != "commune":
            continue
        parent, steps = unit, 0
        while parent is not None and parent["id"] != office["id"] and steps < 3:
            parent = _unit_by_id(db, parent["parent_id"])
            steps += 1
        if parent is not None and parent["id"] == office["id"]:
            found.append(unit)
    return sorted(found, key=lambda u: u["code"])


def _unit_by_id(db: Database, unit_id: str | None) -> dict | None:
    if unit_id is None:
        return None
    rows = list(db.query("SELECT * FROM admin_unit WHERE id = ?", [unit_id]))
    return rows[0] if rows else None


def _office_scope(db: Database, site, unit_code: str | None, round_year: int | None,
                  today: date) -> Scope:
    office = units.get_unit(db, site.unit_code)
    communes = office_communes(db, office)
    unit = office
    if not _same_unit(unit_code, site.unit_code):
        unit = units.get_unit(db, unit_code)
        village_of = None
        if unit is not None and unit["level"] == "village":
            village_of = next((c for c in communes if c["id"] == unit["parent_id"]), None)
        if unit is None or not (village_of or any(c["id"] == unit["id"] for c in communes)):
            raise InputError(f"«{unit_code}» không phải mã của {office['name']}, của một xã "
                             "có số liệu ở đây hay một thôn của xã đó.")
        if village_of is not None:
            round_ = find_round(db, village_of["code"], round_year, today)
            return Scope(issuer=office, unit=unit, parts=(_part(db, village_of, round_, unit),),
                         standard=reviews.standard(round_["standard_id"], db))
        round_ = find_round(db, unit["code"], round_year, today)
        return Scope(issuer=office, unit=unit, parts=(_part(db, unit, round_),),
                     standard=reviews.standard(round_["standard_id"], db))
    if not communes:
        raise GnappError(f"Cơ sở dữ liệu của {office['name']} chưa có số liệu của xã nào "
                         "(nhập gói đồng bộ của các xã trước khi lập báo cáo).")
    if round_year is None:
        current = [r for r in (_find_round(db, c["code"], None, today) for c in communes) if r]
        if not current:
            raise GnappError("Chưa xã nào có đợt rà soát; chưa lập được báo cáo.")
        round_year = max(r["year"] for r in current)
    parts, missing = [], []
    for commune in communes:
        round_ = _find_round(db, commune["code"], round_year, today)
        if round_ is None:
            missing.append(commune)
        else:
            parts.append(_part(db, commune, round_))
    if not parts:
        raise GnappError(f"Không xã nào có đợt rà soát năm {round_year}.")
    standards = sorted({p.round["standard_id"] for p in parts})
    if len(standards) > 1:
        by = "; ".join(f"{p.commune['name']}: {p.round['standard_id']}" for p in parts)
        raise rules.ReportError(f"Các xã rà soát năm {round_year} theo các chuẩn nghèo khác "
                                f"nhau ({by}); không cộng chung được.")
    return Scope(issuer=office, unit=office, parts=tuple(parts),
                 standard=reviews.standard(standards[0], db), missing=tuple(missing))


def resolve_scope(db: Database, *, round_year: int | None = None, unit_code: str | None = None,
                  today: date | None = None, office: bool = False) -> Scope:
    """Work out the rows, the rounds and the previous rounds of a report.

    On a commune's site: the commune (a row per village) or one of its villages. On an
    office's site: the office's unit (a row per commune whose data it holds, and the total),
    one of those communes (a row per village) or one of their villages.

    :param unit_code: the unit asked for (default: the site's own)
    :param office: the caller can show an office's scope (the review reports); other forms
        are a commune's own and are refused on an office's site
    :raises InputError: a unit outside the site's own
    :raises GnappError: no site, no round, an office's site when ``office`` is false
    """
    site = sites.require_site(db)
    today = today or date.today()
    if site.role == "office":
        if not office:
            raise GnappError("Biểu mẫu này lập trên máy của xã; máy của cơ quan cấp trên chỉ "
                             "lập các báo cáo rà soát tổng hợp (bao-cao-1 … bao-cao-15).")
        return _office_scope(db, site, unit_code, round_year, today)
    return _commune_scope(db, site, unit_code, round_year, today)


def _village_of(db: Database, owner_unit: str) -> dict[str, str]:
    return dict(db.execute(
        "SELECT id, village_id FROM household WHERE deleted = 0 AND owner_unit = ?",
        [owner_unit]).fetchall())


def _part_histories(db: Database, part: Part, start_round: dict) -> dict[str, list]:
    """Each village's household histories of one commune, from ``start_round`` to the
    part's round."""
    village_of = _village_of(db, part.commune["code"])
    by_village: dict[str, list] = {v["id"]: [] for v in part.villages}
    for h in reviews.histories(db, start_round["id"], part.round["id"]):
        village = village_of.get(h.household_id)
        if village in by_village:
            by_village[village].append(h)
    return by_village


def histories(db: Database, scope: Scope) -> dict[str, list]:
    """Each village's household histories over its commune's round (what ``result_counts``,
    ``deprivation_counts`` and ``round_progress`` count when given them; a caller needing
    several reads them once)."""
    out: dict[str, list] = {}
    for part in scope.parts:
        out.update(_part_histories(db, part, part.round))
    return out


def _by_village(parts: Iterable[Part], groups: Callable[[Part], Iterable[Sequence]]
                ) -> dict[str, list]:
    """Each village's groups of households, ``groups(part)`` giving one commune's as
    (village id, *group); villages without any get an empty list."""
    out: dict[str, list] = {}
    for part in parts:
        by_village: dict[str, list] = {v["id"]: [] for v in part.villages}
        for village, *group in groups(part):
            if village in by_village:
                by_village[village].append(group)
        out.update(by_village)
    return out


def result_counts(db: Database, scope: Scope, found: dict[str, list] | None = None
                  ) -> dict[str, rules.ResultCounts]:
    """Báo cáo 1: each village's households and persons by class at the end of the round,
    counted in ``household_round`` (``found``: the scope's ``histories`` to count instead)."""
    if found is not None:
        return {village: rules.count_result((h.end, h.persons_end) for h in homes)
                for village, homes in found.items()}
    return {village: rules.count_result_groups(groups) for village, groups in _by_village(
        scope.parts, lambda part: household_rounds.results(db, part.round["id"])).items()}


def movement_histories(db: Database, scope: Scope, report: str) -> dict[str, list]:
    """Each village's household histories since its commune's previous round (what
    ``movement_tables`` counts; they end where ``histories`` end, so ``round_progress`` can
    count them too).

    :raises ReportError: a commune has no previous round
    """
    out: dict[str, list] = {}
    for part in _with_previous(scope, report):
        out.update(_part_histories(db, part, part.previous))
    return out


def _with_previous(scope: Scope, report: str) -> tuple[Part, ...]:
    """The scope's parts, each having a previous round.

    :raises ReportError: a commune has no previous round
    """
    for part in scope.parts:
        if part.previous is None:
            where = f" của {part.commune['name']}" if scope.is_office else ""
            raise rules.ReportError(
                f"{report} so sánh với đợt rà soát trước, nhưng trước đợt năm "
                f"{part.round['year']}{where} chưa có đợt rà soát định kỳ nào.")
    return scope.parts


def movement_tables(db: Database, scope: Scope, report: str,
                    found: dict[str, list] | None = None
                    ) -> dict[str, tuple[transitions.MovementTable, transitions.MovementTable]]:
    """Báo cáo 2 and 3: each village's poor and near-poor movements since its commune's
    previous round, counted in ``household_round`` (``found``: the scope's
    ``movement_histories`` to count instead).

    :raises ReportError: a commune has no previous round, or a table fails its own checks
    """
    if found is None:
        grouped = _by_village(_with_previous(scope, report), lambda part: (
            household_rounds.movements(db, part.previous, part.round)))
        tables = {village: tuple(transitions.movement_table_groups(groups, which)
                                 for which in transitions.LISTS)
                  for village, groups in grouped.items()}
    else:
        tables = {village: tuple(transitions.movement_table(homes, which)
                                 for which in transitions.LISTS)
                  for village, homes in found.items()}
    for pair in tables.values():
        problems = [i.message for t in pair for i in t.issues if i.severity == "error"]
        if problems:
            raise rules.ReportError(f"{report}: " + "; ".join(problems))
    return tables


def _answers(db: Database, scope: Scope, klass: str) -> dict[str, dict]:
    """The indicator answers of each household reviewed as ``klass`` in its commune's round
    (a household's class at the end of the round is its review's, not poor without one)."""
    answers: dict[str, dict] = {}
    for part in scope.parts:
        answers.update({household_id: json.loads(deprivations or "{}")
                        for household_id, deprivations in db.execute(
                            "SELECT household_id, deprivations FROM household_review "
                            "WHERE round_id = ? AND deleted = 0 AND "
                            "coalesce(class, 'not_poor') = ?", [part.round["id"], klass])})
    return answers


def deprivation_counts(db: Database, scope: Scope, klass: str = rules.POOR,
                       found: dict[str, list] | None = None
                       ) -> dict[str, rules.DeprivationCounts]:
    """Báo cáo 4–7: each village's households of one list (poor for 4–5, near-poor for 6–7)
    and their deprivations, by the indicators of the round's standard, counted in
    ``household_round`` (``found`` as in ``result_counts``)."""
    codes = scope.standard.indicator_codes
    if found is None:
        return {village: rules.count_deprivation_groups(groups, codes)
                for village, groups in _by_village(scope.parts, lambda part: (
                    household_rounds.deprivations(db, part.round["id"], klass))).items()}
    answers = _answers(db, scope, klass)
    return {village: rules.count_deprivations(
                (answers.get(h.household_id, {}) for h in homes if h.end == klass), codes)
            for village, homes in found.items()}


def _flags(row: dict) -> frozenset[str]:
    return frozenset(flag for flag in HOUSEHOLD_FLAGS if row.get(flag))


def listed_households(db: Database, scope: Scope, found: dict[str, list] | None = None
                      ) -> dict[str, list[rules.ListedHousehold]]:
    """Báo cáo 8–15: each village's households on the poor or near-poor list at the end of its
    commune's round, with what the reports show of them, in household-code order.

    The class and persons are those of ``household_round`` (as in Báo cáo 1; ``found``: the
    scope's ``histories`` to take them from instead); members are those present in the
    register now. Only the listed households' rows are read.
    """
    out: dict[str, list[rules.ListedHousehold]] = {}
    for part in scope.parts:
        round_id = part.round["id"]
        if found is None:
            on_lists = _by_village([part], lambda p: household_rounds.listed(db, round_id))
        else:
            on_lists = {v["id"]: [(h.household_id, h.end, h.persons_end)
                                  for h in found.get(v["id"], []) if h.end in rules.LISTS]
                        for v in part.villages}
        wanted = f"IN ({household_rounds.listed_ids_sql()})"
        homes = {r["id"]: r for r in db.query(f"SELECT * FROM household WHERE id {wanted}",
                                              [round_id])}
        reviews_by = {r["household_id"]: r for r in db.query(
            f"SELECT * FROM household_review WHERE round_id = ? AND deleted = 0 AND "
            f"household_id {wanted}", [round_id, round_id])}
        members: dict[str, list[dict]] = {}
        for m in db.query(
                f"SELECT * FROM member WHERE household_id {wanted} AND deleted = 0 AND "
                "status = 'present' ORDER BY household_id, position", [round_id]):
            members.setdefault(m["household_id"], []).append(m)
        for village, households in on_lists.items():
            listed = []
            for household_id, klass, persons in households:
                home, review = homes[household_id], reviews_by.get(household_id) or {}
                people = members.get(household_id, [])
                head = next((m for m in people if m["relation"] == "head"), None) or {}
                answers = json.loads(review.get("deprivations") or "{}")
                listed.append(rules.ListedHousehold(
                    household_id=home["id"], code=home["code"], klass=klass,
                    persons=persons, unit_id=village, head_name=head.get("full_name"),
                    head_birth=head.get("birth_date"), head_sex=head.get("sex"),
                    ethnicity=head.get("ethnicity"), flags=_flags(home),
                    deprived=frozenset(code for code, v in answers.items() if v),
                    causes=tuple(json.loads(review.get("causes") or "[]")),
                    income_per_person=review.get("income_per_person"),
                    b1_score=review.get("b1_score"), b2=review.get("b2"),
                    members=tuple(rules.ListedMember(m["birth_date"], m["health_insurance"],
                                                     m["schooling"]) for m in people),
                    source=f"household_review:{review['id']}" if review else None))
            out[village] = sorted(listed, key=lambda x: x.code)
    return out


@dataclass(frozen=True)
class RoundProgress:
    """How finished the round is, for the note under a report."""

    reviews: int
    drafts: int
    not_reviewed: int


def round_progress(db: Database, scope: Scope, found: dict[str, list] | None = None
                   ) -> RoundProgress:
    """Reviews of the rounds in the scope's villages, those still drafts, and households in
    the register at the end of the round without a review (counted as not poor), counted in
    ``household_round``; ``found``: the scope's ``histories`` (or ``movement_histories``,
    which end alike) to count the households without a review in instead."""
    total = drafts = missing = 0
    for part in scope.parts:
        village_ids = [v["id"] for v in part.villages]
        if found is None:
            counted = household_rounds.progress(db, part.round["id"], village_ids)
        else:
            counted = _progress(db, part.round["id"], village_ids, found)
        total, drafts, missing = total + counted[0], drafts + counted[1], missing + counted[2]
    return RoundProgress(reviews=total, drafts=drafts, not_reviewed=missing)


def _progress(db: Database, round_id: str, village_ids: list[str], found: dict[str, list]
              ) -> tuple[int, int, int]:
    """``household_rounds.progress`` of one part, the households without a review counted in
    its ``histories``."""
    marks = ",".join("?" * len(village_ids)) or "NULL"
    reviewed, drafts = db.execute(
        "SELECT count(*), coalesce(sum(r.status != 'complete'), 0) FROM household_review r "
        f"JOIN household h ON h.id = r.household_id WHERE r.round_id = ? AND r.deleted = 0 "
        f"AND h.village_id IN ({marks})", [round_id, *village_ids]).fetchone()
    with_review = {household_id for (household_id,) in db.execute(
        "SELECT household_id FROM household_review WHERE round_id = ? AND deleted = 0",
        [round_id])}
    return reviewed, drafts, sum(1 for village in village_ids for h in found.get(village, ())
                                 if h.end is not None and h.household_id not in with_review)
