"""Poverty targets per unit: a plan's table (units × years), its computed totals, the
document's own total row with its differences, the printed rates that disagree with their
counts highlighted (the reason as tooltip), and a small form to set a commune's target.

Meant to be embedded in the "Tiến độ" area. Reading uses the GUI thread's connection; every
write (import, a target set by hand) and every print runs in the task manager's worker. The
sums and the checks come from ``gnapp.db.targets`` / ``gnapp.domain.targets``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import sites
from gnapp.db import targets as dt
from gnapp.domain import targets as tg
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.numbers import format_decimal, format_int, parse_int
from gnapp.domain.targets import PlanCheck
from gnapp.domain.text import clean
from gnapp.forms import target_reports as trp
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import ERROR_COLOR

TITLE = "Chỉ tiêu giảm nghèo của các đơn vị"
FLAG_BACKGROUND = "#f8d0d0"
TOTAL_BACKGROUND = "#ebebeb"
OK_COLOR = "#1b6e20"
NO_PLANS = ("Chưa có chỉ tiêu nào. Bấm «Nhập CSV…» để nhập bảng chỉ tiêu của một kế hoạch, "
            "hoặc giao chỉ tiêu cho một xã ở khung dưới.")
FIXED_COLUMNS = ("TT", "STT theo\nvăn bản", "Đơn vị")


class TargetsView(QWidget):
    """A plan's targets, with Import CSV, Print and the form to set a commune's target.

    :param db_getter: the GUI thread's read connection, or a callable returning it (``None``
        while no database is open)
    :param tasks: the task manager whose worker writes and prints
    """

    message = Signal(str)
    # emitted after a write of targets succeeded
    targets_changed = Signal()

    def __init__(self, db_getter: Callable[[], Database | None] | Database | None,
                 tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db_getter = db_getter if callable(db_getter) else (lambda: db_getter)
        self.tasks = tasks
        self.check: PlanCheck | None = None
        self.years: list[int] = []
        self._setup()
        self.reload()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(TITLE)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(QLabel("&Kế hoạch:"))
        self.plan_combo = QComboBox()
        self.plan_combo.setMinimumWidth(240)
        top.itemAt(top.count() - 1).widget().setBuddy(self.plan_combo)
        top.addWidget(self.plan_combo)
        self.import_button = QPushButton("Nhập CSV…")
        self.print_button = QPushButton("In…")
        top.addWidget(self.import_button)
        top.addWidget(self.print_button)
        top.addStretch()
        layout.addLayout(top)

        self.grid = QTableWidget()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.verticalHeader().hide()
        self.grid.verticalHeader().setDefaultSectionSize(24)
        self.grid.setWordWrap(False)
        header = self.grid.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(44)
        layout.addWidget(self.grid, 1)
        self.empty_label = QLabel(NO_PLANS)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #666;")
        layout.addWidget(self.empty_label)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        box = QGroupBox("Giao chỉ tiêu cho một xã")
        form = QHBoxLayout(box)
        self.unit_edit = QLineEdit()
        self.unit_edit.setPlaceholderText("mã xã, ví dụ 07339")
        self.unit_edit.setMaximumWidth(130)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(tg.MIN_YEAR, tg.MAX_YEAR)
        self.year_spin.setValue(date.today().year)
        self.households_edit = QLineEdit()
        self.households_edit.setPlaceholderText("tổng số hộ")
        self.households_edit.setMaximumWidth(110)
        self.poor_edit = QLineEdit()
        self.poor_edit.setPlaceholderText("số hộ nghèo")
        self.poor_edit.setMaximumWidth(110)
        self.rate_edit = QLineEdit()
        self.rate_edit.setPlaceholderText("hoặc tỷ lệ %")
        self.rate_edit.setMaximumWidth(110)
        self.rate_edit.setToolTip("Đặt tỷ lệ trước: số hộ nghèo = làm tròn nửa lên tỷ lệ × số "
                                  "hộ ÷ 100")
        self.set_button = QPushButton("Ghi chỉ tiêu")
        for label, widget in (("&Xã:", self.unit_edit), ("&Năm:", self.year_spin),
                              ("Số &hộ:", self.households_edit),
                              ("Hộ n&ghèo:", self.poor_edit), ("&Tỷ lệ:", self.rate_edit)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addWidget(caption)
            form.addWidget(widget)
        form.addWidget(self.set_button)
        form.addStretch()
        layout.addWidget(box)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)

        self.plan_combo.currentIndexChanged.connect(self.refresh_table)
        self.import_button.clicked.connect(self.import_file)
        self.print_button.clicked.connect(self.print_plan)
        self.set_button.clicked.connect(self.set_target)

    @property
    def db(self) -> Database | None:
        return self._db_getter()

    def set_db(self, db: Database | None) -> None:
        """Use another read connection (the database was reopened)."""
        self._db_getter = lambda: db
        self.reload()

    # -- reading ---------------------------------------------------------------------------

    def current_plan(self) -> str | None:
        return self.plan_combo.currentData()

    def reload(self, select: str | None = None) -> None:
        """Read the plans again and keep (or set) the chosen one."""
        db = self.db
        if db is None:
            return
        select = select or self.current_plan()
        plans = dt.plans(db)
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for p in plans:
            self.plan_combo.addItem(f"{p['plan']} ({p['units']} đơn vị, {p['first_year']}–"
                                    f"{p['last_year']})", p["plan"])
        index = self.plan_combo.findData(select) if select else -1
        self.plan_combo.setCurrentIndex(index if index >= 0 else 0 if plans else -1)
        self.plan_combo.blockSignals(False)
        self.empty_label.setVisible(not plans)
        self.grid.setVisible(bool(plans))
        self.print_button.setEnabled(bool(plans))
        self.refresh_table()

    def _item(self, text: str, *, left: bool = False, bold: bool = False,
              background: str | None = None, color: str | None = None,
              tooltip: str | None = None, italic: bool = False) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setTextAlignment((Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight)
                              | Qt.AlignmentFlag.AlignVCenter)
        if bold or italic:
            font = QFont(self.grid.font())
            font.setBold(bold)
            font.setItalic(italic)
            item.setFont(font)
        if background:
            item.setBackground(QBrush(QColor(background)))
        if color:
            item.setForeground(QBrush(QColor(color)))
        if tooltip:
            item.setToolTip(tooltip)
        return item

    def refresh_table(self) -> None:
        plan = self.current_plan()
        db = self.db
        self.grid.clear()
        self.grid.setRowCount(0)
        self.check = None
        if db is None or plan is None:
            self.grid.setColumnCount(0)
            self.summary_label.setText("")
            return
        self.check = check = dt.check(db, plan)
        self.years = years = sorted(set(tg.years_of(check.rows)) | {s.year for s in check.stated})
        labels = list(FIXED_COLUMNS) + [f"{y}\n{what}" for y in years
                                        for what in ("Số hộ", "Hộ nghèo", "Tỷ lệ %")]
        self.grid.setColumnCount(len(labels))
        self.grid.setHorizontalHeaderLabels(labels)
        flags = {(f.row.unit_name, f.row.year): f for f in check.flags}
        rate_first = {(r.unit_name, r.year) for r in check.rate_first}
        by_unit: dict[str, dict[int, tg.TargetRow]] = {}
        for r in check.rows:
            by_unit.setdefault(r.unit_name, {})[r.year] = r
        row_count = len(by_unit) + 1 + (2 if check.stated else 0)
        self.grid.setRowCount(row_count)
        for n, (name, cells) in enumerate(by_unit.items()):
            first = next(iter(cells.values()))
            self.grid.setItem(n, 0, self._item(str(n + 1)))
            self.grid.setItem(n, 1, self._item(first.row_no or ""))
            self.grid.setItem(n, 2, self._item(
                name, left=True, tooltip=f"Mã đơn vị {first.unit_code}" if first.unit_code
                else "Tên giữ như văn bản (chưa khớp mã đơn vị)"))
            for i, year in enumerate(years):
                r = cells.get(year)
                col = 3 + 3 * i
                if r is None:
                    continue
                self.grid.setItem(n, col, self._item(_int(r.households)))
                self.grid.setItem(n, col + 1, self._item(_int(r.poor_households)))
                flag = flags.get((name, year))
                if flag is not None:
                    item = self._item(tg.format_rate_text(r), bold=True,
                                      background=FLAG_BACKGROUND, tooltip=flag.message)
                elif (name, year) in rate_first:
                    item = self._item(tg.format_rate_text(r), tooltip=(
                        f"Tỷ lệ đặt trước: số hộ nghèo {r.poor_households} tính từ "
                        f"{tg.format_rate_text(r)}% × {_int(r.households)} hộ (tỷ lệ tính lại "
                        f"{format_decimal(r.computed_rate, 2)}%), không phải lỗi."))
                else:
                    shown = r.shown_rate
                    item = self._item(tg.format_rate_text(r) if r.rate is not None
                                      else "" if shown is None else format_decimal(shown, 2))
                self.grid.setItem(n, col + 2, item)
        total_row = len(by_unit)
        self.grid.setItem(total_row, 2, self._item(trp.COMPUTED_TOTAL, left=True, bold=True,
                                                   background=TOTAL_BACKGROUND))
        for c in (0, 1):
            self.grid.setItem(total_row, c, self._item("", background=TOTAL_BACKGROUND))
        for i, year in enumerate(years):
            t = check.totals.get(year)
            values = ([_int(t.households), _int(t.poor_households),
                       "" if t.rate is None else format_decimal(t.rate, 2)] if t else [""] * 3)
            for k, text in enumerate(values):
                self.grid.setItem(total_row, 3 + 3 * i + k, self._item(
                    text, bold=True, background=TOTAL_BACKGROUND))
        if check.stated:
            self._stated_rows(check, total_row + 1)
        self.grid.resizeColumnsToContents()
        self.grid.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._summary(check)

    def _stated_rows(self, check: PlanCheck, row: int) -> None:
        stated = {s.year: s for s in check.stated}
        differs = {(x.year, x.field): x for x in check.differences}
        self.grid.setItem(row, 2, self._item(trp.STATED_TOTAL, left=True, italic=True))
        self.grid.setItem(row + 1, 2, self._item(trp.DIFFERENCE, left=True, italic=True))
        for i, year in enumerate(self.years):
            s = stated.get(year)
            if s is None:
                continue
            for k, field_ in enumerate(("households", "poor_households", "rate")):
                diff = differs.get((year, field_))
                text = tg.format_rate_text(s) if field_ == "rate" else _int(getattr(s, field_))
                tip = tg.difference_message(diff) if diff else None
                self.grid.setItem(row, 3 + 3 * i + k, self._item(
                    text, italic=True, bold=diff is not None,
                    color=ERROR_COLOR if diff else None, tooltip=tip))
                if diff is not None:
                    self.grid.setItem(row + 1, 3 + 3 * i + k, self._item(
                        tg.signed(diff.delta, 2 if field_ == "rate" else 0), bold=True,
                        color=ERROR_COLOR, tooltip=tip))

    def _summary(self, check: PlanCheck) -> None:
        parts = [f"{len(check.flags)} ô tỷ lệ in không khớp số hộ (tô đỏ, rê chuột để xem)",
                 f"{len(check.rate_first)} ô đặt tỷ lệ trước (không phải lỗi)"]
        if check.stated:
            parts.append(f"{len(check.differences)} số của dòng tổng theo văn bản khác tổng "
                         "cộng các dòng" if check.differences
                         else "dòng tổng theo văn bản khớp tổng cộng các dòng")
        bad = bool(check.flags or check.differences)
        self.summary_label.setStyleSheet(f"color: {ERROR_COLOR if bad else OK_COLOR};")
        self.summary_label.setText("; ".join(parts) + ".")

    # -- actions (the modal questions are methods, so tests can answer them) ---------------

    def show_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self.status_label.setText(text)
        self.message.emit(text)

    def ask_import_file(self) -> tuple[Path, str] | None:
        """Ask which CSV file to import and into which plan; None when cancelled."""
        name, _ = QFileDialog.getOpenFileName(self, "Chọn bảng chỉ tiêu", str(Path.home()),
                                              "Bảng chỉ tiêu (*.csv);;Tất cả các tệp (*)")
        if not name:
            return None
        from PySide6.QtWidgets import QInputDialog
        plan, ok = QInputDialog.getText(self, "Kế hoạch", "Số kế hoạch của bảng (ví dụ "
                                        "58/KH-UBND):", text=self.current_plan() or "")
        return (Path(name), plan) if ok and clean(plan) else None

    def ask_print_path(self) -> Path | None:
        """Ask where to print (.pdf or .xlsx); None when cancelled."""
        name, _ = QFileDialog.getSaveFileName(self, "Lưu bản in",
                                              str(Path.home() / "chi-tieu.pdf"),
                                              "PDF (*.pdf);;Excel (*.xlsx)")
        return Path(name) if name else None

    def import_file(self) -> None:
        answer = self.ask_import_file()
        if answer is None:
            return
        path, plan = answer

        def task(db: Database) -> dt.ImportReport:
            return dt.import_file(sites.writer(db), path, plan=plan)

        def done(report: dt.ImportReport) -> None:
            self.reload(select=report.plan)
            self.targets_changed.emit()
            text = (f"Đã nhập {report.file} vào kế hoạch {report.plan}: mới {report.new}, cập "
                    f"nhật {report.updated}, không đổi {report.unchanged}.")
            if report.unmatched:
                text += (f" {len(report.unmatched)} đơn vị giữ tên như văn bản (chưa khớp mã).")
            self.show_status(text)

        self.tasks.run(task, done, self._failed("Không nhập được, chưa ghi gì:\n"))

    def print_plan(self) -> None:
        plan = self.current_plan()
        if plan is None:
            return
        path = self.ask_print_path()
        if path is None:
            return
        self.tasks.run(lambda db: trp.print_plan(db, plan, path),
                       lambda written: self.show_status(f"Đã in vào {written}."),
                       self._failed("Không in được:\n"))

    def set_target(self) -> None:
        try:
            households = parse_int(self.households_edit.text(), field="Số hộ")
            poor_text = clean(self.poor_edit.text())
            poor = parse_int(poor_text, field="Hộ nghèo") if poor_text else None
            rate = clean(self.rate_edit.text()) or None
        except InputError as exc:
            self.show_status(str(exc), error=True)
            return
        unit = clean(self.unit_edit.text()) or ""
        year = self.year_spin.value()
        plan = self.current_plan() if self.current_plan() == dt.ASSIGNED_PLAN else None

        def task(db: Database) -> dict:
            return dt.set_target(sites.writer(db), unit, year, households=households,
                                 poor_households=poor, rate=rate, plan=plan)

        def done(row: dict) -> None:
            self.reload(select=row["plan"])
            self.targets_changed.emit()
            how = (f"tỷ lệ đặt trước {row['rate'].replace('.', ',')}%, số hộ nghèo tính ra "
                   f"{row['poor_households']}" if row["rate_first"]
                   else f"{row['poor_households']} hộ nghèo")
            self.show_status(f"Đã ghi chỉ tiêu năm {row['year']} của {row['unit_name']}: "
                             f"{format_int(row['households'])} hộ, {how}.")

        self.tasks.run(task, done, self._failed("Không ghi được chỉ tiêu:\n"))

    def _failed(self, prefix: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            if isinstance(exc, GnappError):
                self.show_status(prefix + str(exc), error=True)
            else:
                self.show_status("Lỗi của phần mềm; dữ liệu chưa thay đổi.", error=True)
                show_error(self, exc)
        return failed


def _int(value: int | None) -> str:
    return "" if value is None else format_int(value)
