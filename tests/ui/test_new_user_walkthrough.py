"""What a new user does first, on real widgets: the wizard on a fresh file (no demo data),
a village and a household entered in the editor, a review round opened, and the list of
households to review printed to a PDF that is read back."""

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from gnapp.db import connection, reviews, sites
from gnapp.forms import printing
from gnapp.ui.first_start import FirstStartDialog


def test_wizard_then_a_household_then_a_printed_list(qtbot, db_path, make_window, type_vi,
                                                     tmp_path, shown_errors):
    wizard = FirstStartDialog(db_path)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.province_combo.count() == 34, timeout=20000)
    wizard.select_province("24")
    qtbot.waitUntil(lambda: wizard.commune_combo.count() > 0)
    wizard.commune_combo.set_current_key("07339")
    wizard.next()
    type_vi(wizard.full_name_edit, "Nguyễn Thị Hồng Nhung")
    wizard.no_login_check.setChecked(True)
    wizard.next()
    qtbot.mouseClick(wizard.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.result() == QDialog.DialogCode.Accepted, timeout=20000)

    window = make_window(db_path)
    page = window.household_page
    page.add_household()
    editor = page.editor
    village = editor.add_village()
    type_vi(village.name_edit, "Thôn Đông Sơn")
    qtbot.mouseClick(village.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.village_combo.currentText() == "Thôn Đông Sơn")
    editor.add_member()
    head = editor.member_form
    type_vi(head.name_edit, "Trần Văn Bình")
    head.sex_combo.setCurrentIndex(head.sex_combo.findText("Nam"))
    head.birth_edit.setText("12/4/1980")
    qtbot.mouseClick(head.ok_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.finished, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    db = connection.connect(db_path)
    try:
        reviews.create_round(sites.writer(db), year=2026, kind="periodic")
        out = tmp_path / "phu-luc-1.pdf"
        printing.print_form(db, "phu-luc-1", out)
    finally:
        db.close()
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "DANH SÁCH HỘ GIA ĐÌNH CẦN RÀ SOÁT" in text.upper()
    assert "Xã Tân Yên".upper() in text.upper()
    assert not shown_errors
