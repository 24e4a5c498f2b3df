"""Merged communes (July 2025): bring the register of a former commune into the new one.

The former commune's gnapp database (any older schema: it is migrated on a temporary copy,
the file itself is only read) is copied into this commune through the write path: its
villages become villages of the new commune, its households keep their former unit code, and
a household code already used here is re-keyed as ``<former unit code>-<code>`` with the old
code kept in ``former_code``. Nothing is merged silently: persons that look like duplicates
across the registers are listed afterwards for a person to decide.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gnapp.db import connection
from gnapp.db import households as hh
from gnapp.db import sites, units
from gnapp.db.store import Writer
from gnapp.domain.errors import GnappError
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

    def as_dict(self) -> dict:
        return {"former_unit": self.former_unit, "former_name": self.former_name,
                "villages": [{"former": a, "new": b} for a, b in self.villages],
                "households": self.households, "members": self.members, "events": self.events,
                "rekeyed": [{"former_code": a, "new_code": b} for a, b in self.rekeyed],
                "duplicates": self.duplicates}


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


def merge_former_commune(w: Writer, path: str | Path, *, dry_run: bool = False) -> MergeReport:
    """Copy the register of a former commune's gnapp database into this commune.

    :param dry_run: plan only: the report says what would happen; nothing is written
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
                _copy(w, source, former.unit_code, report)
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


def _copy(w: Writer, source, former_unit: str, report: MergeReport) -> None:
    db = w.db
    here = w.actor.unit_code
    taken = {fold(v["name"]) for v in units.children(db, here, level="village")}
    village_map: dict[str, str] = {}
    for village in units.children(source, former_unit, level="village"):
        name = village["name"]
        if fold(name) in taken:
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
    report.duplicates = sum(1 for pair in hh.duplicate_people(db, here)
                            if {pair.a.household_id, pair.b.household_id}
                            & set(household_map.values()))
