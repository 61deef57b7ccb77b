"""A small line plot painted with QPainter: the fine-tune's loss and held-out PSNR as it trains.

A few hundred points redrawn a few times a second need no plotting library; the axes are scaled
to the data, with the latest value written in the corner.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

MARGIN = 6


class CurvePlot(QWidget):
    def __init__(self, title: str, *, unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.unit = title, unit
        self.points: list[tuple[float, float]] = []
        self.setMinimumSize(QSize(220, 110))

    def add(self, x: float, y: float) -> None:
        self.points.append((float(x), float(y)))
        self.update()

    def clear(self) -> None:
        self.points.clear()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        line_height = painter.fontMetrics().height()
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN + line_height, -MARGIN, -MARGIN)
        painter.setPen(QPen(text_color))
        latest = f"{self.points[-1][1]:.4g} {self.unit}".rstrip() if self.points else "no data yet"
        painter.drawText(QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, line_height),
                         Qt.AlignmentFlag.AlignLeft, self.title)
        painter.drawText(QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, line_height),
                         Qt.AlignmentFlag.AlignRight, latest)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid)))
        painter.drawRect(area)
        if len(self.points) < 2:
            return
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        low, high = min(ys), max(ys)
        if high - low < 1e-12:
            low, high = low - 0.5, high + 0.5
        left, right = min(xs), max(max(xs), min(xs) + 1e-9)
        path = QPainterPath()
        for index, (x, y) in enumerate(self.points):
            point = QPointF(area.left() + (x - left) / (right - left) * area.width(),
                            area.bottom() - (y - low) / (high - low) * area.height())
            path.moveTo(point) if index == 0 else path.lineTo(point)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1.5))
        painter.drawPath(path)
        painter.setPen(QPen(text_color))
        painter.drawText(area.adjusted(3, 1, 0, 0), Qt.AlignmentFlag.AlignTop, f"{high:.4g}")
        painter.drawText(area.adjusted(3, 0, 0, -1), Qt.AlignmentFlag.AlignBottom, f"{low:.4g}")
