"""Recovery at start, and the confirmation of a restore with what the backup holds.

``check_at_start(db_path)`` is called before the database is opened. A good or missing file
goes on at once. A damaged file, another program's file or a truncated one is never opened
nor overwritten: ``RecoveryDialog`` says what is wrong with which file and offers the latest
good backup (its date and contents), another backup, or to quit. Recovering sets the damaged
file aside under a ``.hong-…`` name and restores (``gnapp.db.recovery.recover_from``).

The dialogs are plain classes whose choice can be set without running them modally
(``RecoveryDialog.choose``), and ``check_at_start`` asks through ``RecoveryDialog.ask``,
``choose_backup_file`` and ``confirm_backup``, which tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QFileDialog, QGroupBox, QHBoxLayout, QLabel,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from gnapp.db import backup, recovery
from gnapp.domain.cancel import Cancelled
from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import format_int
from gnapp.ui.format import format_datetime, size_kb
from gnapp.ui.tasks import TaskManager, message_box
from gnapp.ui.widgets import ERROR_COLOR, choose_paths

ROLES = {"commune": "cấp xã", "office": "cơ quan cấp trên"}

LATEST = "latest"
OTHER = "other"
QUIT = "quit"

KEEP_NOTE = ("Tệp này sẽ không bị ghi đè hay xóa. Khi khôi phục, tệp được đổi tên thành "
             "«{name}.hong-…» và giữ nguyên bên cạnh, để người hỗ trợ kỹ thuật có thể xem lại.")
RESTORE_NOTE = ("Sau khi khôi phục, các thay đổi sau thời điểm sao lưu sẽ không còn và cần nhập "
                "lại. Dữ liệu được coi là một bản cài đặt mới (có khóa mới) để không dùng lại "
                "số thứ tự các gói đồng bộ đã gửi.")


def summary_lines(found: dict) -> list[str]:
    """What a backup holds (``backup.summary``), one line per fact, in Vietnamese."""
    lines = []
    if found.get("taken_at"):
        lines.append(f"Thời điểm sao lưu: {format_datetime(found['taken_at'])}")
    if found.get("unit_code"):
        unit = f"{found.get('unit_name') or 'Đơn vị'} ({found['unit_code']})"
        role = ROLES.get(found.get("role"), "")
        lines.append(f"Dữ liệu của: {unit}" + (f", {role}" if role else ""))
    else:
        lines.append("Dữ liệu chưa được khởi tạo cho đơn vị nào.")
    lines.append(f"Số hộ đang quản lý: {format_int(found.get('households', 0))}; "
                 f"nhân khẩu: {format_int(found.get('members', 0))}")
    rounds = found.get("rounds") or []
    lines.append("Đợt rà soát: " + (", ".join(f"năm {y}" for y in rounds) if rounds
                                    else "chưa có"))
    if found.get("last_change"):
        lines.append(f"Thay đổi gần nhất: {format_datetime(found['last_change'])}")
    lines.append(f"Dung lượng: {size_kb(found.get('size', 0))} KB; cấu trúc dữ liệu "
                 f"{found.get('schema', '?')}")
    return lines


def _summary_box(title: str, lines: list[str]) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    label = QLabel("\n".join(lines))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    layout.addWidget(label)
    box.summary_label = label
    return box


def _bold(text: str, scale: float = 1.2) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class RecoveryDialog(QDialog):
    """The database file cannot be used: what is wrong, and what to do.

    :param health: what ``recovery.inspect`` found
    :param latest: the latest good backup, if any, and its summary
    """

    def __init__(self, health: recovery.Health, latest: backup.BackupInfo | None = None,
                 latest_summary: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.health = health
        self.latest = latest
        self.choice = QUIT
        self.setWindowTitle("gnapp – Không mở được dữ liệu")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.title_label = _bold("Không mở được tệp dữ liệu")
        self.message_label = QLabel(health.message)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.path_label = QLabel(f"Tệp: {health.path.resolve()}")
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keep_label = QLabel(KEEP_NOTE.format(name=health.path.name))
        self.keep_label.setWordWrap(True)
        for widget in (self.title_label, self.message_label, self.path_label,
                       self.keep_label):
            layout.addWidget(widget)
        folder = backup.backup_dir(health.path)
        if latest is not None:
            self.latest_box = _summary_box("Bản sao lưu gần nhất còn dùng được",
                                           summary_lines(latest_summary or {}))
            layout.addWidget(self.latest_box)
            self.restore_note = QLabel(RESTORE_NOTE)
            self.restore_note.setWordWrap(True)
            layout.addWidget(self.restore_note)
        else:
            self.latest_box = None
            self.none_label = QLabel(
                f"Không tìm thấy bản sao lưu nào còn dùng được trong thư mục {folder}. Nếu có "
                "bản sao lưu trên thẻ nhớ USB hoặc máy khác, bấm «Chọn bản sao lưu khác…».")
            self.none_label.setWordWrap(True)
            layout.addWidget(self.none_label)
        if health.detail:
            self.detail_label = QLabel(f"Chi tiết kỹ thuật: {health.detail}")
            self.detail_label.setWordWrap(True)
            self.detail_label.setStyleSheet("color: #666;")
            self.detail_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.detail_label)

        buttons = QHBoxLayout()
        self.latest_button = QPushButton(
            f"Khôi phục từ bản sao lưu gần nhất ({format_datetime(latest.taken_at)})"
            if latest is not None else "Khôi phục từ bản sao lưu gần nhất")
        self.latest_button.setVisible(latest is not None)
        self.other_button = QPushButton("Chọn bản sao lưu khác…")
        self.quit_button = QPushButton("Thoát")
        buttons.addWidget(self.latest_button)
        buttons.addWidget(self.other_button)
        buttons.addStretch()
        buttons.addWidget(self.quit_button)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.latest_button.clicked.connect(lambda: self.choose(LATEST))
        self.other_button.clicked.connect(lambda: self.choose(OTHER))
        self.quit_button.clicked.connect(lambda: self.choose(QUIT))
        (self.latest_button if latest is not None else self.other_button).setDefault(True)

    def choose(self, choice: str) -> None:
        """Answer the dialog (what the buttons do)."""
        self.choice = choice
        self.done(QDialog.DialogCode.Accepted if choice != QUIT
                  else QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        """Overrides QDialog.reject: Esc or closing the window means "Thoát"."""
        self.choice = QUIT
        super().reject()

    def ask(self) -> str:
        """Show the dialog modally; the choice (``latest``, ``other`` or ``quit``)."""
        self.exec()
        return self.choice


class RestoreConfirmDialog(QDialog):
    """Restore this backup? Its date and what it holds, and what a restore does."""

    def __init__(self, file: Path, found: dict, explanation: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Khôi phục dữ liệu")
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        self.question_label = _bold(f"Khôi phục dữ liệu từ bản sao lưu {file.name}?", 1.1)
        self.summary_box = _summary_box("Bản sao lưu này chứa", summary_lines(found))
        self.explanation_label = QLabel(explanation)
        self.explanation_label.setWordWrap(True)
        self.go_button = QPushButton("Khôi phục")
        self.cancel_button = QPushButton("Hủy")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.go_button)
        buttons.addWidget(self.cancel_button)
        for widget in (self.question_label, self.summary_box, self.explanation_label):
            layout.addWidget(widget)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.go_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.cancel_button.setDefault(True)


def choose_backup_file(parent: QWidget | None, folder: Path) -> Path | None:
    """Ask for a backup file (a file dialog), or None."""
    chosen = choose_paths(parent, "Chọn bản sao lưu để khôi phục",
                          mode=QFileDialog.FileMode.ExistingFile, folder=str(folder),
                          filters=f"Bản sao lưu gnapp (*{backup.BACKUP_SUFFIX});;"
                                  "Tất cả các tệp (*)")
    return chosen[0] if chosen else None


def confirm_backup(parent: QWidget | None, file: Path, found: dict) -> bool:
    """Show what a chosen backup holds and ask to restore it."""
    dialog = RestoreConfirmDialog(file, found, RESTORE_NOTE, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def _latest(db_path: Path) -> tuple[backup.BackupInfo | None, dict | None]:
    latest = recovery.latest_good_backup(db_path)
    if latest is None:
        return None, None
    try:
        return latest, backup.summary(latest.path)
    except backup.BackupError:
        return None, None


def check_at_start(db_path: str | Path, parent: QWidget | None = None) -> bool:
    """Look at the database before it is opened; True when the program may open it.

    A good file, or none (first start), gives True at once. A file of a newer gnapp is
    explained and gives False. A damaged or foreign file is never written to: the user
    chooses the latest good backup, another backup, or to quit (False); recovering sets the
    damaged file aside (kept under ``.hong-…``) and restores the backup (True).
    """
    db_path = Path(db_path)
    health = recovery.inspect(db_path)
    if health.usable:
        return True
    if health.state == recovery.TOO_NEW or db_path.is_dir():
        message_box(parent, QMessageBox.Icon.Critical, health.message)
        return False
    latest, latest_summary = _latest(db_path)
    while True:
        choice = RecoveryDialog(health, latest, latest_summary, parent).ask()
        if choice == QUIT:
            return False
        if choice == LATEST and latest is not None:
            file = latest.path
        else:
            file = choose_backup_file(parent, backup.backup_dir(db_path))
            if file is None:
                continue
            try:
                backup.check_backup(file)
                found = backup.summary(file)
            except GnappError as exc:
                message_box(parent, QMessageBox.Icon.Warning, str(exc))
                continue
            if not confirm_backup(parent, file, found):
                continue
        tasks = TaskManager(db_path)
        try:
            aside, site = tasks.wait_with_progress(
                lambda progress: recovery.recover_from(file, db_path, progress),
                parent=parent, label=f"Khôi phục từ {Path(file).name}")
        except Cancelled:
            message_box(parent, QMessageBox.Icon.Information,
                        "Đã hủy khôi phục. Tệp dữ liệu hỏng vẫn được giữ nguyên, chưa có gì "
                        "thay đổi.")
            continue
        except GnappError as exc:
            message_box(parent, QMessageBox.Icon.Warning, str(exc))
            continue
        except OSError as exc:
            message_box(parent, QMessageBox.Icon.Warning,
                        f"Không khôi phục được từ {Path(file).name}: {exc.strerror or exc}. "
                        "Tệp dữ liệu hỏng vẫn được giữ nguyên.")
            continue
        finally:
            tasks.close()
        kept = (f" Tệp hỏng được giữ lại với tên {aside.name} trong thư mục {aside.parent}."
                if aside is not None else "")
        message_box(parent, QMessageBox.Icon.Information,
                    f"Đã khôi phục dữ liệu từ bản sao lưu {Path(file).name}.{kept} Các thay đổi "
                    f"sau thời điểm sao lưu cần nhập lại. Mã nhận dạng khóa mới: "
                    f"{site.fingerprint}.")
        return True
