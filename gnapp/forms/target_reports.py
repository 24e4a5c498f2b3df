"""Prints of the poverty targets per unit, as ``Document`` (PDF and XLSX alike).

- ``targets_document``: a plan's table in the shape of the Tân Yên annex (document 001): one
  row per unit, the years as column groups (households, poor households, rate; at most six
  years side by side on an A4 landscape page, more years continue in a second table), the
  rows numbered by the program with the printed number in its own column, the district
  totals computed per year from the rows, the document's own total row and the differences
  under it, and the printed rates that disagree with their counts marked "*" with a legend.
- ``comparison_table`` / ``comparison_document``: each commune's target for a year beside
  the result of that year's review round.

The figures and the rules come from ``gnapp.db.targets`` and ``gnapp.domain.targets``; this
module only arranges them. These prints are not in ``catalog.REPORTS`` (whose reports cover
a review round and a unit): they are produced here and through ``gnapp targets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import sites, units
from gnapp.db import targets as dt
from gnapp.domain import targets as tg
from gnapp.domain.canonical import rows_hash
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import format_decimal, format_int
from gnapp.domain.targets import PlanCheck, PlanGoals, TargetRow
from gnapp.domain.units import place_name
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row

PREPARER = d.Signature((), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "(Ký tên, đóng dấu)")
YEARS_PER_TABLE = 6
FLAG = "*"
COMPUTED_TOTAL = "Tổng cộng các dòng"
STATED_TOTAL = "Tổng theo văn bản"
DIFFERENCE = "Chênh lệch"
FORMATS = (".pdf", ".xlsx")


def _frame(db: Database) -> tuple[tuple[str, ...], str]:
    site = sites.require_site(db)
    unit = units.get_unit(db, site.unit_code)
    name = unit["name"] if unit else site.display_name
    return ("ỦY BAN NHÂN DÂN", name.upper()), place_name(name)


def plan_label(plan: str) -> str:
    """"58/KH-UBND" → "Kế hoạch số 58/KH-UBND"; another name is kept as it is."""
    return f"Kế hoạch số {plan}" if "/KH" in plan.upper() else plan


def _check_out(out: str | Path) -> Path:
    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"Tệp in phải có đuôi .pdf hoặc .xlsx: {path.name}")
    return path


def _cells(row: Row) -> list:
    return [c.value if isinstance(c, Cell) else c for c in row.cells]


def _hash(head: dict, rows: Sequence[Row]) -> str:
    return rows_hash([head, *({"cells": [str(v) if isinstance(v, Decimal) else v
                                         for v in _cells(r)]} for r in rows)])


# -- the plan's table ----------------------------------------------------------------------------

def _rate_cell(row: TargetRow, flagged: bool) -> Cell:
    if row.rate is None:
        value = row.computed_rate
        return Cell(value, kind=d.RATE)
    return Cell(tg.format_rate_text(row) + (FLAG if flagged else ""), kind=d.LABEL,
                bold=flagged)


def _year_columns(years: Sequence[int]) -> tuple[tuple[Column, ...], tuple]:
    columns = (Column(7, d.TEXT), Column(9, d.TEXT), Column(36, d.TEXT)) + tuple(
        c for _ in years for c in (Column(12.5), Column(11), Column(11, d.RATE)))
    header = (
        (Cell("TT", rowspan=2), Cell("STT theo văn bản", rowspan=2),
         Cell("Đơn vị", rowspan=2), *(Cell(f"Năm {y}", colspan=3) for y in years)),
        tuple(Cell(t) for _ in years for t in ("Số hộ", "Hộ nghèo", "Tỷ lệ (%)")),
    )
    return columns, header


def _plan_table(check: PlanCheck, years: Sequence[int], notes: tuple[str, ...]) -> d.Table:
    flagged = {(f.row.unit_name, f.row.year) for f in check.flags}
    by_unit: dict[str, dict[int, TargetRow]] = {}
    for r in check.rows:
        by_unit.setdefault(r.unit_name, {})[r.year] = r
    rows: list[Row] = []
    for n, (name, cells) in enumerate(by_unit.items(), 1):
        first = next(iter(cells.values()))
        body: list = [Cell(str(n), kind=d.LABEL), Cell(first.row_no or "", kind=d.LABEL),
                      Cell(name, kind=d.TEXT)]
        for year in years:
            r = cells.get(year)
            if r is None:
                body += [Cell("", kind=d.LABEL)] * 3
                continue
            body += [r.households, r.poor_households, _rate_cell(r, (name, year) in flagged)]
        rows.append(Row(tuple(body)))
    label = (Cell("", kind=d.TEXT), Cell("", kind=d.TEXT))
    total: list = [*label, Cell(COMPUTED_TOTAL, kind=d.TEXT)]
    for year in years:
        t = check.totals.get(year)
        total += [t.households, t.poor_households, Cell(t.rate, kind=d.RATE)] if t else \
            [Cell("", kind=d.LABEL)] * 3
    rows.append(Row(tuple(total), d.TOTAL))
    if check.stated:
        stated = {s.year: s for s in check.stated}
        differs = {(x.year, x.field): x for x in check.differences}
        printed: list = [*label, Cell(STATED_TOTAL, kind=d.TEXT, italic=True)]
        gaps: list = [*label, Cell(DIFFERENCE, kind=d.TEXT, italic=True)]
        for year in years:
            s = stated.get(year)
            for field_ in ("households", "poor_households", "rate"):
                diff = differs.get((year, field_))
                if s is None:
                    printed.append(Cell("", kind=d.LABEL))
                elif field_ == "rate":
                    printed.append(Cell(tg.format_rate_text(s), kind=d.LABEL, italic=True,
                                        bold=diff is not None))
                else:
                    printed.append(Cell(getattr(s, field_), italic=True, bold=diff is not None))
                delta = diff.delta if diff else None
                gaps.append(Cell(tg.signed(delta, 2 if field_ == "rate" else 0), kind=d.LABEL,
                                 bold=True))
        rows += [Row(tuple(printed)), Row(tuple(gaps))]
    columns, header = _year_columns(years)
    return d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %", notes=notes)


def _plan_notes(check: PlanCheck) -> tuple[str, ...]:
    notes = []
    if check.flags:
        notes.append(f"({FLAG}) Tỷ lệ in không khớp với số hộ (lệch quá 0,005 điểm và số hộ "
                     "nghèo lệch quá 0,5 hộ so với tỷ lệ × số hộ):")
        notes += [f"   - {f.row.unit_name} năm {f.row.year}: in {tg.format_rate_text(f.row)}%, "
                  f"tính từ {format_int(f.row.poor_households)}/{format_int(f.row.households)}"
                  f" hộ là {format_decimal(f.computed_rate, 2)}%." for f in check.flags]
    if check.stated:
        notes.append(f"Dòng «{DIFFERENCE}» = dòng tổng theo văn bản trừ tổng cộng các dòng "
                     "(ô trống: bằng nhau).")
    if check.differences:
        notes.append("Dòng tổng theo văn bản khác tổng cộng các dòng: " + " ".join(
            tg.difference_message(x) for x in check.differences))
    if check.rate_first:
        widest = max(abs(r.computed_rate - r.rate) for r in check.rate_first)
        notes.append(f"{len(check.rate_first)} ô có tỷ lệ đặt trước (số hộ nghèo tính từ tỷ "
                     "lệ × số hộ) nên tỷ lệ tính lại từ số hộ lệch đến "
                     f"{format_decimal(widest, 2)} điểm; các ô này không bị đánh dấu.")
    notes.append("Tỷ lệ của từng đơn vị ghi như văn bản; tỷ lệ dòng tổng tính từ số hộ cộng "
                 "các dòng (làm tròn nửa lên 2 chữ số).")
    return tuple(notes)


def _goal_paragraphs(check: PlanCheck) -> list:
    blocks: list = []
    if not check.goals and not check.unit_decreases:
        return blocks
    blocks.append(d.Para("Đối chiếu với mục tiêu của kế hoạch:", bold=True))

    def state(met: bool | None) -> str:
        return "—" if met is None else ("đạt" if met else "không đạt")

    for g in check.goals:
        unit = "%" if g.code == "max_rate" else " điểm/năm"
        computed = "—" if g.computed is None else format_decimal(g.computed, 2) + unit
        printed = "—" if g.printed is None else format_decimal(g.printed, 2) + unit
        blocks.append(d.Bullet(f"{g.label}: theo số tính từ các dòng {computed} "
                               f"({state(g.met_computed)}); theo số in trong văn bản {printed} "
                               f"({state(g.met_printed)})."))
    if check.unit_decreases:
        target = format_decimal(check.unit_decreases[0].target, 2)
        blocks.append(d.Bullet(f"Đơn vị có tỷ lệ hộ nghèo năm đầu cao hơn bình quân chung, "
                               f"mục tiêu giảm {target} điểm/năm:"))
        for u in check.unit_decreases:
            c = "—" if u.decrease_computed is None else format_decimal(u.decrease_computed, 2)
            p = "—" if u.decrease_printed is None else format_decimal(u.decrease_printed, 2)
            blocks.append(d.Bullet(f"{u.unit_name}: giảm {c} điểm/năm tính từ số hộ "
                                   f"({state(u.meets_computed)}), {p} theo tỷ lệ in "
                                   f"({state(u.meets_printed)}).", level=2))
    return blocks


def targets_document(db: Database, plan: str, *, goals: PlanGoals | None = None,
                     today: date | None = None) -> d.Document:
    """The table of a plan's targets (A4 landscape), with its checks."""
    today = today or date.today()
    check = dt.check(db, plan, goals)
    years = sorted(set(tg.years_of(check.rows)) | {s.year for s in check.stated})
    chunks = [years[i:i + YEARS_PER_TABLE] for i in range(0, len(years), YEARS_PER_TABLE)]
    body: list = []
    hashed: list[Row] = []
    for i, chunk in enumerate(chunks):
        notes = _plan_notes(check) if i == len(chunks) - 1 else ()
        table = _plan_table(check, chunk, notes)
        body.append(table)
        hashed += table.rows
    body += _goal_paragraphs(check)
    issuer, place = _frame(db)
    span = f"năm {years[0]}" if len(years) == 1 else f"năm {years[0]}–{years[-1]}"
    return d.Document(
        issuer=issuer, title=("CHỈ TIÊU GIẢM NGHÈO CỦA CÁC ĐƠN VỊ",),
        subtitle=(f"(Theo {plan_label(check.plan)}; {span})",), place=place,
        month=today.month, year=today.year, body=tuple(body), signatures=(PREPARER, HEAD),
        orientation=d.LANDSCAPE, name="chi-tieu",
        fingerprint=_hash({"print": "targets", "plan": check.plan}, hashed))


# -- target against result -------------------------------------------------------------------------

def _comparison_rows(found: Sequence[tg.Comparison]) -> list[Row]:
    rows: list[Row] = []
    for n, c in enumerate(found, 1):
        t = c.target
        rows.append(Row((
            Cell(str(n), kind=d.LABEL), Cell(c.unit_name, kind=d.TEXT),
            t.households if t else None, t.poor_households if t else None,
            Cell(c.target_rate, kind=d.RATE) if t else Cell("", kind=d.LABEL),
            c.households, c.poor_households,
            Cell(c.result_rate, kind=d.RATE) if c.households else Cell("", kind=d.LABEL),
            Cell(tg.signed(c.poor_gap), kind=d.LABEL),
            Cell(tg.signed(c.rate_gap, 2), kind=d.LABEL),
            Cell(tg.VERDICTS[c.verdict], kind=d.LABEL, bold=c.verdict == tg.NOT_MET))))
    both = [c for c in found if c.target is not None and c.households]
    if len(found) > 1 and both:
        t_h = sum(c.target.households or 0 for c in both)
        t_p = sum(c.target.poor_households or 0 for c in both)
        r_h = sum(c.households for c in both)
        r_p = sum(c.poor_households or 0 for c in both)
        total = tg.Comparison(None, "", both[0].year, TargetRow("", both[0].year, t_h, t_p),
                              r_h, r_p)
        rows.append(Row((
            Cell("", kind=d.LABEL), Cell(f"Cộng ({len(both)} xã có chỉ tiêu và kết quả)",
                                         kind=d.TEXT),
            t_h, t_p, Cell(total.target_rate, kind=d.RATE), r_h, r_p,
            Cell(total.result_rate, kind=d.RATE), Cell(tg.signed(total.poor_gap), kind=d.LABEL),
            Cell(tg.signed(total.rate_gap, 2), kind=d.LABEL),
            Cell(tg.VERDICTS[total.verdict], kind=d.LABEL)), d.TOTAL))
    return rows


def comparison_table(db: Database, year: int, unit_code: str | None = None,
                     plan: str | None = None) -> d.Table:
    """Each commune's target for ``year`` beside the result of its review round of that year
    (the site's commune, an office's communes, or the one ``unit_code`` names)."""
    found = dt.comparison(db, year, unit_code, plan)
    header = (
        (Cell("TT", rowspan=2), Cell("Đơn vị", rowspan=2),
         Cell(f"Chỉ tiêu năm {year}", colspan=3),
         Cell(f"Kết quả rà soát năm {year}", colspan=3),
         Cell("Chênh lệch (kết quả − chỉ tiêu)", colspan=2), Cell("Đánh giá", rowspan=2)),
        tuple(Cell(t) for t in ("Số hộ", "Hộ nghèo", "Tỷ lệ (%)", "Số hộ", "Hộ nghèo",
                                "Tỷ lệ (%)", "Hộ nghèo", "Tỷ lệ (điểm %)")),
    )
    columns = (Column(9, d.TEXT), Column(48, d.TEXT), Column(19), Column(17), Column(17, d.RATE),
               Column(19), Column(17), Column(17, d.RATE), Column(18), Column(18),
               Column(26, d.TEXT))
    rows = _comparison_rows(found)
    notes = ["Đạt: tỷ lệ hộ nghèo theo kết quả rà soát không cao hơn tỷ lệ chỉ tiêu (tỷ lệ "
             "đặt trước, hoặc tính từ số hộ của chỉ tiêu); tỷ lệ làm tròn nửa lên 2 chữ số."]
    if not found:
        notes.insert(0, f"Chưa có chỉ tiêu hay kết quả rà soát nào của năm {year}.")
    return d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %",
                   notes=tuple(notes))


def comparison_document(db: Database, year: int, unit_code: str | None = None, *,
                        plan: str | None = None, today: date | None = None) -> d.Document:
    """The comparison table as a printable document (A4 landscape)."""
    today = today or date.today()
    table = comparison_table(db, year, unit_code, plan)
    issuer, place = _frame(db)
    return d.Document(
        issuer=issuer, title=(f"SO SÁNH CHỈ TIÊU VÀ KẾT QUẢ GIẢM NGHÈO NĂM {year}",),
        subtitle=(f"(Kết quả theo đợt rà soát năm {year} của sổ hộ"
                  + (f"; {plan_label(plan)}" if plan else "") + ")",),
        place=place, month=today.month, year=today.year, body=(table,),
        signatures=(PREPARER, HEAD), orientation=d.LANDSCAPE, name="so-sanh-chi-tieu",
        fingerprint=_hash({"print": "target-comparison", "year": year, "unit": unit_code,
                           "plan": plan}, table.rows))


# -- files -----------------------------------------------------------------------------------------

def print_plan(db: Database, plan: str, out: str | Path, *, goals: PlanGoals | None = None,
               today: date | None = None) -> Path:
    """Write a plan's targets table to ``out`` (.pdf or .xlsx); return the path."""
    from gnapp.forms.catalog import render

    path = _check_out(out)
    return render(targets_document(db, plan, goals=goals, today=today), path)


def print_comparison(db: Database, year: int, out: str | Path, *, unit_code: str | None = None,
                     plan: str | None = None, today: date | None = None) -> Path:
    """Write the target-against-result comparison of ``year`` to ``out`` (.pdf or .xlsx)."""
    from gnapp.forms.catalog import render

    path = _check_out(out)
    return render(comparison_document(db, year, unit_code, plan=plan, today=today), path)
