"""The office merge, run alone in a subprocess so that its peak memory is its own.

``python -m bench.merge_run OFFICE_DB TRUST_FILE PACKAGE…`` imports the packages into the
office database exactly as ``gnapp package import PACKAGE… --trust KEY…`` does (read,
verify, order, plan, apply, with the derived indexes kept in step) and prints one JSON
object: seconds, rows, statuses, peak RSS, and the part of the seconds spent inside SQLite.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_bytes() -> int:
    """This process's peak resident set: VmHWM from /proc, else ru_maxrss (KiB on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class SqliteClock:
    """A connection that passes everything on and adds up the time spent inside SQLite:
    each statement run (commits included) and each row read from its cursors. What is left
    of a merge's time is Python's: reading, checking and planning the records, building the
    rows to write."""

    def __init__(self, conn):
        self._conn = conn
        self.seconds = 0.0

    def __getattr__(self, name: str):
        return getattr(self._conn, name)

    def timed(self, fn, *args):
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.seconds += time.perf_counter() - start

    def execute(self, sql: str, *args):
        return _TimedCursor(self, self.timed(self._conn.execute, sql, *args))

    def executemany(self, sql: str, rows):
        rows = rows if isinstance(rows, list) else list(rows)   # built by Python, not SQLite
        return self.timed(self._conn.executemany, sql, rows)


class _TimedCursor:
    """A cursor whose reads count in its ``SqliteClock``."""

    def __init__(self, clock: SqliteClock, cursor):
        self._clock, self._cursor = clock, cursor

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def __iter__(self):
        return self

    def __next__(self):
        return self._clock.timed(self._cursor.__next__)

    def fetchone(self):
        return self._clock.timed(self._cursor.fetchone)

    def fetchall(self):
        return self._clock.timed(self._cursor.fetchall)

    def fetchmany(self, *args):
        return self._clock.timed(self._cursor.fetchmany, *args)


def main(argv: list[str]) -> int:
    office, trust_file, *packages = argv
    from gnapp.db import connection
    from gnapp.sync import importer

    trust = json.loads(Path(trust_file).read_text(encoding="utf-8"))
    rss_before = peak_rss_bytes()
    db = connection.connect(office)
    clock = db.conn = SqliteClock(db.conn)
    start = time.perf_counter()
    reports = importer.import_files(db, [Path(p) for p in packages], trust=trust)
    seconds = time.perf_counter() - start
    db.close()
    counts: dict[str, int] = {}
    for report in reports:
        for action, n in report.counts.items():
            counts[action] = counts.get(action, 0) + n
    print(json.dumps({"seconds": seconds, "rows": sum(counts.values()), "counts": counts,
                      "sqlite_seconds": clock.seconds,
                      "statuses": [r.status for r in reports],
                      "reasons": [r.reason for r in reports if r.status != "applied"],
                      "rss_before_bytes": rss_before, "peak_rss_bytes": peak_rss_bytes(),
                      "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
