import random

import pytest

from gnapp.domain.dates import PartialDate
from gnapp.domain.duplicates import (
    CERTAIN, LIKELY, SAME_ID, SAME_NAME, SIMILAR_NAME, PersonRef, find_duplicates,
    is_typing_error, one_edit_apart, one_edit_pairs, person_key, usable_id_number,
)

Y = PartialDate


def person(member_id, household, name, year, id_number=None):
    """A member of household ``household`` (id and code "H<household>")."""
    return PersonRef(member_id, household, f"H{household:03d}", name,
                     None if year is None else Y(year), id_number)


def summary(pairs):
    return [(p.a.member_id, p.b.member_id, p.reason, p.strength, p.same_household) for p in pairs]


@pytest.mark.parametrize("name, year, expected", [
    ("Nguyễn Văn Đức", 1985, "nguyen van duc|1985"),
    ("  NGUYỄN   văn  đức ", 1985, "nguyen van duc|1985"),
    ("Nguyen Van Duc", 1985, "nguyen van duc|1985"),
    ("Nguyễn Văn Dức", 1985, "nguyen van duc|1985"),
    ("Nguyễn Văn Đức", None, "nguyen van duc|"),
    (None, 1985, "|1985"),
])
def test_person_key_folds_the_name_and_adds_the_year(name, year, expected):
    assert person_key(name, year) == expected


@pytest.mark.parametrize("number, expected", [
    ("001085001234", "001085001234"),
    ("001 085 001 234", "001085001234"),
    ("123456789", "123456789"),
    ("000000000000", None),
    ("111111111", None),
    ("12345", None),
    ("00108500123A", None),
    ("", None),
    (None, None),
])
def test_usable_id_number(number, expected):
    assert usable_id_number(number) == expected


@pytest.mark.parametrize("a, b, expected", [
    ("nguyen van duc", "nguyen van dung", False),
    ("nguyen van duc", "nguyen van du", True),
    ("nguyen van", "nguyen vab", True),
    ("nguyen van", "nguyn van", True),
    ("nguyen van", "nguyeen van", True),
    ("tran", "nart", False),
    ("ab", "ba", False),
    ("le", "le", False),
    ("", "x", True),
])
def test_one_edit_apart(a, b, expected):
    assert one_edit_apart(a, b) is expected
    assert one_edit_apart(b, a) is expected


def test_one_edit_pairs_finds_exactly_the_pairs_one_edit_apart():
    words = ["nguyen van ", "nguyen vn ", "nguyen van a ", "ngyuen van ", "le thi ", "le th ",
             "le thi "]
    assert sorted(one_edit_pairs(words)) == [("le th ", "le thi "), ("nguyen van ", "nguyen vn ")]


# A small commune. Comments give the pairs the test expects.
COMMUNE = [
    person(1, 1, "Nguyễn Văn Đức", 1985, "001085001234"),
    person(2, 1, "Lê Thị Hoa", 1987, "001187000111"),
    person(3, 2, "Nguyen Van Duc", 1985),                   # 1–3 same folded name, 1985
    person(4, 3, "Trần Văn Bình", 1960, "001085001234"),    # 1–4 same CCCD
    person(5, 4, "Nguyễn Văn Đức", 1986),                   # other year: not paired with 1, 3
    person(6, 5, "Nguyễn Văn Dũng", 1985),                  # Duc / Dung differ: not paired
    person(7, 6, "Nguyễn Thị Hoa", 1987),                   # other family name: not paired
    person(8, 6, "Lê Thi Hoà", 1987),                       # 2–8 same folded name, same year
    person(9, 7, "Lê Th Hoa", 1987),                        # 2–9, 8–9 one letter apart
    person(10, 8, "Phạm Văn Tú", None, "000000000000"),     # placeholder number: never paired
    person(11, 9, "Hoàng Văn Nam", None, "000000000000"),
    person(12, 10, "Phạm Văn Tú", None),                    # no birth year: not paired by name
]


def test_find_duplicates_on_a_small_commune():
    assert summary(find_duplicates(COMMUNE)) == [
        (1, 4, SAME_ID, CERTAIN, False),
        (2, 8, SAME_NAME, LIKELY, False),
        (1, 3, SAME_NAME, LIKELY, False),
        (2, 9, SIMILAR_NAME, LIKELY, False),
        (8, 9, SIMILAR_NAME, LIKELY, False),
    ]


def test_same_id_number_explanation():
    [pair] = [p for p in find_duplicates(COMMUNE) if p.reason == SAME_ID]
    assert pair.explanation == ("Cùng số CCCD/CMND 001085001234: «Nguyễn Văn Đức» (hộ H001) và "
                                "«Trần Văn Bình» (hộ H003).")


def test_same_name_explanation_shows_both_spellings():
    pairs = find_duplicates([person(1, 1, "Nguyễn Văn Đức", 1985),
                             person(2, 2, "Nguyen Van Duc", 1985)])
    assert [p.explanation for p in pairs] == [
        "Trùng họ tên (không kể dấu) và năm sinh 1985: «Nguyễn Văn Đức» (hộ H001) và "
        "«Nguyen Van Duc» (hộ H002)."]


def test_similar_name_explanation():
    pairs = find_duplicates([person(1, 1, "Lê Thị Hoa", 1987), person(2, 2, "Lê Th Hoa", 1987)])
    assert [p.explanation for p in pairs] == [
        "Họ tên chỉ khác một chữ cái, cùng tên và năm sinh 1987: «Lê Thị Hoa» (hộ H001) và "
        "«Lê Th Hoa» (hộ H002)."]


@pytest.mark.parametrize("name_a, name_b, expected", [
    ("Nguyễn Văn Đức", "Nguyen Van Duc", [SAME_NAME]),
    ("Nguyễn Văn Đức", "Nguyễn Văn Dức", [SAME_NAME]),
    ("Nguyễn Văn Đức", "NGUYỄN  VĂN ĐỨC", [SAME_NAME]),
    ("Nguyễn Văn Đức", "Nguyễn Văn Dung", []),
    ("Nguyễn Văn Đức", "Nguyễn Vn Đức", [SIMILAR_NAME]),
    ("Nguyễn Văn Đức", "Nguyn Văn Đức", [SIMILAR_NAME]),
    ("Nguyễn Văn Đức", "Nguyễn Văn Đức Anh", []),      # other given name
    ("Nguyễn Văn Đức", "Nguyễn Văn Đúc", [SAME_NAME]),
    ("Nguyễn Văn Đức", "Nguyễn Văn Đứa", []),          # given names differ
    ("Văn Đức", "Đức", []),                            # three letters and a space apart
    ("Hồ Văn Đức", "Đỗ Văn Đức", []),                  # two families, not a typo
    ("Hoàng Văn Đức", "Hồng Văn Đức", []),
    ("Lê Thị Hoa", "Lý Thị Hoa", []),
    ("Hồ Văn Đức", "Hồ Vn Đức", [SIMILAR_NAME]),
])
def test_name_rules_on_a_pair_born_the_same_year(name_a, name_b, expected):
    pairs = find_duplicates([person(1, 1, name_a, 1985), person(2, 2, name_b, 1985)])
    assert [p.reason for p in pairs] == expected


@pytest.mark.parametrize("a, b, expected", [
    ("nguyen van ", "nguyn van ", True),
    ("le thi ", "le th ", True),
    ("ho van ", "do van ", False),
    ("hoang thi ", "hong thi ", False),
    ("le thanh ", "le than ", False),
    ("nguyen thi ", "nguyenthi ", True),
])
def test_is_typing_error_unless_one_common_name_word_became_another(a, b, expected):
    assert is_typing_error(a, b) is expected


def test_the_similar_name_rule_can_be_turned_off():
    pairs = find_duplicates(COMMUNE, similar_names=False)
    assert [p.reason for p in pairs] == [SAME_ID, SAME_NAME, SAME_NAME]


@pytest.mark.parametrize("year_b", [1984, 1986, None])
def test_names_are_not_paired_across_birth_years(year_b):
    pairs = find_duplicates([person(1, 1, "Nguyễn Văn Đức", 1985),
                             person(2, 2, "Nguyen Van Duc", year_b),
                             person(3, 3, "Nguyn Van Duc", year_b)])
    assert summary(pairs) == ([] if year_b is None else [(2, 3, SIMILAR_NAME, LIKELY, False)])


def test_a_pair_with_the_same_id_and_name_is_reported_once_as_certain():
    pairs = find_duplicates([person(1, 1, "Nguyễn Văn Đức", 1985, "001085001234"),
                             person(2, 2, "Nguyen Van Duc", 1985, "001085001234")])
    assert summary(pairs) == [(1, 2, SAME_ID, CERTAIN, False)]


def test_pairs_inside_one_household_are_kept_and_marked():
    pairs = find_duplicates([person(1, 5, "Nguyễn Văn Đức", 1985),
                             person(2, 5, "Nguyen Van Duc", 1985)])
    assert summary(pairs) == [(1, 2, SAME_NAME, LIKELY, True)]
    assert pairs[0].explanation.endswith("; cùng một hộ.")


def test_the_same_record_listed_twice_is_not_a_pair():
    record = person(1, 1, "Nguyễn Văn Đức", 1985, "001085001234")
    assert find_duplicates([record, record]) == []


def test_three_people_with_one_number_give_three_pairs():
    people = [person(n, n, f"Người {n}", 1980 + n, "001085001234") for n in (1, 2, 3)]
    assert summary(find_duplicates(people)) == [(1, 2, SAME_ID, CERTAIN, False),
                                                (1, 3, SAME_ID, CERTAIN, False),
                                                (2, 3, SAME_ID, CERTAIN, False)]


def test_output_does_not_depend_on_input_order():
    shuffled = COMMUNE[:]
    random.Random(7).shuffle(shuffled)
    assert find_duplicates(shuffled) == find_duplicates(COMMUNE)


def test_a_hundred_thousand_people_are_grouped_not_compared_pairwise():
    """Performance sanity: 100 000 people with unique names, plus planted duplicates."""
    rng = random.Random(2024)
    letters = "abcdeghiklmnopqrstuvxy"
    people, used = [], set()
    while len(people) < 100_000:
        # two random 6-letter words make names that are never one letter apart by chance
        # (probability ~ 1e-6 per pair in a bucket)
        name = "".join(rng.choice(letters) for _ in range(6)) + " " + \
               "".join(rng.choice(letters) for _ in range(6)) + " " + rng.choice(
                   ["Lan", "Hoa", "Nam", "Hùng", "Dũng", "Mai", "Tuấn", "Hương"])
        if name in used:
            continue
        used.add(name)
        n = len(people)
        people.append(PersonRef(n, n // 4, f"H{n // 4:05d}", name, Y(1930 + n % 90)))
    base = people[500]
    planted = [
        PersonRef("same-id-1", "x1", "X1", "Phạm Thị Na", Y(1990), "036190000777"),
        PersonRef("same-id-2", "x2", "X2", "Đỗ Văn Hải", Y(1950), "036190000777"),
        PersonRef("same-name", "x3", "X3", base.name.upper(), base.birth),
        PersonRef("similar", "x4", "X4", base.name[1:], base.birth),
    ]
    pairs = find_duplicates(people + planted)
    assert {(frozenset((p.a.member_id, p.b.member_id)), p.reason) for p in pairs} == {
        (frozenset(("same-id-1", "same-id-2")), SAME_ID),
        (frozenset((500, "same-name")), SAME_NAME),
        (frozenset((500, "similar")), SIMILAR_NAME),
        (frozenset(("same-name", "similar")), SIMILAR_NAME),
    }
