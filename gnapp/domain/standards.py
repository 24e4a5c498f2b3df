"""Poverty standards as versioned data (domain.md §5, DESIGN.md §3.3).

A standard is a JSON file in ``resources/standards``. Every parameter is an *item* that says
how sure we are of it (domain.md §0.2: V verified, S secondary, R recalled, M missing) and
where it comes from::

    {"format": 1, "id": "CN2022", "title": "…", "instrument": "Nghị định 07/2021/NĐ-CP",
     "status": "official" | "provisional", "base": null,
     "period":        {"value": {"from": "2022-01-01", "to": "2026-12-31"}, "certainty": "V",
                       "source": "…", "note": "…"},
     "income_lines":  {"value": {"rural": 1500000, "urban": 2000000}, "certainty": "V"},
     "cutoff":        {"value": 3, "certainty": "V"},
     "b2_points":     {"value": 10, "certainty": "S"},
     "b1_thresholds": {"value": {"rural": 140, "urban": 175} | null, "certainty": "S"},
     "mstb_factor":   {"value": "1.5" | null, "certainty": "S/R"},
     "indicators":    {"value": [{"code": "employment", "order": 1, "dimension": "Việc làm",
                                  "name": "Việc làm", "threshold": "…", "certainty": "S/R",
                                  "note": "…", "inputs": ["member.employment"]}, …],
                       "certainty": "V"}}

A **province overlay** names ``"base": "CN2022"`` and gives its ``id`` and only the items it
changes; each item it gives replaces the base's item whole (value, certainty, note, source).
``indicators`` is the exception: its ``value`` lists changes to base indicators, matched by
``code`` (an unknown code is an error); indicators it does not name are kept as they are.

Loading checks the whole file and raises ``InputError`` with a Vietnamese message naming the
file and the field: standards are configuration, read once, and a broken one must stop the
program from classifying anything with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gnapp.domain.codes import AREA
from gnapp.domain.dates import format_date
from gnapp.domain.errors import InputError
from gnapp.domain.numbers import to_decimal
from gnapp.domain.text import nfc_values, quoted
from gnapp.paths import resource_dir

FORMAT = 1
STATUS = {"official": "chính thức", "provisional": "tạm thời"}
CERTAINTY = {"V": "đã kiểm chứng", "S": "nguồn thứ cấp", "R": "chưa kiểm chứng",
             "M": "chưa biết"}

# The items of a standard file, with their Vietnamese names for messages.
ITEMS = {
    "period": "thời gian áp dụng",
    "income_lines": "chuẩn thu nhập",
    "cutoff": "ngưỡng số chỉ số thiếu hụt",
    "b2_points": "điểm B2 của mỗi chỉ số thiếu hụt",
    "b1_thresholds": "ngưỡng điểm B1",
    "mstb_factor": "hệ số mức sống trung bình",
    "indicators": "danh sách chỉ số thiếu hụt",
}
_TEXT_KEYS = ("id", "title", "instrument", "status")
_TOP_KEYS = ("format", *_TEXT_KEYS, "base", *ITEMS)
_ITEM_KEYS = ("value", "certainty", "note", "source")
_INDICATOR_KEYS = ("code", "order", "dimension", "name", "threshold", "certainty", "note", "inputs")
_TEXT_LABELS = {"id": "mã chuẩn", "title": "tên chuẩn", "instrument": "văn bản ban hành",
                "status": "trạng thái", "dimension": "chiều thiếu hụt", "name": "tên chỉ số",
                "threshold": "ngưỡng thiếu hụt", "note": "ghi chú", "source": "nguồn"}

_TAG = re.compile(r"[VSRM](?:/[VSRM])*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Indicator:
    """One deprivation indicator of a standard (domain.md §5.3).

    Attributes:
        code: stable code, as in the national software's export (``employment``)
        order: position in reports, from 1
        dimension: the dimension it belongs to ("Việc làm")
        name: Vietnamese name, shown next to the question
        threshold: when a household counts as deprived, in Vietnamese
        certainty: tag V/S/R/M, or several joined by "/" ("S/R")
        note: what is uncertain or where it comes from
        inputs: register fields the answer can be suggested from (``member.schooling``)
    """

    code: str
    order: int
    dimension: str
    name: str
    threshold: str
    certainty: str
    note: str | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standard:
    """A poverty standard: income lines, deprivation indicators and review thresholds.

    Attributes:
        id: "CN2022", "CN2027", a province overlay's own id
        title, instrument: what it is and the legal text that set it
        valid_from, valid_to: the period it applies to, both days included
        status: ``official`` or ``provisional`` (partly known, may be edited by an office)
        income_lines: đồng per person per month, by area code (``rural``, ``urban``)
        cutoff: a household at or below the line is poor with at least this many deprivations
        b2_points: B2 points per deprived indicator
        b1_thresholds: B1 score at or below which income counts as at or below the line, by
            area; ``None`` when not known
        mstb_factor: upper bound of the average-living-standard band as a multiple of the
            line; ``None`` when not known
        indicators: in report order
        base: id of the standard this one overlays, if any
        certainty, notes, sources: per item name (``income_lines``, …, see ``ITEMS``)
        source: the file it was read from (not part of equality)
    """

    id: str
    title: str
    instrument: str
    valid_from: date
    valid_to: date
    status: str
    income_lines: Mapping[str, int]
    cutoff: int
    b2_points: int
    b1_thresholds: Mapping[str, int] | None
    mstb_factor: Decimal | None
    indicators: tuple[Indicator, ...]
    base: str | None = None
    certainty: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False)

    def __post_init__(self):
        for name in ("income_lines", "b1_thresholds", "certainty", "notes", "sources"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, MappingProxyType(dict(value)))
        object.__setattr__(self, "indicators", tuple(self.indicators))

    @property
    def is_provisional(self) -> bool:
        """True for a standard that is only partly known (CN2027)."""
        return self.status == "provisional"

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        """The indicator codes in report order."""
        return tuple(i.code for i in self.indicators)

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with ``code`` (``KeyError`` if the standard has none)."""
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(code)

    def covers(self, day: date) -> bool:
        """True when ``day`` is within the standard's period."""
        return self.valid_from <= day <= self.valid_to

    def mstb_upper(self, area: str) -> int | None:
        """Highest income (đồng/person/month) in the average-living-standard band of ``area``.

        ``None`` when the standard does not know the band.
        """
        if self.mstb_factor is None:
            return None
        upper = Decimal(self.income_lines[area]) * self.mstb_factor
        return int(upper.to_integral_value(rounding=ROUND_FLOOR))


class _Reader:
    """Checks one standard file; every failure names the file and the field."""

    def __init__(self, source: str | None):
        self.source = source

    def fail(self, path: str, message: str):
        raise InputError(message, field=path, source=self.source)

    def obj(self, value: Any, path: str, label: str, keys: Iterable[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"{label} phải là một đối tượng JSON {{…}}")
        allowed = tuple(keys)
        for key in value:
            if key not in allowed:
                self.fail(f"{path}.{key}" if path else key,
                          f"trường không có trong định dạng chuẩn nghèo "
                          f"(các trường hợp lệ: {', '.join(allowed)})")
        return value

    def text(self, value: Any, path: str, label: str, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"thiếu {label}" if value in (None, "") else f"{label} phải là chữ")
        return value.strip()

    def whole(self, value: Any, path: str, label: str, minimum: int = 1) -> int:
        if value is None:
            self.fail(path, f"thiếu {label}")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"{label} phải là số nguyên, không phải {quoted(str(value))}")
        if value < minimum:
            self.fail(path, f"{label} phải từ {minimum} trở lên, không phải {value}")
        return value

    def tag(self, value: Any, path: str) -> str:
        if value is None:
            self.fail(path, "thiếu mức độ chắc chắn (V, S, R hoặc M)")
        if not isinstance(value, str) or not _TAG.fullmatch(value):
            self.fail(path, f"mức độ chắc chắn {quoted(str(value))} không hợp lệ "
                            "(dùng V, S, R, M hoặc ghép bằng «/», ví dụ S/R)")
        return value

    def day(self, value: Any, path: str, label: str) -> date:
        if value is None:
            self.fail(path, f"thiếu {label}")
        try:
            if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"{label} {quoted(str(value))} không hợp lệ "
                            "(ghi dạng yyyy-mm-dd, ví dụ 2022-01-01)")

    def by_area(self, value: Any, path: str, label: str) -> dict[str, int]:
        self.obj(value, path, label, AREA)
        return {area: self.whole(value.get(area), f"{path}.{area}",
                                 f"{label} khu vực {name.lower()}")
                for area, name in AREA.items()}


def _item(r: _Reader, data: dict, key: str) -> tuple[Any, str, str | None, str | None]:
    """Read the item ``key``: its value, certainty, note and source."""
    label = ITEMS[key]
    if key not in data:
        r.fail(key, f"thiếu {label}")
    item = r.obj(data[key], key, label, _ITEM_KEYS)
    if "value" not in item:
        r.fail(f"{key}.value", f"thiếu giá trị của {label}")
    return (item["value"], r.tag(item.get("certainty"), f"{key}.certainty"),
            r.text(item.get("note"), f"{key}.note", "ghi chú", required=False),
            r.text(item.get("source"), f"{key}.source", "nguồn", required=False))


def _indicator(r: _Reader, value: Any, path: str) -> Indicator:
    r.obj(value, path, "chỉ số thiếu hụt", _INDICATOR_KEYS)
    code = r.text(value.get("code"), f"{path}.code", "mã chỉ số")
    if not _CODE.fullmatch(code):
        r.fail(f"{path}.code", f"mã chỉ số {quoted(code)} không hợp lệ (chỉ gồm chữ cái "
                               "không dấu, chữ số và «_», bắt đầu bằng chữ cái)")
    inputs = value.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(i, str) and i for i in inputs):
        r.fail(f"{path}.inputs", "dữ liệu gợi ý phải là danh sách tên trường, ví dụ "
                                 "[\"member.schooling\"]")
    return Indicator(
        code=code, order=r.whole(value.get("order"), f"{path}.order", "thứ tự chỉ số"),
        **{key: r.text(value.get(key), f"{path}.{key}", _TEXT_LABELS[key])
           for key in ("dimension", "name", "threshold")},
        certainty=r.tag(value.get("certainty"), f"{path}.certainty"),
        note=r.text(value.get("note"), f"{path}.note", "ghi chú", required=False),
        inputs=tuple(inputs))


def _indicators(r: _Reader, value: Any) -> tuple[Indicator, ...]:
    if not isinstance(value, list) or not value:
        r.fail("indicators.value", "danh sách chỉ số thiếu hụt phải là một danh sách [...] "
                                   "có ít nhất một chỉ số")
    items = [_indicator(r, v, f"indicators[{n}]") for n, v in enumerate(value, 1)]
    for key, label in (("code", "mã chỉ số"), ("order", "thứ tự")):
        seen: dict[Any, int] = {}
        for n, item in enumerate(items, 1):
            current = getattr(item, key)
            if current in seen:
                r.fail(f"indicators[{n}].{key}", f"{label} {quoted(str(current))} bị trùng "
                                                 f"(đã có ở chỉ số thứ {seen[current]})")
            seen[current] = n
    return tuple(sorted(items, key=lambda i: i.order))


def _parse(data: Any, source: str | None) -> Standard:
    """Check a complete standard (overlays already merged) and build it."""
    r = _Reader(source)
    r.obj(data, "", "Tệp chuẩn nghèo", _TOP_KEYS)
    if data.get("format", FORMAT) != FORMAT:
        r.fail("format", f"định dạng {quoted(str(data['format']))} không được hỗ trợ "
                         f"(chương trình đọc định dạng {FORMAT})")
    texts = {key: r.text(data.get(key), key, _TEXT_LABELS[key]) for key in _TEXT_KEYS}
    if not _ID.fullmatch(texts["id"]):
        r.fail("id", f"mã chuẩn {quoted(texts['id'])} không hợp lệ (chữ cái không dấu, "
                     "chữ số, «-», «_» hoặc «.»)")
    if texts["status"] not in STATUS:
        r.fail("status", f"trạng thái {quoted(texts['status'])} không hợp lệ "
                         "(official: chính thức, provisional: tạm thời)")
    base = r.text(data.get("base"), "base", "chuẩn gốc", required=False)

    items = {key: _item(r, data, key) for key in ITEMS}
    period = r.obj(items["period"][0], "period.value", "thời gian áp dụng", ("from", "to"))
    valid_from = r.day(period.get("from"), "period.from", "ngày bắt đầu áp dụng")
    valid_to = r.day(period.get("to"), "period.to", "ngày hết hiệu lực")
    if valid_from > valid_to:
        r.fail("period", f"ngày bắt đầu {format_date(valid_from)} sau ngày kết thúc "
                         f"{format_date(valid_to)}")
    income_lines = r.by_area(items["income_lines"][0], "income_lines", "chuẩn thu nhập")
    indicators = _indicators(r, items["indicators"][0])
    cutoff = r.whole(items["cutoff"][0], "cutoff", "ngưỡng số chỉ số thiếu hụt")
    if cutoff > len(indicators):
        r.fail("cutoff", f"ngưỡng {cutoff} chỉ số thiếu hụt lớn hơn số chỉ số của chuẩn "
                         f"({len(indicators)})")
    b1 = items["b1_thresholds"][0]
    b1_thresholds = None if b1 is None else r.by_area(b1, "b1_thresholds", "ngưỡng điểm B1")
    mstb_factor = _factor(r, items["mstb_factor"][0])
    return Standard(
        **texts, valid_from=valid_from, valid_to=valid_to, income_lines=income_lines,
        cutoff=cutoff, b2_points=r.whole(items["b2_points"][0], "b2_points", "điểm B2"),
        b1_thresholds=b1_thresholds, mstb_factor=mstb_factor, indicators=indicators,
        base=base, certainty={k: v[1] for k, v in items.items()},
        notes={k: v[2] for k, v in items.items() if v[2]},
        sources={k: v[3] for k, v in items.items() if v[3]}, source=source)


def _factor(r: _Reader, value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        factor = to_decimal(value)
    except (TypeError, ValueError):
        r.fail("mstb_factor.value", f"hệ số mức sống trung bình {quoted(str(value))} không "
                                    "phải là số (ghi dạng \"1.5\")")
    if factor <= 1:
        r.fail("mstb_factor.value", "hệ số mức sống trung bình phải lớn hơn 1 (khoảng nằm "
                                    f"trên chuẩn nghèo), không phải {value}")
    return factor


def _merge(r: _Reader, base: Standard, overlay: dict) -> dict:
    """Return the base's data with the overlay's items put over it (see the module doc)."""
    merged = to_dict(base)
    for key, value in overlay.items():
        if key != "indicators":
            merged[key] = value
            continue
        change = r.obj(value, "indicators", ITEMS["indicators"], _ITEM_KEYS)
        patches = change.get("value", [])
        if not isinstance(patches, list):
            r.fail("indicators.value", "các thay đổi chỉ số phải là một danh sách [...]")
        by_code = {item["code"]: item for item in merged["indicators"]["value"]}
        for n, patch in enumerate(patches, 1):
            path = f"indicators[{n}]"
            r.obj(patch, path, "thay đổi chỉ số", _INDICATOR_KEYS)
            code = patch.get("code")
            if not isinstance(code, str) or code not in by_code:
                r.fail(f"{path}.code", f"chuẩn gốc {base.id} không có chỉ số "
                                       f"{quoted(str(code))} (các mã: {', '.join(by_code)})")
            by_code[code] = {**by_code[code], **patch}
        merged["indicators"] = {**merged["indicators"],
                                **{k: v for k, v in change.items() if k != "value"},
                                "value": list(by_code.values())}
    return merged


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("không tìm thấy tệp chuẩn nghèo", source=path.name) from None
    except UnicodeDecodeError:
        raise InputError("tệp không phải văn bản UTF-8", source=path.name) from None
    except json.JSONDecodeError as e:
        raise InputError(f"tệp JSON bị lỗi ở cột {e.colno}: {e.msg}", row=e.lineno,
                         source=path.name) from None


def load_standard(source: str | Path | Mapping, *, bases: Mapping[str, Standard] | None = None,
                  name: str | None = None) -> Standard:
    """Read and check one standard, from a JSON file or an already parsed ``dict``.

    :param source: path of a ``.json`` file, or its content
    :param bases: standards an overlay may name as its ``base``, by id
    :param name: the name used in messages (default: the file name)
    :raises InputError: the file cannot be read or breaks a rule; the message names the file
        and the field
    """
    if isinstance(source, Mapping):
        data = source
    else:
        path = Path(source)
        name = name or path.name
        data = _read_json(path)
    data = nfc_values(dict(data) if isinstance(data, Mapping) else data)
    r = _Reader(name)
    r.obj(data, "", "Tệp chuẩn nghèo", _TOP_KEYS)
    base_id = data.get("base")
    if base_id is None:
        return _parse(data, name)
    r.text(data.get("id"), "id", _TEXT_LABELS["id"])
    base_id = r.text(base_id, "base", "chuẩn gốc")
    if base_id == data["id"]:
        r.fail("base", f"chuẩn {data['id']} không thể lấy chính nó làm chuẩn gốc")
    if not bases or base_id not in bases:
        r.fail("base", f"không tìm thấy chuẩn gốc {quoted(base_id)} (chuẩn gốc phải nằm "
                       "cùng thư mục chuẩn nghèo)")
    return _parse(_merge(r, bases[base_id], data), name)


def load_standards(folder: str | Path | None = None) -> dict[str, Standard]:
    """Read every ``*.json`` standard of ``folder`` (default ``resources/standards``).

    Overlays are read after the standard they name as base.

    :returns: standards by id, ordered by start date then id
    :raises InputError: an empty folder, a broken file, two files with the same id, or a
        base that no file defines (or that names its overlays in a circle)
    """
    folder = Path(folder) if folder is not None else resource_dir() / "standards"
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise InputError(f"thư mục chuẩn nghèo {folder} không có tệp .json nào")
    pending: dict[str, tuple[dict, str]] = {}
    for path in paths:
        data = _read_json(path)
        r = _Reader(path.name)
        r.obj(data, "", "Tệp chuẩn nghèo", _TOP_KEYS)
        sid = r.text(data.get("id"), "id", _TEXT_LABELS["id"])
        if sid in pending:
            r.fail("id", f"mã chuẩn {sid} trùng với tệp {pending[sid][1]}")
        pending[sid] = (data, path.name)
    loaded: dict[str, Standard] = {}
    while pending:
        ready = [sid for sid, (data, _) in pending.items()
                 if not isinstance(data.get("base"), str) or not data["base"]
                 or data["base"] in loaded]
        if not ready:
            data, name = next(iter(pending.values()))
            raise InputError(f"không tìm thấy chuẩn gốc {quoted(data['base'])} (hoặc các "
                             "chuẩn lấy nhau làm gốc theo vòng tròn)", field="base", source=name)
        for sid in ready:
            data, name = pending.pop(sid)
            loaded[sid] = load_standard(data, bases=loaded, name=name)
    return dict(sorted(loaded.items(), key=lambda kv: (kv[1].valid_from, kv[0])))


def standard_for(day: date, standards: Mapping[str, Standard] | Iterable[Standard]) -> Standard:
    """Return the standard in force on ``day``, chosen by its period only.

    Status plays no part: a provisional standard is the one to use in its period (CN2027 from
    2027-01-01), there being no other. When an overlay and its base both cover ``day`` the
    overlay wins, so pass the national standards plus the overlays of one province only.

    :raises InputError: no standard covers ``day``, or several unrelated ones do
    """
    items = standards.values() if isinstance(standards, Mapping) else standards
    found = [s for s in items if s.covers(day)]
    overlaid = {s.base for s in found}
    found = [s for s in found if s.id not in overlaid]
    if not found:
        raise InputError(f"Không có chuẩn nghèo nào áp dụng cho ngày {format_date(day)}")
    if len(found) > 1:
        raise InputError(f"Có nhiều chuẩn nghèo cùng áp dụng cho ngày {format_date(day)}: "
                         f"{', '.join(sorted(s.id for s in found))}; mỗi giai đoạn chỉ được "
                         "có một chuẩn")
    return found[0]


def to_dict(standard: Standard) -> dict:
    """Return ``standard`` as the content of a standard file; ``load_standard`` reads it back.

    An overlay comes out complete (all items) and still names its base.
    """
    def item(key: str, value: Any) -> dict:
        out = {"value": value, "certainty": standard.certainty.get(key, "M")}
        for extra, values in (("note", standard.notes), ("source", standard.sources)):
            if values.get(key):
                out[extra] = values[key]
        return out

    def indicator(i: Indicator) -> dict:
        out = {"code": i.code, "order": i.order, "dimension": i.dimension, "name": i.name,
               "threshold": i.threshold, "certainty": i.certainty}
        if i.note:
            out["note"] = i.note
        if i.inputs:
            out["inputs"] = list(i.inputs)
        return out

    s = standard
    return {
        "format": FORMAT, "id": s.id, "title": s.title, "instrument": s.instrument,
        "status": s.status, "base": s.base,
        "period": item("period", {"from": s.valid_from.isoformat(),
                                  "to": s.valid_to.isoformat()}),
        "income_lines": item("income_lines", dict(s.income_lines)),
        "cutoff": item("cutoff", s.cutoff),
        "b2_points": item("b2_points", s.b2_points),
        "b1_thresholds": item("b1_thresholds",
                              None if s.b1_thresholds is None else dict(s.b1_thresholds)),
        "mstb_factor": item("mstb_factor", None if s.mstb_factor is None else str(s.mstb_factor)),
        "indicators": item("indicators", [indicator(i) for i in s.indicators]),
    }


def with_changes(standard: Standard, **fields: Any) -> Standard:
    """Return a copy of a provisional standard with ``fields`` changed, checked like a file.

    ``with_changes(cn2027, mstb_factor=Decimal("1.5"), certainty={…})``: an office fills in
    what becomes known. Official standards are law and are not edited; a province makes an
    overlay instead.

    :raises InputError: the standard is official, or the result breaks a rule of the format
    :raises TypeError: a field name that ``Standard`` does not have
    """
    if not standard.is_provisional:
        raise InputError(f"Chuẩn {standard.id} là chuẩn chính thức, không sửa được; muốn áp "
                         "dụng chuẩn riêng của tỉnh thì tạo chuẩn mới lấy chuẩn này làm gốc")
    changed = replace(standard, **fields)
    return _parse(to_dict(changed), standard.source)
