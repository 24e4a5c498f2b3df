"""Vietnamese text: NFC normalisation, search folding, collation keys and FTS5 queries.

Every string is stored in NFC (reportlab draws NFD text with misplaced marks). Sorting uses
the Vietnamese alphabet (a ă â b c d đ e ê … y z) and tone order (none, huyền, hỏi, ngã, sắc,
nặng), as ICU does; the key is a plain ASCII ``str`` so it can live in an indexed SQLite TEXT
column and be compared bytewise.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_WEIGHT = {ch: 1000 + i for i, ch in enumerate(_ALPHABET)}
# combining tone marks: huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# combining vowel marks that make a letter of its own: breve, circumflex, horn
_VOWEL_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
                ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}

# Weights are written in base 62 with digits in ASCII order, so string order = number order.
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PRIMARY_WIDTH = 4            # 62**4 > 0x10FFFF, the largest primary weight
_LEVEL_SEPARATOR = "."        # below "0": a shorter primary sequence sorts first
_NAME_SEPARATOR = " "         # below everything that appears in a sort key

_FTS_TOKEN = re.compile(r"[^\W_]+")


def nfc(text: str | None) -> str | None:
    """Return ``text`` in Unicode NFC; ``None`` passes through."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str | None:
    """Return ``text`` in NFC, stripped, with every whitespace run (NBSP too) made one space.

    ``None`` passes through.
    """
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", text).split())


def nfc_values(obj: Any) -> Any:
    """Return a copy of ``obj`` with every string, at any depth of dicts, lists and tuples, in NFC.

    Dictionary keys are normalised too; other values are returned unchanged.
    """
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {nfc_values(key): nfc_values(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [nfc_values(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(nfc_values(item) for item in obj)
    return obj


def quoted(text: str, limit: int = 40) -> str:
    """Return ``text`` between «» for an error message, shortened to ``limit`` characters."""
    text = str(text).strip()
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return f"«{text}»"


def fold(text: str | None) -> str | None:
    """Fold ``text`` for searching: lower case, no diacritics, đ → d, single spaces.

    ``fold("Nguyễn Văn Đức") == "nguyen van duc"``; ``None`` passes through (SQL NULL).
    """
    if text is None:
        return None
    if text.isascii():
        return " ".join(text.lower().split())
    # word by word: the words of names and places repeat, each is folded once
    return " ".join(filter(None, (w.lower() if w.isascii() else _fold_word(w)
                                  for w in text.split())))


@lru_cache(maxsize=1 << 14)    # the words of names and places, not codes or numbers
def _fold_word(word: str) -> str:
    word = unicodedata.normalize("NFC", word).lower().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
    return " ".join(bare.split())


def _encode(weight: int, width: int) -> str:
    """Write a non-negative ``weight`` as ``width`` base-62 digits."""
    digits = []
    for _ in range(width):
        weight, rest = divmod(weight, 62)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


@lru_cache(maxsize=1 << 16)  # names repeat: given names, family names, whole names
def sort_key(text: str) -> str:
    """Return a Vietnamese collation key for ``text`` as an ASCII string.

    Three levels, compared in turn: letters in Vietnamese alphabet order (space first, then
    digits and punctuation by code point, then the letters a ă â … z, then other scripts by code
    point), tones (none, huyền, hỏi, ngã, sắc, nặng), case (lower before upper). Each level is a
    fixed-width code per character; the levels are joined by a separator that sorts below every
    code, so a prefix sorts first. This is the order of stack.md §4 (vnsort), the same as ICU.
    """
    primary, secondary, tertiary = [], [], []
    for ch in unicodedata.normalize("NFC", text):
        codes = _CHAR_CODES.get(ch) or _char_codes(ch)
        if codes is None:  # a combining mark standing alone: read the text as a whole
            return _sort_key_of(unicodedata.normalize("NFD", text))
        primary.append(codes[0])
        secondary.append(codes[1])
        tertiary.append(codes[2])
    return _LEVEL_SEPARATOR.join(["".join(primary), "".join(secondary), "".join(tertiary)])


# The three level codes of each character met so far (a name has few distinct letters).
_CHAR_CODES: dict[str, tuple[str, str, str]] = {}


def _char_codes(ch: str) -> tuple[str, str, str] | None:
    """The level codes of one NFC character, remembered; None for a lone combining mark."""
    if unicodedata.combining(ch):
        return None
    key = _sort_key_of(unicodedata.normalize("NFD", ch))
    primary, secondary, tertiary = key.split(_LEVEL_SEPARATOR)
    _CHAR_CODES[ch] = codes = (primary, secondary, tertiary)
    return codes


def _sort_key_of(decomposed: str) -> str:
    """``sort_key`` of text in NFD, read base letter by base letter with its marks."""
    primary, secondary, tertiary = [], [], []
    i = 0
    while i < len(decomposed):
        base = decomposed[i]
        i += 1
        letter, tone = base.lower(), 0
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            mark = decomposed[i]
            i += 1
            if mark in _TONES:
                tone = _TONES[mark]
            else:
                letter = _VOWEL_MARKS.get((letter, mark), letter)
        if letter in _LETTER_WEIGHT:
            weight = _LETTER_WEIGHT[letter]
        else:
            weight = 0 if letter == " " else ord(letter)
        primary.append(_encode(weight, _PRIMARY_WIDTH))
        secondary.append(_DIGITS[tone])
        tertiary.append(_DIGITS[base.isupper()])
    return _LEVEL_SEPARATOR.join(["".join(primary), "".join(secondary), "".join(tertiary)])


def name_sort_key(full_name: str) -> str:
    """Return a key that sorts Vietnamese full names by given name (last word), then whole name.

    :param full_name: "Họ Đệm Tên", e.g. "Nguyễn Thị Ánh"
    """
    parts = full_name.split()
    return compound_sort_key(parts[-1] if parts else "", full_name)


def compound_sort_key(*parts: str) -> str:
    """Return a key that sorts by the first part, then the next, and so on."""
    return _NAME_SEPARATOR.join(sort_key(p) for p in parts)


def fts_query(text: str | None) -> str | None:
    """Turn what a user typed into an FTS5 MATCH expression, or ``None`` if nothing is searchable.

    The searched column must hold text with đ folded to d, indexed with
    ``tokenize="unicode61 remove_diacritics 2"``. Each word is quoted (so FTS syntax such as
    quotes, ``*``, ``^``, ``:``, parentheses, hyphens and AND/OR/NOT loses its meaning) and the
    last word matches as a prefix: ``fts_query("Hà Nội") == '"ha" "noi"*'``.
    """
    tokens = _FTS_TOKEN.findall(fold(text) or "")
    if not tokens:
        return None
    return " ".join(f'"{token}"' for token in tokens) + "*"
