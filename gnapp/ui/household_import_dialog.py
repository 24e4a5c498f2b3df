"""«Nhập từ tệp…» of the household area: a household list (the national review software's
export, or any sheet) into the register, looked at before anything is written.

The dialog is a front for ``gnapp.db.household_import``: «Xem trước» plans the import in the
worker (a dry run) and lists every row of the file with its category and reason; «Nhập» then
writes the rows planned for writing in one transaction, with progress and «Hủy». Changing the
file or an option drops the preview, so what is written is always what was looked at; a
register that changed meanwhile is refused by ``apply_import`` (preview again).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from gnapp.db import household_import as imp
from gnapp.db import sites
from gnapp.domain.cancel import Cancelled
from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import format_int
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import (ERROR_COLOR, choose_paths, list_table, message_label,
                              set_tab_order, show_message, year_spin)

ALL_ROWS = "Tất cả các dòng"
# rows that need a look first in the list: what will not be written, then what is doubtful
CATEGORY_COLORS = {"refused": ERROR_COLOR, "conflict": ERROR_COLOR, "flagged": "#9a5b00"}
NOT_CHOSEN = "(chưa chọn tệp)"
IGNORED_SHOWN = 6         # columns named in "Cột không nhập", the rest counted
AUTO_MAPPING = "(tự nhận: mẫu xuất của phần mềm rà soát, hoặc đoán theo tên cột)"


class HouseholdImportDialog(QDialog):
    """Choose a file and options, preview every row, then import.

    :param tasks: the worker that plans and writes
    """

    # after a successful import: the counts written ({households_added, …})
    imported = Signal(dict)

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.source: Path | None = None
        self.mapping: Path | None = None
        self.plan: imp.ImportPlan | None = None
        self.setWindowTitle("Nhập danh sách hộ từ tệp")
        self.resize(980, 640)

        self.file_label = QLabel(NOT_CHOSEN)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_button = QPushButton("Chọn tệp…")
        self.mapping_label = QLabel(AUTO_MAPPING)
        self.mapping_label.setWordWrap(True)
        self.mapping_button = QPushButton("Tệp ánh xạ cột…")
        self.mapping_button.setToolTip("Tệp JSON {\"cột trong tệp\": \"trường\"} cho bảng tính "
                                       "có tên cột khác; tệp xuất của phần mềm rà soát quốc "
                                       "gia không cần.")
        self.create_villages_check = QCheckBox("Thêm các thôn chưa có trong danh mục của xã "
                                               "(nếu không, dòng của thôn lạ bị từ chối)")
        self.year_check = QCheckBox("Dòng không ghi năm thuộc đợt rà soát năm")
        self.year_box = year_spin(2021, date.today().year)
        self.year_box.setEnabled(False)
        self.former_edit = QLineEdit()
        self.former_edit.setPlaceholderText("để trống nếu là sổ hộ của chính xã này")
        self.former_edit.setMaxLength(5)
        self.former_edit.setToolTip("Mã xã cũ (5 chữ số) khi nhập sổ hộ của một xã đã sáp nhập "
                                    "vào xã này từ 01/7/2025: mỗi hộ giữ mã xã cũ, mã hộ trùng "
                                    "được đổi thành <mã xã cũ>-<mã hộ>.")
        self.preview_button = QPushButton("Xem trước")
        self.preview_button.setDefault(True)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.file_button)
        mapping_row = QHBoxLayout()
        mapping_row.addWidget(self.mapping_label, 1)
        mapping_row.addWidget(self.mapping_button)
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_check)
        year_row.addWidget(self.year_box)
        year_row.addStretch()
        form = QFormLayout()
        form.addRow("Tệp danh sách hộ:", file_row)
        form.addRow("Ánh xạ cột:", mapping_row)
        form.addRow("", self.create_villages_check)
        form.addRow("", year_row)
        form.addRow("Sổ hộ của xã cũ (mã xã):", self.former_edit)

        self.summary_label = QLabel("Chọn tệp .xlsx, .csv hoặc .json rồi bấm «Xem trước»: "
                                    "chưa có gì được ghi cho đến khi bấm «Nhập».")
        self.summary_label.setWordWrap(True)
        self.message = message_label()
        self.filter_box = QComboBox()
        self.filter_box.addItem(ALL_ROWS, None)
        self.table = list_table(["Dòng", "Loại", "Mã hộ", "Chủ hộ", "Lý do"], stretch=4)
        self.detail_label = QLabel()          # the whole reason of the chosen row
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_button = QPushButton("Nhập")
        self.import_button.setEnabled(False)
        self.close_button = QPushButton("Đóng")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_button)
        preview_row.addStretch()
        preview_row.addWidget(QLabel("Xem:"))
        preview_row.addWidget(self.filter_box)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(preview_row)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addLayout(buttons)
        set_tab_order([self.file_button, self.mapping_button, self.create_villages_check,
                       self.year_check, self.year_box, self.former_edit, self.preview_button,
                       self.filter_box, self.table, self.import_button, self.close_button])

        self.file_button.clicked.connect(self.choose_file)
        self.mapping_button.clicked.connect(self.choose_mapping)
        self.year_check.toggled.connect(self.year_box.setEnabled)
        for signal in (self.create_villages_check.toggled, self.year_check.toggled,
                       self.year_box.valueChanged, self.former_edit.textChanged):
            signal.connect(lambda *_: self._drop_preview())
        self.preview_button.clicked.connect(self.preview)
        self.filter_box.currentIndexChanged.connect(lambda _: self._fill_table())
        self.table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))
        self.import_button.clicked.connect(self.run_import)
        self.close_button.clicked.connect(self.reject)
        self._update_buttons()

    # -- questions (tests answer them) ----------------------------------------------------

    def ask_source(self) -> Path | None:
        chosen = choose_paths(self, "Chọn tệp danh sách hộ", mode=QFileDialog.FileMode.ExistingFile,
                              filters="Danh sách hộ (*.xlsx *.csv *.json);;Tất cả các tệp (*)")
        return chosen[0] if chosen else None

    def ask_mapping(self) -> Path | None:
        chosen = choose_paths(self, "Chọn tệp ánh xạ cột", mode=QFileDialog.FileMode.ExistingFile,
                              filters="Tệp ánh xạ cột (*.json);;Tất cả các tệp (*)")
        return chosen[0] if chosen else None

    # -- choosing ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        path = self.ask_source()
        if path is not None:
            self.set_source(path)

    def set_source(self, path: Path) -> None:
        self.source = Path(path)
        self.file_label.setText(str(self.source))
        self._drop_preview()

    def choose_mapping(self) -> None:
        path = self.ask_mapping()
        if path is not None:
            self.mapping = Path(path)
            self.mapping_label.setText(str(self.mapping))
            self._drop_preview()

    def options(self) -> dict:
        """The arguments of ``plan_import`` besides the file, as chosen."""
        return {"mapping": self.mapping, "create_villages": self.create_villages_check.isChecked(),
                "round_year": self.year_box.value() if self.year_check.isChecked() else None,
                "former_unit": self.former_edit.text().strip() or None}

    # -- preview ----------------------------------------------------------------------------

    def preview(self) -> None:
        """Plan the import in the worker and list every row with its category."""
        if self.source is None or self.tasks.busy:
            show_message(self.message, "Hãy chọn tệp danh sách hộ trước.")
            return
        source, options = self.source, self.options()
        self._drop_preview()
        self.summary_label.setText(f"Đang đọc {source.name}…")
        self.preview_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.summary_label.setText("")
            self._update_buttons()
            if isinstance(exc, GnappError):
                show_message(self.message, str(exc))
            else:
                show_error(self, exc)

        self.tasks.run(lambda db: imp.plan_import(db, source, **options), self._show_plan,
                       failed)

    def _show_plan(self, plan: imp.ImportPlan) -> None:
        self.plan = plan
        counts = plan.counts()
        summary = [imp.report_lines(plan)[0],
                   " · ".join(f"{label}: {format_int(counts[name])}"
                              for name, label in imp.CATEGORIES.items() if counts[name])]
        if plan.ignored_columns:
            shown = list(plan.ignored_columns[:IGNORED_SHOWN])
            more = len(plan.ignored_columns) - len(shown)
            summary.append("Cột không nhập: " + ", ".join(shown)
                           + (f" và {more} cột khác" if more else ""))
        if plan.villages_to_create:
            summary.append("Thôn sẽ thêm: " + ", ".join(plan.villages_to_create.values()))
        self.summary_label.setText("\n".join(summary))
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        self.filter_box.addItem(f"{ALL_ROWS} ({format_int(len(plan.rows))})", None)
        for name, label in imp.CATEGORIES.items():
            if counts[name]:
                self.filter_box.addItem(f"{label} ({format_int(counts[name])})", name)
        self.filter_box.blockSignals(False)
        self._fill_table()
        to_write = self.rows_to_write()
        if plan.has_problems:
            show_message(self.message, "Có dòng bị từ chối hoặc xung đột: các dòng đó không "
                         "được nhập. Sửa tệp rồi xem trước lại, hoặc nhập các dòng còn lại.",
                         color="#9a5b00")
        elif not to_write:
            show_message(self.message, "Sổ hộ đã có đủ những gì tệp ghi: không có gì để nhập.",
                         color="palette(window-text)")
        self._update_buttons()

    def rows_to_write(self) -> int:
        if self.plan is None:
            return 0
        return sum(1 for r in self.plan.rows if r.category in imp.WRITTEN and r.primary)

    def _fill_table(self) -> None:
        wanted = self.filter_box.currentData()
        rows = [r for r in (self.plan.rows if self.plan else ())
                if wanted is None or r.category == wanted]
        self.table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            cells = [str(row.row), imp.CATEGORIES[row.category], row.code or "",
                     row.head or "", row.reason]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1 and row.category in CATEGORY_COLORS:
                    item.setForeground(QColor(CATEGORY_COLORS[row.category]))
                if c == 4:
                    item.setToolTip(text)
                self.table.setItem(n, c, item)

    def _show_detail(self, row: int) -> None:
        item = self.table.item(row, 4) if row >= 0 else None
        self.detail_label.setText(
            f"Dòng {self.table.item(row, 0).text()}: {item.text()}" if item else "")

    def _drop_preview(self) -> None:
        """Anything changed: the preview no longer says what would be written."""
        if self.plan is not None:
            self.summary_label.setText("Đã đổi tệp hoặc lựa chọn: bấm «Xem trước» lại.")
        self.plan = None
        self.table.setRowCount(0)
        self.detail_label.clear()
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        self.filter_box.addItem(ALL_ROWS, None)
        self.filter_box.blockSignals(False)
        show_message(self.message, "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.tasks.busy
        self.preview_button.setEnabled(self.source is not None and not busy)
        n = self.rows_to_write()
        self.import_button.setEnabled(n > 0 and not busy)
        self.import_button.setText(f"Nhập {format_int(n)} hộ" if n else "Nhập")

    # -- import -----------------------------------------------------------------------------

    def run_import(self) -> None:
        """Write the rows of the preview (new, updated, to look at again), with progress."""
        plan = self.plan
        if plan is None or not self.rows_to_write():
            return
        self.import_button.setEnabled(False)
        self.preview_button.setEnabled(False)

        def done(written: dict) -> None:
            self.imported.emit(written)
            self.accept()

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            if isinstance(exc, Cancelled):
                show_message(self.message, "Đã hủy: không có hộ nào được nhập.",
                             color="palette(window-text)")
            elif isinstance(exc, GnappError):
                show_message(self.message, str(exc))
            else:
                show_error(self, exc)

        self.tasks.run_with_progress(
            lambda db, progress: imp.apply_import(db, plan, sites.writer(db),
                                                  progress=progress).result,
            done, failed, parent=self, label=f"Nhập danh sách hộ từ {plan.source}")


def written_text(written: dict) -> str:
    """What an import wrote, for the status bar."""
    return (f"Đã nhập từ tệp: thêm {format_int(written['households_added'])} hộ, cập nhật "
            f"{format_int(written['households_updated'])} hộ, "
            f"{format_int(written['reviews_saved'])} phiếu rà soát.")
