import copy
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gnapp.domain.codes import CN2022_INDICATORS
from gnapp.domain.errors import InputError
from gnapp.domain.standards import (
    Indicator, load_standard, load_standards, standard_for, to_dict, with_changes,
)
from gnapp.paths import resource_dir

STANDARDS_DIR = resource_dir() / "standards"
# Test-only overlay (Đồng Nai 2022–2025 figures of domain.md §5.5) over CN2022.
OVERLAY = Path(__file__).resolve().parent.parent / "fixtures" / "standards" / "DN2022.json"

STANDARDS = load_standards()
CN2022, CN2027 = STANDARDS["CN2022"], STANDARDS["CN2027"]
TAGS = set("VSRM")


def _tags(text):
    return set(text.split("/"))


def _write(tmp_path, data, name="hong.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _overlay_folder(tmp_path):
    shutil.copy(STANDARDS_DIR / "CN2022.json", tmp_path)
    shutil.copy(OVERLAY, tmp_path)
    return tmp_path


# --- the real files ------------------------------------------------------------------------

def test_the_bundled_folder_holds_cn2022_and_cn2027():
    assert list(STANDARDS) == ["CN2022", "CN2027"]


@pytest.mark.parametrize("standard, status, valid_from, valid_to, lines, cutoff", [
    (CN2022, "official", date(2022, 1, 1), date(2026, 12, 31),
     {"rural": 1_500_000, "urban": 2_000_000}, 3),
    (CN2027, "provisional", date(2027, 1, 1), date(2030, 12, 31),
     {"rural": 2_200_000, "urban": 2_800_000}, 3),
])
def test_standard_files_hold_period_lines_and_cutoff(standard, status, valid_from, valid_to,
                                                     lines, cutoff):
    assert standard.status == status
    assert (standard.valid_from, standard.valid_to) == (valid_from, valid_to)
    assert dict(standard.income_lines) == lines
    assert standard.cutoff == cutoff
    assert standard.b2_points == 10
    assert standard.certainty["income_lines"] == "V"


def test_cn2022_instrument_is_decree_07_2021():
    assert "07/2021/NĐ-CP" in CN2022.instrument
    assert "351/2025/NĐ-CP" in CN2027.instrument


def test_cn2022_has_the_12_indicators_in_report_order():
    assert CN2022.indicator_codes == CN2022_INDICATORS
    assert [i.order for i in CN2022.indicators] == list(range(1, 13))


def test_cn2022_indicator_names_and_dimensions_follow_the_decree():
    assert [(i.dimension, i.name) for i in CN2022.indicators] == [
        ("Việc làm", "Việc làm"),
        ("Việc làm", "Người phụ thuộc trong hộ gia đình"),
        ("Y tế", "Dinh dưỡng"),
        ("Y tế", "Bảo hiểm y tế"),
        ("Giáo dục", "Trình độ giáo dục của người lớn"),
        ("Giáo dục", "Tình trạng đi học của trẻ em"),
        ("Nhà ở", "Chất lượng nhà ở"),
        ("Nhà ở", "Diện tích nhà ở bình quân đầu người"),
        ("Nước sinh hoạt và vệ sinh", "Nguồn nước sinh hoạt"),
        ("Nước sinh hoạt và vệ sinh", "Nhà tiêu hợp vệ sinh"),
        ("Thông tin", "Sử dụng dịch vụ viễn thông"),
        ("Thông tin", "Phương tiện phục vụ tiếp cận thông tin"),
    ]


@pytest.mark.parametrize("code, certainty, threshold_part, inputs", [
    ("employment", "S/R", "không có hợp đồng lao động", ("member.birth_date", "member.employment")),
    ("healthInsurance", "R", "từ đủ 6 tuổi", ("member.birth_date", "member.health_insurance")),
    ("housingArea", "S/R", "dưới 8 m²", ()),
    ("informationAccessAssets", "R", "loa đài", ()),
])
def test_cn2022_indicators_carry_threshold_certainty_and_inputs(code, certainty, threshold_part,
                                                               inputs):
    indicator = CN2022.indicator(code)
    assert indicator.certainty == certainty
    assert threshold_part in indicator.threshold
    assert indicator.inputs == inputs


def test_cn2022_b1_thresholds_are_provisional_configuration():
    assert dict(CN2022.b1_thresholds) == {"rural": 140, "urban": 175}
    assert CN2022.certainty["b1_thresholds"] == "S"
    assert "không phải quy định của pháp luật" in CN2022.notes["b1_thresholds"]


def test_cn2022_mstb_band_is_one_and_a_half_lines():
    assert CN2022.mstb_factor == Decimal("1.5")
    assert CN2022.certainty["mstb_factor"] == "S/R"
    assert (CN2022.mstb_upper("rural"), CN2022.mstb_upper("urban")) == (2_250_000, 3_000_000)


def test_cn2027_leaves_unknown_items_empty_and_tagged_missing():
    assert CN2027.is_provisional and not CN2022.is_provisional
    assert CN2027.b1_thresholds is None and CN2027.certainty["b1_thresholds"] == "M"
    assert CN2027.mstb_factor is None and CN2027.certainty["mstb_factor"] == "M"
    assert CN2027.mstb_upper("rural") is None
    assert CN2027.certainty["indicators"] == "M"


def test_cn2027_indicators_drop_information_assets_and_add_domestic_waste():
    assert CN2027.indicator_codes == (
        "employment", "dependentPerson", "healthInsurance", "nutrition", "adultEducation",
        "childSchoolAttendance", "housingQuality", "housingArea", "telecommunication",
        "cleanWater", "hygienicToilet", "domesticWaste")
    assert CN2027.indicator("domesticWaste").dimension == "Nước sinh hoạt, vệ sinh và môi trường"
    assert all(i.certainty in ("M", "S") for i in CN2027.indicators)


@pytest.mark.parametrize("standard", [CN2022, CN2027], ids=["CN2022", "CN2027"])
def test_every_item_and_indicator_has_a_valid_certainty_tag(standard):
    assert set(standard.certainty) == {"period", "income_lines", "cutoff", "b2_points",
                                       "b1_thresholds", "mstb_factor", "indicators"}
    tags = list(standard.certainty.values()) + [i.certainty for i in standard.indicators]
    assert all(_tags(t) <= TAGS for t in tags)


def test_standard_is_frozen():
    with pytest.raises(AttributeError):
        CN2022.cutoff = 2
    with pytest.raises(TypeError):
        CN2022.income_lines["rural"] = 1


# --- round trip and editing ---------------------------------------------------------------

@pytest.mark.parametrize("standard", [CN2022, CN2027], ids=["CN2022", "CN2027"])
def test_to_dict_reads_back_to_an_equal_standard(standard):
    assert load_standard(to_dict(standard)) == standard


@pytest.mark.parametrize("standard", [CN2022, CN2027], ids=["CN2022", "CN2027"])
def test_to_dict_survives_a_json_file(tmp_path, standard):
    path = _write(tmp_path, to_dict(standard), "luu.json")
    assert load_standard(path) == standard


def test_with_changes_fills_in_a_provisional_item():
    edited = with_changes(CN2027, mstb_factor=Decimal("1.5"),
                          certainty={**CN2027.certainty, "mstb_factor": "S"})
    assert edited.mstb_factor == Decimal("1.5")
    assert edited.mstb_upper("urban") == 4_200_000
    assert edited.certainty["mstb_factor"] == "S"
    assert CN2027.mstb_factor is None
    assert load_standard(to_dict(edited)) == edited


def test_with_changes_checks_the_result_like_a_file():
    with pytest.raises(InputError) as caught:
        with_changes(CN2027, income_lines={"rural": 2_200_000})
    assert caught.value.field == "income_lines.urban"
    assert "thiếu chuẩn thu nhập khu vực thành thị" in str(caught.value)


def test_with_changes_refuses_an_official_standard():
    with pytest.raises(InputError, match="chuẩn chính thức"):
        with_changes(CN2022, cutoff=2)


# --- broken files -------------------------------------------------------------------------

def _drop(*keys):
    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]
    return change


def _set(value, *keys):
    def change(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


@pytest.mark.parametrize("change, field, message", [
    (_drop("income_lines"), "income_lines", "thiếu chuẩn thu nhập"),
    (_drop("income_lines", "value", "rural"), "income_lines.rural",
     "thiếu chuẩn thu nhập khu vực nông thôn"),
    (_set("1.500.000", "income_lines", "value", "urban"), "income_lines.urban",
     "phải là số nguyên"),
    (_set(0, "income_lines", "value", "rural"), "income_lines.rural", "phải từ 1 trở lên"),
    (_set("employment", "indicators", "value", 1, "code"), "indicators[2].code",
     "mã chỉ số «employment» bị trùng (đã có ở chỉ số thứ 1)"),
    (_set(1, "indicators", "value", 2, "order"), "indicators[3].order", "bị trùng"),
    (_drop("indicators", "value", 0, "name"), "indicators[1].name", "thiếu tên chỉ số"),
    (_set("việc làm", "indicators", "value", 0, "code"), "indicators[1].code",
     "không hợp lệ"),
    (_set([], "indicators", "value"), "indicators.value", "ít nhất một chỉ số"),
    (_set("2022-13-01", "period", "value", "from"), "period.from",
     "ngày bắt đầu áp dụng «2022-13-01» không hợp lệ"),
    (_set("01/01/2022", "period", "value", "from"), "period.from", "yyyy-mm-dd"),
    (_set("2021-12-31", "period", "value", "to"), "period",
     "ngày bắt đầu 01/01/2022 sau ngày kết thúc 31/12/2021"),
    (_set("draft", "status"), "status", "trạng thái «draft» không hợp lệ"),
    (_set("X", "cutoff", "certainty"), "cutoff.certainty", "mức độ chắc chắn «X»"),
    (_drop("cutoff", "certainty"), "cutoff.certainty", "thiếu mức độ chắc chắn"),
    (_set(13, "cutoff", "value"), "cutoff", "lớn hơn số chỉ số của chuẩn (12)"),
    (_set("1", "mstb_factor", "value"), "mstb_factor.value", "phải lớn hơn 1"),
    (_set("nhiều", "mstb_factor", "value"), "mstb_factor.value", "không phải là số"),
    (_set({"rural": 140}, "b1_thresholds", "value"), "b1_thresholds.urban",
     "thiếu ngưỡng điểm B1 khu vực thành thị"),
    (_set(3, "income_line"), "income_line", "trường không có trong định dạng chuẩn nghèo"),
    (_set(2, "format"), "format", "không được hỗ trợ"),
    (_drop("id"), "id", "thiếu mã chuẩn"),
])
def test_broken_file_names_the_file_and_the_field(tmp_path, change, field, message):
    data = copy.deepcopy(to_dict(CN2022))
    change(data)
    with pytest.raises(InputError) as caught:
        load_standard(_write(tmp_path, data))
    assert caught.value.field == field
    assert caught.value.source == "hong.json"
    assert str(caught.value).startswith(f"Tệp hong.json, trường «{field}»: ")
    assert message in str(caught.value)


def test_broken_dict_is_named_by_the_name_given():
    data = to_dict(CN2022)
    del data["cutoff"]
    with pytest.raises(InputError) as caught:
        load_standard(data, name="chuan-tinh.json")
    assert str(caught.value) == ("Tệp chuan-tinh.json, trường «cutoff»: "
                                 "thiếu ngưỡng số chỉ số thiếu hụt")


def test_malformed_json_gives_the_line(tmp_path):
    path = tmp_path / "hong.json"
    path.write_text('{\n  "id": "CN2022",\n  "title": \n}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_standard(path)
    assert caught.value.row == 4
    assert str(caught.value).startswith("Tệp hong.json, dòng 4: tệp JSON bị lỗi")


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError, match="Tệp khong-co.json: không tìm thấy tệp chuẩn nghèo"):
        load_standard(tmp_path / "khong-co.json")


def test_empty_folder_is_reported(tmp_path):
    with pytest.raises(InputError, match="không có tệp .json nào"):
        load_standards(tmp_path)


def test_two_files_with_one_id_are_reported(tmp_path):
    shutil.copy(STANDARDS_DIR / "CN2022.json", tmp_path / "a.json")
    shutil.copy(STANDARDS_DIR / "CN2022.json", tmp_path / "b.json")
    with pytest.raises(InputError, match="Tệp b.json, trường «id»: mã chuẩn CN2022 trùng với "
                                         "tệp a.json"):
        load_standards(tmp_path)


# --- overlays -----------------------------------------------------------------------------

def test_overlay_replaces_the_items_it_names():
    overlay = load_standard(OVERLAY, bases=STANDARDS)
    assert overlay.id == "DN2022" and overlay.base == "CN2022"
    assert dict(overlay.income_lines) == {"rural": 2_000_000, "urban": 2_500_000}
    assert overlay.cutoff == 2
    assert (overlay.valid_from, overlay.valid_to) == (date(2022, 1, 1), date(2025, 12, 31))
    assert overlay.sources["income_lines"] == "domain.md §5.5: Đồng Nai 2022–2025"


def test_overlay_keeps_the_base_items_it_does_not_name():
    overlay = load_standard(OVERLAY, bases=STANDARDS)
    assert overlay.status == "official"
    assert overlay.b1_thresholds == CN2022.b1_thresholds
    assert overlay.mstb_factor == CN2022.mstb_factor
    assert overlay.certainty["b1_thresholds"] == "S"


def test_overlay_changes_only_the_indicators_it_names():
    overlay = load_standard(OVERLAY, bases=STANDARDS)
    assert overlay.indicator_codes == CN2022_INDICATORS
    assert overlay.indicator("telecommunication") == Indicator(
        code="telecommunication", order=11, dimension="Thông tin",
        name="Sử dụng dịch vụ viễn thông",
        threshold="Ngưỡng sửa riêng của tỉnh (dữ liệu kiểm thử)", certainty="R",
        note="Thay đổi thử của lớp phủ")
    assert overlay.indicators[:10] == CN2022.indicators[:10]


def test_overlay_with_an_unknown_indicator_code_is_refused():
    data = json.loads(OVERLAY.read_text(encoding="utf-8"))
    data["indicators"]["value"].append({"code": "domesticWaste", "threshold": "…"})
    with pytest.raises(InputError) as caught:
        load_standard(data, bases=STANDARDS, name="DN2022.json")
    assert caught.value.field == "indicators[2].code"
    assert "chuẩn gốc CN2022 không có chỉ số «domesticWaste»" in str(caught.value)


def test_overlay_needs_its_base():
    with pytest.raises(InputError) as caught:
        load_standard(OVERLAY)
    assert caught.value.field == "base"
    assert "Tệp DN2022.json, trường «base»: không tìm thấy chuẩn gốc «CN2022»" in str(caught.value)


def test_overlay_cannot_be_its_own_base():
    data = {"id": "CN2022", "base": "CN2022"}
    with pytest.raises(InputError, match="không thể lấy chính nó làm chuẩn gốc"):
        load_standard(data, bases=STANDARDS)


def test_overlay_round_trips_with_its_base():
    overlay = load_standard(OVERLAY, bases=STANDARDS)
    saved = to_dict(overlay)
    assert saved["base"] == "CN2022" and saved["cutoff"]["value"] == 2
    assert load_standard(saved, bases=STANDARDS) == overlay


def test_load_standards_reads_overlays_after_their_base(tmp_path):
    loaded = load_standards(_overlay_folder(tmp_path))
    assert list(loaded) == ["CN2022", "DN2022"]
    assert loaded["DN2022"].cutoff == 2


def test_load_standards_reports_a_missing_base(tmp_path):
    shutil.copy(OVERLAY, tmp_path)
    with pytest.raises(InputError, match="Tệp DN2022.json, trường «base»: không tìm thấy chuẩn "
                                         "gốc «CN2022»"):
        load_standards(tmp_path)


# --- choosing by date ---------------------------------------------------------------------

@pytest.mark.parametrize("day, expected", [
    (date(2022, 1, 1), "CN2022"),
    (date(2026, 6, 30), "CN2022"),
    (date(2026, 12, 31), "CN2022"),
    (date(2027, 1, 1), "CN2027"),
    (date(2030, 12, 31), "CN2027"),
])
def test_standard_for_picks_by_period(day, expected):
    assert standard_for(day, STANDARDS).id == expected


@pytest.mark.parametrize("day", [date(2021, 12, 31), date(2031, 1, 1)])
def test_standard_for_a_day_no_standard_covers_is_an_error(day):
    with pytest.raises(InputError, match="Không có chuẩn nghèo nào áp dụng cho ngày"):
        standard_for(day, STANDARDS)


@pytest.mark.parametrize("day, expected", [
    (date(2023, 5, 1), "DN2022"),
    (date(2026, 1, 1), "CN2022"),
    (date(2027, 1, 1), "CN2027"),
])
def test_standard_for_prefers_an_overlay_to_its_base(day, expected):
    standards = {**STANDARDS, "DN2022": load_standard(OVERLAY, bases=STANDARDS)}
    assert standard_for(day, standards).id == expected


def test_standard_for_refuses_two_unrelated_standards_for_one_day():
    other = load_standard({**to_dict(CN2022), "id": "CN2022-copy"})
    with pytest.raises(InputError, match="Có nhiều chuẩn nghèo cùng áp dụng cho ngày "
                                         "01/06/2024: CN2022, CN2022-copy"):
        standard_for(date(2024, 6, 1), [CN2022, other])
