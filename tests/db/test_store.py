"""The one write path: rows, change log and audit log move together or not at all."""

import sqlite3
import unicodedata

import pytest

from gnapp.db import registry, sites, units, users
from gnapp.db.hlc import Timestamp
from gnapp.db.store import (Actor, Invalid, Locked, NotFound, NotOwner, StaleVersion, Writer,
                            WriteError, get_row, guards_lifted, syncable_values, transaction,
                            write_rows)
from gnapp.domain.canonical import row_hash

COMMUNE = "07339"  # the site of the site_db fixture


def counts(db):
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("admin_unit", "change_log", "audit_log")}


def village_values(db, name="Thôn Đồng Tâm", code=f"{COMMUNE}.01"):
    commune = units.get_unit(db, COMMUNE)
    return {"code": code, "name": name, "type": "thôn", "level": "village",
            "parent_id": commune["id"], "valid_from": "2025-07-01", "valid_to": None,
            "replaced_by": None, "legacy": 0, "source": "local"}


def log_of(db, row_id):
    return list(db.query("SELECT version, base_version, origin, updated_at FROM change_log "
                         "WHERE row_id = ? ORDER BY seq", [row_id]))


def audit_of(db, row_id):
    return list(db.query("SELECT user, field, old, new, reason FROM audit_log "
                         "WHERE row_id = ? ORDER BY id", [row_id]))


def test_insert_stamps_the_row_and_logs_and_audits_it(site_db, writer):
    site = sites.local_site(site_db)
    row = writer.insert("admin_unit", village_values(site_db), reason="Lập danh sách thôn")
    assert (row["version"], row["deleted"], row["owner_unit"]) == (1, 0, COMMUNE)
    assert row["site_id"] == row["updated_by"] == site.id
    assert Timestamp.parse(row["updated_at"]).site_id == site.id
    assert log_of(site_db, row["id"]) == [
        {"version": 1, "base_version": 0, "origin": "local", "updated_at": row["updated_at"]}]
    audit = audit_of(site_db, row["id"])
    assert {a["field"]: a["new"] for a in audit}["name"] == "Thôn Đồng Tâm"
    assert all(a["user"] == "canbo" and a["reason"] == "Lập danh sách thôn" and a["old"] is None
               for a in audit)


def test_update_logs_the_base_version_and_audits_old_and_new(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    updated = writer.update("admin_unit", row["id"], {"name": "Thôn Đồng Tâm Mới"},
                            reason="Đổi tên theo nghị quyết")
    assert updated["version"] == 2 and updated["updated_at"] > row["updated_at"]
    assert [(c["version"], c["base_version"]) for c in log_of(site_db, row["id"])] == \
        [(1, 0), (2, 1)]
    assert audit_of(site_db, row["id"])[-1] == {
        "user": "canbo", "field": "name", "old": "Thôn Đồng Tâm", "new": "Thôn Đồng Tâm Mới",
        "reason": "Đổi tên theo nghị quyết"}


def test_an_update_that_changes_nothing_writes_nothing(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    before = counts(site_db)
    assert writer.update("admin_unit", row["id"], {"name": "Thôn Đồng Tâm"})["version"] == 1
    assert counts(site_db) == before


def test_delete_leaves_an_audited_tombstone_and_needs_a_reason(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    with pytest.raises(WriteError, match="lý do"):
        writer.delete("admin_unit", row["id"], reason=" ")
    gone = writer.delete("admin_unit", row["id"], reason="Sáp nhập vào thôn khác")
    assert (gone["deleted"], gone["version"]) == (1, 2)
    assert audit_of(site_db, row["id"])[-1]["field"] == "deleted"
    with pytest.raises(NotFound):
        writer.update("admin_unit", row["id"], {"name": "X"})


def test_text_is_stored_nfc_and_trimmed(site_db, writer):
    nfd = unicodedata.normalize("NFD", "  Thôn Đồng Tâm ")
    row = writer.insert("admin_unit", village_values(site_db, name=nfd))
    assert row["name"] == "Thôn Đồng Tâm"
    assert unicodedata.is_normalized("NFC", row["name"])


def test_a_failed_operation_leaves_no_row_no_log_and_no_audit(site_db, writer):
    before = counts(site_db)

    def two_villages_then_fail(w):
        w.insert("admin_unit", village_values(site_db))
        w.insert("admin_unit", village_values(site_db, "Thôn Hai", f"{COMMUNE}.02"))
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        writer.transact(two_villages_then_fail)
    assert counts(site_db) == before


def test_transact_reports_what_changed(site_db, writer):
    changes = writer.transact(lambda w: [
        w.insert("admin_unit", village_values(site_db)),
        w.insert("admin_unit", village_values(site_db, "Thôn Hai", f"{COMMUNE}.02"))])
    assert changes.counts == {"admin_unit": 2}
    assert [r["name"] for r in changes.result] == ["Thôn Đồng Tâm", "Thôn Hai"]


def test_writes_outside_the_write_path_are_refused(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    with pytest.raises(sqlite3.IntegrityError, match="outside the write path"):
        site_db.execute("UPDATE admin_unit SET name = 'X' WHERE id = ?", [row["id"]])
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        site_db.execute("DELETE FROM admin_unit WHERE id = ?", [row["id"]])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        site_db.execute("UPDATE audit_log SET new = 'X'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        site_db.execute("DELETE FROM change_log")
    assert get_row(site_db, "admin_unit", row["id"])["name"] == "Thôn Đồng Tâm"


def guards(db) -> int:
    """The write guards (``schema.ensure_write_guards``) the file holds."""
    return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                      "name LIKE '%\\_guard\\_%' ESCAPE '\\'").fetchone()[0]


def test_guards_are_lifted_only_inside_a_transaction_and_always_come_back(site_db, writer):
    """A package import writes through write_rows with the guards lifted; they are back
    after the block, also when it fails, and then refuse a write outside the path again."""
    row = writer.insert("admin_unit", village_values(site_db))
    every = guards(site_db)
    assert every == 3 * len(registry.SYNCABLE)
    with pytest.raises(RuntimeError):
        with guards_lifted(site_db):
            pass
    with pytest.raises(ZeroDivisionError):
        with transaction(site_db), guards_lifted(site_db):
            assert guards(site_db) == len(registry.SYNCABLE)   # the delete guards stay
            site_db.execute("UPDATE admin_unit SET name = 'X' WHERE id = ?", [row["id"]])
            1 / 0
    assert guards(site_db) == every
    assert get_row(site_db, "admin_unit", row["id"])["name"] == "Thôn Đồng Tâm"
    with transaction(site_db), guards_lifted(site_db):
        pass
    assert guards(site_db) == every
    with pytest.raises(sqlite3.IntegrityError, match="outside the write path"):
        site_db.execute("UPDATE admin_unit SET name = 'X' WHERE id = ?", [row["id"]])


def test_a_new_row_whose_id_is_stored_is_refused_not_overwritten(site_db, writer):
    """Base version 0 says the row is new: it is inserted, never merged into a stored one."""
    row = writer.insert("admin_unit", village_values(site_db))
    stamp = Timestamp.parse(row["updated_at"])
    again = {**row, "name": "Thôn Khác", "version": 2,
             "updated_at": str(Timestamp(stamp.ms + 1, 0, stamp.site_id))}
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        with transaction(site_db):
            write_rows(site_db, "admin_unit", [(again, 0)], origin="local")
    assert get_row(site_db, "admin_unit", row["id"])["name"] == "Thôn Đồng Tâm"
    with transaction(site_db):
        write_rows(site_db, "admin_unit", [(again, 1)], origin="local")
    assert get_row(site_db, "admin_unit", row["id"])["name"] == "Thôn Khác"


def test_foreign_keys_are_checked_at_commit_so_rows_apply_in_any_order(site_db, writer):
    def child_first(w):
        village = w.insert("admin_unit", village_values(site_db))
        hamlet = w.insert("admin_unit", {**village_values(site_db, "Thôn Con", f"{COMMUNE}.02"),
                                         "replaced_by": "not-yet-there"})
        return village, hamlet

    before = counts(site_db)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        writer.transact(child_first)
    assert counts(site_db) == before

    def parent_later(w):
        first = w.insert("admin_unit", village_values(site_db))
        second = w.insert("admin_unit", village_values(site_db, "Thôn Con", f"{COMMUNE}.02"))
        # point the first at the second: a forward reference, fine once both exist
        return w.update("admin_unit", first["id"], {"replaced_by": second["id"]})

    assert writer.transact(parent_later).result["replaced_by"]


def test_only_the_owning_unit_may_change_a_row(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    office = Writer(site_db, Actor(site_id=writer.actor.site_id, unit_code="24", user="tinh"))
    with pytest.raises(NotOwner, match="thuộc đơn vị 07339"):
        office.update("admin_unit", row["id"], {"name": "X"})
    official = units.get_unit(site_db, COMMUNE)
    with pytest.raises(NotOwner):
        writer.update("admin_unit", official["id"], {"name": "Xã Khác"})


def test_a_locked_row_cannot_change(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    with transaction(site_db):
        site_db.execute("INSERT INTO row_lock VALUES ('admin_unit', ?, 'đã phê duyệt', '2026-01-01')",
                        [row["id"]])
    with pytest.raises(Locked, match="đã phê duyệt"):
        writer.update("admin_unit", row["id"], {"name": "X"})


def test_an_edit_from_an_old_version_is_refused(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    writer.update("admin_unit", row["id"], {"name": "Thôn B"})
    with pytest.raises(StaleVersion):
        writer.update("admin_unit", row["id"], {"name": "Thôn C"}, expected_version=1)


def test_invalid_values_are_refused_with_a_vietnamese_message(site_db, writer):
    before = counts(site_db)
    with pytest.raises(Invalid, match="Chưa nhập tên đơn vị") as info:
        writer.insert("admin_unit", village_values(site_db, name="  "))
    assert [i.field for i in info.value.issues] == ["name"]
    assert counts(site_db) == before


def test_sync_columns_cannot_be_set_by_callers(site_db, writer):
    with pytest.raises(ValueError, match="version"):
        writer.insert("admin_unit", {**village_values(site_db), "version": 9})


def test_the_hash_of_a_row_ignores_derived_columns(site_db, writer):
    row = writer.insert("admin_unit", village_values(site_db))
    values = syncable_values("admin_unit", row)
    assert "name_key" not in values and "name_fold" not in values
    assert row_hash(values) == row_hash(syncable_values("admin_unit",
                                                        get_row(site_db, "admin_unit", row["id"])))


def test_users_have_scrypt_password_hashes(site_db):
    users.add(site_db, "canbo", "ketoan", "Phạm Thị Lan", role=users.OFFICER,
              password="Mật-khẩu-2026")
    stored = site_db.execute("SELECT password_hash FROM app_user WHERE name = 'ketoan'").fetchone()[0]
    assert stored.startswith("scrypt$") and "Mật" not in stored
    assert users.login(site_db, "ketoan", "Mật-khẩu-2026")["name"] == "ketoan"
    with pytest.raises(users.LoginError, match="Sai mật khẩu"):
        users.login(site_db, "ketoan", "mat-khau-2026")
    with pytest.raises(users.LoginError, match="chưa có mật khẩu"):
        users.login(site_db, "canbo", "anything")
