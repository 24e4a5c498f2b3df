"""The home screen ("Tổng quan"): which unit this is, and the reports that are due.

It shows the unit's name and level, the unit's report periods not yet complete, soonest due
first (``gnapp.db.progress.due_list``: overdue ones in red), each a link that opens the
"Tiến độ" area on that period, and at an office how many of its communes have not yet
completed the period whose deadline passed last, with a link to the roll-up.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget
from sqlite_utils import Database

from gnapp.db import progress, sites, units
from gnapp.domain import progress as rules
from gnapp.domain.dates import format_date
from gnapp.ui.format import unit_line
from gnapp.ui.tasks import TaskManager
from gnapp.ui.widgets import page_layout

AREA_TITLE = "Tổng quan"
ERROR_COLOR = "#b00020"
LINK_COLOR = "#0b57d0"
NOTHING_DUE = "Không có kỳ báo cáo nào đang chờ hoàn thành."
MAX_DUE_ROWS = 12
ROLES = {"commune": "Máy của xã, phường", "office": "Máy của cơ quan cấp trên"}


def due_text(period: Mapping, today: date) -> str:
    """"hạn nộp 20/06/2026 – quá hạn 20 ngày" / "… – còn 5 ngày" / "chưa có hạn nộp"."""
    if not period["due_on"]:
        return "chưa có hạn nộp"
    due = date.fromisoformat(period["due_on"])
    days = (due - today).days
    text = f"hạn nộp {format_date(due)}"
    if days < 0:
        return f"{text} – quá hạn {-days} ngày"
    if days == 0:
        return f"{text} – hết hạn hôm nay"
    return f"{text} – còn {days} ngày"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


class HomePage(QWidget):
    """The "Tổng quan" area.

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager (kept for the areas issue 11 adds here)
    """

    # a period's id, from its link
    period_requested = Signal(str)
    # (kind, year) of the office's roll-up link
    rollup_requested = Signal(str, int)

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.today: Callable[[], date] = date.today
        self.due: list[dict] = []
        self.due_labels: list[QLabel] = []
        self.missing: tuple[str, int, int, int] | None = None
        self._setup()
        self.refresh()

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE, bottom=20)
        self.unit_label = QLabel()
        font = self.unit_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.unit_label.setFont(font)
        self.unit_label.setWordWrap(True)
        self.role_label = QLabel()
        self.role_label.setStyleSheet("color: #555;")
        layout.addSpacing(4)
        layout.addWidget(self.unit_label)
        layout.addWidget(self.role_label)
        layout.addSpacing(16)

        layout.addWidget(_heading("Kỳ báo cáo sắp đến hạn / quá hạn"))
        self.due_box = QVBoxLayout()
        self.due_box.setSpacing(6)
        self.due_box.setContentsMargins(12, 6, 0, 0)
        layout.addLayout(self.due_box)
        self.due_hint = QLabel("Bấm vào tên kỳ báo cáo để mở phần «Tiến độ»; kỳ báo cáo mới "
                               "mở ở phần «Tiến độ» (Thêm kỳ báo cáo…).")
        self.due_hint.setStyleSheet("color: #555;")
        self.due_hint.setWordWrap(True)
        layout.addSpacing(4)
        layout.addWidget(self.due_hint)

        self.office_frame = QFrame()
        office = QVBoxLayout(self.office_frame)
        office.setContentsMargins(0, 16, 0, 0)
        office.addWidget(_heading("Số liệu của các xã, phường"))
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setTextFormat(Qt.TextFormat.RichText)
        self.missing_label.setContentsMargins(12, 6, 0, 0)
        self.missing_label.linkActivated.connect(self._rollup_link)
        office.addWidget(self.missing_label)
        self.office_frame.hide()
        layout.addWidget(self.office_frame)
        layout.addStretch()

    # -- reading ---------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: periods may have changed in other areas."""
        super().showEvent(event)
        if self._db is not None and not event.spontaneous():
            self.refresh()

    def refresh(self) -> None:
        if self._db is None:
            return
        site = sites.local_site(self._db)
        if site is None:
            return
        unit = units.get_unit(self._db, site.unit_code) or {
            "code": site.unit_code, "name": site.display_name, "parent_code": None}
        parent = units.get_unit(self._db, unit["parent_code"]) if unit.get("parent_code") \
            else None
        self.unit_label.setText(f"<b>{html.escape(unit['name'])}</b>")
        self.role_label.setText(f"{unit_line(unit, parent)} · {ROLES.get(site.role, site.role)}")
        today = self.today()
        self.due = progress.due_list(self._db, today=today)
        self._show_due(today)
        if site.role == "office":
            self._show_missing(today)
            self.office_frame.show()
        else:
            self.office_frame.hide()

    def _show_due(self, today: date) -> None:
        for label in self.due_labels:
            self.due_box.removeWidget(label)
            label.hide()                   # deleted later; not drawn meanwhile
            label.deleteLater()
        self.due_labels = []
        if not self.due:
            label = QLabel(NOTHING_DUE)
            self.due_box.addWidget(label)
            self.due_labels.append(label)
            return
        for period in self.due[:MAX_DUE_ROWS]:
            color = ERROR_COLOR if period["overdue"] else LINK_COLOR
            state = f" – {period['status_label']}"
            if period["comment"]:
                state += f": «{html.escape(period['comment'])}»"
            label = QLabel(
                f'<a href="{period["id"]}" style="color:{color}">'
                f'{html.escape(period["label"])}</a>'
                f'<span style="color:{ERROR_COLOR if period["overdue"] else "#333"}">'
                f' – {html.escape(due_text(period, today))}{state}</span>')
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setToolTip("Mở kỳ báo cáo này ở phần «Tiến độ»")
            label.setProperty("period_id", period["id"])
            label.setProperty("overdue", period["overdue"])
            label.linkActivated.connect(self.period_requested.emit)
            self.due_box.addWidget(label)
            self.due_labels.append(label)
        if len(self.due) > MAX_DUE_ROWS:
            label = QLabel(f"… và {len(self.due) - MAX_DUE_ROWS} kỳ báo cáo khác.")
            self.due_box.addWidget(label)
            self.due_labels.append(label)

    def _show_missing(self, today: date) -> None:
        current = rules.last_due_period(progress.deadlines(self._db, "commune"), today)
        if current is None:
            self.missing = None
            self.missing_label.setText("Lịch báo cáo chưa có hạn nộp cho các xã.")
            return
        kind, year, due = current
        included, missing = progress.commune_states(self._db, kind, year)
        total = len(included) + len(missing)
        self.missing = (kind, year, len(missing), total)
        color = ERROR_COLOR if missing else "#1b6e20"
        label = html.escape(rules.period_label(kind, year))
        text = (f"Kỳ {label} (hạn nộp của xã {format_date(due)}): "
                f'<span style="color:{color}"><b>{len(missing)}/{total}</b> xã, phường '
                "chưa có số liệu</span>" if missing else
                f"Kỳ {label} (hạn nộp của xã {format_date(due)}): tất cả "
                f"{total} xã, phường đã có số liệu.")
        self.missing_label.setText(
            f'{text} – <a href="{kind}:{year}" style="color:{LINK_COLOR}">xem tổng hợp</a>')

    def _rollup_link(self, href: str) -> None:
        kind, year = href.split(":")
        self.rollup_requested.emit(kind, int(year))
