"""The review form: one household in one review round, in the order of the paper forms.

Phiếu A (the quick screen, only for households that asked to be reviewed), then Phiếu B (date,
reviewer, income per person and/or the B1 score, the deprivation indicators of the round's
standard grouped by dimension, each with its threshold text and the register's suggestion),
then Phiếu C (causes of poverty, support needs) and a manual correction of the class with
its reason. A panel beside the form shows the result as it is typed: the class, B2, the
number of deprivations, the reasons, and the checklist of what is still missing.

Every rule is the backend's: the class comes from ``gnapp.db.reviews.classification``, the
checklist from ``reviews.checklist``, the suggestions from ``reviews.suggestions``. Saving
runs ``save_review`` (and ``complete_review`` for "Hoàn thành") in the task manager's
worker; the dialog closes only when that succeeded.

Keyboard: Tab follows the paper form; each answer is one Tab stop answered with a letter
(T: thiếu hụt, K: không thiếu hụt, Delete: clear, G: use the suggestion); Enter moves to the
next field and never completes the review; Ctrl+S saves the draft; Esc cancels.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox,
                               QComboBox, QDialog, QFormLayout, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QScrollArea, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)
from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import reviews, sites, units
from gnapp.db import undo
from gnapp.db.store import WriteError
from gnapp.domain import codes
from gnapp.domain.classify import Classification
from gnapp.domain.dates import format_date, parse_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.issues import ERROR, Issue, error
from gnapp.domain.numbers import format_int, format_number, parse_int, parse_number
from gnapp.domain.register import parse_birth
from gnapp.domain.standards import Indicator
from gnapp.domain.text import clean
from gnapp.ui.household_editor import ERROR_COLOR, FieldErrors
from gnapp.ui import widgets
from gnapp.ui.tasks import TaskManager, show_error
from gnapp.ui.widgets import set_tab_order

WARNING_COLOR = "#b35c00"     # orange: warnings in the checklist
OK_COLOR = "#1b6e20"
HINT_STYLE = "color: #555;"

CAUSES = codes.POVERTY_CAUSES
NEEDS = codes.SUPPORT_NEEDS
# Phiếu A: the result of the quick screen (None: Phiếu A not used for this household).
SCREEN_RESULTS = {"continue": "Tiếp tục rà soát Phiếu B", "stop": "Dừng: hộ không nghèo"}
DEPRIVED = {True: "Thiếu hụt", False: "Không thiếu hụt"}
NO_OVERRIDE = "(không sửa)"
PROVISIONAL_NOTE = "(tạm thời – chuẩn chưa chính thức)"
DATE_HINT = "dd/mm/yyyy, ví dụ 02/10/2025"
TARGET_GROUPS_HINT = ("Chỉ xem: đối tượng của hộ được sửa ở mục «Hộ gia đình» (sửa hộ, phần "
                      "«Thông tin hộ»).")
INDICATOR_KEYS_HINT = ("Bàn phím: T – thiếu hụt, K – không thiếu hụt, Delete – bỏ chọn, "
                       "G – dùng gợi ý; Tab hoặc Enter sang chỉ số tiếp theo.")

# Field names of the review, in paper order, that can carry a message next to them.
FIELDS = ("screen_result", "review_date", "reviewer", "income_per_person", "b1_score",
          "override_reason")


def round_title(round_: Mapping[str, Any]) -> str:
    """"Rà soát định kỳ năm 2025 – chuẩn CN2022", "… – chuẩn CN2027 (tạm thời)"."""
    kind = reviews.ROUND_KINDS.get(round_["kind"], round_["kind"])
    if round_["kind"] == "regular" and round_.get("month"):
        text = f"{kind} tháng {round_['month']}/{round_['year']}"
    else:
        text = f"{kind} năm {round_['year']}"
    text += f" – chuẩn {round_['standard_id']}"
    try:
        if reviews.standard(round_["standard_id"]).is_provisional:
            text += " (tạm thời)"
    except InputError:
        text += " (không có chuẩn này)"
    return text


def suggestion_text(suggestion) -> str:
    """"Gợi ý: thiếu hụt – Thành viên từ 6 tuổi không có thẻ BHYT: …"."""
    return f"Gợi ý: {DEPRIVED[suggestion.deprived].lower()} – {suggestion.reason}"


# -- what the form saves ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewDraft:
    """What the form holds, as ``save_review`` takes it (copied for the worker).

    Attributes:
        deprivations: every indicator of the standard → True, False or None (unanswered)
        override_class, override_reason: a manual correction (both, or neither)
        expected_version: the stored version the form started from (None for a new review)
    """

    round_id: str
    household_id: str
    screen_result: str | None
    review_date: date | None
    reviewer: str | None
    income_per_person: int | None
    b1_score: Decimal | None
    deprivations: Mapping[str, bool | None]
    causes: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    override_class: str | None = None
    override_reason: str | None = None
    expected_version: int | None = None

    def save_arguments(self) -> dict:
        return {"deprivations": dict(self.deprivations),
                "income_per_person": self.income_per_person, "b1_score": self.b1_score,
                "screen_result": self.screen_result, "reviewer": self.reviewer,
                "review_date": self.review_date, "causes": list(self.causes),
                "needs": list(self.needs), "override_class": self.override_class,
                "override_reason": self.override_reason,
                "expected_version": self.expected_version}


class NotCompleted(GnappError):
    """The draft was saved but could not be marked complete; ``row`` is the saved review."""

    def __init__(self, row: dict, reason: BaseException):
        super().__init__(f"Đã lưu nháp. {reason}")
        self.row = row


def save_draft(db: Database, draft: ReviewDraft) -> dict:
    """Save the review in one transaction (worker thread); returns the stored row."""
    writer = sites.writer(db)
    row, _ = writer.transact(lambda w: reviews.save_review(
        w, draft.round_id, draft.household_id, **draft.save_arguments())).result
    return row


def save_and_complete(db: Database, draft: ReviewDraft) -> dict:
    """Save the review, then mark it complete (worker thread); returns the stored row.

    :raises NotCompleted: the draft was saved but ``complete_review`` refused it
    """
    row = save_draft(db, draft)
    writer = sites.writer(db)
    try:
        return writer.transact(lambda w: reviews.complete_review(w, row["id"])).result
    except WriteError as exc:
        raise NotCompleted(row, exc) from exc


def reopen(db: Database, review_id: str, reason: str) -> dict:
    """Set a complete review back to draft, with the reason (worker thread)."""
    writer = sites.writer(db)
    return writer.transact(lambda w: reviews.reopen_review(w, review_id, reason=reason)).result


@dataclass
class Preview:
    """The result of the form as typed: what the panel shows."""

    result: Classification | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]


def preview(db: Database, draft: ReviewDraft, input_issues: Iterable[Issue] = ()) -> Preview:
    """Classify the draft and list what keeps it from being complete (the backend's rules).

    :param input_issues: problems of the typed text (a number that cannot be read …), shown
        first in the checklist
    """
    answers = draft.save_arguments()
    answers.pop("expected_version")
    result, issues = reviews.preview_review(db, draft.round_id, draft.household_id, **answers)
    return Preview(result, [*input_issues, *issues])


# -- an answer, one Tab stop -------------------------------------------------------------------

class OptionChoice(QFrame):
    """One answer among a few options, or none; one Tab stop, answered from the keyboard.

    The options are radio buttons for the mouse (clicking the chosen one clears it); from
    the keyboard a letter chooses an option, Left/Right move between options, Delete or
    Backspace clears. Keys it does not use (Tab, Enter) go on to the dialog.

    :param options: ``(value, text, keys)``: the keys (lower-case letters or digits) that
        choose the option
    """

    changed = Signal(object)

    def __init__(self, options: Iterable[tuple[Any, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("choice")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._value: Any = None
        self._keys: dict[str, Any] = {}
        self.extra_keys: dict[str, Callable[[], None]] = {}
        self.buttons: dict[Any, QRadioButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(14)
        for value, text, keys in options:
            button = QRadioButton(text)
            button.setAutoExclusive(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(partial(self._clicked, value))
            layout.addWidget(button)
            self.buttons[value] = button
            for key in keys:
                self._keys[key] = value
        layout.addStretch()
        self._style(False)

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        """Choose ``value`` (None: no answer); emits ``changed`` when it changes."""
        if value is not None and value not in self.buttons:
            raise ValueError(value)
        for key, button in self.buttons.items():
            button.setChecked(key == value and value is not None)
        if value != self._value:
            self._value = value
            self.changed.emit(value)

    def text(self) -> str:
        """The chosen option's text ("" when none)."""
        button = self.buttons.get(self._value)
        return button.text() if button is not None else ""

    def _clicked(self, value: Any, checked: bool) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_value(value if checked else None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Overrides QWidget.keyPressEvent: letters choose, arrows move, Delete clears."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers not in (Qt.KeyboardModifier.NoModifier,
                             Qt.KeyboardModifier.ShiftModifier):
            super().keyPressEvent(event)
            return
        key = event.key()
        text = event.text().lower()
        values = list(self.buttons)
        if text and text in self._keys:
            self.set_value(self._keys[text])
        elif text and text in self.extra_keys:
            self.extra_keys[text]()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value(None)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 1 if key == Qt.Key.Key_Right else -1
            at = values.index(self._value) if self._value in values else (-1 if step > 0
                                                                          else len(values))
            self.set_value(values[(at + step) % len(values)])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Overrides QWidget.focusInEvent: show where the keyboard is."""
        super().focusInEvent(event)
        self._style(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Overrides QWidget.focusOutEvent."""
        super().focusOutEvent(event)
        self._style(False)

    def _style(self, focused: bool) -> None:
        if focused:
            self.setStyleSheet("#choice { background: #dce9fb; border: 1px solid #3b78c4; "
                               "border-radius: 3px; }")
        else:
            self.setStyleSheet("#choice { border: 1px solid transparent; }")


class IndicatorRow:
    """One deprivation indicator: its name, the answer, the threshold, the suggestion."""

    def __init__(self, indicator: Indicator, number: int):
        self.indicator = indicator
        self.choice = OptionChoice([(True, DEPRIVED[True], "t1"),
                                    (False, DEPRIVED[False], "k0")])
        self.choice.setToolTip(INDICATOR_KEYS_HINT)
        mnemonic = "&" if number <= 9 else ""
        self.label = QLabel(f"{mnemonic}{number}. {indicator.name}")
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.label.setBuddy(self.choice)
        self.label.setWordWrap(True)
        self.threshold = QLabel(indicator.threshold)
        self.threshold.setWordWrap(True)
        self.threshold.setStyleSheet(HINT_STYLE)
        self.suggestion_label = QLabel()
        self.suggestion_label.setWordWrap(True)
        self.suggestion_label.hide()
        self.use_button = QPushButton("Dùng gợi ý")
        self.use_button.setAutoDefault(False)
        self.use_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # G on the answer does it
        self.use_button.setToolTip("Điền câu trả lời theo gợi ý từ sổ hộ (phím G ở câu trả lời)")
        self.use_button.hide()
        self.suggestion = None

    def set_suggestion(self, suggestion) -> None:
        self.suggestion = suggestion
        if suggestion is None:
            self.suggestion_label.hide()
            self.use_button.hide()
            return
        self.suggestion_label.setText(suggestion_text(suggestion))
        self.suggestion_label.setToolTip(suggestion.reason)
        self.suggestion_label.show()
        self.use_button.show()
        self.update_state()

    def use_suggestion(self) -> None:
        if self.suggestion is not None:
            self.choice.set_value(self.suggestion.deprived)

    def update_state(self) -> None:
        """The suggestion line: blue while it differs from the answer, grey once followed."""
        if self.suggestion is None:
            return
        followed = self.choice.value() == self.suggestion.deprived
        self.use_button.setEnabled(not followed and self.choice.isEnabled())
        self.suggestion_label.setStyleSheet("color: #666;" if followed else "color: #1f4e99;")


# -- the dialog --------------------------------------------------------------------------------

def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _flag_text(value: Any) -> str:
    return {None: "", 0: "Không"}.get(value, "Có")


class ReviewForm(QDialog):
    """Enter or correct one household's review in one round (Phiếu A, B, C).

    A new review starts with today's date and ``default_reviewer``; a complete review is
    shown read-only, with a reason field to reopen it. ``saved`` is emitted before the
    dialog closes after "Lưu nháp" or "Hoàn thành".

    :param db: the GUI thread's read connection
    :param tasks: the task manager whose worker writes
    :param round_id: the review round
    :param household_id: the household reviewed
    :param today: the date a new review starts with (default: today)
    :param default_reviewer: the reviewer a new review starts with
    """

    # (household id, review status: "draft" or "complete"), after a successful save
    saved = Signal(str, str)

    def __init__(self, db: Database, tasks: TaskManager, round_id: str, household_id: str, *,
                 today: date | None = None, default_reviewer: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.tasks = tasks
        self.round_id = round_id
        self.household_id = household_id
        self.today = today or date.today()
        self.round = reviews.get_round(db, round_id)
        self.standard = reviews.standard(self.round["standard_id"], db)
        self.household = hh.household(db, household_id)
        self.members = hh.members(db, household_id)
        self.review: dict | None = reviews.review_of(db, round_id, household_id)
        self.errors = FieldErrors()
        self.preview = Preview(None)
        self._input_issues: list[Issue] = []
        self._touched: set[str] = set()
        self._saving = False
        self._loading = True
        self._setup()
        self._load_review(self.review, default_reviewer)
        self._loading = False
        self._update_suggestions()
        self._update()
        self._initial_state = self._typed_state()
        self.first_field().setFocus()

    # -- layout ----------------------------------------------------------------------------

    def _setup(self) -> None:
        self.resize(self._fitting_size(1220, 720))
        head = next((m["full_name"] for m in self.members if m["relation"] == "head"), None)
        self.setWindowTitle(f"Phiếu rà soát hộ {self.household['code']}"
                            + (f" – {head}" if head else ""))

        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.setContentsMargins(8, 8, 8, 8)
        form_layout.addWidget(self._household_box(head))
        form_layout.addWidget(self._screen_box())
        form_layout.addWidget(self._phieu_b_box())
        form_layout.addWidget(self._phieu_c_box())
        form_layout.addWidget(self._override_box())
        form_layout.addStretch()
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setWidget(form_page)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)    # not a Tab stop of its own
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        panel = self._result_panel()
        panel_scroll = QScrollArea()
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setWidget(panel)
        panel_scroll.setFixedWidth(380)
        panel_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        body = QHBoxLayout()
        body.addWidget(self.form_scroll, 1)
        body.addWidget(panel_scroll)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.save_button = QPushButton("&Lưu nháp")
        self.save_button.setToolTip("Lưu phiếu (còn sửa được) và đóng (Ctrl+S)")
        self.complete_button = QPushButton("&Hoàn thành")
        self.complete_button.setToolTip("Lưu phiếu và đánh dấu hoàn thành; chỉ bấm được khi "
                                        "phiếu không còn lỗi")
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.setToolTip("Đóng, không lưu các thay đổi (Esc)")
        self.undo_button = QPushButton("Hoàn tác lần sửa cuối…")
        self.undo_button.setToolTip("Ghi lại các giá trị trước lần lưu gần nhất của phiếu (một "
                                    "lần sửa mới, vẫn lưu vết)")
        for button in (self.save_button, self.complete_button, self.cancel_button,
                       self.undo_button):
            button.setAutoDefault(False)     # Enter never presses a button by itself
            button.setDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.complete_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.undo_button)

        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        order = self.tab_chain()
        set_tab_order(order)

        self.save_button.clicked.connect(self.save)
        self.complete_button.clicked.connect(self.complete)
        self.cancel_button.clicked.connect(self.reject)
        self.reopen_button.clicked.connect(self.reopen)
        self.use_all_button.clicked.connect(self.use_all_suggestions)
        self.screen_choice.changed.connect(lambda _: self._edited("screen_result"))
        self.date_edit.textEdited.connect(lambda _: self._edited("review_date"))
        self.date_edit.editingFinished.connect(self._tidy_date)
        self.reviewer_edit.textEdited.connect(lambda _: self._edited("reviewer"))
        self.income_edit.textEdited.connect(lambda _: self._edited("income_per_person"))
        self.income_edit.editingFinished.connect(self._tidy_income)
        self.b1_edit.textEdited.connect(lambda _: self._edited("b1_score"))
        for row in self.indicator_rows:
            row.choice.changed.connect(lambda _, r=row: self._answered(r))
            row.choice.extra_keys["g"] = row.use_suggestion
            row.use_button.clicked.connect(row.use_suggestion)
        for check in (*self.cause_checks.values(), *self.need_checks.values()):
            check.toggled.connect(lambda _: self._edited(None))
        self.override_combo.currentIndexChanged.connect(lambda _: self._edited("override_class"))
        self.override_reason_edit.textEdited.connect(lambda _: self._edited("override_reason"))
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.activated.connect(self.save)
        self.undo_button.clicked.connect(self.undo_last_edit)
        # Ctrl+Z: a text field being typed in keeps its own undo of the typing
        widgets.add_shortcut(self, QKeySequence.StandardKey.Undo, self.undo_last_edit,
                             button=self.undo_button, context=Qt.ShortcutContext.WindowShortcut)

    def _fitting_size(self, width: int, height: int) -> QSize:
        """``width`` × ``height``, made smaller on a small screen (1366 × 768 with a taskbar)
        so that the buttons at the bottom stay on the screen; the form scrolls instead."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return QSize(width, height)
        available = screen.availableGeometry()
        return QSize(min(width, available.width() - 24), min(height, available.height() - 48))

    def _household_box(self, head: str | None) -> QGroupBox:
        box = QGroupBox("Hộ được rà soát")
        layout = QVBoxLayout(box)
        village = next((v["name"] for v in units.children(self._db, self.round["owner_unit"],
                                                          level="village")
                        if v["id"] == self.household["village_id"]), "")
        area = codes.AREA.get(self.household["area"], self.household["area"] or "")
        line = QLabel(f"Hộ <b>{html.escape(self.household['code'])}</b> – chủ hộ "
                      f"<b>{html.escape(head or '(chưa có chủ hộ)')}</b> · "
                      f"{html.escape(village)} · {html.escape(area)} · "
                      f"{len(self.members)} nhân khẩu")
        line.setWordWrap(True)
        self.round_label = QLabel(round_title(self.round))
        self.round_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(line)
        layout.addWidget(self.round_label)

        columns = ["Họ và tên", "Quan hệ", "Năm sinh", "BHYT", "Đi học", "Việc làm"]
        table = QTableWidget(len(self.members), len(columns))
        table.setHorizontalHeaderLabels(columns)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setWordWrap(False)
        for row, m in enumerate(self.members):
            birth = parse_birth(m.get("birth_date"))
            cells = [m["full_name"], codes.RELATION.get(m.get("relation"), ""),
                     birth.display() if birth else (m.get("birth_date") or ""),
                     _flag_text(m.get("health_insurance")),
                     codes.SCHOOLING.get(m.get("schooling"), ""),
                     codes.EMPLOYMENT.get(m.get("employment"), "")]
            for col, text in enumerate(cells):
                table.setItem(row, col, QTableWidgetItem(text))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        rows_shown = min(max(len(self.members), 1), 5)
        table.setFixedHeight(header.sizeHint().height()
                             + rows_shown * table.verticalHeader().defaultSectionSize() + 4)
        self.members_table = table
        layout.addWidget(table)
        return box

    def _screen_box(self) -> QGroupBox:
        box = QGroupBox("Phiếu A – Nhận dạng nhanh")
        layout = QGridLayout(box)
        self.screen_choice = OptionChoice([("continue", SCREEN_RESULTS["continue"], "t"),
                                           ("stop", SCREEN_RESULTS["stop"], "d")])
        self.screen_choice.setToolTip("Phím: T – tiếp tục rà soát Phiếu B, D – dừng (hộ không "
                                      "nghèo), Delete – không dùng Phiếu A")
        label = QLabel("Kết quả Phiếu &A:")
        label.setBuddy(self.screen_choice)
        layout.addWidget(label, 0, 0)
        layout.addWidget(self.errors.wrap("screen_result", self.screen_choice), 0, 1)
        layout.addWidget(_hint("Chỉ dùng cho hộ có giấy đề nghị rà soát. Để trống nếu hộ không "
                               "qua Phiếu A (hộ nghèo, hộ cận nghèo đang có tên trong danh "
                               "sách)."), 1, 0, 1, 2)
        layout.setColumnStretch(1, 1)
        return box

    def _phieu_b_box(self) -> QGroupBox:
        box = QGroupBox("Phiếu B – Rà soát hộ")
        outer = QVBoxLayout(box)

        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText(DATE_HINT)
        self.date_edit.setMaximumWidth(200)
        self.reviewer_edit = QLineEdit()
        self.reviewer_edit.setPlaceholderText("Họ và tên rà soát viên")
        self.income_edit = QLineEdit()
        self.income_edit.setPlaceholderText("Ví dụ 1.500.000")
        self.income_edit.setMaximumWidth(200)
        self.income_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.b1_edit = QLineEdit()
        self.b1_edit.setPlaceholderText("Ví dụ 135,5")
        self.b1_edit.setMaximumWidth(200)
        self.b1_edit.setAlignment(Qt.AlignmentFlag.AlignRight)

        area = self.household["area"]
        area_name = codes.AREA.get(area, area or "").lower()
        line = self.standard.income_lines.get(area)
        income_hint = (f"Chuẩn nghèo {area_name}: {format_int(line)} đồng/người/tháng"
                       if line is not None else "")
        if self.standard.b1_thresholds and area in self.standard.b1_thresholds:
            b1_hint = f"Ngưỡng B1 {area_name}: {format_int(self.standard.b1_thresholds[area])}"
        else:
            b1_hint = f"Chuẩn {self.standard.id} chưa có ngưỡng điểm B1: cần nhập thu nhập"

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for name, text, widget, hint in (
                ("review_date", "Ngà&y rà soát:", self.date_edit, ""),
                ("reviewer", "Người &rà soát:", self.reviewer_edit, ""),
                ("income_per_person", "Thu nhậ&p bình quân\n(đồng/người/tháng):",
                 self.income_edit, income_hint),
                ("b1_score", "Điểm &B1:", self.b1_edit, b1_hint)):
            label = QLabel(text)
            label.setBuddy(widget)
            field_box = QWidget()
            row = QHBoxLayout(field_box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(widget, 1 if widget is self.reviewer_edit else 0)
            if hint:
                row.addSpacing(10)
                row.addWidget(_hint(hint), 1)
            elif widget is not self.reviewer_edit:
                row.addStretch(1)
            form.addRow(label, self.errors.wrap(name, field_box))
            self.errors.widgets[name] = widget
        outer.addLayout(form)
        outer.addWidget(_hint("Nhập thu nhập bình quân đầu người; nếu không xác định được "
                              "thu nhập thì nhập điểm B1."))

        self.b2_part = QWidget()
        b2 = QVBoxLayout(self.b2_part)
        b2.setContentsMargins(0, 6, 0, 0)
        title = _bold(QLabel(f"B2 – Thiếu hụt dịch vụ xã hội cơ bản "
                             f"({len(self.standard.indicators)} chỉ số, chuẩn "
                             f"{self.standard.id})"))
        self.use_all_button = QPushButton("Dùng tất cả &gợi ý")
        self.use_all_button.setAutoDefault(False)
        self.use_all_button.setToolTip("Điền các chỉ số chưa trả lời theo gợi ý từ sổ hộ; "
                                       "không thay câu trả lời đã có")
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.use_all_button)
        b2.addLayout(top)
        b2.addWidget(_hint(INDICATOR_KEYS_HINT))

        self.indicator_rows: list[IndicatorRow] = []
        self.dimension_boxes: list[QGroupBox] = []
        groups: dict[str, list[Indicator]] = {}
        for indicator in self.standard.indicators:
            groups.setdefault(indicator.dimension, []).append(indicator)
        number = 0
        for dimension, indicators in groups.items():
            group = QGroupBox(f"Chiều {dimension.lower()}" if not dimension.lower()
                              .startswith("chiều") else dimension)
            grid = QGridLayout(group)
            grid.setColumnStretch(0, 1)
            grid.setVerticalSpacing(2)
            line_no = 0
            for indicator in indicators:
                number += 1
                row = IndicatorRow(indicator, number)
                self.indicator_rows.append(row)
                if line_no:
                    grid.setRowMinimumHeight(line_no, 8)
                    line_no += 1
                grid.addWidget(row.label, line_no, 0)
                grid.addWidget(row.choice, line_no, 1, 1, 2)
                grid.addWidget(row.threshold, line_no + 1, 0, 1, 3)
                grid.addWidget(row.suggestion_label, line_no + 2, 0, 1, 2)
                grid.addWidget(row.use_button, line_no + 2, 2,
                               Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                line_no += 3
            self.dimension_boxes.append(group)
            b2.addWidget(group)
        outer.addWidget(self.b2_part)
        return box

    def _phieu_c_box(self) -> QGroupBox:
        self.phieu_c_box = box = QGroupBox("Phiếu C – Đặc điểm hộ nghèo, hộ cận nghèo")
        outer = QVBoxLayout(box)
        groups_title = _bold(QLabel("Đối tượng của hộ (theo sổ hộ):"))
        texts = self.target_group_texts()
        self.target_groups_label = QLabel("; ".join(texts) if texts
                                          else "Không thuộc đối tượng nào.")
        self.target_groups_label.setWordWrap(True)
        self.target_groups_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.target_groups_hint = _hint(TARGET_GROUPS_HINT)
        outer.addWidget(groups_title)
        outer.addWidget(self.target_groups_label)
        outer.addWidget(self.target_groups_hint)
        outer.addSpacing(6)
        layout = QGridLayout()
        outer.addLayout(layout)
        self.cause_checks = {code: QCheckBox(text) for code, text in CAUSES.items()}
        self.need_checks = {code: QCheckBox(text) for code, text in NEEDS.items()}
        causes_label = _bold(QLabel("&Nguyên nhân nghèo:"))
        causes_label.setBuddy(next(iter(self.cause_checks.values())))
        needs_label = _bold(QLabel("Nhu &cầu hỗ trợ:"))
        needs_label.setBuddy(next(iter(self.need_checks.values())))
        layout.addWidget(causes_label, 0, 0, 1, 4)
        for n, check in enumerate(self.cause_checks.values()):
            layout.addWidget(check, 1 + n // 4, n % 4)
        causes_rows = 1 + (len(self.cause_checks) + 3) // 4
        layout.addWidget(needs_label, causes_rows, 0, 1, 4)
        for n, check in enumerate(self.need_checks.values()):
            layout.addWidget(check, causes_rows + 1 + n // 4, n % 4)
        return box

    def target_group_texts(self) -> list[str]:
        """The household's target groups (đối tượng: the flags of the register that are
        set), in the order of ``codes.HOUSEHOLD_FLAGS``."""
        return [label for flag, label in codes.HOUSEHOLD_FLAGS.items()
                if self.household.get(flag) == 1]

    def _override_box(self) -> QGroupBox:
        self.override_box = box = QGroupBox("Sửa kết quả phân loại bằng tay (nếu cần)")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.override_combo = QComboBox()
        self.override_combo.addItem(NO_OVERRIDE, None)
        for key, label in codes.CLASS.items():
            self.override_combo.addItem(label, key)
        self.override_reason_edit = QLineEdit()
        self.override_reason_edit.setPlaceholderText("Bắt buộc khi sửa phân loại, ví dụ: "
                                                     "theo kết quả họp dân thôn")
        class_label = QLabel("&Sửa phân loại thành:")
        class_label.setBuddy(self.override_combo)
        reason_label = QLabel("Lý d&o:")
        reason_label.setBuddy(self.override_reason_edit)
        combo_box = QWidget()
        combo_row = QHBoxLayout(combo_box)
        combo_row.setContentsMargins(0, 0, 0, 0)
        combo_row.addWidget(self.override_combo)
        combo_row.addStretch()
        form.addRow(class_label, combo_box)
        form.addRow(reason_label, self.errors.wrap("override_reason", self.override_reason_edit))
        form.addRow(_hint("Kết quả tính theo chuẩn vẫn được lưu; việc sửa tay luôn hiện thành "
                          "cảnh báo trên phiếu."))
        return box

    def _result_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(_bold(QLabel("Kết quả phân loại")))
        self.class_label = _bold(QLabel(), 1.5)
        self.class_label.setWordWrap(True)
        self.provisional_label = QLabel(PROVISIONAL_NOTE)
        self.provisional_label.setStyleSheet(f"color: {WARNING_COLOR};")
        self.provisional_label.setWordWrap(True)
        self.provisional_label.setVisible(self.standard.is_provisional)
        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checklist_title = _bold(QLabel("Kiểm tra phiếu"))
        self.checklist_label = QLabel()
        self.checklist_label.setWordWrap(True)
        self.checklist_label.setTextFormat(Qt.TextFormat.RichText)
        self.checklist_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.class_label, self.provisional_label, self.score_label):
            layout.addWidget(widget)
        layout.addSpacing(6)
        layout.addWidget(_bold(QLabel("Cách tính")))
        layout.addWidget(self.reasons_label)
        layout.addSpacing(6)
        layout.addWidget(self.checklist_title)
        layout.addWidget(self.checklist_label)

        self.complete_box = QFrame()
        self.complete_box.setStyleSheet("QFrame#done { background: #eef6ee; border: 1px solid "
                                        "#9cc79f; border-radius: 4px; }")
        self.complete_box.setObjectName("done")
        done = QVBoxLayout(self.complete_box)
        self.complete_note = QLabel("Phiếu đã hoàn thành; không sửa được. Muốn sửa, ghi lý do "
                                    "rồi bấm «Mở lại phiếu».")
        self.complete_note.setWordWrap(True)
        self.reopen_reason_edit = QLineEdit()
        self.reopen_reason_edit.setPlaceholderText("Lý do mở lại phiếu")
        self.reopen_button = QPushButton("&Mở lại phiếu")
        self.reopen_button.setAutoDefault(False)
        done.addWidget(self.complete_note)
        done.addWidget(self.reopen_reason_edit)
        done.addWidget(self.reopen_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addSpacing(8)
        layout.addWidget(self.complete_box)
        layout.addStretch()
        return panel

    def tab_chain(self) -> list[QWidget]:
        """The widgets in Tab order: the paper form's order, then the buttons."""
        return [self.screen_choice, self.date_edit, self.reviewer_edit, self.income_edit,
                self.b1_edit, self.use_all_button, *(r.choice for r in self.indicator_rows),
                *self.cause_checks.values(), *self.need_checks.values(),
                self.override_combo, self.override_reason_edit, self.reopen_reason_edit,
                self.reopen_button, self.save_button, self.complete_button, self.cancel_button,
                self.undo_button]

    def first_field(self) -> QWidget:
        if self.is_complete:
            return self.reopen_reason_edit
        return self.screen_choice if not self.review else self.date_edit

    # -- loading ---------------------------------------------------------------------------

    @property
    def is_complete(self) -> bool:
        return bool(self.review) and self.review["status"] == "complete"

    def _load_review(self, review: Mapping[str, Any] | None,
                     default_reviewer: str | None = None) -> None:
        """Fill the widgets from the stored review (or the defaults of a new one)."""
        if review is None:
            self.date_edit.setText(format_date(self.today))
            self.reviewer_edit.setText(default_reviewer or "")
            self._set_editable(True)
            return
        self.screen_choice.set_value(review.get("screen_result"))
        self.date_edit.setText(format_date(date.fromisoformat(review["review_date"]))
                               if review.get("review_date") else "")
        self.reviewer_edit.setText(review.get("reviewer") or "")
        income = review.get("income_per_person")
        self.income_edit.setText(format_int(income) if income is not None else "")
        b1 = review.get("b1_score")
        self.b1_edit.setText(format_number(Decimal(b1)) if b1 not in (None, "") else "")
        try:
            answers = json.loads(review.get("deprivations") or "{}")
        except ValueError:
            answers = {}
        for row in self.indicator_rows:
            value = answers.get(row.indicator.code)
            row.choice.set_value(None if value is None else bool(value))
        causes, needs = _json_list(review.get("causes")), _json_list(review.get("needs"))
        for code, check in self.cause_checks.items():
            check.setChecked(code in causes)
        for code, check in self.need_checks.items():
            check.setChecked(code in needs)
        if review.get("override_reason"):
            self.override_combo.setCurrentIndex(max(self.override_combo.findData(
                review.get("class")), 0))
            self.override_reason_edit.setText(review["override_reason"])
        else:
            self.override_combo.setCurrentIndex(0)
            self.override_reason_edit.clear()
        self._set_editable(review["status"] != "complete")

    def _set_editable(self, editable: bool) -> None:
        """A complete review is read-only until it is reopened."""
        for widget in (self.screen_choice, self.date_edit, self.reviewer_edit,
                       self.override_combo, self.override_reason_edit,
                       *self.cause_checks.values(), *self.need_checks.values()):
            widget.setEnabled(editable)
        self.complete_box.setVisible(not editable)
        self.save_button.setVisible(editable)
        self.complete_button.setVisible(editable)
        self.cancel_button.setText("Hủy" if editable else "Đóng")
        self._update_enabled()

    def _update_enabled(self) -> None:
        """Phiếu B's income and indicators, Phiếu C and the correction are not used when
        Phiếu A stops the review."""
        editable = not self.is_complete and not self._saving
        go_on = editable and self.screen_choice.value() != "stop"
        for widget in (self.income_edit, self.b1_edit, self.use_all_button, self.b2_part,
                       self.phieu_c_box, self.override_box):
            widget.setEnabled(go_on)
        # a reason without a correction would not be kept
        self.override_reason_edit.setEnabled(
            go_on and self.override_combo.currentData() is not None)
        for widget in (self.screen_choice, self.date_edit, self.reviewer_edit):
            widget.setEnabled(editable)
        for row in self.indicator_rows:
            row.update_state()

    def _update_suggestions(self) -> None:
        """The register's suggestions for the review date (shown, never applied by
        themselves)."""
        on = self._review_date() or self.today
        found = reviews.suggestions(self._db, self.household_id, on)
        for row in self.indicator_rows:
            row.set_suggestion(found.get(row.indicator.code))
        self.use_all_button.setVisible(bool(found))

    # -- values ----------------------------------------------------------------------------

    def _review_date(self) -> date | None:
        try:
            return parse_date(self.date_edit.text())
        except InputError:
            return None

    def read_draft(self) -> tuple[ReviewDraft, list[Issue]]:
        """The review as typed, and the problems of the typed text (next to their fields)."""
        problems: list[Issue] = []

        def read(name: str, parse: Callable[[str], Any], text: str) -> Any:
            if not clean(text):
                return None
            try:
                return parse(text)
            except InputError as exc:
                problems.append(error(f"review.{name}_invalid", exc.detail, name))
                return None

        review_date = None
        if clean(self.date_edit.text()):
            try:
                review_date = parse_date(self.date_edit.text())
            except InputError as exc:
                problems.append(error("review.date_invalid", exc.detail, "review_date"))
        income = read("income_per_person", parse_int, self.income_edit.text())
        b1 = read("b1_score", parse_number, self.b1_edit.text())
        override = self.override_combo.currentData()
        draft = ReviewDraft(
            round_id=self.round_id, household_id=self.household_id,
            screen_result=self.screen_choice.value(), review_date=review_date,
            reviewer=clean(self.reviewer_edit.text()) or None, income_per_person=income,
            b1_score=b1,
            deprivations={r.indicator.code: r.choice.value() for r in self.indicator_rows},
            causes=tuple(c for c, check in self.cause_checks.items() if check.isChecked()),
            needs=tuple(c for c, check in self.need_checks.items() if check.isChecked()),
            override_class=override if self.screen_choice.value() != "stop" else None,
            override_reason=(clean(self.override_reason_edit.text()) or None)
            if override else None,
            expected_version=self.review["version"] if self.review else None)
        return draft, problems

    # -- live result -----------------------------------------------------------------------

    def _answered(self, row: IndicatorRow) -> None:
        row.update_state()
        self._edited("deprivations")

    def _edited(self, name: str | None) -> None:
        if self._loading:
            return
        if name is not None:
            self._touched.add(name)
        if name == "review_date":
            self._update_suggestions()
        if name == "screen_result":
            self._update_enabled()
        if name == "override_class":
            self._touched.add("override_reason")
            self._update_enabled()
        self._update()

    def _update(self) -> None:
        """Classify the draft as typed and show the result, the checklist and the messages."""
        draft, problems = self.read_draft()
        self._input_issues = problems
        self.preview = preview(self._db, draft, problems)
        self._show_result()
        self.errors.show([i for i in self.preview.issues if i.field in self._touched], FIELDS)
        self._update_buttons()

    def _show_result(self) -> None:
        result = self.preview.result
        overridden = result is not None and result.overridden
        if result is None or result.klass is None:
            self.class_label.setText("Chưa phân loại được")
            self.class_label.setStyleSheet("color: #666;")
        else:
            self.class_label.setText(result.label + (" (sửa tay)" if overridden else ""))
            color = {"poor": "#b00020", "near_poor": "#b35c00"}.get(result.klass, OK_COLOR)
            self.class_label.setStyleSheet(f"color: {color};")
        count = result.deprivation_count if result else None
        b2 = result.b2 if result else None
        total = len(self.standard.indicators)
        self.score_label.setText(
            f"Điểm B2: {'—' if b2 is None else b2}   ·   Số chỉ số thiếu hụt: "
            f"{'—' if count is None else f'{count}/{total}'}")
        reasons = result.reasons if result else ()
        self.reasons_label.setText("\n".join(f"• {r}" for r in reasons) or "—")
        self._show_checklist(self.preview.issues)

    def _show_checklist(self, issues: list[Issue]) -> None:
        errors = [i for i in issues if i.severity == ERROR]
        warnings = [i for i in issues if i.severity != ERROR]
        lines = [f'<div style="color:{ERROR_COLOR}">✗ {html.escape(i.message)}</div>'
                 for i in errors]
        lines += [f'<div style="color:{WARNING_COLOR}">⚠ {html.escape(i.message)}</div>'
                  for i in warnings]
        if not errors:
            done = ("Phiếu đã hoàn thành." if self.is_complete
                    else "Phiếu đã đủ thông tin: có thể bấm «Hoàn thành».")
            lines.insert(0, f'<div style="color:{OK_COLOR}">✓ {done}</div>')
        if errors:
            self.checklist_title.setText(f"Còn thiếu hoặc sai ({len(errors)} lỗi"
                                         + (f", {len(warnings)} cảnh báo)" if warnings else ")"))
        else:
            self.checklist_title.setText("Kiểm tra phiếu")
        self.checklist_label.setText("".join(lines))

    def checklist_messages(self, severity: str | None = None) -> list[str]:
        """The checklist's lines (of one severity), as shown."""
        return [i.message for i in self.preview.issues
                if severity is None or i.severity == severity]

    def _update_buttons(self) -> None:
        editable = not self.is_complete and not self._saving
        self.save_button.setEnabled(editable)
        self.complete_button.setEnabled(editable)
        self.cancel_button.setEnabled(not self._saving)
        self.undo_button.setVisible(self.review is not None and not self.is_complete)
        self.undo_button.setEnabled(not self._saving)
        self.reopen_button.setEnabled(self.is_complete and not self._saving)
        if self.preview.errors:
            self.complete_button.setToolTip("Chưa hoàn thành được: " + "; ".join(
                i.message for i in self.preview.errors))
        else:
            self.complete_button.setToolTip("Lưu phiếu và đánh dấu hoàn thành")

    def use_all_suggestions(self) -> None:
        """Answer the unanswered indicators as the register suggests (answers stay)."""
        used = 0
        for row in self.indicator_rows:
            if row.suggestion is not None and row.choice.value() is None:
                row.use_suggestion()
                used += 1
        self._show_message(f"Đã điền {used} chỉ số theo gợi ý từ sổ hộ; hãy kiểm tra lại."
                           if used else "Không có chỉ số chưa trả lời nào có gợi ý.")

    # -- tidy on leaving a field -----------------------------------------------------------

    def _tidy_date(self) -> None:
        value = self._review_date()
        if value is not None and format_date(value) != self.date_edit.text():
            self.date_edit.setText(format_date(value))

    def _tidy_income(self) -> None:
        """"1500000" becomes "1.500.000" once the field is left."""
        text = self.income_edit.text()
        if not clean(text):
            return
        try:
            value = parse_int(text)
        except InputError:
            return
        if format_int(value) != text:
            self.income_edit.setText(format_int(value))

    # -- keyboard --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Overrides QDialog.keyPressEvent: Enter presses a focused button, or moves from a
        field to the next field (never past the last one); it never completes by itself."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and modifiers == Qt.KeyboardModifier.NoModifier:
            focus = QApplication.focusWidget()
            if isinstance(focus, QPushButton):
                if focus.isEnabled():
                    focus.click()
            else:
                following = self._next_field(focus)
                if following is not None:
                    self.focus_field(following, Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)

    def _next_field(self, widget: QWidget | None) -> QWidget | None:
        """The field after ``widget`` in the paper order; None after the last field (the
        buttons are never reached with Enter)."""
        chain = self.tab_chain()
        if widget not in chain:
            return None
        for candidate in chain[chain.index(widget) + 1:]:
            if candidate in (self.reopen_button, self.save_button, self.complete_button,
                             self.cancel_button):
                return None
            if isinstance(candidate, QPushButton):
                continue
            if candidate.isVisible() and candidate.isEnabled() \
                    and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus:
                return candidate
        return None

    # -- saving ----------------------------------------------------------------------------

    def _show_message(self, text: str, *, error_text: bool = False) -> None:
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};" if error_text else "")
        self.message_label.setText(text)

    def _check_input(self) -> ReviewDraft | None:
        """The draft to save, or None (messages next to the fields) when some typed text
        cannot be saved."""
        self._touched |= set(FIELDS)
        self._update()
        draft, problems = self.read_draft()
        blocking = problems + [i for i in self.preview.issues if i.field == "override_reason"]
        if blocking:
            self._show_message("Chưa lưu được: hãy sửa các lỗi ghi màu đỏ.", error_text=True)
            self._focus_first({i.field for i in blocking})
            return None
        return draft

    def _focus_first(self, fields: set[str | None]) -> None:
        """Put the keyboard on the first field (in paper order) with one of the problems."""
        for name in (*FIELDS[:5], "deprivations", *FIELDS[5:]):
            if name not in fields:
                continue
            if name == "deprivations":
                widget = next((r.choice for r in self.indicator_rows
                               if r.choice.value() is None), None)
            else:
                widget = self.errors.widgets.get(name)
            if widget is not None and widget.isEnabled():
                self.focus_field(widget)
                return

    def focus_field(self, widget: QWidget,
                    reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """Put the keyboard on ``widget`` and scroll it into sight (Tab does that by itself,
        a focus given from code does not)."""
        widget.setFocus(reason)
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget, 10, 10)

    def save(self) -> None:
        """"Lưu nháp": save in the worker, close when it succeeded."""
        if self._saving or self.is_complete:
            return
        draft = self._check_input()
        if draft is None:
            return
        self._set_saving(True)
        self._show_message("Đang lưu…")
        self.tasks.run(lambda db: save_draft(db, draft), self._saved, self._save_failed)

    def complete(self) -> None:
        """"Hoàn thành": save and mark complete in the worker, close when it succeeded.

        Refused while the checklist has errors: nothing is written (a stored draft stays a
        draft), the reasons are shown and the keyboard goes to the first field to fix.
        """
        if self._saving or self.is_complete:
            return
        draft = self._check_input()
        if draft is None:
            return
        if self.preview.errors:
            self._show_message(f"Chưa hoàn thành được phiếu: còn {len(self.preview.errors)} "
                               "lỗi (xem «Còn thiếu hoặc sai» bên phải). Sửa các lỗi, hoặc bấm "
                               "«Lưu nháp» để lưu phần đã nhập.", error_text=True)
            self._focus_first({i.field for i in self.preview.errors})
            return
        self._set_saving(True)
        self._show_message("Đang lưu và đánh dấu hoàn thành…")
        self.tasks.run(lambda db: save_and_complete(db, draft), self._saved, self._save_failed)

    def reopen(self) -> None:
        """Set the complete review back to draft, with the reason typed; the form stays."""
        if self._saving or not self.is_complete:
            return
        reason = clean(self.reopen_reason_edit.text())
        if not reason:
            self._show_message("Cần ghi lý do mở lại phiếu.", error_text=True)
            self.focus_field(self.reopen_reason_edit)
            return
        review_id = self.review["id"]
        self._set_saving(True)
        self._show_message("Đang mở lại phiếu…")
        self.tasks.run(lambda db: reopen(db, review_id, reason), self._reopened,
                       self._save_failed)

    def confirm_undo(self, edit: undo.LastEdit) -> bool:
        """Show what undoing puts back and ask to go on."""
        return widgets.confirm_undo(self, edit, "phiếu ")

    def undo_last_edit(self) -> None:
        """"Hoàn tác lần sửa cuối": write back the values the last save of this review
        replaced (in the worker); the form closes when it is done."""
        if self._saving or self.review is None or self.is_complete:
            return
        if self.has_changes():
            self._show_message("Hãy lưu hoặc bỏ các thay đổi đang nhập trước khi hoàn tác lần "
                               "sửa cuối.", error_text=True)
            return
        round_id, household_id = self.round_id, self.household_id
        rows = undo.review_rows(self._db, round_id, household_id)
        edit = undo.last_edit(self._db, rows)
        if edit is None:
            self._show_message("Phiếu chưa có lần sửa nào để hoàn tác.", error_text=True)
            return
        if not self.confirm_undo(edit):
            return
        self._set_saving(True)
        self._show_message("Đang hoàn tác…")

        def task(db: Database) -> dict:
            found = undo.review_rows(db, round_id, household_id)
            undo.undo_last_edit(sites.writer(db), found, expected=edit, main=found[0])
            return reviews.review_of(db, round_id, household_id)

        self.tasks.run(task, self._saved, self._save_failed)

    def _typed_state(self) -> tuple:
        """What the form holds, including text that does not read as a value yet."""
        return (self.read_draft()[0], self.date_edit.text(), self.income_edit.text(),
                self.b1_edit.text(), self.reviewer_edit.text(),
                self.override_reason_edit.text())

    def has_changes(self) -> bool:
        """Something typed or chosen since the form was opened (or last saved)."""
        return not self.is_complete and self._typed_state() != self._initial_state

    def reject(self) -> None:
        """Overrides QDialog.reject: not while a save is running; unsaved changes are
        dropped only when the user says so."""
        if self._saving:
            return
        if self.has_changes() and not self.confirm_discard():
            return
        super().reject()

    def unsaved_changes(self) -> list[str]:
        """The form's title when it is open with unsaved changes (closing the program)."""
        return [self.windowTitle()] if self.isVisible() and self.has_changes() else []

    def confirm_discard(self) -> bool:
        """The unsaved-changes guard: "Lưu" saves the draft (the form closes once saved)
        and "Hủy" stays (both False); "Không lưu" drops the changes (True)."""
        answer = widgets.ask_unsaved(self, "Phiếu này có thay đổi chưa lưu. Lưu nháp trước khi "
                                           "đóng?",
                                     "«Không lưu» đóng và bỏ các thay đổi; «Hủy» để sửa tiếp.")
        if answer == widgets.SAVE:
            self.save()
        return answer == widgets.DISCARD

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._update_enabled()
        self._update_buttons()

    def _saved(self, row: dict) -> None:
        self._set_saving(False)
        self.review = row
        self._show_message("Đã hoàn thành phiếu." if row["status"] == "complete"
                           else "Đã lưu nháp.")
        self.saved.emit(self.household_id, row["status"])
        self.accept()

    def _reopened(self, row: dict) -> None:
        self._set_saving(False)
        self.review = row
        self.reopen_reason_edit.clear()
        self._loading = True
        self._load_review(row)
        self._loading = False
        self._update_enabled()
        self._update()
        self._initial_state = self._typed_state()
        self._show_message("Đã mở lại phiếu; có thể sửa rồi lưu.")
        self.saved.emit(self.household_id, row["status"])
        self.focus_field(self.date_edit)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, NotCompleted):
            self.review = exc.row           # saved: the next save starts from this version
            self._update()
            self._show_message(str(exc), error_text=True)
            self.saved.emit(self.household_id, exc.row["status"])
        elif isinstance(exc, GnappError):
            self._show_message(str(exc), error_text=True)
        else:
            self._show_message("Không lưu được phiếu do lỗi của phần mềm; dữ liệu chưa thay "
                               "đổi.", error_text=True)
            show_error(self, exc)
