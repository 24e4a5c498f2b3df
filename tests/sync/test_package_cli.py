"""`gnapp package …` as a clerk runs it: export, import with trust, conflicts, status."""

from gnapp.db import households as hh
from gnapp.db import sites
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.test_cli import run, run_json


def test_export_then_import_with_trust_then_status(commune, office, tmp_path):
    register_two_households(commune)
    c, o = tmp_path / "commune.sqlite", tmp_path / "office.sqlite"
    usb = tmp_path / "usb"
    sent = run_json("package", "export", "--db", c, "--out", usb)
    assert sent["package_no"] == 1 and sent["to_unit"] == "24"
    held = run_json("package", "import", "--db", o, usb)
    [package] = held["packages"]
    assert package["status"] == "untrusted"
    fingerprint = package["fingerprint"]
    assert fingerprint == sites.local_site(commune).fingerprint
    text = run("package", "import", "--db", o, "--trust", fingerprint).output
    assert "đã nhận. mới 8" in text
    status = run_json("package", "status", "--db", o)
    assert status["received"][0]["applied_up_to"] == 1
    assert "đã nhận đến gói số 1" in run("package", "status", "--db", o).output
    assert run_json("package", "export", "--db", c, "--out", usb)["package_no"] is None


def test_a_damaged_file_exits_1_naming_it(office, tmp_path):
    bad = tmp_path / "07339_24_00001.gnsync"
    bad.write_bytes(b"PK\x03\x04 not really")
    result = run("package", "import", "--db", tmp_path / "office.sqlite", bad, code=1)
    assert "Gói 07339_24_00001.gnsync: bị từ chối" in result.output


def test_conflict_listed_and_resolved_from_the_command_line(commune, pc2, tmp_path):
    register_two_households(commune)
    c, p = tmp_path / "commune.sqlite", tmp_path / "pc2.sqlite"
    run("package", "export", "--db", c, "--out", tmp_path / "a", "--to", COMMUNE)
    fingerprint = sites.local_site(commune).fingerprint
    run("package", "import", "--db", p, tmp_path / "a", "--trust", fingerprint)
    head = hh.members(commune, hh.find_by_code(commune, "01-0001", COMMUNE)["id"])[0]
    hh.update_member(sites.writer(commune), head["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head["id"], {"full_name": "Nguyễn Văn Được"})
    run("package", "export", "--db", c, "--out", tmp_path / "b", "--to", COMMUNE)
    result = run_json("package", "import", "--db", p, tmp_path / "b", code=1)
    assert result["packages"][0]["counts"]["conflict"] == 1
    [conflict] = run_json("package", "conflicts", "--db", p)["conflicts"]
    assert conflict["fields"] == [{"field": "full_name", "ours": "Nguyễn Văn Được",
                                   "theirs": "Nguyễn Văn Đức Anh"}]
    run("package", "resolve", str(conflict["id"]), "--db", p, "--set", "full_name=Nguyễn Văn Đức")
    assert run_json("package", "conflicts", "--db", p)["conflicts"] == []
    assert hh.members(pc2, head["household_id"])[0]["full_name"] == "Nguyễn Văn Đức"


def test_a_deletion_against_an_edit_is_decided_as_a_row_from_the_command_line(
        commune, pc2, tmp_path):
    register_two_households(commune)
    c, p = tmp_path / "commune.sqlite", tmp_path / "pc2.sqlite"
    run("package", "export", "--db", c, "--out", tmp_path / "a", "--to", COMMUNE)
    run("package", "import", "--db", p, tmp_path / "a", "--trust",
        sites.local_site(commune).fingerprint)
    child = hh.members(commune, hh.find_by_code(commune, "01-0002", COMMUNE)["id"])[1]
    hh.delete_member(sites.writer(commune), child["id"], reason="Nhập nhầm")
    hh.update_member(sites.writer(pc2), child["id"], {"full_name": "Lò Văn Pọn"})
    run("package", "export", "--db", c, "--out", tmp_path / "b", "--to", COMMUNE)
    run("package", "import", "--db", p, tmp_path / "b", code=1)
    [conflict] = run_json("package", "conflicts", "--db", p)["conflicts"]
    assert (conflict["kind"], conflict["deleted_side"]) == ("deletion", "theirs")
    assert "máy gửi đã xóa dòng, nơi kia đã sửa" in run("package", "conflicts", "--db", p).output
    refused = run("package", "resolve", str(conflict["id"]), "--db", p, "--theirs", "deleted",
                  code=2)
    assert "giữ bản đã xóa hay giữ bản đã sửa" in refused.output
    done = run_json("package", "resolve", str(conflict["id"]), "--db", p, "--row", "deleted")
    assert done["version"] == 3
    assert [m["full_name"] for m in hh.members(pc2, child["household_id"])] == ["Lò Thị Mai"]


def test_approve_and_return_from_the_command_line(commune, office, tmp_path):
    from gnapp.db import reviews

    rows = register_two_households(commune)
    w = sites.writer(commune)
    round_ = reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    reviews.save_review(w, round_["id"], rows["01-0001"]["id"], income_per_person=1_100_000,
                        reviewer="Hà Văn Tâm", review_date="2025-10-02")
    c, o = tmp_path / "commune.sqlite", tmp_path / "office.sqlite"
    run("package", "export", "--db", c, "--out", tmp_path / "up")
    run("package", "import", "--db", o, tmp_path / "up", "--trust",
        sites.local_site(commune).fingerprint)
    done = run_json("approval", "approve", "--db", o, "--commune", COMMUNE, "--round", "2025")
    assert done["reviews"] == 1
    run("approval", "return", "--db", o, "--commune", COMMUNE, "--round", "2025", code=2)
    run("approval", "return", "--db", o, "--commune", COMMUNE, "--round", "2025",
        "--comment", "Thiếu chữ ký người rà soát")
    [item] = run_json("approval", "list", "--db", o)["approvals"]
    assert (item["status"], item["comment"]) == ("returned", "Thiếu chữ ký người rà soát")
    assert "bị trả lại — Thiếu chữ ký" in run("approval", "list", "--db", o).output
