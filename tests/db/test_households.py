"""The household register through the write path: households, members, events, the list."""

import pytest

from gnapp.db import households as hh
from gnapp.db import units
from gnapp.db.store import Invalid, NotFound, WriteError
from gnapp.domain.errors import InputError

HEAD = {"full_name": "Nguyễn Văn Đức", "sex": "nam", "birth_date": "1975", "ethnicity": "Kinh",
        "health_insurance": 1}


@pytest.fixture
def village(writer):
    return units.add_village(writer, "Thôn Đồng Tâm")


@pytest.fixture
def family(writer, village):
    """A household of four: head, wife, two children."""
    home = hh.add_household(writer, village_id=village["id"], area="rural", head=HEAD,
                            address="Xóm Giữa", ethnic_minority=0, on_date="2024-01-10")
    wife = hh.add_member(writer, home["id"], {"full_name": "Trần Thị Ánh", "sex": "nu",
                                              "birth_date": "1978-03-05", "relation": "spouse"})
    son = hh.add_member(writer, home["id"], {"full_name": "Nguyễn Văn An", "sex": "nam",
                                             "birth_date": "2001", "relation": "child"})
    daughter = hh.add_member(writer, home["id"], {"full_name": "Nguyễn Thị Bình", "sex": "nu",
                                                  "birth_date": "2010", "relation": "child"})
    return home, wife, son, daughter


def names(db, household_id, **kw):
    return [m["full_name"] for m in hh.members(db, household_id, **kw)]


def test_a_household_gets_a_code_its_head_and_a_created_event(site_db, family, village):
    home = family[0]
    assert home["code"] == "01-0001" and home["status"] == "active"
    assert names(site_db, home["id"]) == ["Nguyễn Văn Đức", "Trần Thị Ánh", "Nguyễn Văn An",
                                          "Nguyễn Thị Bình"]
    head = hh.members(site_db, home["id"])[0]
    assert (head["relation"], head["position"]) == ("head", 1)
    assert [(e["kind"], e["on_date"]) for e in hh.events(site_db, home["id"])] == \
        [("created", "2024-01-10")]
    assert hh.household_issues(site_db, home["id"]) == []


def test_codes_count_up_within_a_village(writer, family, village):
    second = hh.add_household(writer, village_id=village["id"], area="rural",
                              head={"full_name": "Lò Văn Pọm", "sex": "nam"})
    assert second["code"] == "01-0002"


def test_a_bad_member_is_refused_with_its_field(writer, family):
    home = family[0]
    with pytest.raises(Invalid, match="Giới tính «x» không hợp lệ") as info:
        hh.add_member(writer, home["id"], {"full_name": "Lê Thị Hoa", "sex": "x",
                                           "relation": "child"})
    assert "sex" in [i.field for i in info.value.issues]


def test_an_identity_number_must_agree_with_the_member(writer, family):
    home = family[0]
    with pytest.raises(Invalid) as info:
        hh.add_member(writer, home["id"], {"full_name": "Lê Thị Hoa", "sex": "nu",
                                           "birth_date": "1990", "relation": "other",
                                           "id_number": "001085012345"})
    assert [i.field for i in info.value.issues] == ["id_number"]


def test_the_list_searches_names_codes_and_numbers_without_diacritics(site_db, family, writer,
                                                                      village):
    hh.add_household(writer, village_id=village["id"], area="rural",
                     head={"full_name": "Hoàng Thị Yến", "sex": "nu", "birth_date": "1960"})
    assert hh.count_households(site_db) == 2
    assert [r["head_name"] for r in hh.list_households(site_db)] == ["Nguyễn Văn Đức",
                                                                     "Hoàng Thị Yến"]
    assert [r["code"] for r in hh.list_households(site_db, search="tran thi anh")] == ["01-0001"]
    assert [r["code"] for r in hh.list_households(site_db, search="yen")] == ["01-0002"]
    assert [r["code"] for r in hh.list_households(site_db, search="01-0002")] == ["01-0002"]
    first = hh.list_households(site_db, search="duc")[0]
    assert (first["members"], first["village_name"]) == (4, "Thôn Đồng Tâm")


def test_a_death_is_an_event_and_the_head_passes_on(site_db, writer, family):
    home, wife, son, daughter = family
    head = hh.members(site_db, home["id"])[0]
    with pytest.raises(WriteError, match="chủ hộ mới"):
        hh.record_death(writer, head["id"], "2025-02-01")
    hh.record_death(writer, head["id"], "2025-02-01", new_head_id=wife["id"])
    assert names(site_db, home["id"]) == ["Trần Thị Ánh", "Nguyễn Văn An", "Nguyễn Thị Bình"]
    assert hh.members(site_db, home["id"])[0]["relation"] == "head"
    everyone = hh.members(site_db, home["id"], include_left=True)
    assert [m["status"] for m in everyone][0] == "deceased"
    assert hh.list_households(site_db)[0]["head_name"] == "Trần Thị Ánh"
    assert hh.household_issues(site_db, home["id"]) == []


def test_a_split_moves_members_to_a_new_household(site_db, writer, family):
    home, wife, son, daughter = family
    new = hh.split_household(writer, home["id"], [son["id"]], new_head_id=son["id"],
                             on_date="2025-05-01")
    assert names(site_db, new["id"]) == ["Nguyễn Văn An"]
    assert hh.members(site_db, new["id"])[0]["relation"] == "head"
    assert names(site_db, home["id"]) == ["Nguyễn Văn Đức", "Trần Thị Ánh", "Nguyễn Thị Bình"]
    assert [e["kind"] for e in hh.events(site_db, new["id"])] == ["split"]
    assert hh.count_households(site_db) == 2


def test_splitting_off_the_head_needs_a_new_head_for_the_old_household(writer, family):
    home, wife, son, _ = family
    head_id = hh.members(writer.db, home["id"])[0]["id"]
    with pytest.raises(WriteError, match="chủ hộ mới cho hộ cũ"):
        hh.split_household(writer, home["id"], [head_id, son["id"]], new_head_id=head_id,
                           on_date="2025-05-01")
    hh.split_household(writer, home["id"], [head_id, son["id"]], new_head_id=head_id,
                       on_date="2025-05-01", remaining_head_id=wife["id"])
    assert hh.household_issues(writer.db, home["id"]) == []


def test_merge_and_move_out_keep_the_households_with_their_history(site_db, writer, family,
                                                                   village):
    home = family[0]
    other = hh.add_household(writer, village_id=village["id"], area="rural",
                             head={"full_name": "Phạm Văn Hải", "sex": "nam", "birth_date": "1950"})
    hh.merge_households(writer, other["id"], home["id"], "2025-06-01")
    assert "Phạm Văn Hải" in names(site_db, home["id"])
    assert hh.household(site_db, other["id"])["status"] == "merged"
    assert "household_index_errors" in _plan(site_db, errors_only=True)
    assert hh.count_households(site_db) == 1
    assert hh.count_households(site_db, status="merged") == 1
    hh.move_out_household(writer, home["id"], "2025-09-01")
    assert hh.household(site_db, home["id"])["status"] == "moved_out"
    assert hh.count_households(site_db) == 0
    # every change is in the change log, nothing was deleted
    assert site_db.execute("SELECT count(*) FROM member WHERE deleted = 1").fetchone()[0] == 0


def test_a_failed_event_changes_nothing(site_db, writer, family):
    home, wife, son, daughter = family
    before = site_db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(WriteError):
        hh.split_household(writer, home["id"], [son["id"], "nobody"], new_head_id=son["id"],
                           on_date="2025-05-01")
    assert site_db.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert "household_index_errors" in _plan(site_db, errors_only=True)
    assert hh.count_households(site_db) == 1


def test_likely_duplicates_are_proposed_not_merged(site_db, writer, family, village):
    hh.add_household(writer, village_id=village["id"], area="rural",
                     head={"full_name": "Nguyen Van Duc", "sex": "nam", "birth_date": "1975"})
    pairs = hh.duplicate_people(site_db, "07339")
    assert len(pairs) == 1 and pairs[0].strength == "likely"
    assert hh.count_households(site_db) == 2


def test_a_person_decides_on_a_likely_duplicate_and_nothing_is_merged(site_db, writer, family,
                                                                     village):
    other = hh.add_household(writer, village_id=village["id"], area="rural",
                             head={"full_name": "Nguyen Van Duc", "sex": "nam",
                                   "birth_date": "1975"})
    [case] = hh.duplicate_cases(site_db, "07339")
    assert case.decision is None and case.is_open
    a, b = case.pair.a.member_id, case.pair.b.member_id

    hh.decide_duplicate(writer, b, a, "same", note="Cùng một người, đăng ký hai lần")
    [case] = hh.duplicate_cases(site_db, "07339")           # still to correct
    assert (case.decision, case.note) == ("same", "Cùng một người, đăng ký hai lần")
    decided = hh.decide_duplicate(writer, a, b, "different", note="  Khác quê, đã hỏi  ")
    assert decided["version"] == 2                          # the same decision row, changed
    assert hh.duplicate_cases(site_db, "07339") == []
    [closed] = hh.duplicate_cases(site_db, "07339", include_closed=True)
    assert (closed.decision, closed.note) == ("different", "Khác quê, đã hỏi")
    assert hh.count_households(site_db) == 2 and hh.members(site_db, other["id"])

    with pytest.raises(InputError, match="không hợp lệ"):
        hh.decide_duplicate(writer, a, b, "maybe")
    with pytest.raises(InputError, match="hai dòng khác nhau"):
        hh.decide_duplicate(writer, a, a, "same")
    with pytest.raises(NotFound):
        hh.decide_duplicate(writer, a, "nobody", "same")


def test_check_reports_a_household_without_a_head(site_db, writer, family):
    from gnapp.db import checks

    home, wife, son, daughter = family
    assert checks.check(site_db).ok
    head = hh.members(site_db, home["id"])[0]
    writer.update("member", head["id"], {"relation": "spouse"})  # the editor allows a moment
    result = checks.check(site_db)
    assert [i.code for i in result.issues] == ["household.head_count"]
    assert "01-0001 có 0 chủ hộ" in result.issues[0].message


def test_a_household_code_is_used_once(writer, family, village):
    with pytest.raises(Invalid, match="Mã hộ 01-0001 đã dùng") as info:
        hh.add_household(writer, village_id=village["id"], area="rural", code="01-0001",
                         head={"full_name": "Lê Văn Nam", "sex": "nam"})
    assert [i.field for i in info.value.issues] == ["code"]
    other = hh.add_household(writer, village_id=village["id"], area="rural",
                             head={"full_name": "Lê Văn Nam", "sex": "nam"})
    with pytest.raises(Invalid, match="đã dùng"):
        hh.update_household(writer, other["id"], {"code": "01-0001"})


def test_the_list_filters_by_class_and_review_state_in_a_round(site_db, writer, family, village):
    from gnapp.db import reviews

    other = hh.add_household(writer, village_id=village["id"], area="rural",
                             head={"full_name": "Lò Văn Pọm", "sex": "nam", "birth_date": "1960"})
    third = hh.add_household(writer, village_id=village["id"], area="rural",
                             head={"full_name": "Vi Thị Hạnh", "sex": "nu", "birth_date": "1990"})
    round_ = reviews.create_round(writer, year=2025, kind="periodic", standard_id="CN2022")
    indicators = reviews.standard("CN2022").indicators
    reviews.save_review(writer, round_["id"], other["id"], income_per_person=900_000,
                        deprivations={i.code: i.order <= 3 for i in indicators})
    reviews.save_review(writer, round_["id"], third["id"], income_per_person=5_000_000,
                        deprivations={i.code: False for i in indicators})

    def codes(**kw):
        found = hh.list_households(site_db, round_id=round_["id"], **kw)
        assert hh.count_households(site_db, round_id=round_["id"], **kw) == len(found)
        return {r["head_name"]: (r["klass"], r["review_status"]) for r in found}

    assert codes(klass="poor") == {"Lò Văn Pọm": ("poor", "draft")}
    assert codes(review_state="none") == {"Nguyễn Văn Đức": (None, None)}
    assert set(codes(review_state="draft")) == {"Lò Văn Pọm", "Vi Thị Hạnh"}
    assert codes(review_state="complete") == {}
    assert codes(klass="not_poor", search="hanh") == {"Vi Thị Hạnh": ("not_poor", "draft")}
    assert len(codes()) == 3


def test_the_list_keeps_only_households_with_errors_when_asked(site_db, writer, family):
    home, wife, son, daughter = family
    assert hh.count_households(site_db, errors_only=True) == 0
    writer.update("member", wife["id"], {"relation": "head"})  # two heads, for a moment
    [found] = hh.list_households(site_db, errors_only=True)
    assert found["code"] == home["code"] and found["errors"] >= 1
    assert hh.count_households(site_db, errors_only=True, search="duc") == 1
    writer.update("member", wife["id"], {"relation": "spouse"})
    assert hh.list_households(site_db, errors_only=True) == []


def test_the_index_of_an_older_file_counts_errors_when_migrated(site_db, writer, family):
    """m012 adds the column and fills it for the households already there."""
    from gnapp.db import schema

    home, wife, *_ = family
    writer.update("member", wife["id"], {"relation": "head"})
    site_db.execute("DROP INDEX household_index_errors")                 # as before m018
    site_db.execute("ALTER TABLE household_index DROP COLUMN errors")  # as before m012
    schema.m012_index_errors(site_db)
    assert [r["code"] for r in hh.list_households(site_db, errors_only=True)] == [home["code"]]


def test_the_index_rebuilt_in_bulk_equals_the_index_kept_edit_by_edit(demo_db):
    """An import refreshes the index of a whole package at once (``refresh_indexes``); it
    must give the lines that each edit of the demo's register left."""
    from gnapp.db import sites

    second = demo_db.execute("SELECT id FROM member WHERE relation = 'spouse' LIMIT 1").fetchone()
    hh.update_member(sites.writer(demo_db), second[0], {"relation": "head"})  # two heads
    query = "SELECT * FROM household_index ORDER BY household_id"
    kept = demo_db.execute(query).fetchall()
    assert len(kept) == 60 and sum(line[-1] for line in kept) == 1
    demo_db.execute("DELETE FROM household_index")
    hh.refresh_indexes(demo_db, [r[0] for r in demo_db.execute("SELECT id FROM household")])
    assert demo_db.execute(query).fetchall() == kept


def _plan(db, **filters) -> str:
    """How SQLite reads the household index for the list with these filters."""
    where, params = hh._index_filter(filters.get("search"), filters.get("village_id"),
                                     filters.get("status", "active"), filters.get("round_id"),
                                     filters.get("klass"), filters.get("review_state"),
                                     filters.get("errors_only", False), filters.get("cap"))
    return " | ".join(r[3] for r in db.execute(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM household_index i WHERE {where}", params))


def test_the_status_index_counts_the_list_alone_and_other_filters_keep_their_own_way(
        site_db, family, village):
    # the whole list by status: the status index, not the table (800,000 rows at an office)
    assert "COVERING INDEX household_index_status" in _plan(site_db)
    # a village, a search or the errors are found their own way, status checked on the row
    assert "household_index_village" in _plan(site_db, village_id=village["id"])
    for filters in ({"village_id": village["id"]}, {"search": "duc", "cap": 1000},
                    {"errors_only": True}):
        assert "household_index_status" not in _plan(site_db, **filters), filters
    assert "household_index_errors" in _plan(site_db, errors_only=True)
    assert hh.count_households(site_db) == 1
    assert hh.count_households(site_db, village_id=village["id"], search="đức") == 1
    assert hh.count_households(site_db, errors_only=True) == 0


def test_the_list_pages_read_an_index_in_order_and_the_unused_indexes_are_gone(site_db, village,
                                                                             family):
    """Paging reads the head's-name order from an index (no sorting of 800,000 lines); the
    indexes no query read (schema m020) are not kept up on every write."""
    def page_plan(**filters):
        where, params = hh._index_filter(None, filters.get("village_id"),
                                         filters.get("status"))
        return " | ".join(r[3] for r in site_db.execute(
            "EXPLAIN QUERY PLAN SELECT i.* FROM household_index i JOIN admin_unit v ON "
            f"v.id = i.village_id WHERE {where} ORDER BY i.head_key, i.code LIMIT 200",
            params))
    for filters in ({}, {"status": "active"}, {"village_id": village["id"]}):
        plan = page_plan(**filters)
        assert "SCAN i USING INDEX" in plan or "SEARCH i USING INDEX" in plan, (filters, plan)
        assert "TEMP B-TREE FOR ORDER BY" not in plan, (filters, plan)
    indexes = {name for (name,) in site_db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"household_index_head", "household_index_status", "household_index_village",
            "member_household"} <= indexes
    assert not {"member_id_number", "household_index_code"} & indexes
