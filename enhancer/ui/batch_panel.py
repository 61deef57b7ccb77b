"""The batch queue: files and folders in, one output folder out, progress and failures as they come.

Folders are walked recursively and mirrored into the output folder; outputs that already exist
are skipped, so a stopped batch resumes where it left off. A file that fails is listed with its
reason while the rest go on.
"""

from __future__ import annotations

from pathlib import Path

import qtawesome
from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from enhancer.engine.batch import BatchProgress
from enhancer.eta import EtaClock
from enhancer.ui.dropped_files import OPEN_FILTER, dropped_files
from enhancer.ui.jobs import BatchOutcome, BatchPlanned, Step


class BatchPanel(QWidget):
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = QListWidget()
        self.output = QLineEdit()
        self.output.setPlaceholderText("Output folder")
        self.skip_existing = QCheckBox("Skip outputs that exist")
        self.skip_existing.setChecked(True)
        self.start_button = QPushButton(qtawesome.icon("mdi6.play"), "Start batch")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.state = QLabel("Drop files or folders here.")
        self.failures = QListWidget()
        self._eta: EtaClock | None = None

        add_files = QPushButton(qtawesome.icon("mdi6.file-image-plus-outline"), "Add files…")
        add_folder = QPushButton(qtawesome.icon("mdi6.folder-plus-outline"), "Add folder…")
        clear = QPushButton(qtawesome.icon("mdi6.playlist-remove"), "Clear")
        browse = QPushButton(qtawesome.icon("mdi6.folder-outline"), "")
        add_files.clicked.connect(self._choose_files)
        add_folder.clicked.connect(self._choose_folder)
        clear.clicked.connect(self.queue.clear)
        browse.clicked.connect(self._choose_output)
        self.start_button.clicked.connect(self.start_requested)

        adders = QHBoxLayout()
        for button in (add_files, add_folder, clear):
            adders.addWidget(button)
        destination = QHBoxLayout()
        destination.addWidget(self.output, 1)
        destination.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.queue, 1)
        layout.addLayout(adders)
        layout.addLayout(destination)
        layout.addWidget(self.skip_existing)
        layout.addWidget(self.start_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(QLabel("Failures"))
        layout.addWidget(self.failures, 1)
        self.setAcceptDrops(True)

    def inputs(self) -> list[Path]:
        return [Path(self.queue.item(row).text()) for row in range(self.queue.count())]

    def add_inputs(self, paths: list[Path]) -> None:
        known = set(self.inputs())
        self.queue.addItems([str(path) for path in paths if path not in known])

    def output_folder(self) -> Path | None:
        text = self.output.text().strip()
        return Path(text) if text else None

    def started(self) -> None:
        self._eta = EtaClock()
        self.failures.clear()
        self.progress.setValue(0)
        self.start_button.setEnabled(False)

    def show_progress(self, item: object) -> None:
        if isinstance(item, Step):
            self.state.setText(item.text)
        elif isinstance(item, BatchPlanned):
            self.state.setText(f"{item.count} to do, {item.skipped} skipped (already done)")
        elif isinstance(item, BatchProgress):
            if item.failure is not None:
                self.failures.addItem(str(item.failure))
            self.progress.setValue(round(item.fraction * 1000))
            eta = self._eta.text(item.fraction) if self._eta else ""
            self.state.setText(f"{item.index + 1} of {item.count} · {item.source.name}  {eta}")

    def finished(self, outcome: BatchOutcome) -> None:
        report = outcome.report
        self.progress.setValue(1000)
        self.state.setText(f"Done: {len(report.written)} written, {len(report.failures)} failed, "
                           f"{outcome.skipped} skipped")
        self.start_button.setEnabled(True)

    def stopped(self, message: str) -> None:
        self.state.setText(message)
        self.start_button.setEnabled(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_inputs(paths)

    def _choose_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Add Photos", "", OPEN_FILTER)
        self.add_inputs([Path(name) for name in chosen])

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Add Folder")
        if chosen:
            self.add_inputs([Path(chosen)])

    def _choose_output(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Output Folder")
        if chosen:
            self.output.setText(chosen)
