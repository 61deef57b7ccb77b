"""What a photo view paints: one picture, or two split by a vertical line (the before/after wipe).

The "before" picture is stretched over the same area as the "after" one, since it is the smaller
input of an upscale. Painting draws only the exposed part, from the preview when zoomed out, so a
48-megapixel result pans as smoothly as a small one.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from enhancer.ui.photo_image import DisplayImage

SPLIT_LINE = QColor(255, 255, 255, 220)
SPLIT_SHADOW = QColor(0, 0, 0, 120)
HANDLE_RADIUS = 9


class PhotoItem(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.after: DisplayImage | None = None
        self.before: DisplayImage | None = None
        # Where the wipe divides the pictures, as a fraction of the width; None shows `after` only.
        self.split: float | None = None

    def set_pictures(self, after: DisplayImage | None, before: DisplayImage | None = None) -> None:
        self.prepareGeometryChange()
        self.after, self.before = after, before
        if before is None:
            self.split = None
        elif self.split is None:
            self.split = 0.5
        self.update()

    def set_split(self, fraction: float) -> None:
        self.split = min(max(fraction, 0.0), 1.0)
        self.update()

    def split_x(self) -> float | None:
        if self.split is None or self.after is None:
            return None
        return self.split * self.after.width

    def boundingRect(self) -> QRectF:
        if self.after is None:
            return QRectF()
        return QRectF(0, 0, self.after.width, self.after.height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.after is None:
            return
        zoom = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, zoom < 1.0)
        exposed = option.exposedRect.intersected(self.boundingRect())
        split = self.split_x()
        if split is None:
            _draw(painter, self.after, exposed, self.boundingRect(), zoom)
            return
        left = exposed.intersected(QRectF(0, 0, split, self.after.height))
        right = exposed.intersected(QRectF(split, 0, self.after.width - split, self.after.height))
        _draw(painter, self.before, left, self.boundingRect(), zoom)
        _draw(painter, self.after, right, self.boundingRect(), zoom)
        self._paint_split_line(painter, split, zoom)

    def _paint_split_line(self, painter: QPainter, x: float, zoom: float) -> None:
        height = self.after.height
        for color, width in ((SPLIT_SHADOW, 4), (SPLIT_LINE, 2)):
            pen = QPen(color, width)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        painter.setBrush(SPLIT_LINE)
        radius = HANDLE_RADIUS / zoom
        painter.drawEllipse(QPointF(x, height / 2), radius, radius)


def _draw(painter: QPainter, picture: DisplayImage, target: QRectF, area: QRectF, zoom: float) -> None:
    """Draw the part of `picture` (stretched over `area`) that falls in `target`."""
    if target.isEmpty():
        return
    image = _source_for(picture, area, zoom)
    sx, sy = image.width() / area.width(), image.height() / area.height()
    source = QRectF(target.x() * sx, target.y() * sy, target.width() * sx, target.height() * sy)
    painter.drawImage(target, image, source)


def _source_for(picture: DisplayImage, area: QRectF, zoom: float) -> QImage:
    """The preview when it has as many pixels as the screen shows, else the full picture."""
    if picture.preview.width() >= area.width() * zoom:
        return picture.preview
    return picture.full
