"""The two allocation prints, built from the seed tables and read back from PDF and XLSX."""

import json
from datetime import date
from pathlib import Path

import pytest
from readback import find_row, pdf_cells_after, pdf_fonts, pdf_text, sheet, values

from gnapp.db import allocations as al
from gnapp.domain.errors import InputError
from gnapp.domain.money import Scope
from gnapp.forms import allocation_reports as ar
from gnapp.forms import document as d

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "allocations"
EXPECTED = json.loads((FIXTURES / "bac_kan_2022_stated_totals.json").read_text("utf-8"))
TODAY = date(2026, 11, 20)


@pytest.fixture
def bac_kan(writer):
    report = al.import_file(writer, FIXTURES / "bac_kan_2022_capital.csv", new_decision={
        "issuer": "UBND tỉnh Bắc Kạn", "year": 2022, "kind": "plan", "number": "635/KH-UBND",
        "signed_on": "25/10/2021"}, recipient="Tỉnh Bắc Kạn")
    al.import_file(writer, FIXTURES / "bac_kan_2022_stated_totals.json",
                   decision=report.decision_id)
    return report.decision_id


@pytest.fixture
def da2(writer):
    return al.import_file(writer, FIXTURES / "bach_thong_da2_2023.csv", new_decision={
        "issuer": "UBND huyện Bạch Thông", "year": 2023}, line="DA2", source="NSTW",
        capital_type="SN").decision_id


def body_rows(doc):
    return [r for block in doc.body if isinstance(block, d.Table) for r in block.rows]


def row_named(doc, name):
    return next(values(r) for r in body_rows(doc) if values(r)[1] == name)


def test_the_capital_table_shows_lines_projects_totals_stated_and_gaps(site_db, bac_kan):
    doc = ar.capital_table(site_db, bac_kan, unit="trieu", today=TODAY)
    table = doc.body[0]
    assert table.unit_note == "Đơn vị tính: triệu đồng"
    # columns: TT, name, total, then NSTW / NSĐP / other: total, ĐTPT, SN
    da4 = row_named(doc, "Dự án 4: Phát triển giáo dục nghề nghiệp, việc làm bền vững")
    assert da4[0] == "4" and da4[2:6] == [34_267, 34_267, 4_315, 29_952]
    tda1 = row_named(doc, "Tiểu dự án 1: Phát triển giáo dục nghề nghiệp vùng nghèo, "
                          "vùng khó khăn")
    assert tda1[0] == "4.1" and tda1[2:6] == [28_011, 28_011, 4_315, 23_696]
    computed = row_named(doc, "Tổng cộng (cộng các dòng)")
    want = EXPECTED["computed_from_lines"]
    assert computed[2] == want["grand_total"]
    assert computed[3:6] == [want["by_source"]["NSTW"][k] for k in ("total", "DTPT", "SN")]
    stated = row_named(doc, "Tổng cộng theo văn bản")
    assert stated[2:6] == [526_638, 511_452, 340_564, 170_888]
    gaps = row_named(doc, "Chênh lệch (theo văn bản trừ cộng các dòng)")
    assert gaps[2:] == [11_656, 11_656, 0, 11_656, 0, 0, 0, 0, 0, 0]
    assert table.notes[:3] == (
        "Tổng cộng: theo văn bản 526.638, cộng các dòng 514.982, chênh lệch 11.656 triệu đồng.",
        "Ngân sách trung ương: theo văn bản 511.452, cộng các dòng 499.796, chênh lệch 11.656 "
        "triệu đồng.",
        "Ngân sách trung ương – vốn sự nghiệp: theo văn bản 170.888, cộng các dòng 159.232, "
        "chênh lệch 11.656 triệu đồng.")


def test_the_capital_table_pdf_and_xlsx_read_back(site_db, bac_kan, tmp_path):
    pdf = ar.produce(site_db, "von", bac_kan, tmp_path / "von.pdf", today=TODAY)
    text = pdf_text(pdf)
    assert "NHU CẦU VỐN THỰC HIỆN CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA GIẢM NGHÈO BỀN VỮNG" in text
    assert "Kế hoạch số 635/KH-UBND ngày 25/10/2021 của UBND tỉnh Bắc Kạn" in text
    assert "Đơn vị tính: triệu đồng" in text
    assert pdf_cells_after(pdf, "Tổng cộng (cộng các dòng)", 3) == ["514.982", "499.796",
                                                                  "340.564"]
    assert pdf_cells_after(pdf, "Tổng cộng theo văn bản", 4) == ["526.638", "511.452",
                                                                "340.564", "170.888"]
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= pdf_fonts(pdf)
    xlsx = ar.produce(site_db, "von", bac_kan, tmp_path / "von.xlsx", today=TODAY)
    ws = sheet(xlsx)
    row = find_row(ws, 2, "Chênh lệch (theo văn bản trừ cộng các dòng)")
    assert [ws.cell(row, c).value for c in range(3, 7)] == [11_656, 11_656, 0, 11_656]
    row = find_row(ws, 2, "Dự án 5: Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các "
                          "huyện nghèo")
    assert ws.cell(row, 3).value == 82_520 and ws.cell(row, 3).number_format == "#,##0"


def test_the_unit_is_chosen_at_print_and_totals_round_once(site_db, writer):
    decision = al.create_decision(writer, issuer="UBND huyện Hoằng Hóa", year=2024)
    for line, amount in (("DA2", 400_000), ("DA3.TDA1", 400_000), ("DA4.TDA3", 400_000)):
        al.set_amount(writer, decision["id"], line_code=line, source="NSTW",
                      capital_type="SN", amount=amount)
    in_million = ar.capital_table(site_db, decision["id"], unit="trieu", today=TODAY)
    assert row_named(in_million, "Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm "
                                 "nghèo")[2] == 0
    assert row_named(in_million, "Tổng cộng (cộng các dòng)")[2] == 1     # 1.200.000 đồng
    in_thousand = ar.capital_table(site_db, decision["id"], unit="nghin", today=TODAY)
    assert row_named(in_thousand, "Tổng cộng (cộng các dòng)")[2] == 1_200
    in_dong = ar.capital_table(site_db, decision["id"], unit="dong", today=TODAY)
    assert in_dong.body[0].unit_note == "Đơn vị tính: đồng"
    assert row_named(in_dong, "Tổng cộng (cộng các dòng)")[2] == 1_200_000
    with pytest.raises(InputError, match="Đơn vị in «ty»"):
        ar.capital_table(site_db, decision["id"], unit="ty")


def test_carry_over_gets_its_own_table(site_db, writer):
    decision = al.create_decision(writer, issuer="UBND huyện Hoằng Hóa", year=2024)
    al.set_amount(writer, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=300_000_000)
    al.set_amount(writer, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=50_000_000, kind="carry_over")
    doc = ar.capital_table(site_db, decision["id"], unit="dong", today=TODAY)
    tables = [b for b in doc.body if isinstance(b, d.Table)]
    assert len(tables) == 2
    assert doc.body[1] == d.Para("Năm trước chuyển sang (kinh phí năm 2023 chuyển sang năm "
                                 "2024):", bold=True)
    totals = [values(r)[2] for t in tables for r in t.rows if r.style == d.TOTAL]
    assert totals == [300_000_000, 50_000_000]


def test_the_allocation_list_spans_units_and_gives_the_total(site_db, da2, tmp_path):
    doc = ar.allocation_list(site_db, da2, today=TODAY)
    rows = [values(r) for r in body_rows(doc)]
    assert rows[4] == ["5", "UBND xã Vũ Muộn", "Dự án chăn nuôi bò sinh sản", 619_000_000]
    assert rows[5] == ["6", "Dự án chăn nuôi dê sinh sản", 400_000_000]   # unit cell spanned
    assert body_rows(doc)[4].cells[1].rowspan == 2
    assert rows[8] == ["", "Tổng cộng", 3_819_000_000]
    assert doc.title == ("DANH SÁCH PHÂN BỔ VỐN NĂM 2023 – DỰ ÁN 2",)
    pdf = ar.produce(site_db, "danh-sach", da2, tmp_path / "ds.pdf", today=TODAY)
    assert pdf_cells_after(pdf, "Tổng cộng", 1) == ["3.819.000.000"]
    assert "Đơn vị tính: đồng" in pdf_text(pdf)
    xlsx = ar.produce(site_db, "danh-sach", da2, tmp_path / "ds.xlsx", unit="nghin",
                      today=TODAY)
    ws = sheet(xlsx)
    assert ws.cell(find_row(ws, 2, "Tổng cộng"), 4).value == 3_819_000
    merged = [str(m) for m in ws.merged_cells.ranges]
    vu_muon = find_row(ws, 2, "UBND xã Vũ Muộn")
    assert f"B{vu_muon}:B{vu_muon + 1}" in merged


def test_the_list_shows_a_stated_total_and_its_difference(site_db, writer, da2):
    al.set_stated(writer, da2, Scope(), 3_820_000_000)
    doc = ar.allocation_list(site_db, da2, today=TODAY)
    rows = [values(r) for r in body_rows(doc)]
    assert rows[-2:] == [["", "Tổng cộng theo văn bản", 3_820_000_000],
                         ["", "Chênh lệch (theo văn bản trừ cộng các dòng)", 1_000_000]]
    assert doc.body[0].notes == ("Tổng cộng: theo văn bản 3.820.000.000, cộng các dòng "
                                 "3.819.000.000, chênh lệch 1.000.000 đồng.",)


def test_a_print_needs_a_pdf_or_xlsx_file(site_db, da2, tmp_path):
    with pytest.raises(InputError, match=".pdf hoặc .xlsx"):
        ar.produce(site_db, "danh-sach", da2, tmp_path / "a.doc")
