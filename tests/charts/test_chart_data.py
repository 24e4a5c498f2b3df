"""gnapp.domain.charts: the value axis, line segments, labels and the JSON form of a chart."""

import json
from decimal import Decimal as D

import pytest

from chart_samples import budget_lines, deprivations, rates_over_years, village_rates
from gnapp.domain import charts as c


def chart_of(*values, unit="hộ", places=0):
    return c.Chart(c.BAR, "t", tuple(str(i) for i in range(len(values))),
                   (c.Series("s", tuple(values)),), unit, places=places)


@pytest.mark.parametrize("values, unit, ticks", [
    ((D("21.40"), D("3.85")), "%", ("0", "5", "10", "15", "20", "25")),
    ((1_180_000, 20), "hộ", ("0", "250000", "500000", "750000", "1000000", "1250000")),
    ((D("0.4"), D("1.2")), "hộ", ("0", "0.25", "0.5", "0.75", "1", "1.25")),
    ((D("99.5"),), "%", ("0", "20", "40", "60", "80", "100")),
])
def test_axis_starts_at_zero_and_ends_on_a_round_number_without_exponents(values, unit, ticks):
    ax = c.axis(chart_of(*values, unit=unit))
    assert tuple(str(t) for t in ax.ticks) == ticks
    assert str(ax.low) == ticks[0] and str(ax.high) == ticks[-1]


def test_tick_labels_use_vietnamese_notation_with_the_decimals_the_step_needs():
    ax = c.axis(chart_of(D("0.4"), D("1.2")))
    places = c.tick_places(ax)
    assert places == 2
    assert [c.tick_label(t, places) for t in ax.ticks] == [
        "0,00", "0,25", "0,50", "0,75", "1,00", "1,25"]
    big = c.axis(chart_of(1_180_000, 20))
    assert [c.tick_label(t, c.tick_places(big)) for t in big.ticks][-1] == "1.250.000"


def test_a_negative_value_moves_the_axis_below_zero():
    ax = c.axis(chart_of(D("-3"), D("7")))
    assert ax.low < 0 < ax.high and D(0) in ax.ticks
    assert ax.fraction(0) == pytest.approx(float(-ax.low / (ax.high - ax.low)))


def test_segments_break_at_markers_and_missing_values():
    chart = rates_over_years()
    runs = c.segments(chart, chart.series[0])
    assert [[i for i, _ in run] for run in runs] == [[0, 1, 2], [3, 4, 5, 6]]
    gap = c.Chart(c.LINE, "t", ("a", "b", "c", "d"),
                  (c.Series("s", (1, None, 3, 4)),), "hộ")
    assert [[i for i, _ in run] for run in c.segments(gap, gap.series[0])] == [[0], [2, 3]]


def test_values_with_their_unit():
    rates, households = village_rates(), deprivations()
    assert c.format_with_unit(D("12.5"), rates) == "12,50%"
    assert c.format_with_unit(1234, households) == "1.234 hộ"
    assert c.format_with_unit(D("1420.75"), budget_lines()) == "1.420,8 triệu đồng"
    assert c.format_with_unit(None, rates) == ""
    assert c.reference_text(rates.references[0], rates) == "Toàn xã 12,50%"


@pytest.mark.parametrize("make", [village_rates, deprivations, rates_over_years, budget_lines])
def test_json_round_trip_keeps_every_value_exactly(make):
    chart = make()
    data = json.loads(json.dumps(chart_json := c.chart_to_json(chart), sort_keys=True))
    back = c.chart_from_json(data)
    assert back == chart
    for before, after in zip(chart.series, back.series):
        assert [type(v) for v in before.values] == [type(v) for v in after.values]
        assert [str(v) for v in before.values] == [str(v) for v in after.values]
    assert chart_json["format"] == c.JSON_FORMAT


def test_json_keeps_decimal_digits_as_strings_and_ints_as_ints():
    chart = chart_of(D("12.50"), 7, None, places=2)
    data = c.chart_to_json(chart)
    assert data["series"][0]["values"] == ["12.50", 7, None]
    assert str(c.chart_from_json(data).series[0].values[0]) == "12.50"


def test_json_refuses_what_it_cannot_read():
    with pytest.raises(ValueError):
        c.chart_from_json({"format": 99})
    data = c.chart_to_json(village_rates())
    del data["title"]
    with pytest.raises(ValueError, match="title"):
        c.chart_from_json(data)
    with pytest.raises(TypeError):
        c.chart_to_json(chart_of(1.5))
