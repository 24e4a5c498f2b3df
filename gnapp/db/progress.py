"""Report periods, their deadlines and figures, completion, and the office's roll-up
(issue 7; rules in ``gnapp.domain.progress``).

A period belongs to the unit that reports (a commune, or an office reporting upward): its
figures are ``indicator_value`` rows, one per indicator. Figures the register or the ledger
know (households and poverty counts, allocations, disbursements, projects and their
households) are computed, never typed; when the period is marked complete — only without
errors — they are stored with it (``source`` 'computed'), so the period stays as reported
and its figures travel to the office, which adds up its communes' complete periods.

Deadlines: the shipped calendar (``resources/progress/calendar.json``) per level, overridden
by the ``report_deadline`` rows an office sets for the units below it (they travel down).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from gnapp.db import programme as programme_db
from gnapp.db import sites, units
from gnapp.db.store import NotFound, Writer, WriteError, get_row, syncable_values, utc_now
from gnapp.domain import progress as rules
from gnapp.domain.canonical import rows_hash
from gnapp.domain.dates import format_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.issues import Issue
from gnapp.domain.numbers import to_decimal
from gnapp.paths import resource_dir

APPROVED, RETURNED, STALE = "approved", "returned", "stale"
STATE_LABELS = {
    rules.OPEN: "đang nhập số liệu",
    rules.COMPLETE: "đã hoàn thành, chờ cấp trên",
    RETURNED: "bị cấp trên trả lại",
    APPROVED: "đã được cấp trên phê duyệt",
    STALE: "phê duyệt đã cũ (số liệu sửa sau khi duyệt)",
}
LEVELS = ("commune", "district", "province")


# -- shipped data -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _shipped_framework() -> dict:
    return json.loads((resource_dir() / "progress" / "indicators.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _shipped_calendar() -> tuple[rules.Deadline, ...]:
    data = json.loads((resource_dir() / "progress" / "calendar.json").read_text("utf-8"))
    out = []
    for raw in data["deadlines"]:
        month, day = rules.parse_due(raw["due"])
        out.append(rules.Deadline(raw["level"], raw["kind"], month, day,
                                  raw.get("year_offset", 0), raw.get("recipient"),
                                  raw.get("basis")))
    return tuple(out)


def framework(db: Database, year: int) -> rules.Framework:
    """The indicators of ``year``: the shipped framework for the budget lines of the
    programme covering the year, with the indicators offices added (``add_indicator``)."""
    lines = [(i.code, i.label) for i in programme_db.programme_for_year(db, year).lines()]
    extra = [json.loads(r["body"]) for r in db.query(
        "SELECT body FROM indicator_def WHERE deleted = 0 ORDER BY code")]
    return rules.load_framework(_shipped_framework(), lines, extra)


def add_indicator(w: Writer, *, code: str, group: str, name: str, unit: str,
                  part_of: str | None = None, group_name: str | None = None,
                  per: str | None = None) -> dict:
    """An office adds an indicator to the framework of its units (it travels down)."""
    body = {k: v for k, v in {"code": code.strip(), "group": group.strip(), "name": name,
                              "unit": unit, "part_of": part_of, "group_name": group_name,
                              "per": per}.items() if v}
    problems = rules.validate_extra(body, _shipped_framework()["units"])
    if problems:
        raise InputError(problems[0].message, field=problems[0].field)
    existing = list(w.db.query("SELECT id FROM indicator_def WHERE owner_unit = ? AND code = ? "
                               "AND deleted = 0", [w.actor.unit_code, body["code"]]))
    values = {"code": body["code"], "body": json.dumps(body, ensure_ascii=False)}
    if existing:
        return w.update("indicator_def", existing[0]["id"], values)
    return w.insert("indicator_def", values, reason="Thêm chỉ tiêu")


# -- deadlines ------------------------------------------------------------------------------

def site_level(db: Database) -> str:
    """The level this site reports at: its unit's level (commune, district or province)."""
    unit = units.get_unit(db, sites.require_site(db).unit_code)
    level = unit["level"] if unit else "commune"
    return level if level in LEVELS else "commune"


def deadlines(db: Database, level: str | None = None) -> dict[str, rules.Deadline]:
    """Per period kind, when ``level``'s reports are due (default: this site's level): set
    by an office, else shipped."""
    level = level or site_level(db)
    found = {d.kind: d for d in _shipped_calendar() if d.level == level}
    for row in db.query("SELECT * FROM report_deadline WHERE level = ? AND deleted = 0 "
                        "ORDER BY updated_at", [level]):
        found[row["kind"]] = rules.Deadline(level, row["kind"], row["due_month"], row["due_day"],
                                            row["year_offset"], row["recipient"], row["basis"])
    return found


def set_deadline(w: Writer, *, level: str, kind: str, due: str, recipient: str | None = None,
                 basis: str | None = None, year_offset: int = 0) -> dict:
    """An office sets when ``level``'s reports of ``kind`` are due ("20/6")."""
    if level not in LEVELS:
        raise InputError(f"Cấp «{level}» không có (commune, district, province).", field="level")
    rules.period_span(kind, 2000)                 # checks the kind
    month, day = rules.parse_due(due)
    values = {"level": level, "kind": kind, "due_month": month, "due_day": day,
              "year_offset": year_offset, "recipient": recipient, "basis": basis}
    existing = list(w.db.query("SELECT id FROM report_deadline WHERE owner_unit = ? AND level = ? "
                               "AND kind = ? AND deleted = 0", [w.actor.unit_code, level, kind]))
    if existing:
        return w.update("report_deadline", existing[0]["id"], values)
    return w.insert("report_deadline", values, reason="Đặt hạn nộp báo cáo")


# -- periods --------------------------------------------------------------------------------

def _with_label(row: dict) -> dict:
    return {**row, "label": rules.period_label(row["kind"], row["year"], row["title"], row["seq"])}


def get_period(db: Database, period_id: str) -> dict:
    row = get_row(db, "report_period", period_id)
    if row is None or row["deleted"]:
        raise NotFound("Không tìm thấy kỳ báo cáo.")
    return _with_label(row)


def find_period(db: Database, unit_code: str, kind: str, year: int, seq: int = 1) -> dict | None:
    rows = list(db.query("SELECT * FROM report_period WHERE owner_unit = ? AND kind = ? AND "
                         "year = ? AND seq = ? AND deleted = 0", [unit_code, kind, year, seq]))
    return _with_label(rows[0]) if rows else None


def create_period(w: Writer, kind: str, year: int, *, title: str | None = None,
                  starts_on: date | None = None, ends_on: date | None = None,
                  due_on: date | None = None) -> dict:
    """Open a report period of this unit; its due date comes from the calendar unless given.

    :raises InputError: unknown kind, an ad hoc period without a title, dates the wrong way
        round, or a period of that kind and year that exists already
    """
    default_start, default_end = rules.period_span(kind, year)
    starts_on, ends_on = starts_on or default_start, ends_on or default_end
    if ends_on < starts_on:
        raise InputError("Ngày kết thúc kỳ báo cáo trước ngày bắt đầu.", field="ends_on")
    title = (title or "").strip() or None
    if kind == rules.AD_HOC and not title:
        raise InputError("Báo cáo đột xuất cần ghi nội dung (tiêu đề).", field="title")
    seq = 1
    unit = w.actor.unit_code
    if kind == rules.AD_HOC:
        seq = 1 + w.db.execute("SELECT coalesce(max(seq), 0) FROM report_period WHERE "
                               "owner_unit = ? AND kind = ? AND year = ?",
                               [unit, kind, year]).fetchone()[0]
    elif find_period(w.db, unit, kind, year) is not None:
        raise InputError(f"Đã có kỳ báo cáo {rules.period_label(kind, year)}.", field="kind")
    if due_on is None:
        rule = deadlines(w.db).get(kind)
        due_on = rule.due(year) if rule else None
    row = w.insert("report_period", {
        "kind": kind, "year": year, "seq": seq, "title": title,
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "due_on": due_on.isoformat() if due_on else None, "state": rules.OPEN},
        reason="Mở kỳ báo cáo")
    return _with_label(row)


def periods(db: Database, unit_code: str | None = None, *, today: date | None = None) -> list[dict]:
    """This unit's periods (or ``unit_code``'s), newest first, each with its ``label``,
    ``status`` (open, complete, returned, approved, stale), ``status_label``, the office's
    ``comment`` on a return and ``overdue`` (due and not yet complete)."""
    unit_code = unit_code or sites.require_site(db).unit_code
    today = today or date.today()
    rows = db.query("SELECT * FROM report_period WHERE owner_unit = ? AND deleted = 0 "
                    "ORDER BY year DESC, ends_on DESC, kind, seq", [unit_code])
    return [_described(db, _with_label(r), today) for r in rows]


def _described(db: Database, period: dict, today: date) -> dict:
    decision = decision_of(db, period["id"])
    state = status(db, period, decision)
    overdue = bool(period["due_on"]) and state in (rules.OPEN, RETURNED) and \
        date.fromisoformat(period["due_on"]) < today
    return {**period, "status": state, "status_label": STATE_LABELS[state],
            "comment": decision["comment"] if decision and decision["state"] == RETURNED else None,
            "overdue": overdue}


def status(db: Database, period: Mapping[str, Any], decision: Mapping[str, Any] | None) -> str:
    """The period's state as seen here, the office's decision included: a return stands
    until the unit changes the period after it (reopens it, completes it again)."""
    if decision is not None and period["state"] == rules.COMPLETE:
        if decision["state"] == APPROVED:
            current, _ = fingerprint(db, period["id"])
            return APPROVED if current == decision["fingerprint"] else STALE
        if period["updated_at"] < decision["updated_at"]:
            return RETURNED
    return period["state"]


def editable(db: Database, period: Mapping[str, Any]) -> None:
    """:raises WriteError: the period is complete (reopen it first) or approved"""
    state = status(db, period, decision_of(db, period["id"]))
    if state == APPROVED:
        raise WriteError(f"Kỳ báo cáo {period['label']} đã được cấp trên phê duyệt; không sửa "
                         "được số liệu.")
    if period["state"] == rules.COMPLETE:
        raise WriteError(f"Kỳ báo cáo {period['label']} đã hoàn thành; hãy mở lại kỳ báo cáo "
                         "để sửa số liệu.")


# -- figures --------------------------------------------------------------------------------

def _stored(db: Database, period_id: str) -> dict[str, dict]:
    return {r["indicator"]: r for r in db.query(
        "SELECT * FROM indicator_value WHERE period_id = ? AND deleted = 0", [period_id])}


def _dec(text: str | None) -> Decimal | None:
    return None if text is None or text == "" else to_decimal(text)


def figures(db: Database, period_id: str, *, today: date | None = None
            ) -> dict[str, rules.Figure]:
    """The period's figures, keyed by indicator code in framework order: typed ones as
    stored, computed ones from the data (or as stored once the period is complete), rates
    from the counts."""
    period = get_period(db, period_id)
    frame = framework(db, period["year"])
    stored = _stored(db, period_id)
    live = None if period["state"] == rules.COMPLETE else \
        computed_values(db, period, frame, today=today)
    out: dict[str, rules.Figure] = {}
    for ind in frame.for_period(period["kind"]):
        row = stored.get(ind.code)
        values = {col: _dec(row[col]) if row else None for col in rules.COLUMNS}
        computed = None
        if ind.computed:
            computed = values["actual"] if live is None else live.get(ind.code)
            values["actual"] = None
        out[ind.code] = rules.Figure(
            ind, **values, computed=computed, note=row["note"] if row else None,
            source=row["source"] if row else "typed", row_id=row["id"] if row else None,
            version=row["version"] if row else None)
    return rules.with_rates(frame, out)


def set_figure(w: Writer, period_id: str, indicator: str, *, note: str | None = None,
               **columns: Decimal | str | None) -> dict | None:
    """Set figures of one indicator (``target``, ``estimate``, ``actual``, ``stated``; text
    is parsed as typed in Vietnamese notation, ``None`` or "" clears). Returns the row.

    :raises InputError: an unknown indicator or column, a malformed figure, an actual
        figure for an indicator the data compute
    :raises WriteError: the period is complete or approved
    """
    unknown = set(columns) - set(rules.COLUMNS)
    if unknown:
        raise TypeError(f"unknown figure columns {sorted(unknown)}")
    period = get_period(w.db, period_id)
    editable(w.db, period)
    frame = framework(w.db, period["year"])
    ind = frame.require(indicator)
    values: dict[str, Any] = {}
    for column, raw in columns.items():
        if column == "actual" and not ind.typed_actual and raw not in (None, ""):
            raise InputError(f"{ind.name}: số thực hiện được tính từ dữ liệu, không nhập tay "
                             "(ghi số theo văn bản vào cột «Theo văn bản»).", field=indicator)
        value = rules.parse_figure(raw, ind, frame, column=column) if isinstance(raw, str) \
            else (None if raw is None else to_decimal(raw))
        if value is not None and value < 0:
            raise InputError(f"{ind.name} – {rules.COLUMN_LABELS[column]}: không được là số "
                             "âm.", field=indicator)
        values[column] = rules.store_text(value)
    if note is not None:
        values["note"] = note.strip() or None
    row = _stored(w.db, period_id).get(indicator)
    if row is None:
        if not any(v is not None for v in values.values()):
            return None
        return w.insert("indicator_value", {"period_id": period_id, "indicator": indicator,
                                            "source": "typed", **values},
                        reason=f"Nhập số liệu {period['label']}")
    return w.update("indicator_value", row["id"], values,
                    reason=f"Sửa số liệu {period['label']}")


def _round_counts(db: Database, unit_code: str, period: Mapping[str, Any], today: date):
    """The register's result for ``unit_code`` after the latest review round that ended by
    the period's end (the 6-month report gives the result of last year's review), or
    ``None`` without one."""
    from gnapp.db import report_data
    from gnapp.domain.report_rules import ResultCounts

    years = [r["year"] for r in db.query(
        "SELECT year FROM review_round WHERE owner_unit = ? AND deleted = 0 AND kind != "
        "'regular' AND ends_on <= ? ORDER BY ends_on DESC LIMIT 1",
        [unit_code, period["ends_on"]])]
    if not years:
        return None
    scope = report_data.resolve_scope(db, round_year=years[0], unit_code=unit_code, today=today,
                                      office=True)
    total = ResultCounts()
    for counts in report_data.result_counts(db, scope).values():
        total += counts
    return total


def computed_values(db: Database, period: Mapping[str, Any], frame: rules.Framework, *,
                    today: date | None = None) -> dict[str, Decimal]:
    """The figures the register and the ledger give for the period's unit."""
    today = today or date.today()
    unit = period["owner_unit"]
    out: dict[str, Decimal] = {}
    wanted = [i for i in frame.indicators if i.computed]
    if any(":" not in i.computed for i in wanted):
        counts = _round_counts(db, unit, period, today)
        if counts is not None:
            for ind in wanted:
                if ":" not in ind.computed:
                    out[ind.code] = Decimal(getattr(counts, ind.computed))
    money = line_money(db, unit, period["year"], period["ends_on"])
    projects = _line_projects(db, unit, period)
    for ind in wanted:
        if ":" not in ind.computed:
            continue
        what, line = ind.computed.split(":", 1)
        if what in ("allocated", "disbursed"):
            out[ind.code] = Decimal(money.get(line, {}).get(what, 0))
        elif what in ("projects", "participants"):
            out[ind.code] = Decimal(projects.get(line, {}).get(what, 0))
    return out


def line_money(db: Database, unit: str, year: int, up_to: str) -> dict[str, dict[str, int]]:
    """Per budget line, the money allocated to the unit in ``year`` (carry-overs included)
    and paid out of it by the day ``up_to`` (ISO), e.g. a period's end."""
    out: dict[str, dict[str, int]] = {}
    for row in db.query(
            "SELECT l.line_code, sum(l.amount) AS allocated, (SELECT coalesce(sum(p.amount), 0) "
            "FROM disbursement p JOIN allocation_line x ON x.id = p.allocation_line_id "
            "JOIN allocation_decision y ON y.id = x.decision_id WHERE p.deleted = 0 AND "
            "x.deleted = 0 AND y.deleted = 0 AND x.line_code = l.line_code AND y.year = ? AND "
            "(x.recipient_unit = ? OR x.owner_unit = ?) AND p.paid_on <= ?) AS disbursed "
            "FROM allocation_line l JOIN allocation_decision d ON d.id = l.decision_id "
            "WHERE l.deleted = 0 AND d.deleted = 0 AND d.year = ? AND (l.recipient_unit = ? OR "
            "l.owner_unit = ?) GROUP BY l.line_code",
            [year, unit, unit, up_to, year, unit, unit]):
        out[row["line_code"]] = {"allocated": row["allocated"], "disbursed": row["disbursed"]}
    return out


def _line_projects(db: Database, unit: str, period: Mapping[str, Any]
                   ) -> dict[str, dict[str, int]]:
    """Per budget line, the unit's livelihood projects running in the period (started by its
    end, not ended before its start) and their participating households."""
    out: dict[str, dict[str, int]] = {}
    for row in db.query(
            "SELECT p.line_code, count(DISTINCT p.id) AS projects, count(DISTINCT x.household_id) "
            "AS participants FROM livelihood_project p LEFT JOIN project_participant x ON "
            "x.project_id = p.id AND x.deleted = 0 WHERE p.deleted = 0 AND p.owner_unit = ? AND "
            "coalesce(p.starts_on, printf('%04d-01-01', p.year), '0000') <= ? AND "
            "coalesce(p.ends_on, '9999') >= ? AND coalesce(p.year, ?) <= ? "
            "GROUP BY p.line_code",
            [unit, period["ends_on"], period["starts_on"], period["year"], period["year"]]):
        out[row["line_code"]] = {"projects": row["projects"], "participants": row["participants"]}
    return out


def previous_values(db: Database, period: Mapping[str, Any]) -> dict[str, Decimal]:
    """The reported figures of the same period of the year before (for year-on-year checks)."""
    before = find_period(db, period["owner_unit"], period["kind"], period["year"] - 1,
                         period["seq"])
    if before is None:
        return {}
    return {code: f.value for code, f in figures(db, before["id"]).items()
            if f.value is not None}


def check_period(db: Database, period_id: str, *, today: date | None = None,
                 found: Mapping[str, rules.Figure] | None = None) -> list[Issue]:
    """The errors and warnings of a period's figures (``found``: the figures when the caller
    has them already, so that the register is not counted twice)."""
    period = get_period(db, period_id)
    if found is None:
        found = figures(db, period_id, today=today)
    return rules.check_figures(framework(db, period["year"]), found,
                               previous_values(db, period), period["kind"])


def complete_period(w: Writer, period_id: str, *, today: date | None = None) -> dict:
    """Mark the period complete: only without errors. The computed figures are stored with
    it (``source`` 'computed') so that it stays as reported and travels to the office.

    :raises WriteError: the errors, listed
    """
    period = get_period(w.db, period_id)
    editable(w.db, period)
    current = figures(w.db, period_id, today=today)
    errors = [i for i in check_period(w.db, period_id, found=current) if i.severity == "error"]
    if errors:
        lines = "\n".join(f"- {i.message}" for i in errors[:10])
        more = f"\n(và {len(errors) - 10} lỗi khác)" if len(errors) > 10 else ""
        raise WriteError(f"Chưa thể hoàn thành kỳ báo cáo {period['label']}: còn "
                         f"{len(errors)} lỗi.\n{lines}{more}")

    def run(w: Writer) -> dict:
        stored = _stored(w.db, period_id)
        for code, figure in current.items():
            if not figure.indicator.computed:
                continue
            value = rules.store_text(figure.computed)
            row = stored.get(code)
            if row is None:
                if value is not None:
                    w.insert("indicator_value", {"period_id": period_id, "indicator": code,
                                                 "actual": value, "source": "computed"})
            elif row["actual"] != value or row["source"] != "computed":
                w.update("indicator_value", row["id"], {"actual": value, "source": "computed"})
        return w.update("report_period", period_id, {
            "state": rules.COMPLETE, "completed_on": utc_now(),
            "completed_by": w.actor.user}, reason="Hoàn thành kỳ báo cáo")

    return _with_label(w.transact(run).result)


def reopen_period(w: Writer, period_id: str, *, reason: str) -> dict:
    """Open a complete period again to correct it (the reason is audited); its computed
    figures follow the data again until it is completed anew."""
    if not (reason or "").strip():
        raise InputError("Cần ghi lý do mở lại kỳ báo cáo.", field="reason")
    period = get_period(w.db, period_id)
    if status(w.db, period, decision_of(w.db, period_id)) == APPROVED:
        raise WriteError(f"Kỳ báo cáo {period['label']} đã được cấp trên phê duyệt; không mở "
                         "lại được.")
    if period["state"] != rules.COMPLETE:
        raise WriteError(f"Kỳ báo cáo {period['label']} đang mở.")
    return _with_label(w.update("report_period", period_id, {
        "state": rules.OPEN, "completed_on": None, "completed_by": None},
        reason=reason.strip()))


# -- the office's decision ------------------------------------------------------------------

def fingerprint(db: Database, period_id: str) -> tuple[str, int]:
    """The hash of the period's figures as they travel, and how many rows there are."""
    rows = [syncable_values("indicator_value", r) for r in db.query(
        "SELECT * FROM indicator_value WHERE period_id = ? AND deleted = 0 ORDER BY id",
        [period_id])]
    return rows_hash(rows), len(rows)


def decision_of(db: Database, period_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM period_decision WHERE period_id = ? AND deleted = 0",
                         [period_id]))
    return rows[0] if rows else None


def _lock_reason(decision: Mapping[str, Any]) -> str:
    return (f"kỳ báo cáo đã được cấp trên phê duyệt ngày "
            f"{format_date(date.fromisoformat(decision['decided_on'][:10]))} "
            f"(mã {decision['period_id'][-8:]})")


def refresh_locks(db: Database, new: Mapping[str, Any], old: Mapping[str, Any] | None) -> None:
    """Keep the locks of an approved period's rows in step with its decision."""
    if old is not None and old["state"] == APPROVED:
        db.execute("DELETE FROM row_lock WHERE reason = ?", [_lock_reason(old)])
    period = get_row(db, "report_period", new["period_id"])
    if new["state"] != APPROVED or new["deleted"] or period is None:
        return
    if status(db, period, new) != APPROVED:
        return
    ids = [("indicator_value", r["id"]) for r in db.query(
        "SELECT id FROM indicator_value WHERE period_id = ? AND deleted = 0", [period["id"]])]
    ids.append(("report_period", period["id"]))
    db.conn.executemany("INSERT OR IGNORE INTO row_lock (table_name, row_id, reason, locked_at) "
                        "VALUES (?, ?, ?, ?)",
                        [(t, i, _lock_reason(new), utc_now()) for t, i in ids])


# -- roll-up at an office -------------------------------------------------------------------

def office_communes(db: Database, office_code: str) -> list[dict]:
    """The communes under an office: directly, or through its districts (legacy)."""
    found = units.children(db, office_code, level="commune")
    for district in units.children(db, office_code, level="district"):
        found += units.children(db, district["code"], level="commune")
    return found


@dataclass(frozen=True)
class Rollup:
    """An office's communes for one period: the figures of those that completed it, added
    up, and those still missing (no period, or not complete) with the reason."""

    kind: str
    year: int
    label: str
    included: tuple[dict, ...]
    missing: tuple[tuple[dict, str], ...]
    totals: dict[str, rules.Figure]
    by_commune: dict[str, dict[str, rules.Figure]]


def commune_states(db: Database, kind: str, year: int, *, office_code: str | None = None
                   ) -> tuple[list[dict], list[tuple[dict, str]]]:
    """The office's communes for the period ``kind`` of ``year``: those whose period is
    complete (each with its ``period`` and ``status``) and those still missing, with the
    reason.

    :raises GnappError: not an office's site
    """
    site = sites.require_site(db)
    if office_code is None:
        if site.role != "office":
            raise GnappError("Tổng hợp số liệu các xã chỉ làm trên máy của cơ quan cấp trên.")
        office_code = site.unit_code
    rules.period_span(kind, year)
    included, missing = [], []
    for commune in office_communes(db, office_code):
        period = find_period(db, commune["code"], kind, year)
        if period is None:
            missing.append((commune, "chưa nhận được kỳ báo cáo"))
            continue
        state = status(db, period, decision_of(db, period["id"]))
        if state in (rules.OPEN, RETURNED):
            missing.append((commune, STATE_LABELS[state]))
            continue
        included.append({**commune, "period": period, "status": state})
    return included, missing


def rollup(db: Database, kind: str, year: int, *, office_code: str | None = None,
           today: date | None = None) -> Rollup:
    """Add up the figures of the office's communes for the period ``kind`` of ``year``.

    :raises GnappError: not an office's site
    """
    included, missing = commune_states(db, kind, year, office_code=office_code)
    by_commune = {c["code"]: figures(db, c["period"]["id"], today=today) for c in included}
    totals = rules.add_figures(framework(db, year), by_commune.values())
    return Rollup(kind, year, rules.period_label(kind, year), tuple(included), tuple(missing),
                  totals, by_commune)


# -- what is due ----------------------------------------------------------------------------

def due_list(db: Database, unit_code: str | None = None, *, today: date | None = None
             ) -> list[dict]:
    """This unit's periods (or ``unit_code``'s) not yet complete, soonest due first (overdue
    ones flagged), for the home screen."""
    today = today or date.today()
    rows = [p for p in periods(db, unit_code, today=today)
            if p["status"] in (rules.OPEN, RETURNED)]
    return sorted(rows, key=lambda p: (p["due_on"] or "9999", p["label"]))
