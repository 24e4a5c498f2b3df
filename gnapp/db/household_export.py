"""Export of the register and the latest review results to XLSX (openpyxl).

Two sheets, each with a bold merged title in row 1 and a styled header row 2: "Hộ gia đình"
(one row per household, its latest review) and "Thành viên" (one row per member). Numbers
are written as numbers, codes as their Vietnamese labels, birth dates as they are known
("1970", "03/1970", "05/03/1970"); no cell is ever a formula (a text starting with "=" stays
text). The file is written beside its target and renamed, so a failure leaves no half file.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.domain import codes
from gnapp.domain.register import parse_birth

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
_YES = {1: "Có", 0: "Không", None: ""}

HOUSEHOLD_COLUMNS = (["Mã hộ", "Thôn", "Địa chỉ", "Khu vực", "Chủ hộ", "Số nhân khẩu",
                      "Tình trạng"] + list(codes.HOUSEHOLD_FLAGS.values())
                     + ["Đợt rà soát gần nhất", "Phân loại", "Số chỉ số thiếu hụt", "Điểm B2",
                        "Chuẩn nghèo", "Mã xã cũ", "Mã hộ cũ", "Điểm B1"])
MEMBER_COLUMNS = ["Mã hộ", "STT", "Họ và tên", "Giới tính", "Ngày sinh", "Dân tộc",
                  "Quan hệ với chủ hộ", "Số CCCD/CMND", "Có thẻ BHYT", "Tình trạng đi học",
                  "Việc làm", "Khuyết tật", "Trợ cấp xã hội", "Tình trạng"]
STATUS = {"active": "Đang ở", "moved_out": "Đã chuyển đi", "merged": "Đã nhập hộ khác",
          "dissolved": "Không còn thành viên", "present": "Đang ở", "deceased": "Đã mất"}


def _sheet(wb: Workbook, title: str, heading: str, columns: list[str], rows: list[list],
           widths: list[int]) -> None:
    ws = wb.create_sheet(title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1, heading).font = Font(name="Times New Roman", size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for col, name in enumerate(columns, 1):
        cell = ws.cell(2, col, name)
        cell.font = Font(name="Times New Roman", size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border, cell.fill = _BORDER, _HEAD_FILL
        ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    for r, values in enumerate(rows, 3):
        for col, value in enumerate(values, 1):
            cell = ws.cell(r, col, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"          # text, never a formula
    ws.freeze_panes = "A3"


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _birth(value: str | None) -> str:
    birth = parse_birth(value)
    return birth.display() if birth else (value or "")


def export_households(db: Database, path: str | Path) -> Path:
    """Write every household of the register (sheet "Hộ gia đình") and its members (sheet
    "Thành viên") with the latest review result; returns the file written."""
    path = Path(path)
    latest = {r["household_id"]: r for r in db.query(
        "SELECT r.household_id, r.class, r.deprivation_count, r.b2, r.standard_id, r.b1_score, "
        "rr.year, rr.kind FROM household_review r JOIN review_round rr ON rr.id = r.round_id "
        "WHERE r.deleted = 0 ORDER BY rr.starts_on")}
    homes, people = [], []
    for home in db.query(
            "SELECT h.*, v.name AS village FROM household h JOIN admin_unit v "
            "ON v.id = h.village_id WHERE h.deleted = 0 ORDER BY v.name_key, h.code"):
        roster = hh.members(db, home["id"], include_left=True)
        head = next((m["full_name"] for m in roster
                     if m["relation"] == "head" and m["status"] == "present"), "")
        review = latest.get(home["id"])
        homes.append([home["code"], home["village"], home["address"] or "",
                      codes.AREA.get(home["area"], home["area"]), head,
                      sum(1 for m in roster if m["status"] == "present"),
                      STATUS.get(home["status"], home["status"])]
                     + [_YES[home[f]] for f in codes.HOUSEHOLD_FLAGS]
                     + ([review["year"], codes.CLASS.get(review["class"] or "", ""),
                         review["deprivation_count"], review["b2"], review["standard_id"]]
                        if review else [None, "", None, None, ""])
                     + [home["former_unit_code"] or "", home["former_code"] or ""]
                     + [_number(review["b1_score"]) if review else None])
        for m in roster:
            people.append([home["code"], m["position"], m["full_name"],
                           codes.SEX.get(m["sex"] or "", ""), _birth(m["birth_date"]),
                           m["ethnicity"] or "", codes.RELATION.get(m["relation"], ""),
                           m["id_number"] or "", _YES[m["health_insurance"]],
                           codes.SCHOOLING.get(m["schooling"] or "", ""),
                           codes.EMPLOYMENT.get(m["employment"] or "", ""),
                           _YES[m["disability"]], _YES[m["social_allowance"]],
                           STATUS.get(m["status"], m["status"])])
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "Hộ gia đình", "DANH SÁCH HỘ GIA ĐÌNH", HOUSEHOLD_COLUMNS, homes,
           [10, 18, 22, 11, 24, 10, 14] + [14] * len(codes.HOUSEHOLD_FLAGS) + [12, 16, 10, 8, 10,
                                                                                 10, 10, 9])
    _sheet(wb, "Thành viên", "DANH SÁCH THÀNH VIÊN HỘ", MEMBER_COLUMNS, people,
           [10, 6, 26, 9, 12, 10, 16, 16, 9, 18, 30, 9, 9, 12])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    wb.save(tmp)
    tmp.replace(path)
    return path
