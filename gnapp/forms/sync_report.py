"""The import report of sync packages as a printable document (DESIGN.md §4, step 6).

Built from the reports' plain dictionaries (``ImportReport.as_dict()``), so this module
needs nothing from ``gnapp.sync``: per package its outcome and reason, the counts by
category, the clock warning, and every row that was not unchanged with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from gnapp.domain.canonical import canonical_json
from gnapp.domain.units import place_name
from gnapp.forms import document as d

TITLE = "BÁO CÁO NHẬN GÓI ĐỒNG BỘ"
# The categories of rows, in the order they are printed (importer.ACTION_LABELS' keys).
CATEGORIES = (("new", "mới"), ("update", "cập nhật"), ("unchanged", "không đổi"),
              ("conflict", "xung đột"), ("refused", "bị từ chối"))
PREPARER = d.Signature((), "NGƯỜI LẬP", "(Ký, ghi rõ họ tên)")


def counts_line(counts: Mapping[str, int]) -> str:
    """"mới 8, cập nhật 0, không đổi 0, xung đột 0, bị từ chối 0"."""
    return ", ".join(f"{label} {counts.get(key, 0)}" for key, label in CATEGORIES)


# Rows shown one by one (new and unchanged rows are counted only).
DETAILED = ("update", "conflict", "refused")


def package_heading(report: Mapping[str, Any], *, with_status: bool = True) -> str:
    """"Gói số 1 của 07339 (Xã Tân Yên): đã nhận", or the file for a file that could not be
    read."""
    if report.get("package_no") is None:
        head = f"Tệp {report['file']}"
    else:
        head = f"Gói số {report['package_no']} của {report.get('from_unit')}"
        if report.get("sender_name"):
            head += f" ({report['sender_name']})"
    return f"{head}: {report['status_label']}" if with_status else head


def category_lines(report: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The rows of a package by category, each with its tables where the rows are known:
    "Mới: 13 (đơn vị hành chính 1, hộ gia đình 4, …)", "Không đổi: 2"."""
    counts = report.get("counts") or {}
    if not any(counts.values()):
        return ["Không có dòng dữ liệu nào (gói chỉ mang xác nhận)."] \
            if report.get("status") in ("applied", "dry_run") else []
    lines = []
    for key, label in CATEGORIES:
        total = counts.get(key, 0)
        if not total:
            continue
        by_table: dict[str, int] = {}
        for table, n in (report.get("tables") or {}).get(key, {}).items():
            name = labels.get(table, table)
            by_table[name] = by_table.get(name, 0) + n
        line = f"{label.capitalize()}: {total}"
        if by_table and sum(by_table.values()) == total:
            line += " (" + ", ".join(f"{name} {n}" for name, n in by_table.items()) + ")"
        lines.append(line)
    return lines


def shown_reason(report: Mapping[str, Any]) -> str:
    """The reason a person reads: for an unconfirmed sender, what to do in the program
    (the importer's own text names the command line's --trust)."""
    if report.get("status") == "untrusted":
        return ("máy gửi chưa được xác nhận; đối chiếu mã khóa với đơn vị gửi rồi bấm «Xác "
                "nhận máy gửi…»")
    return report.get("reason") or ""


def _rows_table(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str],
               field_labels: Mapping[str, str]) -> d.Table:
    columns = (d.Column(10, d.INT), d.Column(30, d.TEXT), d.Column(40, d.TEXT),
               d.Column(20, d.TEXT), d.Column(30, d.TEXT), d.Column(50, d.TEXT))
    header = ((d.Cell("TT"), d.Cell("Loại dữ liệu"), d.Cell("Mã dòng"), d.Cell("Kết quả"),
               d.Cell("Trường"), d.Cell("Lý do")),)
    body = tuple(d.Row((n, labels.get(r["table"], r["table"]), r["row_id"], r["action_label"],
                        ", ".join(field_labels.get(f, f) for f in r.get("fields") or []),
                        r.get("reason") or ""))
                 for n, r in enumerate(rows, start=1))
    return d.Table(columns, header, body)


def import_report_document(reports: Sequence[Mapping[str, Any]], *, unit_name: str,
                           day: date, table_labels: Mapping[str, str] | None = None,
                           field_labels: Mapping[str, str] | None = None,
                           site_name: str | None = None) -> d.Document:
    """The report of one import (one or several packages), ready for ``pdf.render_pdf``.

    :param reports: ``ImportReport.as_dict()`` of each package, in the order imported
    :param unit_name: the receiving unit ("Tỉnh Bắc Ninh"), printed as the issuer
    :param table_labels: what a user calls each table's rows ("hộ gia đình")
    :param field_labels: what a user calls the fields ("Họ và tên"); others print their name
    """
    labels = dict(table_labels or {})
    body: list[d.Block] = []
    intro = f"Ngày {day:%d/%m/%Y}, {unit_name}"
    if site_name:
        intro += f" (máy {site_name})"
    intro += f" nhận {len(reports)} gói đồng bộ, kết quả như sau:"
    body.append(d.Para(intro))
    for report in reports:
        body.append(d.Heading(package_heading(report), level=2))
        if shown_reason(report):
            body.append(d.Bullet(f"Lý do: {shown_reason(report).rstrip('.')}."))
        if report.get("status") == "untrusted" and report.get("fingerprint"):
            body.append(d.Bullet(f"Mã khóa của máy gửi: {report['fingerprint']} (đối chiếu với "
                                 "đơn vị gửi trước khi xác nhận)."))
        if report.get("clock_warning"):
            body.append(d.Bullet(report["clock_warning"]))
        if report.get("acknowledged_up_to"):
            body.append(d.Bullet(f"Đơn vị gửi xác nhận đã nhận đến gói số "
                                 f"{report['acknowledged_up_to']} của máy này."))
        body += [d.Bullet(line + ".") for line in category_lines(report, labels)]
        rows = [r for r in report.get("rows", []) if r.get("action") in DETAILED]
        if rows:
            body.append(_rows_table(rows, labels, field_labels or {}))
    fingerprint = hashlib.sha256(canonical_json(
        {"reports": list(reports)}).encode("utf-8")).hexdigest()
    return d.Document(issuer=(unit_name.upper(),), title=(TITLE,), place=place_name(unit_name),
                      day=day, body=tuple(body), signatures=(PREPARER,),
                      fingerprint=fingerprint, name="nhan-goi-dong-bo")
