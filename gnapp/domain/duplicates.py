"""Duplicate people in a commune's register: proposed pairs, never merged automatically.

Health-insurance lists built from the register had "trùng lặp đối tượng, sai sót thông tin về
họ và tên, năm sinh" (domain.md §4.3), so three rules propose pairs for an officer to look at:

- ``same_id_number`` (certain): the same CCCD/CMND number;
- ``same_name_birth_year`` (likely): the same name after ``fold`` (no tones, đ = d, case and
  spaces ignored) and the same birth year;
- ``similar_name_birth_year`` (likely): the same birth year and given name (last word), and
  folded names one letter apart (a letter typed wrong, missing or extra in the family or
  middle name). Two different common name words are not a typo: "Hồ Văn Lan" and "Đỗ Văn
  Lan" (ho / do), "Hoàng Thị Mai" and "Hồng Thị Mai" (hoang / hong) are not paired
  (``NAME_WORDS``). The rule can be turned off (``similar_names=False``).

A pair is reported once, with the first reason of this list that applies. Pairs inside one
household are kept and marked ``same_household``. People are grouped by key and never compared
all against all, so 100 000 people take a few seconds at most.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from gnapp.domain.dates import PartialDate
from gnapp.domain.people import CCCD_DIGITS, CMND_DIGITS, normalise_id_number
from gnapp.domain.text import clean, fold

SAME_ID = "same_id_number"
SAME_NAME = "same_name_birth_year"
SIMILAR_NAME = "similar_name_birth_year"
REASONS = {
    SAME_ID: "Trùng số CCCD/CMND",
    SAME_NAME: "Trùng họ tên và năm sinh",
    SIMILAR_NAME: "Họ tên gần giống, cùng năm sinh",
}
CERTAIN, LIKELY = "certain", "likely"
STRENGTH = {SAME_ID: CERTAIN, SAME_NAME: LIKELY, SIMILAR_NAME: LIKELY}
_REASON_RANK = {reason: rank for rank, reason in enumerate(REASONS)}

# Common family and middle names, folded. Many are one letter apart (le / la / ly, ho / do /
# vo, hoang / hong, quan / quang), so a name that differs from another only by one of them
# being replaced with another is a different name, not a typing error.
NAME_WORDS = frozenset("""
    nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly ha lo lu luu mai
    cao dinh doan lam trinh truong quach nong trieu la ma vi hua to ta chu khuat kieu tong
    thai ton giang au luong lai tang than hau quan vuong mac linh kha sam son lieu hoa
    van thi duc minh huu thanh ngoc xuan quang kim cong hong thu bao gia dieu tuan anh
""".split())


@dataclass(frozen=True)
class PersonRef:
    """One member of the register, as duplicate detection sees it.

    Attributes:
        member_id: the member's id (any value that can be compared for equality)
        household_id: the id of the member's household
        household_code: the household code shown to the user ("H0123")
        name: full name as typed
        birth: birth date, possibly year only; ``None`` if unknown
        id_number: CCCD or CMND as typed, ``None`` if none
        source: where the row came from
    """

    member_id: Hashable
    household_id: Hashable
    household_code: str | None
    name: str | None
    birth: PartialDate | None
    id_number: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that may be the same person.

    Attributes:
        a, b: the two people, ``a`` first in the output order (household code, name, id)
        reason: ``same_id_number``, ``same_name_birth_year`` or ``similar_name_birth_year``
        strength: ``certain`` or ``likely``
        explanation: why they were paired, in Vietnamese
        same_household: both are in the same household
    """

    a: PersonRef
    b: PersonRef
    reason: str
    strength: str
    explanation: str
    same_household: bool


def person_key(name: str | None, birth_year: int | None) -> str:
    """Return the folded name and the birth year: ``person_key("Nguyễn Văn  Đức", 1985) ==
    "nguyen van duc|1985"``; an unknown year gives "nguyen van duc|"."""
    return f"{fold(name) or ''}|{'' if birth_year is None else birth_year}"


def usable_id_number(number: str | None) -> str | None:
    """Return the normalised number if it can identify a person, else ``None``.

    Only 9 or 12 digits count, and not one digit repeated ("000000000000" is typed for
    "unknown" and would pair everybody).
    """
    digits = normalise_id_number(number)
    if (digits.isascii() and digits.isdigit() and len(digits) in (CMND_DIGITS, CCCD_DIGITS)
            and len(set(digits)) > 1):
        return digits
    return None


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one inserted, deleted or replaced letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def one_edit_pairs(words: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Yield each pair of distinct ``words`` one edit apart, smaller word first.

    Every word is indexed under itself and each of its one-letter deletions; two words one
    edit apart share one of these keys, so only words sharing a key are compared.
    """
    index: dict[str, list[str]] = defaultdict(list)
    for word in sorted(set(words)):
        for variant in {word} | {word[:k] + word[k + 1:] for k in range(len(word))}:
            index[variant].append(word)
    seen: set[tuple[str, str]] = set()
    for group in index.values():
        for pair in combinations(group, 2):
            if pair not in seen and one_edit_apart(*pair):
                seen.add(pair)
                yield pair


def is_typing_error(a: str, b: str) -> bool:
    """True unless ``a`` and ``b`` differ in one word only and both forms of that word are
    common name words (``NAME_WORDS``): "nguyen van" / "nguyn van" is a typing error,
    "ho van" / "do van" is two families."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return True
    differ = [(x, y) for x, y in zip(words_a, words_b) if x != y]
    return not (len(differ) == 1 and differ[0][0] in NAME_WORDS and differ[0][1] in NAME_WORDS)


def _describe(person: PersonRef) -> str:
    name = clean(person.name) or "(chưa có tên)"
    return f"«{name}» (hộ {person.household_code or '?'})"


def _explain(a: PersonRef, b: PersonRef, reason: str) -> str:
    """The Vietnamese explanation of a pair."""
    both = f"{_describe(a)} và {_describe(b)}"
    if reason == SAME_ID:
        text = f"Cùng số CCCD/CMND {usable_id_number(a.id_number)}: {both}"
    elif reason == SAME_NAME:
        text = f"Trùng họ tên (không kể dấu) và năm sinh {a.birth.year}: {both}"
    else:
        text = f"Họ tên chỉ khác một chữ cái, cùng tên và năm sinh {a.birth.year}: {both}"
    if a.household_id == b.household_id:
        text += "; cùng một hộ"
    return text + "."


def _groups_by_id(people: list[PersonRef]) -> Iterator[list[int]]:
    """Groups of people (indexes) with the same usable identity number."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        number = usable_id_number(person.id_number)
        if number:
            groups[number].append(i)
    return (g for g in groups.values() if len(g) > 1)


def _groups_by_name(folded: list[str], people: list[PersonRef]) -> dict[tuple[int, str], list[int]]:
    """People (indexes) with a name and a birth year, by (birth year, folded name)."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        if folded[i] and person.birth is not None:
            groups[(person.birth.year, folded[i])].append(i)
    return groups


def _similar_pairs(by_name: dict[tuple[int, str], list[int]]) -> Iterator[tuple[int, int]]:
    """Pairs (indexes) with the same birth year and given name whose folded names are one
    edit apart. The common given name is left out before comparing, which does not change
    the edit distance."""
    buckets: dict[tuple[int, str], dict[str, list[int]]] = defaultdict(dict)
    for (year, name), members in by_name.items():
        given = name.rsplit(" ", 1)[-1]
        buckets[(year, given)][name[:len(name) - len(given)]] = members
    for by_prefix in buckets.values():
        if len(by_prefix) < 2:
            continue
        for x, y in one_edit_pairs(by_prefix):
            if not is_typing_error(x, y):
                continue
            for i in by_prefix[x]:
                for j in by_prefix[y]:
                    yield i, j


def find_duplicates(people: Iterable[PersonRef], *,
                    similar_names: bool = True) -> list[DuplicatePair]:
    """Return the pairs of people that may be the same person (see the module docstring).

    :param similar_names: also propose names one letter apart (``similar_name_birth_year``)

    Two entries with the same ``member_id`` are the same record, not a pair. People without a
    birth year or a name are paired only by identity number.

    The output is sorted by strength, reason, then the two people by household code, folded
    name and member id, so the same people give the same list in any input order.
    """
    people = list(people)
    folded = [fold(p.name) or "" for p in people]
    order = sorted(range(len(people)), key=lambda i: (people[i].household_code or "", folded[i],
                                                      str(people[i].member_id)))
    rank = [0] * len(people)
    for position, i in enumerate(order):
        rank[i] = position

    found: dict[tuple[int, int], str] = {}

    def propose(i: int, j: int, reason: str) -> None:
        if people[i].member_id != people[j].member_id:
            found.setdefault((i, j) if rank[i] < rank[j] else (j, i), reason)

    for group in _groups_by_id(people):
        for i, j in combinations(group, 2):
            propose(i, j, SAME_ID)
    by_name = _groups_by_name(folded, people)
    for group in by_name.values():
        for i, j in combinations(group, 2):
            propose(i, j, SAME_NAME)
    if similar_names:
        for i, j in _similar_pairs(by_name):
            propose(i, j, SIMILAR_NAME)

    ordered = sorted(found.items(), key=lambda item: (_REASON_RANK[item[1]],
                                                      rank[item[0][0]], rank[item[0][1]]))
    return [DuplicatePair(people[i], people[j], reason, STRENGTH[reason],
                          _explain(people[i], people[j], reason),
                          people[i].household_id == people[j].household_id)
            for (i, j), reason in ordered]
