"""The document profile, signers by period, the number book and printed copies (locks)."""

import json
from datetime import date

import pytest

from gnapp.db import documents
from gnapp.db import households as hh
from gnapp.db import units
from gnapp.db.store import Invalid, Locked, WriteError, write_row
from gnapp.domain import documents as rules
from gnapp.domain.errors import GnappError, InputError


def test_profile_defaults_come_from_the_unit_and_can_be_changed(site_db, writer):
    found = documents.profile(site_db, "07339")
    assert found["issuer"] == ("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN")
    assert found["place"] == "Tân Yên"
    assert found["recipients"]["decision"][-1] == "Lưu: VT."
    documents.save_profile(writer, issuer_name="XÃ TÂN YÊN MỚI",
                           recipients={"decision": ["UBND tỉnh (b/c);", "Lưu: VT, VHXH."]})
    changed = documents.profile(site_db, "07339")
    assert changed["issuer"] == ("ỦY BAN NHÂN DÂN", "XÃ TÂN YÊN MỚI")
    assert changed["recipients"]["decision"] == ("UBND tỉnh (b/c);", "Lưu: VT, VHXH.")
    assert changed["recipients"]["posting"] == rules.DEFAULT_RECIPIENTS["posting"]
    documents.save_profile(writer, place="Tân Yên")       # a second save updates the one row
    assert site_db.execute("SELECT count(*) FROM doc_profile").fetchone()[0] == 1


def test_the_signer_is_the_office_holder_valid_on_the_date(site_db, writer):
    documents.add_signer(writer, role="chairman", name="Lê Quang Thành",
                         valid_from="2021-07-01", valid_to="2025-06-30")
    documents.add_signer(writer, role="chairman", name="Phạm Duy Hưng", valid_from="2025-07-01")
    documents.add_signer(writer, role="vice_chairman", name="Nguyễn Duy Luân",
                         valid_from="2021-07-01")
    found = documents.signers(site_db, "07339")
    assert rules.signer_on(found, date(2024, 3, 1)).name == "Lê Quang Thành"
    now = rules.signer_on(found, date(2026, 1, 5))
    assert (now.name, now.authority, now.title) == ("Phạm Duy Hưng", ("TM. ỦY BAN NHÂN DÂN",),
                                                    "CHỦ TỊCH")
    vice = rules.signer_on(found, date(2026, 1, 5), roles=("vice_chairman",))
    assert vice.authority == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH")
    assert vice.title == "PHÓ CHỦ TỊCH"
    assert rules.signer_on(found, date(2020, 1, 1)) is None
    with pytest.raises(Invalid, match="Ngày thôi giữ chức vụ trước ngày bắt đầu"):
        documents.add_signer(writer, role="chairman", name="X", valid_from="2026-01-01",
                             valid_to="2025-01-01")


def test_numbers_are_taken_in_order_per_symbol_and_year_and_never_reused(site_db, writer):
    day = date(2026, 12, 1)
    take = lambda **kw: documents.take_number(  # noqa: E731
        writer, symbol=kw.pop("symbol", "QĐ-UBND"), issued_on=kw.pop("day", day),
        doc_key=kw.pop("key", "k"), subject="Quyết định", **kw)
    assert [take()["number"] for _ in range(3)] == [1, 2, 3]
    assert take(symbol="GCN-HN.HCN")["number"] == 1           # its own book
    assert take(day=date(2027, 1, 4))["number"] == 1           # numbers restart each year
    second = site_db.execute("SELECT id FROM doc_number WHERE symbol = 'QĐ-UBND' AND year = 2026 "
                             "AND number = 2").fetchone()[0]
    documents.cancel_number(writer, second, reason="Văn bản không ban hành")
    assert take()["number"] == 4                                # the gap is not filled
    with pytest.raises(GnappError, match=r"Số 02/QĐ-UBND năm 2026 đã cấp .* 01/12/2026.*"
                                         r"Số tiếp theo còn trống: 05/QĐ-UBND"):
        take(number=2)
    assert take(number=9)["number"] == 9
    assert rules.number_text(9, "QĐ-UBND") == "09/QĐ-UBND"


def _household(writer):
    village = units.add_village(writer, "Thôn Một")
    home = hh.add_household(writer, village_id=village["id"], area="rural",
                            head={"full_name": "Nguyễn Văn An", "sex": "nam",
                                  "birth_date": "1970", "relation": "head"},
                            on_date="2020-01-01")
    return home


def _copy(writer, home, fingerprint="f1", key="giay-chung-nhan|household=01"):
    return documents.record_copy(writer, doc_key=key, form="giay-chung-nhan",
                                 title="Giấy chứng nhận", fingerprint=fingerprint,
                                 shown_rows=[("household", home["id"])], file_format="pdf")


def test_a_second_print_of_the_same_data_is_a_copy(site_db, writer):
    home = _household(writer)
    first = _copy(writer, home)
    second = _copy(writer, home)
    changed = _copy(writer, home, fingerprint="f2")
    other = _copy(writer, home, key="giay-chung-nhan|household=02")
    assert [(c["copy_no"], c["is_copy"]) for c in (first, second, changed, other)] == [
        (1, 0), (2, 1), (3, 0), (1, 0)]
    assert first["printed_by"] == "canbo" and first["state"] == "printed"


def test_signing_locks_the_rows_shown_until_an_audited_unlock(site_db, writer):
    home = _household(writer)
    copy = _copy(writer, home)
    documents.mark_signed(writer, copy["id"])
    with pytest.raises(Locked, match="văn bản đã ký: Giấy chứng nhận"):
        hh.update_household(writer, home["id"], {"address": "Xóm 2"})
    with pytest.raises(WriteError, match="đã được đánh dấu đã ký"):
        documents.mark_signed(writer, copy["id"])
    with pytest.raises(InputError, match="Cần ghi lý do"):
        documents.unlock(writer, copy["id"], reason="  ")
    documents.unlock(writer, copy["id"], reason="Sửa địa chỉ theo đơn của hộ")
    hh.update_household(writer, home["id"], {"address": "Xóm 2"})
    audit = site_db.execute("SELECT field, old, new, reason FROM audit_log WHERE row_id = ? "
                            "AND field = 'state' ORDER BY id", [copy["id"]]).fetchall()
    assert audit[-2:] == [("state", "printed", "signed", "Đánh dấu văn bản đã ký"),
                          ("state", "signed", "unlocked", "Sửa địa chỉ theo đơn của hộ")]
    assert documents.locked_rows(site_db) == []


def test_a_row_two_signed_copies_show_stays_locked_until_both_are_unlocked(site_db, writer):
    home = _household(writer)
    first, second = _copy(writer, home), _copy(writer, home, key="niem-yet|round=x")
    documents.mark_signed(writer, first["id"])
    documents.mark_signed(writer, second["id"])
    documents.unlock(writer, first["id"], reason="Sai năm sinh")
    with pytest.raises(Locked):
        hh.update_household(writer, home["id"], {"address": "Xóm 3"})
    documents.unlock(writer, second["id"], reason="Sai năm sinh")
    assert hh.update_household(writer, home["id"], {"address": "Xóm 3"})["address"] == "Xóm 3"


def test_an_older_print_is_not_signed_once_the_data_changed(site_db, writer):
    home = _household(writer)
    old = _copy(writer, home, fingerprint="f1")
    _copy(writer, home, fingerprint="f2")
    with pytest.raises(WriteError, match="bản in mới nhất"):
        documents.mark_signed(writer, old["id"])


def test_a_signed_copy_arriving_whole_locks_its_rows_too(site_db, writer):
    """The locks follow the printed_copy rows whatever their origin (a package)."""
    home = _household(writer)
    copy = _copy(writer, home)
    arriving = {**copy, "state": "signed", "version": copy["version"] + 1,
                "updated_at": copy["updated_at"][:-1] + "z"}
    with site_db.conn:
        write_row(site_db, "printed_copy", arriving, base_version=copy["version"],
                  origin="package-1")
    assert [(r["table_name"], r["row_id"]) for r in documents.locked_rows(site_db)] == [
        ("household", home["id"])]


def test_find_copy_by_the_start_of_its_id(site_db, writer):
    home = _household(writer)
    copy = _copy(writer, home)
    assert documents.find_copy(site_db, copy["id"][:20])["id"] == copy["id"]
    with pytest.raises(InputError, match="Không tìm thấy đúng một bản in"):
        documents.find_copy(site_db, "zzz")
    assert json.loads(copy["shown_rows"]) == [["household", home["id"]]]
