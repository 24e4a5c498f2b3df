"""The one canonical form of a row, used wherever rows are hashed (DESIGN.md §3.1).

JSON with sorted keys, NFC strings, integers, ISO dates, no floats and no insignificant
whitespace. Package payloads, approval fingerprints and printed-copy fingerprints all hash
this form, so the same data always gives the same hash on every site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

import orjson


def _canonical_value(value: Any, path: str) -> Any:
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, float):
        raise TypeError(f"{path}: floats have no canonical form; store integers or text")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {unicodedata.normalize("NFC", str(k)): _canonical_value(v, f"{path}.{k}")
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"{path}: {type(value).__name__} has no canonical form")


# The types of a value written as it is (text aside, which must be NFC).
PLAIN_TYPES = frozenset({str, int, type(None)})
_NESTED = PLAIN_TYPES | {dict, list}


def _plain(values: Collection[Any]) -> bool:
    """Whether JSON writes these values as the general path would, text aside: each None,
    an int (not a bool), a ``str``, or a list or dict of such values under ``str`` keys.
    Types are matched exactly; anything else (bools, tuples, subclasses, dates …) is left to
    the general path. (The types of a flat row are compared in one set operation.)"""
    kinds = set(map(type, values))
    if kinds <= PLAIN_TYPES:
        return True
    if not kinds <= _NESTED:
        return False
    for value in values:
        kind = type(value)
        if kind is dict:
            if not (set(map(type, value)) <= {str} and _plain(value.values())):
                return False
        elif kind is list and not _plain(value):
            return False
    return True


# The standard library's encoder, for what orjson does not write (integers beyond 64 bits);
# one for every call (``json.dumps`` with options builds a new one each time).
_json_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                allow_nan=False).encode


def _encode(value: Any) -> bytes:
    """UTF-8 JSON of a canonical value: orjson (several times faster) writes the same bytes
    as ``json`` with sorted keys, no ASCII escapes and no spaces (tested character by
    character in tests/domain/test_canonical.py)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits
        return _json_encode(value).encode("utf-8")


def _fast(row: Any) -> bytes | None:
    """The canonical bytes of a row already in canonical form (the common case: no
    normalised copy is made), or None. Its text is checked as a whole: strings sit between
    ASCII quotes, which compose with nothing, so each string is NFC when the text is (an
    escape such as \n before a combining mark may make the text look unnormalised although
    its strings are NFC: the general path then writes it)."""
    return encode_plain(row) if type(row) is dict and _plain((row,)) else None


def encode_plain(value: Any) -> bytes | None:
    """The canonical bytes of a value the caller has checked is plain: ``PLAIN_TYPES``
    (exactly: no bools, no subclasses), lists and dicts of them under ``str`` keys. Only
    its text is checked, as a whole; None when that text is not NFC (see ``_fast``)."""
    data = _encode(value)
    return data if data.isascii() or is_nfc(data.decode("utf-8")) else None


def is_nfc(text: str) -> bool:
    """Whether a text is in NFC (ASCII text is)."""
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    """The canonical form of a row (or any mapping of plain values), UTF-8 encoded."""
    return _fast(row) or _encode(_canonical_value(row, "row"))


def canonical_json(row: Mapping[str, Any]) -> str:
    """The canonical text of a row (or any mapping of plain values)."""
    return canonical_bytes(row).decode("utf-8")


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical form of one row."""
    return hashlib.sha256(canonical_bytes(row)).hexdigest()


def rows_hash(rows: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) over many rows: one canonical line each, in the order given."""
    h = hashlib.sha256()
    for row in rows:
        h.update(canonical_bytes(row))
        h.update(b"\n")
    return h.hexdigest()
