"""Printed progress figures: a unit's results for a period (Biểu kết quả thực hiện) and an
office's roll-up of its communes. Both are the project's own layout (the columns of the
TT 10/2022 forms are not known, domain.md §13 item 8).

``indicator_table`` is also what a plan or report document inserts as a data table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlite_utils import Database

from gnapp.db import documents, progress, sites, units
from gnapp.domain import progress as rules
from gnapp.domain.canonical import rows_hash
from gnapp.forms import document as d
from gnapp.forms.document import Cell, Column, Row

PREPARER = d.Signature((), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH", "(Ký tên, đóng dấu)")
OWN_LAYOUT = ("Mẫu biểu do gnapp thiết kế (chưa có mẫu chính thức của biểu kết quả thực hiện "
              "theo kỳ).")
COMPUTED_NOTE = ("(*) Số tính từ dữ liệu của phần mềm (sổ hộ, kết quả rà soát, sổ vốn, dự án); "
                 "tỷ lệ tính từ số đếm, làm tròn 2 chữ số thập phân.")


def _cell(value: Decimal | None, rate: bool = False) -> int | Decimal | None:
    """Whole numbers print as integers ("1.234"), others and rates with 2 decimals
    ("12,50", "5,00")."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and not rate else value


def _achieved(figure: rules.Figure) -> Decimal | None:
    """Actual as a share of the target (may exceed 100 %); rates are not compared."""
    if figure.indicator.is_rate or figure.target in (None, 0) or figure.value is None:
        return None
    return rules.rate_value(figure.value, figure.target)


def _has_figures(figure: rules.Figure) -> bool:
    """Something was typed, or the data give a figure other than nothing at all."""
    typed = [figure.target, figure.estimate, figure.stated, figure.actual]
    return any(v is not None for v in typed) or bool(figure.value)


def _blank(value: int | Decimal | None) -> Cell | int | Decimal:
    """A figure not given prints blank (only a rate that cannot be computed prints "—")."""
    return Cell(None, kind=d.TEXT) if value is None else value


def _columns(with_estimate: bool) -> tuple[tuple[str, str], ...]:
    cols = [("target", "Kế hoạch")]
    if with_estimate:
        cols.append(("estimate", "Ước thực hiện cả năm"))
    cols += [("actual", "Thực hiện"), ("achieved", "Tỷ lệ so với kế hoạch (%)"),
             ("stated", "Theo văn bản")]
    return tuple(cols)


def figures_table(frame: rules.Framework, figures: Mapping[str, rules.Figure], *,
                  with_estimate: bool = False, groups: Sequence[str] | None = None,
                  skip_empty: bool = False) -> d.Table:
    """The figures as a table: a heading row per group (I., II., …), one row per indicator
    with its unit, target, (estimate,) actual, achievement and the stated figure.

    ``skip_empty`` leaves out the indicators without any figure and the columns (but
    "Thực hiện") that would stay empty, so that the table fits a portrait page.
    """
    chosen = [(g, [f for f in figures.values() if f.indicator.group == g.code
                   and (not skip_empty or _has_figures(f))])
              for g in frame.groups if not groups or g.code in groups]
    chosen = [(g, members) for g, members in chosen if members]
    lines = {f.indicator.code: _values(f) for _, members in chosen for f in members}
    cols = _columns(with_estimate)
    if skip_empty:
        cols = tuple((key, label) for key, label in cols if key == "actual" or any(
            not isinstance(v[key], Cell) for v in lines.values()))
    header = ((Cell("TT"), Cell("Chỉ tiêu"), Cell("Đơn vị tính"),
               *(Cell(label) for _, label in cols)),
              tuple(Cell(t, italic=True) for t in ("A", "B", "C", *(str(i) for i in
                                                                     range(1, len(cols) + 1)))))
    rows: list[Row] = []
    for number, (group, members) in enumerate(chosen, 1):
        rows.append(Row((Cell(d.roman(number), kind=d.TEXT, bold=True),
                         Cell(group.name, colspan=2 + len(cols), kind=d.TEXT, bold=True))))
        for index, figure in enumerate(members, 1):
            ind = figure.indicator
            computed = (ind.computed or ind.rate_of) and figure.value is not None
            values = lines[ind.code]
            rows.append(Row((Cell(str(index), kind=d.TEXT),
                             Cell(ind.name + (" (*)" if computed else ""), kind=d.TEXT),
                             Cell(frame.unit_label(ind), kind=d.TEXT),
                             *(values[key] for key, _ in cols))))
    columns = (Column(10, d.TEXT), Column(80, d.TEXT), Column(18, d.TEXT)) + tuple(
        Column(30 if key != "achieved" else 20, d.RATE if key == "achieved" else d.INT)
        for key, _ in cols)
    return d.Table(columns, header, tuple(rows), notes=(COMPUTED_NOTE,))


def _values(figure: rules.Figure) -> dict[str, Cell | int | Decimal]:
    rate = figure.indicator.is_rate
    values = {"target": _cell(figure.target, rate), "estimate": _cell(figure.estimate, rate),
              "actual": _cell(figure.value, rate), "achieved": _achieved(figure),
              "stated": _cell(figure.stated, rate)}
    return {key: _blank(value) for key, value in values.items()}


def indicator_table(db: Database, period_id: str, groups: Sequence[str] | None = None,
                    *, today: date | None = None) -> d.Table:
    """A period's figures as a printable table (``groups`` filters by group code: "GN",
    "DA2", "CS.BHYT"); indicators without any figure are left out."""
    period = progress.get_period(db, period_id)
    frame = progress.framework(db, period["year"])
    return figures_table(frame, progress.figures(db, period_id, today=today),
                         with_estimate=period["kind"] == rules.NINE_MONTHS, groups=groups,
                         skip_empty=True)


def _frame(db: Database, unit_code: str) -> tuple[tuple[str, ...], str]:
    profile = documents.profile(db, unit_code)
    return tuple(profile["issuer"]), profile["place"]


def _fingerprint(head: dict, table: d.Table) -> str:
    return rows_hash([head, *({"cells": [c.value if isinstance(c, Cell) else c
                                         for c in row.cells]} for row in table.rows)])


def period_report(db: Database, period_id: str, *, today: date | None = None) -> d.Document:
    """A unit's figures for one period, signed by the preparer and the chairman."""
    today = today or date.today()
    period = progress.get_period(db, period_id)
    frame = progress.framework(db, period["year"])
    found = progress.figures(db, period_id, today=today)
    table = figures_table(frame, found, with_estimate=period["kind"] == rules.NINE_MONTHS,
                          skip_empty=True)
    table = d.Table(table.columns, table.header, table.rows, table.unit_note,
                    table.notes + (OWN_LAYOUT,))
    issuer, place = _frame(db, period["owner_unit"])
    unit = units.get_unit(db, period["owner_unit"])
    status = progress.status(db, period, progress.decision_of(db, period_id))
    subtitle = [f"Kỳ báo cáo: {period['label']} (từ {_day(period['starts_on'])} đến "
                f"{_day(period['ends_on'])})"]
    if status not in (rules.COMPLETE, progress.APPROVED):
        subtitle.append(f"(Bản nháp: kỳ báo cáo {progress.STATE_LABELS[status]})")
    return d.Document(
        issuer=issuer, title=("KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA GIẢM NGHÈO "
                              "BỀN VỮNG", f"{period['label'].upper()} – "
                              f"{(unit['name'] if unit else period['owner_unit']).upper()}"),
        subtitle=tuple(subtitle), place=place, month=today.month, year=today.year,
        body=(table,), signatures=(PREPARER, HEAD), orientation=d.LANDSCAPE,
        fingerprint=_fingerprint({"print": "tien-do", "period": period_id,
                                  "version": period["version"]}, table),
        name=f"Kết quả thực hiện {period['label']}",
        shown_rows=tuple(("indicator_value", f.row_id) for f in found.values() if f.row_id))


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def rollup_report(db: Database, kind: str, year: int, *, today: date | None = None
                  ) -> d.Document:
    """An office's roll-up of its communes for one period: the summed figures, then the
    communes counted and those still missing."""
    today = today or date.today()
    found = progress.rollup(db, kind, year, today=today)
    frame = progress.framework(db, year)
    table = figures_table(frame, found.totals, with_estimate=kind == rules.NINE_MONTHS,
                          skip_empty=True)
    status_rows = [Row((str(i), c["name"], c["code"], progress.STATE_LABELS[c["status"]],
                        _day(c["period"]["completed_on"][:10]) if c["period"]["completed_on"]
                        else None))
                   for i, c in enumerate(found.included, 1)]
    status_rows += [Row((str(len(status_rows) + i), c["name"], c["code"], reason, None))
                    for i, (c, reason) in enumerate(found.missing, 1)]
    communes = d.Table(
        (Column(10, d.TEXT), Column(80, d.TEXT), Column(25, d.TEXT), Column(80, d.TEXT),
         Column(35, d.TEXT)),
        ((Cell("TT"), Cell("Xã, phường"), Cell("Mã đơn vị"), Cell("Tình trạng số liệu"),
          Cell("Ngày hoàn thành")),), tuple(status_rows))
    site = sites.require_site(db)
    issuer, place = _frame(db, site.unit_code)
    missing = len(found.missing)
    body: list[d.Block] = [
        d.Para(f"Số liệu cộng từ {len(found.included)} đơn vị đã hoàn thành kỳ báo cáo"
               + (f"; còn {missing} đơn vị chưa có số liệu (danh sách ở cuối biểu)."
                  if missing else "; tất cả các đơn vị đã có số liệu."), italic=True),
        table, d.Heading("Tình trạng số liệu của các đơn vị", 1), communes]
    return d.Document(
        issuer=issuer, title=("TỔNG HỢP KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA GIẢM "
                              "NGHÈO BỀN VỮNG", found.label.upper()),
        subtitle=(f"(Tổng hợp từ số liệu các xã, phường gửi lên; {len(found.included)}/"
                  f"{len(found.included) + missing} đơn vị)",),
        place=place, month=today.month, year=today.year, body=tuple(body),
        signatures=(PREPARER, d.Signature(("TM. ỦY BAN NHÂN DÂN",), "CHỦ TỊCH",
                                          "(Ký tên, đóng dấu)")),
        orientation=d.LANDSCAPE, name=f"Tổng hợp {found.label}",
        fingerprint=_fingerprint({"print": "tong-hop-tien-do", "kind": kind, "year": year,
                                  "included": [c["code"] for c in found.included]}, table))
