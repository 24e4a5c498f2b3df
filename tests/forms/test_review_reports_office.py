"""Review reports of an office: one row per commune whose data the office holds, and the total.

The office database (Tỉnh Bắc Ninh, 24) holds the rows of two communes, written as each
commune's own site would write them (Writer with the commune's actor): Xã Tân Yên (07339)
and Xã Đại Sơn (07627), each with villages, a 2024 and a 2025 round and households. The
figures are counted here independently with SQL.
"""

import uuid

import pytest

from gnapp.db import connection, reviews, sites, units
from gnapp.db import households as hh
from gnapp.db.store import Actor, Writer
from gnapp.domain.codes import CN2022_INDICATORS
from gnapp.domain.errors import GnappError, InputError
from gnapp.forms import catalog
from gnapp.forms import document as d
from readback import find_row, pdf_cells_after, sheet

OFFICE, TAN_YEN, DAI_SON = "24", "07339", "07627"
POOR, NEAR, NOT_POOR = 1_000_000, 1_000_000, 5_000_000
# commune → (village, persons, 2024 (income, deprived count), 2025 (income, deprived count))
DATA = {
    TAN_YEN: [("Thôn Một", 3, (POOR, 3), (POOR, 4)), ("Thôn Một", 2, (NEAR, 1), (POOR, 3)),
              ("Thôn Hai", 4, (POOR, 5), (NOT_POOR, 0)), ("Thôn Hai", 1, (NOT_POOR, 0), (NEAR, 2))],
    DAI_SON: [("Bản Nà", 5, (POOR, 3), (POOR, 3)), ("Bản Nà", 2, (NOT_POOR, 0), (NEAR, 1)),
              ("Bản Pắc", 6, (NEAR, 0), (NEAR, 0))],
}


def commune_writer(db, code: str) -> Writer:
    """A writer acting as a commune's own site (a peer site row, as a package would bring)."""
    site_id = str(uuid.uuid4())
    db["site"].insert({"id": site_id, "unit_code": code, "role": "commune",
                       "display_name": code, "sign_public": "-", "enc_public": "-",
                       "is_local": 0, "created_at": "2025-01-01T00:00:00+00:00"})
    return Writer(db, Actor(site_id=site_id, unit_code=code, user="xa"))


def _deprived(n: int) -> dict:
    return {c: i < n for i, c in enumerate(CN2022_INDICATORS)}


@pytest.fixture
def office(units_path):
    db = connection.connect(units_path)
    sites.init_site(db, OFFICE, "office", user="canbo", user_full_name="Lê Văn Tỉnh")
    for code, homes in DATA.items():
        w = commune_writer(db, code)
        villages = {}
        for name, _, _, _ in homes:
            villages.setdefault(name, None)
        villages = {name: units.add_village(w, name) for name in villages}
        rounds = {y: reviews.create_round(w, year=y, kind="periodic") for y in (2024, 2025)}
        for name, persons, first, second in homes:
            home = hh.add_household(w, village_id=villages[name]["id"], area="rural",
                                    head={"full_name": "Hà Văn Chủ", "sex": "nam",
                                          "birth_date": "1970", "health_insurance": 1},
                                    on_date="2020-01-01")
            for i in range(persons - 1):
                hh.add_member(w, home["id"], {"full_name": f"Hà Thị Con {i}", "sex": "nu",
                                              "birth_date": "2000", "relation": "child",
                                              "health_insurance": 1})
            for year, (income, n) in ((2024, first), (2025, second)):
                row, _ = reviews.save_review(w, rounds[year]["id"], home["id"],
                                             income_per_person=income, deprivations=_deprived(n),
                                             reviewer="Lò Văn Tâm", review_date=f"{year}-10-01")
                reviews.complete_review(w, row["id"])
    yield db
    db.close()


def count(db, commune: str, year: int, klass: str) -> tuple[int, int]:
    """Households and persons of a commune with ``klass`` in its round of ``year`` (SQL)."""
    row = db.execute(
        "SELECT count(*), coalesce(sum(r.persons), 0) FROM household_review r "
        "JOIN review_round o ON o.id = r.round_id WHERE o.owner_unit = ? AND o.year = ? "
        "AND r.class = ? AND r.deleted = 0", [commune, year, klass]).fetchone()
    return row[0], row[1]


def totals(db, commune: str, year: int) -> tuple[int, int]:
    row = db.execute("SELECT count(*), coalesce(sum(persons), 0) FROM household_review r "
                     "JOIN review_round o ON o.id = r.round_id WHERE o.owner_unit = ? "
                     "AND o.year = ? AND r.deleted = 0", [commune, year]).fetchone()
    return row[0], row[1]


def rows(doc: d.Document) -> dict[str, list]:
    (table,) = [b for b in doc.body if isinstance(b, d.Table)]
    return {[c.value if isinstance(c, d.Cell) else c for c in r.cells][1]:
            [c.value if isinstance(c, d.Cell) else c for c in r.cells] for r in table.rows}


def test_report_1_has_a_row_per_commune_and_the_province_total(office, tmp_path):
    doc = catalog.build(office, "bao-cao-1", round_year=2025)
    found = rows(doc)
    assert list(found) == ["Tỉnh Bắc Ninh", "Xã Tân Yên", "Xã Đại Sơn"]
    assert found["Tỉnh Bắc Ninh"][0] == "1" and found["Xã Đại Sơn"][0] == "1.2"
    assert doc.issuer == ("ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH")
    assert "Tỉnh Bắc Ninh: 2 xã có số liệu" in doc.subtitle[0]
    expected = {}
    for code, name in ((TAN_YEN, "Xã Tân Yên"), (DAI_SON, "Xã Đại Sơn")):
        h, p = totals(office, code, 2025)
        ph, pp = count(office, code, 2025, "poor")
        nh, np_ = count(office, code, 2025, "near_poor")
        expected[name] = (h, p, ph, nh, pp, np_)
        assert [found[name][i] for i in (2, 3, 4, 6, 10, 12)] == list(expected[name])
    total = [sum(v[i] for v in expected.values()) for i in range(6)]
    assert [found["Tỉnh Bắc Ninh"][i] for i in (2, 3, 4, 6, 10, 12)] == total
    assert total == [7, 23, 3, 3, 10, 9]                   # the data above, by hand
    pdf = catalog.render(doc, tmp_path / "bc1.pdf")
    assert pdf_cells_after(pdf, "Tỉnh Bắc Ninh", 3) == ["7", "23", "3"]
    ws = sheet(catalog.render(doc, tmp_path / "bc1.xlsx"))
    assert ws.cell(find_row(ws, 2, "Xã Đại Sơn"), 3).value == expected["Xã Đại Sơn"][0]


def test_movements_deprivations_and_lists_add_up_over_communes(office):
    two = rows(catalog.build(office, "bao-cao-2", round_year=2025))
    # the Hộ rows: col 1 = poor in 2024, col 9 = poor in 2025
    for name, code in (("Xã Tân Yên", TAN_YEN), ("Xã Đại Sơn", DAI_SON)):
        assert two[name][3] == count(office, code, 2024, "poor")[0]
        assert two[name][11] == count(office, code, 2025, "poor")[0]
    assert two["Tỉnh Bắc Ninh"][3:12] == [a + b for a, b in zip(two["Xã Tân Yên"][3:12],
                                                                  two["Xã Đại Sơn"][3:12])]
    four = rows(catalog.build(office, "bao-cao-4", round_year=2025))
    # deprivations of the poor: Tân Yên 4 + 3, Đại Sơn 3
    assert four["Xã Tân Yên"][2:4] == [2, 7] and four["Xã Đại Sơn"][2:4] == [1, 3]
    assert four["Tỉnh Bắc Ninh"][2:] == [a + b for a, b in zip(four["Xã Tân Yên"][2:],
                                                               four["Xã Đại Sơn"][2:])]
    for n in (6, 7, 8, 9, 10, 11, 12, 13, 14, 15):
        doc = catalog.build(office, f"bao-cao-{n}", round_year=2025)
        names = [c.value for r in [b for b in doc.body if isinstance(b, d.Table)][0].rows
                 for c in r.cells if isinstance(c, d.Cell) and isinstance(c.value, str)]
        assert any("Xã Đại Sơn" in v for v in names), n
    twelve = rows(catalog.build(office, "bao-cao-12", round_year=2025))
    assert twelve["Tỉnh Bắc Ninh"][2:4] == [3, 10]


def test_an_office_report_of_one_commune_lists_its_villages(office):
    found = rows(catalog.build(office, "bao-cao-1", round_year=2025, unit_code=DAI_SON))
    assert list(found) == ["Xã Đại Sơn", "Bản Nà", "Bản Pắc"]
    assert found["Xã Đại Sơn"][2:4] == list(totals(office, DAI_SON, 2025))


def test_an_office_refuses_other_units_and_notes_communes_without_the_round(office):
    with pytest.raises(InputError, match="không phải mã của Tỉnh Bắc Ninh"):
        catalog.build(office, "bao-cao-1", round_year=2025, unit_code="15865")
    with pytest.raises(GnappError, match="Không xã nào có đợt rà soát năm 2019"):
        catalog.build(office, "bao-cao-1", round_year=2019)
    w = commune_writer(office, "07615")
    reviews.create_round(w, year=2024, kind="periodic")
    doc = catalog.build(office, "bao-cao-1", round_year=2025)
    (table,) = [b for b in doc.body if isinstance(b, d.Table)]
    assert any(n.startswith("Chưa có số liệu đợt rà soát năm 2025") and "Xã Sơn Động" in n
               for n in table.notes)
    assert list(rows(doc)) == ["Tỉnh Bắc Ninh", "Xã Tân Yên", "Xã Đại Sơn"]


def test_the_cli_makes_an_office_report(office, units_path, tmp_path):
    from click.testing import CliRunner

    from gnapp.cli import cli

    out = tmp_path / "bc5.xlsx"
    result = CliRunner().invoke(cli, ["report", "5", "--out", str(out), "--round", "2025",
                                      "--unit", OFFICE, "--db", str(units_path)])
    assert result.exit_code == 0, result.output
    ws = sheet(out)
    assert find_row(ws, 2, "Tỉnh Bắc Ninh") < find_row(ws, 2, "Xã Tân Yên")


def test_the_communes_own_forms_are_refused_on_an_office(office):
    from gnapp.db import report_data

    with pytest.raises(GnappError, match="Biểu mẫu này lập trên máy của xã"):
        report_data.resolve_scope(office, round_year=2025)          # a form's call
    assert report_data.resolve_scope(office, round_year=2025, office=True).is_office
