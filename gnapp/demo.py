"""The demo dataset (``gnapp demo``): a commune with villages and its household register.

Later parts of the app (review rounds, allocations, projects, progress) add their own demo
data here. Filling is idempotent: running it twice adds nothing the second time. The data
is made up but shaped like a real commune (family names, household sizes, ages, CCCD
numbers that agree with each member).
"""

from __future__ import annotations

import random

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import documents, reviews, sites, units
from gnapp.domain.errors import GnappError

DEMO_COMMUNE = "15865"  # Xã Hoằng Hóa, Thanh Hóa (the commune of source document [003])
DEMO_PROVINCE_CCCD = "038"  # Thanh Hóa's code in identity numbers
DEMO_VILLAGES = ("Thôn Kim Sơn", "Thôn Phú Kim", "Thôn Đông Kim", "Thôn Trung Kim", "Thôn Bắc Kim",
                 "Thôn Hồng Kim", "Thôn Quang Kim", "Thôn Tân Kim")
DEMO_HOUSEHOLDS = 500
DEMO_YEAR = 2026

FAMILY = ("Nguyễn", "Lê", "Trần", "Hoàng", "Phạm", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương",
          "Trịnh", "Lương", "Hồ", "Mai", "Đinh", "Tạ", "Cao")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Đình", "Ngọc")
MIDDLE_F = ("Thị", "Thị", "Thu", "Hồng", "Ngọc", "Thanh", "Phương")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Nam",
           "Phúc", "Quân", "Sơn", "Thắng", "Toàn", "Tuấn", "Việt", "Vinh", "Đạt")
GIVEN_F = ("Anh", "Ánh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
           "Nga", "Nhung", "Oanh", "Phượng", "Thảo", "Trang", "Tuyết", "Yến", "Xuân")


def _name(rng: random.Random, family: str, sex: str) -> str:
    middle, given = (MIDDLE_M, GIVEN_M) if sex == "nam" else (MIDDLE_F, GIVEN_F)
    return f"{family} {rng.choice(middle)} {rng.choice(given)}"


def _cccd(rng: random.Random, sex: str, year: int) -> str:
    century = (year // 100 - 19) * 2 + (sex == "nu")
    return f"{DEMO_PROVINCE_CCCD}{century}{year % 100:02d}{rng.randrange(10**6):06d}"


def _person(rng: random.Random, family: str, sex: str, year: int, relation: str) -> dict:
    age = DEMO_YEAR - year
    person = {"full_name": _name(rng, family, sex), "sex": sex, "birth_date": str(year),
              "ethnicity": "Kinh", "relation": relation,
              "health_insurance": int(rng.random() < 0.9)}
    if age >= 14:
        person["id_number"] = _cccd(rng, sex, year)
    if 6 <= age < 18:
        person["schooling"] = "primary" if age < 11 else (
            "lower_secondary" if age < 15 else "upper_secondary")
        person["employment"] = "student"
    elif age >= 18:
        person["employment"] = rng.choice(("self_employed", "self_employed", "employed_contract",
                                           "employed_no_contract", "not_working"))
    return person


def _family(rng: random.Random) -> tuple[dict, list[dict]]:
    family = rng.choice(FAMILY)
    head_sex = "nam" if rng.random() < 0.8 else "nu"
    head_year = rng.randrange(1945, 2000)
    head = _person(rng, family, head_sex, head_year, "head")
    others = []
    if rng.random() < 0.8:
        spouse_sex = "nu" if head_sex == "nam" else "nam"
        others.append(_person(rng, rng.choice(FAMILY), spouse_sex,
                              min(head_year + rng.randrange(-3, 6), 2000), "spouse"))
    for _ in range(rng.choice((0, 1, 2, 2, 3))):
        year = min(head_year + rng.randrange(20, 35), DEMO_YEAR - 1)
        others.append(_person(rng, family, rng.choice(("nam", "nu")), year, "child"))
    if rng.random() < 0.15:
        others.append(_person(rng, family, rng.choice(("nam", "nu")),
                              max(head_year - rng.randrange(22, 30), 1925), "parent"))
    return head, others


def fill(db: Database, *, households: int = DEMO_HOUSEHOLDS, seed: int = 2026) -> dict:
    """Initialise the demo commune if the database is empty, then add what is missing."""
    site = sites.local_site(db) or sites.init_site(
        db, DEMO_COMMUNE, "commune", user="canbo", user_full_name="Lê Thị Hương")
    if site.role != "commune":
        raise GnappError("Dữ liệu mẫu chỉ dùng cho máy của xã.")
    writer = sites.writer(db)
    have = {v["name"] for v in units.children(db, site.unit_code, level="village")}
    missing = [name for name in DEMO_VILLAGES if name not in have]
    writer.transact(lambda w: [units.add_village(w, name) for name in missing])
    villages = units.children(db, site.unit_code, level="village")
    rng = random.Random(seed)
    added = 0
    existing = hh.count_households(db, status=None)

    def add_all(w) -> None:
        nonlocal added
        for i in range(existing, households):
            head, others = _family(rng)
            village = villages[i % len(villages)]
            row = hh.add_household(w, village_id=village["id"], area="rural", head=head,
                                   on_date="2021-10-01",
                                   farm_household=int(rng.random() < 0.6))
            for person in others:
                hh.add_member(w, row["id"], person)
            added += 1

    writer.transact(add_all)
    reviewed = writer.transact(lambda w: _fill_rounds(w, random.Random(seed + 1))).result
    if not documents.signer_rows(db, site.unit_code):
        writer.transact(_add_signers)
    unit = units.get_unit(db, site.unit_code)
    return {"unit_code": site.unit_code, "unit_name": unit["name"],
            "villages": len(villages), "villages_added": len(missing),
            "households": hh.count_households(db, status=None), "households_added": added,
            "reviews_added": reviewed}


REVIEWERS = ("Lê Văn Tâm", "Nguyễn Thị Lan", "Đỗ Văn Hùng")


def _add_signers(w) -> None:
    """The chairman and a vice-chairman of the commune, who sign its documents."""
    documents.add_signer(w, role="chairman", name="Lê Đình Hải", valid_from="2025-07-01")
    documents.add_signer(w, role="vice_chairman", name="Nguyễn Thị Thu Hà",
                         valid_from="2025-07-01")


def _answers(rng: random.Random, codes: tuple[str, ...], poor_bias: float) -> tuple[int, dict]:
    """Income per person and deprivations of one household, shaped like a real commune."""
    if rng.random() < poor_bias:
        income = rng.randrange(700, 1500) * 1000
        count = rng.choice((1, 2, 3, 3, 4, 5))
    else:
        income = rng.randrange(1600, 6000) * 1000
        count = rng.choice((0, 0, 0, 1, 1, 2))
    chosen = set(rng.sample(codes, count))
    return income, {code: code in chosen for code in codes}


def _fill_rounds(w, rng: random.Random) -> int:
    """A finished periodic round (2025, every household complete) and the current one
    (2026, about a third entered as drafts). Returns the reviews added."""
    db = w.db
    have = {(r["kind"], r["year"]): r for r in reviews.rounds(db)}
    finished = have.get(("periodic", 2025)) or reviews.create_round(w, year=2025, kind="periodic")
    current = have.get(("periodic", 2026)) or reviews.create_round(w, year=2026, kind="periodic")
    added = 0
    homes = [r["id"] for r in db.query("SELECT id FROM household WHERE deleted = 0 "
                                         "AND status = 'active' ORDER BY code")]
    for round_, share, finish in ((finished, 1.0, True), (current, 0.35, False)):
        codes = reviews.standard(round_["standard_id"], db).indicator_codes
        for home in homes[:int(len(homes) * share)]:
            income, deprivations = _answers(rng, codes, 0.14)
            if reviews.review_of(db, round_["id"], home):
                continue
            row, _ = reviews.save_review(
                w, round_["id"], home, income_per_person=income, deprivations=deprivations,
                reviewer=rng.choice(REVIEWERS), review_date=f"{round_['year']}-10-{rng.randrange(1, 29):02d}")
            if finish:
                reviews.complete_review(w, row["id"])
            added += 1
    return added
