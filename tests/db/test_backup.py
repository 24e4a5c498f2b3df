"""Backups of a live database, their rotation, restore as a new site, and the check."""

import shutil
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gnapp.db import backup, checks, connection, sites, units
from gnapp.db.backup import BackupError, Rotation, rotation_keep
from gnapp.domain.errors import InputError


def village_names(db):
    return [v["name"] for v in units.children(db, "07339", level="village")]


def test_backup_and_restore_round_trip(site_db, site_path, writer):
    units.add_village(writer, "Thôn Đồng Tâm")
    old_site = sites.local_site(site_db)
    info = backup.make_backup(site_path)
    assert info.path.parent == site_path.parent / "backups" and info.label == "manual"
    units.add_village(writer, "Thôn Sau Sao Lưu")  # made after the backup: gone on restore
    site_db.close()

    new_site = backup.restore(info.path, site_path)

    db = connection.connect(site_path)
    assert village_names(db) == ["Thôn Đồng Tâm"]
    assert new_site.id != old_site.id and new_site.replaces == old_site.id
    assert new_site.sign_public != old_site.sign_public
    assert sites.local_site(db) == new_site
    retired = db.execute("SELECT is_local, sign_private, retired_at FROM site WHERE id = ?",
                         [old_site.id]).fetchone()
    assert retired[0] == 0 and retired[1] is None and retired[2]
    # what was there before the restore was itself backed up first
    saved = [b for b in backup.list_backups(backup.backup_dir(site_path), site_path.stem)
             if b.label == "before-restore"]
    assert len(saved) == 1
    assert "Thôn Sau Sao Lưu" in village_names(connection.connect(saved[0].path))
    assert checks.check(db).ok


def test_a_backup_of_a_database_being_written_holds_only_committed_rows(site_db, site_path,
                                                                         writer):
    units.add_village(writer, "Thôn Một")
    site_db.execute("BEGIN IMMEDIATE")
    units.add_village(writer, "Thôn Chưa Lưu")  # inside the open transaction
    info = backup.make_backup(site_path)
    site_db.execute("ROLLBACK")
    copy = connection.connect(info.path)
    assert village_names(copy) == ["Thôn Một"]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(site_db, site_path, tmp_path):
    bogus = tmp_path / "not-a-backup.gnbak"
    bogus.write_bytes(b"PK\x03\x04 zip, not sqlite" * 50)
    site_before = sites.local_site(site_db)
    with pytest.raises(BackupError, match="không phải bản sao lưu gnapp"):
        backup.restore(bogus, site_path)
    with pytest.raises(BackupError, match="Không tìm thấy"):
        backup.restore(tmp_path / "missing.gnbak", site_path)
    assert sites.local_site(connection.connect(site_path)) == site_before


def test_backup_names_sort_and_two_in_one_second_are_both_kept(site_path):
    now = datetime(2026, 11, 23, 9, 0, 0)
    first = backup.make_backup(site_path, now=now)
    second = backup.make_backup(site_path, now=now, label="auto")
    assert first.path != second.path and second.taken_at == now + timedelta(seconds=1)
    found = backup.list_backups(backup.backup_dir(site_path), site_path.stem)
    assert [b.path for b in found] == [second.path, first.path]
    assert backup.last_backup(site_path).path == second.path


def test_no_partial_file_is_left_when_a_backup_fails(tmp_path):
    with pytest.raises(BackupError, match="Không có tệp dữ liệu"):
        backup.make_backup(tmp_path / "missing.sqlite")
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def hours(*offsets, start=datetime(2026, 11, 23, 18, 0)):
    return [start - timedelta(hours=h) for h in offsets]


def test_rotation_keeps_the_newest_then_one_per_day_week_and_month():
    times = hours(*range(0, 24 * 400, 6))  # every 6 hours for 400 days
    keep = rotation_keep(times, Rotation(recent=3, daily=7, weekly=4, monthly=12))
    newest = sorted(times, reverse=True)
    assert set(newest[:3]) <= keep
    days = {t.date() for t in keep}
    assert len({d for d in days if d > newest[0].date() - timedelta(days=7)}) == 7
    assert len({(t.year, t.month) for t in keep}) == 12
    assert len(keep) <= 3 + 7 + 4 + 12
    assert min(times) not in keep


def test_rotation_deletes_only_what_it_does_not_keep(site_path):
    start = datetime(2026, 1, 1, 8, 0)
    made = [backup.make_backup(site_path, now=start + timedelta(days=d), rule=None)
            for d in range(40)]
    dropped = backup.rotate(backup.backup_dir(site_path), site_path.stem,
                            Rotation(recent=2, daily=3, weekly=2, monthly=2))
    left = backup.list_backups(backup.backup_dir(site_path), site_path.stem)
    assert len(left) + len(dropped) == 40
    assert left[0].path == made[-1].path and left[1].path == made[-2].path
    assert all(not p.exists() for p in dropped)


GB = 1024 ** 3


def sparse_backups(site_path, sizes, start=datetime(2026, 11, 1, 8, 0)):
    """Backup files of the given sizes (sparse: they take no disk), one a day from ``start``,
    named as the rotation reads them."""
    folder = backup.backup_dir(site_path)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for day, size in enumerate(sizes):
        taken = start + timedelta(days=day)
        path = folder / f"{site_path.stem}-{taken.strftime(backup.STAMP_FORMAT)}-auto.gnbak"
        with open(path, "wb") as f:
            f.truncate(size)
        made.append(path)
    return made


def test_rotation_drops_the_oldest_copies_while_they_take_more_than_the_budget(site_path):
    made = sparse_backups(site_path, [3 * GB] * 6)
    folder = backup.backup_dir(site_path)
    dropped = backup.rotate(folder, site_path.stem, Rotation(budget=10 * GB))
    assert sorted(dropped) == made[:3]      # oldest first, until 3 copies (9 GB) are left
    assert [b.path for b in backup.list_backups(folder, site_path.stem)] == made[:2:-1]
    assert all(not p.exists() for p in dropped)
    # a budget smaller than one copy still keeps the two newest
    assert backup.rotate(folder, site_path.stem, Rotation(budget=GB)) == [made[3]]
    assert [b.path for b in backup.list_backups(folder, site_path.stem)] == made[:3:-1]


def test_a_backup_applies_the_budget_set_for_the_database(site_db, site_path):
    made = sparse_backups(site_path, [400 * 1024 ** 2] * 4)     # 1.6 GB together
    backup.set_budget_gb(site_db, 1)
    assert backup.budget_gb(site_db) == 1
    info = backup.make_backup(site_path, now=datetime(2026, 11, 23, 9, 0))
    left = [b.path for b in backup.list_backups(backup.backup_dir(site_path), site_path.stem)]
    assert left == [info.path, made[3], made[2]]    # 0.8 GB and the new small copy
    # without a setting the budget is a quarter of the disk that holds the backups
    backup.set_budget_gb(site_db, 0)
    folder = backup.backup_dir(site_path)
    assert backup.budget_bytes(backup.budget_gb(site_db), folder) == \
        shutil.disk_usage(folder).total // 4


@pytest.mark.parametrize("value", [-1, backup.MAX_BUDGET_GB + 1, 2.5, "10", True])
def test_a_budget_that_is_not_a_number_of_gb_is_refused(site_db, value):
    with pytest.raises(InputError, match="Dung lượng dành cho sao lưu phải là số GB"):
        backup.set_budget_gb(site_db, value)
    assert backup.budget_gb(site_db) == 0


def test_a_backup_that_would_not_fit_is_refused_before_anything_is_written(site_path,
                                                                           monkeypatch):
    old = sparse_backups(site_path, [1000])
    size = site_path.stat().st_size
    free = size + backup.FREE_RESERVE - 1          # the copy fits, but not with the reserve
    disk = shutil.disk_usage(site_path.parent)
    monkeypatch.setattr(backup.shutil, "disk_usage",
                        lambda path: type(disk)(disk.total, disk.total - free, free))
    with pytest.raises(BackupError) as refused:
        backup.make_backup(site_path)
    message = str(refused.value)
    assert message.startswith(f"Không đủ chỗ trống để sao lưu vào {backup.backup_dir(site_path)}")
    assert "phải chừa lại 512 MB để phần mềm ghi dữ liệu" in message
    assert [b.path for b in backup.list_backups(backup.backup_dir(site_path),
                                                site_path.stem)] == old
    assert [p.name for p in backup.backup_dir(site_path).iterdir()] == [old[0].name]


def test_without_room_the_copies_beyond_the_budget_go_first(site_db, site_path, monkeypatch):
    made = sparse_backups(site_path, [400 * 1024 ** 2] * 4)
    backup.set_budget_gb(site_db, 1)
    folder = backup.backup_dir(site_path)
    disk = shutil.disk_usage(folder)
    room = backup.FREE_RESERVE + 850 * 1024 ** 2       # the disk's room with no backup on it

    def usage(path):
        free = room - sum(p.stat().st_size for p in folder.iterdir())
        return type(disk)(disk.total, disk.total - free, free)

    monkeypatch.setattr(backup.shutil, "disk_usage", usage)
    info = backup.make_backup(site_path)
    left = [b.path for b in backup.list_backups(folder, site_path.stem)]
    # 1.6 GB left 250 MB free; the 1 GB budget keeps two copies: room for the new one
    assert left == [info.path, made[3], made[2]]


def test_on_another_disk_a_backup_needs_only_its_own_size(site_path, monkeypatch):
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or elsewhere.stat().st_dev == site_path.stat().st_dev:
        pytest.skip("no second disk to write to")
    folder = Path(tempfile.mkdtemp(dir=elsewhere))
    try:
        free = site_path.stat().st_size + 4096 * 64
        disk = shutil.disk_usage(folder)
        monkeypatch.setattr(backup.shutil, "disk_usage",
                            lambda path: type(disk)(disk.total, disk.total - free, free))
        info = backup.make_backup(site_path, folder=folder, rule=None)
        assert info.path.parent == folder and info.size > 0
    finally:
        shutil.rmtree(folder)


def test_a_restore_keeps_the_backup_it_restores_from(site_db, site_path, writer):
    start = datetime(2026, 11, 23, 8, 0)
    made = [backup.make_backup(site_path, now=start + timedelta(minutes=m), rule=None)
            for m in range(10)]
    units.add_village(writer, "Thôn Sau")
    site_db.close()
    # the oldest of the ten newest: one more copy would push it out of the rotation
    backup.restore(made[0].path, site_path)
    assert made[0].path.exists()
    assert "Thôn Sau" not in village_names(connection.connect(site_path))


def test_the_newest_backup_is_up_to_date_until_the_data_changes(site_db, site_path, writer):
    assert backup.up_to_date_backup(site_path) is None        # no backup yet
    made = backup.make_backup(site_path, label="start")
    assert backup.newest_change(made.path) == backup.newest_change(site_path) is not None
    assert backup.up_to_date_backup(site_path) == made
    units.add_village(writer, "Thôn Đông")
    assert backup.up_to_date_backup(site_path) is None
    newer = backup.make_backup(site_path, label="auto")
    assert backup.up_to_date_backup(site_path) == newer
    newer.path.write_bytes(b"not a database")                  # an unreadable newest copy
    assert backup.up_to_date_backup(site_path) is None


def test_check_reports_a_change_made_behind_the_write_path(site_db, writer):
    village = units.add_village(writer, "Thôn Đồng Tâm")
    assert checks.check(site_db).ok
    site_db.execute("DROP TRIGGER admin_unit_guard_update")
    site_db.execute("UPDATE admin_unit SET name = 'Sửa lén', updated_at = 'x', version = 9 "
                    "WHERE id = ?", [village["id"]])
    result = checks.check(site_db)
    assert not result.ok
    assert [i.code for i in result.issues] == ["sync.unlogged_change"]


def test_check_reports_broken_foreign_keys(site_db):
    site_db.execute("PRAGMA foreign_keys=OFF")
    site_db.execute("DROP TRIGGER admin_unit_guard_insert")
    site_db.execute("INSERT INTO admin_unit (id, site_id, owner_unit, version, updated_at, "
                    "updated_by, code, name, type, level, parent_id, valid_from, source, name_key) "
                    "VALUES ('x', 's', '07339', 1, 't', 's', '07339.09', 'Thôn Mồ Côi', 'thôn', "
                    "'village', 'missing', '2025-07-01', 'local', 'k')")
    result = checks.check(site_db)
    assert result.foreign_keys and not result.ok
    assert "unit.village_parent" in [i.code for i in result.issues]


def test_check_of_an_empty_database_says_it_is_not_initialised(fresh_db):
    result = checks.check(fresh_db)
    assert [i.code for i in result.issues] == ["site.missing"]
    assert result.as_dict()["ok"] is False


def test_sqlite_backup_copy_is_a_single_file(site_path):
    info = backup.make_backup(site_path)
    conn = sqlite3.connect(info.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_summary_of_a_backup(demo_path):
    info = backup.make_backup(demo_path, now=datetime(2026, 3, 2, 8, 30))
    db = connection.connect(demo_path)
    households = db.execute("SELECT count(*) FROM household WHERE deleted = 0 "
                            "AND status = 'active'").fetchone()[0]
    db.close()
    before = info.path.read_bytes()
    found = backup.summary(info.path)
    assert info.path.read_bytes() == before
    assert found["unit_name"].startswith("Xã") and found["role"] == "commune"
    assert found["households"] == households > 0 and found["members"] > households
    assert found["rounds"] == [2025, 2026]
    assert found["taken_at"] == datetime(2026, 3, 2, 8, 30)
    assert found["size"] == info.size and found["schema"].count(".") == 1
    assert isinstance(found["last_change"], datetime)


def test_summary_of_a_file_that_is_not_gnapp(tmp_path):
    bad = tmp_path / "x.gnbak"
    bad.write_bytes(b"garbage" * 100)
    with pytest.raises(BackupError, match="Không đọc được tệp x.gnbak"):
        backup.summary(bad)


def test_backup_to_a_chosen_folder_keeps_every_copy(site_path, tmp_path):
    usb = tmp_path / "USB Kingston" / "sao lưu"
    made = [backup.make_backup(site_path, folder=usb, rule=None,
                               now=datetime(2026, 1, 1, 8, 0) + timedelta(days=d))
            for d in range(15)]
    assert all(m.path.parent == usb for m in made)
    assert len(backup.list_backups(usb, site_path.stem)) == 15
    assert backup.summary(made[-1].path)["unit_code"] == "07339"


def test_backup_to_a_folder_that_cannot_be_written(site_path, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    with pytest.raises(BackupError, match="Không ghi được bản sao lưu vào thư mục"):
        backup.make_backup(site_path, folder=blocker / "sub")


def test_backup_to_a_full_disk_says_so(site_path, tmp_path, monkeypatch):
    def full(src, dest, progress=None):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "_copy", full)
    with pytest.raises(BackupError, match="ổ đĩa hoặc thẻ nhớ đã đầy"):
        backup.make_backup(site_path, folder=tmp_path / "usb")


def test_a_backup_of_a_newer_gnapp_is_refused(site_path, tmp_path):
    info = backup.make_backup(site_path)
    conn = sqlite3.connect(info.path)
    conn.execute("PRAGMA user_version = 999000")
    conn.close()
    before = site_path.read_bytes()
    with pytest.raises(BackupError, match="phiên bản gnapp mới hơn"):
        backup.restore(info.path, site_path)
    assert site_path.read_bytes() == before


def test_backup_to_a_folder_from_the_command_line(site_path, tmp_path):
    import json

    from click.testing import CliRunner

    from gnapp.cli import cli

    usb = tmp_path / "usb"
    result = CliRunner().invoke(cli, ["backup", "--to", str(usb), "--db", str(site_path),
                                      "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["path"].startswith(str(usb)) and backup.summary(made["path"])["role"]
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = CliRunner().invoke(cli, ["backup", "--to", str(blocked / "x"), "--db",
                                      str(site_path)])
    assert result.exit_code == 1 and "Không ghi được bản sao lưu" in result.output


def test_a_cancelled_backup_leaves_no_file(site_path, tmp_path):
    """The progress of a backup (pages copied) can stop it: no file, not even a part."""
    from gnapp.domain.cancel import Cancelled

    folder = tmp_path / "usb"
    folder.mkdir()
    seen = []

    def stop(done, total):
        seen.append((done, total))
        raise Cancelled()

    with pytest.raises(Cancelled):
        backup.make_backup(site_path, folder=folder, rule=None, progress=stop)
    assert seen and seen[0][1] > 0
    assert list(folder.iterdir()) == []


def padded_backup(site_path, tmp_path):
    """A backup of the site that also holds 3 MB of padding: its copy takes several steps."""
    info = backup.make_backup(site_path, folder=tmp_path / "usb", rule=None)
    conn = sqlite3.connect(info.path)
    conn.execute("CREATE TABLE pad (x BLOB)")
    conn.executemany("INSERT INTO pad VALUES (?)", [(bytes(1000 + i),) for i in range(3000)])
    conn.commit()
    conn.close()
    return info.path


def test_restore_reports_its_steps_and_pages(site_db, site_path, writer, tmp_path):
    units.add_village(writer, "Thôn Có Trong Bản Sao")
    file = padded_backup(site_path, tmp_path)
    site_db.close()
    seen = []
    backup.restore(file, site_path, progress=lambda done, total, label: seen.append(
        (done, total, label)))
    labels = list(dict.fromkeys(label for _, _, label in seen))
    assert labels == [f"Đang kiểm tra {file.name}",
                      "Đang sao lưu dữ liệu hiện tại trước khi khôi phục",
                      f"Đang chép dữ liệu từ {file.name}"]
    copied = [(done, total) for done, total, label in seen if label.startswith("Đang chép")]
    assert len(copied) >= 2 and all(t == copied[0][1] > 1000 for _, t in copied)
    assert [d for d, _ in copied] == sorted(d for d, _ in copied)


@pytest.mark.parametrize("stop_at", ["Đang kiểm tra", "Đang sao lưu", "Đang chép"])
def test_a_cancelled_restore_leaves_everything_as_it_was(site_db, site_path, writer, tmp_path,
                                                         stop_at):
    from gnapp.domain.cancel import Cancelled

    file = padded_backup(site_path, tmp_path)
    units.add_village(writer, "Thôn Sau Sao Lưu")
    before = (sites.local_site(site_db), village_names(site_db))
    site_db.close()
    calls = []

    def stop(done, total, label):
        if label.startswith(stop_at):
            calls.append(label)
            if len(calls) == 2 or stop_at == "Đang kiểm tra":    # the copy: mid-way
                raise Cancelled()

    with pytest.raises(Cancelled):
        backup.restore(file, site_path, progress=stop)
    db = connection.connect(site_path)
    assert (sites.local_site(db), village_names(db)) == before
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'pad'").fetchone()[0] == 0
    assert checks.check(db).ok
    assert [b.label for b in backup.list_backups(backup.backup_dir(site_path),
                                                  site_path.stem)] == []
