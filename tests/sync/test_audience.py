"""An office and two communes: each commune receives the shared reference data and what
concerns it (its approval or return, its allocation lines, its targets), never the other
commune's rows (gnapp.sync.audience)."""

import shutil

import pytest

from gnapp.db import allocations as al
from gnapp.db import approvals as approval_rows
from gnapp.db import connection, progress, registry, sites
from gnapp.db import targets as dt
from gnapp.sync import approvals, audience, export
from tests.conftest import COMMUNE, PROVINCE, _template
from tests.sync.conftest import register_two_households
from tests.sync.test_approvals import submit
from tests.sync.test_round_trip import owned_rows, send

OTHER = "07654"  # Xã An Lạc, Bắc Ninh


@pytest.fixture(scope="session")
def _other_commune_template(tmp_path_factory):
    return _template(tmp_path_factory.mktemp("other"), lambda db: sites.init_site(
        db, OTHER, "commune", user="canbo3", user_full_name="Hà Thị Thu"))


@pytest.fixture
def other(_other_commune_template, tmp_path):
    shutil.copy(_other_commune_template, tmp_path / "other.sqlite")
    db = connection.connect(tmp_path / "other.sqlite")
    yield db
    db.close()


def units_named(db, table, column) -> set:
    return {r[0] for r in db.execute(f"SELECT {column} FROM {table} WHERE owner_unit = ?",
                                     [PROVINCE])}


def test_every_syncable_table_has_an_audience_rule():
    assert audience.check_rules() == []
    assert set(audience.RULES) == set(registry.SYNCABLE)


def test_each_commune_receives_only_what_concerns_it(commune, other, office, outbox):
    round_a = submit(commune, office, outbox / "a-up")["round"]
    round_b = submit(other, office, outbox / "b-up")["round"]
    approvals.decide(office, commune=COMMUNE, year=2025, state="approved", user="sonv")
    approvals.decide(office, commune=OTHER, year=2025, state="returned",
                     comment="Hộ 01-0002 thiếu giấy tờ thu nhập", user="sonv")
    w = sites.writer(office)
    decision = al.create_decision(w, issuer="UBND tỉnh Bắc Ninh", year=2026,
                                  number="15/QĐ-UBND", signed_on="2026-02-10",
                                  recipient_unit=PROVINCE)
    for unit, amount in ((COMMUNE, 1_250_000_000), (OTHER, 980_000_000)):
        al.set_amount(w, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                      amount=amount, recipient_unit=unit, recipient_name=f"Xã {unit}")
    dt.set_target(w, COMMUNE, 2026, households=2345, poor_households=30)
    dt.set_target(w, OTHER, 2026, households=1200, poor_households=41)
    progress.set_deadline(w, level="commune", kind="half_year", due="20/6")

    down_a, reports_a = send(office, commune, outbox / "a-down", to_unit=COMMUNE)
    down_b, reports_b = send(office, other, outbox / "b-down", to_unit=OTHER)
    assert [r.status for r in reports_a + reports_b] == ["applied", "applied"]
    expected = {"approval": 1, "allocation_decision": 1, "allocation_line": 1,
                "poverty_target": 1, "report_deadline": 1}
    assert down_a.counts == expected and down_b.counts == expected

    # A: its approval locks its round; B's return, line and target never reach it
    for db, mine, theirs in ((commune, COMMUNE, OTHER), (other, OTHER, COMMUNE)):
        assert units_named(db, "approval", "unit_code") == {mine}
        assert units_named(db, "allocation_line", "recipient_unit") == {mine}
        assert units_named(db, "poverty_target", "unit_code") == {mine}
        assert units_named(db, "report_deadline", "level") == {"commune"}
        for table in registry.SYNCABLE:   # no row of the other commune, by owner or by name
            assert not db.execute(f"SELECT count(*) FROM {table} WHERE owner_unit = ?",
                                  [theirs]).fetchone()[0], table
        text = "\n".join(str(r) for t in ("approval", "allocation_line", "poverty_target")
                         for r in db.execute(f"SELECT * FROM {t}"))
        assert theirs not in text
    assert approvals.round_state(commune, COMMUNE) == "Đợt 2025: đã phê duyệt"
    assert approvals.round_state(other, OTHER) == ("Đợt 2025: bị trả lại — Hộ 01-0002 thiếu "
                                                   "giấy tờ thu nhập")
    [seen] = approval_rows.for_round(commune, round_a["id"])
    assert seen["status"] == "approved"
    assert approval_rows.for_round(other, round_b["id"])[0]["status"] == "returned"
    assert [(r["recipient_unit"], r["amount"]) for r in al.lines_of(
        commune, decision["id"])] == [(COMMUNE, 1_250_000_000)]
    # both communes' copies of what the office holds of them still agree (SYNC.md §8.1)
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    assert owned_rows(office, OTHER) == owned_rows(other, OTHER)


def test_a_line_added_later_brings_its_decision_to_a_commune_that_lacked_it(
        commune, other, office, outbox):
    register_two_households(commune)
    send(commune, office, outbox / "a-up")
    w = sites.writer(office)
    decision = al.create_decision(w, issuer="UBND tỉnh Bắc Ninh", year=2026,
                                  recipient_unit=PROVINCE)
    al.set_amount(w, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=500_000_000, recipient_unit=OTHER, recipient_name="Xã An Lạc")
    al.update_decision(w, decision["id"], {"number": "15/QĐ-UBND"})
    al.update_decision(w, decision["id"], {"note": "Đợt 1"})
    first, _ = send(office, commune, outbox / "a-1", to_unit=COMMUNE)
    assert first.counts == {}                       # nothing of that decision concerns A yet
    assert al.decisions(commune, year=2026) == []
    al.set_amount(w, decision["id"], line_code="DA2", source="NSTW", capital_type="SN",
                  amount=700_000_000, recipient_unit=COMMUNE, recipient_name="Xã Tân Yên")
    # the decision did not change since package 1: it comes along with its new line
    second, reports = send(office, commune, outbox / "a-2", to_unit=COMMUNE)
    assert second.counts == {"allocation_decision": 1, "allocation_line": 1}
    assert reports[0].status == "applied"
    [received] = al.decisions(commune, year=2026)
    assert (received["number"], received["note"]) == ("15/QĐ-UBND", "Đợt 1")
    assert [r["recipient_unit"] for r in al.lines_of(commune, decision["id"])] == [COMMUNE]
    # the office's own snapshot to the commune is filtered the same way
    snap = export.export_package(office, outbox / "a-3", to_unit=COMMUNE, kind="snapshot")
    assert snap.counts == {"allocation_decision": 1, "allocation_line": 1}


def test_a_package_between_two_sites_of_the_office_carries_everything(office, outbox):
    w = sites.writer(office)
    dt.set_target(w, COMMUNE, 2026, households=2345, poor_households=30)
    dt.set_target(w, OTHER, 2026, households=1200, poor_households=41)
    result = export.export_package(office, outbox, to_unit=PROVINCE)
    assert result.counts == {"poverty_target": 2}
