"""Approvals and returns travel down; approved reviews are locked on both sides; an approval
of data edited since is stale (SYNC.md §6, §8 properties 5 and 6)."""

import pytest

from gnapp.db import approvals as approval_rows
from gnapp.db import reviews, sites
from gnapp.db.store import Locked
from gnapp.domain.errors import GnappError, InputError
from gnapp.sync import approvals, conflicts, importer
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import owned_rows, send


def review(w, round_id, household_id, income):
    row, _ = reviews.save_review(
        w, round_id, household_id, income_per_person=income, reviewer="Hà Văn Tâm",
        review_date="2025-10-02",
        deprivations={i.code: i.order in (1, 4, 8)
                      for i in reviews.standard("CN2022").indicators})
    return row


def submit(db, office, folder) -> dict:
    """Register two households, review them in 2025 and send everything to the office;
    returns the round (``round``) and the household rows by code."""
    rows = register_two_households(db)
    w = sites.writer(db)
    round_ = reviews.create_round(w, year=2025, kind="periodic", standard_id="CN2022")
    for code, income in (("01-0001", 1_100_000), ("01-0002", 2_500_000)):
        review(w, round_["id"], rows[code]["id"], income)
    send(db, office, folder)
    return {"round": round_, **rows}


@pytest.fixture
def submitted(commune, office, outbox):
    """The commune reviewed its two households in 2025 and sent the round to the office."""
    return submit(commune, office, outbox / "up-1")


def test_approval_locks_the_round_on_both_sides(commune, office, outbox, submitted):
    decided = approvals.decide(office, commune=COMMUNE, year=2025, state="approved",
                               user="sonv")
    assert decided["row_count"] == 2 and decided["owner_unit"] == "24"
    # at the office an approved review is locked against imports
    _, reports = send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    assert reports[0].tables == {"new": {"approval": 1}}
    [seen] = approval_rows.for_round(commune, submitted["round"]["id"])
    assert seen["status"] == "approved" and seen["fingerprint"] == decided["fingerprint"]
    assert approvals.round_state(commune, COMMUNE) == "Đợt 2025: đã phê duyệt"
    w = sites.writer(commune)
    with pytest.raises(Locked, match="đã được cấp trên phê duyệt ngày"):
        review(w, submitted["round"]["id"], submitted["01-0001"]["id"], 900_000)


def test_a_change_to_approved_data_is_refused_at_the_office_and_reported_back(
        commune, office, outbox, submitted):
    w = sites.writer(commune)
    approvals.decide(office, commune=COMMUNE, year=2025, state="approved")
    # the commune edits before the approval reaches it
    review(w, submitted["round"]["id"], submitted["01-0001"]["id"], 900_000)
    _, reports = send(commune, office, outbox / "up-2")
    [refused] = [p for p in reports[0].rows if p.action == "refused"]
    assert refused.table == "household_review" and "Đã khóa" in refused.reason
    # the approval reaching the commune is stale there: nothing locked, submit again
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    [seen] = approval_rows.for_round(commune, submitted["round"]["id"])
    assert seen["status"] == "stale"
    assert "phê duyệt đã cũ" in approvals.round_state(commune, COMMUNE)
    review(w, submitted["round"]["id"], submitted["01-0001"]["id"], 950_000)  # still editable
    sent = [p for p in importer.status(commune)["sent"]]
    assert sent == [{"to_unit": "24", "last_sent": 2, "acknowledged_up_to": 2}]
    from gnapp.sync import export

    report = next(p for p in export.sent_packages(commune) if p.package_no == 2).report
    assert report["refused"][0]["table"] == "household_review"


def test_a_return_unlocks_with_the_comment_and_a_new_approval_locks_again(
        commune, office, outbox, submitted):
    approvals.decide(office, commune=COMMUNE, year=2025, state="approved")
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    with pytest.raises(InputError, match="Trả lại cần ghi ý kiến"):
        approvals.decide(office, commune=COMMUNE, year=2025, state="returned")
    approvals.decide(office, commune=COMMUNE, year=2025, state="returned",
                     comment="Hộ 01-0002 thiếu thu nhập bình quân, đề nghị rà soát lại.")
    send(office, commune, outbox / "down-2", to_unit=COMMUNE)
    [seen] = approval_rows.for_round(commune, submitted["round"]["id"])
    assert seen["status"] == "returned" and seen["comment"].startswith("Hộ 01-0002")
    w = sites.writer(commune)
    review(w, submitted["round"]["id"], submitted["01-0002"]["id"], 1_300_000)  # editable again
    send(commune, office, outbox / "up-2")
    again = approvals.decide(office, commune=COMMUNE, year=2025, state="approved")
    send(office, commune, outbox / "down-3", to_unit=COMMUNE)
    # both sides agree on the data, the state and the approved fingerprint
    assert owned_rows(office, COMMUNE) == owned_rows(commune, COMMUNE)
    assert owned_rows(office, "24")["approval"] == owned_rows(commune, "24")["approval"]
    [seen] = approval_rows.for_round(commune, submitted["round"]["id"])
    assert (seen["status"], seen["fingerprint"]) == ("approved", again["fingerprint"])
    assert conflicts.open_conflicts(commune) == conflicts.open_conflicts(office) == []


def test_only_an_office_approves_and_only_what_it_received(commune, office, submitted):
    with pytest.raises(GnappError, match="Chỉ máy của cơ quan cấp trên"):
        approvals.decide(commune, commune=COMMUNE, year=2025, state="approved")
    with pytest.raises(InputError, match="Chưa nhận được đợt rà soát định kỳ năm 2024"):
        approvals.decide(office, commune=COMMUNE, year=2024, state="approved")
    with pytest.raises(InputError, match="Không có thôn mã «07339.09»"):
        approvals.decide(office, commune=COMMUNE, year=2025, state="approved", village="07339.09")


def test_a_village_is_approved_on_its_own(commune, office, outbox, submitted):
    code = submitted["village"]["code"]
    decided = approvals.decide(office, commune=COMMUNE, year=2025, state="approved",
                               village=code)
    assert decided["village_id"] == submitted["village"]["id"] and decided["row_count"] == 2
