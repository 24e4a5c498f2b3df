"""Members and households: identity numbers, ages, and the rules a household follows.

Identity numbers (số định danh) are of two kinds:

- a **CCCD** (căn cước công dân, now căn cước) has 12 digits: digits 1–3 are the code of the
  province where the birth was registered (the pre-2025 GSO province code padded to 3 digits,
  001–096), digit 4 gives the century of birth and the sex, digits 5–6 are the last two digits
  of the birth year, and the last 6 digits are a serial number. Digit 4 is 0/1 for 1900–1999,
  2/3 for 2000–2099, 4/5 for 2100–2199, 6/7 for 2200–2299 and 8/9 for 2300–2399; even is male,
  odd is female;
- an old **CMND** (chứng minh nhân dân) has 9 digits and carries nothing that can be checked.

Rules that need the whole household (one head, no two members with the same number …) are
the ``check_*`` functions over a list of ``MemberFacts``; ``check_household`` runs them all.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from gnapp.domain.codes import RELATION, SEX
from gnapp.domain.dates import PartialDate
from gnapp.domain.issues import Issue, error, warning
from gnapp.domain.text import clean, quoted

CCCD_DIGITS = 12
CMND_DIGITS = 9
PROVINCE_CODE_RANGE = range(1, 97)  # 001–096, what a CCCD is accepted with by default
_PROVINCE_CODES = frozenset(f"{code:03d}" for code in PROVINCE_CODE_RANGE)

# The 63 provinces before the 2025 reform, as the first 3 digits of a CCCD (the GSO code
# padded to 3 digits). Pass it as ``province_codes`` to refuse codes that no province had.
PROVINCE_CODES_2024 = frozenset(f"{code:03d}" for code in (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36,
    37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74,
    75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96))

_SEPARATORS = re.compile(r"[\s.\-]+")
_SEX_WORD = {"nam": "nam", "nu": "nữ"}
_DISAGREEMENT_WORD = {"sex": "giới tính", "century": "thế kỷ sinh (chữ số thứ 4)",
                      "year": "năm sinh"}


# --- identity numbers ---------------------------------------------------------------------

def normalise_id_number(number: str | None) -> str:
    """Return the number without spaces, dots and hyphens ("001 085.001234" → "001085001234").

    ``None`` gives "". Nothing else is changed: letters stay, for the check to report them.
    """
    if number is None:
        return ""
    return _SEPARATORS.sub("", clean(str(number)))


@dataclass(frozen=True)
class CccdFacts:
    """What a 12-digit CCCD says about its holder.

    Attributes:
        province_code: digits 1–3, the province where the birth was registered ("001")
        sex: ``nam`` or ``nu`` (digit 4 even or odd)
        birth_year: the century from digit 4 plus digits 5–6
    """

    province_code: str
    sex: str
    birth_year: int


def decode_cccd(number: str | None) -> CccdFacts | None:
    """Read province, sex and birth year from a CCCD; ``None`` if it is not 12 digits.

    ``decode_cccd("001303000123") == CccdFacts("001", "nu", 2003)``.
    """
    digits = normalise_id_number(number)
    if len(digits) != CCCD_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    century_sex = int(digits[3])
    return CccdFacts(province_code=digits[:3],
                     sex="nam" if century_sex % 2 == 0 else "nu",
                     birth_year=1900 + 100 * (century_sex // 2) + int(digits[4:6]))


def id_disagreements(facts: CccdFacts, *, sex: str | None,
                     birth_year: int | None) -> tuple[str, ...]:
    """Return what a CCCD contradicts about a member: some of ``sex``, ``century``, ``year``.

    ``century`` means the last two digits of the year agree but digit 4 gives another
    century (1985 against a card that says 2085); ``year`` means the last two digits differ.
    An unknown sex (or one outside ``SEX``) or birth year is not compared.
    """
    found = []
    if sex in SEX and sex != facts.sex:
        found.append("sex")
    if birth_year is not None and birth_year != facts.birth_year:
        found.append("century" if birth_year % 100 == facts.birth_year % 100 else "year")
    return tuple(found)


def _facts_phrase(sex: str | None, year: int | None) -> str:
    """Return "nữ sinh năm 2003", "nam", "sinh năm 1985" — whatever is known."""
    parts = []
    if sex in _SEX_WORD:
        parts.append(_SEX_WORD[sex])
    if year is not None:
        parts.append(f"sinh năm {year}")
    return " ".join(parts)


def check_id_number(number: str | None, *, sex: str | None, birth: PartialDate | None,
                    province_codes: Collection[str] | None = None,
                    field: str = "id_number", source: str | None = None) -> list[Issue]:
    """Check a member's CCCD or CMND number.

    Rules (after ``normalise_id_number``):

    - empty: no issue (the number is optional);
    - only digits (error ``member.id_not_digits``);
    - 9 digits (old CMND): accepted, nothing more to check;
    - 12 digits (CCCD), otherwise error ``member.id_length``;
    - a CCCD's digits 1–3 are a province code: 001–096, or one of ``province_codes`` when
      given (for example ``PROVINCE_CODES_2024``) (error ``member.id_province``);
    - a CCCD agrees with the member's sex and birth year (error ``member.id_disagrees``, whose
      message says what the card says, what the member has, and which of them differ).
    """
    if type(number) is str and (sex is None or type(sex) is str) and province_codes is None:
        return list(_id_number_issues(number, sex, birth, field, source))
    return _check_id_number(number, sex=sex, birth=birth, province_codes=province_codes,
                            field=field, source=source)


# An import checks each member's number twice (the row, then its household): the answers
# for the numbers read last are kept (tuples of frozen ``Issue``), as many as the members
# of a large commune's package (5 MB)
@functools.lru_cache(maxsize=1 << 15)
def _id_number_issues(number: str, sex: str | None, birth: PartialDate | None, field: str,
                      source: str | None) -> tuple[Issue, ...]:
    return tuple(_check_id_number(number, sex=sex, birth=birth, field=field, source=source))


def _check_id_number(number: str | None, *, sex: str | None, birth: PartialDate | None,
                     province_codes: Collection[str] | None = None,
                     field: str = "id_number", source: str | None = None) -> list[Issue]:
    digits = normalise_id_number(number)
    if not digits:
        return []
    shown = quoted(digits)
    if not (digits.isascii() and digits.isdigit()):
        return [error("member.id_not_digits",
                      f"Số CCCD/CMND {shown} chỉ được gồm chữ số.", field, source)]
    if len(digits) == CMND_DIGITS:
        return []
    if len(digits) != CCCD_DIGITS:
        return [error("member.id_length",
                      f"Số CCCD/CMND {shown} có {len(digits)} chữ số; số CCCD có "
                      f"{CCCD_DIGITS} chữ số, số CMND cũ có {CMND_DIGITS} chữ số.", field, source)]
    facts = decode_cccd(digits)
    issues = []
    allowed = ({str(code).zfill(3) for code in province_codes} if province_codes is not None
               else _PROVINCE_CODES)
    if facts.province_code not in allowed:
        issues.append(error("member.id_province",
                            f"Số CCCD {digits}: 3 chữ số đầu «{facts.province_code}» không phải "
                            "mã tỉnh nơi đăng ký khai sinh.", field, source))
    birth_year = birth.year if birth is not None else None
    differ = id_disagreements(facts, sex=sex, birth_year=birth_year)
    if differ:
        what = " và ".join(_DISAGREEMENT_WORD[d] for d in differ)
        card = _facts_phrase(facts.sex, facts.birth_year)
        member = _facts_phrase(sex, birth_year)
        issues.append(error("member.id_disagrees",
                            f"Số CCCD {digits} cho biết {card}, nhưng thành viên là {member} "
                            f"(khác {what}).", field, source))
    return issues


# --- ages ---------------------------------------------------------------------------------

def age_on(birth: PartialDate | None, day: date) -> int | None:
    """Return the age in whole years on ``day``; ``None`` if the birth is unknown or later.

    What is not known of the birth date is taken as early as possible:

    - year only ("1985"): the difference of the years, as if born on 1 January;
    - month and year ("03/1985"): as if born on the 1st of the month;
    - full date: the exact age (someone born on 29 February is a year older on 1 March).
    """
    if birth is None:
        return None
    born = (birth.month or 1, birth.day or 1)
    age = day.year - birth.year - ((day.month, day.day) < born)
    return age if age >= 0 else None


def _surely_before(a: PartialDate, b: PartialDate) -> bool:
    """True when ``a`` is certainly earlier than ``b``, comparing only the parts both have."""
    if a.year != b.year:
        return a.year < b.year
    if a.month is None or b.month is None or a.month != b.month:
        return a.month is not None and b.month is not None and a.month < b.month
    return a.day is not None and b.day is not None and a.day < b.day


# --- members and households ---------------------------------------------------------------

@dataclass(frozen=True)
class MemberFacts:
    """What the household rules need to know of one member.

    Attributes:
        name: full name ("Nguyễn Văn Đức")
        sex: a ``SEX`` code (``nam``/``nu``)
        birth: birth date, possibly year only; ``None`` if unknown
        relation: a ``RELATION`` code (``head`` for the chủ hộ)
        id_number: CCCD or CMND as typed, ``None`` or "" if none
        present: False for a member who has left (moved out, died) but stays on record
        source: where the row came from (table and row id, file and row)
    """

    name: str | None
    sex: str | None
    birth: PartialDate | None
    relation: str | None
    id_number: str | None = None
    present: bool = True
    source: str | None = None


def as_member_facts(member: MemberFacts | Mapping) -> MemberFacts:
    """Return ``member`` as ``MemberFacts``; a mapping is read by the field names."""
    if isinstance(member, MemberFacts):
        return member
    fields = {f.name: member[f.name] for f in dataclasses.fields(MemberFacts) if f.name in member}
    return MemberFacts(**{"name": None, "sex": None, "birth": None, "relation": None, **fields})


def _who(member: MemberFacts) -> str:
    return quoted(clean(member.name)) if clean(member.name) else "(chưa có tên)"


def check_name(member: MemberFacts) -> list[Issue]:
    """The member has a name (error ``member.name_missing``)."""
    if clean(member.name):
        return []
    return [error("member.name_missing", "Chưa nhập họ và tên thành viên.", "full_name", member.source)]


def check_sex(member: MemberFacts) -> list[Issue]:
    """The sex is one of ``SEX`` (error ``member.sex_missing`` or ``member.sex_invalid``)."""
    if not member.sex:
        return [error("member.sex_missing", f"{_who(member)}: chưa chọn giới tính.", "sex",
                      member.source)]
    if member.sex not in SEX:
        return [error("member.sex_invalid",
                      f"{_who(member)}: giới tính {quoted(member.sex)} không hợp lệ.", "sex",
                      member.source)]
    return []


def check_relation(member: MemberFacts) -> list[Issue]:
    """The relation to the head is one of ``RELATION`` (error ``member.relation_missing`` or
    ``member.relation_invalid``)."""
    if not member.relation:
        return [error("member.relation_missing", f"{_who(member)}: chưa chọn quan hệ với chủ hộ.",
                      "relation", member.source)]
    if member.relation not in RELATION:
        return [error("member.relation_invalid",
                      f"{_who(member)}: quan hệ với chủ hộ {quoted(member.relation)} không hợp lệ.",
                      "relation", member.source)]
    return []


def check_member_id(member: MemberFacts) -> list[Issue]:
    """The identity number passes ``check_id_number``; messages start with the member's name."""
    return [dataclasses.replace(issue, message=f"{_who(member)}: {issue.message}")
            for issue in check_id_number(member.id_number, sex=member.sex, birth=member.birth,
                                         source=member.source)]


MEMBER_CHECKS = (check_name, check_sex, check_relation, check_member_id)


def check_member(member: MemberFacts | Mapping) -> list[Issue]:
    """Run every rule of ``MEMBER_CHECKS`` on one member."""
    facts = as_member_facts(member)
    return [issue for check in MEMBER_CHECKS for issue in check(facts)]


def _present(members: Iterable[MemberFacts]) -> list[MemberFacts]:
    return [m for m in members if m.present]


def check_members(members: list[MemberFacts]) -> list[Issue]:
    """Every member, present or not, passes ``check_member``."""
    return [issue for m in members for issue in check_member(m)]


def check_one_head(members: list[MemberFacts]) -> list[Issue]:
    """Exactly one present member is the head.

    None: error ``household.no_head`` "Hộ chưa có chủ hộ"; two or more: error
    ``household.several_heads`` naming them.
    """
    heads = [m for m in _present(members) if m.relation == "head"]
    if not heads:
        return [error("household.no_head", "Hộ chưa có chủ hộ.", "relation")]
    if len(heads) > 1:
        names = ", ".join(_who(m) for m in heads)
        return [error("household.several_heads",
                      f"Hộ có {len(heads)} chủ hộ: {names}; mỗi hộ chỉ có một chủ hộ.", "relation")]
    return []


def check_unique_id_numbers(members: list[MemberFacts]) -> list[Issue]:
    """No two members (present or not) share an identity number (error
    ``household.id_repeated``, one per repeated number, naming the members)."""
    by_number: dict[str, list[MemberFacts]] = {}
    for m in members:
        number = normalise_id_number(m.id_number)
        if number:
            by_number.setdefault(number, []).append(m)
    return [error("household.id_repeated",
                  f"Các thành viên {', '.join(_who(m) for m in same)} có cùng số CCCD/CMND "
                  f"{number}.", "id_number", same[1].source)
            for number, same in by_number.items() if len(same) > 1]


def check_spouses(members: list[MemberFacts]) -> list[Issue]:
    """At most one present member is the head's spouse (warning ``household.several_spouses``)."""
    count = Counter(m.relation for m in _present(members))["spouse"]
    if count > 1:
        return [warning("household.several_spouses",
                        f"Hộ có {count} người là vợ/chồng của chủ hộ; kiểm tra lại quan hệ.",
                        "relation")]
    return []


def check_children_younger(members: list[MemberFacts]) -> list[Issue]:
    """No present child of the head is certainly older than the head (warning
    ``household.child_older_than_head``, one per child). Only the parts of the birth dates
    that both have are compared, so "1985" and "03/1985" are not said to differ."""
    present = _present(members)
    heads = [m for m in present if m.relation == "head" and m.birth is not None]
    if len(heads) != 1:
        return []
    head = heads[0]
    return [warning("household.child_older_than_head",
                    f"{_who(m)} là con nhưng sinh ({m.birth.display()}) trước chủ hộ "
                    f"{_who(head)} ({head.birth.display()}).", "birth_date", m.source)
            for m in present
            if m.relation == "child" and m.birth is not None
            and _surely_before(m.birth, head.birth)]


HOUSEHOLD_CHECKS = (check_members, check_one_head, check_unique_id_numbers, check_spouses,
                    check_children_younger)


def check_household(members: Iterable[MemberFacts | Mapping]) -> list[Issue]:
    """Run every rule of ``HOUSEHOLD_CHECKS`` on the members of one household.

    :param members: ``MemberFacts``, or mappings with the same keys
    """
    facts = [as_member_facts(m) for m in members]
    return [issue for check in HOUSEHOLD_CHECKS for issue in check(facts)]
