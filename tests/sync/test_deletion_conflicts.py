"""A deletion on one PC against an edit on another: one whole-row decision (keep deleted /
keep edited and restore), with who deleted and who edited, travelling like any decision."""

import pytest

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.db.store import get_row
from gnapp.domain.errors import InputError
from gnapp.sync import conflicts, export, importer
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import owned_rows, send


def child_of(db):
    home = hh.find_by_code(db, "01-0002", COMMUNE)
    return next(m for m in hh.members(db, home["id"]) if m["full_name"] == "Lò Văn Pọm")


@pytest.fixture
def two_pcs(commune, pc2, outbox):
    register_two_households(commune)
    send(commune, pc2, outbox / "pc1-1", to_unit=COMMUNE)
    return commune, pc2


def _delete_and_edit(pc1, pc2):
    member_id = child_of(pc1)["id"]
    hh.delete_member(sites.writer(pc1), member_id, reason="Nhập nhầm người của hộ khác")
    hh.update_member(sites.writer(pc2, "canbo2"), member_id, {"full_name": "Lò Văn Pọn",
                                                              "ethnicity": "Thái"})
    return member_id


def test_a_deletion_against_an_edit_is_one_row_decision_keep_edited(two_pcs, outbox):
    pc1, pc2 = two_pcs
    member_id = _delete_and_edit(pc1, pc2)
    _, reports = send(pc1, pc2, outbox / "pc1-2", to_unit=COMMUNE)
    [plan] = [p for p in reports[0].rows if p.row_id == member_id]
    assert plan.action == "conflict" and "deleted" in plan.fields
    [conflict] = conflicts.open_conflicts(pc2)
    assert conflict.is_deletion and conflict.deleted_side == "theirs"
    assert conflict.as_dict()["kind"] == "deletion"
    assert [c["label"] for c in conflict.as_dict()["choices"]] == [
        "Giữ bản đã xóa", "Giữ bản đã sửa (khôi phục)"]
    info = conflicts.deletion(pc2, conflict)
    assert info.deleted.site_name == sites.local_site(pc1).display_name
    assert info.edited.site_name == sites.local_site(pc2).display_name
    assert info.edited.user == "canbo2" and info.edited.here   # the edit was made on this PC
    assert not info.deleted.here
    assert info.deleted.fingerprint == sites.local_site(pc1).fingerprint
    assert info.deleted.at and info.edited.at     # "dd/mm/yyyy HH:MM"
    assert info.edited_values["full_name"] == "Lò Văn Pọn"
    # field by field makes no sense for a deletion: the row choice is required
    with pytest.raises(InputError, match="giữ bản đã xóa hay giữ bản đã sửa"):
        conflicts.resolve(pc2, conflict.id, {"full_name": "ours"})
    with pytest.raises(InputError, match="không hợp lệ"):
        conflicts.resolve(pc2, conflict.id, {"row": "ours"})
    row = conflicts.resolve(pc2, conflict.id, {"row": "edited"}, user="canbo2")
    assert (row["deleted"], row["full_name"], row["ethnicity"]) == (0, "Lò Văn Pọn", "Thái")
    assert row["version"] == 3
    assert conflicts.open_conflicts(pc2) == []
    # the decision travels back: PC 1, which deleted the row, gets it restored
    _, back = send(pc2, pc1, outbox / "pc2-1", to_unit=COMMUNE)
    assert next(p for p in back[0].rows if p.row_id == member_id).action == "update"
    restored = get_row(pc1, "member", member_id)
    assert (restored["deleted"], restored["full_name"]) == (0, "Lò Văn Pọn")
    assert owned_rows(pc1, COMMUNE) == owned_rows(pc2, COMMUNE)
    assert "Lò Văn Pọn" in [m["full_name"] for m in hh.members(
        pc1, hh.find_by_code(pc1, "01-0002", COMMUNE)["id"])]


def test_keep_deleted_decided_where_the_row_was_deleted(two_pcs, outbox):
    """PC 1 deleted, PC 2 edited; PC 1 receives the edit, sees its own deletion as ours and
    keeps it: the row stays deleted everywhere, the edit is not lost from the conflict."""
    pc1, pc2 = two_pcs
    member_id = _delete_and_edit(pc1, pc2)
    send(pc2, pc1, outbox / "pc2-1", to_unit=COMMUNE)
    [conflict] = conflicts.open_conflicts(pc1)
    assert conflict.deleted_side == "ours"
    info = conflicts.deletion(pc1, conflict)
    assert info.deleted.reason == "Nhập nhầm người của hộ khác"
    assert info.deleted.user == sites.actor(pc1).user
    row = conflicts.resolve(pc1, conflict.id, {"row": "deleted"})
    assert row["deleted"] == 1 and row["version"] == 3
    stored = pc1.execute("SELECT decision FROM conflict WHERE id = ?",
                         [conflict.id]).fetchone()[0]
    assert stored == '{"row": "deleted"}'
    _, back = send(pc1, pc2, outbox / "pc1-2", to_unit=COMMUNE)
    assert next(p for p in back[0].rows if p.row_id == member_id).action == "update"
    assert get_row(pc2, "member", member_id)["deleted"] == 1
    assert conflicts.open_conflicts(pc2) == []
    assert owned_rows(pc1, COMMUNE) == owned_rows(pc2, COMMUNE)


def test_the_office_holds_a_deletion_conflict_and_the_commune_decides(two_pcs, office,
                                                                       outbox):
    pc1, pc2 = two_pcs
    member_id = _delete_and_edit(pc1, pc2)
    send(pc1, office, outbox / "o1")
    _, reports = send(pc2, office, outbox / "o2")
    assert [p.action for p in reports[0].rows if p.row_id == member_id] == ["conflict"]
    [held] = conflicts.open_conflicts(office)
    assert held.is_deletion and held.deleted_side == "ours"   # the office holds PC 1's tombstone
    ack = export.export_package(office, outbox / "down", to_unit=COMMUNE, kind="ack")
    importer.import_files(pc2, ack.paths, trust=[sites.local_site(office).fingerprint])
    [queued] = conflicts.open_conflicts(pc2)
    assert queued.is_deletion and queued.deleted_side == "theirs"
    conflicts.resolve(pc2, queued.id, {"row": "edited"})
    _, closing = send(pc2, office, outbox / "o3")
    assert conflicts.open_conflicts(office) == []
    at_office = get_row(office, "member", member_id)
    assert (at_office["deleted"], at_office["full_name"]) == (0, "Lò Văn Pọn")
    assert owned_rows(office, COMMUNE)["member"] == owned_rows(pc2, COMMUNE)["member"]


def test_a_row_deleted_on_both_pcs_after_different_edits_is_decided_by_field_and_stays_deleted(
        two_pcs, outbox):
    pc1, pc2 = two_pcs
    member_id = child_of(pc1)["id"]
    for db, name in ((pc1, "Lò Văn Pọn"), (pc2, "Lò Văn Pom")):
        hh.update_member(sites.writer(db), member_id, {"full_name": name})
        hh.delete_member(sites.writer(db), member_id, reason="Nhập nhầm")
    send(pc1, pc2, outbox / "pc1-2", to_unit=COMMUNE)
    [conflict] = conflicts.open_conflicts(pc2)
    assert not conflict.is_deletion and conflict.fields == ["full_name"]
    row = conflicts.resolve(pc2, conflict.id, {"full_name": "theirs"})
    assert (row["full_name"], row["deleted"]) == ("Lò Văn Pọn", 1)
    send(pc2, pc1, outbox / "pc2-1", to_unit=COMMUNE)
    assert owned_rows(pc1, COMMUNE) == owned_rows(pc2, COMMUNE)
