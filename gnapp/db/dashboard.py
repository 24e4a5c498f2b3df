"""The figures of the home screen ("Tổng quan") and its charts.

Every figure comes from the function the reports use, so the screen and the printed reports
cannot disagree:

- households and rates by village: ``report_data.result_counts`` and
  ``report_rules.result_values`` (Báo cáo 1, columns 1–6), for the current round and the one
  before it;
- the stage of each village and the reviews still to do: ``procedure.village_progress`` (the
  Rà soát area's table);
- deprivations of poor households: ``report_data.deprivation_counts`` and
  ``report_rules.deprivation_rates`` (Báo cáo 5);
- money by budget line: ``progress.line_money`` (the allocated and disbursed figures of the
  report periods);
- report periods due: ``progress.due_list``.

A commune's site sees its own commune; an office's site sees one row per commune whose data
it holds (``office_rows``), computed the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlite_utils import Database

from gnapp.db import procedure, progress, report_data, reviews, sites, units
from gnapp.db import programme as stored_programme
from gnapp.domain import charts
from gnapp.domain import report_rules as rules
from gnapp.domain.dates import format_date
from gnapp.domain.errors import GnappError
from gnapp.domain.money import in_unit
from gnapp.domain.numbers import rate
from gnapp.domain.units import type_word

MONEY_UNIT = "trieu"


@dataclass(frozen=True)
class Rates:
    """A unit's households, poor and near-poor households and their shares, as Báo cáo 1
    prints them (columns 1, 3–6); a share is ``None`` for a unit without households."""

    households: int
    poor: int
    near_poor: int
    poor_rate: Decimal | None
    near_poor_rate: Decimal | None

    @classmethod
    def of(cls, counts: rules.ResultCounts, row: str) -> Rates:
        """:raises ReportError: a share Báo cáo 1 would refuse to print"""
        values = rules.result_values(counts, row)
        return cls(households=values[0], poor=values[2], poor_rate=values[3],
                   near_poor=values[4], near_poor_rate=values[5])


@dataclass(frozen=True)
class VillageState:
    """One village of the current round: where its review stands and its result.

    Attributes:
        stage, stage_label: ``domain.procedure.STAGES``
        households: active households in the register now
        reviewed, complete, with_errors: reviews entered, complete, drafts with errors
        now, before: the result at the end of the current round and of the round before
            (``None`` when there is no such round)
    """

    village_id: str
    name: str
    stage: str
    stage_label: str
    households: int
    reviewed: int
    complete: int
    with_errors: int
    now: Rates | None
    before: Rates | None

    @property
    def not_reviewed(self) -> int:
        return max(self.households - self.reviewed, 0)

    @property
    def drafts(self) -> int:
        return self.reviewed - self.complete


@dataclass(frozen=True)
class LineMoney:
    """A budget line's money of the year: allocated to the unit and disbursed by today."""

    code: str
    name: str
    allocated: int
    disbursed: int

    @property
    def share(self) -> Decimal | None:
        return disbursed_share(self.allocated, self.disbursed)


def disbursed_share(allocated: int, disbursed: int) -> Decimal | None:
    """Disbursed as a percentage of allocated (2 decimals); ``None`` without money."""
    return rate(disbursed, allocated, share=False) if allocated else None


@dataclass(frozen=True)
class Overview:
    """What a commune's home screen shows (see the module doc).

    Attributes:
        unit: the commune
        round, previous: the current review round and the round before it (or ``None``)
        villages: one per village of the current round
        now, before: the commune's result at the end of both rounds
        money_year: the year of ``money``
        money: one per budget line with money of that year
        due: report periods not complete (``progress.due_list``)
        today: the day the figures are counted to
        problems: what could not be computed (a share the reports would refuse), in Vietnamese
    """

    unit: dict
    round: dict | None
    previous: dict | None
    villages: tuple[VillageState, ...]
    now: Rates | None
    before: Rates | None
    money_year: int
    money: tuple[LineMoney, ...]
    due: tuple[dict, ...]
    today: date
    deprivations: charts.Chart | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def not_reviewed(self) -> int:
        return sum(v.not_reviewed for v in self.villages)

    @property
    def drafts(self) -> int:
        return sum(v.drafts for v in self.villages)

    @property
    def with_errors(self) -> int:
        return sum(v.with_errors for v in self.villages)

    @property
    def complete(self) -> int:
        return sum(v.complete for v in self.villages)

    @property
    def households(self) -> int:
        return sum(v.households for v in self.villages)


def round_label(round_: dict) -> str:
    """"Đợt rà soát định kỳ năm 2026"."""
    kinds = {"periodic": "định kỳ", "general": "tổng rà soát", "regular": "thường xuyên"}
    return f"Đợt rà soát {kinds.get(round_['kind'], round_['kind'])} năm {round_['year']}"


@dataclass(frozen=True)
class _Counted:
    """A round's scope (as the reports resolve it) and its Báo cáo 1 counts."""

    scope: report_data.Scope
    counts: dict[str, rules.ResultCounts]


def _count(db: Database, commune: str, round_: dict | None, today: date) -> _Counted | None:
    if round_ is None:
        return None
    scope = report_data.resolve_scope(db, round_year=round_["year"], unit_code=commune,
                                      today=today, office=True)
    # a GROUP BY over household_round, as Báo cáo 1 counts (not each household's history)
    return _Counted(scope, report_data.result_counts(db, scope))


def _total(counts: dict[str, rules.ResultCounts]) -> rules.ResultCounts:
    total = rules.ResultCounts()
    for found in counts.values():
        total += found
    return total


def _rates(counts: rules.ResultCounts | None, row: str, problems: list[str]) -> Rates | None:
    if counts is None:
        return None
    try:
        return Rates.of(counts, row)
    except rules.ReportError as exc:
        problems.append(str(exc))
        return None


def money_lines(db: Database, unit_code: str, year: int, up_to: date) -> tuple[LineMoney, ...]:
    """The unit's budget lines with money in ``year``, in the programme's order."""
    found = progress.line_money(db, unit_code, year, up_to.isoformat())
    programme = stored_programme.programme_for_year(db, year)
    order = {item.code: n for n, item in enumerate(programme.lines())}
    lines = []
    for code, money in found.items():
        item = programme.item(code)
        lines.append(LineMoney(code, item.label if item else code, money["allocated"] or 0,
                               money["disbursed"] or 0))
    return tuple(sorted(lines, key=lambda line: (order.get(line.code, len(order)), line.code)))


def _money_year(db: Database, unit_code: str, today: date) -> int:
    """This year when the unit has money of this year, else its latest year with money."""
    years = [r[0] for r in db.execute(
        "SELECT DISTINCT d.year FROM allocation_line l JOIN allocation_decision d ON d.id = "
        "l.decision_id WHERE l.deleted = 0 AND d.deleted = 0 AND d.year <= ? AND "
        "(l.recipient_unit = ? OR l.owner_unit = ?) ORDER BY d.year DESC LIMIT 1",
        [today.year, unit_code, unit_code])]
    return years[0] if years else today.year


def commune_overview(db: Database, *, unit_code: str | None = None,
                     today: date | None = None) -> Overview:
    """The home screen of a commune (the site's own, or one an office holds).

    :raises GnappError: no site, or not a commune
    """
    today = today or date.today()
    site = sites.require_site(db)
    code = unit_code or site.unit_code
    unit = units.get_unit(db, code)
    if unit is None or unit["level"] != "commune":
        raise GnappError(f"«{code}» không phải mã của một xã, phường.")
    problems: list[str] = []
    round_ = reviews.current_round(db, code, today)
    previous = report_data.previous_round(db, round_) if round_ else None
    now = _count(db, code, round_, today)
    before = _count(db, code, previous, today)
    now_counts = now.counts if now else {}
    before_counts = before.counts if before else {}
    villages = []
    for line in procedure.village_progress(db, round_["id"], today) if round_ else ():
        facts = line["facts"]
        village_id = line["village_id"]
        villages.append(VillageState(
            village_id, line["village"], line["stage"], line["stage_label"],
            households=facts.households, reviewed=facts.reviewed, complete=facts.complete,
            with_errors=facts.with_errors,
            now=_rates(now_counts.get(village_id), line["village"], problems),
            before=_rates(before_counts.get(village_id), line["village"], problems)
            if previous else None))
    year = _money_year(db, code, today)
    return Overview(
        unit=unit, round=round_, previous=previous, villages=tuple(villages),
        now=_rates(_total(now_counts), unit["name"], problems) if round_ else None,
        before=_rates(_total(before_counts), unit["name"], problems) if previous else None,
        money_year=year, money=money_lines(db, code, year, today),
        due=tuple(progress.due_list(db, code, today=today)), today=today,
        deprivations=deprivation_chart(db, now.scope) if now else None,
        problems=tuple(problems))


# -- charts -----------------------------------------------------------------------------------

def pending_note(overview: Overview) -> str | None:
    """What the figures of a round not yet finished mean (``None`` without a round)."""
    if overview.round is None:
        return None
    left = overview.not_reviewed + overview.drafts
    note = f"{round_label(overview.round)}"
    if left:
        return (f"{note}: số liệu tạm tính, còn {left} hộ chưa rà soát hoặc phiếu chưa hoàn "
                "thành (hộ chưa rà soát tính là hộ không nghèo, như Báo cáo 1).")
    return f"{note}, theo Báo cáo 1."


def rate_chart(title: str, rows: list[tuple[str, Rates]], whole: Rates | None, whole_name: str,
               *, note: str | None, name: str) -> charts.Chart:
    """Poor and near-poor rates of some units (bars) with those of the unit they make up
    (dashed lines, ``whole_name`` "Toàn xã"); horizontal bars past 12 units."""
    references = tuple(
        charts.Reference(f"{whole_name} ({label})", value, series=i)
        for i, (label, value) in enumerate((
            ("hộ nghèo", whole.poor_rate if whole else None),
            ("hộ cận nghèo", whole.near_poor_rate if whole else None)))
        if value is not None)
    return charts.Chart(
        charts.BAR, title, tuple(label for label, _ in rows),
        (charts.Series("Tỷ lệ hộ nghèo", tuple(r.poor_rate for _, r in rows)),
         charts.Series("Tỷ lệ hộ cận nghèo", tuple(r.near_poor_rate for _, r in rows))),
        charts.PERCENT, places=2, references=references, note=note,
        horizontal=len(rows) > 12, name=name)


VILLAGE_TITLE = "Tỷ lệ hộ nghèo, hộ cận nghèo theo thôn"
COMMUNE_TITLE = "Tỷ lệ hộ nghèo, hộ cận nghèo theo xã, phường"


def village_rate_chart(overview: Overview) -> charts.Chart:
    """Poor and near-poor rates by village of the current round, with the commune's."""
    return rate_chart(VILLAGE_TITLE, [(v.name, v.now) for v in overview.villages if v.now],
                      overview.now, f"Toàn {_unit_word(overview.unit)}",
                      note=pending_note(overview), name="ty-le-theo-thon")


def scope_rate_chart(db: Database, scope: report_data.Scope) -> charts.Chart:
    """The rates of a report's rows: by village of a commune, or by commune of an office,
    counted as Báo cáo 1 counts them."""
    counts = report_data.result_counts(db, scope)
    if scope.is_office:
        groups = [(part.commune["name"], [v["id"] for v in part.villages])
                  for part in scope.parts]
        title, name = COMMUNE_TITLE, "ty-le-theo-xa"
    else:
        groups = [(v["name"], [v["id"]]) for v in scope.villages]
        title, name = VILLAGE_TITLE, "ty-le-theo-thon"
    problems: list[str] = []
    rows = []
    for label, villages in groups:
        total = _total({v: counts[v] for v in villages if v in counts})
        rates = _rates(total, label, problems)
        if rates is not None:
            rows.append((label, rates))
    whole = _rates(_total(counts), scope.unit["name"], problems)
    return rate_chart(title, rows, whole, f"Toàn {_unit_word(scope.unit)}",
                      note=f"{round_label(scope.round)}, theo Báo cáo 1.", name=name)


def _unit_word(unit: Mapping) -> str:
    """"xã", "phường", "tỉnh" … as the unit's name starts (for "Toàn tỉnh")."""
    return type_word(unit["name"]) or unit["name"]


def rate_history(db: Database, *, unit_code: str | None = None, today: date | None = None,
                 known: Mapping[str, Rates | None] | None = None
                 ) -> tuple[list[tuple[dict, Rates | None]], list[str]]:
    """The unit's result after each periodic or general round (one per year, oldest first)
    and what could not be computed (``known``: results already counted, by round id)."""
    known = known or {}
    today = today or date.today()
    code = unit_code or sites.require_site(db).unit_code
    unit = units.get_unit(db, code) or {"name": code}
    problems: list[str] = []
    out = []
    years = sorted({r["year"] for r in reviews.rounds(db, code) if r["kind"] != "regular"})
    for year in years:
        round_ = report_data.find_round(db, code, year, today)
        if round_["id"] in known:
            out.append((round_, known[round_["id"]]))
            continue
        counted = _count(db, code, round_, today)
        out.append((round_, _rates(_total(counted.counts), f"{unit['name']} năm {year}",
                                   problems)))
    return out, problems


def rate_history_chart(db: Database, *, unit_code: str | None = None,
                       today: date | None = None,
                       overview: Overview | None = None) -> charts.Chart:
    """Poor and near-poor rates over the years of the register (lines), broken where the
    poverty standard changed so that the break is not read as a trend (``overview``: the
    unit's home screen, whose two rounds are not counted again)."""
    known = {}
    if overview is not None:
        known = {r["id"]: rates for r, rates in ((overview.round, overview.now),
                                                 (overview.previous, overview.before)) if r}
    history, _ = rate_history(db, unit_code=unit_code, today=today, known=known)
    markers, last = [], None
    for index, (round_, _) in enumerate(history):
        if last is not None and round_["standard_id"] != last:
            standard = reviews.standard(round_["standard_id"], db)
            markers.append(charts.Marker(index, f"Chuẩn nghèo mới ({standard.valid_from.year}"
                                                f"–{standard.valid_to.year})"))
        last = round_["standard_id"]
    years = tuple(str(r["year"]) for r, _ in history)
    note = ("Đường đứt quãng ở vạch dọc: chuẩn nghèo thay đổi, số liệu hai bên vạch không so "
            "sánh trực tiếp được." if markers else None)
    return charts.Chart(
        charts.LINE, "Tỷ lệ hộ nghèo, hộ cận nghèo qua các năm", years,
        (charts.Series("Tỷ lệ hộ nghèo", tuple(r.poor_rate if r else None for _, r in history)),
         charts.Series("Tỷ lệ hộ cận nghèo",
                       tuple(r.near_poor_rate if r else None for _, r in history))),
        charts.PERCENT, places=2, markers=tuple(markers), note=note, name="ty-le-qua-cac-nam")


def deprivation_chart(db: Database, scope: report_data.Scope,
                      found: dict[str, list] | None = None) -> charts.Chart:
    """The share of poor households deprived on each indicator of the round's standard, for
    the scope's unit as a whole (Báo cáo 5, its first row)."""
    per_village = report_data.deprivation_counts(db, scope, rules.POOR, found)
    codes = scope.standard.indicator_codes
    total = rules.DeprivationCounts(0, (0,) * len(codes))
    for found in per_village.values():
        total += found
    names = tuple(i.name for i in scope.standard.indicators)
    try:
        shares = tuple(rules.deprivation_rates(total, scope.unit["name"]))
    except rules.ReportError as exc:
        return charts.Chart(charts.BAR, "Tỷ lệ hộ nghèo thiếu hụt theo chỉ số", names, (),
                            charts.PERCENT, places=2, horizontal=True, note=str(exc),
                            name="thieu-hut")
    return charts.Chart(
        charts.BAR, "Tỷ lệ hộ nghèo thiếu hụt theo từng chỉ số", names,
        (charts.Series("Tỷ lệ hộ nghèo thiếu hụt", shares),),
        charts.PERCENT, places=2, horizontal=True,
        note=f"{total.households} hộ nghèo, {round_label(scope.round).lower()}, theo "
             "Báo cáo 5.", name="thieu-hut")


def money_chart(lines: tuple[LineMoney, ...], year: int, today: date) -> charts.Chart:
    """Allocated and disbursed money of ``year`` by budget line, to ``today`` (bars, triệu
    đồng)."""
    return charts.Chart(
        charts.BAR, f"Giải ngân theo nguồn vốn năm {year}",
        tuple(line.name for line in lines),
        (charts.Series("Vốn được giao", tuple(Decimal(in_unit(line.allocated, MONEY_UNIT))
                                             for line in lines)),
         charts.Series("Đã giải ngân", tuple(Decimal(in_unit(line.disbursed, MONEY_UNIT))
                                            for line in lines))),
        "triệu đồng", horizontal=True,
        note=f"Số liệu đến ngày {format_date(today)}; vốn được giao gồm vốn năm trước "
             "chuyển sang.", name="giai-ngan")


# -- an office ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneResult:
    """One commune an office holds: its current round, the result at its end, its reviews
    still to do, and its money of the year.

    Attributes:
        not_reviewed, drafts: active households without a review in the round, and draft
            reviews (``None`` without a round)
        allocated, disbursed: đồng of ``money_year`` for the commune, as its home screen
            adds them up
    """

    commune: dict
    round: dict | None
    rates: Rates | None
    counts: rules.ResultCounts | None
    not_reviewed: int | None = None
    drafts: int | None = None
    allocated: int = 0
    disbursed: int = 0

    @property
    def disbursed_share(self) -> Decimal | None:
        return disbursed_share(self.allocated, self.disbursed)


def _review_counts(db: Database, commune: str, round_id: str) -> tuple[int, int]:
    """Active households of the commune without a review in the round; draft reviews."""
    not_reviewed = db.execute(
        "SELECT count(*) FROM household h WHERE h.owner_unit = ? AND h.deleted = 0 AND "
        "h.status = 'active' AND NOT EXISTS (SELECT 1 FROM household_review r WHERE "
        "r.household_id = h.id AND r.round_id = ? AND r.deleted = 0)",
        [commune, round_id]).fetchone()[0]
    drafts = db.execute("SELECT count(*) FROM household_review WHERE round_id = ? AND "
                        "deleted = 0 AND status = 'draft'", [round_id]).fetchone()[0]
    return not_reviewed, drafts


def office_results(db: Database, *, today: date | None = None) -> list[CommuneResult]:
    """The result of each commune under the office, each in its own current round, as the
    office's Báo cáo 1 counts it (a row per commune)."""
    today = today or date.today()
    office = sites.require_site(db).unit_code
    out = []
    for commune in progress.office_communes(db, office):
        round_ = reviews.current_round(db, commune["code"], today)
        counted = _count(db, commune["code"], round_, today)
        counts = _total(counted.counts) if counted else None
        todo = _review_counts(db, commune["code"], round_["id"]) if round_ else (None, None)
        money = money_lines(db, commune["code"], _money_year(db, commune["code"], today), today)
        out.append(CommuneResult(commune, round_, _rates(counts, commune["name"], []), counts,
                                 *todo, allocated=sum(m.allocated for m in money),
                                 disbursed=sum(m.disbursed for m in money)))
    return out


def commune_rate_chart(results: list[CommuneResult], office: dict) -> charts.Chart:
    """Poor and near-poor rates by commune, each in its current round, with the office's
    rates from the summed counts."""
    shown = [r for r in results if r.rates is not None]
    total = rules.ResultCounts()
    for r in shown:
        total += r.counts
    years = sorted({r.round["year"] for r in shown})
    note = ("Mỗi xã theo đợt rà soát hiện tại của xã (năm " +
            ", ".join(str(y) for y in years) + "); tỷ lệ chung tính từ tổng số hộ.") \
        if years else None
    return rate_chart(COMMUNE_TITLE, [(r.commune["name"], r.rates) for r in shown],
                      _rates(total, office["name"], []) if shown else None,
                      f"Toàn {_unit_word(office)}", note=note, name="ty-le-theo-xa")
