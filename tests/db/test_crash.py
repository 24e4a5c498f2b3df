"""A writer killed in the middle of a large transaction loses that transaction only."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from gnapp.db import checks, connection

WRITER = textwrap.dedent("""
    import sys
    from gnapp.db import connection, sites, units

    db = connection.connect(sys.argv[1])
    writer = sites.writer(db)
    writer.transact(lambda w: [units.add_village(w, f"Thôn {i:03d}") for i in range(300)])
    print("committed", flush=True)
    db.execute("PRAGMA cache_size=50")  # a small cache spills the open transaction to the WAL

    def endless(w):
        i = 300
        while True:
            units.add_village(w, f"Thôn {i:06d}")
            if i == 1500:
                print("inside", flush=True)
            i += 1

    writer.transact(endless)
""")


def count(db, sql):
    return db.execute(sql).fetchone()[0]


@pytest.mark.slow
def test_killing_a_writer_mid_transaction_keeps_committed_rows_only(site_path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(site_path)],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert proc.stdout.readline().strip() == "committed"
        assert proc.stdout.readline().strip() == "inside"
        time.sleep(0.3)
        wal = site_path.with_name(site_path.name + "-wal")
        assert wal.stat().st_size > 1_000_000  # the open transaction has spilled to the WAL
    finally:
        proc.kill()                 # SIGKILL on Linux, TerminateProcess on Windows
        proc.wait(timeout=30)
    assert proc.returncode != 0

    db = connection.connect(site_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    villages = count(db, "SELECT count(*) FROM admin_unit WHERE level = 'village'")
    assert villages == 300
    assert count(db, "SELECT count(*) FROM change_log WHERE origin = 'local'") == 300
    assert count(db, "SELECT count(DISTINCT row_id) FROM audit_log "
                     "WHERE table_name = 'admin_unit' AND row_id != '*'") == 300
    assert checks.check(db).ok
