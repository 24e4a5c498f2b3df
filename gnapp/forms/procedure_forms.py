"""The forms of the review procedure (QĐ 24/2021/QĐ-TTg, TT 07/2021/TT-BLĐTBXH):

- ``review_list``: Phụ lục I, the households to review in a round (the poor and near-poor
  lists in force, and every household that asked to be reviewed), village by village;
- ``phieu_a`` / ``phieu_b`` / ``phieu_c``: the paper forms reviewers take to households,
  blank or pre-filled from the register (one household per page);
- ``posting_list``: the lists for public posting (danh sách niêm yết) — never an identity
  number or a full birth date, only the year of birth;
- ``meeting_minutes``: the village meeting's minutes, in 2 copies (one stays in the village,
  one goes to the commune's steering committee);
- ``recognition_decision``: the chairman's decision recognising the four lists, with the
  lists annexed; ``recognition_lists``: the same lists alone (also as XLSX).

Every builder returns a ``Document`` whose fingerprint hashes exactly the data it shows and
whose ``shown_rows`` name the rows a signed copy locks. Which list a household is on is
decided in ``gnapp.domain.documents``; classes come from ``reviews.histories``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from gnapp.db import documents, reviews
from gnapp.db import households as hh
from gnapp.db import procedure as steps
from gnapp.db.report_data import Scope
from gnapp.domain import documents as rules
from gnapp.domain import procedure as procedure_rules
from gnapp.domain import suggest
from gnapp.domain.canonical import rows_hash
from gnapp.domain.codes import (CLASS, EMPLOYMENT, HOUSEHOLD_FLAGS, POVERTY_CAUSES, RELATION,
                                SCHOOLING, SEX, SUPPORT_NEEDS)
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import format_int
from gnapp.domain.register import parse_birth
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row

DOTS = "………………………"
CHECKBOX = "□"   # U+25A1: Liberation Serif has it (not U+2610)
HINT_SIGN = "(Ký, ghi rõ họ tên)"
HINT_SEAL = "(Ký tên, đóng dấu)"


# -- what the forms show -----------------------------------------------------------------------

@dataclass(frozen=True)
class Home:
    """One household as the lists show it."""

    id: str
    code: str
    head: str
    head_birth_year: str
    village_id: str
    village: str
    persons: int
    address: str | None


def birth_year(value: str | None) -> str:
    """The year of birth as printed ("1985"; never the full date), "" when unknown."""
    birth = parse_birth(value)
    return str(birth.year) if birth else ""


def homes(db: Database, scope: Scope) -> dict[str, Home]:
    """The active households of the scope's villages, by id, in village and code order."""
    names = {v["id"]: v["name"] for v in scope.villages}
    marks = ",".join("?" * len(names)) or "NULL"
    rows = db.query(
        "SELECT h.id, h.code, h.village_id, h.address, i.members, "
        "(SELECT full_name FROM member m WHERE m.household_id = h.id AND m.deleted = 0 "
        " AND m.status = 'present' AND m.relation = 'head' LIMIT 1) AS head, "
        "(SELECT birth_date FROM member m WHERE m.household_id = h.id AND m.deleted = 0 "
        " AND m.status = 'present' AND m.relation = 'head' LIMIT 1) AS head_birth "
        "FROM household h JOIN household_index i ON i.household_id = h.id "
        f"WHERE h.deleted = 0 AND h.village_id IN ({marks}) ORDER BY h.code", list(names))
    order = {v["id"]: n for n, v in enumerate(scope.villages)}
    found = [Home(r["id"], r["code"], r["head"] or "", birth_year(r["head_birth"]),
                  r["village_id"], names[r["village_id"]], r["members"], r["address"])
             for r in rows]
    found.sort(key=lambda h: (order[h.village_id], h.code))
    return {h.id: h for h in found}


def histories(db: Database, scope: Scope) -> dict[str, object]:
    """Each household's class before (the previous round) and after the scope's round."""
    start = scope.previous or scope.round
    return {h.household_id: h for h in reviews.histories(db, start["id"], scope.round["id"])}


def requested(db: Database, scope: Scope) -> set[str]:
    """Households that asked to be reviewed in the round (Giấy đề nghị)."""
    round_ = scope.round
    return {r["household_id"] for r in db.query(
        "SELECT household_id FROM household_request WHERE deleted = 0 "
        "AND household_id IS NOT NULL AND (round_id = ? OR (round_id IS NULL "
        "AND received_on BETWEEN ? AND ?))",
        [round_["id"], round_["starts_on"], round_["ends_on"]])}


def review_ids(db: Database, round_id: str, household_ids: Iterable[str]) -> dict[str, str]:
    wanted = set(household_ids)
    return {r["household_id"]: r["id"] for r in db.query(
        "SELECT id, household_id FROM household_review WHERE round_id = ? AND deleted = 0",
        [round_id]) if r["household_id"] in wanted}


def list_year(round_: dict) -> int:
    """The year whose lists a round makes: a periodic or general review at the end of year Y
    makes the lists of Y+1 (domain.md §5.1); a regular review those of its own year."""
    return round_["year"] + (0 if round_["kind"] == "regular" else 1)


def scope_key(scope: Scope, **extra) -> dict:
    """What a document covers, for its identity (``documents.document_key``) and its hash."""
    return {"round": scope.round["id"], "unit": scope.unit["code"], **extra}


def issued_number(db: Database, form: str, key: dict) -> tuple[str | None, date | None]:
    """The number and date the book gave this document when it was issued, if it was."""
    found = documents.number_of(db, rules.document_key(form, key))
    if found is None:
        return None, None
    return f"{found['number']:02d}", date.fromisoformat(found["issued_on"])


def fingerprint(form: str, key: dict, blocks: Sequence[d.Block]) -> str:
    """The hash of exactly what a document shows: its key and every text and cell."""
    items: list[dict] = [{"form": form, **key}]
    for block in blocks:
        if isinstance(block, d.Table):
            for row in block.rows:
                items.append({"cells": [c.value if isinstance(c, Cell) else c
                                        for c in row.cells]})
        elif isinstance(block, (d.Para, d.Heading, d.Bullet)):
            items.append({"text": block.text})
        elif isinstance(block, d.Closing):
            items.append({"signers": [[*s.authority, s.title, s.name or ""]
                                      for s in block.signatures]})
    return rows_hash(items)


# -- the commune's issuer and signer -------------------------------------------------------------

def issuer(db: Database, scope: Scope) -> tuple[str, ...]:
    return documents.profile(db, scope.commune["code"])["issuer"]


def place(db: Database, scope: Scope) -> str:
    return documents.profile(db, scope.commune["code"])["place"]


def recipients(db: Database, scope: Scope, kind: str) -> tuple[str, ...]:
    return documents.profile(db, scope.commune["code"])["recipients"].get(kind, ())


def chairman(db: Database, scope: Scope, day: date, hint: str | None = None) -> d.Signature:
    """The chairman's (or a vice-chairman's) block for a document dated ``day``; without a
    signer on record, the chairman's block with the name left to write by hand."""
    found = rules.signer_on(documents.signers(db, scope.commune["code"]), day)
    if found is None:
        return d.Signature((rules.COMMITTEE,), "CHỦ TỊCH", hint)
    return d.Signature(found.authority, found.title, hint, found.name)


def _where(scope: Scope) -> str:
    return (f"{scope.unit['name']}, {scope.commune['name']}" if not scope.is_commune
            else scope.commune["name"])


def _draft(db: Database, scope: Scope, today: date, **fields) -> d.Document:
    return d.Document(issuer=issuer(db, scope), place=place(db, scope), month=today.month,
                      year=today.year, **fields)


def _group_row(text: str, width: int) -> Row:
    return Row((Cell(text, colspan=width, bold=True, kind=d.TEXT),))


def _number_row(width: int) -> tuple[Cell, ...]:
    return tuple(Cell(f"({i})", italic=True) for i in range(1, width + 1))


# -- Phụ lục I: households to review ------------------------------------------------------------

LIST_COLUMNS = (Column(10, d.TEXT), Column(26, d.TEXT), Column(48, d.TEXT), Column(16),
                Column(32, d.TEXT), Column(16), Column(26, d.TEXT), Column(20, d.TEXT),
                Column(30, d.TEXT))


def review_list(db: Database, scope: Scope, today: date) -> d.Document:
    """Phụ lục I: the households to review in the round, village by village."""
    found = homes(db, scope)
    before = histories(db, scope)
    asked = requested(db, scope)
    rows: list[Row] = []
    shown: list[tuple[str, str]] = []
    counts = {"poor": 0, "near_poor": 0, "request": 0}
    village = None
    n = 0
    for home in found.values():
        history = before.get(home.id)
        klass = history.start if history is not None and scope.previous else None
        if not rules.on_review_list(klass, home.id in asked):
            continue
        if scope.is_commune and home.village != village:
            village = home.village
            rows.append(_group_row(village, len(LIST_COLUMNS)))
        n += 1
        if klass in counts:
            counts[klass] += 1
        counts["request"] += home.id in asked
        rows.append(Row((str(n), home.code, home.head, home.head_birth_year, home.village,
                         home.persons, CLASS[klass] if klass in ("poor", "near_poor") else "",
                         "x" if home.id in asked else "", "")))
        shown.append(("household", home.id))
    header = (
        (Cell("STT"), Cell("Mã hộ"), Cell("Họ và tên chủ hộ"), Cell("Năm sinh"),
         Cell("Thôn"), Cell("Số nhân khẩu"), Cell("Diện hộ đang có tên trong danh sách"),
         Cell("Có giấy đề nghị rà soát"), Cell("Ghi chú")),
        _number_row(len(LIST_COLUMNS)),
    )
    since = (f"danh sách hộ nghèo, hộ cận nghèo theo kết quả rà soát năm "
             f"{scope.previous['year']}" if scope.previous else
             "chưa có kết quả rà soát trước (chỉ các hộ có giấy đề nghị)")
    table = d.Table(LIST_COLUMNS, header, tuple(rows), unit_note="Đơn vị tính: hộ, người",
                    notes=(f"Tổng cộng {n} hộ: {counts['poor']} hộ nghèo, {counts['near_poor']} "
                           f"hộ cận nghèo đang có tên trong danh sách; {counts['request']} hộ "
                           "có giấy đề nghị rà soát.",))
    body = (d.Para(f"({_where(scope)}; {since})", italic=True, center=True), table)
    key = scope_key(scope)
    return _draft(db, scope, today, title=(
        "DANH SÁCH HỘ GIA ĐÌNH CẦN RÀ SOÁT",
        f"(rà soát hộ nghèo, hộ cận nghèo năm {scope.round['year']})"),
        subtitle=("Phụ lục I, Thông tư 07/2021/TT-BLĐTBXH",), body=body,
        signatures=(d.Signature((), "NGƯỜI LẬP BIỂU", HINT_SIGN),
                    d.Signature(("TM. BAN CHỈ ĐẠO RÀ SOÁT",), "TRƯỞNG BAN", HINT_SEAL)),
        orientation=d.LANDSCAPE, fingerprint=fingerprint("phu-luc-1", key, body),
        name="Phụ lục I – Danh sách hộ cần rà soát", shown_rows=tuple(shown))


# -- Phiếu A, B, C ------------------------------------------------------------------------------

def _target_homes(db: Database, scope: Scope, household: str | None) -> list[Home]:
    """The households forms are pre-filled for: one (by code), or the review list's."""
    found = homes(db, scope)
    if household:
        match = [h for h in found.values() if h.code == household.strip()]
        if not match:
            raise InputError(f"Không có hộ mã «{household}» trong {_where(scope)}.",
                             field="household")
        return match
    before = histories(db, scope)
    asked = requested(db, scope)
    return [h for h in found.values()
            if rules.on_review_list(before[h.id].start if h.id in before and scope.previous
                                    else None, h.id in asked)]


def _identity(home: Home | None, scope: Scope) -> list[d.Block]:
    if home is None:
        return [d.Para(f"Họ và tên chủ hộ: {DOTS}   Mã hộ: ………………"),
                d.Para(f"Địa chỉ: thôn {DOTS}, {scope.commune['name']}"),
                d.Para(f"Số nhân khẩu: ……   Người rà soát: {DOTS}"),
                d.Para(f"Ngày rà soát: ……/……/{scope.round['year']}")]
    return [d.Para(f"Họ và tên chủ hộ: {home.head}   Mã hộ: {home.code}"),
            d.Para(f"Địa chỉ: {home.address + ', ' if home.address else ''}{home.village}, "
                   f"{scope.commune['name']}"),
            d.Para(f"Số nhân khẩu: {home.persons}   Người rà soát: {DOTS}"),
            d.Para(f"Ngày rà soát: ……/……/{scope.round['year']}")]


MEMBER_COLUMNS = (Column(11, d.TEXT), Column(42, d.TEXT), Column(22, d.TEXT), Column(13, d.TEXT),
                  Column(13), Column(15, d.TEXT), Column(26, d.TEXT), Column(30, d.TEXT))


def _members_table(db: Database, home: Home | None, blank_rows: int = 6) -> d.Table:
    header = ((Cell("STT"), Cell("Họ và tên"), Cell("Quan hệ với chủ hộ"), Cell("Giới tính"),
               Cell("Năm sinh"), Cell("Dân tộc"), Cell("Đi học"), Cell("Việc làm")),)
    if home is None:
        rows = tuple(Row((str(i),) + ("",) * 7) for i in range(1, blank_rows + 1))
    else:
        rows = tuple(Row((str(i), m["full_name"], RELATION.get(m["relation"], ""),
                          SEX.get(m["sex"] or "", ""), birth_year(m["birth_date"]),
                          m["ethnicity"] or "", SCHOOLING.get(m["schooling"] or "", ""),
                          EMPLOYMENT.get(m["employment"] or "", "")))
                     for i, m in enumerate(hh.members(db, home.id), 1))
    return d.Table(MEMBER_COLUMNS, header, rows)


def _per_household(db: Database, scope: Scope, today: date, *, form: str, title: tuple[str, ...],
                   subtitle: str, part, household: str | None, blank: bool) -> d.Document:
    targets: list[Home | None] = [None] if blank else _target_homes(db, scope, household)
    if not targets:
        raise InputError(f"Không có hộ nào cần rà soát trong {_where(scope)} (danh sách hộ "
                         "nghèo, hộ cận nghèo và hộ có giấy đề nghị đều trống); in phiếu trắng "
                         "(--blank) hoặc chọn một hộ (--household).")
    body: list[d.Block] = []
    shown: list[tuple[str, str]] = []
    for n, home in enumerate(targets):
        if n:
            body += [d.PageBreak(), d.Para(title[0], bold=True, center=True),
                     d.Para(title[1], bold=True, center=True)]
        body += _identity(home, scope)
        body += part(db, scope, home)
        body.append(d.Closing((d.Signature((), "NGƯỜI RÀ SOÁT", HINT_SIGN),
                               d.Signature((), "ĐẠI DIỆN HỘ GIA ĐÌNH", HINT_SIGN))))
        if home is not None:
            shown.append(("household", home.id))
    key = scope_key(scope, household=household or "", blank=int(blank))
    return d.Document(issuer=(), title=title, subtitle=(subtitle,), place=place(db, scope),
                      month=today.month, year=today.year, body=tuple(body),
                      fingerprint=fingerprint(form, key, body), name=" ".join(title),
                      shown_rows=tuple(shown))


CHECKED = "■"    # U+25A0, in Liberation Serif: a box the register (or the review) ticked
OTHER_TRAIT = f"Đặc điểm khác (tài sản, lương hưu…): {DOTS}"


def _phieu_a_criteria(db: Database, home: Home | None) -> d.Table:
    """The characteristics table: blank lines on a blank form; pre-filled, what the register
    says of each characteristic it can answer (``rules.quick_screen``), "x" when the household
    has it, and a blank line per group for what the reviewer sees at the house."""
    columns = (Column(12, d.TEXT), Column(88, d.TEXT), Column(14, d.TEXT), Column(50, d.TEXT))
    header = ((Cell("Nhóm"), Cell("Đặc điểm của hộ (theo Phụ lục II, Thông tư "
                                  "07/2021/TT-BLĐTBXH)"), Cell("Có (x)"),
               Cell("Theo sổ hộ (người rà soát kiểm tra lại)")),)
    if home is None:
        groups = {1: [(DOTS * 2, "", "")] * 3, 2: [(DOTS * 2, "", "")] * 4}
        notes: tuple[str, ...] = ()
    else:
        marks = rules.quick_screen(hh.members(db, home.id), hh.household(db, home.id))
        groups = {g: [(m.text, {True: "x", False: "", None: "?"}[m.has], m.evidence)
                      for m in marks if m.group == g] + [(OTHER_TRAIT, "", "")]
                  for g in (1, 2)}
        notes = (rules.QUICK_SCREEN_OWN, "«?»: sổ hộ chưa ghi, người rà soát hỏi tại hộ.")
    rows = tuple(Row(((Cell(f"Nhóm {g}", rowspan=len(lines)),) if i == 0 else ()) + line)
                 for g, lines in groups.items() for i, line in enumerate(lines))
    return d.Table(columns, header, rows, notes=notes)


def _phieu_a_part(db: Database, scope: Scope, home: Home | None) -> list[d.Block]:
    review = reviews.review_of(db, scope.round["id"], home.id) if home is not None else None
    result = review["screen_result"] if review else None
    box = lambda on: CHECKED if on else CHECKBOX  # noqa: E731
    blocks: list[d.Block] = [
        d.Heading("Thành viên của hộ", 1), _members_table(db, home),
        d.Heading("Đặc điểm nhận dạng nhanh", 1), _phieu_a_criteria(db, home),
        d.Heading("Kết quả nhận dạng", 1),
        d.Para(f"{box(result == 'stop')} Hộ có đặc điểm của hộ không nghèo: dừng rà soát."),
        d.Para(f"{box(result == 'continue')} Hộ không có đặc điểm trên: tiếp tục rà soát bằng "
               "Phiếu B.")]
    if review and (review["reviewer"] or review["review_date"]):
        on = date.fromisoformat(review["review_date"]) if review["review_date"] else None
        blocks.append(d.Para(f"Theo phiếu rà soát đợt này: người rà soát "
                             f"{review['reviewer'] or DOTS}, ngày "
                             f"{on.strftime('%d/%m/%Y') if on else DOTS}.", italic=True))
    return blocks


def _phieu_b_part(db: Database, scope: Scope, home: Home | None) -> list[d.Block]:
    standard = scope.standard
    hints: dict[str, suggest.Suggestion] = {}
    if home is not None:
        hints = reviews.suggestions(db, home.id, date.fromisoformat(scope.round["starts_on"]))
    rows = []
    for indicator in standard.indicators:
        hint = hints.get(indicator.code)
        rows.append(Row((str(indicator.order), indicator.name, indicator.threshold,
                         f"{CHECKBOX} Có   {CHECKBOX} Không",
                         ("Thiếu hụt: " if hint.deprived else "Không thiếu hụt: ") + hint.reason
                         if hint else "")))
    table = d.Table(
        (Column(9, d.TEXT), Column(34, d.TEXT), Column(58, d.TEXT), Column(26, d.TEXT),
         Column(44, d.TEXT)),
        ((Cell("TT"), Cell("Chỉ số"), Cell("Ngưỡng thiếu hụt"), Cell("Hộ thiếu hụt"),
          Cell("Gợi ý từ sổ hộ (người rà soát kiểm tra lại)")),),
        tuple(rows),
        notes=(f"Chuẩn nghèo {standard.id}: {standard.title}"
               + (" — chuẩn tạm thời." if standard.is_provisional else "."),))
    return [d.Heading("Thành viên của hộ", 1), _members_table(db, home),
            d.Heading("B1. Thu nhập", 1),
            d.Para(f"Thu nhập bình quân đầu người/tháng (12 tháng qua): {DOTS} đồng"),
            d.Para(f"Điểm B1 (nếu ước tính theo điểm): {DOTS}"),
            d.Heading("B2. Mức độ thiếu hụt dịch vụ xã hội cơ bản", 1), table,
            d.Para("Tổng số chỉ số thiếu hụt: ……   Điểm B2 (= 10 × số chỉ số thiếu hụt): ……")]


def _phieu_c_part(db: Database, scope: Scope, home: Home | None) -> list[d.Block]:
    flags = hh.household(db, home.id) if home is not None else {}
    mark = lambda on: "x" if on else ""  # noqa: E731
    groups = d.Table((Column(10, d.TEXT), Column(120, d.TEXT), Column(20, d.TEXT)),
                     ((Cell("TT"), Cell("Nhóm đối tượng"), Cell("Có (x)")),),
                     tuple(Row((str(i), label, mark(flags.get(code))))
                           for i, (code, label) in enumerate(HOUSEHOLD_FLAGS.items(), 1)))

    def checklist(items: dict[str, str]) -> d.Table:
        return d.Table((Column(10, d.TEXT), Column(120, d.TEXT), Column(20, d.TEXT)),
                       ((Cell("TT"), Cell("Nội dung"), Cell("Có (x)")),),
                       tuple(Row((str(i), label, "")) for i, label in
                             enumerate(items.values(), 1)))

    return [d.Heading("Nhóm đối tượng của hộ (theo sổ hộ, người rà soát kiểm tra lại)", 1),
            groups, d.Heading("Nguyên nhân nghèo, cận nghèo", 1), checklist(POVERTY_CAUSES),
            d.Heading("Nhu cầu hỗ trợ", 1), checklist(SUPPORT_NEEDS)]


def phieu_a(db: Database, scope: Scope, today: date, *, household: str | None = None,
            blank: bool = False) -> d.Document:
    """Phiếu A (Phụ lục II): quick identification, for households that asked to be reviewed."""
    return _per_household(db, scope, today, form="phieu-a", title=(
        "PHIẾU A", "NHẬN DẠNG NHANH ĐẶC ĐIỂM HỘ GIA ĐÌNH"),
        subtitle="Phụ lục II, Thông tư 07/2021/TT-BLĐTBXH", part=_phieu_a_part,
        household=household, blank=blank)


def phieu_b(db: Database, scope: Scope, today: date, *, household: str | None = None,
            blank: bool = False) -> d.Document:
    """Phiếu B (Phụ lục III): the review form, B1 income and B2 deprivations."""
    return _per_household(db, scope, today, form="phieu-b", title=(
        "PHIẾU B", "PHIẾU RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO"),
        subtitle="Phụ lục III, Thông tư 07/2021/TT-BLĐTBXH", part=_phieu_b_part,
        household=household, blank=blank)


def phieu_c(db: Database, scope: Scope, today: date, *, household: str | None = None,
            blank: bool = False) -> d.Document:
    """Phiếu C (Phụ lục IV): characteristics of poor and near-poor households."""
    return _per_household(db, scope, today, form="phieu-c", title=(
        "PHIẾU C", "THU THẬP ĐẶC ĐIỂM HỘ NGHÈO, HỘ CẬN NGHÈO"),
        subtitle="Phụ lục IV, Thông tư 07/2021/TT-BLĐTBXH", part=_phieu_c_part,
        household=household, blank=blank)


# -- the four lists: posting, decision annexes ----------------------------------------------------

POSTING_COLUMNS = (Column(11, d.TEXT), Column(55, d.TEXT), Column(18), Column(38, d.TEXT),
                   Column(18), Column(30, d.TEXT))


@dataclass(frozen=True)
class Lists:
    """The households on each recognition list, in village and code order, and the reviews
    the lists come from."""

    members: dict[str, list[Home]]
    reviews: dict[str, str]

    def count(self, key: str) -> tuple[int, int]:
        found = self.members[key]
        return len(found), sum(h.persons for h in found)


def recognition(db: Database, scope: Scope) -> Lists:
    found = homes(db, scope)
    lists: dict[str, list[Home]] = {key: [] for key in rules.RECOGNITION_LISTS}
    persons = {}
    for history in reviews.histories(db, (scope.previous or scope.round)["id"],
                                     scope.round["id"]):
        home = found.get(history.household_id)
        if home is None:
            continue
        persons[home.id] = history.persons_end or home.persons
        for key in rules.recognition_lists(history):
            lists[key].append(home)
    order = list(found)
    for key in lists:
        lists[key] = sorted((Home(**{**h.__dict__, "persons": persons.get(h.id, h.persons)})
                             for h in lists[key]), key=lambda h: order.index(h.id))
    ids = {h.id for members in lists.values() for h in members}
    return Lists(lists, review_ids(db, scope.round["id"], ids))


def _list_tables(lists: Lists, scope: Scope) -> tuple[list[d.Block], list[tuple[str, str]]]:
    header = ((Cell("STT"), Cell("Họ và tên chủ hộ"), Cell("Năm sinh"), Cell("Thôn"),
               Cell("Số nhân khẩu"), Cell("Ghi chú")),)
    blocks: list[d.Block] = []
    shown: list[tuple[str, str]] = []
    for n, (key, label) in enumerate(rules.RECOGNITION_LISTS.items()):
        found = lists.members[key]
        households, persons = lists.count(key)
        rows = [Row((str(i), h.head, h.head_birth_year, h.village, h.persons, ""))
                for i, h in enumerate(found, 1)]
        rows.append(Row((Cell(f"Tổng cộng: {format_int(households)} hộ", colspan=4,
                              kind=d.TEXT), persons, ""), d.TOTAL)
                    if found else Row((Cell("Không có hộ nào.", colspan=6, italic=True,
                                            kind=d.TEXT),)))
        blocks.append(d.Heading(f"Danh sách {label}: {format_int(households)} hộ, "
                                f"{format_int(persons)} nhân khẩu", 1))
        blocks.append(d.Table(POSTING_COLUMNS, header, tuple(rows),
                              unit_note="Đơn vị tính: người" if n == 0 else None))
        for h in found:
            shown.append(("household", h.id))
            if h.id in lists.reviews:
                shown.append(("household_review", lists.reviews[h.id]))
    return blocks, shown


def _lists_year(scope: Scope) -> int:
    return list_year(scope.round)


def posting_list(db: Database, scope: Scope, today: date) -> d.Document:
    """The lists posted at the village and the commune for 3 working days: poor, near-poor,
    escaped poor and escaped near-poor households, with household and person counts. Only
    the head's name, the year of birth, the village and the number of persons are shown."""
    lists = recognition(db, scope)
    blocks, shown = _list_tables(lists, scope)
    summary = "; ".join(f"{label}: {lists.count(key)[0]} hộ, {lists.count(key)[1]} nhân khẩu"
                        for key, label in rules.RECOGNITION_LISTS.items())
    days = procedure_rules.POSTING_WORKING_DAYS
    body: tuple[d.Block, ...] = (
        d.Para(f"Thực hiện Quyết định số 24/2021/QĐ-TTg của Thủ tướng Chính phủ, Ban chỉ đạo rà "
               f"soát {scope.commune['name']} niêm yết công khai kết quả rà soát hộ nghèo, hộ "
               f"cận nghèo năm {scope.round['year']} ({_where(scope)}) trong {days} ngày làm "
               "việc tại nhà văn hóa thôn và trụ sở Ủy ban nhân dân xã. Ý kiến, khiếu nại gửi "
               "Ban chỉ đạo rà soát xã trong thời gian niêm yết."),
        d.Para(f"Tổng hợp: {summary}."), *blocks)
    key = scope_key(scope)
    return _draft(db, scope, today, symbol="TB-BCĐ", title=(
        "THÔNG BÁO", f"Niêm yết công khai danh sách hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ "
        f"thoát cận nghèo năm {_lists_year(scope)}"), body=body,
        recipients=recipients(db, scope, "posting"),
        signatures=(d.Signature(("TM. BAN CHỈ ĐẠO RÀ SOÁT",), "TRƯỞNG BAN", HINT_SEAL),),
        fingerprint=fingerprint("niem-yet", key, body), name="Danh sách niêm yết",
        shown_rows=tuple(shown))


def recognition_lists(db: Database, scope: Scope, today: date) -> d.Document:
    """The four lists the decision recognises, alone (a table per list; also as XLSX)."""
    lists = recognition(db, scope)
    blocks, shown = _list_tables(lists, scope)
    key = scope_key(scope)
    return _draft(db, scope, today, title=(
        f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ THOÁT NGHÈO, HỘ THOÁT CẬN NGHÈO NĂM "
        f"{_lists_year(scope)}",), subtitle=(f"({_where(scope)}; kết quả rà soát năm "
                                             f"{scope.round['year']})",),
        body=tuple(blocks), signatures=(d.Signature((), "NGƯỜI LẬP BIỂU", HINT_SIGN),
                                        chairman(db, scope, today, HINT_SEAL)),
        fingerprint=fingerprint("danh-sach-cong-nhan", key, blocks),
        name="Danh sách công nhận", shown_rows=tuple(shown))


def recognition_decision(db: Database, scope: Scope, today: date) -> d.Document:
    """The chairman's decision recognising the four lists, the lists annexed after the
    signature. Printed as a draft (number and day blank) unless the print issues it."""
    if not scope.is_commune:
        raise InputError("Quyết định công nhận ban hành cho cả xã; bỏ --unit (hoặc dùng mã xã).")
    lists = recognition(db, scope)
    year = _lists_year(scope)
    commune = scope.commune["name"]
    counts = {key: lists.count(key) for key in rules.RECOGNITION_LISTS}
    articles = [d.Para(f"Điều 1. Công nhận các hộ gia đình trên địa bàn {commune} năm {year}, "
                       "gồm:", bold=False)]
    for key, label in rules.RECOGNITION_LISTS.items():
        households, persons = counts[key]
        articles.append(d.Bullet(f"{label[0].upper()}{label[1:]}: {format_int(households)} hộ, "
                                 f"{format_int(persons)} nhân khẩu;"))
    articles += [
        d.Para("(Có danh sách chi tiết kèm theo.)", italic=True),
        d.Para("Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Các hộ có tên tại Điều 1 được "
               "hưởng các chính sách hỗ trợ theo quy định."),
        d.Para("Điều 3. Văn phòng HĐND và UBND xã, công chức phụ trách lao động – xã hội, "
               "trưởng các thôn và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành "
               "Quyết định này./."),
    ]
    key = scope_key(scope)
    number, issued_on = issued_number(db, "quyet-dinh", key)
    signer = chairman(db, scope, issued_on or today)
    reference = (f"số {number}/QĐ-UBND ngày {issued_on:%d/%m/%Y}" if number
                 else "số      /QĐ-UBND")
    tables, shown = _list_tables(lists, scope)
    annex = [d.PageBreak(),
             d.Para("Phụ lục", bold=True, center=True),
             d.Para(f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ THOÁT NGHÈO, HỘ THOÁT CẬN NGHÈO NĂM "
                    f"{year}", bold=True, center=True),
             d.Para(f"(Kèm theo Quyết định {reference} của Chủ tịch UBND {commune})",
                    italic=True, center=True), *tables]
    body = (
        d.Para(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.upper()}", bold=True, center=True),
        d.Para("Căn cứ Luật Tổ chức chính quyền địa phương;", italic=True),
        d.Para("Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ quy định chuẩn "
               "nghèo đa chiều giai đoạn 2021 – 2025;", italic=True),
        d.Para("Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16/7/2021 của Thủ tướng Chính phủ quy "
               "định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm;", italic=True),
        d.Para(f"Xét đề nghị của Ban chỉ đạo rà soát hộ nghèo, hộ cận nghèo {commune} về kết "
               f"quả rà soát năm {scope.round['year']}.", italic=True),
        d.Para("QUYẾT ĐỊNH:", bold=True, center=True),
        *articles,
        d.Closing((signer,), recipients(db, scope, "decision")),
        *annex)
    return _draft(db, scope, today, symbol="QĐ-UBND", number=number, day=issued_on, title=(
        "QUYẾT ĐỊNH", f"Về việc công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận "
        f"nghèo năm {year} trên địa bàn {commune}"), body=body,
        fingerprint=fingerprint("quyet-dinh", key, body), name="Quyết định công nhận",
        shown_rows=tuple(shown))


# -- village meeting minutes --------------------------------------------------------------------

def meeting_minutes(db: Database, scope: Scope, today: date) -> d.Document:
    """The minutes of the village meeting (họp dân), 2 copies: one stays in the village, one
    goes to the commune's steering committee. Filled from the recorded meeting if there is
    one; the lists proposed are those the review produced in the village."""
    if scope.is_commune:
        raise InputError("Biên bản họp dân lập cho từng thôn: chọn thôn (--village MÃ_THÔN).")
    village = scope.unit
    lists = recognition(db, scope)
    meetings = [s for s in steps.steps(db, scope.round["id"], village["id"])
                if s["kind"] == "meeting" and s["village_id"] == village["id"]]
    meeting = meetings[-1] if meetings else None
    if meeting:
        held = date.fromisoformat(meeting["on_date"])
        attendees, agreed = meeting["attendees"], meeting["agreed"]
        share = f"{agreed * 100 // attendees}%" if attendees else "—"
        verdict = ("đạt trên 50% số người dự họp: thống nhất với kết quả rà soát."
                   if procedure_rules.meeting_agreed(attendees, agreed) else
                   "chưa đạt 50% số người dự họp: phải rà soát lại và họp lại.")
        when = (f"Hôm nay, ngày {held.day:02d} tháng {held.month:02d} năm {held.year}, tại nhà "
                f"văn hóa {village['name']}, {scope.commune['name']}")
        vote = (f"Số người dự họp: {attendees}; số người đồng ý: {agreed} ({share}), {verdict}")
    else:
        when = (f"Hôm nay, ngày …… tháng …… năm {scope.round['year']}, tại nhà văn hóa "
                f"{village['name']}, {scope.commune['name']}")
        vote = f"Số người dự họp: {DOTS}; số người đồng ý: {DOTS} (tỷ lệ: ……%)."
    summary = [d.Bullet(f"{label[0].upper()}{label[1:]}: {lists.count(key)[0]} hộ, "
                        f"{lists.count(key)[1]} nhân khẩu" + (": " + ", ".join(
                            f"{h.head} ({h.code})" for h in lists.members[key])
                            if lists.members[key] else "") + ";")
               for key, label in rules.RECOGNITION_LISTS.items()]
    shown = [("household_review", rid) for rid in lists.reviews.values()]
    if meeting:
        shown.append(("procedure_step", meeting["id"]))

    def one_copy(n: int, where: str) -> list[d.Block]:
        return [
            d.Para(f"Bản số {n}/2: {where}", italic=True, center=True),
            d.Para(f"{when}, tổ chức họp dân bình xét kết quả rà soát hộ nghèo, hộ cận nghèo "
                   f"năm {scope.round['year']}."),
            d.Heading("Thành phần", 1),
            d.Para(f"Chủ trì: {DOTS}{DOTS}, Trưởng thôn. Thư ký: {DOTS}{DOTS}."),
            d.Para("Đại diện Ban chỉ đạo rà soát xã, công chức phụ trách giảm nghèo, Bí thư chi "
                   "bộ thôn, các đoàn thể, rà soát viên và đại diện các hộ gia đình; Ủy ban Mặt "
                   "trận Tổ quốc xã giám sát."),
            d.Heading("Nội dung", 1),
            d.Para("Hội nghị nghe báo cáo kết quả rà soát và bình xét các hộ dự kiến:"),
            *summary,
            d.Heading("Kết quả biểu quyết", 1),
            d.Para(vote),
            d.Para("Biên bản được lập thành 02 bản: 01 bản lưu tại thôn, 01 bản gửi Ban chỉ đạo "
                   "rà soát xã. Hội nghị kết thúc hồi …… giờ …… cùng ngày."),
            d.Closing((d.Signature((), "THƯ KÝ", HINT_SIGN),
                       d.Signature((), "CHỦ TRÌ (TRƯỞNG THÔN)", HINT_SIGN))),
            d.Para("ĐẠI DIỆN CÁC HỘ GIA ĐÌNH (ký, ghi rõ họ tên)", bold=True, center=True),
        ]

    body = tuple(one_copy(1, "lưu tại thôn") + [
        d.PageBreak(), d.Para("BIÊN BẢN HỌP DÂN", bold=True, center=True),
        d.Para(f"Bình xét hộ nghèo, hộ cận nghèo năm {scope.round['year']} – {village['name']}",
               bold=True, center=True)] + one_copy(2, "gửi Ban chỉ đạo rà soát xã"))
    key = scope_key(scope)
    return d.Document(
        issuer=(scope.commune["name"].upper(), village["name"].upper()),
        title=("BIÊN BẢN HỌP DÂN", f"Bình xét hộ nghèo, hộ cận nghèo năm {scope.round['year']}"),
        place=place(db, scope), month=today.month, year=today.year, body=body,
        fingerprint=fingerprint("bien-ban-hop-dan", key, body), name="Biên bản họp dân",
        shown_rows=tuple(shown))
