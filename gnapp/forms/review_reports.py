"""The standard review reports Báo cáo 1–15 of a round: for a commune (a row per village), one
village, or an office (a row per commune whose data it holds, and their total).

Column layouts of 1–5 copy those of the national review software (``reference/report-formats``):
rows are numbered hierarchically, the total first in bold ("1": the commune, or the office's
province) and then its parts ("1.1", "1.2" …: villages, or communes), as the software lists a
district and then its communes. The layouts of 6–15 are gnapp's own, in the same style, and
say so under the title (``OWN_LAYOUT``) until the official ones are known (domain.md §7.1).
The figures come from ``gnapp.db.report_data`` and the arithmetic from
``gnapp.domain.report_rules``; this module only arranges them in a ``Document``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlite_utils import Database

from gnapp.db import dashboard, report_data
from gnapp.db.report_data import Scope
from gnapp.domain import report_rules as rules
from gnapp.domain import transitions
from gnapp.domain.canonical import rows_hash
from gnapp.domain.codes import ETHNIC_GROUPS, POVERTY_CAUSES, SEX
from gnapp.domain.report_rules import DeprivationCounts, ResultCounts
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row, roman

NAME_COLUMN = "Xã/Thôn"
OFFICE_NAME_COLUMN = "Tỉnh/Xã"
OWN_LAYOUT = "(Mẫu do phần mềm gnapp thiết kế, dùng đến khi có mẫu chính thức)"
PREPARER = d.Signature((), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "(Ký tên, đóng dấu)")


@dataclass(frozen=True)
class UnitRow:
    """One unit's row label: its number ("1", "1.1") and name, bold for the commune total."""

    number: str
    name: str
    total: bool


def unit_rows(scope: Scope) -> list[tuple[UnitRow, list[str]]]:
    """The rows of a report and the villages each adds up: the commune (all villages) then
    each village; the office's unit (all communes) then each commune; or the one village
    asked for."""
    if scope.is_office:
        rows = [(UnitRow("1", scope.unit["name"], True), [v["id"] for v in scope.villages])]
        rows += [(UnitRow(f"1.{i}", part.commune["name"], False),
                  [v["id"] for v in part.villages]) for i, part in enumerate(scope.parts, 1)]
        return rows
    if not scope.is_commune:
        village = scope.villages[0]
        return [(UnitRow("1", village["name"], False), [village["id"]])]
    rows = [(UnitRow("1", scope.commune["name"], True), [v["id"] for v in scope.villages])]
    rows += [(UnitRow(f"1.{i}", v["name"], False), [v["id"]])
             for i, v in enumerate(scope.villages, 1)]
    return rows


def _round_label(round_: dict) -> str:
    kinds = {"periodic": "định kỳ", "general": "tổng rà soát", "regular": "thường xuyên"}
    month = f" tháng {round_['month']}" if round_.get("month") else ""
    kind = kinds[round_["kind"]]
    return (f"tổng rà soát năm {round_['year']}" if round_["kind"] == "general"
            else f"rà soát {kind}{month} năm {round_['year']}")


def _name_column(scope: Scope) -> str:
    return OFFICE_NAME_COLUMN if scope.is_office else NAME_COLUMN


def _subtitle(scope: Scope, *, since: dict | None = None,
              own_layout: bool = False) -> tuple[str, ...]:
    if scope.is_office:
        where = f"{scope.unit['name']}: {len(scope.parts)} xã có số liệu"
    elif scope.unit["level"] == "village":
        where = f"{scope.unit['name']}, {scope.commune['name']}"
    else:
        where = scope.commune["name"]
    period = (f"từ kết quả {_round_label(since)} đến kết quả {_round_label(scope.round)}"
              if since else f"kết quả {_round_label(scope.round)}")
    lines = (f"({where}; {period}; chuẩn nghèo {scope.standard.id})",)
    return lines + ((OWN_LAYOUT,) if own_layout else ())


def provisional_notes(db: Database, scope: Scope, *, name_round: bool = False) -> list[str]:
    """Why a round's figures are provisional: reviews not finished, a provisional standard
    (``name_round``: say which round, where a table shows two)."""
    notes = []
    progress = report_data.round_progress(db, scope)
    if progress.drafts or progress.not_reviewed:
        parts = []
        if progress.drafts:
            parts.append(f"{progress.drafts} phiếu rà soát chưa hoàn thành")
        if progress.not_reviewed:
            parts.append(f"{progress.not_reviewed} hộ chưa có phiếu (tính là hộ không nghèo)")
        head = f"Số liệu tạm thời của đợt rà soát năm {scope.round['year']}" if name_round \
            else "Số liệu tạm thời"
        notes.append(f"{head}: " + "; ".join(parts) + ".")
    if scope.standard.is_provisional:
        notes.append(f"Chuẩn nghèo {scope.standard.id} là chuẩn tạm thời; số liệu cần xem lại "
                     "khi có văn bản chính thức.")
    return notes


def _notes(db: Database, scope: Scope, extra: Sequence[str] = ()) -> tuple[str, ...]:
    notes = list(extra)
    if scope.missing:
        notes.append(f"Chưa có số liệu đợt rà soát năm {scope.round['year']} (không tính vào "
                     "tổng): " + ", ".join(u["name"] for u in scope.missing) + ".")
    return tuple(notes + provisional_notes(db, scope))


def _document(scope: Scope, *, name: str, title: str, subtitle: tuple[str, ...],
              table: d.Table, fingerprint: str, today: date,
              figure: d.Figure | None = None) -> d.Document:
    return d.Document(
        issuer=("ỦY BAN NHÂN DÂN", scope.issuer["name"].upper()), title=(title,),
        subtitle=subtitle, place=scope.place, month=today.month, year=today.year,
        body=(table,) + ((figure,) if figure else ()), signatures=(PREPARER, HEAD),
        orientation=d.LANDSCAPE, fingerprint=fingerprint, name=name)


def _fingerprint(name: str, scope: Scope, rows: Sequence[Row]) -> str:
    rounds = [p.round["id"] for p in scope.parts]
    previous = [p.previous["id"] if p.previous else None for p in scope.parts]
    head = {"report": name, "unit": scope.unit["code"],
            "round": rounds[0] if len(rounds) == 1 else rounds,
            "standard": scope.standard.id,
            "previous": previous[0] if len(previous) == 1 else previous}
    body = [{"cells": [c.value if isinstance(c, Cell) else c for c in row.cells]}
            for row in rows]
    return rows_hash([head, *body])


def _label_cells(unit: UnitRow, rowspan: int = 1) -> list[Cell]:
    return [Cell(unit.number, rowspan=rowspan, kind=d.TEXT),
            Cell(unit.name, rowspan=rowspan, kind=d.TEXT)]


def _number_row(labels: Sequence[str]) -> tuple[Cell, ...]:
    return tuple(Cell(text, italic=True) for text in labels)


def _sum(values, start):
    total = start
    for v in values:
        total = total + v
    return total


def _rates_note(rows: Sequence[Row], note: str = rules.NO_RATE_NOTE) -> list[str]:
    has_gap = any((c.value if isinstance(c, Cell) else c) is None for row in rows
                  for c in row.cells)
    return [note] if has_gap else []


# -- Báo cáo 1 --------------------------------------------------------------------------------

TITLE_1 = ("TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO; HỘ CẬN NGHÈO; HỘ LÀM NÔNG, LÂM, "
           "NGƯ NGHIỆP CÓ MỨC SỐNG TRUNG BÌNH")


def report_1(db: Database, scope: Scope, today: date, chart: bool = False) -> d.Document:
    """Báo cáo 1: households and persons; poor, near-poor and MSTB farm households, rates
    (``chart``: followed by the rates in a chart, by village or by commune)."""
    counts = report_data.result_counts(db, scope)
    rows = []
    for unit, villages in unit_rows(scope):
        total = _sum((counts[v] for v in villages), ResultCounts())
        rows.append(Row(tuple(_label_cells(unit)) + tuple(rules.result_values(total, unit.name)),
                        d.TOTAL if unit.total else d.NORMAL))
    rate = "Tỷ lệ (%)"
    header = (
        (Cell("TT", rowspan=3), Cell(_name_column(scope), rowspan=3),
         Cell("Tổng số hộ dân cư (tại thời điểm rà soát)", colspan=2, rowspan=2),
         Cell("Kết quả rà soát về hộ (chính thức)", colspan=6),
         Cell("Kết quả rà soát về khẩu (chính thức)", colspan=6)),
        (Cell("Tổng số hộ nghèo", colspan=2), Cell("Tổng số hộ cận nghèo", colspan=2),
         Cell("Tổng số hộ nông, lâm, ngư nghiệp có mức sống trung bình", colspan=2),
         Cell("Tổng số khẩu nghèo", colspan=2), Cell("Tổng số khẩu cận nghèo", colspan=2),
         Cell("Tổng số khẩu nông, lâm, ngư nghiệp có mức sống trung bình", colspan=2)),
        tuple(Cell(t) for t in ("Số hộ", "Nhân khẩu", "Số hộ", rate, "Số hộ", rate, "Số hộ",
                                rate, "Số khẩu", rate, "Số khẩu", rate, "Số khẩu", rate)),
        _number_row(("A", "B", "1", "2", "3", "4=3/1 ×100", "5", "6=5/1 ×100", "7",
                     "8=7/1 ×100", "9", "10=9/2 ×100", "11", "12=11/2 ×100", "13",
                     "14=13/2 ×100")),
    )
    columns = (Column(11, d.TEXT), Column(40, d.TEXT)) + (Column(15), Column(16)) + tuple(
        Column(14, d.INT if i % 2 == 0 else d.RATE) for i in range(12))
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, người, %",
                    notes=tuple(_rates_note(rows)) + _notes(db, scope))
    return _document(scope, name="Báo cáo 1", title=TITLE_1, subtitle=_subtitle(scope),
                     table=table, fingerprint=_fingerprint("bao-cao-1", scope, rows),
                     today=today,
                     figure=d.Figure(dashboard.scope_rate_chart(db, scope), height_mm=95)
                     if chart else None)


# -- Báo cáo 2 and 3 --------------------------------------------------------------------------

def _movement_header(which: str, name_column: str) -> tuple[tuple[Cell, ...], ...]:
    other_down = ("Số hộ khác: thay đổi nhân khẩu, hộ đơn thân chết, chuyển đi nơi khác, "
                  "tách, nhập với hộ khác…")
    other_up = "Số hộ khác: thay đổi nhân khẩu, chuyển đến, tách, nhập với hộ khác…"
    if which == transitions.POOR:
        first = (Cell("Tổng số hộ nghèo đầu kỳ", rowspan=3),
                 Cell("Diễn biến giảm số hộ nghèo", colspan=3),
                 Cell("Diễn biến tăng số hộ nghèo", colspan=4),
                 Cell("Tổng số hộ nghèo cuối kỳ", rowspan=3))
        second = (Cell("Số hộ thoát nghèo", colspan=2), Cell(other_down, rowspan=2),
                  Cell("Số hộ cận nghèo trở thành hộ nghèo", rowspan=2),
                  Cell("Số hộ nghèo bổ sung trong kỳ", colspan=2), Cell(other_up, rowspan=2))
        third = (Cell("Trở thành hộ cận nghèo"), Cell("Vượt chuẩn cận nghèo"),
                 Cell("Tái nghèo"), Cell("Phát sinh mới"))
    else:
        first = (Cell("Tổng số hộ cận nghèo đầu kỳ", rowspan=3),
                 Cell("Diễn biến giảm số hộ cận nghèo", colspan=3),
                 Cell("Diễn biến tăng số hộ cận nghèo", colspan=4),
                 Cell("Tổng số hộ cận nghèo cuối kỳ", rowspan=3))
        second = (Cell("Số hộ thoát cận nghèo", rowspan=2),
                  Cell("Số hộ cận nghèo trở thành hộ nghèo", rowspan=2),
                  Cell(other_down, rowspan=2),
                  Cell("Số hộ nghèo trở thành hộ cận nghèo", rowspan=2),
                  Cell("Số hộ bổ sung trong kỳ", colspan=2), Cell(other_up, rowspan=2))
        third = (Cell("Tái cận nghèo"), Cell("Phát sinh mới"))
    return (
        (Cell("TT", rowspan=3), Cell(name_column, rowspan=3), Cell("Phân tổ", rowspan=3))
        + first, second, third,
        _number_row(("A", "B", "C", "1", "2", "3", "4", "5", "6", "7", "8",
                     "9=1-2-3-4 +5+6+7+8")))


def _add_tables(tables: Sequence[transitions.MovementTable]) -> tuple[tuple[int, ...], ...]:
    households = tuple(sum(t.households[i] for t in tables) for i in range(9))
    persons = tuple(sum(t.persons[i] for t in tables) for i in range(9))
    return households, persons


def _movement_report(db: Database, scope: Scope, today: date, which: str) -> d.Document:
    report = transitions.REPORT[which]
    tables = report_data.movement_tables(db, scope, report)
    index = 0 if which == transitions.POOR else 1
    rows = []
    for unit, villages in unit_rows(scope):
        households, persons = _add_tables([tables[v][index] for v in villages])
        style = d.TOTAL if unit.total else d.NORMAL
        rows.append(Row(tuple(_label_cells(unit, rowspan=2)) + (Cell("Hộ"),) + households,
                        style))
        rows.append(Row((Cell("Nhân khẩu"),) + persons, style))
    widths = (20, 16, 16, 27, 18, 15, 15, 27, 20)      # cols 4 and 8 carry long headings
    columns = (Column(10, d.TEXT), Column(38, d.TEXT), Column(18, d.LABEL)) + tuple(
        Column(w) for w in widths)
    table = d.Table(columns, _movement_header(which, _name_column(scope)), tuple(rows),
                    unit_note="Đơn vị tính: hộ, người",
                    notes=_notes(db, scope))
    name = "bao-cao-2" if which == transitions.POOR else "bao-cao-3"
    title = ("TỔNG HỢP DIỄN BIẾN HỘ NGHÈO" if which == transitions.POOR
             else "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO")
    return _document(scope, name=report, title=title,
                     subtitle=_subtitle(scope, since=scope.previous), table=table,
                     fingerprint=_fingerprint(name, scope, rows), today=today)


def report_2(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 2: movements of the poor list since the previous round (Hộ / Nhân khẩu)."""
    return _movement_report(db, scope, today, transitions.POOR)


def report_3(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 3: movements of the near-poor list since the previous round."""
    return _movement_report(db, scope, today, transitions.NEAR_POOR)


# -- Báo cáo 4 and 5 --------------------------------------------------------------------------

def _legend(scope: Scope) -> str:
    return "Chỉ số: " + "; ".join(f"{i.order}. {i.name}" for i in scope.standard.indicators) + "."


def _deprivation_rows(db: Database, scope: Scope, klass: str):
    counts = report_data.deprivation_counts(db, scope, klass)
    width = len(scope.standard.indicators)
    for unit, villages in unit_rows(scope):
        yield unit, _sum((counts[v] for v in villages), DeprivationCounts(0, (0,) * width))


_LIST_OF = {rules.POOR: "hộ nghèo", rules.NEAR_POOR: "hộ cận nghèo"}


def _deprivation_report(db: Database, scope: Scope, today: date, klass: str,
                        number: int) -> d.Document:
    """Báo cáo 4 (poor) and 6 (near-poor): households deprived on each indicator."""
    n = len(scope.standard.indicators)
    who = _LIST_OF[klass]
    rows = [Row(tuple(_label_cells(unit)) + (counts.households, counts.total) + counts.deprived,
                d.TOTAL if unit.total else d.NORMAL)
            for unit, counts in _deprivation_rows(db, scope, klass)]
    header = (
        (Cell("TT", rowspan=2), Cell(_name_column(scope), rowspan=2),
         Cell(f"Tổng số {who}", rowspan=2), Cell("Tổng số thiếu hụt", rowspan=2),
         Cell(f"Chỉ số thiếu hụt dịch vụ xã hội cơ bản của {who}", colspan=n)),
        tuple(Cell(str(i)) for i in range(1, n + 1)),
    )
    columns = (Column(11, d.TEXT), Column(44, d.TEXT), Column(18), Column(18)) + tuple(
        Column(13.4) for _ in range(n))
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ",
                    notes=(_legend(scope),) + _notes(db, scope))
    return _document(scope, name=f"Báo cáo {number}",
                     title=f"PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA "
                           f"{who.upper()}",
                     subtitle=_subtitle(scope, own_layout=klass != rules.POOR), table=table,
                     fingerprint=_fingerprint(f"bao-cao-{number}", scope, rows), today=today)


def report_4(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 4: poor households deprived on each indicator, and all their deprivations."""
    return _deprivation_report(db, scope, today, rules.POOR, 4)


def report_6(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 6: Báo cáo 4 for the near-poor households."""
    return _deprivation_report(db, scope, today, rules.NEAR_POOR, 6)


NO_POOR_NOTE = "(—) Không tính tỷ lệ vì đơn vị không có hộ nghèo (mẫu số bằng 0)."
NO_NEAR_POOR_NOTE = "(—) Không tính tỷ lệ vì đơn vị không có hộ cận nghèo (mẫu số bằng 0)."


def _deprivation_rate_report(db: Database, scope: Scope, today: date, klass: str,
                             number: int) -> d.Document:
    """Báo cáo 5 (poor) and 7 (near-poor): each indicator's share of the list (%)."""
    n = len(scope.standard.indicators)
    who = _LIST_OF[klass]
    rows = [Row(tuple(_label_cells(unit)) + (counts.households,)
                + tuple(rules.deprivation_rates(counts, unit.name, f"Báo cáo {number}")),
                d.TOTAL if unit.total else d.NORMAL)
            for unit, counts in _deprivation_rows(db, scope, klass)]
    header = (
        (Cell("TT", rowspan=2), Cell(_name_column(scope), rowspan=2),
         Cell(f"Tổng số {who}", rowspan=2),
         Cell(f"Tỷ lệ chỉ số thiếu hụt dịch vụ xã hội cơ bản của {who} (%)", colspan=n)),
        tuple(Cell(str(i)) for i in range(1, n + 1)),
    )
    columns = (Column(11, d.TEXT), Column(44, d.TEXT), Column(18)) + tuple(
        Column(14.9, d.RATE) for _ in range(n))
    note = NO_POOR_NOTE if klass == rules.POOR else NO_NEAR_POOR_NOTE
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %",
                    notes=(_legend(scope),) + tuple(_rates_note(rows, note))
                    + _notes(db, scope))
    return _document(scope, name=f"Báo cáo {number}",
                     title=f"PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA "
                           f"{who.upper()}",
                     subtitle=_subtitle(scope, own_layout=klass != rules.POOR), table=table,
                     fingerprint=_fingerprint(f"bao-cao-{number}", scope, rows), today=today)


def report_5(db: Database, scope: Scope, today: date, chart: bool = False) -> d.Document:
    """Báo cáo 5: each indicator's share of the poor households (%), 2 decimals
    (``chart``: followed by the first row's rates in a chart)."""
    doc = _deprivation_rate_report(db, scope, today, rules.POOR, 5)
    if not chart:
        return doc
    return replace(doc, body=doc.body + (d.Figure(dashboard.deprivation_chart(db, scope),
                                                  height_mm=95),))


def report_7(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 7: Báo cáo 5 for the near-poor households."""
    return _deprivation_rate_report(db, scope, today, rules.NEAR_POOR, 7)


# -- Báo cáo 8–11: the households of both lists, two rows per unit ---------------------------

def _listed(db: Database, scope: Scope) -> dict[str, list[rules.ListedHousehold]]:
    return report_data.listed_households(db, scope)


def _two_list_rows(scope: Scope, listed: dict[str, list[rules.ListedHousehold]],
                   counts: Callable[[list[rules.ListedHousehold]], Sequence[int]],
                   values: Callable[[Sequence[int], str], Sequence] | None = None) -> list[Row]:
    """Two rows per unit, "Hộ nghèo" and "Hộ cận nghèo": ``counts`` of each village's
    households of the list, added up per unit, then turned into the printed ``values``
    (rates computed from the unit's sums)."""
    rows = []
    for unit, villages in unit_rows(scope):
        style = d.TOTAL if unit.total else d.NORMAL
        for i, klass in enumerate(rules.LISTS):
            per_village = [counts(rules.on_list(listed.get(v, []), klass)) for v in villages]
            width = len(counts([]))
            total = rules.add_counts(per_village, width)
            label = f"{unit.name} ({rules.LIST_LABEL[klass].lower()})"
            shown = tuple(values(total, label) if values else total)
            cells = (tuple(_label_cells(unit, rowspan=2)) if i == 0 else ()) + (
                Cell(rules.LIST_LABEL[klass], kind=d.TEXT),) + shown
            rows.append(Row(cells, style))
    return rows


def _pair_header(groups: Sequence[str], first: str, name_column: str,
                 total_label: str = "Tổng số") -> tuple[tuple[Cell, ...], ...]:
    """A header of (Hộ, Nhân khẩu) column pairs under ``total_label`` and each group."""
    labels = (total_label, *groups)
    n = 2 * len(labels)
    return (
        (Cell("TT", rowspan=2), Cell(name_column, rowspan=2), Cell(first, rowspan=2))
        + tuple(Cell(label, colspan=2) for label in labels),
        tuple(Cell(t) for _ in labels for t in ("Hộ", "Nhân khẩu")),
        _number_row(("A", "B", "C") + tuple(str(i) for i in range(1, n + 1))),
    )


def _block_columns(n: int, width: float, kinds: Sequence[str] | None = None
                   ) -> tuple[Column, ...]:
    kinds = kinds or (d.INT,) * n
    return (Column(10, d.TEXT), Column(36, d.TEXT), Column(22, d.TEXT)) + tuple(
        Column(width, kind) for kind in kinds)


def report_8(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 8: poor and near-poor households and persons by target group."""
    rows = _two_list_rows(scope, _listed(db, scope), rules.target_group_counts)
    groups = tuple(label for _, label in rules.TARGET_GROUPS) + (rules.OTHER_GROUP,)
    header = _pair_header(groups, "Phân loại", _name_column(scope))
    table = d.Table(_block_columns(2 * (len(groups) + 1), 17), header, tuple(rows),
                    unit_note="Đơn vị tính: hộ, người",
                    notes=("Một hộ có thể thuộc nhiều nhóm đối tượng; nhóm đối tượng theo sổ "
                           "hộ gia đình (đặc điểm của hộ).",) + _notes(db, scope))
    return _document(scope, name="Báo cáo 8",
                     title="PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO CÁC NHÓM ĐỐI TƯỢNG",
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint("bao-cao-8", scope, rows), today=today)


def report_9(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 9: poor and near-poor households and persons by the head's ethnicity."""
    listed = _listed(db, scope)
    everyone = [h for hs in listed.values() for h in hs]
    columns = rules.ethnic_columns(everyone, ETHNIC_GROUPS)
    rows = _two_list_rows(scope, listed, lambda hs: rules.ethnicity_counts(hs, columns))
    minorities = ("Tổng số",) + columns + (rules.OTHER_ETHNICITIES,)
    n = 2 * (len(columns) + 5)
    header = (
        (Cell("TT", rowspan=3), Cell(_name_column(scope), rowspan=3),
         Cell("Phân loại", rowspan=3), Cell("Tổng số", colspan=2, rowspan=2),
         Cell(f"Dân tộc {rules.KINH}", colspan=2, rowspan=2),
         Cell("Dân tộc thiểu số", colspan=2 * len(minorities)),
         Cell(rules.UNKNOWN_ETHNICITY, colspan=2, rowspan=2)),
        tuple(Cell(label, colspan=2) for label in minorities),
        tuple(Cell(t) for _ in range(n // 2) for t in ("Hộ", "Nhân khẩu")),
        _number_row(("A", "B", "C") + tuple(str(i) for i in range(1, n + 1))),
    )
    table = d.Table(_block_columns(n, 15), header, tuple(rows),
                    unit_note="Đơn vị tính: hộ, người",
                    notes=("Dân tộc của hộ là dân tộc của chủ hộ; các dân tộc thiểu số ngoài "
                           f"{len(columns) or 'các'} cột riêng được cộng vào cột "
                           f"«{rules.OTHER_ETHNICITIES}».",) + _notes(db, scope))
    return _document(scope, name="Báo cáo 9",
                     title="PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC",
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint("bao-cao-9", scope, rows), today=today)


def report_10(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 10: poor and near-poor households by cause of poverty (Phiếu C)."""
    causes = tuple(POVERTY_CAUSES)
    rows = _two_list_rows(scope, _listed(db, scope), lambda hs: rules.cause_counts(hs, causes))
    n = len(causes) + 2
    header = (
        (Cell("TT", rowspan=2), Cell(_name_column(scope), rowspan=2),
         Cell("Phân loại", rowspan=2), Cell("Tổng số hộ", rowspan=2),
         Cell("Số hộ theo nguyên nhân nghèo", colspan=len(causes)),
         Cell("Chưa ghi nguyên nhân", rowspan=2)),
        tuple(Cell(POVERTY_CAUSES[c]) for c in causes),
        _number_row(("A", "B", "C") + tuple(str(i) for i in range(1, n + 1))),
    )
    table = d.Table(_block_columns(n, 17), header, tuple(rows), unit_note="Đơn vị tính: hộ",
                    notes=("Một hộ có thể có nhiều nguyên nhân (Phiếu C), nên các cột nguyên "
                           "nhân cộng lại có thể lớn hơn tổng số hộ.",) + _notes(db, scope))
    return _document(scope, name="Báo cáo 10",
                     title="PHÂN NHÓM HỘ NGHÈO, HỘ CẬN NGHÈO THEO CÁC NGUYÊN NHÂN NGHÈO",
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint("bao-cao-10", scope, rows), today=today)


def report_11(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 11: deprivations of the children of poor and near-poor households."""
    on = date.fromisoformat(scope.round["ends_on"])
    listed = _listed(db, scope)
    rows = _two_list_rows(scope, listed, lambda hs: rules.child_counts(hs, on),
                          lambda counts, row: rules.child_values(counts, row))
    unknown = sum(rules.child_counts(hs, on)[5] for hs in listed.values())
    rate = "Tỷ lệ (%)"
    header = (
        (Cell("TT", rowspan=3), Cell(_name_column(scope), rowspan=3),
         Cell("Phân loại", rowspan=3),
         Cell("Trẻ em dưới 16 tuổi", colspan=5),
         Cell("Trẻ em từ 3 đến dưới 16 tuổi", colspan=3)),
        (Cell("Tổng số", rowspan=2), Cell("Không có thẻ BHYT", colspan=2),
         Cell("Thuộc hộ thiếu hụt dinh dưỡng", colspan=2), Cell("Tổng số", rowspan=2),
         Cell("Không đi học", colspan=2)),
        (Cell("Số trẻ"), Cell(rate), Cell("Số trẻ"), Cell(rate), Cell("Số trẻ"), Cell(rate)),
        _number_row(("A", "B", "C", "1", "2", "3=2/1 ×100", "4", "5=4/1 ×100", "6", "7",
                     "8=7/6 ×100")),
    )
    kinds = (d.INT, d.INT, d.RATE, d.INT, d.RATE, d.INT, d.INT, d.RATE)
    notes = [f"Tuổi tính đến ngày kết thúc đợt rà soát ({_day(on)}); thành viên đang có mặt "
             "trong sổ hộ. Phiếu rà soát ghi thiếu hụt dinh dưỡng theo hộ, nên cột 4 đếm trẻ "
             "em thuộc hộ thiếu hụt chỉ số dinh dưỡng."]
    if unknown:
        notes.append(f"{unknown} thành viên của các hộ này chưa có năm sinh, không tính vào "
                     "báo cáo.")
    table = d.Table(_block_columns(8, 22, kinds), header, tuple(rows),
                    unit_note="Đơn vị tính: người, %",
                    notes=tuple(notes) + tuple(_rates_note(rows, NO_CHILD_NOTE))
                    + _notes(db, scope))
    return _document(scope, name="Báo cáo 11",
                     title="TỔNG HỢP CHỈ TIÊU THIẾU HỤT CỦA TRẺ EM THUỘC HỘ NGHÈO, "
                           "HỘ CẬN NGHÈO",
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint("bao-cao-11", scope, rows), today=today)


NO_CHILD_NOTE = "(—) Không tính tỷ lệ vì không có trẻ em thuộc diện tính (mẫu số bằng 0)."


def _day(on: date) -> str:
    return f"{on.day:02d}/{on.month:02d}/{on.year}"


# -- Báo cáo 12 and 13: results by the multidimensional standard ------------------------------

def _dimension_report(db: Database, scope: Scope, today: date, klass: str,
                      number: int) -> d.Document:
    """Báo cáo 12 (poor) and 13 (near-poor): households of the list by how many indicators
    they are deprived on, and by dimension."""
    std = scope.standard
    dims = rules.dimensions(std.indicators)
    buckets = rules.deprivation_buckets(klass, std.cutoff)
    listed = _listed(db, scope)
    who = _LIST_OF[klass]
    rows = []
    for unit, villages in unit_rows(scope):
        counts = rules.add_counts(
            [rules.dimension_counts(rules.on_list(listed.get(v, []), klass), klass,
                                    std.cutoff, dims) for v in villages],
            2 + len(buckets) + len(dims))
        rows.append(Row(tuple(_label_cells(unit))
                        + tuple(rules.dimension_values(counts, klass, len(buckets), unit.name)),
                        d.TOTAL if unit.total else d.NORMAL))
    numbers = [str(i) for i in range(1, 3 + len(buckets))]
    for i in range(len(dims)):
        col = 3 + len(buckets) + 2 * i
        numbers += [str(col), f"{col + 1}={col}/1 ×100"]
    header = (
        (Cell("TT", rowspan=3), Cell(_name_column(scope), rowspan=3),
         Cell(f"Tổng số {who}", colspan=2),
         Cell("Số hộ chia theo số chỉ số thiếu hụt", colspan=len(buckets)),
         Cell("Số hộ thiếu hụt theo chiều (thiếu hụt ít nhất một chỉ số của chiều)",
              colspan=2 * len(dims))),
        (Cell("Số hộ", rowspan=2), Cell("Nhân khẩu", rowspan=2))
        + tuple(Cell(label, rowspan=2) for label, _, _ in buckets)
        + tuple(Cell(name, colspan=2) for name, _ in dims),
        tuple(Cell(t) for _ in dims for t in ("Số hộ", "Tỷ lệ (%)")),
        _number_row(("A", "B", *numbers)),
    )
    kinds = [d.INT] * (2 + len(buckets)) + [d.INT, d.RATE] * len(dims)
    columns = (Column(10, d.TEXT), Column(36, d.TEXT)) + tuple(
        Column(15 if k == d.RATE else 11, k) for k in kinds)
    note = NO_POOR_NOTE if klass == rules.POOR else NO_NEAR_POOR_NOTE
    legend = "Chiều: " + "; ".join(
        f"{name} (chỉ số {', '.join(str(std.indicator(c).order) for c in codes)})"
        for name, codes in dims) + "."
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, người, %",
                    notes=(legend, f"Ngưỡng thiếu hụt của chuẩn {std.id}: từ {std.cutoff} chỉ "
                                   "số trở lên là hộ nghèo (khi thu nhập không quá chuẩn).")
                    + tuple(_rates_note(rows, note)) + _notes(db, scope))
    title = ("TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU" if klass == rules.POOR
             else "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU")
    return _document(scope, name=f"Báo cáo {number}", title=title,
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint(f"bao-cao-{number}", scope, rows), today=today)


def report_12(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 12: the poor households by the multidimensional standard."""
    return _dimension_report(db, scope, today, rules.POOR, 12)


def report_13(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 13: the near-poor households by the multidimensional standard."""
    return _dimension_report(db, scope, today, rules.NEAR_POOR, 13)


# -- Báo cáo 14 and 15: detailed lists ----------------------------------------------------------

TARGET_ABBREVIATIONS = {"ethnic_minority": "DTTS", "no_labour": "KCKNLĐ",
                        "revolution_merit": "NCC", "social_protection": "BTXH",
                        "single_no_support": "ĐTKNNT"}


def _birth_year(value: str | None) -> str | None:
    return value[:4] if value else None


def _household_cells(number: int, h: rules.ListedHousehold, order: dict[str, int]) -> tuple:
    deprived = sorted(order[c] for c in h.deprived if c in order)
    groups = [abbr for flag, abbr in TARGET_ABBREVIATIONS.items() if flag in h.flags]
    return (str(number), h.code, h.head_name, _birth_year(h.head_birth),
            SEX.get(h.head_sex or "", None), h.ethnicity, h.persons, h.income_per_person,
            h.b1_score.replace(".", ",") if h.b1_score else None,
            h.b2, ", ".join(str(n) for n in deprived) or None, "; ".join(groups) or None)


def _list_report(db: Database, scope: Scope, today: date, klass: str,
                 number: int) -> d.Document:
    """Báo cáo 14 (near-poor) and 15 (poor): one line per household, grouped by the units of
    the report's rows (villages, or an office's communes), with each group's count and a
    total line."""
    listed = _listed(db, scope)
    order = {i.code: i.order for i in scope.standard.indicators}
    who = _LIST_OF[klass]
    rows: list[Row] = []
    counter = households = persons = 0
    groups = [(unit, villages) for unit, villages in unit_rows(scope) if not unit.total]
    for g, (unit, villages) in enumerate(groups, 1):
        found = [h for v in villages for h in rules.on_list(listed.get(v, []), klass)]
        found.sort(key=lambda h: h.code)
        group_persons = sum(h.persons for h in found)
        rows.append(Row((Cell(roman(g), kind=d.TEXT),
                         Cell(f"{unit.name}: {len(found)} hộ", colspan=5, kind=d.TEXT),
                         group_persons, Cell(None, colspan=5, kind=d.TEXT)), d.TOTAL))
        for h in found:
            counter += 1
            rows.append(Row(_household_cells(counter, h, order)))
        households += len(found)
        persons += group_persons
    rows.append(Row((Cell("", kind=d.TEXT),
                     Cell(f"Tổng cộng: {households} {who}", colspan=5, kind=d.TEXT),
                     persons, Cell(None, colspan=5, kind=d.TEXT)), d.TOTAL))
    header = (
        (Cell("TT"), Cell("Mã hộ"), Cell("Họ và tên chủ hộ"), Cell("Năm sinh"),
         Cell("Giới tính"), Cell("Dân tộc"), Cell("Số nhân khẩu"),
         Cell("Thu nhập bình quân đầu người (đồng/tháng)"), Cell("Điểm B1"), Cell("Điểm B2"),
         Cell("Các chỉ số thiếu hụt"), Cell("Nhóm đối tượng")),
        _number_row(tuple("ABCDEF") + tuple(str(i) for i in range(1, 7))),
    )
    columns = (Column(10, d.TEXT), Column(24, d.TEXT), Column(44, d.TEXT), Column(14, d.TEXT),
               Column(14, d.TEXT), Column(16, d.TEXT), Column(15), Column(30), Column(14, d.TEXT),
               Column(13), Column(30, d.TEXT), Column(26, d.TEXT))
    legend = ("Nhóm đối tượng: DTTS - hộ dân tộc thiểu số; KCKNLĐ - hộ không có khả năng lao "
              "động; NCC - hộ có người có công với cách mạng; BTXH - hộ có đối tượng bảo trợ xã "
              "hội; ĐTKNNT - người đơn thân không nơi nương tựa.")
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: người, đồng",
                    notes=(_legend(scope), legend) + _notes(db, scope))
    title = f"DANH SÁCH CHI TIẾT {who.upper()}"
    return _document(scope, name=f"Báo cáo {number}", title=title,
                     subtitle=_subtitle(scope, own_layout=True), table=table,
                     fingerprint=_fingerprint(f"bao-cao-{number}", scope, rows), today=today)


def report_14(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 14: the detailed list of near-poor households."""
    return _list_report(db, scope, today, rules.NEAR_POOR, 14)


def report_15(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 15: the detailed list of poor households."""
    return _list_report(db, scope, today, rules.POOR, 15)


Builder = Callable[[Database, Scope, date], d.Document]

# The reports an office can produce for its communes (``report_data.resolve_scope(office=…)``).
OFFICE_REPORTS = frozenset(f"bao-cao-{n}" for n in range(1, 16))
