import hashlib
import sqlite3

import pytest

from gnapp.db import connection, schema


def test_migrations_build_the_schema_from_an_empty_file(db_path):
    db = connection.connect(db_path)
    tables = set(db.table_names())
    assert {"site", "app_user", "setting", "change_log", "audit_log", "row_lock",
            "admin_unit", "admin_unit_fts"} <= tables
    assert connection.schema_version(db) == (schema.SCHEMA_MAJOR, schema.SCHEMA_MINOR)
    assert db.execute("PRAGMA application_id").fetchone()[0] == connection.APPLICATION_ID
    assert schema.migrations.pending(db) == []
    db.close()


def test_reopening_applies_nothing(db_path):
    connection.connect(db_path).close()
    db = connection.connect(db_path)
    assert connection.migrate_db(db) == []
    assert schema.migrations.pending(db) == []
    assert [m.name for m in schema.migrations.applied(db)][:2] == ["m001_core", "m002_register"]


def test_every_connection_gets_wal_full_sync_and_foreign_keys(db_path):
    connection.connect(db_path).close()
    db = connection.connect(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_from_a_newer_major_version_is_refused_untouched(db_path):
    db = connection.connect(db_path)
    db.execute(f"PRAGMA user_version={(schema.SCHEMA_MAJOR + 1) * 1000}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = _digest(db_path)
    with pytest.raises(connection.DatabaseTooNew, match="Cần cập nhật phần mềm"):
        connection.connect(db_path)
    assert _digest(db_path) == before


def test_a_newer_minor_version_still_opens(db_path):
    db = connection.connect(db_path)
    db.execute(f"PRAGMA user_version={schema.SCHEMA_MAJOR * 1000 + schema.SCHEMA_MINOR + 1}")
    db.close()
    db = connection.connect(db_path)
    assert connection.schema_version(db)[1] == schema.SCHEMA_MINOR + 1


def test_another_programs_database_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(connection.DatabaseError, match="không phải cơ sở dữ liệu của gnapp"):
        connection.connect(db_path)
    assert sqlite3.connect(db_path).execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'site'").fetchone()[0] == 0


def test_a_file_that_is_not_sqlite_is_refused_with_a_message(db_path):
    db_path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(connection.DatabaseError, match="Không mở được tệp"):
        connection.connect(db_path)
