"""Every form and report gnapp prints, by name, and the one way to produce a file of it.

``gnapp report NAME --out FILE`` and the GUI both go through ``produce``: resolve what the
report covers (round, unit), build the ``Document`` and render it by the file's suffix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from gnapp.db import report_data
from gnapp.domain.errors import InputError
from gnapp.forms import document as d
from gnapp.forms import certificate as cert
from gnapp.forms import procedure_forms as pf
from gnapp.forms import review_reports as rr
from gnapp.forms.pdf import render_pdf


@dataclass(frozen=True)
class ReportSpec:
    """A report gnapp can produce.

    Attributes:
        name: the name used on the command line ("bao-cao-1")
        label: its short Vietnamese name ("Báo cáo 1")
        title: what it shows
        build: ``build(db, scope, today) -> Document``
        needs_previous: compares with the round before (Báo cáo 2–3)
        options: keyword options ``build`` takes besides the scope ("household", "blank",
            "chart": the report's figures also drawn as a chart)
        formats: the file suffixes it can be written to (forms that are not one table
            are PDF only)
        recorded: each print is recorded as a printed copy (``gnapp.forms.printing``)
        locks_round: the document counts the round's reviews of the villages it covers (the
            review reports, the lists of the round): a signed copy locks those reviews and
            guards the round and villages against new reviews and requests
            (``gnapp.db.documents.round_rows``)
        symbol: the number's symbol when it is issued with a number from the book
        group: where the Reports area lists it
    """

    name: str
    label: str
    title: str
    build: rr.Builder
    needs_previous: bool = False
    options: tuple[str, ...] = ()
    formats: tuple[str, ...] = (".pdf", ".xlsx")
    recorded: bool = True
    locks_round: bool = False
    symbol: str | None = None
    group: str = "Báo cáo rà soát"


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("bao-cao-1", "Báo cáo 1", "Tổng hợp kết quả chính thức rà soát hộ nghèo, hộ cận "
               "nghèo, hộ làm nông, lâm, ngư nghiệp có mức sống trung bình", rr.report_1,
               options=("chart",), locks_round=True),
    ReportSpec("bao-cao-2", "Báo cáo 2", "Tổng hợp diễn biến hộ nghèo (so với đợt rà soát "
               "trước)", rr.report_2, needs_previous=True, locks_round=True),
    ReportSpec("bao-cao-3", "Báo cáo 3", "Tổng hợp diễn biến hộ cận nghèo (so với đợt rà soát "
               "trước)", rr.report_3, needs_previous=True, locks_round=True),
    ReportSpec("bao-cao-4", "Báo cáo 4", "Phân tích các chỉ số thiếu hụt dịch vụ xã hội cơ bản "
               "của hộ nghèo", rr.report_4, locks_round=True),
    ReportSpec("bao-cao-5", "Báo cáo 5", "Phân tích tỷ lệ các chỉ số thiếu hụt dịch vụ xã hội "
               "cơ bản của hộ nghèo", rr.report_5, options=("chart",), locks_round=True),
    ReportSpec("bao-cao-6", "Báo cáo 6", "Phân tích các chỉ số thiếu hụt dịch vụ xã hội cơ bản "
               "của hộ cận nghèo", rr.report_6, locks_round=True),
    ReportSpec("bao-cao-7", "Báo cáo 7", "Phân tích tỷ lệ các chỉ số thiếu hụt dịch vụ xã hội "
               "cơ bản của hộ cận nghèo", rr.report_7, locks_round=True),
    ReportSpec("bao-cao-8", "Báo cáo 8", "Phân tích hộ nghèo, hộ cận nghèo theo các nhóm đối "
               "tượng", rr.report_8, locks_round=True),
    ReportSpec("bao-cao-9", "Báo cáo 9", "Phân tích hộ nghèo, hộ cận nghèo theo dân tộc",
               rr.report_9, locks_round=True),
    ReportSpec("bao-cao-10", "Báo cáo 10", "Phân nhóm hộ nghèo, hộ cận nghèo theo các nguyên "
               "nhân nghèo", rr.report_10, locks_round=True),
    ReportSpec("bao-cao-11", "Báo cáo 11", "Tổng hợp chỉ tiêu thiếu hụt của trẻ em thuộc hộ "
               "nghèo, hộ cận nghèo", rr.report_11, locks_round=True),
    ReportSpec("bao-cao-12", "Báo cáo 12", "Tổng hợp kết quả rà soát hộ nghèo theo chuẩn nghèo "
               "đa chiều", rr.report_12, locks_round=True),
    ReportSpec("bao-cao-13", "Báo cáo 13", "Tổng hợp kết quả rà soát hộ cận nghèo theo chuẩn "
               "nghèo đa chiều", rr.report_13, locks_round=True),
    ReportSpec("bao-cao-14", "Báo cáo 14", "Danh sách chi tiết hộ cận nghèo", rr.report_14,
               locks_round=True),
    ReportSpec("bao-cao-15", "Báo cáo 15", "Danh sách chi tiết hộ nghèo", rr.report_15,
               locks_round=True),
)}

# The forms of the review procedure and the certificate (each print recorded).
_PROCEDURE = "Biểu mẫu quy trình rà soát"
_HOUSEHOLD_FORM = ("household", "blank")
REPORTS.update({form.name: form for form in (
    ReportSpec("phu-luc-1", "Phụ lục I", "Danh sách hộ gia đình cần rà soát (hộ nghèo, hộ cận "
               "nghèo đang có tên và hộ có giấy đề nghị)", pf.review_list,
               group=_PROCEDURE),
    ReportSpec("phieu-a", "Phiếu A", "Phiếu A – nhận dạng nhanh đặc điểm hộ (trắng hoặc điền "
               "sẵn từ sổ hộ)", pf.phieu_a, options=_HOUSEHOLD_FORM, formats=(".pdf",),
               group=_PROCEDURE),
    ReportSpec("phieu-b", "Phiếu B", "Phiếu B – rà soát hộ nghèo, hộ cận nghèo: thu nhập (B1) "
               "và 12 chỉ số thiếu hụt (B2), trắng hoặc điền sẵn", pf.phieu_b,
               options=_HOUSEHOLD_FORM, formats=(".pdf",), group=_PROCEDURE),
    ReportSpec("phieu-c", "Phiếu C", "Phiếu C – đặc điểm hộ nghèo, hộ cận nghèo: nhóm đối "
               "tượng, nguyên nhân, nhu cầu (trắng hoặc điền sẵn)", pf.phieu_c,
               options=_HOUSEHOLD_FORM, formats=(".pdf",), group=_PROCEDURE),
    ReportSpec("bien-ban-hop-dan", "Biên bản họp dân", "Biên bản họp dân bình xét của một thôn "
               "(02 bản)", pf.meeting_minutes, formats=(".pdf",), locks_round=True,
               group=_PROCEDURE),
    ReportSpec("niem-yet", "Danh sách niêm yết", "Thông báo niêm yết công khai danh sách hộ "
               "nghèo, cận nghèo, thoát nghèo, thoát cận nghèo (không in số CCCD, chỉ năm "
               "sinh)", pf.posting_list, locks_round=True, symbol="TB-BCĐ", group=_PROCEDURE),
    ReportSpec("quyet-dinh", "Quyết định công nhận", "Quyết định công nhận hộ nghèo, hộ cận "
               "nghèo, hộ thoát nghèo, hộ thoát cận nghèo kèm danh sách", pf.recognition_decision,
               formats=(".pdf",), locks_round=True, symbol="QĐ-UBND", group=_PROCEDURE),
    ReportSpec("danh-sach-cong-nhan", "Danh sách công nhận", "Bốn danh sách kèm theo quyết "
               "định công nhận (bảng tính)", pf.recognition_lists, locks_round=True,
               group=_PROCEDURE),
    ReportSpec("giay-chung-nhan", "Giấy chứng nhận", "Giấy chứng nhận hộ nghèo, hộ cận nghèo "
               "(Mẫu số 03) của một hộ", cert.certificate, options=("household",),
               formats=(".pdf",), symbol=cert.SYMBOL, group=_PROCEDURE),
)})

def render_xlsx(doc: d.Document, path: str | Path) -> Path:
    """``forms.xlsx.render_xlsx``, imported when first used (openpyxl takes a third of a
    second to load, at every start of the program otherwise)."""
    from gnapp.forms.xlsx import render_xlsx as render

    return render(doc, path)


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
          unit_code: str | None = None, today: date | None = None,
          **options: Any) -> d.Document:
    """Build the document of report ``name`` for a round (default: the current one) and a
    unit (default: the commune; or one of its villages); ``options`` (a household's code,
    ``blank``) go to the forms that take them.

    The document's fingerprint is computed here, the same way for every form: the hash of
    its identity and of every text and table cell it shows (``document.content_fingerprint``),
    so that a changed figure gives another fingerprint with no code in the report itself.

    :raises InputError: an option the report does not take
    """
    report = spec(name)
    today = today or date.today()
    given = {k: v for k, v in options.items() if v not in (None, False, "")}
    unknown = set(given) - set(report.options)
    if unknown:
        raise InputError(f"{report.label} không dùng tùy chọn "
                         f"{', '.join('--' + k for k in sorted(unknown))}.")
    scope = resolve(db, report.name, round_year=round_year, unit_code=unit_code, today=today)
    doc = report.build(db, scope, today, **given)
    return replace(doc, fingerprint=d.content_fingerprint(doc, identity(report, scope, given)))


def resolve(db: Database, name: str, *, round_year: int | None = None,
            unit_code: str | None = None, today: date | None = None) -> report_data.Scope:
    """What report ``name`` covers (round, unit, villages) with these parameters."""
    report = spec(name)
    return report_data.resolve_scope(db, round_year=round_year, unit_code=unit_code,
                                     today=today or date.today(),
                                     office=report.name in rr.OFFICE_REPORTS)


def identity(report: ReportSpec, scope: report_data.Scope, options: dict[str, Any]) -> dict:
    """What a document is, hashed with what it shows (``document.content_fingerprint``): the
    form, its unit, the rounds counted (and those compared with) and its options."""
    return {"form": report.name, "unit": scope.unit["code"],
            "rounds": [part.round["id"] for part in scope.parts],
            "previous": [part.previous["id"] if part.previous else None
                         for part in scope.parts],
            "standard": scope.standard.id,
            "options": {k: int(v) if isinstance(v, bool) else v for k, v in options.items()}}


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
            unit_code: str | None = None, today: date | None = None, **options: Any) -> Path:
    """Build report ``name`` (with ``options``, see ``build``) and write it to ``out`` (.pdf
    or .xlsx); return the path."""
    render_check = Path(out)
    if render_check.suffix.lower() not in FORMATS:
        raise InputError(f"Tệp báo cáo phải có đuôi .pdf hoặc .xlsx: {render_check.name}")
    check_format(spec(name), render_check)
    doc = build(db, name, round_year=round_year, unit_code=unit_code, today=today, **options)
    return render(doc, out)


def check_format(report: ReportSpec, path: Path) -> None:
    """:raises InputError: a form that is not one table asked for as XLSX"""
    if path.suffix.lower() not in report.formats:
        raise InputError(f"{report.label} chỉ lập được ra tệp "
                         f"{' hoặc '.join(report.formats)}: {path.name}")
