"""The results made from the open photo: pick one to inspect, tick two to four to compare."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from enhancer.ui.jobs import RunResult


class ResultsPanel(QWidget):
    current_changed = Signal()
    ticks_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: list[RunResult] = []
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Results (tick to compare)"))
        layout.addWidget(self.list)
        self.list.currentRowChanged.connect(lambda _row: self.current_changed.emit())
        self.list.itemChanged.connect(lambda _item: self.ticks_changed.emit())

    def add(self, result: RunResult, *, ticked: bool = True) -> None:
        """Add a result and make it current; a result of the same model and scale is replaced."""
        for row, old in enumerate(self.results):
            if old.request == result.request:
                self.results.pop(row)
                self.list.takeItem(row)
                break
        self.results.append(result)
        item = QListWidgetItem(result.label)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self.list.blockSignals(True)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(self.list.count() - 1)

    def clear(self) -> None:
        self.results.clear()
        self.list.clear()

    def current(self) -> RunResult | None:
        row = self.list.currentRow()
        return self.results[row] if 0 <= row < len(self.results) else None

    def ticked(self) -> list[RunResult]:
        return [result for row, result in enumerate(self.results)
                if self.list.item(row).checkState() == Qt.CheckState.Checked]

    def tick_only(self, results: list[RunResult]) -> None:
        self.list.blockSignals(True)
        for row, result in enumerate(self.results):
            state = Qt.CheckState.Checked if result in results else Qt.CheckState.Unchecked
            self.list.item(row).setCheckState(state)
        self.list.blockSignals(False)
        self.ticks_changed.emit()
