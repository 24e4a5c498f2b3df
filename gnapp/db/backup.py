"""Backups: safe copies of a live database, rotation and restore.

Copies are made with SQLite's online backup API, never by copying a file in use, written
to a temporary name, checked, then renamed into place; a half-made copy is never left
behind under a backup's name.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from gnapp.db import connection, sites
from gnapp.domain.errors import GnappError

BACKUP_SUFFIX = ".gnbak"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<label>[a-z-]+)\.gnbak$")
STAMP_FORMAT = "%Y%m%d-%H%M%S"


class BackupError(GnappError):
    pass


@dataclass(frozen=True)
class BackupInfo:
    """One backup file."""

    path: Path
    taken_at: datetime
    label: str
    size: int


@dataclass(frozen=True)
class Rotation:
    """How many backups to keep: the newest ones, then one per day, week and month."""

    recent: int = 10
    daily: int = 7
    weekly: int = 5
    monthly: int = 12


def backup_dir(db_path: str | Path) -> Path:
    """Where the backups of a database go: ``backups/`` beside it."""
    return Path(db_path).resolve().parent / "backups"


def list_backups(folder: Path, stem: str) -> list[BackupInfo]:
    """The backups of the database named ``stem`` in ``folder``, newest first."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _NAME.match(path.name)
            if m and m["stem"] == stem:
                found.append(BackupInfo(path, datetime.strptime(m["stamp"], STAMP_FORMAT),
                                        m["label"], path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def rotation_keep(times: Iterable[datetime], rule: Rotation = Rotation()) -> set[datetime]:
    """Which backup times to keep (grandfather–father–son).

    Keeps the ``recent`` newest, plus the newest backup of each of the last ``daily`` days,
    ``weekly`` ISO weeks and ``monthly`` months that have a backup.
    """
    ordered = sorted(set(times), reverse=True)
    keep = set(ordered[:rule.recent])
    for count, bucket in ((rule.daily, lambda t: t.date()),
                          (rule.weekly, lambda t: t.isocalendar()[:2]),
                          (rule.monthly, lambda t: (t.year, t.month))):
        seen: list = []
        for t in ordered:
            b = bucket(t)
            if b not in seen:
                seen.append(b)
                if len(seen) > count:
                    break
                keep.add(t)
    return keep


def rotate(folder: Path, stem: str, rule: Rotation = Rotation()) -> list[Path]:
    """Delete the backups the rotation does not keep; returns the deleted files."""
    backups = list_backups(folder, stem)
    keep = rotation_keep((b.taken_at for b in backups), rule)
    dropped = [b.path for b in backups if b.taken_at not in keep]
    for path in dropped:
        path.unlink(missing_ok=True)
    return dropped


def _copy(src: sqlite3.Connection, dest: Path,
          progress: Callable[[int, int], None] | None = None) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            src.backup(target, pages=256,
                       progress=(lambda status, remaining, total:
                                 progress(total - remaining, total)) if progress else None)
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
            # a backup is a single file: no WAL beside it
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        if result != "ok":
            raise BackupError(f"Bản sao lưu {dest.name} bị lỗi khi kiểm tra: {result}.")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def make_backup(db_path: str | Path, *, label: str = "manual", folder: Path | None = None,
                now: datetime | None = None, rule: Rotation | None = Rotation(),
                progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """Copy a database (which may be in use) to a new backup file, then rotate.

    :param label: why it was made: ``manual``, ``start``, ``exit``, ``auto``, ``before-restore``
    :param rule: the rotation to apply afterwards; None keeps every file
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise BackupError(f"Không có tệp dữ liệu {db_path} để sao lưu.")
    folder = folder or backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    taken = (now or datetime.now()).replace(microsecond=0)
    # two backups in one second: the later one takes the next second, so times stay unique
    while any(folder.glob(f"{db_path.stem}-{taken.strftime(STAMP_FORMAT)}-*{BACKUP_SUFFIX}")):
        taken += timedelta(seconds=1)
    dest = folder / f"{db_path.stem}-{taken.strftime(STAMP_FORMAT)}-{label}{BACKUP_SUFFIX}"
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        _copy(src, dest, progress)
    finally:
        src.close()
    if rule is not None:
        rotate(folder, db_path.stem, rule)
    return BackupInfo(dest, taken, label, dest.stat().st_size)


def last_backup(db_path: str | Path) -> BackupInfo | None:
    backups = list_backups(backup_dir(db_path), Path(db_path).stem)
    return backups[0] if backups else None


def restore(backup_file: str | Path, db_path: str | Path) -> sites.Site:
    """Bring back a backup as the database at ``db_path``.

    The backup is checked first (a gnapp file, integrity ok, with a site); the current
    database, if any, is backed up (label ``before-restore``) so nothing is lost. The
    restored database then becomes a **new site** naming the one it replaces, so that it
    never reuses package numbers of the old site (SYNC.md §2).
    """
    backup_file, db_path = Path(backup_file), Path(db_path)
    if not backup_file.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {backup_file}.")
    try:
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        app_id = src.execute("PRAGMA application_id").fetchone()[0]
        has_site = app_id == connection.APPLICATION_ID and src.execute(
            "SELECT count(*) FROM site WHERE is_local = 1").fetchone()[0] == 1
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Tệp {backup_file.name} không phải bản sao lưu gnapp ({exc}).") from exc
    if ok != "ok" or not has_site:
        src.close()
        raise BackupError(f"Tệp {backup_file.name} không phải bản sao lưu gnapp dùng được "
                          f"(kiểm tra: {ok}).")
    try:
        if db_path.exists():
            make_backup(db_path, label="before-restore")
        target = sqlite3.connect(db_path, timeout=30)
        try:
            src.backup(target)
        finally:
            target.close()
    finally:
        src.close()
    db = connection.connect(db_path)
    try:
        return sites.replace_site(db, reason=f"Khôi phục từ bản sao lưu {backup_file.name}")
    finally:
        db.close()
