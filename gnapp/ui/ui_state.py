"""What the screens looked like last time: window layout and last filters, per machine and
per database file.

The state lives in ``ui-state.ini`` in the per-user data folder (``gnapp.paths.data_dir``),
never in the database (it is this PC's, it does not travel). Each database file has its own
group, named by a hash of its resolved path, so two databases on one PC keep their own
filters. Values are plain text (JSON for chosen items, base64 for Qt's saved layouts); a value
that no longer fits (a village since deleted, a layout of another version) is ignored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QHeaderView, QLineEdit, QSplitter, QWidget

from gnapp.paths import data_dir

FILE_NAME = "ui-state.ini"


def database_key(db_path: str | Path) -> str:
    """A stable id of a database file on this PC (its resolved path, hashed)."""
    resolved = str(Path(db_path).expanduser().resolve())
    return "db-" + hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]


class UiState:
    """The remembered screen state of one database file on this PC.

    :param db_path: the database file the state belongs to
    :param file: the ini file (default: ``ui-state.ini`` in the data folder)
    """

    def __init__(self, db_path: str | Path, file: str | Path | None = None):
        self.file = Path(file) if file is not None else data_dir() / FILE_NAME
        self.group = database_key(db_path)
        self._settings = QSettings(str(self.file), QSettings.Format.IniFormat)

    def _key(self, key: str) -> str:
        return f"{self.group}/{key}"

    # -- plain values ------------------------------------------------------------------------

    def get(self, key: str) -> Any:
        """The JSON value stored under ``key``, or None (also when unreadable)."""
        text = self._settings.value(self._key(key))
        if not isinstance(text, str):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def set(self, key: str, value: Any) -> None:
        self._settings.setValue(self._key(key), json.dumps(value, ensure_ascii=False))

    def sync(self) -> None:
        """Write the file now (Qt writes it at exit anyway)."""
        self._settings.sync()

    # -- Qt layouts --------------------------------------------------------------------------

    def get_bytes(self, key: str) -> QByteArray | None:
        text = self.get(key)
        if not isinstance(text, str):
            return None
        return QByteArray.fromBase64(text.encode("ascii"))

    def set_bytes(self, key: str, data: QByteArray) -> None:
        self.set(key, bytes(data.toBase64()).decode("ascii"))

    def save_splitter(self, key: str, splitter: QSplitter) -> None:
        self.set_bytes(key, splitter.saveState())

    def restore_splitter(self, key: str, splitter: QSplitter) -> None:
        data = self.get_bytes(key)
        if data is not None:
            splitter.restoreState(data)

    def save_header(self, key: str, header: QHeaderView) -> None:
        """Column widths (and order) of a table."""
        self.set_bytes(key, header.saveState())

    def restore_header(self, key: str, header: QHeaderView) -> None:
        data = self.get_bytes(key)
        if data is not None:
            header.restoreState(data)

    def save_geometry(self, key: str, widget: QWidget) -> None:
        self.set_bytes(key, widget.saveGeometry())

    def restore_geometry(self, key: str, widget: QWidget) -> bool:
        data = self.get_bytes(key)
        return data is not None and widget.restoreGeometry(data)

    # -- filter widgets ----------------------------------------------------------------------

    def save_widgets(self, prefix: str, widgets: dict[str, QWidget]) -> None:
        """What each filter widget shows: a combo's chosen item, a text, a tick."""
        for name, widget in widgets.items():
            if isinstance(widget, QComboBox):
                data = widget.currentData()
                try:
                    json.dumps(data)
                except TypeError:
                    continue
                self.set(f"{prefix}/{name}", {"data": data, "text": widget.currentText()})
            elif isinstance(widget, QLineEdit):
                self.set(f"{prefix}/{name}", widget.text())
            elif isinstance(widget, QCheckBox):
                self.set(f"{prefix}/{name}", widget.isChecked())

    def restore_widgets(self, prefix: str, widgets: dict[str, QWidget]) -> bool:
        """Put the saved values back, without signals; an item no longer offered (a
        deleted village) is left as it is. True when anything was restored."""
        restored = False
        for name, widget in widgets.items():
            value = self.get(f"{prefix}/{name}")
            if value is None:
                continue
            widget.blockSignals(True)
            try:
                if isinstance(widget, QComboBox) and isinstance(value, dict):
                    index = combo_index(widget, value.get("data"), value.get("text"))
                    if index >= 0:
                        widget.setCurrentIndex(index)
                        restored = True
                elif isinstance(widget, QLineEdit) and isinstance(value, str):
                    widget.setText(value)
                    restored = True
                elif isinstance(widget, QCheckBox) and isinstance(value, bool):
                    widget.setChecked(value)
                    restored = True
            finally:
                widget.blockSignals(False)
        return restored


def combo_index(combo: QComboBox, data: Any, text: str | None = None) -> int:
    """The item whose data is ``data`` (items without data: matched by ``text``), or -1."""
    for index in range(combo.count()):
        item = combo.itemData(index)
        if data is None:
            if item is None and (text is None or combo.itemText(index) == text):
                return index
        elif item == data or (isinstance(item, (list, tuple)) and list(item) == data):
            return index
    return -1
