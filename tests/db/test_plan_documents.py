"""Plans and reports stored through the Writer: drafts, validation, signing, unsigning."""

from datetime import date

import pytest

from gnapp.db import documents, plan_documents
from gnapp.db.store import Invalid, WriteError
from gnapp.domain.errors import InputError

BODY = {"preamble": ["Căn cứ Kế hoạch số 85/KH-UBND ngày 01/4/2024 của UBND tỉnh;"],
        "blocks": [{"type": "heading", "level": 1, "text": "MỤC TIÊU"},
                   {"type": "para", "text": "Giảm tỷ lệ hộ nghèo từ 1,5% trở lên."}],
        "closing": "Trên đây là Kế hoạch năm 2026./."}


@pytest.fixture
def draft(writer):
    return plan_documents.create(writer, kind="plan", year=2026, subject="Thực hiện Chương "
                                 "trình năm 2026", body=BODY,
                                 recipients=["UBND tỉnh (b/c);", "", "Lưu: VT."])


def test_a_draft_is_stored_with_its_body_and_audited(site_db, draft):
    row = plan_documents.get(site_db, draft["id"])
    assert row["state"] == "draft" and row["symbol"] == "KH-UBND" and row["number"] is None
    assert row["body_data"] == BODY
    assert row["recipient_lines"] == ["UBND tỉnh (b/c);", "Lưu: VT."]
    audited = {r["field"] for r in site_db.query(
        "SELECT field FROM audit_log WHERE table_name = 'plan_document' AND row_id = ?",
        [draft["id"]])}
    assert {"subject", "body", "kind"} <= audited
    assert [r["id"] for r in plan_documents.documents(site_db)] == [draft["id"]]


def test_a_body_breaking_its_rules_is_refused_with_the_block_named(writer, site_db, draft):
    bad = {**BODY, "blocks": BODY["blocks"] + [{"type": "heading", "level": 2,
                                                 "text": "3. Giải pháp"}]}
    with pytest.raises(Invalid) as caught:
        plan_documents.save(writer, draft["id"], body=bad)
    assert "khối thứ 3" in str(caught.value) and "«3.»" in str(caught.value)
    with pytest.raises(Invalid, match="«/.»"):
        plan_documents.save(writer, draft["id"], body={**BODY, "closing": "Trên đây."})
    assert plan_documents.get(site_db, draft["id"])["body_data"] == BODY    # nothing written


def test_a_signed_document_is_not_edited_and_unsigning_needs_a_reason(writer, site_db, draft):
    signed = plan_documents.mark_signed(writer, draft["id"], number="05",
                                        signed_on=date(2026, 4, 10), frozen={"tables": {}})
    assert (signed["state"], signed["number"], signed["signed_on"]) == \
        ("signed", "05", "2026-04-10")
    with pytest.raises(WriteError, match="đã ký ban hành"):
        plan_documents.save(writer, draft["id"], subject="Sửa sau khi ký")
    with pytest.raises(WriteError, match="đã ký ban hành"):
        plan_documents.delete(writer, draft["id"], reason="nhầm")
    with pytest.raises(InputError, match="lý do"):
        plan_documents.unsign(writer, draft["id"], reason="  ")
    back = plan_documents.unsign(writer, draft["id"], reason="Sai số liệu bảng vốn")
    assert back["state"] == "draft" and back["frozen"] is None and back["number"] == "05"
    reasons = [r["reason"] for r in site_db.query(
        "SELECT reason FROM audit_log WHERE row_id = ? AND field = 'state' ORDER BY id",
        [draft["id"]])]
    assert reasons[-1] == "Sai số liệu bảng vốn"
    plan_documents.save(writer, draft["id"], subject="Sửa sau khi hủy ký")


def test_signing_needs_a_closing_sentence(writer, site_db, draft):
    plan_documents.save(writer, draft["id"], body={**BODY, "closing": ""})   # a draft may
    with pytest.raises(Invalid, match="câu kết thúc"):
        plan_documents.mark_signed(writer, draft["id"], number="01",
                                   signed_on=date(2026, 4, 10), frozen={})
    assert plan_documents.get(site_db, draft["id"])["state"] == "draft"


def test_find_by_the_start_of_the_id(site_db, draft):
    assert plan_documents.find(site_db, draft["id"][:30])["id"] == draft["id"]
    with pytest.raises(InputError, match="documents list"):
        plan_documents.find(site_db, "zzz")


def test_the_doc_key_is_the_number_books_key(writer, site_db, draft):
    key = plan_documents.doc_key(draft["id"])
    documents.take_number(writer, symbol="KH-UBND", issued_on=date(2026, 4, 10), doc_key=key,
                          subject=draft["subject"])
    assert documents.number_of(site_db, key)["number"] == 1
