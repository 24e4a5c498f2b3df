"""Programme structures as versioned data, funding sources and capital types (domain.md §2, §3).

A programme version (``resources/programme/*.json``, or a file an office loads with
``gnapp programme load``) is a tree: projects (Dự án), sub-projects (Tiểu dự án), activities
(Hoạt động). Items marked ``line`` are **budget lines**: the leaves that carry money (the
project where it has no sub-projects, otherwise the sub-project). Each item has one canonical
name and the name variants seen in documents, used to match imported text. A later
programme's item names the old codes it replaces (``replaces``: ``["GNBV-2021-2025:DA2"]``),
which is the mapping from old lines to new components (domain.md §2.7).

No SQL here: ``gnapp.db.programme`` stores loaded versions; this module reads and checks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gnapp.domain.errors import InputError
from gnapp.domain.jsonfile import read_json
from gnapp.domain.issues import Issue, error
from gnapp.domain.text import clean, fold, nfc_values

DEFAULT_PROGRAMME = "GNBV-2021-2025"
KINDS = {"project": "dự án", "subproject": "tiểu dự án", "line": "dòng kinh phí",
         "activity": "hoạt động"}
STATUSES = {"official": "chính thức", "provisional": "tạm thời"}
# Unit attributes a line may require (domain.md §2.3); informative for now.
APPLIES_TO = {"all": "mọi đơn vị", "poor_district": "huyện nghèo, xã ĐBKK vùng bãi ngang",
              "poor_commune": "xã nghèo"}

# Funding sources (domain.md §3.1): code → (name, short name for table headers).
SOURCES: dict[str, tuple[str, str]] = {
    "NSTW": ("Ngân sách trung ương", "NSTW"),
    "NSDP": ("Ngân sách địa phương", "NSĐP"),
    "KHAC": ("Vốn huy động hợp pháp khác", "Huy động khác"),
    "XHH": ("Xã hội hóa", "Xã hội hóa"),
    "QVNN": ("Quỹ «Vì người nghèo»", "Quỹ Vì người nghèo"),
    "TINDUNG": ("Vốn tín dụng chính sách", "Tín dụng"),
    "LONGGHEP": ("Vốn lồng ghép", "Lồng ghép"),
    "DONGGOP": ("Đóng góp của người dân, đối tượng thụ hưởng", "Người dân đóng góp"),
    "DOANHNGHIEP": ("Doanh nghiệp, nhà tài trợ", "Doanh nghiệp, tài trợ"),
}
# Capital types (domain.md §3.2): a property of each amount, not of the line.
CAPITAL_TYPES: dict[str, tuple[str, str]] = {
    "DTPT": ("Vốn đầu tư phát triển", "ĐTPT"),
    "SN": ("Vốn sự nghiệp", "SN"),
}
# Kinds of allocation line: this year's allocation, or funds carried over from the year before.
LINE_KINDS = {"allocation": "Phân bổ trong năm", "carry_over": "Năm trước chuyển sang"}

_SOURCE_WORDS = {
    "ngan sach trung uong": "NSTW", "nstw": "NSTW", "trung uong": "NSTW",
    "ngan sach dia phuong": "NSDP", "nsdp": "NSDP", "dia phuong": "NSDP",
    "von doi ung": "NSDP",
    "von huy dong hop phap khac": "KHAC", "huy dong hop phap khac": "KHAC", "khac": "KHAC",
    "huy dong khac": "KHAC",
    "xa hoi hoa": "XHH", "quy vi nguoi ngheo": "QVNN", "tin dung": "TINDUNG",
    "von tin dung": "TINDUNG", "long ghep": "LONGGHEP", "von long ghep": "LONGGHEP",
    "dong gop": "DONGGOP", "nguoi dan dong gop": "DONGGOP", "doanh nghiep": "DOANHNGHIEP",
}
_CAPITAL_WORDS = {
    "dtpt": "DTPT", "von dau tu phat trien": "DTPT", "dau tu phat trien": "DTPT",
    "von dau tu": "DTPT", "dau tu": "DTPT",
    "sn": "SN", "von su nghiep": "SN", "su nghiep": "SN", "kinh phi su nghiep": "SN",
}


def _words(text: str) -> str:
    folded = fold(text) or ""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def source_code(text: str | None, *, field: str | None = None, row: int | None = None,
                source: str | None = None) -> str:
    """The code of a funding source written as a code or in words ("NSĐP", "ngân sách địa
    phương" → "NSDP").

    :raises InputError: empty or unknown, with the accepted values
    """
    value = clean(text) or ""
    if value.upper() in SOURCES:
        return value.upper()
    found = _SOURCE_WORDS.get(_words(value))
    if found:
        return found
    raise InputError(f"Nguồn vốn «{value}» không đúng; dùng một trong "
                     f"{', '.join(SOURCES)} (hoặc tên như «Ngân sách trung ương»)",
                     field=field, row=row, source=source)


def capital_code(text: str | None, *, field: str | None = None, row: int | None = None,
                 source: str | None = None) -> str:
    """The code of a capital type ("ĐTPT", "vốn sự nghiệp" → "DTPT", "SN").

    :raises InputError: empty or unknown
    """
    value = clean(text) or ""
    if value.upper() in CAPITAL_TYPES:
        return value.upper()
    found = _CAPITAL_WORDS.get(_words(value))
    if found:
        return found
    raise InputError(f"Loại vốn «{value}» không đúng; dùng DTPT (vốn đầu tư phát triển) "
                     "hoặc SN (vốn sự nghiệp)", field=field, row=row, source=source)


def source_name(code: str) -> str:
    return SOURCES[code][0] if code in SOURCES else code


def source_short(code: str) -> str:
    return SOURCES[code][1] if code in SOURCES else code


def capital_name(code: str) -> str:
    return CAPITAL_TYPES[code][0] if code in CAPITAL_TYPES else code


def capital_short(code: str) -> str:
    return CAPITAL_TYPES[code][1] if code in CAPITAL_TYPES else code


@dataclass(frozen=True)
class Item:
    """One node of a programme tree.

    Attributes:
        code: stable code within the programme version ("DA3.TDA1")
        kind: ``project``, ``subproject``, ``line`` (a budget line outside the project tree)
            or ``activity``
        name: the canonical name ("Tiểu dự án 1: …")
        parent: the parent's code, or None at the top
        line: whether money is assigned here (a budget line)
        short: a short label ("Dự án 3, tiểu dự án 1")
        variants: other ways documents write the name
        applies_to: which units the line applies to (``APPLIES_TO``)
        replaces: codes of an earlier programme this item takes over ("GNBV-2021-2025:DA2")
        position: order within the programme
    """

    code: str
    kind: str
    name: str
    parent: str | None = None
    line: bool = False
    short: str | None = None
    variants: tuple[str, ...] = ()
    applies_to: str = "all"
    replaces: tuple[str, ...] = ()
    position: int = 0

    @property
    def label(self) -> str:
        return self.short or self.name


@dataclass(frozen=True)
class Programme:
    """A programme version: its id, name, period, status and items in order."""

    id: str
    name: str
    period_from: int
    period_to: int
    status: str = "official"
    legal_basis: str | None = None
    note: str | None = None
    items: tuple[Item, ...] = ()
    source: str | None = None
    _index: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._index.update({i.code: i for i in self.items})

    @property
    def is_provisional(self) -> bool:
        return self.status != "official"

    def item(self, code: str) -> Item | None:
        return self._index.get(code)

    def lines(self) -> list[Item]:
        """The budget lines, in programme order."""
        return [i for i in self.items if i.line]

    def children(self, code: str | None) -> list[Item]:
        return [i for i in self.items if i.parent == code]

    def ancestors(self, code: str) -> list[Item]:
        """The item's parents, nearest last (DA3 for DA3.TDA1)."""
        out = []
        item = self.item(code)
        while item is not None and item.parent:
            item = self.item(item.parent)
            if item is not None:
                out.insert(0, item)
        return out

    def covers(self, year: int) -> bool:
        return self.period_from <= year <= self.period_to

    def match_line(self, text: str | None) -> str | None:
        """The budget line whose code, name or a variant ``text`` is (diacritics ignored)."""
        value = clean(text) or ""
        if not value:
            return None
        if value.upper() in self._index and self._index[value.upper()].line:
            return value.upper()
        wanted = _words(value)
        for item in self.lines():
            names = (item.code, item.name, item.short or "", *item.variants)
            if any(_words(n) == wanted for n in names if n):
                return item.code
        return None

    def line_code(self, text: str | None, *, field: str | None = None, row: int | None = None,
                  source: str | None = None) -> str:
        """Like ``match_line``, but unknown text is an error naming the accepted codes."""
        found = self.match_line(text)
        if found is None:
            raise InputError(f"Dòng kinh phí «{clean(text) or ''}» không có trong {self.id}; "
                             f"dùng một trong {', '.join(i.code for i in self.lines())}",
                             field=field, row=row, source=source)
        return found


# -- reading a programme file ------------------------------------------------------------------

def _fail(source: str | None, path: str, message: str):
    where = f"{path}: " if path else ""
    raise InputError(f"{where}{message}", source=source)


def parse_programme(data: Any, source: str | None = None) -> Programme:
    """Check and read a programme structure (the JSON of ``resources/programme``).

    :raises InputError: a missing or wrong field, named by its path ("items[3].code")
    """
    data = nfc_values(data)
    if not isinstance(data, Mapping):
        _fail(source, "", "tệp cơ cấu chương trình phải là một đối tượng JSON")
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            _fail(source, key, "thiếu hoặc không phải chuỗi chữ")
    period = data.get("period")
    if not isinstance(period, Mapping) or not all(
            isinstance(period.get(k), int) and not isinstance(period.get(k), bool)
            for k in ("from", "to")) or period["from"] > period["to"]:
        _fail(source, "period", "cần {\"from\": năm bắt đầu, \"to\": năm kết thúc}")
    status = data.get("status", "official")
    if status not in STATUSES:
        _fail(source, "status", f"phải là {' hoặc '.join(STATUSES)}")
    raw_items = data.get("items", [])
    if not isinstance(raw_items, list):
        _fail(source, "items", "phải là một danh sách")
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items):
        path = f"items[{n}]"
        if not isinstance(raw, Mapping):
            _fail(source, path, "phải là một đối tượng")
        code, name, kind = raw.get("code"), raw.get("name"), raw.get("kind")
        if not isinstance(code, str) or not code.strip():
            _fail(source, f"{path}.code", "thiếu mã")
        code = code.strip()
        if code in seen:
            _fail(source, f"{path}.code", f"mã «{code}» bị trùng")
        if not isinstance(name, str) or not name.strip():
            _fail(source, f"{path}.name", f"mục «{code}» thiếu tên")
        if kind not in KINDS:
            _fail(source, f"{path}.kind", f"mục «{code}»: loại phải là {', '.join(KINDS)}")
        parent = raw.get("parent")
        if parent is not None and parent not in seen:
            _fail(source, f"{path}.parent",
                  f"mục «{code}»: mục cha «{parent}» phải đứng trước trong danh sách")
        applies = raw.get("applies_to", "all")
        if applies not in APPLIES_TO:
            _fail(source, f"{path}.applies_to", f"phải là {', '.join(APPLIES_TO)}")
        variants = raw.get("variants", [])
        replaces = raw.get("replaces", [])
        for key, value in (("variants", variants), ("replaces", replaces)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                _fail(source, f"{path}.{key}", "phải là danh sách chuỗi chữ")
        items.append(Item(code=code, kind=kind, name=name.strip(), parent=parent,
                          line=bool(raw.get("line", kind == "line")),
                          short=raw.get("short"), variants=tuple(variants),
                          applies_to=applies, replaces=tuple(replaces), position=n + 1))
        seen.add(code)
    by_code = {i.code: i for i in items}
    for item in items:
        if item.line and any(by_code[c.code].line for c in items if c.parent == item.code
                             and c.kind != "activity"):
            _fail(source, "items", f"«{item.code}» và mục con của nó đều là dòng kinh phí; "
                  "tiền chỉ gán ở một cấp")
    return Programme(id=data["id"].strip(), name=data["name"].strip(),
                     period_from=period["from"], period_to=period["to"], status=status,
                     legal_basis=data.get("legal_basis"), note=data.get("note"),
                     items=tuple(items), source=source)


def read_programme_file(path: str | Path) -> Programme:
    """Read a programme structure from a JSON file.

    :raises InputError: unreadable file, bad JSON, or a wrong structure
    """
    return parse_programme(read_json(path), source=Path(path).name)


def to_dict(programme: Programme) -> dict:
    """The programme as the JSON of a programme file (what ``parse_programme`` reads)."""
    def item(i: Item) -> dict:
        out: dict[str, Any] = {"code": i.code, "kind": i.kind, "name": i.name}
        if i.parent:
            out["parent"] = i.parent
        if i.line:
            out["line"] = True
        for key, value in (("short", i.short), ("variants", list(i.variants)),
                           ("replaces", list(i.replaces))):
            if value:
                out[key] = value
        if i.applies_to != "all":
            out["applies_to"] = i.applies_to
        return out
    return {"format": 1, "id": programme.id, "name": programme.name,
            "period": {"from": programme.period_from, "to": programme.period_to},
            "status": programme.status, "legal_basis": programme.legal_basis,
            "note": programme.note, "items": [item(i) for i in programme.items]}


def bundled_folder() -> Path:
    from gnapp.paths import resource_dir
    return resource_dir() / "programme"


def bundled_programmes() -> dict[str, Programme]:
    """The programme versions shipped with gnapp, by id."""
    out = {}
    for path in sorted(bundled_folder().glob("*.json")):
        programme = read_programme_file(path)
        out[programme.id] = programme
    return out


def mapping(old: Programme, new: Programme) -> dict[str, list[str]]:
    """Old budget line code → the new items that replace it (empty list: not mapped yet)."""
    out: dict[str, list[str]] = {line.code: [] for line in old.lines()}
    for item in new.items:
        for ref in item.replaces:
            version, _, code = ref.rpartition(":")
            if version in ("", old.id) and code in out:
                out[code].append(item.code)
    return out


# -- validation of stored rows ------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_item(values: Mapping[str, Any]) -> list[Issue]:
    """A stored programme item: code, name, kind, programme version."""
    issues = []
    for key, label in (("programme", "chương trình"), ("code", "mã"), ("name", "tên")):
        if not clean(values.get(key)):
            issues.append(error(f"programme.{key}_missing", f"Thiếu {label}.", key))
    if values.get("kind") not in (*KINDS, "programme"):
        issues.append(error("programme.kind", f"Loại mục «{values.get('kind')}» không đúng.",
                            "kind"))
    return issues


def validate_decision(values: Mapping[str, Any]) -> list[Issue]:
    """An allocation decision or plan: issuer, year, kind, batch."""
    issues = []
    if not clean(values.get("issuer")):
        issues.append(error("allocation.issuer_missing", "Thiếu cơ quan ban hành.", "issuer"))
    year = values.get("year")
    if not _is_int(year) or not 2000 <= year <= 2100:
        issues.append(error("allocation.year", "Năm phải là một năm từ 2000 đến 2100.", "year"))
    if values.get("kind") not in ("decision", "plan"):
        issues.append(error("allocation.kind", "Loại văn bản phải là quyết định hoặc kế hoạch.",
                            "kind"))
    batch = values.get("batch")
    if batch is not None and (not _is_int(batch) or batch < 1):
        issues.append(error("allocation.batch", "Đợt phải là số nguyên từ 1 trở lên.", "batch"))
    return issues


def _money_issue(values: Mapping[str, Any], key: str = "amount") -> list[Issue]:
    amount = values.get(key)
    if not _is_int(amount):
        return [error("allocation.amount", "Số tiền phải là số nguyên đồng.", key)]
    if amount < 0:
        return [error("allocation.amount_negative", "Số tiền không được âm.", key)]
    return []


def validate_line(values: Mapping[str, Any]) -> list[Issue]:
    """An allocation line: budget line, source, capital type, kind, recipient, amount."""
    issues = _money_issue(values)
    if not clean(values.get("line_code")):
        issues.append(error("allocation.line_missing", "Thiếu dự án, tiểu dự án.", "line_code"))
    if values.get("source") not in SOURCES:
        issues.append(error("allocation.source", f"Nguồn vốn «{values.get('source')}» không "
                            "đúng.", "source"))
    if values.get("capital_type") not in CAPITAL_TYPES:
        issues.append(error("allocation.capital_type", f"Loại vốn «{values.get('capital_type')}» "
                            "không đúng.", "capital_type"))
    if values.get("kind", "allocation") not in LINE_KINDS:
        issues.append(error("allocation.line_kind", "Loại dòng phải là phân bổ hoặc chuyển "
                            "nguồn.", "kind"))
    if not clean(values.get("recipient_name")):
        issues.append(error("allocation.recipient_missing", "Thiếu đơn vị nhận.",
                            "recipient_name"))
    return issues


def validate_stated(values: Mapping[str, Any]) -> list[Issue]:
    """A stated total: its scope (all or one source, capital type, line) and amount."""
    issues = _money_issue(values)
    if values.get("source") is not None and values["source"] not in SOURCES:
        issues.append(error("allocation.source", "Nguồn vốn không đúng.", "source"))
    if values.get("capital_type") is not None and values["capital_type"] not in CAPITAL_TYPES:
        issues.append(error("allocation.capital_type", "Loại vốn không đúng.", "capital_type"))
    if values.get("line_kind", "allocation") not in LINE_KINDS:
        issues.append(error("allocation.line_kind", "Loại dòng không đúng.", "line_kind"))
    return issues


def known_programmes(stored: Iterable[Programme] = ()) -> dict[str, Programme]:
    """The bundled programmes, overridden by stored versions with the same id."""
    out = bundled_programmes()
    out.update({p.id: p for p in stored})
    return out
