"""Printing a form as an identified copy (DESIGN.md §5): the one way the CLI and the GUI
write a form to a file.

For a recorded form, in one transaction: take a number from the book when the document is
issued (a reprint keeps its number), build the document, mark it "BẢN SAO" when the same
document with the same data was printed before, record the printed copy (document key,
number, date, fingerprint of the data shown, user, time, the rows it shows) and render the
file. If rendering fails, nothing is recorded and no number is used up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import documents, sites
from gnapp.domain import documents as rules
from gnapp.domain.cancel import Progress, no_progress
from gnapp.domain.canonical import row_hash
from gnapp.domain.errors import InputError
from gnapp.forms import catalog
from gnapp.forms import document as d
from gnapp.forms import procedure_forms as pf


@dataclass(frozen=True)
class Printed:
    """What one print produced.

    Attributes:
        path: the file written
        document: the document as printed (with its number and copy mark)
        copy: the ``printed_copy`` row, None for a form that is not recorded
    """

    path: Path
    document: d.Document
    copy: dict | None = None

    @property
    def is_copy(self) -> bool:
        return self.document.copy_mark is not None

    def as_dict(self) -> dict:
        data: dict[str, Any] = {"path": str(self.path),
                                "format": self.path.suffix.lower().lstrip(".")}
        if self.copy is not None:
            data.update({"printed_copy": self.copy["id"], "copy_no": self.copy["copy_no"],
                         "is_copy": self.is_copy, "number": self.copy["number_text"],
                         "fingerprint": self.copy["fingerprint"]})
        return data


def document_key(db: Database, name: str, *, round_year: int | None = None,
                 unit_code: str | None = None, today: date | None = None,
                 **options: Any) -> str:
    """The identity of the document ``name`` covers with these parameters."""
    scope = catalog.resolve(db, name, round_year=round_year, unit_code=unit_code,
                            today=today or date.today())
    given = {k: (int(v) if isinstance(v, bool) else v.strip() if isinstance(v, str) else v)
             for k, v in options.items() if v not in (None, False, "")}
    if name in ("phieu-a", "phieu-b", "phieu-c"):
        given = {"household": given.get("household", ""), "blank": given.get("blank", 0)}
    return rules.document_key(name, pf.scope_key(scope, **given))


def counted_rows(db: Database, report: catalog.ReportSpec, *, round_year: int | None,
                 unit_code: str | None, today: date) -> list[tuple[str, str]]:
    """The rows a signed copy of a document that counts a round locks besides those it
    names itself (``documents.round_rows``: the round's reviews of its villages and the round
    in each village); none for other forms, and none on an office's site, which holds the
    communes' rows without owning them (its copies are identified by their fingerprint)."""
    if not report.locks_round:
        return []
    scope = catalog.resolve(db, report.name, round_year=round_year, unit_code=unit_code,
                            today=today)
    if scope.is_office or scope.issuer["code"] != sites.require_site(db).unit_code:
        return []
    return documents.round_rows(db, scope.round["id"], [v["id"] for v in scope.villages])


def print_form(db: Database, name: str, out: str | Path, *, user: str | None = None,
               round_year: int | None = None, unit_code: str | None = None,
               today: date | None = None, issue: bool = False, number: int | None = None,
               progress: Progress = no_progress,
               deliver: Callable[[Path], Any] | None = None, **options: Any) -> Printed:
    """Write form ``name`` to ``out`` (.pdf or .xlsx), recorded if the form is.

    :param issue: give the document a number from the book (and today's date) if it has
        none yet; ``number`` asks for that number (refused if it was ever taken)
    :param progress: called (total 0: busy) before building and before writing the file; a
        ``Cancelled`` it raises leaves no file and no record
    :param deliver: called with the file once written, before the record is kept: printing
        it on paper. If it fails or is cancelled, no copy is recorded and no number used.
    :raises InputError: a suffix the form cannot be written to, an option it does not take,
        a number for a form without one
    """
    report = catalog.spec(name)
    out = Path(out)
    if out.suffix.lower() not in catalog.FORMATS:
        raise InputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {out.name}")
    catalog.check_format(report, out)
    today = today or date.today()
    options = {k: v.strip() if isinstance(v, str) else v for k, v in options.items()}
    params = {"round_year": round_year, "unit_code": unit_code, "today": today, **options}
    if (issue or number) and report.symbol is None:
        raise InputError(f"{report.label} không có số văn bản.")
    progress(0, 0, "Đang lập biểu mẫu")
    if not report.recorded:
        doc = catalog.build(db, report.name, **params)
        progress(0, 0, "Đang ghi tệp")
        path = catalog.render(doc, out)
        if deliver is not None:
            deliver(path)
        return Printed(path, doc)
    key = document_key(db, report.name, **params)
    writer = sites.writer(db, user)

    def run(w) -> Printed:
        numbered = documents.number_of(db, key)
        if numbered is None and (issue or number):
            numbered = documents.take_number(w, symbol=report.symbol, issued_on=today,
                                             doc_key=key, subject=report.title, number=number)
        elif numbered is not None and number and numbered["number"] != number:
            raise InputError(f"Văn bản này đã được cấp số "
                             f"{rules.number_text(numbered['number'], numbered['symbol'])}.")
        doc = catalog.build(db, report.name, **params)
        if numbered is not None and doc.number is None:
            doc = replace(doc, number=f"{numbered['number']:02d}",
                          day=date.fromisoformat(numbered["issued_on"]))
        if doc.number:      # the number and date are shown too: an issued print differs
            doc = replace(doc, fingerprint=row_hash({"data": doc.fingerprint,
                                                     "number": doc.number_line,
                                                     "date": doc.date_line}))
        _, is_copy = documents.next_copy(db, key, doc.fingerprint)
        if is_copy:
            doc = replace(doc, copy_mark=rules.COPY_MARK)
        copy = documents.record_copy(
            w, doc_key=key, form=report.name, title=doc.name or " ".join(doc.title),
            fingerprint=doc.fingerprint, shown_rows=(*doc.shown_rows, *counted_rows(
                db, report, round_year=round_year, unit_code=unit_code, today=today)),
            file_format=out.suffix.lower().lstrip("."), number=numbered,
            issued_on=date.fromisoformat(numbered["issued_on"]) if numbered else None)
        progress(0, 0, "Đang ghi tệp")
        path = catalog.render(doc, out)
        if deliver is not None:
            deliver(path)
        return Printed(path, doc, copy)

    try:
        return writer.transact(run).result
    except BaseException:
        out.unlink(missing_ok=True)
        raise
