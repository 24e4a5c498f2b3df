"""The Tân Yên annex (plan 58/KH-UBND, document 001) as the tests of poverty targets use it.

``tests/fixtures/targets`` holds copies of the seed fixtures: ``tan_yen_2015_2020.csv`` (the 24
unit rows × 6 years as printed) and ``tan_yen_expected.json`` (what must be computed and
flagged, and the document's own total row, which the CSV leaves out). ``with_total_row``
writes the CSV with that total row appended as "Tổng" rows, as an office would type it.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from gnapp.db import sites, units
from gnapp.domain.targets import PlanGoals, TargetRow

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "targets"
CSV = FIXTURES / "tan_yen_2015_2020.csv"
PLAN = "58/KH-UBND"


def expected() -> dict:
    return json.loads((FIXTURES / "tan_yen_expected.json").read_text(encoding="utf-8"))


def printed_total_rows() -> list[dict]:
    return expected()["district_total_row_printed"]["values"]


def with_total_row(folder: Path, name: str = "tan_yen_tong.csv") -> Path:
    """The CSV with the document's total row appended ("Tổng", one line per year)."""
    text = CSV.read_text(encoding="utf-8")
    text += "".join(f",Tổng,{v['year']},{v['households']},{v['poor_households']},"
                    f"{v['rate_printed']}\n" for v in printed_total_rows())
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_rows() -> list[TargetRow]:
    """The unit rows of the CSV as domain rows (read with the csv module, not with gnapp)."""
    with CSV.open(encoding="utf-8", newline="") as f:
        reader = list(csv.DictReader(f))
    order: dict[str, int] = {}
    out = []
    for n, r in enumerate(reader, start=2):
        order.setdefault(r["unit_name"], len(order) + 1)
        out.append(TargetRow(r["unit_name"], int(r["year"]), int(r["households"]),
                             int(r["poor_households"]), Decimal(r["rate_printed"]),
                             r["rate_printed"], row_no=r["stt_printed"],
                             position=order[r["unit_name"]], source=f"{CSV.name}, dòng {n}"))
    return out


def stated_rows() -> list[TargetRow]:
    return [TargetRow("Tổng", v["year"], v["households"], v["poor_households"],
                      Decimal(v["rate_printed"]), v["rate_printed"]) for v in printed_total_rows()]


def goals() -> PlanGoals:
    """The goals of sections II.2 of the plan, from the expected file's text targets."""
    text = expected()["text_targets"]
    ceiling = text["district_rate_2020_max_percent"]
    return PlanGoals(max_rate=Decimal(ceiling["target"]), max_rate_year=2020,
                     decrease=Decimal(text["average_annual_decrease_points"]["target"]),
                     decrease_from=2015, decrease_to=2020,
                     decrease_above=Decimal(
                         text["high_rate_communes_annual_decrease_points"]["target"]),
                     quote=text["quote"])


def tan_yen_office(db) -> None:
    """Make ``db`` (with the official units, no site) the site of Tỉnh Bắc Ninh's office, with
    the legacy district Tân Yên and three of its old units (An Dương, the town Nhã Nam and the
    commune Nhã Nam), so that some printed names match a code and the rest stay as printed."""
    sites.init_site(db, "24", "office", user="vanphong")
    w = sites.writer(db)
    units.add_legacy_unit(w, code="222", name="Huyện Tân Yên", unit_type="huyện",
                          parent_code="24")
    units.add_legacy_unit(w, code="07330", name="Xã An Dương", unit_type="xã",
                          parent_code="222")
    units.add_legacy_unit(w, code="07306", name="Thị trấn Nhã Nam", unit_type="thị trấn",
                          parent_code="222")
    units.add_legacy_unit(w, code="07360", name="Xã Nhã Nam", unit_type="xã",
                          parent_code="222")
