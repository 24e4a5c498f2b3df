"""``gnapp --selftest DIR``: check that this copy of gnapp works on this PC.

Meant for the frozen build (PyInstaller one-folder), where a missing library, plugin, font or
data file only shows when the program runs; it works the same from the source tree. In a
fresh temporary folder (never the user's data folder) it makes a demo commune, then checks:

- ``demo_data``: the demo commune is created (migrations, official unit list, demo rows);
- ``fonts``: the bundled Liberation fonts register with Qt and cover Vietnamese letters;
- ``window``: the main window is built and grabbed to ``DIR/window.png`` (not blank);
- ``pdf``: Báo cáo 1 is written to ``DIR/report.pdf`` embedding only Liberation fonts;
- ``print``: that PDF is printed the way the Reports area prints (QtPdf renders each page on
  a ``QPrinter``), here to ``DIR/printed.pdf``, with as many pages as the report, not blank;
- ``xlsx``: the same report is written to ``DIR/report.xlsx`` and read back with openpyxl;
- ``fts``: SQLite has FTS5 and "nguyen" finds the demo households of the Nguyễn family.

Each check records its own failure, so one failure does not hide the others. The results go
to ``DIR/selftest.json`` ``{ok, checks: [{name, label, ok, detail, seconds}], version,
frozen, platform, …}``, which is the source of truth: the Windows GUI executable has no
console to print to. A Vietnamese line per check is also printed where there is a console,
and the exit status is 0 only when every check passed.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gnapp import __version__

RESULT_FILE = "selftest.json"
SELFTEST_HOUSEHOLDS = 40
WINDOW_SIZE = (1200, 800)
MIN_WINDOW_SIZE = (640, 400)
MIN_COLOURS = 4
WINDOW_SETTLE_S = 0.5
WINDOW_TIMEOUT_S = 20.0
FONT_FAMILIES = ("Liberation Sans", "Liberation Serif")
VIETNAMESE_SAMPLE = "ĐđƯưƠơĂăÂâÊêÔôễỮữậ"
REPORT = "bao-cao-1"
SEARCH_FAMILY = "Nguyễn"
SEARCH_TYPED = "nguyen"

_BASE_FONT = re.compile(rb"/BaseFont\s*/([^\s/<>\[\]()]+)")
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


class CheckFailed(Exception):
    """A check ran but the result is wrong; the message (Vietnamese) says what."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        name: the check's identifier ("pdf")
        label: its Vietnamese name, as printed
        ok: whether it passed
        detail: what was found, or why it failed (Vietnamese; an error adds its type)
        seconds: how long it took
    """

    name: str
    label: str
    ok: bool
    detail: str
    seconds: float


class _Context:
    """What the checks share: the output folder, the temporary demo commune, the Qt
    application and the report's document, each made when first needed."""

    def __init__(self, out_dir: Path, work_dir: Path):
        self.out_dir = out_dir
        self.work_dir = work_dir
        self.db_path = work_dir / "gnapp.sqlite"
        self._demo: dict | None = None
        self._demo_error: BaseException | None = None
        self._doc = None

    def demo(self) -> dict:
        """Create the demo commune once; later calls return its summary (or fail again)."""
        if self._demo_error is not None:
            raise CheckFailed(f"Không có dữ liệu mẫu (bước tạo dữ liệu mẫu đã lỗi: "
                              f"{_describe(self._demo_error)}).")
        if self._demo is None:
            from gnapp import demo
            from gnapp.db import connection

            try:
                db = connection.connect(self.db_path)
                try:
                    self._demo = demo.fill(db, households=SELFTEST_HOUSEHOLDS)
                finally:
                    db.close()
            except BaseException as exc:
                self._demo_error = exc
                raise
        return self._demo

    def open_db(self):
        from gnapp.db import connection

        self.demo()
        return connection.connect(self.db_path)

    def report_document(self):
        """The document of Báo cáo 1 of the demo commune (built once)."""
        if self._doc is None:
            from gnapp.forms import catalog

            db = self.open_db()
            try:
                self._doc = catalog.build(db, REPORT)
            finally:
                db.close()
        return self._doc


def _qapp():
    """The QApplication, created if needed; offscreen when Linux has no display."""
    from gnapp.ui.app import display_available

    if not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


# -- the checks ------------------------------------------------------------------------------

def check_demo_data(ctx: _Context) -> str:
    """The demo commune is created in the temporary folder."""
    found = ctx.demo()
    return (f"{found['unit_name']} ({found['unit_code']}): {found['villages']} thôn, "
            f"{found['households']} hộ, {found['reviews_added']} phiếu rà soát")


def check_fonts(ctx: _Context) -> str:
    """The bundled fonts register with Qt, Qt resolves them by name (not a substitute) and
    they have glyphs for Vietnamese letters."""
    from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QRawFont

    from gnapp.ui.fonts import font_dir, register_fonts

    _qapp()
    registered = register_fonts()
    families = set(QFontDatabase.families())
    missing = [f for f in FONT_FAMILIES if f not in families or f not in registered]
    if missing:
        raise CheckFailed(f"Qt không có phông {', '.join(missing)} (thư mục {font_dir()}).")
    for family in FONT_FAMILIES:
        font = QFont(family, 12)
        resolved = QFontInfo(font).family()
        if resolved != family:
            raise CheckFailed(f"Qt dùng phông «{resolved}» thay cho «{family}».")
        raw = QRawFont.fromFont(font)
        lacking = [ch for ch in VIETNAMESE_SAMPLE if not raw.supportsCharacter(ord(ch))]
        if lacking:
            raise CheckFailed(f"Phông {family} thiếu chữ: {''.join(lacking)}.")
    return f"{len(registered)} họ phông đã nạp ({', '.join(registered)}), đủ chữ tiếng Việt"


def check_window(ctx: _Context) -> str:
    """The main window over the demo commune is built, laid out without appearing on screen,
    and grabbed to ``window.png``: the image has a sane size and several colours. A modal box
    opened meanwhile (an error popup) is closed and fails the check."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from gnapp.ui.app import application, build_main_window

    ctx.demo()
    _qapp()
    app = application()
    popups: list[str] = []

    def close_popups() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            popups.append(modal.windowTitle() or type(modal).__name__)
            text = getattr(modal, "text", None)
            if callable(text):
                popups.append(text())
            modal.close()

    watcher = QTimer()
    watcher.timeout.connect(close_popups)
    watcher.start(100)                  # before the window: its constructor may show a box
    window = None
    try:
        window = build_main_window(ctx.db_path, auto_backup=False)
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.resize(*WINDOW_SIZE)
        window.show()
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        settled_at = time.monotonic() + WINDOW_SETTLE_S
        while time.monotonic() < deadline:
            app.processEvents()
            if window.tasks.busy:
                settled_at = time.monotonic() + WINDOW_SETTLE_S
            elif time.monotonic() >= settled_at:
                break
            time.sleep(0.02)
        else:
            raise CheckFailed("Cửa sổ chính chưa nạp xong dữ liệu sau "
                              f"{WINDOW_TIMEOUT_S:.0f} giây.")
        image = window.grab().toImage()
        path = ctx.out_dir / "window.png"
        if not image.save(str(path)):
            raise CheckFailed(f"Không ghi được ảnh {path}.")
    finally:
        watcher.stop()
        if window is not None:
            window.close()
        app.processEvents()
    if popups:
        raise CheckFailed("Cửa sổ chính mở hộp thông báo: " + " / ".join(popups))
    width, height = image.width(), image.height()
    if width < MIN_WINDOW_SIZE[0] or height < MIN_WINDOW_SIZE[1]:
        raise CheckFailed(f"Ảnh cửa sổ quá nhỏ: {width}×{height} điểm ảnh.")
    colours = {image.pixel(x * (width - 1) // 47, y * (height - 1) // 47)
               for x in range(48) for y in range(48)}
    if len(colours) < MIN_COLOURS:
        raise CheckFailed(f"Ảnh cửa sổ gần như trống ({len(colours)} màu).")
    return f"ảnh {width}×{height} điểm ảnh, {len(colours)} màu, ghi vào {path.name}"


def pdf_fonts(data: bytes) -> tuple[list[str], int]:
    """The font names a PDF written by reportlab refers to (subset tags removed) and the
    number of embedded TrueType font files. reportlab writes font dictionaries uncompressed,
    so reading the bytes is enough (pypdf is not in the frozen build)."""
    names = sorted({_SUBSET_TAG.sub("", m.decode("latin-1")) for m in _BASE_FONT.findall(data)})
    return names, len(re.findall(rb"/FontFile2\b", data))


def check_pdf(ctx: _Context) -> str:
    """Báo cáo 1 of the demo commune is rendered to ``report.pdf``; the file names only
    Liberation fonts and embeds each of them. Where QtPdf is installed, it opens the file."""
    from gnapp.forms import catalog

    path = catalog.render(ctx.report_document(), ctx.out_dir / "report.pdf")
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise CheckFailed(f"Tệp {Path(path).name} không phải tệp PDF hoàn chỉnh.")
    names, embedded = pdf_fonts(data)
    if not names:
        raise CheckFailed("Tệp PDF không khai báo phông chữ nào.")
    others = [n for n in names if not n.startswith("Liberation")]
    if others:
        raise CheckFailed(f"Tệp PDF dùng phông ngoài bộ phông kèm theo: {', '.join(others)}.")
    if embedded < len(names):
        raise CheckFailed(f"Tệp PDF chỉ nhúng {embedded} trong {len(names)} phông.")
    detail = (f"{Path(path).name}, {_kib(len(data))}, phông nhúng: {', '.join(names)}")
    return detail + _qtpdf_pages(Path(path))


def _qtpdf_pages(path: Path) -> str:
    """", QtPdf mở được N trang" when QtPdf is installed; raises when it cannot open it."""
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        return ""
    _qapp()
    document = QPdfDocument()
    status = document.load(str(path))
    if status != QPdfDocument.Error.None_ or document.pageCount() < 1:
        raise CheckFailed(f"QtPdf không mở được {path.name} ({status}).")
    return f"; QtPdf mở được {document.pageCount()} trang"


def check_print(ctx: _Context) -> str:
    """Báo cáo 1's PDF goes through ``gnapp.ui.pdf_view.print_pdf`` (QtPdf, QtPrintSupport)
    to a PDF printer: every page arrives, with ink on it."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from gnapp.forms import catalog
    from gnapp.ui.pdf_view import print_pdf

    _qapp()
    source = ctx.out_dir / "report.pdf"
    if not source.exists():
        catalog.render(ctx.report_document(), source)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(ctx.out_dir / "printed.pdf"))
    sent = print_pdf(source, printer)
    printed = QPdfDocument()
    if printed.load(str(ctx.out_dir / "printed.pdf")) != QPdfDocument.Error.None_:
        raise CheckFailed("Không mở được tệp printed.pdf vừa in ra.")
    if printed.pageCount() != sent.pages:
        raise CheckFailed(f"In {sent.pages} trang nhưng tệp in ra có {printed.pageCount()} trang.")
    image = printed.render(0, QSize(150, 212))
    ink = sum(1 for y in range(image.height()) for x in range(image.width())
              if image.pixelColor(x, y).lightness() < 128)
    if ink == 0:
        raise CheckFailed("Trang in ra trắng trơn: QtPdf không vẽ được nội dung.")
    return f"printed.pdf: {sent.pages} trang qua QPrinter"


def check_xlsx(ctx: _Context) -> str:
    """The same report is written to ``report.xlsx``; openpyxl reads back its title and
    figures."""
    import unicodedata

    import openpyxl

    from gnapp.forms import catalog

    doc = ctx.report_document()
    path = catalog.render(doc, ctx.out_dir / "report.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        values = [v for row in book.active.iter_rows(values_only=True) for v in row
                  if v is not None]
    finally:
        book.close()
    texts = [unicodedata.normalize("NFC", v) for v in values if isinstance(v, str)]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    title = unicodedata.normalize("NFC", doc.title[-1]).upper()
    if not any(title in t.upper() for t in texts):
        raise CheckFailed(f"Không đọc lại được tiêu đề «{doc.title[-1]}» trong "
                          f"{Path(path).name}.")
    if not numbers:
        raise CheckFailed(f"Không đọc lại được số liệu nào trong {Path(path).name}.")
    return f"{Path(path).name}: đọc lại tiêu đề và {len(numbers)} ô số liệu"


def check_fts(ctx: _Context) -> str:
    """SQLite has FTS5 with diacritic folding, and the household search of the demo commune
    finds every household headed by a Nguyễn when "nguyen" is typed."""
    from gnapp.db import households as hh
    from gnapp.db.schema import FTS_TOKENIZE

    probe = sqlite3.connect(":memory:")
    try:
        probe.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{FTS_TOKENIZE}')")
        probe.execute("INSERT INTO t VALUES ('Nguyễn Thị Hường')")
        hits = probe.execute("SELECT count(*) FROM t WHERE t MATCH 'nguyen huong'").fetchone()[0]
    except sqlite3.OperationalError as exc:
        raise CheckFailed(f"SQLite {sqlite3.sqlite_version} không có FTS5: {exc}.") from exc
    finally:
        probe.close()
    if hits != 1:
        raise CheckFailed("FTS5 không bỏ qua dấu khi tìm («nguyen huong»).")
    db = ctx.open_db()
    try:
        found = {r["code"] for r in hh.list_households(db, search=SEARCH_TYPED, limit=10_000)}
        heads = {r["code"] for r in hh.list_households(db, limit=10_000)
                 if SEARCH_FAMILY in (r["head_name"] or "").split()}
    finally:
        db.close()
    if not found or not heads:
        raise CheckFailed(f"Tìm «{SEARCH_TYPED}» không thấy hộ nào (chủ hộ họ {SEARCH_FAMILY}: "
                          f"{len(heads)} hộ).")
    if not heads <= found:
        raise CheckFailed(f"Tìm «{SEARCH_TYPED}» bỏ sót {len(heads - found)} hộ có chủ hộ họ "
                          f"{SEARCH_FAMILY}.")
    return (f"SQLite {sqlite3.sqlite_version}, FTS5; «{SEARCH_TYPED}» tìm thấy {len(found)} hộ "
            f"(trong đó {len(heads)} chủ hộ họ {SEARCH_FAMILY})")


Check = tuple[str, str, Callable[[_Context], str]]

CHECKS: list[Check] = [
    ("demo_data", "Dữ liệu mẫu", check_demo_data),
    ("fonts", "Phông chữ", check_fonts),
    ("window", "Cửa sổ chính", check_window),
    ("pdf", "Báo cáo PDF", check_pdf),
    ("print", "In qua máy in (QtPdf, QPrinter)", check_print),
    ("xlsx", "Bảng tính XLSX", check_xlsx),
    ("fts", "Tìm kiếm không dấu (SQLite FTS5)", check_fts),
]


# -- running ---------------------------------------------------------------------------------

def _describe(exc: BaseException) -> str:
    if isinstance(exc, CheckFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _kib(size: int) -> str:
    from gnapp.domain.numbers import format_int

    return f"{format_int(round(size / 1024))} KiB"


def _seconds(value: float) -> str:
    from gnapp.domain.numbers import format_decimal

    return f"{format_decimal(value, 1)} giây"


def run_check(ctx: _Context, name: str, label: str, fn: Callable[[_Context], str]) -> CheckResult:
    """Run one check; any exception becomes a failed result (with the traceback's last
    line in the detail)."""
    start = time.perf_counter()
    try:
        detail, ok = fn(ctx), True
    except Exception as exc:
        detail, ok = _describe(exc), False
        if not isinstance(exc, CheckFailed):
            where = traceback.extract_tb(exc.__traceback__)[-1]
            detail += f" ({Path(where.filename).name}:{where.lineno})"
    return CheckResult(name, label, ok, detail, round(time.perf_counter() - start, 3))


def _environment() -> dict[str, Any]:
    info: dict[str, Any] = {
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "utf8_mode": bool(sys.flags.utf8_mode),
    }
    try:
        import PySide6

        info["qt"] = PySide6.__version__
    except ImportError:
        info["qt"] = None
    return info


def _say(line: str) -> None:
    """Print where there is a console (the Windows GUI build has none: sys.stdout is None)."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError, UnicodeError):
        pass


def run_selftest(out_dir: str | Path, checks: list[Check] | None = None) -> dict[str, Any]:
    """Run ``checks`` (default: ``CHECKS``) in a fresh temporary folder, write
    ``out_dir/selftest.json`` and return the same record.

    :param out_dir: where window.png, report.pdf, report.xlsx and selftest.json go (created)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results: list[CheckResult] = []
    saved_home = os.environ.get("GNAPP_HOME")
    with tempfile.TemporaryDirectory(prefix="gnapp-selftest-",
                                     ignore_cleanup_errors=True) as work:
        os.environ["GNAPP_HOME"] = str(Path(work) / "home")   # never the user's data folder
        try:
            ctx = _Context(out, Path(work))
            for name, label, fn in (CHECKS if checks is None else checks):
                result = run_check(ctx, name, label, fn)
                results.append(result)
                mark = "ĐẠT" if result.ok else "LỖI"
                _say(f"[{mark}] {label}: {result.detail} ({_seconds(result.seconds)})")
            _release_qt()
        finally:
            if saved_home is None:
                os.environ.pop("GNAPP_HOME", None)
            else:
                os.environ["GNAPP_HOME"] = saved_home
    record = {"ok": bool(results) and all(r.ok for r in results),
              "checks": [asdict(r) for r in results], **_environment()}
    (out / RESULT_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    passed = sum(r.ok for r in results)
    _say(f"Tự kiểm tra gnapp {__version__}: đạt {passed}/{len(results)} mục; kết quả ghi ở "
         f"{out / RESULT_FILE}.")
    return record


def _release_qt() -> None:
    """Let Qt delete the closed windows before the temporary folder goes away (Windows
    cannot delete a database file that is still open)."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def _utf8_output() -> None:
    """Redirected output (a pipe, a CI log) in UTF-8 even where the Windows code page cannot
    encode Vietnamese; a real console already takes Unicode."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper) and not stream.isatty():
        if stream.encoding.replace("-", "").lower() != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")


USAGE = "Cách dùng: gnapp --selftest THƯ_MỤC (ghi kết quả vào THƯ_MỤC/selftest.json)"


def main(argv: list[str]) -> int:
    """``gnapp --selftest DIR``: ``argv`` is what follows ``--selftest``; 0 when every check
    passed, 1 when one failed, 2 on a usage error."""
    _utf8_output()
    if len(argv) != 1 or not argv[0] or argv[0].startswith("-"):
        _say(USAGE)
        return 2
    return 0 if run_selftest(argv[0])["ok"] else 1
