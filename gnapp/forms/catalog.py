"""Every form and report gnapp prints, by name, and the one way to produce a file of it.

``gnapp report NAME --out FILE`` and the GUI both go through ``produce``: resolve what the
report covers (round, unit), build the ``Document`` and render it by the file's suffix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import report_data
from gnapp.domain.errors import InputError
from gnapp.forms import document as d
from gnapp.forms import review_reports as rr
from gnapp.forms.pdf import render_pdf
from gnapp.forms.xlsx import render_xlsx


@dataclass(frozen=True)
class ReportSpec:
    """A report gnapp can produce.

    Attributes:
        name: the name used on the command line ("bao-cao-1")
        label: its short Vietnamese name ("Báo cáo 1")
        title: what it shows
        build: ``build(db, scope, today) -> Document``
        needs_previous: compares with the round before (Báo cáo 2–3)
    """

    name: str
    label: str
    title: str
    build: rr.Builder
    needs_previous: bool = False


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("bao-cao-1", "Báo cáo 1", "Tổng hợp kết quả chính thức rà soát hộ nghèo, hộ cận "
               "nghèo, hộ làm nông, lâm, ngư nghiệp có mức sống trung bình", rr.report_1),
    ReportSpec("bao-cao-2", "Báo cáo 2", "Tổng hợp diễn biến hộ nghèo (so với đợt rà soát "
               "trước)", rr.report_2, needs_previous=True),
    ReportSpec("bao-cao-3", "Báo cáo 3", "Tổng hợp diễn biến hộ cận nghèo (so với đợt rà soát "
               "trước)", rr.report_3, needs_previous=True),
    ReportSpec("bao-cao-4", "Báo cáo 4", "Phân tích các chỉ số thiếu hụt dịch vụ xã hội cơ bản "
               "của hộ nghèo", rr.report_4),
    ReportSpec("bao-cao-5", "Báo cáo 5", "Phân tích tỷ lệ các chỉ số thiếu hụt dịch vụ xã hội "
               "cơ bản của hộ nghèo", rr.report_5),
)}

FORMATS = {".pdf": render_pdf, ".xlsx": render_xlsx}


def spec(name: str) -> ReportSpec:
    """The report called ``name``; "1" or "bc1" are accepted for "bao-cao-1".

    :raises InputError: no such report
    """
    key = name.strip().lower()
    for prefix in ("bao-cao-", "baocao", "bc"):
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            key = key[len(prefix):]
    if key.isdigit():
        key = f"bao-cao-{int(key)}"
    if key not in REPORTS:
        raise InputError(f"Không có báo cáo «{name}». Các báo cáo: {', '.join(REPORTS)} "
                         "(xem «gnapp report list»).")
    return REPORTS[key]


def build(db: Database, name: str, *, round_year: int | None = None,
          unit_code: str | None = None, today: date | None = None) -> d.Document:
    """Build the document of report ``name`` for a round (default: the current one) and a
    unit (default: the commune; or one of its villages)."""
    report = spec(name)
    today = today or date.today()
    scope = report_data.resolve_scope(db, round_year=round_year, unit_code=unit_code,
                                      today=today)
    return report.build(db, scope, today)


def render(doc: d.Document, path: str | Path) -> Path:
    """Render ``doc`` to ``path``, as PDF or XLSX by its suffix.

    :raises InputError: another suffix
    """
    path = Path(path)
    renderer = FORMATS.get(path.suffix.lower())
    if renderer is None:
        raise InputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {path.name}")
    return renderer(doc, path)


def produce(db: Database, name: str, out: str | Path, *, round_year: int | None = None,
            unit_code: str | None = None, today: date | None = None) -> Path:
    """Build report ``name`` and write it to ``out`` (.pdf or .xlsx); return the path."""
    render_check = Path(out)
    if render_check.suffix.lower() not in FORMATS:
        raise InputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {render_check.name}")
    doc = build(db, name, round_year=round_year, unit_code=unit_code, today=today)
    return render(doc, out)
