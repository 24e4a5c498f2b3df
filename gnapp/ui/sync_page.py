"""The sync page ("Đồng bộ"): packages between a commune and its office (DESIGN.md §4).

The page adapts to the site's role:

- at a **commune** site: "Xuất gói đồng bộ…" writes the next package to a chosen folder (a USB
  stick) in one action; the packages sent, with what the office acknowledged; "Nhận gói từ
  cấp trên…" imports the office's packages (acknowledgements, decisions, conflicts sent
  back); "Gửi lại gói đã chọn…" writes an earlier package again, byte for byte; "Gửi toàn
  bộ dữ liệu…" writes a snapshot that starts a stream (to the office, or to another PC of
  the commune), after explaining when it is needed (``SnapshotDialog``); the size limit of
  one file for e-mail is remembered (setting ``sync.part_limit_kb``) and applies to all
  three;
- at an **office** site: the merge console, one row per commune (``gnapp.sync.console``):
  last package, stream position, what it waits for, conflicts, round state, overdue;
  "Nhận cả thư mục gói…" imports every package of a folder with progress and a stop
  button; the packages of the chosen commune with their import reports; "Gửi gói cho xã…"
  writes the acknowledgement (and the office's own changes) for the chosen commune.

Both show this site's key fingerprint, the conflict queue (``ConflictDialog``), and after
every import the categorised import report (``ImportReportDialog``), where an unknown sender
is confirmed ("Xác nhận máy gửi") and which is saved as PDF. Imports and exports run in the
task manager's worker.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar,
                               QPushButton, QRadioButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QTextBrowser, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import registry, sites, units
from gnapp.domain.cancel import Cancelled, no_progress
from gnapp.domain.cancel import Progress as ProgressFn
from gnapp.domain.dates import format_date
from gnapp.domain.errors import GnappError
from gnapp.forms import pdf
from gnapp.forms import sync_report
from gnapp.sync import approvals, console, conflicts, export, importer, ledger
from gnapp.sync import package as pkg
from gnapp.ui import tasks as ui_tasks
from gnapp.ui.conflict_dialog import FIELD_LABELS, ConflictDialog, field_label
from gnapp.ui.format import format_datetime
from gnapp.ui.household_editor import ERROR_COLOR
from gnapp.ui.tasks import TaskManager
from gnapp.ui.widgets import (add_shortcut, ask_to_go_on, choose_paths, limit_spin, list_table,
                              page_layout, split_panes)

AREA_TITLE = "Đồng bộ"
OK_COLOR = "#1b6e20"
STATE_TEXT = {"approved": "đã phê duyệt", "returned": "đã trả lại kèm ý kiến"}
WARN_COLOR = "#a15c00"
MUTED_COLOR = "#777777"

KIND_LABELS = {"changes": "thay đổi", "snapshot": "toàn bộ dữ liệu", "ack": "xác nhận",
               "recovery": "khôi phục"}
STATE_COLORS = {console.UNTRUSTED: WARN_COLOR, console.FORK: ERROR_COLOR,
                console.WAITING: WARN_COLOR, console.OVERDUE: ERROR_COLOR,
                console.NEVER: MUTED_COLOR, console.OK: OK_COLOR}
LEDGER_COLORS = {ledger.REFUSED: ERROR_COLOR, ledger.FORK: ERROR_COLOR,
                 ledger.HELD: WARN_COLOR, ledger.UNTRUSTED: WARN_COLOR,
                 ledger.ACKNOWLEDGED: OK_COLOR, ledger.APPLIED: OK_COLOR}
STATUS_COLORS = {"applied": OK_COLOR, "dry_run": MUTED_COLOR, "already": MUTED_COLOR,
                 "held": WARN_COLOR, "untrusted": WARN_COLOR, "fork": ERROR_COLOR,
                 "refused": ERROR_COLOR}

UNIT_ROLE = Qt.ItemDataRole.UserRole
LEDGER_ID_ROLE = Qt.ItemDataRole.UserRole


def table_labels() -> dict[str, str]:
    return {name: spec.label for name, spec in registry.SYNCABLE.items()}


def moment_text(text: str | datetime | None) -> str:
    """A ledger moment (UTC) in local time: "20/11/2026 14:05"."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text) if isinstance(text, str) else text
    return format_datetime(moment.astimezone())


def ago_text(days: int | None) -> str:
    if days is None:
        return ""
    return "hôm nay" if days <= 0 else f"{days} ngày trước"


def rows_count(counts: dict) -> int:
    return sum(v for v in counts.values() if isinstance(v, int))


# -- the import report -------------------------------------------------------------------------

def batch_reports(reports: Sequence[dict]) -> list[dict]:
    """The reports of one import as a person reads them: a package applied in the batch
    (released from a hold) is not reported a second time as "already received"."""
    applied = {r.get("package_id") for r in reports if r["status"] == "applied"}
    return [r for r in reports
            if not (r["status"] == "already" and r.get("package_id") in applied)]


def report_summary(reports: Sequence[dict]) -> str:
    """"3 gói: 1 đã nhận, 1 chờ xác nhận máy gửi, 1 bị từ chối."."""
    if not reports:
        return "Không có gói nào."
    by_status: dict[str, int] = {}
    for r in reports:
        by_status[r["status_label"]] = by_status.get(r["status_label"], 0) + 1
    return f"{len(reports)} gói: " + ", ".join(f"{n} {label}" for label, n in
                                               by_status.items()) + "."


def report_html(reports: Sequence[dict], labels: dict[str, str]) -> str:
    """The import report as HTML for the dialog: per package its outcome, the counts by
    category, warnings, and every row not unchanged with its reason."""
    esc = html.escape
    parts = [f"<p><b>{esc(report_summary(reports))}</b></p>"]
    for r in reports:
        color = STATUS_COLORS.get(r["status"], "#000")
        parts.append(f"<h3 style='margin-bottom:2px'>"
                     f"{esc(sync_report.package_heading(r, with_status=False))}</h3>")
        parts.append(f"<p style='margin-top:0'><span style='color:{color}'>"
                     f"<b>{esc(r['status_label'].capitalize())}</b></span>")
        if sync_report.shown_reason(r):
            parts.append(f" — {esc(sync_report.shown_reason(r))}")
        parts.append("</p>")
        if r.get("status") == "untrusted" and r.get("fingerprint"):
            parts.append(f"<p>Mã khóa của máy gửi: <b>{esc(r['fingerprint'])}</b><br>Gọi điện "
                         "cho đơn vị gửi, đề nghị đọc mã khóa ở mục Đồng bộ trên máy của họ; "
                         "chỉ xác nhận khi hai mã giống hệt nhau.</p>")
        if r.get("clock_warning"):
            parts.append(f"<p style='color:{WARN_COLOR}'>{esc(r['clock_warning'])}</p>")
        if r.get("acknowledged_up_to"):
            parts.append(f"<p>Đơn vị gửi xác nhận đã nhận đến gói số "
                         f"{r['acknowledged_up_to']} của máy này.</p>")
        lines = sync_report.category_lines(r, labels)
        if lines:
            parts.append("<ul style='margin-top:0'>" + "".join(
                f"<li>{esc(line)}</li>" for line in lines) + "</ul>")
        rows = [row for row in r.get("rows", []) if row.get("action") in sync_report.DETAILED]
        if rows:
            parts.append("<table border='1' cellspacing='0' cellpadding='3'>"
                         "<tr><th>Loại dữ liệu</th><th>Mã dòng</th><th>Kết quả</th>"
                         "<th>Trường</th><th>Lý do</th></tr>")
            for row in rows:
                parts.append(
                    f"<tr><td>{esc(labels.get(row['table'], row['table']))}</td>"
                    f"<td>{esc(row['row_id'])}</td><td>{esc(row['action_label'])}</td>"
                    f"<td>{esc(', '.join(map(field_label, row.get('fields') or [])))}</td>"
                    f"<td>{esc(row.get('reason') or '')}</td></tr>")
            parts.append("</table>")
    return "".join(parts)


def _key_check(fingerprint: str, go: str) -> str:
    """How to compare a sender's key by phone before ``go`` (confirming, taking a package)."""
    return (f"Mã khóa của máy gửi: {fingerprint}\n\nGọi điện cho cán bộ của đơn vị gửi, đề "
            "nghị họ đọc mã khóa hiển thị ở mục Đồng bộ trên máy của họ. Chỉ "
            f"{go} khi hai mã giống hệt nhau")


def ask_trust(parent: QWidget, fingerprint: str, sender: str) -> bool:
    """Ask the person to confirm a sender's key after comparing it by phone."""
    return ask_to_go_on(
        parent, "Xác nhận máy gửi", f"Xác nhận máy gửi «{sender}»?",
        f"{_key_check(fingerprint, 'xác nhận')}; sau đó các gói của máy này được nhận mà không "
        "hỏi lại.", "Xác nhận")


def ask_recovery(parent: QWidget, file: str, sender: str, fingerprint: str) -> bool:
    """Ask whether this PC replaces the commune's lost one, the sender's key compared by
    phone: only then is a recovery package taken (and its sender confirmed)."""
    return ask_to_go_on(
        parent, "Nhận gói khôi phục", f"Nhận gói khôi phục dữ liệu «{file}» của {sender}?",
        "Gói khôi phục chứa toàn bộ dữ liệu của xã mà cơ quan cấp trên đang giữ. Chỉ nhận khi "
        "máy này thay cho máy cũ của xã đã bị mất hoặc hỏng; dữ liệu đã có trên máy này vẫn "
        f"được giữ.\n\n{_key_check(fingerprint, 'nhận')}.", "Nhận gói khôi phục")


def ask_recovery_export(parent: QWidget, unit_name: str) -> bool:
    """Say what a recovery package is for before making one for a commune."""
    return ask_to_go_on(
        parent, "Gói khôi phục cho xã", f"Lập gói khôi phục dữ liệu cho {unit_name}?",
        "Gói khôi phục chứa toàn bộ dữ liệu của xã mà cơ quan đang giữ (mọi gói đã nhận của "
        "xã), để máy mới của xã làm tiếp khi máy cũ bị mất hoặc hỏng. Máy mới phải được khởi "
        "tạo cho đúng xã đó; khi nhận gói, cán bộ xã được hỏi xác nhận và đối chiếu mã khóa "
        "của máy này. Gói không được mã hóa (máy mới chưa có khóa mà cơ quan biết): hãy "
        "chuyển gói tận tay hoặc qua kênh tin cậy.", "Lập gói khôi phục")


def trust_task(fingerprint: str) -> Callable[[Database], list[dict]]:
    """A task importing the packages held for the sender with this key, confirming it."""
    return lambda db: [r.as_dict() for r in importer.import_files(db, [], trust=[fingerprint])]


class ImportReportDialog(QDialog):
    """The categorised report of one import: new / updated / unchanged / conflict / refused
    rows with reasons, held packages, forks, clock warnings; unknown senders with their key
    fingerprint and "Xác nhận máy gửi…"; "Lưu PDF…".

    :param reports: ``ImportReport.as_dict()`` of each package (or ``console.ledger_report``)
    """

    # the reports of an import done from this dialog (confirming a sender)
    imported = Signal(list)

    def __init__(self, reports: Sequence[dict], tasks: TaskManager | None, *, unit_name: str,
                 site_name: str | None = None, title: str = "Kết quả nhận gói đồng bộ",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.reports: list[dict] = list(reports)
        self.unit_name, self.site_name = unit_name, site_name
        self.labels = table_labels()
        self.trust_buttons: dict[str, QPushButton] = {}
        self.saved_path: Path | None = None
        self.setWindowTitle(title)
        self.resize(860, 600)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser, 1)
        self.trust_box = QVBoxLayout()
        layout.addLayout(self.trust_box)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Lưu PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        self._fill()

    def _fill(self) -> None:
        self.browser.setHtml(report_html(self.reports, self.labels))
        while self.trust_box.count():
            widget = self.trust_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.trust_buttons = {}
        for fingerprint, sender in self.unknown_senders():
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"Máy gửi chưa biết: <b>{html.escape(sender)}</b> — mã khóa "
                           f"<b>{html.escape(fingerprint)}</b>")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton("Xác nhận máy gửi…")
            button.setToolTip("Đã đối chiếu mã khóa với đơn vị gửi: nhận các gói của máy này")
            button.clicked.connect(lambda _c=False, fp=fingerprint, s=sender:
                                   self.trust(fp, s))
            line.addWidget(label, 1)
            line.addWidget(button)
            self.trust_box.addWidget(row)
            self.trust_buttons[fingerprint] = button

    def unknown_senders(self) -> list[tuple[str, str]]:
        """(fingerprint, sender) of the packages still waiting for a confirmation."""
        confirmed = {r.get("fingerprint") for r in self.reports if r["status"] != "untrusted"}
        out: dict[str, str] = {}
        for r in self.reports:
            fp = r.get("fingerprint")
            if r["status"] == "untrusted" and fp and fp not in confirmed:
                out.setdefault(fp, f"{r.get('sender_name') or r.get('from_site')} "
                                   f"({r.get('from_unit')})")
        return list(out.items())

    def text(self) -> str:
        return self.browser.toPlainText()

    def show_message(self, text: str, *, ok: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {OK_COLOR if ok else ERROR_COLOR};")
        self.message_label.setVisible(bool(text))

    # -- confirming a sender ---------------------------------------------------------------

    def confirm_trust(self, fingerprint: str, sender: str) -> bool:
        return ask_trust(self, fingerprint, sender)

    def trust(self, fingerprint: str, sender: str) -> None:
        """"Xác nhận máy gửi…": after the person confirms, import the held packages."""
        if self.tasks is None or not self.confirm_trust(fingerprint, sender):
            return
        for button in self.trust_buttons.values():
            button.setEnabled(False)

        def done(reports: list[dict]) -> None:
            reports = batch_reports(reports)
            # the packages that waited for this sender are reported again, as imported now
            self.reports = [r for r in self.reports if not (
                r["status"] == "untrusted" and r.get("fingerprint") == fingerprint)] + reports
            self._fill()
            self.show_message(f"Đã xác nhận máy gửi {sender}. " + report_summary(reports),
                              ok=True)
            self.imported.emit(reports)

        def failed(exc: BaseException) -> None:
            self._fill()
            self._failed(exc)

        self.tasks.run(trust_task(fingerprint), done, failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, GnappError):
            self.show_message(str(exc))
        else:
            ui_tasks.show_error(self, exc)

    # -- saving ----------------------------------------------------------------------------

    def ask_save_path(self, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Lưu báo cáo nhận gói", suggested,
                                              "Tệp PDF (*.pdf)")
        if not path:
            return None
        path = Path(path)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def document(self, day: date | None = None):
        return sync_report.import_report_document(
            self.reports, unit_name=self.unit_name, day=day or date.today(),
            table_labels=self.labels, field_labels=FIELD_LABELS, site_name=self.site_name)

    def save_pdf(self) -> None:
        """"Lưu PDF…": the report as a printable PDF (written in the worker)."""
        path = self.ask_save_path(f"nhan-goi-dong-bo-{date.today():%Y%m%d}.pdf")
        if path is None:
            return
        doc = self.document()

        def done(written: Path) -> None:
            self.saved_path = written
            self.show_message(f"Đã lưu báo cáo: {written}", ok=True)

        if self.tasks is None:
            done(pdf.render_pdf(doc, path))
        else:
            self.tasks.run(lambda _db: pdf.render_pdf(doc, path), done, self._failed)


# -- long work with progress -------------------------------------------------------------------

class RoundDecisionDialog(QDialog):
    """The office approves or returns (with a comment) one of a commune's review rounds."""

    def __init__(self, unit_name: str, rounds: Sequence[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Phê duyệt kết quả rà soát – {unit_name}")
        self.round_combo = QComboBox()
        for r in rounds:
            self.round_combo.addItem(f"Đợt {approvals.KIND_LABELS.get(r['kind'], r['kind'])} "
                                     f"năm {r['year']}", (r["year"], r["kind"]))
        self.approve_radio = QRadioButton("&Phê duyệt (khóa các phiếu đã nhận)")
        self.return_radio = QRadioButton("&Trả lại để xã sửa")
        self.approve_radio.setChecked(True)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText("Ý kiến gửi xã (bắt buộc khi trả lại)")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setMaximumHeight(90)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Ghi quyết định")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Đợt rà soát:", self.round_combo)
        layout.addLayout(form)
        layout.addWidget(self.approve_radio)
        layout.addWidget(self.return_radio)
        layout.addWidget(QLabel("Ý &kiến:", buddy=self.comment_edit))
        layout.addWidget(self.comment_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def choice(self) -> tuple[int, str, str, str | None]:
        """(year, kind, state, comment) as chosen."""
        year, kind = self.round_combo.currentData()
        state = "approved" if self.approve_radio.isChecked() else "returned"
        comment = self.comment_edit.toPlainText().strip() or None
        return year, kind, state, comment

    def accept(self) -> None:
        if self.round_combo.count() == 0:
            self.reject()
            return
        _, _, state, comment = self.choice()
        if state == "returned" and not comment:
            self.error_label.setText("Trả lại cần ghi ý kiến để xã biết phải sửa gì.")
            self.error_label.setVisible(True)
            self.comment_edit.setFocus()
            return
        super().accept()


SNAPSHOT_EXPLANATION = (
    "Gói toàn bộ dữ liệu chứa mọi dữ liệu của đơn vị (sổ hộ, rà soát, số liệu…), không chỉ "
    "các thay đổi, và bắt đầu lại luồng gói: nơi nhận không cần các gói trước nó.\n\n"
    "Chỉ dùng khi:\n"
    "  • cấp trên báo mất gói hoặc đề nghị gửi toàn bộ dữ liệu, và gửi lại gói cũ "
    "(«Gửi lại gói đã chọn…») không được (gói cũ hỏng, không còn trong danh sách);\n"
    "  • bắt đầu gửi cho máy thứ hai của xã (máy mới cài cần toàn bộ sổ hộ).\n\n"
    "Bình thường hãy dùng «Xuất gói đồng bộ…»: gói chỉ chứa các thay đổi nên nhỏ và nhanh "
    "hơn. Gói toàn bộ lớn; nếu gửi qua thư điện tử, hãy đặt giới hạn chia tệp.")


class SnapshotDialog(QDialog):
    """"Gửi toàn bộ dữ liệu…": when a snapshot is needed, and for whom."""

    def __init__(self, office: tuple[str, str] | None, own: tuple[str, str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Gửi toàn bộ dữ liệu")
        layout = QVBoxLayout(self)
        self.explanation_label = QLabel(SNAPSHOT_EXPLANATION)
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setMinimumWidth(520)
        layout.addWidget(self.explanation_label)
        layout.addWidget(_bold(QLabel("Gửi cho:")))
        self.office_radio = QRadioButton(f"&Cơ quan cấp trên: {office[1]} ({office[0]})"
                                         if office else "Cơ quan cấp trên (chưa xác định)")
        self.own_radio = QRadioButton(f"&Máy khác của {own[1]} (máy thứ hai của xã)")
        self.office_radio.setEnabled(office is not None)
        (self.office_radio if office else self.own_radio).setChecked(True)
        self.units = {self.office_radio: office[0] if office else None,
                      self.own_radio: own[0]}
        layout.addWidget(self.office_radio)
        layout.addWidget(self.own_radio)
        buttons = QDialogButtonBox()
        self.go_button = buttons.addButton("Tạo gói toàn bộ dữ liệu",
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def to_unit(self) -> str | None:
        return self.units[self.office_radio if self.office_radio.isChecked()
                          else self.own_radio]


class Progress(QObject):
    """Progress of a task in the worker: ``report`` may be called from the worker thread;
    ``changed`` reaches the GUI thread queued."""

    changed = Signal(int, int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.stop = threading.Event()

    def report(self, done: int, total: int, label: str) -> None:
        self.changed.emit(done, total, label)

    def check(self, done: int = 0, total: int = 0, label: str = "") -> None:
        """A ``progress`` for the core functions: raises ``Cancelled`` once stopped."""
        if self.stop.is_set():
            raise Cancelled()


def import_task(paths: Sequence[Path], progress: Progress, *, trust: Sequence[str] = (),
                accept_recovery: bool = False) -> Callable[[Database], dict]:
    """Import packages one after another in name order (a stream's packages sort by number),
    each in its own transaction; stops between two packages when asked. ``trust`` and
    ``accept_recovery`` as for ``importer.import_files``."""
    groups = sorted(pkg.group_parts(paths), key=lambda p: p.name)

    def task(db: Database) -> dict:
        reports: list[dict] = []
        done = 0
        heads = []      # their manifests: a batch bringing many households is merged in bulk
        for path in groups:
            try:
                heads.append(pkg.read_file(path, payload=False))
            except pkg.PackageError:
                pass    # refused with its reason at its turn
        with importer.batch(db, heads):
            for path in groups:
                if progress.stop.is_set():
                    break
                progress.report(done, len(groups), path.name)
                reports += [r.as_dict() for r in importer.import_files(
                    db, [path], trust=trust, accept_recovery=accept_recovery)]
                done += 1
        progress.report(done, len(groups), "")
        return {"reports": reports, "done": done, "total": len(groups),
                "stopped": done < len(groups)}
    return task


def export_task(out_dir: Path, to_unit: str | None, *, encrypt: bool = False,
                with_ack: bool = False, kind: str = "changes", max_bytes: int = 0,
                progress: ProgressFn = no_progress
                ) -> Callable[[Database], export.ExportResult]:
    """Write the next package of the stream (``kind``: changes or snapshot), in parts of at
    most ``max_bytes`` (0: one file); an office with nothing new of its own still sends
    what it received (an ack package) when ``with_ack``. ``progress`` may raise
    ``Cancelled`` before the file is written (nothing stays)."""
    def task(db: Database) -> export.ExportResult:
        result = export.export_package(db, out_dir, to_unit=to_unit, encrypt=encrypt,
                                       kind=kind, max_bytes=max_bytes, progress=progress)
        if result.package_no is None and with_ack:
            acked = export.export_package(db, out_dir, to_unit=to_unit, kind="ack",
                                          encrypt=encrypt, max_bytes=max_bytes,
                                          progress=progress)
            if acked.package_no is not None:
                return acked
        return result
    return task


# -- the page ----------------------------------------------------------------------------------

def _table(columns: Sequence[str], stretch: int) -> QTableWidget:
    table = list_table(columns, stretch)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _item(text: str, *, color: str | None = None, right: bool = False,
          tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color:
        item.setForeground(QBrush(QColor(color)))
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class SyncPage(QWidget):
    """The "Đồng bộ" area (see the module doc).

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager whose worker imports and exports
    """

    CONSOLE_COLUMNS = ["Đơn vị", "Mã", "Gói cuối", "Đã nhận đến gói số", "Đang chờ", "Xung đột",
                       "Nhận lần cuối", "Tình trạng", "Phê duyệt đợt rà soát"]
    (C_NAME, C_CODE, C_LAST, C_UPTO, C_WAITING, C_CONFLICTS, C_RECEIVED, C_STATE,
     C_ROUND) = range(9)
    SENT_COLUMNS = ["Nơi nhận", "Số gói", "Loại", "Tạo lúc", "Số dòng", "Tình trạng",
                    "Nơi nhận báo lại"]
    RECEIVED_COLUMNS = ["Số gói", "Từ", "Loại", "Nhận lúc", "Số dòng", "Tình trạng", "Ghi chú"]

    # a short message for the status bar
    message = Signal(str)
    # packages were imported or a conflict decided: other areas may show changed data
    data_changed = Signal()

    def __init__(self, db: Database | None, tasks: TaskManager,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.role: str | None = None
        self.site: sites.Site | None = None
        self.board: console.Console | None = None
        self.report_dialog: ImportReportDialog | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self.progress: Progress | None = None
        self.open_conflicts = 0
        self._setup()
        self.refresh()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)
        self.fingerprint_label = QLabel()
        self.fingerprint_label.setWordWrap(True)
        self.fingerprint_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint_label)

        self.export_button = QPushButton("Xuất gói đồng bộ…")
        self.export_button.setToolTip("Ghi gói đồng bộ tiếp theo vào thư mục hoặc ổ USB đã chọn")
        self.encrypt_check = QCheckBox("Mã hóa gói")
        self.encrypt_check.setToolTip("Chỉ đơn vị nhận đọc được dữ liệu (cần đã nhận ít nhất "
                                      "một gói của đơn vị nhận)")
        self.import_folder_button = QPushButton("Nhận cả thư mục gói…")
        self.import_folder_button.setToolTip("Nhận mọi gói đồng bộ (.gnsync) trong một thư mục")
        self.import_button = QPushButton("Nhận gói…")
        self.import_button.setToolTip("Nhận một hoặc vài tệp gói đồng bộ")
        self.trust_button = QPushButton("Xác nhận máy gửi…")
        self.trust_button.setToolTip("Xác nhận máy gửi của xã đang chọn sau khi đối chiếu mã "
                                     "khóa qua điện thoại")
        self.send_button = QPushButton("Gửi gói cho xã…")
        self.send_button.setToolTip("Ghi gói xác nhận (kèm dữ liệu của cơ quan) cho xã đang "
                                    "chọn")
        self.conflicts_button = QPushButton("Xung đột…")
        self.conflicts_button.setToolTip("Các xung đột dữ liệu chờ quyết định từng trường")
        bar = QHBoxLayout()
        for widget in (self.export_button, self.encrypt_check, self.import_folder_button,
                       self.import_button, self.trust_button, self.send_button,
                       self.conflicts_button):
            bar.addWidget(widget)
        bar.addStretch()
        layout.addLayout(bar)

        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(320)
        self.stop_button = QPushButton("Dừng")
        self.stop_button.setToolTip("Dừng sau gói đang nhận; các gói đã nhận được giữ nguyên")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress_bar)
        progress_row.addWidget(self.stop_button)
        progress_row.addStretch()
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()
        layout.addWidget(self.progress_box)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)

        # commune: the stream to the office, packages sent, packages received
        self.commune_box = QWidget()
        commune_layout = QVBoxLayout(self.commune_box)
        commune_layout.setContentsMargins(0, 4, 0, 0)
        self.stream_label = QLabel()
        self.stream_label.setWordWrap(True)
        commune_layout.addWidget(self.stream_label)
        self.part_spin = limit_spin(
            export.MAX_PART_LIMIT_KB, "KB", "Không chia",
            "Thư điện tử thường chỉ nhận tệp đính kèm đến 20–25 MB: đặt ví dụ 20.000 KB để gói "
            "lớn được chia thành nhiều tệp (.p01-of-03 …); gửi đủ mọi tệp, nơi nhận chọn một "
            "tệp bất kỳ là nhận cả gói. Giá trị được nhớ cho các lần xuất gói sau.")
        self.part_spin.setSingleStep(1000)
        part_label = QLabel("&Chia tệp để gửi qua thư điện tử, mỗi tệp tối đa:")
        part_label.setBuddy(self.part_spin)
        part_row = QHBoxLayout()
        part_row.addWidget(part_label)
        part_row.addWidget(self.part_spin)
        part_row.addStretch()
        commune_layout.addLayout(part_row)
        self.resend_button = QPushButton("Gửi lại gói đã chọn…")
        self.resend_button.setToolTip("Ghi lại đúng gói đã chọn trong danh sách (khi nơi nhận "
                                      "báo mất gói hoặc chờ gói số đó)")
        self.snapshot_button = QPushButton("Gửi toàn bộ dữ liệu…")
        self.snapshot_button.setToolTip("Gói chứa toàn bộ dữ liệu của xã, bắt đầu lại luồng "
                                        "gói: khi mất gói không gửi lại được, hoặc cho máy "
                                        "thứ hai của xã")
        sent_bar = QHBoxLayout()
        sent_bar.addWidget(_bold(QLabel("Các gói đã gửi")), 1)
        sent_bar.addWidget(self.resend_button)
        sent_bar.addWidget(self.snapshot_button)
        commune_layout.addLayout(sent_bar)
        self.sent_table = _table(self.SENT_COLUMNS, 6)
        commune_layout.addWidget(self.sent_table, 3)
        commune_layout.addWidget(_bold(QLabel("Các gói đã nhận")))
        self.commune_received_table = _table(self.RECEIVED_COLUMNS, 6)
        commune_layout.addWidget(self.commune_received_table, 2)
        layout.addWidget(self.commune_box, 1)

        # office: the merge console and the packages of the chosen commune
        self.office_box = QWidget()
        office_layout = QVBoxLayout(self.office_box)
        office_layout.setContentsMargins(0, 4, 0, 0)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.sending_only_check = QCheckBox("Chỉ hiện đơn vị đã gửi gói")
        self.overdue_spin = QSpinBox()
        self.overdue_spin.setRange(1, 3650)
        self.overdue_spin.setSuffix(" ngày")
        self.overdue_spin.setKeyboardTracking(False)
        self.overdue_spin.setToolTip("Đơn vị không gửi gói nào lâu hơn số ngày này thì được "
                                     "đánh dấu quá hạn")
        overdue_label = QLabel("&Quá hạn sau:")
        overdue_label.setBuddy(self.overdue_spin)
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(overdue_label)
        top.addWidget(self.overdue_spin)
        top.addSpacing(12)
        top.addWidget(self.sending_only_check)
        office_layout.addLayout(top)
        self.console_table = _table(self.CONSOLE_COLUMNS, self.C_WAITING)
        self.console_table.setHorizontalHeaderLabels(
            [c.replace("Đã nhận đến gói số", "Đã nhận\nđến gói số")
             .replace("Phê duyệt đợt rà soát", "Phê duyệt\nđợt rà soát")
             for c in self.CONSOLE_COLUMNS])
        self.console_table.setWordWrap(False)
        self.received_title = _bold(QLabel("Các gói đã nhận"))
        self.report_button = QPushButton("Xem báo cáo nhận gói…")
        self.decide_button = QPushButton("Phê duyệt / trả lại đợt rà soát…")
        self.decide_button.setToolTip("Phê duyệt hoặc trả lại kèm ý kiến một đợt rà soát của xã "
                                      "đang chọn; quyết định đi xuống xã trong gói tiếp theo")
        self.recovery_button = QPushButton("Gói khôi phục cho xã…")
        self.recovery_button.setToolTip("Toàn bộ dữ liệu của xã đang chọn mà cơ quan đang giữ, "
                                        "cho máy mới của xã khi máy cũ bị mất hoặc hỏng")
        received_bar = QHBoxLayout()
        received_bar.addWidget(self.received_title, 1)
        received_bar.addWidget(self.decide_button)
        received_bar.addWidget(self.recovery_button)
        received_bar.addWidget(self.report_button)
        self.received_table = _table(self.RECEIVED_COLUMNS, 6)
        received_box = QWidget()
        received_layout = QVBoxLayout(received_box)
        received_layout.setContentsMargins(0, 6, 0, 0)
        received_layout.addLayout(received_bar)
        received_layout.addWidget(self.received_table, 1)
        self.splitter = split_panes((self.console_table, 3), (received_box, 2), vertical=True)
        office_layout.addWidget(self.splitter, 1)
        layout.addWidget(self.office_box, 1)

        self.export_button.clicked.connect(self.export_to_folder)
        add_shortcut(self, "Ctrl+E", self.export_shortcut, button=self.export_button,
                     context=Qt.ShortcutContext.WindowShortcut)
        self.send_button.setToolTip(f"{self.send_button.toolTip()} (Ctrl+E)")
        self.import_folder_button.clicked.connect(self.import_folder)
        self.import_button.clicked.connect(self.import_files)
        self.trust_button.clicked.connect(self.trust_selected)
        self.send_button.clicked.connect(self.send_to_selected)
        self.conflicts_button.clicked.connect(self.open_conflict_dialog)
        self.stop_button.clicked.connect(self.stop)
        self.sending_only_check.toggled.connect(lambda _on: self._fill_console())
        self.overdue_spin.valueChanged.connect(self.set_overdue_days)
        self.console_table.itemSelectionChanged.connect(self._commune_chosen)
        self.console_table.itemDoubleClicked.connect(lambda _item: self.open_latest_report())
        self.report_button.clicked.connect(self.open_selected_report)
        self.decide_button.clicked.connect(self.decide_round)
        self.recovery_button.clicked.connect(self.recovery_for_selected)
        self.received_table.itemDoubleClicked.connect(
            lambda _item: self.open_selected_report())
        self.received_table.itemSelectionChanged.connect(self._update_buttons)
        self.commune_received_table.itemDoubleClicked.connect(
            lambda item: self.open_ledger_report(item.tableWidget(), item.row()))
        self.sent_table.itemDoubleClicked.connect(
            lambda item: self.open_ledger_report(item.tableWidget(), item.row()))
        self.sent_table.itemSelectionChanged.connect(self._update_buttons)
        self.resend_button.clicked.connect(self.resend_selected)
        self.snapshot_button.clicked.connect(self.export_snapshot)
        self.part_spin.valueChanged.connect(self.set_part_limit)

    # -- data ------------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        """Use another read connection (the window reopened the database), or none."""
        self._db = db
        self.refresh()

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    def unit_name(self) -> str:
        unit = units.get_unit(self._db, self.site.unit_code) if self.site else None
        return unit["name"] if unit else (self.site.unit_code if self.site else "")

    def refresh(self) -> None:
        """Read everything again (on the GUI thread's connection)."""
        self.site = sites.local_site(self._db) if self._db is not None else None
        if self.site is None:
            return
        self.role = self.site.role
        name = self.unit_name()
        if self.site.display_name not in ("", name):
            name = f"{self.site.display_name} – {name}"
        self.fingerprint_label.setText(
            f"Máy này: {name} ({self.site.unit_code}). "
            f"Mã nhận dạng khóa của máy này (đọc cho nơi nhận khi được hỏi để xác nhận gói "
            f"đồng bộ): <b>{self.site.fingerprint}</b>")
        office = self.is_office
        self.export_button.setVisible(not office)
        self.encrypt_check.setVisible(not office)
        self.import_folder_button.setVisible(office)
        self.trust_button.setVisible(office)
        self.send_button.setVisible(office)
        self.import_button.setText("Nhận gói…" if office else "Nhận gói từ cấp trên…")
        self.commune_box.setVisible(not office)
        self.office_box.setVisible(office)
        self.open_conflicts = len(conflicts.open_conflicts(self._db))
        self.conflicts_button.setText(f"Xung đột ({self.open_conflicts})…")
        if office:
            self.board = console.commune_rows(self._db)
            self.overdue_spin.blockSignals(True)
            self.overdue_spin.setValue(self.board.overdue_days)
            self.overdue_spin.blockSignals(False)
            self._fill_console()
        else:
            self._fill_commune()
        self._update_buttons()

    def _fill_commune(self) -> None:
        self.part_spin.blockSignals(True)
        self.part_spin.setValue(export.part_limit_kb(self._db))
        self.part_spin.blockSignals(False)
        status = importer.status(self._db)
        lines = []
        for s in status["sent"]:
            unit = units.get_unit(self._db, s["to_unit"])
            name = unit["name"] if unit else s["to_unit"]
            if s["to_unit"] == self.site.unit_code:
                name = f"các máy khác của {name}"
            lines.append(f"Gửi {name} ({s['to_unit']}): đã gửi đến gói số {s['last_sent']}; "
                         f"nơi nhận xác nhận đã nhận đến gói số {s['acknowledged_up_to']}.")
        if not status["sent"]:
            try:
                to_unit = export.default_receiver(self._db)
                unit = units.get_unit(self._db, to_unit)
                lines.append(f"Chưa gửi gói nào. Gói đầu tiên sẽ gửi "
                             f"{unit['name'] if unit else to_unit} ({to_unit}).")
            except GnappError as exc:
                lines.append(str(exc))
        for r in status["received"]:
            line = (f"Nhận từ {r['name'] or r['from_unit']} ({r['from_unit']}): đã nhận đến "
                    f"gói số {r['applied_up_to']}")
            if r["waiting_for"]:
                line += f", chờ gói số {r['waiting_for']}"
            if not r["trusted"]:
                line += ", chưa xác nhận máy gửi"
            lines.append(line + ".")
        self.stream_label.setText("\n".join(lines))

        sent = sorted(export.sent_packages(self._db), key=lambda p: p.id, reverse=True)
        self.sent_table.setRowCount(len(sent))
        for row, p in enumerate(sent):
            report = p.report or {}
            said = []
            refused, held = len(report.get("refused", [])), len(report.get("conflicts", []))
            if refused:
                said.append(f"{refused} dòng bị từ chối")
            if held:
                said.append(f"{held} dòng xung đột")
            if report and not said:
                said.append("nhận đủ, không có dòng bị từ chối")
            cells = [_item(self._receiver_text(p.to_unit)),
                     _item(str(p.package_no), right=True),
                     _item(KIND_LABELS.get(p.kind, p.kind)), _item(moment_text(p.recorded_at)),
                     _item(str(rows_count(p.counts)), right=True),
                     _item(p.state_label, color=LEDGER_COLORS.get(p.state)),
                     _item("; ".join(said), color=ERROR_COLOR if refused or held else None)]
            for col, item in enumerate(cells):
                item.setData(LEDGER_ID_ROLE, p.id)
                self.sent_table.setItem(row, col, item)
        received = ledger.rows(self._db, "direction = 'in'", order="id DESC")
        self._fill_received(self.commune_received_table, received)

    def _receiver_text(self, to_unit: str) -> str:
        """"Tỉnh Bắc Ninh", or "Máy khác của xã" for the other PCs of this commune."""
        if self.site is not None and to_unit == self.site.unit_code:
            return "Máy khác của xã"
        unit = units.get_unit(self._db, to_unit)
        return unit["name"] if unit else to_unit

    def _fill_received(self, table: QTableWidget, rows: Sequence[ledger.LedgerRow]) -> None:
        names = dict(self._db.execute("SELECT id, display_name FROM site").fetchall())
        table.setRowCount(len(rows))
        for row, p in enumerate(rows):
            if p.from_site not in names:
                unit = units.get_unit(self._db, p.from_unit)
                names[p.from_site] = unit["name"] if unit else p.from_unit
            counts = (p.report or {}).get("counts") or {}
            note = sync_report.shown_reason({"status": p.state, "reason": p.reason})
            if not note and counts:
                note = sync_report.counts_line(counts) if any(counts.values()) else \
                    "không có dòng dữ liệu (chỉ mang xác nhận)"
            cells = [_item(str(p.package_no), right=True),
                     _item(names.get(p.from_site) or p.from_unit),
                     _item(KIND_LABELS.get(p.kind, p.kind)), _item(moment_text(p.recorded_at)),
                     _item(str(rows_count(p.counts)), right=True),
                     _item(p.state_label, color=LEDGER_COLORS.get(p.state)),
                     _item(note, tooltip=note or None)]
            for col, item in enumerate(cells):
                item.setData(LEDGER_ID_ROLE, p.id)
                table.setItem(row, col, item)

    def console_rows(self) -> list[console.CommuneRow]:
        """The rows the console table shows (after the "sent packages only" filter)."""
        if self.board is None:
            return []
        if self.sending_only_check.isChecked():
            return [r for r in self.board.rows if r.streams]
        return list(self.board.rows)

    def _fill_console(self) -> None:
        if self.board is None:
            return
        selected = self.selected_unit()
        self.summary_label.setText(self.board.summary())
        rows = self.console_rows()
        table = self.console_table
        table.setUpdatesEnabled(False)
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            state_color = STATE_COLORS[r.state]
            state = r.state_label
            if r.state == console.OVERDUE:
                state += f" (quá {self.board.overdue_days} ngày)"
            fingerprints = ", ".join(r.untrusted_fingerprints)
            received = ""
            if r.last_received_at is not None:
                received = (f"{format_date(console.received_on(r.last_received_at))} "
                            f"({ago_text(r.days_since)})")
            streams = r.streams_text or None
            cells = {
                self.C_NAME: _item(r.unit_name),
                self.C_CODE: _item(r.unit_code),
                self.C_LAST: _item(r.last_package_text, right=True, tooltip=streams),
                self.C_UPTO: _item(r.received_text, right=True, tooltip=streams),
                self.C_WAITING: _item(r.waiting_text, color=WARN_COLOR if r.waiting_text
                                      else None,
                                      tooltip=f"Mã khóa máy gửi: {fingerprints}"
                                      if fingerprints else None),
                self.C_CONFLICTS: _item(str(r.open_conflicts) if r.open_conflicts else "",
                                        right=True,
                                        color=ERROR_COLOR if r.open_conflicts else None),
                self.C_RECEIVED: _item(received, color=ERROR_COLOR if r.overdue else None,
                                       tooltip=moment_text(r.last_received_at) or None),
                self.C_STATE: _item(state, color=state_color),
                self.C_ROUND: _item(r.round_state),
            }
            for col, item in cells.items():
                item.setData(UNIT_ROLE, r.unit_code)
                table.setItem(n, col, item)
        table.blockSignals(False)
        table.setUpdatesEnabled(True)
        if selected is not None:
            self.select_unit(selected)      # shows its packages again
        else:
            self._commune_chosen()

    def set_overdue_days(self, days: int) -> None:
        """The overdue limit changed: store it (in the worker) and show the console again."""
        if self.board is None or days == self.board.overdue_days:
            return
        self.tasks.run(lambda db: console.set_overdue_days(db, days),
                       lambda _r: self.refresh(), self._failed)

    def console_texts(self) -> list[list[str]]:
        table = self.console_table
        return [[table.item(r, c).text() for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    def console_row(self, unit_code: str) -> list[str]:
        return next(row for row in self.console_texts() if row[self.C_CODE] == unit_code)

    def selected_unit(self) -> str | None:
        rows = self.console_table.selectionModel().selectedRows() \
            if self.console_table.selectionModel() else []
        if not rows:
            return None
        item = self.console_table.item(rows[0].row(), 0)
        return item.data(UNIT_ROLE) if item else None

    def selected_row(self) -> console.CommuneRow | None:
        code = self.selected_unit()
        if code is None or self.board is None:
            return None
        return next((r for r in self.board.rows if r.unit_code == code), None)

    def select_unit(self, unit_code: str) -> None:
        for row in range(self.console_table.rowCount()):
            if self.console_table.item(row, 0).data(UNIT_ROLE) == unit_code:
                self.console_table.selectRow(row)
                self.console_table.scrollToItem(self.console_table.item(row, 0))
                break
        self._commune_chosen()

    def _commune_chosen(self) -> None:
        row = self.selected_row()
        if row is None:
            self.received_title.setText("Các gói đã nhận (chọn một xã ở bảng trên)")
            self.received_table.setRowCount(0)
        else:
            packages = console.received_packages(self._db, row.unit_code)
            self.received_title.setText(f"Các gói đã nhận của {row.unit_name} "
                                        f"({len(packages)} gói)")
            self._fill_received(self.received_table, packages)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.progress is not None
        row = self.selected_row() if self.is_office else None
        for button in (self.export_button, self.import_folder_button, self.import_button):
            button.setEnabled(not busy)
        self.trust_button.setEnabled(not busy and row is not None
                                     and bool(row.untrusted_fingerprints))
        self.send_button.setEnabled(not busy and row is not None)
        self.resend_button.setEnabled(not busy and self.selected_sent() is not None)
        self.snapshot_button.setEnabled(not busy)
        self.decide_button.setEnabled(not busy and row is not None)
        self.recovery_button.setEnabled(not busy and row is not None)
        self.report_button.setEnabled(bool(self.received_table.selectionModel()
                                           and self.received_table.selectionModel()
                                           .selectedRows()))

    # -- asking (patched in tests) ---------------------------------------------------------

    def ask_folder(self, title: str) -> Path | None:
        """Ask for a folder (a USB stick): a folder dialog."""
        chosen = choose_paths(self, title, mode=QFileDialog.FileMode.Directory)
        return chosen[0] if chosen else None

    def ask_package_files(self) -> list[Path]:
        """Ask for package files (a file dialog)."""
        return choose_paths(self, "Chọn gói đồng bộ để nhận",
                            mode=QFileDialog.FileMode.ExistingFiles,
                            filters=f"Gói đồng bộ (*{pkg.SUFFIX} *{pkg.SUFFIX}.p*);;"
                                    "Tất cả các tệp (*)")

    def confirm_trust(self, fingerprint: str, sender: str) -> bool:
        return ask_trust(self, fingerprint, sender)

    def ask_snapshot(self) -> str | None:
        """Explain the snapshot and ask for whom (a dialog): the receiving unit, or None."""
        dialog = SnapshotDialog(self._snapshot_office(), (self.site.unit_code,
                                                          self.unit_name()), self)
        return dialog.to_unit() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _snapshot_office(self) -> tuple[str, str] | None:
        try:
            code = export.default_receiver(self._db)
        except GnappError:
            return None
        unit = units.get_unit(self._db, code)
        return code, unit["name"] if unit else code

    def confirm_recovery(self, report: dict) -> bool:
        sender = f"{report.get('sender_name') or report.get('from_site')} " \
                 f"({report.get('from_unit')})"
        return ask_recovery(self, report["file"], sender, report.get("fingerprint") or "")

    def confirm_recovery_export(self, unit_name: str) -> bool:
        return ask_recovery_export(self, unit_name)

    def ask_round_decision(self, unit_name: str, rounds: Sequence[dict]
                           ) -> tuple[int, str, str, str | None] | None:
        """Ask which round and what decision (a dialog); ``None`` when cancelled."""
        dialog = RoundDecisionDialog(unit_name, rounds, self)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # -- actions ---------------------------------------------------------------------------

    def show_result(self, text: str, *, ok: bool = True) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(f"color: {OK_COLOR if ok else ERROR_COLOR};")
        self.result_label.setVisible(bool(text))
        if text:
            self.message.emit(text.splitlines()[0])

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.show_result(str(exc))
        elif isinstance(exc, GnappError):
            self.show_result(str(exc), ok=False)
        else:
            self.show_result("Không làm được do lỗi của phần mềm; dữ liệu chưa thay đổi.",
                             ok=False)
            ui_tasks.show_error(self, exc)

    def _start(self, label: str, *, stoppable: bool = False) -> Progress:
        self.progress = Progress(self)
        self.progress.changed.connect(self._progress_changed)
        self.progress_label.setText(label)
        self.progress_bar.setRange(0, 0)
        self.stop_button.setVisible(stoppable)
        self.stop_button.setEnabled(True)
        self.stop_button.setText("Dừng")
        self.stop_button.setToolTip("Dừng sau gói đang nhận; các gói đã nhận được giữ nguyên")
        self.progress_box.show()
        self.show_result("")
        self._update_buttons()
        return self.progress

    def _progress_changed(self, done: int, total: int, name: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if name:
            self.progress_label.setText(f"Đang nhận gói {done + 1}/{total}: {name}")

    def _finish(self) -> None:
        if self.progress is not None:
            self.progress.deleteLater()
        self.progress = None
        self.progress_box.hide()
        self._update_buttons()

    def stop(self) -> None:
        """"Dừng": stop after the package being imported (each package is atomic);
        "Hủy" of an export: stop before the file is written."""
        if self.progress is not None:
            self.progress.stop.set()
            self.stop_button.setEnabled(False)
            self.progress_label.setText("Đang hủy…" if self.stop_button.text() == "Hủy"
                                        else "Đang dừng sau gói đang nhận…")

    def export_shortcut(self) -> None:
        """"Ctrl+E": the commune's next package, or the office's package for the chosen
        commune."""
        if self.export_button.isVisible() and self.export_button.isEnabled():
            self.export_to_folder()
        elif self.send_button.isVisible() and self.send_button.isEnabled():
            self.send_to_selected()

    def export_to_folder(self) -> None:
        """"Xuất gói đồng bộ…": the next package of this commune, into a chosen folder."""
        if self.progress is not None:
            return
        folder = self.ask_folder("Chọn thư mục hoặc ổ USB để ghi gói đồng bộ")
        if folder is None:
            return
        self._export(folder, None, encrypt=self.encrypt_check.isChecked())

    def part_limit_bytes(self) -> int:
        return self.part_spin.value() * 1024

    def set_part_limit(self, kb: int) -> None:
        """The size limit changed: remember it (in the worker)."""
        if self._db is None or kb == export.part_limit_kb(self._db):
            return
        self.tasks.run(lambda db: export.set_part_limit_kb(db, kb),
                       lambda _r: self.message.emit(
                           "Đã nhớ giới hạn chia tệp: " + self.part_spin.text()),
                       self._failed)

    def selected_sent(self) -> ledger.LedgerRow | None:
        """The package chosen in the list of packages sent."""
        model = self.sent_table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or self._db is None:
            return None
        item = self.sent_table.item(rows[0].row(), 0)
        found = ledger.rows(self._db, "id = ?", [item.data(LEDGER_ID_ROLE)]) if item else []
        return found[0] if found else None

    def resend_selected(self) -> None:
        """"Gửi lại gói đã chọn…": the chosen package again, byte for byte, into a folder."""
        chosen = self.selected_sent()
        if chosen is None or self.progress is not None:
            return
        folder = self.ask_folder(f"Chọn thư mục hoặc ổ USB để ghi lại gói số "
                                 f"{chosen.package_no}")
        if folder is None:
            return
        number, to_unit, limit = chosen.package_no, chosen.to_unit, self.part_limit_bytes()
        self._start(f"Đang ghi lại gói số {number}…")

        def done(paths: list[Path]) -> None:
            self._finish()
            files = "\n".join(f"  {p}" for p in paths)
            self.show_result(f"Đã ghi lại gói số {number} gửi "
                             f"{self._receiver_text(to_unit)} (đúng như lần gửi trước). "
                             f"Tệp:\n{files}")

        self.tasks.run(lambda db: export.resend(db, number, folder, to_unit=to_unit,
                                                max_bytes=limit), done, self._failed)

    def export_snapshot(self) -> None:
        """"Gửi toàn bộ dữ liệu…": a snapshot package, after saying when it is needed."""
        if self.progress is not None or self.site is None:
            return
        to_unit = self.ask_snapshot()
        if to_unit is None:
            return
        folder = self.ask_folder("Chọn thư mục hoặc ổ USB để ghi gói toàn bộ dữ liệu")
        if folder is None:
            return
        self._export(folder, to_unit, encrypt=self.encrypt_check.isChecked()
                     and to_unit != self.site.unit_code, kind="snapshot")

    def send_to_selected(self) -> None:
        """"Gửi gói cho xã…": the office's package for the chosen commune."""
        row = self.selected_row()
        if row is None or self.progress is not None:
            return
        folder = self.ask_folder(f"Chọn thư mục để ghi gói gửi {row.unit_name}")
        if folder is None:
            return
        self._export(folder, row.unit_code, with_ack=True)

    def recovery_for_selected(self) -> None:
        """"Gói khôi phục cho xã…": every row of the chosen commune the office holds, for the
        commune's new PC after its old one was lost."""
        row = self.selected_row()
        if row is None or self.progress is not None:
            return
        if not self.confirm_recovery_export(row.unit_name):
            return
        folder = self.ask_folder(f"Chọn thư mục để ghi gói khôi phục cho {row.unit_name}")
        if folder is None:
            return
        self._export(folder, row.unit_code, kind="recovery")

    def decide_round(self) -> None:
        """"Phê duyệt / trả lại đợt rà soát…" for the chosen commune."""
        row = self.selected_row()
        if row is None or self.progress is not None:
            return
        rounds = list(self._db.query(
            "SELECT year, kind FROM review_round WHERE owner_unit = ? AND deleted = 0 "
            "ORDER BY year DESC, kind", [row.unit_code]))
        if not rounds:
            self.show_result(f"Chưa nhận được đợt rà soát nào của {row.unit_name}.", ok=False)
            return
        chosen = self.ask_round_decision(row.unit_name, rounds)
        if chosen is None:
            return
        year, kind, state, comment = chosen

        def done(decided: dict) -> None:
            self.show_result(f"{row.unit_name}, đợt năm {year}: {STATE_TEXT[state]} "
                             f"({decided['row_count']} phiếu). Quyết định đi xuống xã trong gói "
                             "tiếp theo («Gửi gói cho xã…»).")
            self.refresh()

        self.tasks.run(lambda db: approvals.decide(db, commune=row.unit_code, year=year,
                                                   kind=kind, state=state, comment=comment),
                       done, self._failed)

    def _export(self, folder: Path, to_unit: str | None, *, encrypt: bool = False,
                with_ack: bool = False, kind: str = "changes") -> None:
        progress = self._start("Đang tạo gói đồng bộ…", stoppable=True)
        self.stop_button.setText("Hủy")
        self.stop_button.setToolTip("Hủy tạo gói; không ghi tệp nào, không có gì thay đổi")

        def done(result: export.ExportResult) -> None:
            self._finish()
            if result.package_no is None:
                self.show_result(result.message, ok=True)
            else:
                files = "\n".join(f"  {p}" for p in result.paths)
                self.show_result(f"{result.message} Số dòng: {rows_count(result.counts)}. "
                                 f"Tệp:\n{files}")
            self.refresh()

        max_bytes = 0 if self.is_office else self.part_limit_bytes()
        self.tasks.run(export_task(folder, to_unit, encrypt=encrypt, with_ack=with_ack,
                                   kind=kind, max_bytes=max_bytes, progress=progress.check),
                       done, self._failed)

    def import_folder(self) -> None:
        """"Nhận cả thư mục gói…": every package of a folder."""
        if self.progress is not None:
            return
        folder = self.ask_folder("Chọn thư mục chứa các gói đồng bộ")
        if folder is None:
            return
        paths = console.package_files(folder)
        if not paths:
            self.show_result(f"Thư mục {folder} không có tệp gói đồng bộ ({pkg.SUFFIX}).",
                             ok=False)
            return
        self.import_paths(paths)

    def import_files(self) -> None:
        """"Nhận gói…": chosen package files."""
        if self.progress is not None:
            return
        paths = self.ask_package_files()
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: Sequence[Path], *, trust: Sequence[str] = (),
                     accept_recovery: bool = False, earlier: Sequence[dict] = ()) -> None:
        """Import packages in the worker, with progress; then show the import report (with
        the ``earlier`` reports of the same import). A recovery package is taken only when
        the person confirms it, and its sender with it (``confirm_recovery``)."""
        progress = self._start(f"Đang nhận {len(paths)} tệp gói…", stoppable=True)

        def done(result: dict) -> None:
            self._finish()
            if not accept_recovery and self._take_recovery(paths, result["reports"]):
                return
            reports = batch_reports([*earlier, *result["reports"]])
            text = report_summary(reports)
            if result["stopped"]:
                text = (f"Đã dừng sau {result['done']}/{result['total']} gói; các gói đã nhận "
                        f"được giữ nguyên, các gói còn lại chưa nhận. {text}")
            self.show_result(text, ok=not any(r["status"] in ("refused", "fork")
                                              for r in reports))
            self.refresh()
            self.data_changed.emit()
            self.show_report(reports)

        self.tasks.run(import_task(paths, progress, trust=trust,
                                   accept_recovery=accept_recovery), done, self._failed)

    def _take_recovery(self, paths: Sequence[Path], reports: Sequence[dict]) -> bool:
        """Ask about each recovery package the import held; import those confirmed (the
        other reports shown with theirs). False when none was confirmed."""
        by_name = {pkg.package_name(p): p for p in pkg.group_parts(paths)}
        held = [r for r in reports if r.get("kind") == "recovery" and r["status"] == "held"
                and r["file"] in by_name]
        taken = [r for r in held if self.confirm_recovery(r)]
        if not taken:
            return False
        self.import_paths([by_name[r["file"]] for r in taken],
                          trust=[r["fingerprint"] for r in taken if r.get("fingerprint")],
                          accept_recovery=True,
                          earlier=[r for r in reports if r not in taken])
        return True

    def show_report(self, reports: Sequence[dict], *,
                    title: str = "Kết quả nhận gói đồng bộ") -> ImportReportDialog:
        """Open the import report (one at a time; a new one replaces the old)."""
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        dialog = ImportReportDialog(reports, self.tasks, unit_name=self.unit_name(),
                                    site_name=self.site.display_name if self.site else None,
                                    title=title, parent=self)
        dialog.imported.connect(self._imported_from_dialog)
        self.report_dialog = dialog
        dialog.open()
        return dialog

    def _imported_from_dialog(self, reports: list) -> None:
        self.show_result(report_summary(reports))
        self.refresh()
        self.data_changed.emit()

    def trust_selected(self) -> None:
        """"Xác nhận máy gửi…" for the chosen commune's unknown sender."""
        row = self.selected_row()
        if row is None or not row.untrusted_fingerprints or self.progress is not None:
            return
        stream = next(s for s in row.streams if s.untrusted)
        fingerprint = stream.fingerprint
        sender = f"{stream.name or stream.from_site} ({row.unit_code})"
        if not self.confirm_trust(fingerprint, sender):
            return
        self._start(f"Đang nhận các gói của {sender}…")

        def done(reports: list[dict]) -> None:
            self._finish()
            reports = batch_reports(reports)
            self.show_result(f"Đã xác nhận máy gửi {sender}. " + report_summary(reports))
            self.refresh()
            self.data_changed.emit()
            self.show_report(reports)

        self.tasks.run(trust_task(fingerprint), done, self._failed)

    def open_ledger_report(self, table: QTableWidget, row: int) -> ImportReportDialog | None:
        item = table.item(row, 0)
        if item is None:
            return None
        found = ledger.rows(self._db, "id = ?", [item.data(LEDGER_ID_ROLE)])
        if not found:
            return None
        entry = found[0]
        title = (f"Gói số {entry.package_no} đã gửi – nơi nhận báo lại" if entry.direction == "out"
                 else f"Báo cáo nhận gói số {entry.package_no}")
        return self.show_report([console.ledger_report(self._db, entry)], title=title)

    def open_selected_report(self) -> ImportReportDialog | None:
        """The stored import report of the package chosen under the console."""
        rows = self.received_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.open_ledger_report(self.received_table, rows[0].row())

    def open_latest_report(self) -> ImportReportDialog | None:
        """Drill-down from a console row: the import reports of the commune's packages."""
        row = self.selected_row()
        if row is None:
            return None
        packages = console.received_packages(self._db, row.unit_code)
        if not packages:
            return None
        return self.show_report([console.ledger_report(self._db, p) for p in packages],
                                title=f"Các gói đã nhận của {row.unit_name}")

    def open_conflict_dialog(self) -> ConflictDialog:
        """The conflict queue; a decision refreshes the page."""
        if self.conflict_dialog is not None and self.conflict_dialog.isVisible():
            self.conflict_dialog.raise_()
            return self.conflict_dialog
        dialog = ConflictDialog(self._db, self.tasks, parent=self)
        dialog.resolved.connect(lambda _id: (self.refresh(), self.data_changed.emit()))
        dialog.finished.connect(lambda _r: self._conflict_dialog_closed(dialog))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _conflict_dialog_closed(self, dialog: ConflictDialog) -> None:
        if self.conflict_dialog is dialog:
            self.conflict_dialog = None
        dialog.deleteLater()

    # -- Qt --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: other areas may have changed data."""
        super().showEvent(event)
        if self._db is not None and not event.spontaneous() and self.progress is None:
            self.refresh()
