"""The home screen ("Tổng quan"): the commune, or the office's communes, at a glance.

A commune sees its current review round village by village (stage, households reviewed,
complete, with errors; poor and near-poor households and rates against the round before),
the figures of the whole commune, its report periods due (overdue in red), money allocated
and disbursed by budget line, packages not yet acknowledged and the last backup, then four
charts. An office sees one row per commune (packages, conflicts, round, last period due,
rates), the communes that need attention first, and the rates by commune.

Every figure is a link to the list behind it: a count of households opens "Hộ gia đình"
filtered on them, a village opens "Rà soát" on it, a period opens "Tiến độ", money opens
"Phân bổ vốn", packages "Đồng bộ", the backup "Sao lưu". The figures come from
``gnapp.db.dashboard`` (the reports' own functions) and ``gnapp.sync.console``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QFrame, QGridLayout, QLabel, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import backup, dashboard, progress, sites, units
from gnapp.domain import money
from gnapp.domain import progress as rules
from gnapp.domain.dates import format_date
from gnapp.domain.numbers import format_int, format_rate
from gnapp.domain.text import sort_key
from gnapp.sync import console, export
from gnapp.ui.charts import ChartView
from gnapp.ui.format import format_datetime, unit_line
from gnapp.ui.tasks import TaskManager
from gnapp.ui.widgets import ERROR_COLOR, list_table, page_title, set_tab_order

AREA_TITLE = "Tổng quan"
LINK_COLOR = "#0b57d0"
GOOD_COLOR = "#1b6e20"
NOTHING_DUE = "Không có kỳ báo cáo nào đang chờ hoàn thành."
MAX_DUE_ROWS = 12
BACKUP_OLD_DAYS = 7
ROLES = {"commune": "Máy của xã, phường", "office": "Máy của cơ quan cấp trên"}

# Areas a link can open (their titles in the navigation).
ALLOCATIONS, SYNC, BACKUP = "Phân bổ vốn", "Đồng bộ", "Sao lưu"


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


def share_text(count: int, share) -> str:
    """"292 (3,65 %)"; the count alone when there is no share."""
    return f"{format_int(count)} ({format_rate(share)})" if share is not None \
        else format_int(count)


def link(href: str, text: str, color: str = LINK_COLOR) -> str:
    return f'<a href="{html.escape(href)}" style="color:{color}">{html.escape(text)}</a>'


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def _rich(text: str = "", *, links: bool = True) -> QLabel:
    """A label of rich text; with ``links``, Tab reaches them and Enter follows them."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    if links:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    return label


class SortItem(QTableWidgetItem):
    """A cell sorted by a key of its own: numbers as numbers, names in Vietnamese order."""

    def __init__(self, text: str, key):
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, SortItem):
            return self.key < other.key
        return super().__lt__(other)


def _number_item(value: int | None, text: str | None = None) -> SortItem:
    item = SortItem(text if text is not None else ("" if value is None else format_int(value)),
                    (value is None, value or 0))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _name_item(text: str) -> SortItem:
    return SortItem(text, sort_key(text))


def _sortable(table: QTableWidget, column: int) -> None:
    """Sorted on ``column`` (ascending) until the user clicks another header."""
    table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)


def _sorted(table: QTableWidget) -> None:
    """Sort again after filling, as the user last chose."""
    header = table.horizontalHeader()
    table.setSortingEnabled(True)
    table.sortItems(header.sortIndicatorSection(), header.sortIndicatorOrder())


def _section(margins: tuple[int, int, int, int] = (0, 16, 0, 0)
             ) -> tuple[QFrame, QVBoxLayout]:
    """A part of the page that shows or hides as a whole, and its layout."""
    frame = QFrame()
    box = QVBoxLayout(frame)
    box.setContentsMargins(*margins)
    return frame, box


def _tile(label: QLabel) -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet("QFrame { background: #f6f8fb; border-radius: 4px; }")
    box = QVBoxLayout(frame)
    box.setContentsMargins(12, 8, 12, 8)
    box.addWidget(label)
    return frame


class HomePage(QWidget):
    """The "Tổng quan" area.

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager (its ``db_path`` locates the backups)
    """

    # a period's id, from its link
    period_requested = Signal(str)
    # (kind, year) of the office's roll-up link
    rollup_requested = Signal(str, int)
    # a filter of the household list: village_id, klass, review_state (any may be None)
    households_requested = Signal(dict)
    # a village of the current round ("" for the whole commune)
    review_requested = Signal(str)
    # the title of an area to open
    area_requested = Signal(str)

    VILLAGE_COLUMNS = ["Thôn", "Tiến độ", "Số hộ", "Chưa rà soát", "Phiếu nháp", "Có lỗi",
                       "Hộ nghèo", "Năm trước", "Hộ cận nghèo", "Năm trước"]
    (V_NAME, V_STAGE, V_HOUSEHOLDS, V_TODO, V_DRAFTS, V_ERRORS, V_POOR, V_POOR_BEFORE,
     V_NEAR, V_NEAR_BEFORE) = range(10)
    COMMUNE_COLUMNS = ["Xã, phường", "Gói đồng bộ", "Kỳ báo cáo", "Hộ nghèo", "Hộ cận nghèo",
                       "Chưa rà soát", "Phiếu nháp", "Giải ngân", "Gói cuối nhận", "Xung đột",
                       "Đợt rà soát"]
    (C_NAME, C_SYNC, C_PERIOD, C_POOR, C_NEAR, C_TODO, C_DRAFTS, C_MONEY, C_LAST, C_CONFLICTS,
     C_ROUND) = range(11)

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.today: Callable[[], date] = date.today
        self.due: list[dict] = []
        self.due_labels: list[QLabel] = []
        self.missing: tuple[str, int, int, int] | None = None
        self.overview: dashboard.Overview | None = None
        self.standings = console.Standings(())
        self.results: dict[str, dashboard.CommuneResult] = {}
        self._setup()           # the figures are read when the page is shown

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        self.scroll = scroll
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(page_title(AREA_TITLE))
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
        layout.addSpacing(12)

        self.commune_frame = self._commune_part()
        layout.addWidget(self.commune_frame)

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

        self.office_frame = self._office_part()
        layout.addWidget(self.office_frame)
        self.money_frame = self._money_part()
        layout.addWidget(self.money_frame)
        self.charts_frame = QFrame()
        grid = QGridLayout(self.charts_frame)
        grid.setContentsMargins(0, 16, 0, 0)
        grid.setSpacing(16)
        self.chart_views = {name: ChartView() for name in
                            ("villages", "history", "deprivations", "money", "communes")}
        for view in self.chart_views.values():
            view.setMinimumHeight(320)
        grid.addWidget(self.chart_views["villages"], 0, 0)
        grid.addWidget(self.chart_views["history"], 0, 1)
        grid.addWidget(self.chart_views["deprivations"], 1, 0)
        grid.addWidget(self.chart_views["money"], 1, 1)
        grid.addWidget(self.chart_views["communes"], 2, 0, 1, 2)
        layout.addWidget(_heading("Biểu đồ"))
        layout.addWidget(self.charts_frame)
        layout.addStretch()

    def _commune_part(self) -> QFrame:
        frame, box = _section((0, 0, 0, 12))
        self.round_heading = _heading("")
        box.addWidget(self.round_heading)
        self.pending_label = _rich(links=False)
        self.pending_label.setStyleSheet("color: #555;")
        box.addWidget(self.pending_label)
        tiles = QGridLayout()
        tiles.setSpacing(10)
        self.poor_label, self.near_label, self.todo_label, self.drafts_label, \
            self.errors_label, self.sync_label = (_rich() for _ in range(6))
        for n, label in enumerate((self.poor_label, self.near_label, self.todo_label,
                                   self.drafts_label, self.errors_label, self.sync_label)):
            label.linkActivated.connect(self.follow)
            tiles.addWidget(_tile(label), n // 3, n % 3)
        box.addLayout(tiles)
        self.problems_label = _rich(links=False)
        self.problems_label.setStyleSheet(f"color: {ERROR_COLOR};")
        box.addWidget(self.problems_label)
        self.village_table = list_table(self.VILLAGE_COLUMNS)
        _sortable(self.village_table, self.V_NAME)
        self.village_table.setToolTip("Nhấp đúp vào số hộ để xem danh sách các hộ đó; vào tên "
                                      "thôn để mở phần «Rà soát» của thôn")
        self.village_table.cellActivated.connect(self._village_cell)
        self.village_table.cellDoubleClicked.connect(self._village_cell)
        box.addWidget(self.village_table)
        return frame

    def _office_part(self) -> QFrame:
        frame, office = _section()
        office.addWidget(_heading("Số liệu của các xã, phường"))
        self.missing_label = _rich()
        self.missing_label.setContentsMargins(12, 6, 0, 0)
        self.missing_label.linkActivated.connect(self.follow)
        office.addWidget(self.missing_label)
        self.commune_table = list_table(self.COMMUNE_COLUMNS)
        _sortable(self.commune_table, self.C_SYNC)
        self.commune_table.setToolTip("Các xã cần chú ý (chậm gửi gói, thiếu gói, có xung đột, "
                                      "chưa có số liệu kỳ báo cáo) đứng đầu; bấm tiêu đề cột để "
                                      "sắp xếp. Nhấp đúp để mở phần «Đồng bộ».")
        self.commune_table.cellDoubleClicked.connect(
            lambda *_: self.area_requested.emit(SYNC))
        self.commune_table.cellActivated.connect(lambda *_: self.area_requested.emit(SYNC))
        office.addWidget(self.commune_table)
        self.rates_note = QLabel()
        self.rates_note.setStyleSheet("color: #555;")
        office.addWidget(self.rates_note)
        frame.hide()
        return frame

    def _money_part(self) -> QFrame:
        frame, box = _section()
        self.money_heading = _heading("")
        box.addWidget(self.money_heading)
        self.money_label = _rich()
        self.money_label.setContentsMargins(12, 6, 0, 0)
        self.money_label.linkActivated.connect(self.follow)
        box.addWidget(self.money_label)
        self.backup_label = _rich()
        self.backup_label.setContentsMargins(12, 6, 0, 0)
        self.backup_label.linkActivated.connect(self.follow)
        box.addWidget(self.backup_label)
        return frame

    # -- reading ---------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None and self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: figures may have changed in other areas."""
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
        office = site.role == "office"
        self.office_frame.setVisible(office)
        self.commune_frame.setVisible(not office)
        self.money_frame.setVisible(not office)
        for name, view in self.chart_views.items():
            view.setVisible((name == "communes") == office)
        if office:
            self.due = progress.due_list(self._db, today=today)
            self._show_office(unit, today)
        elif unit.get("level") == "commune":
            self._show_commune(today)           # its periods due come with its figures
            self.due = list(self.overview.due)
        else:
            self.due = progress.due_list(self._db, today=today)
        self._show_due(today)
        self._show_backup()
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Tab goes down the page: figures, villages, periods due, money, backup, charts (the
        periods' links are made afresh on each reading)."""
        chain = [self.poor_label, self.near_label, self.todo_label, self.drafts_label,
                 self.errors_label, self.sync_label, self.village_table, self.missing_label,
                 self.commune_table, *self.due_labels, self.money_label, self.backup_label,
                 *(view.save_button for view in self.chart_views.values())]
        set_tab_order(w for w in chain if w.focusPolicy() != Qt.FocusPolicy.NoFocus)

    # -- a commune -------------------------------------------------------------------------

    def _show_commune(self, today: date) -> None:
        overview = dashboard.commune_overview(self._db, today=today)
        self.overview = overview
        round_ = overview.round
        self.round_heading.setText(dashboard.round_label(round_) if round_
                                   else "Chưa mở đợt rà soát nào")
        self.pending_label.setText(html.escape(dashboard.pending_note(overview) or ""))
        self._show_tiles(overview)
        self._fill_villages(overview)
        self.problems_label.setText("<br>".join(html.escape(p) for p in overview.problems))
        self.problems_label.setVisible(bool(overview.problems))
        self._show_money(overview)
        views = self.chart_views
        views["villages"].set_chart(dashboard.village_rate_chart(overview))
        views["history"].set_chart(dashboard.rate_history_chart(
            self._db, today=today, overview=overview))
        views["deprivations"].set_chart(overview.deprivations)
        views["money"].set_chart(dashboard.money_chart(overview.money, overview.money_year,
                                                        today))

    def _show_tiles(self, o: dashboard.Overview) -> None:
        def figure(label: QLabel, href: str | None, count: int | None, caption: str,
                   line: str = "", color: str = LINK_COLOR) -> None:
            number = "—" if count is None else format_int(count)
            big = link(href, number, color) if href and count else html.escape(number)
            label.setText(f'<span style="font-size:20pt">{big}</span><br>'
                          f"{html.escape(caption)}"
                          + (f'<br><span style="color:#555">{line}</span>' if line else ""))

        before_year = o.previous["year"] if o.previous else None
        for label, klass, what, now, before in (
                (self.poor_label, "poor", "hộ nghèo",
                 o.now and (o.now.poor, o.now.poor_rate),
                 o.before and (o.before.poor, o.before.poor_rate)),
                (self.near_label, "near_poor", "hộ cận nghèo",
                 o.now and (o.now.near_poor, o.now.near_poor_rate),
                 o.before and (o.before.near_poor, o.before.near_poor_rate))):
            caption = what + (f" – tỷ lệ {format_rate(now[1])}" if now and now[1] is not None
                              else "")
            line = (f"Năm {before_year}: {share_text(*before)}" if before
                    else "Chưa có đợt rà soát trước để so sánh")
            figure(label, f"households:klass={klass}", now[0] if now else None, caption,
                   html.escape(line))
        figure(self.todo_label, "households:review_state=none", o.not_reviewed,
               "hộ chưa rà soát trong đợt này", f"trong tổng số {format_int(o.households)} hộ")
        figure(self.drafts_label, "households:review_state=draft", o.drafts,
               "phiếu chưa hoàn thành (phiếu nháp)",
               f"{format_int(o.complete)} phiếu đã hoàn thành")
        figure(self.errors_label, "review:", o.with_errors, "phiếu nháp còn lỗi",
               "cần sửa trước khi hoàn thành", ERROR_COLOR)
        waiting = export.unacknowledged(self._db)
        if waiting:
            oldest = waiting[0]
            line = (f"gói số {oldest.package_no} gửi lúc "
                    f"{format_datetime(oldest.recorded.astimezone())}")
        else:
            line = "mọi gói đã gửi đều được xác nhận"
        figure(self.sync_label, "area:" + SYNC, len(waiting),
               "gói đồng bộ chưa được cấp trên xác nhận", html.escape(line),
               ERROR_COLOR if waiting else LINK_COLOR)

    def _fill_villages(self, o: dashboard.Overview) -> None:
        table = self.village_table
        table.setSortingEnabled(False)
        table.setRowCount(0)
        for v in o.villages:
            row = table.rowCount()
            table.insertRow(row)
            name = _name_item(v.name)
            name.setData(Qt.ItemDataRole.UserRole, v.village_id)
            table.setItem(row, self.V_NAME, name)
            table.setItem(row, self.V_STAGE, _name_item(v.stage_label))
            table.setItem(row, self.V_HOUSEHOLDS, _number_item(v.households))
            table.setItem(row, self.V_TODO, _number_item(v.not_reviewed))
            table.setItem(row, self.V_DRAFTS, _number_item(v.drafts))
            errors = _number_item(v.with_errors)
            if v.with_errors:
                errors.setForeground(Qt.GlobalColor.red)
            table.setItem(row, self.V_ERRORS, errors)
            for column, rates, field_, share in (
                    (self.V_POOR, v.now, "poor", "poor_rate"),
                    (self.V_POOR_BEFORE, v.before, "poor", "poor_rate"),
                    (self.V_NEAR, v.now, "near_poor", "near_poor_rate"),
                    (self.V_NEAR_BEFORE, v.before, "near_poor", "near_poor_rate")):
                count = getattr(rates, field_) if rates else None
                text = share_text(count, getattr(rates, share)) if rates else ""
                table.setItem(row, column, _number_item(count, text))
        for column in (self.V_POOR_BEFORE, self.V_NEAR_BEFORE):
            table.setColumnHidden(column, o.previous is None)
        _sorted(table)
        table.setMinimumHeight(table.horizontalHeader().height() + 8
                               + table.verticalHeader().defaultSectionSize()
                               * max(table.rowCount(), 1))

    def _village_cell(self, row: int, column: int) -> None:
        village_id = self.village_table.item(row, self.V_NAME).data(Qt.ItemDataRole.UserRole)
        wanted = {self.V_HOUSEHOLDS: {}, self.V_TODO: {"review_state": "none"},
                  self.V_DRAFTS: {"review_state": "draft"}, self.V_POOR: {"klass": "poor"},
                  self.V_NEAR: {"klass": "near_poor"}}
        if column in wanted:
            self.households_requested.emit({"village_id": village_id, **wanted[column]})
        else:
            self.review_requested.emit(village_id)

    def _show_money(self, o: dashboard.Overview) -> None:
        self.money_heading.setText(f"Vốn năm {o.money_year} theo nguồn")
        if not o.money:
            self.money_label.setText(f"Chưa có vốn giao năm {o.money_year}.")
            return
        allocated = sum(line.allocated for line in o.money)
        disbursed = sum(line.disbursed for line in o.money)
        share = dashboard.disbursed_share(allocated, disbursed)

        def millions(dong: int) -> str:
            return money.show(dong, dashboard.MONEY_UNIT)

        rows = "".join(
            f"<tr><td>{html.escape(line.name)}</td>"
            f'<td align="right">{millions(line.allocated)}</td>'
            f'<td align="right">{millions(line.disbursed)}</td>'
            f'<td align="right">{format_rate(line.share) if line.share is not None else ""}'
            "</td></tr>" for line in o.money)
        self.money_label.setText(
            f"Đã giải ngân {link('area:' + ALLOCATIONS, format_rate(share))} vốn được giao "
            f"({millions(disbursed)} / {millions(allocated)} "
            "triệu đồng, đến hôm nay)."
            '<table cellspacing="0" cellpadding="3" style="margin-top:6px">'
            "<tr><th align=left>Nguồn vốn</th><th>Được giao (triệu đồng)</th>"
            "<th>Đã giải ngân</th><th>Tỷ lệ</th></tr>" + rows + "</table>")

    def _show_backup(self) -> None:
        path = getattr(self.tasks, "db_path", None)
        last = backup.last_backup(path) if path else None
        if last is None:
            text = (f'<span style="color:{ERROR_COLOR}">Chưa có bản sao lưu nào.</span> '
                    + link("area:" + BACKUP, "Sao lưu ngay"))
        else:
            age = (datetime.now(last.taken_at.tzinfo) - last.taken_at).days
            color = ERROR_COLOR if age > BACKUP_OLD_DAYS else "#333"
            text = (f'<span style="color:{color}">Sao lưu lần cuối: '
                    f"{format_datetime(last.taken_at)}"
                    + (f" ({age} ngày trước)" if age else "") + "</span> – "
                    + link("area:" + BACKUP, "xem các bản sao lưu"))
        self.backup_label.setText(text)

    # -- an office -------------------------------------------------------------------------

    def _show_office(self, unit: dict, today: date) -> None:
        self.standings = console.standings(self._db, today=today)
        self._show_missing()
        self.results = {}
        self._fill_communes()
        self.rates_note.setText("Đang tính tỷ lệ hộ nghèo của các xã…")
        self.tasks.run(lambda db: dashboard.office_results(db, today=today),
                       lambda found: self._show_results(found, unit))

    def _show_results(self, found: list[dashboard.CommuneResult], unit: dict) -> None:
        self.results = {r.commune["code"]: r for r in found}
        self._fill_communes()
        self.rates_note.setText("Tỷ lệ hộ nghèo, hộ cận nghèo: theo đợt rà soát hiện tại của "
                                "từng xã (như Báo cáo 1).")
        self.chart_views["communes"].set_chart(dashboard.commune_rate_chart(found, unit))

    def _fill_communes(self) -> None:
        table = self.commune_table
        table.setSortingEnabled(False)
        table.setRowCount(0)
        for n, s in enumerate(self.standings):
            table.insertRow(n)
            row = s.sync
            name = _name_item(row.unit_name)
            name.setData(Qt.ItemDataRole.UserRole, row.unit_code)
            state = SortItem(row.state_label, (not s.needs_attention, n))
            last = row.last_received_at
            result = self.results.get(row.unit_code)
            cells = {
                self.C_NAME: name, self.C_SYNC: state,
                self.C_LAST: SortItem(
                    (format_date(last.astimezone().date())
                     + (f" ({row.days_since} ngày)" if row.days_since else ""))
                    if last else "chưa nhận",
                    (last is None, -(last.timestamp() if last else 0))),
                self.C_CONFLICTS: _number_item(row.open_conflicts),
                self.C_ROUND: _name_item(row.round_state),
                self.C_POOR: _number_item(
                    result.rates.poor if result and result.rates else None,
                    share_text(result.rates.poor, result.rates.poor_rate)
                    if result and result.rates else ""),
                self.C_NEAR: _number_item(
                    result.rates.near_poor if result and result.rates else None,
                    share_text(result.rates.near_poor, result.rates.near_poor_rate)
                    if result and result.rates else ""),
                self.C_TODO: _number_item(result.not_reviewed if result else None),
                self.C_DRAFTS: _number_item(result.drafts if result else None),
                self.C_MONEY: _number_item(
                    result.disbursed if result else None,
                    format_rate(result.disbursed_share)
                    if result and result.disbursed_share is not None else ""),
                self.C_PERIOD: _name_item(s.period_state or ""),
            }
            for column, item in cells.items():
                table.setItem(n, column, item)
            if s.needs_attention:
                for column in (self.C_NAME, self.C_SYNC):
                    table.item(n, column).setForeground(Qt.GlobalColor.red)
            if s.period_missing:
                table.item(n, self.C_PERIOD).setForeground(Qt.GlobalColor.red)
        _sorted(table)
        table.setMinimumHeight(table.horizontalHeader().height() + 8
                               + table.verticalHeader().defaultSectionSize()
                               * min(max(table.rowCount(), 1), 15))

    def _show_missing(self) -> None:
        if self.standings.period is None:
            self.missing = None
            self.missing_label.setText("Lịch báo cáo chưa có hạn nộp cho các xã.")
            return
        kind, year, due = self.standings.period
        missing = self.standings.missing
        total = self.standings.complete + missing
        self.missing = (kind, year, missing, total)
        color = ERROR_COLOR if missing else GOOD_COLOR
        label = html.escape(rules.period_label(kind, year))
        text = (f"Kỳ {label} (hạn nộp của xã {format_date(due)}): "
                f'<span style="color:{color}"><b>{missing}/{total}</b> xã, phường '
                "chưa có số liệu</span>" if missing else
                f"Kỳ {label} (hạn nộp của xã {format_date(due)}): tất cả "
                f"{total} xã, phường đã có số liệu.")
        self.missing_label.setText(
            f'{text} – <a href="rollup:{kind}:{year}" style="color:{LINK_COLOR}">'
            "xem tổng hợp</a>")

    # -- links -----------------------------------------------------------------------------

    def follow(self, href: str) -> None:
        """Open what a link names: "households:klass=poor", "review:<village id>",
        "area:<title>", "rollup:<kind>:<year>" or a period's id."""
        what, _, rest = href.partition(":")
        if what == "households":
            self.households_requested.emit(dict(
                part.split("=", 1) for part in rest.split("&") if part))
        elif what == "review":
            self.review_requested.emit(rest)
        elif what == "area":
            self.area_requested.emit(rest)
        elif what == "rollup":
            kind, year = rest.split(":")
            self.rollup_requested.emit(kind, int(year))
        else:
            self.period_requested.emit(href)

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
            label = _rich(
                f'<a href="{period["id"]}" style="color:{color}">'
                f'{html.escape(period["label"])}</a>'
                f'<span style="color:{ERROR_COLOR if period["overdue"] else "#333"}">'
                f' – {html.escape(due_text(period, today))}{state}</span>')
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

