"""Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03, QĐ 24/2021/QĐ-TTg; domain.md §6.6).

A multi-year document: the household and its members (section I), then one row per year of
the standard's period with the class (N / CN), the indicators the household is deprived on,
and a cell for the chairman's confirmation, re-stamped each year (section II). The rows are
the periodic and general reviews of the round's standard whose review is complete; the
household must be poor or near-poor in the round asked for.
"""

from __future__ import annotations

import json
from datetime import date

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import reviews
from gnapp.db.report_data import Scope
from gnapp.domain import documents as rules
from gnapp.domain.codes import RELATION
from gnapp.domain.errors import InputError
from gnapp.forms import document as d
from gnapp.forms import procedure_forms as pf
from gnapp.forms.document import Cell, Column, Row

FORM = "giay-chung-nhan"
SYMBOL = "GCN-HN.HCN"


def _household(db: Database, scope: Scope, code: str | None) -> dict:
    if not code:
        raise InputError("Giấy chứng nhận lập cho một hộ: ghi mã hộ (--household MÃ_HỘ).",
                         field="household")
    found = hh.find_by_code(db, code, scope.commune["code"])
    if found is None:
        raise InputError(f"Không có hộ mã «{code}» trong {scope.commune['name']}.",
                         field="household")
    return found


def year_rows(db: Database, scope: Scope, household_id: str) -> list[tuple[int, dict]]:
    """(list year, review) for each complete periodic or general review of the household
    under the round's standard, oldest first."""
    rows = []
    for review in sorted(reviews.household_reviews(db, household_id),
                         key=lambda r: r["starts_on"]):
        if (review["round_kind"] != "regular" and review["status"] == "complete"
                and review["standard_id"] == scope.standard.id
                and review["starts_on"] <= scope.round["starts_on"]):
            rows.append((review["round_year"] + 1, review))
    return rows


def certificate(db: Database, scope: Scope, today: date, *,
                household: str | None = None) -> d.Document:
    """The certificate of one household (``household``: its code)."""
    home = _household(db, scope, household)
    review = reviews.review_of(db, scope.round["id"], home["id"])
    if review is None or review["status"] != "complete" or review["class"] not in (
            "poor", "near_poor"):
        state = ("chưa có phiếu rà soát hoàn thành" if review is None
                 or review["status"] != "complete" else "không thuộc hộ nghèo, hộ cận nghèo")
        raise InputError(f"Hộ {home['code']} {state} trong đợt rà soát năm "
                         f"{scope.round['year']}; không cấp giấy chứng nhận.",
                         field="household")
    members = hh.members(db, home["id"])
    head = next((m for m in members if m["relation"] == "head"), members[0] if members else None)
    village = next((v for v in scope.villages if v["id"] == home["village_id"]), None)
    standard = scope.standard
    period = f"{standard.valid_from.year}–{standard.valid_to.year}"

    member_rows = []
    for i, m in enumerate(members, 1):
        year = pf.birth_year(m["birth_date"])
        member_rows.append(Row((str(i), m["full_name"], m["ethnicity"] or "",
                                RELATION.get(m["relation"], ""),
                                Cell(year if m["sex"] == "nam" else "", kind=d.LABEL),
                                Cell(year if m["sex"] == "nu" else "", kind=d.LABEL), "")))
    members_table = d.Table(
        (Column(10, d.TEXT), Column(48, d.TEXT), Column(18, d.TEXT), Column(28, d.TEXT),
         Column(15), Column(15), Column(26, d.TEXT)),
        ((Cell("STT", rowspan=2), Cell("Họ và tên", rowspan=2), Cell("Dân tộc", rowspan=2),
          Cell("Mối quan hệ với chủ hộ", rowspan=2), Cell("Năm sinh", colspan=2),
          Cell("Ghi chú (thay đổi thành viên)", rowspan=2)),
         (Cell("Nam"), Cell("Nữ"))),
        tuple(member_rows))

    years = year_rows(db, scope, home["id"])
    by_year = dict(years)
    result_rows = []
    for list_year in range(standard.valid_from.year, standard.valid_to.year + 1):
        r = by_year.get(list_year)
        if r is None:       # a year still to come, or one without a review: stamped by hand
            result_rows.append(Row((str(list_year), "", "", "")))
            continue
        if r["class"] not in rules.CERTIFICATE_MARK:    # that year not on either list
            result_rows.append(Row((str(list_year), "—", "", "")))
            continue
        answers = json.loads(r["deprivations"] or "{}")
        orders = [str(i.order) for i in standard.indicators if answers.get(i.code)]
        result_rows.append(Row((str(list_year), rules.CERTIFICATE_MARK[r["class"]],
                                ", ".join(orders) or "Không", "")))
    results_table = d.Table(
        (Column(18, d.TEXT), Column(24, d.TEXT), Column(58, d.TEXT), Column(60, d.TEXT)),
        ((Cell("Năm"), Cell("Hộ nghèo (N), hộ cận nghèo (CN)"),
          Cell("Các chỉ số thiếu hụt dịch vụ xã hội cơ bản"),
          Cell("Xác nhận của Chủ tịch UBND xã (ký, đóng dấu)")),),
        tuple(result_rows),
        notes=("Chỉ số: " + "; ".join(f"{i.order}. {i.name}" for i in standard.indicators)
               + ".",))

    address = ", ".join(p for p in (home["address"], village["name"] if village else None,
                                    scope.commune["name"]) if p)
    key = pf.scope_key(scope, household=home["code"])
    number, issued_on = pf.issued_number(db, FORM, key)
    body = (
        d.Para("Căn cứ Luật Tổ chức chính quyền địa phương; Căn cứ Nghị định số 07/2021/NĐ-CP "
               "ngày 27/01/2021 của Chính phủ quy định chuẩn nghèo đa chiều; Căn cứ Quyết định "
               "số 24/2021/QĐ-TTg ngày 16/7/2021 của Thủ tướng Chính phủ;", italic=True),
        d.Para(f"Chủ tịch Ủy ban nhân dân {scope.commune['name']} chứng nhận:"),
        d.Para(f"Hộ gia đình ông/bà: {head['full_name'] if head else ''}", bold=True),
        d.Para(f"Dân tộc: {(head or {}).get('ethnicity') or pf.DOTS}"),
        d.Para(f"Số CCCD/CMND: {(head or {}).get('id_number') or pf.DOTS}   Ngày cấp: "
               "……/……/………"),
        d.Para(f"Nơi thường trú: {address}   Mã hộ: {home['code']}"),
        d.Heading("Thành viên hộ gia đình", 1), members_table,
        d.Closing((pf.chairman(db, scope, issued_on or today, pf.HINT_SEAL),)),
        d.PageBreak(),
        d.Heading(f"Kết quả phân loại hộ gia đình giai đoạn {period}", 1), results_table)
    shown = [("household", home["id"])] + [("member", m["id"]) for m in members] + [
        ("household_review", r["id"]) for _, r in years]
    return d.Document(
        issuer=pf.issuer(db, scope), symbol=SYMBOL, number=number, day=issued_on,
        month=today.month, year=today.year, place=pf.place(db, scope),
        title=("GIẤY CHỨNG NHẬN", "HỘ NGHÈO, HỘ CẬN NGHÈO"), subtitle=("Mẫu số 03",),
        body=body, fingerprint=pf.fingerprint(FORM, key, body),
        name=f"Giấy chứng nhận hộ nghèo, hộ cận nghèo – hộ {home['code']}",
        shown_rows=tuple(shown))
