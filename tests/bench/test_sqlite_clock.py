"""The clock of the merge's time inside SQLite (``bench.merge_run.SqliteClock``): it passes
every statement on unchanged and counts the statements and the rows read, not the Python
around them."""

import sqlite3
import time

from bench.merge_run import SqliteClock


def _clock(tmp_path) -> SqliteClock:
    conn = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    return SqliteClock(conn)


def test_statements_and_reads_pass_through_and_are_timed(tmp_path):
    clock = _clock(tmp_path)
    clock.execute("BEGIN")
    clock.executemany("INSERT INTO t (name) VALUES (?)", ((f"n{i}",) for i in range(500)))
    clock.execute("COMMIT")
    assert not clock.in_transaction            # attributes of the connection pass through
    after_writes = clock.seconds
    assert after_writes > 0
    cursor = clock.execute("SELECT id, name FROM t ORDER BY id")
    assert [d[0] for d in cursor.description] == ["id", "name"]
    assert next(cursor) == (1, "n0")
    assert cursor.fetchone() == (2, "n1")
    assert len(cursor.fetchmany(3)) == 3
    rest = list(cursor)
    assert len(rest) == 495 and rest[-1] == (500, "n499")
    assert clock.execute("SELECT count(*) FROM t").fetchall() == [(500,)]
    assert clock.seconds > after_writes


def test_python_between_statements_is_not_counted(tmp_path):
    clock = _clock(tmp_path)
    start = time.perf_counter()
    for row in clock.execute("SELECT 1 UNION ALL SELECT 2"):
        time.sleep(0.05)                       # the caller's work on each row read
    assert time.perf_counter() - start >= 0.1
    assert clock.seconds < 0.05
