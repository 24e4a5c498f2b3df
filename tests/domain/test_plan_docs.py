"""Rules of plans and reports: blocks, generated numbers, the closing "/.", templates."""

import json
from decimal import Decimal

import pytest

from gnapp.domain import plan_docs as rules


def heading(level, text):
    return {"type": "heading", "level": level, "text": text}


def codes(issues):
    return [i.code for i in issues]


@pytest.mark.parametrize("text, typed", [
    ("II. Mục tiêu", "II."), ("2. Mục tiêu", "2."), ("2.1. Hộ nghèo", "2.1."),
    ("a) Mục tiêu", "a)"), ("A. Kết quả", "A."),
])
def test_a_heading_with_a_typed_number_is_refused(text, typed):
    (issue,) = rules.check_blocks([heading(1, text)])
    assert issue.code == "plan.typed_number" and f"«{typed}»" in issue.message
    assert "khối thứ 1" in issue.message


@pytest.mark.parametrize("text", ["Dự án 2: Đa dạng hóa sinh kế", "Mục tiêu cụ thể",
                                  "1277/QĐ-UBND và kinh phí"])
def test_headings_without_a_number_pass(text):
    assert rules.check_blocks([heading(2, text)]) == []


def test_a_sub_item_needs_an_item_above_it_in_its_section():
    blocks = [heading(1, "Mục tiêu"), heading(3, "Hộ nghèo")]
    assert codes(rules.check_blocks(blocks)) == ["plan.heading_orphan"]
    blocks = [heading(1, "Mục tiêu"), heading(2, "Cụ thể"), heading(3, "Hộ nghèo"),
              heading(1, "Nội dung"), heading(3, "Lạc chỗ")]
    issues = rules.check_blocks(blocks)
    assert codes(issues) == ["plan.heading_orphan"] and "khối thứ 5" in issues[0].message


def test_blocks_need_text_a_known_type_and_level():
    issues = rules.check_blocks([{"type": "para", "text": "  "}, {"type": "image"},
                                 heading(7, "Sai cấp"), {"type": "bullet", "level": 3,
                                                         "text": "x"}])
    assert codes(issues) == ["plan.block_text", "plan.block_type", "plan.heading_level",
                             "plan.bullet_level"]


@pytest.mark.parametrize("closing, final, code", [
    ("Trên đây là Kế hoạch năm 2026./.", False, None),
    ("Trên đây là Kế hoạch năm 2026./.  ", True, None),
    ("Trên đây là Kế hoạch năm 2026.", False, "plan.closing_end_mark"),
    ("Trên đây là Kế hoạch năm 2026./", True, "plan.closing_end_mark"),
    ("", False, "plan.closing_missing"),
    ("", True, "plan.closing_missing"),
])
def test_the_closing_sentence_ends_with_the_end_mark(closing, final, code):
    issues = rules.check_closing(closing, final=final)
    assert codes(issues) == ([code] if code else [])
    if code == "plan.closing_missing":
        assert issues[0].severity == ("error" if final else "warning")
    elif code:
        assert issues[0].severity == "error" and "«/.»" in issues[0].message


def test_a_table_block_names_a_known_source_and_its_parameters():
    good = {"type": "table", "source": "poverty_change",
            "params": {"from_year": 2024, "to_year": 2025}}
    assert rules.check_blocks([good]) == []
    issues = rules.check_blocks([
        {"type": "table", "source": "nothing"},
        {"type": "table", "source": "poverty_change", "params": {"from_year": "2024"}},
        {"type": "table", "source": "allocations_by_line", "params": {"year": 2024,
                                                                       "unit": "ty", "x": 1}},
    ])
    assert codes(issues) == ["plan.table_source", "plan.table_param_year",
                             "plan.table_param_missing", "plan.table_param_choice",
                             "plan.table_param_unknown"]
    assert "Đến đợt năm" in issues[2].message


def test_a_document_row_is_validated_and_a_signed_one_needs_its_number():
    body = {"preamble": ["Căn cứ …;"], "blocks": [heading(1, "Mục tiêu")],
            "closing": "Trên đây là báo cáo./."}
    row = {"kind": "report", "year": 2026, "subject": "Đánh giá", "state": "draft",
           "body": json.dumps(body), "recipients": json.dumps(["Lưu: VT."])}
    assert rules.validate_document(row) == []
    signed = rules.validate_document({**row, "state": "signed"})
    assert codes(signed) == ["plan.signed_number", "plan.signed_signed_on",
                             "plan.signed_frozen"]
    bad = rules.validate_document({**row, "kind": "letter", "year": 1990, "subject": " ",
                                   "recipients": "{}"})
    assert codes(bad) == ["plan.kind", "plan.year", "plan.subject", "plan.recipients_invalid"]


def test_a_rate_change_is_the_difference_of_the_printed_rates():
    # domain.md §9.2 rule 6: 3,32 → 1,59 is a fall of 1,73 points
    assert rules.rate_change(Decimal("3.32"), Decimal("1.59")) == Decimal("-1.73")
    assert rules.rate_change(None, Decimal("1.59")) is None


def test_a_template_is_filled_and_a_table_without_its_period_is_left_out():
    template = {"kind": "report", "subject": "Báo cáo {period_label} của {commune_text}",
                "body": {"blocks": [
                    heading(1, "Kết quả năm {prev_year}"),
                    {"type": "table", "source": "poverty_change",
                     "params": {"from_year": "{prev2_year}", "to_year": "{prev_year}"}},
                    {"type": "table", "source": "period_indicators",
                     "params": {"period_id": "{period_id}"}}],
                    "closing": "Trên đây là báo cáo năm {year}./."}}
    filled = rules.instantiate(template, {"year": 2026, "prev_year": 2025, "prev2_year": 2024,
                                          "period_label": "6 tháng đầu năm 2026",
                                          "commune_text": "xã Hoằng Hóa"})
    assert filled["subject"] == "Báo cáo 6 tháng đầu năm 2026 của xã Hoằng Hóa"
    blocks = filled["body"]["blocks"]
    assert blocks[0]["text"] == "Kết quả năm 2025"
    assert blocks[1]["params"] == {"from_year": 2024, "to_year": 2025}   # numbers, not text
    assert len(blocks) == 2 and filled["body"]["closing"] == "Trên đây là báo cáo năm 2026./."
    assert template["body"]["blocks"][0]["text"] == "Kết quả năm {prev_year}"  # not changed
