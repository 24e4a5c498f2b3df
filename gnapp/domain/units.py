"""Administrative units: levels, codes and the rules a unit record must follow.

Official codes are the statistics office (GSO) codes, kept as zero-padded text: 2 digits for
a province, 3 for a (legacy) district, 5 for a commune. Villages (thôn, bản, tổ dân phố …)
are not administrative units; a commune names them with its own code plus a local number
(``07339.01``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from gnapp.domain.issues import Issue, error

LEVELS = ("province", "district", "commune", "village")
LEVEL_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã", "village": "thôn"}
CODE_DIGITS = {"province": 2, "district": 3, "commune": 5}

# The unit type words, by level. Legacy types (huyện, thị trấn …) name pre-2025 units.
TYPES = {
    "province": ("tỉnh", "thành phố trung ương"),
    "district": ("huyện", "quận", "thị xã", "thành phố"),
    "commune": ("xã", "phường", "đặc khu", "thị trấn"),
    "village": ("thôn", "bản", "tổ dân phố", "khu phố", "buôn", "bon", "ấp", "khóm", "làng",
                "xóm", "tổ", "khu", "plei"),
}
# Which level a unit's parent has. A commune sits under a province since 1 July 2025 and
# under a district before (legacy data).
PARENT_LEVELS = {"province": (), "district": ("province",), "commune": ("province", "district"),
                 "village": ("commune",)}

REFORM_DATE = "2025-07-01"
# <commune>.<number>, or <commune>.<series><number> for a village added on a PC that knows
# another PC of its commune (three letters of that PC: gnapp.db.units.site_series)
_VILLAGE_CODE = re.compile(r"^\d{5}\.(?:[A-Z]{3})?\d{2,4}$")
_TYPE_PREFIXES = sorted({t for ts in TYPES.values() for t in ts}, key=len, reverse=True)


def level_of_type(unit_type: str) -> str | None:
    """The level of a unit type word ("phường" → commune), or None if unknown."""
    for level, types in TYPES.items():
        if unit_type.lower() in types:
            return level
    return None


def pad_code(code: str | int, level: str) -> str:
    """A unit code as zero-padded text (``7339`` → ``"07339"`` for a commune).

    Raises ``ValueError`` when the code is not made of digits or is too long for the level.
    """
    text = str(code).strip()
    if level == "village":
        return text
    digits = CODE_DIGITS[level]
    if not text.isdigit() or len(text) > digits:
        raise ValueError(f"mã {LEVEL_NAMES[level]} phải gồm tối đa {digits} chữ số: «{text}»")
    return text.zfill(digits)


def type_word(name: str) -> str | None:
    """The type word a unit's name starts with, lower case ("Xã Tân Yên" → "xã"), or None."""
    lowered = name.lower()
    return next((prefix for prefix in _TYPE_PREFIXES if lowered.startswith(prefix + " ")),
                None)


def place_name(name: str) -> str:
    """The name without its type word, as written before the date line ("Xã Tân Yên" → "Tân Yên")."""
    prefix = type_word(name)
    return name[len(prefix) + 1:].strip() if prefix else name.strip()


def _is_iso_date(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def validate_unit(values: Mapping) -> list[Issue]:
    """Rules every unit record follows.

    - name and type are given; the level is one of LEVELS and fits the type;
    - the code has the digits of its level (villages: commune code, a dot, 2–4 digits);
    - validity dates are ISO dates and the end is not before the start.
    """
    issues: list[Issue] = []
    level = values.get("level")
    name = (values.get("name") or "").strip()
    code = values.get("code") or ""
    if not name:
        issues.append(error("unit.name_missing", "Chưa nhập tên đơn vị.", "name"))
    if level not in LEVELS:
        issues.append(error("unit.level_invalid", f"Cấp đơn vị không hợp lệ: «{level}».", "level"))
        return issues
    unit_type = (values.get("type") or "").lower()
    if unit_type not in TYPES[level]:
        allowed = ", ".join(TYPES[level])
        issues.append(error("unit.type_invalid",
                            f"Loại đơn vị «{values.get('type')}» không phải loại của cấp "
                            f"{LEVEL_NAMES[level]} ({allowed}).", "type"))
    if level == "village":
        if not _VILLAGE_CODE.match(code):
            issues.append(error("unit.code_invalid",
                                f"Mã thôn «{code}» phải có dạng <mã xã>.<số thứ tự>, ví dụ 07339.01 "
                                "(hoặc 07339.HQX01 nếu thôn được thêm ở máy thứ hai của xã).",
                                "code"))
    elif not (code.isdigit() and len(code) == CODE_DIGITS[level]):
        issues.append(error("unit.code_invalid",
                            f"Mã {LEVEL_NAMES[level]} «{code}» phải gồm đúng "
                            f"{CODE_DIGITS[level]} chữ số.", "code"))
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if not _is_iso_date(valid_from):
        issues.append(error("unit.valid_from_invalid",
                            f"Ngày bắt đầu hiệu lực không hợp lệ: «{valid_from}».", "valid_from"))
    if valid_to is not None and not _is_iso_date(valid_to):
        issues.append(error("unit.valid_to_invalid",
                            f"Ngày hết hiệu lực không hợp lệ: «{valid_to}».", "valid_to"))
    elif valid_to is not None and _is_iso_date(valid_from) and valid_to < valid_from:
        issues.append(error("unit.validity_reversed",
                            "Ngày hết hiệu lực trước ngày bắt đầu hiệu lực.", "valid_to"))
    return issues
