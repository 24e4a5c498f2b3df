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
