import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gnapp.domain.text import clean, fold, fts_query, name_sort_key, nfc, nfc_values, sort_key


# Reference: the tuple key of stack.md §4 (gnapp/vnsort.py there), copied verbatim; it was
# checked equal to ICU's Vietnamese collation. The str key must give the same order.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}


def tuple_sort_key(text):
    primary, secondary, tertiary = [], [], []
    decomposed = unicodedata.normalize("NFD", text)
    i = 0
    while i < len(decomposed):
        base = decomposed[i]
        i += 1
        marks = []
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            marks.append(decomposed[i])
            i += 1
        low = base.lower()
        tone = 0
        for m in marks:
            if m in _TONES:
                tone = _TONES[m]
            elif m == "\u0306" and low == "a":
                low = "ă"
            elif m == "\u0302" and low in "aeo":
                low = {"a": "â", "e": "ê", "o": "ô"}[low]
            elif m == "\u031b" and low in "ou":
                low = {"o": "ơ", "u": "ư"}[low]
        rank = _RANK.get(low)
        primary.append(1000 + rank if rank is not None else ord(low) if low != " " else 0)
        secondary.append(tone)
        tertiary.append(base.isupper())
    return (primary, secondary, tertiary)


def tuple_given_name_key(full_name):
    parts = full_name.split()
    return (tuple_sort_key(parts[-1] if parts else ""), tuple_sort_key(full_name))


def _vietnamese_letters():
    bases = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    vowels = [unicodedata.normalize("NFC", b + t) for b in bases for t in tones]
    letters = vowels + list("bcdđghklmnpqrstvxfjwz")
    return letters + [ch.upper() for ch in letters]


VIETNAMESE_CHARS = _vietnamese_letters() + list(" 0123456789-.,'") + ["\u00a0", "\u0301", "\u0302"]
vietnamese_text = st.text(alphabet=st.one_of(st.sampled_from(VIETNAMESE_CHARS), st.characters()),
                          max_size=12)


def _sign(a, b):
    return (a > b) - (a < b)


def test_nfc_turns_decomposed_text_into_composed():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert decomposed != "Nguyễn Văn Đức"
    assert nfc(decomposed) == "Nguyễn Văn Đức"
    assert nfc(None) is None


@pytest.mark.parametrize("raw, expected", [
    ("  Nguyễn   Văn\u00a0Đức \t", "Nguyễn Văn Đức"),
    (unicodedata.normalize("NFD", " Trần  Thị Ánh"), "Trần Thị Ánh"),
    ("", ""),
    (None, None),
])
def test_clean_normalises_strips_and_collapses_whitespace(raw, expected):
    assert clean(raw) == expected


def test_nfc_values_normalises_every_string_in_nested_data():
    nfd = unicodedata.normalize("NFD", "Đỗ Hồng Ân")
    data = {"ho": [nfd, (nfd, 3)], "so": 7, "ghi_chu": None, nfd: {"x": nfd}}
    result = nfc_values(data)
    composed = "Đỗ Hồng Ân"
    assert result == {"ho": [composed, (composed, 3)], "so": 7, "ghi_chu": None,
                      composed: {"x": composed}}
    assert isinstance(result["ho"][1], tuple)
    assert data["ho"][0] == nfd  # the input is not changed


@pytest.mark.parametrize("raw, expected", [
    ("Nguyễn Văn Đức", "nguyen van duc"),
    (unicodedata.normalize("NFD", "ĐINH  Thị Hường"), "dinh thi huong"),
    ("Phạm\u00a0Ngọc Ước", "pham ngoc uoc"),
    (" ", ""),
])
def test_fold_lowers_strips_diacritics_and_d_stroke(raw, expected):
    assert fold(raw) == expected


def _fold_whole(text):
    """``fold`` as first written, over the whole text at once."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return " ".join(bare.split())


@pytest.mark.parametrize("raw", [
    "Nguyễn Văn Đức 001085001234 01-0001", "HÀ\tNỘI\n  Hà Nội", "a \u0301 b", "\u0301\u0323",
    "ĐẶNG\u2001THỊ  ánh", unicodedata.normalize("NFD", "Lò Thị Mẩy Ỷ"), "ﬁ Ǆ İstanbul", "",
    "CODE-7 \u00a0x",
])
def test_fold_word_by_word_is_fold_of_the_whole_text(raw):
    assert fold(raw) == _fold_whole(raw)
    assert fold(raw) == fold(raw)   # the second time from the words kept


GIVEN_NAMES = ["Anh", "Ánh", "Ân", "Bình", "Dũng", "Đức", "Hà", "Hải", "Hạnh", "Hào", "Hảo",
               "Hạo", "Oanh", "Ô", "Ơn", "Ý", "Yến", "Zê"]


def test_sort_key_orders_given_names_like_icu():
    shuffled = ["Hà", "Đức", "Bình", "Ánh", "Anh", "Ân", "Dũng", "Hải", "Hạnh", "Hào", "Hảo",
                "Hạo", "Yến", "Ý", "Ơn", "Oanh", "Ô", "Zê"]
    assert sorted(shuffled, key=sort_key) == GIVEN_NAMES


def test_name_sort_key_sorts_full_names_by_given_name():
    surnames = ["Phạm Thu", "Lê Minh", "Trần Văn", "Nguyễn Thị", "Vũ Thị", "Đỗ Hồng",
                "Hoàng Văn", "Bùi Thị", "Ngô Văn", "Lý Thị", "Đặng Văn", "Hồ Thị", "Mai Văn",
                "Trịnh Thị", "Tạ Văn", "Cao Thị", "Lương Văn", "Đinh Thị"]
    given_in_input_order = ["Hà", "Đức", "Bình", "Ánh", "Anh", "Ân", "Dũng", "Hải", "Hạnh",
                            "Hào", "Hảo", "Hạo", "Yến", "Ý", "Ơn", "Oanh", "Ô", "Zê"]
    names = [f"{s} {g}" for s, g in zip(surnames, given_in_input_order)]
    assert [n.split()[-1] for n in sorted(names, key=name_sort_key)] == GIVEN_NAMES


def test_name_sort_key_breaks_ties_by_full_name():
    names = ["Trần Văn Anh", "Lê Thị Anh", "Đỗ Anh", "Bùi Anh"]
    assert sorted(names, key=name_sort_key) == ["Bùi Anh", "Đỗ Anh", "Lê Thị Anh", "Trần Văn Anh"]


def test_sort_key_puts_space_before_letters_in_full_names():
    expected = ["An Khang", "Ánh Dương", "Ân Mai", "Âu Lan", "Doãn Chí", "Dương An", "Đinh Bảo",
                "Đỗ An"]
    assert sorted(reversed(expected), key=sort_key) == expected


@pytest.mark.parametrize("lower, higher", [
    ("An Khang", "Ánh Dương"),   # space sorts before any letter
    ("9", "a"),                  # digits before letters
    ("A1", "Aa"),
    ("an", "An"),                # lower case first when letters and tones tie
    ("ma", "mà"),                # tone order: none, huyền, hỏi, ngã, sắc, nặng
    ("mà", "mả"),
    ("mả", "mã"),
    ("mã", "má"),
    ("má", "mạ"),
    ("mạ", "mă"),                # the letter outweighs the tone
    ("tiên", "tiền"),
    ("Ha", "Hà Anh"),            # a prefix sorts first
    ("z", "ж"),                  # other scripts after the Vietnamese letters
])
def test_sort_key_orders_pairs(lower, higher):
    assert sort_key(lower) < sort_key(higher)


def test_sort_key_is_ascii_text():
    key = sort_key("Nguyễn Văn Đức 12")
    assert key.isascii() and key.isprintable()


def test_sort_key_ignores_normalisation_form():
    text = "Nguyễn Thị Hường"
    assert sort_key(unicodedata.normalize("NFD", text)) == sort_key(text)


@settings(max_examples=300)
@given(st.lists(vietnamese_text, min_size=2, max_size=8))
def test_sort_key_order_equals_reference_tuple_order(texts):
    for a in texts:
        for b in texts:
            assert _sign(sort_key(a), sort_key(b)) == _sign(tuple_sort_key(a), tuple_sort_key(b))
    assert sorted(texts, key=sort_key) == sorted(texts, key=tuple_sort_key)


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.sampled_from(VIETNAMESE_CHARS), max_size=15),
                min_size=2, max_size=8))
def test_name_sort_key_order_equals_reference_given_name_order(names):
    assert sorted(names, key=name_sort_key) == sorted(names, key=tuple_given_name_key)
    for a in names:
        for b in names:
            assert (_sign(name_sort_key(a), name_sort_key(b))
                    == _sign(tuple_given_name_key(a), tuple_given_name_key(b)))


@pytest.mark.parametrize("typed, expected", [
    ("ha noi", '"ha" "noi"*'),
    ("Hà Nội", '"ha" "noi"*'),
    ("Đức", '"duc"*'),
    ('nguyen "van" AND (duc*)', '"nguyen" "van" "and" "duc"*'),
    ("Lê-Thị: ^Ánh", '"le" "thi" "anh"*'),
    ("ho 12", '"ho" "12"*'),
])
def test_fts_query_quotes_folded_tokens_and_prefixes_the_last(typed, expected):
    assert fts_query(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", '"* ^ :()-', None])
def test_fts_query_returns_none_when_nothing_is_searchable(typed):
    assert fts_query(typed) is None


@pytest.mark.parametrize("typed, expected", [
    ("nguyen van", ["Nguyễn Văn Đức"]),
    ("Đức", ["Nguyễn Văn Đức"]),
    ("DINH d", ["Đinh Văn Đạt"]),
    ('thi "anh', ["Trần Thị Ánh"]),
    ("huo", ["Phạm Thị Hường"]),
])
def test_fts_query_finds_rows_in_a_real_fts5_table(typed, expected):
    import sqlite3  # only the test touches SQLite; gnapp.domain stays pure

    rows = ["Nguyễn Văn Đức", "Trần Thị Ánh", "Phạm Thị Hường", "Đinh Văn Đạt"]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE ho_fts USING fts5(ten, tokenize='unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO ho_fts (rowid, ten) VALUES (?, ?)",
                     [(i, name.replace("đ", "d").replace("Đ", "D")) for i, name in enumerate(rows)])
    found = conn.execute("SELECT rowid FROM ho_fts WHERE ho_fts MATCH ? ORDER BY rowid",
                         [fts_query(typed)]).fetchall()
    conn.close()
    assert [rows[i] for (i,) in found] == expected


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(VIETNAMESE_CHARS + list("\u0323Ωж中ǅ")),
               max_size=20))
def test_sort_key_of_remembered_letters_equals_the_key_of_the_whole_text(text):
    """Keys built from remembered per-letter codes equal keys read from the whole text in
    NFD, also with marks that compose with nothing before them."""
    from gnapp.domain.text import _sort_key_of

    assert sort_key(text) == _sort_key_of(unicodedata.normalize("NFD", text))
