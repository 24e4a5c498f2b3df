"""Importing a household list (XLSX, CSV, JSON) into the register: plan, then apply.

``plan_import`` is a dry run: it reads the file (``gnapp.domain.import_rows``), compares
every row with the register and gives each row exactly one category with a Vietnamese
reason; nothing is written. ``apply_import`` then writes the rows planned for writing in one
transaction, so a failure leaves nothing half-written (STYLE.md §13).

Categories (``CATEGORIES``):

- ``new``: the household code is not in the register (or, for a second review year of a
  household in the same file, the review is new);
- ``updated``: same code, same head, something differs (the fields are listed);
- ``unchanged``: the register already says the same;
- ``identical_duplicate``: the same record a second time in the file, merged into the first;
- ``conflict``: held, nothing written for it: one code used by two different households in
  the file, two different rows for the same household and year, the code in the register
  with another head, or a review that is complete or locked;
- ``flagged``: written like ``new``/``updated``, but a printed value disagrees with what
  gnapp computes (number of deprivations, B2, class under the round's standard, number of
  members): the printed value is reported, never trusted nor "corrected";
- ``refused``: the row cannot be read (bad date, unknown village, no code or head …), with
  file, row and field.

Review data go to the household's review in the periodic round of ``administrative.year``
(or of the year given for rows without one), created on apply when missing. Blank cells
never erase what the register holds; members in the register that the file does not list
are kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import reviews, sites, units
from gnapp.db.store import Changes, Writer, WriteError, get_row, last_change_seq, lock_reason
from gnapp.domain import classify as rules
from gnapp.domain import import_rows as rows_
from gnapp.domain.cancel import Progress, no_progress
from gnapp.domain.codes import AREA, CLASS, HOUSEHOLD_FLAGS, RELATION, SEX
from gnapp.domain.dates import PartialDate
from gnapp.domain.errors import InputError
from gnapp.domain.import_rows import HouseholdRecord
from gnapp.domain.numbers import format_number
from gnapp.domain.standards import standard_for
from gnapp.domain.text import fold, quoted
from gnapp.domain.units import TYPES

CATEGORIES = {
    "new": "Mới",
    "updated": "Cập nhật",
    "unchanged": "Không đổi",
    "identical_duplicate": "Trùng lặp giống hệt",
    "conflict": "Xung đột (giữ lại)",
    "flagged": "Cần xem lại",
    "refused": "Bị từ chối",
}
WRITTEN = ("new", "updated", "flagged")
PROGRESS_EVERY = 50   # rows written between two progress reports (and cancel checks)
MAPPING_ORIGINS = {"national": "mẫu xuất của phần mềm rà soát quốc gia",
                   "file": "tệp ánh xạ cột", "given": "ánh xạ cột đã chọn",
                   "suggested": "ánh xạ cột tự đoán theo tên cột"}
_MEMBER_FIELDS = {"full_name": "họ tên", "sex": "giới tính", "birth_date": "ngày sinh",
                  "ethnicity": "dân tộc", "id_number": "số CCCD/CMND",
                  "health_insurance": "thẻ BHYT", "relation": "quan hệ với chủ hộ"}
_VILLAGE_TYPES = sorted(TYPES["village"], key=len, reverse=True)


# -- the plan -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    """What applying one row writes.

    Attributes:
        household_id: the household to change; ``None``: create it (or, for a second review
            year, the household the first row of its code creates)
        village: key of the village in ``ImportPlan.villages``
        household: fields to set (new: all of them; existing: only the changes)
        head_id, head: the head's member row and its fields to set
        member_updates: (member id, changes) of members already in the register
        new_members: members to add, in file order
        on_date: the date the household is recorded as created (earliest review date)
        review_year, review: the round's year and the arguments of ``reviews.save_review``
            (``None``: no review to write)
    """

    household_id: str | None
    village: str | None = None
    household: Mapping[str, Any] = field(default_factory=dict)
    head_id: str | None = None
    head: Mapping[str, Any] = field(default_factory=dict)
    member_updates: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    new_members: tuple[Mapping[str, Any], ...] = ()
    on_date: str | None = None
    review_year: int | None = None
    review: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PlannedRow:
    """One source row, its category and why.

    Attributes:
        row: the row number in the file (JSON: the record's position)
        primary: writes the household (``False``: only an earlier year's review of it)
        changes: the fields that differ from the register (updated rows)
        disagreements: printed values that disagree with gnapp's computation
    """

    row: int
    category: str
    reason: str
    code: str | None = None
    head: str | None = None
    write: Write | None = None
    primary: bool = True
    changes: tuple[str, ...] = ()
    disagreements: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"row": self.row, "category": self.category, "code": self.code,
                "head": self.head, "reason": self.reason, "changes": list(self.changes),
                "disagreements": list(self.disagreements)}


@dataclass(frozen=True)
class ImportPlan:
    """The dry run of an import: every row of the file with its category and reason.

    Attributes:
        source, kind: file name and kind (``xlsx``, ``csv``, ``json``)
        mapping, mapping_origin: the column mapping used and where it came from
            (``MAPPING_ORIGINS``)
        ignored_columns: columns of the file that nothing is read from
        rows: one ``PlannedRow`` per source row, in file order
        villages: village key → id, ``None`` for those to create
        villages_to_create: village key → name of the villages the apply step adds
        rounds: year → id of the periodic round, ``None`` for those to create
        unit_code, change_seq: the commune and the newest change when planned (applying
            refuses a plan the database has moved on from)
    """

    source: str
    kind: str
    mapping: Mapping[str, str | None]
    mapping_origin: str
    ignored_columns: tuple[str, ...]
    rows: tuple[PlannedRow, ...]
    villages: Mapping[str, str | None]
    villages_to_create: Mapping[str, str]
    rounds: Mapping[int, str | None]
    unit_code: str
    change_seq: int

    def counts(self) -> dict[str, int]:
        found = {name: 0 for name in CATEGORIES}
        for row in self.rows:
            found[row.category] += 1
        return found

    def in_category(self, category: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.category == category]

    @property
    def has_problems(self) -> bool:
        """True when a row was refused or held as a conflict (exit status 1)."""
        return any(r.category in ("refused", "conflict") for r in self.rows)

    @property
    def rounds_to_create(self) -> list[int]:
        return sorted(y for y, r in self.rounds.items() if r is None and any(
            p.write and p.write.review is not None and p.write.review_year == y
            and p.category in WRITTEN for p in self.rows))

    def as_dict(self) -> dict:
        """The report as data: counts by category, and the rows behind each with a reason."""
        return {"source": self.source, "format": self.kind,
                "mapping": {"origin": self.mapping_origin,
                            "columns": {k: v for k, v in self.mapping.items() if v}},
                "ignored_columns": list(self.ignored_columns),
                "counts": self.counts(),
                "rows": {name: [r.as_dict() for r in self.in_category(name)]
                         for name in CATEGORIES},
                "villages_to_create": list(self.villages_to_create.values()),
                "rounds_to_create": self.rounds_to_create}


def report_lines(plan: ImportPlan) -> list[str]:
    """The report as text, one line per row, grouped by category."""
    counts = plan.counts()
    lines = [f"Tệp {plan.source} ({plan.kind.upper()}, "
             f"{MAPPING_ORIGINS[plan.mapping_origin]}): {len(plan.rows)} dòng",
             " · ".join(f"{label}: {counts[name]}" for name, label in CATEGORIES.items())]
    if plan.ignored_columns:
        lines.append("Cột không nhập: " + ", ".join(plan.ignored_columns))
    if plan.villages_to_create:
        lines.append("Thôn sẽ thêm: " + ", ".join(plan.villages_to_create.values()))
    for name, label in CATEGORIES.items():
        for r in plan.in_category(name):
            who = " ".join(x for x in (r.code, r.head) if x)
            lines.append(f"[{label}] dòng {r.row}{', ' + who if who else ''}: {r.reason}")
    return lines


# -- villages -----------------------------------------------------------------------------

def _bare(key: str) -> str:
    for word in _VILLAGE_TYPES:
        folded = fold(word)
        if key.startswith(folded + " "):
            return key[len(folded) + 1:]
    return key


def _village_type(name: str) -> str:
    lowered = name.lower()
    return next((w for w in _VILLAGE_TYPES if lowered.startswith(w + " ")), "thôn")


class _Villages:
    """The commune's villages, found by folded name with or without the type word."""

    def __init__(self, found: list[dict]):
        self.names = {v["id"]: v["name"] for v in found}
        self.full: dict[str, list[str]] = {}
        self.bare: dict[str, list[str]] = {}
        for v in found:
            key = fold(v["name"])
            self.full.setdefault(key, []).append(v["id"])
            self.bare.setdefault(_bare(key), []).append(v["id"])

    def find(self, name: str) -> list[str]:
        key = fold(name)
        return self.full.get(key) or self.bare.get(_bare(key), [])


# -- planning -----------------------------------------------------------------------------

@dataclass
class _Item:
    record: HouseholdRecord
    year: int | None
    village: str            # village key


def _choose_mapping(table: rows_.SourceTable,
                    mapping: str | Path | Mapping[str, str | None] | None
                    ) -> tuple[dict[str, str | None], str]:
    if mapping is None and rows_.is_national(table.headers):
        used, origin = dict(rows_.NATIONAL_MAPPING), "national"
    elif mapping is None:
        used, origin = dict(rows_.suggest_mapping(table.headers)), "suggested"
    elif isinstance(mapping, Mapping):
        used, origin = rows_.check_mapping(mapping, table.source), "given"
    else:
        used, origin = rows_.load_mapping(mapping), "file"
    missing = rows_.missing_required(used, table.headers)
    if missing:
        names = ", ".join(f"{t} ({rows_.TARGETS[t]})" for t in missing)
        hint = (" Tệp không theo mẫu xuất của phần mềm rà soát quốc gia: cần tệp ánh xạ cột."
                if origin == "suggested" else "")
        raise InputError(f"Không có cột nào cho trường bắt buộc: {names}.{hint}",
                         source=table.source)
    return used, origin


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _yes(value: Any) -> str:
    return {1: "Có", 0: "Không", None: "trống"}.get(value, str(value))


def _show(name: str, value: Any) -> str:
    if value is None:
        return "trống"
    if name == "sex":
        return SEX.get(value, value)
    if name == "relation":
        return RELATION.get(value, value)
    if name == "birth_date":
        try:
            return PartialDate.from_iso(value).display()
        except (InputError, ValueError):
            return str(value)
    if name == "health_insurance":
        return _yes(value)
    if name == "area":
        return AREA.get(value, value)
    return str(value)


def _member_diff(stored: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in given.items() if k != "relation" and stored.get(k) != v}


def _diff_words(who: str, changes: Mapping[str, Any], stored: Mapping[str, Any]) -> list[str]:
    return [f"{_MEMBER_FIELDS.get(k, k)} {who} ({_show(k, stored.get(k))} → {_show(k, v)})"
            for k, v in changes.items()]


def _stored_deprivations(review: Mapping | None) -> dict[str, bool | None]:
    if not review:
        return {}
    return {k: None if v is None else bool(v)
            for k, v in json.loads(review["deprivations"] or "{}").items()}


def _record_differences(a: HouseholdRecord, b: HouseholdRecord) -> list[str]:
    """What two rows of the same code say differently, in words."""
    found = []
    if fold(a.village) != fold(b.village):
        found.append("thôn")
    for name, label in _MEMBER_FIELDS.items():
        if getattr(a.head, name) != getattr(b.head, name):
            found.append(f"{label} chủ hộ")
    if (a.address, a.area, dict(a.flags)) != (b.address, b.area, dict(b.flags)):
        found.append("thông tin hộ")
    if a.members != b.members:
        found.append("danh sách thành viên")
    if a.review != b.review:
        ra, rb = a.review or rows_.ReviewRecord(), b.review or rows_.ReviewRecord()
        for attr, label in (("year", "năm rà soát"), ("review_date", "ngày rà soát"),
                            ("reviewer", "người rà soát"), ("b1_score", "điểm B1"),
                            ("deprivations", "chỉ số thiếu hụt"), ("printed_class", "phân loại"),
                            ("causes", "nguyên nhân nghèo"), ("needs", "nhu cầu hỗ trợ")):
            if getattr(ra, attr) != getattr(rb, attr):
                found.append(label)
    return found or ["cách ghi"]


@dataclass(frozen=True)
class FormerCommune:
    """The former commune (before the July 2025 merger) a file's households come from."""

    code: str
    name: str


def former_commune(db: Database, code: str, unit_code: str) -> FormerCommune:
    """The former commune of ``code``: its name from the unit list (official or legacy),
    else "xã cũ <code>".

    :raises InputError: not a commune code, or the code of this commune
    """
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 5):
        raise InputError(f"Mã xã cũ {quoted(code)} không hợp lệ: cần 5 chữ số, ví dụ 07351.",
                         field="former_unit")
    if code == unit_code:
        raise InputError("Mã xã cũ trùng mã của chính xã này.", field="former_unit")
    unit = units.get_unit(db, code)
    if unit is not None and unit["level"] != "commune":
        raise InputError(f"Mã {code} là {unit['name']}, không phải một xã.",
                         field="former_unit")
    return FormerCommune(code, unit["name"] if unit else f"xã cũ {code}")


class _Planner:
    def __init__(self, db: Database, unit_code: str, round_year: int | None,
                 create_villages: bool, villages: _Villages,
                 former: FormerCommune | None = None):
        self.db, self.unit_code, self.former = db, unit_code, former
        self.codes_given: set[str] = set()
        self.round_year, self.create_villages = round_year, create_villages
        self.villages = villages
        self.village_ids: dict[str, str | None] = {}
        self.to_create: dict[str, str] = {}
        self.rounds: dict[int, str | None] = {}
        self.standards: dict[int, str] = {}
        self.planned: dict[int, PlannedRow] = {}
        commune = units.get_unit(db, unit_code)
        self.default_area = "urban" if commune and commune["type"] in ("phường",) else "rural"
        for r in reviews.rounds(db, unit_code):
            if r["kind"] == "periodic":
                self.rounds[r["year"]] = r["id"]
                self.standards[r["year"]] = r["standard_id"]

    # -- one row at a time ----------------------------------------------------------------

    def put(self, record: HouseholdRecord | None, row: int, category: str, reason: str,
            **extra) -> None:
        self.planned[row] = PlannedRow(
            row=row, category=category, reason=reason,
            code=record.code if record else extra.pop("code", None),
            head=record.head.full_name if record else extra.pop("head", None), **extra)

    def village_of(self, record: HouseholdRecord) -> str | InputError:
        found = self.villages.find(record.village)
        if self.former is not None:     # a former commune's village renamed on a merger
            found = self.villages.find(f"{record.village} ({self.former.name})") or found
        where = {"field": record.column("village"), "row": record.row, "source": record.source}
        if len(found) > 1:
            return InputError(f"Tên thôn {quoted(record.village)} trùng với nhiều thôn của xã: "
                              f"{', '.join(self.villages.names[i] for i in found)}", **where)
        if found:
            key = f"id:{found[0]}"
            self.village_ids[key] = found[0]
            return key
        if not self.create_villages:
            return InputError(f"Không có thôn {quoted(record.village)} trong danh mục thôn của "
                              "xã: thêm thôn trước, hoặc cho phép thêm thôn mới khi nhập",
                              **where)
        key = f"new:{fold(record.village)}"
        self.to_create.setdefault(key, record.village)
        self.village_ids[key] = None
        return key

    def year_of(self, record: HouseholdRecord) -> int | None | InputError:
        review = record.review
        if review is None:
            return None
        year = review.year or self.round_year or (review.review_date.year
                                                   if review.review_date else None)
        where = {"field": record.column("review.year"), "row": record.row,
                 "source": record.source}
        if year is None:
            return InputError("Thiếu năm rà soát: tệp không ghi năm và chưa chọn năm của đợt "
                              "rà soát", **where)
        if year not in self.standards:
            try:
                self.standards[year] = standard_for(date(year + 1, 1, 1),
                                                    reviews.standards(self.db)).id
            except InputError as exc:
                return InputError(exc.message, **where)
            self.rounds.setdefault(year, None)
        return year

    # -- a household code and its rows ----------------------------------------------------

    def plan_code(self, code: str, items: list[_Item]) -> None:
        heads: dict[str, _Item] = {}
        for item in items:
            heads.setdefault(fold(item.record.head.full_name), item)
        if len(heads) > 1:
            listed = ", ".join(f"dòng {i.record.row} ({quoted(i.record.head.full_name)})"
                               for i in items)
            for item in items:
                self.put(item.record, item.record.row, "conflict",
                         f"Mã hộ {code} dùng cho {len(heads)} hộ khác nhau trong tệp: "
                         f"{listed}; giữ lại, không ghi")
            return
        distinct: list[_Item] = []
        twins: list[tuple[_Item, _Item]] = []
        for item in items:
            twin = next((d for d in distinct if d.record.same_content(item.record)), None)
            if twin:
                twins.append((item, twin))
            else:
                distinct.append(item)
        self.plan_distinct(code, distinct)
        for item, twin in twins:
            held = self.planned[twin.record.row].category in ("conflict", "refused")
            self.put(item.record, item.record.row, "identical_duplicate",
                     f"Giống hệt dòng {twin.record.row} (cùng một hộ xuất hai lần): gộp làm một"
                     + (f"; dòng {twin.record.row} không được ghi" if held else ""))

    def plan_distinct(self, code: str, distinct: list[_Item]) -> None:
        years = [d.year for d in distinct]
        if len(distinct) > 1 and (None in years or len(set(years)) != len(years)):
            a, b = distinct[0].record, distinct[1].record
            for item in distinct:
                self.put(item.record, item.record.row, "conflict",
                         f"Mã hộ {code} có {len(distinct)} dòng khác nhau cho cùng hộ và cùng "
                         f"năm rà soát (dòng {', '.join(str(d.record.row) for d in distinct)}), "
                         f"khác nhau ở: {', '.join(_record_differences(a, b))}; giữ lại, "
                         "không ghi")
            return
        distinct.sort(key=lambda d: -(d.year or 0))
        existing = (self.former_household(code) if self.former
                    else hh.find_by_code(self.db, code, self.unit_code))
        head = None
        if existing:
            head = next((m for m in hh.members(self.db, existing["id"])
                         if m["relation"] == "head"), None)
            if head and fold(head["full_name"]) != fold(distinct[0].record.head.full_name):
                for item in distinct:
                    self.put(item.record, item.record.row, "conflict",
                             f"Mã hộ {code} trong sổ hộ là hộ của {quoted(head['full_name'])}, "
                             f"tệp ghi chủ hộ {quoted(item.record.head.full_name)}: giữ lại, "
                             "không ghi")
                return
        dates = [d.record.review.review_date for d in distinct
                 if d.record.review and d.record.review.review_date]
        primary = self.plan_primary(distinct[0], existing, head, min(dates) if dates else None)
        for item in distinct[1:]:
            self.plan_secondary(item, existing, primary)

    def former_household(self, code: str) -> dict | None:
        """The household imported earlier from the former commune under ``code``."""
        rows = list(self.db.query(
            "SELECT * FROM household WHERE owner_unit = ? AND former_unit_code = ? "
            "AND former_code = ? AND deleted = 0", [self.unit_code, self.former.code, code]))
        return rows[0] if rows else None

    def new_code(self, code: str) -> str:
        """The code a former commune's household gets here: its own, or
        ``<former unit code>-<code>`` when that is taken."""
        if code in self.codes_given or hh.find_by_code(self.db, code, self.unit_code):
            code = f"{self.former.code}-{code}"
        self.codes_given.add(code)
        return code

    def plan_primary(self, item: _Item, existing: dict | None, head: dict | None,
                     first_date: date | None) -> tuple[str, bool, int] | None:
        """Plan the household itself; returns (area, farm, persons) if it will exist."""
        record = item.record
        village_name = (self.villages.names.get(self.village_ids[item.village])
                        if self.village_ids.get(item.village) else record.village)
        if existing is None:
            area = record.area or self.default_area
            fields = {"address": record.address, **record.flags}
            fields = {k: v for k, v in fields.items() if v is not None}
            persons = 1 + len(record.members)
            problems = rows_.member_problems(record.head.values(), "Chủ hộ") + [
                p for m in record.members
                for p in rows_.member_problems(m.values(), f"Thành viên {quoted(m.full_name)}")]
            if problems:
                self._refuse(record, problems)
                return None
            code, former = record.code, {}
            if self.former is not None:
                code = self.new_code(record.code)
                former = {"former_unit_code": self.former.code, "former_code": record.code}
            write = Write(household_id=None, village=item.village,
                          household={"area": area, "code": code, **fields, **former},
                          head={k: v for k, v in record.head.values().items()
                                if k != "relation"},
                          new_members=tuple(m.values() for m in record.members),
                          on_date=_iso(first_date))
            changes: list[str] = []
            base = (f"Hộ mới {code}: chủ hộ {record.head.full_name}, {village_name}, "
                    f"{persons} nhân khẩu")
            if code != record.code:
                base += (f" (mã {record.code} của {self.former.name} đã có ở xã này: đổi thành "
                         f"{code}, giữ mã cũ)")
            elif self.former is not None:
                base += f" (thuộc {self.former.name})"
        else:
            area = record.area or existing["area"]
            household, labels = self._household_changes(item, existing, village_name)
            head_changes = _member_diff(head or {}, record.head.values())
            labels += _diff_words("chủ hộ", head_changes, head or {})
            updates, added, notes, errors = self._member_changes(record, existing["id"])
            labels += [f"sửa {w}" for w in notes] + [f"thêm thành viên {quoted(m['full_name'])}"
                                                    for m in added]
            problems = errors + rows_.member_problems({**(head or {}), **head_changes},
                                                      "Chủ hộ") + [
                p for m in added
                for p in rows_.member_problems(m, f"Thành viên {quoted(m['full_name'])}")]
            if problems:
                self._refuse(record, problems)
                return None
            lock = (lock_reason(self.db, "household", existing["id"]) if labels else None)
            if lock:
                self.put(record, record.row, "conflict",
                         f"Hộ {record.code} đã bị khóa ({lock}): không ghi các thay đổi "
                         f"{', '.join(labels)}")
                return None
            persons = len(hh.members(self.db, existing["id"])) + len(added)
            write = Write(household_id=existing["id"], village=item.village,
                          household=household, head_id=head["id"] if head else None,
                          head=head_changes, member_updates=tuple(updates),
                          new_members=tuple(added))
            changes = labels
        farm = bool(record.flags.get("farm_household", existing["farm_household"]
                                     if existing else 0))
        if record.has_roster and record.printed_members is not None:
            counted = 1 + len(record.members)
            extra = ([f"Số nhân khẩu ghi {record.printed_members} nhưng danh sách thành viên "
                      f"có {counted} người"] if counted != record.printed_members else [])
        else:
            extra = []
        review = self._review(item, existing["id"] if existing else None, area, farm, persons)
        if isinstance(review, str):
            self.put(record, record.row, "conflict", review)
            return None
        review_changes, review_args, disagreements, summary = review
        write = replace(write, review_year=item.year, review=review_args)
        disagreements = extra + disagreements
        if review_changes == ["phiếu mới"]:
            review_text = f"phiếu rà soát năm {item.year} ({summary})"
        elif review_changes:
            review_text = f"phiếu rà soát năm {item.year}: {', '.join(review_changes)}"
        else:
            review_text = ""
        if existing is None:
            category = "new"
            reason = base + (f"; {review_text}" if review_text else "")
        else:
            changes = changes + review_changes
            category = "updated" if changes else "unchanged"
            parts = labels + ([("thêm " if review_changes == ["phiếu mới"] else "") + review_text]
                              if review_text else [])
            reason = (f"Cập nhật hộ {record.code}: {'; '.join(parts)}" if changes
                      else "Giống sổ hộ: không có gì thay đổi")
        self._finish(item, category, reason, write, changes, disagreements)
        return area, farm, persons

    def _refuse(self, record: HouseholdRecord, problems: list[str]) -> None:
        field = record.column("members" if record.has_roster else "head.full_name")
        self.put(record, record.row, "refused",
                 InputError("; ".join(problems), field=field, row=record.row,
                            source=record.source).message)

    def plan_secondary(self, item: _Item, existing: dict | None,
                       primary: tuple[str, bool, int] | None) -> None:
        record = item.record
        if primary is None and existing is None:
            self.put(record, record.row, "refused",
                     f"Hộ {record.code} không được ghi (xem dòng khác của mã hộ này) nên không "
                     f"nhập được phiếu rà soát năm {item.year}")
            return
        if primary is not None:
            area, farm, persons = primary
        else:
            area, farm = existing["area"], bool(existing["farm_household"])
            persons = len(hh.members(self.db, existing["id"]))
        review = self._review(item, existing["id"] if existing else None, area, farm, persons)
        if isinstance(review, str):
            self.put(record, record.row, "conflict", review)
            return
        review_changes, review_args, disagreements, summary = review
        write = Write(household_id=existing["id"] if existing else None,
                      review_year=item.year, review=review_args)
        note = " (thông tin hộ lấy theo dòng của năm rà soát mới nhất)"
        if review_args is None:
            category, reason = "unchanged", "Dòng không có phiếu rà soát" + note
        elif not review_changes:
            category, reason = "unchanged", f"Phiếu rà soát năm {item.year} giống sổ hộ" + note
        elif review_changes == ["phiếu mới"]:
            category = "new"
            reason = f"Phiếu rà soát năm {item.year} mới của hộ {record.code} ({summary})" + note
        else:
            category = "updated"
            reason = (f"Cập nhật phiếu rà soát năm {item.year} của hộ {record.code}: "
                      f"{', '.join(review_changes)}" + note)
        self._finish(item, category, reason, write,
                     [] if review_changes == ["phiếu mới"] else review_changes, disagreements,
                     primary=False)

    def _finish(self, item: _Item, category: str, reason: str, write: Write,
                changes: list[str], disagreements: list[str], primary: bool = True) -> None:
        record = item.record
        if disagreements:
            if category in ("new", "updated"):
                category = "flagged"
                reason += ". Cần xem lại: " + "; ".join(disagreements)
            else:
                reason += ". Lưu ý, giá trị ghi trong tệp khác với gnapp tính: " \
                          + "; ".join(disagreements)
        if record.notes:
            reason += ". Ghi chú: " + "; ".join(record.notes)
        self.put(record, record.row, category, reason,
                 write=write if category in WRITTEN else None, primary=primary,
                 changes=tuple(changes), disagreements=tuple(disagreements))

    def _household_changes(self, item: _Item, existing: dict,
                           village_name: str) -> tuple[dict, list[str]]:
        record, changes, labels = item.record, {}, []
        if self.village_ids.get(item.village) != existing["village_id"]:
            old = get_row(self.db, "admin_unit", existing["village_id"])
            changes["village"] = item.village
            labels.append(f"thôn ({old['name'] if old else 'trống'} → {village_name})")
        if record.address is not None and record.address != existing["address"]:
            changes["address"] = record.address
            labels.append(f"địa chỉ ({existing['address'] or 'trống'} → {record.address})")
        if record.area is not None and record.area != existing["area"]:
            changes["area"] = record.area
            labels.append(f"khu vực ({_show('area', existing['area'])} → "
                          f"{_show('area', record.area)})")
        for flag, value in record.flags.items():
            if existing[flag] != value:
                changes[flag] = value
                labels.append(f"{HOUSEHOLD_FLAGS[flag].lower()} ({_yes(existing[flag])} → "
                              f"{_yes(value)})")
        return changes, labels

    def _member_changes(self, record: HouseholdRecord, household_id: str):
        stored = [m for m in hh.members(self.db, household_id) if m["relation"] != "head"]
        unused = list(stored)
        updates, added, words, errors = [], [], [], []
        for member in record.members:
            match = next((m for m in unused if fold(m["full_name"]) == fold(member.full_name)),
                         None)
            if match is None:
                added.append(member.values())
                continue
            unused.remove(match)
            given = member.values()
            if match["relation"] != "head" and given.get("relation") == "other" \
                    and match["relation"] != "other":
                given.pop("relation")   # an unreadable relation word changes nothing
            diff = {k: v for k, v in given.items() if match.get(k) != v}
            if diff:
                updates.append((match["id"], diff))
                words += _diff_words(f"của {match['full_name']}", diff, match)
                errors += rows_.member_problems({**match, **diff},
                                                f"Thành viên {quoted(match['full_name'])}")
        return updates, added, words, errors

    def _review(self, item: _Item, household_id: str | None, area: str, farm: bool,
                persons: int):
        """(changes, save_review arguments, disagreements, summary), or why it is held."""
        record, review = item.record, item.record.review
        if review is None:
            return [], None, [], ""
        year = item.year
        round_id = self.rounds.get(year)
        standard = reviews.standard(self.standards[year], self.db)
        stored = (reviews.review_of(self.db, round_id, household_id)
                  if round_id and household_id else None)
        deprivations = {**_stored_deprivations(stored), **review.deprivations}
        causes = review.causes if review.causes is not None else \
            tuple(json.loads(stored["causes"])) if stored else ()
        needs = review.needs if review.needs is not None else \
            tuple(json.loads(stored["needs"])) if stored else ()
        b1 = review.b1_score if review.b1_score is not None else (
            Decimal(stored["b1_score"]) if stored and stored["b1_score"] else None)
        args = {"deprivations": deprivations, "b1_score": b1,
                "reviewer": review.reviewer or (stored["reviewer"] if stored else None),
                "review_date": _iso(review.review_date) or (stored["review_date"]
                                                            if stored else None),
                "causes": tuple(sorted(causes)), "needs": tuple(sorted(needs)),
                "income_per_person": stored["income_per_person"] if stored else None,
                "farm_income_per_person": stored["farm_income_per_person"] if stored else None,
                "screen_result": stored["screen_result"] if stored else None,
                "override_class": stored["class"] if stored and stored["override_reason"]
                else None,
                "override_reason": stored["override_reason"] if stored else None}
        result = rules.classify(rules.ReviewInput(
            area=area, income_per_person=args["income_per_person"],
            b1_score=Decimal(str(b1)) if b1 is not None else None, deprivations=deprivations,
            is_farm_household=farm, farm_income_per_person=args["farm_income_per_person"]),
            standard)
        if stored is None:
            changes = ["phiếu mới"]
        else:
            changes = []
            old_b1 = Decimal(stored["b1_score"]) if stored["b1_score"] else None
            for label, old, new in (
                    ("ngày rà soát", stored["review_date"], args["review_date"]),
                    ("người rà soát", stored["reviewer"], args["reviewer"]),
                    ("điểm B1", old_b1, b1),
                    ("chỉ số thiếu hụt", _stored_deprivations(stored), deprivations),
                    ("nguyên nhân nghèo", tuple(sorted(json.loads(stored["causes"]))),
                     args["causes"]),
                    ("nhu cầu hỗ trợ", tuple(sorted(json.loads(stored["needs"]))),
                     args["needs"]),
                    ("số nhân khẩu", stored["persons"], persons)):
                if old != new:
                    changes.append(label)
            if changes:
                if stored["status"] == "complete":
                    return (f"Phiếu rà soát năm {year} của hộ {record.code} đã hoàn thành: không "
                            f"ghi đè ({', '.join(changes)} khác với tệp)")
                lock = lock_reason(self.db, "household_review", stored["id"])
                if lock:
                    return (f"Phiếu rà soát năm {year} của hộ {record.code} đã bị khóa "
                            f"({lock}): không ghi đè")
        disagreements = self._disagreements(review, result, standard)
        klass = CLASS[result.klass] if result.klass else "chưa phân loại được"
        summary = f"{klass}, chuẩn {standard.id}"
        return changes, args, disagreements, summary

    @staticmethod
    def _disagreements(review: rows_.ReviewRecord, result: rules.Classification,
                       standard) -> list[str]:
        found = []
        given = review.deprivations
        count = sum(v is True for v in given.values())
        if given and review.printed_total is not None and review.printed_total != count:
            found.append(f"tổng số chỉ số thiếu hụt ghi {review.printed_total} nhưng các chỉ số "
                         f"được đánh dấu thiếu hụt là {count}")
        if given and review.printed_b2 is not None and \
                review.printed_b2 != count * standard.b2_points:
            found.append(f"điểm B2 ghi {format_number(review.printed_b2)} nhưng "
                         f"{standard.b2_points} × {count} chỉ số thiếu hụt = "
                         f"{count * standard.b2_points}")
        if review.printed_class is not None:
            printed = review.printed_class_text or CLASS[review.printed_class]
            if result.klass is None:
                why = next((i.message for i in result.issues if i.severity == "error"), "")
                found.append(f"tệp ghi phân loại {quoted(printed)} nhưng gnapp chưa phân loại "
                             f"được theo chuẩn {standard.id}: {why}")
            elif result.klass != review.printed_class:
                steps = "; ".join(result.reasons[1:-1])
                found.append(f"tệp ghi phân loại {quoted(printed)} nhưng theo chuẩn "
                             f"{standard.id} gnapp tính ra «{CLASS[result.klass]}» ({steps})")
        return found


def plan_import(db: Database, path: str | Path, *,
                mapping: str | Path | Mapping[str, str | None] | None = None,
                round_year: int | None = None, create_villages: bool = False,
                former_unit: str | None = None) -> ImportPlan:
    """Read a household list and plan its import (a dry run: nothing is written).

    :param path: an .xlsx, .csv or .json file (``gnapp.domain.import_rows``)
    :param mapping: a mapping file or a mapping; without one, the national export is read
        by its own keys and any other sheet through ``suggest_mapping``
    :param round_year: the periodic round's year for rows whose file gives none
    :param create_villages: plan to add villages the commune does not have yet (otherwise
        such rows are refused)
    :param former_unit: the file is the register of this former commune (merged into this
        one in July 2025): each household keeps it as its former unit code and its own code
        as former code, a code already used here becomes ``<former unit>-<code>``, and a
        household is matched with the one imported earlier from the same former commune
    :raises InputError: the file cannot be read at all, or no column holds a required field
    """
    site = sites.require_site(db)
    if site.role != "commune":
        raise InputError("Chỉ máy của xã mới nhập được danh sách hộ vào sổ hộ.")
    former = former_commune(db, former_unit, site.unit_code) if former_unit else None
    table = rows_.read_table(path)
    used, origin = _choose_mapping(table, mapping)
    planner = _Planner(db, site.unit_code, round_year, create_villages,
                       _Villages(units.children(db, site.unit_code, level="village")), former)
    groups: dict[str, list[_Item]] = {}
    code_column = next((c for c, t in used.items() if t == "household.code"), None)
    head_column = next((c for c, t in used.items() if t == "head.full_name"), None)
    for source_row in table.rows:
        record, errors = rows_.read_record(source_row, used, source=table.source,
                                           kind=table.kind)
        if record is not None:
            village = planner.village_of(record)
            year = planner.year_of(record)
            errors = [e for e in (village, year) if isinstance(e, InputError)]
        if errors:
            planner.put(None, source_row.number, "refused", "; ".join(e.message for e in errors),
                        code=rows_.parse_text(source_row.values.get(code_column))
                        if not isinstance(source_row.values.get(code_column), (list, dict))
                        else None,
                        head=source_row.values.get(head_column)
                        if isinstance(source_row.values.get(head_column), str) else None)
            continue
        groups.setdefault(record.code, []).append(_Item(record, year, village))
    for code, items in groups.items():
        planner.plan_code(code, items)
    used_villages = {p.write.village for p in planner.planned.values() if p.write}
    return ImportPlan(
        source=table.source, kind=table.kind, mapping=used, mapping_origin=origin,
        ignored_columns=tuple(h for h in table.headers if not used.get(h)),
        rows=tuple(planner.planned[n] for n in sorted(planner.planned)),
        villages=dict(planner.village_ids),
        villages_to_create={key: name for key, name in planner.to_create.items()
                            if key in used_villages},
        rounds=dict(planner.rounds), unit_code=site.unit_code,
        change_seq=last_change_seq(db))


# -- applying -----------------------------------------------------------------------------

def apply_import(db: Database, plan: ImportPlan, writer: Writer, *,
                 progress: Progress = no_progress) -> Changes:
    """Write the plan's new, updated and flagged rows in one transaction.

    Conflicts and refused rows are not written. If anything fails, nothing stays.
    ``progress(rows done, rows to write, label)`` is called every few rows; a ``Cancelled``
    it raises rolls everything back.

    :raises WriteError: the plan is for another commune, or the database changed since it
        was made (plan again), or a write is refused by the register's rules
    """
    if writer.actor.unit_code != plan.unit_code:
        raise WriteError(f"Bản xem trước dành cho xã {plan.unit_code}, không phải "
                         f"{writer.actor.unit_code}.")
    if last_change_seq(db) != plan.change_seq:
        raise WriteError("Dữ liệu đã thay đổi sau khi xem trước: hãy xem trước lại rồi mới "
                         "nhập.")
    todo = [p for p in plan.rows if p.category in WRITTEN and p.write is not None]

    def op(w: Writer) -> dict[str, int]:
        village_ids = dict(plan.villages)
        for key, name in plan.villages_to_create.items():
            village_ids[key] = units.add_village(w, name, unit_type=_village_type(name))["id"]
        round_ids = dict(plan.rounds)
        households: dict[str, str] = {}
        done = {"households_added": 0, "households_updated": 0, "reviews_saved": 0}

        def round_id(year: int) -> str:
            if round_ids.get(year) is None:
                round_ids[year] = reviews.create_round(w, year=year, kind="periodic")["id"]
            return round_ids[year]

        for n, p in enumerate(sorted(todo, key=lambda p: not p.primary)):
            if n % PROGRESS_EVERY == 0:
                progress(n, len(todo), "Đang ghi các hộ")
            write, reason = p.write, f"Nhập từ tệp {plan.source}, dòng {p.row}"
            home_id = write.household_id or households.get(p.code)
            if p.primary and write.household_id is None:
                home = hh.add_household(
                    w, village_id=village_ids[write.village], head=dict(write.head),
                    on_date=write.on_date, **dict(write.household))
                home_id = home["id"]
                for member in write.new_members:
                    hh.add_member(w, home_id, member)
                done["households_added"] += 1
            elif p.primary:
                changes = dict(write.household)
                if "village" in changes:
                    changes["village_id"] = village_ids[changes.pop("village")]
                if changes:
                    hh.update_household(w, home_id, changes, reason=reason)
                if write.head and write.head_id:
                    hh.update_member(w, write.head_id, dict(write.head), reason=reason)
                for member_id, member_changes in write.member_updates:
                    hh.update_member(w, member_id, dict(member_changes), reason=reason)
                for member in write.new_members:
                    hh.add_member(w, home_id, member)
                done["households_updated"] += 1
            households[p.code] = home_id
            if write.review is not None:
                reviews.save_review(w, round_id(write.review_year), home_id, **write.review)
                done["reviews_saved"] += 1
        progress(len(todo), len(todo), "Đang ghi các hộ")
        return done

    return writer.transact(op)

