"""Each step of the import pipeline on its own: read, verify, order, plan (SYNC.md §5)."""

import pytest

from gnapp.db import households as hh
from gnapp.db import sites
from gnapp.sync import export, importer
from gnapp.sync import package as pkg
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households


@pytest.fixture
def first(commune, outbox):
    register_two_households(commune)
    return pkg.read_file(export.export_package(commune, outbox).paths[0])


def test_read_gives_the_manifest_and_records(first):
    assert (first.kind, first.package_no, first.stream["to_unit"]) == ("changes", 1, "24")
    records = pkg.decode_records(first.file, first.payload)
    assert [r["table"] for r in records].count("member") == 3
    head = next(r for r in records if r["table"] == "household")
    assert head["base_version"] == 0 and head["history"][0][:2] == [1, 0]


def test_verify_knows_trusted_sites_and_holds_new_ones(first, office):
    assert importer.verify(office, first) is None
    site = importer.verify(office, first, trust=[sites.key_fingerprint(first.sender_key)])
    assert site["trusted_at"] and site["unit_code"] == COMMUNE
    assert importer.verify(office, first)["id"] == first.stream["from_site"]


def test_order_applies_the_next_holds_a_later_and_recognises_an_applied(
        commune, office, outbox, first):
    fingerprint = sites.key_fingerprint(first.sender_key)
    assert importer.order(office, first)[0] == "apply"
    importer.import_files(office, [outbox / first.file], trust=[fingerprint])
    assert importer.order(office, first)[:2] == ("already", "gói số 1 đã được nhận trước đó.")
    w = sites.writer(commune)
    home = hh.find_by_code(commune, "01-0001", COMMUNE)
    for n in range(2):
        w.update("household", home["id"], {"address": f"Xóm {n}"})
        later = export.export_package(commune, outbox / str(n)).paths[0]
    assert importer.order(office, pkg.read_file(later))[:2] == ("held", "chờ gói số 2.")


def test_plan_rules_apply_top_to_bottom(commune, office, outbox, first):
    """Invalid before wrong owner, wrong owner before locked, locked before new/update."""
    importer.import_files(office, [outbox / first.file],
                          trust=[sites.key_fingerprint(first.sender_key)])
    records = pkg.decode_records(first.file, first.payload)
    member = next(r for r in records if r["table"] == "member")
    office.execute("INSERT INTO row_lock VALUES ('member', ?, 'đã ký', '2026-01-01')",
                   [member["id"]])

    def plan(**row_changes):
        record = {**member, "updated_at": member["updated_at"][:-1] + "x",
                  "row": {**member["row"], **row_changes}}
        record["row"]["updated_at"] = record["updated_at"]
        return importer.plan_record(office, record, COMMUNE, "changes")

    assert plan(sex="?", owner_unit="07306").action == "refused"
    assert plan(sex="?", owner_unit="07306").reason.startswith("Không hợp lệ")
    assert plan(owner_unit="07306").reason.startswith("Sai chủ sở hữu")
    assert plan().reason == "Đã khóa: đã ký."
    already = importer.plan_record(office, member, COMMUNE, "changes")
    assert (already.action, already.reason) == ("unchanged", "Đã có thay đổi này.")
