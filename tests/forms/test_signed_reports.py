"""The review reports as printed copies, and locks that also guard new rows (issue 5, item 5).

A report's fingerprint hashes exactly the figures it shows; a signed report locks the reviews
of the round it counted and refuses new reviews, requests and back-dated register events
in its villages; a signed certificate refuses a new member of its household. Each refusal
names the signed document; an audited unlock frees the data.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gnapp.cli import cli
from gnapp.db import documents, reviews
from gnapp.db import households as hh
from gnapp.db.store import Locked
from gnapp.forms import catalog, printing
from tests.forms.conftest import POOR_INCOME, deprived
from tests.forms.readback import pdf_text


def _print(commune, name, tmp_path, suffix=".pdf", **params):
    out = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}{suffix}"
    return printing.print_form(commune.db, name, out, **{"round_year": 2025, **params})


def _add_review(writer, commune, name, year=2025):
    row, _ = reviews.save_review(writer, commune.rounds[year]["id"], commune.households[name]["id"],
                                 income_per_person=POOR_INCOME, deprivations=deprived("employment"),
                                 reviewer="Lê Văn Tâm", review_date=f"{year}-10-06")
    return row


def test_every_review_report_is_recorded_with_the_fingerprint_of_its_figures(commune, writer,
                                                                            tmp_path):
    reports = [n for n, s in catalog.REPORTS.items() if s.group == "Báo cáo rà soát"]
    assert len(reports) == 15 and all(catalog.spec(n).recorded for n in reports)
    first = _print(commune, "bao-cao-1", tmp_path)
    again = _print(commune, "bao-cao-1", tmp_path, suffix=".xlsx")
    assert first.copy is not None and not first.is_copy
    assert again.is_copy and again.copy["fingerprint"] == first.copy["fingerprint"]
    text = pdf_text(first.path)
    assert f"Mã dữ liệu: {first.copy['fingerprint'][:12]}" in text and "BẢN SAO" not in text
    # the village report is another document with another fingerprint
    village = _print(commune, "bao-cao-1", tmp_path, unit_code=commune.villages["Thôn Hai"]["code"])
    assert not village.is_copy and village.copy["fingerprint"] != first.copy["fingerprint"]
    # B5 (Thôn Hai, not reviewed in 2025) now reviewed as poor: a figure changes
    _add_review(writer, commune, "B5")
    changed = _print(commune, "bao-cao-1", tmp_path)
    assert not changed.is_copy and changed.copy["copy_no"] == 3
    assert changed.copy["fingerprint"] != first.copy["fingerprint"]
    assert "BẢN SAO" not in pdf_text(changed.path)
    # the fingerprint is that of the figures shown: the same figures give the same hash
    built = catalog.build(commune.db, "bao-cao-1", round_year=2025)
    assert built.fingerprint == changed.copy["fingerprint"]


def test_a_signed_report_locks_the_reviews_it_counted_until_an_audited_unlock(commune, writer,
                                                                              tmp_path):
    printed = _print(commune, "bao-cao-4", tmp_path)
    shown = {tuple(r) for r in json.loads(printed.copy["shown_rows"])}
    counted = {r[0] for r in commune.db.execute(
        "SELECT id FROM household_review WHERE round_id = ? AND deleted = 0",
        [commune.rounds[2025]["id"]])}
    assert {row_id for table, row_id in shown if table == "household_review"} == counted
    assert len(counted) == 9                                     # B5 has no review
    documents.mark_signed(writer, printed.copy["id"])
    a1 = reviews.review_of(commune.db, commune.rounds[2025]["id"], commune.households["A1"]["id"])
    with pytest.raises(Locked, match="văn bản đã ký: Báo cáo 4"):
        reviews.reopen_review(writer, a1["id"], reason="Sửa thu nhập")
    # a new review of the round in a village the report counted is refused too
    with pytest.raises(Locked, match=r"Không thêm được phiếu rà soát: kết quả đợt rà soát "
                                     r"của thôn đã bị khóa \(văn bản đã ký: Báo cáo 4"):
        _add_review(writer, commune, "B5")
    # other rounds stay open: the 2024 reviews are not what the report counted
    a1_2024 = reviews.review_of(commune.db, commune.rounds[2024]["id"],
                                commune.households["A1"]["id"])
    reviews.reopen_review(writer, a1_2024["id"], reason="Kiểm tra lại")
    # a register event dated before the round's end would change its figures: refused
    with pytest.raises(Locked, match="biến động ghi ngày 2025-06-01"):
        hh.move_out_household(writer, commune.households["B2"]["id"], "2025-06-01")
    documents.unlock(writer, printed.copy["id"], reason="Sửa sai sót sau khi ký")
    reviews.reopen_review(writer, a1["id"], reason="Sửa thu nhập")
    _add_review(writer, commune, "B5")
    audit = commune.db.execute("SELECT reason FROM audit_log WHERE table_name = 'printed_copy' "
                               "AND field = 'state' AND new = 'unlocked'").fetchall()
    assert audit == [("Sửa sai sót sau khi ký",)]
    assert not documents.locked_rows(commune.db)


def test_a_village_report_locks_only_its_village(commune, writer, tmp_path):
    hai = commune.villages["Thôn Hai"]
    printed = _print(commune, "bao-cao-15", tmp_path, unit_code=hai["code"])
    documents.mark_signed(writer, printed.copy["id"])
    with pytest.raises(Locked, match="Báo cáo 15"):
        _add_review(writer, commune, "B5")                       # Thôn Hai
    a2 = reviews.review_of(commune.db, commune.rounds[2025]["id"], commune.households["A2"]["id"])
    reviews.reopen_review(writer, a2["id"], reason="Thôn Một không bị khóa")
    # a new household of Thôn Một arriving in 2025 goes in; one of Thôn Hai does not
    hh.add_household(writer, village_id=commune.villages["Thôn Một"]["id"], area="rural",
                     head={"full_name": "Đỗ Thị Lan", "sex": "nu", "birth_date": "1990"},
                     on_date="2025-03-01")
    with pytest.raises(Locked, match="Báo cáo 15"):
        hh.add_household(writer, village_id=hai["id"], area="rural",
                         head={"full_name": "Đỗ Văn Nam", "sex": "nam", "birth_date": "1991"},
                         on_date="2025-03-01")
    assert commune.db.execute("SELECT count(*) FROM household WHERE village_id = ?",
                              [hai["id"]]).fetchone()[0] == 5    # nothing of it stayed
    # arriving after the round's end it does not change the signed figures
    hh.add_household(writer, village_id=hai["id"], area="rural",
                     head={"full_name": "Đỗ Văn Nam", "sex": "nam", "birth_date": "1991"},
                     on_date="2026-02-01")


def test_a_signed_certificate_refuses_a_new_member_of_its_household(commune, writer, tmp_path):
    home = commune.households["A1"]
    printed = _print(commune, "giay-chung-nhan", tmp_path, household=home["code"])
    documents.mark_signed(writer, printed.copy["id"])
    with pytest.raises(Locked, match=r"Không thêm được thành viên hộ: hộ gia đình đã bị khóa "
                                     r"\(văn bản đã ký: Giấy chứng nhận"):
        hh.add_member(writer, home["id"], {"full_name": "Trần Văn Bé", "sex": "nam",
                                           "birth_date": "2025", "relation": "grandchild"})
    assert len(hh.members(commune.db, home["id"])) == 3
    other = commune.households["A2"]
    hh.add_member(writer, other["id"], {"full_name": "Trần Văn Bé", "sex": "nam",
                                        "birth_date": "2025", "relation": "grandchild"})
    documents.unlock(writer, printed.copy["id"], reason="Hộ sinh thêm con")
    hh.add_member(writer, home["id"], {"full_name": "Trần Văn Bé", "sex": "nam",
                                       "birth_date": "2025", "relation": "grandchild"})
    assert len(hh.members(commune.db, home["id"])) == 4


def test_the_cli_signs_and_a_member_brought_back_into_a_signed_household_is_refused(
        commune, writer, tmp_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, [*map(str, args), "--db", str(commune.path), "--json"])

    home = commune.households["A4"]
    extra = hh.add_member(writer, home["id"], {"full_name": "Lê Thị Hoa", "sex": "nu",
                                               "birth_date": "1999", "relation": "child"})
    hh.delete_member(writer, extra["id"], reason="Nhập nhầm")
    out = tmp_path / "gcn.pdf"
    made = run("report", "giay-chung-nhan", "--household", home["code"], "--round", "2025",
               "--out", out)
    assert made.exit_code == 0, made.output
    copy_id = json.loads(made.output)["printed_copy"]
    signed = run("report", "sign", copy_id[:13])
    assert signed.exit_code == 0, signed.output
    restored = run("trash", "restore", "member", extra["id"], "--reason", "Khôi phục")
    assert restored.exit_code != 0
    assert "hộ gia đình đã bị khóa (văn bản đã ký: Giấy chứng nhận" in restored.output
    assert hh.members(commune.db, home["id"]) and extra["id"] not in {
        m["id"] for m in hh.members(commune.db, home["id"])}
    # a signed report refuses, from the CLI too, a review the round did not have
    made = run("report", "bao-cao-1", "--round", "2025", "--out", tmp_path / "bc1.xlsx")
    assert run("report", "sign", json.loads(made.output)["printed_copy"]).exit_code == 0
    unlocked = run("report", "unlock", copy_id, "--reason", "Khôi phục thành viên")
    assert unlocked.exit_code == 0, unlocked.output
    assert run("trash", "restore", "member", extra["id"], "--reason", "Khôi phục").exit_code == 0
    assert extra["id"] in {m["id"] for m in hh.members(commune.db, home["id"])}
