"""Livelihood projects on a real database: eligibility from the review history, the 50 %
rule, counterpart contributions, inputs delivered."""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gnapp.db import households as hh
from gnapp.db import projects as pj
from gnapp.db.store import Invalid, WriteError
from tests.projects_helpers import build_commune, make_line, make_project


@pytest.fixture
def homes(writer):
    return build_commune(writer)


@pytest.fixture
def project(writer, homes):
    return make_project(writer)


@pytest.mark.parametrize("key, group, target", [
    ("poor", "poor", True),
    ("near_poor", "near_poor", True),
    ("escaped", "newly_escaped", True),
    ("disabled", "disability", True),
    ("minority", "other", False),
    ("other", "other", False),
])
def test_eligibility_from_the_register_and_reviews(site_db, homes, key, group, target):
    found = pj.eligibility(site_db, homes[key], date(2024, 3, 1))
    assert (found.group, found.target) == (group, target)


def test_newly_escaped_dates_from_the_recognition_decision(site_db, homes):
    found = pj.eligibility(site_db, homes["escaped"], date(2024, 3, 1))
    assert "thoát nghèo từ 20/12/2023" in found.reason
    # before the decision the 2023 result is not in force: still poor by the 2022 list
    assert pj.eligibility(site_db, homes["escaped"], date(2023, 12, 19)).group == "poor"
    assert pj.eligibility(site_db, homes["escaped"], date(2026, 12, 20)).group == "other"


def test_disabled_member_is_named(site_db, homes):
    assert "Đinh Thị Nụ" in pj.eligibility(site_db, homes["disabled"], date(2024, 3, 1)).reason


def test_participants_and_the_fifty_percent_rule(writer, site_db, homes, project):
    for key in ("other", "other2", "minority"):
        pj.add_participant(writer, project["id"], homes[key], counterpart=2_000_000)
    shares = pj.shares(site_db, project["id"])
    assert (shares.participants, shares.target, shares.priority) == (3, 0, 1)
    with pytest.raises(WriteError, match=r"0/3 \(0,00%\).*cần thêm ít nhất 3 hộ"):
        pj.set_status(writer, project["id"], "implementing")
    assert pj.project(site_db, project["id"])["status"] == "planning"
    for key in ("poor", "escaped"):
        pj.add_participant(writer, project["id"], homes[key], counterpart=1_000_000)
    shares = pj.shares(site_db, project["id"])
    assert shares.target_rate == Decimal("40.00") and not shares.meets_target_rule
    pj.add_participant(writer, project["id"], homes["disabled"])
    shares = pj.shares(site_db, project["id"])
    assert (shares.target, shares.participants) == (3, 6) and shares.meets_target_rule
    assert shares.priority_rate == Decimal("50.00") and not shares.has_priority
    started = pj.set_status(writer, project["id"], "implementing")
    assert started["status"] == "implementing"
    listed = pj.list_projects(site_db)[0]
    assert (listed["participants"], listed["counterpart"]) == (6, 8_000_000)


def test_a_household_joins_once_and_only_from_the_register(writer, site_db, homes, project):
    pj.add_participant(writer, project["id"], homes["poor"])
    with pytest.raises(WriteError, match="đã có trong danh sách"):
        pj.add_participant(writer, project["id"], homes["poor"])
    hh.move_out_household(writer, homes["near_poor"], "2024-01-15")
    with pytest.raises(WriteError, match="không còn trong sổ hộ"):
        pj.add_participant(writer, project["id"], homes["near_poor"])
    assert [p.household_id for p in pj.participants(site_db, project["id"])] == [homes["poor"]]


def test_removed_participant_can_be_added_again(writer, site_db, homes, project):
    row = pj.add_participant(writer, project["id"], homes["poor"])
    pj.remove_participant(writer, row["id"], reason="Hộ rút khỏi dự án")
    assert pj.participants(site_db, project["id"]) == []
    pj.add_participant(writer, project["id"], homes["poor"], counterpart=500_000)
    assert pj.participants(site_db, project["id"])[0].counterpart == 500_000


def test_search_shows_eligibility_and_participation(writer, site_db, homes, project):
    pj.add_participant(writer, project["id"], homes["escaped"])
    found = pj.find_households(site_db, project["id"], "nong van")
    assert [(c.head, c.eligibility.group, c.participating) for c in found] == \
        [("Nông Văn Thắng", "newly_escaped", True)]


def test_counterpart_must_not_be_negative(writer, homes, project):
    with pytest.raises(Invalid, match="Vốn đối ứng"):
        pj.add_participant(writer, project["id"], homes["poor"], counterpart=-1)


def test_inputs_delivered(writer, site_db, homes, project):
    pj.add_participant(writer, project["id"], homes["poor"])
    pj.add_input(writer, project["id"], item="Dê cái giống", quantity=3, unit="con",
                 delivered_on="2024-07-20", household_id=homes["poor"])
    pj.add_input(writer, project["id"], item="Thức ăn tinh", quantity="13.8", unit="kg",
                 delivered_on="2024-07-31")
    with pytest.raises(WriteError, match="không có trong danh sách"):
        pj.add_input(writer, project["id"], item="Dê", quantity=1, unit="con",
                     delivered_on="2024-07-20", household_id=homes["other"])
    with pytest.raises(Invalid, match="Số lượng"):
        pj.add_input(writer, project["id"], item="Dê", quantity=0, unit="con",
                     delivered_on="2024-07-20")
    rows = pj.inputs(site_db, project["id"])
    assert [(r["item"], r["quantity"], r["head_name"]) for r in rows] == [
        ("Dê cái giống", "3", "Lò Văn Pụ"), ("Thức ăn tinh", "13.8", None)]


def test_project_draws_on_an_allocation_line(writer, site_db, homes):
    line = make_line(writer, 400_000_000)
    row = make_project(writer, allocation_line_id=line["id"], village_id=None)
    assert pj.project(site_db, row["id"])["allocation_line_id"] == line["id"]
    changed = pj.update_project(writer, row["id"], {"ends_on": date(2025, 6, 30)})
    assert changed["ends_on"] == "2025-06-30"
    with pytest.raises(Invalid, match="Ngày kết thúc trước ngày bắt đầu"):
        pj.update_project(writer, row["id"], {"ends_on": "2023-01-01"})


def test_completed_project_takes_no_participants(writer, homes, project):
    pj.add_participant(writer, project["id"], homes["poor"])
    pj.set_status(writer, project["id"], "completed")
    with pytest.raises(WriteError, match="đã kết thúc"):
        pj.add_participant(writer, project["id"], homes["near_poor"])


# -- the Bạch Thông DA2 table of 2023 (tests/fixtures/allocations: the project's seed tables) --

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "allocations"


def test_bach_thong_projects_and_deliveries(writer, site_db):
    table = list(csv.DictReader((FIXTURES / "bach_thong_da2_2023.csv").open(encoding="utf-8")))
    stated = json.loads((FIXTURES / "bach_thong_da2_2023_total.json").read_text("utf-8"))
    rows = [make_project(writer, name=r["project_name"], implementer=r["unit_name"],
                         amount=int(r["amount_dong"]), year=2023, starts_on="2023-03-01",
                         ends_on="2023-12-31") for r in table]
    listed = pj.list_projects(site_db)
    assert len(listed) == stated["project_rows"] == 8
    assert sum(p["amount"] for p in listed) == stated["printed_total"]["amount_dong"]
    by_unit: dict[str, int] = {}
    for p in listed:
        name = p["implementer"].removeprefix("UBND xã ")
        by_unit[name] = by_unit.get(name, 0) + p["amount"]
    assert by_unit == stated["per_commune_total_dong"]
    # "Đến thời điểm ngày 31/7/2023: Có 3 dự án đã cấp giống cho dân"
    for row, day in zip(rows, ("2023-06-15", "2023-07-20", "2023-07-31", "2023-08-10")):
        pj.add_input(writer, row["id"], item="Giống", quantity=10, unit="con", delivered_on=day)
    assert len(pj.delivered_by(site_db, date(2023, 7, 31))) == 3


def test_lists_read_inside_a_save_show_the_households_it_added(writer, homes, project):
    """The household index of a household registered in the same save is written at the
    end of the save; a list read before that end still shows the household."""
    village = writer.db.execute("SELECT village_id FROM household WHERE id = ?",
                                [homes["poor"]]).fetchone()[0]

    def save(w):
        home = hh.add_household(w, village_id=village, area="rural",
                                head={"full_name": "Hà Thị Nguyệt", "sex": "nu",
                                      "birth_date": "1990"})
        pj.add_participant(w, project["id"], home["id"])
        pj.add_input(w, project["id"], item="Gà giống", quantity=20, unit="con",
                     delivered_on="2024-07-20", household_id=home["id"])
        seen.append(([p.head for p in pj.participants(w.db, project["id"])],
                     [r["head_name"] for r in pj.inputs(w.db, project["id"])]))
    seen: list = []
    writer.transact(save)
    assert seen == [(["Hà Thị Nguyệt"], ["Hà Thị Nguyệt"])]
