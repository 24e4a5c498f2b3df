"""Local settings of this installation (key → text); they never travel."""

from __future__ import annotations

from sqlite_utils import Database

BACKUP_INTERVAL_MINUTES = "backup.interval_minutes"
OFFICIAL_UNITS_VERSION = "units.official_version"


def get(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def put(db: Database, key: str, value: str | None) -> None:
    db.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
