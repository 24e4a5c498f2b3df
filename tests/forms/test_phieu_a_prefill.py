"""Phiếu A pre-filled from the register and the round's review; a blank form stays blank."""

from __future__ import annotations

from gnapp.db import households as hh
from gnapp.db import reviews
from gnapp.forms import catalog, printing
from gnapp.forms import document as d
from gnapp.forms.procedure_forms import CHECKBOX, CHECKED
from tests.forms.conftest import ABOVE_INCOME, deprived
from tests.forms.readback import pdf_text


def _criteria(doc: d.Document) -> list[tuple]:
    """The rows of the characteristics table (the second table of the form) as plain values."""
    tables = [b for b in doc.body if isinstance(b, d.Table)]
    return [tuple(c.value if isinstance(c, d.Cell) else c for c in row.cells)
            for row in tables[1].rows]


def test_phieu_a_of_a_household_is_filled_from_the_register_and_its_review(commune, writer,
                                                                         tmp_path):
    home = commune.households["B5"]                  # Thôn Hai, 1 person, no 2025 review
    hh.add_member(writer, home["id"], {"full_name": "Phạm Thị Mai", "sex": "nu",
                                       "birth_date": "1995", "relation": "child",
                                       "employment": "employed_contract",
                                       "health_insurance": 0})
    reviews.save_review(writer, commune.rounds[2025]["id"], home["id"], screen_result="stop",
                        income_per_person=ABOVE_INCOME, deprivations=deprived(),
                        reviewer="Lê Văn Tâm", review_date="2025-10-07")
    doc = catalog.build(commune.db, "phieu-a", round_year=2025, household=home["code"])
    rows = {r[-3]: (r[-2], r[-1]) for r in _criteria(doc)}
    assert rows["Có thành viên làm công ăn lương có hợp đồng lao động"] == ("x", "Phạm Thị Mai")
    # the head works on his own, the daughter under contract: two members with work
    assert rows["Có từ 2 thành viên trở lên có việc làm (làm công, tự làm)"] == (
        "x", "Nguyễn Văn Đức B5, Phạm Thị Mai")
    assert rows["Mọi thành viên có thẻ bảo hiểm y tế"] == ("", "1/2 thành viên có thẻ")
    assert rows["Không có thành viên thất nghiệp; hộ có khả năng lao động"] == (
        "x", "Không có người thất nghiệp")
    other = [r for r in _criteria(doc) if r[-3].startswith("Đặc điểm khác")]
    assert len(other) == 2 and all(r[-2] == "" for r in other)     # one line per group
    out = printing.print_form(commune.db, "phieu-a", tmp_path / "a.pdf", round_year=2025,
                              household=home["code"]).path
    text = pdf_text(out)
    assert f"{CHECKED} Hộ có đặc điểm của hộ không nghèo: dừng rà soát." in text
    assert f"{CHECKBOX} Hộ không có đặc điểm trên" in text
    assert "người rà soát Lê Văn Tâm, ngày 07/10/2025" in text
    assert "Phạm Thị Mai" in text and "1/2 thành viên có thẻ" in text


def test_a_household_the_register_says_little_of_gets_question_marks(commune, writer):
    home = commune.households["A4"]                  # 1 person, the head, self-employed
    hh.update_household(writer, home["id"], {"no_labour": 1})
    doc = catalog.build(commune.db, "phieu-a", round_year=2025, household=home["code"])
    rows = {r[-3]: (r[-2], r[-1]) for r in _criteria(doc)}
    assert rows["Không có thành viên thất nghiệp; hộ có khả năng lao động"] == (
        "", "Hộ không có khả năng lao động")
    assert rows["Có thành viên làm công ăn lương có hợp đồng lao động"] == ("", "Không có")
    head = hh.members(commune.db, home["id"])[0]
    hh.update_member(writer, head["id"], {"employment": None, "health_insurance": None})
    doc = catalog.build(commune.db, "phieu-a", round_year=2025, household=home["code"])
    rows = {r[-3]: (r[-2], r[-1]) for r in _criteria(doc)}
    assert rows["Có thành viên làm công ăn lương có hợp đồng lao động"] == (
        "?", "Sổ hộ chưa ghi việc làm")
    assert rows["Mọi thành viên có thẻ bảo hiểm y tế"] == ("?", "Sổ hộ chưa ghi đủ thẻ BHYT")
    # the review of 2025 has no Phiếu A result: both boxes stay empty
    assert not any(isinstance(b, d.Para) and b.text.startswith(CHECKED) for b in doc.body)


def test_a_blank_phieu_a_stays_blank(commune):
    doc = catalog.build(commune.db, "phieu-a", round_year=2025, blank=True)
    rows = _criteria(doc)
    assert len(rows) == 7
    assert all(r[-2] == "" and r[-1] == "" and r[-3].startswith("…") for r in rows)
    assert not any(isinstance(b, d.Para) and CHECKED in b.text for b in doc.body)
