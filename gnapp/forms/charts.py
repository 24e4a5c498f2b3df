"""Charts in PDFs: a ``Chart`` as a reportlab.graphics ``Drawing`` (vector, Liberation Serif).

The chart is laid out by ``gnapp.forms.chart_layout`` — the layout the screen and the PNG
files use — measured in Liberation Serif, the only font a gnapp PDF embeds. (reportlab's
bitmap renderer needs a Cairo binding gnapp does not ship: PNGs come from Qt,
``gnapp.ui.charts``.)
"""

from __future__ import annotations

import unicodedata

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from gnapp.domain.charts import Chart
from gnapp.forms import chart_layout as cl
from gnapp.forms.pdf import BOLD, FONT, register_fonts

BASE_PT = 9.0       # ordinary chart text in a printed chart


def measure(text: str, size: float, bold: bool) -> float:
    """The width of ``text`` in Liberation Serif at ``size`` points."""
    return pdfmetrics.stringWidth(unicodedata.normalize("NFC", text), BOLD if bold else FONT,
                                  size)


def scene_for(chart: Chart, width: float, height: float, base: float = BASE_PT) -> cl.Scene:
    """``chart`` laid out in a ``width`` × ``height`` point area."""
    register_fonts()
    return cl.layout(chart, width, height, measure, base)


def chart_drawing(chart: Chart, width_mm: float, height_mm: float,
                  base: float = BASE_PT) -> Drawing:
    """``chart`` as a Drawing ``width_mm`` × ``height_mm`` (a platypus flowable)."""
    width, height = width_mm * mm, height_mm * mm
    scene = scene_for(chart, width, height, base)
    drawing = Drawing(width, height)
    drawing.initialFontName, drawing.initialFontSize = FONT, base   # else Helvetica is named
    for item in scene.items:
        if isinstance(item, cl.Rect):
            drawing.add(Rect(item.x, height - item.y - item.h, item.w, item.h,
                             fillColor=colors.HexColor(item.fill), strokeColor=None,
                             strokeWidth=0))
        elif isinstance(item, cl.Line):
            drawing.add(Line(item.x1, height - item.y1, item.x2, height - item.y2,
                             strokeColor=colors.HexColor(item.color), strokeWidth=item.width,
                             strokeDashArray=list(item.dash) if item.dash else None,
                             strokeLineCap=0))
        elif isinstance(item, cl.Polyline):
            points = [v for x, y in item.points for v in (x, height - y)]
            drawing.add(PolyLine(points, strokeColor=colors.HexColor(item.color),
                                 strokeWidth=item.width, strokeLineJoin=1, fillColor=None))
        elif isinstance(item, cl.Dot):
            drawing.add(Circle(item.x, height - item.y, item.r,
                               fillColor=colors.HexColor(item.fill),
                               strokeColor=colors.HexColor(item.stroke),
                               strokeWidth=item.stroke_width))
        elif isinstance(item, cl.Text):
            drawing.add(String(item.left, height - item.y,
                               unicodedata.normalize("NFC", item.text),
                               fontName=BOLD if item.bold else FONT, fontSize=item.size,
                               fillColor=colors.HexColor(item.color), textAnchor="start"))
    return drawing
