"""The database core against plain-SQLite baselines measured in the same run (the first
benchmarks of ``make bench``, now entries of results.json): the write path, unit search,
backup and register writes. The household list of these first benchmarks is measured on the
generated province instead (``measure.household_list``).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from bench.measure import Context, Entry, entry, timed
from gnapp.db import backup, connection, households, sites, units
from gnapp.domain.text import fold

ROWS = 2000


def _raw(path: Path) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    return raw


def write_path(ctx: Context, rows: int = ROWS) -> list[Entry]:
    """Villages through the write path (stamp, change log, audit, FTS) vs a raw insert."""
    folder = ctx.work / "core"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ctx.province.folder / "units-template.sqlite", folder / "write.sqlite")
    db = connection.connect(folder / "write.sqlite")
    sites.init_site(db, "07339", "commune")
    writer = sites.writer(db)
    start = time.perf_counter()
    writer.transact(lambda w: [units.add_village(w, f"Thôn {i:04d}") for i in range(rows)])
    ours = time.perf_counter() - start
    raw = _raw(folder / "raw.sqlite")
    raw.execute("CREATE TABLE village (id TEXT PRIMARY KEY, code TEXT, name TEXT, parent TEXT)")
    start = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO village VALUES (?, ?, ?, ?)",
                    ((str(i), f"07339.{i:04d}", f"Thôn {i:04d}", "x") for i in range(rows)))
    raw.execute("COMMIT")
    base = time.perf_counter() - start
    raw.close()
    db.close()
    return [entry(f"write path: {rows} villages in one transaction (s)", ours, "s",
                  baseline=base, note="Writer.insert per row vs executemany")]


def unit_search(ctx: Context) -> list[Entry]:
    """Unit search (FTS, folded) vs a full scan with Python folding of every name."""
    db = connection.connect(ctx.work / "core" / "write.sqlite")
    queries = ["ha noi", "duc", "tan yen", "phuong bac", "xa hoang", "thanh pho ho chi minh"]
    ours = timed(lambda: [units.search_units(db, q) for q in queries for _ in range(20)])
    names = [r[0] for r in db.execute("SELECT name FROM admin_unit")]
    base = timed(lambda: [[n for n in names if all(w in fold(n) for w in q.split())]
                          for q in queries for _ in range(20)])
    db.close()
    return [entry(f"unit search: {len(queries) * 20} searches (s)", ours, "s", baseline=base,
                  note="baseline: Python scan of every folded name")]


def backup_copy(ctx: Context) -> list[Entry]:
    """A checked backup of one commune's database vs copying the closed file."""
    path = ctx.commune_copy("backup.sqlite")
    size = path.stat().st_size / 1e6
    folder = ctx.work / "backups"
    ours = timed(lambda: backup.make_backup(path, folder=folder, rule=None))
    base = timed(lambda: shutil.copyfile(path, ctx.work / "copy.sqlite"))
    return [entry(f"backup of a {size:.0f} MB commune database (s)", ours, "s", baseline=base,
                  note="backup API + integrity_check vs shutil.copyfile")]


def register_writes(ctx: Context, count: int = ROWS // 2) -> list[Entry]:
    """Households with a head through the write path (row, change log, audit, event, index)."""
    folder = ctx.work / "core"
    shutil.copy(ctx.province.folder / "units-template.sqlite", folder / "register.sqlite")
    db = connection.connect(folder / "register.sqlite")
    sites.init_site(db, "07339", "commune")
    writer = sites.writer(db)
    village = units.add_village(writer, "Thôn Đồng Tâm")
    start = time.perf_counter()
    writer.transact(lambda w: [households.add_household(
        w, village_id=village["id"], area="rural",
        head={"full_name": f"Nguyễn Văn Đức {i}", "sex": "nam", "birth_date": "1980"})
        for i in range(count)])
    ours = time.perf_counter() - start
    db.close()
    raw = _raw(folder / "raw-register.sqlite")
    raw.execute("CREATE TABLE h (id TEXT PRIMARY KEY, code TEXT, head TEXT)")
    start = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO h VALUES (?, ?, ?)",
                    ((str(i), f"01-{i:04d}", f"Nguyễn Văn Đức {i}") for i in range(count)))
    raw.execute("COMMIT")
    base = time.perf_counter() - start
    raw.close()
    return [entry(f"register: {count} households with their head (s)", ours, "s",
                  baseline=base, note="add_household (row, member, event, index) vs "
                                      "executemany of one row each")]


CORE_FUNCTIONS = [write_path, unit_search, backup_copy, register_writes]
