"""Household lists read from files: XLSX, CSV and JSON rows turned into household records.

Reading (``read_table``) gives the rows of a file as they are, every text in NFC:

- **XLSX**: the first sheet; the header row is the first row with at least two filled cells
  (a merged title above it is skipped); row numbers are the sheet's own.
- **CSV**: UTF-8 (with or without BOM); the delimiter is the one of ``,`` ``;`` and tab that
  the header line uses most; row numbers are line numbers.
- **JSON**: a list of objects (or an object holding one such list, e.g. ``{"data": […]}``);
  nested objects are flattened with dots (``{"family": {"code": …}}`` → ``family.code``);
  the "row" of a record is its position in the list, from 1.

A **mapping** says which column holds which *target field*. The national review software's
export (domain.md §4.5) is recognised by its keys and needs none (``NATIONAL_MAPPING``);
any other sheet needs a mapping file, JSON ``{"column in the file": "target field", …}``
(``null`` ignores a column), or the guess of ``suggest_mapping``. Target fields:

==================================  =========================================================
``household.code``                  household code (required)
``village``                         village name, matched among the commune's villages
                                    (required)
``household.address``               address
``household.area``                  "Nông thôn" / "Thành thị" (rural / urban)
``household.members_count``         number of members as printed (checked against the roster)
``household.<flag>``                yes/no flags of ``codes.HOUSEHOLD_FLAGS``:
                                    ``ethnic_minority``, ``revolution_merit``, ``no_labour``,
                                    ``social_protection``, ``single_no_support``,
                                    ``farm_household``
``household.farm_average``          farm household with average living standard: "yes" marks
                                    the household a farm household, "no" changes nothing
``head.full_name``                  head of household (required)
``head.sex``, ``head.birth_date``,  the head's sex, birth date (or year), ethnicity, CCCD/CMND
``head.ethnicity``,                 number, health insurance card (yes/no)
``head.id_number``,
``head.health_insurance``
``members``                         the roster: a JSON list (or JSON text) of objects with
                                    ``name``, ``sex``/``gender``, ``birthDate``, ``ethnicity``,
                                    ``relation`` (to the head), ``healthInsurance``,
                                    ``idNumber`` (other spellings in ``MEMBER_KEYS``)
``review.year``                     year of the periodic review round
``review.date``, ``review.reviewer`` review date and reviewer
``review.b1_score``                 B1 score
``review.b2_score``                 B2 score as printed (checked: 10 × deprivations)
``review.class``                    class as printed (checked against the computed class)
``review.deprivation_total``        number of deprivations as printed (checked)
``review.deprivation.<code>``       the 12 indicators, codes of ``codes.CN2022_INDICATORS``
``review.cause.<code>``             causes of poverty, codes of ``CAUSES``
``review.need.<code>``              support needs, codes of ``NEEDS``
==================================  =========================================================

Blank cells never erase what the register holds. In a sheet (XLSX, CSV) marked with "x", a
blank indicator cell next to answered ones means "not deprived"; in JSON ``null`` stays
unanswered. ``read_record`` turns one row into a ``HouseholdRecord`` or a list of
``InputError`` naming file, row and field; nothing here touches a database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gnapp.domain import codes
from gnapp.domain.codes import CLASS, CN2022_INDICATORS, HOUSEHOLD_FLAGS, RELATION
from gnapp.domain.dates import PartialDate, parse_date, parse_partial_date
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import parse_file_number, parse_number, to_decimal
from gnapp.domain.register import validate_member
from gnapp.domain.text import clean, fold, nfc_values, quoted

# The 12 indicators of CN2022 by their export codes, with their names (domain.md §5.3).
DEPRIVATIONS = dict(zip(CN2022_INDICATORS, (
    "Việc làm", "Người phụ thuộc trong hộ gia đình", "Dinh dưỡng", "Bảo hiểm y tế",
    "Trình độ giáo dục của người lớn", "Tình trạng đi học của trẻ em", "Chất lượng nhà ở",
    "Diện tích nhà ở bình quân đầu người", "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh",
    "Sử dụng dịch vụ viễn thông", "Phương tiện phục vụ tiếp cận thông tin")))

# Causes of poverty and support needs (``codes.POVERTY_CAUSES``, ``codes.SUPPORT_NEEDS``),
# with the words a sheet's column headers use for them.
CAUSES = {code: "Nguyên nhân khác" if code == "other" else label
          for code, label in codes.POVERTY_CAUSES.items()}
NEEDS = {code: f"Hỗ trợ {label.lower()}" for code, label in codes.SUPPORT_NEEDS.items()}

HEAD_FIELDS = {"full_name": "Họ và tên chủ hộ", "sex": "Giới tính chủ hộ",
               "birth_date": "Ngày sinh chủ hộ", "ethnicity": "Dân tộc chủ hộ",
               "id_number": "Số CCCD/CMND chủ hộ", "health_insurance": "Chủ hộ có thẻ BHYT"}

# Every target field a mapping may name, with what a person calls it.
TARGETS: dict[str, str] = {
    "household.code": "Mã hộ",
    "village": "Thôn",
    "household.address": "Địa chỉ",
    "household.area": "Khu vực",
    "household.members_count": "Số nhân khẩu (ghi trong tệp)",
    **{f"household.{flag}": label for flag, label in HOUSEHOLD_FLAGS.items()},
    "household.farm_average": "Hộ làm NLNDN có mức sống trung bình",
    **{f"head.{name}": label for name, label in HEAD_FIELDS.items()},
    "members": "Danh sách thành viên",
    "review.year": "Năm rà soát",
    "review.date": "Ngày rà soát",
    "review.reviewer": "Người rà soát",
    "review.b1_score": "Điểm B1",
    "review.b2_score": "Điểm B2 (ghi trong tệp)",
    "review.class": "Phân loại (ghi trong tệp)",
    "review.deprivation_total": "Tổng số chỉ số thiếu hụt (ghi trong tệp)",
    **{f"review.deprivation.{code}": f"Thiếu hụt {name.lower()}"
       for code, name in DEPRIVATIONS.items()},
    **{f"review.cause.{code}": f"Nguyên nhân nghèo: {label.lower()}"
       for code, label in CAUSES.items()},
    **{f"review.need.{code}": f"Nhu cầu: {label.lower()}" for code, label in NEEDS.items()},
}
REQUIRED = ("household.code", "head.full_name", "village")

# The export of the national review software (domain.md §4.5): imported without a mapping.
NATIONAL_MAPPING: dict[str, str] = {
    "date": "review.date",
    "family.code": "household.code",
    "family.hostName": "head.full_name",
    "family.hostGender": "head.sex",
    "family.hostBirthDate": "head.birth_date",
    "family.numberOfMembers": "household.members_count",
    "family.ethnicity": "head.ethnicity",
    "family.isDTTS": "household.ethnic_minority",
    "family.hasNoLaborCapacity": "household.no_labour",
    "family.hasRevolutionMeritPolicy": "household.revolution_merit",
    "family.isAgricultureForestryFisherySaltMediumLivingStandard": "household.farm_average",
    "family.membersJson": "members",
    "b1Point": "review.b1_score",
    "b2Point": "review.b2_score",
    "classify": "review.class",
    "reviewer": "review.reviewer",
    "administrative.year": "review.year",
    "administrative.village_or_group": "village",
    "deprivation.totalCount": "review.deprivation_total",
    **{f"deprivation.{code}": f"review.deprivation.{code}" for code in CN2022_INDICATORS},
    **{f"reason.{code}": f"review.cause.{code}" for code in CAUSES},
    **{f"support.{code}": f"review.need.{code}" for code in NEEDS},
}
# Keys of the national export that gnapp knows but does not import: they are computed
# (children counts, transitions), or have no place in the register yet.
NATIONAL_NOT_IMPORTED = (
    "family.isKinh", "family.coDanTocTaiCho", "family.povertyStatusDetail",
    "family.nearPovertyStatusDetail", "quickReview.result", "administrative.province",
    "administrative.district", "administrative.commune", "children.totalCount",
    "children.lackHealthInsuranceCount", "children.nutritionDeprivedCount",
    "children.schoolAttendanceDeprivedCount", "transition.beginningClassify",
    "transition.endingClassify", "transition.poorChangeType", "transition.nearPoorChangeType",
)

# Keys of a member object in ``members``, folded to lower-case letters and digits.
MEMBER_KEYS = {
    "full_name": ("name", "fullname", "hoten", "hovaten", "ten", "membername"),
    "sex": ("sex", "gender", "gioitinh"),
    "birth_date": ("birthdate", "dateofbirth", "dob", "birthday", "ngaysinh", "namsinh",
                   "birthyear", "yearofbirth"),
    "ethnicity": ("ethnicity", "ethnic", "dantoc", "nation"),
    "relation": ("relation", "relationship", "relationtohost", "relationwithhost",
                 "relationtohead", "quanhe", "quanhevoichuho"),
    "health_insurance": ("healthinsurance", "hashealthinsurance", "bhyt", "cobhyt",
                         "cothebhyt"),
    "id_number": ("idnumber", "cccd", "identitynumber", "socccd", "cmnd", "socmnd", "idcard"),
}

_TRUE = {"true", "co", "x", "1", "yes", "y", "dung", "c", "v"}
_FALSE = {"false", "khong", "0", "no", "n", "sai", "k"}
_SEX_WORDS = {"nam": "nam", "m": "nam", "male": "nam", "trai": "nam",
              "nu": "nu", "f": "nu", "female": "nu", "gai": "nu"}
_AREA_WORDS = {"nong thon": "rural", "nt": "rural", "rural": "rural", "xa": "rural",
               "thanh thi": "urban", "do thi": "urban", "tt": "urban", "urban": "urban",
               "phuong": "urban"}
_CLASS_WORDS = {
    "poor": "poor", "ho ngheo": "poor", "ngheo": "poor", "n": "poor",
    "near_poor": "near_poor", "ho can ngheo": "near_poor", "can ngheo": "near_poor",
    "cn": "near_poor",
    "not_poor": "not_poor", "khong ngheo": "not_poor", "ho khong ngheo": "not_poor",
    "average": "average", "ho co muc song trung binh": "average",
    "ho lam nlndn co muc song trung binh": "average", "muc song trung binh": "average",
    "mstb": "average",
}
_RELATION_WORDS = {
    "chu ho": "head", "head": "head", "host": "head", "ban than": "head",
    "vo": "spouse", "chong": "spouse", "vo/chong": "spouse", "vo chong": "spouse",
    "spouse": "spouse", "wife": "spouse", "husband": "spouse",
    "con": "child", "con de": "child", "con nuoi": "child", "con trai": "child",
    "con gai": "child", "child": "child",
    "con dau": "child_in_law", "con re": "child_in_law", "con dau/con re": "child_in_law",
    "chau": "grandchild", "chau noi": "grandchild", "chau ngoai": "grandchild",
    "grandchild": "grandchild",
    "bo": "parent", "me": "parent", "cha": "parent", "bo/me": "parent", "cha/me": "parent",
    "bo de": "parent", "me de": "parent", "parent": "parent",
    "bo vo": "parent_in_law", "me vo": "parent_in_law", "bo chong": "parent_in_law",
    "me chong": "parent_in_law", "bo/me vo/chong": "parent_in_law",
    "ong": "grandparent", "ba": "grandparent", "ong noi": "grandparent",
    "ba noi": "grandparent", "ong ngoai": "grandparent", "ba ngoai": "grandparent",
    "ong/ba": "grandparent",
    "anh": "sibling", "chi": "sibling", "em": "sibling", "anh/chi/em": "sibling",
    "anh trai": "sibling", "chi gai": "sibling", "em trai": "sibling", "em gai": "sibling",
    "khac": "other", "other": "other",
}
_RELATION_LABELS = {fold(label): code for code, label in RELATION.items()}
_ISO_WITH_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9:.]+(?:Z|[+-][0-9:]+)?")
_HEADER_ROWS = 20   # the header row is looked for among the first rows of a sheet
_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv", ".json": "json"}


# -- reading files ------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    """One data row of a file: its row number and its values by column (texts in NFC)."""

    number: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class SourceTable:
    """The rows of a file as read, before any mapping.

    Attributes:
        source: the file name, as messages name it
        kind: ``xlsx``, ``csv`` or ``json``
        headers: the column names (JSON: the flattened keys) in the order met
        rows: the data rows, empty rows left out
    """

    source: str
    kind: str
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]


def read_table(path: str | Path) -> SourceTable:
    """Read the rows of an XLSX, CSV or JSON file (see the module doc).

    :raises InputError: a missing or unreadable file, an unknown format, no header row, a
        JSON that is not a list of objects — naming the file
    """
    path = Path(path)
    name = path.name
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        hint = " (lưu lại dưới dạng .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise InputError(f"Không đọc được loại tệp «{path.suffix or name}»: chỉ nhận .xlsx, "
                         f".csv hoặc .json{hint}", source=name)
    if not path.is_file():
        raise InputError("Không tìm thấy tệp", source=name)
    reader = {"xlsx": _read_xlsx, "csv": _read_csv, "json": _read_json}[kind]
    headers, rows = reader(path, name)
    return SourceTable(source=name, kind=kind, headers=tuple(headers), rows=tuple(rows))


def _text(value: Any) -> Any:
    if isinstance(value, str):
        value = clean(value)
        return value if value else None
    return value


def _header_names(cells: Iterable[Any]) -> list[str | None]:
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for cell in cells:
        name = clean(str(cell)) if cell is not None else None
        if not name:
            names.append(None)
            continue
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _grid_rows(grid: Iterable[tuple[int, list[Any]]],
               name: str) -> tuple[list[str], list[SourceRow]]:
    """Header and data rows of a sheet given as (row number, cells)."""
    headers: list[str | None] | None = None
    rows: list[SourceRow] = []
    for number, cells in grid:
        cells = [_text(c) for c in cells]
        if headers is None:
            if number > _HEADER_ROWS:
                break
            if sum(c is not None for c in cells) >= 2:
                headers = _header_names(cells)
            continue
        values = {h: c for h, c in zip(headers, cells) if h is not None and c is not None}
        if values:
            rows.append(SourceRow(number, values))
    if headers is None:
        raise InputError(f"Không tìm thấy dòng tiêu đề cột trong {_HEADER_ROWS} dòng đầu",
                         source=name)
    return [h for h in headers if h is not None], rows


def _read_xlsx(path: Path, name: str) -> tuple[list[str], list[SourceRow]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"Không mở được tệp Excel ({type(exc).__name__}): tệp hỏng hoặc "
                         "không phải .xlsx", source=name) from None
    try:
        if not wb.worksheets:
            raise InputError("Tệp Excel không có trang tính nào", source=name)
        sheet = wb.worksheets[0]
        return _grid_rows(((i, list(r)) for i, r in
                           enumerate(sheet.iter_rows(values_only=True), 1)), name)
    finally:
        wb.close()


def _read_csv(path: Path, name: str) -> tuple[list[str], list[SourceRow]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("Tệp CSV không phải mã UTF-8: hãy lưu lại dưới dạng "
                         "«CSV UTF-8»", source=name) from None
    text = nfc_values(text)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _grid_rows(((reader.line_num, row) for row in reader), name)
    except csv.Error as exc:
        raise InputError(f"Tệp CSV sai định dạng ở dòng {reader.line_num}: {exc}",
                         source=name) from None


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects with dotted keys: ``{"a": {"b": 1}}`` → ``{"a.b": 1}``.

    Lists are values and stay as they are.
    """
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _read_json(path: Path, name: str) -> tuple[list[str], list[SourceRow]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("Tệp JSON không phải mã UTF-8", source=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"Tệp JSON sai cú pháp ở dòng {exc.lineno}, cột {exc.colno}: "
                         f"{exc.msg}", source=name) from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            data = lists[0]
    if not isinstance(data, list):
        raise InputError("Tệp JSON phải là một danh sách các bản ghi (mỗi hộ một đối tượng)",
                         source=name)
    data = nfc_values(data)
    headers: dict[str, None] = {}
    rows = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise InputError("Bản ghi không phải một đối tượng JSON", row=number, source=name)
        values = {k: _text(v) for k, v in flatten(item).items()}
        headers.update(dict.fromkeys(values))
        values = {k: v for k, v in values.items() if v is not None}
        if values:
            rows.append(SourceRow(number, values))
    return list(headers), rows


# -- value parsers ------------------------------------------------------------------------
# Each takes a value as read (str, int, float, bool, datetime, None) and the place it came
# from; blank gives None; anything else raises InputError naming file, row and field.

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    return quoted(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                   default=str))


def parse_text(value: Any, **where) -> str | None:
    """A text (NFC, single spaces); a whole number read by Excel (1001.0) gives "1001"."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise InputError(f"Giá trị {_shown(value)} không phải chữ", **where)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, dict)):
        raise InputError(f"Giá trị {_shown(value)} không phải chữ", **where)
    return clean(str(value))


def parse_bool(value: Any, **where) -> bool | None:
    """Yes or no: true/false, "Có"/"Không", "x", 1/0, yes/no (any case, with or without marks)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = fold(str(value)) if isinstance(value, str) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InputError(f"Giá trị {_shown(value)} không phải có/không (dùng Có/Không, true/false, "
                     "1/0 hoặc x)", **where)


def _date_text(value: Any, **where) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        raise InputError(f"Ngày {_shown(value)} không đúng định dạng", **where)
    match = _ISO_WITH_TIME.fullmatch(value.strip())
    return match.group(1) if match else value


def parse_day(value: Any, **where) -> date | None:
    """A full date: an Excel date, dd/mm/yyyy, d/m/yyyy or ISO (yyyy-mm-dd, time ignored)."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(_date_text(value, **where), **where)


def parse_birth(value: Any, **where) -> PartialDate | None:
    """A birth date, possibly only a year (1970) or month/year: an Excel date, a number, text."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return PartialDate(value.year, value.month, value.day)
    return parse_partial_date(_date_text(value, **where), **where)


def parse_decimal(value: Any, **where) -> Decimal | None:
    """A number in the file's own notation: a JSON or Excel number, "135,5", "1.234.567",
    or "135.5" (a point followed by other than three digits is a decimal point)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise InputError(f"Giá trị {_shown(value)} không phải là số", **where)
    if isinstance(value, (int, float, Decimal)):
        return to_decimal(value)
    if not isinstance(value, str):
        raise InputError(f"Giá trị {_shown(value)} không phải là số", **where)
    try:
        return parse_number(value, **where)
    except InputError:
        try:
            return parse_file_number(value.strip(), **where)
        except InputError:
            pass
        raise


def parse_whole(value: Any, **where) -> int | None:
    """A whole number (see ``parse_decimal``)."""
    number = parse_decimal(value, **where)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InputError(f"Số {_shown(value)} phải là số nguyên", **where)
    return int(number)


def parse_sex(value: Any, **where) -> str | None:
    """Sex as a code of ``codes.SEX``: "Nam"/"Nữ"/"nam"/"nu"/"M"/"F"/male/female."""
    if _blank(value):
        return None
    word = fold(str(value)) if not isinstance(value, bool) else None
    if word in _SEX_WORDS:
        return _SEX_WORDS[word]
    raise InputError(f"Giới tính {_shown(value)} không rõ (dùng Nam hoặc Nữ)", **where)


def parse_area(value: Any, **where) -> str | None:
    """Area as ``rural``/``urban``: "Nông thôn", "Thành thị", "đô thị", NT/TT."""
    if _blank(value):
        return None
    word = fold(str(value))
    if word in _AREA_WORDS:
        return _AREA_WORDS[word]
    raise InputError(f"Khu vực {_shown(value)} không rõ (dùng Nông thôn hoặc Thành thị)",
                     **where)


def parse_class(value: Any, **where) -> str | None:
    """A printed class as a key of ``codes.CLASS``: "Hộ nghèo", "Hộ cận nghèo", "Không nghèo",
    "Hộ có mức sống trung bình", "Hộ làm NLNDN có mức sống trung bình" …"""
    if _blank(value):
        return None
    word = " ".join(re.sub(r"[^a-z0-9_/ ]", " ", fold(str(value))).split())
    if word in _CLASS_WORDS:
        return _CLASS_WORDS[word]
    if "muc song trung binh" in word:
        return "average"
    if "can ngheo" in word:
        return "near_poor"
    if "khong ngheo" in word or "khong thuoc ho ngheo" in word:
        return "not_poor"
    if word.startswith("ho ngheo"):
        return "poor"
    raise InputError(f"Phân loại {_shown(value)} không rõ (dùng một trong: "
                     f"{', '.join(CLASS.values())})", **where)


def parse_relation(value: Any, **where) -> str | None:
    """Relation to the head as a key of ``codes.RELATION``: "Chủ hộ", "Vợ", "Con", "Cháu" …"""
    if _blank(value):
        return None
    word = fold(str(value))
    if word in _RELATION_WORDS:
        return _RELATION_WORDS[word]
    if word in _RELATION_LABELS:
        return _RELATION_LABELS[word]
    for prefix, code in (("con dau", "child_in_law"), ("con re", "child_in_law"),
                         ("con", "child"), ("chau", "grandchild")):
        if word.startswith(prefix + " "):
            return code
    raise InputError(f"Quan hệ với chủ hộ {_shown(value)} không rõ", **where)


# -- mappings -----------------------------------------------------------------------------

def is_national(headers: Iterable[str]) -> bool:
    """True for the export of the national review software (by its keys)."""
    present = set(headers)
    return {"family.code", "family.hostName"} <= present


def check_mapping(mapping: Mapping[str, Any], source: str | None) -> dict[str, str | None]:
    if not isinstance(mapping, Mapping):
        raise InputError('Tệp ánh xạ phải là một đối tượng JSON {"cột trong tệp": "trường"}',
                         source=source)
    result: dict[str, str | None] = {}
    for column, target in mapping.items():
        if target is not None and not isinstance(target, str):
            raise InputError(f"Cột {quoted(str(column))}: trường đích phải là chữ",
                             source=source)
        target = clean(target) or None if target is not None else None
        if target is not None and target not in TARGETS:
            raise InputError(f"Cột {quoted(str(column))}: không có trường đích {quoted(target)} "
                             "(xem danh sách trường trong tài liệu ánh xạ cột)", source=source)
        result[clean(str(column))] = target
    return result


def load_mapping(path: str | Path) -> dict[str, str | None]:
    """Read a mapping file ``{"column": "target field" | null}``.

    :raises InputError: unreadable JSON, or a target field not in ``TARGETS``, naming the file
    """
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InputError("Không tìm thấy tệp ánh xạ cột", source=path.name) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Tệp ánh xạ cột không phải JSON hợp lệ ({exc})",
                         source=path.name) from None
    return check_mapping(nfc_values(data), path.name)


def save_mapping(path: str | Path, mapping: Mapping[str, str | None]) -> Path:
    """Write a mapping file that ``load_mapping`` reads back (the next import reuses it)."""
    path = Path(path)
    checked = check_mapping(mapping, path.name)
    path.write_text(json.dumps(checked, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text) or "").split())


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(target: str, *names: str) -> None:
        for name in names:
            table.setdefault(_key(name), target)

    add("household.code", "Mã hộ", "Mã hộ gia đình", "Mã số hộ", "Mã HGĐ", "Số hộ")
    add("head.full_name", "Họ và tên chủ hộ", "Họ tên chủ hộ", "Tên chủ hộ", "Chủ hộ",
        "Chủ hộ gia đình")
    add("village", "Thôn", "Tên thôn", "Thôn, bản", "Thôn/bản", "Thôn, tổ", "Thôn/tổ",
        "Thôn/bản/tổ dân phố", "Thôn, bản, tổ dân phố", "Tổ dân phố", "Bản", "Ấp", "Xóm",
        "Thôn/xóm", "Địa bàn")
    add("household.address", "Địa chỉ", "Địa chỉ thường trú", "Nơi ở")
    add("household.area", "Khu vực", "Nông thôn/thành thị", "Thành thị/nông thôn")
    add("household.members_count", "Số nhân khẩu", "Nhân khẩu", "Số khẩu", "Số thành viên")
    add("head.sex", "Giới tính", "Giới tính chủ hộ", "Nam/nữ")
    add("head.birth_date", "Ngày sinh", "Năm sinh", "Ngày sinh chủ hộ", "Năm sinh chủ hộ",
        "Ngày tháng năm sinh")
    add("head.ethnicity", "Dân tộc", "Dân tộc chủ hộ")
    add("head.id_number", "Số CCCD", "CCCD", "Số CCCD/CMND", "CCCD/CMND", "Số định danh",
        "Số CMND", "Số căn cước")
    add("head.health_insurance", "Chủ hộ có thẻ BHYT", "Thẻ BHYT chủ hộ")
    add("members", "Thành viên", "Thành viên (JSON)", "Danh sách thành viên")
    add("review.year", "Năm rà soát", "Năm", "Đợt rà soát", "Đợt rà soát gần nhất")
    add("review.date", "Ngày rà soát", "Ngày điều tra", "Ngày phỏng vấn")
    add("review.reviewer", "Người rà soát", "Rà soát viên", "Cán bộ rà soát", "Điều tra viên")
    add("review.b1_score", "Điểm B1", "B1", "Tổng điểm B1")
    add("review.b2_score", "Điểm B2", "B2", "Tổng điểm B2")
    add("review.class", "Phân loại", "Kết quả phân loại", "Xếp loại", "Kết quả rà soát",
        "Phân loại hộ")
    add("review.deprivation_total", "Tổng số chỉ số thiếu hụt", "Số chỉ số thiếu hụt",
        "Tổng thiếu hụt", "Số thiếu hụt")
    for code, name in DEPRIVATIONS.items():
        add(f"review.deprivation.{code}", name, f"Thiếu hụt {name}", f"TH {name}")
    extra = {"dependentPerson": ("Người phụ thuộc",), "healthInsurance": ("BHYT",),
             "adultEducation": ("Giáo dục người lớn", "Trình độ giáo dục"),
             "childSchoolAttendance": ("Trẻ em đi học", "Đi học"),
             "housingQuality": ("Chất lượng nhà",), "housingArea": ("Diện tích nhà",
                                                                    "Diện tích nhà ở"),
             "cleanWater": ("Nước sinh hoạt", "Nước sạch"), "hygienicToilet": ("Nhà tiêu",),
             "telecommunication": ("Viễn thông", "Internet"),
             "informationAccessAssets": ("Tài sản tiếp cận thông tin",
                                         "Phương tiện tiếp cận thông tin")}
    for code, names in extra.items():
        add(f"review.deprivation.{code}", *names, *(f"Thiếu hụt {n}" for n in names))
    for code, label in CAUSES.items():
        add(f"review.cause.{code}", label, f"Nguyên nhân {label}")
    for code, label in NEEDS.items():
        add(f"review.need.{code}", label, f"Nhu cầu {label}")
    for flag, label in HOUSEHOLD_FLAGS.items():
        add(f"household.{flag}", label)
    add("household.ethnic_minority", "Dân tộc thiểu số", "DTTS", "Hộ DTTS")
    add("household.revolution_merit", "Người có công", "Hộ có công")
    add("household.no_labour", "Không có khả năng lao động")
    add("household.social_protection", "Bảo trợ xã hội")
    add("household.single_no_support", "Đơn thân")
    add("household.farm_household", "Hộ NLNDN", "Hộ làm nông, lâm, ngư, diêm nghiệp")
    add("household.farm_average", "Hộ có mức sống trung bình", "Mức sống trung bình")
    return table


_ALIASES = _aliases()


def suggest_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Guess the target field of each column from its folded name (the column-mapping step).

    ``"Họ và tên chủ hộ"`` → ``head.full_name``, ``"Mã hộ"`` → ``household.code``,
    ``"Thôn"`` → ``village``; a key of the national export maps as ``NATIONAL_MAPPING``.
    Columns with no guess are left out, and each target is given to one column only (the
    first). Show it to the user, let them correct it, and keep it with ``save_mapping``.
    """
    result: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = NATIONAL_MAPPING.get(header) or _ALIASES.get(_key(header))
        if target and target not in taken:
            result[header] = target
            taken.add(target)
    return result


def missing_required(mapping: Mapping[str, str | None], headers: Iterable[str]) -> list[str]:
    """Required target fields that no column of the file is mapped to."""
    present = set(headers)
    mapped = {t for c, t in mapping.items() if t and c in present}
    return [t for t in REQUIRED if t not in mapped]


# -- records ------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRecord:
    """A member as a file gives it; ``None`` where the file says nothing.

    ``birth_date`` is ISO, possibly partial ("1970", "1970-03-05"); codes as in the register.
    """

    full_name: str
    relation: str
    sex: str | None = None
    birth_date: str | None = None
    ethnicity: str | None = None
    id_number: str | None = None
    health_insurance: int | None = None

    def values(self) -> dict[str, Any]:
        """The member's register columns the file gives (blanks left out)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ReviewRecord:
    """A household review as a file gives it, printed figures kept apart from the answers.

    Attributes:
        year: the periodic round's year; ``None`` when the file has none
        deprivations: indicator code → deprived (``None``: unanswered); only those given
        causes, needs: codes marked yes, ``None`` when the file has no such columns
        printed_class, printed_b2, printed_total: as printed, to be checked, never trusted
    """

    year: int | None = None
    review_date: date | None = None
    reviewer: str | None = None
    b1_score: Decimal | None = None
    deprivations: Mapping[str, bool | None] = field(default_factory=dict)
    causes: tuple[str, ...] | None = None
    needs: tuple[str, ...] | None = None
    printed_class: str | None = None
    printed_class_text: str | None = None
    printed_b2: Decimal | None = None
    printed_total: int | None = None


@dataclass(frozen=True)
class HouseholdRecord:
    """One household as one row of a file gives it.

    Attributes:
        source, row: where it came from (file name, row number)
        columns: target field → the column it was read from (for messages)
        flags: household flags given (0/1), ``codes.HOUSEHOLD_FLAGS`` keys
        members: the roster without the head, in file order; ``has_roster`` tells whether
            the file gives a roster at all
        printed_members: the number of members as printed
        notes: what was read with a doubt (an unknown relation word …)
    """

    source: str
    row: int
    code: str
    village: str
    head: MemberRecord
    address: str | None = None
    area: str | None = None
    flags: Mapping[str, int] = field(default_factory=dict)
    members: tuple[MemberRecord, ...] = ()
    has_roster: bool = False
    printed_members: int | None = None
    review: ReviewRecord | None = None
    notes: tuple[str, ...] = ()
    columns: Mapping[str, str] = field(default_factory=dict, compare=False)

    def same_content(self, other: HouseholdRecord) -> bool:
        """True when both rows say exactly the same (wherever they came from)."""
        return _content(self) == _content(other)

    def column(self, target: str) -> str:
        """The column a target field was read from, or its Vietnamese name."""
        return self.columns.get(target, TARGETS.get(target, target))


def _content(record: HouseholdRecord) -> tuple:
    return (record.code, fold(record.village), record.head, record.address, record.area,
            dict(record.flags), record.members, record.has_roster, record.printed_members,
            record.review)


def _member_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(key) or "")


_MEMBER_FIELD = {alias: name for name, aliases in MEMBER_KEYS.items() for alias in aliases}


class _Row:
    """One row read through a mapping, collecting errors instead of stopping at the first."""

    def __init__(self, row: SourceRow, mapping: Mapping[str, str | None], source: str):
        self.row, self.source = row, source
        self.errors: list[InputError] = []
        self.notes: list[str] = []
        self.values: dict[str, Any] = {}
        self.columns: dict[str, str] = {}
        for column, target in mapping.items():
            if not target:
                continue
            self.columns.setdefault(target, column)
            value = row.values.get(column)
            if not _blank(value) and target not in self.values:
                self.values[target] = value
                self.columns[target] = column

    def where(self, target: str) -> dict:
        return {"field": self.columns.get(target, TARGETS[target]), "row": self.row.number,
                "source": self.source}

    def has(self, target: str) -> bool:
        return target in self.values

    def mapped(self, target: str) -> bool:
        return target in self.columns

    def get(self, target: str, parser=parse_text):
        if target not in self.values:
            return None
        try:
            return parser(self.values[target], **self.where(target))
        except InputError as exc:
            self.errors.append(exc)
            return None

    def require(self, target: str, what: str) -> str | None:
        value = self.get(target)
        if value is None and not any(e.field == self.where(target)["field"]
                                     for e in self.errors):
            self.errors.append(InputError(f"Thiếu {what}", **self.where(target)))
        return value


def _member(item: Any, index: int, row: _Row) -> MemberRecord | None:
    where = row.where("members")

    def fail(message: str) -> None:
        row.errors.append(InputError(f"Thành viên thứ {index}: {message}", **where))

    if not isinstance(item, Mapping):
        fail("không phải một đối tượng JSON")
        return None
    got: dict[str, Any] = {}
    for key, value in item.items():
        name = _MEMBER_FIELD.get(_member_key(str(key)))
        if name and name not in got and not _blank(value):
            got[name] = value
    try:
        full_name = parse_text(got.get("full_name"), **where)
    except InputError as exc:
        fail(exc.detail)
        return None
    if not full_name:
        fail("thiếu họ và tên")
        return None
    label = f"{index} {quoted(full_name)}"
    values: dict[str, Any] = {"full_name": full_name}
    parsers = {"sex": parse_sex, "ethnicity": parse_text, "id_number": parse_text}
    try:
        for name, parser in parsers.items():
            values[name] = parser(got.get(name), **where)
        birth = parse_birth(got.get("birth_date"), **where)
        values["birth_date"] = birth.iso() if birth else None
        insured = parse_bool(got.get("health_insurance"), **where)
        values["health_insurance"] = None if insured is None else int(insured)
    except InputError as exc:
        row.errors.append(InputError(f"Thành viên thứ {label}: {exc.detail}", **where))
        return None
    try:
        relation = parse_relation(got.get("relation"), **where)
    except InputError as exc:
        row.notes.append(f"thành viên thứ {label}: {exc.detail[:1].lower()}{exc.detail[1:]}, "
                         "ghi là «Khác»")
        relation = "other"
    if relation is None:
        row.notes.append(f"thành viên thứ {label}: không ghi quan hệ với chủ hộ, ghi là «Khác»")
        relation = "other"
    return MemberRecord(relation=relation, **values)


def _roster(row: _Row) -> list[MemberRecord]:
    raw = row.values.get("members")
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = nfc_values(json.loads(raw))
        except json.JSONDecodeError as exc:
            row.errors.append(InputError(f"Danh sách thành viên không phải JSON hợp lệ "
                                         f"({exc.msg}, ký tự {exc.pos})",
                                         **row.where("members")))
            return []
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        row.errors.append(InputError("Danh sách thành viên phải là một danh sách JSON",
                                     **row.where("members")))
        return []
    found = [_member(item, i, row) for i, item in enumerate(raw, 1)]
    return [m for m in found if m is not None]


def _review(row: _Row, kind: str) -> ReviewRecord | None:
    if not any(t.startswith("review.") for t in row.values):
        return None
    codes = [f"review.deprivation.{c}" for c in CN2022_INDICATORS]
    answers = {c.rsplit(".", 1)[1]: row.get(c, parse_bool) for c in codes if row.has(c)}
    if answers and kind != "json":
        # a sheet marked with "x": a blank cell beside answered ones means "not deprived"
        answers = {c.rsplit(".", 1)[1]: answers.get(c.rsplit(".", 1)[1]) or False
                   for c in codes if row.mapped(c)}

    def marked(prefix: str, names: Iterable[str]) -> tuple[str, ...] | None:
        targets = [f"{prefix}{n}" for n in names if row.has(f"{prefix}{n}")]
        if not targets:
            return None
        return tuple(sorted(t[len(prefix):] for t in targets if row.get(t, parse_bool)))

    year = row.get("review.year", parse_whole)
    if year is not None and not 2000 <= year <= 2100:
        row.errors.append(InputError(f"Năm rà soát {year} không hợp lệ",
                                     **row.where("review.year")))
    return ReviewRecord(
        year=year, review_date=row.get("review.date", parse_day),
        reviewer=row.get("review.reviewer"), b1_score=row.get("review.b1_score", parse_decimal),
        deprivations=answers, causes=marked("review.cause.", CAUSES),
        needs=marked("review.need.", NEEDS),
        printed_class=row.get("review.class", parse_class),
        printed_class_text=row.get("review.class"),
        printed_b2=row.get("review.b2_score", parse_decimal),
        printed_total=row.get("review.deprivation_total", parse_whole))


def member_problems(values: Mapping[str, Any], label: str, *,
                    sex_required: bool = True) -> list[str]:
    """The register's rules a member breaks (``validate_member``), as messages.

    :param sex_required: ``False`` while the member may be one the register knows (a blank
        never erases, so the stored sex stands)
    """
    return [f"{label}: {issue.message}" for issue in validate_member(values)
            if issue.severity == "error" and (sex_required or issue.code != "sex.missing")]


def _check_member(member: MemberRecord, label: str, row: _Row, where: dict) -> None:
    for message in member_problems(member.values(), label, sex_required=False):
        row.errors.append(InputError(message, **where))


def read_record(row: SourceRow, mapping: Mapping[str, str | None], *, source: str,
                kind: str = "json") -> tuple[HouseholdRecord | None, list[InputError]]:
    """Turn one row into a household record, or give every reason it cannot be read.

    Refused (errors): no household code, no head's name, no village, a value that cannot be
    read (bad date, unknown sex …), a member the register would refuse (a CCCD that disagrees
    with sex and birth year …). Each error names the file, the row and the column. A missing
    sex is left to the plan: it only matters for a person the register does not know yet.

    :param kind: the file kind (``json`` keeps blank indicators unanswered)
    """
    r = _Row(row, mapping, source)
    code = r.require("household.code", "mã hộ")
    village = r.require("village", "tên thôn")
    head_name = r.require("head.full_name", "họ và tên chủ hộ")
    birth = r.get("head.birth_date", parse_birth)
    insured = r.get("head.health_insurance", parse_bool)
    head = {"full_name": head_name, "sex": r.get("head.sex", parse_sex),
            "birth_date": birth.iso() if birth else None,
            "ethnicity": r.get("head.ethnicity"), "id_number": r.get("head.id_number"),
            "health_insurance": None if insured is None else int(insured)}
    others = []
    for member in _roster(r):
        is_head = member.relation == "head" or (head_name and fold(member.full_name) ==
                                                 fold(head_name))
        if is_head and head_name:
            for name, value in member.values().items():
                if head.get(name) is None and name != "relation":
                    head[name] = value
        else:
            others.append(member)
    flags = {}
    for flag in HOUSEHOLD_FLAGS:
        value = r.get(f"household.{flag}", parse_bool)
        if value is not None:
            flags[flag] = int(value)
    if r.get("household.farm_average", parse_bool):
        flags["farm_household"] = 1
    review = _review(r, kind)
    printed_members = r.get("household.members_count", parse_whole)
    address = r.get("household.address")
    area = r.get("household.area", parse_area)
    if r.errors or not (code and village and head_name):
        return None, r.errors
    head_record = MemberRecord(relation="head", **head)
    where = r.where("head.full_name")
    _check_member(head_record, "Chủ hộ", r, where)
    for i, member in enumerate(others, 1):
        _check_member(member, f"Thành viên {quoted(member.full_name)}", r,
                      r.where("members"))
    if r.errors:
        return None, r.errors
    return HouseholdRecord(
        source=source, row=row.number, code=code, village=village, head=head_record,
        address=address, area=area, flags=flags, members=tuple(others),
        has_roster=r.has("members"), printed_members=printed_members, review=review,
        notes=tuple(r.notes), columns=dict(r.columns)), []

