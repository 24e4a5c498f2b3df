"""Every review report of the demo commune, rendered to PDF and XLSX and read back, against
an independent count made here from the register (plain SQL over the tables).

The demo (gnapp/demo.py) is given target groups, minorities, Phiếu C causes and children's
cards and schooling first, so that no column is zero by construction.
"""

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from gnapp import demo
from gnapp.db import connection, reviews, sites
from gnapp.domain.codes import POVERTY_CAUSES
from gnapp.forms import catalog
from readback import find_row, pdf_cells_after, pdf_fonts, pdf_text, sheet

LIBERATION = {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
              "LiberationSerif-BoldItalic"}
YEAR = 2025
LISTS = ("poor", "near_poor")


def _enrich(db) -> None:
    w = sites.writer(db)
    homes = list(db.query("SELECT id FROM household WHERE deleted = 0 ORDER BY code"))
    round_id = db.execute("SELECT id FROM review_round WHERE year = ? AND kind = 'periodic'",
                          [YEAR]).fetchone()[0]
    causes = list(POVERTY_CAUSES)

    def op(w):
        for i, home in enumerate(homes):
            flags = {"ethnic_minority": int(i % 4 == 0), "no_labour": int(i % 5 == 0),
                     "revolution_merit": int(i % 7 == 0)}
            w.update("household", home["id"], flags)
            head = db.execute("SELECT id FROM member WHERE household_id = ? AND relation = "
                              "'head'", [home["id"]]).fetchone()[0]
            if i % 4 == 0:
                w.update("member", head, {"ethnicity": ("Mường", "Thái", "Dao", "Tày",
                                                        "Nùng", "Mông")[i // 4 % 6]})
            elif i % 9 == 0:
                w.update("member", head, {"ethnicity": None})
            review = db.execute("SELECT id FROM household_review WHERE round_id = ? AND "
                                "household_id = ?", [round_id, home["id"]]).fetchone()[0]
            if i % 3:
                w.update("household_review", review, {"causes": json.dumps(
                    sorted({causes[i % 8], causes[i % 5]}))})
            for j, m in enumerate(db.query("SELECT id FROM member WHERE household_id = ? AND "
                                           "relation = 'child'", [home["id"]])):
                if (i + j) % 3 == 0:
                    w.update("member", m["id"], {"health_insurance": 0,
                                                 "schooling": "dropped_out"})
    w.transact(op)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    db = connection.connect(folder / "demo.sqlite")
    demo.fill(db, households=240)
    _enrich(db)
    files = {}
    for n in range(1, 16):
        year = YEAR + 1 if n in (2, 3) else YEAR       # 2–3 compare with the round before
        for suffix in (".pdf", ".xlsx"):
            files[n, suffix] = catalog.produce(db, f"bao-cao-{n}",
                                               folder / f"bc{n}{suffix}", round_year=year)
    yield db, files
    db.close()


# -- the independent count ------------------------------------------------------------------

def _register(db):
    round_ = next(r for r in reviews.rounds(db) if r["year"] == YEAR and r["kind"] == "periodic")
    homes = list(db.query(
        "SELECT h.id, h.code, h.ethnic_minority, h.no_labour, h.revolution_merit, "
        "v.name AS village, r.class, r.persons, r.deprivations, r.causes, r.b2 "
        "FROM household h JOIN admin_unit v ON v.id = h.village_id "
        "LEFT JOIN household_review r ON r.household_id = h.id AND r.round_id = ? "
        "AND r.deleted = 0 WHERE h.deleted = 0", [round_["id"]]))
    assert all(h["class"] for h in homes)           # the demo reviews everyone in 2025
    members: dict[str, list] = {}
    for m in db.query("SELECT * FROM member WHERE deleted = 0 AND status = 'present'"):
        members.setdefault(m["household_id"], []).append(m)
    return round_, homes, members


def pct(n: int, d: int):
    if d == 0:
        return None
    return (Decimal(100 * n) / Decimal(d)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _age(birth: str, end: str) -> int:
    parts = [int(p) for p in birth.split("-")]
    y, m, d = (parts + [1, 1])[:3]
    ey, em, ed = (int(p) for p in end.split("-"))
    return ey - y - ((em, ed) < (m, d))


def _deprived(h) -> set[str]:
    return {k for k, v in json.loads(h["deprivations"]).items() if v}


def expected(db) -> dict:
    """Per report and unit (the commune and each village): the printed values."""
    round_, homes, members = _register(db)
    std = reviews.standard(round_["standard_id"])
    codes = std.indicator_codes
    dims: dict[str, list[str]] = {}
    for i in std.indicators:
        dims.setdefault(i.dimension, []).append(i.code)
    commune = db.execute("SELECT name FROM admin_unit WHERE level = 'commune' AND code = ?",
                         [demo.DEMO_COMMUNE]).fetchone()[0]
    units = {commune: homes}
    for h in homes:
        units.setdefault(h["village"], []).append(h)
    out: dict = {n: {} for n in range(6, 16)}
    for unit, hs in units.items():
        by = {k: [h for h in hs if h["class"] == k] for k in LISTS}
        near = by["near_poor"]
        per = [sum(c in _deprived(h) for h in near) for c in codes]
        out[6][unit] = [len(near), sum(per), *per]
        out[7][unit] = [len(near), *(pct(n, len(near)) for n in per)]
        blocks8, blocks10, blocks11 = [], [], []
        for k in LISTS:
            group = by[k]

            def pair(sel):
                return [len(sel), sum(h["persons"] for h in sel)]
            flags = ("ethnic_minority", "no_labour", "revolution_merit")
            blocks8.append(pair(group)
                           + [v for f in flags for v in pair([h for h in group if h[f]])]
                           + pair([h for h in group if not any(h[f] for f in flags)]))
            given = [json.loads(h["causes"]) for h in group]
            blocks10.append([len(group)] + [sum(c in g for g in given) for c in POVERTY_CAUSES]
                            + [sum(not g for g in given)])
            kids = [(h, m) for h in group for m in members[h["id"]] if m["birth_date"]
                    and _age(m["birth_date"], round_["ends_on"]) < 16]
            school = [m for h in group for m in members[h["id"]] if m["birth_date"]
                      and 3 <= _age(m["birth_date"], round_["ends_on"]) < 16]
            no_card = sum(m["health_insurance"] == 0 for _, m in kids)
            nutrition = sum("nutrition" in _deprived(h) for h, _ in kids)
            out_ = sum(m["schooling"] in ("not_yet", "dropped_out", "finished") for m in school)
            blocks11.append([len(kids), no_card, pct(no_card, len(kids)), nutrition,
                             pct(nutrition, len(kids)), len(school), out_,
                             pct(out_, len(school))])
        out[8][unit], out[10][unit], out[11][unit] = blocks8, blocks10, blocks11
        for k, n in zip(LISTS, (12, 13)):
            group = by[k]
            counts = Counter(len(_deprived(h) & set(codes)) for h in group)
            buckets = ([sum(v for c, v in counts.items() if c < 3), counts[3], counts[4],
                        sum(v for c, v in counts.items() if c >= 5)] if k == "poor" else
                       [counts[0], counts[1], counts[2],
                        sum(v for c, v in counts.items() if c >= 3)])
            row = [len(group), sum(h["persons"] for h in group), *buckets]
            for dim_codes in dims.values():
                hit = sum(bool(_deprived(h) & set(dim_codes)) for h in group)
                row += [hit, pct(hit, len(group))]
            out[n][unit] = row
        out[14][unit] = sorted((h["code"], h["persons"]) for h in by["near_poor"])
        out[15][unit] = sorted((h["code"], h["persons"]) for h in by["poor"])
    heads = {h["id"]: next(m for m in members[h["id"]] if m["relation"] == "head")
             for h in homes}
    out[9] = {unit: [[h for h in hs if h["class"] == k] for k in LISTS]
              for unit, hs in units.items()}
    out["heads"] = heads
    return out


# -- reading the files back -------------------------------------------------------------------

def as_pdf(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def as_xlsx(value):
    if value is None:
        return "—"
    return pytest.approx(float(value)) if isinstance(value, Decimal) else value


def test_every_report_renders_with_only_the_liberation_fonts(demo_files):
    _, files = demo_files
    for (n, suffix), path in files.items():
        assert path.stat().st_size > 1000, path
        if suffix == ".pdf":
            assert pdf_fonts(path) <= LIBERATION, n


@pytest.mark.parametrize("n", [6, 7, 12, 13])
def test_one_row_reports_agree_with_the_register(demo_files, n):
    db, files = demo_files
    want = expected(db)[n]
    ws = sheet(files[n, ".xlsx"])
    for unit, values in want.items():
        assert pdf_cells_after(files[n, ".pdf"], unit, len(values)) == [as_pdf(v) for v in values]
        row = find_row(ws, 2, unit)
        assert [ws.cell(row, 3 + i).value for i in range(len(values))] == \
            [as_xlsx(v) for v in values], unit


@pytest.mark.parametrize("n", [8, 10, 11])
def test_two_row_reports_agree_with_the_register(demo_files, n):
    db, files = demo_files
    want = expected(db)[n]
    ws = sheet(files[n, ".xlsx"])
    assert any(v for poor, near in want.values() for v in poor[2:] + near[2:] if v)
    for unit, (poor, near) in want.items():
        cells = pdf_cells_after(files[n, ".pdf"], unit, 2 + len(poor) + len(near))
        assert cells == ["Hộ nghèo", *map(as_pdf, poor), "Hộ cận nghèo", *map(as_pdf, near)]
        row = find_row(ws, 2, unit)
        for r, values in ((row, poor), (row + 1, near)):
            assert [ws.cell(r, 4 + i).value for i in range(len(values))] == \
                [as_xlsx(v) for v in values], unit


def test_report_9_agrees_with_the_heads_ethnicity(demo_files):
    db, files = demo_files
    want = expected(db)
    ws = sheet(files[9, ".xlsx"])
    top = find_row(ws, 1, "TT")
    shown = [ws.cell(top + 1, c).value for c in range(6, ws.max_column + 1, 2)]
    shown = [s for s in shown if s][1:-1]            # minority columns between total and other
    everyone = Counter(want["heads"][h["id"]]["ethnicity"] for hs in want[9].values()
                       for group in hs for h in group)
    minorities = {k: v for k, v in everyone.items() if k and k != "Kinh"}
    assert shown and all(minorities[s] >= v for s in shown for k, v in minorities.items()
                         if k not in shown)
    for unit, groups in want[9].items():
        row = find_row(ws, 2, unit)
        for r, group in zip((row, row + 1), groups):
            def pair(sel):
                return [len(sel), sum(h["persons"] for h in sel)]
            eth = [want["heads"][h["id"]]["ethnicity"] for h in group]
            values = pair(group) + pair([h for h, e in zip(group, eth) if e == "Kinh"]) + pair(
                [h for h, e in zip(group, eth) if e and e != "Kinh"])
            for s in shown:
                values += pair([h for h, e in zip(group, eth) if e == s])
            values += pair([h for h, e in zip(group, eth) if e and e != "Kinh"
                            and e not in shown])
            values += pair([h for h, e in zip(group, eth) if not e])
            assert [ws.cell(r, 4 + i).value for i in range(len(values))] == values, unit


@pytest.mark.parametrize("n", [14, 15])
def test_the_lists_hold_the_households_of_the_register(demo_files, n):
    db, files = demo_files
    want = expected(db)[n]
    commune = next(u for u in want if u.startswith("Xã"))
    ws = sheet(files[n, ".xlsx"])
    codes = {c for c, _ in want[commune]}
    found = sorted((ws.cell(r, 2).value, ws.cell(r, 7).value) for r in range(1, ws.max_row + 1)
                   if ws.cell(r, 2).value in codes)
    assert found == want[commune] and found
    lines = {line.strip() for line in pdf_text(files[n, ".pdf"]).splitlines()}
    assert codes <= lines
    for unit, rows in want.items():
        if unit != commune:
            assert find_row(ws, 2, f"{unit}: {len(rows)} hộ")
