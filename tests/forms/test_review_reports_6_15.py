"""Báo cáo 6–15 of the scripted commune (tests/forms/conftest.py), counted by hand.

The fixture ``listed`` adds to the scripted commune what these reports look at: target-group
flags, the heads' ethnicity, Phiếu C causes and children. In the 2025 round:

=====  ========  =======  ========================  ===========  ====================  ========
hh     village   persons  deprived on               flags        head's ethnicity      causes
=====  ========  =======  ========================  ===========  ====================  ========
A1 N   Thôn Một  3        1 employment, 3 nutrition,  DTTS, no     Mường                 capital,
                          9 cleanWater                labour                            labour
A4 N   Thôn Một  1        1, 4 healthInsurance,      —            Kinh                  —
                          8 housingArea, 9
A5 N   Thôn Một  5        3, 5 adultEducation, 9     merit        Thái                  capital
A2 CN  Thôn Một  2        1                          —            (not recorded)        illness
B1 CN  Thôn Hai  2        —                          no labour    Kinh                  —
B4 CN  Thôn Hai  2        9                          —            Mường                 land
=====  ========  =======  ========================  ===========  ====================  ========

Children added (the round ends on 14/12/2025): A1 a child born 2015 (10, no health
insurance card, dropped out of school), A5 a child born 2022 (3, not yet at school), A2 a
child born 2012 (13, at lower secondary school), B4 a child without a birth year.
"""

import json
from decimal import Decimal

import pytest

from gnapp.db import households as hh
from gnapp.db import reviews
from gnapp.forms import catalog
from gnapp.forms import document as d
from gnapp.forms import review_reports as rr
from readback import find_row, pdf_cells_after, pdf_text, rows_by_name, sheet, table_of, values

D = Decimal
NONE10 = [0] * 10


def blocks(doc: d.Document) -> dict[str, tuple[list, list]]:
    """(Hộ nghèo row, Hộ cận nghèo row) values by unit name, for Báo cáo 8–11."""
    rows = table_of(doc).rows
    out = {}
    for first, second in zip(rows[::2], rows[1::2]):
        number, name, label, *poor = values(first)
        near_label, *near = values(second)
        assert (label, near_label) == ("Hộ nghèo", "Hộ cận nghèo")
        out[name] = (poor, near)
    return out


@pytest.fixture
def listed(commune, writer):
    homes = commune.households

    def head(name):
        return next(m for m in hh.members(commune.db, homes[name]["id"])
                    if m["relation"] == "head")

    for name, flags in (("A1", {"ethnic_minority": 1, "no_labour": 1}),
                        ("A5", {"revolution_merit": 1}), ("B1", {"no_labour": 1})):
        hh.update_household(writer, homes[name]["id"], flags)
    for name, ethnicity in (("A1", "Mường"), ("A4", "Kinh"), ("A5", "Thái"), ("B1", "Kinh"),
                            ("B4", "Mường")):
        hh.update_member(writer, head(name)["id"], {"ethnicity": ethnicity})
    round_id = commune.rounds[2025]["id"]
    for name, causes in (("A1", ["lackCapital", "lackLabor"]), ("A5", ["lackCapital"]),
                         ("A2", ["illnessOrAccident"]), ("B4", ["lackProductionLand"])):
        review = reviews.review_of(commune.db, round_id, homes[name]["id"])
        writer.update("household_review", review["id"], {"causes": json.dumps(causes)},
                      reason="Phiếu C")
    for name, birth, card, school in (("A1", "2015", 0, "dropped_out"),
                                      ("A5", "2022", 1, "not_yet"),
                                      ("A2", "2012", 1, "lower_secondary"),
                                      ("B4", None, 1, None)):
        hh.add_member(writer, homes[name]["id"], {
            "full_name": f"Nguyễn Thị Bé {name}", "sex": "nu", "birth_date": birth,
            "relation": "child", "health_insurance": card, "schooling": school})
    return commune


def build(commune, n: int, **kw) -> d.Document:
    return catalog.build(commune.db, f"bao-cao-{n}", round_year=2025, **kw)


def test_reports_6_and_7_count_the_deprivations_of_near_poor_households(listed):
    six = rows_by_name(build(listed, 6))
    # Thôn Một: A2 employment; Thôn Hai: B1 none, B4 cleanWater (indicator 9)
    assert six["Thôn Một"] == [1, 1, 1] + [0] * 11
    assert six["Thôn Hai"] == [2, 1] + [0] * 8 + [1, 0, 0, 0]
    assert six["Xã Tân Yên"] == [3, 2, 1] + [0] * 7 + [1, 0, 0, 0]
    seven = rows_by_name(build(listed, 7))
    zero = D("0.00")
    assert seven["Thôn Một"] == [1, D("100.00")] + [zero] * 11
    assert seven["Thôn Hai"] == [2] + [zero] * 8 + [D("50.00"), zero, zero, zero]
    assert seven["Xã Tân Yên"] == [3, D("33.33")] + [zero] * 7 + [D("33.33"), zero, zero, zero]
    assert seven["Thôn Ba"] == [0] + [None] * 12
    assert rr.NO_NEAR_POOR_NOTE in table_of(build(listed, 7)).notes


def test_report_8_by_target_group(listed):
    rows = blocks(build(listed, 8))
    # (all, DTTS, no labour, merit, other), each (households, persons)
    assert rows["Thôn Một"] == ([3, 9, 1, 3, 1, 3, 1, 5, 1, 1], [1, 2] + [0] * 6 + [1, 2])
    assert rows["Thôn Hai"] == (NONE10, [2, 4, 0, 0, 1, 2, 0, 0, 1, 2])
    assert rows["Xã Tân Yên"] == (rows["Thôn Một"][0], [3, 6, 0, 0, 1, 2, 0, 0, 2, 4])
    assert rows["Thôn Ba"] == (NONE10, NONE10)


def test_report_9_by_ethnicity_of_the_head(listed):
    doc = build(listed, 9)
    header = [c.value for c in table_of(doc).header[1]]
    assert header == ["Tổng số", "Mường", "Thái", "Dân tộc thiểu số khác"]
    rows = blocks(doc)
    # (all, Kinh, minorities, Mường, Thái, other minorities, not recorded)
    assert rows["Thôn Một"] == ([3, 9, 1, 1, 2, 8, 1, 3, 1, 5, 0, 0, 0, 0],
                                [1, 2] + [0] * 10 + [1, 2])
    assert rows["Thôn Hai"] == ([0] * 14, [2, 4, 1, 2, 1, 2, 1, 2, 0, 0, 0, 0, 0, 0])
    assert rows["Xã Tân Yên"][1] == [3, 6, 1, 2, 1, 2, 1, 2, 0, 0, 0, 0, 1, 2]


def test_report_10_by_cause(listed):
    rows = blocks(build(listed, 10))
    # all; land, capital, labour, tools, knowledge, skills, illness, other; none given
    assert rows["Thôn Một"] == ([3, 0, 2, 1, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 1, 0, 0])
    assert rows["Thôn Hai"] == ([0] * 10, [2, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    assert rows["Xã Tân Yên"][1] == [3, 1, 0, 0, 0, 0, 0, 1, 0, 1]


def test_report_11_children(listed, tmp_path):
    doc = build(listed, 11)
    rows = blocks(doc)
    # children <16; no card, %; in a nutrition-deprived household, %; aged 3–15; out, %
    assert rows["Thôn Một"] == ([2, 1, D("50.00"), 2, D("100.00"), 2, 2, D("100.00")],
                                [1, 0, D("0.00"), 0, D("0.00"), 1, 0, D("0.00")])
    assert rows["Thôn Hai"] == ([0, 0, None, 0, None, 0, 0, None],) * 2
    assert rows["Xã Tân Yên"] == rows["Thôn Một"]
    notes = table_of(doc).notes
    assert "1 thành viên của các hộ này chưa có năm sinh, không tính vào báo cáo." in notes
    assert rr.NO_CHILD_NOTE in notes
    pdf = catalog.render(doc, tmp_path / "bc11.pdf")
    assert pdf_cells_after(pdf, "Thôn Một", 18) == [
        "Hộ nghèo", "2", "1", "50,00", "2", "100,00", "2", "2", "100,00",
        "Hộ cận nghèo", "1", "0", "0,00", "0", "0,00", "1", "0", "0,00"]


def test_reports_12_and_13_by_number_of_deprivations_and_dimension(listed):
    twelve = rows_by_name(build(listed, 12))
    third, two_thirds, all_, zero = D("33.33"), D("66.67"), D("100.00"), D("0.00")
    # 3 poor households, 9 persons; by count (<3, 3, 4, ≥5); by dimension (households, %):
    # employment A1 A4; health A1 A4 A5; education A5; housing A4; water all; information none
    assert twelve["Thôn Một"] == [3, 9, 0, 2, 1, 0, 2, two_thirds, 3, all_, 1, third,
                                  1, third, 3, all_, 0, zero]
    assert twelve["Thôn Hai"] == [0, 0, 0, 0, 0, 0] + [0, None] * 6
    assert twelve["Xã Tân Yên"] == twelve["Thôn Một"]
    thirteen = rows_by_name(build(listed, 13))
    # near-poor by count (0, 1, 2, ≥3): A2 1; B1 0, B4 1
    assert thirteen["Thôn Một"] == [1, 2, 0, 1, 0, 0, 1, all_] + [0, zero] * 5
    assert thirteen["Thôn Hai"] == [2, 4, 1, 1, 0, 0] + [0, zero] * 4 + [1, D("50.00"), 0, zero]
    assert thirteen["Xã Tân Yên"] == [3, 6, 1, 2, 0, 0, 1, third, 0, zero, 0, zero, 0, zero,
                                      1, third, 0, zero]


def test_reports_14_and_15_list_the_households(listed, tmp_path):
    homes = listed.households
    fifteen = [values(r) for r in table_of(build(listed, 15)).rows]
    assert fifteen == [
        ["I", "Thôn Một: 3 hộ", 9, None],
        ["1", homes["A1"]["code"], "Nguyễn Văn Đức A1", "1970", "Nam", "Mường", 3, 1_000_000,
         None, 30, "1, 3, 9", "DTTS; KCKNLĐ"],
        ["2", homes["A4"]["code"], "Nguyễn Văn Đức A4", "1970", "Nam", "Kinh", 1, 1_000_000,
         None, 40, "1, 4, 8, 9", None],
        ["3", homes["A5"]["code"], "Nguyễn Văn Đức A5", "1970", "Nam", "Thái", 5, 1_000_000,
         None, 30, "3, 5, 9", "NCC"],
        ["II", "Thôn Hai: 0 hộ", 0, None],
        ["III", "Thôn Ba: 0 hộ", 0, None],
        ["", "Tổng cộng: 3 hộ nghèo", 9, None],
    ]
    doc = build(listed, 14)
    fourteen = [values(r) for r in table_of(doc).rows]
    assert [r[1] for r in fourteen] == ["Thôn Một: 1 hộ", homes["A2"]["code"], "Thôn Hai: 2 hộ",
                                        homes["B1"]["code"], homes["B4"]["code"],
                                        "Thôn Ba: 0 hộ", "Tổng cộng: 3 hộ cận nghèo"]
    assert fourteen[3][5:] == ["Kinh", 2, 1_000_000, None, 0, None, "KCKNLĐ"]
    ws = sheet(catalog.render(doc, tmp_path / "bc14.xlsx"))
    row = find_row(ws, 2, homes["B4"]["code"])
    assert [ws.cell(row, c).value for c in range(1, 13)] == [
        "3", homes["B4"]["code"], "Nguyễn Văn Đức B4", "1970", "Nam", "Mường", 2, 1_000_000,
        None, 10, "9", None]
    assert ws.cell(row, 8).number_format == "#,##0"
    text = " ".join(pdf_text(catalog.render(doc, tmp_path / "bc14.pdf")).split())
    assert "DANH SÁCH CHI TIẾT HỘ CẬN NGHÈO" in text and "Tổng cộng: 3 hộ cận nghèo" in text
    assert "1.000.000" in text


def test_reports_6_to_15_say_their_layout_is_gnapps_own(listed):
    for n in range(1, 16):
        if n in (2, 3):
            continue
        doc = build(listed, n)
        assert (rr.OWN_LAYOUT in doc.subtitle) == (n >= 6), n


def test_a_village_report_of_the_lists(listed):
    code = listed.villages["Thôn Hai"]["code"]
    rows = blocks(build(listed, 8, unit_code=code))
    assert list(rows) == ["Thôn Hai"]
    assert rows["Thôn Hai"][1] == [2, 4, 0, 0, 1, 2, 0, 0, 1, 2]
