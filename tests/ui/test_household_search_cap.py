"""Search as you type reads at most ``search_cap`` households (the first matches in index
order) and says «hơn … hộ» when there are more; over the register of 250 households."""

from gnapp.db import households as hh
from gnapp.domain.text import fold, name_sort_key
from gnapp.ui.household_list import HOUSEHOLD_ID_ROLE, HouseholdFilter, HouseholdListModel


def ids(model):
    return [model.index(r, 0).data(HOUSEHOLD_ID_ROLE) for r in range(model.rowCount())]


def test_the_count_and_the_rows_stop_at_the_cap(register_db):
    everyone = hh.list_households(register_db, search="n", limit=1000)
    assert len(everyone) > 30
    assert hh.count_households(register_db, search="n", cap=30) == 31     # "more than 30"
    first = hh.list_households(register_db, search="n", cap=30, limit=1000)
    assert len(first) == 30
    # the first 30 matches of the search index, shown in the order of the head's name
    by_index = [r[0] for r in register_db.execute(
        "SELECT i.household_id FROM household_index_fts f JOIN household_index i ON "
        "i.rowid = f.rowid WHERE household_index_fts MATCH '\"n\"*' AND i.status = 'active' "
        "ORDER BY f.rowid LIMIT 30")]
    assert {r["household_id"] for r in first} == set(by_index)
    assert [r["head_key"] for r in first] == sorted(r["head_key"] for r in first)
    assert set(by_index) <= {r["household_id"] for r in everyone}
    # paging on from the page before gives the same rows as offsets
    page = hh.list_households(register_db, search="n", cap=30, limit=10)
    after = hh.list_households(register_db, search="n", cap=30, limit=10, after=page[-1])
    assert after == first[10:20]


def test_a_search_under_the_cap_is_the_whole_answer(register_db):
    whole = hh.list_households(register_db, search="nguyen van", limit=1000)
    assert 0 < len(whole) < 100
    assert hh.count_households(register_db, search="nguyen van", cap=100) == len(whole)
    assert hh.list_households(register_db, search="nguyen van", cap=100, limit=1000) == whole


def test_the_model_shows_more_than(register_db):
    model = HouseholdListModel(register_db, page_size=7, search_cap=20)
    assert model.rowCount() == 250 and not model.more        # no search: no cap
    assert model.count_text() == "250 hộ"
    model.set_filter(HouseholdFilter(search="n"))
    assert model.rowCount() == 20 and model.more
    assert model.count_text() == "hơn 20 hộ"
    assert ids(model) == [r["household_id"] for r in hh.list_households(
        register_db, search="n", cap=20, limit=1000)]
    assert len(set(ids(model))) == 20                          # pages do not overlap
    model.set_filter(HouseholdFilter(search="nguyen van"))
    expected = hh.count_households(register_db, search="nguyen van")
    assert model.rowCount() == expected < 20 and not model.more
    assert model.count_text() == f"{expected} hộ"


def test_diacritics_and_d_are_folded_under_the_cap(register_db):
    model = HouseholdListModel(register_db, search_cap=15)
    found = {}
    for typed in ("Đ", "đ", "d", "D"):
        model.set_filter(HouseholdFilter(search=typed))
        found[typed] = (model.rowCount(), model.more, ids(model))
    assert len({str(v) for v in found.values()}) == 1
    count, more, rows = found["d"]
    assert count == 15 and more
    for household_id in rows:
        words = " ".join(fold(m["full_name"]) for m in hh.members(register_db, household_id))
        words += " " + hh.household(register_db, household_id)["code"]
        assert any(w.startswith("d") for w in words.split())


def test_the_page_says_more_than_a_thousand(register_window, register_db, qtbot, type_vi):
    page = register_window.household_page
    page.model.search_cap = 10
    type_vi(page.search_edit, "Nguyễn")
    qtbot.waitUntil(lambda: page.count_label.text() == "hơn 10 hộ")
    heads = [page.model.index(r, 1).data() for r in range(page.model.rowCount())]
    assert len(heads) == 10 and heads == sorted(heads, key=name_sort_key)
    page.model.search_cap = hh.SEARCH_CAP
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.count_label.text() == "250 hộ")
    page.model.search_cap = 2
    page.model.set_filter(HouseholdFilter(search="n", status="active"))
    page._update_count()
    assert page.count_label.text() == "hơn 2 hộ"
    page.model.search_cap = 1000
    page.model.refresh(keep_rows=False)
    page._update_count()
    expected = hh.count_households(register_db, search="n")
    assert expected < 1000 and page.count_label.text() == f"{expected} hộ"


def test_the_thousand_reads_as_vietnamese():
    from gnapp.ui.household_list import count_text

    assert count_text(1000, more=True) == "hơn 1.000 hộ"
    assert count_text(1234) == "1.234 hộ"
