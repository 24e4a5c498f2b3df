"""Allocation decisions, their lines and stated totals: reads, writes and imports.

A decision (or a plan stating capital needs) has lines keyed by budget line × source ×
capital type × recipient unit (× purpose, e.g. the production project funded), each an
integer amount of đồng; funds carried over from the previous year are lines of kind
``carry_over``. Totals the document states are stored as ``stated_total`` rows, never
overwritten by the computed sums, and compared with them (``comparisons``, ``check``).

Files: a table of lines (.csv or .xlsx; columns ``budget_line, source, capital_type,
amount_million_dong`` as the Bắc Kạn 2022 plan, or ``unit_name, project_name, amount_dong`` as
the Bạch Thông 2023 DA2 table, with Vietnamese headers accepted too) and stated totals (.json
shaped like ``bac_kan_2022_stated_totals.json``). An import is checked whole first; a file
with any bad row writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import programme as programme_db
from gnapp.db import sites, units
from gnapp.db.store import Writer, get_row
from gnapp.domain import money
from gnapp.domain import programme as pg
from gnapp.domain.dates import parse_date
from gnapp.domain.errors import GnappError, InputError
from gnapp.domain.jsonfile import read_json
from gnapp.domain.money import Comparison, Scope
from gnapp.domain.numbers import parse_file_number, to_decimal
from gnapp.domain.text import clean, fold

DECISION_KINDS = {"decision": "Quyết định", "plan": "Kế hoạch"}
DECISION_FIELDS = ("kind", "issuer", "signer", "number", "signed_on", "year", "batch",
                   "legal_basis", "title", "programme", "recipient_unit", "recipient_name",
                   "annex", "note")


# -- decisions --------------------------------------------------------------------------------

def _default_recipient(db: Database) -> tuple[str, str]:
    site = sites.require_site(db)
    unit = units.get_unit(db, site.unit_code)
    return site.unit_code, (unit["name"] if unit else site.display_name)


def create_decision(writer: Writer, *, issuer: str, year: int, kind: str = "decision",
                    number: str | None = None, signed_on: str | None = None,
                    batch: int | None = None, legal_basis: str | None = None,
                    title: str | None = None, programme: str | None = None,
                    signer: str | None = None, recipient_unit: str | None = None,
                    recipient_name: str | None = None, annex: str | None = None,
                    note: str | None = None) -> dict:
    """Record an allocation decision (or a plan); lines are added afterwards.

    :param signed_on: ISO date, or a date typed "dd/mm/yyyy"
    :param programme: the programme version (default: the one covering ``year``)
    :param recipient_unit: the default recipient of its lines (default: this site's unit)
    """
    db = writer.db
    if programme is None:
        programme = programme_db.programme_for_year(db, year).id
    else:
        programme_db.get_programme(db, programme)
    if recipient_unit is None and recipient_name is None:
        recipient_unit, recipient_name = _default_recipient(db)
    elif recipient_name is None:
        unit = units.get_unit(db, recipient_unit)
        recipient_name = unit["name"] if unit else recipient_unit
    values = {"kind": kind, "issuer": issuer, "signer": signer, "number": number,
              "signed_on": _iso(signed_on), "year": year, "batch": batch,
              "legal_basis": legal_basis, "title": title, "programme": programme,
              "recipient_unit": recipient_unit, "recipient_name": recipient_name,
              "annex": annex, "note": note}
    return writer.insert("allocation_decision", values)


def _iso(day: str | None) -> str | None:
    if not clean(day):
        return None
    day = clean(day)
    if len(day) == 10 and day[4] == "-":
        return parse_date(f"{day[8:10]}/{day[5:7]}/{day[0:4]}", field="ngày").isoformat()
    return parse_date(day, field="ngày").isoformat()


def update_decision(writer: Writer, decision_id: str, changes: Mapping[str, Any]) -> dict:
    """Change fields of a decision (``DECISION_FIELDS``)."""
    unknown = set(changes) - set(DECISION_FIELDS)
    if unknown:
        raise ValueError(f"not decision fields: {sorted(unknown)}")
    changes = dict(changes)
    if "signed_on" in changes:
        changes["signed_on"] = _iso(changes["signed_on"])
    return writer.update("allocation_decision", decision_id, changes)


def delete_decision(writer: Writer, decision_id: str, *, reason: str) -> None:
    """Mark a decision deleted with its lines and stated totals, in one transaction."""
    def run(w: Writer) -> None:
        for table in ("allocation_line", "stated_total"):
            for row in w.db.query(f"SELECT id FROM {table} WHERE decision_id = ? "
                                  "AND deleted = 0", [decision_id]):
                w.delete(table, row["id"], reason=reason)
        w.delete("allocation_decision", decision_id, reason=reason)
    writer.transact(run)


def decision_label(row: Mapping) -> str:
    """"Quyết định số 1277/QĐ-UBND ngày 01/04/2024 (đợt 1)" / "Kế hoạch năm 2022 (chưa có số)"."""
    kind = DECISION_KINDS.get(row["kind"], row["kind"])
    text = f"{kind} số {row['number']}" if row.get("number") else f"{kind} (chưa có số)"
    if row.get("signed_on"):
        day = row["signed_on"]
        text += f" ngày {day[8:10]}/{day[5:7]}/{day[0:4]}"
    else:
        text += f" năm {row['year']}"
    if row.get("batch"):
        text += f" (đợt {row['batch']})"
    return text


def get_decision(db: Database, decision_id: str) -> dict:
    row = get_row(db, "allocation_decision", decision_id)
    if row is None or row["deleted"]:
        raise InputError(f"Không có quyết định phân bổ vốn mã «{decision_id}»")
    return row


def find_decision(db: Database, ref: str) -> dict:
    """The decision whose id or number is ``ref`` ("635/KH-UBND").

    :raises InputError: none, or several with that number
    """
    ref = (clean(ref) or "").strip()
    rows = list(db.query("SELECT * FROM allocation_decision WHERE deleted = 0 AND "
                         "(id = ? OR number = ?) ORDER BY year, signed_on", [ref, ref]))
    if not rows:
        raise InputError(f"Không có quyết định phân bổ vốn «{ref}» (xem «gnapp allocations "
                         "list»)")
    if len(rows) > 1:
        raise InputError(f"Có {len(rows)} văn bản số «{ref}»; hãy dùng mã dòng: "
                         + ", ".join(r["id"] for r in rows))
    return rows[0]


def decisions(db: Database, *, year: int | None = None) -> list[dict]:
    """Decisions with their computed total (allocation lines), carry-over total, number of
    lines and number of stated totals that differ from the lines."""
    where, params = "d.deleted = 0", []
    if year is not None:
        where += " AND d.year = ?"
        params.append(year)
    rows = list(db.query(f"""
        SELECT d.*,
          (SELECT coalesce(sum(amount), 0) FROM allocation_line l WHERE l.decision_id = d.id
             AND l.deleted = 0 AND l.kind = 'allocation') AS total,
          (SELECT coalesce(sum(amount), 0) FROM allocation_line l WHERE l.decision_id = d.id
             AND l.deleted = 0 AND l.kind = 'carry_over') AS carry_over,
          (SELECT count(*) FROM allocation_line l WHERE l.decision_id = d.id
             AND l.deleted = 0) AS lines
        FROM allocation_decision d WHERE {where}
        ORDER BY d.year DESC, coalesce(d.signed_on, '') DESC, d.id DESC""", params))
    for row in rows:
        row["differences"] = sum(1 for c in comparisons(db, row["id"]) if not c.agrees)
        row["label"] = decision_label(row)
    return rows


# -- lines ------------------------------------------------------------------------------------

def lines_of(db: Database, decision_id: str, kind: str | None = None) -> list[dict]:
    sql = "SELECT * FROM allocation_line WHERE decision_id = ? AND deleted = 0"
    params: list[Any] = [decision_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return list(db.query(sql + " ORDER BY position, id", params))


def _key(values: Mapping) -> tuple:
    return (values.get("kind") or "allocation", values["line_code"], values["source"],
            values["capital_type"], values["recipient_name"], values.get("purpose") or None)


def set_amount(writer: Writer, decision_id: str, *, line_code: str, source: str,
               capital_type: str, amount: int | None, kind: str = "allocation",
               recipient_unit: str | None = None, recipient_name: str | None = None,
               purpose: str | None = None) -> dict | None:
    """Set one cell of a decision's matrix: the amount of (line, source, capital type,
    recipient, purpose, kind). ``None`` removes the line. Returns the stored line or None."""
    db = writer.db
    decision = get_decision(db, decision_id)
    programme = programme_db.get_programme(db, decision["programme"])
    line_code = programme.line_code(line_code, field="dự án, tiểu dự án")
    if recipient_name is None:
        recipient_unit, recipient_name = decision["recipient_unit"], decision["recipient_name"]
    wanted = {"kind": kind, "line_code": line_code, "source": source,
              "capital_type": capital_type, "recipient_name": recipient_name,
              "purpose": purpose}
    existing = [r for r in lines_of(db, decision_id) if _key(r) == _key(wanted)]

    def run(w: Writer) -> dict | None:
        if amount is None:
            for row in existing:
                w.delete("allocation_line", row["id"], reason="Xóa số tiền trên bảng phân bổ")
            return None
        if existing:
            return w.update("allocation_line", existing[0]["id"], {"amount": amount})
        position = 1 + max([r["position"] for r in lines_of(db, decision_id)] or [0])
        return w.insert("allocation_line", {**wanted, "decision_id": decision_id,
                                            "recipient_unit": recipient_unit,
                                            "amount": amount, "position": position})

    return writer.transact(run).result


# -- stated totals ----------------------------------------------------------------------------

def stated_rows(db: Database, decision_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM stated_total WHERE decision_id = ? AND deleted = 0 "
                         "ORDER BY line_kind, coalesce(line_code, ''), coalesce(source, ''), "
                         "coalesce(capital_type, '')", [decision_id]))


def _scope(row: Mapping) -> Scope:
    return Scope(row["line_code"], row["source"], row["capital_type"], row["line_kind"])


def set_stated(writer: Writer, decision_id: str, scope: Scope, amount: int | None, *,
               quote: str | None = None) -> dict | None:
    """Record the total a decision states for ``scope`` (``None`` removes it)."""
    get_decision(writer.db, decision_id)
    existing = [r for r in stated_rows(writer.db, decision_id) if _scope(r) == scope]

    def run(w: Writer) -> dict | None:
        if amount is None:
            for row in existing:
                w.delete("stated_total", row["id"], reason="Xóa số tổng theo văn bản")
            return None
        changes = {"amount": amount}
        if quote is not None:
            changes["quote"] = quote
        if existing:
            return w.update("stated_total", existing[0]["id"], changes)
        return w.insert("stated_total", {"decision_id": decision_id,
                                         "line_kind": scope.line_kind,
                                         "line_code": scope.line_code, "source": scope.source,
                                         "capital_type": scope.capital_type, **changes})

    return writer.transact(run).result


def comparisons(db: Database, decision_id: str) -> list[Comparison]:
    """Every stated total of a decision beside the sum of its lines in the same scope:
    grand total first, then by source, capital type and line."""
    stated = [(_scope(r), r["amount"], r["quote"]) for r in stated_rows(db, decision_id)]

    def order(item):
        s = item[0]
        return (s.line_kind != "allocation", s.line_code is not None, s.line_code or "",
                s.source is not None, s.source or "", s.capital_type or "")

    return money.compare(sorted(stated, key=order), lines_of(db, decision_id))


def check(db: Database, decision_id: str | None = None) -> list[dict]:
    """Every stated/computed pair of one decision (or of all), with its difference in đồng."""
    targets = [get_decision(db, decision_id)] if decision_id else [
        r for r in db.query("SELECT * FROM allocation_decision WHERE deleted = 0 "
                            "ORDER BY year, signed_on, id")]
    out = []
    for decision in targets:
        for c in comparisons(db, decision["id"]):
            out.append({"decision_id": decision["id"], "decision": decision_label(decision),
                        "figure": c.scope.key, "label": c.scope.label,
                        "line_code": c.scope.line_code, "source": c.scope.source,
                        "capital_type": c.scope.capital_type,
                        "line_kind": c.scope.line_kind, "stated": c.stated,
                        "computed": c.computed, "difference": c.difference,
                        "agrees": c.agrees})
    return out


# -- reading files ----------------------------------------------------------------------------

# Folded header → field. Amount headers carry their unit.
_HEADERS = {
    "budget line": "line_code", "line code": "line_code", "line": "line_code",
    "du an": "line_code", "ma du an": "line_code", "du an tieu du an": "line_code",
    "dong kinh phi": "line_code", "ma dong kinh phi": "line_code",
    "source": "source", "nguon von": "source", "nguon": "source",
    "capital type": "capital_type", "loai von": "capital_type",
    "unit name": "recipient_name", "don vi": "recipient_name", "don vi nhan": "recipient_name",
    "recipient": "recipient_name", "ten don vi": "recipient_name",
    "unit code": "recipient_unit", "ma don vi": "recipient_unit",
    "project name": "purpose", "ten du an": "purpose", "muc dich": "purpose",
    "noi dung": "purpose",
    "kind": "kind", "loai dong": "kind", "note": "note", "ghi chu": "note",
    "amount dong": "amount:dong", "so tien dong": "amount:dong",
    "kinh phi phan bo": "amount:dong", "kinh phi phan bo dong": "amount:dong",
    "amount thousand dong": "amount:nghin", "so tien nghin dong": "amount:nghin",
    "amount million dong": "amount:trieu", "so tien trieu dong": "amount:trieu",
    "amount": "amount:", "so tien": "amount:", "kinh phi": "amount:",
}
# Columns of the seed tables that carry nothing to store.
_IGNORED = {"row order", "stt", "tt", "commune name", "unit cell blank in source"}
_KIND_WORDS = {"allocation": "allocation", "phan bo": "allocation",
               "phan bo trong nam": "allocation", "carry over": "carry_over",
               "chuyen nguon": "carry_over", "nam truoc chuyen sang": "carry_over"}


def _folded_header(text: Any) -> str:
    raw = fold(str(text or "")) or ""
    raw = raw.replace("_", " ").replace("(", " ").replace(")", " ")
    return " ".join(raw.split())


def _read_table(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"Không có tệp {path}")
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                return [row for row in csv.reader(f)]
        except UnicodeDecodeError:
            raise InputError("Tệp CSV phải mã hóa UTF-8", source=path.name) from None
    if suffix == ".xlsx":
        from openpyxl import load_workbook
        try:
            ws = load_workbook(path, read_only=True, data_only=True).active
        except Exception as exc:                       # noqa: BLE001 (any unreadable file)
            raise InputError(f"Không đọc được tệp Excel: {exc}", source=path.name) from None
        return [list(row) for row in ws.iter_rows(values_only=True)]
    raise InputError(f"Tệp dòng phân bổ phải là .csv hoặc .xlsx: {path.name}")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


@dataclass
class LinesFile:
    """Lines read from a file, checked, not stored yet.

    Attributes:
        rows: one dict per line (line_code, source, capital_type, kind, recipient_unit,
            recipient_name, purpose, amount in đồng, note, row number)
        unit: the unit the file's amounts were in
        carried_down: row numbers whose blank unit cell was taken from the row above
        ignored_columns: headers read but not stored
    """

    path: Path
    rows: list[dict]
    unit: str
    carried_down: list[int] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r["amount"] for r in self.rows if r["kind"] == "allocation")


def read_lines(path: str | Path, programme: pg.Programme, *, line: str | None = None,
               source: str | None = None, capital_type: str | None = None,
               unit: str | None = None, kind: str = "allocation",
               recipient: tuple[str | None, str] | None = None) -> LinesFile:
    """Read and check a table of allocation lines (.csv or .xlsx).

    Missing columns take the values given (``line``, ``source``, ``capital_type``, the amount
    ``unit``, the default ``recipient`` as (code, name)). A blank unit cell belongs to the row
    above (a merged cell in the document). Every bad cell is reported, with file, row and
    column; any error refuses the whole file.

    :raises InputError: the problems, one per line of the message
    """
    path = Path(path)
    name = path.name
    table = [r for r in _read_table(path)]
    while table and not any(_cell_text(c) for c in table[0]):
        table.pop(0)
    if not table:
        raise InputError("Tệp không có dòng nào", source=name)
    header = [_folded_header(h) for h in table[0]]
    columns: dict[str, int] = {}
    amount_unit = None
    ignored = []
    for i, head in enumerate(header):
        target = _HEADERS.get(head)
        if target is None:
            if head and head not in _IGNORED:
                ignored.append(_cell_text(table[0][i]))
            continue
        if target.startswith("amount:"):
            target, amount_unit = "amount", target.split(":", 1)[1] or None
        if target in columns:
            raise InputError(f"Cột «{_cell_text(table[0][i])}» trùng ý nghĩa với một cột khác",
                             source=name)
        columns[target] = i
    if "amount" not in columns:
        raise InputError("Thiếu cột số tiền (amount_dong, amount_million_dong, «Số tiền "
                         "(đồng)», «Kinh phí phân bổ»…)", source=name)
    if amount_unit is None:
        if unit is None:
            raise InputError("Cột số tiền không ghi đơn vị; cho biết đơn vị (--unit dong, "
                             "nghin hoặc trieu)", source=name)
        amount_unit = money.unit_key(unit)
    fixed = {}
    problems: list[str] = []
    for key, given, label, parse in (
            ("line_code", line, "budget_line / Dự án", None),
            ("source", source, "source / Nguồn vốn", pg.source_code),
            ("capital_type", capital_type, "capital_type / Loại vốn", pg.capital_code)):
        if key in columns:
            continue
        if given is None:
            problems.append(f"Tệp {name}: thiếu cột «{label}» (hoặc cho giá trị chung cho "
                            "cả tệp)")
            continue
        try:
            fixed[key] = (programme.line_code(given) if key == "line_code" else parse(given))
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("\n".join(problems))
    default_unit, default_name = recipient or (None, None)
    out: list[dict] = []
    carried: list[int] = []
    previous_recipient: tuple[str | None, str] | None = None
    seen: dict[tuple, int] = {}
    for n, raw in enumerate(table[1:], start=2):
        cells = [_cell_text(c) for c in raw]
        if not any(cells):
            continue

        def cell(key: str) -> str:
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        row: dict[str, Any] = {"row": n, "note": cell("note") or None}
        try:
            row["line_code"] = fixed.get("line_code") or programme.line_code(
                cell("line_code"), field="budget_line", row=n, source=name)
            row["source"] = fixed.get("source") or pg.source_code(
                cell("source"), field="source", row=n, source=name)
            row["capital_type"] = fixed.get("capital_type") or pg.capital_code(
                cell("capital_type"), field="capital_type", row=n, source=name)
            kind_text = cell("kind")
            row["kind"] = _KIND_WORDS.get(_folded_header(kind_text), None) if kind_text \
                else kind
            if row["kind"] is None:
                raise InputError(f"Loại dòng «{kind_text}» không đúng (allocation / "
                                 "carry_over, «phân bổ» / «chuyển nguồn»)", field="kind",
                                 row=n, source=name)
            value = parse_file_number(cell("amount"), field="amount", row=n, source=name)
            if value is None:
                raise InputError("Thiếu số tiền", field="amount", row=n, source=name)
            row["amount"] = money.to_dong(value, amount_unit, field="amount", row=n,
                                          source=name)
        except InputError as exc:
            problems.append(str(exc))
            continue
        if "recipient_name" in columns or "recipient_unit" in columns:
            code = cell("recipient_unit") or None
            who = cell("recipient_name") or None
            if who is None and code is None:
                if previous_recipient is None:
                    problems.append(str(InputError(
                        "Ô đơn vị trống ở dòng đầu, không có đơn vị ở dòng trên để lấy",
                        field="unit_name", row=n, source=name)))
                    continue
                code, who = previous_recipient
                carried.append(n)
            elif who is None:
                who = code
            previous_recipient = (code, who)
            row["recipient_unit"], row["recipient_name"] = code, who
        else:
            row["recipient_unit"], row["recipient_name"] = default_unit, default_name
        row["purpose"] = cell("purpose") or None
        key = _key(row)
        if key in seen:
            problems.append(str(InputError(f"trùng với dòng {seen[key]} (cùng dự án, nguồn, "
                                           "loại vốn, đơn vị, nội dung)", row=n, source=name)))
            continue
        seen[key] = n
        out.append(row)
    if problems:
        raise InputError("\n".join(problems))
    return LinesFile(path, out, amount_unit, carried, ignored)


def read_stated(path: str | Path, programme: pg.Programme) -> list[tuple[Scope, int, str | None]]:
    """Read stated totals from a JSON file shaped like ``bac_kan_2022_stated_totals.json``:
    ``unit``, ``stated_totals`` (``grand_total``, ``by_source`` {source: {total, DTPT, SN}},
    optional ``by_capital_type``), ``line_totals_printed`` {line: amount}, optional
    ``line_kind`` and quotes.

    :raises InputError: bad JSON, unknown unit, source, capital type or line, bad amounts
    """
    name = Path(path).name
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("unit"), str):
        raise InputError("Thiếu trường «unit» (đơn vị tiền: đồng, nghìn đồng, triệu đồng)",
                         source=name)
    try:
        unit = money.unit_key(data["unit"])
    except InputError as exc:
        raise InputError(exc.detail, field="unit", source=name) from None
    kind = data.get("line_kind", "allocation")
    if kind not in pg.LINE_KINDS:
        raise InputError(f"«line_kind» phải là {' hoặc '.join(pg.LINE_KINDS)}", source=name)
    out: list[tuple[Scope, int, str | None]] = []
    problems: list[str] = []

    def put(scope: Scope, value: Any, where: str, quote: str | None = None) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(str(InputError("phải là một số", field=where, source=name)))
            return
        try:
            amount = money.to_dong(to_decimal(value), unit, field=where, source=name)
        except InputError as exc:
            problems.append(str(exc) if exc.source else str(InputError(
                exc.detail, field=where, source=name)))
            return
        out.append((scope, amount, quote))

    stated = data.get("stated_totals") or {}
    if not isinstance(stated, dict):
        raise InputError("«stated_totals» phải là một đối tượng", source=name)
    quote = data.get("stated_totals_quote")
    if "grand_total" in stated:
        put(Scope(line_kind=kind), stated["grand_total"], "stated_totals.grand_total", quote)
    for src_text, parts in (stated.get("by_source") or {}).items():
        where = f"stated_totals.by_source.{src_text}"
        try:
            src = pg.source_code(src_text, field=where, source=name)
        except InputError as exc:
            problems.append(str(exc))
            continue
        if not isinstance(parts, dict):
            put(Scope(source=src, line_kind=kind), parts, where)
            continue
        for part, value in parts.items():
            if part == "total":
                put(Scope(source=src, line_kind=kind), value, f"{where}.total")
                continue
            try:
                cap = pg.capital_code(part, field=f"{where}.{part}", source=name)
            except InputError as exc:
                problems.append(str(exc))
                continue
            put(Scope(source=src, capital_type=cap, line_kind=kind), value, f"{where}.{part}")
    for cap_text, value in (stated.get("by_capital_type") or {}).items():
        where = f"stated_totals.by_capital_type.{cap_text}"
        try:
            cap = pg.capital_code(cap_text, field=where, source=name)
        except InputError as exc:
            problems.append(str(exc))
            continue
        put(Scope(capital_type=cap, line_kind=kind), value, where)
    line_quotes = data.get("line_quotes") or {}
    for line_text, value in (data.get("line_totals_printed") or {}).items():
        where = f"line_totals_printed.{line_text}"
        try:
            code = programme.line_code(line_text, field=where, source=name)
        except InputError as exc:
            problems.append(str(exc))
            continue
        put(Scope(line_code=code, line_kind=kind), value, where, line_quotes.get(line_text))
    if problems:
        raise InputError("\n".join(problems))
    if not out:
        raise InputError("Tệp không có số tổng nào (stated_totals, line_totals_printed)",
                         source=name)
    return out


# -- imports ----------------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What an import did (or would do with ``dry_run``)."""

    decision_id: str
    decision: str
    file: str
    kind: str                       # "lines" or "stated"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    carried_down: list[int] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created_decision: bool = False
    dry_run: bool = False
    comparisons: list[dict] = field(default_factory=list)
    total: int | None = None

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "decision_id", "decision", "file", "kind", "new", "updated", "unchanged",
            "carried_down", "ignored_columns", "created_decision", "dry_run", "total",
            "comparisons")}


def import_file(writer: Writer, path: str | Path, *, decision: str | None = None,
                new_decision: Mapping[str, Any] | None = None, line: str | None = None,
                source: str | None = None, capital_type: str | None = None,
                unit: str | None = None, kind: str = "allocation",
                recipient: str | None = None, dry_run: bool = False) -> ImportReport:
    """Import allocation lines (.csv, .xlsx) or stated totals (.json) into a decision.

    :param decision: id or number of an existing decision; otherwise ``new_decision`` gives
        the fields of a decision created with the lines (``issuer`` and ``year`` at least)
    :param recipient: unit code (or name) receiving lines of a file without a unit column
    :param dry_run: check and count, write nothing
    :raises InputError: bad file or options; nothing is written
    """
    db = writer.db
    path = Path(path)
    is_json = path.suffix.lower() == ".json"
    if decision is not None:
        target = find_decision(db, decision)
    elif is_json:
        raise InputError("Số tổng theo văn bản cần chỉ rõ quyết định hoặc kế hoạch "
                         "(--decision SỐ hoặc mã)")
    else:
        fields = dict(new_decision or {})
        if not clean(fields.get("issuer")) or not fields.get("year"):
            raise InputError("Tạo văn bản mới cần cơ quan ban hành và năm (--issuer, --year), "
                             "hoặc chọn văn bản có sẵn (--decision)")
        target = None
    year = target["year"] if target else fields["year"]
    version = target["programme"] if target else (
        fields.get("programme") or programme_db.programme_for_year(db, year).id)
    programme = programme_db.get_programme(db, version)

    if is_json:
        stated = read_stated(path, programme)
        report = ImportReport(target["id"], decision_label(target), path.name, "stated",
                              dry_run=dry_run)
        held = {_scope(r): r for r in stated_rows(db, target["id"])}
        for scope, amount, _quote in stated:
            old = held.get(scope)
            if old is None:
                report.new += 1
            elif old["amount"] != amount:
                report.updated += 1
            else:
                report.unchanged += 1
        if not dry_run:
            def run(w: Writer) -> None:
                for scope, amount, quote in stated:
                    set_stated(w, target["id"], scope, amount, quote=quote)
            writer.transact(run)
        report.comparisons = check(db, target["id"]) if not dry_run else []
        return report

    if recipient is not None:
        unit_row = units.get_unit(db, recipient)
        default = (recipient, unit_row["name"]) if unit_row else (None, recipient)
    elif target is not None:
        default = (target["recipient_unit"], target["recipient_name"])
    elif fields.get("recipient_unit") or fields.get("recipient_name"):
        default = (fields.get("recipient_unit"), fields.get("recipient_name")
                   or fields.get("recipient_unit"))
    else:
        default = _default_recipient(db)
    read = read_lines(path, programme, line=line, source=source, capital_type=capital_type,
                      unit=unit, kind=kind, recipient=default)

    def run(w: Writer) -> ImportReport:
        created = target is None
        decision_row = target or create_decision(w, programme=programme.id, **{
            "recipient_unit": default[0], "recipient_name": default[1],
            **{k: v for k, v in fields.items() if k != "programme"}})
        report = ImportReport(decision_row["id"], decision_label(decision_row), path.name,
                              "lines", carried_down=read.carried_down,
                              ignored_columns=read.ignored_columns,
                              created_decision=created, dry_run=dry_run, total=read.total)
        held = {_key(r): r for r in lines_of(w.db, decision_row["id"])}
        position = max([r["position"] for r in held.values()] or [0])
        for row in read.rows:
            old = held.get(_key(row))
            if old is None:
                position += 1
                w.insert("allocation_line", {
                    "decision_id": decision_row["id"], "kind": row["kind"],
                    "line_code": row["line_code"], "source": row["source"],
                    "capital_type": row["capital_type"], "recipient_unit": row["recipient_unit"],
                    "recipient_name": row["recipient_name"], "purpose": row["purpose"],
                    "amount": row["amount"], "position": position, "note": row["note"]})
                report.new += 1
            elif old["amount"] != row["amount"]:
                w.update("allocation_line", old["id"], {"amount": row["amount"]})
                report.updated += 1
            else:
                report.unchanged += 1
        if dry_run:
            raise _DryRun(report)
        return report

    try:
        report = writer.transact(run).result
    except _DryRun as done:
        return done.report
    report.comparisons = check(db, report.decision_id)
    return report


class _DryRun(GnappError):
    """Rolls a dry run back, carrying its report out."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


# -- the matrix -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """A decision's lines of one kind (and optionally one recipient) as a grid of budget
    lines × (source, capital type), amounts in đồng summed over the other keys."""

    lines: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    cells: Mapping[tuple[str, str, str], int]

    def cell(self, line: str, source: str, capital: str) -> int | None:
        return self.cells.get((line, source, capital))

    def row_total(self, line: str) -> int:
        return sum(v for (ln, _, _), v in self.cells.items() if ln == line)

    def column_total(self, source: str, capital: str | None = None) -> int:
        return sum(v for (_, s, c), v in self.cells.items()
                   if s == source and (capital is None or c == capital))

    @property
    def grand_total(self) -> int:
        return sum(self.cells.values())


def matrix(db: Database, decision_id: str, *, kind: str = "allocation",
           recipient_name: str | None = None,
           sources: Iterable[str] = ("NSTW", "NSDP", "KHAC")) -> Matrix:
    """The grid of a decision: every budget line of its programme, and the sources given
    plus any other source its lines use, each split by capital type."""
    decision = get_decision(db, decision_id)
    programme = programme_db.get_programme(db, decision["programme"])
    rows = [r for r in lines_of(db, decision_id, kind)
            if recipient_name is None or r["recipient_name"] == recipient_name]
    used = list(sources) + [s for s in pg.SOURCES if s not in sources
                            and any(r["source"] == s for r in rows)]
    cells: dict[tuple[str, str, str], int] = {}
    for r in rows:
        key = (r["line_code"], r["source"], r["capital_type"])
        cells[key] = cells.get(key, 0) + r["amount"]
    codes = [i.code for i in programme.lines()]
    codes += sorted({r["line_code"] for r in rows} - set(codes))
    return Matrix(tuple(codes), tuple((s, c) for s in used for c in pg.CAPITAL_TYPES), cells)


def recipients(db: Database, decision_id: str) -> list[tuple[str | None, str]]:
    """(code, name) of every unit receiving lines of a decision, the decision's own first."""
    decision = get_decision(db, decision_id)
    out = [(decision["recipient_unit"], decision["recipient_name"])]
    for r in db.query("SELECT DISTINCT recipient_unit, recipient_name FROM allocation_line "
                      "WHERE decision_id = ? AND deleted = 0 ORDER BY position", [decision_id]):
        pair = (r["recipient_unit"], r["recipient_name"])
        if pair[1] not in [p[1] for p in out]:
            out.append(pair)
    return out
