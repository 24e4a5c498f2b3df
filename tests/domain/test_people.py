from datetime import date

import pytest

from gnapp.domain.dates import PartialDate
from gnapp.domain.people import (
    PROVINCE_CODES_2024, CccdFacts, MemberFacts, age_on, check_household, check_id_number,
    check_member, decode_cccd, id_disagreements, normalise_id_number,
)

Y = PartialDate  # Y(1985) is a birth known to the year


def codes(issues):
    return [i.code for i in issues]


# --- identity numbers ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("001085001234", "001085001234"),
    ("001 085 001 234", "001085001234"),
    ("001.085.001.234", "001085001234"),
    (" 001-085-001234 ", "001085001234"),
    ("001\u00a0085001234", "001085001234"),
    ("12345678A", "12345678A"),
    ("", ""),
    (None, ""),
])
def test_normalise_id_number_removes_spaces_dots_and_hyphens(typed, expected):
    assert normalise_id_number(typed) == expected


@pytest.mark.parametrize("number, expected", [
    ("001085001234", CccdFacts("001", "nam", 1985)),
    ("001185001234", CccdFacts("001", "nu", 1985)),
    ("079203000123", CccdFacts("079", "nam", 2003)),
    ("079303000123", CccdFacts("079", "nu", 2003)),
    ("006400000001", CccdFacts("006", "nam", 2100)),
    ("006599000001", CccdFacts("006", "nu", 2199)),
    ("006612000001", CccdFacts("006", "nam", 2212)),
    ("006712000001", CccdFacts("006", "nu", 2212)),
    ("006800000001", CccdFacts("006", "nam", 2300)),
    ("006900000001", CccdFacts("006", "nu", 2300)),
    ("001 085 001 234", CccdFacts("001", "nam", 1985)),
])
def test_decode_cccd_reads_province_century_sex_and_year(number, expected):
    assert decode_cccd(number) == expected


@pytest.mark.parametrize("number", ["123456789", "00108500123", "00108500123A", "", None])
def test_decode_cccd_gives_none_for_anything_but_12_digits(number):
    assert decode_cccd(number) is None


@pytest.mark.parametrize("number, sex, year, expected", [
    ("001085001234", "nam", 1985, ()),
    ("001185001234", "nu", 1985, ()),
    ("001185001234", "nam", 1985, ("sex",)),
    ("001085001234", "nu", 1985, ("sex",)),
    ("001085001234", "nam", 1986, ("year",)),
    ("001003123456", "nam", 2003, ("century",)),     # card says 1903
    ("001203123456", "nam", 1903, ("century",)),     # card says 2003
    ("001303000123", "nam", 1985, ("sex", "year")),
    ("001303000123", "nam", 1903, ("sex", "century")),
    ("001085001234", None, 1985, ()),                # unknown sex is not compared
    ("001085001234", "x", 1985, ()),                 # nor an invalid one (reported elsewhere)
    ("001085001234", "nu", None, ("sex",)),          # unknown year is not compared
])
def test_id_disagreements_names_what_the_cccd_contradicts(number, sex, year, expected):
    assert id_disagreements(decode_cccd(number), sex=sex, birth_year=year) == expected


@pytest.mark.parametrize("number, sex, birth", [
    ("001085001234", "nam", Y(1985)),
    ("001185001234", "nu", Y(1985, 3)),
    ("001185001234", "nu", Y(1985, 3, 5)),
    ("079203000123", "nam", Y(2003)),
    ("079303000123", "nu", Y(2003)),
    ("096085001234", "nam", Y(1985)),
    ("001 085 001 234", "nam", Y(1985)),
    ("001085001234", "nam", None),
    ("001085001234", None, Y(1985)),
])
def test_a_cccd_that_agrees_with_sex_and_birth_year_has_no_issue(number, sex, birth):
    assert check_id_number(number, sex=sex, birth=birth) == []


def test_a_cccd_that_disagrees_says_what_the_card_and_the_member_give():
    # digit 4 = 3: female born 2000–2099 (the brief's example "001203…" would be male)
    issues = check_id_number("001303000123", sex="nam", birth=Y(1985))
    assert [(i.severity, i.code, i.field) for i in issues] == [
        ("error", "member.id_disagrees", "id_number")]
    assert issues[0].message == ("Số CCCD 001303000123 cho biết nữ sinh năm 2003, nhưng thành "
                                 "viên là nam sinh năm 1985 (khác giới tính và năm sinh).")


@pytest.mark.parametrize("number, sex, birth, what", [
    ("001185001234", "nam", Y(1985), "(khác giới tính)."),
    ("001085001234", "nam", Y(1986), "(khác năm sinh)."),
    ("001003123456", "nam", Y(2003), "(khác thế kỷ sinh (chữ số thứ 4))."),
])
def test_a_cccd_disagreement_names_the_one_thing_that_differs(number, sex, birth, what):
    issues = check_id_number(number, sex=sex, birth=birth)
    assert codes(issues) == ["member.id_disagrees"]
    assert issues[0].message.endswith(what)


@pytest.mark.parametrize("number, expected", [
    ("000085001234", ["member.id_province"]),
    ("097085001234", ["member.id_province"]),
    ("999085001234", ["member.id_province"]),
    ("001085001234", []),
    ("003085001234", []),      # inside 001–096, though no province had 003
    ("096085001234", []),
])
def test_cccd_province_code_is_001_to_096_by_default(number, expected):
    assert codes(check_id_number(number, sex="nam", birth=Y(1985))) == expected


@pytest.mark.parametrize("number, expected", [
    ("003085001234", ["member.id_province"]),
    ("001085001234", []),
    ("006085001234", []),
    ("096085001234", []),
])
def test_cccd_province_code_is_checked_against_an_explicit_list(number, expected):
    issues = check_id_number(number, sex="nam", birth=Y(1985), province_codes=PROVINCE_CODES_2024)
    assert codes(issues) == expected


def test_a_number_checked_again_gets_the_same_answer_in_a_list_of_its_own():
    first = check_id_number("001303000123", sex="nam", birth=Y(1985))
    first.append("changed by the caller")
    again = check_id_number("001303000123", sex="nam", birth=Y(1985))
    assert codes(again) == ["member.id_disagrees"]
    assert codes(check_id_number(1303000123, sex="nam", birth=None)) == ["member.id_length"]


def test_province_list_passed_as_integers_is_padded():
    assert check_id_number("006085001234", sex="nam", birth=Y(1985), province_codes={6}) == []


def test_the_pre_2025_province_list_has_63_codes():
    assert len(PROVINCE_CODES_2024) == 63
    assert {"001", "006", "079", "096"} <= PROVINCE_CODES_2024


def test_bad_province_and_disagreement_are_both_reported():
    assert codes(check_id_number("000303000123", sex="nam", birth=Y(1985))) == [
        "member.id_province", "member.id_disagrees"]


@pytest.mark.parametrize("number", ["123456789", "000000001", "012 345 678"])
def test_an_old_cmnd_of_9_digits_is_accepted_without_checks(number):
    assert check_id_number(number, sex="nu", birth=Y(1950)) == []


@pytest.mark.parametrize("number, expected", [
    ("12345678", "member.id_length"),
    ("1234567890", "member.id_length"),
    ("00108500123", "member.id_length"),
    ("0010850012345", "member.id_length"),
    ("00108500123A", "member.id_not_digits"),
    ("B12345678", "member.id_not_digits"),
    ("００１０８５００１２３４", "member.id_not_digits"),   # full-width digits
])
def test_other_lengths_and_letters_are_errors(number, expected):
    issues = check_id_number(number, sex="nam", birth=Y(1985))
    assert [(i.severity, i.code) for i in issues] == [("error", expected)]


def test_a_wrong_length_message_counts_the_digits():
    [issue] = check_id_number("1234567890", sex="nam", birth=None)
    assert issue.message == ("Số CCCD/CMND «1234567890» có 10 chữ số; số CCCD có 12 chữ số, "
                             "số CMND cũ có 9 chữ số.")


@pytest.mark.parametrize("number", ["", "   ", None])
def test_no_id_number_is_no_issue(number):
    assert check_id_number(number, sex="nam", birth=Y(1985)) == []


def test_issues_carry_field_and_source():
    [issue] = check_id_number("123", sex=None, birth=None, field="cccd", source="member:7")
    assert (issue.field, issue.source) == ("cccd", "member:7")


# --- ages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("birth, day, expected", [
    (Y(1985), date(2024, 1, 1), 39),           # year only: difference of the years
    (Y(1985), date(2024, 12, 31), 39),
    (Y(1985, 3), date(2024, 2, 29), 38),       # month known: birthday on the 1st
    (Y(1985, 3), date(2024, 3, 1), 39),
    (Y(1985, 3, 5), date(2024, 3, 4), 38),
    (Y(1985, 3, 5), date(2024, 3, 5), 39),
    (Y(2000, 2, 29), date(2023, 2, 28), 22),
    (Y(2000, 2, 29), date(2023, 3, 1), 23),
    (Y(2024, 6, 1), date(2024, 6, 1), 0),
    (Y(2024, 6, 1), date(2024, 5, 31), None),  # not born yet
    (Y(2025), date(2024, 12, 31), None),
    (None, date(2024, 1, 1), None),
])
def test_age_on(birth, day, expected):
    assert age_on(birth, day) == expected


# --- members ------------------------------------------------------------------------------

def member(name="Nguyễn Văn Đức", sex="nam", birth=Y(1985), relation="head", id_number=None,
           present=True):
    return MemberFacts(name, sex, birth, relation, id_number, present, source=f"member:{name}")


@pytest.mark.parametrize("changes, expected", [
    ({}, []),
    ({"name": "  "}, ["member.name_missing"]),
    ({"name": None}, ["member.name_missing"]),
    ({"sex": None}, ["member.sex_missing"]),
    ({"sex": "male"}, ["member.sex_invalid"]),
    ({"relation": ""}, ["member.relation_missing"]),
    ({"relation": "cousin"}, ["member.relation_invalid"]),
    ({"id_number": "001185001234"}, ["member.id_disagrees"]),
    ({"id_number": "001085001234"}, []),
])
def test_check_member(changes, expected):
    assert codes(check_member(member(**changes))) == expected


def test_a_member_id_issue_starts_with_the_member_name():
    [issue] = check_member(member(id_number="1234"))
    assert issue.message.startswith("«Nguyễn Văn Đức»: Số CCCD/CMND «1234»")
    assert issue.source == "member:Nguyễn Văn Đức"


def test_check_member_accepts_a_mapping():
    row = {"name": "Lò Thị Mai", "sex": "nu", "birth": Y(1990), "relation": "spouse",
           "id_number": "014190000321", "ethnicity": "Thái"}
    assert check_member(row) == []


# --- households ---------------------------------------------------------------------------

HEAD = member("Nguyễn Văn Đức", "nam", Y(1970), "head", "001070000001")
WIFE = member("Lê Thị Hoa", "nu", Y(1972), "spouse", "001172000002")
SON = member("Nguyễn Văn An", "nam", Y(1995), "child", "001095000003")


def test_a_proper_household_has_no_issue():
    assert check_household([HEAD, WIFE, SON]) == []


@pytest.mark.parametrize("members, expected", [
    ([WIFE, SON], ["household.no_head"]),
    ([member(relation="head", present=False), WIFE], ["household.no_head"]),
    ([HEAD, member("Lê Thị Hoa", "nu", Y(1972), "head")], ["household.several_heads"]),
    ([HEAD, member("Lê Thị Hoa", "nu", Y(1972), "head", present=False)], []),
])
def test_exactly_one_present_head(members, expected):
    assert codes(check_household(members)) == expected


def test_no_head_message():
    [issue] = check_household([WIFE])
    assert (issue.severity, issue.message) == ("error", "Hộ chưa có chủ hộ.")


def test_several_heads_message_names_them():
    [issue] = check_household([HEAD, member("Lê Thị Hoa", "nu", Y(1972), "head")])
    assert issue.message == ("Hộ có 2 chủ hộ: «Nguyễn Văn Đức», «Lê Thị Hoa»; mỗi hộ chỉ có "
                             "một chủ hộ.")


def test_member_rules_run_for_each_member():
    nameless = member(name="", sex="x", relation="child")
    assert codes(check_household([HEAD, nameless])) == ["member.name_missing",
                                                         "member.sex_invalid"]


def test_two_members_with_the_same_id_number_is_an_error():
    twin = member("Nguyễn Văn Bình", "nam", Y(1995), "child", "001 095 000 003")
    issues = check_household([HEAD, SON, twin])
    assert [(i.severity, i.code) for i in issues] == [("error", "household.id_repeated")]
    assert issues[0].message == ("Các thành viên «Nguyễn Văn An», «Nguyễn Văn Bình» có cùng "
                                 "số CCCD/CMND 001095000003.")


def test_members_without_id_number_are_not_repeated():
    a = member("Nguyễn Văn An", "nam", Y(2015), "child")
    b = member("Nguyễn Văn Bình", "nam", Y(2017), "child", "")
    assert check_household([HEAD, a, b]) == []


@pytest.mark.parametrize("spouses, expected", [
    (1, []),
    (2, [("warning", "household.several_spouses")]),
    (3, [("warning", "household.several_spouses")]),
])
def test_more_than_one_spouse_is_a_warning(spouses, expected):
    wives = [member(f"Vợ {n}", "nu", Y(1972), "spouse") for n in range(spouses)]
    assert [(i.severity, i.code) for i in check_household([HEAD, *wives])] == expected


def test_a_spouse_who_left_is_not_counted():
    former = member("Trần Thị Lan", "nu", Y(1971), "spouse", present=False)
    assert check_household([HEAD, WIFE, former]) == []


@pytest.mark.parametrize("head_birth, child_birth, expected", [
    (Y(1970), Y(1995), []),
    (Y(1970), Y(1968), [("warning", "household.child_older_than_head")]),
    (Y(1970, 5), Y(1970, 4), [("warning", "household.child_older_than_head")]),
    (Y(1970, 5, 2), Y(1970, 5, 1), [("warning", "household.child_older_than_head")]),
    (Y(1970), Y(1970), []),
    (Y(1970, 5), Y(1970), []),       # not known to be earlier
    (Y(1970), Y(1970, 1, 1), []),
    (Y(1970), None, []),
    (None, Y(1960), []),
])
def test_a_child_older_than_the_head_is_a_warning(head_birth, child_birth, expected):
    head = member("Nguyễn Văn Đức", "nam", head_birth, "head")
    child = member("Nguyễn Văn An", "nam", child_birth, "child")
    assert [(i.severity, i.code) for i in check_household([head, child])] == expected


def test_child_older_warning_names_child_and_head():
    child = member("Nguyễn Văn An", "nam", Y(1968), "child")
    [issue] = check_household([HEAD, child])
    assert issue.message == ("«Nguyễn Văn An» là con nhưng sinh (1968) trước chủ hộ "
                             "«Nguyễn Văn Đức» (1970).")


def test_check_household_accepts_mappings():
    rows = [{"name": "Nguyễn Văn Đức", "sex": "nam", "birth": Y(1970), "relation": "head"},
            {"name": "Lê Thị Hoa", "sex": "nu", "birth": Y(1972), "relation": "head"}]
    assert codes(check_household(rows)) == ["household.several_heads"]
