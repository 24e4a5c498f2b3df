"""How an import writes: the write guards lifted for its rows only and always put back, new
rows inserted (never merged into a stored one), and the household search index kept in step
by the import's own statements (schema m019) for new lines and by triggers for changed ones."""

import sqlite3

import pytest

from gnapp.db import connection, household_rounds, registry, reviews, sites, units
from gnapp.db import households as hh
from tests.conftest import COMMUNE
from tests.db.test_store import guards
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import owned_rows, send


def search_index_is_sound(db) -> None:
    """FTS5 compares its index with the lines it was built from (raises when they differ)."""
    db.execute("INSERT INTO household_index_fts (household_index_fts, rank) "
               "VALUES ('integrity-check', 1)")


def found(db, text: str) -> list[str]:
    return [h["code"] for h in hh.list_households(db, search=text)]


def test_an_import_puts_the_guards_back_and_keeps_the_search_index(commune, office, outbox):
    every = guards(office)
    assert every == 3 * len(registry.SYNCABLE)
    homes = register_two_households(commune)
    _, reports = send(commune, office, outbox / "1")
    assert reports[0].status == "applied"
    assert guards(office) == every
    search_index_is_sound(office)
    assert found(office, "lo van pom") == ["01-0002"]
    assert found(office, "đức") == ["01-0001"]

    w = sites.writer(commune)      # the next package changes a name and adds a household
    hh.update_member(w, hh.members(commune, homes["01-0001"]["id"])[0]["id"],
                     {"full_name": "Nguyễn Văn Đạt"})
    hh.add_household(w, village_id=homes["village"]["id"], area="rural", code="01-0003",
                     head={"full_name": "Hà Thị Đào", "sex": "nu", "birth_date": "1990"})
    _, reports = send(commune, office, outbox / "2")
    assert reports[0].status == "applied" and reports[0].counts["update"] >= 1
    assert guards(office) == every
    search_index_is_sound(office)
    assert found(office, "đức") == []
    assert found(office, "dat") == ["01-0001"]
    assert found(office, "đào") == ["01-0003"]
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    with pytest.raises(sqlite3.IntegrityError, match="outside the write path"):
        office.execute("UPDATE household SET code = 'X' WHERE code = '01-0003'")


def test_a_first_package_makes_each_household_s_rounds_once(commune, office, outbox,
                                                            monkeypatch):
    """A commune's first package brings its rounds and its households: the rounds' refresh
    makes household_round for all its households, and the register's hook does not make
    them again; what the office holds is what the commune holds."""
    register_two_households(commune)
    reviews.create_round(sites.writer(commune), year=2025, kind="periodic")
    made: list[str] = []
    real = household_rounds.refresh
    monkeypatch.setattr(household_rounds, "refresh",
                        lambda db, ids: (made.extend(ids), real(db, ids))[1])
    _, reports = send(commune, office, outbox / "1")
    assert reports[0].status == "applied"
    homes = [r[0] for r in commune.execute("SELECT id FROM household")]
    assert sorted(made) == sorted(homes)
    query = "SELECT household_id, round_id, class, persons FROM household_round ORDER BY 1, 2"
    assert office.execute(query).fetchall() == commune.execute(query).fetchall()
    assert len(office.execute(query).fetchall()) == 2


def test_a_refused_import_leaves_the_guards_and_writes_nothing(commune, pc2, outbox):
    """The two PCs both numbered a village 07339.01: SQLite refuses the package's rows in
    the middle of the import; the rollback takes the lifting of the guards with it."""
    units.add_village(sites.writer(commune), "Thôn Bắc Sơn")
    units.add_village(sites.writer(pc2), "Thôn Nam Sơn")
    every, before = guards(pc2), owned_rows(pc2, COMMUNE)
    _, reports = send(commune, pc2, outbox / "1", to_unit=COMMUNE)
    assert reports[0].status == "refused" and "«code»" in reports[0].reason
    assert guards(pc2) == every == 3 * len(registry.SYNCABLE)
    assert owned_rows(pc2, COMMUNE) == before


def test_a_line_an_older_program_added_is_searchable_after_the_next_opening(
        commune, tmp_path):
    """gnapp before schema 1.7 added index lines by an upsert and left their search words to
    a trigger m019 removed: the next opening rebuilds the search index."""
    homes = register_two_households(commune)
    line = commune.execute("SELECT * FROM household_index WHERE household_id = ?",
                           [homes["01-0001"]["id"]]).fetchone()
    path = commune.execute("PRAGMA database_list").fetchone()[2]
    with commune.conn:      # as the older program: the line again, as new, and a change
        commune.execute("DELETE FROM household_index WHERE household_id = ?", [line[0]])
        marks = ", ".join("?" for _ in line)
        commune.execute(f"INSERT INTO household_index VALUES ({marks})", line)
        commune.execute("UPDATE household_index SET search = search || ' older' "
                        "WHERE household_id = ?", [line[0]])
        commune.execute("INSERT INTO change_log (table_name, row_id, version, base_version, "
                        "updated_at, origin) VALUES ('household', ?, 99, 98, 'older', 'local')",
                        [line[0]])
    with pytest.raises(sqlite3.DatabaseError):
        search_index_is_sound(commune)
    commune.close()
    db = connection.connect(path)
    try:
        search_index_is_sound(db)
        assert found(db, "đức") == ["01-0001"]
        assert found(db, "mai") == ["01-0002"]
    finally:
        db.close()
