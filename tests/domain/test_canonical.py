import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from gnapp.domain.canonical import canonical_json, row_hash, rows_hash


def test_canonical_form_sorts_keys_and_has_no_whitespace():
    assert canonical_json({"b": 1, "a": "x"}) == '{"a":"x","b":1}'


def test_canonical_form_normalises_text_to_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert canonical_json({"name": nfd}) == canonical_json({"name": "Nguyễn Văn Đức"})
    assert "Nguyễn Văn Đức" in canonical_json({"name": nfd})


def test_canonical_form_writes_dates_as_iso_and_decimals_as_text():
    text = canonical_json({"d": dt.date(2021, 2, 5), "r": Decimal("22.31"), "ok": True})
    assert text == '{"d":"2021-02-05","ok":1,"r":"22.31"}'


def test_floats_have_no_canonical_form():
    with pytest.raises(TypeError, match="amount"):
        canonical_json({"amount": 1.5})


def test_the_hash_is_stable_and_sensitive_to_every_field():
    row = {"id": "x", "name": "Thôn Đông", "version": 2}
    assert row_hash(row) == row_hash(dict(reversed(list(row.items()))))
    assert row_hash(row) != row_hash({**row, "version": 3})
    assert len(row_hash(row)) == 64
    assert rows_hash([row, row]) != rows_hash([row])


def _stdlib_form(value) -> str:
    import json
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_the_fast_encoder_writes_the_standard_librarys_bytes_for_every_character():
    # hashes of rows made by older versions (plain ``json``) must stay the same
    characters = [chr(c) for c in [*range(0, 0x800), 0x1EA1, 0x2028, 0x2029, 0xFEFF, 0xFFFF,
                                   0x10000, 0x1F600] if not 0xD800 <= c < 0xE000]
    for ch in characters:
        ch, text = (unicodedata.normalize("NFC", t) for t in (ch, "x" + ch))
        row = {"b": ch, "a": [1, None, -5, 2 ** 63 - 1], "é": {"z": text}}
        assert canonical_json(row) == _stdlib_form(row), repr(ch)


def test_integers_beyond_64_bits_are_written_too():
    row = {"big": 2 ** 80, "small": -(2 ** 70)}
    assert canonical_json(row) == _stdlib_form(row)
    assert row_hash(row) != row_hash({"big": 2 ** 80, "small": 0})


def test_text_anywhere_in_a_row_is_normalised_and_escapes_do_not_confuse_the_check():
    nfd = unicodedata.normalize("NFD", "Đức")
    row = {"list": [nfd, {nfd: nfd}], "escaped": "\n\u0301", "quote": '"\u0301'}
    assert canonical_json(row) == _stdlib_form(
        {"list": ["Đức", {"Đức": "Đức"}], "escaped": "\n\u0301", "quote": '"\u0301'})
