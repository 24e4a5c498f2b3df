from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gnapp.domain.classify import Classification, ReviewInput, classify, override
from gnapp.domain.errors import InputError
from gnapp.domain.issues import ERROR, WARNING
from gnapp.domain.standards import load_standards

STANDARDS = load_standards()
CN2022, CN2027 = STANDARDS["CN2022"], STANDARDS["CN2027"]


def answers(standard, deprived=0, **overrides):
    """Answers to every indicator of ``standard``: the first ``deprived`` are True."""
    result = {code: n < deprived for n, code in enumerate(standard.indicator_codes)}
    result.update(overrides)
    return result


def review(income=None, *, b1=None, area="rural", deprived=0, standard=CN2022, farm=False,
           farm_income=None, **overrides):
    return ReviewInput(area=area, income_per_person=income,
                       b1_score=None if b1 is None else Decimal(b1),
                       deprivations=answers(standard, deprived, **overrides),
                       is_farm_household=farm, farm_income_per_person=farm_income)


def codes(result):
    return [(i.severity, i.code) for i in result.issues]


# --- income against the line --------------------------------------------------------------

@pytest.mark.parametrize("area, income, deprived, klass", [
    ("rural", 1_500_000, 3, "poor"),
    ("rural", 1_500_000, 2, "near_poor"),
    ("rural", 1_500_001, 3, "not_poor"),
    ("rural", 1_500_001, 12, "not_poor"),
    ("rural", 0, 12, "poor"),
    ("urban", 2_000_000, 3, "poor"),
    ("urban", 2_000_000, 0, "near_poor"),
    ("urban", 1_800_000, 2, "near_poor"),
    ("urban", 2_000_001, 5, "not_poor"),
])
def test_income_at_or_below_the_line_and_deprivations_give_the_class(area, income, deprived,
                                                                     klass):
    result = classify(review(income, area=area, deprived=deprived), CN2022)
    assert result.klass == klass
    assert result.basis == "income"
    assert result.issues == ()


@pytest.mark.parametrize("deprived, klass, b2", [
    (0, "near_poor", 0), (2, "near_poor", 20), (3, "poor", 30), (12, "poor", 120),
])
def test_deprivation_count_gives_b2_and_the_cutoff_is_3(deprived, klass, b2):
    result = classify(review(1_000_000, deprived=deprived), CN2022)
    assert (result.klass, result.deprivation_count, result.b2) == (klass, deprived, b2)


def test_reasons_explain_a_poor_household_step_by_step():
    result = classify(review(1_500_000, deprived=3), CN2022)
    assert result.reasons[1:] == (
        "Thu nhập bình quân 1.500.000 đồng/người/tháng ≤ chuẩn nông thôn 1.500.000 đồng",
        "Thiếu hụt 3/12 chỉ số (B2 = 30) ≥ 3",
        "Kết quả: Hộ nghèo",
    )
    assert result.reasons[0].startswith("Áp dụng chuẩn CN2022")


def test_reasons_explain_a_not_poor_household():
    result = classify(review(2_000_001, area="urban", deprived=4), CN2022)
    assert result.reasons[1:] == (
        "Thu nhập bình quân 2.000.001 đồng/người/tháng > chuẩn thành thị 2.000.000 đồng",
        "Thiếu hụt 4/12 chỉ số (B2 = 40): không xét vì thu nhập trên chuẩn",
        "Kết quả: Không nghèo",
    )


@given(income=st.integers(0, 5_000_000), deprived=st.integers(0, 12),
       area=st.sampled_from(["rural", "urban"]))
def test_class_follows_the_and_rule(income, deprived, area):
    line = CN2022.income_lines[area]
    expected = ("not_poor" if income > line else "poor" if deprived >= 3 else "near_poor")
    assert classify(review(income, area=area, deprived=deprived), CN2022).klass == expected


# --- B1 score when the income is not known ------------------------------------------------

@pytest.mark.parametrize("area, b1, deprived, klass", [
    ("rural", "140", 3, "poor"),
    ("rural", "140", 2, "near_poor"),
    ("rural", "139.5", 0, "near_poor"),
    ("rural", "140.5", 3, "not_poor"),
    ("rural", "141", 3, "not_poor"),
    ("urban", "175", 3, "poor"),
    ("urban", "141", 1, "near_poor"),
    ("urban", "176", 3, "not_poor"),
])
def test_b1_at_or_below_its_threshold_counts_as_at_or_below_the_line(area, b1, deprived, klass):
    result = classify(review(b1=b1, area=area, deprived=deprived), CN2022)
    assert (result.klass, result.basis) == (klass, "b1")
    assert result.issues == ()


def test_b1_reason_names_score_and_threshold():
    result = classify(review(b1="140", deprived=3), CN2022)
    assert result.reasons[1] == ("Điểm B1 140 ≤ ngưỡng nông thôn 140: thu nhập ước tính không "
                                 "vượt chuẩn nghèo")


def test_income_is_used_when_both_income_and_b1_are_given():
    result = classify(review(1_600_000, b1="100", deprived=5), CN2022)
    assert (result.klass, result.basis) == ("not_poor", "income")


def test_b1_under_a_standard_without_b1_thresholds_is_an_error():
    result = classify(review(b1="100", standard=CN2027, deprived=3), CN2027)
    assert result.klass is None
    assert codes(result) == [(ERROR, "classify.b1_threshold_missing")]
    assert "Chuẩn CN2027 chưa có ngưỡng điểm B1" in result.issues[0].message


def test_neither_income_nor_b1_is_an_error_and_gives_no_class():
    result = classify(review(deprived=3), CN2022)
    assert result.klass is None and result.basis is None
    assert codes(result) == [(ERROR, "classify.income_missing")]
    assert result.issues[0].message.startswith("Thiếu thu nhập hoặc điểm B1")


@pytest.mark.parametrize("income", [-1, "1500000", True])
def test_invalid_income_is_an_error(income):
    result = classify(review(income), CN2022)
    assert result.klass is None
    assert codes(result) == [(ERROR, "classify.income_invalid")]


def test_unknown_area_is_an_error():
    result = classify(review(1_000_000, area="mountain"), CN2022)
    assert result.klass is None
    assert codes(result) == [(ERROR, "classify.area_unknown")]
    assert "«mountain»" in result.issues[0].message


# --- the same household under each standard -----------------------------------------------

@pytest.mark.parametrize("area, income, deprived, klass_2022, klass_2027", [
    ("rural", 1_800_000, 3, "not_poor", "poor"),
    ("rural", 1_800_000, 1, "not_poor", "near_poor"),
    ("rural", 2_200_000, 4, "not_poor", "poor"),
    ("rural", 2_200_001, 4, "not_poor", "not_poor"),
    ("urban", 2_500_000, 0, "not_poor", "near_poor"),
    ("urban", 1_900_000, 3, "poor", "poor"),
])
def test_the_same_household_under_cn2022_and_provisional_cn2027(area, income, deprived,
                                                                 klass_2022, klass_2027):
    under_2022 = classify(review(income, area=area, deprived=deprived), CN2022)
    under_2027 = classify(review(income, area=area, deprived=deprived, standard=CN2027), CN2027)
    assert (under_2022.klass, under_2022.provisional, under_2022.standard_id) == (
        klass_2022, False, "CN2022")
    assert (under_2027.klass, under_2027.provisional, under_2027.standard_id) == (
        klass_2027, True, "CN2027")


def test_a_provisional_result_says_so_in_its_reasons():
    result = classify(review(1_800_000, deprived=3, standard=CN2027), CN2027)
    assert result.reasons[1] == ("Chuẩn CN2027 là chuẩn tạm thời: kết quả cần xem lại khi có "
                                 "văn bản chính thức")


# --- average living standard (MSTB) -------------------------------------------------------

@pytest.mark.parametrize("area, income, klass", [
    ("rural", 1_500_001, "average"),
    ("rural", 2_250_000, "average"),
    ("rural", 2_250_001, "not_poor"),
    ("urban", 2_000_001, "average"),
    ("urban", 3_000_000, "average"),
    ("urban", 3_000_001, "not_poor"),
])
def test_farm_household_in_the_mstb_band_is_average(area, income, klass):
    result = classify(review(income, area=area, farm=True), CN2022)
    assert result.klass == klass
    assert result.issues == ()


def test_mstb_reason_gives_the_band():
    result = classify(review(2_250_000, farm=True), CN2022)
    assert result.reasons[-2] == ("Hộ làm nông, lâm, ngư nghiệp, diêm nghiệp: thu nhập 2.250.000 "
                                  "đồng/người/tháng trong khoảng mức sống trung bình "
                                  "1.500.001–2.250.000 đồng")


def test_non_farm_household_in_the_band_is_not_poor():
    assert classify(review(2_000_000, farm=False), CN2022).klass == "not_poor"


def test_farm_household_at_the_line_is_near_poor_not_average():
    assert classify(review(1_500_000, farm=True), CN2022).klass == "near_poor"


@pytest.mark.parametrize("income, farm_income, klass", [
    (2_400_000, 2_000_000, "average"),
    (1_600_000, 2_400_000, "not_poor"),
])
def test_mstb_uses_the_farm_income_when_given(income, farm_income, klass):
    result = classify(review(income, farm=True, farm_income=farm_income), CN2022)
    assert result.klass == klass


def test_mstb_under_a_standard_without_a_band_is_not_poor_with_a_warning():
    result = classify(review(2_300_000, farm=True, standard=CN2027), CN2027)
    assert result.klass == "not_poor"
    assert codes(result) == [(WARNING, "classify.mstb_unknown")]


def test_mstb_without_any_income_is_not_poor_with_a_warning():
    result = classify(review(b1="160", farm=True), CN2022)
    assert result.klass == "not_poor"
    assert codes(result) == [(WARNING, "classify.mstb_income_missing")]


# --- missing and unexpected answers -------------------------------------------------------

def test_unanswered_indicators_at_or_below_the_line_are_an_error_naming_them():
    result = classify(review(1_000_000, deprived=3, nutrition=None, cleanWater=None), CN2022)
    assert result.klass is None
    assert (result.deprivation_count, result.b2) == (None, None)
    assert codes(result) == [(ERROR, "classify.deprivation_unanswered")]
    assert result.issues[0].message == ("Chưa trả lời 2/12 chỉ số thiếu hụt: Dinh dưỡng, "
                                        "Nguồn nước sinh hoạt")


def test_an_indicator_missing_from_the_answers_counts_as_unanswered():
    deprivations = answers(CN2022, 3)
    del deprivations["hygienicToilet"]
    result = classify(ReviewInput("rural", 1_000_000, None, deprivations), CN2022)
    assert result.klass is None
    assert "Nhà tiêu hợp vệ sinh" in result.issues[0].message


def test_unanswered_indicators_above_the_line_are_only_warnings():
    result = classify(review(1_600_000, nutrition=None), CN2022)
    assert result.klass == "not_poor"
    assert (result.deprivation_count, result.b2) == (None, None)
    assert codes(result) == [(WARNING, "classify.deprivation_unanswered")]
    assert "không ảnh hưởng kết quả" in result.issues[0].message


def test_unanswered_indicators_without_income_are_listed_with_the_income_error():
    result = classify(review(nutrition=None), CN2022)
    assert codes(result) == [(ERROR, "classify.income_missing"),
                             (ERROR, "classify.deprivation_unanswered")]


def test_indicator_not_in_the_standard_is_an_error():
    result = classify(review(1_000_000, deprived=3, domesticWaste=True), CN2022)
    assert result.klass is None
    assert codes(result) == [(ERROR, "classify.indicator_unknown")]
    assert result.issues[0].message == "Chuẩn CN2022 không có chỉ số: domesticWaste"


def test_answer_that_is_not_yes_or_no_is_an_error():
    result = classify(review(1_000_000, employment="có"), CN2022)
    assert result.klass is None
    assert codes(result) == [(ERROR, "classify.deprivation_invalid")]
    assert result.issues[0].message == "Câu trả lời phải là có hoặc không: Việc làm"


def test_issues_carry_the_source_of_the_answers():
    base = review()
    result = classify(ReviewInput(base.area, None, None, base.deprivations, source="Phiếu B số 12"),
                      CN2022)
    assert result.issues[0].source == "Phiếu B số 12"


# --- manual correction --------------------------------------------------------------------

def test_override_sets_the_class_and_keeps_the_computed_one():
    computed = classify(review(1_000_000, deprived=2), CN2022)
    corrected = override(computed, "poor", "Hội nghị thôn thống nhất: chủ hộ ốm nặng")
    assert (corrected.klass, corrected.computed_klass) == ("poor", "near_poor")
    assert corrected.overridden and not computed.overridden
    assert corrected.override_reason == "Hội nghị thôn thống nhất: chủ hộ ốm nặng"
    assert computed.klass == "near_poor"


def test_override_stays_visible_as_a_warning():
    corrected = override(classify(review(1_000_000, deprived=2), CN2022), "poor",
                         "  chủ hộ  ốm nặng ")
    assert codes(corrected) == [(WARNING, "classify.override")]
    assert corrected.issues[0].message == ("Phân loại được sửa tay: Hộ cận nghèo → Hộ nghèo. "
                                           "Lý do: chủ hộ ốm nặng")


def test_a_second_override_keeps_the_first_computed_class_and_one_warning():
    once = override(classify(review(1_000_000, deprived=2), CN2022), "poor", "lý do một")
    twice = override(once, "not_poor", "lý do hai")
    assert (twice.klass, twice.computed_klass) == ("not_poor", "near_poor")
    assert codes(twice) == [(WARNING, "classify.override")]
    assert twice.issues[0].message.endswith("Hộ cận nghèo → Không nghèo. Lý do: lý do hai")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_override_needs_a_reason(reason):
    computed = classify(review(1_000_000), CN2022)
    with pytest.raises(InputError, match="Phải ghi lý do khi sửa tay"):
        override(computed, "poor", reason)


def test_override_refuses_an_unknown_class():
    with pytest.raises(InputError, match="Phân loại «rich» không hợp lệ"):
        override(classify(review(1_000_000), CN2022), "rich", "lý do")


def test_override_of_an_unclassified_household_keeps_its_errors():
    corrected = override(classify(review(), CN2022), "not_poor", "đã xác minh tại hộ")
    assert corrected.klass == "not_poor" and corrected.computed_klass is None
    assert codes(corrected) == [(ERROR, "classify.income_missing"), (WARNING, "classify.override")]
    assert "chưa phân loại được → Không nghèo" in corrected.issues[1].message


# --- the result record --------------------------------------------------------------------

@pytest.mark.parametrize("klass, label", [
    ("poor", "Hộ nghèo"), ("average", "Hộ làm NLNDN có mức sống trung bình"),
    (None, "Chưa phân loại được"),
])
def test_label_is_the_printed_class(klass, label):
    assert Classification(klass, None, None, None, False, "CN2022").label == label


def test_classification_is_frozen():
    result = classify(review(1_000_000), CN2022)
    with pytest.raises(FrozenInstanceError):
        result.klass = "poor"
