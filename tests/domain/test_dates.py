from datetime import date

import pytest

from gnapp.domain.dates import (
    DRAFT_BLANK, PartialDate, date_phrase, draft_date_phrase, format_date, parse_date,
    parse_partial_date, place_date_line,
)
from gnapp.domain.errors import InputError


@pytest.mark.parametrize("d, expected", [
    (date(2021, 2, 5), "ngày 05 tháng 02 năm 2021"),
    (date(2017, 6, 5), "ngày 05 tháng 6 năm 2017"),
    (date(2021, 10, 25), "ngày 25 tháng 10 năm 2021"),
    (date(2000, 1, 1), "ngày 01 tháng 01 năm 2000"),
    (date(2023, 12, 10), "ngày 10 tháng 12 năm 2023"),
    (date(2024, 3, 9), "ngày 09 tháng 3 năm 2024"),
])
def test_date_phrase_pads_days_below_10_and_months_1_and_2(d, expected):
    assert date_phrase(d) == expected


@pytest.mark.parametrize("month, year, expected", [
    (7, 2023, "ngày     tháng 7 năm 2023"),
    (2, 2024, "ngày     tháng 02 năm 2024"),
    (None, 2023, "ngày     tháng     năm 2023"),
])
def test_draft_date_phrase_leaves_the_day_blank(month, year, expected):
    assert draft_date_phrase(month, year) == expected
    assert DRAFT_BLANK.strip() == ""


def test_draft_date_phrase_refuses_a_month_outside_1_to_12():
    with pytest.raises(ValueError):
        draft_date_phrase(13, 2023)


@pytest.mark.parametrize("args, kwargs, expected", [
    (("Bắc Kạn", date(2021, 10, 25)), {}, "Bắc Kạn, ngày 25 tháng 10 năm 2021"),
    (("Tân Yên", date(2017, 6, 5)), {}, "Tân Yên, ngày 05 tháng 6 năm 2017"),
    (("Hoàng Kim",), {"month": 7, "year": 2023}, "Hoàng Kim, ngày     tháng 7 năm 2023"),
    (("Hoàng Kim",), {"year": 2023}, "Hoàng Kim, ngày     tháng     năm 2023"),
])
def test_place_date_line_joins_place_and_date_phrase(args, kwargs, expected):
    assert place_date_line(*args, **kwargs) == expected


def test_place_date_line_needs_a_date_or_a_year():
    with pytest.raises(ValueError):
        place_date_line("Bắc Kạn")


@pytest.mark.parametrize("d, expected", [
    (date(2021, 3, 5), "05/03/2021"),
    (date(2024, 12, 31), "31/12/2024"),
])
def test_format_date_is_dd_mm_yyyy(d, expected):
    assert format_date(d) == expected


@pytest.mark.parametrize("value, iso, shown", [
    (PartialDate(1985), "1985", "1985"),
    (PartialDate(1985, 3), "1985-03", "03/1985"),
    (PartialDate(1985, 3, 5), "1985-03-05", "05/03/1985"),
    (PartialDate(2024, 2, 29), "2024-02-29", "29/02/2024"),
])
def test_partial_date_writes_iso_and_display_forms(value, iso, shown):
    assert value.iso() == iso
    assert value.display() == shown
    assert PartialDate.from_iso(iso) == value


@pytest.mark.parametrize("args", [
    (2023, 2, 29),      # not a leap year
    (2024, 2, 30),
    (2021, 4, 31),
    (1899,),
    (2101,),
    (1985, 13),
    (1985, 0),
    (1985, None, 5),    # a day without a month
])
def test_partial_date_refuses_days_that_do_not_exist(args):
    with pytest.raises(InputError):
        PartialDate(*args)


def test_partial_date_accepts_29_february_of_a_leap_year():
    assert PartialDate(2024, 2, 29).to_date() == date(2024, 2, 29)


def test_partial_dates_order_by_year_then_month_then_day():
    values = [PartialDate(1985, 3, 5), PartialDate(1984), PartialDate(1985, 3), PartialDate(1985),
              PartialDate(1985, 2, 28), PartialDate(1985, 12)]
    assert [v.display() for v in sorted(values)] == [
        "1984", "1985", "28/02/1985", "03/1985", "05/03/1985", "12/1985"]
    assert PartialDate(1985) < PartialDate(1985, 1) <= PartialDate(1985, 1, 1)


@pytest.mark.parametrize("text", ["1985-3", "85", "1985/03/05", "", "1985-03-05T00:00"])
def test_partial_date_from_iso_refuses_other_forms(text):
    with pytest.raises(InputError):
        PartialDate.from_iso(text)


@pytest.mark.parametrize("text, expected", [
    ("1985", PartialDate(1985)),
    ("3/1985", PartialDate(1985, 3)),
    ("03/1985", PartialDate(1985, 3)),
    ("5/3/1985", PartialDate(1985, 3, 5)),
    ("05/03/1985", PartialDate(1985, 3, 5)),
    ("5-3-1985", PartialDate(1985, 3, 5)),
    ("05.03.1985", PartialDate(1985, 3, 5)),
    ("1985-03-05", PartialDate(1985, 3, 5)),
    ("1985-03", PartialDate(1985, 3)),
    (" 29/02/2024 ", PartialDate(2024, 2, 29)),
    ("", None),
    (None, None),
])
def test_parse_partial_date_reads_the_usual_forms(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize("text", [
    "29/02/2023", "31/04/2021", "13/1985", "0/1985", "1850", "5/3/85", "05/03-1985", "abc",
    "1985/03/05", "05 03 1985", "1985-03-05-01", "ngày 5 tháng 3",
])
def test_parse_partial_date_rejects_bad_text(text):
    with pytest.raises(InputError) as caught:
        parse_partial_date(text, field="Ngày sinh", row=12)
    message = str(caught.value)
    assert f"«{text}»" in message and "dòng 12" in message.lower() and "Ngày sinh" in message


@pytest.mark.parametrize("text, expected", [
    ("05/03/2021", date(2021, 3, 5)),
    ("6/10/2021", date(2021, 10, 6)),
    ("01.4.2024", date(2024, 4, 1)),
    ("2024-02-29", date(2024, 2, 29)),
])
def test_parse_date_reads_full_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", None, "1985", "03/1985", "29/02/2023", "xyz"])
def test_parse_date_rejects_partial_empty_or_bad_text(text):
    with pytest.raises(InputError):
        parse_date(text, field="Ngày quyết định")
