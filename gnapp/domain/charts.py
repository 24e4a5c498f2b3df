"""Charts as data: what a chart shows, independent of where it is drawn.

A ``Chart`` is built from the same figures as the reports (``gnapp.db.dashboard``) and drawn
twice: with QPainter on screen and into PNG files (``gnapp.ui.charts``), and with
reportlab.graphics into PDF documents (``gnapp.forms.charts``). Both renderers take their
scale from ``axis`` and their numbers from ``format_value``, so a chart reads the same on
screen and on paper.

Colours are the Okabe–Ito palette, distinguishable with the common colour-vision
deficiencies; a chart never relies on red against green.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from gnapp.domain.numbers import format_decimal, format_int

BAR, LINE = "bar", "line"

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, sky blue, reddish purple,
# yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#000000")
REFERENCE_COLOR = "#000000"
MARKER_COLOR = "#555555"
GRID_COLOR = "#d0d0d0"
TEXT_COLOR = "#222222"

PERCENT = "%"


@dataclass(frozen=True)
class Series:
    """One set of values, one per category (None: no value, nothing drawn)."""

    name: str
    values: tuple[Decimal | int | None, ...]


@dataclass(frozen=True)
class Reference:
    """A horizontal line across a bar chart (the commune's rate over its villages' bars)."""

    label: str
    value: Decimal | int
    series: int = 0  # the series it belongs to (its colour, dashed)


@dataclass(frozen=True)
class Marker:
    """A vertical mark before category ``at`` of a line chart, where something changed that
    breaks the series (a new poverty standard): the line is not drawn across it."""

    at: int
    label: str


@dataclass(frozen=True)
class Chart:
    """A bar or line chart.

    Attributes:
        kind: ``BAR`` (grouped bars, one group per category) or ``LINE``
        title: the chart's title
        categories: labels along the category axis (villages, years, indicators, lines)
        series: the sets of values, drawn in ``PALETTE`` order
        unit: the values' unit ("%", "hộ", "triệu đồng"), shown on the value axis
        places: decimal places of the values shown
        references: horizontal lines (bar charts)
        markers: breaks of a line chart
        horizontal: bars run left to right, categories listed down (long labels)
        note: a line under the chart (source, round, what a mark means)
        name: a short file-friendly name ("ty-le-ngheo-theo-thon")
    """

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    places: int = 0
    references: tuple[Reference, ...] = ()
    markers: tuple[Marker, ...] = ()
    horizontal: bool = False
    note: str | None = None
    name: str = "bieu-do"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        """No value to draw."""
        return not self.categories or all(v is None for s in self.series for v in s.values)

    def values(self) -> list[Decimal]:
        """Every value drawn, references included."""
        found = [Decimal(v) for s in self.series for v in s.values if v is not None]
        return found + [Decimal(r.value) for r in self.references]


@dataclass(frozen=True)
class Axis:
    """A value axis: from ``low`` to ``high`` with gridlines at ``ticks``."""

    low: Decimal
    high: Decimal
    ticks: tuple[Decimal, ...]

    def fraction(self, value: Decimal | int) -> float:
        """Where ``value`` lies between low (0.0) and high (1.0)."""
        span = self.high - self.low
        return float((Decimal(value) - self.low) / span) if span else 0.0


def _nice_step(span: float, count: int) -> Decimal:
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return Decimal(str(factor)) * Decimal(str(power))
    return Decimal(10) * Decimal(str(power))   # pragma: no cover - the loop ends at 10


def axis(chart: Chart, ticks: int = 5) -> Axis:
    """A value axis that starts at zero (bars and rates are read from zero) and ends on a
    round number at or above the largest value; a rate axis stops at 100 %."""
    found = chart.values()
    high = max(found, default=Decimal(0))
    low = min(min(found, default=Decimal(0)), Decimal(0))
    if high <= low:
        high = low + 1
    step = _nice_step(float(high - low), ticks)
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    if chart.unit == PERCENT and top > 100 >= high:
        top = Decimal(100)
    marks, at = [], bottom
    while at <= top:
        marks.append(_plain(at))
        at += step
    return Axis(_plain(bottom), _plain(top), tuple(marks))


def _plain(value: Decimal) -> Decimal:
    """``value`` without an exponent or trailing zeros: 2.5E+5 → 250000, 1250000.0 → 1250000,
    0.50 → 0.5 (the step arithmetic goes through floats and powers of ten)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def format_value(value: Decimal | int | None, places: int = 0) -> str:
    """A value in Vietnamese notation ("1.234", "12,5"); empty for None."""
    if value is None:
        return ""
    if places == 0 and Decimal(value) == Decimal(value).to_integral_value():
        return format_int(int(value))
    return format_decimal(Decimal(value), places)


def tick_label(value: Decimal, step_places: int = 0) -> str:
    """A gridline's label: as few decimals as the step needs ("0", "2,5", "1.000")."""
    return format_value(value, step_places)


def tick_places(ax: Axis) -> int:
    """Decimal places the axis labels need (2,5 → 1)."""
    places = 0
    for tick in ax.ticks:
        exponent = tick.normalize().as_tuple().exponent
        places = max(places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return places


def color(index: int) -> str:
    """The colour of the series at ``index``."""
    return PALETTE[index % len(PALETTE)]


def segments(chart: Chart, series: Series) -> list[list[tuple[int, Decimal]]]:
    """The runs of a line chart's series to draw as one line each: broken at missing values
    and at every marker, so no line crosses a change of standard."""
    cuts = {m.at for m in chart.markers}
    runs: list[list[tuple[int, Decimal]]] = []
    current: list[tuple[int, Decimal]] = []
    for index, value in enumerate(series.values):
        if index in cuts or value is None:
            if current:
                runs.append(current)
            current = []
        if value is not None:
            current.append((index, Decimal(value)))
    if current:
        runs.append(current)
    return runs


def format_with_unit(value: Decimal | int | None, chart: Chart) -> str:
    """A value with the chart's unit, as a tooltip or a reference label says it: "12,50%",
    "1.234 hộ", "350,5 triệu đồng"; empty for None."""
    if value is None:
        return ""
    text = format_value(value, chart.places)
    if chart.unit == PERCENT:
        return f"{text}%"
    return f"{text} {chart.unit}" if chart.unit else text


def reference_text(reference: Reference, chart: Chart) -> str:
    """What a reference line is labelled with: "Toàn xã 12,50%"."""
    return f"{reference.label} {format_with_unit(reference.value, chart)}"


# -- a chart as JSON (a signed document freezes the charts it shows) ----------------------------

JSON_FORMAT = 1


def _number_to_json(value: Decimal | int | None) -> str | int | None:
    """An int stays an int; a Decimal is kept exactly as a string ("12.50")."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"a chart value must be an int, a Decimal or None, not {value!r}")


def _number_from_json(value: str | int | None) -> Decimal | int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        return Decimal(value)
    raise ValueError(f"not a chart value: {value!r}")


def chart_to_json(chart: Chart) -> dict:
    """``chart`` as plain JSON data (sorted keys when dumped give a stable text): ints stay
    ints, Decimals become strings so that nothing is rounded, ``extra`` is kept as given
    (it must hold JSON data). ``chart_from_json`` gives the same chart back."""
    return {
        "format": JSON_FORMAT,
        "kind": chart.kind,
        "title": chart.title,
        "categories": list(chart.categories),
        "series": [{"name": s.name, "values": [_number_to_json(v) for v in s.values]}
                   for s in chart.series],
        "unit": chart.unit,
        "places": chart.places,
        "references": [{"label": r.label, "value": _number_to_json(r.value),
                        "series": r.series} for r in chart.references],
        "markers": [{"at": m.at, "label": m.label} for m in chart.markers],
        "horizontal": chart.horizontal,
        "note": chart.note,
        "name": chart.name,
        "extra": dict(chart.extra),
    }


def chart_from_json(data: dict) -> Chart:
    """The chart ``chart_to_json`` wrote.

    :raises ValueError: data of another format or with a missing part
    """
    if data.get("format") != JSON_FORMAT:
        raise ValueError(f"unknown chart format {data.get('format')!r}")
    try:
        return Chart(
            kind=data["kind"],
            title=data["title"],
            categories=tuple(data["categories"]),
            series=tuple(Series(s["name"], tuple(_number_from_json(v) for v in s["values"]))
                         for s in data["series"]),
            unit=data["unit"],
            places=int(data.get("places", 0)),
            references=tuple(Reference(r["label"], _number_from_json(r["value"]),
                                       int(r.get("series", 0)))
                             for r in data.get("references", ())),
            markers=tuple(Marker(int(m["at"]), m["label"]) for m in data.get("markers", ())),
            horizontal=bool(data.get("horizontal", False)),
            note=data.get("note"),
            name=data.get("name", "bieu-do"),
            extra=dict(data.get("extra") or {}),
        )
    except KeyError as exc:
        raise ValueError(f"a chart without {exc.args[0]!r}") from None
