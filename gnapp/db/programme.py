"""Programme structures stored in the database: the copies an office loads and distributes.

The 2021–2025 structure ships with gnapp (``resources/programme``). A later one (the merged
2026–2035 programme, whose components are not known yet) is loaded by an office from a file
with ``load_programme``: every item becomes an office-owned ``programme_item`` row that travels
to the communes in packages. A stored version with the same id as a bundled one replaces it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import sites
from gnapp.db.store import Writer
from gnapp.domain import programme as pg
from gnapp.domain.errors import GnappError, InputError


def _row_values(programme: pg.Programme, item: pg.Item | None) -> dict:
    if item is None:            # the programme's own row
        return {"programme": programme.id, "code": programme.id, "parent_code": None,
                "kind": "programme", "name": programme.name, "short_name": None,
                "variants": "[]", "budget_line": 0, "applies_to": "all", "replaces": "[]",
                "position": 0, "period_from": programme.period_from,
                "period_to": programme.period_to, "status": programme.status,
                "legal_basis": programme.legal_basis, "note": programme.note}
    return {"programme": programme.id, "code": item.code, "parent_code": item.parent,
            "kind": item.kind, "name": item.name, "short_name": item.short,
            "variants": json.dumps(list(item.variants), ensure_ascii=False),
            "budget_line": int(item.line), "applies_to": item.applies_to,
            "replaces": json.dumps(list(item.replaces), ensure_ascii=False),
            "position": item.position, "period_from": None, "period_to": None,
            "status": None, "legal_basis": None, "note": None}


def load_programme(writer: Writer, source: str | Path | pg.Programme) -> dict:
    """Store a programme structure (a file or a parsed ``Programme``) as this unit's copy.

    Only an office loads structures; communes receive them in packages. Loading the same
    version again updates changed items and marks removed ones deleted. One transaction.

    :returns: counts {"programme", "added", "updated", "unchanged", "removed"}
    :raises GnappError: the site is not an office; ``InputError`` for a bad file
    """
    programme = source if isinstance(source, pg.Programme) else pg.read_programme_file(source)
    site = sites.require_site(writer.db)
    if site.role != "office":
        raise GnappError("Chỉ máy của cơ quan cấp trên nạp cơ cấu chương trình; xã nhận cơ "
                         "cấu qua gói đồng bộ.")
    unit = writer.actor.unit_code

    def run(w: Writer) -> dict:
        existing = {r["code"]: r for r in w.db.query(
            "SELECT * FROM programme_item WHERE owner_unit = ? AND programme = ? "
            "AND deleted = 0", [unit, programme.id])}
        counts = {"programme": programme.id, "added": 0, "updated": 0, "unchanged": 0,
                  "removed": 0}
        wanted = [None, *programme.items]
        for item in wanted:
            values = _row_values(programme, item)
            old = existing.pop(values["code"], None)
            if old is None:
                w.insert("programme_item", values)
                counts["added"] += 1
            elif any(old[k] != v for k, v in values.items()):
                w.update("programme_item", old["id"], values)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for old in existing.values():
            w.delete("programme_item", old["id"], reason=f"Không còn trong {programme.id}")
            counts["removed"] += 1
        return counts

    return writer.transact(run).result


def stored_programmes(db: Database) -> list[pg.Programme]:
    """The programme versions stored in the database (from any owner), as ``Programme``."""
    rows = list(db.query("SELECT * FROM programme_item WHERE deleted = 0 "
                         "ORDER BY programme, owner_unit, position"))
    heads = {r["programme"]: r for r in rows if r["kind"] == "programme"}
    out = []
    for version, head in heads.items():
        items = tuple(
            pg.Item(code=r["code"], kind=r["kind"], name=r["name"], parent=r["parent_code"],
                    line=bool(r["budget_line"]), short=r["short_name"],
                    variants=tuple(json.loads(r["variants"] or "[]")),
                    applies_to=r["applies_to"], replaces=tuple(json.loads(r["replaces"] or "[]")),
                    position=r["position"])
            for r in rows if r["programme"] == version and r["kind"] != "programme"
            and r["owner_unit"] == head["owner_unit"])
        out.append(pg.Programme(id=version, name=head["name"], period_from=head["period_from"],
                                period_to=head["period_to"], status=head["status"] or "official",
                                legal_basis=head["legal_basis"], note=head["note"],
                                items=items, source=f"programme_item ({head['owner_unit']})"))
    return out


def programmes(db: Database) -> dict[str, pg.Programme]:
    """Every programme version known here: bundled, replaced by stored copies of the same id."""
    return pg.known_programmes(stored_programmes(db))


def get_programme(db: Database, version: str) -> pg.Programme:
    """The programme version ``version``.

    :raises InputError: unknown version
    """
    known = programmes(db)
    if version not in known:
        raise InputError(f"Không có cơ cấu chương trình «{version}»; có: {', '.join(known)}")
    return known[version]


def programme_for_year(db: Database, year: int) -> pg.Programme:
    """The programme version whose period covers ``year`` (official before provisional), or
    the 2021–2025 one."""
    known = sorted(programmes(db).values(), key=lambda p: (p.is_provisional, p.period_from))
    for programme in known:
        if programme.covers(year) and programme.lines():
            return programme
    return get_programme(db, pg.DEFAULT_PROGRAMME)
