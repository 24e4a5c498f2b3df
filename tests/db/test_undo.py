"""Undo of the last saved edit ("Hoàn tác lần sửa cuối") on a real database file: the old
values come back as a new, audited change that travels; refused when it no longer fits."""

import pytest

from gnapp.db import households as hh
from gnapp.db import reviews, sites, store, undo, units
from gnapp.db.store import Locked, last_change_seq, syncable_values, write_row


CLOCK = [0]


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The audit log's clock (to the second) moves only when a test calls ``later()``:
    people do not save twice in one second."""
    CLOCK[0] = 0
    monkeypatch.setattr(store, "utc_now",
                        lambda: f"2025-11-20T08:{CLOCK[0] // 60:02d}:{CLOCK[0] % 60:02d}+00:00")


def later():
    CLOCK[0] += 1


@pytest.fixture
def home(writer):
    village = units.add_village(writer, "Thôn Đông Sơn")
    home = hh.add_household(writer, village_id=village["id"], area="rural", on_date="2024-01-01",
                            address="Xóm Bến",
                            head={"full_name": "Nguyễn Văn Đức", "sex": "nam",
                                  "birth_date": "1970"})
    later()
    return home


def audit_count(db):
    return db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_the_old_values_come_back_as_a_new_change(site_db, writer, home):
    hh.update_household(writer, home["id"], {"address": "Xóm Đồi Chè"}, reason="Sửa hộ")
    rows = undo.household_rows(site_db, home["id"])
    edit = undo.last_edit(site_db, rows)
    assert [(c.field, c.old, c.new) for c in edit.changes] == [
        ("address", "Xóm Bến", "Xóm Đồi Chè")]
    assert "«Xóm Đồi Chè» → «Xóm Bến»" in edit.describe()
    seq, audited, version = last_change_seq(site_db), audit_count(site_db), \
        hh.household(site_db, home["id"])["version"]

    undo.undo_last_edit(writer, rows, expected=edit, main=("household", home["id"]))
    row = hh.household(site_db, home["id"])
    assert row["address"] == "Xóm Bến" and row["version"] == version + 1
    assert last_change_seq(site_db) == seq + 1            # a change that travels
    assert audit_count(site_db) == audited + 1            # history kept, the undo audited
    reason = site_db.execute("SELECT reason FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert reason[0].startswith("Hoàn tác lần sửa lúc ")


def test_a_member_added_in_the_same_save_is_removed_again(site_db, writer, home):
    def save(w):
        hh.update_household(w, home["id"], {"address": "Xóm Mới"})
        return hh.add_member(w, home["id"], {"full_name": "Trần Thị Mai", "sex": "nu",
                                             "birth_date": "1975", "relation": "spouse"})
    member = writer.transact(save).result
    rows = undo.household_rows(site_db, home["id"])
    undo.undo_last_edit(writer, rows, main=("household", home["id"]))
    assert hh.household(site_db, home["id"])["address"] == "Xóm Bến"
    assert [m["full_name"] for m in hh.members(site_db, home["id"])] == ["Nguyễn Văn Đức"]
    assert site_db.execute("SELECT deleted FROM member WHERE id = ?",
                           [member["id"]]).fetchone()[0] == 1


def test_creating_the_record_is_not_undone(site_db, writer, home):
    with pytest.raises(undo.UndoRefused, match="nhập mới hộ"):
        undo.undo_last_edit(writer, undo.household_rows(site_db, home["id"]),
                            main=("household", home["id"]))


def test_refused_when_another_edit_came_after_the_one_shown(site_db, writer, home):
    hh.update_household(writer, home["id"], {"address": "Xóm Một"})
    rows = undo.household_rows(site_db, home["id"])
    shown = undo.last_edit(site_db, rows)
    later()
    other = sites.writer(site_db, "truongthon")           # another user, another moment
    hh.update_household(other, home["id"], {"address": "Xóm Hai"})
    seq = last_change_seq(site_db)
    with pytest.raises(undo.UndoRefused, match="lần sửa khác"):
        undo.undo_last_edit(writer, rows, expected=shown)
    assert hh.household(site_db, home["id"])["address"] == "Xóm Hai"
    assert last_change_seq(site_db) == seq


def test_refused_after_a_change_from_a_package(site_db, writer, home):
    hh.update_household(writer, home["id"], {"address": "Xóm Một"})
    row = hh.household(site_db, home["id"])
    with site_db.conn:
        write_row(site_db, "household", {**syncable_values("household", row),
                                         "version": row["version"] + 1,
                                         "updated_at": row["updated_at"] + "x"},
                  base_version=row["version"], origin="goi-so-3")
    with pytest.raises(undo.UndoRefused, match="gói đồng bộ"):
        undo.undo_last_edit(writer, undo.household_rows(site_db, home["id"]))


def test_refused_when_the_row_is_locked(site_db, writer, home):
    hh.update_household(writer, home["id"], {"address": "Xóm Một"})
    site_db.execute("INSERT INTO row_lock (table_name, row_id, reason, locked_at) "
                    "VALUES ('household', ?, 'đã ký danh sách', '2025-01-01')", [home["id"]])
    site_db.conn.commit()
    with pytest.raises(Locked):
        undo.undo_last_edit(writer, undo.household_rows(site_db, home["id"]))
    assert hh.household(site_db, home["id"])["address"] == "Xóm Một"


def test_a_review_edit_is_undone_but_not_a_complete_review(site_db, writer, home):
    round_ = reviews.create_round(writer, year=2025, kind="periodic")
    later()
    first, _ = writer.transact(lambda w: reviews.save_review(
        w, round_["id"], home["id"], reviewer="Hà Thị Ngân", review_date="2025-11-20",
        screen_result="continue")).result
    later()
    writer.transact(lambda w: reviews.save_review(
        w, round_["id"], home["id"], reviewer="Lê Văn Bình", review_date="2025-11-20",
        screen_result="continue", expected_version=first["version"]))
    rows = undo.review_rows(site_db, round_["id"], home["id"])
    undo.undo_last_edit(writer, rows, main=rows[0])
    assert reviews.review_of(site_db, round_["id"], home["id"])["reviewer"] == "Hà Thị Ngân"
    later()
    writer.update("household_review", rows[0][1], {"status": "complete"})
    with pytest.raises(undo.UndoRefused, match="hoàn thành"):
        undo.undo_last_edit(writer, rows, main=rows[0])


def test_a_save_that_crosses_a_second_is_undone_whole(site_db, writer, home):
    """Every audit row of one transaction carries the moment it began, so a save that takes
    longer than a second (or crosses one) is still one save to undo."""
    member = hh.members(site_db, home["id"])[0]

    def save(w):
        hh.update_household(w, home["id"], {"address": "Xóm Đồi Chè"})
        later()                                       # the clock ticks during the save
        hh.update_member(w, member["id"], {"full_name": "Nguyễn Văn Đức Anh"})

    writer.transact(save)
    rows = undo.household_rows(site_db, home["id"])
    edit = undo.last_edit(site_db, rows)
    assert {(c.table, c.field) for c in edit.changes} == {("household", "address"),
                                                          ("member", "full_name")}
    undo.undo_last_edit(writer, rows, expected=edit, main=("household", home["id"]))
    assert hh.household(site_db, home["id"])["address"] == "Xóm Bến"
    assert hh.members(site_db, home["id"])[0]["full_name"] == "Nguyễn Văn Đức"
    later()                       # writes outside a transaction keep their own moment
    hh.update_household(writer, home["id"], {"address": "Xóm Mới"})
    ats = [r[0] for r in site_db.execute("SELECT at FROM audit_log ORDER BY id DESC LIMIT 2")]
    assert ats[0] > ats[1]
