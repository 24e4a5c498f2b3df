from decimal import Decimal

import pytest

from gnapp.domain.errors import InputError
from gnapp.domain.numbers import (
    MONEY_UNITS, RateError, format_decimal, format_int, format_money, format_number,
    format_percent, format_rate, format_size, parse_amount, parse_file_number, parse_int,
    parse_number, rate, round_half_up, to_decimal,
)


@pytest.mark.parametrize("value, expected", [
    (0.22305, Decimal("0.22305")),
    (0.1, Decimal("0.1")),
    (12, Decimal(12)),
    ("135.5", Decimal("135.5")),
    (Decimal("2.50"), Decimal("2.50")),
])
def test_to_decimal_keeps_the_written_value(value, expected):
    result = to_decimal(value)
    assert isinstance(result, Decimal) and result == expected


def test_to_decimal_refuses_bool():
    with pytest.raises(TypeError):
        to_decimal(True)


@pytest.mark.parametrize("value, places, expected", [
    (Decimal("2.5"), 0, Decimal("3")),
    (Decimal("3.5"), 0, Decimal("4")),
    (Decimal("0.125"), 2, Decimal("0.13")),
    (Decimal("22.305"), 2, Decimal("22.31")),
    (0.22305, 4, Decimal("0.2231")),
    (Decimal("-2.5"), 0, Decimal("-3")),
])
def test_round_half_up_rounds_halves_away_from_zero(value, places, expected):
    assert round_half_up(value, places) == expected


@pytest.mark.parametrize("numerator, denominator, expected", [
    (22305, 100000, Decimal("22.31")),
    (27346, 34498, Decimal("79.27")),   # documents print the truncated 79,26
    (1096, 6000, Decimal("18.27")),     # documents print 18,26
    (0, 5, Decimal("0.00")),
    (5, 5, Decimal("100.00")),
    (1, 8, Decimal("12.50")),
])
def test_rate_is_a_percentage_rounded_half_up(numerator, denominator, expected):
    assert rate(numerator, denominator) == expected


def test_rate_allows_an_achievement_above_100_percent():
    assert rate(120, 100, share=False) == Decimal("120.00")


@pytest.mark.parametrize("numerator, denominator, share, fragment", [
    (5, None, True, "thiếu mẫu số"),
    (5, 0, True, "thiếu mẫu số"),
    (5, 0, False, "thiếu mẫu số"),
    (None, 5, True, "thiếu tử số"),
    (6, 5, True, "lớn hơn mẫu số"),
    (-1, 5, True, "số âm"),
    (1, -5, False, "số âm"),
])
def test_rate_refuses_what_cannot_be_a_rate(numerator, denominator, share, fragment):
    with pytest.raises(RateError) as caught:
        rate(numerator, denominator, share=share, what="tỷ lệ hộ nghèo")
    assert fragment in str(caught.value)
    assert "tỷ lệ hộ nghèo" in str(caught.value)
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize("n, expected", [
    (1234567, "1.234.567"),
    (-1234567, "-1.234.567"),
    (0, "0"),
    (999, "999"),
    (3819000000, "3.819.000.000"),
])
def test_format_int_groups_thousands_with_dots(n, expected):
    assert format_int(n) == expected


@pytest.mark.parametrize("value, places, expected", [
    (Decimal("135.5"), 2, "135,50"),
    (Decimal("2.5"), 0, "3"),
    (Decimal("0.125"), 2, "0,13"),
    (Decimal("1234567.891"), 2, "1.234.567,89"),
    (Decimal("-0.001"), 2, "0,00"),
    (7, 1, "7,0"),
])
def test_format_decimal_uses_fixed_places_and_half_up(value, places, expected):
    assert format_decimal(value, places) == expected


@pytest.mark.parametrize("value, expected", [
    (Decimal("135.5"), "135,5"),
    (Decimal("1234567"), "1.234.567"),
    (Decimal("2.50"), "2,5"),
])
def test_format_number_shows_only_the_decimals_it_has(value, expected):
    assert format_number(value) == expected


@pytest.mark.parametrize("fraction, places, expected", [
    (Decimal("0.22305"), 2, "22,31%"),
    (0.22305, 2, "22,31%"),
    (Decimal("0.185"), 2, "18,50%"),
    (Decimal("0.165"), 1, "16,5%"),
    (1, 0, "100%"),
])
def test_format_percent_multiplies_by_100_and_rounds_half_up(fraction, places, expected):
    assert format_percent(fraction, places) == expected


@pytest.mark.parametrize("percent, places, expected", [
    (Decimal("22.305"), 2, "22,31%"),
    (rate(22305, 100000), 2, "22,31%"),
    (Decimal("7.65"), 1, "7,7%"),
])
def test_format_rate_formats_a_computed_percentage(percent, places, expected):
    assert format_rate(percent, places) == expected


@pytest.mark.parametrize("dong, unit, places, expected", [
    (526638000000, "trieu", 0, "526.638"),
    (39758914000, "trieu", 3, "39.758,914"),
    (15700403000, "nghin", 0, "15.700.403"),
    (3819000000, "dong", 0, "3.819.000.000"),
    (2679000000, "ty", 2, "2,68"),
    (1500000, "trieu", 0, "2"),    # 1,5 rounds half up
])
def test_format_money_converts_dong_to_the_unit(dong, unit, places, expected):
    assert format_money(dong, unit, places) == expected


@pytest.mark.parametrize("bad", [1.5, Decimal("1500"), "1500", True])
def test_format_money_refuses_anything_but_int_dong(bad):
    with pytest.raises(TypeError):
        format_money(bad)


def test_money_units_name_every_unit_in_vietnamese():
    assert MONEY_UNITS["trieu"] == (1_000_000, "triệu đồng")
    assert [factor for factor, _ in MONEY_UNITS.values()] == [1, 1000, 10**6, 10**9]


@pytest.mark.parametrize("text, expected", [
    ("1.234.567", Decimal("1234567")),
    ("135,5", Decimal("135.5")),
    ("1 234 567", Decimal("1234567")),
    ("1\u00a0234\u00a0567", Decimal("1234567")),
    ("-1.234,5", Decimal("-1234.5")),
    ("12", Decimal("12")),
    ("1234567", Decimal("1234567")),
    ("  7,25 ", Decimal("7.25")),
    ("0,5", Decimal("0.5")),
    ("+3", Decimal("3")),
])
def test_parse_number_reads_vietnamese_notation(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", [
    "1.23.4", "1.2345", "12,3,4", "", "abc", "1.5", "1234.567", "1.234 567", ",5", "5,",
    "1,234.5", "- 5", "12a", "1e5", None,
])
def test_parse_number_rejects_malformed_text(text):
    with pytest.raises(InputError):
        parse_number(text)


def test_parse_number_error_quotes_the_text_and_the_expected_format():
    with pytest.raises(InputError) as caught:
        parse_number("1.2345")
    assert str(caught.value) == (
        "Số «1.2345» không đúng định dạng (dùng dấu chấm phân cách hàng nghìn, dấu phẩy cho "
        "phần thập phân, ví dụ 1.234.567 hoặc 135,5)")


@pytest.mark.parametrize("text", ["1.2345", "", "abc", "1.5"])
def test_parse_number_error_names_field_and_row(text):
    with pytest.raises(InputError) as caught:
        parse_number(text, field="Số hộ nghèo", row=3, source="ho.csv")
    message = str(caught.value)
    assert "dòng 3" in message.lower() and "Số hộ nghèo" in message and "ho.csv" in message
    assert (caught.value.field, caught.value.row) == ("Số hộ nghèo", 3)


@pytest.mark.parametrize("text, expected", [("1.234", 1234), ("12", 12), ("-5", -5), ("3,0", 3)])
def test_parse_int_reads_whole_numbers(text, expected):
    result = parse_int(text)
    assert result == expected and isinstance(result, int)


def test_parse_int_refuses_a_fraction():
    with pytest.raises(InputError) as caught:
        parse_int("135,5", field="Số hộ", row=2)
    assert "số nguyên" in str(caught.value) and "dòng 2" in str(caught.value).lower()


@pytest.mark.parametrize("text, unit, expected", [
    ("2 tỷ 679 triệu", "dong", 2679000000),
    ("3 tỷ 819 triệu đồng", "dong", 3819000000),
    ("500 nghìn", "dong", 500000),
    ("500 ngàn đồng", "dong", 500000),
    ("1,5 triệu", "dong", 1500000),
    ("40.000.000 đồng", "dong", 40000000),
    ("40.000.000 đồng", "trieu", 40000000),   # "đồng" written out wins over the unit
    ("1,5", "trieu", 1500000),
    ("526.638", "trieu", 526638000000),
    ("39.758,914", "trieu", 39758914000),
    ("15.700.403", "nghin", 15700403000),
    ("509.064.000đ", "dong", 509064000),
    ("2 Tỷ 679 Triệu 500 nghìn", "dong", 2679500000),
    ("-2 tỷ", "dong", -2000000000),
])
def test_parse_amount_reads_numbers_and_words(text, unit, expected):
    result = parse_amount(text, unit=unit)
    assert result == expected and isinstance(result, int)


@pytest.mark.parametrize("text, unit", [
    ("", "dong"),
    ("triệu", "dong"),
    ("2 tỷ 679", "dong"),          # a bare number after the words is ambiguous
    ("679 triệu 2 tỷ", "dong"),    # words out of order
    ("1 triệu 2 triệu", "dong"),
    ("2 tỷ -5 triệu", "dong"),
    ("1,5", "dong"),               # half a đồng
    ("1,2345", "nghin"),
    ("abc đồng", "dong"),
    ("1.5 triệu", "dong"),
])
def test_parse_amount_rejects_malformed_or_fractional_amounts(text, unit):
    with pytest.raises(InputError):
        parse_amount(text, unit=unit, field="Kinh phí", row=4)


def test_parse_amount_error_names_the_whole_text_and_the_row():
    with pytest.raises(InputError) as caught:
        parse_amount("2 tỷ 679", field="Kinh phí", row=4)
    message = str(caught.value)
    assert "«2 tỷ 679»" in message and "dòng 4" in message.lower() and "Kinh phí" in message


@pytest.mark.parametrize("text, expected", [
    ("135.5", Decimal("135.5")),
    ("3819000000", Decimal("3819000000")),
    ("-2", Decimal("-2")),
    (" 7 ", Decimal("7")),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_parse_file_number_reads_plain_digits_with_a_decimal_point(text, expected):
    assert parse_file_number(text) == expected


@pytest.mark.parametrize("text", ["1.234.567", "135,5", "1 234", "1e5", "abc", ".5", "5.", "NaN"])
def test_parse_file_number_rejects_anything_else(text):
    with pytest.raises(InputError) as caught:
        parse_file_number(text, field="so_ho", row=8, source="ho.csv")
    assert f"«{text}»" in str(caught.value) and "dòng 8" in str(caught.value).lower()


@pytest.mark.parametrize("size, expected", [
    (0, "0 MB"), (1000, "1 MB"), (300_000_000, "286 MB"), (1024 ** 3, "1,0 GB"),
    (7_071_690_752, "6,6 GB"), (250 * 1024 ** 3, "250,0 GB")])
def test_file_sizes_read_in_mb_below_a_gb_then_in_gb(size, expected):
    assert format_size(size) == expected
