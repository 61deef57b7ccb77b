"""A zoomable, pannable view of a photo, or of a before/after pair split by a draggable line.

The wheel zooms about the point under the cursor, dragging pans (or moves the split line when
grabbed near it), and a new photo starts fitted to the window. Until the user zooms, the view stays
fitted as the window is resized; after that it keeps the zoom the user chose. Every change of zoom
or position is announced by `moved`, so a comparison can keep its views in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QWidget

from enhancer.ui.photo_image import DisplayImage
from enhancer.ui.photo_item import PhotoItem

MIN_ZOOM = 1 / 32
MAX_ZOOM = 32.0
ZOOM_STEP = 1.25
# One wheel notch (120 eighths of a degree) zooms by ZOOM_STEP; touchpads send smaller deltas.
NOTCH = 120
FIT_MARGIN = 2
BACKGROUND = QColor(38, 38, 40)
# How near (in screen pixels) the split line must be grabbed to drag it rather than pan.
SPLIT_GRAB = 8
CAPTION_STYLE = ("background: rgba(20, 20, 22, 190); color: white; padding: 4px 8px;"
                 "border-radius: 4px; font-weight: bold;")


@dataclass(frozen=True)
class ViewState:
    """Zoom and position independent of the picture's size, so views of results of different
    scales can show the same part of the photo: `span` is screen pixels per photo width, and the
    centre is a fraction of the width and height."""

    span: float
    center_x: float
    center_y: float


class PhotoView(QGraphicsView):
    zoom_changed = Signal(float)
    """The new zoom factor (1.0 = one photo pixel per screen pixel)."""
    moved = Signal()
    """The zoom or the position changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.photo_item = PhotoItem()
        self.scene().addItem(self.photo_item)
        self._fitted = True
        self._dragging_split = False
        self.caption = QLabel(self)
        self.caption.setStyleSheet(CAPTION_STYLE)
        self.caption.move(8, 8)
        self.caption.hide()

        self.setBackgroundBrush(BACKGROUND)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # see _zoom_about
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        # Drops belong to the main window, which decides what a dropped file means.
        self.setAcceptDrops(False)
        self.horizontalScrollBar().valueChanged.connect(self.moved)
        self.verticalScrollBar().valueChanged.connect(self.moved)

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def picture_size(self) -> tuple[int, int]:
        rect = self.photo_item.boundingRect()
        return int(rect.width()), int(rect.height())

    def show_image(self, image: DisplayImage, before: DisplayImage | None = None, *,
                   keep_view: bool = False) -> None:
        """Show a picture (over `before`, with a split line, when given), fitted unless
        `keep_view` asks to keep the zoom and position of a picture of the same size."""
        same_size = self.picture_size() == (image.width, image.height)
        self.photo_item.set_pictures(image, before)
        self.scene().setSceneRect(self.photo_item.boundingRect())
        if not (keep_view and same_size):
            self.fit()

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.caption.adjustSize()
        self.caption.setVisible(bool(text))

    def fit(self) -> None:
        """Show the whole photo: shrink a large one to the window, show a small one at 100%."""
        self._fitted = True
        bounds = self.photo_item.boundingRect()
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

    def state(self) -> ViewState:
        width, height = self.picture_size()
        center = self.mapToScene(self.viewport().rect().center())
        return ViewState(self.zoom * max(width, 1), center.x() / max(width, 1),
                         center.y() / max(height, 1))

    def set_state(self, state: ViewState) -> None:
        width, height = self.picture_size()
        if width == 0:
            return
        self._fitted = False
        self._set_zoom(state.span / width)
        self.centerOn(QPointF(state.center_x * width, state.center_y * height))

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / NOTCH
        if notches == 0:
            super().wheelEvent(event)
            return
        self._zoom_about(event.position().toPoint(), self.zoom * ZOOM_STEP**notches)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._near_split(event.position()):
            self._dragging_split = True
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging_split:
            self.drag_split_to(event.position())
            event.accept()
            return
        split_cursor = self._near_split(event.position())
        self.viewport().setCursor(Qt.CursorShape.SplitHCursor if split_cursor
                                  else Qt.CursorShape.OpenHandCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging_split:
            self._dragging_split = False
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def drag_split_to(self, position: QPointF) -> None:
        """Put the split line under `position` (viewport pixels)."""
        width = self.photo_item.boundingRect().width()
        if width:
            self.photo_item.set_split(self.mapToScene(position.toPoint()).x() / width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def _near_split(self, position: QPointF) -> bool:
        split = self.photo_item.split_x()
        if split is None:
            return False
        line = self.mapFromScene(QPointF(split, 0)).x()
        return abs(position.x() - line) <= SPLIT_GRAB

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
        self.zoom_changed.emit(zoom)
        self.moved.emit()
