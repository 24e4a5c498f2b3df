"""«Hồ sơ đơn vị»: the issuer, signers by period, "Nơi nhận" lists and the number book, edited
in real widgets (offscreen) over a real database; every answer is read back from the file."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox

from gnapp.db import connection, documents, sites, users
from gnapp.domain import documents as rules
from gnapp.ui import profile_dialog as pd
from gnapp.ui.tasks import TaskManager

UNIT = "07339"


@pytest.fixture
def dialog(site_path, qtbot):
    db = connection.connect(site_path)
    tasks = TaskManager(site_path)
    found = pd.open_profile_dialog(None, db, tasks)
    qtbot.addWidget(found)
    qtbot.waitExposed(found)
    yield found
    tasks.close()
    db.close()


def stored(site_path, fn):
    """Read the answer back from the database file, on a connection of the test's own."""
    db = connection.connect(site_path)
    try:
        return fn(db)
    finally:
        db.close()


def wait_idle(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.tasks.busy and dialog.isEnabled(), timeout=20000)


def set_date(edit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def test_the_issuer_is_saved_and_printed_as_typed(dialog, qtbot, site_path, type_vi):
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == list(pd.TABS)
    assert dialog.issuer_name.text() == "XÃ TÂN YÊN"              # the unit's default
    dialog.issuer_name.clear()
    type_vi(dialog.issuer_name, "xã Tân Yên mới")
    dialog.place.clear()
    type_vi(dialog.place, "Tân Yên")
    assert "<b>XÃ TÂN YÊN MỚI</b>" in dialog.issuer_preview.text()
    qtbot.mouseClick(dialog.save_issuer_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    profile = stored(site_path, lambda db: documents.profile(db, UNIT))
    assert profile["issuer"] == ("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN MỚI")
    assert profile["place"] == "Tân Yên"
    assert dialog.message.text() == "Đã lưu thông tin cơ quan ban hành."
    # an empty name is refused before anything is written
    dialog.issuer_name.clear()
    qtbot.mouseClick(dialog.save_issuer_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Chưa nhập tên cơ quan ban hành."
    assert stored(site_path, lambda db: db.execute(
        "SELECT version FROM doc_profile").fetchone()[0]) == 1


def test_signers_are_added_and_end_their_period(dialog, qtbot, site_path, type_vi):
    dialog.tabs.setCurrentIndex(1)
    for role, name, start in (("chairman", "Lê Quang Thành", date(2021, 7, 1)),
                              ("vice_chairman", "Nguyễn Duy Luân", date(2022, 1, 3))):
        dialog.signer_role.setCurrentIndex(dialog.signer_role.findData(role))
        type_vi(dialog.signer_name, name)
        set_date(dialog.signer_from, start)
        qtbot.mouseClick(dialog.add_signer_button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, dialog)
    rows = stored(site_path, lambda db: documents.signer_rows(db, UNIT))
    assert [(r["role"], r["name"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("chairman", "Lê Quang Thành", "2021-07-01", None),
        ("vice_chairman", "Nguyễn Duy Luân", "2022-01-03", None)]
    assert dialog.signer_table.item(0, 4).text() == "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH (ký hiện nay)"
    assert dialog.signer_table.item(1, 4).text() == (
        "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    # the chairman leaves office: the vice-chairman signs from then on
    dialog.signer_table.selectRow(0)
    assert dialog.end_signer_button.isEnabled()
    set_date(dialog.signer_to, date(2025, 6, 30))
    qtbot.mouseClick(dialog.end_signer_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    signers = stored(site_path, lambda db: documents.signers(db, UNIT))
    assert signers[0].valid_to == "2025-06-30"
    assert rules.signer_on(signers, date(2026, 1, 5)).name == "Nguyễn Duy Luân"
    assert dialog.signer_table.item(0, 3).text() == "30/06/2025"
    assert dialog.signer_table.item(1, 4).text().endswith("(ký hiện nay)")
    # a reversed period is refused by the rules below the widgets, and said
    dialog.signer_role.setCurrentIndex(dialog.signer_role.findData("chairman"))
    type_vi(dialog.signer_name, "Phạm Duy Hưng")
    set_date(dialog.signer_from, date(2025, 7, 1))
    qtbot.mouseClick(dialog.add_signer_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert len(stored(site_path, lambda db: documents.signer_rows(db, UNIT))) == 3


def test_recipients_are_kept_per_kind_of_document(dialog, qtbot, site_path, type_vi):
    dialog.tabs.setCurrentIndex(2)
    dialog.recipient_kind.setCurrentIndex(dialog.recipient_kind.findData("report"))
    assert dialog.recipient_lines.toPlainText().splitlines() == list(
        rules.DEFAULT_RECIPIENTS["report"])
    dialog.recipient_lines.setPlainText("UBND tỉnh (b/c);\n\n  Lưu:   VT, VHXH.  ")
    qtbot.mouseClick(dialog.save_recipients_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    found = stored(site_path, lambda db: documents.profile(db, UNIT))["recipients"]
    assert found["report"] == ("UBND tỉnh (b/c);", "Lưu: VT, VHXH.")
    assert found["decision"] == rules.DEFAULT_RECIPIENTS["decision"]
    assert dialog.message.text() == "Đã lưu nơi nhận của báo cáo."
    dialog.recipient_kind.setCurrentIndex(dialog.recipient_kind.findData("decision"))
    dialog.recipient_kind.setCurrentIndex(dialog.recipient_kind.findData("report"))
    assert dialog.recipient_lines.toPlainText() == "UBND tỉnh (b/c);\nLưu: VT, VHXH."
    qtbot.mouseClick(dialog.default_recipients_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_recipients_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert stored(site_path, lambda db: documents.profile(db, UNIT))["recipients"]["report"] == \
        rules.DEFAULT_RECIPIENTS["report"]


def test_a_number_is_cancelled_with_a_reason_and_never_given_again(dialog, qtbot, site_path,
                                                                    monkeypatch):
    year = date.today().year
    db = connection.connect(site_path)
    w = sites.writer(db)
    for subject in ("Quyết định công nhận", "Thông báo niêm yết"):
        documents.take_number(w, symbol="QĐ-UBND", issued_on=date.today(), doc_key=subject,
                              subject=subject)
    db.close()
    dialog.tabs.setCurrentIndex(3)
    dialog.number_year.setValue(year - 1)
    assert dialog.number_table.rowCount() == 0
    dialog.number_year.setValue(year)
    assert dialog.number_table.rowCount() == 2
    assert dialog.number_table.item(1, 0).text() == "02/QĐ-UBND"
    dialog.number_table.selectRow(1)
    asked = []
    monkeypatch.setattr(dialog, "ask_cancel_reason",
                        lambda number: asked.append(number["number"]) or "Không ban hành")
    qtbot.mouseClick(dialog.cancel_number_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert asked == [2]
    book = stored(site_path, lambda db: documents.numbers(db, UNIT, year))
    assert [(r["number"], r["deleted"]) for r in book] == [(1, 0), (2, 1)]
    assert dialog.number_table.item(1, 3).text() == "Đã hủy (không cấp lại)"
    dialog.number_table.selectRow(1)
    assert not dialog.cancel_number_button.isEnabled()
    db = connection.connect(site_path)
    taken = documents.take_number(sites.writer(db), symbol="QĐ-UBND", issued_on=date.today(),
                                  doc_key="k", subject="Quyết định khác")
    db.close()
    assert taken["number"] == 3


def test_an_officer_may_not_change_the_profile(dialog, qtbot, site_path):
    db = connection.connect(site_path)
    users.add(db, None, "vanthu", "Đỗ Thị Văn", role=users.OFFICER, password="matkhau1")
    db.close()
    users.set_session("vanthu")
    dialog.issuer_name.setText("XÃ KHÁC")
    qtbot.mouseClick(dialog.save_issuer_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert "không có quyền sửa hồ sơ đơn vị" in dialog.message.text()
    assert stored(site_path, lambda db: documents.profile(db, UNIT))["issuer_name"] == "XÃ TÂN YÊN"
    assert dialog.issuer_name.text() == "XÃ KHÁC"                # what was typed stays


def _tab_chain(page) -> list:
    """The widgets of ``page`` Tab reaches, in the order it reaches them."""
    chain, widget = [], page.nextInFocusChain()
    for _ in range(1000):
        if widget is page:
            break
        inner = isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox))
        if (page.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not inner and widget.isVisibleTo(page) and widget not in chain):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _visual(page, widgets) -> list:
    """``widgets`` as read: row by row (their middles), left to right."""
    def place(w):
        middle = w.mapTo(page, QPoint(0, w.height() // 2))
        return (middle.y() // 12, middle.x())
    return sorted(widgets, key=place)


def test_each_tab_is_tabbed_in_its_visual_order_and_looked_at(dialog, qtbot, tmp_path):
    out = Path(os.environ.get("GNAPP_SHOTS", tmp_path))
    for i in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        page = dialog.tabs.widget(i)
        chain = _tab_chain(page)
        assert len(chain) >= 3, dialog.tabs.tabText(i)
        assert chain == _visual(page, chain), dialog.tabs.tabText(i)
        image = dialog.grab()
        assert image.width() >= 700 and image.height() >= 480
        assert image.save(str(out / f"profile-{i + 1}.png"))
