from datetime import date

import pytest

from gnapp.domain.transitions import (
    HouseholdHistory, MovementTable, add_months, check_column_9, check_cross, check_end_totals,
    check_histories, closing_total, movement_table, near_poor_movement, newly_escaped,
    on_list_before, poor_movement,
)


def hh(household_id, start, end, persons_start, persons_end, *, ever_poor=False,
       ever_near=False, removed=None, added=None):
    return HouseholdHistory(household_id, start, end, persons_start, persons_end,
                            ever_poor_before=ever_poor, ever_near_poor_before=ever_near,
                            removed_reason=removed, added_reason=added, source=household_id)


# A commune reviewed at the end of 2023 (start) and of 2024 (end).
#
#  hh   2023        2024        persons  before   reason         BC2  BC3
#  H01  poor        poor        4 → 4                             –    –
#  H02  poor        poor        5 → 3                             (4: 2 persons fewer)
#  H03  poor        near_poor   4 → 4                             2    5
#  H04  poor        near_poor   3 → 4                             2 (8: 1 person more)  5
#  H05  poor        not_poor    5 → 5                             3    –
#  H06  poor        (gone)      1 → 0             death           4    –
#  H07  poor        (gone)      3 → 0             moved_out       4    –
#  H08  near_poor   poor        4 → 4                             5    3
#  H09  not_poor    poor        3 → 3    poor                     6    –
#  H10  not_poor    poor        2 → 2    near                     7    –
#  H11  (absent)    poor        0 → 5             moved_in        8    –
#  H12  (absent)    poor        0 → 2             split (of H13)  8    –
#  H13  near_poor   near_poor   6 → 4             split           –    (4: 2 persons fewer)
#  H14  near_poor   not_poor    3 → 3                             –    2
#  H15  near_poor   (gone)      2 → 0             moved_out       –    4
#  H16  not_poor    near_poor   4 → 4    near                     –    6
#  H17  not_poor    near_poor   3 → 3    poor                     –    7
#  H18  (absent)    near_poor   0 → 2             moved_in        –    8
#  H19  near_poor   near_poor   3 → 4                             –    (8: 1 person more)
#  H20  average     average     5 → 5                             –    –
#  H21  not_poor    not_poor    2 → 2    poor                     –    –
#  H22  poor        average     4 → 4                             3    –
#
# Báo cáo 2 (poor), by hand:
#  col 1  H01 H02 H03 H04 H05 H06 H07 H22 = 8 hh; 4+5+4+3+5+1+3+4 = 29 persons
#  col 2  H03 H04 = 2 hh; end persons 4+4 = 8
#  col 3  H05 H22 = 2 hh; 5+4 = 9
#  col 4  H06 H07 = 2 hh; start persons 1+3 = 4, + H02 two fewer = 6
#  col 5  H08 = 1 hh; 4
#  col 6  H09 = 1 hh; 3
#  col 7  H10 = 1 hh; 2
#  col 8  H11 H12 = 2 hh; 5+2 = 7, + H04 one more = 8
#  col 9  8−2−2−2+1+1+1+2 = 7 hh (H01 H02 H08 H09 H10 H11 H12);
#         29−8−9−6+4+3+2+8 = 23 persons (4+3+4+3+2+5+2)
#
# Báo cáo 3 (near-poor), by hand:
#  col 1  H08 H13 H14 H15 H19 = 5 hh; 4+6+3+2+3 = 18 persons
#  col 2  H14 = 1 hh; 3
#  col 3  H08 = 1 hh; 4
#  col 4  H15 = 1 hh; 2, + H13 two fewer = 4
#  col 5  H03 H04 = 2 hh; 4+4 = 8
#  col 6  H16 = 1 hh; 4
#  col 7  H17 = 1 hh; 3
#  col 8  H18 = 1 hh; 2, + H19 one more = 3
#  col 9  5−1−1−1+2+1+1+1 = 7 hh (H03 H04 H13 H16 H17 H18 H19);
#         18−3−4−4+8+4+3+3 = 25 persons (4+4+4+4+3+2+4)
COMMUNE = [
    hh("H01", "poor", "poor", 4, 4),
    hh("H02", "poor", "poor", 5, 3),
    hh("H03", "poor", "near_poor", 4, 4),
    hh("H04", "poor", "near_poor", 3, 4),
    hh("H05", "poor", "not_poor", 5, 5),
    hh("H06", "poor", None, 1, 0, removed="death"),
    hh("H07", "poor", None, 3, 0, removed="moved_out"),
    hh("H08", "near_poor", "poor", 4, 4),
    hh("H09", "not_poor", "poor", 3, 3, ever_poor=True),
    hh("H10", "not_poor", "poor", 2, 2, ever_near=True),
    hh("H11", None, "poor", 0, 5, added="moved_in"),
    hh("H12", None, "poor", 0, 2, added="split"),
    hh("H13", "near_poor", "near_poor", 6, 4, removed="split"),
    hh("H14", "near_poor", "not_poor", 3, 3),
    hh("H15", "near_poor", None, 2, 0, removed="moved_out"),
    hh("H16", "not_poor", "near_poor", 4, 4, ever_near=True),
    hh("H17", "not_poor", "near_poor", 3, 3, ever_poor=True),
    hh("H18", None, "near_poor", 0, 2, added="moved_in"),
    hh("H19", "near_poor", "near_poor", 3, 4),
    hh("H20", "average", "average", 5, 5),
    hh("H21", "not_poor", "not_poor", 2, 2, ever_poor=True),
    hh("H22", "poor", "average", 4, 4),
]
BC2 = {"H03": "2", "H04": "2", "H05": "3", "H22": "3", "H06": "4", "H07": "4", "H08": "5",
       "H09": "6", "H10": "7", "H11": "8", "H12": "8"}
BC3 = {"H14": "2", "H08": "3", "H15": "4", "H03": "5", "H04": "5", "H16": "6", "H17": "7",
       "H18": "8"}


@pytest.mark.parametrize("history", COMMUNE, ids=lambda h: h.household_id)
def test_poor_movement_of_each_scripted_household(history):
    assert poor_movement(history) == BC2.get(history.household_id)


@pytest.mark.parametrize("history", COMMUNE, ids=lambda h: h.household_id)
def test_near_poor_movement_of_each_scripted_household(history):
    assert near_poor_movement(history) == BC3.get(history.household_id)


def test_bao_cao_2_rows_match_the_hand_count():
    table = movement_table(COMMUNE, "poor")
    assert table.households == (8, 2, 2, 2, 1, 1, 1, 2, 7)
    assert table.persons == (29, 8, 9, 6, 4, 3, 2, 8, 23)
    assert table.issues == ()


def test_bao_cao_3_rows_match_the_hand_count():
    table = movement_table(COMMUNE, "near_poor")
    assert table.households == (5, 1, 1, 1, 2, 1, 1, 1, 7)
    assert table.persons == (18, 3, 4, 4, 8, 4, 3, 3, 25)
    assert table.issues == ()


@pytest.mark.parametrize("which", ["poor", "near_poor"])
def test_column_9_is_the_identity_and_the_end_list(which):
    table = movement_table(COMMUNE, which)
    on_list = [h for h in COMMUNE if h.end == which]
    assert table.column(9) == (closing_total(table.households), closing_total(table.persons))
    assert table.column(9) == (len(on_list), sum(h.persons_end for h in on_list))
    assert check_column_9(table) == []


def test_the_scripted_commune_passes_the_cross_checks():
    poor, near = movement_table(COMMUNE, "poor"), movement_table(COMMUNE, "near_poor")
    assert (poor.column(2), poor.column(5)) == (near.column(5), near.column(3)) == ((2, 8), (1, 4))
    assert check_cross(poor, near) == []


def test_the_scripted_histories_are_valid():
    assert check_histories(COMMUNE) == []


def test_movement_table_refuses_another_list():
    with pytest.raises(ValueError):
        movement_table(COMMUNE, "average")


def test_an_empty_commune_gives_zeros():
    table = movement_table([], "poor")
    assert (table.households, table.persons, table.issues) == ((0,) * 9, (0,) * 9, ())


# --- rules one by one ---------------------------------------------------------------------

@pytest.mark.parametrize("history, expected", [
    (hh("a", "poor", "poor", 3, 3), None),
    (hh("a", "poor", "near_poor", 3, 3, removed="members"), "2"),   # list ↔ list wins
    (hh("a", "poor", "not_poor", 3, 3), "3"),
    (hh("a", "poor", "average", 3, 3), "3"),
    (hh("a", "poor", "not_poor", 3, 2, removed="members"), "4"),
    (hh("a", "poor", None, 1, 0), "4"),                              # gone, reason missing
    (hh("a", "near_poor", "poor", 3, 3, added="merged"), "5"),
    (hh("a", "not_poor", "poor", 3, 3, ever_poor=True), "6"),
    (hh("a", "average", "poor", 3, 3, ever_poor=True), "6"),
    (hh("a", "not_poor", "poor", 3, 3, ever_near=True), "7"),
    (hh("a", "not_poor", "poor", 3, 3, ever_poor=True, added="merged"), "8"),
    (hh("a", None, "poor", 0, 3), "8"),
    (hh("a", None, "poor", 0, 3, ever_poor=True), "8"),
    (hh("a", "near_poor", "near_poor", 3, 3), None),
    (hh("a", None, None, 0, 0), None),
])
def test_poor_movement(history, expected):
    assert poor_movement(history) == expected


@pytest.mark.parametrize("history, expected", [
    (hh("a", "near_poor", "near_poor", 3, 3), None),
    (hh("a", "near_poor", "not_poor", 3, 3), "2"),
    (hh("a", "near_poor", "average", 3, 3), "2"),
    (hh("a", "near_poor", "poor", 3, 3, removed="members"), "3"),
    (hh("a", "near_poor", None, 2, 0, removed="merged"), "4"),
    (hh("a", "near_poor", "not_poor", 2, 2, removed="split"), "4"),
    (hh("a", "poor", "near_poor", 3, 3), "5"),
    (hh("a", "not_poor", "near_poor", 3, 3, ever_near=True), "6"),
    (hh("a", "not_poor", "near_poor", 3, 3, ever_poor=True), "7"),
    (hh("a", "not_poor", "near_poor", 3, 3, added="members"), "8"),
    (hh("a", None, "near_poor", 0, 3, added="split"), "8"),
    (hh("a", "poor", "poor", 3, 3), None),
])
def test_near_poor_movement(history, expected):
    assert near_poor_movement(history) == expected


@pytest.mark.parametrize("history, households, persons", [
    # stays, with fewer / more members: persons only, in col 4 / col 8
    (hh("a", "poor", "poor", 5, 3), (1, 0, 0, 0, 0, 0, 0, 0, 1), (5, 0, 0, 2, 0, 0, 0, 0, 3)),
    (hh("a", "poor", "poor", 3, 5), (1, 0, 0, 0, 0, 0, 0, 0, 1), (3, 0, 0, 0, 0, 0, 0, 2, 5)),
    # escapes with one member fewer: end persons in col 3, the change in col 4
    (hh("a", "poor", "not_poor", 4, 3), (1, 0, 1, 0, 0, 0, 0, 0, 0), (4, 0, 3, 1, 0, 0, 0, 0, 0)),
    # removed for another reason: start persons in col 4, no member change on top
    (hh("a", "poor", "not_poor", 4, 3, removed="members"), (1, 0, 0, 1, 0, 0, 0, 0, 0),
     (4, 0, 0, 4, 0, 0, 0, 0, 0)),
    # joins: end persons
    (hh("a", "near_poor", "poor", 4, 6), (0, 0, 0, 0, 1, 0, 0, 0, 1), (0, 0, 0, 0, 6, 0, 0, 0, 6)),
])
def test_how_persons_are_counted(history, households, persons):
    table = movement_table([history], "poor")
    assert (table.households, table.persons, table.issues) == (households, persons, ())


def test_a_move_between_lists_keeps_the_cross_check_for_persons():
    moved = [hh("a", "poor", "near_poor", 4, 6), hh("b", "near_poor", "poor", 5, 2)]
    poor, near = movement_table(moved, "poor"), movement_table(moved, "near_poor")
    assert (poor.column(2), near.column(5)) == ((1, 6), (1, 6))
    assert (poor.column(5), near.column(3)) == ((1, 2), (1, 2))
    assert check_cross(poor, near) == []


# --- checks of tables ---------------------------------------------------------------------

def test_check_end_totals_reports_each_row_that_differs():
    table = MovementTable("poor", (8, 2, 2, 2, 1, 1, 1, 2, 7), (29, 8, 9, 6, 4, 3, 2, 8, 23))
    issues = check_end_totals(table, households=8, persons=23)
    assert [(i.severity, i.code, i.field) for i in issues] == [
        ("error", "transition.end_total", "households.9")]
    assert issues[0].message == ("Báo cáo 2, dòng Hộ: cột 9 = 7, nhưng danh sách hộ nghèo cuối "
                                 "kỳ có 8 hộ.")


def test_check_end_totals_passes_when_col_9_is_the_list():
    table = MovementTable("near_poor", (5, 1, 1, 1, 2, 1, 1, 1, 7), (18, 3, 4, 4, 8, 4, 3, 3, 25))
    assert check_end_totals(table, households=7, persons=25) == []


def test_check_column_9_reports_a_printed_total_that_breaks_the_identity():
    table = MovementTable("near_poor", (5, 1, 1, 1, 2, 1, 1, 1, 7), (18, 3, 4, 4, 8, 4, 3, 3, 26))
    issues = check_column_9(table)
    assert [(i.code, i.field) for i in issues] == [("transition.column_9", "persons.9")]
    assert issues[0].message == ("Báo cáo 3, dòng Nhân khẩu: cột 9 ghi 26, nhưng "
                                 "1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 = 25.")


@pytest.mark.parametrize("near_households, near_persons, expected_fields", [
    ((5, 1, 1, 1, 2, 1, 1, 1, 7), (18, 3, 4, 4, 8, 4, 3, 3, 25), []),
    ((5, 1, 1, 1, 3, 1, 1, 1, 8), (18, 3, 4, 4, 8, 4, 3, 3, 25), ["households.2"]),
    ((5, 1, 2, 1, 2, 1, 1, 1, 6), (18, 3, 5, 4, 8, 4, 3, 3, 24), ["households.5", "persons.5"]),
])
def test_check_cross(near_households, near_persons, expected_fields):
    poor = MovementTable("poor", (8, 2, 2, 2, 1, 1, 1, 2, 7), (29, 8, 9, 6, 4, 3, 2, 8, 23))
    near = MovementTable("near_poor", near_households, near_persons)
    assert [i.field for i in check_cross(poor, near)] == expected_fields


def test_check_cross_message():
    poor = MovementTable("poor", (8, 2, 2, 2, 1, 1, 1, 2, 7), (29, 8, 9, 6, 4, 3, 2, 8, 23))
    near = MovementTable("near_poor", (5, 1, 1, 1, 3, 1, 1, 1, 8), (18, 3, 4, 4, 8, 4, 3, 3, 25))
    [issue] = check_cross(poor, near)
    assert (issue.severity, issue.code, issue.message) == (
        "error", "transition.cross",
        "Dòng Hộ: Báo cáo 2 cột 2 (hộ nghèo trở thành hộ cận nghèo) là 2, nhưng Báo cáo 3 "
        "cột 5 là 3; hai số này phải bằng nhau.")


# --- checks of histories ------------------------------------------------------------------

@pytest.mark.parametrize("history, expected", [
    (hh("a", "poor", "poor", 3, 3), []),
    (hh("a", "rich", "poor", 3, 3), [("error", "transition.class_invalid")]),
    (hh("a", "poor", "poor", 0, 3), [("error", "transition.persons_invalid")]),
    (hh("a", None, None, -1, 0), [("error", "transition.persons_invalid")]),
    (hh("a", "poor", None, 3, 0, removed="emigrated"), [("error", "transition.reason_invalid")]),
    (hh("a", None, "poor", 0, 3, added="born"), [("error", "transition.reason_invalid")]),
    (hh("a", "poor", None, 3, 0), [("warning", "transition.reason_missing")]),
    (hh("a", None, "near_poor", 0, 3), [("warning", "transition.reason_missing")]),
    (hh("a", "not_poor", None, 3, 0), []),
])
def test_check_histories(history, expected):
    assert [(i.severity, i.code) for i in check_histories([history])] == expected


# --- look-back ----------------------------------------------------------------------------

@pytest.mark.parametrize("look_back, expected", [
    (None, True),
    (5, True),
    (3, True),
    (2, False),
])
def test_on_list_before_applies_the_look_back(look_back, expected):
    classes = {2021: "poor", 2022: "near_poor", 2023: "not_poor", 2024: "poor"}
    assert on_list_before(classes, "poor", 2024, look_back) is expected


def test_on_list_before_ignores_the_start_round_and_later():
    classes = {2024: "poor", 2025: "poor"}
    assert on_list_before(classes, "poor", 2024) is False


# --- newly escaped ------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    (date(2021, 8, 31), 36, date(2024, 8, 31)),
    (date(2020, 2, 29), 36, date(2023, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2023, 11, 15), 2, date(2024, 1, 15)),
    (date(2024, 1, 15), -1, date(2023, 12, 15)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("on, expected", [
    (date(2022, 1, 14), False),      # before the exit
    (date(2022, 1, 15), True),       # the exit day itself
    (date(2024, 6, 30), True),
    (date(2025, 1, 14), True),       # last day of the 36 months
    (date(2025, 1, 15), False),      # exactly 36 months later: no longer newly escaped
    (date(2026, 1, 1), False),
])
def test_newly_escaped_for_36_months_from_the_exit_date(on, expected):
    assert newly_escaped(date(2022, 1, 15), on) is expected


@pytest.mark.parametrize("on, expected", [
    (date(2023, 2, 27), True),
    (date(2023, 2, 28), False),
])
def test_newly_escaped_from_29_february_ends_on_28_february(on, expected):
    assert newly_escaped(date(2020, 2, 29), on) is expected


def test_newly_escaped_with_another_window():
    assert (newly_escaped(date(2022, 1, 15), date(2023, 1, 14), months=12),
            newly_escaped(date(2022, 1, 15), date(2023, 1, 15), months=12)) == (True, False)


def test_never_escaped_is_not_newly_escaped():
    assert newly_escaped(None, date(2024, 1, 1)) is False
