"""The official unit list, its versions, legacy units and villages."""

import pytest

from gnapp.db import units
from gnapp.domain.errors import InputError
from gnapp.domain.text import fold

COMMUNE = "07339"  # Xã Tân Yên, Bắc Ninh: the site of the site_db fixture


def test_the_official_list_has_34_provinces_and_3321_communes(site_db):
    count = dict(site_db.execute(
        "SELECT level, count(*) FROM admin_unit WHERE source LIKE 'vietnam-provinces %' "
        "GROUP BY level").fetchall())
    assert count == {"province": 34, "commune": 3321}
    assert units.get_unit(site_db, "24")["name"] == "Tỉnh Bắc Ninh"
    tan_yen = units.get_unit(site_db, COMMUNE)
    assert (tan_yen["name"], tan_yen["parent_code"], tan_yen["type"]) == ("Xã Tân Yên", "24", "xã")
    assert units.get_unit(site_db, "70")["code"] == "00070"  # zero-padded text codes


@pytest.mark.parametrize("typed, expected", [
    ("ha noi", "Thành phố Hà Nội"),
    ("HÀ NỘI", "Thành phố Hà Nội"),
    ("thanh pho ha n", "Thành phố Hà Nội"),
    ("bac ninh", "Tỉnh Bắc Ninh"),
])
def test_search_ignores_case_and_diacritics(site_db, typed, expected):
    assert units.search_units(site_db, typed)[0]["name"] == expected


def test_search_folds_d_with_stroke(site_db):
    found = units.search_units(site_db, "duc", limit=500)
    assert any("Đức" in r["name"] for r in found)
    assert all("duc" in fold(r["name"]) for r in found)


def test_search_keys_units_by_code_not_name(site_db):
    found = units.search_units(site_db, "tan yen", level="commune")
    assert {(r["code"], r["parent_name"]) for r in found} >= {("03997", "Tỉnh Sơn La"),
                                                              ("07339", "Tỉnh Bắc Ninh")}


def test_search_ignores_fts_syntax_typed_by_users(site_db):
    assert units.search_units(site_db, '"ha" (noi*')[0]["name"] == "Thành phố Hà Nội"
    assert units.search_units(site_db, '"*"') == []


def newer_list(site_db):
    """The current list for Bắc Ninh only, with one commune renamed, one gone, one new."""
    province = units.get_unit(site_db, "24")
    wards = [{"code": int(c["code"]), "name": c["name"], "division_type": c["type"]}
             for c in units.children(site_db, "24")]
    wards = [w for w in wards if w["code"] != 7306]  # Xã Nhã Nam merged away
    for w in wards:
        if w["code"] == 7339:
            w["name"] = "Phường Tân Yên"
            w["division_type"] = "phường"
    wards.append({"code": 99001, "name": "Xã Mới Lập", "division_type": "xã"})
    return [{"code": 24, "name": province["name"], "division_type": province["type"],
             "wards": wards}]


def test_a_newer_list_adds_and_closes_rows_and_never_overwrites(site_db):
    old_id = units.get_unit(site_db, COMMUNE)["id"]
    before = site_db.execute("SELECT count(*) FROM admin_unit").fetchone()[0]
    result = units.load_official_units(site_db, newer_list(site_db), version="2026-01-15",
                                       valid_from="2026-01-01")
    # 33 other provinces and their communes are not in this partial list: they close too
    assert result["added"] == 2 and result["unchanged"] >= 90
    renamed = units.get_unit(site_db, COMMUNE, at="2026-02-01")
    history = units.get_unit(site_db, COMMUNE, at="2025-12-31")
    assert (renamed["name"], renamed["type"]) == ("Phường Tân Yên", "phường")
    assert history["id"] == old_id and history["name"] == "Xã Tân Yên"
    assert (history["valid_to"], history["replaced_by"]) == ("2025-12-31", renamed["id"])
    assert units.get_unit(site_db, "07306", at="2026-02-01") is None
    assert units.get_unit(site_db, "07306", at="2025-08-01")["valid_to"] == "2025-12-31"
    assert site_db.execute("SELECT count(*) FROM admin_unit").fetchone()[0] == before + 2
    closing = list(site_db.query("SELECT version, base_version, origin FROM change_log "
                                 "WHERE row_id = ? ORDER BY seq", [old_id]))
    assert closing[-1] == {"version": 2, "base_version": 1,
                           "origin": "vietnam-provinces@2026-01-15"}


def test_a_list_no_newer_than_the_current_one_is_refused(site_db):
    with pytest.raises(InputError, match="hiệu lực sau"):
        units.load_official_units(site_db, newer_list(site_db), version="x",
                                  valid_from="2025-07-01")


def test_the_bundled_list_loads_once(site_db):
    assert units.ensure_official_units(site_db) is None


def test_legacy_units_are_kept_with_their_codes_and_dates(site_db, writer):
    district = units.add_legacy_unit(writer, code="218", name="Huyện Tân Yên", unit_type="huyện",
                                     parent_code="24", valid_from="1957-01-01")
    commune = units.add_legacy_unit(writer, code="7306", name="Thị trấn Nhã Nam",
                                    unit_type="thị trấn", parent_code="218",
                                    replaced_by_code="07306")
    assert (district["code"], district["legacy"], district["valid_to"]) == ("218", 1, "2025-06-30")
    assert commune["code"] == "07306" and commune["parent_id"] == district["id"]
    assert units.get_unit(site_db, "07306", at="2020-01-01")["name"] == "Thị trấn Nhã Nam"
    assert units.get_unit(site_db, "07306")["name"] == "Xã Nhã Nam"
    assert units.search_units(site_db, "nha nam", level="commune")[0]["legacy"] == 0
    legacy = units.search_units(site_db, "nha nam", include_closed=True)
    assert {r["name"] for r in legacy} >= {"Thị trấn Nhã Nam", "Xã Nhã Nam"}


def test_a_legacy_code_cannot_overlap_a_unit_in_force(site_db, writer):
    with pytest.raises(InputError, match="cùng thời gian"):
        units.add_legacy_unit(writer, code="07339", name="Xã Cũ", unit_type="xã",
                              valid_from="2025-01-01", valid_to="2025-12-31")


def test_villages_get_the_next_local_code(site_db, writer):
    first = units.add_village(writer, "Thôn Đồng Tâm")
    second = units.add_village(writer, "Bản Nà Pài", unit_type="bản")
    assert (first["code"], second["code"]) == ("07339.01", "07339.02")
    assert [v["name"] for v in units.children(site_db, COMMUNE, level="village")] == \
        ["Thôn Đồng Tâm", "Bản Nà Pài"]  # Vietnamese order of the place name: Đồng < Nà
    found = units.search_units(site_db, "dong tam", level="village")
    assert [(v["code"], v["parent_name"]) for v in found] == [("07339.01", "Xã Tân Yên")]


def test_a_village_name_is_not_repeated_in_one_commune(site_db, writer):
    units.add_village(writer, "Thôn Đồng Tâm")
    with pytest.raises(InputError, match="đã có"):
        units.add_village(writer, "thôn đồng tâm".title().replace("Thôn", "Thôn"))


def test_a_village_needs_a_commune(site_db, writer):
    with pytest.raises(InputError, match="không phải mã xã"):
        units.add_village(writer, "Thôn A", commune_code="24")
