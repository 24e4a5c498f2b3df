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
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any


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


def _has_canonical_keys(mapping: dict) -> bool:
    """Whether every key is NFC text of type ``str`` itself (the general path writes any
    other key, a ``str`` subclass too, as ``str(key)``)."""
    for key in mapping:
        if type(key) is not str or not unicodedata.is_normalized("NFC", key):
            return False
    return True


def _is_canonical(values: Iterable[Any]) -> bool:
    """Whether these values are in canonical form already, so that JSON writes them as
    the general path would: each None, an int (not a bool), NFC text, or a list or dict
    of such values under such keys. Types are matched exactly; anything else (bools,
    tuples, subclasses, dates …) is left to the general path."""
    for value in values:
        kind = type(value)
        if kind is str:
            if not unicodedata.is_normalized("NFC", value):
                return False
        elif kind is dict:
            if not (_has_canonical_keys(value) and _is_canonical(value.values())):
                return False
        elif kind is list:
            if not _is_canonical(value):
                return False
        elif kind is not int and value is not None:
            return False
    return True


# One encoder for every call (``json.dumps`` with options builds a new one each time).
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           allow_nan=False).encode


def canonical_json(row: Mapping[str, Any]) -> str:
    """The canonical text of a row (or any mapping of plain values)."""
    if type(row) is dict and _has_canonical_keys(row) and _is_canonical(row.values()):
        return _encode(row)  # the common case: no normalised copy to make
    return _encode(_canonical_value(row, "row"))


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical form of one row."""
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def rows_hash(rows: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) over many rows: one canonical line each, in the order given."""
    h = hashlib.sha256()
    for row in rows:
        h.update(canonical_json(row).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()
