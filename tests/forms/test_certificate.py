"""Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu 03) of the scripted commune's households."""

from datetime import date

import pytest

from gnapp.db import documents, reviews, sites
from gnapp.db import households as hh
from gnapp.db.store import Locked
from gnapp.domain.codes import CN2022_INDICATORS
from gnapp.domain.errors import InputError
from gnapp.forms import catalog, printing
from readback import pdf_pages, pdf_text


def deprived_orders(db, round_id, household_id) -> str:
    """"1, 3, 9": the orders of the indicators the stored review marks deprived."""
    review = reviews.review_of(db, round_id, household_id)
    answers = __import__("json").loads(review["deprivations"])
    return ", ".join(str(n) for n, code in enumerate(CN2022_INDICATORS, 1) if answers.get(code))


def test_certificate_lists_members_and_one_row_per_year(commune, tmp_path):
    db = commune.db
    home = commune.households["A1"]
    printed = printing.print_form(db, "giay-chung-nhan", tmp_path / "gcn.pdf", round_year=2025,
                                  household=home["code"], issue=True,
                                  today=date(2025, 12, 22))
    pages = pdf_pages(printed.path)
    first, second = pages[0].replace("\n", " "), pages[1]
    assert "Số: 01/GCN-HN.HCN" in first and "GIẤY CHỨNG NHẬN" in first
    members = hh.members(db, home["id"])
    assert len(members) == 3 and all(m["full_name"] in first for m in members)
    assert "Hộ gia đình ông/bà: Nguyễn Văn Đức A1" in first
    # A1 was poor after 2024 (lists of 2025) and after 2025 (lists of 2026); 2022–2024 and
    # nothing else under CN2022 (2022–2026) are left to stamp by hand
    lines = [line.strip() for line in second.splitlines()]
    expected_2025 = deprived_orders(db, commune.rounds[2024]["id"], home["id"])
    expected_2026 = deprived_orders(db, commune.rounds[2025]["id"], home["id"])
    assert expected_2025 == "1, 2, 3" and expected_2026 == "1, 3, 9"
    assert lines[lines.index("2025") + 1: lines.index("2025") + 3] == ["N", expected_2025]
    assert lines[lines.index("2026") + 1: lines.index("2026") + 3] == ["N", expected_2026]
    assert all(str(year) in lines for year in (2022, 2023, 2024))
    assert {("household", home["id"])} | {("member", m["id"]) for m in members} <= set(
        printed.document.shown_rows)


def test_near_poor_household_is_marked_cn(commune):
    doc = catalog.build(commune.db, "giay-chung-nhan", round_year=2025,
                        household=commune.households["B4"]["code"])
    tables = [b for b in doc.body if hasattr(b, "rows")]
    years = {r.cells[0]: r.cells[1] for r in tables[-1].rows}
    # near-poor after 2025; after 2024 not on either list; 2022–2024 without a review
    assert (years["2026"], years["2025"], years["2024"]) == ("CN", "—", "")


@pytest.mark.parametrize("name, why", [("A3", "không thuộc hộ nghèo, hộ cận nghèo"),
                                       ("B5", "chưa có phiếu rà soát hoàn thành")])
def test_no_certificate_for_a_household_off_the_lists(commune, name, why):
    with pytest.raises(InputError, match=why):
        catalog.build(commune.db, "giay-chung-nhan", round_year=2025,
                      household=commune.households[name]["code"])


def test_certificate_needs_a_household(commune):
    with pytest.raises(InputError, match="--household"):
        catalog.build(commune.db, "giay-chung-nhan", round_year=2025)


def test_second_print_is_a_copy_and_a_signed_certificate_locks_the_members(commune, tmp_path):
    db = commune.db
    home = commune.households["A1"]
    first = printing.print_form(db, "giay-chung-nhan", tmp_path / "1.pdf", round_year=2025,
                                household=home["code"])
    second = printing.print_form(db, "giay-chung-nhan", tmp_path / "2.pdf", round_year=2025,
                                 household=home["code"])
    assert "BẢN SAO" not in pdf_text(first.path) and "BẢN SAO" in pdf_text(second.path)
    assert f"Mã dữ liệu: {second.copy['fingerprint'][:12]}" in pdf_text(second.path)
    w = sites.writer(db)
    documents.mark_signed(w, second.copy["id"])
    child = [m for m in hh.members(db, home["id"]) if m["relation"] != "head"][0]
    with pytest.raises(Locked):
        hh.update_member(w, child["id"], {"full_name": "Trần Thị Ánh Hồng"})
    documents.unlock(w, second.copy["id"], reason="Sửa họ tên theo giấy khai sinh")
    hh.update_member(w, child["id"], {"full_name": "Trần Thị Ánh Hồng"})
    # the data changed: the next print is an original again
    third = printing.print_form(db, "giay-chung-nhan", tmp_path / "3.pdf", round_year=2025,
                                household=home["code"])
    assert not third.is_copy and third.copy["copy_no"] == 3
    assert "Trần Thị Ánh Hồng" in pdf_text(third.path)
