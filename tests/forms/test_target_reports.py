"""The Tân Yên table printed to PDF and XLSX and read back; the target-against-result table."""

import re
from datetime import date

import pytest

from gnapp.db import connection, sites
from gnapp.db import targets as dt
from gnapp.forms import target_reports as trp
from gnapp.forms.target_reports import COMPUTED_TOTAL, DIFFERENCE, STATED_TOTAL
from readback import pdf_cells_after, pdf_fonts, pdf_page_sizes, pdf_text, sheet
from tests.targets_helpers import PLAN, expected, goals, tan_yen_office, with_total_row

TODAY = date(2026, 5, 4)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The annex imported by the office and printed once to each format."""
    folder = tmp_path_factory.mktemp("targets_print")
    from gnapp.db import units
    db = connection.connect(folder / "gnapp.sqlite")
    units.ensure_official_units(db)
    tan_yen_office(db)
    dt.import_file(sites.writer(db), with_total_row(folder), plan=PLAN)
    pdf = trp.print_plan(db, PLAN, folder / "chi-tieu.pdf", goals=goals(), today=TODAY)
    xlsx = trp.print_plan(db, PLAN, folder / "chi-tieu.xlsx", goals=goals(), today=TODAY)
    doc = trp.targets_document(db, PLAN, goals=goals(), today=TODAY)
    db.close()
    return pdf, xlsx, doc


def _int_text(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _rate_text(rate: str) -> str:
    return rate.replace(".", ",")


def _signed(value) -> str:
    text = str(value)
    return text.replace("-", "−").replace(".", ",") if text.startswith("-") else "+" + text


def test_the_pdf_prints_the_district_totals_per_year(printed):
    pdf, _, _ = printed
    want = []
    for t in expected()["district_totals_computed"]:
        want += [_int_text(t["households"]), _int_text(t["poor_households"]),
                 _rate_text(t["rate_percent"])]
    assert pdf_cells_after(pdf, COMPUTED_TOTAL, 18) == want
    assert set(pdf_page_sizes(pdf)) == {(842, 595)}            # A4 landscape
    assert pdf_fonts(pdf) <= {"LiberationSerif", "LiberationSerif-Bold",
                              "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}


def test_the_pdf_shows_the_documents_total_row_and_its_differences(printed):
    pdf, _, _ = printed
    printed_row = []
    for v in expected()["district_total_row_printed"]["values"]:
        printed_row += [_int_text(v["households"]), _int_text(v["poor_households"]),
                        _rate_text(v["rate_printed"])]
    assert pdf_cells_after(pdf, STATED_TOTAL, 18) == printed_row
    gaps = [_signed(x["printed_minus_computed"])
            for x in expected()["printed_total_row_vs_computed"]]
    assert pdf_cells_after(pdf, DIFFERENCE, len(gaps)) == gaps   # empty cells print nothing


def test_exactly_the_seven_cells_are_marked_with_a_legend(printed):
    pdf, _, _ = printed
    text = pdf_text(pdf)
    marked = [line.strip() for line in text.splitlines()
              if re.fullmatch(r"\d+,\d+\*", line.strip())]
    flagged = expected()["cell_check"]["flagged_cells"]
    assert sorted(marked) == sorted(_rate_text(c["rate_printed"]) + "*" for c in flagged)
    for c in flagged:
        assert (f"{c['unit_name']} năm {c['year']}: in {_rate_text(c['rate_printed'])}%, tính "
                f"từ {_int_text(c['poor_households'])}/{_int_text(c['households'])} hộ là "
                f"{_rate_text(c['rate_computed'])}%.") in text
    assert "78 ô có tỷ lệ đặt trước" in text


def test_rows_are_numbered_by_the_program_with_the_printed_number_beside(printed):
    _, _, doc = printed
    table = doc.body[0]
    units = [r for r in table.rows if r.style == "normal"][:24]
    numbers = [(r.cells[0].value, r.cells[1].value, r.cells[2].value) for r in units]
    assert [n for n, _, _ in numbers] == [str(i) for i in range(1, 25)]
    assert numbers[20] == ("21", "23", "TT Cao Thượng")
    assert numbers[22] == ("23", "21", "Việt Lập")


def test_the_goals_are_checked_under_the_table(printed):
    pdf, _, _ = printed
    text = " ".join(pdf_text(pdf).split())
    assert ("Tỷ lệ hộ nghèo năm 2020 không quá 1,68%: theo số tính từ các dòng 1,69% (không "
            "đạt); theo số in trong văn bản 1,68% (đạt).") in text
    assert "Liên Chung: giảm 1,73 điểm/năm tính từ số hộ (đạt), 1,74 theo tỷ lệ in (đạt)." \
        in text


def test_the_xlsx_has_the_same_totals_and_differences(printed):
    _, xlsx, _ = printed
    ws = sheet(xlsx)
    rows = {ws.cell(r, 3).value: r for r in range(1, ws.max_row + 1)}
    total, stated, gap = rows[COMPUTED_TOTAL], rows[STATED_TOTAL], rows[DIFFERENCE]
    for i, t in enumerate(expected()["district_totals_computed"]):
        col = 4 + 3 * i
        assert ws.cell(total, col).value == t["households"]
        assert ws.cell(total, col + 1).value == t["poor_households"]
        assert ws.cell(total, col + 2).value == float(t["rate_percent"])
    for x in expected()["printed_total_row_vs_computed"]:
        i = x["year"] - 2015
        col = 4 + 3 * i + {"households": 0, "poor_households": 1, "rate_percent": 2}[x["field"]]
        assert ws.cell(gap, col).value == _signed(x["printed_minus_computed"])
        assert str(ws.cell(stated, col).value).replace(",", ".") == str(x["printed"])
    marked = [ws.cell(r, c).value for r in range(1, ws.max_row + 1)
              for c in range(1, ws.max_column + 1)
              if isinstance(ws.cell(r, c).value, str) and ws.cell(r, c).value.endswith("*")
              and ws.cell(r, c).value[0].isdigit()]
    assert len(marked) == 7


def test_a_comparison_table_prints_for_an_office(units_path, tmp_path):
    db = connection.connect(units_path)
    tan_yen_office(db)
    dt.set_target(sites.writer(db), "07339", 2026, households=2000, rate="2")
    table = trp.comparison_table(db, 2026)
    (row,) = table.rows
    values = [c.value if hasattr(c, "value") else c for c in row.cells]
    assert values[1] == "Xã Tân Yên" and values[2:4] == [2000, 40]
    assert values[-1] == "Chưa có kết quả"
    pdf = trp.print_comparison(db, 2026, tmp_path / "so-sanh.pdf", today=TODAY)
    assert "SO SÁNH CHỈ TIÊU VÀ KẾT QUẢ GIẢM NGHÈO NĂM 2026" in pdf_text(pdf)
    assert pdf_cells_after(pdf, "Xã Tân Yên", 3) == ["2.000", "40", "2,00"]
    db.close()


def test_a_plan_that_does_not_exist_is_refused(site_db, tmp_path):
    from gnapp.domain.errors import InputError
    with pytest.raises(InputError, match="Không có chỉ tiêu nào của kế hoạch «99/KH-UBND»"):
        trp.print_plan(site_db, "99/KH-UBND", tmp_path / "x.pdf")
    with pytest.raises(InputError, match=".pdf hoặc .xlsx"):
        trp.print_plan(site_db, "99/KH-UBND", tmp_path / "x.docx")
