"""The arithmetic of Báo cáo 6–15 (gnapp.domain.report_rules), rule by rule."""

from datetime import date
from decimal import Decimal

import pytest

from gnapp.domain import report_rules as rules
from gnapp.domain.codes import ETHNIC_GROUPS
from gnapp.domain.report_rules import ListedHousehold, ListedMember

END = date(2025, 12, 14)


def home(klass="poor", persons=2, **kw) -> ListedHousehold:
    return ListedHousehold(household_id=kw.pop("id", "h"), code=kw.pop("code", "01-0001"),
                           klass=klass, persons=persons, unit_id="v", **kw)


@pytest.mark.parametrize("klass, cutoff, labels", [
    ("poor", 3, ["Dưới 3", "3", "4", "Từ 5 trở lên"]),
    ("near_poor", 3, ["0", "1", "2", "Từ 3 trở lên"]),
    ("poor", 2, ["Dưới 2", "2", "3", "Từ 4 trở lên"]),          # a province overlay (Đồng Nai)
    ("near_poor", 2, ["0", "1", "Từ 2 trở lên"]),
])
def test_deprivation_buckets_follow_the_standards_cutoff(klass, cutoff, labels):
    assert [label for label, _, _ in rules.deprivation_buckets(klass, cutoff)] == labels


def test_every_household_falls_in_exactly_one_bucket():
    dims = (("A", ("a1", "a2")), ("B", ("b1",)), ("C", ("c1", "c2", "c3")))
    homes = [home(deprived=frozenset(codes)) for codes in
             ((), ("a1",), ("a1", "b1", "c1"), ("a1", "a2", "b1", "c1"),
              ("a1", "a2", "b1", "c1", "c2", "c3"), ("unknown", "a1"))]
    counts = rules.dimension_counts(homes, "poor", 3, dims)
    households, persons, *rest = counts
    buckets, by_dim = rest[:4], rest[4:]
    assert (households, persons) == (6, 12)
    assert buckets == [3, 1, 1, 1] and sum(buckets) == households   # codes outside: ignored
    assert by_dim == [5, 3, 3]


def test_target_groups_overlap_and_other_is_in_no_group():
    homes = [home(persons=3, flags=frozenset({"ethnic_minority", "no_labour"})),
             home(persons=1, flags=frozenset({"social_protection"})), home(persons=4)]
    assert rules.target_group_counts(homes) == (3, 8, 1, 3, 1, 3, 0, 0, 2, 5)


def test_ethnic_columns_are_the_most_numerous_minorities_ties_in_official_order():
    homes = [home(ethnicity=e) for e in
             ("Kinh", "Kinh", "Dao", "Dao", "Mông", "Mông", "Tày", "Thái", None, "Ơ Đu")]
    assert rules.ethnic_columns(homes, ETHNIC_GROUPS, limit=3) == ("Mông", "Dao", "Tày")
    counts = rules.ethnicity_counts(homes, ("Mông", "Dao", "Tày"))
    # all; Kinh; minorities; Mông; Dao; Tày; others (Thái, Ơ Đu); not recorded — (hh, persons)
    assert counts == (10, 20, 2, 4, 7, 14, 2, 4, 2, 4, 1, 2, 2, 4, 1, 2)


def test_causes_count_each_household_once_per_cause():
    homes = [home(causes=("lackCapital", "lackLabor")), home(causes=("lackCapital",)),
             home(causes=()), home(causes=("notACause",))]
    assert rules.cause_counts(homes, ("lackCapital", "lackLabor")) == (4, 2, 1, 2)


@pytest.mark.parametrize("birth, child, school_age", [
    ("2009-12-15", True, True),        # 15 on the last day of the round
    ("2009-12-14", False, False),      # 16 that day
    ("2022-12-14", True, True),        # just 3
    ("2022-12-15", True, False),       # not yet 3
    ("2025", True, False),             # a baby: the year only
])
def test_child_ages_are_taken_on_the_last_day_of_the_round(birth, child, school_age):
    counts = rules.child_counts([home(members=(ListedMember(birth, 0, "dropped_out"),),
                                      deprived=frozenset({"nutrition"}))], END)
    assert counts[0] == counts[1] == counts[2] == int(child)
    assert counts[3] == counts[4] == int(school_age)


def test_children_without_a_birth_year_are_counted_apart():
    counts = rules.child_counts([home(members=(ListedMember(None, 0, None),))], END)
    assert counts == (0, 0, 0, 0, 0, 1)


def test_child_rates_and_what_cannot_be_a_rate():
    assert rules.child_values((4, 1, 0, 0, 0, 0), "Thôn Một") == [
        4, 1, Decimal("25.00"), 0, Decimal("0.00"), 0, 0, None]
    with pytest.raises(rules.ReportError, match="Báo cáo 11, dòng «Thôn Một», cột 3"):
        rules.child_values((1, 2, 0, 0, 0, 0), "Thôn Một")


def test_counts_of_different_widths_are_not_added():
    assert rules.add_counts([(1, 2), (3, 4)], 2) == (4, 6)
    assert rules.add_counts([], 3) == (0, 0, 0)
    with pytest.raises(ValueError):
        rules.add_counts([(1, 2, 3)], 2)
