"""Recovery at start: is the database file usable, and bringing back a good backup.

``inspect`` looks at the file without ever writing to it (the header read as bytes, then
SQLite opened read-only and ``PRAGMA quick_check``); the full check (``full_check``) is left
to the background once the program runs. A damaged file is never overwritten nor deleted:
``recover_from`` first sets it aside under ``<name>.hong-YYYYmmdd-HHMMSS`` (its ``-wal`` and
``-shm`` beside it), then restores the backup.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import backup, checks, connection, schema, sites
from gnapp.domain.cancel import Progress, no_progress
from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import format_int

MISSING = "missing"
OK = "ok"
NOT_GNAPP = "not_gnapp"
DAMAGED = "damaged"
TOO_NEW = "too_new"

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
ASIDE_MARK = ".hong-"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
# The longest the quick check before opening may take: it reads every page, and a province
# office's file of several GB would hold the start for many seconds. A file it has not
# finished is opened (its header and schema were read) and checked whole by the full check
# the window starts in the background.
QUICK_CHECK_SECONDS = 0.5

# Other kinds of files people may point the program at by mistake (first bytes → name).
_OTHER_FILES = ((b"%PDF", "một tệp PDF"), (b"PK\x03\x04", "một tệp nén (zip, xlsx, docx…)"),
                (b"\x89PNG", "một tệp ảnh PNG"), (b"\xff\xd8\xff", "một tệp ảnh JPEG"),
                (b"\xd0\xcf\x11\xe0", "một tệp Office cũ (xls, doc)"))


class RecoveryError(GnappError):
    pass


@dataclass(frozen=True)
class Health:
    """What ``inspect`` found.

    Attributes:
        state: ``missing``, ``ok``, ``not_gnapp``, ``damaged`` or ``too_new``
        path: the file looked at
        message: what is wrong, in Vietnamese, naming the file ("" when ok)
        detail: the technical reason (SQLite's message, sizes), for support
    """

    state: str
    path: Path
    message: str = ""
    detail: str = ""

    @property
    def usable(self) -> bool:
        """The program may open the file (a missing file is created at first start)."""
        return self.state in (OK, MISSING)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def _other_kind(head: bytes) -> str | None:
    for magic, what in _OTHER_FILES:
        if head.startswith(magic):
            return what
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "một tệp văn bản" if text and "\x00" not in text else None


def _header_problem(path: Path, head: bytes, size: int) -> Health | None:
    """What the first 100 bytes and the size say, before SQLite opens the file."""
    name = path.name
    if not head.startswith(SQLITE_MAGIC):
        other = _other_kind(head)
        if other:
            return Health(NOT_GNAPP, path, f"Tệp {name} là {other}, không phải cơ sở dữ liệu "
                                           "của gnapp.", f"{size} byte")
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị hỏng: phần đầu tệp không còn đúng "
                                     "định dạng (có thể bị ghi đè hoặc hỏng ổ đĩa).",
                      f"đầu tệp: {head[:16]!r}")
    if size < HEADER_SIZE:
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị cắt cụt (chỉ còn {size} byte).")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]     # the page count is valid for this change counter
    if page_size < 512 or page_size & (page_size - 1):
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị hỏng: phần đầu tệp sai.",
                      f"kích thước trang {page_size}")
    if size % page_size or (valid and pages and size < pages * page_size):
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị cắt cụt: tệp chỉ còn "
                                     f"{format_int(size)} byte, thiếu phần cuối (có thể do chép "
                                     "dở hoặc ổ đĩa đầy).",
                      f"{pages} trang × {page_size} byte = {pages * page_size} byte cần có")
    return None


def inspect(db_path: str | Path, *, quick: bool = True) -> Health:
    """Look at a database file without writing to it.

    :param quick: run ``PRAGMA quick_check`` (at most ``QUICK_CHECK_SECONDS``); False checks only
        the header and the version
    """
    path = Path(db_path)
    name = path.name
    if not path.exists():
        return Health(MISSING, path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(HEADER_SIZE)
    except IsADirectoryError as exc:
        return Health(NOT_GNAPP, path, f"{path} là một thư mục, không phải tệp dữ liệu của "
                                       "gnapp.", str(exc))
    except PermissionError as exc:
        return Health(DAMAGED, path, f"Không có quyền đọc tệp dữ liệu {name}.", str(exc))
    except OSError as exc:
        return Health(DAMAGED, path, f"Không đọc được tệp dữ liệu {name} (lỗi ổ đĩa?).",
                      str(exc))
    if size == 0:
        if not any(p.exists() and p.stat().st_size for p in _sidecars(path)) \
                and not backup.list_backups(backup.backup_dir(path), path.stem):
            return Health(MISSING, path, detail="tệp rỗng, chưa có bản sao lưu")
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} rỗng (0 byte): dữ liệu trong tệp đã "
                                     "mất.")
    problem = _header_problem(path, head, size)
    if problem:
        return problem
    try:
        conn = sqlite3.connect(backup.read_only_uri(path), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                  ).fetchone()[0]
            if tables and app_id != connection.APPLICATION_ID:
                return Health(NOT_GNAPP, path, f"Tệp {name} là cơ sở dữ liệu của một chương "
                                               "trình khác, không phải của gnapp.",
                              f"application_id={app_id}")
            major, minor = divmod(conn.execute("PRAGMA user_version").fetchone()[0], 1000)
            if major > schema.SCHEMA_MAJOR:
                return Health(TOO_NEW, path, f"Tệp {name} được tạo bởi phiên bản gnapp mới hơn "
                                             f"(cấu trúc dữ liệu {major}.{minor}; phần mềm này "
                                             f"chỉ đọc được đến {schema.SCHEMA_MAJOR}.x). Cần cập "
                                             "nhật phần mềm trước khi mở tệp này.")
            if quick:
                found = _quick_check(conn)
                if found is None:
                    return Health(OK, path, detail=f"kiểm tra nhanh chưa xong sau "
                                                   f"{QUICK_CHECK_SECONDS:g} s (tệp "
                                                   f"{format_int(size)} byte): để kiểm tra đầy "
                                                   "đủ chạy nền")
                if found != ["ok"]:
                    return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị hỏng: kiểm tra nhanh "
                                                 "phát hiện lỗi bên trong tệp.",
                                  "; ".join(found))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return Health(DAMAGED, path, f"Tệp dữ liệu {name} bị hỏng, không đọc được.", str(exc))
    return Health(OK, path)


def _quick_check(conn: sqlite3.Connection) -> list[str] | None:
    """``PRAGMA quick_check`` within ``QUICK_CHECK_SECONDS``; None when it did not finish.
    (SQLite calls no progress handler inside the check: a timer interrupts it.)"""
    timer = threading.Timer(QUICK_CHECK_SECONDS, conn.interrupt)
    timer.start()
    try:
        return [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            return None
        raise
    finally:
        timer.cancel()


def full_check(db: Database) -> checks.CheckResult:
    """The full check (integrity, foreign keys, the data rules): for the background."""
    return checks.check(db)


def _good_backup(path: Path) -> bool:
    try:
        backup.check_backup(path)
    except backup.BackupError:
        return False
    return True


def latest_good_backup(db_path: str | Path) -> backup.BackupInfo | None:
    """The newest backup of this database that opens, passes its check and is a gnapp
    file of a site (what a restore accepts), or None."""
    db_path = Path(db_path)
    for info in backup.list_backups(backup.backup_dir(db_path), db_path.stem):
        if inspect(info.path).state == OK and _good_backup(info.path):
            return info
    return None


def set_aside(db_path: str | Path, *, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its ``-wal``, ``-shm``) to ``<name>.hong-<time>``
    beside it; returns the new path. Nothing is overwritten: a name already taken gets a
    number."""
    db_path = Path(db_path)
    stamp = (now or datetime.now()).strftime(STAMP_FORMAT)
    base = f"{db_path.name}{ASIDE_MARK}{stamp}"
    aside, n = db_path.with_name(base), 1
    while aside.exists() or any(p.exists() for p in _sidecars(aside)):
        n += 1
        aside = db_path.with_name(f"{base}-{n}")
    try:
        os.rename(db_path, aside)
        for old, new in zip(_sidecars(db_path), _sidecars(aside)):
            if old.exists():
                os.rename(old, new)
    except OSError as exc:
        raise RecoveryError(f"Không đổi tên được tệp hỏng {db_path.name} để giữ lại: "
                            f"{exc.strerror or exc}. Chưa có gì thay đổi.") from exc
    return aside


def _put_back(aside: Path, db_path: Path) -> None:
    """Undo ``set_aside`` after a failed restore (removing what the restore created)."""
    for path in [db_path, *_sidecars(db_path)]:
        path.unlink(missing_ok=True)
    os.rename(aside, db_path)
    for old, new in zip(_sidecars(aside), _sidecars(db_path)):
        if old.exists():
            os.rename(old, new)


def recover_from(backup_file: str | Path, db_path: str | Path,
                 progress: Progress = no_progress) -> tuple[Path | None, sites.Site]:
    """Replace an unusable database by a backup: the backup is checked, the damaged file set
    aside (kept, never overwritten), then the backup restored (a new site, SYNC.md §2).

    Returns where the damaged file now is (None when there was none) and the new site. If
    the restore fails or is cancelled (``progress``, as ``backup.restore`` takes it), the
    damaged file is put back where it was.
    """
    db_path = Path(db_path)
    backup.check_backup(backup_file, progress)
    aside = set_aside(db_path) if db_path.exists() else None
    try:
        site = backup.restore(backup_file, db_path, progress)
    except BaseException:
        if aside is not None:
            _put_back(aside, db_path)
        raise
    return aside, site
