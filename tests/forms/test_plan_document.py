"""Plans and reports printed to PDF and Word from the scripted commune (tests/forms/conftest):
generated heading numbers, data tables read back against the database, tables that refresh in
a draft and stay as signed after signing, the .docx read back with python-docx."""

from datetime import date
from decimal import Decimal

import docx
import pytest

from gnapp.db import households as hh
from gnapp.db import plan_documents, progress, reviews
from gnapp.domain.errors import GnappError
from gnapp.domain.numbers import format_decimal, format_int
from gnapp.forms import document as d
from gnapp.forms import plan_document, plan_tables
from gnapp.domain.codes import CN2022_INDICATORS
from tests.forms.readback import pdf_cells_after, pdf_fonts, pdf_text
from tests.projects_helpers import make_line

TODAY = date(2026, 5, 20)
POOR_INCOME = 1_000_000           # below the rural line of CN2022, as in tests/forms/conftest


def deprived(*codes):
    return {code: code in codes for code in CN2022_INDICATORS}


def H(level, text):
    return {"type": "heading", "level": level, "text": text}


def table(source, **params):
    return {"type": "table", "source": source, "params": params}


BODY = {
    "preamble": ["Căn cứ Kế hoạch số 85/KH-UBND ngày 01/4/2026 của UBND tỉnh;",
                 "UBND xã ban hành Kế hoạch với các nội dung sau:"],
    "blocks": [
        H(0, "Kết quả thực hiện năm 2025"),
        H(1, "KẾT QUẢ GIẢM NGHÈO"),
        H(2, "Kết quả rà soát"),
        table("poverty_by_village", year=2025),
        H(2, "Biến động"),
        H(3, "Hộ nghèo"),
        table("poverty_change", from_year=2024, to_year=2025),
        H(3, "Hộ cận nghèo"),
        H(4, "Số hộ"),
        H(4, "Tỷ lệ"),
        {"type": "bullet", "level": 1, "text": "Hộ nghèo giảm."},
        {"type": "bullet", "level": 2, "text": "Đánh giá: đạt."},
        H(1, "NGUỒN VỐN"),
        H(2, "Phân bổ"),
        table("allocations_by_line", year=2024, unit="trieu"),
        table("disbursement_by_line", year=2024, unit="trieu"),
        H(0, "Kế hoạch năm 2026"),
        H(1, "MỤC TIÊU"),
        {"type": "para", "text": "Giảm tỷ lệ hộ nghèo từ 1,5% trở lên."},
    ],
    "closing": "Trên đây là Kế hoạch thực hiện Chương trình năm 2026 của xã./.",
}
LABELS = ["A.", "I.", "1.", "2.", "2.1.", "2.2.", "a)", "b)", "II.", "1.", "B.", "I."]


@pytest.fixture
def money(writer):
    """Allocation lines of 2024 (đồng) and one payment."""
    da2 = make_line(writer, 500_000_000)
    writer.insert("allocation_line", {
        "decision_id": da2["decision_id"], "kind": "allocation", "line_code": "DA2",
        "source": "NSDP", "capital_type": "SN", "recipient_unit": "07339",
        "recipient_name": "UBND xã Tân Yên", "amount": 120_500_000})
    make_line(writer, 1_234_567_890, line_code="DA3.TDA1", number="726/QĐ-UBND")
    from gnapp.db import disbursement as spending
    spending.add_payment(writer, da2["id"], amount=150_000_000, paid_on="2024-04-02",
                         document="PC 01/2024")
    return da2


@pytest.fixture
def plan(commune, writer, money):
    return plan_documents.create(writer, kind="plan", year=2026, subject="Thực hiện Chương "
                                 "trình giảm nghèo năm 2026", body=BODY,
                                 recipients=["UBND tỉnh (b/c);", "Lưu: VT."])


def test_heading_numbers_are_generated_in_the_pdf_and_the_docx(commune, plan, tmp_path):
    doc = plan_document.build(commune.db, plan["id"], TODAY)
    labels = [label for block, label in zip(doc.body, d.heading_labels(doc.body))
              if isinstance(block, d.Heading)]
    assert labels == LABELS
    pdf = plan_document.write(commune.db, plan["id"], tmp_path / "kh.pdf", TODAY)
    text = pdf_text(pdf)
    for line in ("A. KẾT QUẢ THỰC HIỆN NĂM 2025", "I. KẾT QUẢ GIẢM NGHÈO", "2.1. Hộ nghèo",
                 "2.2. Hộ cận nghèo", "a) Số hộ", "b) Tỷ lệ", "- Hộ nghèo giảm.",
                 "+ Đánh giá: đạt.", "B. KẾ HOẠCH NĂM 2026"):
        assert line in text, line
    assert pdf_fonts(pdf) <= {"LiberationSerif", "LiberationSerif-Bold",
                              "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}
    word = docx.Document(plan_document.write(commune.db, plan["id"], tmp_path / "kh.docx", TODAY))
    paragraphs = [p.text for p in word.paragraphs]
    headings = [t for t in paragraphs if t.split(" ")[0] in set(LABELS)]
    assert [t.split(" ")[0] for t in headings] == LABELS
    assert "2.1. Hộ nghèo" in paragraphs and "A. KẾT QUẢ THỰC HIỆN NĂM 2025" in paragraphs


def test_a_draft_has_no_number_and_no_day_and_ends_with_the_end_mark(commune, plan, tmp_path):
    text = pdf_text(plan_document.write(commune.db, plan["id"], tmp_path / "kh.pdf", TODAY))
    assert "Số:" in text and "/KH-UBND" in text
    assert "ngày" in text and "tháng 5 năm 2026" in text and "ngày 20" not in text
    assert text.count("./.") == 1 and "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text


def _village_counts(db, year):
    """Households, poor and near-poor per village after the round of ``year``, counted here
    from the stored reviews (independent of the report code)."""
    round_id = db.execute("SELECT id FROM review_round WHERE year = ?", [year]).fetchone()[0]
    out = {}
    for row in db.query(
            "SELECT u.name AS village, r.class AS klass FROM household h JOIN admin_unit u ON u.id = h.village_id LEFT JOIN "
            "household_review r ON r.household_id = h.id AND r.round_id = ? "
            "WHERE h.deleted = 0", [round_id]):
        klass = row["klass"]
        got = out.setdefault(row["village"], [0, 0, 0])
        got[0] += 1
        got[1] += klass == "poor"
        got[2] += klass == "near_poor"
    return out


def _rate(part, whole):
    return format_decimal(Decimal(part) * 100 / Decimal(whole), 2) if whole else "—"


def test_the_poverty_table_matches_the_database_in_pdf_and_docx(commune, plan, tmp_path):
    counts = _village_counts(commune.db, 2025)
    assert counts["Thôn Một"] == [5, 3, 1]        # as the fixture's docstring says
    pdf = plan_document.write(commune.db, plan["id"], tmp_path / "kh.pdf", TODAY)
    word = docx.Document(plan_document.write(commune.db, plan["id"], tmp_path / "kh.docx",
                                             TODAY))
    poverty = word.tables[1]
    docx_rows = {row.cells[1].text: [c.text for c in row.cells[2:]] for row in poverty.rows}
    for village in ("Thôn Một", "Thôn Hai"):
        households, poor, near = counts[village]
        expected = [format_int(households), format_int(poor), _rate(poor, households),
                    format_int(near), _rate(near, households)]
        assert pdf_cells_after(pdf, village, 5) == expected
        assert docx_rows[village] == expected
    assert docx_rows["Thôn Ba"] == ["0", "0", "—", "0", "—"]       # no households: no rate
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    assert docx_rows["Tổng cộng"][:2] == [format_int(total[0]), format_int(total[1])]
    # merged header cells: "Hộ nghèo" spans two columns, "TT" two rows
    assert poverty.cell(0, 3)._tc is poverty.cell(0, 4)._tc
    assert poverty.cell(0, 0)._tc is poverty.cell(1, 0)._tc


def test_the_money_tables_match_the_ledger(commune, plan, tmp_path, money):
    pdf = plan_document.write(commune.db, plan["id"], tmp_path / "kh.pdf", TODAY)
    word = docx.Document(plan_document.write(commune.db, plan["id"], tmp_path / "kh.docx",
                                             TODAY))
    alloc = {r.cells[1].text: [c.text for c in r.cells[2:]] for r in word.tables[3].rows}
    # DA2: 500.000.000 + 120.500.000 = 620.500.000 đồng → 621 triệu (half up); NSĐP 120,5 → 121
    da2 = "Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo"
    assert alloc[da2] == ["621", "500", "121"]
    # the total is converted once from đồng (1.855.067.890 → 1.855), not 621 + 1.235
    assert alloc["Tổng cộng"] == ["1.855", "1.735", "121"]
    spent = {r.cells[1].text: [c.text for c in r.cells[2:]] for r in word.tables[4].rows}
    # 150 of 620,5 triệu disbursed: 24,17 %
    assert spent[da2] == ["621", "150", "471", "24,17"]
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    start = lines.index("Vốn được phân bổ theo dự án và nguồn vốn (năm 2024)")
    total = lines.index("Tổng cộng", lines.index("NSĐP", start))
    assert lines[total + 1:total + 4] == ["1.855", "1.735", "121"]
    assert "Dự án 3, tiểu dự án 1: Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp" \
        in alloc


def _poor_household_in_thon_ba(commune, writer):
    home = hh.add_household(writer, village_id=commune.villages["Thôn Ba"]["id"],
                            area="rural", head={"full_name": "Vũ Thị Hoa", "sex": "nu",
                                                "birth_date": "1980", "health_insurance": 1},
                            on_date="2025-01-01")
    row, _ = reviews.save_review(writer, commune.rounds[2025]["id"], home["id"],
                                 income_per_person=POOR_INCOME,
                                 deprivations=deprived("employment", "nutrition", "cleanWater"),
                                 reviewer="Lê Văn Tâm", review_date="2025-10-06")
    reviews.complete_review(writer, row["id"])


def test_tables_refresh_until_signed_and_stay_as_signed_after(commune, writer, plan,
                                                            tmp_path):
    signed_one = plan_documents.create(writer, kind="plan", year=2026, subject="Bản sẽ ký",
                                       body=BODY)
    signed = plan_document.sign(writer, signed_one["id"], day=date(2026, 5, 21))
    assert (signed["state"], signed["number"], signed["signed_on"]) == \
        ("signed", "01", "2026-05-21")
    before = pdf_text(plan_document.write(commune.db, signed_one["id"], tmp_path / "a.pdf"))
    assert "Số: 01/KH-UBND" in before and "ngày 21 tháng 5 năm 2026" in before
    draft_before = pdf_cells_after(
        plan_document.write(commune.db, plan["id"], tmp_path / "b.pdf", TODAY), "Thôn Ba", 2)

    _poor_household_in_thon_ba(commune, writer)           # the data change

    draft_after = pdf_cells_after(
        plan_document.write(commune.db, plan["id"], tmp_path / "c.pdf", TODAY), "Thôn Ba", 3)
    assert draft_before == ["0", "0"] and draft_after == ["1", "1", "100,00"]
    after = pdf_text(plan_document.write(commune.db, signed_one["id"], tmp_path / "d.pdf"))
    assert after == before                                 # the signed one did not change
    word = docx.Document(plan_document.write(commune.db, signed_one["id"], tmp_path / "e.docx"))
    thon_ba = [r for r in word.tables[1].rows if r.cells[1].text == "Thôn Ba"][0]
    assert [c.text for c in thon_ba.cells[2:4]] == ["0", "0"]


def test_signing_takes_the_next_number_or_the_given_one(commune, writer, plan):
    other = plan_documents.create(writer, kind="plan", year=2026, subject="Khác", body=BODY)
    first = plan_document.sign(writer, plan["id"], day=date(2026, 5, 21), number=7)
    assert first["number"] == "07"
    with pytest.raises(GnappError, match="07/KH-UBND năm 2026 đã cấp"):
        plan_document.sign(writer, other["id"], day=date(2026, 5, 21), number=7)
    assert plan_documents.get(commune.db, other["id"])["state"] == "draft"
    assert plan_document.sign(writer, other["id"], day=date(2026, 5, 22))["number"] == "08"


def test_a_table_that_cannot_be_built_is_a_note_in_a_draft_and_refuses_signing(
        commune, writer, tmp_path):
    body = {**BODY, "blocks": [H(1, "KẾT QUẢ"), table("poverty_by_village", year=2019)]}
    row = plan_documents.create(writer, kind="report", year=2026, subject="Báo cáo", body=body)
    text = pdf_text(plan_document.write(commune.db, row["id"], tmp_path / "r.pdf", TODAY))
    assert "Chưa lập được bảng: Không có đợt rà soát năm 2019." in text
    with pytest.raises(GnappError, match="khối thứ 2.*Không có đợt rà soát năm 2019"):
        plan_document.sign(writer, row["id"], day=TODAY)
    assert plan_documents.get(commune.db, row["id"])["state"] == "draft"


def test_a_frozen_table_round_trips_as_data(commune):
    built = plan_tables.poverty_change(commune.db, from_year=2024, to_year=2025)
    back = plan_tables.table_from_data(plan_tables.table_to_data(built))
    assert (back.columns, back.header, back.unit_note, back.notes) == \
        (built.columns, built.header, built.unit_note, built.notes)
    assert [[d.as_cell(c) for c in r.cells] for r in back.rows] == \
        [[d.as_cell(c) for c in r.cells] for r in built.rows]
    assert any(isinstance(d.as_cell(c).value, Decimal) for r in back.rows for c in r.cells)


@pytest.mark.parametrize("name, year, title", [
    ("ke-hoach-nam", 2026, "KẾ HOẠCH"), ("bao-cao-giua-ky", 2025, "BÁO CÁO")])
def test_both_templates_fill_in_and_print(commune, writer, money, tmp_path, name, year, title):
    period = progress.create_period(writer, "year", year)
    row = writer.transact(lambda w: plan_document.new_from_template(
        w, name, year=year, period_id=period["id"])).result
    assert row["template"] == name and row["year"] == year
    body = row["body_data"]
    assert "{" not in row["subject"] and all("{" not in b.get("text", "")
                                             for b in body["blocks"])
    assert body["closing"].endswith("./.")
    sources = {b["source"] for b in body["blocks"] if b["type"] == "table"}
    assert {"poverty_by_village", "poverty_change", "allocations_by_line",
            "disbursement_by_line", "period_indicators"} <= sources
    pdf = plan_document.write(commune.db, row["id"], tmp_path / f"{name}.pdf", TODAY)
    text = pdf_text(pdf)
    assert title in text and "xã Tân Yên" in text
    word = docx.Document(plan_document.write(commune.db, row["id"], tmp_path / f"{name}.docx",
                                             TODAY))
    assert title in [p.text for p in word.paragraphs]
    assert len(word.tables) >= 2 + len([b for b in body["blocks"] if b["type"] == "table"]) - 2
