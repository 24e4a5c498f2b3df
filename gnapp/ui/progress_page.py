"""The "Tiến độ" area: report periods and their figures (issue 7).

Tabs:

- "Kỳ báo cáo": the unit's report periods (label, dates, due date, state; overdue ones in
  red with "Quá hạn"; a period the office returned shows its comment above the grid) and
  "Thêm kỳ báo cáo…". Under it, the figures of the chosen period in a grid grouped by the
  framework's groups: Chỉ tiêu, Đơn vị tính, Kế hoạch, Ước thực hiện (9-month periods),
  Thực hiện, Theo văn bản, Ghi chú. Figures the register, the ledger or the projects give
  (and rates of counts) are read-only, on a tinted background, with a tooltip saying where
  they come from; typed cells are edited in place in Vietnamese notation and each edit is
  saved with ``gnapp.db.progress.set_figure`` in the worker (a refused figure leaves the
  cell as it was and the backend's message is shown). The checks of the period
  (``check_period``) are listed under the grid; clicking one selects its indicator.
  "Hoàn thành kỳ báo cáo" (only without errors), "Mở lại…" (with a reason), "In biểu kết
  quả…" (PDF or XLSX of ``period_report``).
- "Tổng hợp" (an office): the communes' figures of a period added up
  (``gnapp.db.progress.rollup``), the communes missing first, approval or return of the
  chosen commune's period (``gnapp.sync.approvals.decide_period``), "In tổng hợp…".
- "Hạn nộp của cấp dưới" (an office): when the communes' reports are due, per kind.
- "Chỉ tiêu giảm nghèo": ``gnapp.ui.targets_view.TargetsView``.

Questions (a reason, a comment, a file name) go through ``ask_text`` and ``ask_save_path``
so that tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt,
                            Signal)
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QTabWidget, QTableView,
                               QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import progress, sites
from gnapp.db.store import NotFound
from gnapp.domain import progress as rules
from gnapp.domain.dates import format_date
from gnapp.domain.issues import ERROR, Issue, error
from gnapp.domain.numbers import format_decimal, format_number
from gnapp.domain.text import clean
from gnapp.ui.review_page import TaskDialog, describe_failure
from gnapp.ui.targets_view import TargetsView
from gnapp.ui.tasks import TaskManager, report_failure, show_error
from gnapp.ui.widgets import (ERROR_COLOR, ask_text, code_combo, list_table, message_label,
                              page_layout, set_tab_order, show_message, split_panes, year_spin)

AREA_TITLE = "Tiến độ"
WARNING_COLOR = "#8a5300"
OK_COLOR = "#1b6e20"
COMPUTED_BACKGROUND = "#e6eef8"
GROUP_BACKGROUND = "#ececec"
RETURNED_STYLE = (f"color: {ERROR_COLOR}; background: #fdecea; border: 1px solid #f1b0b7; "
                  "padding: 6px; font-weight: bold;")
DATE_PLACEHOLDER = "dd/mm/yyyy"
ALL_GROUPS = "Tất cả các nhóm chỉ tiêu"
NO_PERIODS = "Chưa có kỳ báo cáo nào. Bấm «Thêm kỳ báo cáo…» để mở kỳ đầu tiên."
ID_ROLE = Qt.ItemDataRole.UserRole
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE = "Quá hạn"

# Where a computed figure comes from, as its tooltip says.
COMPUTED_FROM = {"allocated": "Tính từ sổ vốn (vốn được phân bổ)",
                 "disbursed": "Tính từ sổ vốn (các khoản đã giải ngân)",
                 "projects": "Tính từ dự án, mô hình của xã",
                 "participants": "Tính từ dự án (hộ tham gia)"}
FROM_REVIEW = "Tính từ kết quả rà soát (sổ hộ)"
FROM_COUNTS = "Tỷ lệ tính từ số đếm"


def computed_source(indicator: rules.Indicator) -> str | None:
    """Where the data give a read-only figure ("Tính từ kết quả rà soát …"), or None."""
    if indicator.rate_of:
        return f"{FROM_COUNTS}, làm tròn 2 chữ số thập phân"
    if indicator.computed:
        return COMPUTED_FROM.get(indicator.computed.split(":", 1)[0], FROM_REVIEW) \
            if ":" in indicator.computed else FROM_REVIEW
    return None


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso[:10])) if iso else ""


def _write(fn: Callable[..., Any]) -> Callable[[Database], Any]:
    """A task running ``fn(writer)`` in one transaction on the worker's connection."""
    return lambda db: sites.writer(db).transact(fn).result


def bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


# -- the figures grid --------------------------------------------------------------------------

class FiguresModel(QAbstractTableModel):
    """A period's figures, one row per indicator under a header row per group.

    Rows are made from the figures when they are set or filtered; cell texts are formatted
    when the view asks for them. Editing a typed cell does not change the model: it emits
    ``edit_requested(code, column, text)``, and the page saves the figure and sets the
    figures again (a refused figure therefore leaves the cell as it was).
    """

    LABELS = {"name": "Chỉ tiêu", "unit": "Đơn vị tính", "target": "Kế hoạch",
              "estimate": "Ước thực hiện", "actual": "Thực hiện", "stated": "Theo văn bản",
              "note": "Ghi chú"}
    NUMBERS = ("target", "estimate", "actual", "stated")

    # (indicator code, column key, text typed)
    edit_requested = Signal(str, str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame: rules.Framework | None = None
        self.figures: dict[str, rules.Figure] = {}
        self.columns: list[str] = []
        self.rows: list[tuple[str, Any]] = []
        self.editable = False
        self.group_filter: str | None = None
        self.only_with_figures = False
        self.marked: dict[str, str] = {}           # code → severity of its worst issue
        self._set_columns(False)

    def _set_columns(self, with_estimate: bool) -> None:
        self.columns = ["name", "unit", "target"] + (["estimate"] if with_estimate else []) + \
            ["actual", "stated", "note"]

    # -- filling ---------------------------------------------------------------------------

    def set_figures(self, frame: rules.Framework | None, figures: Mapping[str, rules.Figure],
                    *, with_estimate: bool, editable: bool) -> None:
        self.beginResetModel()
        self.frame, self.figures, self.editable = frame, dict(figures), editable
        self._set_columns(with_estimate)
        self._make_rows()
        self.endResetModel()

    def set_filter(self, group: str | None, only_with_figures: bool) -> None:
        self.beginResetModel()
        self.group_filter, self.only_with_figures = group, only_with_figures
        self._make_rows()
        self.endResetModel()

    def set_marks(self, found: Sequence[Issue]) -> None:
        """Show the indicators with issues (name in red for an error, amber for a warning)."""
        marked: dict[str, str] = {}
        for issue in found:
            if issue.field in self.figures and marked.get(issue.field) != ERROR:
                marked[issue.field] = issue.severity
        self.marked = marked
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    @staticmethod
    def has_figures(figure: rules.Figure) -> bool:
        """Something typed, or a figure from the data other than none or zero."""
        ind = figure.indicator
        typed = [figure.stated] + ([figure.target, figure.estimate] if ind.rate_of is None
                                   else []) + ([figure.actual] if ind.typed_actual else [])
        return any(v is not None for v in typed) or bool(figure.value) or bool(figure.note)

    def _make_rows(self) -> None:
        rows: list[tuple[str, Any]] = []
        if self.frame is not None:
            for group in self.frame.groups:
                if self.group_filter and group.code != self.group_filter:
                    continue
                members = [code for code, f in self.figures.items()
                           if f.indicator.group == group.code
                           and (not self.only_with_figures or self.has_figures(f))]
                if members:
                    rows.append(("group", group))
                    rows += [("figure", code) for code in members]
        self.rows = rows

    # -- reading ---------------------------------------------------------------------------

    def row_of(self, code: str) -> int | None:
        return next((n for n, (kind, key) in enumerate(self.rows)
                     if kind == "figure" and key == code), None)

    def code_at(self, row: int) -> str | None:
        if 0 <= row < len(self.rows) and self.rows[row][0] == "figure":
            return self.rows[row][1]
        return None

    def is_group_row(self, row: int) -> bool:
        return 0 <= row < len(self.rows) and self.rows[row][0] == "group"

    def column_of(self, key: str) -> int:
        return self.columns.index(key)

    def cell_editable(self, figure: rules.Figure, key: str) -> bool:
        """Whether a cell is typed (not given by the data) and the period can be edited."""
        return self.editable and key not in ("name", "unit") and \
            self.typed_cell(figure, key)

    def _value(self, figure: rules.Figure, key: str) -> Decimal | None:
        return figure.value if key == "actual" else getattr(figure, key)

    def _text(self, figure: rules.Figure, key: str) -> str:
        ind = figure.indicator
        if key == "name":
            return ind.name
        if key == "unit":
            return self.frame.unit_label(ind) if self.frame else ind.unit
        if key == "note":
            return figure.note or ""
        value = self._value(figure, key)
        if value is None:
            return ""
        return format_decimal(value, 2) if ind.rate_of else format_number(value)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.LABELS[self.columns[section]]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Overrides QAbstractItemModel.flags: group rows are only shown; computed cells
        are read-only."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        kind, key = self.rows[index.row()]
        if kind == "group":
            return Qt.ItemFlag.ItemIsEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.cell_editable(self.figures[key], self.columns[index.column()]):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.data."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        kind, key = self.rows[index.row()]
        column = self.columns[index.column()]
        if kind == "group":
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return key.name
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(GROUP_BACKGROUND))
            if role == CODE_ROLE:
                return key.code
            return None
        figure = self.figures[key]
        ind = figure.indicator
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(figure, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._text(figure, column)
        if role == CODE_ROLE:
            return key
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        given = column in self.NUMBERS and not self.typed_cell(figure, column)
        if role == Qt.ItemDataRole.BackgroundRole and given:
            return QBrush(QColor(COMPUTED_BACKGROUND))
        if role == Qt.ItemDataRole.ForegroundRole and column == "name" and key in self.marked:
            return QBrush(QColor(ERROR_COLOR if self.marked[key] == ERROR else WARNING_COLOR))
        if role == Qt.ItemDataRole.ToolTipRole:
            if given:
                return computed_source(ind)
            if column == "name":
                parts = [ind.name]
                if ind.part_of and self.frame and self.frame.get(ind.part_of):
                    parts.append(f"Là một phần của «{self.frame.get(ind.part_of).name}»")
                if ind.basis:
                    parts.append(f"Căn cứ: {ind.basis}")
                return "\n".join(parts)
        return None

    @staticmethod
    def typed_cell(figure: rules.Figure, key: str) -> bool:
        """Whether the cell is a typed one at all (whatever the period's state): the data
        give the actual figure of a computed indicator and every figure of a rate."""
        ind = figure.indicator
        if key in ("target", "estimate"):
            return ind.rate_of is None
        if key == "actual":
            return ind.typed_actual
        return True

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Overrides QAbstractItemModel.setData: asks the page to save the figure."""
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index)
                                                    & Qt.ItemFlag.ItemIsEditable):
            return False
        code = self.rows[index.row()][1]
        column = self.columns[index.column()]
        text = "" if value is None else str(value).strip()
        if text == self._text(self.figures[code], column):
            return False
        self.edit_requested.emit(code, column, text)
        return False


class FiguresView(QTableView):
    """The grid of a period's figures: group rows span the width."""

    def __init__(self, model: FiguresModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)
        model.modelReset.connect(self._after_reset)

    def _after_reset(self) -> None:
        model: FiguresModel = self.model()
        self.clearSpans()
        for row in range(model.rowCount()):
            if model.is_group_row(row):
                self.setSpan(row, 0, 1, model.columnCount())
        widths = {"unit": 85, "target": 115, "estimate": 115, "actual": 115, "stated": 115,
                  "note": 150}
        header = self.horizontalHeader()
        for column, key in enumerate(model.columns):
            if key == "name":                     # the names take the width left
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                self.setColumnWidth(column, widths[key])

    def select_code(self, code: str) -> bool:
        model: FiguresModel = self.model()
        row = model.row_of(code)
        if row is None:
            return False
        column = model.column_of("actual")
        self.setCurrentIndex(model.index(row, column))
        self.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def selected_code(self) -> str | None:
        index = self.currentIndex()
        return self.model().code_at(index.row()) if index.isValid() else None


def group_filter_box() -> tuple[QComboBox, QCheckBox]:
    """The filters of a figures grid: one group, and only the indicators with figures."""
    combo = QComboBox()
    combo.addItem(ALL_GROUPS, None)
    combo.setMinimumContentsLength(30)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    only = QCheckBox("Chỉ chỉ tiêu có số liệu")
    return combo, only


def fill_groups(combo: QComboBox, frame: rules.Framework | None) -> None:
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(ALL_GROUPS, None)
    for group in frame.groups if frame else ():
        combo.addItem(group.name if group.kind != "line" else f"{group.code} – {group.name}",
                      group.code)
    index = combo.findData(chosen)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


# -- the new period dialog ----------------------------------------------------------------------

class PeriodDialog(TaskDialog):
    """"Thêm kỳ báo cáo": kind, year, the subject of an ad hoc report, the dates (the
    period's span and the due date of the calendar, both editable)."""

    OK_TEXT = "Thêm kỳ"

    def __init__(self, tasks: TaskManager, *, today: date,
                 due_rules: Mapping[str, rules.Deadline], parent: QWidget | None = None):
        self.today = today
        self.due_rules = dict(due_rules)
        super().__init__(tasks, "Thêm kỳ báo cáo", parent)
        self.kind_combo.setFocus()

    def _fields(self) -> None:
        self.kind_combo = code_combo(rules.PERIOD_KINDS)
        self.year_spin = year_spin(2016, self.today.year)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Nội dung của báo cáo đột xuất")
        self.starts_edit = QLineEdit()
        self.ends_edit = QLineEdit()
        self.due_edit = QLineEdit()
        for edit in (self.starts_edit, self.ends_edit, self.due_edit):
            edit.setPlaceholderText(DATE_PLACEHOLDER)
            edit.setMaximumWidth(160)
        self.add_row("kind", "&Loại kỳ báo cáo:", self.kind_combo)
        self.add_row("year", "&Năm:", self.year_spin)
        self.add_row("title", "Nội d&ung:", self.title_edit)
        self.add_row("starts_on", "Từ ngà&y:", self.starts_edit)
        self.add_row("ends_on", "Đến n&gày:", self.ends_edit)
        self.add_row("due_on", "&Hạn nộp:", self.due_edit)
        self.kind_combo.currentIndexChanged.connect(self._fill_dates)
        self.year_spin.valueChanged.connect(self._fill_dates)
        self._fill_dates()

    def _fill_dates(self) -> None:
        """The period's span and due date for the chosen kind and year."""
        kind, year = self.kind_combo.currentData(), self.year_spin.value()
        starts, ends = rules.period_span(kind, year)
        self.starts_edit.setText(format_date(starts))
        self.ends_edit.setText(format_date(ends))
        rule = self.due_rules.get(kind)
        self.due_edit.setText(format_date(rule.due(year)) if rule else "")
        self.title_edit.setEnabled(kind not in (rules.HALF_YEAR, rules.NINE_MONTHS, rules.YEAR))
        hint = f"Hạn nộp theo lịch báo cáo: {rule.basis}." if rule and rule.basis else \
            "Lịch báo cáo không có hạn nộp cho loại kỳ này; ghi hạn nộp nếu có."
        if kind == rules.AD_HOC:
            hint = "Báo cáo đột xuất cần ghi nội dung. " + hint
        self.set_hint(hint)

    def make_task(self) -> Callable[[Database], Any] | None:
        problems: list[Issue] = []
        kind, year = self.kind_combo.currentData(), self.year_spin.value()
        starts = self.read_date("starts_on", self.starts_edit, problems)
        ends = self.read_date("ends_on", self.ends_edit, problems)
        due = None
        if clean(self.due_edit.text()):
            due = self.read_date("due_on", self.due_edit, problems)
        title = clean(self.title_edit.text()) if self.title_edit.isEnabled() else None
        if kind == rules.AD_HOC and not title:
            problems.append(error("title.missing", "Báo cáo đột xuất cần ghi nội dung.",
                                  "title"))
        self.errors.show(problems)
        if problems:
            return None
        return _write(lambda w: progress.create_period(w, kind, year, title=title,
                                                       starts_on=starts, ends_on=ends,
                                                       due_on=due))


# -- the page ----------------------------------------------------------------------------------

class ProgressPage(QWidget):
    """The "Tiến độ" area (see the module doc).

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager whose worker writes
    """

    message = Signal(str)
    # after a write that changes what the home screen shows
    data_changed = Signal()

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.today: Callable[[], date] = date.today
        self.periods: list[dict] = []
        self.period: dict | None = None
        self.issues: list[Issue] = []
        self.found: progress.Rollup | None = None
        self.dialog: PeriodDialog | None = None
        self._setup()         # the data are read when the page is shown (showEvent)

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.periods_tab = self._periods_tab()
        self.tabs.addTab(self.periods_tab, "Kỳ báo cáo")
        self.rollup_tab = self._rollup_tab()
        self.deadlines_tab = self._deadlines_tab()
        self._office_tabs_shown = False
        self.targets_view = TargetsView(lambda: self._db, self.tasks)
        self.targets_view.message.connect(self.message.emit)
        self.tabs.addTab(self.targets_view, "Chỉ tiêu giảm nghèo")

    def _periods_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)

        self.period_table = list_table(["Kỳ báo cáo", "Từ ngày", "Đến ngày", "Hạn nộp",
                                        "Trạng thái"], stretch=4)
        rows = self.period_table.verticalHeader().defaultSectionSize()
        self.period_table.setMinimumHeight(int(rows * 4.6))     # the header and 3 periods
        self.add_button = QPushButton("Thêm kỳ báo cáo…")
        self.add_button.setToolTip("Mở một kỳ báo cáo mới của đơn vị")
        self.periods_hint = QLabel()
        self.periods_hint.setWordWrap(True)
        top_buttons = QHBoxLayout()
        top_buttons.addWidget(self.add_button)
        top_buttons.addWidget(self.periods_hint, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.period_table, 1)
        top_layout.addLayout(top_buttons)

        self.period_header = bold(QLabel())
        self.period_header.setWordWrap(True)
        self.returned_label = QLabel()
        self.returned_label.setWordWrap(True)
        self.returned_label.setStyleSheet(RETURNED_STYLE)
        self.returned_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.returned_label.hide()
        self.group_combo, self.only_check = group_filter_box()
        group_label = QLabel("&Nhóm:")
        group_label.setBuddy(self.group_combo)
        filters = QHBoxLayout()
        filters.addWidget(group_label)
        filters.addWidget(self.group_combo)
        filters.addWidget(self.only_check)
        filters.addStretch()
        self.legend = QLabel(f'<span style="background:{COMPUTED_BACKGROUND}">&nbsp;Ô nền '
                             'xanh&nbsp;</span>: số tính từ dữ liệu, không nhập tay. Nhấn đúp '
                             'hoặc gõ vào ô để nhập số (1.234; 12,5).')
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #444;")

        self.model = FiguresModel(self)
        self.grid = FiguresView(self.model)
        self.edit_message = message_label()

        self.issue_title = bold(QLabel("Kiểm tra số liệu"))
        self.issue_list = QListWidget()
        self.issue_list.setWordWrap(True)
        self.check_button = QPushButton("Kiểm tra")
        self.complete_button = QPushButton("Hoàn thành kỳ báo cáo")
        self.complete_button.setToolTip("Chỉ hoàn thành được khi không còn lỗi; số liệu tính "
                                        "từ dữ liệu được chốt theo kỳ")
        self.reopen_button = QPushButton("Mở lại…")
        self.reopen_button.setToolTip("Mở lại kỳ đã hoàn thành để sửa (ghi lý do)")
        self.print_button = QPushButton("In biểu kết quả…")
        self.print_button.setToolTip("Lưu biểu kết quả thực hiện của kỳ ra PDF hoặc Excel")
        self.period_message = message_label()
        buttons = QHBoxLayout()
        for button in (self.check_button, self.complete_button, self.reopen_button,
                       self.print_button):
            buttons.addWidget(button)
        buttons.addStretch()

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.period_header)
        bottom_layout.addWidget(self.returned_label)
        bottom_layout.addLayout(filters)
        bottom_layout.addWidget(self.legend)
        bottom_layout.addWidget(self.grid, 4)
        bottom_layout.addWidget(self.edit_message)
        bottom_layout.addWidget(self.issue_title)
        bottom_layout.addWidget(self.issue_list, 1)
        bottom_layout.addLayout(buttons)
        bottom_layout.addWidget(self.period_message)

        self.splitter = split_panes((top, 1), (bottom, 4), vertical=True, sizes=[150, 600])
        layout.addWidget(self.splitter, 1)

        self.period_table.itemSelectionChanged.connect(self._period_chosen)
        self.add_button.clicked.connect(self.open_period_dialog)
        self.group_combo.currentIndexChanged.connect(self._filter_changed)
        self.only_check.toggled.connect(self._filter_changed)
        self.model.edit_requested.connect(self.save_figure)
        self.issue_list.itemClicked.connect(self._issue_clicked)
        self.issue_list.itemActivated.connect(self._issue_clicked)
        self.check_button.clicked.connect(self.check)
        self.complete_button.clicked.connect(self.complete)
        self.reopen_button.clicked.connect(self.reopen)
        self.print_button.clicked.connect(self.print_period)
        set_tab_order([self.period_table, self.add_button, self.group_combo, self.only_check,
                       self.grid, self.issue_list, self.check_button, self.complete_button,
                       self.reopen_button, self.print_button])
        self._update_buttons()
        return tab

    def _rollup_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)
        self.rollup_kind = code_combo({key: label for key, label in rules.PERIOD_KINDS.items()
                                       if key != rules.AD_HOC})
        self.rollup_year = year_spin(2016, self.today().year)
        self.rollup_button = QPushButton("Tổng hợp")
        self.rollup_print_button = QPushButton("In tổng hợp…")
        kind_label = QLabel("&Loại kỳ:")
        kind_label.setBuddy(self.rollup_kind)
        year_label = QLabel("Nă&m:")
        year_label.setBuddy(self.rollup_year)
        top = QHBoxLayout()
        for widget in (kind_label, self.rollup_kind, year_label, self.rollup_year,
                       self.rollup_button, self.rollup_print_button):
            top.addWidget(widget)
        top.addStretch()
        layout.addLayout(top)
        self.rollup_summary = QLabel()
        self.rollup_summary.setWordWrap(True)
        layout.addWidget(self.rollup_summary)

        self.commune_table = list_table(["Xã, phường", "Mã", "Tình trạng số liệu"], stretch=2)
        self.commune_table.setMinimumHeight(
            int(self.commune_table.verticalHeader().defaultSectionSize() * 4.6))
        self.approve_button = QPushButton("Phê duyệt")
        self.return_button = QPushButton("Trả lại…")
        self.approve_button.setToolTip("Phê duyệt kỳ báo cáo của xã đang chọn (khóa số liệu)")
        self.return_button.setToolTip("Trả lại kỳ báo cáo của xã đang chọn, kèm ý kiến")
        self.decision_message = message_label()
        decide = QHBoxLayout()
        decide.addWidget(self.approve_button)
        decide.addWidget(self.return_button)
        decide.addStretch()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(bold(QLabel("Các xã, phường")))
        left_layout.addWidget(self.commune_table, 1)
        left_layout.addLayout(decide)
        left_layout.addWidget(self.decision_message)

        self.rollup_model = FiguresModel(self)
        self.rollup_grid = FiguresView(self.rollup_model)
        self.rollup_group, self.rollup_only = group_filter_box()
        self.rollup_only.setChecked(True)
        self.rollup_model.set_filter(None, True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Nhóm:"))
        filters.addWidget(self.rollup_group)
        filters.addWidget(self.rollup_only)
        filters.addStretch()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(bold(QLabel("Số liệu cộng từ các xã đã hoàn thành")))
        right_layout.addLayout(filters)
        right_layout.addWidget(self.rollup_grid, 1)

        split = split_panes((left, 2), (right, 3), vertical=True, sizes=[260, 400])
        layout.addWidget(split, 1)

        self.rollup_button.clicked.connect(self.load_rollup)
        self.rollup_print_button.clicked.connect(self.print_rollup)
        self.approve_button.clicked.connect(lambda: self.decide("approved"))
        self.return_button.clicked.connect(lambda: self.decide("returned"))
        self.commune_table.itemSelectionChanged.connect(self._update_rollup_buttons)
        self.rollup_group.currentIndexChanged.connect(self._rollup_filter_changed)
        self.rollup_only.toggled.connect(self._rollup_filter_changed)
        set_tab_order([self.rollup_kind, self.rollup_year, self.rollup_button,
                       self.rollup_print_button, self.commune_table, self.approve_button,
                       self.return_button, self.rollup_group, self.rollup_only,
                       self.rollup_grid])
        self._update_rollup_buttons()
        return tab

    def _deadlines_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)
        intro = QLabel("Hạn các xã, phường nộp báo cáo theo từng loại kỳ. Hạn đã đặt được gửi "
                       "xuống các xã trong gói đồng bộ tiếp theo và dùng khi xã mở kỳ báo cáo; "
                       "loại kỳ chưa đặt thì theo lịch mặc định của phần mềm.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.deadline_table = list_table(["Loại kỳ báo cáo", "Hạn nộp", "Nơi nhận", "Căn cứ"],
                                         stretch=3)
        layout.addWidget(self.deadline_table, 1)
        self.deadline_kind = QComboBox()
        for key, label in rules.PERIOD_KINDS.items():
            if key != rules.AD_HOC:
                self.deadline_kind.addItem(label, key)
        self.deadline_due = QLineEdit()
        self.deadline_due.setPlaceholderText("ngày/tháng, ví dụ 20/6")
        self.deadline_due.setMaximumWidth(160)
        self.deadline_recipient = QLineEdit()
        self.deadline_basis = QLineEdit()
        self.deadline_basis.setPlaceholderText("Ví dụ Công văn số …/UBND ngày …")
        self.deadline_button = QPushButton("Đặt hạn nộp")
        form = QFormLayout()
        form.addRow("Loại &kỳ:", self.deadline_kind)
        form.addRow("&Hạn nộp:", self.deadline_due)
        form.addRow("&Nơi nhận:", self.deadline_recipient)
        form.addRow("&Căn cứ:", self.deadline_basis)
        button_row = QHBoxLayout()
        button_row.addWidget(self.deadline_button)
        button_row.addStretch()
        form.addRow("", button_row)
        layout.addLayout(form)
        self.deadline_message = message_label()
        layout.addWidget(self.deadline_message)
        self.deadline_table.itemSelectionChanged.connect(self._deadline_chosen)
        self.deadline_button.clicked.connect(self.set_deadline)
        return tab

    # -- questions (patched in tests) ------------------------------------------------------

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for one line of text (a reason, a comment); None when cancelled."""
        return ask_text(self, title, label, text=text)

    def ask_save_path(self, title: str, suggested: str) -> Path | None:
        """Where to write a report (.pdf or .xlsx); None when cancelled."""
        path, chosen = QFileDialog.getSaveFileName(
            self, title, str(Path.home() / suggested),
            "Bản in PDF (*.pdf);;Bảng tính Excel (*.xlsx)")
        if not path:
            return None
        path = Path(path)
        if path.suffix.lower() not in (".pdf", ".xlsx"):
            path = path.with_suffix(".xlsx" if "xlsx" in chosen else ".pdf")
        return path

    # -- reading ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Overrides QWidget.showEvent: data may have come in meanwhile (a package)."""
        super().showEvent(event)
        if self._db is not None and not event.spontaneous():
            self.refresh()

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None and self.isVisible():
            self.refresh()

    def site(self) -> sites.Site | None:
        return sites.local_site(self._db) if self._db is not None else None

    def is_office(self) -> bool:
        site = self.site()
        return site is not None and site.role == "office"

    def refresh(self) -> None:
        """Read the periods (keeping the chosen one), the figures and, at an office, the
        roll-up and the deadlines again."""
        if self._db is None:
            return
        self._show_office_tabs()
        self.load_periods()
        if self.targets_view is not None:
            self.targets_view.reload()
        if self.is_office():
            self.load_deadlines()
            if self.found is not None:
                self.load_rollup()

    def _show_office_tabs(self) -> None:
        if self._office_tabs_shown or not self.is_office():
            return
        self._office_tabs_shown = True
        self.tabs.insertTab(1, self.rollup_tab, "Tổng hợp")
        self.tabs.insertTab(2, self.deadlines_tab, "Hạn nộp của cấp dưới")

    def load_periods(self, select: str | None = None) -> None:
        chosen = select or (self.period["id"] if self.period else None)
        self.periods = progress.periods(self._db, today=self.today())
        table = self.period_table
        table.blockSignals(True)
        table.setRowCount(len(self.periods))
        for row, period in enumerate(self.periods):
            state = capitalised(period["status_label"])
            if period["overdue"]:
                state = f"{OVERDUE} – {period['status_label']}"
            cells = [period["label"], _day(period["starts_on"]), _day(period["ends_on"]),
                     _day(period["due_on"]), state]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, period["id"])
                if period["overdue"] or period["status"] == progress.RETURNED:
                    item.setForeground(QBrush(QColor(ERROR_COLOR)))
                elif period["status"] == progress.APPROVED:
                    item.setForeground(QBrush(QColor(OK_COLOR)))
                if period["comment"]:
                    item.setToolTip(f"Ý kiến của cấp trên: {period['comment']}")
                table.setItem(row, column, item)
        table.blockSignals(False)
        self.periods_hint.setText("" if self.periods else NO_PERIODS)
        index = next((n for n, p in enumerate(self.periods) if p["id"] == chosen), None)
        if index is None and self.periods:
            index = 0
        if index is not None:
            table.blockSignals(True)
            table.selectRow(index)
            table.blockSignals(False)
        self._period_chosen()

    def select_period(self, period_id: str) -> bool:
        """Choose a period in the list (the home screen's links)."""
        self.tabs.setCurrentWidget(self.periods_tab)
        for row, period in enumerate(self.periods):
            if period["id"] == period_id:
                self.period_table.selectRow(row)
                self._period_chosen()
                return True
        return False

    def _selected_period_id(self) -> str | None:
        rows = self.period_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.period_table.item(rows[0].row(), 0)
        return item.data(ID_ROLE) if item is not None else None

    def _period_chosen(self) -> None:
        period_id = self._selected_period_id()
        self.period = next((p for p in self.periods if p["id"] == period_id), None)
        show_message(self.period_message, "")
        show_message(self.edit_message, "")
        self.load_figures()

    def period_editable(self) -> bool:
        period = self.period
        return period is not None and period["state"] == rules.OPEN and \
            period["status"] != progress.APPROVED

    def load_figures(self) -> None:
        """The chosen period's figures and checks."""
        period = self.period
        if period is None or self._db is None:
            self.model.set_figures(None, {}, with_estimate=False, editable=False)
            self.period_header.setText("")
            self.returned_label.hide()
            self._show_issues([])
            return
        try:
            frame = progress.framework(self._db, period["year"])
            found = progress.figures(self._db, period["id"], today=self.today())
        except NotFound:                            # gone meanwhile (a sync, a restore)
            self.load_periods()
            return
        fill_groups(self.group_combo, frame)
        self.model.set_figures(frame, found, with_estimate=period["kind"] == rules.NINE_MONTHS,
                               editable=self.period_editable())
        state = capitalised(period["status_label"])
        header = f"{period['label']} (từ {_day(period['starts_on'])} đến " \
            f"{_day(period['ends_on'])}) – {state}"
        if period["overdue"]:
            header += f" – {OVERDUE.lower()} (hạn nộp {_day(period['due_on'])})"
        if not self.period_editable():
            header += ". Số liệu chỉ xem" + ("" if period["status"] == progress.APPROVED
                                            else "; bấm «Mở lại…» để sửa") + "."
        self.period_header.setText(header)
        self.period_header.setStyleSheet(
            f"color: {ERROR_COLOR};" if period["overdue"] else
            f"color: {OK_COLOR};" if period["status"] == progress.APPROVED else "")
        if period["status"] == progress.RETURNED:
            self.returned_label.setText(
                f"Cấp trên trả lại kỳ báo cáo này: «{period['comment'] or ''}». Bấm «Mở lại…» "
                "để sửa số liệu rồi hoàn thành lại.")
            self.returned_label.show()
        else:
            self.returned_label.hide()
        self.check(found)

    def _filter_changed(self, *args) -> None:
        code = self.grid.selected_code()
        self.model.set_filter(self.group_combo.currentData(), self.only_check.isChecked())
        if code:
            self.grid.select_code(code)

    # -- checks ----------------------------------------------------------------------------

    def check(self, figures: Mapping[str, rules.Figure] | None = None) -> list[Issue]:
        """Run the period's checks (on ``figures`` when they were just read) and list them
        under the grid."""
        if self.period is None or self._db is None:
            self._show_issues([])
            return []
        found = progress.check_period(self._db, self.period["id"], today=self.today(),
                                      found=figures)
        self._show_issues(found)
        return found

    def _show_issues(self, found: list[Issue]) -> None:
        self.issues = sorted(found, key=lambda i: i.severity != ERROR)
        self.issue_list.clear()
        errors = sum(1 for i in self.issues if i.severity == ERROR)
        warnings = len(self.issues) - errors
        for issue in self.issues:
            kind = "Lỗi" if issue.severity == ERROR else "Cảnh báo"
            item = QListWidgetItem(f"{kind}: {issue.message}")
            item.setForeground(QBrush(QColor(ERROR_COLOR if issue.severity == ERROR
                                             else WARNING_COLOR)))
            item.setData(CODE_ROLE, issue.field)
            self.issue_list.addItem(item)
        if self.period is None:
            title = "Kiểm tra số liệu"
        elif not self.issues:
            title = "Kiểm tra số liệu: không có lỗi, không có cảnh báo."
        else:
            title = f"Kiểm tra số liệu: {errors} lỗi, {warnings} cảnh báo."
        self.issue_title.setText(title)
        self.issue_title.setStyleSheet(f"color: {ERROR_COLOR};" if errors else "")
        self.model.set_marks(self.issues)
        self._update_buttons()

    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)

    def _issue_clicked(self, item: QListWidgetItem) -> None:
        code = item.data(CODE_ROLE)
        if not code:
            return
        if not self.grid.select_code(code):           # filtered out: show every indicator
            self.group_combo.setCurrentIndex(0)
            self.only_check.setChecked(False)
            self.grid.select_code(code)

    def _update_buttons(self) -> None:
        period = self.period
        chosen = period is not None
        editable = self.period_editable()
        self.check_button.setEnabled(chosen)
        self.complete_button.setEnabled(editable and not self.has_errors())
        self.reopen_button.setEnabled(chosen and period["state"] == rules.COMPLETE
                                      and period["status"] != progress.APPROVED)
        self.print_button.setEnabled(chosen)
        self.group_combo.setEnabled(chosen)
        self.only_check.setEnabled(chosen)

    # -- writing ---------------------------------------------------------------------------

    def _run(self, task: Callable[[Database], Any], label: QLabel,
             done: Callable[[Any], None] | None = None) -> None:
        """Run a write; on success call ``done``; show a refusal in ``label``."""
        def succeeded(result: Any) -> None:
            show_message(label, "")
            if done is not None:
                done(result)
            self.data_changed.emit()

        def failed(exc: BaseException) -> None:
            report_failure(self, exc, lambda text: show_message(label, text), describe_failure)

        self.tasks.run(task, succeeded, failed)

    def save_figure(self, code: str, column: str, text: str) -> None:
        """Save one typed cell with ``set_figure``; the grid and checks follow."""
        period = self.period
        if period is None:
            return
        period_id = period["id"]
        values = {"note": text} if column == "note" else {column: text}
        name = self.model.figures[code].indicator.name if code in self.model.figures else code

        def done(_row: Any) -> None:
            self._reload_keeping(code, column)
            self.message.emit(f"Đã lưu: {name} – {FiguresModel.LABELS[column]}.")

        self._run(_write(lambda w: progress.set_figure(w, period_id, code, **values)),
                  self.edit_message, done)

    def _reload_keeping(self, code: str | None, column: str | None = None) -> None:
        self.load_periods()
        if code:
            row = self.model.row_of(code)
            if row is not None:
                index = self.model.index(row, self.model.column_of(column)
                                         if column in self.model.columns else 0)
                self.grid.setCurrentIndex(index)
                self.grid.scrollTo(index)

    def complete(self) -> None:
        """Mark the period complete (the backend refuses while errors remain)."""
        period = self.period
        if period is None:
            return
        today = self.today()
        period_id = period["id"]

        def done(row: dict) -> None:
            self.load_periods()
            show_message(self.period_message, f"Đã hoàn thành kỳ báo cáo {row['label']}; số liệu "
                     "sẽ được gửi lên cấp trên trong gói đồng bộ tiếp theo.", OK_COLOR)
            self.message.emit(f"Đã hoàn thành kỳ báo cáo {row['label']}.")

        self._run(lambda db: progress.complete_period(sites.writer(db), period_id, today=today),
                  self.period_message, done)

    def reopen(self) -> None:
        period = self.period
        if period is None:
            return
        suggested = "Cấp trên trả lại" if period["status"] == progress.RETURNED else ""
        reason = self.ask_text("Mở lại kỳ báo cáo", f"Lý do mở lại kỳ {period['label']} "
                               "(ghi vào nhật ký):", suggested)
        if reason is None:
            return
        if not reason:
            show_message(self.period_message, "Cần ghi lý do mở lại kỳ báo cáo.")
            return
        period_id = period["id"]

        def done(row: dict) -> None:
            self.load_periods()
            self.message.emit(f"Đã mở lại kỳ báo cáo {row['label']}.")

        self._run(lambda db: progress.reopen_period(sites.writer(db), period_id, reason=reason),
                  self.period_message, done)

    def print_period(self) -> None:
        period = self.period
        if period is None:
            return
        path = self.ask_save_path("Lưu biểu kết quả thực hiện",
                                  f"ket-qua-{period['kind'].replace('_', '-')}-"
                                  f"{period['year']}.pdf")
        if path is None:
            return
        period_id, today = period["id"], self.today()

        def task(db: Database) -> Path:
            from gnapp.forms import progress_reports
            from gnapp.forms.catalog import render
            return render(progress_reports.period_report(db, period_id, today=today), path)

        self._print(task, self.period_message)

    def _print(self, task: Callable[[Database], Path], label: QLabel) -> None:
        def done(written: Path) -> None:
            show_message(label, f"Đã lưu {written}.", OK_COLOR)
            self.message.emit(f"Đã lưu {written.name}.")

        def failed(exc: BaseException) -> None:
            text = describe_failure(exc)
            show_message(label, text or "Không lập được biểu.")
            if text is None:
                show_error(self, exc)

        self.tasks.run(task, done, failed)

    def open_period_dialog(self) -> PeriodDialog | None:
        """"Thêm kỳ báo cáo…"; the new period is then chosen."""
        if self._db is None:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = PeriodDialog(self.tasks, today=self.today(),
                              due_rules=progress.deadlines(self._db), parent=self)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == PeriodDialog.DialogCode.Accepted and dialog.result_row:
                self.load_periods(select=dialog.result_row["id"])
                self.message.emit(f"Đã thêm kỳ báo cáo {dialog.result_row['label']}.")
                self.data_changed.emit()
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    # -- the office's roll-up --------------------------------------------------------------

    def show_rollup(self, kind: str, year: int) -> None:
        """Open "Tổng hợp" on a period (the home screen's link)."""
        self.rollup_kind.setCurrentIndex(max(self.rollup_kind.findData(kind), 0))
        self.rollup_year.setValue(year)
        if self._office_tabs_shown:
            self.tabs.setCurrentWidget(self.rollup_tab)
        self.load_rollup()

    def load_rollup(self) -> None:
        if self._db is None or not self.is_office():
            return
        kind, year = self.rollup_kind.currentData(), self.rollup_year.value()
        chosen = self.selected_commune()
        found = progress.rollup(self._db, kind, year, today=self.today())
        self.found = found
        rows: list[tuple[dict, str, str | None]] = []
        rows += [(commune, capitalised(reason), None) for commune, reason in found.missing]
        for commune in found.included:
            text = capitalised(progress.STATE_LABELS[commune["status"]])
            if commune["period"]["completed_on"]:
                text += f" (hoàn thành {_day(commune['period']['completed_on'])})"
            rows.append((commune, text, commune["status"]))
        table = self.commune_table
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, (commune, text, status) in enumerate(rows):
            for c, value in enumerate((commune["name"], commune["code"], text)):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, commune["code"])
                item.setData(CODE_ROLE, status)
                item.setToolTip(text)
                if status is None:
                    item.setForeground(QBrush(QColor(ERROR_COLOR)))
                elif status == progress.APPROVED:
                    item.setForeground(QBrush(QColor(OK_COLOR)))
                table.setItem(r, c, item)
        table.blockSignals(False)
        if chosen:
            for r in range(table.rowCount()):
                if table.item(r, 0).data(ID_ROLE) == chosen:
                    table.selectRow(r)
        total = len(found.included) + len(found.missing)
        self.rollup_summary.setText(
            f"{found.label}: số liệu cộng từ {len(found.included)}/{total} đơn vị đã hoàn thành"
            + (f"; còn {len(found.missing)} đơn vị chưa có số liệu (ghi đỏ, xếp trước)."
               if found.missing else "; tất cả các đơn vị đã có số liệu."))
        self.rollup_summary.setStyleSheet(f"color: {ERROR_COLOR};" if found.missing else "")
        frame = progress.framework(self._db, year)
        fill_groups(self.rollup_group, frame)
        self.rollup_model.set_figures(frame, found.totals,
                                      with_estimate=kind == rules.NINE_MONTHS, editable=False)
        self.rollup_grid.setColumnHidden(self.rollup_model.column_of("note"), True)
        self._update_rollup_buttons()

    def _rollup_filter_changed(self, *args) -> None:
        self.rollup_model.set_filter(self.rollup_group.currentData(),
                                     self.rollup_only.isChecked())

    def commune_rows(self) -> list[list[str]]:
        """The communes as shown (name, code, state), missing ones first."""
        t = self.commune_table
        return [[t.item(r, c).text() for c in range(t.columnCount())]
                for r in range(t.rowCount())]

    def selected_commune(self) -> str | None:
        rows = self.commune_table.selectionModel().selectedRows()
        return self.commune_table.item(rows[0].row(), 0).data(ID_ROLE) if rows else None

    def select_commune(self, code: str) -> bool:
        for r in range(self.commune_table.rowCount()):
            if self.commune_table.item(r, 0).data(ID_ROLE) == code:
                self.commune_table.selectRow(r)
                self.commune_table.scrollToItem(self.commune_table.item(r, 0))
                return True
        return False

    def _selected_status(self) -> str | None:
        rows = self.commune_table.selectionModel().selectedRows()
        return self.commune_table.item(rows[0].row(), 0).data(CODE_ROLE) if rows else None

    def _update_rollup_buttons(self) -> None:
        decided = self._selected_status() is not None      # an included (complete) period
        self.approve_button.setEnabled(decided and self._selected_status() != progress.APPROVED)
        self.return_button.setEnabled(decided)
        self.rollup_print_button.setEnabled(self.found is not None)

    def decide(self, state: str) -> None:
        """Approve or return (with a comment) the chosen commune's period."""
        commune = self.selected_commune()
        if commune is None or self._selected_status() is None:
            show_message(self.decision_message, "Chọn một xã đã hoàn thành kỳ báo cáo.")
            return
        comment = None
        if state == "returned":
            comment = self.ask_text("Trả lại kỳ báo cáo",
                                    "Ý kiến gửi xã (xã cần sửa gì):")
            if comment is None:
                return
            if not comment:
                show_message(self.decision_message, "Trả lại cần ghi ý kiến để xã biết phải sửa "
                         "gì.")
                return
        kind, year = self.rollup_kind.currentData(), self.rollup_year.value()

        def task(db: Database) -> dict:
            from gnapp.sync import approvals
            return approvals.decide_period(db, commune=commune, kind=kind, year=year,
                                           state=state, comment=comment)

        def done(_row: dict) -> None:
            self.load_rollup()
            text = (f"Đã phê duyệt kỳ báo cáo của {commune}." if state == "approved" else
                    f"Đã trả lại kỳ báo cáo của {commune}; ý kiến được gửi xuống trong gói "
                    "đồng bộ tiếp theo.")
            show_message(self.decision_message, text, OK_COLOR)
            self.message.emit(text)

        self._run(task, self.decision_message, done)

    def print_rollup(self) -> None:
        kind, year = self.rollup_kind.currentData(), self.rollup_year.value()
        path = self.ask_save_path("Lưu tổng hợp kết quả thực hiện",
                                  f"tong-hop-{kind.replace('_', '-')}-{year}.pdf")
        if path is None:
            return
        today = self.today()

        def task(db: Database) -> Path:
            from gnapp.forms import progress_reports
            from gnapp.forms.catalog import render
            return render(progress_reports.rollup_report(db, kind, year, today=today), path)

        self._print(task, self.decision_message)

    # -- the deadlines of the communes ----------------------------------------------------

    def load_deadlines(self) -> None:
        found = progress.deadlines(self._db, "commune")
        kinds = [k for k in rules.PERIOD_KINDS if k != rules.AD_HOC]
        table = self.deadline_table
        table.setRowCount(len(kinds))
        for r, kind in enumerate(kinds):
            rule = found.get(kind)
            due = "" if rule is None else f"{rule.day:02d}/{rule.month:02d}" + (
                " năm sau" if rule.year_offset else "")
            cells = [rules.PERIOD_KINDS[kind], due or "(chưa đặt)",
                     rule.recipient or "" if rule else "", rule.basis or "" if rule else ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, kind)
                table.setItem(r, c, item)

    def _deadline_chosen(self) -> None:
        rows = self.deadline_table.selectionModel().selectedRows()
        if not rows:
            return
        kind = self.deadline_table.item(rows[0].row(), 0).data(ID_ROLE)
        rule = progress.deadlines(self._db, "commune").get(kind)
        self.deadline_kind.setCurrentIndex(self.deadline_kind.findData(kind))
        self.deadline_due.setText(f"{rule.day}/{rule.month}" if rule else "")
        self.deadline_recipient.setText(rule.recipient or "" if rule else "")
        self.deadline_basis.setText(rule.basis or "" if rule else "")

    def set_deadline(self) -> None:
        kind = self.deadline_kind.currentData()
        due = clean(self.deadline_due.text()) or ""
        recipient = clean(self.deadline_recipient.text())
        basis = clean(self.deadline_basis.text())

        def done(_row: dict) -> None:
            self.load_deadlines()
            show_message(self.deadline_message, f"Đã đặt hạn nộp {rules.PERIOD_KINDS[kind]} của "
                     f"các xã: {due}.", OK_COLOR)

        self._run(_write(lambda w: progress.set_deadline(w, level="commune", kind=kind, due=due,
                                                         recipient=recipient, basis=basis)),
                  self.deadline_message, done)
