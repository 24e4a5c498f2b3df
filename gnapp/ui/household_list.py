"""The household page: the register's list, searched and filtered in SQL, paged on demand.

The list model knows only how many households match and fetches them a page at a time
(``gnapp.db.households.list_households`` with ``offset``/``limit``) through the GUI thread's
read connection, keeping a bounded cache of pages, so a commune of 100,000 households scrolls
as smoothly as one of 50. Changes go through ``HouseholdEditor``, which saves in the task
manager's worker; the page refreshes when the editor reports a save.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (QAbstractTableModel, QEvent, QModelIndex, QObject,
                            QPersistentModelIndex, Qt, QTimer, Signal)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QWidget)
from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import reviews, sites, units
from gnapp.domain.codes import CLASS
from gnapp.domain.numbers import format_int
from gnapp.domain.errors import GnappError
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import code_combo, page_layout, read_only_rows, set_tab_order

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50          # 10,000 rows at most in memory
SEARCH_DELAY_MS = 250

# Household status (household.status) as the list shows it.
STATUS_LABELS = {
    "active": "Đang ở",
    "moved_out": "Đã chuyển đi",
    "merged": "Đã nhập hộ khác",
    "dissolved": "Không còn thành viên",
}
# The status filter: (label, status code or None for every household).
STATUS_FILTERS = [
    ("Đang ở", "active"),
    ("Đã chuyển đi", "moved_out"),
    ("Đã nhập hộ khác", "merged"),
    ("Tất cả", None),
]
ALL_VILLAGES = "Tất cả các thôn"
SEARCH_PLACEHOLDER = "Tìm theo tên, mã hộ, số CCCD…"

HOUSEHOLD_ID_ROLE = Qt.ItemDataRole.UserRole


def count_text(n: int, more: bool = False) -> str:
    """"500 hộ", "1.234 hộ"; ``more``: the list shows the first ``n`` of more households
    ("hơn 1.000 hộ")."""
    return f"{'hơn ' if more else ''}{format_int(n)} hộ"


@dataclass(frozen=True)
class HouseholdFilter:
    """What the list shows: typed words, one village (or all), one status (or all), and
    the class and review state in a round (or all)."""

    search: str | None = None
    village_id: str | None = None
    status: str | None = "active"
    round_id: str | None = None
    klass: str | None = None
    review_state: str | None = None
    errors_only: bool = False

    def query(self) -> dict:
        """The filter as keyword arguments of ``list_households`` / ``count_households``."""
        return dataclasses.asdict(self)


class HouseholdListModel(QAbstractTableModel):
    """The households matching a filter, in the register's order, fetched a page at a time.

    A search reads at most ``search_cap`` households (``hh.SEARCH_CAP``, the first matches
    in index order, shown in the register's order): ``more`` tells that there are more.

    :param db: the GUI thread's read connection (``None`` while the database is closed)
    :param page_size: rows fetched per query
    """

    COLUMNS = ["Mã hộ", "Chủ hộ", "Thôn", "Số nhân khẩu", "Tình trạng", "Phân loại"]
    CODE, HEAD, VILLAGE, MEMBERS, STATUS, KLASS = range(6)

    def __init__(self, db: Database | None, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, search_cap: int = hh.SEARCH_CAP,
                 load: bool = True):
        """:param load: count the households now (False: the first ``set_filter`` does,
            which spares one count of a whole province at start)"""
        super().__init__(parent)
        self._db = db
        self.page_size = page_size
        self.search_cap = search_cap
        self.more = False
        self._filter = HouseholdFilter()
        self._count = 0
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        self.fetched_pages: deque[int] = deque(maxlen=1000)  # pages queried, latest last
        self.loaded = load      # the count was read
        if load:
            self._count = self._query_count()

    # -- filter and refresh ----------------------------------------------------------------

    @property
    def filter(self) -> HouseholdFilter:
        return self._filter

    def set_db(self, db: Database | None) -> None:
        self._db = db
        self.refresh(keep_rows=False)

    def set_filter(self, flt: HouseholdFilter) -> None:
        """Show the households matching ``flt`` (a reset of the model)."""
        self._filter = flt
        self.refresh(keep_rows=False)

    def refresh(self, *, keep_rows: bool = True) -> None:
        """Read the list again after a change.

        :param keep_rows: when the number of rows is unchanged, say only that the data
            changed, so that the view keeps its scroll position and selection
        """
        count = self._query_count()
        self.loaded = True
        if keep_rows and count == self._count:
            self._pages.clear()
            if count:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(count - 1, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self._pages.clear()
        self._count = count
        self.endResetModel()

    def _cap(self) -> int | None:
        return self.search_cap if self._filter.search else None

    def _query_count(self) -> int:
        self.more = False
        if self._db is None:
            return 0
        cap = self._cap()
        count = hh.count_households(self._db, cap=cap, **self._filter.query())
        if cap is not None and count > cap:
            self.more, count = True, cap
        return count

    def count_text(self) -> str:
        """What the page says of the rows: "1.234 hộ", "hơn 1.000 hộ"."""
        return count_text(self._count, self.more)

    # -- rows ------------------------------------------------------------------------------

    def _page(self, number: int) -> list[dict]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if self._db is None:
            return []
        query = self._filter.query()
        before = self._pages.get(number - 1)
        if before and len(before) == self.page_size and before[-1]["head_key"] is not None:
            page = hh.list_households(self._db, limit=self.page_size, after=before[-1],
                                      cap=self._cap(), **query)
        else:
            page = hh.list_households(self._db, offset=number * self.page_size,
                                      limit=self.page_size, cap=self._cap(), **query)
        self.fetched_pages.append(number)
        self._pages[number] = page
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    def row(self, row: int) -> dict | None:
        """The index line of the household shown in ``row`` (fetching its page if needed)."""
        if not 0 <= row < self._count:
            return None
        page = self._page(row // self.page_size)
        offset = row % self.page_size
        return page[offset] if offset < len(page) else None

    def household_id(self, row: int) -> str | None:
        line = self.row(row)
        return line["household_id"] if line else None

    def cached_row_of(self, household_id: str) -> int | None:
        """The row of a household among the pages already fetched, or None."""
        for number, page in self._pages.items():
            for offset, line in enumerate(page):
                if line["household_id"] == household_id:
                    return number * self.page_size + offset
        return None

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == self.MEMBERS:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self._count:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.data."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole,
                                               Qt.ItemDataRole.TextAlignmentRole,
                                               HOUSEHOLD_ID_ROLE):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == self.MEMBERS:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        line = self.row(index.row())
        if line is None:
            return None
        if role == HOUSEHOLD_ID_ROLE:
            return line["household_id"]
        if column == self.CODE:
            return line["code"]
        if column == self.HEAD:
            return line["head_name"] or "(chưa có chủ hộ)"
        if column == self.VILLAGE:
            return line["village_name"]
        if column == self.MEMBERS:
            return str(line["members"]) if role == Qt.ItemDataRole.DisplayRole else None
        if column == self.STATUS:
            return STATUS_LABELS.get(line["status"], line["status"])
        if column == self.KLASS:
            if line.get("review_status") is None:
                return "Chưa rà soát" if self._filter.round_id else ""
            text = CLASS.get(line["klass"], "chưa phân loại") if line["klass"] \
                else "chưa phân loại"
            return text + (" (nháp)" if line["review_status"] == "draft" else "")
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Overrides QAbstractItemModel.flags: rows are selected, never edited in place."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ActivatingTableView(QTableView):
    """A table whose Enter/Return key emits ``row_activated`` and stops there (a plain
    QTableView lets the key go on, so a dialog's default button would also fire)."""

    row_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Overrides QAbstractItemView.keyPressEvent."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            index = self.currentIndex()
            if index.isValid():
                self.row_activated.emit(index.row())
            event.accept()
            return
        super().keyPressEvent(event)


class HouseholdTable(ActivatingTableView):
    """A list of households: whole rows chosen, never edited in place, one line per row,
    columns of fixed widths (never ResizeToContents: it would read every row)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        read_only_rows(self)
        self.setWordWrap(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)

    def set_column_widths(self, samples: dict[int, str]) -> None:
        """Give each column the width of its sample text; the last column stretches."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        for column, sample in samples.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def select_row(self, row: int) -> None:
        index = self.model().index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def selected_household_id(self) -> str | None:
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isRowSelected(index.row()):
            return None
        return self.model().household_id(index.row())


def delayed(owner: QObject, slot) -> QTimer:
    """A single-shot timer that calls ``slot`` once typing has paused (search as you type)."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    timer.timeout.connect(slot)
    return timer


class HouseholdPage(QWidget):
    """The "Hộ gia đình" area: search, filters, the list, add and edit.

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager whose worker writes
    """

    # the register changed (a household saved, deleted or its last edit undone in the
    # editor: its id and code; a list imported from a file: two empty strings)
    household_saved = Signal(str, str)
    # what was done, for the status bar
    message = Signal(str)
    # the editor asks for a household's review form: (household id, round id)
    review_requested = Signal(str, str)

    def __init__(self, db: Database | None, tasks: TaskManager,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.editor = None                 # the open HouseholdEditor, if any
        self._round_id: str | None = None  # the round the review filters follow
        self.duplicates_dialog = None      # the last DuplicatesDialog opened
        self._setup()
        self.model = HouseholdListModel(db, self, load=False)   # _apply_filter loads it
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._size_columns()
        self.reload_villages()
        self._apply_filter()
        self._update_buttons()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, "Hộ gia đình")
        layout.addSpacing(4)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip("Gõ không dấu cũng được, ví dụ: nguyen van duc (Ctrl+F)")
        self.village_combo = QComboBox()
        self.village_combo.setMinimumContentsLength(16)
        self.village_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo = QComboBox()
        for label, status in STATUS_FILTERS:
            self.status_combo.addItem(label, status)
        self.class_combo = code_combo(CLASS, blank="Tất cả")
        self.class_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.class_combo.setMinimumContentsLength(12)
        self.review_combo = code_combo(hh.REVIEW_FILTERS, blank="Tất cả")
        self.round_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        village_label = QLabel("&Thôn:")
        village_label.setBuddy(self.village_combo)
        filters.addSpacing(8)
        filters.addWidget(village_label)
        filters.addWidget(self.village_combo)
        status_label = QLabel("Tình t&rạng:")
        status_label.setBuddy(self.status_combo)
        filters.addSpacing(8)
        filters.addWidget(status_label)
        filters.addWidget(self.status_combo)
        self.errors_check = QCheckBox("Chỉ hộ có &lỗi")
        self.errors_check.setToolTip("Hộ không có chủ hộ hoặc có hai chủ hộ, số CCCD ghi hai "
                                     "lần, quan hệ với chủ hộ không hợp lý …")
        filters.addSpacing(8)
        filters.addWidget(self.errors_check)
        layout.addLayout(filters)
        review_filters = QHBoxLayout()
        review_filters.addWidget(self.round_label)
        for text, combo in (("&Phân loại:", self.class_combo),
                            ("Phiếu rà so&át:", self.review_combo)):
            label = QLabel(text)
            label.setBuddy(combo)
            review_filters.addSpacing(8)
            review_filters.addWidget(label)
            review_filters.addWidget(combo)
        review_filters.addStretch()
        layout.addLayout(review_filters)

        self.add_button = QPushButton("Thêm hộ")
        self.add_button.setToolTip("Thêm một hộ mới, nhập chủ hộ trước (Ctrl+N)")
        self.edit_button = QPushButton("Sửa hộ")
        self.edit_button.setToolTip("Sửa hộ đang chọn (Enter hoặc nhấp đúp)")
        self.duplicates_button = QPushButton("Người có thể trùng…")
        self.duplicates_button.setToolTip("Những người có thể được ghi hai lần trong sổ hộ "
                                          "(trùng CCCD, trùng họ tên và năm sinh), để xác định")
        self.import_button = QPushButton("Nhập từ tệp…")
        self.import_button.setToolTip("Nhập danh sách hộ từ tệp Excel, CSV hoặc tệp xuất của "
                                      "phần mềm rà soát quốc gia; xem trước từng dòng rồi mới "
                                      "ghi")
        self.count_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.duplicates_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch()
        buttons.addWidget(self.count_label)
        layout.addLayout(buttons)

        self.table = HouseholdTable()
        layout.addWidget(self.table, 1)

        set_tab_order([self.search_edit, self.village_combo, self.status_combo, self.errors_check,
                       self.class_combo, self.review_combo, self.add_button, self.edit_button,
                       self.duplicates_button, self.import_button, self.table])

        self._search_timer = delayed(self, self._apply_filter)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.village_combo.currentIndexChanged.connect(self._apply_filter)
        self.status_combo.currentIndexChanged.connect(self._apply_filter)
        self.class_combo.currentIndexChanged.connect(self._apply_filter)
        self.review_combo.currentIndexChanged.connect(self._apply_filter)
        self.errors_check.toggled.connect(self._apply_filter)
        self.add_button.clicked.connect(self.add_household)
        self.edit_button.clicked.connect(self.edit_selected)
        self.duplicates_button.clicked.connect(self.open_duplicates)
        self.import_button.clicked.connect(self.open_import)
        self.table.doubleClicked.connect(lambda index: self.edit_row(index.row()))
        self.table.row_activated.connect(self.edit_row)

        context = Qt.ShortcutContext.WindowShortcut       # while this area is shown
        for keys, slot in ((QKeySequence.StandardKey.New, self.add_household),
                           (QKeySequence.StandardKey.Find, self._focus_search),
                           (QKeySequence("F2"), self.edit_selected)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        self.search_edit.installEventFilter(self)

    def _size_columns(self) -> None:
        self.table.set_column_widths({
            HouseholdListModel.CODE: "00-00000", HouseholdListModel.HEAD: "Nguyễn Thị Hồng Phượng",
            HouseholdListModel.VILLAGE: "Thôn Trung Kim Sơn",
            HouseholdListModel.MEMBERS: "Số nhân khẩu",
            HouseholdListModel.STATUS: "Không còn thành viên",
            HouseholdListModel.KLASS: "Hộ cận nghèo (nháp)"})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Overrides QObject.eventFilter: Down in the search box goes to the list."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.select_row(0)
            return True
        return super().eventFilter(watched, event)

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # -- data ------------------------------------------------------------------------------

    def set_db(self, db: Database | None) -> None:
        """Use another read connection (the window reopened the database), or none."""
        self._db = db
        self.model.set_db(db)
        if db is not None:
            self.reload_villages()
        self._update_count()

    def villages(self) -> list[dict]:
        """The villages of this site's commune, in Vietnamese order."""
        if self._db is None:
            return []
        site = sites.local_site(self._db)
        if site is None:
            return []
        return units.children(self._db, site.unit_code, level="village")

    def reload_villages(self) -> None:
        """Fill the village filter again, keeping the chosen village (and read which round
        the review filters follow)."""
        self._show_round()
        chosen = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(ALL_VILLAGES, None)
        for village in self.villages():
            self.village_combo.addItem(village["name"], village["id"])
        index = self.village_combo.findData(chosen) if chosen else 0
        self.village_combo.setCurrentIndex(max(index, 0))
        self.village_combo.blockSignals(False)

    def current_round(self) -> dict | None:
        """The round whose classes and review states the list shows: the current one."""
        site = sites.local_site(self._db) if self._db is not None else None
        return reviews.current_round(self._db, site.unit_code, date.today()) if site else None

    def review_changed(self) -> None:
        """A review was saved or a round opened: read the round and the list again."""
        self._show_round()
        self.refresh()

    def showEvent(self, event) -> None:
        """Overrides QWidget.showEvent: a round opened meanwhile is followed."""
        super().showEvent(event)
        before = self._round_id
        self._show_round()
        if self._round_id != before:
            self.refresh()

    def _show_round(self) -> None:
        from gnapp.ui.review_form import round_title

        round_ = self.current_round()
        self._round_id = round_["id"] if round_ else None
        self.round_label.setText(f"Theo đợt: {round_title(round_)}" if round_
                                 else "Chưa có đợt rà soát")
        for combo in (self.class_combo, self.review_combo):
            combo.setEnabled(round_ is not None)

    def current_filter(self) -> HouseholdFilter:
        search = " ".join(self.search_edit.text().split()) or None
        return HouseholdFilter(search=search, village_id=self.village_combo.currentData(),
                               status=self.status_combo.currentData(), round_id=self._round_id,
                               klass=self.class_combo.currentData() if self._round_id else None,
                               review_state=(self.review_combo.currentData()
                                             if self._round_id else None),
                               errors_only=self.errors_check.isChecked())

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt != self.model.filter or not self.model.loaded:
            self.model.set_filter(flt)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(self.model.count_text())

    def refresh(self) -> None:
        """Read the list again (after a save), keeping the position when possible."""
        self._search_timer.stop()
        if self.model.filter != self.current_filter():
            self.model.set_filter(self.current_filter())
        else:
            self.model.refresh()
        self._update_count()
        self._update_buttons()

    # -- remembered between sessions (``gnapp.ui.ui_state``) -------------------------------

    def _filter_widgets(self) -> dict[str, QWidget]:
        return {"search": self.search_edit, "village": self.village_combo,
                "status": self.status_combo, "errors": self.errors_check,
                "class": self.class_combo, "review": self.review_combo}

    def save_state(self, state) -> None:
        """Remember the filters and the column widths."""
        state.save_widgets("households", self._filter_widgets())
        state.save_header("households/columns", self.table.horizontalHeader())

    def restore_state(self, state) -> None:
        """Show the filters of last time (a village since deleted is ignored)."""
        state.restore_header("households/columns", self.table.horizontalHeader())
        if state.restore_widgets("households", self._filter_widgets()):
            self._apply_filter()

    def show_filter(self, village_id: str | None = None, klass: str | None = None,
                    review_state: str | None = None) -> None:
        """Show the active households of a village (or all) with a class or a review state
        in the current round, nothing typed (a figure of the home screen)."""
        self._show_round()
        for combo, value in ((self.village_combo, village_id), (self.class_combo, klass),
                             (self.review_combo, review_state)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData("active"), 0))
        self.status_combo.blockSignals(False)
        self.errors_check.blockSignals(True)
        self.errors_check.setChecked(False)
        self.errors_check.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._apply_filter()

    def set_village_filter(self, village_id: str | None) -> None:
        self.village_combo.setCurrentIndex(max(self.village_combo.findData(village_id), 0))

    def set_status_filter(self, status: str | None) -> None:
        self.status_combo.setCurrentIndex(self.status_combo.findData(status))

    # -- selection -------------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        self.table.select_row(row)

    def selected_household_id(self) -> str | None:
        return self.table.selected_household_id()

    def _update_buttons(self, *args) -> None:
        self.edit_button.setEnabled(self.selected_household_id() is not None)

    # -- editing ---------------------------------------------------------------------------

    def add_household(self) -> None:
        """Open the editor on a new household (its head is entered first)."""
        self._open_editor(None)

    def edit_selected(self) -> None:
        household_id = self.selected_household_id()
        if household_id is not None:
            self._open_editor(household_id)

    def edit_row(self, row: int) -> None:
        household_id = self.model.household_id(row)
        if household_id is not None:
            self._open_editor(household_id)

    def _open_editor(self, household_id: str | None) -> None:
        from gnapp.ui.household_editor import HouseholdEditor

        if self._db is None:
            return
        if self.editor is not None and self.editor.isVisible():
            self.editor.raise_()
            self.editor.activateWindow()
            return
        village = self.village_combo.currentData()
        try:
            self.editor = HouseholdEditor(self._db, self.tasks, household_id,
                                          default_village_id=village, parent=self)
        except GnappError as exc:             # removed meanwhile (a sync, a restore)
            show_error(self, exc)
            self.refresh()
            return
        self.editor.saved.connect(
            lambda household_id, code: self._changed(household_id, code, f"Đã lưu hộ {code}."))
        self.editor.deleted.connect(lambda household_id, code: self._changed(
            household_id, code, f"Đã chuyển hộ {code} vào «Thùng rác»."))
        self.editor.undone.connect(lambda household_id, code: self._changed(
            household_id, code, f"Đã hoàn tác lần sửa cuối của hộ {code}."))
        self.editor.review_requested.connect(self.review_requested)
        self.editor.finished.connect(self._editor_closed)
        self.editor.open()

    def open_import(self) -> QDialog | None:
        """Import a household list from a file: preview every row, then write."""
        from gnapp.ui.household_import_dialog import HouseholdImportDialog, written_text

        if self._db is None:
            return None
        dialog = HouseholdImportDialog(self.tasks, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda written: (self.refresh(), self.household_saved.emit(
            "", ""), self.message.emit(written_text(written))))
        dialog.open()
        self.import_dialog = dialog
        return dialog

    def open_duplicates(self) -> QDialog | None:
        """The likely duplicates of the register, to decide one by one."""
        from gnapp.ui.duplicates import DuplicatesDialog

        if self._db is None:
            return None
        dialog = DuplicatesDialog(self.tasks, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_household.connect(self._open_editor)
        dialog.open()
        self.duplicates_dialog = dialog
        return dialog

    def _editor_closed(self) -> None:
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.deleteLater()
        self.table.setFocus()

    def _changed(self, household_id: str, code: str, text: str) -> None:
        self.refresh()
        row = self.model.cached_row_of(household_id)
        if row is not None:
            self.select_row(row)
        self.household_saved.emit(household_id, code)
        self.message.emit(text)

