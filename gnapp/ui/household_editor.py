"""The household editor: one household and its members, in the order of the paper form.

``HouseholdEditor`` shows the household part (Thôn, Mã hộ, Địa chỉ, Khu vực, the target-group
flags) above the member roster; ``MemberForm`` enters or corrects one member, its fields in
the order of the household register (Họ và tên, Giới tính, Ngày sinh, Dân tộc, Quan hệ với
chủ hộ, Số CCCD/CMND, …). A new household is entered with its head first.

Validation is the domain's (``validate_household``, ``validate_member``,
``people.check_household``): each Issue is shown in red under its field while typing and
again on save. Saving runs ``save_household`` in the task manager's worker, in one
transaction; the dialog closes only when it succeeded, and errors that come back from the
database (``Invalid`` with its issues) are shown next to their fields too.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex,
                            Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import reviews, sites, units
from gnapp.db import undo
from gnapp.db.store import Invalid
from gnapp.domain import codes, people
from gnapp.domain.dates import format_date, parse_partial_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.issues import ERROR, Issue, error
from gnapp.domain.register import parse_birth, validate_household, validate_member
from gnapp.domain.text import clean, fold
from gnapp.ui.household_list import STATUS_LABELS, ActivatingTableView
from gnapp.ui import widgets
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import (ERROR_COLOR, SearchComboBox, code_combo, list_table,
                               read_only_rows, set_tab_order)

WARNING_COLOR = "#8a5300"
DEFAULT_ETHNICITY = "Kinh"
BIRTH_HINT = "Ví dụ 05/03/1985, 03/1985 hoặc 1985"

# The 54 ethnic groups of Việt Nam, in the order of the 2019 census tables (Kinh first).
# Offered as suggestions; another name can be typed. (Reference data: its place is
# gnapp.domain.codes, next to the other lists.)
HOUSEHOLD_FIELDS = ("village_id", "code", "address", "area", *codes.HOUSEHOLD_FLAGS)
# Member fields in the order of the paper form.
MEMBER_FIELDS = ("full_name", "sex", "birth_date", "ethnicity", "relation", "id_number",
                 "health_insurance", "schooling", "employment", "disability",
                 "social_allowance")
MEMBER_FLAGS = ("health_insurance", "disability", "social_allowance")
MEMBER_LABELS = {
    "full_name": "Họ và tên",
    "sex": "Giới tính",
    "birth_date": "Ngày sinh",
    "ethnicity": "Dân tộc",
    "relation": "Quan hệ với chủ hộ",
    "id_number": "Số CCCD/CMND",
    "health_insurance": "Có thẻ BHYT",
    "schooling": "Tình trạng đi học",
    "employment": "Việc làm",
    "disability": "Người khuyết tật",
    "social_allowance": "Hưởng trợ cấp xã hội hằng tháng",
}


class VillageDialog(QDialog):
    """The name and kind of a village to add (thôn, bản, tổ dân phố …)."""

    KINDS = ("thôn", "bản", "tổ dân phố", "ấp", "khu phố", "xóm", "buôn", "làng")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Thêm thôn")
        self.setMinimumWidth(420)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Ví dụ: Thôn Đông Sơn")
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(self.KINDS)
        self.message = widgets.message_label()
        form = QFormLayout()
        form.addRow("&Tên:", self.name_edit)
        form.addRow("&Loại:", self.kind_combo)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("Thêm", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)


# -- data --------------------------------------------------------------------------------------

@dataclass
class MemberEntry:
    """One line of the roster: the member's values, and where it came from.

    Attributes:
        values: the member fields (``MEMBER_FIELDS``), as stored (codes, ISO birth date)
        id: the stored member's id; ``None`` for a member added in this editor
        version: the stored version the editor started from
        original: the stored values, to save only what changed
        issues: problems found for this member (shown on its line and in its form)
    """

    values: dict
    id: str | None = None
    version: int | None = None
    original: dict | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.id is None

    @property
    def name(self) -> str:
        return self.values.get("full_name") or ""

    @property
    def to_write(self) -> bool:
        """A new member, or one with changes: what saving writes (and checks)."""
        return self.is_new or bool(changed_values(self.original, self.values))


@dataclass
class HouseholdDraft:
    """What the editor saves: the household's values and its roster.

    Attributes:
        household_id: ``None`` for a new household
        version: the household's stored version the editor started from
        values: ``HOUSEHOLD_FIELDS``; an empty ``code`` means "give the next free code"
        original: the stored household, to save only what changed
        members: the roster in order; for a new household one of them is the head
    """

    household_id: str | None
    version: int | None
    values: dict
    original: dict | None
    members: list[MemberEntry]


class MemberInvalid(Invalid):
    """A member of the roster was refused; ``row`` is its line in the roster."""

    def __init__(self, row: int, issues: list[Issue]):
        super().__init__("thành viên hộ", issues)
        self.row = row


def _same(field_name: str, old: Any, new: Any) -> bool:
    if field_name in MEMBER_FLAGS or field_name in codes.HOUSEHOLD_FLAGS:
        return (old or 0) == (new or 0)
    return (old if old not in ("", None) else None) == (new if new not in ("", None) else None)


def changed_values(original: Mapping | None, values: Mapping) -> dict:
    """The values that differ from the stored row ("" and None alike; for yes/no fields an
    unknown value and "không" alike, so that opening and saving changes nothing)."""
    if original is None:
        return dict(values)
    return {k: v for k, v in values.items() if not _same(k, original.get(k), v)}


def member_facts(entries: Iterable[MemberEntry]) -> list[people.MemberFacts]:
    return [people.MemberFacts(name=e.values.get("full_name"), sex=e.values.get("sex"),
                               birth=parse_birth(e.values.get("birth_date")),
                               relation=e.values.get("relation"),
                               id_number=e.values.get("id_number"))
            for e in entries]


def roster_issues(entries: list[MemberEntry]) -> list[Issue]:
    """The rules of the household as a whole (one head, distinct numbers …) on the roster;
    the rules of each member are shown on its own line."""
    return [i for i in people.check_household(member_facts(entries))
            if i.code.startswith("household.")]


def _errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]


def save_household(db: Database, draft: HouseholdDraft) -> tuple[str, str]:
    """Write a household and its roster in one transaction; returns (id, code).

    Runs in the task manager's worker (never touches a widget). A new household is created
    with its head (``add_household``), then the other members in roster order; an existing
    one gets only the fields that changed, each row checked against the version the editor
    started from. The household's own rules are checked before the commit, so nothing is
    written when the roster has no head or two heads.

    :raises MemberInvalid: a member was refused (its roster line and issues)
    :raises Invalid: the household was refused, or breaks the household rules
    :raises GnappError: the household or a member changed meanwhile, is locked …
    """
    writer = sites.writer(db)
    values = dict(draft.values)
    code = clean(values.pop("code", None)) or None

    def op(w) -> tuple[str, str]:
        for row, entry in enumerate(draft.members):
            if not entry.to_write:
                continue
            member_errors = _errors(validate_member(entry.values))
            if member_errors:
                raise MemberInvalid(row, member_errors)
        if code is not None:
            taken = hh.find_by_code(w.db, code, w.actor.unit_code)
            if taken is not None and taken["id"] != draft.household_id:
                raise Invalid("hộ gia đình", [error(
                    "household.code_taken", f"Mã hộ {code} đã có trong xã; hãy nhập mã khác "
                    "hoặc để trống để phần mềm tự cấp.", "code")])
        if draft.household_id is None:
            heads = [row for row, e in enumerate(draft.members)
                     if e.values.get("relation") == "head"]
            if not heads:
                raise Invalid("hộ gia đình", [error("household.no_head", "Hộ chưa có chủ hộ.",
                                                    "relation")])
            head_row = heads[0]
            try:
                home = hh.add_household(w, head=draft.members[head_row].values, code=code,
                                        **values)
            except Invalid as exc:
                if any(i.field in MEMBER_FIELDS for i in exc.issues):
                    raise MemberInvalid(head_row, exc.issues) from exc
                raise
            household_id = home["id"]
            rows = [(row, e) for row, e in enumerate(draft.members) if row != head_row]
        else:
            household_id = draft.household_id
            changes = changed_values(draft.original, {**values, "code": code})
            if changes:
                hh.update_household(w, household_id, changes, expected_version=draft.version)
            rows = list(enumerate(draft.members))
        for row, entry in rows:
            try:
                if entry.is_new:
                    hh.add_member(w, household_id, entry.values)
                else:
                    changes = changed_values(entry.original, entry.values)
                    if changes:
                        hh.update_member(w, entry.id, changes, expected_version=entry.version)
            except Invalid as exc:
                raise MemberInvalid(row, exc.issues) from exc
        problems = [i for i in _errors(hh.household_issues(w.db, household_id))
                    if i.code.startswith("household.")]
        if problems:
            raise Invalid("hộ gia đình", problems)
        return household_id, hh.household(w.db, household_id)["code"]

    return writer.transact(op).result


# -- showing issues next to fields -------------------------------------------------------------

class FieldErrors:
    """Red messages under the fields of a form, one label per field."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}

    def wrap(self, name: str, widget: QWidget) -> QWidget:
        """``widget`` with an (empty, hidden) message label under it, for a form row."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {ERROR_COLOR};")
        label.hide()
        layout.addWidget(label)
        self.labels[name] = label
        self.widgets[name] = widget
        return box

    def show(self, issues: Iterable[Issue], fields: Iterable[str] | None = None) -> None:
        """Show the issues of ``fields`` (default: every field) and clear their other labels."""
        names = list(self.labels if fields is None else fields)
        by_field: dict[str, list[Issue]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue)
        for name in names:
            label = self.labels.get(name)
            if label is None:
                continue
            found = by_field.get(name, [])
            label.setText("\n".join(i.message for i in found))
            color = ERROR_COLOR if _errors(found) else WARNING_COLOR
            label.setStyleSheet(f"color: {color};")
            label.setVisible(bool(found))
            self.widgets[name].setToolTip("\n".join(i.message for i in found))

    def message(self, name: str) -> str:
        """The message shown under a field ("" when none)."""
        label = self.labels.get(name)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear(self) -> None:
        self.show([])

    def first_with_message(self, order: Iterable[str]) -> QWidget | None:
        for name in order:
            if self.message(name):
                return self.widgets[name]
        return None


def fit_height(widget: QWidget) -> None:
    """Grow a window so that messages that appeared under its fields are not cut off."""
    layout = widget.layout()
    if layout is None:
        return
    layout.activate()
    if layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(widget.width())
    else:
        needed = layout.totalSizeHint().height()
    if needed > widget.height():
        widget.resize(widget.width(), needed)


def _set_combo(combo: QComboBox, key: str | None) -> None:
    index = combo.findData(key) if key is not None else -1
    if index < 0 and key is None and combo.count() and combo.itemData(0) is None:
        index = 0
    combo.setCurrentIndex(index)


def _birth_display(value: str | None) -> str:
    birth = parse_birth(value)
    if birth is not None:
        return birth.display()
    return value or ""


# -- one member --------------------------------------------------------------------------------

class MemberForm(QDialog):
    """Enter or correct one member, in the order of the paper form.

    Enter accepts (when nothing is wrong), Esc cancels. The values are not saved here: the
    household editor keeps them in its roster until "Lưu".

    :param values: the member's current values (``None`` for a new member)
    :param defaults: starting values of a new member (relation of the first one: head;
        ethnicity: the head's)
    :param issues: problems already known (from a failed save), shown at once
    """

    def __init__(self, values: Mapping | None = None, *, title: str = "Thêm thành viên",
                 defaults: Mapping | None = None, issues: Iterable[Issue] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self._touched: set[str] = set()
        self._setup()
        self._load_member({**(defaults or {}), **(values or {})})
        known = list(issues)
        if known:
            self._touched |= {i.field for i in known if i.field}
            self._show_issues(known + self.issues())
        self.name_edit.setFocus()

    def _setup(self) -> None:
        self.setMinimumWidth(660)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Ví dụ: Nguyễn Văn Đức")
        self.sex_combo = code_combo(codes.SEX, "Chọn giới tính")
        self.birth_edit = QLineEdit()
        self.birth_edit.setPlaceholderText(BIRTH_HINT)
        self.ethnicity_combo = SearchComboBox()
        self.ethnicity_combo.set_items((name, name) for name in codes.ETHNIC_GROUPS)
        self.ethnicity_combo.lineEdit().setPlaceholderText("Gõ để tìm, ví dụ: tay")
        self.relation_combo = code_combo(codes.RELATION, "Chọn quan hệ với chủ hộ")
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)")
        self.id_edit.setMaxLength(20)
        self.insurance_check = QCheckBox("Có thẻ bảo hiểm y tế còn hạn")
        self.schooling_combo = code_combo(codes.SCHOOLING, "", blank="(không ghi)")
        self.employment_combo = code_combo(codes.EMPLOYMENT, "", blank="(không ghi)")
        self.disability_check = QCheckBox("Là người khuyết tật")
        self.allowance_check = QCheckBox("Đang hưởng trợ cấp xã hội hằng tháng")

        self.field_widgets: dict[str, QWidget] = {
            "full_name": self.name_edit, "sex": self.sex_combo, "birth_date": self.birth_edit,
            "ethnicity": self.ethnicity_combo, "relation": self.relation_combo,
            "id_number": self.id_edit, "health_insurance": self.insurance_check,
            "schooling": self.schooling_combo, "employment": self.employment_combo,
            "disability": self.disability_check, "social_allowance": self.allowance_check,
        }
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        mnemonics = {"full_name": "&Họ và tên", "sex": "&Giới tính", "birth_date": "&Ngày sinh",
                     "ethnicity": "&Dân tộc", "relation": "&Quan hệ với chủ hộ",
                     "id_number": "Số &CCCD/CMND", "health_insurance": "&BHYT",
                     "schooling": "Tình trạng đi &học", "employment": "&Việc làm",
                     "disability": "&Khuyết tật", "social_allowance": "&Trợ cấp xã hội"}
        for name in MEMBER_FIELDS:
            widget = self.field_widgets[name]
            label = QLabel(mnemonics[name] + ":")
            label.setBuddy(widget)
            form.addRow(label, self.errors.wrap(name, widget))

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("Đồng ý", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setToolTip("Ghi thành viên vào danh sách của hộ (Enter). Dữ liệu được "
                                  "lưu khi bấm «Lưu» ở cửa sổ hộ.")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)       # once the button is inside the dialog

        order = [self.field_widgets[name] for name in MEMBER_FIELDS]
        order += [self.ok_button, self.cancel_button]
        set_tab_order(order)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textEdited.connect(lambda: self._edited("full_name"))
        self.sex_combo.currentIndexChanged.connect(lambda: self._edited("sex"))
        self.birth_edit.textEdited.connect(lambda: self._edited("birth_date"))
        self.birth_edit.editingFinished.connect(self._tidy_birth)
        self.relation_combo.currentIndexChanged.connect(lambda: self._edited("relation"))
        self.id_edit.textEdited.connect(lambda: self._edited("id_number"))
        self.ethnicity_combo.lineEdit().textEdited.connect(lambda: self._edited("ethnicity"))

    # -- values ----------------------------------------------------------------------------

    def _load_member(self, values: Mapping) -> None:
        """Fill the widgets from stored values (codes, ISO birth date)."""
        self.name_edit.setText(values.get("full_name") or "")
        _set_combo(self.sex_combo, values.get("sex"))
        self.birth_edit.setText(_birth_display(values.get("birth_date")))
        ethnicity = values.get("ethnicity")
        if ethnicity:
            index = self.ethnicity_combo.findData(ethnicity)
            if index >= 0:
                self.ethnicity_combo.setCurrentIndex(index)
            else:
                self.ethnicity_combo.setEditText(ethnicity)
        _set_combo(self.relation_combo, values.get("relation"))
        self.id_edit.setText(values.get("id_number") or "")
        self.insurance_check.setChecked(bool(values.get("health_insurance")))
        _set_combo(self.schooling_combo, values.get("schooling"))
        _set_combo(self.employment_combo, values.get("employment"))
        self.disability_check.setChecked(bool(values.get("disability")))
        self.allowance_check.setChecked(bool(values.get("social_allowance")))

    def _birth(self) -> tuple[str | None, Issue | None]:
        """The birth date as stored (ISO, possibly partial), or the problem with it."""
        try:
            birth = parse_partial_date(self.birth_edit.text())
        except InputError as exc:
            return None, error("member.birth_invalid", f"{exc.message}.", "birth_date")
        return (birth.iso() if birth else None), None

    def ethnicity(self) -> str | None:
        """The chosen group, or the typed name (a name matching one group becomes it)."""
        key = self.ethnicity_combo.current_key()
        return key or clean(self.ethnicity_combo.currentText()) or None

    def values(self) -> dict:
        """The member as stored: codes, ISO birth date, 0/1 flags, None for blanks."""
        birth, _ = self._birth()
        number = people.normalise_id_number(self.id_edit.text())
        return {
            "full_name": clean(self.name_edit.text()) or "",
            "sex": self.sex_combo.currentData(),
            "birth_date": birth,
            "ethnicity": self.ethnicity(),
            "relation": self.relation_combo.currentData(),
            "id_number": number or None,
            "health_insurance": int(self.insurance_check.isChecked()),
            "schooling": self.schooling_combo.currentData(),
            "employment": self.employment_combo.currentData(),
            "disability": int(self.disability_check.isChecked()),
            "social_allowance": int(self.allowance_check.isChecked()),
        }

    # -- validation ------------------------------------------------------------------------

    def issues(self) -> list[Issue]:
        """What is wrong with the member as typed (the domain's rules)."""
        values = self.values()
        _, birth_problem = self._birth()
        if birth_problem is not None:
            return [birth_problem] + validate_member(values)
        return validate_member(values)

    def _show_issues(self, issues: list[Issue]) -> None:
        self.errors.show([i for i in issues if i.field in self._touched], MEMBER_FIELDS)
        fit_height(self)

    def _edited(self, name: str) -> None:
        self._touched.add(name)
        self._show_issues(self.issues())

    def _tidy_birth(self) -> None:
        """"5/3/1985" becomes "05/03/1985" once the field is left."""
        try:
            birth = parse_partial_date(self.birth_edit.text())
        except InputError:
            return
        if birth is not None and birth.display() != self.birth_edit.text():
            self.birth_edit.setText(birth.display())

    def accept(self) -> None:
        """Overrides QDialog.accept: close only when the member has no error."""
        self._touched |= set(MEMBER_FIELDS)
        issues = self.issues()
        self._show_issues(issues)
        if _errors(issues):
            widget = self.errors.first_with_message(MEMBER_FIELDS)
            if widget is not None:
                widget.setFocus()
            return
        super().accept()


# -- the roster --------------------------------------------------------------------------------

def _yes(value) -> str:
    return "Có" if value else ""


class MemberRosterModel(QAbstractTableModel):
    """The members of the household being edited (a short list held in memory)."""

    COLUMNS = ["STT", "Họ và tên", "Giới tính", "Năm/ngày sinh", "Dân tộc",
               "Quan hệ với chủ hộ", "Số CCCD/CMND", "BHYT", "Đi học", "Việc làm",
               "Khuyết tật", "Trợ cấp XH"]

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.entries: list[MemberEntry] = []

    def set_entries(self, entries: list[MemberEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def append(self, entry: MemberEntry) -> int:
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        # a reset rather than a removal: the numbers (STT) of the lines below change too
        self.beginResetModel()
        del self.entries[row]
        self.endResetModel()

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def _text(self, row: int, column: int) -> str:
        v = self.entries[row].values
        texts = (
            str(row + 1), v.get("full_name") or "", codes.SEX.get(v.get("sex"), ""),
            _birth_display(v.get("birth_date")), v.get("ethnicity") or "",
            codes.RELATION.get(v.get("relation"), ""), v.get("id_number") or "",
            {None: "", 0: "Không"}.get(v.get("health_insurance"), "Có"),
            codes.SCHOOLING.get(v.get("schooling"), ""),
            codes.EMPLOYMENT.get(v.get("employment"), ""),
            _yes(v.get("disability")), _yes(v.get("social_allowance")))
        return texts[column]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """Overrides QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.headerData."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        """Overrides QAbstractItemModel.data."""
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and entry.issues:
            return "\n".join(i.message for i in entry.issues)
        if role == Qt.ItemDataRole.ForegroundRole and _errors(entry.issues):
            return QBrush(QColor(ERROR_COLOR))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Overrides QAbstractItemModel.flags."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


# -- the household -----------------------------------------------------------------------------

class HouseholdEditor(QDialog):
    """Add a household or edit one: the household part, then its members.

    Shortcuts: Ctrl+N adds a member, Enter on the roster (or a double-click) edits the
    chosen one, Ctrl+S or Enter saves, Esc cancels. The household and its members are read
    through the GUI thread's read connection; saving runs in the worker, and the dialog
    closes only when the save succeeded (``saved`` is emitted first).

    :param db: the GUI thread's read connection
    :param tasks: the task manager whose worker writes
    :param household_id: the household to edit; ``None`` for a new household
    :param default_village_id: the village a new household starts in
    """

    # (household id, household code), after a successful save
    saved = Signal(str, str)
    # (household id, round id): saved and closed to enter the household's review in a round
    review_requested = Signal(str, str)
    # (household id, household code): the household was put in the trash and the dialog closed
    deleted = Signal(str, str)
    # (household id, code) after "Hoàn tác lần sửa cuối"
    undone = Signal(str, str)

    REVIEW_COLUMNS = ["Đợt rà soát", "Ngày rà soát", "Phân loại", "Điểm B2", "Phiếu"]

    def __init__(self, db: Database, tasks: TaskManager, household_id: str | None = None, *,
                 default_village_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.household_id = household_id
        self.errors = FieldErrors()
        self.member_form: MemberForm | None = None
        self._household: dict | None = None
        self._saving = False
        self._loading = True
        self._touched: set[str] = set()
        self._review_round: str | None = None     # set by "Lưu và nhập phiếu"
        self._setup()
        self._load_villages()
        if household_id is None:
            self._load_new(default_village_id)
        else:
            self._load_household(household_id)
        self._load_reviews()
        self._initial_values = self.household_values()
        self._loading = False
        self._update_roster_state()
        self.village_combo.setFocus()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        self.setWindowTitle("Thêm hộ mới")
        self.resize(1180, 700)

        self.village_combo = SearchComboBox()
        self.village_combo.lineEdit().setPlaceholderText("Gõ để tìm, ví dụ: kim son")
        self.add_village_button = QPushButton("Thêm thôn…")
        self.add_village_button.setToolTip("Thêm một thôn, bản, tổ dân phố của xã (khi chưa có "
                                           "trong danh sách)")
        self.add_village_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)   # not in the form's Tab order
        self.add_village_button.clicked.connect(self.add_village)
        village_row = QWidget()
        village_layout = QHBoxLayout(village_row)
        village_layout.setContentsMargins(0, 0, 0, 0)
        village_layout.addWidget(self.village_combo, 1)
        village_layout.addWidget(self.add_village_button)
        village_row.setFocusProxy(self.village_combo)     # a field in error focuses the combo
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(30)
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("Xóm, số nhà, đường (nếu có)")
        self.area_combo = code_combo(codes.AREA, "Chọn khu vực")
        self.flag_checks: dict[str, QCheckBox] = {
            name: QCheckBox(label) for name, label in codes.HOUSEHOLD_FLAGS.items()}
        flags_box = QWidget()
        flags_grid = QGridLayout(flags_box)
        flags_grid.setContentsMargins(0, 0, 0, 0)
        flags_grid.setHorizontalSpacing(24)
        for n, check in enumerate(self.flag_checks.values()):
            flags_grid.addWidget(check, n // 2, n % 2)

        household_box = QGroupBox("Thông tin hộ")
        form = QFormLayout(household_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for name, text, widget in (("village_id", "&Thôn:", village_row),
                                   ("code", "&Mã hộ:", self.code_edit),
                                   ("address", "Đị&a chỉ:", self.address_edit),
                                   ("area", "&Khu vực:", self.area_combo)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, self.errors.wrap(name, widget))
        form.addRow("Đối tượng:", flags_box)

        self.roster_model = MemberRosterModel(self)
        self.roster = ActivatingTableView()
        self.roster.setModel(self.roster_model)
        read_only_rows(self.roster)
        self.roster.setWordWrap(False)
        header = self.roster.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.roster.setMinimumHeight(180)

        self.add_member_button = QPushButton("Thêm thành viên")
        self.add_member_button.setToolTip("Thêm một thành viên vào cuối danh sách (Ctrl+N)")
        self.edit_member_button = QPushButton("Sửa thành viên")
        self.edit_member_button.setToolTip("Sửa thành viên đang chọn (Enter hoặc nhấp đúp)")
        self.remove_member_button = QPushButton("Bỏ thành viên vừa thêm")
        self.remove_member_button.setToolTip(
            "Chỉ bỏ được thành viên vừa thêm, chưa lưu. Thành viên chuyển đi hoặc mất được "
            "ghi bằng biến động của hộ.")
        member_buttons = QHBoxLayout()
        for button in (self.add_member_button, self.edit_member_button,
                       self.remove_member_button):
            member_buttons.addWidget(button)
        member_buttons.addStretch()
        self.delete_member_button = QPushButton("Xóa thành viên (nhập nhầm)…")
        self.delete_member_button.setToolTip(
            "Xóa thành viên đã lưu nhưng nhập nhầm (cần ghi lý do; xem lại hoặc khôi phục ở "
            "«Thùng rác»). Người chuyển đi hoặc mất thì ghi biến động của hộ.")
        member_buttons.addWidget(self.delete_member_button)
        self.delete_member_button.clicked.connect(self.delete_selected_member)
        self.roster_hint = QLabel()
        self.roster_hint.setWordWrap(True)
        self.roster_message = QLabel()
        self.roster_message.setWordWrap(True)
        self.roster_message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.roster_message.hide()

        members_box = QGroupBox("Thành viên trong hộ")
        members_layout = QVBoxLayout(members_box)
        members_layout.addLayout(member_buttons)
        members_layout.addWidget(self.roster, 1)
        members_layout.addWidget(self.roster_hint)
        members_layout.addWidget(self.roster_message)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setToolTip("Lưu hộ và các thành viên (Ctrl+S)")
        self.delete_household_button = self.buttons.addButton(
            "Xóa hộ (nhập nhầm)…", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_household_button.setToolTip(
            "Xóa hộ nhập nhầm cùng các thành viên (cần ghi lý do; khôi phục được ở «Thùng "
            "rác»). Hộ chuyển đi thì ghi biến động của hộ.")
        self.delete_household_button.setVisible(self.household_id is not None)
        self.delete_household_button.clicked.connect(self.delete_household)
        self.undo_button = self.buttons.addButton("Hoàn tác lần sửa cuối…",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.setToolTip("Ghi lại các giá trị trước lần lưu gần nhất của hộ này (một "
                                    "lần sửa mới, vẫn lưu vết)")
        self.undo_button.setAutoDefault(False)
        self.undo_button.setVisible(self.household_id is not None)
        self.undo_button.clicked.connect(self.undo_last_edit)
        # Ctrl+Z: a text field being typed in keeps its own undo of the typing
        widgets.add_shortcut(self, QKeySequence.StandardKey.Undo, self.undo_last_edit,
                             button=self.undo_button, context=Qt.ShortcutContext.WindowShortcut)

        register_page = QWidget()
        register_layout = QVBoxLayout(register_page)
        register_layout.addWidget(household_box)
        register_layout.addWidget(members_box, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(register_page, "&1. Hộ và thành viên")
        self.tabs.addTab(self._review_tab(), "&2. Rà soát")

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)     # once the button is inside the dialog

        order = [self.village_combo, self.code_edit, self.address_edit, self.area_combo,
                 *self.flag_checks.values(), self.add_member_button, self.edit_member_button,
                 self.remove_member_button, self.roster, self.round_combo, self.review_button,
                 self.review_table, self.save_button, self.cancel_button]
        set_tab_order(order)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.add_member_button.clicked.connect(self.add_member)
        self.edit_member_button.clicked.connect(self.edit_selected_member)
        self.remove_member_button.clicked.connect(self.remove_selected_member)
        self.roster.doubleClicked.connect(lambda index: self.edit_member(index.row()))
        self.roster.row_activated.connect(self.edit_member)
        self.roster.selectionModel().currentRowChanged.connect(self._update_member_buttons)
        self.village_combo.currentIndexChanged.connect(self._village_changed)
        self.village_combo.lineEdit().textEdited.connect(self._village_changed)
        self.code_edit.textEdited.connect(lambda: self._edited("code"))
        self.area_combo.currentIndexChanged.connect(lambda: self._edited("area"))

        for keys, slot in ((QKeySequence.StandardKey.New, self.add_member),
                           (QKeySequence.StandardKey.Save, self.accept)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

    def _review_tab(self) -> QWidget:
        """The household's reviews round by round, and the way into the review form."""
        self.round_combo = QComboBox()
        self.round_combo.setMinimumContentsLength(40)
        round_label = QLabel("Đợt &rà soát:")
        round_label.setBuddy(self.round_combo)
        self.review_button = QPushButton("&Lưu và nhập phiếu rà soát")
        self.review_button.setToolTip("Lưu hộ và các thành viên, rồi mở Phiếu A, B, C của hộ "
                                      "trong đợt đã chọn (Ctrl+R)")
        self.review_button.setAutoDefault(False)
        chooser = QHBoxLayout()
        chooser.addWidget(round_label)
        chooser.addWidget(self.round_combo, 1)
        chooser.addWidget(self.review_button)

        self.review_table = list_table(self.REVIEW_COLUMNS, stretch=0)
        self.review_hint = QLabel()
        self.review_hint.setWordWrap(True)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(chooser)
        layout.addWidget(self.review_table, 1)
        layout.addWidget(self.review_hint)

        self.review_button.clicked.connect(self.save_and_review)
        self.review_table.itemDoubleClicked.connect(lambda item: self._review_row(item.row()))
        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.activated.connect(self.save_and_review)
        return page

    # -- loading ---------------------------------------------------------------------------

    def add_village(self) -> QDialog:
        """Ask for a village's name and kind, add it to the commune and choose it."""
        dialog = VillageDialog(self)

        def add() -> None:
            name, kind = dialog.name_edit.text(), dialog.kind_combo.currentText()
            dialog.ok_button.setEnabled(False)

            def failed(exc: BaseException) -> None:
                dialog.ok_button.setEnabled(True)
                widgets.show_message(dialog.message, str(exc) if isinstance(exc, GnappError)
                                     else "Không thêm được thôn.")

            def added(row: dict) -> None:
                dialog.accept()
                loading, self._loading = self._loading, True   # not an edit: no "chưa chọn"
                self._load_villages()
                self.village_combo.set_current_key(row["id"])
                self._loading = loading
                self._edited("village_id")

            self.tasks.run(lambda db: units.add_village(sites.writer(db), name, unit_type=kind),
                           added, failed)

        dialog.buttons.accepted.connect(add)
        dialog.open()
        self.village_dialog = dialog
        return dialog

    def _load_villages(self) -> None:
        site = sites.local_site(self._db)
        villages = units.children(self._db, site.unit_code, level="village") if site else []
        self.village_combo.set_items((v["id"], v["name"]) for v in villages)

    def _load_new(self, village_id: str | None) -> None:
        if village_id is None and self.village_combo.count() == 1:
            village_id = self.village_combo.itemData(0)
        if village_id is not None:
            self.village_combo.set_current_key(village_id)
        _set_combo(self.area_combo, "rural")
        self._village_changed()

    def _load_household(self, household_id: str) -> None:
        """Fill the widgets from the stored household and its present members."""
        household = hh.household(self._db, household_id)
        self._household = household
        self.village_combo.set_current_key(household["village_id"])
        self.code_edit.setText(household["code"])
        self.address_edit.setText(household.get("address") or "")
        _set_combo(self.area_combo, household["area"])
        for name, check in self.flag_checks.items():
            check.setChecked(bool(household.get(name)))
        entries = []
        for m in hh.members(self._db, household_id):
            values = {name: m.get(name) for name in MEMBER_FIELDS}
            entries.append(MemberEntry(values=dict(values), id=m["id"], version=m["version"],
                                       original=values))
        self.roster_model.set_entries(entries)
        head = next((e.name for e in entries if e.values.get("relation") == "head"), "")
        title = f"Sửa hộ {household['code']}" + (f" – {head}" if head else "")
        if household["status"] != "active":
            title += f" ({STATUS_LABELS.get(household['status'], household['status'])})"
        self.setWindowTitle(title)
        self.code_edit.setPlaceholderText("")

    def _load_reviews(self) -> None:
        """The rounds of the commune (the current one chosen) and this household's reviews."""
        from gnapp.ui.review_form import round_title

        site = sites.local_site(self._db)
        found = reviews.rounds(self._db, site.unit_code) if site else []
        current = reviews.current_round(self._db, site.unit_code, date.today()) if site else None
        self.round_combo.clear()
        for round_ in reversed(found):
            self.round_combo.addItem(round_title(round_), round_["id"])
        if current is not None:
            self.round_combo.setCurrentIndex(self.round_combo.findData(current["id"]))
        self.review_button.setEnabled(bool(found))
        done = (reviews.household_reviews(self._db, self.household_id)
                if self.household_id else [])
        by_round = {r["id"]: r for r in found}
        self.review_table.setRowCount(len(done))
        for row, review in enumerate(done):
            klass = review["class"]
            cells = [round_title(by_round.get(review["round_id"], {
                         "kind": review["round_kind"], "year": review["round_year"],
                         "month": review["round_month"], "standard_id": review["standard_id"]})),
                     format_date(date.fromisoformat(review["review_date"])) if review["review_date"] else "",
                     codes.CLASS.get(klass, "chưa phân loại") if klass else "chưa phân loại",
                     "" if review["b2"] is None else str(review["b2"]),
                     "Hoàn thành" if review["status"] == "complete" else "Nháp"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, review["round_id"])
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.review_table.setItem(row, column, item)
        if not found:
            self.review_hint.setText("Xã chưa mở đợt rà soát nào (trang «Rà soát», «Mở đợt rà "
                                     "soát…»).")
        elif not done:
            self.review_hint.setText("Hộ chưa có phiếu rà soát nào. Chọn đợt rồi bấm «Lưu và "
                                     "nhập phiếu rà soát» (Ctrl+R).")
        else:
            self.review_hint.setText("Nhấp đúp một dòng để mở phiếu của đợt đó. Phiếu được "
                                     "mở sau khi hộ đã lưu.")

    def _review_row(self, row: int) -> None:
        round_id = self.review_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        self.round_combo.setCurrentIndex(self.round_combo.findData(round_id))
        self.save_and_review()

    def _village_changed(self) -> None:
        """A new household shows the code it will get when "Mã hộ" is left blank."""
        self._edited("village_id")
        if self.household_id is not None:
            return
        village_id = self.village_combo.current_key()
        if village_id is None:
            self.code_edit.setPlaceholderText("Để trống: phần mềm tự cấp mã khi lưu")
        else:
            self.code_edit.setPlaceholderText(
                f"Để trống: phần mềm tự cấp ({hh.next_code(self._db, village_id)})")

    # -- values ----------------------------------------------------------------------------

    def household_values(self) -> dict:
        """The household part as stored: village id, code, address, area, 0/1 flags."""
        values = {"village_id": self.village_combo.current_key(),
                  "code": clean(self.code_edit.text()) or "",
                  "address": clean(self.address_edit.text()) or None,
                  "area": self.area_combo.currentData()}
        for name, check in self.flag_checks.items():
            values[name] = int(check.isChecked())
        return values

    def household_issues(self, *, typing: bool = False) -> list[Issue]:
        """The household part's problems (a blank code of a new household is fine).

        :param typing: while typing, a village name that still matches several villages
            is not a problem yet
        """
        values = self.household_values()
        if self.household_id is None and not values["code"]:
            values["code"] = "(tự động)"
        issues = validate_household(values)
        typed = clean(self.village_combo.currentText())
        if values["village_id"] is None and typed:
            issues = [i for i in issues if i.field != "village_id"]
            words = (fold(typed) or "").split()
            matching = [row for row in range(self.village_combo.count())
                        if all(w in fold(self.village_combo.itemText(row)) for w in words)]
            if not matching:
                issues.append(error("household.village_unknown", f"Không có thôn «{typed}» "
                                    "trong xã; hãy chọn trong danh sách.", "village_id"))
            elif not typing:
                issues.append(error("household.village_ambiguous", f"Có nhiều thôn khớp với "
                                    f"«{typed}»; hãy chọn một thôn trong danh sách.",
                                    "village_id"))
        return issues

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.errors.show([i for i in self.household_issues(typing=True)
                          if i.field in self._touched], HOUSEHOLD_FIELDS)
        fit_height(self)

    @property
    def entries(self) -> list[MemberEntry]:
        return self.roster_model.entries

    # -- members ---------------------------------------------------------------------------

    def selected_row(self) -> int | None:
        index = self.roster.currentIndex()
        return index.row() if index.isValid() else None

    def _update_member_buttons(self, *args) -> None:
        row = self.selected_row()
        self.edit_member_button.setEnabled(row is not None)
        self.remove_member_button.setEnabled(row is not None and self.entries[row].is_new)
        self.delete_member_button.setEnabled(row is not None and not self.entries[row].is_new
                                             and not self._saving)

    def add_member(self) -> None:
        """Open the member form for a new member (the head, when the roster is empty)."""
        if self._saving or self._form_open():
            return
        first = not self.entries
        head = next((e for e in self.entries if e.values.get("relation") == "head"), None)
        ethnicity = (head.values.get("ethnicity") if head else None) or DEFAULT_ETHNICITY
        defaults = {"ethnicity": ethnicity}
        if first:
            defaults["relation"] = "head"
        title = "Thêm chủ hộ" if first else "Thêm thành viên"
        self._open_form(MemberForm(title=title, defaults=defaults, parent=self), None)

    def edit_selected_member(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.edit_member(row)

    def edit_member(self, row: int) -> None:
        """Open the member form on the member in ``row`` of the roster."""
        if self._saving or self._form_open() or not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        title = f"Sửa thành viên: {entry.name}" if entry.name else "Sửa thành viên"
        self._open_form(MemberForm(entry.values, title=title, issues=entry.issues,
                                   parent=self), row)

    def _form_open(self) -> bool:
        return self.member_form is not None and self.member_form.isVisible()

    def _open_form(self, form: MemberForm, row: int | None) -> None:
        self.member_form = form
        form.finished.connect(lambda result: self._form_finished(form, row, result))
        form.open()

    def _form_finished(self, form: MemberForm, row: int | None, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            values = form.values()
            if row is None:
                row = self.roster_model.append(MemberEntry(values=values))
            else:
                entry = self.entries[row]
                entry.values = values
                entry.issues = []
                self.roster_model.row_changed(row)
            self.roster.setCurrentIndex(self.roster_model.index(row, 1))
            self._update_roster_state()
        if self.member_form is form:
            self.member_form = None
        form.deleteLater()
        self.activateWindow()
        self.roster.setFocus()

    def remove_selected_member(self) -> None:
        row = self.selected_row()
        if row is None or not self.entries[row].is_new or self._saving:
            return
        self.roster_model.remove(row)
        self._update_roster_state()

    def _update_roster_state(self) -> None:
        """The hint and the household rules under the roster, and the member buttons."""
        if not self.entries:
            self.roster_hint.setText("Nhập chủ hộ trước: bấm «Thêm thành viên» (Ctrl+N). "
                                     "Người đầu tiên được nhập là chủ hộ.")
        else:
            self.roster_hint.setText(f"{len(self.entries)} nhân khẩu. Ctrl+N: thêm thành viên; "
                                     "Enter hoặc nhấp đúp: sửa thành viên đang chọn.")
        self._show_roster_issues(roster_issues(self.entries) if self.entries else [])
        self._update_member_buttons()

    def _show_roster_issues(self, issues: list[Issue]) -> None:
        self.roster_message.setText("\n".join(i.message for i in issues))
        color = ERROR_COLOR if _errors(issues) else WARNING_COLOR
        self.roster_message.setStyleSheet(f"color: {color};")
        self.roster_message.setVisible(bool(issues))

    def _mark_member(self, row: int, issues: list[Issue]) -> None:
        entry = self.entries[row]
        entry.issues = list(issues)
        self.roster_model.row_changed(row)
        self.roster.setCurrentIndex(self.roster_model.index(row, 1))

    # -- saving ----------------------------------------------------------------------------

    def _show_message(self, text: str, *, error_text: bool = False) -> None:
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};" if error_text else "")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def draft(self) -> HouseholdDraft:
        """A copy of what the editor holds, for the worker."""
        return HouseholdDraft(
            household_id=self.household_id,
            version=self._household["version"] if self._household else None,
            values=self.household_values(),
            original=({name: self._household.get(name) for name in HOUSEHOLD_FIELDS}
                      if self._household else None),
            members=copy.deepcopy(self.entries))

    def check(self) -> bool:
        """Show every problem next to its field; True when there is no error."""
        self._touched |= set(HOUSEHOLD_FIELDS)
        household = self.household_issues()
        self.errors.show(household, HOUSEHOLD_FIELDS)
        for row, entry in enumerate(self.entries):
            if entry.to_write:          # members left as they are stay as they are
                entry.issues = _errors(validate_member(entry.values))
                self.roster_model.row_changed(row)
        bad_rows = [row for row, e in enumerate(self.entries) if e.issues]
        roster = roster_issues(self.entries)
        messages = [i for i in roster]
        for row in bad_rows:
            entry = self.entries[row]
            messages += [Issue(i.severity, i.code, f"Thành viên thứ {row + 1} "
                               f"({entry.name or 'chưa có tên'}): {i.message}", i.field)
                         for i in entry.issues]
        self._show_roster_issues(messages)
        if _errors(household):
            self.errors.first_with_message(HOUSEHOLD_FIELDS).setFocus()
            return False
        if bad_rows:
            self.roster.setCurrentIndex(self.roster_model.index(bad_rows[0], 1))
            self.roster.setFocus()
            return False
        if _errors(roster):
            self.roster.setFocus()
            return False
        return True

    def has_changes(self) -> bool:
        """Something typed that saving would write."""
        return (self.household_values() != self._initial_values
                or any(e.to_write for e in self.entries))

    def save_and_review(self) -> None:
        """Save (when needed), close and ask for the review form of the chosen round."""
        round_id = self.round_combo.currentData()
        if round_id is None or self._saving or self._form_open():
            return
        self._review_round = round_id
        if self.household_id is not None and not self.has_changes():
            self.review_requested.emit(self.household_id, round_id)
            super().accept()
            return
        self.accept()
        if not self._saving:                # refused by the checks: stay here
            self._review_round = None
            self.tabs.setCurrentIndex(0)

    def accept(self) -> None:
        """Overrides QDialog.accept: check, save in the worker, close on success only."""
        if self._saving or self._form_open():
            return
        self._show_message("")
        if not self.check():
            return
        draft = self.draft()
        self._set_saving(True)
        self._show_message("Đang lưu…")
        self.tasks.run(lambda db: save_household(db, draft), self._save_done,
                       self._save_failed)

    def reject(self) -> None:
        """Overrides QDialog.reject: not while a save is running; unsaved changes are
        dropped only when the user says so."""
        if self._saving or self._form_open():
            return
        if self.has_changes() and not self.confirm_discard():
            return
        super().reject()

    def unsaved_changes(self) -> list[str]:
        """The editor's title when it is open with unsaved changes (closing the program)."""
        return [self.windowTitle()] if self.isVisible() and self.has_changes() else []

    def confirm_discard(self) -> bool:
        """The unsaved-changes guard: "Lưu" saves (the editor closes once saved) and
        "Hủy" stays (both False); "Không lưu" drops the changes (True)."""
        answer = widgets.ask_unsaved(self, "Hộ này có thay đổi chưa lưu. Lưu trước khi đóng?",
                                     "«Không lưu» đóng và bỏ các thay đổi; «Hủy» để sửa tiếp.")
        if answer == widgets.SAVE:
            self.accept()
        return answer == widgets.DISCARD

    # -- entered by mistake: to the trash -----------------------------------------------------

    def ask_delete_reason(self, title: str, question: str) -> str | None:
        from gnapp.ui.trash_page import ask_reason

        return ask_reason(self, title, question, "Xóa")

    def confirm_undo(self, edit: undo.LastEdit) -> bool:
        """Show what undoing puts back and ask to go on."""
        return widgets.confirm_undo(self, edit)

    def undo_last_edit(self) -> None:
        """"Hoàn tác lần sửa cuối": write back the values the last save of this household
        replaced (in the worker); the editor closes when it is done."""
        if self.household_id is None or self._saving or self._form_open():
            return
        if self.has_changes():
            self._show_message("Hãy lưu hoặc bỏ các thay đổi đang nhập trước khi hoàn tác lần "
                               "sửa cuối.", error_text=True)
            return
        household_id = self.household_id
        edit = undo.last_edit(self._db, undo.household_rows(self._db, household_id))
        if edit is None:
            self._show_message("Hộ này chưa có lần sửa nào để hoàn tác.", error_text=True)
            return
        if not self.confirm_undo(edit):
            return
        code = self._household["code"] if self._household else ""
        self._set_saving(True)
        self._show_message("Đang hoàn tác…")

        def done(_edit: undo.LastEdit) -> None:
            self._set_saving(False)
            self.undone.emit(household_id, code)
            QDialog.accept(self)

        def failed(exc: BaseException) -> None:
            self._set_saving(False)
            if isinstance(exc, GnappError):
                self._show_message(str(exc), error_text=True)
            else:
                self._show_message("Không hoàn tác được do lỗi của phần mềm; dữ liệu chưa thay "
                                   "đổi.", error_text=True)
                show_error(self, exc)

        self.tasks.run(lambda db: undo.undo_last_edit(
            sites.writer(db), undo.household_rows(db, household_id), expected=edit,
            main=("household", household_id)), done, failed)

    def delete_household(self) -> None:
        """Put the household (entered by mistake) in the trash with its members, in the
        worker; the dialog closes when it is done."""
        if self.household_id is None or self._saving or self._form_open():
            return
        code = self._household["code"] if self._household else ""
        reason = self.ask_delete_reason(
            "Xóa hộ nhập nhầm", f"Xóa hộ {code} cùng {len(self.entries)} thành viên? Hộ được "
            "chuyển vào «Thùng rác» và khôi phục lại được. Hộ chuyển đi, tách, nhập thì ghi "
            "biến động, không xóa.")
        if not reason:
            return
        household_id = self.household_id
        self._set_saving(True)
        self._show_message("Đang xóa…")

        def done(_result) -> None:
            self._set_saving(False)
            self.deleted.emit(household_id, code)
            QDialog.accept(self)

        def failed(exc: BaseException) -> None:
            self._set_saving(False)
            self._delete_failed(exc)

        self.tasks.run(lambda db: hh.delete_household(sites.writer(db), household_id,
                                                      reason=reason), done, failed)

    def delete_selected_member(self) -> None:
        """Put the chosen (saved) member, entered by mistake, in the trash, in the worker."""
        row = self.selected_row()
        if row is None or self._saving or self._form_open() or self.entries[row].is_new:
            return
        entry = self.entries[row]
        reason = self.ask_delete_reason(
            "Xóa thành viên nhập nhầm", f"Xóa {entry.name} khỏi hộ? Người này được chuyển vào "
            "«Thùng rác» và khôi phục lại được. Người chuyển đi hoặc mất thì ghi biến động, "
            "không xóa.")
        if not reason:
            return
        member_id, name = entry.id, entry.name
        self._set_saving(True)
        self._show_message("Đang xóa…")

        def done(_result) -> None:
            self._set_saving(False)
            rows = [n for n, e in enumerate(self.entries) if e.id == member_id]
            if rows:
                self.roster_model.remove(rows[0])
            self._update_roster_state()
            self._show_message(f"Đã chuyển {name} vào «Thùng rác».")
            code = self._household["code"] if self._household else ""
            self.saved.emit(self.household_id, code)

        def failed(exc: BaseException) -> None:
            self._set_saving(False)
            self._delete_failed(exc)

        self.tasks.run(lambda db: hh.delete_member(sites.writer(db), member_id, reason=reason),
                       done, failed)

    def _delete_failed(self, exc: BaseException) -> None:
        if isinstance(exc, GnappError):
            self._show_message(str(exc), error_text=True)
        else:
            self._show_message("Không xóa được do lỗi của phần mềm; dữ liệu chưa thay đổi.",
                               error_text=True)
            show_error(self, exc)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        for widget in (self.save_button, self.add_member_button, self.edit_member_button,
                       self.remove_member_button, self.cancel_button, self.review_button,
                       self.delete_household_button, self.delete_member_button):
            widget.setEnabled(not saving)
        if not saving:
            self._update_member_buttons()

    def _save_done(self, result: tuple[str, str]) -> None:
        household_id, code = result
        self._set_saving(False)
        self.household_id = household_id
        self._show_message(f"Đã lưu hộ {code}.")
        self.saved.emit(household_id, code)
        if self._review_round is not None:
            self.review_requested.emit(household_id, self._review_round)
        super().accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        self._review_round = None
        if isinstance(exc, MemberInvalid):
            self._mark_member(exc.row, exc.issues)
            entry = self.entries[exc.row]
            self._show_roster_issues([Issue(i.severity, i.code, f"Thành viên thứ {exc.row + 1} "
                                            f"({entry.name or 'chưa có tên'}): {i.message}",
                                            i.field) for i in exc.issues])
            self._show_message("Chưa lưu được: thành viên có lỗi (xem dưới danh sách; bấm "
                               "«Sửa thành viên» để sửa).", error_text=True)
            self.roster.setFocus()
        elif isinstance(exc, Invalid):
            mine = [i for i in exc.issues if i.field in HOUSEHOLD_FIELDS]
            rest = [i for i in exc.issues if i.field not in HOUSEHOLD_FIELDS]
            self._touched |= {i.field for i in mine}
            self.errors.show(mine, HOUSEHOLD_FIELDS)
            if rest:
                self._show_roster_issues(rest)
            self._show_message("Chưa lưu được: hãy sửa các lỗi ghi màu đỏ.", error_text=True)
            widget = self.errors.first_with_message(HOUSEHOLD_FIELDS)
            (widget or self.roster).setFocus()
        elif isinstance(exc, GnappError):
            self._show_message(str(exc), error_text=True)
        else:
            self._show_message("Không lưu được hộ do lỗi của phần mềm; dữ liệu chưa thay đổi.",
                               error_text=True)
            show_error(self, exc)
