"""Progress reporting: report periods, the indicator framework as data and the checks on a
period's figures (domain.md §2.6, §7.3–7.4, §11).

A unit reports per period (6 months, 9 months with a full-year estimate, a year, the
programme's evaluations, ad hoc). For each indicator it gives a target, an estimate and an
actual figure; a figure as a document states it is kept beside the one computed from the
register or the ledger. The framework (``resources/progress/indicators.json``) lists the
indicators of the general poverty result, of each budget line and of each regular policy;
every budget line of the programme gets its money indicators (allocated, disbursed, rate).
Indicators reported per quarter or per semester are expanded into one indicator per quarter
(semester), and a period shows those that fall inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from gnapp.domain import issues as iss
from gnapp.domain.errors import InputError
from gnapp.domain.issues import Issue
from gnapp.domain.numbers import format_number, parse_number, round_half_up, to_decimal

HALF_YEAR, NINE_MONTHS, YEAR = "half_year", "nine_months", "year"
EVAL_START, EVAL_MID, EVAL_END, AD_HOC = "eval_start", "eval_mid", "eval_end", "ad_hoc"
PERIOD_KINDS = {
    HALF_YEAR: "6 tháng đầu năm",
    NINE_MONTHS: "9 tháng (ước thực hiện cả năm)",
    YEAR: "Cả năm",
    EVAL_START: "Đánh giá đầu kỳ",
    EVAL_MID: "Đánh giá giữa kỳ",
    EVAL_END: "Đánh giá cuối kỳ",
    AD_HOC: "Đột xuất",
}
OPEN, COMPLETE = "open", "complete"

# The figures of an indicator in a period.
COLUMNS = ("target", "estimate", "actual", "stated")
COLUMN_LABELS = {"target": "Kế hoạch", "estimate": "Ước thực hiện", "actual": "Thực hiện",
                 "stated": "Theo văn bản"}

PERCENT = "phan_tram"
MONEY = "dong"

# A year-on-year change above this share (and at least JUMP_MIN in the unit) is a warning;
# for a rate, a change of more than JUMP_POINTS percentage points.
JUMP_SHARE = Decimal("0.5")
JUMP_MIN = Decimal(10)
JUMP_POINTS = Decimal(5)
# A typed rate agrees with its counts within these tolerances (domain.md §11 item 9).
RATE_POINTS = Decimal("0.005")
RATE_COUNT = Decimal("0.5")

_QUARTERS = ("I", "II", "III", "IV")


def period_label(kind: str, year: int, title: str | None = None, seq: int = 1) -> str:
    """"6 tháng đầu năm 2026", "9 tháng năm 2026 (ước thực hiện cả năm)", "Năm 2026",
    "Đánh giá giữa kỳ (2026)", "Đột xuất: <title>"."""
    if kind == HALF_YEAR:
        return f"6 tháng đầu năm {year}"
    if kind == NINE_MONTHS:
        return f"9 tháng năm {year} (ước thực hiện cả năm)"
    if kind == YEAR:
        return f"Năm {year}"
    if kind == AD_HOC:
        return f"Đột xuất: {title}" if title else f"Đột xuất số {seq} năm {year}"
    return f"{PERIOD_KINDS[kind]} ({year})" + (f": {title}" if title else "")


def period_span(kind: str, year: int) -> tuple[date, date]:
    """The default first and last day of a period of ``kind`` in ``year``."""
    if kind not in PERIOD_KINDS:
        raise InputError(f"Loại kỳ báo cáo «{kind}» không có; các loại: "
                         f"{', '.join(PERIOD_KINDS)}.", field="kind")
    if kind == HALF_YEAR:
        return date(year, 1, 1), date(year, 6, 30)
    if kind == NINE_MONTHS:
        return date(year, 1, 1), date(year, 9, 30)
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class Deadline:
    """When a level's report of ``kind`` is due: day and month of the period's year (or the
    year after, ``year_offset`` 1)."""

    level: str
    kind: str
    month: int
    day: int
    year_offset: int = 0
    recipient: str | None = None
    basis: str | None = None

    def due(self, year: int) -> date:
        try:
            return date(year + self.year_offset, self.month, self.day)
        except ValueError:
            raise InputError(f"Hạn nộp {self.day:02d}/{self.month:02d} không phải ngày có "
                             "thật.", field="due") from None


# The regular periods whose deadline decides which one is "current" at an office.
REGULAR_KINDS = (HALF_YEAR, NINE_MONTHS, YEAR)


def last_due_period(deadlines: Mapping[str, Deadline], today: date
                    ) -> tuple[str, int, date] | None:
    """The regular period (kind, year, due date) whose deadline passed last by ``today``
    (this year's or last year's), or None when the calendar has none."""
    passed = []
    for kind in REGULAR_KINDS:
        rule = deadlines.get(kind)
        if rule is None:
            continue
        for year in (today.year - 1 - rule.year_offset, today.year - rule.year_offset):
            due = rule.due(year)
            if due <= today:
                passed.append((due, kind, year))
    if not passed:
        return None
    due, kind, year = max(passed)
    return kind, year, due


def parse_due(text: str) -> tuple[int, int]:
    """"20/6", "05/12" (day/month) or "06-20" (month-day, as in the shipped calendar) →
    (month, day); :raises InputError: anything else"""
    text = (text or "").strip()
    try:
        if "/" in text:
            day, month = (int(p) for p in text.split("/"))
        else:
            month, day = (int(p) for p in text.split("-"))
        date(2024, month, day)              # a leap year: 29/2 is a real deadline
    except ValueError:
        raise InputError(f"Hạn nộp «{text}» không đúng (ghi ngày/tháng, ví dụ 20/6).",
                         field="due") from None
    return month, day


# -- the indicator framework ----------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    code: str
    name: str
    kind: str                      # general, line, policy


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    Attributes:
        code: stable code ("GN.HO_NGHEO", "DA2.VON", "CS.DIEN.HO.Q1")
        group: the group's code (a budget line's code for its indicators)
        name: its Vietnamese name
        unit: unit key (``Framework.units``)
        part_of: the indicator it is a part of ("trong đó"): parts never exceed the whole
        rate_of: (numerator, denominator) codes of a rate computed from counts
        computed: where the register or the ledger gives the actual figure ("households",
            "allocated:DA2", …); such an actual figure is never typed
        slot: the quarter ("Q1"…) or semester ("HK1", "HK2") of an expanded indicator
        basis: the legal basis of a policy
    """

    code: str
    group: str
    name: str
    unit: str
    part_of: str | None = None
    rate_of: tuple[str, str] | None = None
    computed: str | None = None
    slot: str | None = None
    basis: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.unit == PERCENT

    @property
    def typed_actual(self) -> bool:
        """The actual figure is typed (not computed, not a rate of counts)."""
        return self.computed is None and self.rate_of is None


@dataclass(frozen=True)
class Framework:
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    units: Mapping[str, str]
    decimal_units: frozenset[str] = frozenset()
    _index: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._index.update({i.code: i for i in self.indicators})

    def get(self, code: str) -> Indicator | None:
        return self._index.get(code)

    def require(self, code: str) -> Indicator:
        found = self._index.get(code)
        if found is None:
            raise InputError(f"Không có chỉ tiêu mã «{code}» trong khung chỉ tiêu.",
                             field="indicator")
        return found

    def unit_label(self, indicator: Indicator) -> str:
        return self.units.get(indicator.unit, indicator.unit)

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)

    def parts(self, code: str) -> list[Indicator]:
        return [i for i in self.indicators if i.part_of == code]

    def for_period(self, kind: str) -> list[Indicator]:
        """The indicators a period of ``kind`` reports (quarters and semesters inside it)."""
        return [i for i in self.indicators if slot_in_period(i.slot, kind)]


def slot_in_period(slot: str | None, kind: str) -> bool:
    """Whether a quarter or semester falls inside a period of ``kind``.

    The first six months hold quarters I–II and semester II of the school year that ends
    in June; nine months add quarter III and semester I of the next school year (it starts
    in September); a year holds all; multi-year evaluations and ad hoc periods show all.
    """
    if slot is None or kind not in (HALF_YEAR, NINE_MONTHS):
        return True
    if kind == HALF_YEAR:
        return slot in ("Q1", "Q2", "HK2")
    return slot in ("Q1", "Q2", "Q3", "HK2", "HK1")


def _slots(per: str | None) -> list[tuple[str | None, str]]:
    if per is None:
        return [(None, "")]
    if per == "quarter":
        return [(f"Q{n}", f" – quý {roman}") for n, roman in enumerate(_QUARTERS, 1)]
    if per == "semester":
        return [("HK2", " – học kỳ II (năm học kết thúc trong năm)"),
                ("HK1", " – học kỳ I (năm học bắt đầu trong năm)")]
    raise ValueError(f"unknown 'per' {per!r}")


def _indicator(raw: Mapping[str, Any], *, code: str, group: str, prefix: str = "") -> list[Indicator]:
    """One entry of the framework file, expanded per quarter or semester."""
    out = []
    for slot, suffix in _slots(raw.get("per")):
        def slotted(c: str | None) -> str | None:
            if c is None:
                return None
            full = prefix + c
            return f"{full}.{slot}" if slot else full
        rate_of = raw.get("rate_of")
        out.append(Indicator(
            code=f"{code}.{slot}" if slot else code, group=group,
            name=raw["name"] + suffix, unit=raw["unit"], part_of=slotted(raw.get("part_of")),
            rate_of=(slotted(rate_of[0]), slotted(rate_of[1])) if rate_of else None,
            computed=raw.get("computed"), slot=slot, basis=raw.get("basis")))
    return out


def load_framework(data: Mapping[str, Any], lines: Sequence[tuple[str, str]],
                   extra: Iterable[Mapping[str, Any]] = ()) -> Framework:
    """The framework of ``data`` (the shipped file) for a programme's budget ``lines``
    ((code, label) in programme order), with ``extra`` indicators an office added.

    Each line becomes a group with the ``per_line`` indicators ("DA2.VON", computed
    "allocated:DA2") and its own ``line_indicators``.
    """
    groups: list[Group] = []
    indicators: list[Indicator] = []
    by_group: dict[str, list[Mapping[str, Any]]] = {}
    for raw in data["indicators"]:
        by_group.setdefault(raw["group"], []).append(raw)
    for raw in extra:
        by_group.setdefault(raw["group"], []).append(raw)
    for g in data["groups"]:
        if g["kind"] == "lines":
            for line_code, label in lines:
                groups.append(Group(line_code, label, "line"))
                for raw in list(data["per_line"]) + list(data["line_indicators"].get(line_code, ())):
                    entry = dict(raw)
                    if entry.get("computed"):
                        entry["computed"] = f"{entry['computed']}:{line_code}"
                    indicators += _indicator(entry, code=f"{line_code}.{raw['suffix']}",
                                             group=line_code, prefix=f"{line_code}.")
                for raw in by_group.pop(line_code, ()):
                    indicators += _indicator(raw, code=raw["code"], group=line_code)
            continue
        groups.append(Group(g["code"], g["name"], g["kind"]))
        for raw in by_group.pop(g["code"], ()):
            indicators += _indicator(raw, code=raw["code"], group=g["code"])
    for code, raws in by_group.items():          # an office's own group
        groups.append(Group(code, raws[0].get("group_name") or code, "policy"))
        for raw in raws:
            indicators += _indicator(raw, code=raw["code"], group=code)
    return Framework(tuple(groups), tuple(indicators), dict(data["units"]),
                     frozenset(data.get("decimal_units", ())))


def validate_extra(raw: Mapping[str, Any], units: Mapping[str, str]) -> list[Issue]:
    """An indicator an office adds: code, group, name and a known unit."""
    found = []
    for key, label in (("code", "mã"), ("group", "nhóm"), ("name", "tên")):
        if not str(raw.get(key) or "").strip():
            found.append(iss.error("indicator.missing", f"Chỉ tiêu bổ sung thiếu {label}.", key))
    if raw.get("unit") not in units:
        found.append(iss.error("indicator.unit", f"Đơn vị tính «{raw.get('unit')}» không có; "
                               f"các đơn vị: {', '.join(sorted(units))}.", "unit"))
    return found


# -- figures ------------------------------------------------------------------------------

def store_text(value: Decimal | None) -> str | None:
    """A figure as stored: plain digits with "." as decimal point, no exponent."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def parse_figure(text: str | None, indicator: Indicator, framework: Framework, *,
                 column: str = "actual") -> Decimal | None:
    """A figure typed by a user ("1.234", "12,5", empty for none), checked for its unit:
    whole numbers for counts and money (đồng), at most 2 decimals for rates, 3 for kg.

    :raises InputError: the text, the indicator and the column named
    """
    text = (text or "").strip()
    if not text:
        return None
    where = f"{indicator.name} – {COLUMN_LABELS[column]}"
    value = parse_number(text, field=where)
    _check_unit(value, indicator, framework, where)
    return value


def _check_unit(value: Decimal, indicator: Indicator, framework: Framework, where: str) -> None:
    if indicator.unit in framework.decimal_units:
        places = 2 if indicator.is_rate else 3
        if value != round_half_up(value, places):
            raise InputError(f"{where}: {format_number(value)} có quá {places} chữ số thập "
                             "phân.", field=where)
    elif value != value.to_integral_value():
        raise InputError(f"{where}: {format_number(value)} phải là số nguyên "
                         f"({framework.unit_label(indicator)}).", field=where)


@dataclass(frozen=True)
class Figure:
    """An indicator's figures in one period.

    ``computed`` is what the register or the ledger gives (or a rate of counts); ``actual``
    what was typed (or, after the period was completed, the computed figure as stored).
    """

    indicator: Indicator
    target: Decimal | None = None
    estimate: Decimal | None = None
    actual: Decimal | None = None
    stated: Decimal | None = None
    computed: Decimal | None = None
    note: str | None = None
    source: str = "typed"
    row_id: str | None = None
    version: int | None = None

    @property
    def value(self) -> Decimal | None:
        """The figure reported: the computed one where the data give it, else the typed."""
        return self.computed if self.computed is not None else self.actual

    def get(self, column: str) -> Decimal | None:
        return self.value if column == "actual" else getattr(self, column)


def rate_value(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """``100 × numerator ÷ denominator`` half-up to 2 decimals; ``None`` without both or on 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round_half_up(to_decimal(numerator) * 100 / to_decimal(denominator), 2)


def with_rates(framework: Framework, figures: Mapping[str, Figure]) -> dict[str, Figure]:
    """The figures with every rate of counts computed from the counts, column by column."""
    out = dict(figures)
    for code, figure in figures.items():
        ind = figure.indicator
        if ind.rate_of is None:
            continue
        num, den = (figures.get(c) for c in ind.rate_of)
        if num is None or den is None:
            continue
        values = {col: rate_value(num.get(col), den.get(col)) for col in ("target", "estimate")}
        out[code] = replace(figure, computed=rate_value(num.value, den.value), **values)
    return out


def _fmt(value: Decimal, indicator: Indicator, framework: Framework) -> str:
    text = format_number(value)
    unit = framework.unit_label(indicator)
    return f"{text}%" if indicator.is_rate else f"{text} {unit}"


def check_figures(framework: Framework, figures: Mapping[str, Figure],
                  previous: Mapping[str, Decimal] | None = None,
                  kind: str | None = None) -> list[Issue]:
    """The problems of one period's figures (keyed by indicator code).

    Errors: a figure below 0 or a rate above 100 %, a whole-number unit with decimals, parts
    ("trong đó") adding up to more than their whole. Warnings: a stated figure that differs
    from the computed one, a year-on-year jump (``previous``: the same period of the year
    before), a 9-month figure (``kind``) without its full-year estimate.
    """
    found: list[Issue] = []
    for code, figure in figures.items():
        ind = figure.indicator
        for column in COLUMNS:
            value = figure.get(column)
            if value is None:
                continue
            where = f"{ind.name} – {COLUMN_LABELS[column]}"
            if value < 0:
                found.append(iss.error("figure.negative", f"{where}: số âm "
                                       f"({format_number(value)}).", code))
            elif ind.is_rate and value > 100:
                found.append(iss.error("figure.rate_range", f"{where}: tỷ lệ "
                                       f"{format_number(value)}% vượt quá 100%.", code))
            try:
                _check_unit(value, ind, framework, where)
            except InputError as exc:
                found.append(iss.error("figure.unit", str(exc), code))
        parts = [figures[p.code] for p in framework.parts(code) if p.code in figures]
        for column in ("target", "estimate", "actual"):
            whole = figure.get(column)
            values = [p.get(column) for p in parts if p.get(column) is not None]
            if whole is None or not values or sum(values) <= whole:
                continue
            names = ", ".join(p.indicator.name for p in parts if p.get(column) is not None)
            found.append(iss.error(
                "figure.parts", f"{ind.name} – {COLUMN_LABELS[column]}: các phần «trong đó» "
                f"({names}) cộng lại {_fmt(sum(values), ind, framework)}, lớn hơn tổng "
                f"{_fmt(whole, ind, framework)}.", code))
        if figure.stated is not None and figure.computed is not None and \
                figure.stated != figure.computed:
            found.append(iss.warning(
                "figure.stated", f"{ind.name}: số theo văn bản {_fmt(figure.stated, ind, framework)} "
                f"khác số tính từ dữ liệu {_fmt(figure.computed, ind, framework)}.", code))
        if kind == NINE_MONTHS and figure.value is not None and figure.estimate is None \
                and not ind.is_rate:
            found.append(iss.warning(
                "figure.estimate", f"{ind.name}: có số thực hiện 9 tháng nhưng chưa có ước "
                "thực hiện cả năm.", code))
        before = (previous or {}).get(code)
        now = figure.value
        if before is not None and now is not None:
            jump = _jump(before, now, ind)
            if jump:
                found.append(iss.warning(
                    "figure.jump", f"{ind.name}: {_fmt(now, ind, framework)}, so với cùng kỳ "
                    f"năm trước {_fmt(before, ind, framework)} — {jump}; hãy kiểm tra lại.",
                    code))
    return found


def _jump(before: Decimal, now: Decimal, indicator: Indicator) -> str | None:
    change = now - before
    if indicator.is_rate:
        if abs(change) > JUMP_POINTS:
            return f"{'tăng' if change > 0 else 'giảm'} {format_number(abs(change))} điểm %"
        return None
    if abs(change) < JUMP_MIN or before == 0:
        return None
    share = abs(change) / before
    if share > JUMP_SHARE:
        return f"{'tăng' if change > 0 else 'giảm'} {format_number(round_half_up(share * 100))}%"
    return None


def has_errors(found: Iterable[Issue]) -> bool:
    return any(i.severity == iss.ERROR for i in found)


def add_figures(framework: Framework, many: Iterable[Mapping[str, Figure]]) -> dict[str, Figure]:
    """Figures of several units added up indicator by indicator (rates recomputed from the
    summed counts, never added)."""
    totals: dict[str, dict[str, Decimal]] = {}
    for figures in many:
        for code, figure in figures.items():
            if figure.indicator.is_rate:
                continue
            slot = totals.setdefault(code, {})
            for column in ("target", "estimate", "actual", "stated"):
                value = figure.get(column)
                if value is not None:
                    slot[column] = slot.get(column, Decimal(0)) + value
    out = {}
    for ind in framework.indicators:
        if ind.is_rate and ind.rate_of:
            out[ind.code] = Figure(ind)
        elif ind.code in totals:
            out[ind.code] = Figure(ind, **totals[ind.code])
    return with_rates(framework, out)
