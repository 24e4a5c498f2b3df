"""The indicator framework as data and the checks on a period's figures."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from gnapp.domain import progress as rules
from gnapp.domain.errors import InputError

SHIPPED = json.loads((Path(__file__).parents[2] / "resources" / "progress" /
                      "indicators.json").read_text("utf-8"))
LINES = [("DA1", "Dự án 1"), ("DA2", "Dự án 2"), ("DA4.TDA1", "Dự án 4, tiểu dự án 1")]


@pytest.fixture(scope="module")
def frame():
    return rules.load_framework(SHIPPED, LINES)


def test_every_budget_line_gets_its_money_indicators(frame):
    for code, _ in LINES:
        assert frame.require(f"{code}.VON").computed == f"allocated:{code}"
        assert frame.require(f"{code}.GIAI_NGAN").part_of == f"{code}.VON"
        assert frame.require(f"{code}.TL_GIAI_NGAN").rate_of == (f"{code}.GIAI_NGAN",
                                                                  f"{code}.VON")
    assert frame.require("DA2.HO").computed == "participants:DA2"
    assert [g.code for g in frame.groups][:4] == ["GN", "DA1", "DA2", "DA4.TDA1"]
    units = {i.unit for i in frame.indicators}
    assert units <= set(frame.units)
    assert {"ho", "nguoi", "luot_nguoi", "lop", "cong_trinh", "mo_hinh", "phan_tram", "kg",
            "vien_goi", "dong"} <= set(frame.units)


def test_quarters_and_semesters_expand_and_fall_inside_their_periods(frame):
    electricity = [i.code for i in frame.indicators if i.code.startswith("CS.DIEN.HO.")]
    assert electricity == ["CS.DIEN.HO.Q1", "CS.DIEN.HO.Q2", "CS.DIEN.HO.Q3", "CS.DIEN.HO.Q4"]
    assert frame.require("CS.DIEN.HO.Q3").name == "Hộ được hỗ trợ tiền điện – quý III"
    half = {i.code for i in frame.for_period(rules.HALF_YEAR)}
    nine = {i.code for i in frame.for_period(rules.NINE_MONTHS)}
    year = {i.code for i in frame.for_period(rules.YEAR)}
    assert "CS.DIEN.HO.Q2" in half and "CS.DIEN.HO.Q3" not in half
    assert "CS.DIEN.HO.Q3" in nine and "CS.DIEN.HO.Q4" not in nine
    assert "CS.GIAO_DUC.AN.GAO.HK2" in half and "CS.GIAO_DUC.AN.GAO.HK1" not in half
    assert "CS.DIEN.HO.Q4" in year and half < year


def test_an_office_indicator_joins_its_group_or_starts_its_own():
    extra = [{"code": "CS.BHYT.TRE_EM", "group": "CS.BHYT", "name": "trong đó: trẻ em",
              "unit": "the", "part_of": "CS.BHYT.THE"},
             {"code": "DP.NUOC", "group": "DP", "group_name": "Chính sách của tỉnh",
              "name": "Hộ được hỗ trợ bể nước", "unit": "ho"}]
    frame = rules.load_framework(SHIPPED, LINES, extra)
    assert frame.require("CS.BHYT.TRE_EM").group == "CS.BHYT"
    assert frame.group("DP").name == "Chính sách của tỉnh"
    assert rules.validate_extra({"code": "X", "group": "Y", "name": "Z", "unit": "tấn"},
                                frame.units)[0].field == "unit"


def test_figures_are_parsed_for_their_unit(frame):
    cards = frame.require("CS.BHYT.THE")
    rice = frame.require("CS.GIAO_DUC.AN.GAO.HK2")
    assert rules.parse_figure("22.941", cards, frame) == 22941
    assert rules.parse_figure("", cards, frame) is None
    assert rules.parse_figure("1.250,125", rice, frame) == Decimal("1250.125")
    with pytest.raises(InputError, match="phải là số nguyên"):
        rules.parse_figure("4,5", cards, frame)
    with pytest.raises(InputError, match="quá 3 chữ số thập phân"):
        rules.parse_figure("1,2345", rice, frame)
    assert rules.store_text(Decimal("1250.500")) == "1250.5"
    assert rules.store_text(Decimal("2E+3")) == "2000"


def test_parts_never_exceed_their_whole_and_the_remainder_is_allowed(frame):
    """Document 002: 22.941 BHYT cards, of which 4.032 + 16.960 are categorised — fine;
    parts adding to more than the whole is an error."""
    ok = {c: rules.Figure(frame.require(c), actual=Decimal(v)) for c, v in
          (("CS.BHYT.THE", 22941), ("CS.BHYT.NGHEO", 4032), ("CS.BHYT.CAN_NGHEO", 16960))}
    assert rules.check_figures(frame, ok) == []
    bad = {**ok, "CS.BHYT.MOI_THOAT": rules.Figure(frame.require("CS.BHYT.MOI_THOAT"),
                                                    actual=Decimal(2000))}
    [problem] = rules.check_figures(frame, bad)
    assert problem.severity == "error" and problem.field == "CS.BHYT.THE"
    assert "cộng lại 22.992 thẻ, lớn hơn tổng 22.941 thẻ" in problem.message


def test_rates_come_from_counts_and_are_never_added(frame):
    figures = rules.with_rates(frame, {
        "GN.HO": rules.Figure(frame.require("GN.HO"), computed=Decimal(1205)),
        "GN.HO_NGHEO": rules.Figure(frame.require("GN.HO_NGHEO"), computed=Decimal(40)),
        "GN.TL_NGHEO": rules.Figure(frame.require("GN.TL_NGHEO"))})
    assert figures["GN.TL_NGHEO"].value == Decimal("3.32")
    assert rules.rate_value(Decimal(5), Decimal(0)) is None
    over = {"DA1.VON": rules.Figure(frame.require("DA1.VON"), computed=Decimal(100)),
            "DA1.GIAI_NGAN": rules.Figure(frame.require("DA1.GIAI_NGAN"), computed=Decimal(120))}
    found = rules.check_figures(frame, rules.with_rates(frame, {
        **over, "DA1.TL_GIAI_NGAN": rules.Figure(frame.require("DA1.TL_GIAI_NGAN"))}))
    assert {i.code for i in found} == {"figure.parts", "figure.rate_range"}


def test_year_on_year_jumps_are_warnings_with_thresholds(frame):
    cases = ((Decimal(20), Decimal(45), True), (Decimal(20), Decimal(28), False),
             (Decimal(4), Decimal(12), False))                 # +8 is under the minimum
    for before, now, warned in cases:
        figures = {"CS.TGPL.VU_VIEC": rules.Figure(frame.require("CS.TGPL.VU_VIEC"), actual=now)}
        found = rules.check_figures(frame, figures, {"CS.TGPL.VU_VIEC": before})
        assert bool(found) is warned
    rate = {"GN.TL_NGHEO": rules.Figure(frame.require("GN.TL_NGHEO"), computed=Decimal("3.32"))}
    [jump] = rules.check_figures(frame, rate, {"GN.TL_NGHEO": Decimal("9.50")})
    assert "giảm 6,18 điểm %" in jump.message


def test_a_nine_month_figure_asks_for_its_full_year_estimate(frame):
    cases = {"CS.TGPL.VU_VIEC": rules.Figure(frame.require("CS.TGPL.VU_VIEC"), actual=Decimal(7)),
             "CS.THONG_TIN.BUOI": rules.Figure(frame.require("CS.THONG_TIN.BUOI"),
                                               actual=Decimal(9), estimate=Decimal(12))}
    [missing] = rules.check_figures(frame, cases, kind=rules.NINE_MONTHS)
    assert missing.field == "CS.TGPL.VU_VIEC" and "ước thực hiện cả năm" in missing.message
    assert rules.check_figures(frame, cases, kind=rules.YEAR) == []
