"""Households, members and documents entered by mistake: to the trash and back."""

import pytest

from gnapp.db import households as hh
from gnapp.db import checks, plan_documents, sites, trash, units
from gnapp.db.store import NotFound, WriteError


def person(name, relation="head", sex="nam", year="1980"):
    return {"full_name": name, "sex": sex, "birth_date": year, "ethnicity": "Kinh",
            "relation": relation}


@pytest.fixture
def village(writer):
    return units.add_village(writer, "Thôn Đồng Tâm")


@pytest.fixture
def home(writer, village):
    row = hh.add_household(writer, village_id=village["id"], area="rural",
                           head=person("Nguyễn Văn Bình"), on_date="2024-01-01")
    hh.add_member(writer, row["id"], person("Trần Thị Hoa", "spouse", "nu", "1982"))
    hh.add_member(writer, row["id"], person("Nguyễn Văn Nhầm", "child", "nam", "2010"))
    return row


def found(db, text):
    return [r["code"] for r in hh.list_households(db, search=text, status=None)]


def in_trash(db):
    return {(r["table"], r["label"]) for r in trash.list_deleted(db, "07339")}


def member_id(db, name):
    return db.execute("SELECT id FROM member WHERE full_name = ?", [name]).fetchone()[0]


def test_a_household_goes_to_the_trash_with_its_members_and_comes_back(site_db, writer, home):
    code = home["code"]
    assert found(site_db, "binh") == [code]
    hh.delete_household(sites.writer(site_db, "canbo"), home["id"], reason="Nhập trùng hộ")

    assert found(site_db, "binh") == [] and found(site_db, "hoa") == []
    assert hh.count_households(site_db) == 0
    assert checks.check(site_db).ok
    assert site_db.execute("SELECT count(*) FROM household_round WHERE household_id = ?",
                           [home["id"]]).fetchone()[0] == 0
    rows = trash.list_deleted(site_db, "07339")
    assert [(r["table"], r["label"]) for r in rows] == [
        ("household", f"Hộ {code} – Nguyễn Văn Bình")]
    assert rows[0]["reason"] == "Nhập trùng hộ" and rows[0]["deleted_by"] == "canbo"
    assert "3 thành viên" in rows[0]["detail"] and rows[0]["deleted_at"]
    # nothing removed: the rows are tombstones
    assert site_db.execute("SELECT count(*) FROM member WHERE household_id = ? AND deleted = 1",
                           [home["id"]]).fetchone()[0] == 3

    trash.restore(sites.writer(site_db, "canbo"), "household", home["id"], "Xóa nhầm")
    assert found(site_db, "binh") == [code] and found(site_db, "hoa") == [code]
    assert len(hh.members(site_db, home["id"])) == 3
    assert len(hh.events(site_db, home["id"])) == 1
    assert trash.list_deleted(site_db) == [] and checks.check(site_db).ok
    audit = site_db.execute("SELECT user, old, new, reason FROM audit_log WHERE table_name = "
                            "'household' AND row_id = ? AND field = 'deleted' ORDER BY id",
                            [home["id"]]).fetchall()
    assert audit == [("canbo", "0", "1", "Nhập trùng hộ"), ("canbo", "1", "0", "Xóa nhầm")]
    logged = site_db.execute("SELECT version, base_version FROM change_log WHERE row_id = ? "
                             "ORDER BY seq", [home["id"]]).fetchall()
    assert logged[-1] == (3, 2)


def test_a_member_goes_to_the_trash_and_comes_back(site_db, writer, home):
    wrong = member_id(site_db, "Nguyễn Văn Nhầm")
    hh.delete_member(writer, wrong, reason="Không phải người của hộ")
    assert [m["full_name"] for m in hh.members(site_db, home["id"])] == [
        "Nguyễn Văn Bình", "Trần Thị Hoa"]
    assert found(site_db, "nham") == []
    [row] = trash.list_deleted(site_db, "07339")
    assert (row["table"], row["label"], row["reason"]) == (
        "member", "Nguyễn Văn Nhầm", "Không phải người của hộ")
    assert row["detail"] == f"Hộ {home['code']}"

    trash.restore(writer, "member", wrong, "Đúng là người của hộ")
    assert found(site_db, "nham") == [home["code"]]
    assert site_db.execute("SELECT members FROM household_index WHERE household_id = ?",
                           [home["id"]]).fetchone()[0] == 3


def test_a_member_deleted_before_its_household_stays_deleted_when_it_comes_back(
        site_db, writer, home):
    hh.delete_member(writer, member_id(site_db, "Nguyễn Văn Nhầm"), reason="Nhập nhầm")
    hh.delete_household(writer, home["id"], reason="Nhập trùng hộ")
    assert in_trash(site_db) == {("household", f"Hộ {home['code']} – Nguyễn Văn Bình"),
                                 ("member", "Nguyễn Văn Nhầm")}
    with pytest.raises(WriteError, match="Hãy khôi phục hộ trước"):
        trash.restore(writer, "member", member_id(site_db, "Nguyễn Văn Nhầm"), "Sai")
    trash.restore(writer, "household", home["id"], "Xóa nhầm")
    assert len(hh.members(site_db, home["id"])) == 2
    assert in_trash(site_db) == {("member", "Nguyễn Văn Nhầm")}


def test_the_head_is_refused_while_others_remain(site_db, writer, home):
    head = member_id(site_db, "Nguyễn Văn Bình")
    with pytest.raises(WriteError, match="chủ hộ .* còn 2 thành viên khác"):
        hh.delete_member(writer, head, reason="Nhầm")
    for name in ("Trần Thị Hoa", "Nguyễn Văn Nhầm"):
        hh.delete_member(writer, member_id(site_db, name), reason="Nhầm")
    with pytest.raises(WriteError, match="người duy nhất .* hãy xóa hộ"):
        hh.delete_member(writer, head, reason="Nhầm")
    assert len(hh.members(site_db, home["id"])) == 1


def test_a_reason_is_required(site_db, writer, home):
    with pytest.raises(WriteError, match="Cần ghi lý do"):
        hh.delete_household(writer, home["id"], reason="  ")
    with pytest.raises(WriteError, match="Cần ghi lý do"):
        hh.delete_member(writer, member_id(site_db, "Trần Thị Hoa"), reason="")
    hh.delete_member(writer, member_id(site_db, "Trần Thị Hoa"), reason="Nhầm")
    with pytest.raises(WriteError, match="Cần ghi lý do"):
        trash.restore(writer, "member", member_id(site_db, "Trần Thị Hoa"), " ")


def test_a_member_who_left_or_a_household_with_history_is_not_deleted(site_db, writer, home):
    spouse = member_id(site_db, "Trần Thị Hoa")
    hh.move_out_member(writer, spouse, "2025-03-01")
    with pytest.raises(WriteError, match="đã có biến động"):
        hh.delete_member(writer, spouse, reason="Nhầm")
    other = hh.split_household(writer, home["id"], [member_id(site_db, "Nguyễn Văn Nhầm")],
                               new_head_id=member_id(site_db, "Nguyễn Văn Nhầm"),
                               on_date="2025-04-01")
    with pytest.raises(WriteError, match="tách, nhập hộ"):
        hh.delete_household(writer, home["id"], reason="Nhầm")
    assert other["status"] == "active"


def test_a_household_code_taken_meanwhile_is_refused(site_db, writer, home, village):
    code = home["code"]
    hh.delete_household(writer, home["id"], reason="Nhập trùng hộ")
    hh.add_household(writer, village_id=village["id"], area="rural", code=code,
                     head=person("Lê Văn Mới"), on_date="2024-02-01")
    with pytest.raises(WriteError, match="mã hộ này đã dùng cho một hộ khác"):
        trash.restore(writer, "household", home["id"], "Xóa nhầm")
    assert found(site_db, "binh") == []


def test_restore_of_what_is_not_in_the_trash(site_db, writer, home):
    with pytest.raises(NotFound, match="trong thùng rác"):
        trash.restore(writer, "household", home["id"], "Thử")
    with pytest.raises(WriteError, match="Thùng rác không có loại dữ liệu"):
        trash.restore(writer, "allocation_line", home["id"], "Thử")


def test_a_deleted_draft_document_comes_back(site_db, writer):
    doc = plan_documents.create(writer, kind="plan", year=2026,
                                subject="Kế hoạch giảm nghèo năm 2026")
    plan_documents.delete(writer, doc["id"], reason="Lập trùng")
    [row] = trash.list_deleted(site_db, "07339")
    assert (row["kind"], row["label"], row["detail"]) == (
        "Văn bản", "Kế hoạch giảm nghèo năm 2026", "Kế hoạch năm 2026")
    trash.restore(writer, "plan_document", doc["id"], "Cần giữ")
    assert [d["id"] for d in plan_documents.documents(site_db)] == [doc["id"]]


def test_other_units_rows_are_not_listed_for_this_unit(site_db, writer, home):
    hh.delete_household(writer, home["id"], reason="Nhầm")
    assert trash.list_deleted(site_db, "99999") == []
    assert len(trash.list_deleted(site_db)) == 1


def test_trash_from_the_command_line(site_db, site_path, writer, home):
    import json

    from click.testing import CliRunner

    from gnapp.cli import cli

    def run(*args, code=0):
        result = CliRunner().invoke(cli, [str(a) for a in args])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    hh.delete_household(writer, home["id"], reason="Nhập trùng hộ")
    listed = run("trash", "list", "--db", site_path, "--json")
    assert [(r["table"], r["id"], r["reason"]) for r in listed["rows"]] == [
        ("household", home["id"], "Nhập trùng hộ")]
    assert "bút toán" in listed["note"]
    done = run("trash", "restore", "household", home["id"], "--reason", "Xóa nhầm",
               "--db", site_path, "--json")
    assert done["ok"] and found(site_db, "binh") == [home["code"]]
    again = run("trash", "restore", "household", home["id"], "--reason", "Xóa nhầm",
                "--db", site_path, "--json", code=1)
    assert "trong thùng rác" in again["error"]
