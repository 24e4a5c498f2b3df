"""The paths the review reports take through ``report_data`` and ``reviews.histories``.

A report reads its households' histories once and counts them several times (the figures
and the note on unfinished reviews); Báo cáo 4–5 read the answers of one class only; the
histories read every household's events, present members and past classes in bulk. Each
path is checked here against the plain reading it replaces.
"""

import json
from datetime import date

import pytest

from gnapp.db import report_data, reviews, units
from gnapp.db import households as hh
from gnapp.domain import report_rules as rules
from gnapp.domain.codes import CN2022_INDICATORS

REPORT_2 = "Báo cáo 2"
NONE_DEPRIVED = {code: False for code in CN2022_INDICATORS}
POOR_ANSWERS = {**NONE_DEPRIVED, "employment": True, "nutrition": True, "housingArea": True}


def _ends(found):
    return {village: [(h.household_id, h.end, h.persons_end) for h in homes]
            for village, homes in found.items()}


@pytest.mark.parametrize("db_name", ["demo_db", "demo_office_db"])
def test_shared_histories_count_as_those_read_again(db_name, request):
    db = request.getfixturevalue(db_name)
    scope = report_data.resolve_scope(db, office=True)
    found = report_data.histories(db, scope)
    moves = report_data.movement_histories(db, scope, REPORT_2)
    assert _ends(moves) == _ends(found)          # both end at the scope's rounds
    progress = report_data.round_progress(db, scope)
    assert report_data.round_progress(db, scope, found) == progress
    assert report_data.round_progress(db, scope, moves) == progress
    assert progress.not_reviewed > 0
    assert report_data.movement_tables(db, scope, REPORT_2, moves) == \
        report_data.movement_tables(db, scope, REPORT_2)
    assert report_data.result_counts(db, scope, found) == report_data.result_counts(db, scope)


@pytest.mark.parametrize("db_name", ["demo_db", "demo_office_db"])
def test_deprivations_read_for_one_class_are_those_of_every_answer(db_name, request):
    db = request.getfixturevalue(db_name)
    scope = report_data.resolve_scope(db, office=True)
    found = report_data.histories(db, scope)
    answers = {household_id: json.loads(deprivations) for part in scope.parts
               for household_id, deprivations in db.execute(
                   "SELECT household_id, deprivations FROM household_review "
                   "WHERE round_id = ? AND deleted = 0", [part.round["id"]])}
    codes = scope.standard.indicator_codes
    for klass in rules.LISTS:
        expected = {village: rules.count_deprivations(
                        (answers.get(h.household_id, {}) for h in homes if h.end == klass),
                        codes)
                    for village, homes in found.items()}
        counted = report_data.deprivation_counts(db, scope, klass, found)
        assert counted == expected
        assert sum(c.households for c in counted.values()) > 0


@pytest.fixture
def village(writer):
    return units.add_village(writer, "Thôn Đồng Tâm")


def _household(writer, village, name, *, kind="created", on_date="2020-01-01", members=0):
    home = hh.add_household(writer, village_id=village["id"], area="rural", kind=kind,
                            on_date=on_date, head={"full_name": name, "sex": "nam",
                                                   "birth_date": "1970"})
    for i in range(members):
        hh.add_member(writer, home["id"], {"full_name": f"{name} {i}", "sex": "nu",
                                           "birth_date": "2000", "relation": "child"})
    return home


def _present(db, household_id):
    return db.execute("SELECT count(*) FROM member WHERE household_id = ? AND deleted = 0 "
                      "AND status = 'present'", [household_id]).fetchone()[0]


def test_histories_read_the_register_from_each_households_events(site_db, writer, village):
    r1 = reviews.create_round(writer, year=2024, kind="periodic")
    r2 = reviews.create_round(writer, year=2025, kind="periodic")
    stays = _household(writer, village, "Hộ ở lại", members=2)
    gone = _household(writer, village, "Hộ chuyển đi")
    arrived = _household(writer, village, "Hộ chuyển đến", kind="moved_in",
                         on_date="2025-02-01", members=1)
    thinner = _household(writer, village, "Hộ bớt người", members=2)
    gone_later = _household(writer, village, "Hộ đi sau", members=1)
    future = _household(writer, village, "Hộ mới", on_date="2026-01-01")
    hh.move_out_household(writer, gone["id"], "2025-03-01")
    hh.move_out_household(writer, gone_later["id"], "2026-02-01")
    leaving = hh.members(site_db, thinner["id"])[-1]
    hh.move_out_member(writer, leaving["id"], "2025-03-01")

    found = {h.household_id: h for h in reviews.histories(site_db, r1["id"], r2["id"])}

    def state(home):
        h = found[home["id"]]
        return h.start, h.end, h.removed_reason, h.added_reason

    assert state(stays) == ("not_poor", "not_poor", None, None)
    assert state(gone) == ("not_poor", None, "moved_out", None)
    assert state(arrived) == (None, "not_poor", None, "moved_in")
    assert state(thinner) == ("not_poor", "not_poor", None, None)   # a member left, not it
    assert state(gone_later) == ("not_poor", "not_poor", None, None)
    assert state(future) == (None, None, None, None)
    # Households not reviewed count the members present now (the register's index).
    for home in (stays, arrived, thinner, gone_later):
        assert found[home["id"]].persons_end == _present(site_db, home["id"])
    assert [found[h["id"]].persons_end for h in (stays, thinner, gone_later)] == [3, 2, 0]
    assert found[gone["id"]].persons_end == 0


def test_the_lists_before_the_start_round_are_asked_per_household(site_db, writer, village):
    rounds = [reviews.create_round(writer, year=y, kind="periodic") for y in (2022, 2023, 2024)]
    poor_early = [_household(writer, village, f"Hộ nghèo {i}") for i in range(2)]
    near_early = _household(writer, village, "Hộ cận nghèo")
    never = _household(writer, village, "Hộ chưa nghèo")
    for home, income, answers in [(poor_early[0], 900_000, POOR_ANSWERS),
                                  (poor_early[1], 900_000, POOR_ANSWERS),
                                  (near_early, 1_200_000, NONE_DEPRIVED),
                                  (never, 3_000_000, NONE_DEPRIVED)]:
        reviews.save_review(writer, rounds[0]["id"], home["id"], income_per_person=income,
                            deprivations=answers)

    def before(look_back=None):
        found = reviews.histories(site_db, rounds[1]["id"], rounds[2]["id"],
                                  look_back=look_back)
        return {h.household_id: (h.ever_poor_before, h.ever_near_poor_before) for h in found}

    assert [before()[h["id"]] for h in (*poor_early, near_early, never)] == \
        [(True, False), (True, False), (False, True), (False, False)]
    # Only the year before the start round's lists (2023) counts: 2022 is too early.
    assert set(before(look_back=1).values()) == {(False, False)}


# -- Báo cáo 8–15 and the home screen: household_round instead of the histories -----------------

TODAY = date(2026, 11, 23)     # as tests/db/test_dashboard.py: the demo's 2026 round is current


@pytest.mark.parametrize("db_name", ["demo_db", "demo_office_db"])
def test_listed_households_are_those_of_the_histories(db_name, request):
    db = request.getfixturevalue(db_name)
    for year in [r[0] for r in db.execute("SELECT DISTINCT year FROM review_round WHERE "
                                          "deleted = 0 ORDER BY year")]:
        scope = report_data.resolve_scope(db, round_year=year, office=True)
        found = report_data.histories(db, scope)
        listed = report_data.listed_households(db, scope)
        assert listed == report_data.listed_households(db, scope, found)
        on_lists = sorted((h.household_id, h.end, h.persons_end) for homes in found.values()
                          for h in homes if h.end in rules.LISTS)
        assert sorted((x.household_id, x.klass, x.persons) for homes in listed.values()
                      for x in homes) == on_lists
        assert on_lists


def test_the_home_screen_counts_are_those_of_the_histories(demo_db):
    from gnapp.db import dashboard

    overview = dashboard.commune_overview(demo_db, today=TODAY)
    scope = report_data.resolve_scope(demo_db, round_year=overview.round["year"],
                                      unit_code=overview.unit["code"], today=TODAY,
                                      office=True)
    found = report_data.histories(demo_db, scope)
    counts = report_data.result_counts(demo_db, scope, found)
    total = rules.ResultCounts()
    for village in counts.values():
        total += village
    assert overview.now == dashboard.Rates.of(total, overview.unit["name"])
    assert overview.now.households > 0
    for village in overview.villages:
        assert village.now == dashboard.Rates.of(counts[village.village_id], village.name)
    chart = dashboard.deprivation_chart(demo_db, scope, found)
    assert overview.deprivations == chart


def test_the_office_counts_are_those_of_the_histories(demo_office_db):
    from gnapp.db import dashboard

    results = dashboard.office_results(demo_office_db, today=TODAY)
    assert len([r for r in results if r.counts is not None]) == 3
    for result in (r for r in results if r.round is not None):
        scope = report_data.resolve_scope(demo_office_db, round_year=result.round["year"],
                                          unit_code=result.commune["code"], today=TODAY,
                                          office=True)
        found = report_data.histories(demo_office_db, scope)
        total = rules.ResultCounts()
        for village in report_data.result_counts(demo_office_db, scope, found).values():
            total += village
        assert result.counts == total and total.households > 0
