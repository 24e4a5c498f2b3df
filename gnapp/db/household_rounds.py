"""Each household at the end of each review round: a local derived table for the review reports.

``household_round`` (local, never travels, like ``household_index``) holds one row per review
round and household of the round's commune: what Báo cáo 1–7 and the note on unfinished
reviews count, as ``reviews.histories`` (the reference) gives it, so a report is a GROUP BY
instead of rebuilding every household's history:

- ``class``: the class at the end of the round (the review's, not poor without one), ``NULL``
  when the household is not in the register then (not yet arrived, or gone);
- ``persons``: the members counted with the review, or those present now without one (0 when
  not in the register);
- ``review``: the status of its review in the round (``NULL``: none), ``deprived``: the
  indicator codes the review answered as deprived (a JSON list, sorted);
- ``added_reason``: how it came into the register (``reviews.JOINING``), ``removed_reason``:
  how it left it by the end of the round (``reviews.LEAVING``);
- ``last_poor``, ``last_near_poor``: the latest year up to the round's year it was on the
  poor (near-poor) list at an earlier periodic or general round (``transitions.on_list_before``
  with any look-back).

The registry's ``after_write`` of the household, its members, events and reviews recomputes the
household's rows (``refresh``); that of a review round recomputes its commune's (``refresh_units``).
A ``Writer`` runs them once at the end of its transaction (``store.flush_derived``).

Each refresh records how far the change log has been followed (the setting ``IN_STEP``). A gnapp
older than schema 1.5 writes households without this table: on opening, ``catch_up`` refreshes
the households (and rounds) of the changes logged after that mark.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlite_utils import Database

from gnapp.db import reviews
from gnapp.db.store import IN_CHUNK, flush_derived, select_in, transaction
from gnapp.domain import transitions

# The tables whose changes the derived tables follow, and the setting that holds the last entry
# of the change log they follow (every refresh moves it on, in the writing transaction).
WATCHED = ("household", "member", "household_event", "household_review", "review_round")
IN_STEP = "derived_in_step_seq"
_COLUMNS = ("round_id", "household_id", "village_id", "class", "persons", "review",
            "deprived", "added_reason", "removed_reason", "last_poor", "last_near_poor")


@dataclass(frozen=True)
class _Round:
    """A round as the rows need it; ``past``: the (id, year) of the periodic and general
    rounds that ended before it, in start order (``reviews.histories``' past classes)."""

    id: str
    year: int
    ends_on: str
    past: tuple[tuple[str, int], ...]


def _rounds(db: Database, owner: str) -> list[_Round]:
    found = list(db.execute("SELECT id, year, kind, ends_on FROM review_round WHERE deleted = 0 "
                            "AND owner_unit = ? ORDER BY starts_on", [owner]))
    return [_Round(id_, year, ends_on, tuple((other, other_year)
                                            for other, other_year, kind, other_ends in found
                                            if kind != "regular" and other_ends < ends_on))
            for id_, year, _, ends_on in found]


def refresh_units(db: Database, owner_units: Iterable[str]) -> None:
    """Recompute the rows of every household of these communes (their rounds changed)."""
    for owner in dict.fromkeys(owner_units):
        refresh(db, [r[0] for r in db.execute(
            "SELECT id FROM household WHERE owner_unit = ? AND deleted = 0 UNION "
            "SELECT household_id FROM household_round WHERE round_id IN "
            "(SELECT id FROM review_round WHERE owner_unit = ?)", [owner, owner])])


def refresh(db: Database, household_ids: Iterable[str]) -> None:
    """Recompute the rows of these households in every round of their commune, reading them
    in bulk per chunk (called inside the writing transaction)."""
    ids = list(dict.fromkeys(household_ids))
    rounds_of: dict[str, list[_Round]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        homes = list(db.execute(f"SELECT id, owner_unit, village_id FROM household "
                                f"WHERE id IN ({marks}) AND deleted = 0", chunk))
        dates = reviews.register_dates(db.execute(reviews.EVENTS_SQL.format(marks), chunk))
        present = dict(db.execute(
            f"SELECT household_id, count(*) FROM member WHERE household_id IN ({marks}) "
            "AND deleted = 0 AND status = 'present' GROUP BY household_id", chunk).fetchall())
        reviewed: dict[str, dict[str, tuple]] = {}
        for household_id, round_id, *review in db.execute(
                f"SELECT household_id, round_id, class, persons, status, deprivations FROM "
                f"household_review WHERE household_id IN ({marks}) AND deleted = 0", chunk):
            reviewed.setdefault(household_id, {})[round_id] = tuple(review)
        db.execute(f"DELETE FROM household_round WHERE household_id IN ({marks})", chunk)
        rows = []
        for home_id, owner, village in homes:
            if owner not in rounds_of:
                rounds_of[owner] = _rounds(db, owner)
            rows += _rows(home_id, village, rounds_of[owner],
                          dates.get(home_id, reviews.NO_EVENTS), present.get(home_id, 0),
                          reviewed.get(home_id, {}))
        db.conn.executemany(f"INSERT INTO household_round ({', '.join(_COLUMNS)}) VALUES "
                            f"({', '.join('?' for _ in _COLUMNS)})", rows)
    mark_in_step(db)


def mark_in_step(db: Database) -> None:
    """Record that the derived tables follow every change logged so far."""
    db.execute("INSERT INTO setting (key, value) VALUES (?, (SELECT coalesce(max(seq), 0) "
               "FROM change_log)) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [IN_STEP])


def catch_up(db: Database) -> int:
    """Refresh the households (index lines and rows here) and the rounds changed since the
    last refresh: changes another program made without keeping this table (an older gnapp
    writing the file after it was migrated). Returns the households refreshed; on a file
    without the mark, only sets it (the migration that made the table filled it)."""
    from gnapp.db.households import refresh_indexes

    def behind() -> tuple[bool, tuple | None]:
        mark = db.execute("SELECT value FROM setting WHERE key = ?", [IN_STEP]).fetchone()
        top = db.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
        return mark is None or int(mark[0]) < top, mark

    if not behind()[0]:
        return 0
    with transaction(db):
        stale, mark = behind()      # again, now that no one else writes
        if mark is None:
            mark_in_step(db)
        if not stale or mark is None:
            return 0
        marks = ", ".join("?" for _ in WATCHED)
        changed: dict[str, set[str]] = {}
        for table, row_id in db.execute(f"SELECT table_name, row_id FROM change_log WHERE "
                                        f"seq > ? AND table_name IN ({marks})",
                                        [int(mark[0]), *WATCHED]):
            changed.setdefault(table, set()).add(row_id)
        homes = set(changed.pop("household", ()))
        round_ids = list(changed.pop("review_round", ()))
        for table, row_ids in changed.items():
            other = ", other_household_id" if table == "household_event" else ""
            for row in select_in(db, f"SELECT household_id{other} FROM {table} WHERE id IN "
                                     "({marks})", list(row_ids)):
                homes.update(h for h in row if h)
        owners = {r[0] for r in select_in(
            db, "SELECT owner_unit FROM review_round WHERE id IN ({marks})", round_ids)}
        refresh_indexes(db, homes)
        # an older program adds index lines without their search words (schema m019), and
        # updating such a line above removed words the search index never held: rebuilt whole
        db.execute("INSERT INTO household_index_fts (household_index_fts) VALUES ('rebuild')")
        refresh(db, homes)
        refresh_units(db, owners)
        mark_in_step(db)
    return len(homes)


def _rows(household_id: str, village: str, rounds: list[_Round], dates: tuple, present: int,
          reviewed: dict[str, tuple]) -> Iterator[tuple]:
    """The household's row in each round (``reviewed``: its reviews by round, as
    (class, persons, status, deprivations))."""
    for round_ in rounds:
        is_in, first_kind, left_kind = reviews.in_register(dates, round_.ends_on)
        klass, persons, status, answers = reviewed.get(round_.id) or (None, present, None, None)
        past: dict[int, str | None] = {year: reviewed[other][0] for other, year in round_.past
                                       if other in reviewed}
        yield (round_.id, household_id, village, (klass or "not_poor") if is_in else None,
               persons if is_in else 0, status, _deprived(answers),
               reviews.JOINING.get(first_kind), reviews.LEAVING.get(left_kind),
               _last_year(past, transitions.POOR, round_.year),
               _last_year(past, transitions.NEAR_POOR, round_.year))


@lru_cache(maxsize=4096)
def _deprived(answers: str | None) -> str:
    """The indicator codes answered as deprived in a review's ``deprivations`` (a JSON list,
    sorted); households share few distinct answers, so each is read once."""
    return json.dumps(sorted(code for code, value in json.loads(answers or "{}").items()
                             if value))


def _last_year(past: dict[int, str | None], code: str, year: int) -> int | None:
    return max((y for y, klass in past.items() if klass == code and y <= year), default=None)


# -- what the reports count ------------------------------------------------------------------

def results(db: Database, round_id: str) -> list[tuple[str, str, int, int]]:
    """Households in the register at the end of the round and their persons, by village and
    class: (village id, class, households, persons)."""
    flush_derived(db)
    return db.execute(
        "SELECT village_id, class, count(*), sum(persons) FROM household_round "
        "WHERE round_id = ? AND class IS NOT NULL GROUP BY class, village_id",
        [round_id]).fetchall()


def deprivations(db: Database, round_id: str, klass: str
                 ) -> list[tuple[str, frozenset[str], int]]:
    """Households of class ``klass`` at the end of the round, by village and the indicators
    they are deprived on: (village id, codes deprived, households)."""
    flush_derived(db)
    return [(village, frozenset(json.loads(deprived)), count) for village, deprived, count in
            db.execute("SELECT village_id, deprived, count(*) FROM household_round "
                       "WHERE round_id = ? AND class = ? GROUP BY village_id, deprived",
                       [round_id, klass])]


_LISTS = ", ".join(f"'{code}'" for code in transitions.LISTS)


def listed(db: Database, round_id: str) -> list[tuple[str, str, str, int]]:
    """The households on the poor or near-poor list at the end of the round (Báo cáo 8–15):
    (village id, household id, class, persons)."""
    flush_derived(db)
    return db.execute("SELECT village_id, household_id, class, persons FROM household_round "
                      f"WHERE round_id = ? AND class IN ({_LISTS})", [round_id]).fetchall()


def listed_ids_sql() -> str:
    """A subquery of the ids of the households ``listed`` gives (one parameter: the round)."""
    return f"SELECT household_id FROM household_round WHERE round_id = ? AND class IN ({_LISTS})"


def movements(db: Database, start: dict, end: dict, *, look_back: int | None = None
              ) -> list[tuple[str, transitions.HouseholdHistory, int]]:
    """The histories from round ``start`` to round ``end`` (as ``reviews.histories`` gives
    them) of the households on a list at either round (the others count in no column of
    Báo cáo 2–3), grouped for ``transitions.movement_table_groups`` (those with fewer members
    at the end apart, as it requires): (village id, the history of the group, with its
    persons summed, households)."""
    flush_derived(db)
    start_year = start["year"] + 1
    out = []
    for (village, begin, finish, last_poor, last_near_poor, removed, added, _, count,
         persons_start, persons_end) in db.execute(
            "SELECT e.village_id, s.class, e.class, s.last_poor, s.last_near_poor, "
            "CASE WHEN e.class IS NULL AND s.class IS NOT NULL THEN e.removed_reason END, "
            "CASE WHEN e.class IS NOT NULL AND s.class IS NULL THEN e.added_reason END, "
            "e.persons < s.persons, count(*), sum(s.persons), sum(e.persons) "
            "FROM household_round e JOIN household_round s ON s.round_id = ? "
            "AND s.household_id = e.household_id WHERE e.round_id = ? AND (e.class IN "
            f"({_LISTS}) OR s.class IN ({_LISTS})) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            [start["id"], end["id"]]):
        out.append((village, transitions.HouseholdHistory(
            household_id=None, start=begin, end=finish, persons_start=persons_start,
            persons_end=persons_end,
            ever_poor_before=_listed(last_poor, transitions.POOR, start_year, look_back),
            ever_near_poor_before=_listed(last_near_poor, transitions.NEAR_POOR, start_year,
                                          look_back),
            removed_reason=removed, added_reason=added), count))
    return out


def _listed(last_year: int | None, code: str, start_year: int, look_back: int | None) -> bool:
    """Whether a household last on the ``code`` list in ``last_year`` was on it before
    ``start_year`` within ``look_back`` (``transitions.on_list_before``)."""
    return last_year is not None and transitions.on_list_before({last_year: code}, code,
                                                                start_year, look_back)


def progress(db: Database, round_id: str, village_ids: list[str]) -> tuple[int, int, int]:
    """The round's reviews of households of these villages, those not complete, and the
    households in the register at its end without a review."""
    flush_derived(db)
    marks = ", ".join("?" for _ in village_ids) or "NULL"
    return db.execute(
        "SELECT count(review), coalesce(sum(review != 'complete'), 0), "
        "coalesce(sum(class IS NOT NULL AND review IS NULL), 0) FROM household_round "
        f"WHERE round_id = ? AND village_id IN ({marks})", [round_id, *village_ids]).fetchone()
