"""Backups: safe copies of a live database, rotation and restore.

Copies are made with SQLite's online backup API, never by copying a file in use, written
to a temporary name, checked, then renamed into place; a half-made copy is never left
behind under a backup's name.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import connection, schema, settings, sites
from gnapp.domain.cancel import Cancelled, Progress, no_progress
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.numbers import format_int, format_size
from gnapp.paths import chosen_backup_dir

BACKUP_SUFFIX = ".gnbak"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<label>[a-z-]+)\.gnbak$")
STAMP_FORMAT = "%Y%m%d-%H%M%S"
# Local setting: how many GB the kept backups of the database may take together (none or 0:
# a quarter of the disk that holds them). An office's file of 7 GB would otherwise fill a
# disk: the rotation alone can keep some 34 copies.
BUDGET_SETTING = "backup.budget_gb"
MAX_BUDGET_GB = 100_000
# What a backup leaves free at the least on the disk of the database itself: the file and its
# WAL grow while an office merges packages.
FREE_RESERVE = 512 * 1024 ** 2


class BackupError(GnappError):
    pass


def read_only_uri(path: str | Path) -> str:
    """The URI that opens ``path`` read-only (any character allowed in the path)."""
    return Path(path).resolve().as_uri() + "?mode=ro"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file."""

    path: Path
    taken_at: datetime
    label: str
    size: int


@dataclass(frozen=True)
class Rotation:
    """How many backups to keep: the newest ones, then one per day, week and month; of
    those, the oldest go while all together take more than ``budget`` bytes (None: no
    limit), but the ``always`` newest stay whatever their size."""

    recent: int = 10
    daily: int = 7
    weekly: int = 5
    monthly: int = 12
    budget: int | None = None
    always: int = 2


def backup_dir(db_path: str | Path) -> Path:
    """Where the backups of a database go: the folder chosen at first start, else
    ``backups/`` beside it."""
    return chosen_backup_dir(db_path) or Path(db_path).resolve().parent / "backups"


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
    kept = [b for b in backups if b.taken_at in keep]       # newest first
    if rule.budget is not None:
        total = sum(b.size for b in kept)
        while total > rule.budget and len(kept) > rule.always:
            total -= kept.pop().size
    kept_paths = {b.path for b in kept}
    dropped = [b.path for b in backups if b.path not in kept_paths]
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


# SQLite result codes of a copy that could not be written (sqlite3.h)
_SQLITE_FULL = 13
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


_FOLDER_ERRORS = {
    errno.ENOENT: "thư mục không tồn tại (thẻ nhớ đã rút ra?)",
    errno.ENOTDIR: "đường dẫn này không phải một thư mục",
    errno.EACCES: "không có quyền ghi vào thư mục này",
    errno.EPERM: "không có quyền ghi vào thư mục này",
    errno.EROFS: "ổ đĩa chỉ cho đọc (thẻ nhớ đang bị khóa ghi?)",
}


def _folder_error(folder: Path, exc: BaseException) -> BackupError:
    """What to tell the user when a backup could not be written in ``folder``."""
    full = (getattr(exc, "errno", None) in _DISK_FULL_ERRNOS
            or getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL
            or "disk is full" in str(exc))
    if full:
        return BackupError(f"Không đủ chỗ trống để sao lưu vào {folder}: ổ đĩa hoặc thẻ nhớ đã "
                           "đầy. Hãy xóa bớt tệp hoặc chọn nơi khác; dữ liệu không thay đổi.")
    why = _FOLDER_ERRORS.get(getattr(exc, "errno", None),
                             "thư mục không tồn tại, không cho phép ghi hoặc thẻ nhớ đang bị "
                             "khóa ghi")
    return BackupError(f"Không ghi được bản sao lưu vào thư mục {folder}: {why}. Hãy chọn thư "
                       "mục khác; dữ liệu không thay đổi.")


def budget_gb(db: Database | sqlite3.Connection) -> int:
    """The space set for the backups of the database, in GB (0: not set, a quarter of the
    disk). ``db`` is the database or a plain connection to it."""
    try:
        value = int(settings.get(db, BUDGET_SETTING) or 0)
    except (ValueError, sqlite3.Error):     # sqlite3.Error: a file without its settings
        return 0
    return value if 0 < value <= MAX_BUDGET_GB else 0


def set_budget_gb(db: Database, gb: int) -> None:
    """Set the space the backups of the database may take, in GB (0: a quarter of the disk).
    A local setting of this PC: it never travels. The next backup's rotation applies it."""
    if not isinstance(gb, int) or isinstance(gb, bool) or not 0 <= gb <= MAX_BUDGET_GB:
        raise InputError(f"Dung lượng dành cho sao lưu phải là số GB từ 0 (tự động) đến "
                         f"{format_int(MAX_BUDGET_GB)}, không phải «{gb}».",
                         field="dung lượng dành cho sao lưu")
    settings.put(db, BUDGET_SETTING, str(gb))


def budget_bytes(gb: int, folder: Path) -> int:
    """The space the backups in ``folder`` may take: ``gb`` GB, or with 0 a quarter of the
    disk that holds ``folder`` (or would hold it: it is made at the first backup)."""
    if gb > 0:
        return gb * 1024 ** 3
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return shutil.disk_usage(folder).total // 4


def _no_room(src: sqlite3.Connection, db_path: Path, folder: Path) -> str | None:
    """Why a backup of ``src`` would not fit in ``folder`` (None: it fits); on the database's
    own disk it must leave ``FREE_RESERVE`` free besides."""
    size = (src.execute("PRAGMA page_count").fetchone()[0]
            * src.execute("PRAGMA page_size").fetchone()[0])
    reserve = FREE_RESERVE if os.stat(folder).st_dev == os.stat(db_path).st_dev else 0
    free = shutil.disk_usage(folder).free
    if free - size >= reserve:
        return None
    kept = f" (phải chừa lại {format_size(reserve)} để phần mềm ghi dữ liệu)" if reserve else ""
    return (f"Không đủ chỗ trống để sao lưu vào {folder}: bản sao lưu cần khoảng "
            f"{format_size(size)}, ổ đĩa chỉ còn trống {format_size(free)}{kept}. Hãy xóa bớt "
            "tệp, giảm dung lượng dành cho sao lưu hoặc chọn nơi khác; dữ liệu không thay đổi.")


def make_backup(db_path: str | Path, *, label: str = "manual", folder: Path | None = None,
                now: datetime | None = None, rule: Rotation | None = Rotation(),
                progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """Copy a database (which may be in use) to a new backup file, then rotate.

    A backup that would not fit is refused before anything is written (``_no_room``), once
    the rotation has deleted the old copies it would delete anyway after the new one.

    :param label: why it was made: ``manual``, ``start``, ``exit``, ``auto``, ``before-restore``
    :param rule: the rotation to apply afterwards; None keeps every file. A rule without a
        ``budget`` gets the database's (``budget_gb``, ``budget_bytes``).
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise BackupError(f"Không có tệp dữ liệu {db_path} để sao lưu.")
    folder = Path(folder) if folder is not None else backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        taken = (now or datetime.now()).replace(microsecond=0)
        # two backups in one second: the later one takes the next second, so times stay unique
        while any(folder.glob(f"{db_path.stem}-{taken.strftime(STAMP_FORMAT)}-*"
                              f"{BACKUP_SUFFIX}")):
            taken += timedelta(seconds=1)
        dest = folder / f"{db_path.stem}-{taken.strftime(STAMP_FORMAT)}-{label}{BACKUP_SUFFIX}"
        src = sqlite3.connect(read_only_uri(db_path), uri=True, timeout=30)
        try:
            if rule is not None and rule.budget is None:
                rule = replace(rule, budget=budget_bytes(budget_gb(src), folder))
            problem = _no_room(src, db_path, folder)
            if problem and rule is not None:
                rotate(folder, db_path.stem, rule)
                problem = _no_room(src, db_path, folder)
            if problem:
                raise BackupError(problem)
            _copy(src, dest, progress)
        finally:
            src.close()
    except (OSError, sqlite3.OperationalError) as exc:
        raise _folder_error(folder, exc) from exc
    except sqlite3.DatabaseError as exc:      # the database itself cannot be read
        raise BackupError(f"Không sao lưu được: tệp dữ liệu {db_path} bị hỏng ({exc}). "
                          "Các bản sao lưu cũ vẫn được giữ nguyên.") from exc
    if rule is not None:
        rotate(folder, db_path.stem, rule)
    return BackupInfo(dest, taken, label, dest.stat().st_size)


def last_backup(db_path: str | Path) -> BackupInfo | None:
    backups = list_backups(backup_dir(db_path), Path(db_path).stem)
    return backups[0] if backups else None


def newest_change(path: str | Path) -> tuple | None:
    """The newest change-log entry of a gnapp file, ``(seq, row id, stamp)``, read without
    writing to it; None when it has none."""
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        return conn.execute("SELECT seq, row_id, updated_at FROM change_log "
                            "ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()


def up_to_date_backup(db_path: str | Path) -> BackupInfo | None:
    """The newest backup of ``db_path`` when it already holds every change of the database
    (the same newest change-log entry, the rule of the automatic backups), else None: a
    new copy would add nothing but a file as big as the database (gigabytes at an office)."""
    latest = last_backup(db_path)
    if latest is None:
        return None
    try:
        same = newest_change(latest.path) == newest_change(db_path)
    except sqlite3.DatabaseError:       # an unreadable backup is no reason to skip one
        return None
    return latest if same else None


def _interruptible(conn: sqlite3.Connection, progress: Progress, label: str) -> list[bool]:
    """Let ``progress`` (busy, ``label``) stop a long statement on ``conn``: a ``Cancelled`` it
    raises interrupts the statement. Returns a flag list, ``[True]`` once it did."""
    stopped = [False]

    def handler() -> int:
        try:
            progress(0, 0, label)
        except Cancelled:
            stopped[0] = True
            return 1
        return 0

    conn.set_progress_handler(handler, 100_000)
    return stopped


def check_backup(backup_file: str | Path, progress: Progress = no_progress) -> None:
    """Refuse (``BackupError``, in Vietnamese) a file that is not a usable gnapp backup: not
    SQLite, damaged, another program's database, of a newer gnapp, or without a site.

    :param progress: told while the file is read through (busy); a ``Cancelled`` it raises
        stops the check
    """
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {backup_file}.")
    stopped = [False]
    try:
        src = sqlite3.connect(read_only_uri(backup_file), uri=True)
        try:
            stopped = _interruptible(src, progress, f"Đang kiểm tra {backup_file.name}")
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            app_id = src.execute("PRAGMA application_id").fetchone()[0]
            major = src.execute("PRAGMA user_version").fetchone()[0] // 1000
            has_site = app_id == connection.APPLICATION_ID and src.execute(
                "SELECT count(*) FROM site WHERE is_local = 1").fetchone()[0] == 1
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        if stopped[0]:
            raise Cancelled() from None
        raise BackupError(f"Tệp {backup_file.name} không phải bản sao lưu gnapp ({exc}).") from exc
    if ok != "ok" or not has_site:
        raise BackupError(f"Tệp {backup_file.name} không phải bản sao lưu gnapp dùng được "
                          f"(kiểm tra: {ok}).")
    if major > schema.SCHEMA_MAJOR:
        raise BackupError(f"Bản sao lưu {backup_file.name} do phiên bản gnapp mới hơn tạo ra; "
                          "cần cập nhật phần mềm trước khi khôi phục.")


def restore(backup_file: str | Path, db_path: str | Path,
            progress: Progress = no_progress) -> sites.Site:
    """Bring back a backup as the database at ``db_path``.

    The backup is checked first (``check_backup``); the current database, if any, is backed
    up (label ``before-restore``) so nothing is lost, and the copy is one SQLite transaction
    (a crash leaves the current database as it was). The restored database then becomes a
    **new site** naming the one it replaces, so that it never reuses package numbers of the
    old site (SYNC.md §2). A damaged current database cannot be backed up: set it aside first
    (``gnapp.db.recovery.recover_from``).

    :param progress: told of each step and of the pages copied. A ``Cancelled`` it raises
        leaves everything as it was: the copy's transaction is rolled back and the
        ``before-restore`` backup made for it removed.
    """
    backup_file, db_path = Path(backup_file), Path(db_path)
    check_backup(backup_file, progress)
    saved = None
    if db_path.exists():
        label = "Đang sao lưu dữ liệu hiện tại trước khi khôi phục"
        # no rotation now: it could delete the very backup being restored
        saved = make_backup(db_path, label="before-restore", rule=None,
                            progress=lambda done, total: progress(done, total, label))
    try:
        src = sqlite3.connect(read_only_uri(backup_file), uri=True)
        try:
            target = sqlite3.connect(db_path, timeout=30)
            try:
                label = f"Đang chép dữ liệu từ {backup_file.name}"

                def copied(status: int, remaining: int, total: int) -> None:
                    # the destination is written in one transaction, rolled back if stopped;
                    # once no page remains it is committed: too late to stop
                    if remaining:
                        progress(total - remaining, total, label)

                src.backup(target, pages=256, progress=copied)
            finally:
                target.close()
        finally:
            src.close()
    except Cancelled:
        if saved is not None:
            saved.path.unlink(missing_ok=True)
        else:               # there was no database: the empty file the copy began goes too
            for suffix in ("", "-journal", "-wal", "-shm"):
                db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
        raise
    db = connection.connect(db_path)
    try:
        return sites.replace_site(db, reason=f"Khôi phục từ bản sao lưu {backup_file.name}")
    finally:
        db.close()


def _hlc_time(stamp: str | None) -> datetime | None:
    """The local time of a hybrid-logical-clock reading (``<ms>.<counter>.<site>``)."""
    try:
        return datetime.fromtimestamp(int(stamp.split(".", 1)[0]) / 1000)
    except (AttributeError, ValueError, OSError):
        return None


def summary(path: str | Path) -> dict:
    """What a backup (or any gnapp database file) holds, read without writing to it.

    Keys: ``unit_code``, ``unit_name``, ``role``, ``households`` (in the register),
    ``members`` (present), ``rounds`` (the years of the review rounds), ``last_change``
    (local datetime of the newest change, or None), ``schema`` ("major.minor"), ``size``
    (bytes), ``taken_at`` (from a backup's name, or None).

    :raises BackupError: the file cannot be read as a gnapp database
    """
    path = Path(path)
    m = _NAME.match(path.name)
    info: dict = {"path": str(path), "size": path.stat().st_size if path.exists() else 0,
                  "taken_at": datetime.strptime(m["stamp"], STAMP_FORMAT) if m else None}
    try:
        src = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            if src.execute("PRAGMA application_id").fetchone()[0] != connection.APPLICATION_ID:
                raise BackupError(f"Tệp {path.name} không phải dữ liệu gnapp.")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            info["schema"] = f"{version // 1000}.{version % 1000}"
            site = src.execute("SELECT unit_code, role FROM site WHERE is_local = 1").fetchone()
            info["unit_code"], info["role"] = site if site else (None, None)
            name = src.execute(
                "SELECT name FROM admin_unit WHERE code = ? AND deleted = 0 "
                "ORDER BY valid_to IS NOT NULL, valid_to DESC LIMIT 1",
                [info["unit_code"]]).fetchone() if site else None
            info["unit_name"] = name[0] if name else None
            info["households"] = src.execute(
                "SELECT count(*) FROM household WHERE deleted = 0 AND status = 'active'"
            ).fetchone()[0]
            info["members"] = src.execute(
                "SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE m.deleted = 0 AND m.status = 'present' AND h.deleted = 0 "
                "AND h.status = 'active'").fetchone()[0]
            info["rounds"] = [r[0] for r in src.execute(
                "SELECT DISTINCT year FROM review_round WHERE deleted = 0 ORDER BY year")]
            last = src.execute("SELECT updated_at FROM change_log ORDER BY seq DESC LIMIT 1"
                               ).fetchone()
            info["last_change"] = _hlc_time(last[0]) if last else None
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Không đọc được tệp {path.name}: {exc}.") from exc
    return info
