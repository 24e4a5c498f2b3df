"""The office approves or returns a commune's review round; the decision travels down in the
office's next package (SYNC.md §6). The rows and their locks: ``gnapp.db.approvals``."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from gnapp.db import approvals, sites, units, users
from gnapp.db.approvals import APPROVED, RETURNED, STATE_LABELS, Scope
from gnapp.domain.errors import GnappError, InputError

KIND_LABELS = {"periodic": "định kỳ", "regular": "thường xuyên", "general": "tổng rà soát"}


def find_round(db: Database, commune: str, year: int, kind: str = "periodic") -> dict:
    rows = list(db.query("SELECT * FROM review_round WHERE owner_unit = ? AND year = ? AND "
                         "kind = ? AND deleted = 0 ORDER BY coalesce(month, 0) DESC",
                         [commune, year, kind]))
    if not rows:
        raise InputError(f"Chưa nhận được đợt rà soát {KIND_LABELS.get(kind, kind)} năm {year} "
                         f"của đơn vị {commune}.", field="round")
    return rows[0]


def _village_id(db: Database, commune: str, village: str | None) -> str | None:
    if not village:
        return None
    unit = units.get_unit(db, village)
    if unit is None or unit["level"] != "village" or unit["parent_code"] != commune:
        raise InputError(f"Không có thôn mã «{village}» thuộc đơn vị {commune}.", field="village")
    return unit["id"]


def _checked(db: Database, state: str, comment: str | None, what: str,
             user: str | None) -> str | None:
    """The comment of a decision on ``what`` ("kết quả rà soát", "kỳ báo cáo"), checked:
    only an office decides, by a user allowed to approve or return, a known state, a return
    says why.

    :raises GnappError: not an office's site
    :raises PermissionDenied: the user may not approve (or return)
    :raises InputError: an unknown state, a return without a comment
    """
    if sites.require_site(db).role != "office":
        raise GnappError(f"Chỉ máy của cơ quan cấp trên mới phê duyệt hoặc trả lại {what}.")
    if state not in (APPROVED, RETURNED):
        raise InputError(f"Trạng thái «{state}» không hợp lệ (approved, returned).",
                         field="state")
    users.require(db, user, "approve" if state == APPROVED else "return")
    comment = (comment or "").strip() or None
    if state == RETURNED and not comment:
        raise InputError("Trả lại cần ghi ý kiến để xã biết phải sửa gì.", field="comment")
    return comment


def _store(db: Database, table: str, existing: dict | None, values: dict,
           user: str | None) -> dict:
    """Write a decision (a new row, or the one already taken on the same scope), stamped
    with the day and the deciding user."""
    w = sites.writer(db, user)
    values = {**values, "decided_on": date.today().isoformat(), "decided_by": w.actor.user}
    if existing is None:
        return w.insert(table, values)
    return w.update(table, existing["id"], values)


def decide(db: Database, *, commune: str, year: int, state: str, kind: str = "periodic",
           village: str | None = None, comment: str | None = None,
           user: str | None = None) -> dict:
    """Approve or return (with a comment) a commune's round, or one village of it."""
    comment = _checked(db, state, comment, "kết quả rà soát", user)
    round_ = find_round(db, commune, year, kind)
    scope = Scope(round_["id"], _village_id(db, commune, village))
    print_, count = approvals.fingerprint(db, scope)
    if state == APPROVED and count == 0:
        raise GnappError(f"Chưa có phiếu rà soát nào của đơn vị {commune} trong đợt này để "
                         "phê duyệt.")
    return _store(db, "approval", approvals.find(db, scope), {
        "unit_code": commune, "round_id": scope.round_id, "village_id": scope.village_id,
        "state": state, "comment": comment, "fingerprint": print_, "row_count": count}, user)


def round_state(db: Database, commune: str) -> str | None:
    """A short line on the newest round of ``commune`` with a decision, as seen here."""
    rows = list(db.query(
        "SELECT a.*, r.year, r.kind FROM approval a JOIN review_round r ON r.id = a.round_id "
        "WHERE a.unit_code = ? AND a.deleted = 0 ORDER BY r.year DESC, a.updated_at DESC "
        "LIMIT 1", [commune]))
    if not rows:
        return None
    row = rows[0]
    state = approvals.status(db, row)
    text = f"Đợt {row['year']}: {STATE_LABELS[state]}"
    if state == RETURNED and row["comment"]:
        text += f" — {row['comment']}"
    return text


def decide_period(db: Database, *, commune: str, kind: str, year: int, state: str,
                  comment: str | None = None, user: str | None = None) -> dict:
    """Approve or return (with a comment) a commune's report period; an approval carries the
    fingerprint of the figures approved and locks them on both sides, a return makes the
    period editable again at the commune with the comment shown."""
    from gnapp.db import progress

    comment = _checked(db, state, comment, "kỳ báo cáo", user)
    period = progress.find_period(db, commune, kind, year)
    if period is None:
        raise InputError(f"Chưa nhận được kỳ báo cáo {progress.rules.period_label(kind, year)} "
                         f"của đơn vị {commune}.", field="period")
    if period["state"] != progress.rules.COMPLETE:
        raise GnappError(f"Kỳ báo cáo {period['label']} của đơn vị {commune} chưa hoàn thành; "
                         "chưa phê duyệt hoặc trả lại được.")
    print_, count = progress.fingerprint(db, period["id"])
    return _store(db, "period_decision", progress.decision_of(db, period["id"]), {
        "unit_code": commune, "period_id": period["id"], "state": state, "comment": comment,
        "fingerprint": print_, "row_count": count}, user)
