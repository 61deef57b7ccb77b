"""Two to four results side by side, each captioned with its model, scale, time and scores.

Zooming or panning any of them moves the others to the same part of the photo, so details can be
compared where they differ; results of different scales line up by position in the photo.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from enhancer.ui.photo_image import DisplayImage
from enhancer.ui.photo_view import PhotoView

MAX_VIEWS = 4


class CompareView(QWidget):
    # The first view's zoom: the others follow it (or show the same place at their own scale).
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: list[PhotoView] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self._syncing = False

    def show_results(self, pictures: Sequence[tuple[DisplayImage, str]]) -> None:
        """Show up to four (picture, caption) pairs, keeping the zoom when the pictures are alike."""
        pictures = list(pictures)[:MAX_VIEWS]
        self._make_views(len(pictures))
        for view, (picture, caption) in zip(self.views, pictures):
            view.show_image(picture, keep_view=True)
            view.set_caption(caption)

    def fit(self) -> None:
        for view in self.views:
            view.fit()

    def actual_size(self) -> None:
        if self.views:
            self.views[0].actual_size()

    def zoom_by(self, factor: float) -> None:
        if self.views:
            self.views[0].zoom_by(factor)

    def _make_views(self, count: int) -> None:
        if len(self.views) == count:
            return
        for view in self.views:
            view.deleteLater()
        self.views = []
        columns = 2 if count == 4 else count
        for index in range(count):
            view = PhotoView(self)
            view.moved.connect(lambda view=view: self._follow(view))
            if index == 0:
                view.zoom_changed.connect(self.zoom_changed)
            self._grid.addWidget(view, index // columns, index % columns)
            self.views.append(view)

    def _follow(self, leader: PhotoView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            state = leader.state()
            for view in self.views:
                if view is not leader:
                    view.set_state(state)
        finally:
            self._syncing = False
