"""Merged communes (July 2025): bring the register of a former commune into the new one.

The former commune's gnapp database (any older schema: it is migrated on a temporary copy,
the file itself is only read) is copied into this commune through the write path: its
villages become villages of the new commune, its households keep their former unit code, and
a household code already used here is re-keyed as ``<former unit code>-<code>`` with the old
code kept in ``former_code``. Its review rounds join the new commune's rounds of the same
kind and year, with the reviews as they were (standard, class, status), the households'
requests and the village steps of the procedure. Nothing is merged silently: persons that look like duplicates
across the registers are listed afterwards for a person to decide.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gnapp.db import connection
from gnapp.db import households as hh
from gnapp.db import reviews, sites, units
from gnapp.db.registry import SYNC_COLUMNS
from gnapp.db.store import Writer
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.text import fold

_HOUSEHOLD_FIELDS = ("address", "area", "ethnic_minority", "revolution_merit", "no_labour",
                     "social_protection", "single_no_support", "farm_household", "status", "note")
_MEMBER_FIELDS = ("position", "full_name", "sex", "birth_date", "ethnicity", "relation",
                  "id_number", "health_insurance", "schooling", "employment", "disability",
                  "social_allowance", "status", "left_on")


@dataclass
class MergeReport:
    """What a merge did (or, in a dry run, would do)."""

    former_unit: str
    former_name: str
    villages: list[tuple[str, str]] = field(default_factory=list)   # (former name, new name)
    households: int = 0
    members: int = 0
    events: int = 0
    rekeyed: list[tuple[str, str]] = field(default_factory=list)    # (former code, new code)
    duplicates: int = 0
    rounds_added: list[str] = field(default_factory=list)           # "periodic 2025"
    reviews: int = 0
    requests: int = 0
    steps: int = 0
    steps_left: int = 0     # the former commune's own steps (a commune-wide decision)

    def as_dict(self) -> dict:
        return {"former_unit": self.former_unit, "former_name": self.former_name,
                "villages": [{"former": a, "new": b} for a, b in self.villages],
                "households": self.households, "members": self.members, "events": self.events,
                "rekeyed": [{"former_code": a, "new_code": b} for a, b in self.rekeyed],
                "duplicates": self.duplicates, "rounds_added": self.rounds_added,
                "reviews": self.reviews, "requests": self.requests, "steps": self.steps,
                "steps_left": self.steps_left}


def _read_copy(path: Path, folder: Path):
    """Open a migrated copy of another gnapp database (the original is never written)."""
    if not path.is_file():
        raise GnappError(f"Không tìm thấy tệp {path}.")
    copy = folder / "former.sqlite"
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
    except sqlite3.DatabaseError as exc:
        raise GnappError(f"Tệp {path.name} không phải cơ sở dữ liệu gnapp ({exc}).") from exc
    return connection.connect(copy)


def merge_former_commune(w: Writer, path: str | Path, *, dry_run: bool = False,
                         villages: Mapping[str, str] | None = None) -> MergeReport:
    """Copy the register of a former commune's gnapp database into this commune.

    :param dry_run: plan only: the report says what would happen; nothing is written
    :param villages: where a former village goes, by its name or code: a village of this
        commune (its code or name: the households join it), or a new name. Villages not
        named become villages of their own, renamed "… (Xã cũ)" when the name is taken.
    """
    target = w.db
    here = sites.require_site(target)
    with tempfile.TemporaryDirectory() as tmp:
        source = _read_copy(Path(path), Path(tmp))
        try:
            former = sites.require_site(source)
            if former.role != "commune":
                raise GnappError(f"Tệp {Path(path).name} không phải dữ liệu của một xã.")
            if former.unit_code == here.unit_code:
                raise GnappError("Tệp này là dữ liệu của chính xã này, không phải xã cũ.")
            former_unit = units.get_unit(source, former.unit_code)
            report = MergeReport(former.unit_code, former_unit["name"] if former_unit
                                 else former.display_name)

            def copy(w: Writer) -> None:
                _copy(w, source, former.unit_code, report, villages or {})
                if dry_run:
                    raise _DryRun

            try:
                w.transact(copy)
            except _DryRun:
                pass
        finally:
            source.close()
    return report


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything is rolled back."""


def _copy(w: Writer, source, former_unit: str, report: MergeReport,
          villages: Mapping[str, str]) -> None:
    db = w.db
    here = w.actor.unit_code
    ours = {fold(v["name"]): v for v in units.children(db, here, level="village")}
    ours.update({v["code"]: v for v in list(ours.values())})
    taken = {fold(v["name"]) for v in ours.values()}
    former_villages = units.children(source, former_unit, level="village")
    known = {v["name"] for v in former_villages} | {v["code"] for v in former_villages}
    unknown = sorted(set(villages) - known)
    if unknown:
        raise InputError(f"Xã cũ không có thôn {', '.join(unknown)}; các thôn của xã cũ: "
                         f"{', '.join(v['name'] for v in former_villages)}.", field="village")
    village_map: dict[str, str] = {}
    for village in former_villages:
        target = villages.get(village["name"]) or villages.get(village["code"])
        joined = ours.get(target) or ours.get(fold(target)) if target else None
        if joined is not None:  # the households join a village of this commune
            village_map[village["id"]] = joined["id"]
            report.villages.append((village["name"], joined["name"]))
            continue
        name = target or village["name"]
        if fold(name) in taken:
            if target:
                raise InputError(f"Tên thôn mới «{target}» đã có ở xã này.", field="village")
            name = f"{name} ({report.former_name})"
        taken.add(fold(name))
        new = units.add_village(w, name, unit_type=village["type"])
        village_map[village["id"]] = new["id"]
        report.villages.append((village["name"], name))
    household_map: dict[str, str] = {}
    member_map: dict[str, str] = {}
    homes = list(source.query("SELECT * FROM household WHERE deleted = 0 ORDER BY code"))
    for home in homes:
        code = home["code"]
        if hh.find_by_code(db, code, here) is not None:
            code = f"{former_unit}-{home['code']}"
            report.rekeyed.append((home["code"], code))
        if home["village_id"] not in village_map:
            raise GnappError(f"Hộ {home['code']} của xã cũ không thuộc thôn nào của xã đó.")
        new = w.insert("household", {
            "code": code, "village_id": village_map[home["village_id"]],
            **{f: home[f] for f in _HOUSEHOLD_FIELDS},
            "former_unit_code": home["former_unit_code"] or former_unit,
            "former_code": home["former_code"] or home["code"]},
            reason=f"Nhập sổ hộ của {report.former_name}")
        household_map[home["id"]] = new["id"]
        report.households += 1
    for member in source.query("SELECT * FROM member WHERE deleted = 0 ORDER BY position"):
        if member["household_id"] not in household_map:
            continue
        new = w.insert("member", {"household_id": household_map[member["household_id"]],
                                  **{f: member[f] for f in _MEMBER_FIELDS}},
                       reason=f"Nhập sổ hộ của {report.former_name}")
        member_map[member["id"]] = new["id"]
        report.members += 1
    for event in source.query("SELECT * FROM household_event WHERE deleted = 0"):
        if event["household_id"] not in household_map:
            continue
        w.insert("household_event", {
            "household_id": household_map[event["household_id"]], "kind": event["kind"],
            "on_date": event["on_date"], "member_id": member_map.get(event["member_id"]),
            "other_household_id": household_map.get(event["other_household_id"]),
            "note": event["note"]})
        report.events += 1
    _copy_reviews(w, source, former_unit, report, village_map, household_map)
    report.duplicates = sum(1 for pair in hh.duplicate_people(db, here)
                            if {pair.a.household_id, pair.b.household_id}
                            & set(household_map.values()))


def _values(row: dict, **changes) -> dict:
    """A source row without its sync columns, with ``changes``."""
    return {**{k: v for k, v in row.items() if k not in SYNC_COLUMNS}, **changes}


def _copy_reviews(w: Writer, source, former_unit: str, report: MergeReport,
                  village_map: dict[str, str], household_map: dict[str, str]) -> None:
    """The former commune's rounds join the new commune's rounds of the same kind and year
    (added when missing); its reviews, requests and village steps come along as they are:
    a review keeps the standard it was computed with and its status."""
    here = w.actor.unit_code
    ours = {(r["kind"], r["year"], r["month"]): r["id"] for r in reviews.rounds(w.db, here)}
    round_map: dict[str, str] = {}
    for round_ in reviews.rounds(source, former_unit):
        key = (round_["kind"], round_["year"], round_["month"])
        if key not in ours:
            ours[key] = reviews.create_round(w, year=round_["year"], kind=round_["kind"],
                                             month=round_["month"],
                                             standard_id=round_["standard_id"])["id"]
            report.rounds_added.append(
                f"{reviews.ROUND_KINDS[round_['kind']].lower()} năm {round_['year']}")
        round_map[round_["id"]] = ours[key]
    reason = f"Nhập kết quả rà soát của {report.former_name}"
    for review in source.query("SELECT * FROM household_review WHERE deleted = 0"):
        if review["household_id"] in household_map and review["round_id"] in round_map:
            w.insert("household_review", _values(
                review, round_id=round_map[review["round_id"]],
                household_id=household_map[review["household_id"]]), reason=reason)
            report.reviews += 1
    for request in source.query("SELECT * FROM household_request WHERE deleted = 0"):
        w.insert("household_request", _values(
            request, household_id=household_map.get(request["household_id"]),
            round_id=round_map.get(request["round_id"])), reason=reason)
        report.requests += 1
    for step in source.query("SELECT * FROM procedure_step WHERE deleted = 0"):
        village = village_map.get(step["village_id"])
        household = household_map.get(step["household_id"])
        if step["round_id"] not in round_map or (village is None and household is None):
            report.steps_left += 1
            continue
        w.insert("procedure_step", _values(step, round_id=round_map[step["round_id"]],
                                           village_id=village, household_id=household),
                 reason=reason)
        report.steps += 1
