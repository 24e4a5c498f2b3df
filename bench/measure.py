"""The measurements of ``make bench`` over a generated province, each an entry of results.json.

Every entry function takes the ``Context`` (the province, the merged office database, a work
folder) and returns ``Entry`` objects. ``ENTRY_FUNCTIONS`` lists them in the order they run;
a new measurement plugs in by adding its function there (``register``), e.g. the home screen
at 8,000 households.

Write-heavy operations carry a baseline measured in the same run: the same rows written by
plain ``executemany`` into empty tables with the same columns inside one transaction
(``province.plain_write_seconds``). Search, list and start-up figures are absolute times.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from bench import province as pv

ROOT = Path(__file__).resolve().parent.parent
KB = 1024
MB = 1024 * 1024


@dataclass
class Entry:
    """One figure of results.json.

    Attributes:
        name: what was measured
        value: the figure
        unit: its unit ("s", "rows/s", "bytes", "MB", "x")
        baseline: the same work by plain SQLite in the same run (None for absolute figures)
        ratio: value over baseline, oriented so that above 1 means slower than the baseline
        target: the target from issue 9, ``{"op": "<=" | ">=", "value": …}``, or None
        met: whether the value meets the target (None without a target)
        note: how it was measured
    """

    name: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: dict | None = None
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def entry(name: str, value: float, unit: str, *, baseline: float | None = None,
          higher_is_better: bool = False, at_most: float | None = None,
          at_least: float | None = None, note: str = "") -> Entry:
    """An entry with its ratio to the baseline and its target checked."""
    ratio = None
    if baseline:
        ratio = (baseline / value if higher_is_better else value / baseline) if value else None
    target, met = None, None
    if at_most is not None:
        target, met = {"op": "<=", "value": at_most}, value <= at_most
    elif at_least is not None:
        target, met = {"op": ">=", "value": at_least}, value >= at_least
    return Entry(name, _sig(value), unit, None if baseline is None else _sig(baseline),
                 None if ratio is None else float(f"{ratio:.4g}"), target, met, note)


def _sig(value: float) -> float:
    """Six significant digits (what a timer on this machine can tell apart)."""
    return float(f"{value:.6g}")


@dataclass
class Context:
    """What the entry functions work on."""

    province: pv.Province
    work: Path                      # scratch folder of this run
    log: Callable[[str], None] = print
    office: Path | None = None      # the merged office database (after the merge entry)
    extra: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)   # measurements that failed

    @property
    def commune(self) -> pv.Commune:
        """The commune measured alone: the first of the largest ones."""
        return self.province.largest

    def commune_copy(self, name: str) -> Path:
        """A private copy of that commune's database in the work folder, brought to the
        current schema (a cached province may be older: its migration is not timed)."""
        from gnapp.db import connection

        path = self.work / name
        pv._remove_db(path)
        shutil.copy(self.province.commune_db(self.commune), path)
        connection.connect(path).close()
        return path


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


# -- generation ---------------------------------------------------------------------------

def generation(ctx: Context) -> list[Entry]:
    """The generator's own write rate (through the write path) against its baseline, both
    measured when each commune was made (possibly in an earlier run that filled the cache)."""
    gen = ctx.province.generation()
    rate = gen["rows"] / gen["seconds"]
    base = gen["rows"] / gen["baseline_seconds"]
    return [entry("generation through the write path (rows/s)", rate, "rows/s", baseline=base,
                  higher_is_better=True,
                  note=f"{gen['households']} households, {gen['members']} members, "
                       f"{gen['rows']} rows ({gen['changes']} changes) in "
                       f"{gen['seconds']:.1f} s; baseline measured with each commune")]


# -- merge --------------------------------------------------------------------------------

def merge(ctx: Context) -> list[Entry]:
    """The office imports every commune's package (read, verify, order, plan, apply, derived
    indexes) in a subprocess; its peak RSS. The baseline writes the same rows."""
    province = ctx.province
    office = ctx.work / "office.sqlite"
    pv._remove_db(office)
    shutil.copy(province.folder / "office-empty.sqlite", office)
    trust = ctx.work / "trust.json"
    trust.write_text(json.dumps(province.fingerprints), encoding="utf-8")
    ctx.log(f"Gộp {len(province.packages)} gói vào cơ sở dữ liệu của tỉnh…")
    done = subprocess.run([sys.executable, "-m", "bench.merge_run", str(office), str(trust),
                           *map(str, province.packages)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"merge failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if any(s != "applied" for s in result["statuses"]):
        raise RuntimeError(f"merge did not apply every package: {result['reasons']}")
    ctx.office = office
    ctx.extra["merge"] = result
    result["households"] = _count(office, "SELECT count(*) FROM household WHERE deleted = 0")
    columns = _columns(office)
    base_seconds, base_rows = pv.plain_write_seconds(ctx.work / "baseline.sqlite", columns,
                                                     pv.package_batches(province.packages))
    rows = result["rows"]
    rate, base_rate = rows / result["seconds"], base_rows / base_seconds
    result["package_bytes"] = sum(p.stat().st_size for p in province.packages)
    result["payload_bytes"] = sum(_unpacked(p) for p in province.packages)
    note = (f"{len(province.packages)} packages, {rows} rows in {result['seconds']:.2f} s; "
            f"baseline {base_rows} rows in {base_seconds:.3f} s")
    return [
        entry("office merge of all packages (rows/s)", rate, "rows/s", baseline=base_rate,
              higher_is_better=True, at_least=40_000, note=note),
        entry("office merge: ratio to the baseline", rate and base_rate / rate, "x",
              at_most=5, note="baseline rows/s over merge rows/s"),
        entry("office merge: time inside SQLite (share of the merge)",
              100 * result["sqlite_seconds"] / result["seconds"], "%",
              note=f"{result['sqlite_seconds']:.1f} s of {result['seconds']:.1f} s in statements "
                   "and their rows read (commits included); the rest is Python: reading, "
                   "checking and planning the records, building the rows"),
        entry("office merge with no Python at all: rows over the time inside SQLite (rows/s)",
              rows / result["sqlite_seconds"], "rows/s", baseline=base_rate,
              higher_is_better=True,
              note="the most a merge making these same writes and reads could reach if its "
                   "Python took no time; below the merge's target, the target needs fewer or "
                   "cheaper writes, not faster Python"),
        entry("office merge: peak RSS", result["peak_rss_bytes"] / MB, "MB", at_most=500,
              note=f"subprocess VmHWM; {result['rss_before_bytes'] / MB:.0f} MB before the "
                   f"merge (interpreter and modules); packages {result['package_bytes'] / MB:.1f}"
                   f" MB, {result['payload_bytes'] / MB:.1f} MB unpacked"),
    ]


class _WriteLog:
    """A connection that passes everything on and keeps each write statement it runs, with
    its parameters (reads, transactions and pragmas are not kept)."""

    _NOT_WRITES = ("SELECT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

    def __init__(self, conn):
        self._conn = conn
        self.writes: list[tuple[str, str, tuple]] = []

    def __getattr__(self, name: str):
        return getattr(self._conn, name)

    def execute(self, sql: str, *args):
        if not sql.lstrip().upper().startswith(self._NOT_WRITES):
            self.writes.append(("execute", sql, args))
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, rows):
        rows = list(rows)
        self.writes.append(("executemany", sql, (rows,)))
        return self._conn.executemany(sql, rows)


def merge_floor(ctx: Context) -> list[Entry]:
    """What SQLite itself needs for a merge's writes: one package imported into an empty
    office while its write statements are kept, then those statements replayed as they
    were, with their parameters, into another copy of the empty office in one transaction.
    The replay is the merge without its Python (reading, checking, planning, the derived
    rows worked out): no merge into this schema can go faster, and an empty office is the
    most favourable case (its indexes grow with every commune merged)."""
    from gnapp.db import connection
    from gnapp.sync import importer

    province = ctx.province
    package = province.packages[0]
    copies = [ctx.work / "floor-import.sqlite", ctx.work / "floor-replay.sqlite"]
    for path in copies:
        pv._remove_db(path)
        shutil.copy(province.folder / "office-empty.sqlite", path)
    db = connection.connect(copies[0])
    log = db.conn = _WriteLog(db.conn)
    start = time.perf_counter()
    report, = importer.import_files(db, [package], trust=province.fingerprints)
    imported = time.perf_counter() - start
    db.close()
    if report.status != "applied":
        raise RuntimeError(f"the floor's package was not applied: {report.summary()}")
    rows = sum(report.counts.values())
    replay = connection.connect(copies[1])
    with connection.page_cache(replay, importer.IMPORT_CACHE_MB):
        start = time.perf_counter()
        replay.conn.execute("BEGIN")
        for method, sql, args in log.writes:
            getattr(replay.conn, method)(sql, *args)
        replay.conn.execute("COMMIT")
        replayed = time.perf_counter() - start
    replay.close()
    base, base_rows = pv.plain_write_seconds(ctx.work / "baseline.sqlite",
                                             _columns(copies[1]), pv.package_batches([package]))
    return [entry("office merge floor: its SQL writes replayed, one package into an empty "
                  "office (rows/s)", rows / replayed, "rows/s", baseline=base_rows / base,
                  higher_is_better=True,
                  note=f"{rows} rows, {len(log.writes)} write statements replayed in "
                       f"{replayed:.2f} s; the import of the same package took {imported:.2f} s "
                       f"({rows / imported:.0f} rows/s); not a target, the bound on one")]


def _unpacked(path: Path) -> int:
    """Bytes of a package's entries once unzipped."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return sum(info.file_size for info in z.infolist())


def _count(path: Path, sql: str) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _columns(path: Path) -> dict[str, list[str]]:
    import sqlite3

    conn = sqlite3.connect(path)
    columns = {t: pv.table_columns(conn, t) for t in pv.syncable_tables()}
    conn.close()
    return columns


# -- export -------------------------------------------------------------------------------

def export_package(ctx: Context) -> list[Entry]:
    """One commune's package with all it owns (a snapshot, as big as its first package),
    against writing the same rows; and the package size per household."""
    from gnapp.db import connection
    from gnapp.sync import export

    commune = ctx.commune
    db = connection.connect(ctx.commune_copy("export.sqlite"))
    out = ctx.work / "export"
    shutil.rmtree(out, ignore_errors=True)
    results = []

    def run() -> None:
        results.append(export.export_package(db, out, kind="snapshot"))

    seconds = timed(run, repeat=2)
    db.close()
    package = results[-1].paths[0]
    base, rows = pv.plain_write_seconds(ctx.work / "baseline.sqlite", _columns(
        ctx.work / "export.sqlite"), pv.package_batches([package]))
    size = package.stat().st_size
    first = commune.package_bytes
    at_office = []
    if ctx.office is not None:
        office = connection.connect(ctx.office)
        oldest, newest = (office.execute(f"SELECT owner_unit FROM household ORDER BY rowid "
                                         f"{o} LIMIT 1").fetchone()[0] for o in ("", "DESC"))
        # the same commune's rows, cut from the whole province
        start = time.perf_counter()
        made = export.export_package(office, ctx.work / "recovery", to_unit=oldest,
                                     kind="recovery")
        at_office.append(entry(
            "office: recovery package of one commune (s)", time.perf_counter() - start, "s",
            note=f"{sum(made.counts.values())} rows of {oldest} out of the merged province"))
        # what the office sends a commune: its own changes, not the province's it merged
        start = time.perf_counter()
        sent = export.export_package(office, ctx.work / "down", to_unit=newest)
        at_office.append(entry(
            "office: its first changes package to a commune after the merge (s)",
            time.perf_counter() - start, "s",
            note=f"{sum(sent.counts.values())} rows to {newest}; the office's own changes "
                 "among every change it merged"))
        office.close()
    return [
        entry(f"export of one commune package ({commune.households} households) (s)",
              seconds, "s", baseline=base, at_most=1.0,
              note=f"{rows} rows, snapshot, best of 2; first 'changes' package took "
                   f"{commune.export_seconds:.2f} s when generated"),
        entry("package size per household (compressed)", size / commune.households, "bytes",
              at_most=KB, note=f"{size} bytes for {commune.households} households "
                               f"(first package {first} bytes)"),
        *at_office,
    ]


# -- review reports -----------------------------------------------------------------------

REPORTS = ("bao-cao-1", "bao-cao-2", "bao-cao-3", "bao-cao-4", "bao-cao-5")


def reports(ctx: Context) -> list[Entry]:
    """Báo cáo 1–5 of the current round to PDF (build and render, as ``gnapp report``),
    over the whole province (office database) and over one commune."""
    from gnapp.db import connection
    from gnapp.forms import catalog

    out = []
    scopes = (("province", ctx.office, 3.0), ("commune", ctx.commune_copy("reports.sqlite"), 0.3))
    for label, path, limit in scopes:
        db = connection.connect(path)
        for name in REPORTS:
            target = ctx.work / f"{label}-{name}.pdf"
            seconds = timed(lambda: catalog.produce(db, name, target), repeat=2)
            out.append(entry(f"{name} over the {label} (s)", seconds, "s", at_most=limit,
                             note="catalog.produce to PDF, best of 2"))
        db.close()
    return out


# -- household list and search ---------------------------------------------------------------

SEARCHES = ("Nguyễn Văn", "nguyen van", "Lò Thị", "Trần Thị Hương", "hoang duc")


def _gui_filter(db, search: str | None = None):
    """The filter the household page starts with (current round, people living here)."""
    from gnapp.db import reviews, sites
    from gnapp.ui.household_list import HouseholdFilter

    site = sites.require_site(db)
    round_ = reviews.current_round(db, site.unit_code, date.today())
    return HouseholdFilter(search=search, status="active",
                           round_id=round_["id"] if round_ else None)


def _open_list(db, flt) -> float:
    """Seconds from a new list model (as the household page makes it: a count with the
    default filter, then its own filter) to its first row (a count and the first page)."""
    from gnapp.ui.household_list import HouseholdListModel

    start = time.perf_counter()
    model = HouseholdListModel(db)
    model.set_filter(flt)
    model.row(0)
    return time.perf_counter() - start


def _type(model, flt) -> float:
    """Seconds from a new filter (a keystroke, after the page's delay) to the first row."""
    start = time.perf_counter()
    model.set_filter(flt)
    model.row(0)
    return time.perf_counter() - start


def household_list(ctx: Context) -> list[Entry]:
    """Time to the first rows of the household list, as the GUI's model fetches them, on a
    new connection, at one commune and at the province; then paging further down."""
    from gnapp.db import connection
    from gnapp.db import households as hh

    out = []
    for label, path in (("commune", ctx.commune_copy("list.sqlite")), ("province", ctx.office)):
        samples = []
        for _ in range(3):
            db = connection.connect(path)
            samples.append(_open_list(db, _gui_filter(db)))
            db.close()
        db = connection.connect(path)
        count = hh.count_households(db)
        out.append(entry(f"household list first rows, {label} of {count} households (s)",
                         statistics.median(samples), "s", at_most=0.3,
                         note=f"{label}; HouseholdListModel count + first page of "
                              f"{hh_page()}, new connection, median of 3"))
        if label == "province":
            flt = _gui_filter(db).query()
            middle = hh.list_households(db, offset=count // 2 - 1, limit=1, **flt)[0]
            out.append(entry(f"household list page at the middle, province of {count} "
                             "(s)",
                             timed(lambda: hh.list_households(db, offset=count // 2, limit=200,
                                                              **flt)), "s",
                             note="offset paging (a jump to the middle)"))
            out.append(entry(f"household list next page at the middle, province of "
                             f"{count} (s)",
                             timed(lambda: hh.list_households(db, after=middle, limit=200,
                                                              **flt)), "s",
                             note="keyset paging (scrolling on)"))
        db.close()
    return out


def hh_page() -> int:
    from gnapp.ui.household_list import PAGE_SIZE

    return PAGE_SIZE


def search(ctx: Context) -> list[Entry]:
    """Search as you type over every member of the province: each prefix of a few names
    ("N", "Ng", … "Nguyễn Văn"), as the household page runs it after a keystroke (count and
    first page of matching households); p50 and p95 over all prefixes, after one warm-up."""
    from gnapp.db import connection
    from gnapp.db import households as hh
    from gnapp.ui.household_list import HouseholdListModel

    db = connection.connect(ctx.office)
    members = db.execute("SELECT count(*) FROM member WHERE deleted = 0").fetchone()[0]
    prefixes = [text[:n] for text in SEARCHES for n in range(1, len(text) + 1)
                if text[:n].strip() and not text[:n].endswith(" ")]
    model = HouseholdListModel(db)
    filters = [_gui_filter(db, prefix) for prefix in prefixes]
    for flt in filters:
        _type(model, flt)
    samples = []
    for _ in range(2):
        samples += [_type(model, flt) for flt in filters]
    found = [f"{text}: {hh.count_households(db, search=text)}" for text in SEARCHES]
    db.close()
    note = (f"{len(samples)} searches over {members} members; households found: "
            + ", ".join(found))
    return [entry("register search as you type over the province p50 (s)",
                  percentile(samples, 50), "s", note=note),
            entry("register search as you type over the province p95 (s)",
                  percentile(samples, 95), "s", at_most=0.1, note=note)]


# -- cold start ---------------------------------------------------------------------------

def cold_start(ctx: Context) -> list[Entry]:
    """Wall time from starting ``gnapp --db`` (offscreen) to the main window shown and
    answering: on one commune's database and on the merged office database; median of 3
    fresh processes each. A start that fails is recorded in ``ctx.errors``."""
    out = []
    for label, path, size in (
            ("commune", ctx.commune_copy("start.sqlite"), ctx.commune.households),
            ("province office", ctx.office, ctx.extra.get("merge", {}).get("households"))):
        try:
            samples = [_start_gui(ctx, path) for _ in range(3)]
        except RuntimeError as exc:
            ctx.errors.append({"function": f"cold_start ({label})", "error": str(exc)})
            continue
        out.append(entry(f"cold start of the GUI to a usable window, {label} of {size} "
                         "households (s)", statistics.median(samples), "s", at_most=2.5,
                         note="fresh process, offscreen, median of 3: "
                              + ", ".join(f"{s:.2f}" for s in samples)))
    return out


def _start_gui(ctx: Context, path: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GNAPP_HOME": str(ctx.work / "home")}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.gui_start", str(path)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if line.strip() != "READY":
        last = err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"
        raise RuntimeError(f"the GUI did not start on {path.name}: {last}")
    return elapsed


# -- the list -----------------------------------------------------------------------------

ENTRY_FUNCTIONS: list[Callable[[Context], list[Entry]]] = [
    generation, merge, merge_floor, export_package, reports, household_list, search,
    cold_start,
]


def register(fn: Callable[[Context], list[Entry]]) -> Callable[[Context], list[Entry]]:
    """Add an entry function (run after the others, once the office is merged)."""
    ENTRY_FUNCTIONS.append(fn)
    return fn
