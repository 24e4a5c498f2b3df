"""Small shared widgets: the Vietnamese file dialog."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from gnapp.ui.widgets import choose_paths


def test_file_dialogs_speak_vietnamese_and_cancel_to_nothing(qtbot):
    seen = []

    def look_then_cancel():
        dialog = QApplication.activeModalWidget()
        box = dialog.findChild(QDialogButtonBox)
        seen.append((dialog.windowTitle(), [b.text() for b in box.buttons()]))
        dialog.reject()

    QTimer.singleShot(200, look_then_cancel)
    assert choose_paths(None, "Chọn gói đồng bộ để nhận",
                        mode=QFileDialog.FileMode.ExistingFiles) == []
    assert seen == [("Chọn gói đồng bộ để nhận", ["Chọn", "Hủy"])]
