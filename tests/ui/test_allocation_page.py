"""The "Phân bổ vốn" area on a real database: the matrix, stated totals, editing, import."""

from pathlib import Path

import pytest

from gnapp.db import allocations as al
from gnapp.db import connection, sites
from gnapp.domain.money import Scope

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "allocations"


@pytest.fixture
def errors(shown_errors):
    """Error popups recorded (the page reports faults through ``tasks.report_failure``)."""
    return shown_errors


@pytest.fixture
def bac_kan_path(site_path):
    db = connection.connect(site_path)
    writer = sites.writer(db)
    al.import_file(writer, FIXTURES / "bac_kan_2022_capital.csv", new_decision={
        "issuer": "UBND tỉnh Bắc Kạn", "year": 2022, "kind": "plan", "number": "635/KH-UBND",
        "signed_on": "25/10/2021"}, recipient="Tỉnh Bắc Kạn")
    al.import_file(writer, FIXTURES / "bac_kan_2022_stated_totals.json",
                   decision="635/KH-UBND")
    db.close()
    return site_path


@pytest.fixture
def page(make_window, bac_kan_path, errors):
    window = make_window(bac_kan_path)
    window.show_area("Phân bổ vốn")
    return window.allocation_page


def text_at(table, row, col):
    return table.item(row, col).text()


def grid_row(page, name):
    return next(r for r in range(page.grid.rowCount()) if text_at(page.grid, r, 0) == name)


def grid_col(page, header):
    return next(c for c in range(page.grid.columnCount())
                if page.grid.horizontalHeaderItem(c).text() == header)


def read_db(path):
    db = connection.connect(path)
    try:
        return al.check(db), al.decisions(db)
    finally:
        db.close()


def test_the_plan_shows_its_matrix_totals_and_the_three_gaps(page):
    assert page.current_decision()["number"] == "635/KH-UBND"
    total = grid_row(page, "Tổng cộng")
    assert total == 12                                   # the 12 budget lines, then the total
    assert text_at(page.grid, total, grid_col(page, "Tổng cộng")) == "514.982.000.000"
    assert text_at(page.grid, total, grid_col(page, "NSTW\nSN")) == "159.232.000.000"
    da4 = grid_row(page, "DA4.TDA1")
    assert text_at(page.grid, da4, grid_col(page, "NSTW\nĐTPT")) == "4.315.000.000"
    assert text_at(page.grid, da4, grid_col(page, "Tổng cộng")) == "28.011.000.000"
    assert text_at(page.grid, da4, grid_col(page, "Theo văn bản")) == "28.011.000.000"
    assert text_at(page.grid, da4, grid_col(page, "Chênh lệch")) == "0"
    lines = page.differences_label.text().splitlines()
    assert lines == [
        "Lệch: Tổng cộng: theo văn bản 526.638.000.000, cộng các dòng 514.982.000.000, chênh "
        "lệch 11.656.000.000 đồng.",
        "Lệch: Ngân sách trung ương: theo văn bản 511.452.000.000, cộng các dòng "
        "499.796.000.000, chênh lệch 11.656.000.000 đồng.",
        "Lệch: Ngân sách trung ương – vốn sự nghiệp: theo văn bản 170.888.000.000, cộng các "
        "dòng 159.232.000.000, chênh lệch 11.656.000.000 đồng."]
    stated = page.stated_table
    rows = {text_at(stated, r, 0).strip(): r for r in range(stated.rowCount())}
    grand = rows["Tổng cộng"]
    assert [text_at(stated, grand, c) for c in (1, 2, 3)] == [
        "526.638.000.000", "514.982.000.000", "11.656.000.000"]
    assert stated.item(grand, 3).foreground().color().name() == "#b00020"


def test_typing_an_amount_writes_it_and_the_totals_follow(page, qtbot, bac_kan_path):
    row, col = page.find_cell(lambda role: role == ("amount", "DA2", "NSTW", "SN"))
    page.set_cell_text(row, col, "10.500.000.000")
    qtbot.waitUntil(lambda: page.status_label.text() == "Đã ghi.", timeout=5000)
    total = grid_row(page, "Tổng cộng")
    assert text_at(page.grid, total, grid_col(page, "Tổng cộng")) == "514.983.000.000"
    da2 = grid_row(page, "DA2")
    difference = page.grid.item(da2, grid_col(page, "Chênh lệch"))
    assert difference.text() == "-1.000.000"
    assert difference.foreground().color().name() == "#b00020"
    pairs, _ = read_db(bac_kan_path)
    assert {p["figure"]: p["computed"] for p in pairs}["DA2.total"] == 16_201_000_000


def test_a_stated_total_is_entered_and_the_gap_closes(page, qtbot, bac_kan_path):
    stated = page.stated_table
    row = next(r for r in range(stated.rowCount()) if text_at(stated, r, 0) == "Tổng cộng")
    stated.item(row, 1).setText("514.982.000.000")
    qtbot.waitUntil(lambda: len(page.differences_label.text().splitlines()) == 2,
                    timeout=5000)
    pairs, decisions = read_db(bac_kan_path)
    grand = next(p for p in pairs if p["figure"] == "grand_total")
    assert (grand["stated"], grand["difference"]) == (514_982_000_000, 0)
    assert decisions[0]["differences"] == 2


def test_bad_text_in_a_cell_is_refused_and_nothing_is_written(page, qtbot, bac_kan_path):
    before = read_db(bac_kan_path)
    row, col = page.find_cell(lambda role: role == ("amount", "DA5", "NSTW", "SN"))
    page.set_cell_text(row, col, "nhiều tiền")
    assert "không đúng định dạng" in page.status_label.text()
    assert page.grid.item(row, col).text() == "82.520.000.000"   # shown again as stored
    assert read_db(bac_kan_path) == before


def test_a_new_decision_then_a_file_imported_into_it(page, qtbot, type_vi, bac_kan_path,
                                                      monkeypatch):
    dialog = page.new_decision()
    qtbot.waitUntil(dialog.isVisible)
    type_vi(dialog.issuer_edit, "UBND huyện Bạch Thông")
    dialog.year_spin.setValue(2023)
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    decision = page.current_decision()
    assert (decision["issuer"], decision["year"]) == ("UBND huyện Bạch Thông", 2023)
    monkeypatch.setattr(page, "ask_import_file", lambda: FIXTURES / "bach_thong_da2_2023.csv")
    monkeypatch.setattr(page, "ask_import_options", lambda path, programme: {
        "line": "DA2", "source": "NSTW", "capital_type": "SN", "unit": None,
        "kind": "allocation"})
    page.import_file()
    qtbot.waitUntil(lambda: page.status_label.text().startswith("Đã nhập"), timeout=5000)
    assert page.status_label.text() == ("Đã nhập bach_thong_da2_2023.csv: mới 8, cập nhật 0, "
                                        "không đổi 0.")
    assert page.current_decision()["total"] == 3_819_000_000
    names = [page.recipient_combo.itemText(i) for i in range(page.recipient_combo.count())]
    assert names[0] == "Tất cả đơn vị nhận" and "UBND xã Vũ Muộn" in names
    # with every recipient shown the amounts are sums, not editable
    row, col = grid_row(page, "DA2"), grid_col(page, "NSTW\nSN")
    assert page.grid.item(row, col).text() == "3.819.000.000"
    assert page.grid.item(row, col).data(0x0100) is None
    page.recipient_combo.setCurrentIndex(names.index("UBND xã Vũ Muộn"))
    assert page.grid.item(row, col).text() == "1.019.000.000"


def test_a_bad_file_is_reported_on_the_page(page, qtbot, monkeypatch, tmp_path, errors):
    bad = tmp_path / "bad.csv"
    bad.write_text("budget_line,source,capital_type,amount_dong\nDA9,NSTW,SN,5\n",
                   encoding="utf-8")
    monkeypatch.setattr(page, "ask_import_file", lambda: bad)
    monkeypatch.setattr(page, "ask_import_options", lambda path, programme: {})
    page.import_file()
    qtbot.waitUntil(lambda: page.status_label.text().startswith("Không nhập được"),
                    timeout=5000)
    assert "Tệp bad.csv, dòng 2, trường «budget_line»" in page.status_label.text()
    assert errors == []


def test_print_writes_the_chosen_table(page, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "von.pdf"
    monkeypatch.setattr(page, "ask_print_target", lambda decision: ("von", out, "trieu"))
    page.print_decision()
    qtbot.waitUntil(lambda: out.exists() and page.status_label.text().startswith("Đã in"),
                    timeout=10000)
    assert out.stat().st_size > 1000


def test_carry_over_lines_have_their_own_view(page, qtbot):
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("carry_over"))
    total = grid_row(page, "Tổng cộng")
    assert text_at(page.grid, total, grid_col(page, "Tổng cộng")) == "0"
    row, col = page.find_cell(lambda role: role == ("amount", "DA2", "NSTW", "SN"))
    page.set_cell_text(row, col, "250 triệu")
    qtbot.waitUntil(lambda: page.status_label.text() == "Đã ghi.", timeout=5000)
    assert page.kind_combo.currentData() == "carry_over"
    assert text_at(page.grid, grid_row(page, "Tổng cộng"),
                   grid_col(page, "Tổng cộng")) == "250.000.000"
    assert page.current_decision()["carry_over"] == 250_000_000
    assert page.current_decision()["total"] == 514_982_000_000
    assert Scope(line_kind="carry_over") not in page.stated
