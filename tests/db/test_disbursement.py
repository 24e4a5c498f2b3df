"""Payments, settlement and the estimate approval chain on real database files."""

from decimal import Decimal

import pytest

from gnapp.db import disbursement as spending
from gnapp.db import sites
from gnapp.db.store import Invalid, WriteError
from gnapp.domain.disbursement import ChainError, OverDisbursement
from tests.projects_helpers import make_line

COMMUNE = "07339"


@pytest.fixture
def line(writer):
    return make_line(writer, 500_000_000)


def test_payments_fold_into_the_rate(writer, site_db, line):
    spending.add_payment(writer, line["id"], amount=150_000_000, paid_on="2024-04-02",
                         document="PC 01/2024", content="Mua giống dê đợt 1")
    spending.add_payment(writer, line["id"], amount=123_456_789, paid_on="2024-05-10",
                         document="PC 07/2024")
    balance = spending.line_balance(site_db, line["id"])
    assert balance.disbursed == 273_456_789
    # 273.456.789 / 500.000.000 = 54,6913578 % → 54,69
    assert balance.rate == Decimal("54.69")
    assert balance.state == "disbursing"
    assert [p["amount"] for p in spending.payments(site_db, line["id"])] == \
        [150_000_000, 123_456_789]


def test_over_disbursement_is_refused_and_nothing_is_written(writer, site_db, line):
    spending.add_payment(writer, line["id"], amount=480_000_000, paid_on="2024-04-02",
                         document="PC 01")
    log_before = site_db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(OverDisbursement) as caught:
        spending.add_payment(writer, line["id"], amount=20_000_001, paid_on="2024-04-03",
                             document="PC 02")
    assert "DA2 · NSTW · SN · QĐ 725/QĐ-UBND (năm 2024)" in str(caught.value)
    assert "còn lại 20.000.000 đồng" in str(caught.value)
    assert site_db.execute("SELECT count(*) FROM change_log").fetchone()[0] == log_before
    assert spending.line_balance(site_db, line["id"]).disbursed == 480_000_000
    spending.add_payment(writer, line["id"], amount=20_000_000, paid_on="2024-04-03",
                         document="PC 02")
    assert spending.line_balance(site_db, line["id"]).state == "fully_disbursed"


def test_over_disbursement_inside_one_operation_rolls_back_all(writer, site_db, line):
    def both(w):
        spending.add_payment(w, line["id"], amount=300_000_000, paid_on="2024-04-02",
                             document="PC 01")
        spending.add_payment(w, line["id"], amount=300_000_000, paid_on="2024-04-02",
                             document="PC 02")

    with pytest.raises(OverDisbursement):
        writer.transact(both)
    assert spending.payments(site_db, line["id"]) == []


def test_reversal_gives_the_money_back(writer, site_db, line):
    paid = spending.add_payment(writer, line["id"], amount=500_000_000, paid_on="2024-04-02",
                                document="PC 01")
    spending.reverse_payment(writer, paid["id"], on="2024-04-05", reason="Ghi nhầm số tiền")
    assert spending.line_balance(site_db, line["id"]).disbursed == 0
    rows = spending.payments(site_db, line["id"])
    assert [(r["amount"], r["reversed"]) for r in rows] == [(500_000_000, 1), (-500_000_000, 0)]
    with pytest.raises(WriteError, match="đã được hủy"):
        spending.reverse_payment(writer, paid["id"], on="2024-04-06", reason="lần nữa")


def test_carry_over_line_is_available_money(writer, site_db):
    carried = make_line(writer, 34_498_000_000, kind="carry_over")
    spending.add_payment(writer, carried["id"], amount=27_346_000_000, paid_on="2024-06-30",
                         document="PC 9")
    balance = spending.line_balance(site_db, carried["id"])
    assert (balance.allocated, balance.carried_in) == (0, 34_498_000_000)
    assert balance.rate == Decimal("79.27")     # [000] prints the truncated 79,26 %
    assert "chuyển nguồn" in spending.line_label(spending.allocation_line(site_db, carried["id"]))


def test_settled_line_takes_no_more_payments(writer, site_db, line):
    spending.add_payment(writer, line["id"], amount=400_000_000, paid_on="2024-04-02",
                         document="PC 01")
    with pytest.raises(Invalid, match="lớn hơn số đã giải ngân"):
        spending.settle_line(writer, line["id"], amount=400_000_001, settled_on="2024-12-20",
                             document="QT 01")
    spending.settle_line(writer, line["id"], amount=400_000_000, settled_on="2024-12-20",
                         document="QT 01")
    summary = spending.line_summaries(site_db, COMMUNE)[0]
    assert summary.balance.state == "settled" and summary.balance.settled == 400_000_000
    with pytest.raises(OverDisbursement, match="đã quyết toán"):
        spending.add_payment(writer, line["id"], amount=1, paid_on="2024-12-21", document="PC")


# -- the approval chain ---------------------------------------------------------------------

def test_approval_chain_is_audited(writer, site_db, line):
    estimate = spending.prepare_estimate(
        writer, line["id"], activity="Mua 120 con dê giống", amount=360_000_000,
        prepared_by="Công chức LĐTBXH", prepared_on="2024-03-01")
    with pytest.raises(ChainError, match="chưa được thẩm định"):
        spending.estimate_step(writer, estimate["id"], "approve", by="Chủ tịch UBND xã",
                               on="2024-03-05")
    spending.estimate_step(writer, estimate["id"], "appraise", by="Bộ phận Kế toán – Ngân sách",
                           on="2024-03-04")
    approved = spending.estimate_step(writer, estimate["id"], "approve",
                                      by="Chủ tịch UBND xã", on="2024-03-06")
    assert approved["state"] == "approved"
    assert (approved["appraised_on"], approved["approved_by"]) == ("2024-03-04",
                                                                    "Chủ tịch UBND xã")
    history = spending.estimate_history(site_db, estimate["id"])
    assert [(h["old"], h["new"]) for h in history] == [
        (None, "prepared"), ("prepared", "appraised"), ("appraised", "approved")]
    assert history[1]["reason"] == "Thẩm định dự toán (Bộ phận Kế toán – Ngân sách)"
    assert {h["user"] for h in history} == {"canbo"}
    audited = {r[0] for r in site_db.execute(
        "SELECT field FROM audit_log WHERE row_id = ? AND reason LIKE 'Phê duyệt%'",
        [estimate["id"]])}
    assert audited == {"state", "approved_by", "approved_on"}


def test_returned_estimate_keeps_the_comment_and_comes_back(writer, site_db, line):
    estimate = spending.prepare_estimate(writer, line["id"], activity="Tập huấn kỹ thuật",
                                         amount=20_000_000, prepared_by="Cán bộ",
                                         prepared_on="2024-03-01")
    from gnapp.domain.errors import InputError
    with pytest.raises(InputError, match="lý do trả lại"):
        spending.estimate_step(writer, estimate["id"], "return", by="Kế toán", on="2024-03-02")
    returned = spending.estimate_step(writer, estimate["id"], "return", by="Kế toán",
                                      on="2024-03-02", comment="Thiếu báo giá")
    assert (returned["state"], returned["return_comment"]) == ("returned", "Thiếu báo giá")
    again = spending.estimate_step(writer, estimate["id"], "resubmit", by="Cán bộ",
                                   on="2024-03-03")
    assert again["state"] == "prepared"
    reasons = [h["reason"] for h in spending.estimate_history(site_db, estimate["id"])]
    assert reasons[1] == "Trả lại dự toán (Kế toán): Thiếu báo giá"


def test_estimates_and_payments_under_them(writer, site_db, line):
    estimate = spending.prepare_estimate(writer, line["id"], activity="Mua giống",
                                         amount=300_000_000, prepared_by="Cán bộ",
                                         prepared_on="2024-03-01")
    with pytest.raises(Invalid, match="vượt số vốn được sử dụng"):
        spending.prepare_estimate(writer, line["id"], activity="Khác", amount=200_000_001,
                                  prepared_by="Cán bộ", prepared_on="2024-03-01")
    with pytest.raises(OverDisbursement, match="chưa được phê duyệt"):
        spending.add_payment(writer, line["id"], amount=1_000_000, paid_on="2024-03-10",
                             document="PC 1", estimate_id=estimate["id"])
    for step, who in (("appraise", "Kế toán"), ("approve", "Chủ tịch")):
        spending.estimate_step(writer, estimate["id"], step, by=who, on="2024-03-05")
    spending.add_payment(writer, line["id"], amount=300_000_000, paid_on="2024-03-10",
                         document="PC 1", estimate_id=estimate["id"])
    with pytest.raises(OverDisbursement, match="vượt dự toán «Mua giống»"):
        spending.add_payment(writer, line["id"], amount=1, paid_on="2024-03-11",
                             document="PC 2", estimate_id=estimate["id"])
    assert spending.estimates(site_db, line["id"])[0]["paid"] == 300_000_000


def test_payment_needs_a_document(writer, line):
    with pytest.raises(Invalid, match="số chứng từ"):
        spending.add_payment(writer, line["id"], amount=5, paid_on="2024-01-01", document=" ")


def test_other_units_lines_are_not_listed(site_db, line):
    assert [s.id for s in spending.line_summaries(site_db, COMMUNE)] == [line["id"]]
    assert spending.line_summaries(site_db, "99999") == []
    assert sites.require_site(site_db).unit_code == COMMUNE


# -- command line ---------------------------------------------------------------------------

def test_cli_payments_add_and_refusal(site_path, writer, line):
    import json

    from click.testing import CliRunner

    from gnapp.cli import cli

    def run(*args):
        return CliRunner().invoke(cli, [*args, "--db", str(site_path), "--json"])

    done = run("payments", "add", line["id"], "--amount", "450 triệu", "--date", "02/04/2024",
               "--document", "PC 01/2024")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert (data["line"]["disbursed"], data["line"]["rate"]) == (450_000_000, "90.00")
    refused = run("payments", "add", line["id"], "--amount", "50.000.001", "--date",
                  "03/04/2024", "--document", "PC 02/2024")
    assert refused.exit_code == 1
    assert "vượt 1 đồng" in json.loads(refused.stdout)["error"]
    bad = run("payments", "add", line["id"], "--amount", "năm triệu", "--date", "03/04/2024",
              "--document", "PC 02/2024")
    assert bad.exit_code == 2 and "--amount" in bad.stderr
    listed = json.loads(run("payments", "list").stdout)
    assert [(x["id"], x["remaining"]) for x in listed["lines"]] == [(line["id"], 50_000_000)]
