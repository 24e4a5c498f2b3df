"""Spending allocation lines: payments (giải ngân), settlement (thanh quyết toán) and the
detailed estimates with their approval chain (domain.md §3.5).

Allocation lines themselves belong to ``gnapp.db.allocations`` (an office's decisions, or
what a commune records as received); this module only reads them. The rules (what is
available, the rate, over-disbursement, the chain) are in ``gnapp.domain.disbursement``;
each write here reads the line's movements and writes in the same transaction, so two
payments cannot together overrun a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from gnapp.db.store import Invalid, NotFound, Writer, WriteError, get_row, transaction
from gnapp.domain import disbursement as rules
from gnapp.domain.disbursement import LineBalance
from gnapp.domain.errors import InputError
from gnapp.domain.text import clean

# Short names of funding sources and capital types for line labels (domain.md §3.1–3.2).
_SOURCE_SHORT = {"NSTW": "NSTW", "NSDP": "NSĐP", "KHAC": "Huy động khác"}
_CAPITAL_SHORT = {"DTPT": "ĐTPT", "SN": "SN"}


def _iso(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# -- lines ----------------------------------------------------------------------------------

_LINE_SQL = ("SELECT l.*, d.number AS decision_number, d.signed_on AS decision_date, "
             "d.issuer AS decision_issuer, d.year AS year, d.batch AS batch "
             "FROM allocation_line l JOIN allocation_decision d ON d.id = l.decision_id "
             "WHERE l.deleted = 0 AND d.deleted = 0")


def allocation_line(db: Database, line_id: str) -> dict:
    """An allocation line with its decision's number, date, issuer, year and batch."""
    rows = list(db.query(_LINE_SQL + " AND l.id = ?", [line_id]))
    if not rows:
        raise NotFound("Không tìm thấy dòng phân bổ vốn.")
    return rows[0]


def allocation_lines(db: Database, unit_code: str | None = None,
                     year: int | None = None) -> list[dict]:
    """The allocation lines a unit spends: those it receives or recorded itself."""
    sql, params = _LINE_SQL, []
    if unit_code:
        sql += " AND (l.recipient_unit = ? OR l.owner_unit = ?)"
        params += [unit_code, unit_code]
    if year:
        sql += " AND d.year = ?"
        params.append(year)
    return list(db.query(sql + " ORDER BY d.year DESC, d.signed_on, l.line_code, l.position",
                         params))


def line_label(line: dict) -> str:
    """"DA2 · NSTW · SN · QĐ 725/QĐ-UBND (năm 2024)"; "chuyển nguồn" for a carry-over."""
    parts = [line["line_code"], _SOURCE_SHORT.get(line["source"], line["source"]),
             _CAPITAL_SHORT.get(line["capital_type"], line["capital_type"])]
    if line.get("kind") == "carry_over":
        parts.append("chuyển nguồn")
    label = " · ".join(parts)
    if line.get("decision_number"):
        label += f" · QĐ {line['decision_number']}"
    if line.get("year"):
        label += f" (năm {line['year']})"
    return label


def _settled(db: Database, line_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM settlement WHERE allocation_line_id = ? AND deleted = 0",
                         [line_id]))
    return rows[0] if rows else None


def line_balance(db: Database, line_id: str) -> LineBalance:
    """The line's money folded from its payments: available, disbursed, settled."""
    line = allocation_line(db, line_id)
    paid = [r[0] for r in db.execute(
        "SELECT amount FROM disbursement WHERE allocation_line_id = ? AND deleted = 0",
        [line_id])]
    settled = _settled(db, line_id)
    # A carry-over line holds money brought from the year before; either way it is available.
    if line["kind"] == "carry_over":
        return rules.balance(0, paid, carried_in=line["amount"],
                             settled=settled["amount"] if settled else None)
    return rules.balance(line["amount"], paid, settled=settled["amount"] if settled else None)


@dataclass(frozen=True)
class LineSummary:
    """One line as the payments screen lists it."""

    line: dict
    label: str
    balance: LineBalance

    @property
    def id(self) -> str:
        return self.line["id"]


def line_summaries(db: Database, unit_code: str | None = None,
                   year: int | None = None) -> list[LineSummary]:
    return [LineSummary(line, line_label(line), line_balance(db, line["id"]))
            for line in allocation_lines(db, unit_code, year)]


# -- payments -------------------------------------------------------------------------------

def add_payment(w: Writer, line_id: str, *, amount: int, paid_on: date | str, document: str,
                content: str | None = None, estimate_id: str | None = None,
                project_id: str | None = None) -> dict:
    """Record a payment of ``amount`` đồng against an allocation line.

    Refused (``OverDisbursement``) when it would take the line's disbursed total above what
    is available, when the line is settled, or when the payment is made under an estimate
    that is not approved or has not enough left.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InputError("Số tiền chi phải là số đồng.", field="amount")
    with transaction(w.db):
        line = allocation_line(w.db, line_id)
        rules.check_payment(line_balance(w.db, line_id), amount, line_label=line_label(line))
        if estimate_id:
            estimate = _estimate(w.db, estimate_id)
            if estimate["allocation_line_id"] != line_id:
                raise WriteError("Dự toán này thuộc dòng vốn khác.")
            paid = w.db.execute("SELECT coalesce(sum(amount), 0) FROM disbursement WHERE "
                                "estimate_id = ? AND deleted = 0", [estimate_id]).fetchone()[0]
            rules.check_estimate_payment(estimate["state"], estimate["amount"], paid, amount,
                                         activity=estimate["activity"])
        return w.insert("disbursement", {
            "allocation_line_id": line_id, "amount": amount, "paid_on": _iso(paid_on),
            "document": document, "content": content, "estimate_id": estimate_id,
            "project_id": project_id}, reason="Ghi khoản chi giải ngân")


def reverse_payment(w: Writer, payment_id: str, *, on: date | str, reason: str) -> dict:
    """Cancel a payment by a reversing payment of the opposite amount (nothing is edited)."""
    if not clean(reason):
        raise WriteError("Cần ghi lý do hủy khoản chi.")
    with transaction(w.db):
        original = get_row(w.db, "disbursement", payment_id)
        if original is None or original["deleted"]:
            raise NotFound("Không tìm thấy khoản chi.")
        if original["reverses_id"]:
            raise WriteError("Đây là bút toán hủy; không hủy lại được.")
        if w.db.execute("SELECT 1 FROM disbursement WHERE reverses_id = ? AND deleted = 0",
                        [payment_id]).fetchone():
            raise WriteError("Khoản chi này đã được hủy.")
        if _settled(w.db, original["allocation_line_id"]):
            raise WriteError("Dòng vốn đã quyết toán; không hủy được khoản chi.")
        return w.insert("disbursement", {
            "allocation_line_id": original["allocation_line_id"], "amount": -original["amount"],
            "paid_on": _iso(on), "document": original["document"],
            "content": f"Hủy khoản chi: {clean(reason)}", "estimate_id": original["estimate_id"],
            "project_id": original["project_id"], "reverses_id": payment_id}, reason=reason)


def payments(db: Database, line_id: str) -> list[dict]:
    """The line's payments by date, reversals included (``reversed`` marks a cancelled one)."""
    return list(db.query(
        "SELECT p.*, EXISTS (SELECT 1 FROM disbursement r WHERE r.reverses_id = p.id AND "
        "r.deleted = 0) AS reversed, e.activity AS estimate_activity FROM disbursement p "
        "LEFT JOIN detailed_estimate e ON e.id = p.estimate_id "
        "WHERE p.allocation_line_id = ? AND p.deleted = 0 ORDER BY p.paid_on, p.updated_at",
        [line_id]))


# -- settlement -----------------------------------------------------------------------------

def settle_line(w: Writer, line_id: str, *, amount: int, settled_on: date | str, document: str,
                note: str | None = None) -> dict:
    """Record the settlement (quyết toán) of a line: refused above the disbursed total; a
    smaller amount is accepted and the difference shown."""
    with transaction(w.db):
        issues = rules.check_settlement(line_balance(w.db, line_id), amount)
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise Invalid("quyết toán dòng vốn", errors)
        return w.insert("settlement", {"allocation_line_id": line_id, "amount": amount,
                                       "settled_on": _iso(settled_on), "document": document,
                                       "note": note}, reason="Quyết toán dòng vốn")


def settlement(db: Database, line_id: str) -> dict | None:
    return _settled(db, line_id)


# -- detailed estimates ---------------------------------------------------------------------

def _estimate(db: Database, estimate_id: str) -> dict:
    row = get_row(db, "detailed_estimate", estimate_id)
    if row is None or row["deleted"]:
        raise NotFound("Không tìm thấy dự toán.")
    return row


def prepare_estimate(w: Writer, line_id: str, *, activity: str, amount: int,
                     prepared_by: str, prepared_on: date | str,
                     project_id: str | None = None) -> dict:
    """Prepare a detailed estimate (dự toán chi tiết) of an activity on a line; refused when
    the line's live estimates would exceed what it has."""
    with transaction(w.db):
        balance = line_balance(w.db, line_id)
        planned = w.db.execute("SELECT coalesce(sum(amount), 0) FROM detailed_estimate WHERE "
                               "allocation_line_id = ? AND deleted = 0",
                               [line_id]).fetchone()[0]
        problems = rules.check_estimate_total(balance, planned, amount)
        if problems:
            raise Invalid("dự toán chi tiết", problems)
        return w.insert("detailed_estimate", {
            "allocation_line_id": line_id, "project_id": project_id, "activity": activity,
            "amount": amount, "state": "prepared", "prepared_by": prepared_by,
            "prepared_on": _iso(prepared_on)}, reason="Lập dự toán chi tiết")


# The fields a step fills in: who and when.
_STEP_FIELDS = {"appraise": ("appraised_by", "appraised_on"),
                "approve": ("approved_by", "approved_on"),
                "resubmit": ("prepared_by", "prepared_on")}


def estimate_step(w: Writer, estimate_id: str, step: str, *, by: str, on: date | str,
                  comment: str | None = None) -> dict:
    """Move an estimate along its chain (``rules.ESTIMATE_STEPS``): appraise, approve,
    return (with a comment) or resubmit. Each step is audited: who, when and the state.

    :raises ChainError: a step out of order (approve before appraisal …)
    """
    if not clean(by):
        raise InputError("Chưa nhập người thực hiện.", field="by")
    with transaction(w.db):
        row = _estimate(w.db, estimate_id)
        target = rules.next_state(row["state"], step)
        changes: dict[str, Any] = {"state": target}
        if step in _STEP_FIELDS:
            who, when = _STEP_FIELDS[step]
            changes.update({who: clean(by), when: _iso(on)})
        if step == "return":
            if not clean(comment):
                raise InputError("Cần ghi lý do trả lại dự toán.", field="comment")
            changes["return_comment"] = clean(comment)
        if step == "resubmit":
            changes.update({"appraised_by": None, "appraised_on": None})
        name = rules.ESTIMATE_STEPS[step][2]
        reason = f"{name} dự toán ({clean(by)})" + (f": {clean(comment)}" if comment else "")
        return w.update("detailed_estimate", estimate_id, changes, reason=reason,
                        expected_version=row["version"])


def estimates(db: Database, line_id: str) -> list[dict]:
    """The line's estimates with what has been paid under each (``paid``)."""
    return list(db.query(
        "SELECT e.*, (SELECT coalesce(sum(p.amount), 0) FROM disbursement p WHERE "
        "p.estimate_id = e.id AND p.deleted = 0) AS paid FROM detailed_estimate e "
        "WHERE e.allocation_line_id = ? AND e.deleted = 0 ORDER BY e.prepared_on, e.updated_at",
        [line_id]))


def estimate_history(db: Database, estimate_id: str) -> list[dict]:
    """The audit rows of an estimate's state: when, who, from which state to which, why."""
    return list(db.query(
        "SELECT at, user, old, new, reason FROM audit_log WHERE table_name = 'detailed_estimate' "
        "AND row_id = ? AND field = 'state' ORDER BY id", [estimate_id]))
