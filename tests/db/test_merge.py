"""Merged communes: the register of a former commune's gnapp database joins the new one."""

import pytest

from gnapp.db import connection, merge, procedure, reviews, sites, units
from gnapp.db import households as hh
from gnapp.domain.errors import GnappError


@pytest.fixture
def former(tmp_path):
    """The gnapp database of a former commune (here: Xã Nhã Nam, 07306), two villages."""
    path = tmp_path / "nha-nam.sqlite"
    db = connection.connect(path)
    sites.init_site(db, "07306", "commune")
    w = sites.writer(db)
    one = units.add_village(w, "Thôn Đồng Tâm")       # same name as a village of the new commune
    two = units.add_village(w, "Thôn Nam Cầu")
    hh.add_household(w, village_id=one["id"], area="rural", code="01-0001",
                     head={"full_name": "Nguyễn Văn Đức", "sex": "nam", "birth_date": "1975"},
                     on_date="2015-03-01")
    home = hh.add_household(w, village_id=two["id"], area="rural", code="02-0001",
                            head={"full_name": "Lò Thị Mai", "sex": "nu", "birth_date": "1980"})
    hh.add_member(w, home["id"], {"full_name": "Lò Văn Pọm", "sex": "nam", "birth_date": "2005",
                                  "relation": "child"})
    db.close()
    return path


@pytest.fixture
def former_reviewed(former):
    """The former commune with its periodic round of 2025: Lò Thị Mai's review complete (poor),
    the meeting of Thôn Nam Cầu and a commune-wide decision of the former commune."""
    db = connection.connect(former)
    w = sites.writer(db)
    round_ = reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    mai = hh.find_by_code(db, "02-0001", "07306")
    review, _ = reviews.save_review(
        w, round_["id"], mai["id"], income_per_person=1_100_000, reviewer="Hà Văn Tâm",
        review_date="2025-10-02",
        deprivations={i.code: i.order in (1, 4, 8) for i in reviews.standard("CN2022").indicators})
    reviews.complete_review(w, review["id"])
    nam_cau = next(v for v in units.children(db, "07306", level="village")
                   if v["name"] == "Thôn Nam Cầu")
    procedure.record_meeting(w, round_["id"], nam_cau["id"], held_on="2025-10-20", attendees=40,
                             agreed=31)
    procedure.record_decision(w, round_["id"], signed_on="2025-12-10", number="15/QĐ-UBND",
                              signer="Đỗ Văn Hải")
    db.close()
    return former


@pytest.fixture
def here(site_db, writer):
    """The new commune 07339 with one village and one household whose code collides."""
    village = units.add_village(writer, "Thôn Đồng Tâm")
    hh.add_household(writer, village_id=village["id"], area="rural", code="01-0001",
                     head={"full_name": "Nguyen Van Duc", "sex": "nam", "birth_date": "1975"})
    return site_db


def test_a_former_commune_joins_with_its_codes_kept(here, writer, former):
    before = former.read_bytes()
    report = merge.merge_former_commune(writer, former)
    assert former.read_bytes() == before  # the former file is only read
    assert (report.households, report.members, report.former_unit) == (2, 3, "07306")
    assert report.villages == [("Thôn Đồng Tâm", "Thôn Đồng Tâm (Xã Nhã Nam)"),
                               ("Thôn Nam Cầu", "Thôn Nam Cầu")]
    assert report.rekeyed == [("01-0001", "07306-01-0001")]
    moved = hh.find_by_code(here, "07306-01-0001", "07339")
    assert (moved["former_unit_code"], moved["former_code"]) == ("07306", "01-0001")
    kept = hh.find_by_code(here, "02-0001", "07339")
    assert [m["full_name"] for m in hh.members(here, kept["id"])] == ["Lò Thị Mai", "Lò Văn Pọm"]
    assert [e["kind"] for e in hh.events(here, moved["id"])] == ["created"]
    assert report.duplicates == 1   # Nguyễn Văn Đức 1975 is in both registers: for a person
    assert hh.count_households(here) == 3


def test_a_dry_run_writes_nothing(here, writer, former):
    before = here.execute("SELECT count(*) FROM change_log").fetchone()[0]
    report = merge.merge_former_commune(writer, former, dry_run=True)
    assert report.households == 2 and report.rekeyed
    assert here.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert hh.count_households(here) == 1


def test_merging_this_communes_own_file_or_junk_is_refused(here, writer, site_path, tmp_path):
    with pytest.raises(GnappError, match="chính xã này"):
        merge.merge_former_commune(writer, site_path)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(GnappError, match="không phải cơ sở dữ liệu gnapp"):
        merge.merge_former_commune(writer, junk)


def test_the_former_communes_rounds_and_reviews_come_along(here, writer, former_reviewed):
    report = merge.merge_former_commune(writer, former_reviewed)
    assert report.rounds_added == ["rà soát định kỳ năm 2025"]
    assert (report.reviews, report.steps, report.steps_left) == (1, 1, 1)
    round_ = reviews.rounds(here, "07339")[0]
    assert (round_["year"], round_["kind"], round_["standard_id"]) == (2025, "periodic", "CN2022")
    mai = hh.find_by_code(here, "02-0001", "07339")
    review = reviews.review_of(here, round_["id"], mai["id"])
    assert (review["status"], review["class"], review["b2"], review["reviewer"]) == (
        "complete", "poor", 30, "Hà Văn Tâm")
    meeting = next(here.query("SELECT * FROM procedure_step WHERE kind = 'meeting'"))
    village = next(v for v in units.children(here, "07339", level="village")
                   if v["id"] == meeting["village_id"])
    assert village["name"] == "Thôn Nam Cầu"
    assert (meeting["attendees"], meeting["agreed"]) == (40, 31)


def test_a_round_the_new_commune_has_takes_the_former_reviews(here, writer, former_reviewed):
    ours = reviews.create_round(writer, year=2025, kind="periodic", standard_id="CN2022")
    report = merge.merge_former_commune(writer, former_reviewed)
    assert report.rounds_added == [] and report.reviews == 1
    assert [r["id"] for r in reviews.rounds(here, "07339")] == [ours["id"]]


def test_a_former_village_joins_a_village_of_the_new_commune_when_told(here, writer, former):
    ours = units.children(here, "07339", level="village")[0]
    report = merge.merge_former_commune(writer, former, villages={
        "Thôn Đồng Tâm": ours["code"], "Thôn Nam Cầu": "Thôn Nam Cầu Mới"})
    assert report.villages == [("Thôn Đồng Tâm", "Thôn Đồng Tâm"),
                               ("Thôn Nam Cầu", "Thôn Nam Cầu Mới")]
    moved = hh.find_by_code(here, "07306-01-0001", "07339")
    assert moved["village_id"] == ours["id"]
    assert [v["name"] for v in units.children(here, "07339", level="village")] == [
        "Thôn Đồng Tâm", "Thôn Nam Cầu Mới"]


def test_a_village_map_naming_what_is_not_there_changes_nothing(here, writer, former):
    before = hh.count_households(here)
    with pytest.raises(GnappError, match="Xã cũ không có thôn Thôn Bãi Dài"):
        merge.merge_former_commune(writer, former, villages={"Thôn Bãi Dài": "07339.01"})
    with pytest.raises(GnappError, match="Tên thôn mới «Thôn Mới» đã có"):
        merge.merge_former_commune(writer, former, villages={"Thôn Nam Cầu": "Thôn Mới",
                                                             "Thôn Đồng Tâm": "Thôn Mới"})
    assert hh.count_households(here) == before
