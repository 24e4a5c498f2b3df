"""A synthetic province for the benchmarks: N communes × M households, each commune in its own
database (a commune site under one province) with its first export package, and the
province office's database (an office site) that merges them.

Everything is written through the app's own write path (``Writer``: stamps, change log,
audit, derived index), in big batches, each inside one transaction. The families, reviews,
allocations, projects and progress figures come from ``gnapp.demo``'s generators, with a
deterministic seed per commune (keys and row ids are random, as on a real PC; the data is
the same on every run).

What was made is cached in a folder (default ``bench/.cache/<size>/``) and a rerun resumes
where the last one stopped: a commune whose database, package and marker file are all there
is skipped; anything else of that commune is removed and made again. Communes are made in
``JOBS`` processes at once (one per core, at most 2): each has its own database and seed, so
the data does not depend on the order they are made in.

Run: ``python -m bench.province --size quick`` or ``--communes 5 --households 8000``
(``--jobs 1`` for one process).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from gnapp import demo
from gnapp.db import connection, registry, sites, units
from gnapp.db import households as hh
from gnapp.sync import export
from gnapp.sync import package as pkg

ROOT = Path(__file__).resolve().parent
DEFAULT_CACHE = ROOT / ".cache"
# (communes, households per commune)
SIZES = {"quick": (5, 1_000), "full": (100, 8_000)}
PROVINCE = "38"          # Tỉnh Thanh Hóa: 166 communes, CCCD code 038 like gnapp.demo
SEED = 2026
HOUSEHOLDS_PER_VILLAGE = 300
HOUSEHOLDS_PER_BATCH = 2_000   # households written per transaction
MAX_MEMBERS = 9
# Communes made at once, each in its own process (the office PC of issue 9 has 2 cores).
JOBS = max(1, min(2, os.cpu_count() or 1))

VILLAGE_FIRST = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân", "Phú", "Yên")
VILLAGE_SECOND = ("Sơn", "Hòa", "Lộc", "Thịnh", "An", "Xuân", "Kim", "Thành", "Hưng", "Phúc",
                  "Lợi", "Đồng")
RELATIVES = ("child", "child", "grandchild", "other")
# Families of the province's ethnic minorities: (surnames, ethnic group, share of households).
MINORITIES = ((("Lò", "Hà", "Lường", "Vi", "Cầm", "Lê"), "Thái", 0.06),
              (("Bùi", "Quách", "Đinh", "Trương", "Phạm"), "Mường", 0.05))


def size_of(name: str) -> tuple[int, int]:
    return SIZES[name]


def size_label(communes: int, households: int) -> str:
    for name, dims in SIZES.items():
        if dims == (communes, households):
            return name
    return f"{communes}x{households}"


# -- families ----------------------------------------------------------------------------

def family(rng: random.Random) -> tuple[dict, list[dict]]:
    """A household of 1–9 people: ``gnapp.demo``'s family, sometimes with more children or
    grandchildren living in (large rural households), and about one in nine of an ethnic
    minority of the province (Thái, Mường), with their own surnames."""
    head, others = demo._family(rng)
    surname = head["full_name"].split()[0]
    pick = rng.random()
    for names, ethnicity, share in MINORITIES:
        if pick < share:
            new = rng.choice(names)
            for person in (head, *others):
                first, rest = person["full_name"].split(" ", 1)
                if first == surname:
                    person["full_name"] = f"{new} {rest}"
                person["ethnicity"] = ethnicity
            surname = new
            break
        pick -= share
    head_year = int(head["birth_date"])
    if rng.random() < 0.12:
        for _ in range(rng.randrange(1, 5)):
            if len(others) + 1 >= MAX_MEMBERS:
                break
            year = min(head_year + rng.randrange(20, 50), demo.DEMO_YEAR - 1)
            person = demo._person(rng, surname, rng.choice(("nam", "nu")), year,
                                  rng.choice(RELATIVES))
            person["ethnicity"] = head["ethnicity"]
            others.append(person)
    return head, others[:MAX_MEMBERS - 1]


def village_names(count: int) -> list[str]:
    names = [f"Thôn {a} {b}" for b in VILLAGE_SECOND for a in VILLAGE_FIRST]
    if count > len(names):
        names += [f"Thôn {i}" for i in range(1, count - len(names) + 1)]
    return names[:count]


# -- one commune -------------------------------------------------------------------------

@dataclass
class Commune:
    """One generated commune, as its marker file records it."""

    code: str
    name: str
    index: int
    db: str                   # file name under communes/
    package: str              # file name under packages/
    fingerprint: str
    households: int
    members: int
    rows: int                 # syncable rows written through the write path
    package_rows: int         # records in its package
    package_bytes: int
    seconds: float            # generation through the write path
    baseline_seconds: float   # the same rows by plain executemany, one transaction
    export_seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.package_rows / self.seconds if self.seconds else 0.0


def _add_households(w, villages: Sequence[dict], start: int, stop: int,
                    rng: random.Random) -> None:
    for i in range(start, stop):
        head, others = family(rng)
        row = hh.add_household(w, village_id=villages[i % len(villages)]["id"], area="rural",
                               head=head, on_date="2021-10-01",
                               farm_household=int(rng.random() < 0.6))
        for person in others:
            hh.add_member(w, row["id"], person)


def fill_commune(db, households: int, seed: int,
                 progress: Callable[[str], None] | None = None) -> None:
    """Villages, ``households`` households with their members, two review rounds, signers,
    allocations with payments, projects with participants and progress figures: all
    through the write path, in batches of ``HOUSEHOLDS_PER_BATCH`` households per
    transaction."""
    site = sites.require_site(db)
    w = sites.writer(db)
    count = max(4, -(-households // HOUSEHOLDS_PER_VILLAGE))
    w.transact(lambda w: [units.add_village(w, name) for name in village_names(count)])
    villages = units.children(db, site.unit_code, level="village")
    rng = random.Random(seed)
    for start in range(0, households, HOUSEHOLDS_PER_BATCH):
        stop = min(households, start + HOUSEHOLDS_PER_BATCH)
        w.transact(lambda w: _add_households(w, villages, start, stop, rng))
        if progress:
            progress(f"{stop}/{households} hộ")
    w.transact(lambda w: demo._fill_rounds(w, random.Random(seed + 1)))
    w.transact(demo._add_signers)
    w.transact(lambda w: demo._fill_programme(w, random.Random(seed + 2)))


def syncable_tables() -> list[str]:
    return list(registry.SYNCABLE)


def table_columns(db_conn: sqlite3.Connection, table: str) -> list[str]:
    """The stored (non-generated) columns of a table."""
    return [r[1] for r in db_conn.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0]


def package_batches(paths: Iterable[Path]) -> Iterator[dict[str, list[dict]]]:
    """The row records of each package, by table (one package in memory at a time)."""
    for path in paths:
        package = pkg.read_file(path)
        by_table: dict[str, list[dict]] = {}
        for record in pkg.decode_records(package.file, package.payload):
            if record.get("type", "row") == "row":
                by_table.setdefault(record["table"], []).append(record["row"])
        yield by_table


def plain_write_seconds(path: Path, columns: dict[str, list[str]],
                        batches: Iterable[dict[str, list[dict]]]) -> tuple[float, int]:
    """The baseline: the same rows written by plain ``executemany`` into empty tables with
    the same columns (no keys, indexes, triggers), inside one transaction, on a connection
    with gnapp's pragmas (WAL, synchronous=FULL). Only the writing is timed (reading the
    rows is not); returns (seconds, rows)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for table, names in columns.items():
        conn.execute(f"CREATE TABLE {table} ({', '.join(names)})")
    seconds, rows = 0.0, 0
    start = time.perf_counter()
    conn.execute("BEGIN")
    seconds += time.perf_counter() - start
    for batch in batches:
        for table, records in batch.items():
            names = columns[table]
            values = [tuple(r.get(c) for c in names) for r in records]
            start = time.perf_counter()
            conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})",
                             values)
            seconds += time.perf_counter() - start
            rows += len(values)
    start = time.perf_counter()
    conn.execute("COMMIT")
    seconds += time.perf_counter() - start
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return seconds, rows


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the database is the one file."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- the province ------------------------------------------------------------------------

@dataclass
class Province:
    """What the generator made: the folder, the office database, the communes."""

    folder: Path
    communes: int
    households: int
    made: list[Commune]

    @property
    def office(self) -> Path:
        return self.folder / "office.sqlite"

    @property
    def packages(self) -> list[Path]:
        return [self.folder / "packages" / c.package for c in self.made]

    def commune_db(self, commune: Commune) -> Path:
        return self.folder / "communes" / commune.db

    @property
    def fingerprints(self) -> list[str]:
        return [c.fingerprint for c in self.made]

    @property
    def largest(self) -> Commune:
        return max(self.made, key=lambda c: (c.households, -c.index))

    def generation(self) -> dict:
        """Rows, seconds and baseline seconds of the generation of all communes."""
        rows = sum(c.package_rows for c in self.made)
        seconds = sum(c.seconds for c in self.made)
        return {"rows": rows, "changes": sum(c.rows for c in self.made), "seconds": seconds,
                "baseline_seconds": sum(c.baseline_seconds for c in self.made),
                "households": sum(c.households for c in self.made),
                "members": sum(c.members for c in self.made)}


def _template(folder: Path) -> Path:
    """A database with the official unit list and no site, copied for every new site."""
    path = folder / "units-template.sqlite"
    if (folder / "units-template.done").exists() and path.exists():
        return path
    _remove_db(path)
    db = connection.connect(path)
    units.ensure_official_units(db)
    db.close()
    _checkpoint(path)
    (folder / "units-template.done").write_text("ok", encoding="utf-8")
    return path


def _office(folder: Path, template: Path) -> Path:
    """The province office's database before any merge (the merge copies it)."""
    path = folder / "office-empty.sqlite"
    marker = folder / "office-empty.done"
    if marker.exists() and path.exists():
        return path
    _remove_db(path)
    shutil.copy(template, path)
    db = connection.connect(path)
    sites.init_site(db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn")
    db.close()
    _checkpoint(path)
    marker.write_text("ok", encoding="utf-8")
    return path


def commune_units(template: Path, count: int) -> list[dict]:
    """The first ``count`` communes of the province, in code order (the template is only
    read: each commune's copy of it is migrated on its own)."""
    db = connection.connect(template, migrate=False)
    found = [u for u in units.children(db, PROVINCE) if u["level"] == "commune"]
    db.close()
    found.sort(key=lambda u: u["code"])
    if count > len(found):
        raise SystemExit(f"Tỉnh {PROVINCE} chỉ có {len(found)} xã; không tạo được {count} xã.")
    return found[:count]


def make_commune(folder: Path, template: Path, unit: dict, index: int, households: int,
                 log: Callable[[str], None] = print) -> Commune:
    """Generate one commune's database and its first package (removing any half-made one)."""
    code = unit["code"]
    db_path = folder / "communes" / f"{code}.sqlite"
    out = folder / "packages"
    _remove_db(db_path)
    for stale in out.glob(f"{code}_*"):
        stale.unlink()
    shutil.copy(template, db_path)
    db = connection.connect(db_path)
    site = sites.init_site(db, code, "commune", user="canbo",
                           user_full_name="Nguyễn Thị Hồng Nhung")
    before = db.execute("SELECT count(*) FROM change_log WHERE origin = 'local'").fetchone()[0]
    start = time.perf_counter()
    fill_commune(db, households, SEED * 1000 + index,
                 progress=lambda text: log(f"  {code} {unit['name']}: {text}"))
    seconds = time.perf_counter() - start
    rows = db.execute("SELECT count(*) FROM change_log WHERE origin = 'local'").fetchone()[0] \
        - before
    members = db.execute("SELECT count(*) FROM member WHERE deleted = 0").fetchone()[0]
    start = time.perf_counter()
    result = export.export_package(db, out)
    export_seconds = time.perf_counter() - start
    columns = {t: table_columns(db.conn, t) for t in syncable_tables()}
    db.close()
    _checkpoint(db_path)
    package = result.paths[0]
    baseline, _ = plain_write_seconds(folder / f"baseline-{code}.sqlite", columns,
                                      package_batches([package]))
    made = Commune(code=code, name=unit["name"], index=index, db=db_path.name,
                   package=package.name, fingerprint=site.fingerprint, households=households,
                   members=members, rows=rows, package_rows=sum(result.counts.values()),
                   package_bytes=package.stat().st_size, seconds=seconds,
                   baseline_seconds=baseline, export_seconds=export_seconds)
    (folder / "communes" / f"{code}.json").write_text(
        json.dumps(asdict(made), ensure_ascii=False, indent=1), encoding="utf-8")
    return made


def _complete(folder: Path, code: str, households: int) -> Commune | None:
    """The commune's marker, if its database and package are complete."""
    marker = folder / "communes" / f"{code}.json"
    if not marker.exists():
        return None
    try:
        made = Commune(**json.loads(marker.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
    if made.households != households or not (folder / "communes" / made.db).exists() \
            or not (folder / "packages" / made.package).exists():
        return None
    return made


def _quiet(text: str) -> None:
    pass


def _made(commune: Commune, log: Callable[[str], None]) -> Commune:
    log(f"  xong {commune.code}: {commune.package_rows} dòng ({commune.rows} thay đổi) trong "
        f"{commune.seconds:.1f} s "
        f"({commune.rows_per_s:,.0f} dòng/s; executemany {commune.baseline_seconds:.2f} s)")
    return commune


def generate(communes: int, households: int, *, folder: Path | None = None,
             log: Callable[[str], None] = print, jobs: int | None = None) -> Province:
    """Make (or complete) the province in ``folder`` (default ``bench/.cache/<size>/``),
    the missing communes in ``jobs`` processes at once (default ``JOBS``)."""
    folder = Path(folder or DEFAULT_CACHE / size_label(communes, households))
    (folder / "communes").mkdir(parents=True, exist_ok=True)
    (folder / "packages").mkdir(parents=True, exist_ok=True)
    template = _template(folder)
    _office(folder, template)
    made: dict[int, Commune] = {}
    todo = []
    for index, unit in enumerate(commune_units(template, communes)):
        done = _complete(folder, unit["code"], households)
        if done is not None:
            made[index] = done
        else:
            todo.append((index, unit))
    jobs = max(1, min(jobs or JOBS, len(todo)))
    started = time.perf_counter()
    if jobs == 1:
        for index, unit in todo:
            log(f"Tạo xã {index + 1}/{communes}: {unit['name']} ({unit['code']}), "
                f"{households} hộ")
            made[index] = _made(make_commune(folder, template, unit, index, households, log),
                                log)
    elif todo:
        log(f"Tạo {len(todo)} xã, {households} hộ mỗi xã, {jobs} tiến trình cùng lúc")
        # a process of its own per commune at a time ("spawn": the same on every system)
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            running = {index: pool.submit(make_commune, folder, template, unit, index,
                                          households, print if log is print else _quiet)
                       for index, unit in todo}
            for index, future in running.items():
                made[index] = _made(future.result(), log)
    if todo:
        rows = sum(made[index].package_rows for index, _ in todo)
        wall = time.perf_counter() - started
        log(f"{len(todo)} xã trong {wall:.1f} s: {rows / wall:,.0f} dòng/s ({jobs} tiến trình)")
    return Province(folder, communes, households, [made[i] for i in sorted(made)])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--communes", type=int)
    parser.add_argument("--households", type=int)
    parser.add_argument("--cache", type=Path, help="folder (default bench/.cache/<size>)")
    parser.add_argument("--jobs", type=int, default=JOBS,
                        help=f"communes made at once (default {JOBS})")
    args = parser.parse_args(argv)
    communes, households = size_of(args.size)
    communes = args.communes or communes
    households = args.households or households
    province = generate(communes, households, folder=args.cache, jobs=args.jobs)
    gen = province.generation()
    print(f"{len(province.made)} xã, {gen['households']} hộ, {gen['members']} nhân khẩu, "
          f"{gen['rows']} dòng: {gen['rows'] / gen['seconds']:,.0f} dòng/s "
          f"(executemany {gen['rows'] / gen['baseline_seconds']:,.0f} dòng/s)")


if __name__ == "__main__":
    main()
