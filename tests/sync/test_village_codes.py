"""Villages added on two PCs of one commune get codes that cannot clash: both villages and
their households arrive everywhere, nothing is refused or lost (gnapp.db.units)."""

from gnapp.db import households as hh
from gnapp.db import sites, units
from gnapp.sync import conflicts
from tests.conftest import COMMUNE
from tests.sync.conftest import register_two_households
from tests.sync.test_round_trip import owned_rows, send


def add_village_with_household(db, village: str, head: str) -> tuple[dict, dict]:
    w = sites.writer(db)
    row = units.add_village(w, village)
    home = hh.add_household(w, village_id=row["id"], area="rural",
                            head={"full_name": head, "sex": "nam", "birth_date": "1970"})
    return row, home


def villages(db) -> dict[str, str]:
    return {v["name"]: v["code"] for v in units.children(db, COMMUNE, level="village")}


def test_the_series_letters_are_fixed_by_the_site():
    assert units.site_series("a") == units.site_series("a")
    assert len(units.site_series("0192f0c4-0000-7000-8000-000000000001")) == 3
    assert len({units.site_series(str(i)) for i in range(200)}) >= 195   # spread out
    assert set("".join(units.site_series(str(i)) for i in range(200))) <= set(
        units.SERIES_LETTERS)


def test_villages_made_on_two_pcs_both_survive_with_distinct_codes(commune, pc2, office,
                                                                     outbox):
    pc1 = commune
    register_two_households(pc1)                       # Thôn Đồng Tâm, 07339.01
    send(pc1, pc2, outbox / "pc1-1", to_unit=COMMUNE)  # PC 2 is set up from PC 1's register
    # each PC adds a village and a household in it, before hearing of the other's
    north, north_home = add_village_with_household(pc1, "Thôn Bắc Sơn", "Hoàng Văn Bắc")
    south, south_home = add_village_with_household(pc2, "Thôn Nam Sơn", "Vi Văn Nam")
    series = units.site_series(sites.local_site(pc2).id)
    assert north["code"] == "07339.02"                 # PC 1 knows no other PC yet
    assert south["code"] == f"07339.{series}01"        # PC 2 knows PC 1: its own series
    assert (north_home["code"], south_home["code"]) == ("02-0001", f"{series}01-0001")

    # the packages between them, and both to the office, are applied, not refused
    for source, target, folder, to in ((pc1, pc2, "pc1-2", COMMUNE),
                                       (pc2, pc1, "pc2-1", COMMUNE),
                                       (pc1, office, "o-1", None), (pc2, office, "o-2", None)):
        _, reports = send(source, target, outbox / folder, to_unit=to)
        assert [r.status for r in reports] == ["applied"], reports[0].reason
        assert not [p for p in reports[0].rows if p.action in ("refused", "conflict")]
    expected = {"Thôn Đồng Tâm": "07339.01", "Thôn Bắc Sơn": "07339.02",
                "Thôn Nam Sơn": f"07339.{series}01"}
    for db in (pc1, pc2, office):
        assert villages(db) == expected
        homes = {h["code"]: h["head_name"] for h in hh.list_households(db)}
        assert homes["02-0001"] == "Hoàng Văn Bắc"
        assert homes[f"{series}01-0001"] == "Vi Văn Nam"
        assert len(homes) == 4
        assert hh.find_by_code(db, f"{series}01-0001", COMMUNE)["village_id"] == south["id"]
        assert conflicts.open_conflicts(db) == []
    assert owned_rows(pc1, COMMUNE) == owned_rows(pc2, COMMUNE) == owned_rows(office, COMMUNE)

    # now that PC 1 knows PC 2, it numbers in its own series too
    again = units.add_village(sites.writer(pc1), "Thôn Trung Sơn")
    assert again["code"] == f"07339.{units.site_series(sites.local_site(pc1).id)}01"
    # and PC 2's next village follows its series
    assert units.add_village(sites.writer(pc2), "Thôn Đông Sơn")["code"] == \
        f"07339.{series}02"


def test_a_replacement_pc_numbers_in_its_own_series(commune):
    register_two_households(commune)
    old = sites.local_site(commune)
    new = sites.replace_site(commune, reason="Máy cũ hỏng, khôi phục từ bản sao lưu")
    row = units.add_village(sites.writer(commune), "Thôn Bắc Sơn")
    assert row["code"] == f"07339.{units.site_series(new.id)}01" != f"07339.{units.site_series(old.id)}01"
