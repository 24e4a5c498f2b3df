"""The office approves or returns a commune's review round; the decision travels down in the
office's next package (SYNC.md §6). The rows and their locks: ``gnapp.db.approvals``."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from gnapp.db import approvals, sites, units
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


def decide(db: Database, *, commune: str, year: int, state: str, kind: str = "periodic",
           village: str | None = None, comment: str | None = None,
           user: str | None = None) -> dict:
    """Approve or return (with a comment) a commune's round, or one village of it."""
    site = sites.require_site(db)
    if site.role != "office":
        raise GnappError("Chỉ máy của cơ quan cấp trên mới phê duyệt hoặc trả lại kết quả "
                         "rà soát.")
    if state not in (APPROVED, RETURNED):
        raise InputError(f"Trạng thái «{state}» không hợp lệ (approved, returned).",
                         field="state")
    comment = (comment or "").strip() or None
    if state == RETURNED and not comment:
        raise InputError("Trả lại cần ghi ý kiến để xã biết phải sửa gì.", field="comment")
    round_ = find_round(db, commune, year, kind)
    scope = Scope(round_["id"], _village_id(db, commune, village))
    print_, count = approvals.fingerprint(db, scope)
    if state == APPROVED and count == 0:
        raise GnappError(f"Chưa có phiếu rà soát nào của đơn vị {commune} trong đợt này để "
                         "phê duyệt.")
    w = sites.writer(db, user)
    values = {"unit_code": commune, "round_id": scope.round_id, "village_id": scope.village_id,
              "state": state, "comment": comment, "fingerprint": print_, "row_count": count,
              "decided_on": date.today().isoformat(), "decided_by": w.actor.user}
    existing = approvals.find(db, scope)
    if existing is None:
        return w.insert("approval", values)
    return w.update("approval", existing["id"], values)


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

    site = sites.require_site(db)
    if site.role != "office":
        raise GnappError("Chỉ máy của cơ quan cấp trên mới phê duyệt hoặc trả lại kỳ báo cáo.")
    if state not in (APPROVED, RETURNED):
        raise InputError(f"Trạng thái «{state}» không hợp lệ (approved, returned).",
                         field="state")
    comment = (comment or "").strip() or None
    if state == RETURNED and not comment:
        raise InputError("Trả lại cần ghi ý kiến để xã biết phải sửa gì.", field="comment")
    period = progress.find_period(db, commune, kind, year)
    if period is None:
        raise InputError(f"Chưa nhận được kỳ báo cáo {progress.rules.period_label(kind, year)} "
                         f"của đơn vị {commune}.", field="period")
    if period["state"] != progress.rules.COMPLETE:
        raise GnappError(f"Kỳ báo cáo {period['label']} của đơn vị {commune} chưa hoàn thành; "
                         "chưa phê duyệt hoặc trả lại được.")
    print_, count = progress.fingerprint(db, period["id"])
    w = sites.writer(db, user)
    values = {"unit_code": commune, "period_id": period["id"], "state": state,
              "comment": comment, "fingerprint": print_, "row_count": count,
              "decided_on": date.today().isoformat(), "decided_by": w.actor.user}
    existing = progress.decision_of(db, period["id"])
    if existing is None:
        return w.insert("period_decision", values)
    return w.update("period_decision", existing["id"], values)
