"""Packages between two and three real databases: export, trust, apply, re-apply, acks."""

import pytest

from gnapp.db import households as hh
from gnapp.db import registry, sites
from gnapp.sync import export, importer, ledger
from gnapp.sync import package as pkg
from tests.conftest import COMMUNE, PROVINCE
from tests.sync.conftest import register_two_households


def owned_rows(db, unit: str) -> dict[str, list[dict]]:
    """Every syncable row the unit owns, table by table, without local derived columns."""
    out = {}
    for name, spec in registry.SYNCABLE.items():
        rows = db.execute(f"SELECT * FROM {name} WHERE owner_unit = ? ORDER BY id", [unit])
        columns = [d[0] for d in rows.description]
        out[name] = [{k: v for k, v in zip(columns, r) if k not in spec.derived}
                     for r in rows.fetchall()]
    return out


# A manifest as export makes it, before ``build`` adds the payload's hash and encryption.
MANIFEST = {"format": list(pkg.FORMAT), "package_id": "p", "package_no": 1,
            "stream": {"from_site": "a", "from_unit": COMMUNE, "to_unit": PROVINCE},
            "previous_hash": "", "kind": "changes", "schema_version": [1, 0],
            "created_at": "s", "counts": {}, "sender": {"sign_public": "k", "enc_public": "k"}}


def send(source, target, outbox, *, to_unit=None, trust=True, **kw):
    """Export the next package of ``source`` and import it at ``target`` (confirming the
    sender's key the way a person would, from the fingerprint the import shows)."""
    result = export.export_package(source, outbox, to_unit=to_unit, **kw)
    reports = importer.import_files(target, result.paths)
    if trust and reports[0].status == "untrusted":
        reports = importer.import_files(target, result.paths, trust=[reports[0].fingerprint])
    return result, reports


def test_commune_register_arrives_whole_at_the_office(commune, office, outbox):
    register_two_households(commune)
    result, reports = send(commune, office, outbox)
    assert result.package_no == 1 and result.paths[0].name == f"{COMMUNE}_{PROVINCE}_00001.gnsync"
    assert result.counts == {"admin_unit": 1, "household": 2, "member": 3, "household_event": 2}
    assert [r.status for r in reports] == ["applied"]
    assert reports[0].counts["new"] == 8
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    # the office's local index and collation keys were derived on arrival
    assert [h["code"] for h in hh.list_households(office)] == ["01-0001", "01-0002"]


def test_unknown_sender_is_held_until_its_fingerprint_is_confirmed(commune, office, outbox):
    register_two_households(commune)
    result = export.export_package(commune, outbox)
    fingerprint = sites.local_site(commune).fingerprint
    first = importer.import_files(office, result.paths)
    assert first[0].status == "untrusted" and first[0].fingerprint == fingerprint
    assert fingerprint in first[0].reason
    assert owned_rows(office, COMMUNE)["household"] == []
    wrong = importer.import_files(office, result.paths, trust=["0000-0000-0000-0000-0000"])
    assert wrong[0].status == "untrusted"
    assert owned_rows(office, COMMUNE)["household"] == []
    # confirming the key takes the package held in the ledger, without the file
    confirmed = importer.import_files(office, [], trust=[fingerprint.lower()])
    assert [r.status for r in confirmed] == ["applied"]
    assert len(owned_rows(office, COMMUNE)["household"]) == 2
    assert importer.status(office)["received"][0]["trusted"] is True


def test_a_package_applied_twice_changes_nothing(commune, office, outbox):
    register_two_households(commune)
    result, _ = send(commune, office, outbox)
    before = owned_rows(office, COMMUNE)
    log = office.execute("SELECT count(*) FROM change_log").fetchone()[0]
    again = importer.import_files(office, result.paths)
    assert again[0].status == "already"
    assert "đã được nhận" in again[0].reason
    assert owned_rows(office, COMMUNE) == before
    assert office.execute("SELECT count(*) FROM change_log").fetchone()[0] == log


def test_later_changes_travel_coalesced_with_their_base_version(commune, office, outbox):
    rows = register_two_households(commune)
    send(commune, office, outbox)
    w = sites.writer(commune)
    head = hh.members(commune, rows["01-0001"]["id"])[0]
    hh.update_member(w, head["id"], {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(w, head["id"], {"ethnicity": "Tày"})
    result, reports = send(commune, office, outbox)
    assert result.package_no == 2 and result.counts == {"member": 1}
    plan = reports[0].rows[0]
    assert (plan.action, plan.fields) == ("update", ["ethnicity", "full_name"])
    assert plan.record["base_version"] == 1 and plan.record["version"] == 3
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)


def test_nothing_new_makes_no_package(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox)
    result = export.export_package(commune, outbox)
    assert result.package_no is None and "Không có thay đổi mới" in result.message
    assert len(list(outbox.iterdir())) == 1


def test_the_ack_tells_the_commune_what_the_office_received(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox)
    ack, reports = send(office, commune, outbox / "down", to_unit=COMMUNE, kind="ack")
    assert ack.acks == 1 and reports[0].status == "applied"
    assert reports[0].acknowledged_up_to == 1
    sent = export.sent_packages(commune)
    assert [(p.package_no, p.state) for p in sent] == [(1, ledger.ACKNOWLEDGED)]
    assert sent[0].state_label == "đã được xác nhận"
    assert importer.status(commune)["sent"] == [
        {"to_unit": PROVINCE, "last_sent": 1, "acknowledged_up_to": 1}]


def test_packages_split_into_parts_and_joined_again(commune, office, outbox):
    register_two_households(commune)
    result = export.export_package(commune, outbox, max_bytes=1500)
    assert len(result.paths) > 1
    assert result.paths[0].name.endswith(f".p01-of-{len(result.paths):02d}")
    fingerprint = sites.local_site(commune).fingerprint
    # any part names the package; the parts are found beside it
    reports = importer.import_files(office, result.paths[::-1], trust=[fingerprint])
    assert [r.status for r in reports] == ["applied"]
    result.paths[1].unlink()
    missing = importer.import_files(office, [result.paths[0]])
    assert missing[0].status == "refused"
    assert f"thiếu phần 2/{len(result.paths)}" in missing[0].reason


def test_encrypted_payload_for_the_office(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox)
    send(office, commune, outbox / "down", to_unit=COMMUNE, kind="ack")  # office key known now
    w = sites.writer(commune)
    hh.add_member(w, hh.find_by_code(commune, "01-0001", COMMUNE)["id"],
                  {"full_name": "Nguyễn Thị Lan", "sex": "nu", "birth_date": "2010",
                   "relation": "child"})
    result = export.export_package(commune, outbox, encrypt=True)
    data = result.paths[0].read_bytes()
    assert "Nguyễn Thị Lan".encode() not in data
    reports = importer.import_files(office, result.paths)
    assert reports[0].status == "applied" and reports[0].counts["new"] == 1
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)


def test_an_encrypted_package_is_as_small_as_a_plain_one(commune, office):
    records = [{"type": "row", "table": "member", "id": f"m{i}", "version": 1,
                "base_version": 0, "updated_at": "s", "history": [],
                "row": {"id": f"m{i}", "full_name": "Nguyễn Thị Lan", "ethnicity": "Kinh"}}
               for i in range(3000)]
    payload = pkg.encode_records(records)
    office_key = office.execute("SELECT enc_public, enc_private FROM site "
                                "WHERE is_local = 1").fetchone()
    plain, _ = pkg.build(MANIFEST, payload, sites.signing_key(commune))
    sealed, sealed_manifest = pkg.build(MANIFEST, payload, sites.signing_key(commune),
                                        encrypt_to=office_key[0])
    assert len(plain) < len(payload) / 10
    assert len(sealed) < 1.2 * len(plain)
    read = pkg.read_bytes("sealed", sealed)
    assert pkg.decrypt("sealed", read.payload, sealed_manifest["encryption"],
                       office_key[1]) == payload


def test_encryption_needs_a_confirmed_office_key(commune, outbox):
    register_two_households(commune)
    with pytest.raises(Exception, match="Chưa có khóa mã hóa của đơn vị 24"):
        export.export_package(commune, outbox, encrypt=True)
    assert list(outbox.iterdir()) == []


def test_resend_writes_the_same_bytes(commune, outbox):
    register_two_households(commune)
    first = export.export_package(commune, outbox)
    again = export.resend(commune, 1, outbox / "again")
    assert again[0].read_bytes() == first.paths[0].read_bytes()
    with pytest.raises(Exception, match="Chưa từng gửi gói số 7"):
        export.resend(commune, 7, outbox)


def test_snapshot_carries_every_owned_row(commune, office, outbox):
    register_two_households(commune)
    export.export_package(commune, outbox / "lost")  # package 1 never arrives
    result = export.export_package(commune, outbox, kind="snapshot")
    assert result.package_no == 2 and sum(result.counts.values()) == 8
    fingerprint = sites.local_site(commune).fingerprint
    reports = importer.import_files(office, result.paths, trust=[fingerprint])
    # a snapshot does not wait for the lost package: it holds everything that one held
    assert reports[0].status == "applied" and reports[0].counts["new"] == 8
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    late = importer.import_files(office, list((outbox / "lost").iterdir()))
    assert late[0].status == "already"
    assert importer.status(office)["received"][0]["applied_up_to"] == 2


def test_an_allocation_decision_of_the_office_travels_down(commune, office, outbox):
    from gnapp.db import allocations as al

    register_two_households(commune)
    send(commune, office, outbox / "up")
    w = sites.writer(office)
    decision = al.create_decision(w, issuer="UBND tỉnh Bắc Ninh", year=2026,
                                  number="15/QĐ-UBND", signed_on="2026-02-10",
                                  recipient_unit=COMMUNE)
    al.set_amount(w, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=1_250_000_000, recipient_unit=COMMUNE)
    _, reports = send(office, commune, outbox / "down", to_unit=COMMUNE)
    assert reports[0].tables == {"new": {"allocation_decision": 1, "allocation_line": 1}}
    [received] = al.decisions(commune, year=2026)
    assert (received["number"], received["owner_unit"]) == ("15/QĐ-UBND", PROVINCE)
    assert [(r["line_code"], r["amount"]) for r in al.lines_of(commune, received["id"])] == [
        ("DA2", 1_250_000_000)]
    # the commune may not change what the office decided
    with pytest.raises(Exception, match="thuộc đơn vị 24"):
        al.set_amount(sites.writer(commune), received["id"], line_code="DA2", source="NSTW",
                      capital_type="SN", amount=1, recipient_unit=COMMUNE)


def test_news_to_acknowledge_alone_makes_a_package(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox / "up-1")
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    hh.add_member(sites.writer(commune), hh.find_by_code(commune, "01-0001", COMMUNE)["id"],
                  {"full_name": "Nguyễn Thị Lan", "sex": "nu", "birth_date": "2010",
                   "relation": "child"})
    send(commune, office, outbox / "up-2")
    # the office changed nothing, but it has received package 2: that alone is worth sending
    ack, reports = send(office, commune, outbox / "down-2", to_unit=COMMUNE)
    assert (ack.package_no, ack.counts) == (2, {}) and reports[0].acknowledged_up_to == 2
    again = export.export_package(office, outbox / "down-3", to_unit=COMMUNE)
    assert again.package_no is None and again.message.startswith(
        "Không có thay đổi mới kể từ gói số 2")


def test_confirming_a_sender_applies_each_held_package_once(commune, office, outbox):
    register_two_households(commune)
    first = export.export_package(commune, outbox / "1").paths
    hh.update_member(sites.writer(commune), hh.members(commune, hh.find_by_code(
        commune, "01-0001", COMMUNE)["id"])[0]["id"], {"ethnicity": "Tày"})
    second = export.export_package(commune, outbox / "2").paths
    held = importer.import_files(office, first + second)
    assert [r.status for r in held] == ["untrusted", "untrusted"]
    done = importer.import_files(office, [], trust=[held[0].fingerprint])
    assert [(r.package_no, r.status) for r in done] == [(1, "applied"), (2, "applied")]
