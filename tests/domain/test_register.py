from gnapp.domain.dates import PartialDate
from gnapp.domain.register import parse_birth, validate_member


def test_a_stored_birth_date_is_read_at_any_precision():
    assert parse_birth("1985") == PartialDate(1985)
    assert parse_birth("1985-03") == PartialDate(1985, 3)
    assert parse_birth("1985-03-05") == PartialDate(1985, 3, 5)
    assert parse_birth("1985-03-05") is parse_birth("1985-03-05")   # read once, kept


def test_a_birth_date_that_is_empty_bad_or_not_text_is_none():
    for value in (None, "", "05/03/1985", "2023-02-29", "1850", 1985, ["1985"]):
        assert parse_birth(value) is None


def test_a_member_whose_birth_date_is_not_text_gets_an_error_not_a_crash():
    issues = validate_member({"full_name": "Lò Thị Mẩy", "sex": "nu", "relation": "head",
                              "birth_date": 1985})
    assert [(i.code, i.field) for i in issues] == [("member.birth_invalid", "birth_date")]
    assert issues[0].message == "Ngày sinh «1985» không hợp lệ."
