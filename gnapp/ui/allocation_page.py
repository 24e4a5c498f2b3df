"""The "Phân bổ vốn" area: allocation decisions and plans, their matrix of amounts, the totals
the documents state, imports and prints.

Left, the decisions and plans with their computed total and how many stated totals differ;
"Văn bản mới…" and "Sửa…" open the decision editor. Right, the matrix of the chosen decision:
rows are the budget lines of its programme, columns the sources split by capital type, each
cell an amount in đồng typed with or without thousand separators; row, column and grand totals
follow every change. Under the lines, the row "Theo văn bản" takes the totals the document
states (and the column "Theo văn bản" those of each line); "Chênh lệch" shows each difference
in red with its amount. Every write runs in the task manager's worker; the sums come from
``gnapp.db.allocations`` (no arithmetic of its own here).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTabWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import allocations as al
from gnapp.db import programme as programme_db
from gnapp.db import sites
from gnapp.domain import programme as pg
from gnapp.domain.dates import format_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.money import Scope
from gnapp.domain.numbers import format_int, parse_amount
from gnapp.domain.text import clean
from gnapp.forms import allocation_reports as ar
from gnapp.ui.tasks import TaskManager, report_failure
from gnapp.ui.widgets import (ERROR_COLOR, UnsavedGuard, add_shortcut, code_combo, page_layout,
                              read_only_rows, split_panes, year_spin)

AREA_TITLE = "Phân bổ vốn"
OK_COLOR = "#1b6e20"
COMPUTED_BACKGROUND = "#ebebeb"
ALL_RECIPIENTS = "Tất cả đơn vị nhận"
NO_DECISIONS = ("Chưa có quyết định phân bổ vốn hay kế hoạch vốn nào. Bấm «Văn bản mới…» "
                "hoặc «Nhập từ tệp…».")

# what a grid cell stands for: ("amount", line, source, capital) | ("stated", Scope) | None
CELL_ROLE = Qt.ItemDataRole.UserRole
DECISION_ID_ROLE = Qt.ItemDataRole.UserRole


def _write(fn: Callable[..., Any]) -> Callable[[Database], Any]:
    """A task running ``fn(writer)`` in one transaction on the worker's connection."""
    return lambda db: sites.writer(db).transact(fn).result


def _money(value: int | None) -> str:
    return "" if value is None else format_int(value)


# -- the decision editor -------------------------------------------------------------------------

class DecisionDialog(QDialog):
    """A decision or plan: kind, issuer, number, date, year, batch, legal basis, title,
    programme, default recipient. "Ghi" writes in the worker and closes when it succeeded."""

    def __init__(self, tasks: TaskManager, db: Database, decision: dict | None = None, *,
                 year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.decision = decision
        self.result_row: dict | None = None
        self.setWindowTitle("Sửa văn bản phân bổ vốn" if decision else "Văn bản phân bổ vốn mới")
        self.setMinimumWidth(560)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind_combo = code_combo(al.DECISION_KINDS)
        self.issuer_edit = QLineEdit()
        self.issuer_edit.setPlaceholderText("Ví dụ UBND tỉnh Thanh Hóa")
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText("Ví dụ 1277/QĐ-UBND (để trống nếu chưa có số)")
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText("dd/mm/yyyy")
        self.date_edit.setMaximumWidth(160)
        self.year_spin = year_spin(2000, year)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(0, 20)
        self.batch_spin.setSpecialValueText("không chia đợt")
        self.basis_edit = QLineEdit()
        self.basis_edit.setPlaceholderText("Ví dụ Nghị quyết số 257/2022/NQ-HĐND ngày 13/7/2022")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Trích yếu: phân bổ vốn sự nghiệp nguồn NSTW …")
        self.programme_combo = QComboBox()
        for version in programme_db.programmes(db).values():
            self.programme_combo.addItem(f"{version.id} ({version.period_from}–"
                                         f"{version.period_to})", version.id)
        self.recipient_edit = QLineEdit()
        self.recipient_edit.setPlaceholderText("Mặc định: đơn vị của máy này")
        for label, widget in (("&Loại văn bản:", self.kind_combo),
                              ("&Cơ quan ban hành:", self.issuer_edit),
                              ("&Số:", self.number_edit), ("Ngày &ký:", self.date_edit),
                              ("&Năm kế hoạch vốn:", self.year_spin),
                              ("Đợ&t:", self.batch_spin), ("Căn cứ &pháp lý:", self.basis_edit),
                              ("T&rích yếu:", self.title_edit),
                              ("C&hương trình:", self.programme_combo),
                              ("Đơn vị &nhận:", self.recipient_edit)):
            form.addRow(label, widget)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.hide()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Ghi", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.guard = UnsavedGuard(self, "Văn bản này có thông tin chưa ghi. Ghi trước khi đóng?",
                                  self.accept)
        add_shortcut(self, QKeySequence.StandardKey.Save, self.accept, button=self.ok_button,
                     context=Qt.ShortcutContext.WindowShortcut)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        if decision:
            self._load(decision)
        else:
            default = programme_db.programme_for_year(db, year).id
            self.programme_combo.setCurrentIndex(self.programme_combo.findData(default))
        self.issuer_edit.setFocus()

    def _load(self, d: dict) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(d["kind"]))
        self.issuer_edit.setText(d["issuer"] or "")
        self.number_edit.setText(d["number"] or "")
        if d["signed_on"]:
            from datetime import date
            self.date_edit.setText(format_date(date.fromisoformat(d["signed_on"])))
        self.year_spin.setValue(d["year"])
        self.batch_spin.setValue(d["batch"] or 0)
        self.basis_edit.setText(d["legal_basis"] or "")
        self.title_edit.setText(d["title"] or "")
        self.programme_combo.setCurrentIndex(self.programme_combo.findData(d["programme"]))
        self.recipient_edit.setText(d["recipient_name"] or "")

    def values(self) -> dict:
        """The fields as the backend takes them."""
        return {"kind": self.kind_combo.currentData(),
                "issuer": clean(self.issuer_edit.text()) or "",
                "number": clean(self.number_edit.text()),
                "signed_on": clean(self.date_edit.text()),
                "year": self.year_spin.value(), "batch": self.batch_spin.value() or None,
                "legal_basis": clean(self.basis_edit.text()),
                "title": clean(self.title_edit.text()),
                "programme": self.programme_combo.currentData()}

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def accept(self) -> None:
        """Overrides QDialog.accept: write in the worker; close when it succeeded."""
        values = self.values()
        if not values["issuer"]:
            self.show_message("Cần ghi cơ quan ban hành.")
            self.issuer_edit.setFocus()
            return
        recipient = clean(self.recipient_edit.text())
        decision = self.decision
        if decision is None:
            extra = {"recipient_name": recipient, "recipient_unit": None} if recipient else {}
            task = _write(lambda w: al.create_decision(w, **values, **extra))
        else:
            if recipient and recipient != decision["recipient_name"]:
                values["recipient_name"] = recipient
            task = _write(lambda w: al.update_decision(w, decision["id"], values))
        self.ok_button.setEnabled(False)
        self.tasks.run(task, self._done, self._failed)

    def reject(self) -> None:
        """Overrides QDialog.reject: not while the write runs; what was typed is dropped
        only when the user says so."""
        if self.ok_button.isEnabled() and self.guard.may_close():
            super().reject()

    def _done(self, row: dict) -> None:
        self.ok_button.setEnabled(True)
        self.result_row = row
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        report_failure(self, exc, self.show_message)


# -- import options ------------------------------------------------------------------------------

class ImportDialog(QDialog):
    """What a file of lines leaves unsaid: the budget line, source, capital type and unit for
    every row, and whether the rows are carry-over. A .json of stated totals needs nothing."""

    FROM_FILE = "(theo cột trong tệp)"

    def __init__(self, path: Path, programme: pg.Programme, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Nhập từ tệp {path.name}")
        form = QFormLayout()
        self.line_combo = QComboBox()
        self.line_combo.addItem(self.FROM_FILE, None)
        for item in programme.lines():
            self.line_combo.addItem(f"{item.code} – {item.label}", item.code)
        self.source_combo = QComboBox()
        self.source_combo.addItem(self.FROM_FILE, None)
        for code, (name, _short) in pg.SOURCES.items():
            self.source_combo.addItem(name, code)
        self.capital_combo = QComboBox()
        self.capital_combo.addItem(self.FROM_FILE, None)
        for code, (name, _short) in pg.CAPITAL_TYPES.items():
            self.capital_combo.addItem(name, code)
        self.unit_combo = QComboBox()
        self.unit_combo.addItem(self.FROM_FILE, None)
        for key, name in (("dong", "đồng"), ("nghin", "nghìn đồng"), ("trieu", "triệu đồng")):
            self.unit_combo.addItem(name, key)
        self.carry_check = QCheckBox("Kinh phí năm trước chuyển sang")
        form.addRow("&Dự án, tiểu dự án:", self.line_combo)
        form.addRow("&Nguồn vốn:", self.source_combo)
        form.addRow("&Loại vốn:", self.capital_combo)
        form.addRow("Đơn vị &tiền:", self.unit_combo)
        form.addRow("", self.carry_check)
        hint = QLabel("Chỉ cần chọn những gì tệp không có cột riêng. Ô đơn vị để trống được lấy "
                      "theo dòng trên; tệp có dòng sai thì không ghi gì.")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton("Nhập", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def options(self) -> dict:
        return {"line": self.line_combo.currentData(), "source": self.source_combo.currentData(),
                "capital_type": self.capital_combo.currentData(),
                "unit": self.unit_combo.currentData(),
                "kind": "carry_over" if self.carry_check.isChecked() else "allocation"}


# -- the page ------------------------------------------------------------------------------------

class AllocationPage(QWidget):
    """The "Phân bổ vốn" area.

    :param db: the GUI thread's read connection (``set_db`` when it is reopened)
    :param tasks: the task manager whose worker writes
    """

    LIST_COLUMNS = ["Văn bản", "Cơ quan ban hành", "Tổng các dòng (đồng)", "Lệch"]
    # a short message for the status bar
    message = Signal(str)

    def __init__(self, db: Database | None, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.rows: list[dict] = []
        self.matrix: al.Matrix | None = None
        self.stated: dict[Scope, Any] = {}
        self._filling = False
        self._setup()
        self.reload()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        layout = page_layout(self, AREA_TITLE)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.list = QTableWidget(0, len(self.LIST_COLUMNS))
        self.list.setHorizontalHeaderLabels(self.LIST_COLUMNS)
        read_only_rows(self.list)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(110)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel(NO_DECISIONS)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #666;")
        buttons = QHBoxLayout()
        self.new_button = QPushButton("Văn bản mới…")
        self.edit_button = QPushButton("Sửa…")
        self.import_button = QPushButton("Nhập từ tệp…")
        self.print_button = QPushButton("In…")
        for button in (self.new_button, self.edit_button, self.import_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch()
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.list)
        left_layout.addWidget(self.empty_label)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.decision_label = QLabel()
        self.decision_label.setWordWrap(True)
        self.decision_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = self.decision_label.font()
        bold.setBold(True)
        self.decision_label.setFont(bold)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        controls = QHBoxLayout()
        self.kind_combo = code_combo(pg.LINE_KINDS)
        self.recipient_combo = QComboBox()
        self.recipient_combo.setMinimumWidth(220)
        controls.addWidget(QLabel("Dòng:"))
        controls.addWidget(self.kind_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Đơn vị nhận:"))
        controls.addWidget(self.recipient_combo)
        controls.addStretch()
        self.grid = QTableWidget()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.verticalHeader().hide()
        self.grid.verticalHeader().setDefaultSectionSize(26)
        self.grid.horizontalHeader().setMinimumSectionSize(84)
        self.grid.setWordWrap(False)
        self.hint_label = QLabel("Gõ số tiền bằng đồng vào ô (có thể gõ dấu chấm phân cách "
                                 "hàng nghìn, hoặc «1,5 triệu»); xóa trắng ô để bỏ dòng. Cột "
                                 "«Theo văn bản» và thẻ «Số tổng theo văn bản» ghi số tổng văn "
                                 "bản nêu; ô nền xám là số tự cộng.")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: #555;")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.differences_label = QLabel()
        self.differences_label.setWordWrap(True)
        self.differences_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.differences_label.setStyleSheet(f"color: {ERROR_COLOR};")
        right_layout.addWidget(self.decision_label)
        right_layout.addWidget(self.details_label)
        right_layout.addLayout(controls)
        self.stated_table = QTableWidget()
        self.stated_table.setEditTriggers(self.grid.editTriggers())
        self.stated_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stated_table.verticalHeader().hide()
        self.stated_table.verticalHeader().setDefaultSectionSize(26)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.grid, "Bảng phân bổ theo dự án và nguồn vốn")
        self.tabs.addTab(self.stated_table, "Số tổng theo văn bản")
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.hint_label)
        right_layout.addWidget(self.differences_label)
        right_layout.addWidget(self.status_label)

        splitter = split_panes((left, 1), (right, 3), vertical=True)
        layout.addWidget(splitter, 1)

        self.list.itemSelectionChanged.connect(self._decision_changed)
        self.kind_combo.currentIndexChanged.connect(self.refresh_grid)
        self.recipient_combo.currentIndexChanged.connect(self.refresh_grid)
        self.grid.itemChanged.connect(self._cell_edited)
        self.stated_table.itemChanged.connect(self._cell_edited)
        self.new_button.clicked.connect(self.new_decision)
        self.edit_button.clicked.connect(self.edit_decision)
        self.import_button.clicked.connect(self.import_file)
        self.print_button.clicked.connect(self.print_decision)

    def set_db(self, db: Database | None) -> None:
        self._db = db
        if db is not None:
            self.reload()

    # -- reading ---------------------------------------------------------------------------

    def current_decision_id(self) -> str | None:
        rows = self.list.selectionModel().selectedRows() if self.list.selectionModel() else []
        if not rows:
            return None
        return self.list.item(rows[0].row(), 0).data(DECISION_ID_ROLE)

    def current_decision(self) -> dict | None:
        found = self.current_decision_id()
        return next((r for r in self.rows if r["id"] == found), None)

    def reload(self, select: str | None = None) -> None:
        """Read the decisions again and keep (or set) the selection."""
        if self._db is None:
            return
        select = select or self.current_decision_id()
        self.rows = al.decisions(self._db)
        self.list.blockSignals(True)
        self.list.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            cells = [row["label"], row["issuer"], format_int(row["total"]),
                     str(row["differences"]) if row["differences"] else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(DECISION_ID_ROLE, row["id"])
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if col == 3 and row["differences"]:
                    item.setForeground(QBrush(QColor(ERROR_COLOR)))
                    item.setToolTip(f"{row['differences']} số tổng theo văn bản lệch với tổng "
                                    "các dòng")
                self.list.setItem(n, col, item)
        target = next((n for n, r in enumerate(self.rows) if r["id"] == select), 0)
        if self.rows:
            self.list.selectRow(target)
        self.list.blockSignals(False)
        self.empty_label.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
        self._decision_changed()

    def _decision_changed(self) -> None:
        decision = self.current_decision()
        for button in (self.edit_button, self.print_button):
            button.setEnabled(decision is not None)
        self.recipient_combo.blockSignals(True)
        self.recipient_combo.clear()
        if decision is None:
            self.decision_label.setText("")
            self.details_label.setText("")
            self.recipient_combo.blockSignals(False)
            self.refresh_grid()
            return
        self.decision_label.setText(f"{decision['label']} – {decision['issuer']}")
        parts = [f"Năm {decision['year']}", f"chương trình {decision['programme']}",
                 f"đơn vị nhận mặc định: {decision['recipient_name']}"]
        if decision["legal_basis"]:
            parts.append(f"căn cứ: {decision['legal_basis']}")
        if decision["title"]:
            parts.insert(0, decision["title"])
        self.details_label.setText("; ".join(parts) + ".")
        recipients = al.recipients(self._db, decision["id"])
        used = [p for p in recipients if any(True for _ in self._db.query(
            "SELECT 1 FROM allocation_line WHERE decision_id = ? AND recipient_name = ? "
            "AND deleted = 0 LIMIT 1", [decision["id"], p[1]]))]
        if len(used) > 1:
            self.recipient_combo.addItem(ALL_RECIPIENTS, None)
        for code, name in (used if used else recipients[:1]):
            self.recipient_combo.addItem(name, name)
        self.recipient_combo.setCurrentIndex(0)
        self.recipient_combo.blockSignals(False)
        self.refresh_grid()

    # -- the grid ---------------------------------------------------------------------------

    def _item(self, text: str, *, role: Any = None, computed: bool = False,
              bold: bool = False, color: str | None = None, align_left: bool = False
              ) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setData(CELL_ROLE, role)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if role is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        item.setTextAlignment((Qt.AlignmentFlag.AlignLeft if align_left
                               else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter)
        if computed:
            item.setBackground(QBrush(QColor(COMPUTED_BACKGROUND)))
        if bold:
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
        if color:
            item.setForeground(QBrush(QColor(color)))
        return item

    def whole_decision(self) -> bool:
        """Whether the grid shows every line of the decision (stated totals apply)."""
        return self.recipient_combo.count() <= 1 or self.recipient_combo.currentData() is None

    def refresh_grid(self) -> None:
        """Fill the matrix of the chosen decision, line kind and recipient, and the table of
        stated totals."""
        decision = self.current_decision()
        self._filling = True
        for table in (self.grid, self.stated_table):
            table.clear()
        self.differences_label.setText("")
        self.differences_label.hide()
        if decision is None or self._db is None:
            for table in (self.grid, self.stated_table):
                table.setRowCount(0)
                table.setColumnCount(0)
            self._filling = False
            return
        kind = self.kind_combo.currentData()
        recipient = self.recipient_combo.currentData() if not self.whole_decision() else None
        editable = recipient is not None or self.recipient_combo.count() <= 1
        self.matrix = m = al.matrix(self._db, decision["id"], kind=kind,
                                    recipient_name=recipient)
        programme = programme_db.get_programme(self._db, decision["programme"])
        show_stated = self.whole_decision()
        comparisons = [c for c in al.comparisons(self._db, decision["id"])
                       if c.scope.line_kind == kind] if show_stated else []
        self.stated = {c.scope: c for c in comparisons}
        # columns: line, each (source, capital type), total, stated, difference
        headers = ["Dự án, tiểu dự án"] + [
            f"{pg.source_short(s)}\n{pg.capital_short(c)}" for s, c in m.columns] + [
            "Tổng cộng", "Theo văn bản", "Chênh lệch"]
        lines = list(m.lines)
        self.grid.setColumnCount(len(headers))
        self.grid.setHorizontalHeaderLabels(headers)
        self.grid.setRowCount(len(lines) + 1)
        total_col = 1 + len(m.columns)
        for r, code in enumerate(lines):
            item = programme.item(code)
            name = self._item(code, align_left=True)
            name.setToolTip(item.name if item else code)
            self.grid.setItem(r, 0, name)
            for c, (source, capital) in enumerate(m.columns, start=1):
                role = ("amount", code, source, capital) if editable else None
                self.grid.setItem(r, c, self._item(_money(m.cell(code, source, capital)),
                                                   role=role))
            row_total = m.row_total(code)
            self.grid.setItem(r, total_col, self._item(_money(row_total) if row_total else "",
                                                       computed=True, bold=True))
            scope = Scope(line_code=code, line_kind=kind)
            found = self.stated.get(scope)
            self.grid.setItem(r, total_col + 1, self._item(
                _money(found.stated) if found else "",
                role=("stated", scope) if show_stated else None))
            self.grid.setItem(r, total_col + 2, self._difference_item(found))
        total_row = len(lines)
        self.grid.setItem(total_row, 0, self._item("Tổng cộng", bold=True, computed=True,
                                                   align_left=True))
        for c, (source, capital) in enumerate(m.columns, start=1):
            self.grid.setItem(total_row, c, self._item(_money(m.column_total(source, capital)),
                                                       computed=True, bold=True))
        self.grid.setItem(total_row, total_col, self._item(_money(m.grand_total),
                                                           computed=True, bold=True))
        for extra in (total_col + 1, total_col + 2):
            self.grid.setItem(total_row, extra, self._item("", computed=True))
        self.grid.resizeColumnsToContents()

        # the totals the document states, beside the sums of the lines
        self.stated_table.setColumnCount(4)
        self.stated_table.setHorizontalHeaderLabels(["Số tổng", "Theo văn bản", "Cộng các dòng",
                                                     "Chênh lệch"])
        scopes = [Scope(line_kind=kind)]
        for source in dict.fromkeys(s for s, _ in m.columns):
            scopes.append(Scope(source=source, line_kind=kind))
            scopes += [Scope(source=source, capital_type=c, line_kind=kind)
                       for c in pg.CAPITAL_TYPES]
        self.stated_table.setRowCount(len(scopes) if show_stated else 0)
        for r, scope in enumerate(scopes if show_stated else []):
            found = self.stated.get(scope)
            computed = m.grand_total if scope.source is None else m.column_total(
                scope.source, scope.capital_type)
            label = scope.label if scope.capital_type is None else \
                f"    {pg.capital_name(scope.capital_type).lower()}"
            self.stated_table.setItem(r, 0, self._item(label, align_left=True,
                                                       bold=scope.capital_type is None))
            self.stated_table.setItem(r, 1, self._item(_money(found.stated) if found else "",
                                                       role=("stated", scope)))
            self.stated_table.setItem(r, 2, self._item(_money(computed), computed=True))
            self.stated_table.setItem(r, 3, self._difference_item(found))
        self.stated_table.resizeColumnsToContents()
        differing = [x for x in comparisons if not x.agrees]
        self.differences_label.setText("\n".join(
            f"Lệch: {x.message('dong')}." for x in differing))
        self.differences_label.setVisible(bool(differing))
        self._filling = False

    def _difference_item(self, found) -> QTableWidgetItem:
        if found is None:
            return self._item("", computed=True)
        if found.agrees:
            item = self._item("0", computed=True, color=OK_COLOR)
            item.setToolTip("Khớp với tổng các dòng")
            return item
        item = self._item(_money(found.difference), computed=True, bold=True, color=ERROR_COLOR)
        item.setToolTip(found.message("dong"))
        return item

    # -- editing ----------------------------------------------------------------------------

    def set_cell_text(self, row: int, column: int, text: str) -> None:
        """Type ``text`` into a grid cell, as the user would (the write follows)."""
        self.grid.item(row, column).setText(text)

    def find_cell(self, role_match: Callable[[Any], bool]) -> tuple[int, int]:
        for r in range(self.grid.rowCount()):
            for c in range(self.grid.columnCount()):
                item = self.grid.item(r, c)
                if item is not None and item.data(CELL_ROLE) is not None and \
                        role_match(item.data(CELL_ROLE)):
                    return r, c
        raise KeyError("no such cell")

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        role = item.data(CELL_ROLE)
        decision = self.current_decision()
        if role is None or decision is None:
            return
        text = item.text().strip()
        try:
            amount = None if not text else parse_amount(text, field="số tiền")
        except InputError as exc:
            self.show_status(str(exc), error=True)
            self.refresh_grid()
            return
        if amount is not None and amount < 0:
            self.show_status("Số tiền không được âm.", error=True)
            self.refresh_grid()
            return
        decision_id = decision["id"]
        kind = self.kind_combo.currentData()
        if role[0] == "amount":
            _, line, source, capital = role
            recipient = self.recipient_combo.currentData()
            task = _write(lambda w: al.set_amount(
                w, decision_id, line_code=line, source=source, capital_type=capital,
                amount=amount, kind=kind, recipient_name=recipient,
                recipient_unit=self._recipient_code(decision, recipient)))
        else:
            scope = role[1]
            task = _write(lambda w: al.set_stated(w, decision_id, scope, amount))
        self.tasks.run(task, lambda _row: self._written(decision_id), self._failed)

    def _recipient_code(self, decision: dict, name: str | None) -> str | None:
        if name is None or name == decision["recipient_name"]:
            return decision["recipient_unit"]
        found = self._db.execute("SELECT recipient_unit FROM allocation_line WHERE "
                                 "decision_id = ? AND recipient_name = ? LIMIT 1",
                                 [decision["id"], name]).fetchone()
        return found[0] if found else None

    def _written(self, decision_id: str) -> None:
        self.show_status("Đã ghi.")
        keep_kind, keep_recipient = self.kind_combo.currentIndex(), \
            self.recipient_combo.currentIndex()
        self.reload(select=decision_id)
        self.kind_combo.setCurrentIndex(keep_kind)
        if keep_recipient < self.recipient_combo.count():
            self.recipient_combo.setCurrentIndex(keep_recipient)

    def _failed(self, exc: BaseException) -> None:
        report_failure(self, exc, lambda text: self.show_status(text, error=True))
        self.refresh_grid()

    def show_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOR if error else OK_COLOR};")
        if not error:
            self.message.emit(text)

    # -- actions ----------------------------------------------------------------------------

    def _year(self) -> int:
        from datetime import date
        return date.today().year

    def new_decision(self) -> DecisionDialog:
        dialog = DecisionDialog(self.tasks, self._db, year=self._year(), parent=self)
        dialog.finished.connect(lambda result: self._dialog_done(dialog, result))
        dialog.open()
        return dialog

    def edit_decision(self) -> DecisionDialog | None:
        decision = self.current_decision()
        if decision is None:
            return None
        dialog = DecisionDialog(self.tasks, self._db, decision, year=decision["year"],
                                parent=self)
        dialog.finished.connect(lambda result: self._dialog_done(dialog, result))
        dialog.open()
        return dialog

    def _dialog_done(self, dialog: DecisionDialog, result: int) -> None:
        if result and dialog.result_row is not None:
            self.reload(select=dialog.result_row["id"])
            self.show_status(f"Đã ghi {al.decision_label(dialog.result_row)}.")

    def ask_import_file(self) -> Path | None:
        """Ask which file to import (a file dialog)."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Chọn tệp phân bổ vốn", str(Path.home()),
            "Bảng phân bổ hoặc số tổng (*.csv *.xlsx *.json);;Tất cả các tệp (*)")
        return Path(name) if name else None

    def ask_import_options(self, path: Path, programme: pg.Programme) -> dict | None:
        """Ask what the file leaves unsaid (a small dialog); None when cancelled."""
        if path.suffix.lower() == ".json":
            return {}
        dialog = ImportDialog(path, programme, self)
        return dialog.options() if dialog.exec() else None

    def import_file(self) -> None:
        """Import a file into the chosen decision (a new plan when none is chosen)."""
        decision = self.current_decision()
        path = self.ask_import_file()
        if path is None:
            return
        if decision is None:
            self.show_status("Hãy chọn (hoặc tạo) văn bản trước khi nhập tệp.", error=True)
            return
        options = self.ask_import_options(path, programme_db.get_programme(
            self._db, decision["programme"]))
        if options is None:
            return
        decision_id = decision["id"]

        def task(db: Database) -> al.ImportReport:
            return al.import_file(sites.writer(db), path, decision=decision_id, **options)

        def done(report: al.ImportReport) -> None:
            self.reload(select=decision_id)
            if report.kind == "lines" and options.get("kind") == "carry_over":
                self.kind_combo.setCurrentIndex(self.kind_combo.findData("carry_over"))
            text = (f"Đã nhập {report.file}: mới {report.new}, cập nhật {report.updated}, "
                    f"không đổi {report.unchanged}.")
            if report.carried_down:
                text += (" Ô đơn vị trống lấy theo dòng trên: dòng "
                         + ", ".join(map(str, report.carried_down)) + ".")
            self.show_status(text)

        self.tasks.run(task, done, self._import_failed)

    def _import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, GnappError):
            self.show_status("Không nhập được, chưa ghi gì:\n" + str(exc), error=True)
        else:
            self._failed(exc)

    def ask_print_target(self, decision: dict) -> tuple[str, Path, str] | None:
        """Ask which table, unit and file to print to; None when cancelled."""
        dialog = QDialog(self)
        dialog.setWindowTitle("In phân bổ vốn")
        form = QFormLayout(dialog)
        which = code_combo(ar.PRINTS)
        unit = code_combo({"trieu": "triệu đồng", "nghin": "nghìn đồng", "dong": "đồng"})
        form.addRow("&Bảng:", which)
        form.addRow("Đơn vị &tính:", unit)
        buttons = QDialogButtonBox()
        buttons.addButton("Chọn tệp…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if not dialog.exec():
            return None
        name, _ = QFileDialog.getSaveFileName(self, "Lưu bản in", str(Path.home() / "phan-bo.pdf"),
                                              "PDF (*.pdf);;Excel (*.xlsx)")
        return (which.currentData(), Path(name), unit.currentData()) if name else None

    def print_decision(self) -> None:
        decision = self.current_decision()
        if decision is None:
            return
        target = self.ask_print_target(decision)
        if target is None:
            return
        which, path, unit = target
        decision_id = decision["id"]
        self.tasks.run(lambda db: ar.produce(db, which, decision_id, path, unit=unit),
                       lambda written: self.show_status(f"Đã in vào {written}."), self._failed)
