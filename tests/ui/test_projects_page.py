"""The "Dự án, giải ngân" area on a real database file, offscreen: participants picked from
the register with their eligibility, the 50 % / 70 % shares live, inputs, payments with the
over-disbursement refusal, the estimate approval chain, printing."""

import pytest
from PySide6.QtCore import Qt

from gnapp.db import connection, sites
from gnapp.db import disbursement as spending
from gnapp.db import projects as pj
from gnapp.ui.main_window import AREAS
from gnapp.ui.projects_page import AREA_TITLE, current_id
from tests.projects_helpers import build_commune, make_line, make_project


@pytest.fixture
def data(site_path):
    db = connection.connect(site_path)
    w = sites.writer(db)
    homes = build_commune(w)
    project = make_project(w)
    line = make_line(w, 500_000_000)
    db.close()
    return {"homes": homes, "project": project["id"], "line": line["id"]}


@pytest.fixture
def page(make_window, site_path, data, monkeypatch, shown_errors):
    monkeypatch.setattr("gnapp.ui.projects_page.show_error",
                        lambda parent, exc: shown_errors.append(exc))
    window = make_window(site_path)
    window.show_area(AREA_TITLE)
    return window.projects_page


def cell(table, row, col):
    return table.item(row, col).text()


def column(table, col):
    return [cell(table, r, col) for r in range(table.rowCount())]


def test_area_follows_allocations_in_navigation():
    assert AREAS.index(AREA_TITLE) == AREAS.index("Phân bổ vốn") + 1


def test_participants_are_picked_with_eligibility_and_shares(qtbot, page, data, type_vi):
    assert current_id(page.project_table) == data["project"]
    page.detail_tabs.setCurrentIndex(1)
    page.search_edit.clear()
    type_vi(page.search_edit, "Lò Văn")
    qtbot.waitUntil(lambda: column(page.candidate_table, 1) == ["Lò Văn Pụ"])
    assert cell(page.candidate_table, 0, 3) == "Hộ nghèo"
    assert "theo kết quả rà soát 20/12/2023" in cell(page.candidate_table, 0, 4)
    page.candidate_table.setCurrentCell(0, 0)
    page.counterpart_edit.setText("1.500.000")
    qtbot.mouseClick(page.add_participant_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.participant_table.rowCount() == 1)
    assert cell(page.participant_table, 0, 4) == "1.500.000"
    assert "1/1 (100,00%) – đạt tỷ lệ tối thiểu 50%" in page.target_label.text()

    for name in ("nguyen van an", "tran thi bich"):
        page.search_edit.setText(name)
        qtbot.waitUntil(lambda: page.candidate_table.rowCount() == 1)
        assert cell(page.candidate_table, 0, 3) == "Không thuộc nhóm đối tượng"
        page.candidate_table.setCurrentCell(0, 0)
        before = page.participant_table.rowCount()
        qtbot.mouseClick(page.add_participant_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.participant_table.rowCount() == before + 1)
    assert "1/3 (33,33%) – chưa đạt tỷ lệ tối thiểu 50% (cần thêm ít nhất 1 hộ" in \
        page.target_label.text()
    assert "Hộ ưu tiên: 1/3 (33,33%) – chưa trên 70%" in page.priority_label.text()

    # the same household twice is refused, in the page
    qtbot.mouseClick(page.add_participant_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.participant_message.isVisible())
    assert "đã có trong danh sách" in page.participant_message.text()

    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.project_message.isVisible())
    assert page.project_message.text().startswith("Chưa thể chuyển sang thực hiện")

    page.search_edit.setText("nong van thang")
    qtbot.waitUntil(lambda: column(page.candidate_table, 3) ==
                    ["Hộ mới thoát nghèo (trong 36 tháng)"])
    page.candidate_table.setCurrentCell(0, 0)
    qtbot.mouseClick(page.add_participant_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.participant_table.rowCount() == 4)
    assert "2/4 (50,00%) – đạt tỷ lệ tối thiểu 50%" in page.target_label.text()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(page.project_table, 0, 5) == "Đang thực hiện")
    assert not page.start_button.isEnabled()


def test_removing_a_participant_asks_the_reason(qtbot, page, data, monkeypatch, site_path):
    db = connection.connect(site_path)
    pj.add_participant(sites.writer(db), data["project"], data["homes"]["poor"])
    db.close()
    page.refresh()
    assert page.participant_table.rowCount() == 1
    monkeypatch.setattr(page, "ask_text", lambda title, label: "Hộ xin rút")
    page.participant_table.setCurrentCell(0, 0)
    qtbot.mouseClick(page.remove_participant_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.participant_table.rowCount() == 0)


def test_inputs_delivered(qtbot, page, data, site_path, type_vi):
    db = connection.connect(site_path)
    pj.add_participant(sites.writer(db), data["project"], data["homes"]["poor"])
    db.close()
    page.refresh()
    page.detail_tabs.setCurrentIndex(2)
    type_vi(page.item_edit, "Dê cái giống")
    page.quantity_edit.setText("3")
    page.unit_edit.setText("con")
    page.delivered_edit.setText("20/07/2024")
    page.receiver_combo.setCurrentIndex(1)
    qtbot.mouseClick(page.add_input_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.input_table.rowCount() == 1)
    assert [cell(page.input_table, 0, c) for c in range(5)] == \
        ["20/07/2024", "Dê cái giống", "3", "con", "01-0001 – Lò Văn Pụ"]
    page.quantity_edit.setText("13,8")
    page.unit_edit.setText("kg")
    page.item_edit.setText("Thuc an tinh")
    page.receiver_combo.setCurrentIndex(0)
    qtbot.mouseClick(page.add_input_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.input_table.rowCount() == 2)
    assert cell(page.input_table, 1, 2) == "13,8" and cell(page.input_table, 1, 4) == "Cả nhóm hộ"


def test_payments_refuse_over_disbursement(qtbot, page, data):
    page.tabs.setCurrentIndex(1)
    assert current_id(page.line_table) == data["line"]
    assert cell(page.line_table, 0, 1) == "500.000.000"
    page.pay_amount_edit.setText("450 triệu")
    page.pay_date_edit.setText("02/04/2024")
    page.pay_document_edit.setText("PC 01/2024")
    qtbot.mouseClick(page.add_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.payment_table.rowCount() == 1)
    assert [cell(page.line_table, 0, c) for c in (2, 3, 4, 5)] == \
        ["450.000.000", "50.000.000", "90,00%", "Đang giải ngân"]
    page.pay_amount_edit.setText("60.000.000")
    page.pay_document_edit.setText("PC 02/2024")
    qtbot.mouseClick(page.add_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.payment_message.isVisible())
    assert "vượt số vốn của dòng DA2" in page.payment_message.text()
    assert "còn lại 50.000.000 đồng" in page.payment_message.text()
    assert page.payment_table.rowCount() == 1
    assert page.pay_amount_edit.text() == "60.000.000"      # kept to correct
    page.pay_amount_edit.setText("abc")
    qtbot.mouseClick(page.add_payment_button, Qt.MouseButton.LeftButton)
    assert "Số tiền" in page.payment_message.text()


def test_estimate_approval_chain(qtbot, page, data, site_path, type_vi):
    page.tabs.setCurrentIndex(1)
    type_vi(page.activity_edit, "Mua 120 con dê giống")
    page.estimate_amount_edit.setText("360.000.000")
    type_vi(page.actor_edit, "Công chức LĐTBXH")
    qtbot.mouseClick(page.prepare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.estimate_table.rowCount() == 1)
    page.estimate_table.setCurrentCell(0, 0)
    assert {s for s, b in page.step_buttons.items() if b.isEnabled()} == {"appraise", "return"}
    page.actor_edit.clear()
    type_vi(page.actor_edit, "Bộ phận Kế toán – Ngân sách")
    qtbot.mouseClick(page.step_buttons["appraise"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(page.estimate_table, 0, 2) == "Đã thẩm định, chờ phê duyệt")
    assert {s for s, b in page.step_buttons.items() if b.isEnabled()} == {"approve", "return"}
    page.actor_edit.clear()
    type_vi(page.actor_edit, "Chủ tịch UBND xã")
    qtbot.mouseClick(page.step_buttons["approve"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(page.estimate_table, 0, 2) == "Đã phê duyệt")
    assert page.estimate_table.item(0, 2).toolTip().splitlines()[1:] == [
        f"Thẩm định: Bộ phận Kế toán – Ngân sách {page.step_date_edit.text()}",
        f"Phê duyệt: Chủ tịch UBND xã {page.step_date_edit.text()}"]
    assert page.pay_estimate_combo.count() == 2     # "không theo dự toán" and this one
    db = connection.connect(site_path)
    estimate_id = spending.estimates(db, data["line"])[0]["id"]
    history = spending.estimate_history(db, estimate_id)
    db.close()
    assert [h["new"] for h in history] == ["prepared", "appraised", "approved"]
    assert history[2]["reason"] == "Phê duyệt dự toán (Chủ tịch UBND xã)"


def test_new_project_and_print(qtbot, page, type_vi, tmp_path, monkeypatch):
    qtbot.mouseClick(page.new_project_button, Qt.MouseButton.LeftButton)
    assert page.save_project_button.text() == "Thêm dự án"
    type_vi(page.name_edit, "Mô hình trồng nấm")
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("model"))
    page.amount_edit.setText("500 triệu")
    page.starts_edit.setText("01/04/2024")
    page.ends_edit.setText("01/01/2024")
    qtbot.mouseClick(page.save_project_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.info_message.isVisible())
    assert "Ngày kết thúc trước ngày bắt đầu" in page.info_message.text()
    page.ends_edit.setText("31/12/2024")
    qtbot.mouseClick(page.save_project_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.project_table.rowCount() == 2)
    assert "Mô hình trồng nấm" in column(page.project_table, 0)
    assert page.name_edit.text() == "Mô hình trồng nấm"
    out = tmp_path / "danh-sach.pdf"
    monkeypatch.setattr(page, "ask_save_path", lambda suggested: out)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists)
    qtbot.waitUntil(lambda: "Đã lưu danh sách" in page.project_message.text())


def test_reversal_and_settlement(qtbot, page, data, site_path, monkeypatch):
    db = connection.connect(site_path)
    spending.add_payment(sites.writer(db), data["line"], amount=200_000_000,
                         paid_on="2024-04-02", document="PC 01")
    spending.add_payment(sites.writer(db), data["line"], amount=100_000_000,
                         paid_on="2024-04-05", document="PC 02")
    db.close()
    page.refresh()
    page.tabs.setCurrentIndex(1)
    monkeypatch.setattr(page, "ask_text", lambda title, label: "Ghi nhầm chứng từ")
    page.payment_table.setCurrentCell(1, 0)
    qtbot.mouseClick(page.reverse_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.payment_table.rowCount() == 3)
    assert cell(page.payment_table, 1, 3).endswith("(đã hủy)")
    assert cell(page.payment_table, 2, 1) == "-100.000.000"
    assert cell(page.line_table, 0, 2) == "200.000.000"
    asked = []
    monkeypatch.setattr(page, "ask_text", lambda title, label: asked.append(label) or "QT 01")
    qtbot.mouseClick(page.settle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(page.line_table, 0, 5) == "Đã quyết toán")
    assert "200.000.000 đồng" in asked[0]
    assert not page.settle_button.isEnabled()
    page.pay_amount_edit.setText("1.000")
    page.pay_document_edit.setText("PC 03")
    qtbot.mouseClick(page.add_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.payment_message.isVisible())
    assert "đã quyết toán" in page.payment_message.text()
