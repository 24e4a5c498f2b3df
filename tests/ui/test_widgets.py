"""Small shared widgets: the Vietnamese file dialog."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from gnapp.ui.widgets import ask_to_go_on, choose_paths


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


def test_a_question_goes_on_only_with_its_button(qtbot):
    def press(text):
        def act():
            box = QApplication.activeModalWidget()
            [button] = [b for b in box.buttons() if b.text() == text]
            button.click()
        return act

    for text, expected in (("Khôi phục", True), ("Hủy", False)):
        QTimer.singleShot(200, press(text))
        assert ask_to_go_on(None, "Khôi phục dữ liệu", "Khôi phục?", "Giải thích",
                            "Khôi phục") is expected
