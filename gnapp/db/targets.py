"""Poverty targets per unit and year (``poverty_target``): imported from a plan's annex
table, assigned by hand, checked, and compared with the results of the review rounds.

The rules (rates, sums, the two-part rate check, the plan's goals) are in
``gnapp.domain.targets``; this module reads and writes the rows, always through ``Writer``.
Rows belong to the unit of the site that writes them (an office for the targets it sets for
its communes, SYNC.md §1); a plan is named by its document ("58/KH-UBND").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import report_data, sites, units
from gnapp.db.store import Writer
from gnapp.domain import targets as tg
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.jsonfile import read_json
from gnapp.domain.numbers import parse_file_number
from gnapp.domain.targets import PlanCheck, PlanGoals, TargetRow
from gnapp.domain.text import clean, fold
from gnapp.domain.units import place_name

TABLE = "poverty_target"
# The plan a target set by hand belongs to when none is named.
ASSIGNED_PLAN = "Giao chỉ tiêu hằng năm"
# A document's own total row, by its folded label.
TOTAL_LABELS = {"tong", "tong cong", "cong", "tong so", "toan huyen", "toan tinh", "toan xa"}
# Column headers (folded, "_" as space) and the field each gives.
_HEADERS = {
    "stt printed": "row_no", "stt": "row_no", "tt": "row_no", "so thu tu": "row_no",
    "unit name": "unit_name", "unit": "unit_name", "don vi": "unit_name",
    "ten don vi": "unit_name", "xa thi tran": "unit_name", "xa": "unit_name",
    "year": "year", "nam": "year",
    "households": "households", "so ho": "households", "tong so ho": "households",
    "poor households": "poor_households", "so ho ngheo": "poor_households",
    "ho ngheo": "poor_households",
    "rate printed": "rate", "rate": "rate", "ty le": "rate", "ty le ho ngheo": "rate",
    "ty le ho ngheo %": "rate", "ty le %": "rate",
}
_REQUIRED = {"unit_name": "unit_name / Đơn vị", "year": "year / Năm",
             "households": "households / Số hộ", "poor_households": "poor_households / Số hộ "
             "nghèo"}
_TOWN_WORDS = ("tt", "tt.", "thi tran")


def _folded_header(text: Any) -> str:
    raw = fold(str(text or "")) or ""
    raw = raw.replace("_", " ").replace("(", " ").replace(")", " ")
    return " ".join(raw.split())


# -- reading a file ----------------------------------------------------------------------------

@dataclass
class TargetsFile:
    """Rows read from a file and checked, not stored yet (``row_kind`` unit or stated_total)."""

    path: Path
    rows: list[dict]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def unit_rows(self) -> list[dict]:
        return [r for r in self.rows if r["row_kind"] == "unit"]

    @property
    def stated_rows(self) -> list[dict]:
        return [r for r in self.rows if r["row_kind"] == "stated_total"]


def _read_csv(path: Path) -> list[list[str]]:
    if not path.exists():
        raise InputError(f"Không có tệp {path}")
    if path.suffix.lower() != ".csv":
        raise InputError(f"Tệp chỉ tiêu phải là .csv: {path.name}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [row for row in csv.reader(f)]
    except UnicodeDecodeError:
        raise InputError("Tệp CSV phải mã hóa UTF-8", source=path.name) from None


def _whole(text: str, name: str, row: int, source: str, label: str) -> int | None:
    value = parse_file_number(text, field=name, row=row, source=source)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise InputError(f"{label} «{text}» phải là số nguyên không âm", field=name, row=row,
                         source=source)
    return int(value)


def read_file(path: str | Path) -> TargetsFile:
    """Read and check a targets table (.csv with the columns of ``tan_yen_2015_2020.csv``:
    ``stt_printed, unit_name, year, households, poor_households, rate_printed``, or their
    Vietnamese names). A row whose unit is "Tổng" / "Tổng cộng" is the document's own total
    row. Every bad cell is reported with file, row and column; any error refuses the file.

    :raises InputError: the problems, one per line of the message
    """
    path = Path(path)
    name = path.name
    table = _read_csv(path)
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise InputError("Tệp không có dòng nào", source=name)
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for i, head in enumerate(table[0]):
        target = _HEADERS.get(_folded_header(head))
        if target is None:
            if head.strip():
                ignored.append(head.strip())
            continue
        if target in columns:
            raise InputError(f"Cột «{head.strip()}» trùng ý nghĩa với một cột khác", source=name)
        columns[target] = i
    missing = [label for key, label in _REQUIRED.items() if key not in columns]
    if missing:
        raise InputError("Thiếu cột " + ", ".join(f"«{m}»" for m in missing), source=name)
    problems: list[str] = []
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    order: dict[str, int] = {}
    for n, raw in enumerate(table[1:], start=2):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue

        def cell(key: str) -> str:
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        unit_name = clean(cell("unit_name")) or ""
        row: dict[str, Any] = {"row": n, "row_no": clean(cell("row_no")) or None,
                               "unit_name": unit_name}
        try:
            if not unit_name:
                raise InputError("Thiếu tên đơn vị", field="unit_name", row=n, source=name)
            row["row_kind"] = ("stated_total" if _folded_header(unit_name) in TOTAL_LABELS
                               else "unit")
            year = _whole(cell("year"), "year", n, name, "Năm")
            if year is None or not tg.MIN_YEAR <= year <= tg.MAX_YEAR:
                raise InputError(f"Năm «{cell('year')}» phải từ {tg.MIN_YEAR} đến "
                                 f"{tg.MAX_YEAR}", field="year", row=n, source=name)
            row["year"] = year
            row["households"] = _whole(cell("households"), "households", n, name, "Số hộ")
            row["poor_households"] = _whole(cell("poor_households"), "poor_households", n,
                                            name, "Số hộ nghèo")
            for key, label in (("households", "Thiếu tổng số hộ"),
                               ("poor_households", "Thiếu số hộ nghèo")):
                if row[key] is None:
                    raise InputError(label, field=key, row=n, source=name)
            if row["poor_households"] > row["households"]:
                raise InputError(f"Số hộ nghèo {row['poor_households']} lớn hơn tổng số hộ "
                                 f"{row['households']}", field="poor_households", row=n,
                                 source=name)
            rate_text = cell("rate")
            row["rate"] = None
            if rate_text:
                rate_column = table[0][columns["rate"]].strip()
                tg.parse_rate(rate_text.replace(",", "."), field=rate_column, row=n,
                              source=name)
                row["rate"] = rate_text.replace(",", ".")
        except InputError as exc:
            problems.append(str(exc))
            continue
        key = (row["row_kind"], fold(unit_name), row["year"])
        if key in seen:
            problems.append(str(InputError(f"trùng với dòng {seen[key]} (cùng đơn vị "
                                           f"«{unit_name}», năm {row['year']})",
                                           field="unit_name", row=n, source=name)))
            continue
        seen[key] = n
        order.setdefault(fold(unit_name), len(order) + 1)
        row["position"] = order[fold(unit_name)]
        out.append(row)
    if problems:
        raise InputError("\n".join(problems))
    if not out:
        raise InputError("Tệp không có dòng số liệu nào", source=name)
    return TargetsFile(path, out, ignored)


# -- matching printed names to units ------------------------------------------------------------

def _split_printed(name: str) -> tuple[bool | None, str]:
    """(is a town, folded place name) of a printed unit name ("TT Nhã Nam" → (True, "nha nam"))."""
    folded = fold(name) or ""
    for word in _TOWN_WORDS:
        if folded.startswith(word + " "):
            return True, folded[len(word) + 1:].strip()
    for word in ("xa", "phuong"):
        if folded.startswith(word + " "):
            return False, folded[len(word) + 1:].strip()
    return None, folded


class UnitMatcher:
    """Finds the unit a printed name stands for among the communes under the site's unit
    (directly, or through a legacy district) valid in the row's year; diacritics, case and
    the type word are ignored, "TT" stands for "thị trấn". Nothing is guessed: a name that
    fits no unit or more than one is kept as printed."""

    def __init__(self, db: Database):
        site = sites.require_site(db)
        own = [r["id"] for r in db.query(
            "SELECT id FROM admin_unit WHERE code = ? AND deleted = 0", [site.unit_code])]
        marks = ", ".join("?" for _ in own) or "NULL"
        if site.role == "office":
            sql = ("SELECT u.* FROM admin_unit u LEFT JOIN admin_unit p ON p.id = u.parent_id "
                   f"WHERE u.deleted = 0 AND u.level = 'commune' AND (u.parent_id IN ({marks}) "
                   f"OR p.parent_id IN ({marks}))")
            found = list(db.query(sql, own + own))
        else:
            found = list(db.query(f"SELECT * FROM admin_unit WHERE id IN ({marks})", own))
        self.units = [(u, u["type"] == "thị trấn", fold(place_name(u["name"])) or "")
                      for u in found]

    def match(self, name: str, year: int) -> dict | None:
        town, place = _split_printed(name)
        first, last = f"{year}-01-01", f"{year}-12-31"
        valid = [(u, is_town) for u, is_town, key in self.units if key == place
                 and u["valid_from"] <= last and (u["valid_to"] is None or u["valid_to"] >= first)]
        if town is not None:
            valid = [(u, t) for u, t in valid if t == town]
        elif len(valid) > 1:
            valid = [(u, t) for u, t in valid if not t]
        codes = {u["code"] for u, _ in valid}
        return valid[0][0] if len(codes) == 1 else None


# -- importing ----------------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What an import did (or would do with ``dry_run``)."""

    file: str
    plan: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unit_rows: int = 0
    stated_rows: int = 0
    matched: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "file", "plan", "new", "updated", "unchanged", "unit_rows", "stated_rows",
            "matched", "unmatched", "ignored_columns", "dry_run")}


def _key(values: dict) -> tuple:
    return (values["row_kind"], values["unit_name"], values["year"])


def _held(db: Database, owner: str, plan: str) -> dict[tuple, dict]:
    return {_key(r): r for r in db.query(
        f"SELECT * FROM {TABLE} WHERE owner_unit = ? AND plan = ? AND deleted = 0",
        [owner, plan])}


_STORED = ("row_kind", "unit_code", "unit_name", "row_no", "position", "year", "households",
           "poor_households", "rate", "rate_first")


def _plan_name(plan: str | None) -> str:
    name = clean(plan)
    if not name:
        raise InputError("Cần ghi kế hoạch (văn bản) của các chỉ tiêu, ví dụ --plan "
                         "58/KH-UBND", field="plan")
    return name


def import_file(writer: Writer, path: str | Path, *, plan: str,
                dry_run: bool = False) -> ImportReport:
    """Import a targets table into ``plan``, in one transaction: a row already held (same
    plan, unit name and year) is updated, never duplicated; unit names are matched to the
    units under the site's unit where they exist (``UnitMatcher``) and kept as printed.
    Counts are stored; the printed rate is kept as a stated value; a rate that only the rate
    part of the rule disagrees with is marked fixed first (``rate_first``).

    :raises InputError: bad file (nothing is written)
    """
    plan = _plan_name(plan)
    db = writer.db
    read = read_file(path)
    matcher = UnitMatcher(db)
    report = ImportReport(Path(path).name, plan, ignored_columns=read.ignored_columns,
                          dry_run=dry_run, unit_rows=len(read.unit_rows),
                          stated_rows=len(read.stated_rows))
    planned: list[tuple[dict, dict | None]] = []
    held = _held(db, writer.actor.unit_code, plan)
    for row in read.rows:
        unit = matcher.match(row["unit_name"], row["year"]) if row["row_kind"] == "unit" \
            else None
        if row["row_kind"] == "unit":
            if unit is not None:
                report.matched[row["unit_name"]] = unit["code"]
            elif row["unit_name"] not in report.unmatched:
                report.unmatched.append(row["unit_name"])
        target = TargetRow(row["unit_name"], row["year"], row["households"],
                           row["poor_households"],
                           Decimal(row["rate"]) if row["rate"] else None, row["rate"])
        values = {"plan": plan, "row_kind": row["row_kind"],
                  "unit_code": unit["code"] if unit else None, "unit_name": row["unit_name"],
                  "row_no": row["row_no"], "position": row["position"], "year": row["year"],
                  "households": row["households"], "poor_households": row["poor_households"],
                  "rate": row["rate"],
                  "rate_first": int(tg.classify(target) == tg.RATE_FIRST
                                    and row["row_kind"] == "unit")}
        problems = tg.check_row(values)
        if problems:
            raise InputError("; ".join(i.message for i in problems), row=row["row"],
                             source=report.file)
        old = held.get(_key(values))
        if old is None:
            report.new += 1
        elif any(old[k] != values[k] for k in _STORED):
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        planned.append((values, old))
    if dry_run or not planned:
        return report

    def run(w: Writer) -> None:
        for values, old in planned:
            if old is None:
                w.insert(TABLE, values, reason=f"Nhập chỉ tiêu từ {report.file}")
            else:
                w.update(TABLE, old["id"], {k: values[k] for k in _STORED},
                         reason=f"Nhập chỉ tiêu từ {report.file}")

    writer.transact(run)
    return report


# -- reading back -------------------------------------------------------------------------------

def _target(row: dict) -> TargetRow:
    return TargetRow(
        unit_name=row["unit_name"], year=row["year"], households=row["households"],
        poor_households=row["poor_households"],
        rate=Decimal(row["rate"]) if row["rate"] not in (None, "") else None,
        rate_text=row["rate"], rate_first=bool(row["rate_first"]), unit_code=row["unit_code"],
        row_no=row["row_no"], position=row["position"])


def plans(db: Database) -> list[dict]:
    """The plans with targets held here: name, owner, units, years, rows, document totals."""
    return list(db.query(
        f"SELECT plan, owner_unit, count(DISTINCT CASE WHEN row_kind = 'unit' THEN unit_name "
        "END) AS units, min(year) AS first_year, max(year) AS last_year, "
        "sum(row_kind = 'unit') AS rows, sum(row_kind = 'stated_total') AS stated, "
        f"max(updated_at) AS updated_at FROM {TABLE} WHERE deleted = 0 "
        "GROUP BY plan, owner_unit ORDER BY max(updated_at) DESC"))


def plan_rows(db: Database, plan: str) -> tuple[list[TargetRow], list[TargetRow]]:
    """The unit rows (in the document's order, years ascending) and the document's total
    rows of ``plan``.

    :raises InputError: no targets of that plan
    """
    plan = _plan_name(plan)
    rows = list(db.query(f"SELECT * FROM {TABLE} WHERE plan = ? AND deleted = 0 "
                         "ORDER BY position, unit_name, year", [plan]))
    if not rows:
        raise InputError(f"Không có chỉ tiêu nào của kế hoạch «{plan}» (xem «gnapp targets "
                         "list»).", field="plan")
    units_ = [_target(r) for r in rows if r["row_kind"] == "unit"]
    stated = [_target(r) for r in rows if r["row_kind"] == "stated_total"]
    return units_, stated


def read_goals(path: str | Path) -> PlanGoals:
    """The text goals of a plan from a JSON file (``PlanGoals.from_dict``).

    :raises InputError: unreadable file or a bad value
    """
    data, name = read_json(path), Path(path).name
    if not isinstance(data, dict):
        raise InputError("Tệp mục tiêu phải là một đối tượng JSON", source=name)
    return PlanGoals.from_dict(data, source=name)


def check(db: Database, plan: str, goals: PlanGoals | None = None) -> PlanCheck:
    """Every check of a plan's table (``domain.targets.check_plan``)."""
    rows, stated = plan_rows(db, plan)
    return tg.check_plan(_plan_name(plan), rows, stated, goals)


# -- a target set by hand -----------------------------------------------------------------------

def _commune(db: Database, unit_code: str, year: int) -> dict:
    """The commune ``unit_code`` names, checked to be the site's own or under its office."""
    site = sites.require_site(db)
    code = (unit_code or "").strip()
    unit = units.get_unit(db, code, at=f"{year}-12-31") or units.get_unit(db, code)
    if unit is None or unit["level"] != "commune":
        raise InputError(f"«{unit_code}» không phải mã của một xã, phường, thị trấn.",
                         field="unit")
    if site.role == "commune":
        if unit["code"] != site.unit_code:
            raise InputError(f"Máy của xã chỉ ghi chỉ tiêu của chính xã ({site.unit_code}), "
                             f"không ghi cho {unit['name']}.", field="unit")
        return unit
    ancestors = []
    parent_id = unit["parent_id"]
    for _ in range(3):
        if parent_id is None:
            break
        parent = next(iter(db.query("SELECT id, code, parent_id FROM admin_unit WHERE id = ?",
                                    [parent_id])), None)
        if parent is None:
            break
        ancestors.append(parent["code"])
        parent_id = parent["parent_id"]
    if site.unit_code not in ancestors:
        raise InputError(f"{unit['name']} ({unit['code']}) không thuộc đơn vị của máy này "
                         f"({site.unit_code}).", field="unit")
    return unit


def set_target(writer: Writer, unit_code: str, year: int, *, households: int,
               poor_households: int | None = None, rate: str | Decimal | None = None,
               plan: str | None = None) -> dict:
    """Assign a commune's target for a year: households and either the poor households
    (the rate follows from the counts) or the rate, fixed first (the count is derived:
    half up of rate × households ÷ 100, and ``rate_first`` is set). A target already held
    for the same plan, unit and year is updated.

    :raises InputError: a unit not the site's own or under its office, bad numbers, both or
        neither of ``poor_households`` and ``rate``
    """
    plan = _plan_name(plan or ASSIGNED_PLAN)
    if (poor_households is None) == (rate is None):
        raise InputError("Ghi số hộ nghèo hoặc tỷ lệ hộ nghèo (một trong hai): khi đặt tỷ lệ "
                         "trước, số hộ nghèo được tính từ tỷ lệ.", field="poor_households")
    if isinstance(households, bool) or not isinstance(households, int) or households <= 0:
        raise InputError("Tổng số hộ phải là số nguyên dương.", field="households")
    db = writer.db
    unit = _commune(db, unit_code, year)
    values: dict[str, Any] = {"plan": plan, "row_kind": "unit", "unit_code": unit["code"],
                              "unit_name": unit["name"], "year": year,
                              "households": households}
    if rate is not None:
        given = tg.parse_rate(rate)
        values.update(poor_households=tg.derive_poor(given, households), rate=str(given),
                      rate_first=1)
    else:
        values.update(poor_households=poor_households, rate=None, rate_first=0)
    problems = [i for i in tg.check_row(values) if i.severity == "error"]
    if problems:
        raise InputError("; ".join(i.message for i in problems))
    old = _held(db, writer.actor.unit_code, plan).get(_key(values))

    def run(w: Writer) -> dict:
        if old is None:
            position = db.execute(f"SELECT coalesce(max(position), 0) + 1 FROM {TABLE} WHERE "
                                  "plan = ? AND deleted = 0", [plan]).fetchone()[0]
            same = db.execute(f"SELECT position FROM {TABLE} WHERE plan = ? AND unit_name = ? "
                              "AND deleted = 0 LIMIT 1", [plan, unit["name"]]).fetchone()
            return w.insert(TABLE, {**values, "position": same[0] if same else position},
                            reason="Giao chỉ tiêu giảm nghèo")
        return w.update(TABLE, old["id"], values, reason="Sửa chỉ tiêu giảm nghèo")

    return writer.transact(run).result


# -- target against result ----------------------------------------------------------------------

def _results(db: Database, year: int, unit_code: str | None
             ) -> tuple[dict[str, tuple[dict, int, int]], list[dict]]:
    """Households and poor households of each commune at the end of its round of ``year``
    (the register's review), and the communes without such a round."""
    try:
        scope = report_data.resolve_scope(db, round_year=year, unit_code=unit_code, office=True)
    except GnappError:
        return {}, []
    if scope.unit["level"] == "village":
        raise InputError("So sánh chỉ tiêu theo xã, không theo thôn.", field="unit")
    counts = report_data.result_counts(db, scope)
    out = {}
    for part in scope.parts:
        households = sum(counts[v["id"]].households for v in part.villages if v["id"] in counts)
        poor = sum(counts[v["id"]].poor_households for v in part.villages if v["id"] in counts)
        out[part.commune["code"]] = (part.commune, households, poor)
    return out, list(scope.missing)


def comparison(db: Database, year: int, unit_code: str | None = None,
               plan: str | None = None) -> list[tg.Comparison]:
    """Each commune's target for ``year`` beside the result of its review round of that year
    (households, poor households, rate): the site's commune, or each commune under an office
    (or the one ``unit_code`` names). Targets of units not matched to a code are left out.
    Where several plans set a target for the same commune and year, the latest written wins
    (or the one of ``plan``)."""
    site = sites.require_site(db)
    code = None
    if unit_code:
        found = units.get_unit(db, unit_code.strip(), at=f"{year}-12-31") or \
            units.get_unit(db, unit_code.strip())
        if found is None:
            raise InputError(f"Không có đơn vị mã «{unit_code}».", field="unit")
        code = found["code"]
    sql = (f"SELECT * FROM {TABLE} WHERE deleted = 0 AND row_kind = 'unit' AND year = ? "
           "AND unit_code IS NOT NULL")
    params: list[Any] = [year]
    if plan:
        sql += " AND plan = ?"
        params.append(_plan_name(plan))
    if code:
        sql += " AND unit_code = ?"
        params.append(code)
    elif site.role == "commune":
        sql += " AND unit_code = ?"
        params.append(site.unit_code)
    targets: dict[str, dict] = {}
    for row in db.query(sql + " ORDER BY updated_at", params):
        targets[row["unit_code"]] = row              # the latest written wins
    results, _missing = _results(db, year, code if code != site.unit_code else None)
    out = []
    for unit_code_ in sorted(set(targets) | set(results)):
        row = targets.get(unit_code_)
        commune, households, poor = results.get(unit_code_, (None, None, None))
        name = commune["name"] if commune else row["unit_name"]
        out.append(tg.Comparison(unit_code_, name, year, _target(row) if row else None,
                                 households, poor))
    return out
