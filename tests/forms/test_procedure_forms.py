"""The procedure's forms on the scripted commune (tests/forms/conftest.py), read back from the
PDF and XLSX files and compared with counts taken straight from the register."""

from datetime import date

import pytest

from gnapp import demo
from gnapp.db import connection, documents, procedure, reviews, sites
from gnapp.db import households as hh
from gnapp.db.store import Locked
from gnapp.domain.errors import InputError
from gnapp.forms import catalog, printing
from gnapp.forms import document as d
from readback import pdf_fonts, pdf_pages, pdf_text, sheet

CCCD = "001070123456"          # head of A1: man born 05/03/1970 (province 001)
PROCEDURE_FORMS = [name for name, spec in catalog.REPORTS.items()
                   if spec.group == "Biểu mẫu quy trình rà soát"]


def classes(db, year) -> dict[str, str]:
    """Household code → class in the periodic round of ``year`` (straight from the reviews)."""
    return {r[0]: r[1] for r in db.execute(
        "SELECT h.code, r.class FROM household_review r JOIN household h ON h.id = "
        "r.household_id JOIN review_round o ON o.id = r.round_id WHERE o.year = ? "
        "AND r.deleted = 0", [year])}


def persons(db) -> dict[str, int]:
    return {r[0]: r[1] for r in db.execute(
        "SELECT h.code, count(m.id) FROM household h JOIN member m ON m.household_id = h.id "
        "AND m.deleted = 0 AND m.status = 'present' GROUP BY h.code")}


def expected_lists(db) -> dict[str, set[str]]:
    """The four lists of 2025 counted independently: classes of 2024 and 2025."""
    before, after = classes(db, 2024), classes(db, 2025)
    codes = set(persons(db))
    end = {c: after.get(c, "not_poor") for c in codes}
    start = {c: before.get(c, "not_poor") for c in codes}
    return {
        "poor": {c for c in codes if end[c] == "poor"},
        "near_poor": {c for c in codes if end[c] == "near_poor"},
        "escaped_poor": {c for c in codes if start[c] == "poor" and end[c] != "poor"},
        "escaped_near_poor": {c for c in codes if start[c] == "near_poor"
                              and end[c] not in ("poor", "near_poor")},
    }


def head_names(db, codes) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT m.full_name FROM member m JOIN household h ON h.id = m.household_id "
        f"WHERE m.relation = 'head' AND h.code IN ({','.join('?' * len(codes))})", list(codes))}


@pytest.fixture
def private_head(commune):
    """A1's head with an identity number and a full birth date (never on a posted list)."""
    w = sites.writer(commune.db)
    head = next(m for m in hh.members(commune.db, commune.households["A1"]["id"])
                if m["relation"] == "head")
    hh.update_member(w, head["id"], {"id_number": CCCD, "birth_date": "1970-03-05"})
    return head


def test_posting_list_holds_the_four_lists_and_no_identity_number(commune, private_head,
                                                                   tmp_path):
    db = commune.db
    expected = expected_lists(db)
    sizes = persons(db)
    doc = catalog.build(db, "niem-yet", round_year=2025)
    headings = [b.text for b in doc.body if isinstance(b, d.Heading)]
    labels = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo", "escaped_poor": "hộ thoát nghèo",
              "escaped_near_poor": "hộ thoát cận nghèo"}
    for key, label in labels.items():
        n, p = len(expected[key]), sum(sizes[c] for c in expected[key])
        assert f"Danh sách {label}: {n} hộ, {p} nhân khẩu" in headings
    pdf = printing.print_form(db, "niem-yet", tmp_path / "ny.pdf", round_year=2025).path
    xlsx = printing.print_form(db, "niem-yet", tmp_path / "ny.xlsx", round_year=2025).path
    text = pdf_text(pdf)
    cells = " ".join(str(c.value) for row in sheet(xlsx).iter_rows() for c in row
                     if c.value is not None)
    for shown in (text, cells):
        assert CCCD not in shown and "05/03/1970" not in shown and "1970-03-05" not in shown
        assert "Nguyễn Văn Đức A1" in shown and "1970" in shown
        for name in head_names(db, expected["escaped_poor"]):
            assert name in shown
    assert pdf_fonts(pdf) <= {"LiberationSerif", "LiberationSerif-Bold",
                              "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}


def test_review_list_is_last_years_lists_and_the_requests(commune, tmp_path):
    db = commune.db
    w = sites.writer(db)
    procedure.add_request(w, applicant="Nguyễn Văn Đức B4", kind="review",
                          received_on="2025-09-20", household_id=commune.households["B4"]["id"],
                          round_id=commune.rounds[2025]["id"])
    before = classes(db, 2024)
    b4 = commune.households["B4"]["code"]
    wanted = {c for c, k in before.items() if k in ("poor", "near_poor")} | {b4}
    codes = {h["id"]: h["code"] for h in commune.households.values()}
    doc = catalog.build(db, "phu-luc-1", round_year=2025)
    (table,) = [b for b in doc.body if isinstance(b, d.Table)]
    listed = [r.cells for r in table.rows if len(r.cells) > 1]
    assert {row[1] for row in listed} == wanted and len(listed) == len(wanted) == 7
    assert {("household", i) for i, c in codes.items() if c in wanted} == set(doc.shown_rows)
    requested = [row for row in listed if row[7] == "x"]
    assert [row[1] for row in requested] == [b4]
    out = printing.print_form(db, "phu-luc-1", tmp_path / "pl1.xlsx", round_year=2025).path
    ws = sheet(out)
    heads = {ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    assert head_names(db, wanted) <= heads
    assert "Thôn Một" in pdf_text(printing.print_form(db, "phu-luc-1", tmp_path / "pl1.pdf",
                                                      round_year=2025).path)


def test_decision_counts_each_list_and_annexes_them_after_the_signature(commune, tmp_path):
    db = commune.db
    w = sites.writer(db)
    documents.add_signer(w, role="vice_chairman", name="Nguyễn Duy Luân",
                         valid_from="2021-07-01")
    expected = expected_lists(db)
    sizes = persons(db)
    printed = printing.print_form(db, "quyet-dinh", tmp_path / "qd.pdf", round_year=2025,
                                  issue=True, today=date(2025, 12, 20))
    pages = pdf_pages(printed.path)
    first = pages[0]
    assert "Số: 01/QĐ-UBND" in first and "ngày 20 tháng 12 năm 2025" in first
    assert "KT. CHỦ TỊCH" in first and "Nguyễn Duy Luân" in first.replace("\n", " ")
    for key, label in (("poor", "Hộ nghèo"), ("near_poor", "Hộ cận nghèo"),
                       ("escaped_poor", "Hộ thoát nghèo"),
                       ("escaped_near_poor", "Hộ thoát cận nghèo")):
        n, p = len(expected[key]), sum(sizes[c] for c in expected[key])
        assert f"{label}: {n} hộ, {p} nhân khẩu" in " ".join(pages).replace("\n", " ")
    annex = " ".join(pages[1:])
    assert "Kèm theo Quyết định số 01/QĐ-UBND ngày 20/12/2025" in annex.replace("\n", " ")
    # a reprint keeps the number; a copy of the same data says so
    again = printing.print_form(db, "quyet-dinh", tmp_path / "qd2.pdf", round_year=2025)
    assert again.copy["number_text"] == "01/QĐ-UBND" and again.is_copy
    assert "BẢN SAO" in pdf_pages(again.path)[0] and "BẢN SAO" not in first
    with pytest.raises(InputError, match="chỉ lập được ra tệp .pdf"):
        printing.print_form(db, "quyet-dinh", tmp_path / "qd.xlsx", round_year=2025)


def test_signed_decision_locks_the_reviews_until_an_audited_unlock(commune, tmp_path):
    db = commune.db
    w = sites.writer(db)
    printed = printing.print_form(db, "quyet-dinh", tmp_path / "qd.pdf", round_year=2025,
                                  issue=True)
    documents.mark_signed(w, printed.copy["id"])
    review = reviews.review_of(db, commune.rounds[2025]["id"], commune.households["A1"]["id"])
    with pytest.raises(Locked, match="văn bản đã ký: Quyết định công nhận, số 01/QĐ-UBND"):
        reviews.reopen_review(w, review["id"], reason="Sửa lại thu nhập")
    documents.unlock(w, printed.copy["id"], reason="Hộ khiếu nại, phúc tra lại")
    reviews.reopen_review(w, review["id"], reason="Sửa lại thu nhập")
    reason = db.execute("SELECT reason FROM audit_log WHERE row_id = ? AND field = 'state' "
                        "ORDER BY id DESC LIMIT 1", [printed.copy["id"]]).fetchone()[0]
    assert reason == "Hộ khiếu nại, phúc tra lại"


def test_meeting_minutes_two_copies_with_the_vote(commune, tmp_path):
    db = commune.db
    village = commune.villages["Thôn Một"]
    procedure.record_meeting(sites.writer(db), commune.rounds[2025]["id"], village["id"],
                             held_on="2025-11-10", attendees=40, agreed=31)
    out = printing.print_form(db, "bien-ban-hop-dan", tmp_path / "bb.pdf", round_year=2025,
                              unit_code=village["code"]).path
    text = pdf_text(out).replace("\n", " ")
    assert text.count("BIÊN BẢN HỌP DÂN") == 2
    assert "Bản số 1/2: lưu tại thôn" in text and "Bản số 2/2: gửi Ban chỉ đạo" in text
    assert "Số người dự họp: 40; số người đồng ý: 31 (77%)" in text
    assert "ngày 10 tháng 11 năm 2025" in text
    with pytest.raises(InputError, match="từng thôn"):
        catalog.build(db, "bien-ban-hop-dan", round_year=2025)


def test_phieu_b_prefilled_for_a_household_and_blank(commune, tmp_path):
    db = commune.db
    code = commune.households["A1"]["code"]
    filled = printing.print_form(db, "phieu-b", tmp_path / "b.pdf", round_year=2025,
                                 household=code).path
    text = pdf_text(filled).replace("\n", " ")
    names = [m["full_name"] for m in hh.members(db, commune.households["A1"]["id"])]
    assert all(name in text for name in names) and f"Mã hộ: {code}" in text
    standard = reviews.standard(commune.rounds[2025]["standard_id"])
    assert all(i.name in text for i in standard.indicators)
    blank = printing.print_form(db, "phieu-b", tmp_path / "blank.pdf", round_year=2025,
                                blank=True).path
    assert not any(name in pdf_text(blank) for name in names)
    # by default one page (or more) per household of the review list
    every = catalog.build(db, "phieu-c", round_year=2025)
    listed = {h for t, h in every.shown_rows}
    assert len(listed) == len({c for c, k in classes(db, 2024).items()
                               if k in ("poor", "near_poor")})
    assert sum(isinstance(b, d.PageBreak) for b in every.body) == len(listed) - 1
    with pytest.raises(InputError, match="không dùng tùy chọn --household"):
        catalog.build(db, "niem-yet", round_year=2025, household=code)


def test_every_procedure_form_renders_for_the_demo_commune(db_path, tmp_path):
    db = connection.connect(db_path)
    demo.fill(db, households=80)
    village = db.execute("SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code "
                         "LIMIT 1").fetchone()[0]
    poor = db.execute("SELECT h.code FROM household_review r JOIN household h ON h.id = "
                      "r.household_id JOIN review_round o ON o.id = r.round_id WHERE o.year = "
                      "2025 AND r.class = 'poor' ORDER BY h.code LIMIT 1").fetchone()[0]
    # the 2026 round compares with 2025: its review list and forms; the rest for 2025
    params = {"bien-ban-hop-dan": {"unit_code": village}, "giay-chung-nhan": {"household": poor},
              "phieu-a": {"blank": True}, "phieu-b": {"round_year": 2026},
              "phieu-c": {"household": poor}, "phu-luc-1": {"round_year": 2026}}
    for name in PROCEDURE_FORMS:
        spec = catalog.spec(name)
        for suffix in spec.formats:
            out = printing.print_form(db, name, tmp_path / f"{name}{suffix}",
                                      **{"round_year": 2025, **params.get(name, {})}).path
            if suffix == ".pdf":
                assert spec.label.split()[0].upper() in pdf_text(out).upper(), name
            else:
                assert sheet(out).max_row > 5, name
    assert len(documents.printed_copies(db)) == sum(len(catalog.spec(n).formats)
                                                    for n in PROCEDURE_FORMS)
    db.close()


def test_command_line_prints_lists_signs_and_unlocks(commune, tmp_path):
    import json

    from click.testing import CliRunner

    from gnapp.cli import cli

    def run(*args, code=0):
        result = CliRunner().invoke(cli, [str(a) for a in args] + ["--db", str(commune.path)])
        assert result.exit_code == code, result.output
        return result

    first = json.loads(run("report", "niem-yet", "--out", tmp_path / "a.pdf", "--round",
                           "2025", "--json").output)
    second = json.loads(run("report", "niem-yet", "--out", tmp_path / "b.xlsx", "--round",
                            "2025", "--issue", "--json").output)
    assert (first["is_copy"], second["is_copy"]) == (False, False)   # the number is new
    assert second["number"] == "01/TB-BCĐ" and second["copy_no"] == 2
    third = run("report", "niem-yet", "--out", tmp_path / "c.pdf", "--round", "2025")
    assert "bản in số 3, BẢN SAO, số 01/TB-BCĐ" in third.output
    listed = json.loads(run("report", "printed", "--json").output)["printed"]
    assert [p["copy_no"] for p in listed] == [3, 2, 1] and listed[0]["is_copy"] == 1
    signed = json.loads(run("report", "sign", listed[0]["id"][:18], "--json").output)
    assert signed["printed"]["state"] == "signed" and signed["locked_rows"] > 0
    assert run("report", "unlock", listed[0]["id"], code=2)           # --reason is required
    run("report", "unlock", listed[0]["id"], "--reason", "Sửa tên chủ hộ")
    assert json.loads(run("report", "printed", "--json").output)["printed"][0][
        "unlock_reason"] == "Sửa tên chủ hộ"
    bad = run("report", "quyet-dinh", "--out", tmp_path / "q.xlsx", code=2)
    assert "chỉ lập được ra tệp .pdf" in bad.output
    taken = run("report", "quyet-dinh", "--out", tmp_path / "q.pdf", "--round", "2025",
                "--number", "1", "--json")
    assert json.loads(taken.output)["number"] == "01/QĐ-UBND"
    profile = json.loads(run("report", "profile", "--signer",
                             "chairman:Lê Quang Thành:2021-07-01", "--json").output)
    assert profile["signers"][0]["name"] == "Lê Quang Thành"
    assert [n["number"] for n in profile["numbers"]] == ["01/QĐ-UBND", "01/TB-BCĐ"]
