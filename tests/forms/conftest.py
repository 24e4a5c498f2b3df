"""A small scripted commune whose report figures are counted by hand in the tests.

Xã Tân Yên (07339) with three villages and two periodic rounds (2024, 2025), both under
CN2022 (rural line 1.500.000 đồng, MSTB band up to 2.250.000 đồng for farm households):

=====  ========  =========  =========  ===============================================
hh     village   persons    2024       2025
=====  ========  =========  =========  ===============================================
A1     Thôn Một  3          poor       poor (employment, nutrition, cleanWater)
A2     Thôn Một  2          poor       near-poor
A3     Thôn Một  4          poor       not poor
A4     Thôn Một  1          near-poor  poor (employment, healthInsurance, housingArea,
                                       cleanWater)
A5     Thôn Một  5          not poor   poor (nutrition, adultEducation, cleanWater)
B1     Thôn Hai  2          near-poor  near-poor
B2     Thôn Hai  3          near-poor  not poor
B3     Thôn Hai  4 (farm)   not poor   average living standard (MSTB)
B4     Thôn Hai  2          not poor   near-poor
B5     Thôn Hai  1          not poor   not reviewed (counts as not poor)
—      Thôn Ba   no households
=====  ========  =========  =========  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gnapp.db import households as hh
from gnapp.db import reviews, units
from gnapp.domain.codes import CN2022_INDICATORS

POOR_INCOME, ABOVE_INCOME, MSTB_INCOME = 1_000_000, 4_000_000, 2_000_000


def deprived(*codes: str) -> dict:
    unknown = set(codes) - set(CN2022_INDICATORS)
    assert not unknown, unknown
    return {code: code in codes for code in CN2022_INDICATORS}


POOR_3 = ("employment", "dependentPerson", "nutrition")
# (name, village, persons, farm, 2024 (income, deprivations), 2025 (income, deprivations))
HOUSEHOLDS = (
    ("A1", "Thôn Một", 3, False, (POOR_INCOME, POOR_3),
     (POOR_INCOME, ("employment", "nutrition", "cleanWater"))),
    ("A2", "Thôn Một", 2, False, (POOR_INCOME, POOR_3), (POOR_INCOME, ("employment",))),
    ("A3", "Thôn Một", 4, False, (POOR_INCOME, POOR_3), (ABOVE_INCOME, ())),
    ("A4", "Thôn Một", 1, False, (POOR_INCOME, ()),
     (POOR_INCOME, ("employment", "healthInsurance", "housingArea", "cleanWater"))),
    ("A5", "Thôn Một", 5, False, (ABOVE_INCOME, ()),
     (POOR_INCOME, ("nutrition", "adultEducation", "cleanWater"))),
    ("B1", "Thôn Hai", 2, False, (POOR_INCOME, ("employment",)), (POOR_INCOME, ())),
    ("B2", "Thôn Hai", 3, False, (POOR_INCOME, ()), (ABOVE_INCOME, ())),
    ("B3", "Thôn Hai", 4, True, (ABOVE_INCOME, ()), (MSTB_INCOME, ())),
    ("B4", "Thôn Hai", 2, False, (ABOVE_INCOME, ()), (POOR_INCOME, ("cleanWater",))),
    ("B5", "Thôn Hai", 1, False, (ABOVE_INCOME, ()), None),
)
VILLAGES = ("Thôn Một", "Thôn Hai", "Thôn Ba")


@dataclass
class Commune:
    db: object
    path: object
    villages: dict
    households: dict
    rounds: dict


def _member(i: int) -> dict:
    return {"full_name": f"Trần Thị Ánh {i}", "sex": "nu", "birth_date": "2001",
            "relation": "child", "health_insurance": 1}


@pytest.fixture
def commune(site_db, site_path, writer) -> Commune:
    villages = {name: units.add_village(writer, name) for name in VILLAGES}
    rounds = {year: reviews.create_round(writer, year=year, kind="periodic")
              for year in (2024, 2025)}
    homes = {}
    for name, village, persons, farm, first, second in HOUSEHOLDS:
        home = hh.add_household(writer, village_id=villages[village]["id"], area="rural",
                                head={"full_name": f"Nguyễn Văn Đức {name}", "sex": "nam",
                                      "birth_date": "1970", "health_insurance": 1,
                                      "employment": "self_employed"},
                                on_date="2020-01-01", farm_household=int(farm))
        for i in range(persons - 1):
            hh.add_member(writer, home["id"], _member(i))
        homes[name] = home
        for year, answers in ((2024, first), (2025, second)):
            if answers is None:
                continue
            income, codes = answers
            row, _ = reviews.save_review(writer, rounds[year]["id"], home["id"],
                                         income_per_person=income, deprivations=deprived(*codes),
                                         reviewer="Lê Văn Tâm", review_date=f"{year}-10-05")
            reviews.complete_review(writer, row["id"])
    return Commune(site_db, site_path, villages, homes, rounds)
