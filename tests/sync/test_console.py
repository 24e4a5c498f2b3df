"""The office's merge console over real databases: one row per commune of the province, with
what arrived, what is missing, conflicts and lateness."""

from datetime import date, datetime, timedelta, timezone

import pytest

from gnapp.db import registry, settings, sites
from gnapp.db import households as hh
from gnapp.domain.errors import InputError
from gnapp.forms import pdf, sync_report
from gnapp.sync import console, export, importer
from tests.conftest import COMMUNE, PROVINCE
from tests.forms.readback import pdf_fonts, pdf_text
from tests.sync.conftest import register_two_households
from tests.sync.test_conflicts import head_of
from tests.sync.test_round_trip import send


def row_of(db, code=COMMUNE, **kw):
    return next(r for r in console.commune_rows(db, **kw).rows if r.unit_code == code)


def test_every_commune_of_the_province_is_listed_before_anything_arrives(office):
    board = console.commune_rows(office)
    communes = office.execute(
        "SELECT count(*) FROM admin_unit u JOIN admin_unit p ON p.id = u.parent_id "
        "WHERE p.code = ? AND u.level = 'commune' AND u.deleted = 0 AND u.valid_to IS NULL",
        [PROVINCE]).fetchone()[0]
    assert communes > 50 and board.communes == communes
    assert board.office_unit == PROVINCE and board.overdue_days == 35
    tan_yen = row_of(office)
    assert tan_yen.unit_name == "Xã Tân Yên"
    assert (tan_yen.state, tan_yen.state_label) == ("never", "Chưa nhận gói nào")
    assert tan_yen.received_up_to is None and tan_yen.last_received_at is None
    assert not tan_yen.overdue and tan_yen.round_state == "—"
    assert {r.state for r in board.rows} == {"never"}
    assert board.summary() == f"{communes} đơn vị cấp xã, 0 đơn vị đã gửi gói."
    # Vietnamese order of the names
    keys = [office.execute("SELECT name_key FROM admin_unit WHERE code = ?",
                           [r.unit_code]).fetchone()[0] for r in board.rows]
    assert keys == sorted(keys)


def test_an_unknown_sender_shows_its_fingerprint_until_confirmed(commune, office, outbox):
    register_two_households(commune)
    result = export.export_package(commune, outbox)
    importer.import_files(office, result.paths)
    row = row_of(office)
    fingerprint = sites.local_site(commune).fingerprint
    assert row.state == "untrusted" and row.state_label == "Chờ xác nhận máy gửi"
    assert row.untrusted_fingerprints == (fingerprint,)
    assert (row.last_package_no, row.received_up_to, row.packages) == (1, 0, 1)
    assert row.waiting_text == "chờ xác nhận máy gửi (gói số 1)"
    assert row.streams[0].name == sites.local_site(commune).display_name
    assert "1 đơn vị có gói đang chờ" in console.commune_rows(office).summary()

    importer.import_files(office, [], trust=[fingerprint])
    row = row_of(office)
    assert (row.state, row.received_up_to, row.received_text) == ("ok", 1, "1")
    assert row.streams[0].trusted and row.untrusted_fingerprints == ()
    assert row.days_since == 0 and row.last_received_at is not None
    assert row.as_dict()["received_up_to"] == 1


def test_a_missing_package_is_named_and_the_row_catches_up_when_it_arrives(commune, office,
                                                                          outbox):
    rows = register_two_households(commune)
    lost = export.export_package(commune, outbox / "lost")
    hh.update_member(sites.writer(commune), head_of(commune)["id"], {"ethnicity": "Tày"})
    fingerprint = sites.local_site(commune).fingerprint
    second = export.export_package(commune, outbox)
    importer.import_files(office, second.paths, trust=[fingerprint])
    row = row_of(office)
    assert (row.state, row.state_label) == ("waiting", "Thiếu gói")
    assert row.waiting_for == (1,) and row.waiting_text == "chờ gói số 1"
    assert (row.last_package_no, row.received_up_to) == (2, 0)

    importer.import_files(office, lost.paths)
    row = row_of(office)
    assert (row.state, row.waiting_for, row.received_up_to) == ("ok", (), 2)
    assert hh.find_by_code(office, "01-0001", COMMUNE)["id"] == rows["01-0001"]["id"]


def test_overdue_after_the_limit_counted_from_the_last_package(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox)
    later = datetime.now(timezone.utc) + timedelta(days=36)
    row = row_of(office, now=later)
    assert row.days_since == 36 and row.overdue and row.state == "overdue"
    assert row.state_label == "Quá hạn"
    assert "1 đơn vị quá hạn (quá 35 ngày chưa gửi)" in console.commune_rows(office,
                                                                         now=later).summary()
    assert not row_of(office, now=datetime.now(timezone.utc) + timedelta(days=35)).overdue
    settings.put(office, console.OVERDUE_DAYS_SETTING, "60")
    assert console.overdue_days(office) == 60
    assert not row_of(office, now=later).overdue
    settings.put(office, console.OVERDUE_DAYS_SETTING, "không rõ")
    assert console.overdue_days(office) == console.DEFAULT_OVERDUE_DAYS


def test_two_pcs_of_a_commune_and_the_conflict_the_office_holds(commune, pc2, office, outbox):
    register_two_households(commune)
    send(commune, pc2, outbox / "pc1-pc2", to_unit=COMMUNE)
    hh.update_member(sites.writer(commune), head_of(commune)["id"],
                     {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"full_name": "Nguyễn Văn Được"})
    send(commune, office, outbox / "pc1")
    send(pc2, office, outbox / "pc2")
    row = row_of(office)
    assert row.open_conflicts == 1
    assert len(row.streams) == 2 and row.received_up_to == 1
    names = {sites.local_site(db).display_name for db in (commune, pc2)}
    assert {s.name for s in row.streams} == names
    assert row.received_text == "1 / 1"
    assert [line.split(" (")[0] for line in row.streams_text.splitlines()] == ["máy 1", "máy 2"]
    assert "1 đơn vị có xung đột chờ quyết định" in console.commune_rows(office).summary()


def test_the_round_state_shows_the_offices_decision(commune, office, outbox):
    from gnapp.db import reviews
    from gnapp.sync import approvals

    rows = register_two_households(commune)
    w = sites.writer(commune)
    round_ = reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    reviews.save_review(w, round_["id"], rows["01-0001"]["id"], income_per_person=1_100_000)
    send(commune, office, outbox)
    assert row_of(office).round_state == "—"
    approvals.decide(office, commune=COMMUNE, year=2025, state="returned",
                     comment="Thiếu ngày rà soát")
    assert row_of(office).round_state == "Đợt 2025: bị trả lại — Thiếu ngày rà soát"
    board = console.commune_rows(office)
    assert {r.round_state for r in board.rows if r.unit_code != COMMUNE} == {"—"}


def test_received_packages_keep_their_import_reports(commune, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox)
    broken = outbox / f"{COMMUNE}_{PROVINCE}_00009.gnsync"
    broken.write_bytes(b"PK\x03\x04 cut short")
    importer.import_files(office, [broken])
    [received] = console.received_packages(office, COMMUNE)
    assert (received.package_no, received.state_label) == (1, "đã nhận")
    assert received.report["counts"]["new"] == 8


def test_package_files_of_a_folder(tmp_path):
    for name in ("07339_24_00001.gnsync", "07339_24_00002.gnsync.p01-of-02",
                 "07339_24_00002.gnsync.p02-of-02", "ghi-chu.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "thu-muc.gnsync").mkdir()
    assert [p.name for p in console.package_files(tmp_path)] == [
        "07339_24_00001.gnsync", "07339_24_00002.gnsync.p01-of-02",
        "07339_24_00002.gnsync.p02-of-02"]


def test_the_import_report_prints_by_category_with_reasons(commune, pc2, office, outbox,
                                                          tmp_path):
    """A real import (a conflict, an update, a broken file) printed as PDF."""
    register_two_households(commune)
    send(commune, pc2, outbox / "pc1-pc2", to_unit=COMMUNE)
    hh.update_member(sites.writer(commune), head_of(commune)["id"],
                     {"full_name": "Nguyễn Văn Đức Anh"})
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"full_name": "Nguyễn Văn Được"})
    send(commune, office, outbox / "pc1")
    first = export.export_package(pc2, outbox / "pc2")
    hh.update_member(sites.writer(pc2), head_of(pc2)["id"], {"ethnicity": "Tày"})
    second = export.export_package(pc2, outbox / "pc2-next")
    broken = tmp_path / f"{COMMUNE}_{PROVINCE}_00009.gnsync"
    broken.write_bytes(b"not a package")
    fingerprint = sites.local_site(pc2).fingerprint
    reports = importer.import_files(office, [*second.paths, *first.paths, broken],
                                    trust=[fingerprint])
    statuses = sorted(r.status for r in reports)
    assert statuses == ["applied", "applied", "refused"]   # 1 then 2 (the edit) in order
    conflict = next(r for r in reports if r.counts["conflict"])
    labels = {name: spec.label for name, spec in registry.SYNCABLE.items()}
    lines = sync_report.category_lines(conflict.as_dict(), labels)
    assert "Xung đột: 1 (thành viên hộ 1)" in lines

    doc = sync_report.import_report_document(
        [r.as_dict() for r in reports], unit_name="Tỉnh Bắc Ninh", day=date(2026, 11, 23),
        table_labels=labels, field_labels={"full_name": "Họ và tên"})
    out = pdf.render_pdf(doc, tmp_path / "bao-cao.pdf")
    text = pdf_text(out)
    assert "BÁO CÁO NHẬN GÓI ĐỒNG BỘ" in text and "nhận 3 gói đồng bộ" in text
    assert "Xung đột: 1 (thành viên hộ 1)" in text and "Họ và tên" in text
    assert "tệp không phải gói đồng bộ" in text
    assert "Bắc Ninh, ngày 23 tháng 11 năm 2026" in text
    assert "LiberationSerif" in pdf_fonts(out)


def test_the_overdue_limit_accepts_whole_days_only(office):
    console.set_overdue_days(office, 45)
    assert console.overdue_days(office) == 45
    for wrong in (0, -3, 4000, "30"):
        with pytest.raises(InputError, match="Số ngày quá hạn phải là số nguyên từ 1 đến 3650"):
            console.set_overdue_days(office, wrong)
    assert console.overdue_days(office) == 45
