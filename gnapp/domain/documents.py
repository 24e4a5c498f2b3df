"""Rules of issued documents: the commune profile, signers by period, the document-number
book, and the identity of a printed copy (domain.md §8, DESIGN.md §5).

- A document number is ``<số>/<ký hiệu>`` ("12/QĐ-UBND"); numbers run from 01 each calendar
  year per symbol (Nghị định 30/2020) and a number once taken is never given again, even
  when the document it was taken for is cancelled.
- The signer of a document is the office holder valid on its date: the chairman signs
  "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", a vice-chairman "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH /
  PHÓ CHỦ TỊCH".
- A printed copy is identified by the document (its form and scope) and the fingerprint of
  exactly the data it shows; a second print of the same document with the same data is a
  copy ("BẢN SAO"). Marking a copy signed locks the rows it shows until an unlock with a
  reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gnapp.domain import transitions
from gnapp.domain.issues import Issue, error

COPY_MARK = "BẢN SAO"

# Who may sign, and the authority lines each prints (domain.md §8.4).
SIGNER_ROLES = {
    "chairman": "Chủ tịch",
    "vice_chairman": "Phó Chủ tịch",
    "officer": "Công chức phụ trách",
}
SIGNER_TITLES = {"chairman": "CHỦ TỊCH", "vice_chairman": "PHÓ CHỦ TỊCH",
                 "officer": "NGƯỜI LẬP BIỂU"}
COMMITTEE = "TM. ỦY BAN NHÂN DÂN"

# States of a printed copy.
PRINTED, SIGNED, UNLOCKED = "printed", "signed", "unlocked"
COPY_STATES = {PRINTED: "Đã in", SIGNED: "Đã ký (khóa dữ liệu)", UNLOCKED: "Đã mở khóa"}

# The usual "Nơi nhận" of the commune's documents, by kind of document; the profile may
# replace them (after 2025 the district bodies are gone, domain.md §8.3).
DEFAULT_RECIPIENTS: dict[str, tuple[str, ...]] = {
    "decision": ("Như Điều 3;", "UBND tỉnh (b/c);", "Sở Nông nghiệp và Môi trường (b/c);",
                 "Đảng ủy, HĐND xã (b/c);", "MTTQ và các đoàn thể xã (p/h);",
                 "Các thôn (t/h);", "Lưu: VT."),
    "certificate": (),
    "report": ("Sở Nông nghiệp và Môi trường (b/c);", "Đảng ủy, HĐND xã (b/c);", "Lưu: VT."),
    "posting": ("Trưởng các thôn (niêm yết);", "Đài truyền thanh xã (thông báo);", "Lưu: VT."),
}

# The kinds of document a "Nơi nhận" list is kept for, as the profile dialog names them.
RECIPIENT_KINDS = {"decision": "Quyết định", "report": "Báo cáo", "posting": "Thông báo niêm yết",
                   "certificate": "Giấy chứng nhận"}


@dataclass(frozen=True)
class Signer:
    """An office holder who signs documents, valid over a period.

    Attributes:
        role: a key of ``SIGNER_ROLES``
        name: the full name printed under the signature
        valid_from, valid_to: ISO dates; ``valid_to`` None while in office
    """

    role: str
    name: str
    valid_from: str
    valid_to: str | None = None

    def valid_on(self, day: date) -> bool:
        iso = day.isoformat()
        return self.valid_from <= iso and (self.valid_to is None or iso <= self.valid_to)

    @property
    def authority(self) -> tuple[str, ...]:
        """The lines above the title: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"."""
        if self.role == "chairman":
            return (COMMITTEE,)
        if self.role == "vice_chairman":
            return (COMMITTEE, "KT. CHỦ TỊCH")
        return ()

    @property
    def title(self) -> str:
        return SIGNER_TITLES[self.role]


def signer_on(signers: Iterable[Signer], day: date,
              roles: Sequence[str] = ("chairman", "vice_chairman")) -> Signer | None:
    """The signer valid on ``day``, the first of ``roles`` that has one (the chairman before a
    vice-chairman); the latest appointment wins when periods overlap."""
    valid = [s for s in signers if s.valid_on(day)]
    for role in roles:
        found = sorted((s for s in valid if s.role == role), key=lambda s: s.valid_from)
        if found:
            return found[-1]
    return None


def validate_signer(values: Mapping[str, Any]) -> list[Issue]:
    """A signer has a known role, a name and a period that does not end before it starts."""
    issues = []
    if values.get("role") not in SIGNER_ROLES:
        issues.append(error("signer.role_invalid", "Chức vụ người ký không hợp lệ.", "role"))
    if not (values.get("name") or "").strip():
        issues.append(error("signer.name_missing", "Chưa nhập họ tên người ký.", "name"))
    start, end = values.get("valid_from"), values.get("valid_to")
    if not start:
        issues.append(error("signer.start_missing", "Chưa nhập ngày bắt đầu giữ chức vụ.",
                            "valid_from"))
    elif end and end < start:
        issues.append(error("signer.period_reversed",
                            "Ngày thôi giữ chức vụ trước ngày bắt đầu.", "valid_to"))
    return issues


def validate_profile(values: Mapping[str, Any]) -> list[Issue]:
    """The issuing body's name is required; "Nơi nhận" is a JSON object of lists of lines."""
    issues = []
    if not (values.get("issuer_name") or "").strip():
        issues.append(error("profile.issuer_missing", "Chưa nhập tên cơ quan ban hành.",
                            "issuer_name"))
    try:
        recipients = json.loads(values.get("recipients") or "{}")
        ok = isinstance(recipients, dict) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v)
            for v in recipients.values())
    except ValueError:
        ok = False
    if not ok:
        issues.append(error("profile.recipients_invalid", "Danh sách nơi nhận không hợp lệ.",
                            "recipients"))
    return issues


# -- the number book --------------------------------------------------------------------------

def number_text(number: int, symbol: str) -> str:
    """"05/QĐ-UBND": numbers below 10 take a leading zero, as the records office writes them."""
    return f"{number:02d}/{symbol}"


def next_number(taken: Iterable[int]) -> int:
    """The next free number of a book: one more than the largest taken (never a gap's)."""
    return max(taken, default=0) + 1


def validate_number(values: Mapping[str, Any]) -> list[Issue]:
    """An entry of the number book: a number from 1, a symbol, the year of its date."""
    issues = []
    number = values.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        issues.append(error("number.invalid", "Số văn bản phải là số nguyên từ 1.", "number"))
    if not (values.get("symbol") or "").strip():
        issues.append(error("number.symbol_missing", "Chưa có ký hiệu văn bản.", "symbol"))
    issued = values.get("issued_on")
    if not issued:
        issues.append(error("number.date_missing", "Chưa có ngày ban hành.", "issued_on"))
    elif str(values.get("year")) != str(issued)[:4]:
        issues.append(error("number.year_mismatch",
                            "Năm của sổ văn bản khác năm của ngày ban hành.", "year"))
    return issues


# -- printed copies ---------------------------------------------------------------------------

def document_key(form: str, scope: Mapping[str, Any]) -> str:
    """What makes two prints "the same document": the form and what it covers."""
    parts = [form] + [f"{k}={scope[k]}" for k in sorted(scope) if scope[k] not in (None, "")]
    return "|".join(parts)


def is_copy(earlier_fingerprints: Iterable[str], fingerprint: str) -> bool:
    """A print is a copy when the same document with the same data was printed before."""
    return fingerprint in set(earlier_fingerprints)


def validate_printed_copy(values: Mapping[str, Any]) -> list[Issue]:
    """A printed copy names its document and fingerprint; an unlock carries its reason."""
    issues = []
    for name, label in (("doc_key", "văn bản"), ("fingerprint", "mã dữ liệu"),
                        ("printed_by", "người in")):
        if not (values.get(name) or "").strip():
            issues.append(error(f"printed.{name}_missing", f"Bản in chưa có {label}.", name))
    state = values.get("state")
    if state not in COPY_STATES:
        issues.append(error("printed.state_invalid", "Trạng thái bản in không hợp lệ.", "state"))
    if state == UNLOCKED and not (values.get("unlock_reason") or "").strip():
        issues.append(error("printed.unlock_reason_missing", "Cần ghi lý do mở khóa.",
                            "unlock_reason"))
    try:
        rows = json.loads(values.get("shown_rows") or "[]")
        ok = isinstance(rows, list) and all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r)
            for r in rows)
    except ValueError:
        ok = False
    if not ok:
        issues.append(error("printed.rows_invalid", "Danh sách dòng dữ liệu của bản in không "
                            "hợp lệ.", "shown_rows"))
    return issues


def local_time(iso: str) -> str:
    """A stored UTC time as local "dd/mm/yyyy HH:MM" (the sổ bản in, the lock reasons)."""
    return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M")


def lock_reason_text(title: str, number: str | None, printed_at: str) -> str:
    """Why a row is locked: "văn bản đã ký: Quyết định công nhận…, số 05/QĐ-UBND"."""
    where = f", số {number}" if number else f", in lúc {local_time(printed_at)}"
    return f"văn bản đã ký: {title}{where}"


# -- what the procedure's lists hold ------------------------------------------------------------

# The lists the recognition decision annexes and the posting shows (domain.md §6.2 step 4–5).
RECOGNITION_LISTS = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "escaped_poor": "hộ thoát nghèo",
    "escaped_near_poor": "hộ thoát cận nghèo",
}

# Certificate, section II: the class as the paper writes it.
CERTIFICATE_MARK = {"poor": "N", "near_poor": "CN"}


def recognition_lists(history) -> tuple[str, ...]:
    """The lists (keys of ``RECOGNITION_LISTS``) a household is on after a round, from its
    class at the start and at the end (a ``transitions.HouseholdHistory``).

    Escaping follows Báo cáo 2–3: a poor household that became near-poor or rose above the
    near-poor standard escaped poverty (cols 2–3); a near-poor household that rose above it
    escaped near-poverty (col 2). Leaving the register is not escaping.
    """
    found = []
    if history.end in ("poor", "near_poor"):
        found.append(history.end)
    if transitions.poor_movement(history) in ("2", "3"):
        found.append("escaped_poor")
    if transitions.near_poor_movement(history) == "2":
        found.append("escaped_near_poor")
    return tuple(found)


def on_review_list(class_before: str | None, requested: bool) -> bool:
    """Phụ lục I: the poor and near-poor lists in force, and every household that asked to be
    reviewed (QĐ 24/2021 Art. 4 step 1)."""
    return class_before in ("poor", "near_poor") or requested


# -- Phiếu A: what the register tells of a household's characteristics -------------------------

# The characteristics Phiếu A asks about that the register can answer, by group (domain.md
# §5: group 1 alone, or enough of group 2, marks a household as not poor). The official list
# of Phụ lục II is not known yet (domain.md §5 [M]); these are gnapp's own, said so on the
# form, and each group keeps a line for what the reviewer sees at the house (assets, pension).
QUICK_SCREEN_OWN = ("Các đặc điểm do phần mềm gnapp điền sẵn từ sổ hộ (dùng đến khi có danh mục "
                    "chính thức của Phụ lục II); người rà soát kiểm tra tại hộ và ghi thêm.")
WORKING = ("employed_contract", "employed_no_contract", "self_employed")


@dataclass(frozen=True)
class ScreenMark:
    """One characteristic of Phiếu A for a household: ``has`` True (marked "x"), False (not)
    or None (the register does not say); ``evidence``: what the register holds."""

    group: int
    text: str
    has: bool | None
    evidence: str


def quick_screen(members: Sequence[Mapping[str, Any]],
                 household: Mapping[str, Any]) -> list[ScreenMark]:
    """What the register says of the Phiếu A characteristics of a household, from its present
    members (``employment``, ``health_insurance``, ``social_allowance``, ``full_name``) and
    its flags (``no_labour``, ``social_protection``, ``single_no_support``)."""
    names = lambda rows: ", ".join(m["full_name"] for m in rows)  # noqa: E731
    contract = [m for m in members if m.get("employment") == "employed_contract"]
    working = [m for m in members if m.get("employment") in WORKING]
    idle = [m for m in members if m.get("employment") == "unemployed"]
    insured = [m for m in members if m.get("health_insurance") == 1]
    insurance_known = [m for m in members if m.get("health_insurance") is not None]
    allowance = [m for m in members if m.get("social_allowance")]
    jobs_said = any(m.get("employment") for m in members)

    def job_answer(has: bool, rows, none: str) -> tuple[bool | None, str]:
        if not jobs_said:
            return None, "Sổ hộ chưa ghi việc làm"
        return has, names(rows) if rows else none

    marks = [ScreenMark(1, "Có thành viên làm công ăn lương có hợp đồng lao động",
                        *job_answer(bool(contract), contract, "Không có"))]
    marks.append(ScreenMark(2, "Có từ 2 thành viên trở lên có việc làm (làm công, tự làm)",
                            *job_answer(len(working) >= 2, working, "Không có")))
    if household.get("no_labour"):
        labour: tuple[bool | None, str] = (False, "Hộ không có khả năng lao động")
    elif idle:
        labour = (False, "Thất nghiệp: " + names(idle))
    else:
        labour = job_answer(True, [], "Không có người thất nghiệp")
    marks.append(ScreenMark(2, "Không có thành viên thất nghiệp; hộ có khả năng lao động",
                            *labour))
    if len(insurance_known) < len(members) or not members:
        marks.append(ScreenMark(2, "Mọi thành viên có thẻ bảo hiểm y tế", None,
                                "Sổ hộ chưa ghi đủ thẻ BHYT"))
    else:
        marks.append(ScreenMark(2, "Mọi thành viên có thẻ bảo hiểm y tế",
                                len(insured) == len(members),
                                f"{len(insured)}/{len(members)} thành viên có thẻ"))
    protected = [label for flag, label in (
        ("social_protection", "có đối tượng bảo trợ xã hội"),
        ("single_no_support", "người đơn thân không nơi nương tựa")) if household.get(flag)]
    if allowance:
        protected.append("hưởng trợ cấp xã hội: " + names(allowance))
    marks.append(ScreenMark(2, "Hộ không có đối tượng bảo trợ xã hội, không hưởng trợ cấp xã "
                               "hội hằng tháng", not protected,
                            "; ".join(protected) or "Không có"))
    return marks

