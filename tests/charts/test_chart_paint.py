"""gnapp.ui.charts: charts painted with QPainter (offscreen), PNG files and the ChartView."""

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFileDialog

from chart_samples import ALL, budget_lines, deprivations, no_data, village_rates
from gnapp.domain import charts as c
from gnapp.forms import chart_layout as cl
from gnapp.ui import charts as ui_charts
from gnapp.ui.charts import ChartView, chart_png, paint_chart, save_png


def _count(image: QImage, color: str) -> int:
    """Pixels of exactly ``color`` (sampled every other pixel)."""
    rgb = QColor(color).rgb()
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if image.pixel(x, y) == rgb)


def _painted(chart, width, height) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    paint_chart(painter, QRectF(0, 0, width, height), chart)
    painter.end()
    return image


@pytest.mark.parametrize("size", [(480, 300), (900, 500)])
def test_bars_in_their_colours_on_white(qapp, size):
    image = _painted(village_rates(), *size)
    assert image.pixelColor(1, 1) == QColor("#ffffff")
    assert image.pixelColor(size[0] - 2, size[1] - 2) == QColor("#ffffff")
    blue, orange = _count(image, c.PALETTE[0]), _count(image, c.PALETTE[1])
    assert blue > 500 and orange > 300                      # solid bar areas
    assert _count(image, c.PALETTE[2]) == 0                 # no third series


def test_no_data_paints_no_bar(qapp):
    image = _painted(no_data(), 480, 300)
    assert _count(image, c.PALETTE[0]) == 0
    white = QColor("#ffffff").rgb()
    message = [(x, y) for y in range(130, 170) for x in range(180, 300)
               if image.pixel(x, y) != white]
    assert message                                   # "Chưa có số liệu" in the middle
    assert not [(x, y) for y in range(60, 120) for x in range(0, 480)
                if image.pixel(x, y) != white]       # and no axis or gridline


@pytest.mark.parametrize("make", ALL)
def test_png_reads_back_at_its_size(qapp, make):
    data = chart_png(make(), 1600, 900)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage.fromData(data, "PNG")
    assert (image.width(), image.height()) == (1600, 900)
    assert image.pixelColor(0, 0) == QColor("#ffffff")
    assert _count(image, c.PALETTE[0]) > 300


def test_png_text_and_pens_grow_with_the_picture(qapp, tmp_path):
    small = QImage.fromData(chart_png(deprivations(), 800, 450), "PNG")
    large = QImage(str(save_png(deprivations(), tmp_path / "x.png", 1600, 900)))
    assert (large.width(), large.height()) == (1600, 900)
    # the same picture twice as large: four times the bar area, within antialiasing
    ratio = _count(large, c.PALETTE[0]) / _count(small, c.PALETTE[0])
    assert 3.5 < ratio < 4.5


def test_ensure_gui_gives_the_running_application(qapp):
    assert ui_charts.ensure_gui() is qapp


def test_chart_png_works_without_a_running_application(tmp_path):
    import subprocess
    import sys
    script = ("import os; os.environ.pop('QT_QPA_PLATFORM', None); "
              "os.environ.pop('DISPLAY', None); os.environ.pop('WAYLAND_DISPLAY', None)\n"
              "import sys; sys.path.insert(0, 'tests/charts')\n"
              "from chart_samples import village_rates\n"
              "from gnapp.ui.charts import save_png\n"
              f"save_png(village_rates(), {str(tmp_path / 'cli.png')!r}, 640, 360)\n"
              "print(os.environ['QT_QPA_PLATFORM'])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "offscreen"
    assert QImage(str(tmp_path / "cli.png")).width() == 640


# -- the view ---------------------------------------------------------------------------------

@pytest.fixture
def view(qtbot):
    widget = ChartView(village_rates())
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_view_paints_the_chart(view, tmp_path):
    image = view.canvas.grab().toImage()
    assert _count(image, c.PALETTE[0]) > 500
    view.grab().save(str(tmp_path / "view.png"))
    assert view.minimumSizeHint().width() <= 480 and view.sizeHint().width() >= 480


def test_view_tooltip_names_category_series_and_value(view):
    scene = view.canvas.scene()
    bar = next(i for i in scene.items if isinstance(i, cl.Rect) and i.fill == c.PALETTE[1]
               and i.h > 20)
    tip = view.tip_at(QPoint(round(bar.x + bar.w / 2), round(bar.y + bar.h / 2)))
    assert tip == "Thôn Đông Thịnh\nHộ cận nghèo: 5,10%"
    assert view.tip_at(QPoint(2, 2)) is None


def test_view_saves_a_png_where_the_dialog_says(view, monkeypatch, tmp_path):
    asked = []

    def dialog(parent, title, suggested, filters):
        asked.append((title, Path(suggested).name, filters))
        return str(tmp_path / "bieu-do"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    saved = []
    view.image_saved.connect(saved.append)
    view.save_button.click()
    assert asked == [("Lưu ảnh biểu đồ", "ty-le-ngheo-theo-thon.png", ui_charts.PNG_FILTER)]
    out = tmp_path / "bieu-do.png"
    assert saved == [out]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 900)


def test_view_cancelled_dialog_writes_nothing(view, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: ("", "")))
    assert view.save_image() is None
    assert list(tmp_path.iterdir()) == []


def test_view_context_menu_offers_the_document_only_when_turned_on(view):
    assert [a.text() for a in view.context_menu().actions()] == [ui_charts.SAVE_TEXT]
    view.set_document_action(True)
    menu = view.context_menu()
    assert [a.text() for a in menu.actions()] == [ui_charts.SAVE_TEXT, ui_charts.ADD_TEXT]
    requested = []
    view.add_to_document_requested.connect(requested.append)
    menu.actions()[1].trigger()
    assert requested == [view.chart()]


def test_view_without_a_chart(view):
    view.set_chart(None)
    assert not view.save_button.isEnabled()
    assert view.save_image() is None
    image = view.canvas.grab().toImage()
    assert _count(image, c.PALETTE[0]) == 0
    view.set_chart(budget_lines())
    assert view.save_button.isEnabled()
    assert _count(view.canvas.grab().toImage(), c.PALETTE[1]) > 200
