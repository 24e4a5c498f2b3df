"""The commune's plans and reports (``plan_document``): create, edit, sign, unsign, list.

The rules of the body (blocks, numbering, the closing "/.") are in
``gnapp.domain.plan_docs``; laying a document out, resolving its data tables and freezing
them at signing are in ``gnapp.forms.plan_document``. This module only stores rows through
the Writer: a draft is edited freely, a signed document is not edited at all; unsigning it
needs a reason, which the audit log keeps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db.store import Invalid, Writer, WriteError, live_row
from gnapp.domain import plan_docs as rules
from gnapp.domain.errors import InputError

TABLE = "plan_document"


def doc_key(doc_id: str) -> str:
    """The key of a document in the number book and the printed copies."""
    return f"plan_document|{doc_id}"


def _parsed(row: dict) -> dict:
    row = dict(row)
    row["body_data"] = rules.parse_body(row["body"])
    row["recipient_lines"] = json.loads(row["recipients"] or "[]")
    row["frozen_data"] = json.loads(row["frozen"]) if row.get("frozen") else None
    return row


def get(db: Database, doc_id: str) -> dict:
    """A document with its body (``body_data``), recipients (``recipient_lines``) and, once
    signed, its frozen content (``frozen_data``) parsed.

    :raises NotFound: no such document
    """
    return _parsed(live_row(db, TABLE, doc_id, "văn bản"))


def find(db: Database, prefix: str) -> dict:
    """A document by its id or the start of it (as ``documents list`` shows them).

    :raises InputError: none or several documents start with ``prefix``
    """
    rows = list(db.query("SELECT id FROM plan_document WHERE id LIKE ? AND deleted = 0",
                         [prefix.strip() + "%"]))
    if len(rows) != 1:
        raise InputError(f"Không tìm thấy đúng một văn bản có mã bắt đầu bằng «{prefix}» "
                         f"({len(rows)} văn bản); xem «gnapp documents list».")
    return get(db, rows[0]["id"])


def documents(db: Database, unit_code: str | None = None) -> list[dict]:
    """The documents (newest year first), without their bodies parsed."""
    sql = "SELECT * FROM plan_document WHERE deleted = 0"
    params: list = []
    if unit_code:
        sql += " AND owner_unit = ?"
        params.append(unit_code)
    return list(db.query(sql + " ORDER BY year DESC, kind, id DESC", params))


def _values(*, kind: str, year: int, subject: str, body: Mapping[str, Any],
            recipients: Sequence[str], template: str | None, period_id: str | None,
            symbol: str | None, signer_role: str | None) -> dict:
    return {"kind": kind, "year": year, "subject": subject, "template": template,
            "period_id": period_id or None, "symbol": symbol or rules.SYMBOLS.get(kind),
            "body": rules.dump_body(body),
            "recipients": json.dumps([r for r in recipients if r.strip()], ensure_ascii=False),
            "signer_role": signer_role or "chairman", "state": rules.DRAFT}


def create(w: Writer, *, kind: str, year: int, subject: str, body: Mapping[str, Any] | None = None,
           recipients: Sequence[str] = (), template: str | None = None,
           period_id: str | None = None, symbol: str | None = None,
           signer_role: str | None = None) -> dict:
    """A new draft document of the writer's unit."""
    values = _values(kind=kind, year=year, subject=subject, body=body or rules.empty_body(),
                     recipients=recipients, template=template, period_id=period_id,
                     symbol=symbol, signer_role=signer_role)
    row = w.insert(TABLE, values, reason=f"Lập {rules.KINDS.get(kind, 'văn bản').lower()}")
    return _parsed(row)


def _editable(db: Database, doc_id: str) -> dict:
    row = get(db, doc_id)
    if row["state"] == rules.SIGNED:
        raise WriteError(f"Văn bản «{row['subject']}» đã ký ban hành (số {row['number']}/"
                         f"{row['symbol']}); không sửa được. Muốn sửa, hãy hủy ký ban hành "
                         "và ghi lý do.")
    return row


def save(w: Writer, doc_id: str, *, expected_version: int | None = None,
         **changes: Any) -> dict:
    """Change a draft: any of ``kind, year, subject, body`` (a dict), ``recipients`` (lines),
    ``period_id, symbol, signer_role``.

    :raises WriteError: the document is signed
    :raises Invalid: the body breaks its rules (messages name the block)
    """
    _editable(w.db, doc_id)
    values = dict(changes)
    if "body" in values:
        values["body"] = rules.dump_body(values["body"])
    if "recipients" in values:
        values["recipients"] = json.dumps([r for r in values["recipients"] if r.strip()],
                                          ensure_ascii=False)
    if "period_id" in values:
        values["period_id"] = values["period_id"] or None
    return _parsed(w.update(TABLE, doc_id, values, reason="Sửa văn bản",
                            expected_version=expected_version))


def delete(w: Writer, doc_id: str, *, reason: str) -> dict:
    """Delete a draft (a signed document stays)."""
    _editable(w.db, doc_id)
    return w.delete(TABLE, doc_id, reason=reason)


def mark_signed(w: Writer, doc_id: str, *, number: str, signed_on: date, frozen: Mapping,
                expected_version: int | None = None) -> dict:
    """Record the signature: number, date, who, and the content as signed (``frozen``).

    :raises WriteError: already signed
    :raises Invalid: the document is not complete (its closing sentence, its blocks)
    """
    row = _editable(w.db, doc_id)
    issues = [i for i in rules.check_body(row["body_data"], final=True)
              if i.severity == "error"]
    if issues:
        raise Invalid("văn bản", issues)
    return _parsed(w.update(TABLE, doc_id, {
        "state": rules.SIGNED, "number": number, "signed_on": signed_on.isoformat(),
        "signed_by": w.actor.user,
        "frozen": json.dumps(frozen, ensure_ascii=False, sort_keys=True)},
        reason=f"Ký ban hành số {number}/{row['symbol']}", expected_version=expected_version))


def unsign(w: Writer, doc_id: str, *, reason: str) -> dict:
    """Make a signed document a draft again (its number stays taken in the number book);
    the reason is required and audited."""
    if not (reason or "").strip():
        raise InputError("Cần ghi lý do hủy ký ban hành văn bản.", field="reason")
    row = get(w.db, doc_id)
    if row["state"] != rules.SIGNED:
        raise WriteError("Văn bản chưa ký ban hành nên không có gì để hủy.")
    return _parsed(w.update(TABLE, doc_id, {"state": rules.DRAFT, "frozen": None,
                                            "signed_on": None, "signed_by": None},
                            reason=reason.strip()))
