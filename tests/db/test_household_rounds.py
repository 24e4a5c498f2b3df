"""The derived table ``household_round`` against the reference path (``reviews.histories``).

The review reports count the rows of ``household_round``; each figure must be the one the
households' histories give, on the demo commune and office, after local edits (a household
moving out, a member added, a review completed, a new round) and after a package import.
The rows themselves must be those a full rebuild gives, however they were kept in step.
"""

import sqlite3

import pytest

from gnapp import demo
from gnapp.db import connection, household_rounds, report_data, reviews, sites
from gnapp.db import households as hh
from gnapp.db.store import WriteError
from gnapp.domain import report_rules as rules
from gnapp.domain import transitions
from gnapp.sync import export, importer

REPORT_2 = "Báo cáo 2"
ROWS = "SELECT * FROM household_round ORDER BY round_id, household_id"


def _years(db):
    return [r[0] for r in db.execute("SELECT DISTINCT year FROM review_round WHERE deleted = 0 "
                                     "ORDER BY year")]


def assert_same_figures(db):
    """Every round's Báo cáo 1–5 figures and progress note, from the table and from the
    histories, for the site's whole scope."""
    for year in _years(db):
        scope = report_data.resolve_scope(db, round_year=year, office=True)
        found = report_data.histories(db, scope)
        assert report_data.result_counts(db, scope) == \
            report_data.result_counts(db, scope, found)
        for klass in rules.LISTS:
            assert report_data.deprivation_counts(db, scope, klass) == \
                report_data.deprivation_counts(db, scope, klass, found)
        assert report_data.round_progress(db, scope) == \
            report_data.round_progress(db, scope, found)
        if all(part.previous for part in scope.parts):
            moves = report_data.movement_histories(db, scope, REPORT_2)
            assert report_data.movement_tables(db, scope, REPORT_2) == \
                report_data.movement_tables(db, scope, REPORT_2, moves)


def assert_in_step(db):
    """The rows kept in step are those a rebuild of every household gives."""
    kept = db.execute(ROWS).fetchall()
    with db.conn:
        db.execute("DELETE FROM household_round")
        household_rounds.refresh(db, [r[0] for r in db.execute("SELECT id FROM household")])
    assert db.execute(ROWS).fetchall() == kept


@pytest.mark.parametrize("db_name", ["demo_db", "demo_office_db"])
def test_the_table_gives_the_figures_of_the_histories(db_name, request):
    db = request.getfixturevalue(db_name)
    assert_same_figures(db)
    assert_in_step(db)
    # one row per round and household of the round's commune
    assert db.execute("SELECT count(*) FROM household_round").fetchone()[0] == db.execute(
        "SELECT count(*) FROM review_round r JOIN household h ON h.owner_unit = r.owner_unit "
        "WHERE r.deleted = 0 AND h.deleted = 0").fetchone()[0]


def _latest_round(db):
    return reviews.rounds(db)[-1]


def _household(db, round_, *, reviewed, status=None):
    """A household of the register with (or without) a review of ``status`` in ``round_``."""
    return db.execute(
        "SELECT id FROM household h WHERE deleted = 0 AND status = 'active' AND "
        f"{'' if reviewed else 'NOT'} EXISTS (SELECT 1 FROM household_review r WHERE "
        "r.household_id = h.id AND r.round_id = ? AND r.deleted = 0 AND r.status = "
        "coalesce(?, r.status)) ORDER BY code LIMIT 1", [round_["id"], status]).fetchone()[0]


def edit_the_register(db):
    """A household moves out, a member joins a household not reviewed, a draft review is
    completed and a new round opens."""
    w = sites.writer(db)
    current = _latest_round(db)
    hh.move_out_household(w, _household(db, current, reviewed=True), "2026-06-01")
    hh.add_member(w, _household(db, current, reviewed=False),
                  {"full_name": "Lê Thị Mới", "sex": "nu", "birth_date": "2001",
                   "relation": "child"})
    completed = 0
    for (review_id,) in db.execute("SELECT id FROM household_review WHERE round_id = ? AND "
                                   "status = 'draft' AND deleted = 0", [current["id"]]):
        try:
            reviews.complete_review(w, review_id)
        except WriteError:
            continue
        completed += 1
        break
    assert completed
    reviews.create_round(w, year=current["year"] + 1, kind="periodic",
                         standard_id=current["standard_id"])


def test_the_table_follows_local_edits(demo_db):
    before = report_data.result_counts(demo_db, report_data.resolve_scope(demo_db, office=True))
    edit_the_register(demo_db)
    assert_same_figures(demo_db)
    assert_in_step(demo_db)
    scope = report_data.resolve_scope(demo_db, round_year=2026, office=True)
    assert report_data.result_counts(demo_db, scope) != before


# (look-back, whether the 2025 lists count before a start round of 2026)
@pytest.mark.parametrize("look_back, counted", [(None, True), (1, False), (2, True)])
def test_the_lists_before_the_start_round_follow_the_look_back(demo_db, look_back, counted):
    w = sites.writer(demo_db)
    current = _latest_round(demo_db)
    following = reviews.create_round(w, year=current["year"] + 1, kind="periodic",
                                     standard_id=current["standard_id"])
    start = reviews.rounds(demo_db)[0]          # 2025: its lists come before 2026's
    expected = reviews.histories(demo_db, start["id"], following["id"], look_back=look_back)
    grouped = household_rounds.movements(demo_db, start, following, look_back=look_back)
    for which in transitions.LISTS:
        assert transitions.movement_table_groups(((h, n) for _, h, n in grouped), which) == \
            transitions.movement_table(expected, which)
    after = reviews.histories(demo_db, current["id"], following["id"], look_back=look_back)
    moved = household_rounds.movements(demo_db, current, following, look_back=look_back)
    for which in transitions.LISTS:
        assert transitions.movement_table_groups(((h, n) for _, h, n in moved), which) == \
            transitions.movement_table(after, which)
    assert any(h.ever_poor_before or h.ever_near_poor_before for h in after) == counted


def _copy(source, target):
    """A copy of a closed database, whatever its WAL holds."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_the_table_follows_a_package_import(_demo_office_template, demo_office_db, tmp_path):
    path = tmp_path / "commune.sqlite"
    _copy(_demo_office_template.parent / "communes" / demo.DEMO_COMMUNE / "gnapp.sqlite", path)
    commune = connection.connect(path)
    try:
        edit_the_register(commune)
        sent = export.export_package(commune, tmp_path / "goi")
        fingerprint = sites.local_site(commune).fingerprint
    finally:
        commune.close()
    [report] = importer.import_files(demo_office_db, sent.paths, trust=[fingerprint])
    assert report.status == "applied"
    assert_same_figures(demo_office_db)
    assert_in_step(demo_office_db)
