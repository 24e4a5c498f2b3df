"""The standard review reports Báo cáo 1–5 of a round, for the commune or one village.

Column layouts copy those of the national review software (``reference/report-formats``):
rows are numbered hierarchically, the commune first in bold ("1", its total) and then its
villages ("1.1", "1.2" …), as the software lists a district and then its communes. The
figures come from ``gnapp.db.report_data`` and the arithmetic from
``gnapp.domain.report_rules``; this module only arranges them in a ``Document``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from gnapp.db import report_data
from gnapp.db.report_data import Scope
from gnapp.domain import report_rules as rules
from gnapp.domain import transitions
from gnapp.domain.canonical import rows_hash
from gnapp.domain.report_rules import DeprivationCounts, ResultCounts
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row

NAME_COLUMN = "Xã/Thôn"
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
    each village, or the one village asked for."""
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


def _subtitle(scope: Scope, *, since: dict | None = None) -> tuple[str, ...]:
    where = (f"{scope.unit['name']}, {scope.commune['name']}" if not scope.is_commune
             else scope.commune["name"])
    period = (f"từ kết quả {_round_label(since)} đến kết quả {_round_label(scope.round)}"
              if since else f"kết quả {_round_label(scope.round)}")
    return (f"({where}; {period}; chuẩn nghèo {scope.standard.id})",)


def _notes(db: Database, scope: Scope, extra: Sequence[str] = ()) -> tuple[str, ...]:
    notes = list(extra)
    progress = report_data.round_progress(db, scope)
    if progress.drafts or progress.not_reviewed:
        parts = []
        if progress.drafts:
            parts.append(f"{progress.drafts} phiếu rà soát chưa hoàn thành")
        if progress.not_reviewed:
            parts.append(f"{progress.not_reviewed} hộ chưa có phiếu (tính là hộ không nghèo)")
        notes.append("Số liệu tạm thời: " + "; ".join(parts) + ".")
    if scope.standard.is_provisional:
        notes.append(f"Chuẩn nghèo {scope.standard.id} là chuẩn tạm thời; số liệu cần xem lại "
                     "khi có văn bản chính thức.")
    return tuple(notes)


def _document(scope: Scope, *, name: str, title: str, subtitle: tuple[str, ...],
              table: d.Table, fingerprint: str, today: date) -> d.Document:
    return d.Document(
        issuer=("ỦY BAN NHÂN DÂN", scope.commune["name"].upper()), title=(title,),
        subtitle=subtitle, place=scope.place, month=today.month, year=today.year,
        body=(table,), signatures=(PREPARER, HEAD), orientation=d.LANDSCAPE,
        fingerprint=fingerprint, name=name)


def _fingerprint(name: str, scope: Scope, rows: Sequence[Row]) -> str:
    head = {"report": name, "unit": scope.unit["code"], "round": scope.round["id"],
            "standard": scope.standard.id,
            "previous": scope.previous["id"] if scope.previous else None}
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


def report_1(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 1: households and persons; poor, near-poor and MSTB farm households, rates."""
    counts = report_data.result_counts(db, scope)
    rows = []
    for unit, villages in unit_rows(scope):
        total = _sum((counts[v] for v in villages), ResultCounts())
        rows.append(Row(tuple(_label_cells(unit)) + tuple(rules.result_values(total, unit.name)),
                        d.TOTAL if unit.total else d.NORMAL))
    rate = "Tỷ lệ (%)"
    header = (
        (Cell("TT", rowspan=3), Cell(NAME_COLUMN, rowspan=3),
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
                     today=today)


# -- Báo cáo 2 and 3 --------------------------------------------------------------------------

def _movement_header(which: str) -> tuple[tuple[Cell, ...], ...]:
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
        (Cell("TT", rowspan=3), Cell(NAME_COLUMN, rowspan=3), Cell("Phân tổ", rowspan=3))
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
    table = d.Table(columns, _movement_header(which), tuple(rows),
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


def _deprivation_rows(db: Database, scope: Scope):
    counts = report_data.deprivation_counts(db, scope)
    width = len(scope.standard.indicators)
    for unit, villages in unit_rows(scope):
        yield unit, _sum((counts[v] for v in villages), DeprivationCounts(0, (0,) * width))


def report_4(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 4: poor households deprived on each indicator, and all their deprivations."""
    n = len(scope.standard.indicators)
    rows = [Row(tuple(_label_cells(unit)) + (counts.households, counts.total) + counts.deprived,
                d.TOTAL if unit.total else d.NORMAL)
            for unit, counts in _deprivation_rows(db, scope)]
    header = (
        (Cell("TT", rowspan=2), Cell(NAME_COLUMN, rowspan=2),
         Cell("Tổng số hộ nghèo", rowspan=2), Cell("Tổng số thiếu hụt", rowspan=2),
         Cell("Chỉ số thiếu hụt dịch vụ xã hội cơ bản của hộ nghèo", colspan=n)),
        tuple(Cell(str(i)) for i in range(1, n + 1)),
    )
    columns = (Column(11, d.TEXT), Column(44, d.TEXT), Column(18), Column(18)) + tuple(
        Column(13.4) for _ in range(n))
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ",
                    notes=(_legend(scope),) + _notes(db, scope))
    return _document(scope, name="Báo cáo 4",
                     title="PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
                     subtitle=_subtitle(scope), table=table,
                     fingerprint=_fingerprint("bao-cao-4", scope, rows), today=today)


NO_POOR_NOTE = "(—) Không tính tỷ lệ vì đơn vị không có hộ nghèo (mẫu số bằng 0)."


def report_5(db: Database, scope: Scope, today: date) -> d.Document:
    """Báo cáo 5: each indicator's share of the poor households (%), 2 decimals."""
    n = len(scope.standard.indicators)
    rows = [Row(tuple(_label_cells(unit)) + (counts.households,)
                + tuple(rules.deprivation_rates(counts, unit.name)),
                d.TOTAL if unit.total else d.NORMAL)
            for unit, counts in _deprivation_rows(db, scope)]
    header = (
        (Cell("TT", rowspan=2), Cell(NAME_COLUMN, rowspan=2),
         Cell("Tổng số hộ nghèo", rowspan=2),
         Cell("Tỷ lệ chỉ số thiếu hụt dịch vụ xã hội cơ bản của hộ nghèo (%)", colspan=n)),
        tuple(Cell(str(i)) for i in range(1, n + 1)),
    )
    columns = (Column(11, d.TEXT), Column(44, d.TEXT), Column(18)) + tuple(
        Column(14.9, d.RATE) for _ in range(n))
    table = d.Table(columns, header, tuple(rows), unit_note="Đơn vị tính: hộ, %",
                    notes=(_legend(scope),) + tuple(_rates_note(rows, NO_POOR_NOTE))
                    + _notes(db, scope))
    return _document(scope, name="Báo cáo 5",
                     title="PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA "
                           "HỘ NGHÈO",
                     subtitle=_subtitle(scope), table=table,
                     fingerprint=_fingerprint("bao-cao-5", scope, rows), today=today)


Builder = Callable[[Database, Scope, date], d.Document]
