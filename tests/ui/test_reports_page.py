"""The Reports area: every form listed, preview, save, print (patched dialogs), sign, unlock."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from gnapp import demo
from gnapp.db import connection, documents
from gnapp.forms import catalog
from gnapp.ui import reports_page as rp
from tests.forms.readback import pdf_text


@pytest.fixture
def demo_path(site_path):
    """Commune 07339 with the demo's villages, 60 households and the 2025/2026 rounds."""
    db = connection.connect(site_path)
    demo.fill(db, households=60)
    db.close()
    return site_path


@pytest.fixture
def page(make_window, demo_path, qtbot):
    window = make_window(demo_path)
    window.show_area(rp.AREA_TITLE)
    return window.reports_page


def wait_idle(qtbot, page):
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=20000)


def copies(path):
    db = connection.connect(path)
    try:
        return documents.printed_copies(db)
    finally:
        db.close()


def test_every_form_is_listed_by_group(page):
    listed = []
    for i in range(page.forms.topLevelItemCount()):
        group = page.forms.topLevelItem(i)
        listed += [group.child(j).data(0, rp.NAME_ROLE) for j in range(group.childCount())]
    assert listed == list(catalog.REPORTS)
    assert [page.round_box.itemText(i) for i in range(page.round_box.count())] == [
        "Đợt hiện tại", "Năm 2026", "Năm 2025"]
    assert page.unit_box.count() == 1 + len(demo.DEMO_VILLAGES)


def test_parameters_follow_the_chosen_form(page):
    page.select_form("giay-chung-nhan")
    assert page.household_edit.isEnabled() and not page.blank_check.isEnabled()
    assert page.issue_check.isEnabled() and not page.xlsx_button.isEnabled()
    page.select_form("niem-yet")
    assert not page.household_edit.isEnabled() and page.xlsx_button.isEnabled()
    page.select_form("phieu-b")
    assert page.blank_check.isEnabled()


def test_preview_shows_the_document_and_records_nothing(page, qtbot, demo_path, shown_errors):
    page.select_form("niem-yet")
    page.round_box.setCurrentIndex(page.round_box.findData(2025))
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    assert page.progress.isVisible()
    wait_idle(qtbot, page)
    assert not page.progress.isVisible() and shown_errors == []
    text = page.preview.text()
    assert "THÔNG BÁO" in text and "Danh sách hộ nghèo:" in text
    assert page.preview_doc.fingerprint[:12] in page.status_label.text()
    assert copies(demo_path) == []


def test_saving_twice_records_two_copies_the_second_a_copy(page, qtbot, tmp_path, demo_path,
                                                           monkeypatch):
    page.select_form("danh-sach-cong-nhan")
    page.round_box.setCurrentIndex(page.round_box.findData(2025))
    targets = iter([tmp_path / "a.xlsx", tmp_path / "b.pdf"])
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: next(targets))
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert (tmp_path / "a.xlsx").exists() and "BẢN SAO" not in page.status_label.text()
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert (tmp_path / "b.pdf").exists() and "BẢN SAO" in page.status_label.text()
    assert [c["is_copy"] for c in copies(demo_path)] == [1, 0]           # newest first
    assert page.copies.rowCount() == 2
    assert page.copies.item(0, 1).text().endswith("(BẢN SAO)")


class PaperPrinter(QPrinter):
    """A printer as the print dialog returns it, chosen by name with a number of copies; what
    it prints lands in ``sheets``, a PDF of the painted pages (Qt writes it), to read back."""

    def __init__(self, sheets: Path, name: str = "may-in-xa", copies: int = 2):
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.setOutputFileName(str(sheets))
        self.setCopyCount(copies)
        self._name = name

    def outputFormat(self):            # as the page sees it: a real printer, not a file
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self):
        return self._name


def test_print_renders_the_recorded_pdf_on_the_chosen_printer(page, qtbot, monkeypatch,
                                                              demo_path, tmp_path):
    sheets = tmp_path / "sheets.pdf"
    monkeypatch.setattr(page, "ask_printer", lambda: PaperPrinter(sheets))
    page.select_form("phieu-a")
    page.blank_check.setChecked(True)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert "Đã gửi 4 trang tới máy in may-in-xa" in page.status_label.text()
    assert [c["form"] for c in copies(demo_path)] == ["phieu-a"]
    printed = PdfReader(page.preview.scratch / "phieu-a-in.pdf")
    out = PdfReader(sheets)
    assert len(out.pages) == 2 * len(printed.pages)             # two copies, collated
    def sizes(pdf):
        return [(round(p.mediabox.width), round(p.mediabox.height)) for p in pdf.pages]

    assert sizes(out) == sizes(printed) * 2
    assert all(len(p.images) == 1 for p in out.pages)          # each page painted as rendered
    assert page.preview.page_count() == len(printed.pages)      # the printed file is shown


def test_print_to_pdf_writes_where_the_dialog_says(page, qtbot, monkeypatch, tmp_path):
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "p.pdf"))
    monkeypatch.setattr(page, "ask_printer", lambda: printer)
    page.select_form("phieu-c")
    page.blank_check.setChecked(True)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert "PHIẾU C" in pdf_text(tmp_path / "p.pdf").upper()    # reportlab's own file, text kept
    assert not (page.preview.scratch / "phieu-c-in.pdf").exists()


def test_cancelled_dialogs_do_nothing(page, qtbot, monkeypatch, demo_path):
    monkeypatch.setattr(page, "ask_printer", lambda: None)
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: None)
    page.select_form("niem-yet")
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    assert not page.tasks.busy and copies(demo_path) == []


def test_a_refused_form_shows_the_reason(page, qtbot, monkeypatch, tmp_path, shown_errors):
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: tmp_path / "x.pdf")
    page.select_form("giay-chung-nhan")                # no household given
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert "--household" in str(shown_errors[0]) and not (tmp_path / "x.pdf").exists()


def test_sign_then_unlock_with_a_reason(page, qtbot, monkeypatch, tmp_path, demo_path):
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: tmp_path / "ny.pdf")
    page.select_form("niem-yet")
    page.round_box.setCurrentIndex(page.round_box.findData(2025))
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    page.copies.selectRow(0)
    assert page.sign_button.isEnabled() and not page.unlock_button.isEnabled()
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert copies(demo_path)[0]["state"] == "signed"
    assert page.copies.item(0, 5).text() == "Đã ký (khóa dữ liệu)"
    db = connection.connect(demo_path)
    locked = len(documents.locked_rows(db))
    db.close()
    assert locked > 0
    page.copies.selectRow(0)
    monkeypatch.setattr(page, "ask_unlock_reason", lambda: "Phúc tra theo khiếu nại")
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    row = copies(demo_path)[0]
    assert (row["state"], row["unlock_reason"]) == ("unlocked", "Phúc tra theo khiếu nại")


def test_tab_goes_down_the_left_side_then_to_the_preview(page, qtbot):
    page.select_form("bao-cao-1")          # no household, no blank form, no number: skipped
    page.forms.setFocus()
    seen = []
    for _ in range(9):
        qtbot.keyClick(page.window().focusWidget(), Qt.Key.Key_Tab)
        seen.append(page.window().focusWidget())
    assert seen == [page.round_box, page.unit_box, page.chart_check, page.preview_button,
                    page.print_button, page.pdf_button, page.xlsx_button, page.copies,
                    page.profile_button]


def test_a_print_that_fails_records_no_copy(page, qtbot, monkeypatch, demo_path, tmp_path,
                                            shown_errors):
    printer = PaperPrinter(tmp_path / "sheets.pdf")
    printer.setFromTo(40, 41)                 # past the last page: nothing can be printed
    monkeypatch.setattr(page, "ask_printer", lambda: printer)
    page.select_form("quyet-dinh")
    page.issue_check.setChecked(True)         # would take a number from the book
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    [error] = shown_errors
    assert "không có trang nào để in" in str(error)
    assert copies(demo_path) == []
    db = connection.connect(demo_path)
    assert documents.numbers(db, "07339") == []       # no number used up
    db.close()


def test_the_profile_button_opens_the_commune_profile(page, qtbot):
    qtbot.mouseClick(page.profile_button, Qt.MouseButton.LeftButton)
    dialog = page.profile_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.windowTitle().startswith("Hồ sơ")
    tabs = dialog.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Cơ quan ban hành", "Người ký", "Nơi nhận", "Sổ văn bản"]
    dialog.reject()
