"""The participant list of a livelihood project (danh sách hộ tham gia dự án), as a
``Document`` rendered to PDF or XLSX by the forms engine.

The list gives, per participating household: code, head, village, the target group it
counts in (with the reason on the day the project started), its counterpart contribution,
the inputs it received, and a column for the household's signature. The project's facts
(line, amount, dates, management and supervision groups) head the list; the shares of
target-group and priority households (≥ 50 %, > 70 %) follow it. Figures come from
``gnapp.db.projects``; the rules from ``gnapp.domain.projects``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import projects as pj
from gnapp.db import sites, units
from gnapp.domain import projects as rules
from gnapp.domain.canonical import rows_hash
from gnapp.domain.dates import format_date
from gnapp.domain.numbers import format_int, format_number, to_decimal
from gnapp.domain.units import place_name
from gnapp.forms import document as d
from gnapp.forms.catalog import render
from gnapp.forms.document import Cell, Column, Row

TITLE = "DANH SÁCH HỘ THAM GIA DỰ ÁN HỖ TRỢ PHÁT TRIỂN SẢN XUẤT"
TITLE_MODEL = "DANH SÁCH HỘ THAM GIA MÔ HÌNH GIẢM NGHÈO"
PREPARER = d.Signature((), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "(Ký tên, đóng dấu)")

HEADER = ("TT", "Mã hộ", "Họ và tên chủ hộ", "Thôn, bản", "Nhóm đối tượng",
          "Vốn đối ứng (đồng)", "Giống, vật tư đã nhận", "Ký nhận")


def _day(text: str | None) -> str:
    return format_date(date.fromisoformat(text)) if text else "…"


def _inputs_by_household(db: Database, project_id: str) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = defaultdict(list)
    for row in pj.inputs(db, project_id):
        quantity = format_number(to_decimal(row["quantity"]))
        found[row["household_id"]].append(
            f"{quantity} {row['unit']} {row['item'].lower()} ({_day(row['delivered_on'])})")
    return found


def _sentence(text: str) -> str:
    """``text`` ending with one full stop: "Tổ quản lý: A, B.." → "Tổ quản lý: A, B."."""
    text = text.rstrip(". ")
    return text + "."


def _facts(project: dict, line: str) -> list[d.Block]:
    """Two paragraphs: the line, implementer, amount and dates; the groups."""
    amount = f"{format_int(project['amount'])} đồng" if project["amount"] else "chưa ghi"
    first = (f"Thuộc {line}; đơn vị thực hiện: {project['implementer'] or '…'}; kinh phí được "
             f"phân bổ: {amount}; thời gian thực hiện: từ {_day(project['starts_on'])} đến "
             f"{_day(project['ends_on'])}")
    groups = []
    if project["management_group"]:
        groups.append(f"Tổ quản lý: "
                      f"{project['management_group'].removeprefix('Tổ quản lý: ').rstrip('. ')}")
    if project["supervision_group"]:
        groups.append(f"tổ giám sát: "
                      f"{project['supervision_group'].removeprefix('Tổ giám sát: ').rstrip('. ')}")
    second = "; ".join(groups)
    if project["groups_decision"]:
        second += (" " if second else "") + \
            f"(quyết định thành lập số {project['groups_decision'].rstrip('. ')})"
    blocks = [d.Para(_sentence(first))]
    if second:
        blocks.append(d.Para(_sentence(second[:1].upper() + second[1:])))
    return blocks


def participant_list(db: Database, project_id: str, *, today: date | None = None) -> d.Document:
    """The participant list of a project (landscape A4)."""
    today = today or date.today()
    project = pj.project(db, project_id)
    commune = units.get_unit(db, project["owner_unit"]) or \
        {"name": sites.require_site(db).display_name}
    people = pj.participants(db, project_id, today=today)
    received = _inputs_by_household(db, project_id)
    rows = []
    for n, p in enumerate(people, 1):
        rows.append(Row((n, p.code, p.head or "", p.village, p.eligibility.label, p.counterpart,
                         "; ".join(received.get(p.household_id, [])), "")))
    total = sum(p.counterpart for p in people)
    rows.append(Row((Cell("Tổng cộng", colspan=2, kind=d.LABEL),
                     Cell(f"{len(people)} hộ", kind=d.TEXT), "", "", total, "", ""), d.TOTAL))
    shares = rules.shares(p.eligibility for p in people)
    notes = [rules.share_text(shares) + (f"; {rules.priority_text(shares).lower()}."
                                          if shares.participants else "")]
    if received.get(None):
        notes.append("Cấp chung cho nhóm hộ: " + "; ".join(received[None]) + ".")
    notes.append("Nhóm đối tượng theo kết quả rà soát có hiệu lực vào ngày bắt đầu dự án; hộ mới "
                 "thoát nghèo: trong 36 tháng kể từ ngày thoát nghèo.")
    columns = (Column(10, d.TEXT), Column(20, d.TEXT), Column(46, d.TEXT), Column(32, d.TEXT),
               Column(50, d.TEXT), Column(26), Column(60, d.TEXT), Column(26, d.TEXT))
    header = (tuple(Cell(text) for text in HEADER),
              tuple(Cell(f"({n})", italic=True) for n in range(1, len(HEADER) + 1)))
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, đồng",
                    notes=tuple(notes))
    line = rules.PROJECT_LINES.get(project["line_code"], project["line_code"])
    head = {"form": "danh-sach-ho-tham-gia", "project": project["id"],
            "version": project["version"]}
    body_rows = [{"cells": [c.value if isinstance(c, Cell) else c for c in r.cells]}
                 for r in rows]
    return d.Document(
        issuer=("ỦY BAN NHÂN DÂN", commune["name"].upper()),
        title=(TITLE_MODEL if project["kind"] == "model" else TITLE,),
        subtitle=(f"({project['name']}{', năm ' + str(project['year']) if project['year'] else ''})",),
        place=place_name(commune["name"]), month=today.month, year=today.year,
        body=tuple(_facts(project, line)) + (table,), signatures=(PREPARER, HEAD),
        orientation=d.LANDSCAPE, fingerprint=rows_hash([head, *body_rows]),
        name="Danh sách hộ tham gia dự án",
        shown_rows=(("livelihood_project", project["id"]),)
        + tuple(("project_participant", p.id) for p in people))


FORM = "danh-sach-ho-tham-gia"


def produce_participant_list(db: Database, project_id: str, out: str | Path, *,
                             today: date | None = None, user: str | None = None) -> Path:
    """Write the participant list to ``out`` (.pdf or .xlsx) and record the printed copy
    (DESIGN.md §5): a second print of the same data is marked "BẢN SAO"; if rendering fails
    nothing is recorded. Returns the path.

    :raises InputError: another suffix
    """
    from gnapp.db import documents
    from gnapp.domain import documents as doc_rules
    from gnapp.domain.errors import InputError

    out = Path(out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise InputError(f"Tệp danh sách phải có đuôi .pdf hoặc .xlsx: {out.name}")
    key = doc_rules.document_key(FORM, {"project": project_id})

    def run(w) -> Path:
        doc = participant_list(db, project_id, today=today)
        _, is_copy = documents.next_copy(db, key, doc.fingerprint)
        if is_copy:
            doc = replace(doc, copy_mark=doc_rules.COPY_MARK)
        documents.record_copy(w, doc_key=key, form=FORM, title=doc.name,
                              fingerprint=doc.fingerprint, shown_rows=doc.shown_rows,
                              file_format=out.suffix.lower().lstrip("."))
        return render(doc, out)

    try:
        return sites.writer(db, user).transact(run).result
    except BaseException:
        out.unlink(missing_ok=True)
        raise
