"""Two PCs of one commune and their office: conflicts instead of lost values, decided at the
commune field by field, and the properties of SYNC.md §8."""

import random
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gnapp.db import connection, sites, units
from gnapp.db import households as hh
from gnapp.db.store import NotOwner
from gnapp.sync import conflicts, export, importer
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_faults import stored
from tests.sync.test_round_trip import owned_rows, send


def head_of(db, code="01-0001"):
    return hh.members(db, hh.find_by_code(db, code, COMMUNE)["id"])[0]


@pytest.fixture
def two_pcs(commune, pc2, outbox):
    """PC 1 registered the households; PC 2 received them directly (stream to the commune)."""
    register_two_households(commune)
    send(commune, pc2, outbox / "pc1-1", to_unit=COMMUNE)
    return commune, pc2


def test_the_second_pc_gets_the_first_pcs_register(two_pcs):
    pc1, pc2 = two_pcs
    assert owned_rows(pc2, COMMUNE) == owned_rows(pc1, COMMUNE)


def test_edits_on_two_pcs_give_a_conflict_not_a_lost_value(two_pcs, outbox):
    pc1, pc2 = two_pcs
    hh.update_member(sites.writer(pc1), head_of(pc1)["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"full_name": "Nguyễn Văn Được",
                                                             "ethnicity": "Tày"})
    _, reports = send(pc1, pc2, outbox / "pc1-2", to_unit=COMMUNE)
    plan = reports[0].rows[0]
    assert plan.action == "conflict" and plan.fields == ["ethnicity", "full_name"]
    assert head_of(pc2)["full_name"] == "Nguyễn Văn Được"  # ours kept until a person decides
    [conflict] = conflicts.open_conflicts(pc2)
    assert {f["field"]: (f["ours"], f["theirs"]) for f in conflict.as_dict()["fields"]} == {
        "full_name": ("Nguyễn Văn Được", "Nguyễn Văn Đức Anh"), "ethnicity": ("Tày", None)}
    # applying the same package again does not queue it twice
    again = importer.import_files(pc2, [outbox / "pc1-2" / f"{COMMUNE}_{COMMUNE}_00002.gnsync"])
    assert again[0].status == "already"
    assert len(conflicts.open_conflicts(pc2)) == 1

    with pytest.raises(Exception, match="Chưa chọn giá trị cho: full_name"):
        conflicts.resolve(pc2, conflict.id, {"ethnicity": "ours"})
    row = conflicts.resolve(pc2, conflict.id, {"full_name": "theirs", "ethnicity": "ours"},
                            user="canbo2")
    assert (row["full_name"], row["ethnicity"], row["version"]) == ("Nguyễn Văn Đức Anh", "Tày", 3)
    assert conflicts.open_conflicts(pc2) == []
    audit = pc2.execute("SELECT user, field, new, reason FROM audit_log WHERE row_id = ? "
                        "AND reason LIKE 'Giải quyết xung đột%'", [row["id"]]).fetchall()
    assert audit == [("canbo2", "full_name", "Nguyễn Văn Đức Anh",
                      f"Giải quyết xung đột số {conflict.id}")]
    # the decision travels back and PC 1 takes it as an update of its own version
    _, back = send(pc2, pc1, outbox / "pc2-1", to_unit=COMMUNE)
    member_plan = next(p for p in back[0].rows if p.row_id == row["id"])
    assert member_plan.action == "update"
    assert owned_rows(pc1, COMMUNE) == owned_rows(pc2, COMMUNE)


def test_the_office_holds_a_conflict_between_two_commune_pcs_and_sends_it_back(
        two_pcs, office, outbox):
    pc1, pc2 = two_pcs
    hh.update_member(sites.writer(pc1), head_of(pc1)["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"full_name": "Nguyễn Văn Được"})
    send(pc1, office, outbox / "to-office-1")
    _, reports = send(pc2, office, outbox / "to-office-2")
    assert [p.action for p in reports[0].rows if p.action != "unchanged"] == ["conflict"]
    [held] = conflicts.open_conflicts(office)
    with pytest.raises(NotOwner, match="Chỉ đơn vị sở hữu dữ liệu \\(07339\\)"):
        conflicts.resolve(office, held.id, {"full_name": "ours"})
    # the office's ack to the commune carries the conflict; PC 2 queues it for a person
    ack = export.export_package(office, outbox / "down", to_unit=COMMUNE, kind="ack")
    fingerprint = sites.local_site(office).fingerprint
    importer.import_files(pc2, ack.paths, trust=[fingerprint])
    [queued] = conflicts.open_conflicts(pc2)
    assert (queued.local["full_name"], queued.remote["full_name"]) == (
        "Nguyễn Văn Được", "Nguyễn Văn Đức Anh")
    conflicts.resolve(pc2, queued.id, {"full_name": {"value": "Nguyễn Văn Đức"}})
    # the decision reaches the office, closes its conflict, and both agree
    _, closing = send(pc2, office, outbox / "to-office-3")
    assert [p.action for p in closing[0].rows] == ["update"]
    assert conflicts.open_conflicts(office) == []
    assert head_of(office)["full_name"] == "Nguyễn Văn Đức"


def test_changes_forwarded_by_the_second_pc_are_fast_forwards(two_pcs, office, outbox):
    """PC 2 edits on top of PC 1's edit and reaches the office first: no conflict."""
    pc1, pc2 = two_pcs
    hh.update_member(sites.writer(pc1), head_of(pc1)["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    first = export.export_package(pc1, outbox / "pc1-office")  # travels slowly
    send(pc1, pc2, outbox / "pc1-pc2", to_unit=COMMUNE)
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"ethnicity": "Tày"})
    _, reports = send(pc2, office, outbox / "pc2-office")
    assert set(reports[0].tables) == {"new"} and not reports[0].rows
    late = importer.import_files(office, first.paths, trust=[sites.local_site(pc1).fingerprint])
    assert late[0].tables["unchanged"]["member"] == 3 and not late[0].rows
    assert head_of(office)["full_name"] == "Nguyễn Văn Đức Anh"
    assert head_of(office)["ethnicity"] == "Tày"
    assert conflicts.open_conflicts(office) == []


# -- properties (SYNC.md §8), with bounded example counts -------------------------------

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Đức Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


@pytest.fixture(scope="module")
def _pair_templates(tmp_path_factory, _site_template, _office_template):
    """A commune with its register and an office: copied fresh for every example."""
    folder = tmp_path_factory.mktemp("pair")
    shutil.copy(_site_template, folder / "commune.sqlite")
    shutil.copy(_office_template, folder / "office.sqlite")
    db = connection.connect(folder / "commune.sqlite")
    register_two_households(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return folder


operations = st.lists(st.tuples(st.sampled_from(["edit", "edit", "export"]),
                                st.integers(0, 2), st.sampled_from(NAMES)),
                      min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ops=operations, seed=st.integers(0, 10_000))
def test_any_delivery_order_converges_and_reapplying_changes_nothing(_pair_templates, ops, seed):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("commune.sqlite", "office.sqlite"):
            shutil.copy(_pair_templates / name, tmp / name)
        commune = connection.connect(tmp / "commune.sqlite")
        office = connection.connect(tmp / "office.sqlite")
        w = sites.writer(commune)
        members = [m["id"] for code in ("01-0001", "01-0002")
                   for m in hh.members(commune, hh.find_by_code(commune, code, COMMUNE)["id"])]
        files = []
        for op, which, name in ops + [("export", 0, "")]:
            if op == "edit":
                hh.update_member(w, members[which], {"full_name": name})
            else:
                files += export.export_package(commune, tmp / "out").paths
        # delivered shuffled, some twice, in several batches
        rng = random.Random(seed)
        deliveries = files + rng.sample(files, k=len(files) // 2)
        rng.shuffle(deliveries)
        fingerprint = sites.local_site(commune).fingerprint
        for i in range(0, len(deliveries), 2):
            importer.import_files(office, deliveries[i:i + 2], trust=[fingerprint])
        assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
        assert conflicts.open_conflicts(office) == []
        before = stored(office)
        importer.import_files(office, files)
        assert stored(office) == before
        commune.close()
        office.close()


def test_a_village_made_on_two_pcs_that_never_met_is_refused_as_a_repeated_code(
        commune, pc2, outbox):
    """Two PCs that have never exchanged a package both number their first village
    07339.01 (PCs that know each other number in their own series: test_village_codes):
    the package is refused naming the repeated fields, not a missing row, and nothing of it
    is written."""
    pc1 = commune
    units.add_village(sites.writer(pc1), "Thôn Bắc Sơn")
    units.add_village(sites.writer(pc2), "Thôn Nam Sơn")
    before = owned_rows(pc2, COMMUNE)
    _, reports = send(pc1, pc2, outbox / "pc1-2", to_unit=COMMUNE)
    assert reports[0].status == "refused"
    assert reports[0].reason.startswith("dữ liệu trong gói trùng với dữ liệu đã có ở máy này "
                                        "(trường «code»")
    assert owned_rows(pc2, COMMUNE) == before
