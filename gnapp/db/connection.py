"""Opening a gnapp database: pragmas on every connection, migrations, version checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import schema
from gnapp.domain.errors import GnappError

# PRAGMA application_id of every gnapp file ("gnap" in ASCII).
APPLICATION_ID = 0x676E6170
BUSY_TIMEOUT_S = 15


class DatabaseError(GnappError):
    """The file cannot be used as a gnapp database (message in Vietnamese)."""


class DatabaseTooNew(DatabaseError):
    """The file was written by a newer gnapp whose schema this program does not know."""


def schema_version(db: Database) -> tuple[int, int]:
    """The (major, minor) schema version recorded in the file; (0, 0) for a new file."""
    value = db.execute("PRAGMA user_version").fetchone()[0]
    return divmod(value, 1000)


def _check_file(db: Database, path: str) -> None:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    has_tables = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    if has_tables and app_id != APPLICATION_ID:
        raise DatabaseError(f"Tệp {path} không phải cơ sở dữ liệu của gnapp.")
    major, minor = schema_version(db)
    if major > schema.SCHEMA_MAJOR:
        raise DatabaseTooNew(
            f"Tệp {path} được tạo bởi phiên bản gnapp mới hơn (cấu trúc dữ liệu {major}.{minor}; "
            f"phần mềm này chỉ đọc được đến {schema.SCHEMA_MAJOR}.x). "
            "Cần cập nhật phần mềm trước khi mở tệp này.")


@contextmanager
def page_cache(db: Database, megabytes: int) -> Iterator[None]:
    """SQLite keeps up to ``megabytes`` of the file's pages in memory for the block (2 MB
    outside it, SQLite's default), then gives them back. A large write, such as an office
    merging many communes' packages into a file of gigabytes, then finds the index pages
    it keeps coming back to without reading them from the disk again."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = {-1024 * megabytes}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {before}")
        db.execute("PRAGMA shrink_memory")


def connect(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (and create if needed) a gnapp database.

    Every connection gets WAL, ``synchronous=FULL``, ``foreign_keys=ON`` and a busy timeout.
    The file is refused with a clear message when it is not a gnapp file or when its
    schema's major version is newer than this program's. Pending migrations are applied
    unless ``migrate`` is false.

    :param path: the database file, or ``":memory:"``
    """
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        db = Database(conn)
        _check_file(db, path)
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        if migrate:
            migrate_db(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"Không mở được tệp {path}: {exc}.") from exc
    return db


def migrate_db(db: Database) -> list[str]:
    """Apply pending migrations and record the schema version; returns what was applied.

    Then bring the local derived tables in step with changes an older gnapp made to the file
    (``household_rounds.catch_up``: it does not know them; on a file kept by this program it
    reads one setting and the last entry of the change log)."""
    pending = [m.name for m in schema.migrations.pending(db)]
    if pending:
        schema.migrations.apply(db)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        from gnapp.db.store import forget_columns

        forget_columns(db)      # a migration may have written rows before changing tables
    wanted = schema.SCHEMA_MAJOR * 1000 + schema.SCHEMA_MINOR
    if db.execute("PRAGMA user_version").fetchone()[0] < wanted:
        db.execute(f"PRAGMA user_version={wanted}")
    schema.ensure_write_guards(db)
    schema.ensure_spread_indexes(db)
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'household_round'").fetchone():
        from gnapp.db.household_rounds import catch_up

        catch_up(db)
    return pending
