"""A zoomable, pannable view of one photo.

The wheel zooms about the point under the cursor, dragging pans, and a new photo starts fitted to
the window. Until the user zooms, the view stays fitted as the window is resized; after that it
keeps the zoom the user chose.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM = 1 / 32
MAX_ZOOM = 32.0
ZOOM_STEP = 1.25
# One wheel notch (120 eighths of a degree) zooms by ZOOM_STEP; touchpads send smaller deltas.
NOTCH = 120
FIT_MARGIN = 2
BACKGROUND = QColor(38, 38, 40)


class PhotoView(QGraphicsView):
    zoom_changed = Signal(float)
    """The new zoom factor (1.0 = one photo pixel per screen pixel)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.pixmap_item = QGraphicsPixmapItem()
        self.scene().addItem(self.pixmap_item)
        self._fitted = True

        self.setBackgroundBrush(BACKGROUND)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # see _zoom_about
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # Drops belong to the main window, which decides what a dropped file means.
        self.setAcceptDrops(False)

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def show_image(self, image: QImage) -> None:
        """Show a new photo, fitted to the window."""
        self.pixmap_item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(QRectF(image.rect()))
        self.fit()

    def fit(self) -> None:
        """Show the whole photo: shrink a large one to the window, show a small one at 100%."""
        self._fitted = True
        bounds = self.pixmap_item.boundingRect()
        viewport = self.viewport().rect()
        if bounds.isEmpty() or viewport.isEmpty():
            return
        # A pixel of margin keeps rounding from summoning scroll bars for a photo that fits.
        width, height = viewport.width() - FIT_MARGIN, viewport.height() - FIT_MARGIN
        zoom = min(width / bounds.width(), height / bounds.height(), 1.0)
        self._set_zoom(zoom)
        self.centerOn(bounds.center())

    def actual_size(self) -> None:
        self._zoom_about(self.viewport().rect().center(), 1.0)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_by(self, factor: float) -> None:
        """Zoom about the view's centre (the wheel zooms about the cursor instead)."""
        self._zoom_about(self.viewport().rect().center(), self.zoom * factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / NOTCH
        if notches == 0:
            super().wheelEvent(event)
            return
        self._zoom_about(event.position().toPoint(), self.zoom * ZOOM_STEP**notches)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def _zoom_about(self, anchor: QPoint, zoom: float) -> None:
        """Zoom so that the photo point under `anchor` (viewport pixels) stays under it."""
        self._fitted = False
        held = self.mapToScene(anchor)
        self._set_zoom(zoom)
        drift = self.mapFromScene(held) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())

    def _set_zoom(self, zoom: float) -> None:
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        self.scale(zoom / self.zoom, zoom / self.zoom)
        # Smooth when shrinking; crisp pixels when enlarging, so upscaling results can be judged.
        smooth = Qt.TransformationMode.SmoothTransformation
        crisp = Qt.TransformationMode.FastTransformation
        self.pixmap_item.setTransformationMode(smooth if zoom < 1.0 else crisp)
        self.zoom_changed.emit(zoom)
