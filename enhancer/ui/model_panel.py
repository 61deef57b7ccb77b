"""The model picker: every model with its card and scales, and where and how it runs.

The highlighted model is the one Run uses; ticked models are the ones Compare runs side by side.
The choices are remembered between runs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from enhancer.engine.precision import PREFERENCES as PRECISIONS
from enhancer.models.catalog import CatalogEntry
from enhancer.ui.jobs import RunRequest
from enhancer.ui.settings import Settings

TILE_STEP = 64
MAX_TILE = 4096
DEFAULT_COMPARE = ("bicubic", "lanczos")


def device_choices() -> list[str]:
    """"auto", then each device this machine has."""
    choices = ["auto", "cpu"]
    if torch.cuda.is_available():
        choices += [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        choices.append("mps")
    return choices


def engine_controls() -> tuple[QComboBox, QComboBox, QSpinBox]:
    """The device, precision and tile inputs, alike wherever they appear (panel and settings)."""
    device = QComboBox()
    device.addItems(device_choices())
    precision = QComboBox()
    precision.addItems(list(PRECISIONS))
    tile = QSpinBox()
    tile.setRange(0, MAX_TILE)
    tile.setSingleStep(TILE_STEP)
    tile.setSpecialValueText("Auto")
    tile.setSuffix(" px")
    return device, precision, tile


class ModelPanel(QWidget):
    model_changed = Signal()
    """The highlighted model or its scale changed."""

    def __init__(self, entries: Sequence[CatalogEntry], settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = {entry.id: entry for entry in entries}
        self.settings = settings

        self.models = QListWidget()
        compared = settings.names("compare_models") or list(DEFAULT_COMPARE)
        for entry in entries:
            label = f"{entry.id}  ·  {entry.name}" + ("  ·  perceptual" if entry.perceptual else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if entry.id in compared
                               else Qt.CheckState.Unchecked)
            item.setToolTip("Tick to include in Compare")
            self.models.addItem(item)
        self.card = QLabel()
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scale = QComboBox()
        self.device, self.precision, self.tile = engine_controls()
        self.simulate = QCheckBox("Simulate low resolution")
        self.simulate.setToolTip("Downscale the photo first, upscale that, and score the result "
                                 "against the photo (PSNR / SSIM on Y)")

        form = QFormLayout()
        form.addRow("Scale", self.scale)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("Tile", self.tile)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Models (tick to compare)"))
        layout.addWidget(self.models, 2)
        layout.addWidget(self.card, 1)
        layout.addLayout(form)
        layout.addWidget(self.simulate)

        self._restore()
        self.models.currentItemChanged.connect(self._on_model_changed)
        self.scale.currentIndexChanged.connect(self._on_setting_changed)
        self.models.itemChanged.connect(self._save)
        for combo in (self.device, self.precision):
            combo.currentIndexChanged.connect(self._save)
        self.tile.valueChanged.connect(self._save)
        self.simulate.toggled.connect(self._save)

    def current(self) -> CatalogEntry:
        return self.entries[self.models.currentItem().data(Qt.ItemDataRole.UserRole)]

    def select(self, model: str, scale: int | None = None) -> None:
        for row in range(self.models.count()):
            if self.models.item(row).data(Qt.ItemDataRole.UserRole) == model:
                self.models.setCurrentRow(row)
        if scale is not None:
            self.scale.setCurrentText(f"×{scale}")

    def set_compared(self, models: Sequence[str]) -> None:
        for row in range(self.models.count()):
            item = self.models.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in models
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def request(self, model: str | None = None) -> RunRequest:
        """A run of `model` (default: the highlighted one) with the panel's settings."""
        tile = self.tile.value() or None
        return RunRequest(model=model or self.current().id, scale=self.chosen_scale(),
                          device=self.device.currentText(), precision=self.precision.currentText(),
                          tile=tile, simulate=self.simulate.isChecked())

    def compare_requests(self) -> tuple[list[RunRequest], list[str]]:
        """Runs of the ticked models at the chosen scale, and the ticked ones without that scale."""
        scale, runs, lacking = self.chosen_scale(), [], []
        for row in range(self.models.count()):
            item = self.models.item(row)
            if item.checkState() != Qt.CheckState.Checked:
                continue
            entry = self.entries[item.data(Qt.ItemDataRole.UserRole)]
            (runs if scale in entry.scales else lacking).append(entry.id)
        return [self.request(model) for model in runs], lacking

    def chosen_scale(self) -> int:
        return int(self.scale.currentText().lstrip("×") or self.current().scales[0])

    def _restore(self) -> None:
        self.select(self.settings.text("model", "bicubic"))
        if self.models.currentRow() < 0:
            self.models.setCurrentRow(0)
        self._fill_scales(self.settings.number("scale", 2))
        self._show_card()
        self.device.setCurrentText(self.settings.text("device", "auto"))
        self.precision.setCurrentText(self.settings.text("precision", "auto"))
        self.tile.setValue(self.settings.number("tile", 0))
        self.simulate.setChecked(self.settings.flag("simulate", False))

    def _fill_scales(self, preferred: int) -> None:
        scales = self.current().scales
        self.scale.blockSignals(True)
        self.scale.clear()
        self.scale.addItems([f"×{s}" for s in scales])
        self.scale.setCurrentText(f"×{preferred if preferred in scales else scales[0]}")
        self.scale.blockSignals(False)

    def _on_model_changed(self) -> None:
        self._fill_scales(self.chosen_scale() if self.scale.count() else 2)
        self._show_card()
        self._on_setting_changed()

    def _on_setting_changed(self) -> None:
        self._save()
        self.model_changed.emit()

    def _show_card(self) -> None:
        self.card.setText(card_html(self.current()))

    def _save(self) -> None:
        if self.models.currentItem() is None:
            return
        self.settings.set("model", self.current().id)
        self.settings.set("scale", self.chosen_scale())
        self.settings.set("device", self.device.currentText())
        self.settings.set("precision", self.precision.currentText())
        self.settings.set("tile", self.tile.value())
        self.settings.set("simulate", self.simulate.isChecked())
        self.settings.set("compare_models", [
            self.models.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.models.count())
            if self.models.item(row).checkState() == Qt.CheckState.Checked])


def card_html(entry: CatalogEntry) -> str:
    """The facts a user chooses a model by: paper, kind, size, measured quality, speed."""
    figures = ", ".join(f"{name} {psnr:.2f} dB" for name, psnr in entry.benchmark.items())
    rows = [
        ("Paper", entry.paper),
        ("Kind", entry.kind),
        ("Parameters", f"{entry.parameters:,}" if entry.parameters else "none (formula)"),
        ("Benchmark", figures or "not measured yet"),
        ("Speed", entry.speed_class),
        ("Scales", ", ".join(f"×{s}" for s in entry.scales)),
    ]
    if entry.perceptual:
        rows.append(("Trained for", "perceptual quality: sharper texture, lower PSNR"))
    if entry.uses_reference:
        rows.append(("References", "uses the reference photos"))
    cells = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;</td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<b>{html.escape(entry.name)}</b><table>{cells}</table>"
