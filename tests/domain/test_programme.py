"""The programme structure as data, sources and capital types, and money at print."""

import json
from decimal import Decimal

import pytest

from gnapp.domain import money
from gnapp.domain import programme as pg
from gnapp.domain.errors import InputError
from gnapp.domain.money import Scope

TWELVE = ["DA1", "DA2", "DA3.TDA1", "DA3.TDA2", "DA4.TDA1", "DA4.TDA2", "DA4.TDA3", "DA5",
          "DA6.TDA1", "DA6.TDA2", "DA7.TDA1", "DA7.TDA2"]


@pytest.fixture(scope="module")
def gnbv():
    return pg.bundled_programmes()[pg.DEFAULT_PROGRAMME]


def test_the_2021_2025_structure_has_the_twelve_budget_lines_in_order(gnbv):
    assert [i.code for i in gnbv.lines()] == TWELVE
    assert (gnbv.period_from, gnbv.period_to, gnbv.is_provisional) == (2021, 2025, False)
    assert [i.code for i in gnbv.children("DA3")] == ["DA3.TDA1", "DA3.TDA2"]
    assert [a.code for a in gnbv.ancestors("DA4.TDA3.HD2")] == ["DA4", "DA4.TDA3"]
    assert gnbv.item("DA1").applies_to == "poor_district"
    assert gnbv.item("DA2").applies_to == "all"


def test_activities_sit_under_their_sub_project_and_carry_no_money(gnbv):
    activities = [i for i in gnbv.items if i.kind == "activity"]
    assert {a.parent for a in activities} == {"DA3.TDA2", "DA4.TDA1", "DA4.TDA3"}
    assert len(activities) == 15 and not any(a.line for a in activities)


@pytest.mark.parametrize("text, code", [
    ("DA3.TDA1", "DA3.TDA1"), ("da5", "DA5"),
    ("Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo", "DA2"),
    ("Tiểu dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo", "DA2"),  # [002]
    ("du an 1: ho tro dau tu phat trien ha tang kinh te - xa hoi cac huyen ngheo", "DA1"),
    ("Dự án 6, tiểu dự án 2", "DA6.TDA2"),
    ("DA3", None),               # a project with sub-projects is not a budget line
    ("Dự án 9", None),
])
def test_lines_are_matched_by_code_name_or_variant(gnbv, text, code):
    assert gnbv.match_line(text) == code


def test_an_unknown_line_is_an_error_naming_the_accepted_codes(gnbv):
    with pytest.raises(InputError) as exc:
        gnbv.line_code("DA9", field="budget_line", row=4, source="a.csv")
    assert "Tệp a.csv, dòng 4, trường «budget_line»" in str(exc.value)
    assert "DA7.TDA2" in str(exc.value)


def test_the_successor_programme_is_provisional_and_maps_old_codes(gnbv):
    later = pg.bundled_programmes()["MTQG-2026-2035"]
    assert later.is_provisional and later.lines() == []
    loaded = pg.parse_programme({
        "id": "MTQG-2026-2035", "name": "Chương trình hợp nhất", "status": "official",
        "period": {"from": 2026, "to": 2035},
        "items": [{"code": "HP1", "kind": "project", "name": "Hợp phần 1: Sinh kế",
                   "line": True, "replaces": ["GNBV-2021-2025:DA2", "DA3.TDA1"]},
                  {"code": "HP2", "kind": "line", "name": "Hợp phần 2: Nhà ở",
                   "replaces": ["GNBV-2021-2025:DA5"]}]})
    assert [i.code for i in loaded.lines()] == ["HP1", "HP2"]
    mapped = pg.mapping(gnbv, loaded)
    assert mapped["DA2"] == ["HP1"] and mapped["DA3.TDA1"] == ["HP1"]
    assert mapped["DA5"] == ["HP2"] and mapped["DA1"] == []


@pytest.mark.parametrize("change, message", [
    ({"id": ""}, "id: thiếu"),
    ({"period": {"from": 2030, "to": 2026}}, "period"),
    ({"items": [{"code": "A", "kind": "project"}]}, "items[0].name"),
    ({"items": [{"code": "A", "kind": "x", "name": "A"}]}, "items[0].kind"),
    ({"items": [{"code": "B", "kind": "subproject", "name": "B", "parent": "A"}]},
     "items[0].parent"),
    ({"items": [{"code": "A", "kind": "project", "name": "A"},
                {"code": "A", "kind": "project", "name": "A2"}]}, "bị trùng"),
])
def test_a_bad_programme_file_is_refused_with_the_place(change, message):
    data = {"id": "X", "name": "X", "period": {"from": 2026, "to": 2030}, "items": [], **change}
    with pytest.raises(InputError) as exc:
        pg.parse_programme(data, source="x.json")
    assert message in str(exc.value) and "x.json" in str(exc.value)


def test_a_programme_round_trips_through_its_json(gnbv, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(pg.to_dict(gnbv), ensure_ascii=False), encoding="utf-8")
    again = pg.read_programme_file(path)
    assert again.items == gnbv.items and again.name == gnbv.name


@pytest.mark.parametrize("text, code", [
    ("NSTW", "NSTW"), ("nsđp", "NSDP"), ("Ngân sách địa phương", "NSDP"),
    ("KHAC", "KHAC"), ("Vốn huy động hợp pháp khác", "KHAC"), ("Quỹ Vì người nghèo", "QVNN"),
])
def test_sources_are_read_as_codes_or_words(text, code):
    assert pg.source_code(text) == code


@pytest.mark.parametrize("text, code", [("DTPT", "DTPT"), ("ĐTPT", "DTPT"),
                                        ("vốn đầu tư phát triển", "DTPT"), ("sn", "SN"),
                                        ("Vốn sự nghiệp", "SN")])
def test_capital_types_are_read_as_codes_or_words(text, code):
    assert pg.capital_code(text) == code


def test_unknown_source_and_capital_type_are_errors():
    with pytest.raises(InputError, match="Nguồn vốn «NS» không đúng"):
        pg.source_code("NS")
    with pytest.raises(InputError, match="Loại vốn «X» không đúng"):
        pg.capital_code("X")


# -- money -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dong, unit, shown", [
    (1_500_000, "trieu", 2), (1_499_999, "trieu", 1), (500, "nghin", 1), (499, "nghin", 0),
    (526_638_000_000, "trieu", 526_638), (3_819_000_000, "dong", 3_819_000_000),
])
def test_amounts_are_converted_at_print_rounding_half_up(dong, unit, shown):
    assert money.in_unit(dong, unit) == shown


def test_totals_are_sums_of_dong_converted_once():
    lines = [{"line_code": "DA2", "source": "NSTW", "capital_type": "SN", "amount": 400_000}
             for _ in range(3)]
    # each line is 0 triệu when rounded, their sum 1.200.000 đồng is 1 triệu
    assert [money.in_unit(line["amount"], "trieu") for line in lines] == [0, 0, 0]
    assert money.in_unit(money.total(lines), "trieu") == 1


@pytest.mark.parametrize("value, unit, dong", [
    ("526638", "trieu", 526_638_000_000), ("5695680", "nghin", 5_695_680_000),
    ("39758.914", "trieu", 39_758_914_000), ("3819000000", "dong", 3_819_000_000),
])
def test_amounts_in_a_unit_become_whole_dong(value, unit, dong):
    assert money.to_dong(Decimal(value), unit) == dong


def test_a_fraction_of_a_dong_is_refused():
    with pytest.raises(InputError, match="không phải là một số đồng nguyên"):
        money.to_dong(Decimal("1.5"), "dong", row=3, source="a.csv")


@pytest.mark.parametrize("text, key", [("million đồng (triệu đồng)", "trieu"),
                                       ("triệu đồng", "trieu"), ("đồng", "dong"),
                                       ("thousand_dong", "nghin"), ("nghìn đồng", "nghin")])
def test_units_are_read_from_words(text, key):
    assert money.unit_key(text) == key


def test_stated_totals_are_compared_with_the_lines_in_their_scope():
    lines = [{"line_code": "DA1", "source": "NSTW", "capital_type": "DTPT", "amount": 300},
             {"line_code": "DA2", "source": "NSTW", "capital_type": "SN", "amount": 100},
             {"line_code": "DA2", "source": "NSDP", "capital_type": "SN", "amount": 50},
             {"line_code": "DA2", "source": "NSTW", "capital_type": "SN", "amount": 70,
              "kind": "carry_over"}]
    found = money.compare([(Scope(), 500, None), (Scope(source="NSTW", capital_type="SN"),
                                                  100, None),
                           (Scope(line_code="DA2"), 150, None),
                           (Scope(line_kind="carry_over"), 70, None)], lines)
    assert [(c.scope.key, c.computed, c.difference) for c in found] == [
        ("grand_total", 450, 50), ("NSTW.SN", 100, 0), ("DA2.total", 150, 0),
        ("carry_over.grand_total", 70, 0)]
    assert found[0].message("dong") == ("Tổng cộng: theo văn bản 500, cộng các dòng 450, "
                                        "chênh lệch 50 đồng")
    assert found[1].scope.label == "Ngân sách trung ương – vốn sự nghiệp"
