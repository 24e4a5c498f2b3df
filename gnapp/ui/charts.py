"""Charts drawn with QPainter: on screen (``ChartView``) and into PNG files (``chart_png``).

No QtCharts (a 150 MiB add-on wheel): the chart is laid out by
``gnapp.forms.chart_layout`` — the same layout the PDF renderer uses — and its shapes are
painted here in the bundled Liberation Sans, so every Vietnamese diacritic renders on any
PC. ``ensure_gui`` lets the command line render PNGs without a display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QAction, QColor, QContextMenuEvent, QFont, QFontMetricsF,
                           QGuiApplication, QHelpEvent, QImage, QPainter, QPainterPath, QPen)
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QMenu, QMessageBox,
                               QSizePolicy, QToolButton, QToolTip, QVBoxLayout, QWidget)

from gnapp.domain.charts import Chart
from gnapp.forms import chart_layout as cl
from gnapp.ui.fonts import UI_FAMILY, register_fonts

SAVE_TEXT = "Lưu ảnh…"
ADD_TEXT = "Thêm vào văn bản…"
PNG_FILTER = "Ảnh PNG (*.png)"
DESIGN_WIDTH = 800          # chart_png draws at this width and scales up, pens included
BASE_PX = 13                # ordinary chart text on a PNG before scaling

_app = None                 # the QGuiApplication ensure_gui made, kept alive


def ensure_gui() -> QGuiApplication:
    """The running Qt application, or a new one (offscreen when there is no display) with
    the bundled fonts, so that PNGs can be drawn from the command line. It is a
    QApplication, so that widgets may still be made in the same process."""
    global _app
    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not any(
                os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = _app = QApplication(sys.argv[:1])
    register_fonts()
    return app


def _font(size: float, bold: bool) -> QFont:
    font = QFont(UI_FAMILY)
    font.setPixelSize(max(1, round(size)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


_metrics: dict[tuple[int, bool], QFontMetricsF] = {}


def measure(text: str, size: float, bold: bool) -> float:
    """The width of ``text`` in Liberation Sans at ``size`` pixels."""
    key = (max(1, round(size)), bold)
    if key not in _metrics:
        _metrics[key] = QFontMetricsF(_font(size, bold))
    return _metrics[key].horizontalAdvance(text)


def scene_for(chart: Chart, width: float, height: float, base: float = BASE_PX) -> cl.Scene:
    """``chart`` laid out in a ``width`` × ``height`` pixel area."""
    register_fonts()
    return cl.layout(chart, width, height, measure, base)


def paint_scene(painter: QPainter, rect: QRectF, scene: cl.Scene) -> None:
    """Paint a laid-out chart into ``rect`` (the scene's units are the rect's pixels)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.translate(rect.topLeft())
    for item in scene.items:
        if isinstance(item, cl.Rect):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(item.fill))
            painter.drawRect(QRectF(item.x, item.y, item.w, item.h))
        elif isinstance(item, cl.Line):
            painter.setPen(_pen(item.color, item.width, item.dash))
            painter.drawLine(QPointF(item.x1, item.y1), QPointF(item.x2, item.y2))
        elif isinstance(item, cl.Polyline):
            path = QPainterPath(QPointF(*item.points[0]))
            for point in item.points[1:]:
                path.lineTo(QPointF(*point))
            pen = _pen(item.color, item.width)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        elif isinstance(item, cl.Dot):
            painter.setPen(_pen(item.stroke, item.stroke_width))
            painter.setBrush(QColor(item.fill))
            painter.drawEllipse(QPointF(item.x, item.y), item.r, item.r)
        elif isinstance(item, cl.Text):
            painter.setFont(_font(item.size, item.bold))
            painter.setPen(QColor(item.color))
            painter.drawText(QPointF(item.left, item.y), item.text)
    painter.restore()


def _pen(color: str, width: float, dash: tuple[float, ...] | None = None) -> QPen:
    pen = QPen(QColor(color))
    pen.setWidthF(width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if dash:
        pen.setStyle(Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([d / max(width, 0.01) for d in dash])   # in pen widths
    return pen


def paint_chart(painter: QPainter, rect: QRectF, chart: Chart, base: float = BASE_PX) -> None:
    """Paint ``chart`` into ``rect`` of ``painter``'s device (``base``: text size in px)."""
    paint_scene(painter, rect, scene_for(chart, rect.width(), rect.height(), base))


def chart_image(chart: Chart, width: int = 1600, height: int = 900) -> QImage:
    """``chart`` on a white image: laid out at 800 px wide and scaled up, so text and pens
    grow with the picture and it prints well."""
    ensure_gui()
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    scale = max(1.0, width / DESIGN_WIDTH)
    painter = QPainter(image)
    try:
        painter.scale(scale, scale)
        paint_chart(painter, QRectF(0, 0, width / scale, height / scale), chart)
    finally:
        painter.end()
    return image


def chart_png(chart: Chart, width: int = 1600, height: int = 900) -> bytes:
    """``chart`` as PNG bytes (white background)."""
    image = chart_image(chart, width, height)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("không tạo được ảnh PNG của biểu đồ")
    return bytes(buffer.data())


def save_png(chart: Chart, path: str | Path, width: int = 1600, height: int = 900) -> Path:
    """Write ``chart`` as a PNG file; returns the path."""
    path = Path(path)
    path.write_bytes(chart_png(chart, width, height))
    return path


class _Canvas(QWidget):
    """The painted chart, with a tooltip per bar, point and reference line."""

    def __init__(self, view: "ChartView"):
        super().__init__(view)
        self._view = view
        self._scene: cl.Scene | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def base(self) -> float:
        return float(max(11, self.fontInfo().pixelSize()))

    def scene(self) -> cl.Scene | None:
        chart = self._view.chart()
        if chart is None:
            return None
        size = (self.width(), self.height())
        if self._scene is None or (self._scene.width, self._scene.height) != size:
            self._scene = scene_for(chart, *size, base=self.base())
        return self._scene

    def forget(self) -> None:
        self._scene = None
        self.update()

    def paintEvent(self, event) -> None:
        """Overrides QWidget.paintEvent."""
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), QColor("#ffffff"))
            scene = self.scene()
            if scene is None:
                painter.setPen(QColor(cl.NOTE_COLOR))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, cl.EMPTY_TEXT)
            else:
                paint_scene(painter, QRectF(self.rect()), scene)
        finally:
            painter.end()

    def event(self, event) -> bool:
        """Overrides QWidget.event: tooltips."""
        if event.type() == event.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self._view.tip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class ChartView(QWidget):
    """One chart on screen, with "Lưu ảnh…" (a PNG) in a small button and a context menu.

    ``add_to_document_requested`` carries the chart when the user picks "Thêm vào văn bản…",
    which the menu offers only after ``set_document_action(True)``.
    """

    add_to_document_requested = Signal(object)
    image_saved = Signal(object)                 # the Path written

    def __init__(self, chart: Chart | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._chart: Chart | None = None
        self._document_action = False
        self.canvas = _Canvas(self)
        self.save_button = QToolButton(self)
        self.save_button.setText(SAVE_TEXT)
        self.save_button.setToolTip("Lưu biểu đồ thành tệp ảnh PNG")
        self.save_button.setAutoRaise(True)
        self.save_button.clicked.connect(self.save_image)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(row)
        self.set_chart(chart)

    # -- the chart -------------------------------------------------------------------------
    def chart(self) -> Chart | None:
        return self._chart

    def set_chart(self, chart: Chart | None) -> None:
        """Show ``chart`` (None: "Chưa có số liệu")."""
        self._chart = chart
        self.save_button.setEnabled(chart is not None)
        self.setAccessibleName(chart.title if chart else cl.EMPTY_TEXT)
        self.canvas.forget()

    def set_document_action(self, enabled: bool) -> None:
        """Offer "Thêm vào văn bản…" in the context menu."""
        self._document_action = enabled

    def minimumSizeHint(self) -> QSize:
        """Overrides QWidget.minimumSizeHint: the smallest size the layout is made for."""
        return QSize(360, 240)

    def sizeHint(self) -> QSize:
        """Overrides QWidget.sizeHint."""
        return QSize(640, 400)

    def tip_at(self, pos) -> str | None:
        """The tooltip at ``pos`` (canvas coordinates): category, series and value."""
        scene = self.canvas.scene()
        return scene.tip_at(pos.x(), pos.y()) if scene else None

    # -- actions ---------------------------------------------------------------------------
    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        save = QAction(SAVE_TEXT, menu)
        save.setEnabled(self._chart is not None)
        save.triggered.connect(self.save_image)
        menu.addAction(save)
        if self._document_action:
            add = QAction(ADD_TEXT, menu)
            add.setEnabled(self._chart is not None)
            add.triggered.connect(self._request_add)
            menu.addAction(add)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Overrides QWidget.contextMenuEvent."""
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def _request_add(self) -> None:
        if self._chart is not None:
            self.add_to_document_requested.emit(self._chart)

    def ask_save_path(self, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Lưu ảnh biểu đồ",
                                              str(Path.home() / suggested), PNG_FILTER)
        if not path:
            return None
        path = Path(path)
        return path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")

    def save_image(self) -> Path | None:
        """Ask where, then write the chart as a PNG (1600 × 900); returns the path."""
        if self._chart is None:
            return None
        path = self.ask_save_path(f"{self._chart.name or 'bieu-do'}.png")
        if path is None:
            return None
        try:
            save_png(self._chart, path)
        except OSError as exc:
            QMessageBox.warning(self, "Lưu ảnh", f"Không ghi được tệp {path}: "
                                                 f"{exc.strerror or exc}.")
            return None
        self.image_saved.emit(path)
        return path
