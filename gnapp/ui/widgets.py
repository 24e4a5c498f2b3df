"""Small reusable widgets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QFileDialog,
                               QHeaderView, QLabel, QMessageBox, QSpinBox, QTableWidget,
                               QVBoxLayout, QWidget)

from gnapp.domain.text import fold

ERROR_COLOR = "#b00020"   # refusals, errors, what is overdue

KEY_ROLE = Qt.ItemDataRole.UserRole
FOLD_ROLE = Qt.ItemDataRole.UserRole + 1


class FoldFilterModel(QSortFilterProxyModel):
    """Keeps the rows whose name contains every typed word, ignoring case and diacritics."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = (fold(text) or "").split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        """Overrides QSortFilterProxyModel.filterAcceptsRow."""
        folded = self.sourceModel().index(source_row, 0, source_parent).data(FOLD_ROLE) or ""
        return all(word in folded for word in self._words)


class SearchComboBox(QComboBox):
    """An editable combo box whose list narrows as the user types, ignoring diacritics.

    Typing "tan yen" offers "Xã Tân Yên". Each item has a key (a unit code); ``current_key``
    gives the key of the chosen item, or of the only item matching the typed text.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self._filter = FoldFilterModel(self)
        self._filter.setSourceModel(self._items)
        completer = QCompleter(self._filter, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        # connected before QLineEdit asks the completer for its popup, so the list is filtered
        self.lineEdit().textEdited.connect(self._filter.set_text)

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the items by ``(key, text)`` pairs, in the order given; nothing is chosen."""
        self._items.clear()
        for key, text in items:
            item = QStandardItem(text)
            item.setData(key, KEY_ROLE)
            item.setData(fold(text), FOLD_ROLE)
            self._items.appendRow(item)
        self._filter.set_text("")
        self.setCurrentIndex(-1)
        self.clearEditText()

    def filtered_texts(self) -> list[str]:
        """The texts the completer currently offers."""
        return [self._filter.index(row, 0).data() for row in range(self._filter.rowCount())]

    def set_current_key(self, key: str) -> None:
        index = self.findData(key, KEY_ROLE)
        self.setCurrentIndex(index)

    def current_key(self) -> str | None:
        """The key of the chosen item; or of the one item whose name the typed text matches
        (exactly, then as words anywhere, ignoring diacritics); None when not one item."""
        text = self.currentText()
        if self.currentIndex() >= 0 and self.itemText(self.currentIndex()) == text:
            return self.itemData(self.currentIndex(), KEY_ROLE)
        typed = fold(text) or ""
        if not typed:
            return None
        folded = [(row, self.itemData(row, FOLD_ROLE)) for row in range(self.count())]
        exact = [row for row, name in folded if name == typed]
        if len(exact) == 1:
            return self.itemData(exact[0], KEY_ROLE)
        words = typed.split()
        matching = [row for row, name in folded if all(w in name for w in words)]
        if len(matching) == 1:
            return self.itemData(matching[0], KEY_ROLE)
        return None


def ask_to_go_on(parent: QWidget | None, title: str, question: str, explanation: str,
                 go_text: str) -> bool:
    """A question with what it means, answered by ``go_text`` or "Hủy"."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(explanation)
    go = box.addButton(go_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is go


def read_only_rows(view: QAbstractItemView) -> None:
    """A table people read and choose from: whole rows, one at a time, never edited in
    place; Tab leaves it; lines in alternating colours, no row numbers."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()


def list_table(columns: Sequence[str], stretch: int | None = None) -> QTableWidget:
    """A read-only table of one-line rows; columns fit their contents, ``stretch`` takes
    the rest of the width."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    read_only_rows(table)
    table.setWordWrap(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def set_tab_order(widgets: Iterable[QWidget]) -> None:
    """Tab moves through ``widgets`` in this order (the order of the paper form)."""
    order = list(widgets)
    for first, second in zip(order, order[1:]):
        QWidget.setTabOrder(first, second)


def page_layout(page: QWidget, title: str, *, bottom: int = 12) -> QVBoxLayout:
    """The layout of an area of the main window: its margins, then its title."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 20, 24, bottom)
    layout.addWidget(page_title(title))
    return layout


def page_title(text: str) -> QLabel:
    """The title of an area of the main window: bold, one and a half times the text."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label


def choose_paths(parent: QWidget | None, title: str, *, mode: QFileDialog.FileMode,
                 folder: str = "", filters: str = "") -> list[Path]:
    """A file or folder dialog labelled in Vietnamese (Qt's own dialog, so that the labels
    apply); the chosen paths, or none when cancelled."""
    dialog = QFileDialog(parent, title, folder, filters)
    dialog.setFileMode(mode)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    folders = mode == QFileDialog.FileMode.Directory
    if folders:
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    for label, text in ((QFileDialog.DialogLabel.LookIn, "Thư mục:"),
                        (QFileDialog.DialogLabel.FileName,
                         "Tên thư mục:" if folders else "Tên tệp:"),
                        (QFileDialog.DialogLabel.FileType, "Loại:" if folders else "Loại tệp:"),
                        (QFileDialog.DialogLabel.Accept, "Chọn"),
                        (QFileDialog.DialogLabel.Reject, "Hủy")):
        dialog.setLabelText(label, text)
    if not dialog.exec():
        return []
    return [Path(p) for p in dialog.selectedFiles()]


def code_combo(items: Mapping[str, str], placeholder: str | None = None, *,
               blank: str | None = None) -> QComboBox:
    """A combo of labels keeping their codes as item data (``blank``: a first item standing
    for no code). It starts on its first item; with a ``placeholder``, on none until the
    user chooses (on ``blank`` when there is one)."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for key, label in items.items():
        combo.addItem(label, key)
    if placeholder is not None:
        combo.setPlaceholderText(placeholder)
        combo.setCurrentIndex(-1 if blank is None else 0)
    return combo


def year_spin(first: int, value: int | None = None) -> QSpinBox:
    """A year chooser from ``first`` to 2100, on ``value`` (else on ``first``)."""
    spin = QSpinBox()
    spin.setRange(first, 2100)
    if value is not None:
        spin.setValue(value)
    return spin


def message_label() -> QLabel:
    """A hidden line of text under a form for what a write said (``show_message``)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_message(label: QLabel, text: str, color: str = ERROR_COLOR) -> None:
    """Show ``text`` in ``label`` in ``color``; hide the label when there is none."""
    label.setText(text)
    label.setStyleSheet(f"color: {color};")
    label.setVisible(bool(text))
