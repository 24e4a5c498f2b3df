"""Merged communes: the register of a former commune's gnapp database joins the new one."""

import pytest

from gnapp.db import connection, merge, sites, units
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
