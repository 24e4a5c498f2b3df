"""Rules of the commune's narrative documents: a Kế hoạch (plan) or a Báo cáo (report) built of
blocks (domain.md §7.5, §8.2–8.5).

A document's body is plain JSON (``plan_document.body``)::

    {"preamble": ["Căn cứ …;", "Thực hiện …", "… với các nội dung sau:"],
     "blocks": [{"type": "heading", "level": 0, "text": "Kết quả thực hiện năm 2025"},
                {"type": "para", "text": "…"},
                {"type": "bullet", "level": 1, "text": "…"},
                {"type": "table", "source": "poverty_by_village", "params": {"year": 2025}}],
     "closing": "Trên đây là Kế hoạch …./."}

- Heading levels are those of the forms engine: 0 "A.", 1 "I.", 2 "1.", 3 "1.1.", 4 "a)";
  bullets "-" (level 1) and "+" (level 2). The numbers are generated when the document is
  laid out, never typed: a heading whose text starts with a number of its own is refused
  (domain.md §11 items 7, 17, 20 are typed numbers gone wrong).
- A data table names a source (``TABLE_SOURCES``) and its parameters; its figures are read
  from the database when the document is laid out, until the document is signed.
- The closing sentence ends with the end mark "/." (domain.md §8.3).
- A signed document has its number, its date and the resolved tables ("frozen"); it is no
  longer edited (unsigning needs a reason).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gnapp.domain.issues import Issue, error, warning

KINDS = {"plan": "Kế hoạch", "report": "Báo cáo"}
TITLES = {"plan": "KẾ HOẠCH", "report": "BÁO CÁO"}
SYMBOLS = {"plan": "KH-UBND", "report": "BC-UBND"}
STATES = {"draft": "Dự thảo", "signed": "Đã ký ban hành"}
DRAFT, SIGNED = "draft", "signed"

BLOCK_TYPES = {"heading": "Đề mục", "para": "Đoạn văn", "bullet": "Gạch đầu dòng",
               "table": "Bảng số liệu"}
HEADING_LEVELS = {0: "Phần (A., B.)", 1: "Mục (I., II.)", 2: "Tiểu mục (1., 2.)",
                  3: "Điểm con (1.1., 1.2.)", 4: "Điểm (a), b))"}
BULLET_LEVELS = {1: "Gạch đầu dòng «-»", 2: "Gạch đầu dòng «+»"}

END_MARK = "/."

MONEY_UNITS = {"trieu": "triệu đồng", "nghin": "nghìn đồng", "dong": "đồng"}
CLASSES = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}


@dataclass(frozen=True)
class Param:
    """A parameter of a data table.

    Attributes:
        name: its key in the block's ``params``
        label: what the editor calls it
        kind: ``year`` (a whole number 2000–2100), ``period`` (a report period's id),
            ``choice`` (one of ``choices``) or ``text``
        required: the table cannot be built without it
        choices: allowed values and their labels (``choice``)
        default: the value used when none is given
    """

    name: str
    label: str
    kind: str = "year"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None


@dataclass(frozen=True)
class TableSource:
    """A named source of data tables (or charts): its label and parameters (built by
    ``gnapp.forms.plan_tables``)."""

    name: str
    label: str
    params: tuple[Param, ...]
    chart: bool = False     # drawn as a chart (with its own title), not a table


_UNIT = Param("unit", "Đơn vị tiền", "choice", False, tuple(MONEY_UNITS.items()), "trieu")

TABLE_SOURCES: dict[str, TableSource] = {s.name: s for s in (
    TableSource("poverty_by_village", "Kết quả rà soát hộ nghèo, hộ cận nghèo theo thôn",
                (Param("year", "Năm rà soát"),)),
    TableSource("poverty_change", "Biến động hộ nghèo giữa hai đợt rà soát, theo thôn",
                (Param("from_year", "Từ đợt rà soát năm"), Param("to_year", "Đến đợt năm"),
                 Param("klass", "Diện hộ", "choice", False, tuple(CLASSES.items()), "poor"))),
    TableSource("allocations_by_line", "Vốn được phân bổ theo dự án và nguồn vốn",
                (Param("year", "Năm"), _UNIT)),
    TableSource("disbursement_by_line", "Vốn được sử dụng và đã giải ngân theo dự án",
                (Param("year", "Năm"), _UNIT)),
    TableSource("period_indicators", "Số liệu chỉ tiêu của kỳ báo cáo",
                (Param("period_id", "Kỳ báo cáo", "period"),
                 Param("groups", "Nhóm chỉ tiêu (ví dụ DA2, CS.BHYT; để trống: tất cả)",
                       "text", False))),
    TableSource("target_vs_result", "Chỉ tiêu giảm nghèo được giao và kết quả thực hiện",
                (Param("year", "Năm"),)),
    TableSource("chart_rates_by_village", "Biểu đồ: tỷ lệ hộ nghèo, hộ cận nghèo theo thôn",
                (Param("year", "Năm rà soát"),), chart=True),
    TableSource("chart_rates_over_years", "Biểu đồ: tỷ lệ hộ nghèo, hộ cận nghèo qua các năm",
                (), chart=True),
    TableSource("chart_deprivations", "Biểu đồ: tỷ lệ hộ nghèo thiếu hụt theo từng chỉ số",
                (Param("year", "Năm rà soát"),), chart=True),
    TableSource("chart_money", "Biểu đồ: vốn được giao và đã giải ngân theo nguồn vốn",
                (Param("year", "Năm"),), chart=True),
)}

# A heading that starts with its own number: "II. ", "2. ", "2.1. ", "a) ", "A. ".
_TYPED_NUMBER = re.compile(r"^\s*(?:[IVXLC]+\.|[A-Z]\.|[0-9]+(?:\.[0-9]+)*\.?|[a-zđ]\))\s")


def empty_body() -> dict:
    return {"preamble": [], "blocks": [], "closing": ""}


def parse_body(text: str | None) -> dict:
    """The body stored as JSON; a list (the column's default) is the blocks alone."""
    value = json.loads(text or "{}")
    if isinstance(value, list):
        value = {"blocks": value}
    body = empty_body()
    if isinstance(value, dict):
        body.update(value)
    return body


def dump_body(body: Mapping[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def block_name(index: int) -> str:
    return f"khối thứ {index + 1}"


def _check_param(source: TableSource, param: Param, value: Any, where: str) -> list[Issue]:
    if value in (None, ""):
        if param.required:
            return [error("plan.table_param_missing",
                          f"{where}: bảng «{source.label}» cần «{param.label}».", param.name)]
        return []
    if param.kind == "year":
        ok = isinstance(value, int) and not isinstance(value, bool) and 2000 <= value <= 2100
        if not ok:
            return [error("plan.table_param_year",
                          f"{where}: «{param.label}» phải là một năm (2000–2100), không phải "
                          f"«{value}».", param.name)]
    elif param.kind == "choice" and value not in dict(param.choices):
        return [error("plan.table_param_choice",
                      f"{where}: «{param.label}» phải là một trong "
                      f"{', '.join(label for _, label in param.choices)}.", param.name)]
    elif param.kind in ("period", "text") and not isinstance(value, str):
        return [error("plan.table_param_text", f"{where}: «{param.label}» không hợp lệ.",
                      param.name)]
    return []


def check_table(block: Mapping[str, Any], where: str) -> list[Issue]:
    """A table block names a known source and gives the parameters it needs."""
    source = TABLE_SOURCES.get(block.get("source") or "")
    if source is None:
        known = "; ".join(f"{s.name} ({s.label})" for s in TABLE_SOURCES.values())
        return [error("plan.table_source", f"{where}: không có nguồn bảng số liệu "
                      f"«{block.get('source')}». Các nguồn: {known}.", "source")]
    params = block.get("params") or {}
    if not isinstance(params, dict):
        return [error("plan.table_params", f"{where}: tham số của bảng không hợp lệ.", "params")]
    issues = []
    for param in source.params:
        issues += _check_param(source, param, params.get(param.name), where)
    unknown = set(params) - {p.name for p in source.params}
    if unknown:
        issues.append(error("plan.table_param_unknown", f"{where}: bảng «{source.label}» không "
                            f"có tham số {', '.join(sorted(unknown))}.", "params"))
    if "title" in block and not isinstance(block["title"], str):
        issues.append(error("plan.table_title", f"{where}: tên bảng không hợp lệ.", "title"))
    return issues


def check_blocks(blocks: Any) -> list[Issue]:
    """The blocks: known types, heading levels 0–4 (a "1.1." only under a "1."), bullet
    levels 1–2, text where text is needed, no typed numbers, valid table sources."""
    if not isinstance(blocks, list):
        return [error("plan.blocks_invalid", "Nội dung văn bản không hợp lệ.", "body")]
    issues: list[Issue] = []
    has_item = False            # a level-2 heading ("1.") in the current section
    for i, block in enumerate(blocks):
        where = f"Nội dung, {block_name(i)}"
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            issues.append(error("plan.block_type", f"{where}: loại khối không hợp lệ "
                                f"(dùng {', '.join(BLOCK_TYPES)}).", "body"))
            continue
        kind = block["type"]
        if kind == "table":
            issues += check_table(block, where)
            continue
        text = block.get("text")
        if not isinstance(text, str) or not text.strip():
            issues.append(error("plan.block_text", f"{where} ({BLOCK_TYPES[kind].lower()}) "
                                "chưa có chữ.", "body"))
            text = ""
        if kind == "heading":
            level = block.get("level")
            if level not in HEADING_LEVELS:
                issues.append(error("plan.heading_level", f"{where}: cấp đề mục phải từ 0 "
                                    "(A.) đến 4 (a)).", "body"))
                continue
            if level <= 1:
                has_item = False
            elif level == 2:
                has_item = True
            elif level == 3 and not has_item:
                issues.append(error("plan.heading_orphan", f"{where}: đề mục cấp «1.1.» "
                                    f"(«{text[:40]}») phải nằm dưới một đề mục cấp «1.».",
                                    "body"))
            match = _TYPED_NUMBER.match(text)
            if match:
                issues.append(error("plan.typed_number", f"{where}: không gõ số thứ tự "
                                    f"«{match.group().strip()}» ở đầu đề mục; phần mềm tự "
                                    "đánh số.", "body"))
        elif kind == "bullet" and block.get("level", 1) not in BULLET_LEVELS:
            issues.append(error("plan.bullet_level", f"{where}: gạch đầu dòng cấp 1 («-») "
                                "hoặc cấp 2 («+»).", "body"))
    return issues


def check_closing(closing: Any, *, final: bool = False) -> list[Issue]:
    """The closing sentence ends with "/." (domain.md §8.3); a draft may have none yet, a
    document being signed must (``final``)."""
    text = (closing or "").strip() if isinstance(closing, str) else ""
    if not text:
        make = error if final else warning
        return [make("plan.closing_missing", "Chưa có câu kết thúc văn bản (ví dụ «Trên đây là "
                     "Kế hoạch …./.»).", "closing")]
    if not text.endswith(END_MARK):
        return [error("plan.closing_end_mark", f"Câu kết thúc văn bản phải kết thúc bằng dấu "
                      f"«{END_MARK}» (đang là «…{text[-20:]}»).", "closing")]
    return []


def check_body(body: Any, *, final: bool = False) -> list[Issue]:
    """A whole body: preamble lines, blocks and the closing sentence."""
    if not isinstance(body, dict):
        return [error("plan.body_invalid", "Nội dung văn bản không hợp lệ.", "body")]
    issues = []
    preamble = body.get("preamble", [])
    if not isinstance(preamble, list) or not all(isinstance(x, str) for x in preamble):
        issues.append(error("plan.preamble_invalid", "Phần căn cứ phải là các dòng chữ.",
                            "preamble"))
    issues += check_blocks(body.get("blocks", []))
    issues += check_closing(body.get("closing"), final=final)
    if final and not body.get("blocks"):
        issues.append(error("plan.empty", "Văn bản chưa có nội dung.", "body"))
    return issues


def _lines(value: Any, field: str, label: str) -> list[Issue]:
    try:
        items = json.loads(value or "[]")
        ok = isinstance(items, list) and all(isinstance(x, str) for x in items)
    except ValueError:
        ok = False
    return [] if ok else [error(f"plan.{field}_invalid", f"{label} không hợp lệ.", field)]


def validate_document(values: Mapping[str, Any]) -> list[Issue]:
    """A ``plan_document`` row: kind, year, subject, a valid body and "Nơi nhận"; a signed
    document has its number, date and frozen content."""
    issues = []
    if values.get("kind") not in KINDS:
        issues.append(error("plan.kind", "Loại văn bản phải là Kế hoạch hoặc Báo cáo.", "kind"))
    year = values.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        issues.append(error("plan.year", f"Năm của văn bản không hợp lệ («{year}»).", "year"))
    if not (values.get("subject") or "").strip():
        issues.append(error("plan.subject", "Chưa nhập trích yếu (nội dung chính) của văn bản.",
                            "subject"))
    try:
        body = parse_body(values.get("body"))
    except ValueError:
        issues.append(error("plan.body_invalid", "Nội dung văn bản không hợp lệ.", "body"))
    else:
        issues += [i for i in check_body(body) if i.severity == "error"]
    issues += _lines(values.get("recipients"), "recipients", "Danh sách nơi nhận")
    if values.get("state") == SIGNED:
        for name, label in (("number", "số văn bản"), ("signed_on", "ngày ký"),
                            ("frozen", "nội dung đã chốt")):
            if not values.get(name):
                issues.append(error(f"plan.signed_{name}", f"Văn bản đã ký phải có {label}.",
                                    name))
    elif values.get("state") not in (DRAFT, None):
        issues.append(error("plan.state", "Trạng thái văn bản không hợp lệ.", "state"))
    return issues


def rate_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """A change between two printed rates, in percentage points: the difference of the two
    rates as printed (2 decimals), so that the printed figures reconcile (domain.md §9.2
    rule 6: 3,32 − 1,59 = 1,73); ``None`` when either rate is missing."""
    if before is None or after is None:
        return None
    return after - before


# -- templates ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


def fill_text(text: str, values: Mapping[str, Any]) -> str:
    """Replace ``{year}``, ``{prev_year}``, ``{commune}`` … by their values; an unknown name
    stays as written (the user sees it and corrects it)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values
                            else m.group(), text)


def _fill_value(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]          # a year stays a number
        return fill_text(value, values)
    if isinstance(value, list):
        return [_fill_value(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill_value(v, values) for k, v in value.items()}
    return value


def instantiate(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """A template's document with ``values`` filled into its text and table parameters.

    Table parameters whose value is a missing placeholder are dropped, so the table's own
    default applies; a table left without a required parameter (the figures of a period when
    the document has no period) is left out.
    """
    filled = _fill_value(dict(template), values)
    body = filled.get("body", {})
    kept = []
    for block in body.get("blocks", []):
        if block.get("type") == "table":
            params = block.get("params") or {}
            block["params"] = {k: v for k, v in params.items()
                               if not (isinstance(v, str) and _PLACEHOLDER.fullmatch(v))}
            source = TABLE_SOURCES.get(block.get("source") or "")
            if source and any(p.required and p.name not in block["params"]
                              for p in source.params):
                continue                # e.g. a period's figures without a period
        kept.append(block)
    body["blocks"] = kept
    return filled


def check_template(template: Any, name: str) -> list[Issue]:
    """A template file: kind, subject, body (before its values are filled in)."""
    if not isinstance(template, dict):
        return [error("template.invalid", f"Mẫu {name}: không phải một đối tượng JSON.")]
    issues = []
    if template.get("kind") not in KINDS:
        issues.append(error("template.kind", f"Mẫu {name}: loại văn bản phải là plan hoặc "
                            "report.", "kind"))
    if not template.get("label") or not template.get("subject"):
        issues.append(error("template.label", f"Mẫu {name}: thiếu tên mẫu hoặc trích yếu.",
                            "label"))
    body = template.get("body")
    if not isinstance(body, dict):
        issues.append(error("template.body", f"Mẫu {name}: thiếu nội dung.", "body"))
    else:
        structure = [i for i in check_blocks(body.get("blocks", [])) if i.code not in (
            "plan.table_param_year", "plan.table_param_missing", "plan.table_param_text")]
        issues += [Issue(i.severity, i.code, f"Mẫu {name}: {i.message}", i.field)
                   for i in structure]
        issues += [Issue(i.severity, i.code, f"Mẫu {name}: {i.message}", i.field)
                   for i in check_closing(body.get("closing"), final=True)]
    return issues
