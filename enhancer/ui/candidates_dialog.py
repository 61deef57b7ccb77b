"""The candidates view: several samples of a generative model for one tiny photo, pick one.

At x4 from a thumbnail many sharp photos fit the same pixels; a generative model (pixel recursive
SR) draws some of them. The dialog draws `count` candidates at the temperature the slider sets
(low: likelier, smoother; high: more varied, noisier), through the window's task runner, shows them
enlarged side by side, and "Keep" hands the chosen one to the window as a result to view and save.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from enhancer.engine.candidates import RowProgress
from enhancer.imaging.io import Photo
from enhancer.ui.candidates_jobs import sample_candidates
from enhancer.ui.jobs import RunRequest, RunResult, Step
from enhancer.ui.photo_image import DisplayImage
from enhancer.ui.worker import TaskCallbacks, TaskRunner

# The slider moves in hundredths of a degree of temperature.
TEMPERATURE_STEPS = 100
DEFAULT_TEMPERATURE = 0.8
MAX_TEMPERATURE = 1.5
SHOWN_SIDE = 160  # candidates are drawn enlarged (nearest neighbour), thumbnails being tiny
COLUMNS = 4
# The full model is chosen first when it is there; the other generative models are its ablations.
PREFERRED_MODEL = "pixelrsr"


class CandidatesDialog(QDialog):
    kept = Signal(object)  # the chosen RunResult

    def __init__(self, photo: Photo, models: list[tuple[str, int]], tasks: TaskRunner, *,
                 device: str = "auto", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Candidates")
        self.photo = photo
        self.tasks = tasks
        self.device = device
        self.candidates: list[RunResult] = []
        # Each draw takes the next seed, so drawing again gives new candidates.
        self._draws = 0

        self.model = QComboBox()
        for name, scale in models:
            self.model.addItem(f"{name} ×{scale}", (name, scale))
        names = [name for name, _ in models]
        self.model.setCurrentIndex(names.index(PREFERRED_MODEL) if PREFERRED_MODEL in names else 0)
        self.count = QSpinBox(minimum=1, maximum=16, value=8)
        self.temperature = QSlider(Qt.Orientation.Horizontal, minimum=0,
                                   maximum=round(MAX_TEMPERATURE * TEMPERATURE_STEPS),
                                   value=round(DEFAULT_TEMPERATURE * TEMPERATURE_STEPS))
        self.temperature_label = QLabel()
        self.temperature.valueChanged.connect(self._show_temperature)
        self._show_temperature()
        self.draw_button = QPushButton("Draw")
        self.draw_button.clicked.connect(self.draw)
        self.keep_button = QPushButton("Keep")
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(self.keep)
        self.status = QLabel("Draw candidates, then pick one to keep.")

        controls = QHBoxLayout()
        for widget in (QLabel("Model"), self.model, QLabel("Candidates"), self.count,
                       QLabel("Temperature"), self.temperature, self.temperature_label,
                       self.draw_button):
            controls.addWidget(widget)
        self.input = QLabel()
        self.input.setPixmap(_enlarged(DisplayImage.of_photo(photo)))
        self.input.setToolTip("The photo, enlarged")
        self.grid = QGridLayout()
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        self.choices.idToggled.connect(lambda *_: self.keep_button.setEnabled(self.chosen() is not None))
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        pictures = QHBoxLayout()
        pictures.addWidget(self.input, 0, Qt.AlignmentFlag.AlignTop)
        pictures.addLayout(self.grid, 1)
        layout.addLayout(pictures)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.keep_button)
        layout.addLayout(bottom)

    def temperature_value(self) -> float:
        return self.temperature.value() / TEMPERATURE_STEPS

    def draw(self) -> bool:
        """Start drawing candidates; False (and a word why) when another task is running."""
        name, scale = self.model.currentData()
        request = RunRequest(model=name, scale=scale, device=self.device)
        count, temperature = self.count.value(), self.temperature_value()
        seed, photo = self._draws, self.photo
        started = self.tasks.start(
            lambda: sample_candidates(photo, request, count=count, temperature=temperature, seed=seed),
            TaskCallbacks(progress=self._on_progress, finished=self._show,
                          failed=lambda message: self._stopped(f"Could not draw: {message}"),
                          cancelled=lambda: self._stopped("Cancelled.")))
        if not started:
            self.status.setText("Busy with another task; try again when it ends.")
            return False
        self._draws += 1
        self.draw_button.setEnabled(False)
        return True

    def chosen(self) -> RunResult | None:
        index = self.choices.checkedId()
        return self.candidates[index] if 0 <= index < len(self.candidates) else None

    def keep(self) -> None:
        result = self.chosen()
        if result is not None:
            self.kept.emit(result)
            self.status.setText("Kept; save it from the main window.")

    def _show_temperature(self) -> None:
        self.temperature_label.setText(f"{self.temperature_value():.2f}")

    def _on_progress(self, item: object) -> None:
        if isinstance(item, RowProgress):
            self.status.setText(f"Drawing row {item.done} of {item.total}")
        elif isinstance(item, Step):
            self.status.setText(item.text)

    def _stopped(self, text: str) -> None:
        self.draw_button.setEnabled(True)
        self.status.setText(text)

    def _show(self, results: list[RunResult]) -> None:
        self.draw_button.setEnabled(True)
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            self.grid.removeWidget(button)
            button.deleteLater()
        self.candidates = results
        for index, result in enumerate(results):
            button = QToolButton()
            button.setCheckable(True)
            button.setIcon(QIcon(_enlarged(result.image)))
            button.setIconSize(QSize(SHOWN_SIDE, SHOWN_SIDE))
            button.setToolTip(f"Candidate {index + 1}")
            self.choices.addButton(button, index)
            self.grid.addWidget(button, index // COLUMNS, index % COLUMNS)
        self.keep_button.setEnabled(False)
        self.status.setText(f"{len(results)} candidates at temperature {self.temperature_value():.2f}; "
                            "pick one to keep.")


def _enlarged(image: DisplayImage) -> QPixmap:
    """The picture at SHOWN_SIDE, nearest neighbour, so single pixels stay visible."""
    return QPixmap.fromImage(image.full).scaled(SHOWN_SIDE, SHOWN_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.FastTransformation)
