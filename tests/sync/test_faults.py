"""The faults of SYNC.md §7: each package is refused or held with a Vietnamese reason, and
nothing stored changes."""

import hashlib
import io
import json
import shutil
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from gnapp.db import connection, hlc, sites
from gnapp.db import households as hh
from gnapp.sync import export, importer
from gnapp.sync import package as pkg
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import owned_rows, send


def stored(db) -> dict:
    """Everything an import may write: data rows, change log, conflicts, ledger, peers."""
    out = {name: owned_rows(db, COMMUNE)[name] for name in ("household", "member")}
    for table in ("change_log", "conflict", "package_ledger", "site"):
        out[table] = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return out


@pytest.fixture
def trusted(commune, office, outbox):
    """The office has applied the commune's first package (and trusts its key)."""
    register_two_households(commune)
    send(commune, office, outbox / "first")
    return commune, office


def _rebuild(db, manifest_changes=None, records=None, *, key=None, base=None):
    """A package signed by ``db``'s site, with a changed manifest or payload."""
    manifest = json.loads(base.manifest_bytes)
    manifest.update(manifest_changes or {})
    manifest.pop("payload_sha256"), manifest.pop("encryption")
    payload = pkg.encode_records(records) if records is not None else base.payload
    data, _ = pkg.build(manifest, payload, key or sites.signing_key(db))
    return data


def _next_package(commune, outbox):
    w = sites.writer(commune)
    hh.update_member(w, hh.members(commune, hh.find_by_code(commune, "01-0001", COMMUNE)["id"])
                     [0]["id"], {"ethnicity": "Nùng"})
    result = export.export_package(commune, outbox)
    return result.paths[0], pkg.read_file(result.paths[0])


def refused(office, path) -> str:
    """Import ``path``; it must be refused naming the file, with nothing stored changed.
    Returns the reason."""
    before = stored(office)
    reports = importer.import_files(office, [path])
    assert [r.status for r in reports] == ["refused"], reports[0].summary()
    assert path.name in reports[0].summary()
    assert stored(office) == before
    return reports[0].reason


def test_truncated_file(trusted, outbox):
    commune, office = trusted
    path, _ = _next_package(commune, outbox)
    path.write_bytes(path.read_bytes()[:-40])
    assert "cắt cụt" in refused(office, path)


def test_one_byte_changed(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    altered = bytearray(package.payload)
    altered[altered.index(b"N\xc3\xb9ng")] = ord("M")
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as out:
        out.writestr(pkg.MANIFEST, package.manifest_bytes)
        out.writestr(pkg.PAYLOAD, bytes(altered))
        out.writestr(pkg.SIGNATURE, package.signature)
    path.write_bytes(z.getvalue())
    assert "không khớp mã kiểm tra" in refused(office, path)


def test_manifest_changed_after_signing(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    manifest = package.manifest_bytes.replace(b'"package_no":2', b'"package_no":3')
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as out:
        out.writestr(pkg.MANIFEST, manifest)
        out.writestr(pkg.PAYLOAD, package.payload)
        out.writestr(pkg.SIGNATURE, package.signature)
    path.write_bytes(z.getvalue())
    assert "chữ ký của gói không hợp lệ" in refused(office, path)


def test_signed_by_another_key(trusted, outbox, tmp_path):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    other = connection.connect(tmp_path / "other.sqlite")
    sites.init_site(other, COMMUNE, "commune")
    forged = _rebuild(commune, {"sender": {**package.manifest["sender"],
                                           "sign_public": sites.local_site(other).sign_public}},
                      key=sites.signing_key(other), base=package)
    path.write_bytes(forged)
    assert "khóa khác với khóa đã biết" in refused(office, path)


def test_addressed_to_another_office(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    path.write_bytes(_rebuild(commune, {"stream": {**package.stream, "to_unit": "01"}},
                              base=package))
    assert "gửi cho đơn vị 01, không phải đơn vị của máy này (24)" in refused(office, path)


def test_sender_outside_the_office_area(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    path.write_bytes(_rebuild(commune, {"stream": {**package.stream, "from_unit": "00004"}},
                              base=package))
    assert "không thuộc địa bàn" in refused(office, path)


def test_newer_schema(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    path.write_bytes(_rebuild(commune, {"schema_version": [9, 0]}, base=package))
    assert "cần cập nhật phần mềm" in refused(office, path)


def _zip_with(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)


def test_path_leaving_the_package(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    _zip_with(path, {pkg.MANIFEST: package.manifest_bytes, pkg.PAYLOAD: package.payload,
                     pkg.SIGNATURE: package.signature, "../../x": b"boom"})
    assert "phần lạ «../../x»" in refused(office, path)


def test_zip_bomb(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    _zip_with(path, {pkg.MANIFEST: package.manifest_bytes, pkg.SIGNATURE: package.signature,
                     pkg.PAYLOAD: b"\0" * (50 * 1024 * 1024)})
    assert "nén bất thường" in refused(office, path)


def test_not_a_package_at_all(office, tmp_path):
    path = tmp_path / "ghi-chu.gnsync"
    path.write_text("Danh sách hộ nghèo", encoding="utf-8")
    assert "không phải gói đồng bộ" in refused(office, path)


def test_malformed_manifest(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    _zip_with(path, {pkg.MANIFEST: b'{"format": [1, 0]}', pkg.PAYLOAD: package.payload,
                     pkg.SIGNATURE: package.signature})
    assert "bản kê thiếu hoặc sai mục" in refused(office, path)


def test_packages_out_of_order_wait_for_the_missing_one(trusted, outbox):
    commune, office = trusted
    w = sites.writer(commune)
    head = hh.members(commune, hh.find_by_code(commune, "01-0001", COMMUNE)["id"])[0]
    paths = []
    for name in ("Nguyễn Văn Đức A", "Nguyễn Văn Đức B", "Nguyễn Văn Đức C"):
        hh.update_member(w, head["id"], {"full_name": name})
        paths.append(export.export_package(commune, outbox / name).paths[0])
    four, three = importer.import_files(office, [paths[2]]), importer.import_files(office, [paths[1]])
    assert (four[0].status, four[0].reason) == ("held", "chờ gói số 2.")
    assert (three[0].status, three[0].reason) == ("held", "chờ gói số 2.")
    assert importer.status(office)["received"][0]["waiting_for"] == 2
    assert hh.members(office, head["household_id"])[0]["full_name"] == "Nguyễn Văn Đức"
    released = importer.import_files(office, [paths[0]])
    assert [(r.package_no, r.status) for r in released] == [(2, "applied"), (3, "applied"),
                                                            (4, "applied")]
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)


def test_a_database_copied_by_hand_forks_the_stream(trusted, outbox, tmp_path):
    commune, office = trusted
    copy_path = tmp_path / "copied.sqlite"
    commune.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(tmp_path / "commune.sqlite", copy_path)
    copy = connection.connect(copy_path)
    first, _ = _next_package(commune, outbox / "a")
    hh.update_member(sites.writer(copy), hh.members(copy, hh.find_by_code(
        copy, "01-0002", COMMUNE)["id"])[0]["id"], {"ethnicity": "Dao"})
    second = export.export_package(copy, outbox / "b").paths[0]
    assert first.name == second.name  # same site, same number, different content
    assert importer.import_files(office, [first])[0].status == "applied"
    before = owned_rows(office, COMMUNE)
    forked = importer.import_files(office, [second])
    assert forked[0].status == "fork" and "gói số 2 khác" in forked[0].reason
    assert owned_rows(office, COMMUNE) == before
    assert importer.status(office)["received"][0]["forks"] == [2]


def test_wrong_clock_is_applied_but_reported(trusted, outbox, monkeypatch):
    commune, office = trusted
    real = time.time_ns
    with monkeypatch.context() as patch:  # the commune PC's clock is three days ahead
        patch.setattr(time, "time_ns", lambda: real() + 3 * 24 * 3600 * 10**9)
        path, _ = _next_package(commune, outbox)
    office_clock = office.execute("SELECT clock FROM site WHERE is_local = 1").fetchone()[0]
    report = importer.import_files(office, [path])[0]
    assert report.status == "applied"
    assert "Đồng hồ máy gửi sai" in report.clock_warning
    assert office.execute("SELECT clock FROM site WHERE is_local = 1").fetchone()[0] == office_clock


def test_a_wrong_clock_among_right_ones_moves_ours_to_the_newest_right_one(trusted):
    """Rows stamped before the sender's clock went wrong still move ours forward."""
    _, office = trusted
    wall = hlc.wall_ms()
    right = [str(hlc.Timestamp(wall + 1000, n, "x")) for n in (0, 7)]
    ahead = [str(hlc.Timestamp(wall + 3 * hlc.MAX_AHEAD_MS, n, "x")) for n in (0, 1)]
    warning = importer._observe_clock(office, [right[0], ahead[1], right[1], ahead[0]])
    assert "Đồng hồ máy gửi sai" in warning
    clock = hlc.Timestamp.parse(office.execute(
        "SELECT clock FROM site WHERE is_local = 1").fetchone()[0])
    assert (clock.ms, clock.counter) == (wall + 1000, 7)
    assert importer._observe_clock(office, right) is None


def test_dry_run_writes_nothing(commune, office, outbox):
    register_two_households(commune)
    result = export.export_package(commune, outbox)
    fingerprint = sites.local_site(commune).fingerprint
    before = stored(office)
    reports = importer.import_files(office, result.paths, dry_run=True, trust=[fingerprint])
    # trust is not recorded by a dry run either: the plan is shown, nothing kept
    assert reports[0].status == "dry_run" and reports[0].counts["new"] == 8
    assert stored(office) == before


def test_a_record_breaking_its_table_rules_is_refused_by_row(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    records = pkg.decode_records(path.name, package.payload)
    member = next(r for r in records if r.get("table") == "member")
    member["row"]["birth_date"] = "31/02/1980"
    path.write_bytes(_rebuild(commune, records=records, base=package))
    report = importer.import_files(office, [path])[0]
    assert report.status == "applied"
    refused = [p for p in report.rows if p.action == "refused"]
    assert len(refused) == 1 and refused[0].reason.startswith("Không hợp lệ")


def test_a_value_that_no_column_can_hold_is_refused_by_row_naming_its_field(
        commune, office, outbox):
    """A list or an object where a value goes: the row is refused, the others are kept."""
    register_two_households(commune)
    path = export.export_package(commune, outbox).paths[0]
    package = pkg.read_file(path)
    records = pkg.decode_records(path.name, package.payload)
    events = [r for r in records if r.get("table") == "household_event"]
    events[0]["row"]["note"] = ["chuyển đến"]
    events[1]["row"]["on_date"] = {"năm": 2025}
    path.write_bytes(_rebuild(commune, records=records, base=package))
    report = importer.import_files(office, [path],
                                   trust=[sites.local_site(commune).fingerprint])[0]
    assert report.status == "applied", report.reason
    refused = {p.row_id: p.reason for p in report.rows if p.action == "refused"}
    assert refused == {
        events[0]["id"]: "Không hợp lệ: trường «note» sai kiểu (phải là chữ, số hoặc để trống).",
        events[1]["id"]: "Không hợp lệ: trường «on_date» sai kiểu (phải là chữ, số hoặc để "
                         "trống)."}
    assert report.counts["new"] == sum(1 for r in records if r.get("type", "row") == "row") - 2


def test_a_row_of_another_owner_is_refused(trusted, outbox):
    commune, office = trusted
    path, package = _next_package(commune, outbox)
    records = pkg.decode_records(path.name, package.payload)
    records[-1]["row"]["owner_unit"] = "07306"
    path.write_bytes(_rebuild(commune, records=records, base=package))
    report = importer.import_files(office, [path])[0]
    assert report.rows[-1].action == "refused"
    assert "Sai chủ sở hữu" in report.rows[-1].reason and "07306" in report.rows[-1].reason


def test_locked_rows_are_not_overwritten(trusted, outbox):
    commune, office = trusted
    head = hh.members(office, hh.find_by_code(office, "01-0001", COMMUNE)["id"])[0]
    office.execute("INSERT INTO row_lock VALUES ('member', ?, 'danh sách đã ký', '2026-11-01')",
                   [head["id"]])
    path, _ = _next_package(commune, outbox)
    report = importer.import_files(office, [path])[0]
    assert report.rows[0].action == "refused" and "danh sách đã ký" in report.rows[0].reason
    assert hh.members(office, head["household_id"])[0]["ethnicity"] == head["ethnicity"]


def test_a_crash_during_apply_leaves_nothing_and_the_package_can_come_again(
        commune, office, outbox, monkeypatch):
    register_two_households(commune)
    result = export.export_package(commune, outbox)
    fingerprint = sites.local_site(commune).fingerprint
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second table of the package
            raise OSError("ổ đĩa đầy")
        return real(*args, **kwargs)

    real = importer.write_rows
    monkeypatch.setattr(importer, "write_rows", failing)
    before = stored(office)
    with pytest.raises(OSError):
        importer.import_files(office, result.paths, trust=[fingerprint])
    after = stored(office)
    # the sender's key was confirmed (its own step), but no row, log entry or ledger entry
    assert {k: v for k, v in after.items() if k != "site"} == \
        {k: v for k, v in before.items() if k != "site"}
    monkeypatch.setattr(importer, "write_rows", real)
    assert importer.import_files(office, result.paths)[0].status == "applied"
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)


def test_a_recovery_package_restores_a_lost_commune_pc(commune, office, outbox, tmp_path):
    register_two_households(commune)
    send(commune, office, outbox / "up")
    kept = owned_rows(commune, COMMUNE)
    commune.close()  # the PC is lost; a new one is set up for the same commune
    new_pc = connection.connect(tmp_path / "new-pc.sqlite")
    sites.init_site(new_pc, COMMUNE, "commune")
    with pytest.raises(Exception, match="Gói khôi phục do máy cơ quan cấp trên lập"):
        export.export_package(new_pc, outbox, kind="recovery")
    recovery = export.export_package(office, outbox / "down", to_unit=COMMUNE, kind="recovery")
    assert recovery.counts["household"] == 2
    office_key = sites.local_site(office).fingerprint
    held = importer.import_files(new_pc, recovery.paths, trust=[office_key])
    assert held[0].status == "held" and "--accept-recovery" in held[0].reason
    assert owned_rows(new_pc, COMMUNE)["household"] == []
    done = importer.import_files(new_pc, recovery.paths, accept_recovery=True)
    assert done[0].status == "applied" and done[0].counts["new"] == 8
    assert owned_rows(new_pc, COMMUNE) == kept
    # the new PC goes on from there: its edits reach the office as updates
    w = sites.writer(new_pc)
    head = hh.members(new_pc, hh.find_by_code(new_pc, "01-0001", COMMUNE)["id"])[0]
    hh.update_member(w, head["id"], {"ethnicity": "Tày"})
    _, reports = send(new_pc, office, outbox / "up-new")
    assert [p.action for p in reports[0].rows] == ["update"]


# -- encrypted payloads: compressed before they are sealed ------------------------------

def _sealed_package(commune, office, outbox, payload: bytes | None, **header) -> Path:
    """An encrypted package for the office whose sealed payload is ``payload`` as given
    (not compressed by gnapp; None: the records of the commune's next package), with
    ``header`` in its encryption header; the office has
    received the commune's first package and sent one back (so each knows the other)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import (X25519PrivateKey,
                                                                  X25519PublicKey)
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    register_two_households(commune)
    send(commune, office, outbox / "first")
    send(office, commune, outbox / "down", to_unit=COMMUNE, kind="ack")
    path, base = _next_package(commune, outbox / "next")
    recipient = office.execute("SELECT enc_public FROM site WHERE is_local = 1").fetchone()[0]
    ephemeral = X25519PrivateKey.generate()
    eph_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = pkg._derive(ephemeral.exchange(X25519PublicKey.from_public_bytes(
        pkg._unb64(recipient))), eph_public)
    nonce = b"\x01" * 12
    manifest = json.loads(base.manifest_bytes)
    manifest.pop("payload_sha256")
    manifest["encryption"] = {"alg": pkg.ENCRYPTION, "ephemeral_public": pkg._b64(eph_public),
                              "nonce": pkg._b64(nonce), "recipient_public": recipient,
                              **header}
    sealed = ChaCha20Poly1305(key).encrypt(nonce, base.payload if payload is None else payload,
                                           None)
    manifest["payload_sha256"] = hashlib.sha256(sealed).hexdigest()
    manifest_bytes = pkg.canonical_bytes(manifest)
    path.write_bytes(pkg._zip(manifest_bytes, sites.signing_key(commune).sign(manifest_bytes),
                              sealed, encrypted=True))
    return path


def test_a_package_sealed_before_compression_came_in_is_still_read(commune, office, outbox):
    path = _sealed_package(commune, office, outbox, None)
    reports = importer.import_files(office, [path])
    assert reports[0].status == "applied", reports[0].summary()
    assert reports[0].counts["update"] == 1
    assert owned_rows(office, COMMUNE)["member"] == owned_rows(commune, COMMUNE)["member"]


@pytest.mark.parametrize("payload, header, reason", [
    (b"not zlib at all", {"compression": "zlib"}, "không giải nén được"),
    (zlib.compress(b"{}\n" * 1000)[:-8], {"compression": "zlib"}, "bị cắt cụt"),
    (zlib.compress(b"0" * 3_000_000, 9), {"compression": "zlib"}, "nén bất thường"),
    (b"", {"compression": "brotli"}, "kiểu nén «brotli»"),
])
def test_a_bad_sealed_payload_is_refused(commune, office, outbox, payload, header, reason):
    path = _sealed_package(commune, office, outbox, payload, **header)
    assert reason in refused(office, path)
