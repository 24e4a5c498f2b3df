"""A commune's complete period travels up; the office adds up its communes, lists the missing
ones, and approves or returns the period (issue 7 item 5, issue 8 item 4)."""

from decimal import Decimal

import pytest

from gnapp.db import progress, sites
from gnapp.db.store import Locked, WriteError
from gnapp.domain import progress as rules
from gnapp.domain.errors import GnappError, InputError
from gnapp.forms import progress_reports as prr
from gnapp.forms.catalog import render
from gnapp.sync import approvals
from tests.conftest import COMMUNE
from tests.forms.readback import pdf_text
from tests.sync.test_round_trip import send


@pytest.fixture
def reported(commune, office, outbox):
    """The commune completed its 6-month period of 2026 and sent it up."""
    w = sites.writer(commune)
    period = progress.create_period(w, rules.HALF_YEAR, 2026)
    progress.set_figure(w, period["id"], "CS.BHYT.THE", actual="300", target="350")
    progress.set_figure(w, period["id"], "CS.BHYT.NGHEO", actual="120")
    progress.set_figure(w, period["id"], "CS.DIEN.LUOT.Q1", actual="41")
    progress.complete_period(w, period["id"])
    send(commune, office, outbox / "up-1")
    return period


def test_the_office_adds_up_complete_periods_and_lists_the_missing_communes(
        commune, office, reported, tmp_path):
    found = progress.rollup(office, rules.HALF_YEAR, 2026)
    assert [c["code"] for c in found.included] == [COMMUNE]
    communes = progress.office_communes(office, "24")
    assert len(found.missing) == len(communes) - 1
    assert {reason for _, reason in found.missing} == {"chưa nhận được kỳ báo cáo"}
    assert found.totals["CS.BHYT.THE"].actual == 300
    assert found.totals["CS.BHYT.THE"].target == 350
    assert found.totals["CS.DIEN.LUOT.Q1"].actual == 41
    doc = prr.rollup_report(office, rules.HALF_YEAR, 2026)
    text = pdf_text(render(doc, tmp_path / "tong-hop.pdf"))
    assert f"1/{len(communes)} đơn vị" in text and "Thẻ bảo hiểm y tế được cấp" in text
    assert "chưa nhận được kỳ báo cáo" in text
    with pytest.raises(GnappError, match="chỉ làm trên máy của cơ quan cấp trên"):
        progress.rollup(commune, rules.HALF_YEAR, 2026)


def test_roll_up_sums_two_communes_and_recomputes_rates(commune, office, reported):
    """A second commune's figures are added; rates come from the summed counts."""
    other = progress.office_communes(office, "24")[1]["code"]
    frame = progress.framework(office, 2026)
    one = progress.figures(office, reported["id"])
    two = {code: rules.Figure(frame.require(code), actual=Decimal(v)) for code, v in
           (("DA2.VON", 400), ("DA2.GIAI_NGAN", 100))}
    ours = {**one, "DA2.VON": rules.Figure(frame.require("DA2.VON"), computed=Decimal(600)),
            "DA2.GIAI_NGAN": rules.Figure(frame.require("DA2.GIAI_NGAN"), computed=Decimal(200))}
    totals = rules.add_figures(frame, [ours, two])
    assert totals["DA2.VON"].actual == 1000 and totals["DA2.GIAI_NGAN"].actual == 300
    assert totals["DA2.TL_GIAI_NGAN"].value == Decimal("30.00")      # not 33.33 + 25
    assert other != COMMUNE


def test_a_returned_period_opens_again_at_the_commune_with_the_comment(
        commune, office, outbox, reported):
    with pytest.raises(InputError, match="cần ghi ý kiến"):
        approvals.decide_period(office, commune=COMMUNE, kind=rules.HALF_YEAR, year=2026,
                                state="returned")
    approvals.decide_period(office, commune=COMMUNE, kind=rules.HALF_YEAR, year=2026,
                            state="returned", comment="Bổ sung số thẻ BHYT hộ cận nghèo")
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    [seen] = progress.periods(commune)
    assert seen["status"] == "returned" and seen["comment"] == "Bổ sung số thẻ BHYT hộ cận nghèo"
    w = sites.writer(commune)
    progress.reopen_period(w, reported["id"], reason="Cấp trên trả lại")
    progress.set_figure(w, reported["id"], "CS.BHYT.CAN_NGHEO", actual="60")
    progress.complete_period(w, reported["id"])
    assert progress.periods(commune)[0]["status"] == "complete"
    send(commune, office, outbox / "up-2")
    found = progress.rollup(office, rules.HALF_YEAR, 2026)
    assert found.totals["CS.BHYT.CAN_NGHEO"].actual == 60


def test_an_approved_period_is_locked_on_both_sides(commune, office, outbox, reported):
    decided = approvals.decide_period(office, commune=COMMUNE, kind=rules.HALF_YEAR,
                                      year=2026, state="approved")
    assert decided["row_count"] > 0
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    assert progress.periods(commune)[0]["status"] == "approved"
    w = sites.writer(commune)
    with pytest.raises(WriteError, match="đã được cấp trên phê duyệt"):
        progress.reopen_period(w, reported["id"], reason="Sửa")
    value = next(commune.query("SELECT id FROM indicator_value WHERE indicator = 'CS.BHYT.THE'"))
    with pytest.raises(Locked):
        w.update("indicator_value", value["id"], {"actual": "301"})


def test_only_a_complete_period_is_decided_and_only_by_an_office(commune, office, outbox):
    w = sites.writer(commune)
    progress.create_period(w, rules.YEAR, 2026)
    send(commune, office, outbox / "up-1")
    with pytest.raises(GnappError, match="chưa hoàn thành"):
        approvals.decide_period(office, commune=COMMUNE, kind=rules.YEAR, year=2026,
                                state="approved")
    with pytest.raises(InputError, match="Chưa nhận được kỳ báo cáo"):
        approvals.decide_period(office, commune=COMMUNE, kind=rules.HALF_YEAR, year=2026,
                                state="approved")
    with pytest.raises(GnappError, match="Chỉ máy của cơ quan cấp trên"):
        approvals.decide_period(commune, commune=COMMUNE, kind=rules.YEAR, year=2026,
                                state="approved")


def test_deadlines_and_added_indicators_travel_down_from_the_office(commune, office, outbox):
    w = sites.writer(office)
    progress.set_deadline(w, level="commune", kind=rules.YEAR, due="28/11",
                          basis="Công văn 15/SNN của Sở")
    progress.add_indicator(w, code="DP.BE_NUOC", group="DP", group_name="Chính sách của tỉnh",
                           name="Hộ được hỗ trợ bể chứa nước", unit="ho")
    with pytest.raises(InputError, match="Đơn vị tính «tấn» không có"):
        progress.add_indicator(w, code="DP.X", group="DP", name="X", unit="tấn")
    send(office, commune, outbox / "down-1", to_unit=COMMUNE)
    period = progress.create_period(sites.writer(commune), rules.YEAR, 2026)
    assert period["due_on"] == "2026-11-28"
    assert progress.deadlines(commune)[rules.YEAR].basis == "Công văn 15/SNN của Sở"
    frame = progress.framework(commune, 2026)
    assert frame.require("DP.BE_NUOC").group == "DP" and frame.group("DP").name == \
        "Chính sách của tỉnh"
    progress.set_figure(sites.writer(commune), period["id"], "DP.BE_NUOC", actual="7")
    assert progress.figures(commune, period["id"])["DP.BE_NUOC"].actual == 7
