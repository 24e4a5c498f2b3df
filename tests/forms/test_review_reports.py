"""Báo cáo 1–5 of the scripted commune (tests/forms/conftest.py), counted by hand."""

from decimal import Decimal

import pytest

from gnapp.domain import report_rules as rules
from gnapp.domain.codes import CN2022_INDICATORS
from gnapp.domain.errors import GnappError, InputError
from gnapp.forms import catalog
from gnapp.forms import document as d
from readback import find_row, pdf_cells_after, pdf_text, rows_by_name, sheet, table_of, values

D = Decimal


def movement_rows(doc: d.Document) -> dict[str, tuple[list, list]]:
    """(Hộ row, Nhân khẩu row) columns 1–9 by unit name."""
    rows = table_of(doc).rows
    out = {}
    for first, second in zip(rows[::2], rows[1::2]):
        number, name, label, *households = values(first)
        persons_label, *persons = values(second)
        assert (label, persons_label) == ("Hộ", "Nhân khẩu")
        out[name] = (households, persons)
    return out


def test_report_1_counts_households_persons_and_rates(commune):
    doc = catalog.build(commune.db, "bao-cao-1", round_year=2025)
    rows = rows_by_name(doc)
    assert list(rows) == ["Xã Tân Yên", "Thôn Một", "Thôn Hai", "Thôn Ba"]
    # Thôn Một: A1–A5, 15 persons; poor A1, A4, A5 (9 persons); near-poor A2 (2 persons)
    assert rows["Thôn Một"] == [5, 15, 3, D("60.00"), 1, D("20.00"), 0, D("0.00"),
                                9, D("60.00"), 2, D("13.33"), 0, D("0.00")]
    # Thôn Hai: B1–B5, 12 persons; near-poor B1, B4 (4 persons); MSTB B3 (4 persons)
    assert rows["Thôn Hai"] == [5, 12, 0, D("0.00"), 2, D("40.00"), 1, D("20.00"),
                                0, D("0.00"), 4, D("33.33"), 4, D("33.33")]
    # the commune: counts summed, rates computed from the sums (4/27 = 14,814… → 14,81)
    assert rows["Xã Tân Yên"] == [10, 27, 3, D("30.00"), 3, D("30.00"), 1, D("10.00"),
                                  9, D("33.33"), 6, D("22.22"), 4, D("14.81")]
    assert table_of(doc).rows[0].style == d.TOTAL


def test_a_village_without_households_has_no_rate_but_a_dash_and_a_note(commune, tmp_path):
    doc = catalog.build(commune.db, "bao-cao-1", round_year=2025)
    assert rows_by_name(doc)["Thôn Ba"] == [0, 0, 0, None, 0, None, 0, None,
                                            0, None, 0, None, 0, None]
    assert rules.NO_RATE_NOTE in table_of(doc).notes
    pdf = catalog.render(doc, tmp_path / "bc1.pdf")
    assert pdf_cells_after(pdf, "Thôn Ba", 14) == ["0", "0", "0", "—", "0", "—", "0", "—",
                                                   "0", "—", "0", "—", "0", "—"]
    assert rules.NO_RATE_NOTE in pdf_text(pdf).replace("\n", " ")
    ws = sheet(catalog.render(doc, tmp_path / "bc1.xlsx"))
    row = find_row(ws, 2, "Thôn Ba")
    assert [ws.cell(row, c).value for c in range(3, 17)] == [0, 0, 0, "—", 0, "—", 0, "—",
                                                           0, "—", 0, "—", 0, "—"]


def test_report_2_poor_movements(commune):
    rows = movement_rows(catalog.build(commune.db, "bao-cao-2", round_year=2025))
    # start A1 A2 A3; A2 → near-poor (col 2); A3 → escaped (col 3); A4 near-poor → poor
    # (col 5); A5 poor for the first time (col 7); end A1 A4 A5
    assert rows["Thôn Một"] == ([3, 1, 1, 0, 1, 0, 1, 0, 3], [9, 2, 4, 0, 1, 0, 5, 0, 9])
    assert rows["Thôn Hai"] == ([0] * 9, [0] * 9)
    assert rows["Xã Tân Yên"] == rows["Thôn Một"]


def test_report_3_near_poor_movements(commune):
    rows = movement_rows(catalog.build(commune.db, "bao-cao-3", round_year=2025))
    # Thôn Một: A4 near-poor → poor (col 3); A2 poor → near-poor (col 5)
    assert rows["Thôn Một"] == ([1, 0, 1, 0, 1, 0, 0, 0, 1], [1, 0, 1, 0, 2, 0, 0, 0, 2])
    # Thôn Hai: start B1 B2; B2 escaped (col 2); B4 near-poor for the first time (col 7)
    assert rows["Thôn Hai"] == ([2, 1, 0, 0, 0, 0, 1, 0, 2], [5, 3, 0, 0, 0, 0, 2, 0, 4])
    assert rows["Xã Tân Yên"] == ([3, 1, 1, 0, 1, 0, 1, 0, 3], [6, 3, 1, 0, 2, 0, 2, 0, 6])
    assert rows["Thôn Ba"] == ([0] * 9, [0] * 9)


def test_end_of_period_columns_agree_with_report_1(commune):
    one = rows_by_name(catalog.build(commune.db, "bao-cao-1", round_year=2025))
    poor = movement_rows(catalog.build(commune.db, "bao-cao-2", round_year=2025))
    near = movement_rows(catalog.build(commune.db, "bao-cao-3", round_year=2025))
    for name, result in one.items():
        assert (poor[name][0][8], poor[name][1][8]) == (result[2], result[8])
        assert (near[name][0][8], near[name][1][8]) == (result[4], result[10])


def test_reports_4_and_5_count_the_deprivations_of_poor_households(commune):
    four = rows_by_name(catalog.build(commune.db, "bao-cao-4", round_year=2025))
    # A1 employment nutrition cleanWater; A4 employment healthInsurance housingArea
    # cleanWater; A5 nutrition adultEducation cleanWater
    assert four["Thôn Một"] == [3, 10, 2, 0, 2, 1, 1, 0, 0, 1, 3, 0, 0, 0]
    assert four["Thôn Hai"] == [0, 0] + [0] * 12
    assert four["Xã Tân Yên"] == four["Thôn Một"]
    five = rows_by_name(catalog.build(commune.db, "bao-cao-5", round_year=2025))
    third, two_thirds = D("33.33"), D("66.67")
    assert five["Thôn Một"] == [3, two_thirds, D("0.00"), two_thirds, third, third,
                                D("0.00"), D("0.00"), third, D("100.00"), D("0.00"),
                                D("0.00"), D("0.00")]
    assert five["Thôn Hai"] == [0] + [None] * 12      # no poor household: no rate


def test_a_village_report_has_only_that_village(commune):
    code = commune.villages["Thôn Hai"]["code"]
    doc = catalog.build(commune.db, "bao-cao-1", round_year=2025, unit_code=code)
    assert list(rows_by_name(doc)) == ["Thôn Hai"]
    assert "Thôn Hai, Xã Tân Yên" in doc.subtitle[0]


def test_reports_2_and_3_need_a_previous_round(commune):
    with pytest.raises(GnappError, match="Báo cáo 2 so sánh với đợt rà soát trước"):
        catalog.build(commune.db, "bao-cao-2", round_year=2024)


def test_unknown_round_unit_and_report_are_refused(commune):
    with pytest.raises(GnappError, match="Không có đợt rà soát năm 2019"):
        catalog.build(commune.db, "bao-cao-1", round_year=2019)
    with pytest.raises(InputError, match="không phải mã của Xã Tân Yên"):
        catalog.build(commune.db, "bao-cao-1", round_year=2025, unit_code="15865")
    with pytest.raises(InputError, match="Không có báo cáo «bao-cao-42»"):
        catalog.spec("bao-cao-42")
    assert catalog.spec("1").name == catalog.spec("BC1").name == "bao-cao-1"


def test_the_current_round_is_the_default(commune):
    from datetime import date

    doc = catalog.build(commune.db, "bao-cao-1", today=date(2025, 11, 20))
    assert "năm 2025" in doc.subtitle[0]
    assert (doc.month, doc.year, doc.day) == (11, 2025, None)      # a draft: day left blank


def test_unfinished_reviews_are_noted(commune, writer):
    from gnapp.db import reviews

    home = commune.households["B5"]
    reviews.save_review(writer, commune.rounds[2025]["id"], home["id"],
                        income_per_person=4_000_000, deprivations={})
    notes = table_of(catalog.build(commune.db, "bao-cao-1", round_year=2025)).notes
    assert "Số liệu tạm thời: 1 phiếu rà soát chưa hoàn thành." in notes


def test_the_fingerprint_follows_the_data(commune, writer):
    from gnapp.db import reviews

    before = catalog.build(commune.db, "bao-cao-1", round_year=2025).fingerprint
    assert before == catalog.build(commune.db, "bao-cao-1", round_year=2025).fingerprint
    home = commune.households["B5"]
    reviews.save_review(writer, commune.rounds[2025]["id"], home["id"],
                        income_per_person=1_000_000,
                        deprivations={c: i < 3 for i, c in enumerate(CN2022_INDICATORS)})
    after = catalog.build(commune.db, "bao-cao-1", round_year=2025)
    assert after.fingerprint != before
    assert len(after.short_fingerprint) == 12


def test_the_demo_commune_renders_every_report(tmp_path):
    from gnapp import demo
    from gnapp.db import connection

    db = connection.connect(tmp_path / "demo.sqlite")
    demo.fill(db, households=80)
    for name in [n for n in catalog.REPORTS if n.startswith("bao-cao-")]:
        for suffix in (".pdf", ".xlsx"):
            path = catalog.produce(db, name, tmp_path / f"{name}{suffix}", round_year=2026)
            assert path.stat().st_size > 1000
