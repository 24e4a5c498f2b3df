"""The home screen's figures (gnapp.db.dashboard) on the demo commune and the demo office: they
agree with the printed reports read back from XLSX files, the counts behind each link are
the households the list shows, drafts with errors are counted, and the charts carry the same
numbers."""

from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from gnapp.db import connection, dashboard, disbursement, progress, reviews, sites
from gnapp.db import households as hh
from gnapp.domain import charts
from gnapp.forms import catalog
from gnapp.sync import console

TODAY = date(2026, 11, 23)


def _xlsx_rows(path) -> dict[str, list]:
    """The body rows of a report read back, by the name in column B."""
    sheet = openpyxl.load_workbook(path).active
    return {row[1]: list(row[2:]) for row in sheet.iter_rows(values_only=True)
            if isinstance(row[1], str) and row[1].startswith(("Xã", "Thôn", "Tỉnh"))}


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def overview(demo_db):
    return dashboard.commune_overview(demo_db, today=TODAY)


def test_the_figures_are_those_of_bao_cao_1(demo_db, overview, tmp_path):
    for round_, which in ((overview.round, "now"), (overview.previous, "before")):
        out = catalog.produce(demo_db, "bao-cao-1", tmp_path / f"bc1-{round_['year']}.xlsx",
                              round_year=round_["year"], today=TODAY)
        rows = _xlsx_rows(out)
        whole = getattr(overview, which)
        printed = rows[overview.unit["name"]]
        assert (whole.households, whole.poor, whole.near_poor) == \
            (printed[0], printed[2], printed[4])
        assert (whole.poor_rate, whole.near_poor_rate) == (_dec(printed[3]), _dec(printed[5]))
        for village in overview.villages:
            mine, theirs = getattr(village, which), rows[village.name]
            assert (mine.households, mine.poor, mine.near_poor) == \
                (theirs[0], theirs[2], theirs[4])
            assert mine.poor_rate == _dec(theirs[3])
    assert overview.round["year"] == 2026 and overview.previous["year"] == 2025
    # the 2025 round is finished: every household in the register is counted
    assert overview.before.households == overview.households == 60
    assert overview.problems == ()


def test_the_deprivation_chart_is_the_first_row_of_bao_cao_5(demo_db, overview, tmp_path):
    out = catalog.produce(demo_db, "bao-cao-5", tmp_path / "bc5.xlsx", today=TODAY)
    printed = _xlsx_rows(out)[overview.unit["name"]]
    chart = overview.deprivations
    assert chart.horizontal and chart.unit == charts.PERCENT
    assert len(chart.categories) == 12
    assert printed[0] == overview.now.poor     # "Tổng số hộ nghèo"
    assert list(chart.series[0].values) == [_dec(v) for v in printed[1:13]]
    assert f"{overview.now.poor} hộ nghèo" in chart.note


def test_the_links_lead_to_as_many_households_as_counted(demo_db, overview):
    round_id = overview.round["id"]
    assert overview.not_reviewed == hh.count_households(demo_db, round_id=round_id,
                                                        review_state="none")
    assert overview.drafts == hh.count_households(demo_db, round_id=round_id,
                                                  review_state="draft")
    assert overview.now.poor == hh.count_households(demo_db, round_id=round_id, klass="poor")
    for village in overview.villages:
        assert village.not_reviewed == hh.count_households(
            demo_db, round_id=round_id, review_state="none", village_id=village.village_id)
    assert overview.not_reviewed + overview.drafts + overview.complete == 60


def test_drafts_with_errors_are_counted_with_the_review_page(demo_db):
    w = sites.writer(demo_db)
    round_ = reviews.current_round(demo_db, sites.require_site(demo_db).unit_code, TODAY)
    draft = demo_db.execute("SELECT id, household_id FROM household_review WHERE round_id = ? "
                            "AND status = 'draft' LIMIT 1", [round_["id"]]).fetchone()
    before = dashboard.commune_overview(demo_db, today=TODAY).with_errors
    assert before == 0
    w.update("household_review", draft[0], {"reviewer": None}, reason="test")
    # a second head in another draft's household: an error of the register
    other = demo_db.execute("SELECT household_id FROM household_review WHERE round_id = ? "
                            "AND status = 'draft' AND household_id != ? LIMIT 1",
                            [round_["id"], draft[1]]).fetchone()[0]
    member = hh.members(demo_db, other)[-1]
    hh.update_member(w, member["id"], {"relation": "head"})
    found = dashboard.commune_overview(demo_db, today=TODAY)
    assert found.with_errors == 2
    from gnapp.db import procedure
    assert sum(v["facts"].with_errors for v in procedure.village_progress(
        demo_db, round_["id"], TODAY)) == 2


def test_money_by_line_is_what_the_ledger_holds(demo_db, overview):
    assert overview.money_year == 2026
    expected: dict[str, list[int]] = {}
    for line in disbursement.line_summaries(demo_db, year=2026):
        pair = expected.setdefault(line.line["line_code"], [0, 0])
        pair[0] += line.line["amount"]
        pair[1] += line.balance.disbursed
    assert {m.code: [m.allocated, m.disbursed] for m in overview.money} == expected
    assert overview.money[0].code == "DA2"        # in the programme's order
    chart = dashboard.money_chart(overview.money, overview.money_year, TODAY)
    assert chart.series[0].values[0] == Decimal(overview.money[0].allocated) / 1_000_000


def test_rates_over_the_years_break_where_the_standard_changed(demo_db, overview):
    chart = dashboard.rate_history_chart(demo_db, today=TODAY, overview=overview)
    assert chart.categories == ("2025", "2026")
    assert chart.series[0].values == (overview.before.poor_rate, overview.now.poor_rate)
    standards = [r["standard_id"] for r in reviews.rounds(demo_db)]
    assert standards[0] != standards[1]
    assert [m.at for m in chart.markers] == [1]
    assert "Chuẩn nghèo mới" in chart.markers[0].label
    # no line crosses the change
    assert charts.segments(chart, chart.series[0]) == [
        [(0, overview.before.poor_rate)], [(1, overview.now.poor_rate)]]
    # counted again without the overview: the same
    assert dashboard.rate_history_chart(demo_db, today=TODAY).series == chart.series


def test_the_village_chart_has_the_commune_as_reference(overview):
    chart = dashboard.village_rate_chart(overview)
    assert chart.categories == tuple(v.name for v in overview.villages)
    assert [r.value for r in chart.references] == [overview.now.poor_rate,
                                                   overview.now.near_poor_rate]
    assert "tạm tính" in chart.note


def test_an_office_sees_its_communes_as_its_bao_cao_1(demo_office_path, tmp_path):
    db = connection.connect(demo_office_path)
    try:
        found = dashboard.office_results(db, today=TODAY)
        with_data = [r for r in found if r.rates is not None]
        assert len(with_data) == 3
        out = catalog.produce(db, "bao-cao-1", tmp_path / "bc1.xlsx", round_year=2026,
                              today=TODAY)
        rows = _xlsx_rows(out)
        for result in with_data:
            printed = rows[result.commune["name"]]
            assert (result.rates.households, result.rates.poor, result.rates.near_poor) == \
                (printed[0], printed[2], printed[4])
            assert result.rates.poor_rate == _dec(printed[3])
        chart = dashboard.commune_rate_chart(found, {"name": "Tỉnh Thanh Hóa"})
        total = rows["Tỉnh Thanh Hóa"]
        assert [r.value for r in chart.references] == [_dec(total[3]), _dec(total[5])]

        standing = console.standings(db, today=TODAY)
        flags = [s.needs_attention for s in standing]
        assert flags == sorted(flags, reverse=True)       # those needing attention first
        received = [s for s in standing if s.sync.packages]
        assert len(received) == 3
        assert all(s.period_label.startswith("9 tháng năm 2026") for s in standing)
    finally:
        db.close()


def test_period_due_list_is_the_units_own(demo_db, overview):
    assert [p["id"] for p in overview.due] == [
        p["id"] for p in progress.due_list(demo_db, today=TODAY)]
    assert overview.due and overview.due[0]["label"] == "6 tháng đầu năm 2026"


def test_bao_cao_1_and_5_can_carry_their_chart(demo_db, overview, tmp_path):
    import pypdf

    pdf = catalog.produce(demo_db, "bao-cao-1", tmp_path / "bc1.pdf", today=TODAY, chart=True)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert dashboard.VILLAGE_TITLE in text and "Toàn xã (hộ nghèo)" in text
    plain = catalog.produce(demo_db, "bao-cao-1", tmp_path / "plain.pdf", today=TODAY)
    assert dashboard.VILLAGE_TITLE not in "".join(
        page.extract_text() for page in pypdf.PdfReader(plain).pages)
    # in a workbook the chart is written as its figures, the same as the table's
    sheet = openpyxl.load_workbook(catalog.produce(
        demo_db, "bao-cao-5", tmp_path / "bc5.xlsx", today=TODAY, chart=True)).active
    cells = [row for row in sheet.iter_rows(values_only=True)]
    title_row = next(n for n, row in enumerate(cells)
                     if "Tỷ lệ hộ nghèo thiếu hụt theo từng chỉ số" in row)
    first = next(row for row in cells[title_row:] if "Việc làm" in row)
    value = next(v for v in first if isinstance(v, (int, float, Decimal)))
    assert _dec(value) == overview.deprivations.series[0].values[0]
    with pytest.raises(Exception, match="không dùng tùy chọn"):
        catalog.build(demo_db, "bao-cao-2", today=TODAY, chart=True)


def test_an_office_counts_each_communes_reviews_and_money_as_the_commune_does(
        demo_office_path, tmp_path):
    from gnapp import demo

    office = connection.connect(demo_office_path)
    try:
        found = {r.commune["code"]: r for r in dashboard.office_results(office, today=TODAY)}
    finally:
        office.close()
    mine = found[demo.DEMO_COMMUNE]
    # the demo commune made the same way on its own PC
    commune = connection.connect(tmp_path / "xa.sqlite")
    try:
        demo.fill(commune, households=40, seed=2026, poor_bias=0.08)   # as fill_office
        own = dashboard.commune_overview(commune, today=TODAY)
    finally:
        commune.close()
    assert (mine.not_reviewed, mine.drafts) == (own.not_reviewed, own.drafts)
    assert mine.rates == own.now
    assert (mine.allocated, mine.disbursed) == (sum(m.allocated for m in own.money),
                                                sum(m.disbursed for m in own.money))
