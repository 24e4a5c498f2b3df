"""The demo dataset (``gnapp demo``): a commune with villages and its household register.

Later parts of the app (review rounds, allocations, projects, progress) add their own demo
data here. Filling is idempotent: running it twice adds nothing the second time. The data
is made up but shaped like a real commune (family names, household sizes, ages, CCCD
numbers that agree with each member).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from gnapp.db import households as hh
from gnapp.db import connection, documents, reviews, sites, units
from gnapp.domain.errors import GnappError

DEMO_COMMUNE = "15865"  # Xã Hoằng Hóa, Thanh Hóa (the commune of source document [003])
DEMO_OFFICE = "38"  # Tỉnh Thanh Hóa, the demo office
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


def fill(db: Database, *, households: int = DEMO_HOUSEHOLDS, seed: int = 2026,
         unit_code: str = DEMO_COMMUNE, villages: tuple[str, ...] = DEMO_VILLAGES,
         poor_bias: float = 0.14) -> dict:
    """Initialise the demo commune (or ``unit_code``) if the database is empty, then add
    what is missing; ``poor_bias`` is the share of households drawn poor-looking."""
    site = sites.local_site(db) or sites.init_site(
        db, unit_code, "commune", user="canbo", user_full_name="Lê Thị Hương")
    if site.role != "commune":
        raise GnappError("Dữ liệu mẫu chỉ dùng cho máy của xã.")
    writer = sites.writer(db)
    have = {v["name"] for v in units.children(db, site.unit_code, level="village")}
    missing = [name for name in villages if name not in have]
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
    reviewed = writer.transact(
        lambda w: _fill_rounds(w, random.Random(seed + 1), poor_bias)).result
    if not documents.signer_rows(db, site.unit_code):
        writer.transact(_add_signers)
    if not list(db.query("SELECT 1 FROM report_period WHERE deleted = 0 LIMIT 1")):
        writer.transact(lambda w: _fill_programme(w, random.Random(seed + 2)))
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


def _fill_rounds(w, rng: random.Random, poor_bias: float = 0.14) -> int:
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
            income, deprivations = _answers(rng, codes, poor_bias)
            if reviews.review_of(db, round_["id"], home):
                continue
            row, _ = reviews.save_review(
                w, round_["id"], home, income_per_person=income, deprivations=deprivations,
                reviewer=rng.choice(REVIEWERS), review_date=f"{round_['year']}-10-{rng.randrange(1, 29):02d}")
            if finish:
                reviews.complete_review(w, row["id"])
            added += 1
    return added


# (line, amount in đồng) of the province's 2025 and 2026 allocations to the demo commune.
ALLOCATIONS = {
    2025: (("DA2", 950_000_000), ("DA3.TDA1", 600_000_000), ("DA4.TDA1", 240_000_000),
           ("DA6.TDA1", 45_000_000), ("DA7.TDA1", 35_000_000)),
    2026: (("DA2", 1_200_000_000), ("DA3.TDA1", 800_000_000), ("DA4.TDA1", 300_000_000),
           ("DA5", 400_000_000), ("DA6.TDA1", 50_000_000), ("DA7.TDA1", 40_000_000)),
}
# Figures of the regular policies the commune types in (indicator code, 2025 year, 2026
# first six months).
POLICY_FIGURES = (
    ("CS.BHYT.THE", "1.412", "1.398"), ("CS.BHYT.NGHEO", "188", "171"),
    ("CS.BHYT.CAN_NGHEO", "402", "395"), ("CS.BHYT.MOI_THOAT", "96", "104"),
    ("CS.DIEN.HO.Q1", "61", "58"), ("CS.DIEN.HO.Q2", "61", "56"),
    ("CS.DIEN.TIEN.Q1", "8.454.600", "8.038.800"), ("CS.DIEN.TIEN.Q2", "8.454.600", "7.761.600"),
    ("CS.GIAO_DUC.HOC_PHI.HS.HK2", "212", "205"), ("CS.GIAO_DUC.AN.HS.HK2", "64", "61"),
    ("CS.GIAO_DUC.AN.GAO.HK2", "5.760", "5.490"),
    ("CS.TIN_DUNG.HO", "318", "326"), ("CS.TIN_DUNG.DU_NO", "14.850.000.000", "15.420.000.000"),
    ("CS.TIN_DUNG.NGHEO.HO", "97", "88"), ("CS.TIN_DUNG.NGHEO.DU_NO", "4.120.000.000",
                                           "3.860.000.000"),
    ("CS.TGPL.VU_VIEC", "6", "4"), ("CS.THONG_TIN.BUOI", "18", "9"),
    ("DA4.TDA1.LOP", "3", "2"), ("DA4.TDA1.NGUOI", "96", "61"),
)


def _fill_programme(w, rng: random.Random) -> None:
    """Allocations from the province with their payments, a livelihood project with poor
    households of the register, the finished 2025 report period and the open 6-month
    period of 2026 with the figures of the regular policies."""
    from gnapp.db import allocations, disbursement, progress, projects

    for year, lines in ALLOCATIONS.items():
        decision = allocations.create_decision(
            w, issuer="UBND tỉnh Thanh Hóa", year=year, number=f"{112 + year % 10}/QĐ-UBND",
            signed_on=f"{year}-01-20", title=f"Giao kế hoạch vốn sự nghiệp năm {year}")
        for code, amount in lines:
            line = allocations.set_amount(w, decision["id"], line_code=code, source="NSTW",
                                          capital_type="SN", amount=amount)
            last = 12 if year == 2025 else 6
            paid = 0
            for month in range(3, last + 1, 3):
                share = amount // (5 if year == 2026 else 4)
                if paid + share > amount:
                    break
                disbursement.add_payment(w, line["id"], amount=share, paid_on=f"{year}-{month:02d}-15",
                                         document=f"PC {month:02d}/{code}", content="Chi theo dự toán")
                paid += share
    poor = [r["household_id"] for r in w.db.query(
        "SELECT x.household_id FROM household_review x JOIN review_round r ON r.id = x.round_id "
        "WHERE r.year = 2025 AND x.class IN ('poor', 'near_poor') AND x.deleted = 0 "
        "ORDER BY x.household_id")]
    rng.shuffle(poor)
    for name, code, starts, size in (("Nuôi bò sinh sản thôn Kim Sơn", "DA2", "2026-03-01", 12),
                                     ("Trồng rau an toàn thôn Phú Kim", "DA3.TDA1", "2026-04-01", 8)):
        project = projects.create_project(w, name=name, line_code=code, year=2026,
                                          starts_on=starts, ends_on="2027-12-31",
                                          implementer="UBND xã", amount=300_000_000)
        for home in poor[:size]:
            projects.add_participant(w, project["id"], home, counterpart=2_000_000,
                                     joined_on=starts)
        poor = poor[size:]
    finished = progress.create_period(w, "year", 2025)
    current = progress.create_period(w, "half_year", 2026)
    for code, last_year, first_half in POLICY_FIGURES:
        progress.set_figure(w, finished["id"], code, actual=last_year)
        progress.set_figure(w, current["id"], code, actual=first_half)
    progress.set_figure(w, current["id"], "GN.HO_NGHEO", target="20")
    progress.complete_period(w, finished["id"], today=date(2025, 12, 3))


# Villages of the other communes of the demo office.
OFFICE_VILLAGES = ("Thôn Đông", "Thôn Đoài", "Thôn Nam", "Thôn Bắc", "Thôn Trung",
                   "Thôn Thượng")
OFFICE_COMMUNES = 4
OFFICE_HOUSEHOLDS = 150


def fill_office(db: Database, folder: str | Path, *, communes: int = OFFICE_COMMUNES,
                households: int = OFFICE_HOUSEHOLDS) -> dict:
    """A demo province office (Thanh Hóa) that merged the packages of ``communes`` demo
    communes, the demo commune first; the communes' databases and packages are written in
    ``folder``. Idempotent like ``fill``: a commune already made is exported again (only
    what changed) and its package imported."""
    from gnapp.sync import export, importer

    site = sites.local_site(db) or sites.init_site(
        db, DEMO_OFFICE, "office", user="canbotinh", user_full_name="Trần Văn Sơn")
    if site.role != "office" or site.unit_code != DEMO_OFFICE:
        raise GnappError("Dữ liệu mẫu của cơ quan cấp trên chỉ dùng cho máy của Tỉnh Thanh "
                         "Hóa mới khởi tạo.")
    codes = [DEMO_COMMUNE] + [c["code"] for c in units.children(db, DEMO_OFFICE,
                                                                 level="commune")
                              if c["code"] != DEMO_COMMUNE][:communes - 1]
    folder = Path(folder)
    imported = 0
    for n, code in enumerate(codes):
        commune = connection.connect(folder / code / "gnapp.sqlite")
        try:
            fill(commune, households=households, seed=2026 + n, unit_code=code,
                 villages=DEMO_VILLAGES if code == DEMO_COMMUNE else OFFICE_VILLAGES[:3 + n % 4],
                 poor_bias=0.08 + 0.05 * n)
            sent = export.export_package(commune, folder / "goi")
            fingerprint = sites.local_site(commune).fingerprint
        finally:
            commune.close()
        reports = importer.import_files(db, sent.paths, trust=[fingerprint])
        imported += sum(1 for r in reports if r.status == "applied")
    return {"unit_code": DEMO_OFFICE, "communes": codes, "packages_imported": imported,
            "folder": str(folder),
            "households": db.execute("SELECT count(*) FROM household WHERE deleted = 0"
                                     ).fetchone()[0]}
