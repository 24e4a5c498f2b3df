"""The "Tiến độ" area on real database files, offscreen: a period opened in the dialog, figures
typed in the grid and saved one by one, a bad figure refused, the parts > whole error blocking
completion, computed cells read-only, printing, and at an office the roll-up with the missing
communes and a return that reaches the commune with its comment (issue 7)."""

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from shiboken6 import isValid

from gnapp.db import connection, progress, sites
from gnapp.domain import progress as rules
from gnapp.ui.main_window import AREAS
from gnapp.ui.progress_page import AREA_TITLE, COMPUTED_BACKGROUND, ERROR_COLOR
from tests.conftest import COMMUNE, PROVINCE, _template
from tests.forms.readback import pdf_text, sheet
from tests.projects_helpers import build_commune, make_line, make_project
from tests.sync.test_round_trip import send

TODAY = date(2024, 7, 10)


@pytest.fixture
def commune_path(site_path):
    """The commune 07339 with 7 reviewed households (round 2023: 1 poor, 1 near-poor), a DA2
    allocation of 500 million and one DA2 project in 2024."""
    db = connection.connect(site_path)
    w = sites.writer(db)
    build_commune(w)
    make_line(w, 500_000_000)
    make_project(w)
    db.close()
    return site_path


@pytest.fixture
def page(make_window, commune_path, monkeypatch, shown_errors):
    monkeypatch.setattr("gnapp.ui.progress_page.show_error",
                        lambda parent, exc: shown_errors.append(exc))
    window = make_window(commune_path)
    window.show_area(AREA_TITLE)
    page = window.progress_page
    page.today = lambda: TODAY
    return page


def add_period(qtbot, page, kind=rules.HALF_YEAR, year=2024):
    dialog = page.open_period_dialog()
    qtbot.waitUntil(dialog.isVisible)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))
    dialog.year_spin.setValue(year)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.period is not None and page.period["kind"] == kind)
    return page.period


def type_into(qtbot, page, code, column, text):
    """Edit a cell as a user does: open its editor, type the keys, press Enter."""
    grid, model = page.grid, page.model
    index = model.index(model.row_of(code), model.column_of(column))
    grid.setCurrentIndex(index)
    grid.setFocus()
    assert grid.edit(index, grid.EditTrigger.DoubleClicked, None)
    [editor] = [e for e in grid.viewport().findChildren(QLineEdit) if e.isVisible()]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)      # the delegate commits on the next loop
    qtbot.waitUntil(lambda: not isValid(editor) or not editor.isVisible())
    qtbot.waitUntil(lambda: not page.tasks.busy)


def shown(page, code, column):
    model = page.model
    return model.index(model.row_of(code), model.column_of(column)).data()


def stored(path, period_id):
    db = connection.connect(path)
    try:
        return {r["indicator"]: r for r in db.query(
            "SELECT * FROM indicator_value WHERE period_id = ? AND deleted = 0", [period_id])}
    finally:
        db.close()


def test_the_area_replaces_the_placeholder_after_projects():
    assert AREAS.index(AREA_TITLE) == AREAS.index("Dự án, giải ngân") + 1
    assert AREAS[0] == "Tổng quan"


def test_a_period_opened_in_the_dialog_takes_the_calendar_dates(qtbot, page):
    assert page.periods == [] and "Chưa có kỳ báo cáo" in page.periods_hint.text()
    dialog = page.open_period_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert [dialog.kind_combo.itemText(i) for i in range(dialog.kind_combo.count())] == \
        list(rules.PERIOD_KINDS.values())
    dialog.year_spin.setValue(2024)
    assert (dialog.starts_edit.text(), dialog.ends_edit.text(), dialog.due_edit.text()) == \
        ("01/01/2024", "30/06/2024", "20/06/2024")
    assert "KH 58/KH-UBND" in dialog.hint_label.text()
    # an ad hoc report needs its subject: refused in the dialog, nothing written
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(rules.AD_HOC))
    assert dialog.title_edit.isEnabled() and dialog.due_edit.text() == ""
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.errors.message("title") == \
        "Báo cáo đột xuất cần ghi nội dung."
    dialog.reject()

    period = add_period(qtbot, page)
    assert period["label"] == "6 tháng đầu năm 2024" and period["due_on"] == "2024-06-20"
    table = page.period_table
    assert [table.item(0, c).text() for c in range(5)] == [
        "6 tháng đầu năm 2024", "01/01/2024", "30/06/2024", "20/06/2024",
        "Quá hạn – đang nhập số liệu"]
    assert table.item(0, 0).foreground().color().name() == ERROR_COLOR
    assert "quá hạn (hạn nộp 20/06/2024)" in page.period_header.text()
    # the 6-month grid has no estimate column
    assert [page.model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(page.model.columnCount())] == [
        "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Theo văn bản", "Ghi chú"]
    # the same period twice is refused in the dialog
    dialog = page.open_period_dialog()
    qtbot.waitUntil(dialog.isVisible)
    dialog.year_spin.setValue(2024)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message_label.isVisible)
    assert dialog.message_label.text() == "Đã có kỳ báo cáo 6 tháng đầu năm 2024."
    dialog.reject()
    nine = add_period(qtbot, page, rules.NINE_MONTHS)
    assert nine["due_on"] == "2024-10-05" and "Ước thực hiện" in [
        page.model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(page.model.columnCount())]


def test_computed_cells_come_from_the_data_and_are_read_only(qtbot, page):
    add_period(qtbot, page)
    model = page.model
    assert model.is_group_row(0) and model.index(0, 0).data() == \
        "Kết quả giảm nghèo (theo kết quả rà soát)"
    assert page.grid.columnSpan(0, 0) == model.columnCount()
    assert shown(page, "GN.HO", "actual") == "7" and shown(page, "GN.HO_NGHEO", "actual") == "1"
    assert shown(page, "GN.TL_NGHEO", "actual") == "14,29"
    assert shown(page, "DA2.VON", "actual") == "500.000.000"
    assert shown(page, "DA2.DU_AN", "actual") == "1"
    cases = {("GN.HO", "actual"): "Tính từ kết quả rà soát",
             ("GN.TL_NGHEO", "target"): "Tỷ lệ tính từ số đếm",
             ("DA2.VON", "actual"): "Tính từ sổ vốn",
             ("DA2.DU_AN", "actual"): "Tính từ dự án"}
    for (code, column), source in cases.items():
        index = model.index(model.row_of(code), model.column_of(column))
        assert not index.flags() & Qt.ItemFlag.ItemIsEditable, code
        assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(source), code
        assert index.data(Qt.ItemDataRole.BackgroundRole).color().name() == COMPUTED_BACKGROUND
        page.grid.setCurrentIndex(index)
        assert not page.grid.edit(index, page.grid.EditTrigger.AllEditTriggers, None)
    # beside a computed figure the target and the document's figure are typed
    for column in ("target", "stated", "note"):
        index = model.index(model.row_of("GN.HO"), model.column_of(column))
        assert index.flags() & Qt.ItemFlag.ItemIsEditable
    type_into(qtbot, page, "GN.HO", "stated", "8")
    assert shown(page, "GN.HO", "stated") == "8"
    [warning] = [i for i in page.issues if i.code == "figure.stated"]
    assert "khác số tính từ dữ liệu 7 hộ" in warning.message
    assert page.complete_button.isEnabled()         # a warning does not block


def test_typed_figures_are_saved_and_a_bad_one_stores_nothing(qtbot, page, commune_path):
    period = add_period(qtbot, page)
    type_into(qtbot, page, "CS.BHYT.THE", "actual", "12,5")
    assert page.edit_message.isVisible()
    assert "phải là số nguyên (thẻ)" in page.edit_message.text()
    assert page.edit_message.text().startswith("Thẻ bảo hiểm y tế được cấp – Thực hiện: 12,5")
    assert shown(page, "CS.BHYT.THE", "actual") == ""          # the cell keeps its old value
    assert stored(commune_path, period["id"]) == {}

    type_into(qtbot, page, "CS.BHYT.THE", "actual", "1.234")
    type_into(qtbot, page, "CS.BHYT.THE", "target", "1.500")
    type_into(qtbot, page, "CS.GIAO_DUC.AN.GAO.HK2", "actual", "1.250,5")
    assert not page.edit_message.isVisible()
    assert shown(page, "CS.BHYT.THE", "actual") == "1.234"
    assert shown(page, "CS.GIAO_DUC.AN.GAO.HK2", "actual") == "1.250,5"
    rows = stored(commune_path, period["id"])
    assert (rows["CS.BHYT.THE"]["actual"], rows["CS.BHYT.THE"]["target"]) == ("1234", "1500")
    assert Decimal(rows["CS.GIAO_DUC.AN.GAO.HK2"]["actual"]) == Decimal("1250.5")
    # quarters and semesters outside the first six months are not in the grid
    assert page.model.row_of("CS.DIEN.LUOT.Q3") is None
    assert page.model.row_of("CS.DIEN.LUOT.Q2") is not None

    page.only_check.setChecked(True)
    codes = [page.model.code_at(r) for r in range(page.model.rowCount())]
    assert "CS.BHYT.THE" in codes and "CS.TGPL.VU_VIEC" not in codes
    page.group_combo.setCurrentIndex(page.group_combo.findData("CS.BHYT"))
    assert [page.model.code_at(r) for r in range(page.model.rowCount())] == [None,
                                                                              "CS.BHYT.THE"]


def test_parts_above_the_whole_block_completion_until_fixed(qtbot, page, commune_path):
    period = add_period(qtbot, page)
    type_into(qtbot, page, "CS.BHYT.THE", "actual", "100")
    type_into(qtbot, page, "CS.BHYT.NGHEO", "actual", "80")
    type_into(qtbot, page, "CS.BHYT.CAN_NGHEO", "actual", "30")
    errors = [i for i in page.issues if i.severity == "error"]
    assert [i.code for i in errors] == ["figure.parts"]
    assert "cộng lại 110 thẻ, lớn hơn tổng 100 thẻ" in errors[0].message
    assert page.issue_title.text() == "Kiểm tra số liệu: 1 lỗi, 0 cảnh báo."
    item = page.issue_list.item(0)
    assert item.text().startswith("Lỗi: Thẻ bảo hiểm y tế được cấp – Thực hiện")
    assert item.foreground().color().name() == ERROR_COLOR
    assert not page.complete_button.isEnabled()
    # the backend refuses too (the button is only a convenience)
    page.complete()
    qtbot.waitUntil(lambda: not page.tasks.busy)
    assert "Chưa thể hoàn thành kỳ báo cáo 6 tháng đầu năm 2024: còn 1 lỗi" in \
        page.period_message.text()
    # clicking the error selects its indicator, even when filtered away
    page.group_combo.setCurrentIndex(page.group_combo.findData("GN"))
    page.issue_list.itemClicked.emit(item)
    assert page.grid.selected_code() == "CS.BHYT.THE"

    type_into(qtbot, page, "CS.BHYT.CAN_NGHEO", "actual", "20")
    assert not [i for i in page.issues if i.severity == "error"]
    assert page.complete_button.isEnabled()
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.period["state"] == "complete")
    assert "Đã hoàn thành kỳ báo cáo" in page.period_message.text()
    assert page.period_table.item(0, 4).text() == "Đã hoàn thành, chờ cấp trên"
    assert "Số liệu chỉ xem; bấm «Mở lại…» để sửa" in page.period_header.text()
    assert not page.model.index(page.model.row_of("CS.BHYT.THE"),
                                page.model.column_of("actual")).flags() & \
        Qt.ItemFlag.ItemIsEditable
    assert stored(commune_path, period["id"])["GN.HO"]["source"] == "computed"
    # reopening asks for the reason (cancel: nothing happens; empty: refused)
    page.ask_text = lambda *a: None
    page.reopen()
    assert page.period["state"] == "complete" and not page.tasks.busy
    page.ask_text = lambda *a: "Bổ sung số thẻ BHYT"
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.period["state"] == "open")
    assert page.model.editable


def test_the_period_prints_to_pdf_and_xlsx(qtbot, page, tmp_path):
    add_period(qtbot, page)
    type_into(qtbot, page, "CS.BHYT.THE", "actual", "1.234")
    for suffix in (".pdf", ".xlsx"):
        target = tmp_path / f"ket-qua{suffix}"
        page.ask_save_path = lambda title, suggested, target=target: target
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda target=target: target.exists() and not page.tasks.busy)
        assert f"Đã lưu {target}" in page.period_message.text()
    text = pdf_text(tmp_path / "ket-qua.pdf")
    assert "6 THÁNG ĐẦU NĂM 2024" in text and "Thẻ bảo hiểm y tế được cấp" in text
    assert "1.234" in text
    ws = sheet(tmp_path / "ket-qua.xlsx")
    cells = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(3, 5)]
             for r in range(1, ws.max_row + 1)}
    assert cells["Chỉ tiêu"] == ["Đơn vị tính", "Thực hiện"]     # no target typed: no column
    assert cells["Tổng số hộ dân cư (*)"] == ["hộ", 7]
    assert cells["Thẻ bảo hiểm y tế được cấp"] == ["thẻ", 1234]


# -- the office -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _office_db_template(tmp_path_factory):
    return _template(tmp_path_factory.mktemp("ui-office"), lambda db: sites.init_site(
        db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn"))


@pytest.fixture
def office_path(_office_db_template, commune_path, tmp_path):
    """The provincial office, which received the commune's complete 6-month period of 2024
    (BHYT cards 300 of 350 planned, 120 of them for the poor)."""
    import shutil

    path = tmp_path / "office" / "gnapp.sqlite"
    path.parent.mkdir()
    shutil.copy(_office_db_template, path)
    commune, office = connection.connect(commune_path), connection.connect(path)
    w = sites.writer(commune)
    period = progress.create_period(w, rules.HALF_YEAR, 2024)
    progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="300", target="350")
    progress.set_figure(w, period["id"], "CS.BHYT.NGHEO", actual="120")
    progress.complete_period(w, period["id"], today=TODAY)
    send(commune, office, tmp_path / "up")
    commune.close()
    office.close()
    return path


def test_the_office_rolls_up_lists_the_missing_and_returns_with_a_comment(
        qtbot, make_window, office_path, commune_path, tmp_path, monkeypatch, shown_errors):
    monkeypatch.setattr("gnapp.ui.progress_page.show_error",
                        lambda parent, exc: shown_errors.append(exc))
    window = make_window(office_path)
    window.show_area(AREA_TITLE)
    page = window.progress_page
    page.today = lambda: TODAY
    assert [page.tabs.tabText(i) for i in range(3)] == ["Kỳ báo cáo", "Tổng hợp",
                                                         "Hạn nộp của cấp dưới"]
    page.show_rollup(rules.HALF_YEAR, 2024)
    assert page.tabs.currentWidget() is page.rollup_tab
    rows = page.commune_rows()
    communes = len(progress.office_communes(connection.connect(office_path), PROVINCE))
    assert len(rows) == communes
    assert rows[-1][1] == COMMUNE and rows[-1][2].startswith("Đã hoàn thành, chờ cấp trên")
    assert all(r[2] == "Chưa nhận được kỳ báo cáo" for r in rows[:-1])
    assert page.commune_table.item(0, 2).foreground().color().name() == ERROR_COLOR
    assert f"1/{communes} đơn vị" in page.rollup_summary.text()
    model = page.rollup_model
    assert not model.editable
    row = model.row_of("CS.BHYT.THE")
    assert model.index(row, model.column_of("actual")).data() == "300"
    assert model.index(row, model.column_of("target")).data() == "350"

    # decisions need a commune whose period is complete
    page.select_commune(rows[0][1])
    assert not page.approve_button.isEnabled() and not page.return_button.isEnabled()
    page.select_commune(COMMUNE)
    assert page.approve_button.isEnabled() and page.return_button.isEnabled()
    page.ask_text = lambda *a: ""
    qtbot.waitUntil(lambda: not page.tasks.busy)      # the home screen's rates, counted
    page.decide("returned")
    assert "cần ghi ý kiến" in page.decision_message.text() and not page.tasks.busy
    page.ask_text = lambda *a: "Bổ sung số thẻ BHYT hộ cận nghèo"
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã trả lại" in page.decision_message.text())
    returned = next(r for r in page.commune_rows() if r[1] == COMMUNE)
    assert returned[2] == "Bị cấp trên trả lại"
    assert all(r[2] in ("Chưa nhận được kỳ báo cáo", "Bị cấp trên trả lại")
               for r in page.commune_rows())
    assert "0/" in page.rollup_summary.text() and model.row_of("CS.BHYT.THE") is None

    target = tmp_path / "tong-hop.pdf"
    page.ask_save_path = lambda title, suggested: target
    qtbot.mouseClick(page.rollup_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and not page.tasks.busy)
    assert f"0/{communes} đơn vị" in pdf_text(target)
    assert not shown_errors
    window.close()

    # the return reaches the commune, which sees the comment above its figures
    office, commune = connection.connect(office_path), connection.connect(commune_path)
    send(office, commune, tmp_path / "down", to_unit=COMMUNE)
    office.close()
    commune.close()
    window = make_window(commune_path)
    window.show_area(AREA_TITLE)
    page = window.progress_page
    assert page.period["status"] == "returned"
    assert page.returned_label.isVisible()
    assert "«Bổ sung số thẻ BHYT hộ cận nghèo»" in page.returned_label.text()
    assert page.period_table.item(0, 4).foreground().color().name() == ERROR_COLOR
    assert page.reopen_button.isEnabled() and not page.model.editable


def test_the_office_sets_the_communes_deadlines(qtbot, make_window, office_path):
    window = make_window(office_path)
    window.show_area(AREA_TITLE)
    page = window.progress_page
    page.tabs.setCurrentWidget(page.deadlines_tab)
    table = page.deadline_table
    assert [table.item(r, 0).text() for r in range(3)] == [
        "6 tháng đầu năm", "9 tháng (ước thực hiện cả năm)", "Cả năm"]
    assert table.item(0, 1).text() == "20/06"
    page.deadline_kind.setCurrentIndex(page.deadline_kind.findData(rules.YEAR))
    page.deadline_due.setText("31/2")
    page.set_deadline()
    qtbot.waitUntil(lambda: not page.tasks.busy)
    assert "Hạn nộp «31/2» không đúng" in page.deadline_message.text()
    page.deadline_due.setText("28/11")
    page.deadline_basis.setText("Công văn 12/UBND-LĐTBXH")
    page.set_deadline()
    qtbot.waitUntil(lambda: table.item(2, 1).text() == "28/11")
    assert table.item(2, 3).text() == "Công văn 12/UBND-LĐTBXH"
    db = connection.connect(office_path)
    assert progress.deadlines(db, "commune")["year"].due(2026) == date(2026, 11, 28)
    db.close()
