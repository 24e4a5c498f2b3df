"""Derived tables (``household_index``, ``household_round``) kept once per Writer transaction,
and brought in step on opening after an older gnapp wrote the file (schema 1.5).

Each state is compared with a full rebuild of the derived tables from the stored rows.
"""

import pytest

from gnapp.db import connection, household_rounds, reviews, schema, sites, store
from gnapp.db import households as hh

INDEX = "SELECT * FROM household_index ORDER BY household_id"
ROUNDS = "SELECT * FROM household_round ORDER BY round_id, household_id"


def derived(db):
    return db.execute(INDEX).fetchall(), db.execute(ROUNDS).fetchall()


def rebuilt(db):
    """The derived tables as a rebuild of every household gives them (then rolled back)."""
    db.execute("BEGIN")
    try:
        db.execute("DELETE FROM household_index")
        db.execute("DELETE FROM household_round")
        ids = [r[0] for r in db.execute("SELECT id FROM household")]
        hh.refresh_indexes(db, ids)
        household_rounds.refresh(db, ids)
        return derived(db)
    finally:
        db.execute("ROLLBACK")


def assert_in_step(db):
    index, rounds = derived(db)
    fresh_index, fresh_rounds = rebuilt(db)
    assert index == fresh_index
    assert rounds == fresh_rounds


def _current(db):
    return reviews.rounds(db)[-1]


def _unreviewed(db, round_id, n):
    return [r[0] for r in db.execute(
        "SELECT id FROM household h WHERE deleted = 0 AND status = 'active' AND NOT EXISTS "
        "(SELECT 1 FROM household_review r WHERE r.household_id = h.id AND r.round_id = ? "
        "AND r.deleted = 0) ORDER BY code LIMIT ?", [round_id, n])]


def _village(db):
    return db.execute("SELECT village_id FROM household WHERE deleted = 0 LIMIT 1").fetchone()[0]


def many_writes(w):
    """Households added, a member added, reviews entered, a household moved out, a round
    opened: all in one transaction."""
    db = w.db
    current = _current(db)
    village = _village(db)
    added = [hh.add_household(w, village_id=village, area="rural",
                              head={"full_name": f"Khổng Thị Xuyến {i}", "sex": "nu",
                                    "birth_date": "1979"})["id"] for i in range(5)]
    hh.add_member(w, added[0], {"full_name": "Đặng Văn Đức", "sex": "nam",
                                "birth_date": "2004", "relation": "child"})
    for household_id in _unreviewed(db, current["id"], 3):
        reviews.save_review(w, current["id"], household_id, income_per_person=900_000,
                            reviewer="Lê Văn Tâm", review_date="2026-03-02")
    hh.move_out_household(w, added[1], "2026-06-01")
    reviews.create_round(w, year=current["year"] + 1, kind="periodic",
                         standard_id=current["standard_id"])
    return added


def test_a_transaction_keeps_the_derived_tables_once_at_its_end(demo_db, monkeypatch):
    calls = []
    original = household_rounds.refresh
    monkeypatch.setattr(household_rounds, "refresh",
                        lambda db, ids: calls.append(set(ids)) or original(db, ids))
    w = sites.writer(demo_db)
    before = hh.count_households(demo_db, status=None)
    seen_inside = []

    def op(w):
        added = many_writes(w)
        # nothing derived was written yet: the hooks wait for the end of the transaction
        seen_inside.append(len(calls))
        seen_inside.append(demo_db.execute(
            "SELECT count(*) FROM household_index WHERE household_id IN (?, ?)",
            added[:2]).fetchone()[0])
        return added

    added = w.transact(op).result
    assert seen_inside == [0, 0]
    # the households once, then the communes of the new round
    assert calls[0] >= set(added)
    assert len(calls) == 2
    assert hh.count_households(demo_db, status=None) == before + 5
    assert_in_step(demo_db)
    assert demo_db.execute("SELECT count(*) FROM household_round WHERE household_id = ?",
                           [added[0]]).fetchone()[0] == len(reviews.rounds(demo_db))


def test_a_reader_inside_the_transaction_sees_its_writes(demo_db):
    w = sites.writer(demo_db)
    before = hh.count_households(demo_db, status=None)

    def op(w):
        many_writes(w)
        # count_households settles the pending hooks first
        return hh.count_households(demo_db, status=None), [
            r["head_name"] for r in hh.list_households(demo_db, search="khong thi xuyen",
                                                       status=None)]

    counted, heads = w.transact(op).result
    assert counted == before + 5
    # the second one moved out: its people are no longer searched
    assert sorted(heads) == [f"Khổng Thị Xuyến {i}" for i in (0, 2, 3, 4)]
    assert_in_step(demo_db)


def test_a_rollback_leaves_nothing_derived_changed(demo_db):
    w = sites.writer(demo_db)
    kept = derived(demo_db)

    def op(w):
        many_writes(w)
        raise RuntimeError("bỏ")

    with pytest.raises(RuntimeError):
        w.transact(op)
    assert derived(demo_db) == kept
    assert getattr(demo_db, store._DEFERRED) is None
    # the next write keeps its own rows at once
    added = hh.add_household(w, village_id=_village(demo_db), area="rural",
                             head={"full_name": "Vi Văn Sơn", "sex": "nam",
                                   "birth_date": "1990"})
    assert_in_step(demo_db)
    assert hh.list_households(demo_db, search="vi van son")[0]["household_id"] == added["id"]


def test_a_failed_step_caught_inside_the_transaction(demo_db):
    w = sites.writer(demo_db)
    village = _village(demo_db)

    def failing(w):
        hh.add_household(w, village_id=village, area="rural",
                         head={"full_name": "Quách Thị Yểng", "sex": "nu", "birth_date": "1985"})
        raise RuntimeError("bỏ bước này")

    def op(w):
        with pytest.raises(RuntimeError):
            w.transact(failing)
        return hh.add_household(w, village_id=village, area="rural",
                                head={"full_name": "Cầm Văn Hùng", "sex": "nam",
                                      "birth_date": "1970"})

    added = w.transact(op).result
    assert_in_step(demo_db)
    assert hh.count_households(demo_db, search="quach thi yeng") == 0
    assert [r["household_id"] for r in hh.list_households(demo_db, search="cam van hung")] \
        == [added["id"]]


def test_single_writes_keep_the_derived_tables_at_once(demo_db):
    w = sites.writer(demo_db)
    current = _current(demo_db)
    [home] = _unreviewed(demo_db, current["id"], 1)
    row = hh.household(demo_db, home)
    member = hh.members(demo_db, home)[0]
    hh.update_member(w, member["id"], {"full_name": "Nguyễn Thị Đào"})
    assert_in_step(demo_db)
    assert hh.list_households(demo_db, search="nguyen thi dao")[0]["household_id"] == home
    reviews.save_review(w, current["id"], home, income_per_person=800_000,
                        reviewer="Lê Văn Tâm", review_date="2026-03-02")
    assert_in_step(demo_db)
    assert demo_db.execute("SELECT review FROM household_round WHERE round_id = ? AND "
                           "household_id = ?", [current["id"], home]).fetchone()[0] == "draft"
    hh.update_household(w, home, {"address": "Số 5"}, expected_version=row["version"])
    assert_in_step(demo_db)


# -- schema 1.5: an older program writing the file ------------------------------------------

def _older_program_write(db, table, row_id, changes):
    """A change as a gnapp older than 1.5 makes it: the write path's row and change log
    (``store.write_rows``) and its index line, without ``household_round``."""
    row = store.get_row(db, table, row_id)
    new = {**row, **changes, "version": row["version"] + 1,
           "updated_at": f"{row['updated_at']}-older"}
    with store.transaction(db):
        store.write_rows(db, table, [(new, row["version"])], origin="local")
        hh.refresh_indexes(db, [new.get("household_id", row_id)])


def test_schema_version_counts_the_new_migrations():
    names = [m.name for m in schema.migrations._migrations]
    assert "m015_household_round" in names
    assert (schema.SCHEMA_MAJOR, schema.SCHEMA_MINOR) >= (1, 5)


def test_opening_catches_up_with_an_older_program(demo_path):
    db = connection.connect(demo_path)
    current = _current(db)
    home = db.execute("SELECT household_id FROM household_round WHERE round_id = ? AND "
                      "class IS NOT NULL ORDER BY household_id LIMIT 1",
                      [current["id"]]).fetchone()[0]
    member = hh.members(db, home)[-1]
    _older_program_write(db, "member", member["id"], {"status": "moved_out",
                                                      "left_on": "2026-01-05"})
    _older_program_write(db, "household", home, {"status": "moved_out"})
    stale = derived(db)
    assert stale != rebuilt(db)        # household_round did not follow
    db.close()

    db = connection.connect(demo_path)  # the newer program opens the file
    try:
        assert_in_step(db)
        assert derived(db) != stale
        # in step: the next open has nothing to do
        assert household_rounds.catch_up(db) == 0
    finally:
        db.close()


def test_a_file_kept_by_this_program_is_not_refreshed_on_opening(demo_path, monkeypatch):
    db = connection.connect(demo_path)
    hh.add_member(sites.writer(db), db.execute("SELECT id FROM household WHERE deleted = 0 "
                                               "LIMIT 1").fetchone()[0],
                  {"full_name": "Lò Thị Mai", "sex": "nu", "birth_date": "2010",
                   "relation": "child"})
    db.close()
    calls = []
    monkeypatch.setattr(household_rounds, "refresh", lambda db, ids: calls.append(ids))
    db = connection.connect(demo_path)
    db.close()
    assert calls == []
