"""Requests and the procedure of a round, village by village."""

from datetime import date

import pytest

from gnapp.db import households as hh
from gnapp.db import procedure, reviews, units
from gnapp.db.store import Invalid
from gnapp.domain.codes import CN2022_INDICATORS
from gnapp.domain.procedure import add_working_days, request_due

ANSWERS = {code: False for code in CN2022_INDICATORS}


@pytest.fixture
def village(writer):
    return units.add_village(writer, "Thôn Đồng Tâm")


@pytest.fixture
def round_(writer):
    return reviews.create_round(writer, year=2025, kind="periodic")


@pytest.fixture
def home(writer, village):
    return hh.add_household(writer, village_id=village["id"], area="rural",
                            head={"full_name": "Nguyễn Văn Đức", "sex": "nam",
                                  "birth_date": "1970"})


@pytest.mark.parametrize("start, days, end", [
    (date(2025, 10, 20), 3, date(2025, 10, 22)),   # Monday → Wednesday
    (date(2025, 10, 24), 3, date(2025, 10, 28)),   # Friday → Tuesday over the weekend
    (date(2025, 10, 25), 3, date(2025, 10, 29)),   # Saturday: counting starts on Monday
])
def test_working_days(start, days, end):
    assert add_working_days(start, days) == end


def test_a_request_has_its_deadline_and_shows_when_overdue(site_db, writer, home):
    request = procedure.add_request(writer, applicant="Nguyễn Văn Đức", kind="review",
                                    received_on="2025-10-01", household_id=home["id"])
    assert request["due_on"] == request_due(date(2025, 10, 1)).isoformat() == "2025-10-16"
    assert procedure.open_requests(site_db, date(2025, 10, 10))[0]["overdue"] is False
    assert procedure.open_requests(site_db, date(2025, 10, 17))[0]["overdue"] is True
    procedure.answer_request(writer, request["id"], answered_on="2025-10-12",
                             answer="Đã đưa vào danh sách rà soát")
    assert procedure.open_requests(site_db, date(2025, 10, 17)) == []


def test_bad_steps_are_refused_with_a_reason(writer, round_, village):
    with pytest.raises(Invalid, match="không thể lớn hơn"):
        procedure.record_meeting(writer, round_["id"], village["id"], held_on="2025-10-20",
                                 attendees=30, agreed=31)
    with pytest.raises(Invalid, match="3 ngày làm việc"):
        procedure.record_posting(writer, round_["id"], village["id"], starts_on="2025-10-24",
                                 ends_on="2025-10-27")
    with pytest.raises(Invalid, match="số quyết định"):
        procedure.record_decision(writer, round_["id"], number=" ", signed_on="2025-11-20",
                                  signer="Lê Quang Thành")


def stage_of(db, round_, today):
    return {v["village"]: v["stage"] for v in procedure.village_progress(db, round_["id"], today)}


def test_the_village_moves_through_the_procedure(site_db, writer, round_, village, home):
    today = date(2025, 12, 1)
    assert stage_of(site_db, round_, today) == {"Thôn Đồng Tâm": "not_started"}
    row, _ = reviews.save_review(writer, round_["id"], home["id"], income_per_person=900_000,
                                 deprivations=ANSWERS)
    assert stage_of(site_db, round_, today)["Thôn Đồng Tâm"] == "reviewing"
    progress = procedure.village_progress(site_db, round_["id"], today)[0]["facts"]
    assert (progress.reviewed, progress.with_errors) == (1, 1)  # no reviewer, no date yet
    reviews.save_review(writer, round_["id"], home["id"], income_per_person=900_000,
                        deprivations=ANSWERS, reviewer="Lê Văn Tâm", review_date="2025-10-02")
    reviews.complete_review(writer, row["id"])
    assert stage_of(site_db, round_, today)["Thôn Đồng Tâm"] == "reviewed"
    procedure.record_meeting(writer, round_["id"], village["id"], held_on="2025-10-20",
                             attendees=40, agreed=15)
    assert stage_of(site_db, round_, today)["Thôn Đồng Tâm"] == "meeting_failed"
    procedure.record_meeting(writer, round_["id"], village["id"], held_on="2025-10-27",
                             attendees=40, agreed=20)  # exactly half agrees: enough
    assert stage_of(site_db, round_, today)["Thôn Đồng Tâm"] == "met"
    procedure.record_posting(writer, round_["id"], village["id"], starts_on="2025-11-03")
    assert stage_of(site_db, round_, date(2025, 11, 4))["Thôn Đồng Tâm"] == "posting"
    assert stage_of(site_db, round_, date(2025, 11, 6))["Thôn Đồng Tâm"] == "posted"
    procedure.record_complaint(writer, round_["id"], home["id"], received_on="2025-11-04",
                               content="Hộ đề nghị xem lại thu nhập")
    facts = procedure.village_progress(site_db, round_["id"], today)[0]["facts"]
    assert facts.open_complaints == 1
    procedure.record_recheck(writer, round_["id"], home["id"], on_date="2025-11-07",
                             result="Giữ nguyên kết quả")
    facts = procedure.village_progress(site_db, round_["id"], today)[0]["facts"]
    assert facts.open_complaints == 0
    procedure.record_decision(writer, round_["id"], number="125/QĐ-UBND",
                              signed_on="2025-11-20", signer="Lê Quang Thành")
    assert stage_of(site_db, round_, today)["Thôn Đồng Tâm"] == "recognised"
