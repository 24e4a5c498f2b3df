"""Data tables a plan or report inserts from the database, by name (``TABLE_SOURCES`` of
``gnapp.domain.plan_docs`` gives each one's label and parameters; ``BUILDERS`` here builds it).

Every figure comes from the module that owns it, never recounted here:

- ``poverty_by_village``: households, poor and near-poor households and their rates per
  village after a round (``report_data.result_counts``, ``report_rules.result_values``: the
  figures of Báo cáo 1);
- ``poverty_change``: poor (or near-poor) households of two rounds per village, and the change
  in households and in percentage points (the difference of the printed rates);
- ``allocations_by_line``: the year's allocation lines the commune receives, by budget line and
  funding source (``allocations``, ``disbursement.allocation_lines``), converted to the print
  unit once per cell and once per total;
- ``disbursement_by_line``: money available, disbursed, remaining and the disbursement rate per
  budget line (``disbursement.line_summaries``);
- ``period_indicators``: a report period's indicator figures
  (``gnapp.forms.progress_reports.indicator_table``);
- ``target_vs_result``: the poverty targets against the results
  (``gnapp.forms.target_reports.comparison_table``).

A table is laid out as a ``gnapp.forms.document.Table``; ``table_to_data`` and
``table_from_data`` turn it into plain JSON and back, so a signed document keeps its tables as
they were printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from gnapp.db import disbursement as spending
from gnapp.db import programme as programme_db
from gnapp.db import dashboard, report_data, sites
from gnapp.domain import charts
from gnapp.domain import money
from gnapp.domain import plan_docs as rules
from gnapp.domain import programme as pg
from gnapp.domain import report_rules
from gnapp.domain.disbursement import disbursement_rate
from gnapp.domain.errors import GnappError
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row
from gnapp.forms.review_reports import provisional_notes, unit_rows

TOTAL_LABEL = "Tổng cộng"


def _numbers(*labels: str) -> tuple[Cell, ...]:
    return tuple(Cell(text, italic=True) for text in labels)


def _round_rows(db: Database, year: int):
    """(number, name, counts, total?) per village then the commune, after the round of
    ``year``."""
    scope = report_data.resolve_scope(db, round_year=year)
    counts = report_data.result_counts(db, scope)
    out = []
    number = 0
    total = None
    for unit, villages in unit_rows(scope):
        summed = sum((counts[v] for v in villages), report_rules.ResultCounts())
        if unit.total:
            total = (TOTAL_LABEL, summed, villages)
        else:
            number += 1
            out.append((str(number), unit.name, summed, villages))
    return scope, out, total


def poverty_by_village(db: Database, *, year: int) -> d.Table:
    """Households, poor and near-poor households and their shares per village (Báo cáo 1's
    figures) after the round of ``year``."""
    scope, villages, total = _round_rows(db, year)
    rows = []

    def cells(number: str, name: str, counts: report_rules.ResultCounts) -> tuple:
        values = report_rules.result_values(counts, name)
        return (Cell(number, kind=d.LABEL), Cell(name, kind=d.TEXT), values[0], values[2],
                values[3], values[4], values[5])

    for number, name, counts, _ in villages:
        rows.append(Row(cells(number, name, counts)))
    if total:
        rows.append(Row(cells("", total[0], total[1]), d.TOTAL))
    header = (
        (Cell("TT", rowspan=2), Cell("Thôn", rowspan=2), Cell("Tổng số hộ", rowspan=2),
         Cell("Hộ nghèo", colspan=2), Cell("Hộ cận nghèo", colspan=2)),
        (Cell("Số hộ"), Cell("Tỷ lệ (%)"), Cell("Số hộ"), Cell("Tỷ lệ (%)")),
        _numbers("A", "B", "1", "2", "3=2/1×100", "4", "5=4/1×100"),
    )
    columns = (Column(10, d.TEXT), Column(44, d.TEXT), Column(20), Column(18), Column(20, d.RATE),
               Column(18), Column(20, d.RATE))
    notes = tuple(n for n in [
        report_rules.NO_RATE_NOTE if any(
            (c.value if isinstance(c, Cell) else c) is None for r in rows for c in r.cells[2:])
        else None,
        f"Kết quả rà soát năm {year}, chuẩn nghèo {scope.standard.id}.",
        *provisional_notes(db, scope, name_round=True)] if n)
    return d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %", notes=notes)


def poverty_change(db: Database, *, from_year: int, to_year: int,
                   klass: str = "poor") -> d.Table:
    """Poor (or near-poor) households of the rounds of ``from_year`` and ``to_year`` per
    village, with the change in households and in percentage points."""
    if from_year >= to_year:
        raise GnappError(f"Bảng biến động: năm đầu ({from_year}) phải trước năm cuối "
                         f"({to_year}).")
    field = "poor_households" if klass == "poor" else "near_poor_households"
    who = rules.CLASSES[klass]
    first, before, before_total = _round_rows(db, from_year)
    second, after, after_total = _round_rows(db, to_year)
    by_name = {name: counts for _, name, counts, _ in before}
    names = [name for _, name, _, _ in after] + [name for _, name, _, _ in before
                                                  if name not in {n for _, n, _, _ in after}]
    after_by_name = {name: counts for _, name, counts, _ in after}

    def share(counts, name):
        if counts is None:
            return None, None, None
        count = getattr(counts, field)
        return counts.households, count, report_rules.share(
            count, counts.households, report=f"Bảng biến động {who}", row=name, column="tỷ lệ")

    def cells(number, name, old, new) -> tuple:
        h0, c0, r0 = share(old, name)
        h1, c1, r1 = share(new, name)
        change = c1 - c0 if c0 is not None and c1 is not None else None
        return (Cell(number, kind=d.LABEL), Cell(name, kind=d.TEXT), h0, c0, r0, h1, c1, r1,
                change, rules.rate_change(r0, r1))

    rows = [Row(cells(str(i), name, by_name.get(name), after_by_name.get(name)))
            for i, name in enumerate(names, 1)]
    if before_total and after_total:
        rows.append(Row(cells("", TOTAL_LABEL, before_total[1], after_total[1]), d.TOTAL))
    header = (
        (Cell("TT", rowspan=2), Cell("Thôn", rowspan=2),
         Cell(f"Năm {from_year}", colspan=3), Cell(f"Năm {to_year}", colspan=3),
         Cell("Tăng (+), giảm (-)", colspan=2)),
        (Cell("Tổng số hộ"), Cell(f"Số {who}"), Cell("Tỷ lệ (%)"), Cell("Tổng số hộ"),
         Cell(f"Số {who}"), Cell("Tỷ lệ (%)"), Cell(f"Số {who}"), Cell("Tỷ lệ (điểm %)")),
        _numbers("A", "B", "1", "2", "3", "4", "5", "6", "7=5-2", "8=6-3"),
    )
    columns = (Column(9, d.TEXT), Column(34, d.TEXT), Column(16), Column(15),
               Column(16, d.RATE), Column(16), Column(15), Column(16, d.RATE), Column(15),
               Column(16, d.RATE))
    notes = ["Tỷ lệ tăng, giảm là hiệu của hai tỷ lệ đã làm tròn (điểm phần trăm). (—): không "
             "tính được vì mẫu số bằng 0 hoặc thôn không có ở một trong hai đợt."]
    if first.standard.id != second.standard.id:
        notes.append(f"Lưu ý: đợt năm {from_year} theo chuẩn nghèo {first.standard.id}, đợt năm "
                     f"{to_year} theo chuẩn {second.standard.id}; hai chuẩn khác nhau nên số "
                     "liệu không so sánh trực tiếp được.")
    notes += provisional_notes(db, first, name_round=True) + \
        provisional_notes(db, second, name_round=True)
    return d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %",
                   notes=tuple(notes))


def _unit_code(db: Database) -> str:
    return sites.require_site(db).unit_code


def _line_name(item: pg.Item) -> str:
    """"Dự án 2: Đa dạng hóa sinh kế…"; a sub-project with its project: "Dự án 3, tiểu dự án
    1: Hỗ trợ phát triển sản xuất…"."""
    if item.short and not item.name.startswith(item.short):
        return f"{item.short}: {item.name.split(': ', 1)[-1]}"
    return item.name


def _line_names(db: Database, year: int, codes: set[str]) -> list[tuple[str, str]]:
    """(code, name) of the budget lines, in programme order (codes it does not know last)."""
    programme = programme_db.programme_for_year(db, year)
    known = [(i.code, _line_name(i)) for i in programme.lines() if i.code in codes]
    return known + sorted((c, c) for c in codes - {k for k, _ in known})


def _money(dong: int | None, unit: str) -> int | None:
    return None if dong is None else money.in_unit(dong, unit)


def allocations_by_line(db: Database, *, year: int, unit: str = "trieu") -> d.Table:
    """The year's allocation lines the commune receives, by budget line and funding source."""
    lines = [l for l in spending.allocation_lines(db, _unit_code(db), year)
             if l["kind"] == "allocation"]
    carried = sum(l["amount"] for l in spending.allocation_lines(db, _unit_code(db), year)
                  if l["kind"] == "carry_over")
    sources = [s for s in pg.SOURCES if any(l["source"] == s for l in lines)] or ["NSTW"]
    cells: dict[tuple[str, str], int] = {}
    for l in lines:
        key = (l["line_code"], l["source"])
        cells[key] = cells.get(key, 0) + l["amount"]
    rows = []
    for i, (code, name) in enumerate(_line_names(db, year, {l["line_code"] for l in lines}), 1):
        row_total = sum(v for (c, _), v in cells.items() if c == code)
        rows.append(Row((Cell(str(i), kind=d.LABEL), Cell(name, kind=d.TEXT),
                         _money(row_total, unit))
                        + tuple(_money(cells.get((code, s)), unit) for s in sources)))
    grand = sum(cells.values())
    rows.append(Row((Cell("", kind=d.LABEL), Cell(TOTAL_LABEL, kind=d.TEXT), _money(grand, unit))
                    + tuple(_money(sum(v for (_, s2), v in cells.items() if s2 == s), unit)
                            for s in sources), d.TOTAL))
    header = (
        (Cell("TT", rowspan=2), Cell("Dự án, tiểu dự án", rowspan=2),
         Cell("Tổng cộng", rowspan=2), Cell("Chia theo nguồn vốn", colspan=len(sources))),
        tuple(Cell(pg.SOURCES[s][1]) for s in sources),
    )
    columns = (Column(10, d.TEXT), Column(70, d.TEXT), Column(24)) + tuple(
        Column(22) for _ in sources)
    notes = [f"Các dòng vốn phân bổ năm {year} cho xã; số liệu lưu bằng đồng, quy đổi và làm "
             "tròn một lần khi in."]
    if not lines:
        notes.append(f"Chưa có dòng phân bổ vốn nào của năm {year}.")
    if carried:
        notes.append(f"Ngoài ra, kinh phí năm trước chuyển sang: {money.show(carried, unit)} "
                     f"{money.unit_name(unit)}.")
    return d.Table(columns, header, tuple(rows),
                   unit_note=f"Đơn vị tính: {money.unit_name(unit)}", notes=tuple(notes))


def disbursement_by_line(db: Database, *, year: int, unit: str = "trieu") -> d.Table:
    """Money available, disbursed and remaining per budget line, and the disbursement rate."""
    summaries = spending.line_summaries(db, _unit_code(db), year)
    sums: dict[str, list[int]] = {}
    for s in summaries:
        got = sums.setdefault(s.line["line_code"], [0, 0])
        got[0] += s.balance.available
        got[1] += s.balance.disbursed

    def cells(number: str, name: str, available: int, disbursed: int) -> tuple:
        rate = disbursement_rate(disbursed, available) if available > 0 else None
        return (Cell(number, kind=d.LABEL), Cell(name, kind=d.TEXT), _money(available, unit),
                _money(disbursed, unit), _money(available - disbursed, unit), rate)

    rows = [Row(cells(str(i), name, *sums[code]))
            for i, (code, name) in enumerate(_line_names(db, year, set(sums)), 1)]
    rows.append(Row(cells("", TOTAL_LABEL, sum(v[0] for v in sums.values()),
                          sum(v[1] for v in sums.values())), d.TOTAL))
    header = (
        (Cell("TT"), Cell("Dự án, tiểu dự án"), Cell("Vốn được sử dụng"),
         Cell("Đã giải ngân"), Cell("Còn lại"), Cell("Tỷ lệ giải ngân (%)")),
        _numbers("A", "B", "1", "2", "3=1-2", "4=2/1×100"),
    )
    columns = (Column(10, d.TEXT), Column(64, d.TEXT), Column(24), Column(24), Column(24),
               Column(22, d.RATE))
    notes = [f"Vốn được sử dụng gồm vốn phân bổ năm {year} và kinh phí năm trước chuyển sang; "
             "tỷ lệ giải ngân làm tròn nửa lên 2 chữ số."]
    if not summaries:
        notes.append(f"Chưa có dòng vốn nào của năm {year}.")
    return d.Table(columns, header, tuple(rows),
                   unit_note=f"Đơn vị tính: {money.unit_name(unit)}, %", notes=tuple(notes))


def period_indicators(db: Database, *, period_id: str, groups: str | None = None) -> d.Table:
    """The figures of a report period (the progress module's table)."""
    try:
        from gnapp.forms.progress_reports import indicator_table
    except ImportError:
        raise GnappError("Phần số liệu tiến độ chưa có trong phiên bản này; chưa chèn được "
                         "bảng số liệu chỉ tiêu của kỳ báo cáo.") from None
    chosen = [g.strip() for g in (groups or "").replace(";", ",").split(",") if g.strip()]
    return indicator_table(db, period_id, groups=chosen or None)


def target_vs_result(db: Database, *, year: int) -> d.Table:
    """The poverty targets of ``year`` against the results."""
    try:
        from gnapp.forms.target_reports import comparison_table
    except ImportError:
        raise GnappError("Phần chỉ tiêu giảm nghèo chưa có trong phiên bản này; chưa chèn được "
                         "bảng so sánh chỉ tiêu và kết quả.") from None
    return comparison_table(db, year, unit_code=_unit_code(db))


BUILDERS: dict[str, Callable[..., d.Table]] = {
    "poverty_by_village": poverty_by_village,
    "poverty_change": poverty_change,
    "allocations_by_line": allocations_by_line,
    "disbursement_by_line": disbursement_by_line,
    "period_indicators": period_indicators,
    "target_vs_result": target_vs_result,
}


# -- charts (the home screen's, from the same functions) -----------------------------------------

def _round_scope(db: Database, year: int) -> report_data.Scope:
    return report_data.resolve_scope(db, round_year=year, today=date.today())


def chart_rates_by_village(db: Database, year: int) -> charts.Chart:
    return dashboard.scope_rate_chart(db, _round_scope(db, year))


def chart_rates_over_years(db: Database) -> charts.Chart:
    return dashboard.rate_history_chart(db)


def chart_deprivations(db: Database, year: int) -> charts.Chart:
    return dashboard.deprivation_chart(db, _round_scope(db, year))


def chart_money(db: Database, year: int) -> charts.Chart:
    unit = sites.require_site(db).unit_code
    today = date.today()
    up_to = min(today, date(year, 12, 31))
    return dashboard.money_chart(dashboard.money_lines(db, unit, year, up_to), year, up_to)


BUILDERS.update({
    "chart_rates_by_village": chart_rates_by_village,
    "chart_rates_over_years": chart_rates_over_years,
    "chart_deprivations": chart_deprivations,
    "chart_money": chart_money,
})
assert set(BUILDERS) == set(rules.TABLE_SOURCES), "every table source needs a builder"


def params_with_defaults(source: str, params: Mapping[str, Any]) -> dict[str, Any]:
    spec = rules.TABLE_SOURCES[source]
    out = {p.name: params.get(p.name, p.default) for p in spec.params}
    return {k: v for k, v in out.items() if v not in (None, "")}


def build_table(db: Database, block: Mapping[str, Any]) -> d.Table | charts.Chart:
    """The table (or chart) of a table block, from the database as it is now.

    :raises GnappError: unknown source or missing parameter (the block's own message)
    """
    issues = [i for i in rules.check_table(block, "Bảng số liệu") if i.severity == "error"]
    if issues:
        raise GnappError("; ".join(i.message for i in issues))
    source = block["source"]
    return BUILDERS[source](db, **params_with_defaults(source, block.get("params") or {}))


def table_title(block: Mapping[str, Any]) -> str:
    """The caption printed above a table: the block's own, or the source's label with its
    main parameters ("… theo thôn (năm 2025)")."""
    if block.get("title"):
        return block["title"]
    spec = rules.TABLE_SOURCES.get(block.get("source") or "")
    if spec is None:
        return "Bảng số liệu"
    params = block.get("params") or {}
    years = [str(params[p.name]) for p in spec.params if p.kind == "year" and params.get(p.name)]
    return spec.label + (f" (năm {' – '.join(years)})" if years else "")


# -- tables as plain data (the frozen content of a signed document) ----------------------------

def _value_data(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _value_from(data: Any) -> Any:
    if isinstance(data, dict) and "decimal" in data:
        return Decimal(data["decimal"])
    return data


def _cell_data(value: d.CellLike) -> dict:
    cell = d.as_cell(value)
    return {"v": _value_data(cell.value), "cs": cell.colspan, "rs": cell.rowspan,
            "k": cell.kind, "b": cell.bold, "i": cell.italic}


def _cell_from(data: dict) -> Cell:
    return Cell(_value_from(data["v"]), data["cs"], data["rs"], data["k"], data["b"], data["i"])


def table_to_data(table: d.Table | charts.Chart) -> dict:
    if isinstance(table, charts.Chart):
        return {"chart": charts.chart_to_json(table)}
    return {"columns": [[c.width, c.kind] for c in table.columns],
            "header": [[_cell_data(c) for c in row] for row in table.header],
            "rows": [{"cells": [_cell_data(c) for c in row.cells], "style": row.style}
                     for row in table.rows],
            "unit_note": table.unit_note, "notes": list(table.notes)}


def table_from_data(data: Mapping[str, Any]) -> d.Table:
    return d.Table(tuple(Column(w, k) for w, k in data["columns"]),
                   tuple(tuple(_cell_from(c) for c in row) for row in data["header"]),
                   tuple(Row(tuple(_cell_from(c) for c in r["cells"]), r["style"])
                         for r in data["rows"]),
                   unit_note=data.get("unit_note"), notes=tuple(data.get("notes") or ()))
