"""Two prints of an allocation decision or plan, as ``Document`` (PDF and XLSX alike).

- ``capital_table``: the capital table by budget line × source × capital type, like part B.III
  of the Bắc Kạn 2022 plan: project rows with their sub-projects, the total of the lines, and
  when the document states totals, the stated figures and the differences beside them.
- ``allocation_list``: the allocation by recipient unit and project, like the Bạch Thông 2023
  DA2 table: a unit's cell spans its projects (the blank cell of the document), and the total.

Amounts are stored in đồng; they are converted to the print unit (đồng, nghìn or triệu đồng,
named in the table header) here and only here, each rounded half-up once: a total is the sum
of the đồng amounts, converted once, never a sum of rounded figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import allocations as al
from gnapp.db import programme as programme_db
from gnapp.db import sites, units
from gnapp.domain import money
from gnapp.domain import programme as pg
from gnapp.domain.canonical import rows_hash
from gnapp.domain.errors import InputError
from gnapp.domain.money import Scope
from gnapp.domain.units import place_name
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row

PREPARER = d.Signature((), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "(Ký tên, đóng dấu)")

PRINTS = {
    "von": "Bảng vốn theo dự án, tiểu dự án, nguồn vốn và loại vốn",
    "danh-sach": "Danh sách phân bổ vốn theo đơn vị và dự án",
}


def _unit_note(unit: str) -> str:
    return f"Đơn vị tính: {money.unit_name(unit)}"


def _frame(db: Database, today: date) -> tuple[tuple[str, ...], str]:
    site = sites.require_site(db)
    unit = units.get_unit(db, site.unit_code)
    name = unit["name"] if unit else site.display_name
    return ("ỦY BAN NHÂN DÂN", name.upper()), place_name(name)


def _check_unit(unit: str) -> str:
    if unit not in money.PRINT_UNITS:
        raise InputError(f"Đơn vị in «{unit}» không đúng; dùng {', '.join(money.PRINT_UNITS)}")
    return unit


def _subtitle(decision: dict) -> tuple[str, ...]:
    return (f"(Kèm theo {al.decision_label(decision)} của {decision['issuer']})",)


def _doc(db: Database, decision: dict, *, name: str, title: str, body: tuple,
         rows_for_hash: Sequence, unit: str, today: date) -> d.Document:
    issuer, place = _frame(db, today)
    fingerprint = rows_hash([{"print": name, "decision": decision["id"],
                              "version": decision["version"], "unit": unit},
                             *({"cells": [c.value if isinstance(c, Cell) else c
                                          for c in row.cells]} for row in rows_for_hash)])
    return d.Document(issuer=issuer, title=(title,), subtitle=_subtitle(decision), place=place,
                      month=today.month, year=today.year, body=body,
                      signatures=(PREPARER, HEAD), orientation=d.LANDSCAPE,
                      fingerprint=fingerprint, name=name)


# -- the capital table ---------------------------------------------------------------------------

def _sources_used(lines: Sequence[dict], stated: Sequence[money.Comparison]) -> list[str]:
    used = {r["source"] for r in lines} | {c.scope.source for c in stated if c.scope.source}
    return [s for s in pg.SOURCES if s in used] or ["NSTW"]


def _amounts(lines: Sequence[dict], codes: set[str] | None, sources: Sequence[str],
             unit: str) -> list[int | None]:
    """[total, then per source: total, ĐTPT, SN], in the print unit (None where no line)."""
    chosen = [r for r in lines if codes is None or r["line_code"] in codes]

    def cell(scope: Scope) -> int | None:
        covered = [r for r in chosen if scope.covers(r)]
        return money.in_unit(money.total(covered, scope), unit) if covered else None

    kind = chosen[0]["kind"] if chosen else "allocation"
    out = [cell(Scope(line_kind=kind))]
    for source in sources:
        out.append(cell(Scope(source=source, line_kind=kind)))
        out += [cell(Scope(source=source, capital_type=c, line_kind=kind))
                for c in pg.CAPITAL_TYPES]
    return out


def _capital_rows(programme: pg.Programme, lines: Sequence[dict], sources: Sequence[str],
                  unit: str) -> list[Row]:
    used = {r["line_code"] for r in lines}
    rows: list[Row] = []
    number = 0
    for item in programme.items:
        if item.kind not in ("project", "line") or item.parent:
            continue
        below = {i.code for i in programme.items if i.line and
                 (i.code == item.code or item in programme.ancestors(i.code))}
        if not below & used:
            continue
        number += 1
        rows.append(Row((Cell(str(number), kind=d.TEXT, bold=True),
                         Cell(item.name, kind=d.TEXT, bold=True),
                         *(Cell(v, bold=True) for v in _amounts(lines, below, sources, unit)))))
        if item.line:
            continue
        sub = 0
        for child in programme.items:
            if child.parent != item.code or not child.line:
                continue
            if child.code not in used:
                continue
            sub += 1
            rows.append(Row((Cell(f"{number}.{sub}", kind=d.TEXT), Cell(child.name, kind=d.TEXT),
                             *_amounts(lines, {child.code}, sources, unit))))
    for code in sorted(used - {i.code for i in programme.items}):
        number += 1
        rows.append(Row((Cell(str(number), kind=d.TEXT), Cell(code, kind=d.TEXT),
                         *_amounts(lines, {code}, sources, unit))))
    return rows


def _stated_rows(comparisons: Sequence[money.Comparison], sources: Sequence[str],
                 unit: str, kind: str) -> list[Row]:
    """"Tổng cộng theo văn bản" and "Chênh lệch" rows, where the document states totals."""
    by_scope = {c.scope: c for c in comparisons if c.scope.line_code is None
                and c.scope.line_kind == kind}
    if not by_scope:
        return []
    scopes = [Scope(line_kind=kind)]
    for source in sources:
        scopes.append(Scope(source=source, line_kind=kind))
        scopes += [Scope(source=source, capital_type=c, line_kind=kind) for c in pg.CAPITAL_TYPES]
    stated = [money.in_unit(by_scope[s].stated, unit) if s in by_scope else "" for s in scopes]
    diff = [money.in_unit(by_scope[s].difference, unit) if s in by_scope else ""
            for s in scopes]
    return [Row((Cell("", kind=d.TEXT), Cell("Tổng cộng theo văn bản", kind=d.TEXT, italic=True),
                 *(Cell(v, italic=True) for v in stated))),
            Row((Cell("", kind=d.TEXT),
                 Cell("Chênh lệch (theo văn bản trừ cộng các dòng)", kind=d.TEXT, italic=True),
                 *(Cell(v, bold=bool(v)) for v in diff)))]


def _capital_table(programme, lines, comparisons, unit, kind) -> tuple[d.Table, list[Row]]:
    sources = _sources_used(lines, [c for c in comparisons if c.scope.line_kind == kind])
    body = _capital_rows(programme, lines, sources, unit)
    body.append(Row((Cell("", kind=d.TEXT), Cell("Tổng cộng (cộng các dòng)", kind=d.TEXT),
                     *_amounts(lines, None, sources, unit)), d.TOTAL))
    body += _stated_rows(comparisons, sources, unit, kind)
    capitals = [pg.capital_short(c) for c in pg.CAPITAL_TYPES]
    header = (
        (Cell("TT", rowspan=2), Cell("Dự án, tiểu dự án", rowspan=2),
         Cell("Tổng cộng", rowspan=2),
         *(Cell(pg.source_name(s), colspan=1 + len(capitals)) for s in sources)),
        tuple(Cell(t) for _ in sources for t in ("Tổng", *capitals)),
    )
    columns = (Column(12, d.TEXT), Column(95, d.TEXT), Column(26),
               *(Column(22) for _ in sources for _ in range(1 + len(capitals))))
    notes = [f"{c.message(unit)}." for c in comparisons
             if not c.agrees and c.scope.line_kind == kind]
    notes.append("Số liệu lưu bằng đồng; quy đổi sang đơn vị in và làm tròn một lần (làm "
                 "tròn nửa lên), các tổng cộng từ số đồng.")
    return d.Table(columns, header, tuple(body), unit_note=_unit_note(unit),
                   notes=tuple(notes)), body


def capital_table(db: Database, decision_id: str, *, unit: str = "trieu",
                  today: date | None = None) -> d.Document:
    """The capital table of a decision or plan by budget line, source and capital type, in
    ``unit`` (dong, nghin, trieu), with stated totals and differences when recorded."""
    unit = _check_unit(unit)
    today = today or date.today()
    decision = al.get_decision(db, decision_id)
    programme = programme_db.get_programme(db, decision["programme"])
    comparisons = al.comparisons(db, decision_id)
    body: list = []
    hashed: list[Row] = []
    for kind, label in pg.LINE_KINDS.items():
        lines = al.lines_of(db, decision_id, kind)
        has_stated = any(c.scope.line_kind == kind for c in comparisons)
        if not lines and not (has_stated or kind == "allocation"):
            continue
        if kind != "allocation":
            body.append(d.Para(f"{label} (kinh phí năm {decision['year'] - 1} chuyển sang năm "
                               f"{decision['year']}):", bold=True))
        table, rows = _capital_table(programme, lines, comparisons, unit, kind)
        body.append(table)
        hashed += rows
    what = "NHU CẦU VỐN" if decision["kind"] == "plan" else "PHÂN BỔ VỐN"
    title = (f"{what} THỰC HIỆN CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA GIẢM NGHÈO BỀN VỮNG NĂM "
             f"{decision['year']}")
    return _doc(db, decision, name="von", title=title, body=tuple(body), rows_for_hash=hashed,
                unit=unit, today=today)


# -- the allocation list ---------------------------------------------------------------------------

def allocation_list(db: Database, decision_id: str, *, unit: str = "dong",
                    today: date | None = None) -> d.Document:
    """The lines of a decision by recipient unit and project (purpose), in ``unit``; a unit's
    name spans its rows; the total, and the stated grand total with its difference."""
    unit = _check_unit(unit)
    today = today or date.today()
    decision = al.get_decision(db, decision_id)
    programme = programme_db.get_programme(db, decision["programme"])
    lines = al.lines_of(db, decision_id, "allocation")
    groups: dict[str, dict[str, int]] = {}
    for r in lines:
        item = programme.item(r["line_code"])
        what = r["purpose"] or (item.label if item else r["line_code"])
        per_unit = groups.setdefault(r["recipient_name"], {})
        per_unit[what] = per_unit.get(what, 0) + r["amount"]
    rows: list[Row] = []
    n = 0
    for recipient, projects in groups.items():
        for i, (what, amount) in enumerate(projects.items()):
            n += 1
            cells: list = [Cell(str(n), kind=d.TEXT)]
            if i == 0:
                cells.append(Cell(recipient, rowspan=len(projects), kind=d.TEXT))
            cells += [Cell(what, kind=d.TEXT), money.in_unit(amount, unit)]
            rows.append(Row(tuple(cells)))
    total = money.total(lines)
    rows.append(Row((Cell("", kind=d.TEXT), Cell("Tổng cộng", colspan=2, kind=d.TEXT),
                     money.in_unit(total, unit)), d.TOTAL))
    notes = []
    for c in al.comparisons(db, decision_id):
        if c.scope == Scope():
            rows.append(Row((Cell("", kind=d.TEXT),
                             Cell("Tổng cộng theo văn bản", colspan=2, kind=d.TEXT, italic=True),
                             Cell(money.in_unit(c.stated, unit), italic=True))))
            rows.append(Row((Cell("", kind=d.TEXT),
                             Cell("Chênh lệch (theo văn bản trừ cộng các dòng)", colspan=2,
                                  kind=d.TEXT, italic=True),
                             Cell(money.in_unit(c.difference, unit), bold=not c.agrees))))
        if not c.agrees:
            notes.append(f"{c.message(unit)}.")
    header = ((Cell("TT"), Cell("Đơn vị"), Cell("Tên dự án, nội dung"),
               Cell("Kinh phí phân bổ")),)
    columns = (Column(12, d.TEXT), Column(70, d.TEXT), Column(120, d.TEXT), Column(45))
    table = d.Table(columns, header, tuple(rows), unit_note=_unit_note(unit),
                    notes=tuple(notes))
    codes = sorted({r["line_code"] for r in lines})
    what = ", ".join((programme.item(c).label if programme.item(c) else c) for c in codes)
    title = f"DANH SÁCH PHÂN BỔ VỐN NĂM {decision['year']}" + (f" – {what.upper()}"
                                                              if what else "")
    return _doc(db, decision, name="danh-sach", title=title, body=(table,), rows_for_hash=rows,
                unit=unit, today=today)


BUILDERS = {"von": capital_table, "danh-sach": allocation_list}


def produce(db: Database, which: str, decision_id: str, out: str | Path, *,
            unit: str | None = None, today: date | None = None) -> Path:
    """Build print ``which`` ("von" or "danh-sach") of a decision and write it to ``out``
    (.pdf or .xlsx); return the path."""
    from gnapp.forms.catalog import FORMATS, render

    if which not in BUILDERS:
        raise InputError(f"Không có bản in «{which}»; dùng {' hoặc '.join(BUILDERS)}")
    if Path(out).suffix.lower() not in FORMATS:
        raise InputError(f"Tệp in phải có đuôi .pdf hoặc .xlsx: {Path(out).name}")
    default = "trieu" if which == "von" else "dong"
    doc = BUILDERS[which](db, decision_id, unit=unit or default, today=today)
    return render(doc, out)
