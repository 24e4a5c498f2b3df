"""`make bench`: the database core against plain-SQLite baselines measured in the same run.

Each line gives the gnapp figure, the baseline and their ratio, so that the figures mean the
same on a slow or a fast machine. Run: ``python -m bench [--rows N]``.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gnapp.db import backup, connection, households, sites, units
from gnapp.domain.text import fold, name_sort_key


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, ours: float, base: float, unit: str = "s") -> None:
    print(f"{name:<48} {ours:9.4f} {unit}  baseline {base:9.4f} {unit}  ratio {ours / base:6.2f}")


def bench_write_path(folder: Path, rows: int) -> None:
    """Villages through the write path (stamp, change log, audit, FTS) vs a raw insert."""
    path = folder / "write.sqlite"
    db = connection.connect(path)
    sites.init_site(db, "07339", "commune")
    writer = sites.writer(db)
    start = time.perf_counter()
    writer.transact(lambda w: [units.add_village(w, f"Thôn {i:04d}") for i in range(rows)])
    ours = time.perf_counter() - start
    raw = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE village (id TEXT PRIMARY KEY, code TEXT, name TEXT, parent TEXT)")
    start = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO village VALUES (?, ?, ?, ?)",
                    ((str(i), f"07339.{i:04d}", f"Thôn {i:04d}", "x") for i in range(rows)))
    raw.execute("COMMIT")
    base = time.perf_counter() - start
    report(f"write path: {rows} rows in one transaction", ours, base)
    report("write path: per row", ours / rows * 1e3, base / rows * 1e3, "ms")
    db.close()


def bench_search(folder: Path) -> None:
    """Unit search (FTS, folded) vs a full scan with Python folding of every name."""
    db = connection.connect(folder / "write.sqlite")
    queries = ["ha noi", "duc", "tan yen", "phuong bac", "xa hoang", "thanh pho ho chi minh"]
    ours = timed(lambda: [units.search_units(db, q) for q in queries for _ in range(20)])
    names = [r[0] for r in db.execute("SELECT name FROM admin_unit")]
    base = timed(lambda: [[n for n in names if all(w in fold(n) for w in q.split())]
                          for q in queries for _ in range(20)])
    report(f"unit search: {len(queries) * 20} searches", ours, base)
    db.close()


def bench_backup(folder: Path) -> None:
    """A checked backup through SQLite's backup API vs copying the closed file."""
    path = folder / "write.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = path.stat().st_size / 1e6
    ours = timed(lambda: backup.make_backup(path, folder=folder / "backups", rule=None))
    base = timed(lambda: shutil.copyfile(path, folder / "copy.sqlite"))
    report(f"backup of a {size:.1f} MB database", ours, base)


def bench_household_list(folder: Path, count: int) -> None:
    """The household list at commune scale: pages, a deep page and a search, against a
    plain indexed table of the same size. The index is filled directly (it is derived data;
    the write path that maintains it is measured above)."""
    db = connection.connect(folder / "list.sqlite")
    sites.init_site(db, "07339", "commune")
    village = units.add_village(sites.writer(db), "Thôn Đồng Tâm")
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
    given = ["An", "Bình", "Đức", "Hà", "Lan", "Minh", "Nam", "Yến", "Thảo", "Hùng"]
    rows = []
    for i in range(count):
        name = f"{families[i % 8]} Văn {given[(i // 8) % 10]} {i}"
        rows.append((f"h{i}", f"01-{i:06d}", village["id"], "active", name, name_sort_key(name),
                     4, fold(f"01-{i:06d} {name}")))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO household_index (household_id, code, village_id, status, head_name, "
            "head_key, members, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    plain = sqlite3.connect(folder / "plain.sqlite")
    plain.execute("CREATE TABLE t (id TEXT PRIMARY KEY, code TEXT, head TEXT, k TEXT)")
    plain.execute("CREATE INDEX t_k ON t(k)")
    plain.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(r[0], r[1], r[4], r[5]) for r in rows])
    plain.commit()
    report(f"household list: first page of {count}",
           timed(lambda: households.list_households(db, limit=200)),
           timed(lambda: plain.execute("SELECT * FROM t ORDER BY k LIMIT 200").fetchall()))
    report("household list: page at the middle",
           timed(lambda: households.list_households(db, offset=count // 2, limit=200)),
           timed(lambda: plain.execute("SELECT * FROM t ORDER BY k LIMIT 200 OFFSET ?",
                                       [count // 2]).fetchall()))
    middle = households.list_households(db, offset=count // 2 - 1, limit=1)[0]
    report("household list: next page at the middle (scrolling on)",
           timed(lambda: households.list_households(db, limit=200, after=middle)),
           timed(lambda: plain.execute("SELECT * FROM t WHERE k > ? ORDER BY k LIMIT 200",
                                       [middle["head_key"]]).fetchall()))
    report("household list: search 'nguyen van duc' + count",
           timed(lambda: (households.list_households(db, search="nguyen van duc", limit=200),
                          households.count_households(db, search="nguyen van duc"))),
           timed(lambda: plain.execute("SELECT * FROM t WHERE head LIKE '%Nguyễn Văn Đức%' "
                                       "ORDER BY k LIMIT 200").fetchall()))
    db.close()


def bench_register_writes(folder: Path, count: int) -> None:
    """Households with a head through the write path (row, change log, audit, event, index)."""
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
    raw = sqlite3.connect(folder / "raw-register.sqlite", isolation_level=None)
    raw.execute("CREATE TABLE h (id TEXT PRIMARY KEY, code TEXT, head TEXT)")
    start = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO h VALUES (?, ?, ?)",
                    ((str(i), f"01-{i:04d}", f"Nguyễn Văn Đức {i}") for i in range(count)))
    raw.execute("COMMIT")
    report(f"register: {count} households with their head", ours, time.perf_counter() - start)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--households", type=int, default=100_000,
                        help="size of the household list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_write_path(folder, args.rows)
        bench_search(folder)
        bench_backup(folder)
        bench_register_writes(folder, args.rows // 2)
        bench_household_list(folder, args.households)


if __name__ == "__main__":
    main()
