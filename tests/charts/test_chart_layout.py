"""gnapp.forms.chart_layout: where the parts of a chart go, measured in the real fonts (Qt's
Liberation Sans for the screen and PNGs, reportlab's Liberation Serif for PDFs)."""

from decimal import Decimal as D

import pytest
from reportlab.lib.units import mm

from chart_samples import (ALL, INDICATORS, budget_lines, deprivations, no_data,
                           rates_over_years, village_rates)
from gnapp.domain import charts as c
from gnapp.forms import chart_layout as cl
from gnapp.forms.charts import scene_for as pdf_scene


@pytest.fixture
def qt_scene(qapp):
    from gnapp.ui.charts import scene_for
    return scene_for


SIZES = [(480, 300), (900, 500)]


def _texts(scene):
    return [t.text for t in scene.texts()]


@pytest.mark.parametrize("make", ALL + (no_data,))
@pytest.mark.parametrize("size", SIZES)
def test_nothing_overlaps_or_is_cut_on_screen(qt_scene, make, size):
    scene = qt_scene(make(), *size)
    assert scene.overlaps() == []
    assert scene.texts()


@pytest.mark.parametrize("make", ALL + (no_data,))
@pytest.mark.parametrize("height_mm", [60, 90, 120])
def test_nothing_overlaps_or_is_cut_on_paper(make, height_mm):
    scene = pdf_scene(make(), 165 * mm, height_mm * mm)
    assert scene.overlaps() == []


def test_bar_chart_parts(qt_scene):
    scene = qt_scene(village_rates(), 900, 500)
    texts = _texts(scene)
    assert texts[0] == "Tỷ lệ hộ nghèo, hộ cận nghèo theo thôn – năm 2025"
    assert scene.texts()[0].bold
    assert "%" in texts                                            # the unit at the axis
    assert {"0", "5", "10", "15", "20", "25"} <= set(texts)        # gridline labels
    assert {"Toàn xã 12,50%", "Toàn xã 8,90%"} <= set(texts)      # reference labels
    assert {"Hộ nghèo", "Hộ cận nghèo", "Toàn xã – Hộ nghèo"} <= set(texts)   # legend
    assert "Thôn Đông Thịnh" in texts                              # a category, one line
    assert "21,40" in texts and "3,85" in texts                    # value labels fit here
    bars = [i for i in scene.items if isinstance(i, cl.Rect) and i.fill in c.PALETTE[:2]]
    assert len(bars) == 15 + 2             # 8 + 7 bars (one value missing), 2 legend keys
    dashed = [i for i in scene.items if isinstance(i, cl.Line) and i.dash]
    assert {line.color for line in dashed} >= {cl.shade(c.PALETTE[0], 0.7),
                                                cl.shade(c.PALETTE[1], 0.7)}


def test_value_labels_are_all_shown_or_none(qt_scene):
    small = _texts(qt_scene(village_rates(), 480, 300))
    values = {c.format_value(v, 2) for s in village_rates().series for v in s.values if v}
    assert not values & set(small)         # too narrow for "21,40": none at all
    large = _texts(qt_scene(village_rates(), 900, 500))
    assert values <= set(large)


def test_long_categories_are_wrapped_or_elided_and_the_tooltip_has_the_whole_name(qt_scene):
    scene = qt_scene(village_rates(), 480, 300)
    texts = _texts(scene)
    assert "Thôn Đông Thịnh" not in texts and "Thịnh" in texts     # wrapped in its slot
    bar = next(i for i in scene.items if isinstance(i, cl.Rect) and i.fill == c.PALETTE[0]
               and i.h > 0 and i.y > 40)
    tip = scene.tip_at(bar.x + bar.w / 2, bar.y + bar.h / 2)
    assert tip.startswith("Thôn ") and "\nHộ nghèo: " in tip and tip.endswith("%")


def test_horizontal_bars_list_the_categories_down_the_left(qt_scene):
    scene = qt_scene(deprivations(), 900, 500)
    labels = [t for t in scene.texts() if t.text in INDICATORS]
    assert [t.text for t in labels] == list(INDICATORS)
    assert all(t.anchor == "end" for t in labels)
    assert [t.y for t in labels] == sorted(t.y for t in labels)          # top to bottom
    bars = [i for i in scene.items if isinstance(i, cl.Rect) and i.h < 100 and
            i.fill == c.PALETTE[0] and i.x >= max(t.x for t in labels)]
    assert len(bars) == 12
    longest = max(bars, key=lambda b: b.w)
    shortest = min(bars, key=lambda b: b.w)
    assert longest.w / shortest.w == pytest.approx(41 / 2)             # bars to scale
    small = qt_scene(deprivations(), 480, 300)          # one line a row: whole or elided
    shown = [t.text for t in small.texts() if t.anchor == "end"]
    assert len(shown) == 12
    for name, text in zip(INDICATORS, shown):
        assert text == name or (text.endswith(cl.ELLIPSIS) and name.startswith(text[:-1]))


def test_references_of_a_horizontal_chart_are_vertical_lines(qt_scene):
    chart = c.Chart(c.BAR, "Vốn", ("Dự án 1", "Dự án 2"),
                    (c.Series("Giao", (D("100"), D("300"))),), "triệu đồng", horizontal=True,
                    references=(c.Reference("Bình quân", D("200")),))
    scene = qt_scene(chart, 480, 300)
    dashed = [i for i in scene.items if isinstance(i, cl.Line) and i.dash and
              i.color == cl.reference_color(chart, chart.references[0])]
    legend_key, line = sorted(dashed, key=lambda i: i.y1)       # the legend's, the chart's
    assert legend_key.y1 == legend_key.y2 and line.x1 == line.x2 and line.y2 - line.y1 > 150
    assert "Bình quân 200 triệu đồng" in _texts(scene)
    assert "triệu đồng" in _texts(scene)


def test_a_line_never_crosses_a_marker(qt_scene):
    scene = qt_scene(rates_over_years(), 900, 500)
    marker = next(i for i in scene.items if isinstance(i, cl.Line) and i.dash and
                  i.color == c.MARKER_COLOR)
    assert marker.x1 == marker.x2
    polylines = [i for i in scene.items if isinstance(i, cl.Polyline) and len(i.points) > 2]
    assert len(polylines) == 4            # two series, each before and after the standard
    for line in polylines:
        xs = [x for x, _ in line.points]
        assert max(xs) < marker.x1 or min(xs) > marker.x1
    assert "Chuẩn nghèo 2022–2025" in _texts(scene)
    assert not any(t.text == "" for t in scene.texts())


def test_no_data_says_so(qt_scene):
    scene = qt_scene(no_data(), 480, 300)
    assert _texts(scene) == ["Tỷ lệ hộ nghèo theo thôn", cl.EMPTY_TEXT]


def test_wrap_and_elide():
    def measure(text, size, bold):        # a fixed-pitch font: one unit per character
        return float(len(text))
    assert cl.wrap("Thôn Phú Khê 2", 9, 1, False, measure, 3) == ["Thôn Phú", "Khê 2"]
    assert cl.wrap("Phương tiện phục vụ tiếp cận thông tin", 12, 1, False, measure, 2) == [
        "Phương tiện", "phục vụ tiế…"]
    assert cl.elide("Nguồn nước sinh hoạt", 8, 1, False, measure) == "Nguồn n…"
    assert cl.elide("Việc làm", 8, 1, False, measure) == "Việc làm"


def test_budget_lines_keep_values_inside_the_plot(qt_scene):
    scene = qt_scene(budget_lines(), 480, 300)
    texts = _texts(scene)
    assert "1.420,8" in texts and "12,5" in texts
    assert scene.overlaps() == []
