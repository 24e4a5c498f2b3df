"""Classifying one reviewed household under a poverty standard (domain.md §5.2, §5.6).

The rule, for any standard::

    at or below the line = income ≤ line(area)          when the income is known,
                           B1 score ≤ B1 threshold(area) otherwise
    at or below the line:  poor if deprivations ≥ cutoff, else near-poor
    above the line:        average living standard (MSTB) for a farm household whose income
                           is ≤ mstb_factor × line, else not poor

There is no income-only route: above the line a household is never poor or near-poor,
whatever its deprivations. Problems in the answers come back as ``Issue`` values; the class is
left ``None`` when it cannot be known. Every step is written out in Vietnamese in ``reasons``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from gnapp.domain.codes import AREA, CLASS
from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue, error, has_errors, warning
from gnapp.domain.numbers import format_int, format_number, to_decimal
from gnapp.domain.standards import Standard
from gnapp.domain.text import clean, quoted

OVERRIDE = "classify.override"


@dataclass(frozen=True)
class ReviewInput:
    """What the review found for one household.

    Attributes:
        area: ``rural`` or ``urban`` (codes.AREA)
        income_per_person: đồng per person per month, when known
        b1_score: the B1 income-proxy score, used when the income is not known
        deprivations: indicator code → deprived (True/False), ``None`` when not answered; a
            code that is missing counts as not answered
        is_farm_household: agriculture, forestry, fishery or salt-making household (NLNDN)
        farm_income_per_person: income measured for the MSTB procedure (without state
            allowances); ``income_per_person`` is used when absent
        source: where the answers come from, copied into the issues
    """

    area: str
    income_per_person: int | None
    b1_score: Decimal | None
    deprivations: Mapping[str, bool | None]
    is_farm_household: bool = False
    farm_income_per_person: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Classification:
    """The result of ``classify``, possibly corrected by hand with ``override``.

    Attributes:
        klass: key of ``codes.CLASS``; ``None`` when it cannot be computed (see ``issues``)
        b2: B2 score (points × deprivations); ``None`` while some indicator is unanswered
        deprivation_count: deprived indicators; ``None`` while some indicator is unanswered
        basis: ``income`` or ``b1``: what placed the household against the line
        provisional: computed under a provisional standard
        standard_id: the standard used, stored with the review so it can be recomputed
        reasons: Vietnamese sentences explaining the result step by step
        issues: missing or invalid answers, warnings, the manual correction
        computed_klass: the class the rule gave, kept when ``klass`` is corrected by hand
        override_reason: why it was corrected by hand, ``None`` if it was not
    """

    klass: str | None
    b2: int | None
    deprivation_count: int | None
    basis: str | None
    provisional: bool
    standard_id: str
    reasons: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()
    computed_klass: str | None = None
    override_reason: str | None = None

    @property
    def overridden(self) -> bool:
        """True when the class was corrected by hand."""
        return self.override_reason is not None

    @property
    def has_errors(self) -> bool:
        return has_errors(list(self.issues))

    @property
    def label(self) -> str:
        """The class as printed: "Hộ nghèo", or "Chưa phân loại được"."""
        return CLASS[self.klass] if self.klass else "Chưa phân loại được"


def _is_money(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _line_side(review: ReviewInput, standard: Standard, issues: list, reasons: list):
    """Place the household against the line: (at or below, basis), or (None, None)."""
    area_name = AREA[review.area].lower()
    src = review.source
    if review.income_per_person is not None:
        income, line = review.income_per_person, standard.income_lines[review.area]
        if not _is_money(income):
            issues.append(error("classify.income_invalid", f"Thu nhập bình quân "
                                f"{quoted(str(income))} không phải là số đồng hợp lệ",
                                "income_per_person", src))
            return None, None
        below = income <= line
        reasons.append(f"Thu nhập bình quân {format_int(income)} đồng/người/tháng "
                       f"{'≤' if below else '>'} chuẩn {area_name} {format_int(line)} đồng")
        return below, "income"
    if review.b1_score is not None:
        if standard.b1_thresholds is None:
            issues.append(error("classify.b1_threshold_missing",
                                f"Chuẩn {standard.id} chưa có ngưỡng điểm B1: cần nhập thu nhập "
                                "bình quân đầu người để phân loại", "b1_score", src))
            return None, None
        try:
            score = to_decimal(review.b1_score)
        except (TypeError, ValueError):
            issues.append(error("classify.b1_invalid", f"Điểm B1 {quoted(str(review.b1_score))}"
                                " không phải là số", "b1_score", src))
            return None, None
        threshold = standard.b1_thresholds[review.area]
        below = score <= threshold
        reasons.append(f"Điểm B1 {format_number(score)} {'≤' if below else '>'} ngưỡng "
                       f"{area_name} {format_int(threshold)}: thu nhập ước tính "
                       f"{'không vượt' if below else 'trên'} chuẩn nghèo")
        return below, "b1"
    issues.append(error("classify.income_missing", "Thiếu thu nhập hoặc điểm B1: cần một "
                        "trong hai để phân loại", "income_per_person", src))
    return None, None


def _average_or_not_poor(review: ReviewInput, standard: Standard, issues: list,
                         reasons: list) -> str:
    """Class of a household above the line: ``average`` (MSTB band) or ``not_poor``."""
    if not review.is_farm_household:
        return "not_poor"
    src = review.source
    income = review.farm_income_per_person
    if income is None:
        income = review.income_per_person
    upper = standard.mstb_upper(review.area)
    if upper is None:
        issues.append(warning("classify.mstb_unknown", f"Chuẩn {standard.id} chưa có khoảng thu"
                              " nhập của hộ làm nông, lâm, ngư nghiệp, diêm nghiệp có mức sống "
                              "trung bình: tạm xếp không nghèo, cần xét lại khi có văn bản",
                              "is_farm_household", src))
        return "not_poor"
    if income is None or not _is_money(income):
        issues.append(warning("classify.mstb_income_missing", "Hộ làm nông, lâm, ngư nghiệp, "
                              "diêm nghiệp nhưng thiếu thu nhập để xét mức sống trung bình: "
                              "tạm xếp không nghèo", "farm_income_per_person", src))
        return "not_poor"
    line = standard.income_lines[review.area]
    inside = line < income <= upper
    reasons.append(f"Hộ làm nông, lâm, ngư nghiệp, diêm nghiệp: thu nhập {format_int(income)} "
                   f"đồng/người/tháng {'trong' if inside else 'ngoài'} khoảng mức sống trung "
                   f"bình {format_int(line + 1)}–{format_int(upper)} đồng")
    return "average" if inside else "not_poor"


def classify(review: ReviewInput, standard: Standard) -> Classification:
    """Classify one household under ``standard`` (see the module doc for the rule).

    Errors (no class): unknown area, no income and no B1 score, B1 without a threshold in the
    standard, indicators the standard does not have, answers that are not yes/no, and
    unanswered indicators when the household is at or below the line. Above the line the class
    is certain, and unanswered indicators are only warnings.
    """
    issues: list[Issue] = []
    reasons = [f"Áp dụng chuẩn {standard.id}: {standard.title}"]
    if standard.is_provisional:
        reasons.append(f"Chuẩn {standard.id} là chuẩn tạm thời: kết quả cần xem lại khi có "
                       "văn bản chính thức")
    src = review.source

    def result(klass: str | None, count: int | None = None, basis: str | None = None):
        if klass:
            reasons.append(f"Kết quả: {CLASS[klass]}")
        return Classification(
            klass=klass, b2=None if count is None else count * standard.b2_points,
            deprivation_count=count, basis=basis, provisional=standard.is_provisional,
            standard_id=standard.id, reasons=tuple(reasons), issues=tuple(issues),
            computed_klass=klass)

    if review.area not in standard.income_lines:
        issues.append(error("classify.area_unknown", f"Khu vực {quoted(str(review.area))} không "
                            "hợp lệ (chọn nông thôn hoặc thành thị)", "area", src))
        return result(None)

    known = standard.indicator_codes
    unknown = [code for code in review.deprivations if code not in known]
    if unknown:
        issues.append(error("classify.indicator_unknown", f"Chuẩn {standard.id} không có chỉ số:"
                            f" {', '.join(unknown)}", "deprivations", src))
    answers = {code: review.deprivations.get(code) for code in known}
    invalid = [standard.indicator(c).name for c, v in answers.items()
               if v is not None and not isinstance(v, bool)]
    if invalid:
        issues.append(error("classify.deprivation_invalid", "Câu trả lời phải là có hoặc không:"
                            f" {', '.join(invalid)}", "deprivations", src))

    below, basis = _line_side(review, standard, issues, reasons)

    unanswered = [standard.indicator(c).name for c, v in answers.items() if v is None]
    count = None if unanswered or invalid else sum(v is True for v in answers.values())
    if unanswered:
        make = warning if below is False else error
        tail = ": không ảnh hưởng kết quả vì thu nhập trên chuẩn" if below is False else ""
        issues.append(make("classify.deprivation_unanswered", f"Chưa trả lời "
                           f"{len(unanswered)}/{len(known)} chỉ số thiếu hụt: "
                           f"{', '.join(unanswered)}{tail}", "deprivations", src))
    if has_errors(issues):
        return result(None, count, basis)

    if count is not None:
        b2 = count * standard.b2_points
        if below:
            reasons.append(f"Thiếu hụt {count}/{len(known)} chỉ số (B2 = {b2}) "
                           f"{'≥' if count >= standard.cutoff else '<'} {standard.cutoff}")
        else:
            reasons.append(f"Thiếu hụt {count}/{len(known)} chỉ số (B2 = {b2}): không xét "
                           "vì thu nhập trên chuẩn")
    if below:
        return result("poor" if count >= standard.cutoff else "near_poor", count, basis)
    return result(_average_or_not_poor(review, standard, issues, reasons), count, basis)


def override(classification: Classification, klass: str, reason: str) -> Classification:
    """Return ``classification`` with its class corrected by hand.

    The computed class is kept in ``computed_klass``; a warning "Phân loại được sửa tay: …"
    joins the issues (replacing that of an earlier correction) so the correction stays
    visible wherever the result is shown.

    :raises InputError: ``klass`` is not a key of ``codes.CLASS``, or ``reason`` is empty
    """
    if klass not in CLASS:
        raise InputError(f"Phân loại {quoted(str(klass))} không hợp lệ (chọn một trong: "
                         f"{', '.join(CLASS.values())})", field="Phân loại")
    text = clean(reason) if isinstance(reason, str) else None
    if not text:
        raise InputError("Phải ghi lý do khi sửa tay kết quả phân loại", field="Lý do")
    computed = classification.computed_klass
    before = CLASS[computed] if computed else "chưa phân loại được"
    note = warning(OVERRIDE, f"Phân loại được sửa tay: {before} → {CLASS[klass]}. "
                             f"Lý do: {text}", "klass")
    issues = tuple(i for i in classification.issues if i.code != OVERRIDE) + (note,)
    return replace(classification, klass=klass, override_reason=text, issues=issues)
