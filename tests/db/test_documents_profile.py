"""Who may change the commune's document profile (signers, "Nơi nhận", number book)."""

from datetime import date

import pytest

from gnapp.db import documents, sites, users
from gnapp.db.users import PermissionDenied


def test_only_leaders_and_administrators_change_the_profile(site_db, writer):
    users.add(site_db, None, "vanthu", "Đỗ Thị Văn", role=users.OFFICER, password="matkhau1")
    users.add(site_db, None, "chutich", "Lê Đình Hải", role=users.LEADER, password="matkhau2")
    number = documents.take_number(writer, symbol="QĐ-UBND", issued_on=date(2026, 3, 2),
                                   doc_key="k", subject="Quyết định")
    officer = sites.writer(site_db, "vanthu")
    for attempt in (lambda: documents.save_profile(officer, place="Tân Yên"),
                    lambda: documents.add_signer(officer, role="chairman", name="X",
                                                 valid_from="2026-01-01"),
                    lambda: documents.cancel_number(officer, number["id"], reason="Nhầm")):
        with pytest.raises(PermissionDenied, match="không có quyền sửa hồ sơ đơn vị"):
            attempt()
    assert site_db.execute("SELECT count(*) FROM doc_profile").fetchone()[0] == 0
    assert not documents.signer_rows(site_db, "07339")
    leader = sites.writer(site_db, "chutich")
    signer = documents.add_signer(leader, role="chairman", name="Lê Đình Hải",
                                  valid_from="2025-07-01")
    documents.end_signer(leader, signer["id"], "2026-06-30")
    documents.cancel_number(leader, number["id"], reason="Không ban hành")
    assert documents.signer_rows(site_db, "07339")[0]["valid_to"] == "2026-06-30"
    assert documents.numbers(site_db, "07339", 2026)[0]["deleted"] == 1
