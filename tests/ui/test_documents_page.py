"""The "Văn bản" area offscreen: new from a template, the block editor, save (refused with the
reason, then stored), the editor round trip, the unsaved-changes guard, the print preview,
signing (read-only afterwards) and the Word export — with patched questions."""

from datetime import date

import docx
import pytest

from gnapp import demo
from gnapp.db import connection, plan_documents
from gnapp.ui import documents_page as dp
from tests.forms.readback import pdf_text


@pytest.fixture
def demo_path(site_path):
    """Commune 07339 with the demo's villages, 60 households and the 2025/2026 rounds."""
    db = connection.connect(site_path)
    demo.fill(db, households=60)
    db.close()
    return site_path


@pytest.fixture
def errors(monkeypatch, shown_errors):
    monkeypatch.setattr(dp, "show_error", lambda parent, exc: shown_errors.append(exc))
    return shown_errors


@pytest.fixture
def asked(monkeypatch):
    """The discard question, answered by ``asked.answer`` and recorded."""
    class Asked(list):
        answer = False

    calls = Asked()

    def confirm(page):
        calls.append(page.current["subject"])
        return calls.answer

    monkeypatch.setattr(dp.DocumentsPage, "confirm_discard", confirm)
    return calls


@pytest.fixture
def page(make_window, demo_path, errors, asked):
    window = make_window(demo_path)
    window.show_area(dp.AREA_TITLE)
    return window.documents_page


def wait_idle(qtbot, page):
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=30000)


def stored(path, doc_id):
    db = connection.connect(path)
    try:
        return plan_documents.get(db, doc_id)
    finally:
        db.close()


def new_report(qtbot, page, monkeypatch):
    monkeypatch.setattr(page, "ask_new_document", lambda: ("bao-cao-giua-ky", 2026, None))
    page.new_button.click()
    wait_idle(qtbot, page)
    assert page.current is not None and page.list.rowCount() == 1
    return page.current


def test_new_document_from_a_template_fills_the_editor(qtbot, page, monkeypatch, errors):
    row = new_report(qtbot, page, monkeypatch)
    assert page.subject_edit.text() == ("Đánh giá giữa kỳ thực hiện Chương trình mục tiêu "
                                        "quốc gia giảm nghèo bền vững trên địa bàn xã Tân Yên")
    assert page.kind_box.currentData() == "report" and page.year_box.value() == 2026
    assert page.symbol_edit.text() == "BC-UBND"
    assert page.signer_box.currentData() == "vice_chairman"
    lines = [page.block_list.item(i).text().strip() for i in range(page.block_list.count())]
    assert lines[0] == "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH, QUẢN LÝ CHƯƠNG TRÌNH"
    assert "1. Công tác chỉ đạo, điều hành Chương trình" in lines
    assert "VII. PHỤ LỤC BÁO CÁO" in lines
    assert any(line.startswith(dp.TABLE_MARK) for line in lines)
    assert page.list.item(0, 2).text() == "Dự thảo" and errors == []
    assert page.closing_edit.toPlainText().endswith("./.")
    assert not page.dirty and row["template"] == "bao-cao-giua-ky"


def test_the_block_editor_round_trip(qtbot, page, monkeypatch, type_vi, demo_path, errors):
    row = new_report(qtbot, page, monkeypatch)
    page.subject_edit.clear()
    type_vi(page.subject_edit, "Báo cáo sơ kết 6 tháng đầu năm 2026")
    page.block_list.setCurrentRow(0)
    page.block_text.clear()
    type_vi(page.block_text, "CÔNG TÁC CHỈ ĐẠO")
    assert page.block_list.item(0).text().strip() == "I. CÔNG TÁC CHỈ ĐẠO"
    # a new "1." heading right after it, a bullet, a table; then order and delete
    page.level_for_new.setCurrentIndex(page.level_for_new.findData(2))
    page.add_heading_button.click()
    page.block_text.clear()
    type_vi(page.block_text, "Kết quả nổi bật")
    page.add_bullet_button.click()
    page.block_level.setCurrentIndex(page.block_level.findData(2))
    page.block_text.clear()
    type_vi(page.block_text, "Đánh giá: tốt")
    page.add_table_button.click()
    page.source_box.setCurrentIndex(page.source_box.findData("poverty_change"))
    assert page.current_block()["params"] == {"from_year": 2025, "to_year": 2026,
                                               "klass": "poor"}
    page.move_block(-1)                 # the table above the bullet
    assert [page.blocks[i]["type"] for i in range(1, 4)] == ["heading", "table", "bullet"]
    assert page.block_list.item(1).text().strip() == "1. Kết quả nổi bật"
    # the old "1." of section I is now "2."
    assert page.block_list.item(4).text().strip().startswith("2. Công tác chỉ đạo")
    page.block_list.setCurrentRow(4)
    page.remove_button.click()
    assert page.dirty
    # a closing without "/." is flagged at once and refused on saving
    page.closing_edit.setPlainText("Trên đây là báo cáo.")
    assert "«/.»" in page.closing_note.text()
    page.save_button.click()
    wait_idle(qtbot, page)
    assert "«/.»" in page.status_label.text() and len(errors) == 1
    assert stored(demo_path, row["id"])["subject"] == row["subject"]      # nothing written
    page.closing_edit.setPlainText("Trên đây là báo cáo sơ kết 6 tháng./.")
    page.save_button.click()
    wait_idle(qtbot, page)
    assert not page.dirty and page.status_label.text() == "Đã lưu văn bản."
    saved = stored(demo_path, row["id"])
    assert saved["subject"] == "Báo cáo sơ kết 6 tháng đầu năm 2026"
    blocks = saved["body_data"]["blocks"]
    assert blocks[0] == {"type": "heading", "level": 1, "text": "CÔNG TÁC CHỈ ĐẠO"}
    assert blocks[1:4] == [
        {"type": "heading", "level": 2, "text": "Kết quả nổi bật"},
        {"type": "table", "source": "poverty_change",
         "params": {"from_year": 2025, "to_year": 2026, "klass": "poor"}},
        {"type": "bullet", "level": 2, "text": "Đánh giá: tốt"}]
    assert saved["body_data"]["closing"] == "Trên đây là báo cáo sơ kết 6 tháng./."
    # a fresh editor shows what was stored
    page._load(stored(demo_path, row["id"]))
    assert page.blocks == blocks and page.subject_edit.text() == saved["subject"]


def test_unsaved_changes_are_not_lost_silently(qtbot, page, monkeypatch, asked, type_vi):
    first = new_report(qtbot, page, monkeypatch)
    monkeypatch.setattr(page, "ask_new_document", lambda: ("ke-hoach-nam", 2026, None))
    page.new_button.click()
    wait_idle(qtbot, page)
    assert page.list.rowCount() == 2
    type_vi(page.subject_edit, " (sửa)")
    assert page.dirty
    other = [r for r in range(2) if page._rows[r]["id"] == first["id"]][0]
    asked.answer = False
    page.list.selectRow(other)
    assert asked and page.current["id"] != first["id"] and page.dirty      # stayed
    assert page.subject_edit.text().endswith(" (sửa)")
    asked.answer = True
    page.list.selectRow(other)
    assert page.current["id"] == first["id"] and not page.dirty


def test_preview_sign_and_export(qtbot, page, monkeypatch, tmp_path, demo_path):
    row = new_report(qtbot, page, monkeypatch)
    page.preview_button.click()
    wait_idle(qtbot, page)
    assert page.preview_path.exists() and page.tabs.currentWidget() is page.preview
    text = pdf_text(page.preview_path)
    assert "BÁO CÁO" in text and "Số:" in text and "/BC-UBND" in text
    assert "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH" in page.preview.text()

    monkeypatch.setattr(page, "ask_sign", lambda: (4, date(2026, 7, 15)))
    page.sign_button.click()
    wait_idle(qtbot, page)
    signed = stored(demo_path, row["id"])
    assert (signed["state"], signed["number"]) == ("signed", "04")
    assert page.list.item(0, 3).text() == "04/BC-UBND"
    assert not page.subject_edit.isEnabled() and not page.save_button.isEnabled()
    assert page.unsign_button.isEnabled() and "Đã ký ban hành số 04/BC-UBND" in \
        page.status_label.text()

    out = tmp_path / "bc.docx"
    monkeypatch.setattr(page, "ask_save_path", lambda suffix: out.with_suffix(suffix))
    page.docx_button.click()
    wait_idle(qtbot, page)
    paragraphs = [p.text for p in docx.Document(out).paragraphs]
    assert "I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH, QUẢN LÝ CHƯƠNG TRÌNH" in paragraphs
    page.pdf_button.click()
    wait_idle(qtbot, page)
    assert "Số: 04/BC-UBND" in pdf_text(out.with_suffix(".pdf"))

    monkeypatch.setattr(page, "ask_reason", lambda title, label: "Sai số liệu")
    page.unsign_button.click()
    wait_idle(qtbot, page)
    assert stored(demo_path, row["id"])["state"] == "draft" and page.subject_edit.isEnabled()
