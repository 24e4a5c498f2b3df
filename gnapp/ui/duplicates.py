"""The likely duplicates of the register, for a person to decide ("Người có thể trùng").

The pairs come from ``gnapp.db.households.duplicate_cases`` (same CCCD/CMND, same folded name
and birth year, names one letter apart), read in the task manager's worker because the whole
register is compared. A person marks a pair "not the same person" (it leaves the list) or
"the same person" (it stays, marked, until the register is corrected); nothing is merged.
"Mở hộ" closes the dialog and opens the household in the editor.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.domain.duplicates import CERTAIN, REASONS
from gnapp.domain.errors import GnappError
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import read_only_rows

UNDECIDED = "Chưa xác định"
SAME_COLOR = "#b00020"
CERTAIN_COLOR = "#8a5300"


def _person(p) -> str:
    birth = f", {p.birth.display()}" if p.birth else ""
    number = f", số {p.id_number}" if p.id_number else ""
    return f"{p.name or '(chưa có tên)'} (hộ {p.household_code or '?'}{birth}{number})"


def _load(db, include_closed: bool) -> list[hh.DuplicateCase]:
    site = sites.require_site(db)
    return hh.duplicate_cases(db, site.unit_code, include_closed=include_closed)


class DuplicatesDialog(QDialog):
    """The pairs of members that may be the same person, and the decision on each.

    :param tasks: the task manager whose worker reads and writes
    """

    COLUMNS = ["Lý do", "Người thứ nhất", "Người thứ hai", "Đã xác định", "Ghi chú"]
    # the household to open in the editor (the dialog closes first)
    open_household = Signal(str)

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.cases: list[hh.DuplicateCase] = []
        self._busy = False
        self._setup()
        self.reload()

    def _setup(self) -> None:
        self.setWindowTitle("Người có thể trùng trong sổ hộ")
        self.resize(1100, 560)
        intro = QLabel("Các cặp dưới đây có thể là cùng một người được ghi hai lần (trùng số "
                       "CCCD/CMND, trùng họ tên và năm sinh, họ tên chỉ khác một chữ cái). Phần "
                       "mềm không tự gộp: hãy kiểm tra rồi xác định từng cặp.")
        intro.setWordWrap(True)
        self.closed_check = QCheckBox("&Hiện cả các cặp đã xác định không phải một người")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        read_only_rows(self.table)
        self.table.setWordWrap(True)
        self.table.setStyleSheet("QTableWidget::item { padding: 4px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for column, sample in ((0, "Họ tên gần giống, cùng năm sinh"),
                               (3, "Là một người: cần sửa sổ hộ"), (4, "Ghi chú ghi chú")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)

        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Ví dụ: đã đối chiếu CCCD, hai người khác nhau")
        note_label = QLabel("Ghi &chú:")
        note_label.setBuddy(self.note_edit)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note_edit, 1)

        self.different_button = QPushButton("&Không phải một người")
        self.same_button = QPushButton("&Là một người (cần sửa)")
        self.open_a_button = QPushButton("Mở hộ người thứ &1")
        self.open_b_button = QPushButton("Mở hộ người thứ &2")
        self.close_button = QPushButton("Đóng")
        buttons = QHBoxLayout()
        for button in (self.different_button, self.same_button, self.open_a_button,
                       self.open_b_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.closed_check)
        layout.addWidget(self.table, 1)
        layout.addLayout(note_row)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        self.closed_check.toggled.connect(lambda _: self.reload())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.different_button.clicked.connect(lambda: self.decide("different"))
        self.same_button.clicked.connect(lambda: self.decide("same"))
        self.open_a_button.clicked.connect(lambda: self._open(0))
        self.open_b_button.clicked.connect(lambda: self._open(1))
        self.close_button.clicked.connect(self.reject)
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the pairs again (in the worker)."""
        include_closed = self.closed_check.isChecked()
        self._set_busy(True, "Đang tìm người có thể trùng…")
        self.tasks.run(lambda db: _load(db, include_closed), self._loaded, self._failed)

    def _loaded(self, cases: list[hh.DuplicateCase]) -> None:
        chosen = self.selected_case()
        chosen_key = (chosen.pair.a.member_id, chosen.pair.b.member_id) if chosen else None
        self.cases = cases
        self.table.setRowCount(len(cases))
        for row, case in enumerate(cases):
            pair = case.pair
            reason = REASONS[pair.reason] + ("; cùng một hộ" if pair.same_household else "")
            cells = [reason, _person(pair.a), _person(pair.b),
                     hh.DUPLICATE_DECISIONS.get(case.decision, UNDECIDED), case.note or ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(pair.explanation)
                if column == 0 and pair.strength == CERTAIN:
                    item.setForeground(QBrush(QColor(CERTAIN_COLOR)))
                if column == 3 and case.decision == "same":
                    item.setForeground(QBrush(QColor(SAME_COLOR)))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        row = next((n for n, c in enumerate(cases)
                    if (c.pair.a.member_id, c.pair.b.member_id) == chosen_key), 0)
        if cases:
            self.table.selectRow(min(row, len(cases) - 1))
        open_count = sum(1 for c in cases if c.decision is None)
        self._set_busy(False, f"{len(cases)} cặp; {open_count} cặp chưa xác định."
                       if cases else "Không có người nào có thể trùng.")

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False, str(exc) if isinstance(exc, GnappError)
                       else "Không đọc được danh sách do lỗi của phần mềm.")
        if not isinstance(exc, GnappError):
            show_error(self, exc)

    # -- deciding --------------------------------------------------------------------------

    def selected_case(self) -> hh.DuplicateCase | None:
        rows = self.table.selectionModel().selectedRows()
        return self.cases[rows[0].row()] if rows and rows[0].row() < len(self.cases) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def decide(self, decision: str) -> None:
        case = self.selected_case()
        if case is None or self._busy:
            return
        a, b = case.pair.a.member_id, case.pair.b.member_id
        note = self.note_edit.text()
        self._set_busy(True, "Đang ghi…")
        self.tasks.run(lambda db: hh.decide_duplicate(sites.writer(db), a, b, decision,
                                                      note=note),
                       lambda _row: self._decided(decision), self._failed)

    def _decided(self, decision: str) -> None:
        self.note_edit.clear()
        self._busy = False
        self.reload()
        self.message_label.setText(f"Đã ghi: {hh.DUPLICATE_DECISIONS[decision]}.")

    def _open(self, which: int) -> None:
        case = self.selected_case()
        if case is None:
            return
        person = case.pair.a if which == 0 else case.pair.b
        self.accept()
        self.open_household.emit(person.household_id)

    # -- state -----------------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        self.message_label.setText(text)
        self._update_buttons()

    def _selection_changed(self) -> None:
        case = self.selected_case()
        self.note_edit.setText(case.note or "" if case else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected_case() is not None
        for button in (self.different_button, self.same_button):
            button.setEnabled(chosen and not self._busy)
        for button in (self.open_a_button, self.open_b_button):
            button.setEnabled(chosen)
