"""The province generator makes its communes in several processes at once with the same
data as one process (each commune has its own seed and database)."""

import sqlite3

from bench import province as pv

COMMUNES, HOUSEHOLDS = 2, 30
PEOPLE = ("SELECT h.code, m.position, m.full_name, m.sex, m.birth_date, m.relation, "
          "m.ethnicity FROM member m JOIN household h ON h.id = m.household_id "
          "WHERE m.deleted = 0 ORDER BY h.code, m.position")


def _people(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(PEOPLE).fetchall(), conn.execute(
            "SELECT class, count(*) FROM household_review WHERE deleted = 0 GROUP BY class"
        ).fetchall()
    finally:
        conn.close()


def test_two_processes_make_the_same_province_as_one(tmp_path):
    told = []
    one = pv.generate(COMMUNES, HOUSEHOLDS, folder=tmp_path / "one", jobs=1,
                      log=lambda text: None)
    two = pv.generate(COMMUNES, HOUSEHOLDS, folder=tmp_path / "two", jobs=2, log=told.append)
    assert [c.code for c in two.made] == [c.code for c in one.made]
    assert [c.index for c in two.made] == list(range(COMMUNES))
    for a, b in zip(one.made, two.made):
        assert (b.households, b.members, b.package_rows) == (a.households, a.members,
                                                              a.package_rows)
        assert b.fingerprint != a.fingerprint          # each made its own site
        people, classes = _people(two.commune_db(b))
        assert (people, classes) == _people(one.commune_db(a))
        assert len({row[0] for row in people}) == HOUSEHOLDS
        assert all(p.exists() for p in two.packages)
    assert told[0] == f"Tạo {COMMUNES} xã, {HOUSEHOLDS} hộ mỗi xã, 2 tiến trình cùng lúc"
    assert told[-1].startswith(f"{COMMUNES} xã trong ")
    # nothing is left to make: a second run reuses both without a process
    again = pv.generate(COMMUNES, HOUSEHOLDS, folder=tmp_path / "two", jobs=2,
                        log=told.append)
    assert [c.fingerprint for c in again.made] == [c.fingerprint for c in two.made]
