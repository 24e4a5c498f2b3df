"""Small reusable widgets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import (QLocale, QModelIndex, QObject, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt, QTimer)
from PySide6.QtGui import (QCloseEvent, QKeySequence, QPainter, QPaintEvent, QShortcut,
                           QStandardItem, QStandardItemModel)
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QDialog,
                               QDialogButtonBox, QFileDialog,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QProgressBar, QPushButton, QSpinBox, QSplitter, QTableWidget,
                               QVBoxLayout, QWidget)

from gnapp.domain.text import clean, fold

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


def key_text(keys: QKeySequence | QKeySequence.StandardKey | str) -> str:
    """A key sequence as people read it ("Ctrl+S")."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def add_shortcut(parent: QWidget, keys: QKeySequence | QKeySequence.StandardKey | str, slot, *,
                 button: QWidget | None = None,
                 context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut
                 ) -> QShortcut:
    """A keyboard shortcut for ``slot`` while the keyboard is in ``parent`` (by default);
    ``button``'s tooltip then ends with the keys, e.g. "(Ctrl+S)"."""
    shortcut = QShortcut(QKeySequence(keys), parent)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    if button is not None:
        text = key_text(keys)
        tip = button.toolTip() or button.text().replace("&", "").rstrip("…").strip()
        if text not in tip:
            button.setToolTip(f"{tip} ({text})")
    return shortcut


SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def confirm_undo(parent: QWidget | None, edit, what: str = "") -> bool:
    """Ask to undo ``edit`` (a ``gnapp.db.undo.LastEdit``): when, by whom, what comes back;
    ``what`` names the record ("phiếu ") in the question."""
    return ask_to_go_on(
        parent, "Hoàn tác lần sửa cuối",
        f"Hoàn tác lần sửa {what}lúc {edit.when()} của {edit.user}?",
        f"{edit.describe()}\n\nCác giá trị cũ được ghi lại như một lần sửa mới; nhật ký vẫn "
        "giữ cả hai lần.", "Hoàn tác")


def ask_unsaved(parent: QWidget | None, question: str, explanation: str = "", *,
                can_save: bool = True, discard_text: str = "Không lưu") -> str:
    """The unsaved-changes guard: "Lưu" (``SAVE``), "Không lưu" (``DISCARD``) or "Hủy"
    (``CANCEL``: stay). Without ``can_save`` only "Không lưu" and "Hủy" are offered.

    Forms call it as ``widgets.ask_unsaved`` so that the GUI tests can answer it.
    """
    box = QMessageBox(QMessageBox.Icon.Question, "Có thay đổi chưa lưu", question,
                      QMessageBox.StandardButton.NoButton, parent)
    if explanation:
        box.setInformativeText(explanation)
    save = box.addButton("Lưu", QMessageBox.ButtonRole.AcceptRole) if can_save else None
    discard = box.addButton(discard_text, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save or cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if save is not None and clicked is save:
        return SAVE
    return DISCARD if clicked is discard else CANCEL


class UnsavedGuard(QObject):
    """The unsaved-changes guard of a dialog: remembers what its fields held when it was
    first shown (or ``mark_clean``); ``may_close()`` asks "Lưu / Không lưu / Hủy" when they
    changed since.

    :param save: what "Lưu" does (usually the dialog's ``accept``: it closes once written)
    """

    def __init__(self, dialog: QWidget, question: str, save, *, fields: QWidget | None = None):
        super().__init__(dialog)
        self.dialog = dialog
        self.fields = fields or dialog
        self.question = question
        self.save = save
        self.initial: tuple | None = None
        dialog.installEventFilter(self)

    def eventFilter(self, watched: QObject, event) -> bool:
        """Overrides QObject.eventFilter: the fields as first shown are the clean state."""
        from PySide6.QtCore import QEvent
        if watched is self.dialog and event.type() == QEvent.Type.Show and self.initial is None:
            self.mark_clean()
        return False

    def mark_clean(self) -> None:
        self.initial = form_values(self.fields)

    def changed(self) -> bool:
        return self.initial is not None and form_values(self.fields) != self.initial

    def unsaved_changes(self) -> list[str]:
        """The dialog's title when it is open with typed changes (for closing the program)."""
        return [self.dialog.windowTitle()] if self.dialog.isVisible() and self.changed() else []

    def may_close(self) -> bool:
        """True when nothing changed or the user chose "Không lưu"; "Lưu" runs ``save``."""
        if not self.changed():
            return True
        answer = ask_unsaved(self.dialog, self.question,
                             "«Không lưu» đóng và bỏ các thông tin vừa nhập; «Hủy» để sửa tiếp.")
        if answer == SAVE:
            self.save()
        return answer == DISCARD


def form_values(root: QWidget) -> tuple:
    """What the input widgets under ``root`` hold now (texts, choices, ticks), in a fixed
    order: compare two readings to know whether anything was typed or chosen."""
    from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox,
                                   QPlainTextEdit, QTextEdit)
    values: list = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit):
            values.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return tuple(values)


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


def split_panes(*panes: tuple[QWidget, int], vertical: bool = False,
                sizes: Sequence[int] = ()) -> QSplitter:
    """Panes side by side (``vertical``: one above the other), each ``(widget, stretch)``
    growing by its stretch factor, none collapsing to nothing; ``sizes``: their first sizes
    in pixels."""
    split = QSplitter(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
    for index, (widget, stretch) in enumerate(panes):
        split.addWidget(widget)
        split.setStretchFactor(index, stretch)
    if sizes:
        split.setSizes(list(sizes))
    split.setChildrenCollapsible(False)
    return split


def limit_spin(maximum: int, unit: str, zero_text: str, tip: str) -> QSpinBox:
    """A remembered limit from 0 (``zero_text``: none, or automatic) to ``maximum`` ``unit``,
    written the Vietnamese way ("20.000 KB"); taken when typing ends (Enter, leaving)."""
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSuffix(f" {unit}")
    spin.setSpecialValueText(zero_text)
    spin.setGroupSeparatorShown(True)
    spin.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    spin.setKeyboardTracking(False)
    spin.setToolTip(tip)
    return spin


def password_edit(placeholder: str = "") -> QLineEdit:
    """A field whose typing is shown as dots."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class ElidedLabel(QLabel):
    """A label at most ``max_width`` pixels wide that shows as much of its text as fits, with
    "…" in the middle (a file path keeps its start and its name); its text stays whole."""

    def __init__(self, max_width: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaximumWidth(max_width)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Overrides QLabel.paintEvent: draw the text elided to the width."""
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle,
                                              rect.width())
        QPainter(self).drawText(rect, int(self.alignment()), shown)


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


class ProgressDialog(QDialog):
    """The progress of a long task with a "Hủy" button (``TaskManager.run_with_progress``).

    It appears only when the task takes longer than ``SHOW_AFTER_MS``, shows a bar with the
    count (a moving busy bar while the total is unknown), and closes when the task reports
    back. "Hủy" (or Esc, or closing the window) asks the task to stop; the task then rolls
    back what it wrote.

    :param progress: a ``TaskProgress`` (``changed``, ``finished``, ``cancel()``)
    """

    SHOW_AFTER_MS = 400
    CANCELLING = "Đang hủy, chờ bước đang làm xong…"

    def __init__(self, progress: QObject, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.progress = progress
        self.done = False
        self.setWindowTitle("Đang xử lý – gnapp")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.title_label = QLabel(label)
        self.title_label.setWordWrap(True)
        self.step_label = QLabel()
        self.step_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.setToolTip("Dừng lại; những gì đang ghi dở sẽ không được lưu (Esc)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.step_label)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.cancel_button.clicked.connect(self.cancel)
        progress.changed.connect(self.set_progress)
        progress.finished.connect(self.finish)
        QTimer.singleShot(self.SHOW_AFTER_MS, self._show_if_running)

    def _show_if_running(self) -> None:
        if not self.done:
            self.show()

    def set_progress(self, done: int, total: int, label: str) -> None:
        """Show ``done`` of ``total`` (busy when ``total`` is 0) and what is being done."""
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        if not self.progress.cancelled:
            self.step_label.setText(label)

    def cancel(self) -> None:
        """"Hủy": ask the task to stop at its next step."""
        if self.done:
            return
        self.progress.cancel()
        self.cancel_button.setEnabled(False)
        self.step_label.setText(self.CANCELLING)

    def finish(self) -> None:
        self.done = True
        self.hide()
        self.deleteLater()

    def reject(self) -> None:
        """Overrides QDialog.reject (Esc): cancel, the dialog stays until the task stops."""
        self.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Overrides QWidget.closeEvent: closing the window cancels the task."""
        if not self.done:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)


class TextDialog(QDialog):
    """Ask for one line of text: a reason (written to the audit log), a comment, a number.

    The one way pages ask such a question, so they all look and behave alike: the question
    above, the line below, «Hủy» and a go button named for what it does, enabled once
    something is typed when the text is required.
    """

    def __init__(self, title: str, question: str, go_text: str = "Đồng ý", *,
                 text: str = "", placeholder: str = "", required: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.required = required
        self.question_label = QLabel(question)
        self.question_label.setWordWrap(True)
        self.text_edit = QLineEdit(text)
        self.text_edit.setPlaceholderText(placeholder)
        self.text_edit.setMaxLength(300)
        self.buttons = QDialogButtonBox()
        self.go_button = self.buttons.addButton(go_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question_label)
        layout.addWidget(self.text_edit)
        layout.addWidget(self.buttons)
        self.text_edit.textChanged.connect(lambda _: self._update())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._update()

    def value(self) -> str:
        """What was typed, in NFC with its spaces tidied."""
        return clean(self.text_edit.text()) or ""

    def _update(self) -> None:
        self.go_button.setEnabled(bool(self.value()) or not self.required)

    def accept(self) -> None:
        """Overrides QDialog.accept: a required text must have been typed."""
        if self.value() or not self.required:
            super().accept()


def ask_text(parent: QWidget | None, title: str, question: str, go_text: str = "Đồng ý",
             **options) -> str | None:
    """The text typed in a ``TextDialog`` (``options`` as it takes them), None on «Hủy»."""
    dialog = TextDialog(title, question, go_text, parent=parent, **options)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
