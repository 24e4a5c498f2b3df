"""Where every part of a chart goes, whatever draws it.

``layout(chart, width, height, measure, base)`` turns a ``gnapp.domain.charts.Chart`` into a
``Scene``: a list of simple shapes (text, lines, rectangles, polylines, dots) in the
renderer's own units, the origin at the top left and y growing downwards. The QPainter
renderer (``gnapp.ui.charts``: screen and PNG) and the reportlab one (``gnapp.forms.charts``:
PDF) only draw those shapes, so a chart reads the same on screen and on paper; each passes
its own ``measure`` (the width of a text in its font) and base text size.

Layout rules (top to bottom):

- the title, bold, centred, wrapped on at most two lines;
- a legend when there is more than one series or a reference line;
- the plot: the value axis from ``axis`` (fewer gridlines when their labels would crowd),
  its unit at the axis ("%", "hộ", "triệu đồng"), light gridlines, grouped bars in
  ``color(i)`` or lines broken at every marker (``segments``), value labels where every
  one of them fits without touching a bar, a line, another label or the plot's edge (else
  none: a chart does not show some values and hide others);
- categories under the plot (wrapped, at most three lines, elided with "…"), or for a
  horizontal chart down the left side (wrapped to the rows' height);
- reference lines dashed, a shade darker than their series' colour, labelled "Toàn xã
  12,50%" beside the plot (right of a vertical chart, above a horizontal one); markers as
  a grey dashed line before their category, labelled above the plot;
- the note in small grey text at the bottom;
- "Chưa có số liệu" in place of the plot when the chart has no value.

No text is placed over another or outside the scene (``Scene.overlaps`` checks it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gnapp.domain import charts as c

Measure = Callable[[str, float, bool], float]
"""``measure(text, size, bold)``: the width of ``text`` set at ``size``."""

# Liberation Sans and Serif: ascent and descent as fractions of the size.
ASCENT, DESCENT = 0.905, 0.212
LEADING = 1.2
ELLIPSIS = "…"
EMPTY_TEXT = "Chưa có số liệu"
NOTE_COLOR = "#666666"
AXIS_COLOR = "#888888"
WHITE = "#ffffff"


# -- shapes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is its baseline, ``anchor`` "start", "middle" or "end"."""

    x: float
    y: float
    text: str
    size: float
    width: float
    bold: bool = False
    color: str = c.TEXT_COLOR
    anchor: str = "start"

    @property
    def left(self) -> float:
        return self.x - {"start": 0.0, "middle": self.width / 2, "end": self.width}[self.anchor]

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the ink, roughly."""
        return (self.left, self.y - ASCENT * self.size, self.left + self.width,
                self.y + DESCENT * self.size)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    color: str
    width: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str
    stroke: str = WHITE
    stroke_width: float = 1.0


@dataclass(frozen=True)
class Tip:
    """An area that explains itself (a bar, a point): its tooltip on screen."""

    x: float
    y: float
    w: float
    h: float
    text: str

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


@dataclass
class Scene:
    """A chart laid out: shapes to draw in order, and the areas with a tooltip."""

    width: float
    height: float
    items: list = field(default_factory=list)
    tips: list[Tip] = field(default_factory=list)

    def texts(self) -> list[Text]:
        return [i for i in self.items if isinstance(i, Text)]

    def tip_at(self, x: float, y: float) -> str | None:
        """The tooltip of what is at (x, y), the last drawn first."""
        for tip in reversed(self.tips):
            if tip.contains(x, y):
                return tip.text
        return None

    def overlaps(self) -> list[tuple[str, str]]:
        """Pairs of texts that overlap, and texts (paired with "") outside the scene."""
        found = []
        texts = self.texts()
        for t in texts:
            left, top, right, bottom = t.box()
            if left < -0.5 or top < -0.5 or right > self.width + 0.5 or \
                    bottom > self.height + 0.5:
                found.append((t.text, ""))
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                if _intersects(a.box(), b.box()):
                    found.append((a.text, b.text))
        return found


def _intersects(a, b, margin: float = 0.0) -> bool:
    return (a[0] < b[2] + margin and b[0] < a[2] + margin and
            a[1] < b[3] + margin and b[1] < a[3] + margin)


def _segment_hits(box, p, q) -> bool:
    """Whether the segment p–q passes through the box (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for edge_p, edge_q in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0),
                           (dy, y1 - p[1])):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


# -- colours ----------------------------------------------------------------------------------

def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def shade(color: str, factor: float) -> str:
    """``color`` darker (factor < 1)."""
    return "#" + "".join(f"{max(0, min(255, round(v * factor))):02x}" for v in _rgb(color))


def text_on(fill: str) -> str:
    """A text colour that reads on ``fill``: white on dark colours, dark on light ones."""
    r, g, b = (v / 255 for v in _rgb(fill))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return WHITE if lum < 0.45 else c.TEXT_COLOR


def reference_color(chart: c.Chart, reference: c.Reference) -> str:
    """A reference line's colour: its series' colour, a shade darker (it crosses bars of
    that colour)."""
    return shade(c.color(reference.series), 0.7)


def legend_label(chart: c.Chart, reference: c.Reference) -> str:
    """A reference's name in the legend: its label, with its series' name when another
    reference has the same label ("Toàn xã – Hộ nghèo")."""
    same = [r for r in chart.references if r.label == reference.label]
    if len(same) > 1 and 0 <= reference.series < len(chart.series):
        return f"{reference.label} – {chart.series[reference.series].name}"
    return reference.label


# -- text fitting -----------------------------------------------------------------------------

def line_height(size: float) -> float:
    return size * LEADING


def elide(text: str, width: float, size: float, bold: bool, measure: Measure) -> str:
    """``text``, or as much of it as fits in ``width`` followed by "…"."""
    if measure(text, size, bold) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(text[:mid].rstrip() + ELLIPSIS, size, bold) <= width:
            low = mid
        else:
            high = mid - 1
    return (text[:low].rstrip() + ELLIPSIS) if low else ""


def wrap(text: str, width: float, size: float, bold: bool, measure: Measure,
         max_lines: int) -> list[str]:
    """``text`` broken into lines at most ``width`` wide, at most ``max_lines`` of them: a
    word too long for a line, or what does not fit in the last line, is elided."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if measure(trial, size, bold) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [" ".join(lines[max_lines - 1:])]
    elif 1 < len(lines) <= 3 and len(words) <= 12 and measure(lines[-1], size, bold) < 0.4 * max(
            measure(line, size, bold) for line in lines):     # a word left alone: balance
        lines = _balanced(words, len(lines), width, size, bold, measure) or lines
    return [elide(line, width, size, bold, measure) for line in lines] or [""]


def _balanced(words: list[str], count: int, width: float, size: float, bold: bool,
              measure: Measure) -> list[str] | None:
    """The same words on ``count`` lines with the longest line as short as can be
    ("Thôn Phú / Khê 1", not "Thôn Phú Khê / 1")."""
    best, best_width = None, None
    n = len(words)
    cuts_list = ([(a,) for a in range(1, n)] if count == 2 else
                 [(a, b) for a in range(1, n) for b in range(a + 1, n)])
    for cuts in cuts_list:
        bounds = (0, *cuts, n)
        lines = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:])]
        widest = max(measure(line, size, bold) for line in lines)
        if widest <= width and (best_width is None or widest < best_width - 1e-6):
            best, best_width = lines, widest
    return best


# -- the layout -------------------------------------------------------------------------------

class _Layout:
    def __init__(self, chart: c.Chart, width: float, height: float, measure: Measure,
                 base: float):
        self.chart, self.W, self.H, self.measure, self.base = chart, width, height, measure, base
        self.u = base / 12                       # pen unit
        self.scene = Scene(width, height)
        self.pad = 0.5 * base
        self.left, self.right = self.pad, width - self.pad
        self.tick_size = 0.9 * base
        self.cat_size = 0.9 * base
        self.value_size = 0.85 * base

    # small helpers
    def text(self, x, y, text, size, *, bold=False, color=c.TEXT_COLOR, anchor="start") -> Text:
        item = Text(x, y, text, size, self.measure(text, size, bold), bold, color, anchor)
        return item

    def add(self, item) -> None:
        self.scene.items.append(item)

    def block(self, lines: Sequence[str], top: float, size: float, *, bold=False,
              color=c.TEXT_COLOR, x: float | None = None, anchor="middle") -> float:
        """Lines of text from ``top`` down; returns the bottom."""
        x = (self.left + self.right) / 2 if x is None else x
        y = top
        for line in lines:
            self.add(self.text(x, y + ASCENT * size, line, size, bold=bold, color=color,
                               anchor=anchor))
            y += line_height(size)
        return y

    # the frame: title, legend, note
    def frame(self) -> tuple[float, float]:
        chart, base = self.chart, self.base
        title_size = 1.15 * base
        lines = wrap(chart.title, self.right - self.left, title_size, True, self.measure, 2)
        y = self.block(lines, self.pad, title_size, bold=True) if chart.title else self.pad
        y += 0.3 * base
        if not chart.empty and (len(chart.series) > 1 or chart.references):
            y = self.legend(y) + 0.3 * base
        bottom = self.H - self.pad
        if chart.note:
            size = 0.8 * base
            lines = wrap(chart.note, self.right - self.left, size, False, self.measure, 3)
            top = bottom - len(lines) * line_height(size)
            self.block(lines, top, size, color=NOTE_COLOR, x=self.left, anchor="start")
            bottom = top - 0.3 * base
        return y, bottom

    def legend(self, top: float) -> float:
        chart = self.chart
        size = 0.9 * self.base
        swatch = 1.6 * size
        entries = [("line" if chart.kind == c.LINE else "bar", c.color(i), s.name)
                   for i, s in enumerate(chart.series)]
        entries += [("reference", reference_color(chart, r), legend_label(chart, r))
                    for r in chart.references]
        avail = self.right - self.left
        gap = 1.2 * size
        widths = []
        for kind, colour, name in entries:
            name = elide(name, avail - swatch - 0.4 * size, size, False, self.measure)
            widths.append((kind, colour, name,
                           swatch + 0.4 * size + self.measure(name, size, False)))
        rows: list[list] = [[]]
        used = 0.0
        for entry in widths:
            need = entry[3] + (gap if rows[-1] else 0)
            if rows[-1] and used + need > avail:
                rows.append([])
                used, need = 0.0, entry[3]
            rows[-1].append(entry)
            used += need
        y = top
        for row in rows:
            total = sum(e[3] for e in row) + gap * (len(row) - 1)
            x = self.left + (avail - total) / 2
            mid = y + line_height(size) / 2
            for kind, colour, name, w in row:
                if kind == "bar":
                    side = 0.8 * size
                    self.add(Rect(x + (swatch - side) / 2, mid - side / 2, side, side, colour))
                elif kind == "line":
                    self.add(Line(x, mid, x + swatch, mid, colour, 2.2 * self.u))
                    self.add(Dot(x + swatch / 2, mid, 3.2 * self.u, colour,
                                 stroke_width=0.8 * self.u))
                else:
                    self.add(Line(x, mid, x + swatch, mid, colour, 1.6 * self.u,
                                  (4 * self.u, 3 * self.u)))
                self.add(self.text(x + swatch + 0.4 * size,
                                   mid + (ASCENT - DESCENT) * size / 2, name, size))
                x += w + gap
            y += line_height(size)
        return y

    def empty(self, top: float, bottom: float) -> None:
        size = self.base
        self.add(self.text((self.left + self.right) / 2,
                           (top + bottom) / 2 + (ASCENT - DESCENT) * size / 2,
                           EMPTY_TEXT, size, color=NOTE_COLOR, anchor="middle"))

    # placing optional labels
    def free(self, box, obstacles, segments, bounds) -> bool:
        if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
            return False
        if any(_intersects(box, o, 0.15 * self.u) for o in obstacles):
            return False
        return not any(_segment_hits(box, p, q) for p, q in segments)

    def rows_band(self, items: list[tuple[float, float, Text]], top: float,
                  size: float) -> float:
        """Put texts (with their wanted left and right) in rows from ``top`` down, each in
        the first row where it touches nothing; returns the band's bottom."""
        rows: list[list[tuple[float, float]]] = []
        placed = []
        for left, right, item in items:
            for r, spans in enumerate(rows):
                if all(right + 0.5 * size <= a or left >= b + 0.5 * size for a, b in spans):
                    spans.append((left, right))
                    placed.append((r, item))
                    break
            else:
                rows.append([(left, right)])
                placed.append((len(rows) - 1, item))
        for r, item in placed:
            y = top + r * line_height(size) + ASCENT * size
            self.add(Text(item.x, y, item.text, item.size, item.width, item.bold, item.color,
                          item.anchor))
        return top + len(rows) * line_height(size)

    def band_text(self, x: float, text: str, size: float, color: str,
                  prefer: str) -> tuple[float, float, Text]:
        """A label at ``x`` in the band above the plot, kept inside the scene."""
        width = self.measure(text, size, False)
        anchor = prefer
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        if left + width > self.right:
            left, anchor, x = self.right - width, "start", self.right - width
        if left < self.left:
            left, anchor, x = self.left, "start", self.left
        return left, left + width, Text(x, 0, text, size, width, False, color, anchor)

    def pick_axis(self, fits: Callable[[c.Axis], bool]) -> bool:
        """Try axes of 5 down to 2 steps until one fits (``fits`` keeps what it laid out)."""
        return any(fits(c.axis(self.chart, count)) for count in (5, 4, 3, 2))

    # vertical charts: bars up, or lines
    def vertical(self, top: float, bottom: float) -> None:
        chart, base, u = self.chart, self.base, self.u
        ts, cs = self.tick_size, self.cat_size
        state: dict = {}

        def geometry(ax: c.Axis, force: bool = False) -> bool:
            places = c.tick_places(ax)
            labels = [c.tick_label(t, places) for t in ax.ticks]
            tick_w = max(self.measure(t, ts, False) for t in labels)
            plot_l = self.left + tick_w + 0.4 * base
            ref_items = []
            max_ref = max(0.2 * (self.right - self.left), 4 * base)
            for r in chart.references:
                text = c.reference_text(r, chart)
                lines = [text] if self.measure(text, ts, False) <= max_ref else wrap(
                    text, max_ref, ts, False, self.measure, 2)
                ref_items.append((r, lines))
            ref_w = max((self.measure(line, ts, False) for _, lines in ref_items
                         for line in lines), default=0)
            plot_r = self.right - (ref_w + 0.4 * base if ref_items else 0.2 * base)
            n = len(chart.categories)
            slot = (plot_r - plot_l) / n
            step = max(1, math.ceil(2.4 * cs / slot))
            cat_lines = {i: wrap(name, slot * step - 0.3 * base, cs, False, self.measure, 3)
                         for i, name in enumerate(chart.categories) if i % step == 0}
            band = max(len(v) for v in cat_lines.values()) * line_height(cs) + 0.4 * base
            plot_b = bottom - band
            # the band above the plot: the unit, the markers' labels
            items = []
            if chart.unit:
                w = self.measure(chart.unit, ts, False)
                items.append((self.left, self.left + w,
                              Text(self.left, 0, chart.unit, ts, w, False, c.TEXT_COLOR)))
            for m in chart.markers:
                if 0 < m.at < n:
                    x = plot_l + slot * m.at
                    items.append(self.band_text(x + 0.3 * base, m.label, ts, c.MARKER_COLOR,
                                                "start"))
            rows = self._band_rows(items, ts)
            plot_t = top + rows * line_height(ts) + 0.6 * ts
            plot_h = plot_b - plot_t
            if not force and plot_h / (len(ax.ticks) - 1) < 1.5 * ts:
                return False
            state.update(ax=ax, labels=labels, plot=(plot_l, plot_t, plot_r, plot_b),
                         slot=slot, cat_lines=cat_lines, items=items, refs=ref_items,
                         step=step)
            return True

        if not self.pick_axis(geometry):
            geometry(c.axis(chart, 2), force=True)
        ax, (pl, pt, pr, pb) = state["ax"], state["plot"]
        slot = state["slot"]
        self.rows_band(state["items"], top, ts)

        def ypos(v) -> float:
            return pb - ax.fraction(v) * (pb - pt)

        # gridlines and their labels
        for tick, label in zip(ax.ticks, state["labels"]):
            y = ypos(tick)
            self.add(Line(pl, y, pr, y, c.GRID_COLOR, max(0.8 * u, 0.4)))
            self.add(self.text(pl - 0.4 * base, y + (ASCENT - DESCENT) * ts / 2, label, ts,
                               anchor="end"))
        zero = ypos(max(ax.low, min(Decimal(0), ax.high)))
        obstacles: list = []
        segments_: list = []
        values: list[tuple] = []           # (box builder candidates) for value labels
        k = len(chart.series)
        if chart.kind == c.BAR:
            group = slot * 0.72
            bw = group / k
            gap = min(bw * 0.08, 1.5 * u)
            for i, s in enumerate(chart.series):
                for j, v in enumerate(s.values):
                    if v is None:
                        continue
                    x = pl + slot * j + (slot - group) / 2 + i * bw + gap / 2
                    y = ypos(v)
                    y0, y1 = min(y, zero), max(y, zero)
                    rect = Rect(x, y0, bw - gap, max(y1 - y0, 0.0), c.color(i))
                    self.add(rect)
                    obstacles.append(box := (x, y0, x + bw - gap, y1))
                    self.scene.tips.append(Tip(x, min(y0, y1 - 2 * u), bw - gap,
                                               max(y1 - y0, 2 * u), self.tip(j, s, v)))
                    values.append(("vbar", v, rect, y < zero or v == 0, i, box))
        self.add(Line(pl, zero, pr, zero, AXIS_COLOR, 1.2 * u))
        if chart.kind == c.LINE:
            for i, s in enumerate(chart.series):
                colour = c.color(i)
                for run in c.segments(chart, s):
                    points = tuple((pl + slot * (j + 0.5), ypos(v)) for j, v in run)
                    if len(points) > 1:
                        self.add(Polyline(points, colour, 2.2 * u))
                        segments_ += list(zip(points, points[1:]))
                for j, v in enumerate(s.values):
                    if v is None:
                        continue
                    x, y = pl + slot * (j + 0.5), ypos(v)
                    r = 3.2 * u
                    self.add(Dot(x, y, r, colour, stroke_width=0.8 * u))
                    obstacles.append(box := (x - r, y - r, x + r, y + r))
                    self.scene.tips.append(Tip(x - 2.5 * r, y - 2.5 * r, 5 * r, 5 * r,
                                               self.tip(j, s, v)))
                    values.append(("point", v, (x, y, r), True, i, box))
        # markers
        for m in chart.markers:
            if 0 < m.at < len(chart.categories):
                x = pl + slot * m.at
                self.add(Line(x, pt, x, pb, c.MARKER_COLOR, 1.3 * u, (3 * u, 3 * u)))
                obstacles.append((x - u, pt, x + u, pb))
        # references: dashed lines, labelled right of the plot
        ref_boxes = []
        for r, lines in state["refs"]:
            y = ypos(r.value)
            colour = reference_color(chart, r)
            self.add(Line(pl, y, pr, y, WHITE, 3.0 * u))
            self.add(Line(pl, y, pr, y, colour, 1.6 * u, (5 * u, 3 * u)))
            obstacles.append((pl, y - 1.2 * u, pr, y + 1.2 * u))
            self.scene.tips.append(Tip(pl, y - 3 * u, pr - pl, 6 * u,
                                       c.reference_text(r, chart)))
            ref_boxes.append((y, lines, colour))
        self._reference_labels(ref_boxes, pr + 0.4 * base, pt - 0.5 * ts, pb + 0.5 * ts)
        self._value_labels(values, obstacles, segments_, (pl, pt, pr, pb), ypos, vertical=True)
        # categories
        step = state["step"]
        for i, lines in state["cat_lines"].items():
            centre = pl + slot * i + slot * min(step, len(chart.categories) - i) / 2 \
                if step > 1 else pl + slot * (i + 0.5)
            self.block(lines, pb + 0.35 * base, cs, x=centre, anchor="middle")

    def _band_rows(self, items, size) -> int:
        rows: list[list[tuple[float, float]]] = []
        for left, right, _ in items:
            for spans in rows:
                if all(right + 0.5 * size <= a or left >= b + 0.5 * size for a, b in spans):
                    spans.append((left, right))
                    break
            else:
                rows.append([(left, right)])
        return len(rows)

    def _reference_labels(self, refs, x: float, low: float, high: float) -> None:
        """Reference labels right of the plot, at their line's height, pushed apart."""
        size = self.tick_size
        lh = line_height(size)
        placed = []
        for y, lines, colour in sorted(refs, key=lambda r: r[0]):
            h = len(lines) * lh
            top = max(y - h / 2, low)
            if placed:
                top = max(top, placed[-1][0] + placed[-1][1] + 0.2 * size)
            placed.append([top, h, lines, colour])
        overflow = (placed[-1][0] + placed[-1][1] - high) if placed else 0
        if overflow > 0:                     # pushed out at the bottom: move all up
            for entry in reversed(placed):
                entry[0] -= overflow
                prev = placed.index(entry) - 1
                if prev >= 0:
                    overflow = max(0.0, placed[prev][0] + placed[prev][1] + 0.2 * size -
                                   entry[0])
                    if overflow == 0:
                        break
        for top, h, lines, colour in placed:
            self.block(lines, top, size, color=colour, x=x, anchor="start")

    def _value_labels(self, values, obstacles, segments_, plot, pos, *, vertical) -> None:
        """Every value label where it fits, or none."""
        chart, base = self.chart, self.base
        size = self.value_size
        pl, pt, pr, pb = plot
        bounds = (pl, pt - 0.2 * size, pr, pb)
        placed: list[Text] = []
        boxes = list(obstacles)
        for kind, v, shape, up, i, own in values:
            label = c.format_value(v, chart.places)
            w = self.measure(label, size, False)
            hgt = (ASCENT + DESCENT) * size
            candidates = []
            if kind == "vbar":
                cx = shape.x + shape.w / 2
                if up:
                    candidates.append((cx, shape.y - 0.25 * base, c.TEXT_COLOR, None))
                    candidates.append((cx, shape.y + 0.2 * base + hgt, text_on(shape.fill),
                                       shape))
                else:
                    candidates.append((cx, shape.y + shape.h + 0.2 * base + hgt, c.TEXT_COLOR,
                                       None))
            elif kind == "hbar":
                cy = shape.y + shape.h / 2 + (ASCENT - DESCENT) * size / 2
                if up:
                    candidates.append((shape.x + shape.w + 0.25 * base + w / 2, cy,
                                       c.TEXT_COLOR, None))
                    candidates.append((shape.x + shape.w - 0.25 * base - w / 2, cy,
                                       text_on(shape.fill), shape))
                else:
                    candidates.append((shape.x - 0.25 * base - w / 2, cy, c.TEXT_COLOR, None))
            else:
                x, y, r = shape
                colour = shade(c.color(i), 0.75)
                candidates.append((x, y - r - 0.25 * base - DESCENT * size, colour, None))
                candidates.append((x, y + r + 0.25 * base + ASCENT * size, colour, None))
            for cx, baseline, colour, inside in candidates:
                box = (cx - w / 2, baseline - ASCENT * size, cx + w / 2,
                       baseline + DESCENT * size)
                if inside is not None:
                    if not (box[0] >= own[0] and box[2] <= own[2] and box[1] >= own[1] and
                            box[3] <= own[3]):
                        continue
                others = [b for b in boxes if b is not own] if inside is not None else boxes
                if self.free(box, others, segments_, bounds):
                    placed.append(Text(cx, baseline, label, size, w, False, colour, "middle"))
                    boxes.append(box)
                    break
            else:
                return                       # one does not fit: show none
        self.scene.items.extend(placed)

    def tip(self, j: int, series: c.Series, value) -> str:
        return (f"{self.chart.categories[j]}\n"
                f"{series.name}: {c.format_with_unit(value, self.chart)}")

    # horizontal bar charts: categories down the left side
    def horizontal(self, top: float, bottom: float) -> None:
        chart, base, u = self.chart, self.base, self.u
        ts = self.tick_size
        n = len(chart.categories)
        avail = self.right - self.left
        widest = max(self.measure(name, self.cat_size, False) for name in chart.categories)
        col_w = min(widest, 0.45 * avail)
        plot_l = self.left + col_w + 0.5 * base
        unit_w = self.measure(chart.unit, ts, False) if chart.unit else 0.0
        state: dict = {}

        def geometry(ax: c.Axis, force: bool = False) -> bool:
            places = c.tick_places(ax)
            labels = [c.tick_label(t, places) for t in ax.ticks]
            widths = [self.measure(t, ts, False) for t in labels]
            plot_r = self.right - widths[-1] / 2 - (unit_w + 0.4 * base if unit_w else 0)
            span = plot_r - plot_l
            xs = [plot_l + ax.fraction(t) * span for t in ax.ticks]
            crowded = any(b - a < (wa + wb) / 2 + 0.6 * ts
                          for a, b, wa, wb in zip(xs, xs[1:], widths, widths[1:]))
            if not force and crowded:
                return False
            state.update(ax=ax, labels=labels, widths=widths, plot_r=plot_r)
            return True

        if not self.pick_axis(geometry):
            geometry(c.axis(chart, 2), force=True)
        ax, plot_r = state["ax"], state["plot_r"]
        span = plot_r - plot_l

        def xpos(v) -> float:
            return plot_l + ax.fraction(v) * span

        # the band above the plot: reference labels
        items = [self.band_text(xpos(r.value), c.reference_text(r, chart), ts,
                                reference_color(chart, r), "middle")
                 for r in chart.references]
        band_bottom = self.rows_band(items, top, ts) if items else top
        pt = band_bottom + (0.3 * base if items else 0.2 * base)
        tick_row = line_height(ts) + 0.3 * base
        pb = bottom - tick_row
        slot = (pb - pt) / n
        # category labels: as many lines as a row holds, smaller text if one does not
        size = self.cat_size
        while line_height(size) > slot * 0.98 and size > 0.7 * base:
            size = max(0.7 * base, slot * 0.98 / LEADING)
        max_lines = max(1, min(3, int(slot * 0.98 // line_height(size))))
        step = 1 if line_height(size) <= slot * 1.02 else math.ceil(line_height(size) / slot)
        for i, name in enumerate(chart.categories):
            if i % step:
                continue
            lines = wrap(name, col_w, size, False, self.measure, max_lines)
            h = len(lines) * line_height(size)
            centre = pt + slot * (i + 0.5)
            self.block(lines, centre - h / 2, size, x=plot_l - 0.5 * base, anchor="end")
        # gridlines and their labels
        for tick, label in zip(ax.ticks, state["labels"]):
            x = xpos(tick)
            self.add(Line(x, pt, x, pb, c.GRID_COLOR, max(0.8 * u, 0.4)))
            self.add(self.text(x, pb + 0.3 * base + ASCENT * ts, label, ts, anchor="middle"))
        if chart.unit:
            x = xpos(ax.ticks[-1]) + state["widths"][-1] / 2 + 0.4 * base
            self.add(self.text(x, pb + 0.3 * base + ASCENT * ts, chart.unit, ts))
        zero = xpos(max(ax.low, min(Decimal(0), ax.high)))
        k = len(chart.series)
        group = slot * 0.72
        bh = group / k
        gap = min(bh * 0.08, 1.5 * u)
        obstacles, values = [], []
        for i, s in enumerate(chart.series):
            for j, v in enumerate(s.values):
                if v is None:
                    continue
                y = pt + slot * j + (slot - group) / 2 + i * bh + gap / 2
                x = xpos(v)
                x0, x1 = min(x, zero), max(x, zero)
                rect = Rect(x0, y, x1 - x0, bh - gap, c.color(i))
                self.add(rect)
                obstacles.append(box := (x0, y, x1, y + bh - gap))
                self.scene.tips.append(Tip(x0, y, max(x1 - x0, 2 * u), bh - gap,
                                           self.tip(j, s, v)))
                values.append(("hbar", v, rect, x >= zero, i, box))
        self.add(Line(zero, pt, zero, pb, AXIS_COLOR, 1.2 * u))
        for r in chart.references:
            x = xpos(r.value)
            colour = reference_color(chart, r)
            self.add(Line(x, pt, x, pb, WHITE, 3.0 * u))
            self.add(Line(x, pt, x, pb, colour, 1.6 * u, (5 * u, 3 * u)))
            obstacles.append((x - 1.2 * u, pt, x + 1.2 * u, pb))
            self.scene.tips.append(Tip(x - 3 * u, pt, 6 * u, pb - pt,
                                       c.reference_text(r, chart)))
        bar_size = self.value_size
        if bh - gap < (ASCENT + DESCENT) * bar_size:
            self.value_size = max(0.7 * base, 0.97 * (bh - gap) / (ASCENT + DESCENT))
        if (ASCENT + DESCENT) * self.value_size <= bh - gap + 0.5 * u:
            self._value_labels(values, obstacles, [], (plot_l, pt, plot_r, pb), xpos,
                               vertical=False)
        self.value_size = bar_size


def layout(chart: c.Chart, width: float, height: float, measure: Measure,
           base: float = 12.0) -> Scene:
    """Lay ``chart`` out in a ``width`` × ``height`` area; ``base`` is the size of ordinary
    text (the title is larger, axis and value labels smaller), and sets the pens too."""
    lay = _Layout(chart, width, height, measure, base)
    top, bottom = lay.frame()
    if chart.empty:
        lay.empty(top, bottom)
    elif chart.kind == c.BAR and chart.horizontal:
        lay.horizontal(top, bottom)
    elif chart.kind in (c.BAR, c.LINE):
        lay.vertical(top, bottom)
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    return lay.scene
