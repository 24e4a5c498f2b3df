"""Recovery at start: a damaged file is recognised, never overwritten, and a backup restored."""

import os
import sqlite3
import time
from datetime import datetime

import pytest

from gnapp.db import backup, connection, recovery, schema, sites
from gnapp.db.recovery import DAMAGED, MISSING, NOT_GNAPP, OK, TOO_NEW
from tests.recovery_helpers import add_village, village_names


@pytest.fixture
def saved(site_path):
    """A database with a village, backed up, then changed once more."""
    add_village(site_path, "Thôn Đồng Tâm")
    info = backup.make_backup(site_path, now=datetime(2026, 3, 2, 8, 30))
    add_village(site_path, "Thôn Sau Sao Lưu")
    return info


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def garbage(path):
    path.write_bytes(bytes(range(256)) * 64)


def other_sqlite(path):
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()


def pdf(path):
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 2000)


def inner_damage(path):
    """Overwrite pages in the middle (the header stays right)."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in range(3, len(data) // page - 2, 7):
        data[n * page + 8:n * page + 400] = b"\xa5" * 392
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("spoil, state, words", [
    (truncate, DAMAGED, "bị cắt cụt"),
    (garbage, DAMAGED, "phần đầu tệp không còn đúng"),
    (other_sqlite, NOT_GNAPP, "chương trình khác"),
    (pdf, NOT_GNAPP, "tệp PDF"),
    (inner_damage, DAMAGED, "bị hỏng"),
    (lambda p: p.write_bytes(b""), DAMAGED, "rỗng (0 byte)"),
])
def test_inspect_names_what_is_wrong_and_writes_nothing(site_path, saved, spoil, state, words):
    spoil(site_path)
    before = site_path.read_bytes()
    mtime = site_path.stat().st_mtime_ns
    health = recovery.inspect(site_path)
    assert health.state == state and not health.usable
    assert words in health.message and site_path.name in health.message
    assert site_path.read_bytes() == before and site_path.stat().st_mtime_ns == mtime


def test_inspect_of_good_missing_and_too_new_files(site_path, tmp_path):
    assert recovery.inspect(site_path).state == OK
    assert recovery.inspect(tmp_path / "none.sqlite").state == MISSING
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")                  # no backup of it: nothing was lost, first start
    assert recovery.inspect(empty).state == MISSING
    conn = sqlite3.connect(site_path)
    conn.execute(f"PRAGMA user_version = {(schema.SCHEMA_MAJOR + 1) * 1000}")
    conn.close()
    health = recovery.inspect(site_path)
    assert health.state == TOO_NEW and "Cần cập nhật phần mềm" in health.message


def test_latest_good_backup_skips_damaged_ones(site_path, saved):
    newer = backup.make_backup(site_path, now=datetime(2026, 3, 3, 9, 0))
    truncate(newer.path)
    assert recovery.latest_good_backup(site_path).path == saved.path
    truncate(saved.path)
    assert recovery.latest_good_backup(site_path) is None


def test_recover_keeps_the_damaged_bytes_and_restores_the_backup(site_path, saved):
    old_site = sites.local_site(connection.connect(saved.path))
    garbage(site_path)
    damaged = site_path.read_bytes()
    (site_path.parent / (site_path.name + "-wal")).write_bytes(b"wal bytes")

    aside, site = recovery.recover_from(saved.path, site_path)

    assert aside.parent == site_path.parent and aside.name.startswith("gnapp.sqlite.hong-")
    assert aside.read_bytes() == damaged
    assert (aside.parent / (aside.name + "-wal")).read_bytes() == b"wal bytes"
    assert village_names(site_path) == ["Thôn Đồng Tâm"]
    assert site.replaces == old_site.id
    assert recovery.inspect(site_path).state == OK


def test_set_aside_never_overwrites(site_path):
    when = datetime(2026, 3, 2, 10, 0)
    first_bytes = site_path.read_bytes()
    first = recovery.set_aside(site_path, now=when)
    site_path.write_bytes(b"second")
    second = recovery.set_aside(site_path, now=when)
    assert first != second and first.read_bytes() == first_bytes
    assert second.read_bytes() == b"second" and not site_path.exists()


def test_a_failed_recovery_puts_the_damaged_file_back(site_path, saved, monkeypatch):
    garbage(site_path)
    damaged = site_path.read_bytes()

    def broken(*args):
        site_path.write_bytes(b"half")
        raise OSError("disk failure")

    monkeypatch.setattr(backup, "restore", broken)
    with pytest.raises(OSError):
        recovery.recover_from(saved.path, site_path)
    assert site_path.read_bytes() == damaged
    assert not list(site_path.parent.glob("*.hong-*"))


def test_a_bad_backup_is_refused_before_anything_moves(site_path, tmp_path):
    garbage(site_path)
    bad = tmp_path / "bad.gnbak"
    bad.write_bytes(b"nope" * 100)
    with pytest.raises(backup.BackupError, match="không phải bản sao lưu gnapp"):
        recovery.recover_from(bad, site_path)
    assert site_path.exists() and not list(tmp_path.glob("*.hong-*"))


def test_a_cancelled_recovery_puts_the_damaged_file_back(site_path, saved):
    from gnapp.domain.cancel import Cancelled

    conn = sqlite3.connect(saved.path)          # big enough to be copied in several steps
    conn.execute("CREATE TABLE pad (x BLOB)")
    conn.executemany("INSERT INTO pad VALUES (?)", [(bytes(2000),) for _ in range(2000)])
    conn.commit()
    conn.close()
    garbage(site_path)
    damaged = site_path.read_bytes()
    copied = []

    def stop(done, total, label):
        if label.startswith("Đang chép"):
            copied.append(done)
            raise Cancelled()

    with pytest.raises(Cancelled):
        recovery.recover_from(saved.path, site_path, progress=stop)
    assert copied and 0 < copied[0] < os.path.getsize(saved.path) // 4096
    assert site_path.read_bytes() == damaged
    assert not list(site_path.parent.glob("*.hong-*"))


def test_a_quick_check_that_takes_too_long_is_left_to_the_full_check(site_path, monkeypatch):
    # a province office's file of several GB: the start does not wait for the whole check
    conn = sqlite3.connect(site_path)       # ~60 MB that the check reads page by page
    conn.execute("CREATE TABLE bulk (value BLOB)")
    conn.execute("CREATE INDEX bulk_value ON bulk (value)")
    conn.execute("INSERT INTO bulk WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                 "FROM n WHERE i < 30000) SELECT randomblob(1000) FROM n")
    conn.commit()
    conn.close()
    monkeypatch.setattr(recovery, "QUICK_CHECK_SECONDS", 0.005)
    started = time.perf_counter()
    health = recovery.inspect(site_path)
    assert time.perf_counter() - started < 1.0
    assert health.state == OK and health.usable
    assert "chạy nền" in health.detail
    monkeypatch.setattr(recovery, "QUICK_CHECK_SECONDS", 5.0)
    assert recovery.inspect(site_path) == recovery.Health(OK, site_path)


def test_damage_is_still_found_when_the_check_has_time(site_path, monkeypatch):
    monkeypatch.setattr(recovery, "QUICK_CHECK_SECONDS", 5.0)
    inner_damage(site_path)
    assert recovery.inspect(site_path).state == DAMAGED
    # the header is read whatever the time allowed
    monkeypatch.setattr(recovery, "QUICK_CHECK_SECONDS", 0.0)
    garbage(site_path)
    assert recovery.inspect(site_path).state == DAMAGED
