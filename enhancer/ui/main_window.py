"""The main window: the photo and its results, the model picker, references, results and batch.

Every long job (a run, a comparison, saving, a batch) goes to the one `TaskRunner`, which pulls
the core's generator in a background thread; the window only turns what comes back into pixels
and words. Problems are said in the status bar rather than in a dialog, so nothing modal ever
holds up a run, a batch or a test.
"""

from __future__ import annotations

import logging
from pathlib import Path

import qtawesome
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QStackedWidget, QToolBar, QWidget

from enhancer.engine.output_options import OutputOptions
from enhancer.engine.upscaler import TileProgress
from enhancer.eta import EtaClock
from enhancer.imaging.io import ImageError, Photo, read_image
from enhancer.models.catalog import CatalogEntry, catalog, reference_models
from enhancer.paths import APP_NAME
from enhancer.ui.batch_panel import BatchPanel
from enhancer.ui.candidates_dialog import CandidatesDialog
from enhancer.ui.compare_view import CompareView
from enhancer.ui.dropped_files import OPEN_FILTER, dropped_files
from enhancer.ui.jobs import (
    RunRequest,
    RunResult,
    Step,
    difference_from_bicubic,
    reference_matches,
    save_photo,
    upscale_batch,
    upscale_photo,
)
from enhancer.ui.model_panel import ModelPanel
from enhancer.ui.photo_image import DisplayImage, qimage_to_photo
from enhancer.ui.photo_view import PhotoView
from enhancer.ui.reference_panel import ReferencePanel
from enhancer.ui.results_panel import ResultsPanel
from enhancer.ui.save_dialog import SaveDialog
from enhancer.ui.settings import Settings
from enhancer.ui.settings_dialog import SettingsDialog
from enhancer.ui.settings_general import output_options
from enhancer.ui.status_bar import StatusBar
from enhancer.ui.window_actions import WindowActions
from enhancer.ui.worker import TaskCallbacks, TaskRunner

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, *, device_description: str = "", entries: list[CatalogEntry] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo: Photo | None = None
        self.photo_path: Path | None = None
        self.before: DisplayImage | None = None
        self.settings = Settings()
        self.tasks = TaskRunner(self)
        self.settings_dialog: SettingsDialog | None = None
        self._queued_runs: list[RunRequest] = []
        # Differences from bicubic, made when first asked for (results without a truth).
        self._differences: dict[RunResult, DisplayImage] = {}
        self._match_views: dict[RunResult, DisplayImage] = {}
        # How many runs of the comparison under way are still to be shown together (0: none).
        self._compare_count = 0
        self._eta = EtaClock()
        entries = entries if entries is not None else catalog()
        self._reference_models = reference_models(entries)

        self.view = PhotoView(self)
        self.compare = CompareView(self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.compare)
        self.setCentralWidget(self.stack)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_device(device_description)
        self.view.zoom_changed.connect(self.status.set_zoom)
        self.compare.zoom_changed.connect(self.status.set_zoom)

        self.models = ModelPanel(entries, self.settings)
        self.references = ReferencePanel()
        self.results = ResultsPanel()
        self.batch = BatchPanel()
        self.batch.output.setText(self.settings.text("batch_output", ""))
        self.actions = WindowActions(self, {
            "open": self.choose_file, "paste": self.paste, "save": self.choose_save_path,
            "quit": self.close, "run": self.run, "compare_models": self.run_compare,
            "cancel": self.cancel, "zoom_in": lambda: self._zoom("zoom_in"),
            "zoom_out": lambda: self._zoom("zoom_out"), "fit": lambda: self._zoom("fit"),
            "actual_size": lambda: self._zoom("actual_size"), "wipe": self.refresh_view,
            "side_by_side": self.refresh_view, "difference": self.refresh_view,
            "matches": self.refresh_view,
        })
        self._build_docks()
        self._build_menus()
        self._build_toolbar()

        self.models.model_changed.connect(self._on_model_changed)
        self.results.current_changed.connect(self.refresh_view)
        self.results.ticks_changed.connect(self.refresh_view)
        self.batch.start_requested.connect(self.start_batch)
        self.tasks.busy_changed.connect(self._on_busy_changed)
        self.tasks.done.connect(self._start_queued_run)
        self._on_model_changed()

        self.setAcceptDrops(True)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(qtawesome.icon("mdi6.image-auto-adjust", color="#4a90d9"))

    # Opening

    def open_path(self, path: Path) -> bool:
        """Show the photo at `path`; on failure keep the current one and say why. True if shown."""
        try:
            photo = read_image(path)
        except ImageError as error:
            log.warning("cannot open %s", error)
            self.status.show_error(f"Could not open {Path(error.path).name}: {error.reason}")
            return False
        self.open_photo(photo, path)
        self._remember_recent(path)
        return True

    def open_photo(self, photo: Photo, path: Path | None) -> None:
        self.photo, self.photo_path = photo, path
        self.before = DisplayImage.of_photo(photo)
        self.results.clear()
        self._differences.clear()
        self._match_views.clear()
        self.actions.save.setEnabled(False)
        name = path.name if path else "Pasted photo"
        height, width = photo.rgb.shape[:2]
        self.status.set_photo(name, width=width, height=height, bit_depth=photo.bit_depth)
        self.status.show_hint("")
        self.setWindowTitle(f"{name} — {APP_NAME}")
        self.actions.wipe.setChecked(True)
        self.refresh_view()

    def choose_file(self) -> None:
        start = str(self.photo_path.parent) if self.photo_path else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "Open Photo", start, OPEN_FILTER)
        if chosen:
            self.open_path(Path(chosen))

    def paste(self) -> None:
        """Open a pasted picture, or the first file among pasted file names."""
        mime = QGuiApplication.clipboard().mimeData()
        files = dropped_files(mime)
        if files:
            self.open_path(files[0])
        elif mime.hasImage():
            self.open_photo(qimage_to_photo(mime.imageData()), None)
        else:
            self.status.show_error("Nothing to paste: the clipboard holds no picture or file.")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # Running

    def run(self) -> None:
        """Run the highlighted model on the photo."""
        self._queued_runs = [self.models.request()]
        self._start_queued_run()

    def run_compare(self) -> None:
        """Run every ticked model in turn, then show them side by side."""
        runs, lacking = self.models.compare_requests()
        if lacking:
            self.status.show_hint(f"Left out (no ×{self.models.chosen_scale()}): {', '.join(lacking)}")
        if len(runs) < 2:
            self.status.show_error("Tick at least two models with this scale to compare them.")
            return
        self._queued_runs = runs
        self._compare_count = len(runs)
        self._start_queued_run()

    def cancel(self) -> None:
        self._queued_runs = []
        self._compare_count = 0
        self.tasks.cancel()

    def _start_queued_run(self) -> None:
        if not self._queued_runs or self.tasks.busy:
            return
        if self.photo is None:
            self._queued_runs = []
            self.status.show_error("Open a photo first.")
            return
        request = self._queued_runs.pop(0)
        photo, references = self.photo, self.references.paths()
        self._eta = EtaClock()
        self.tasks.start(
            lambda: upscale_photo(photo, request, references=references),
            TaskCallbacks(progress=lambda item: self._show_progress(
                              f"{request.model} ×{request.scale}", item),
                          finished=self._on_run_finished, failed=self._on_run_failed,
                          cancelled=self._on_cancelled))

    def _show_progress(self, prefix: str, item: object) -> None:
        """A run's tiles as a fraction with its ETA; its other stages by name."""
        if isinstance(item, TileProgress):
            fraction = item.done / item.total
            self.status.show_progress(fraction, f"{prefix}: tile {item.done} of {item.total}  "
                                                f"{self._eta.text(fraction)}")
        elif isinstance(item, Step):
            self.status.show_progress(None, item.text)

    def _on_run_finished(self, result: RunResult) -> None:
        self.results.add(result)
        self.actions.save.setEnabled(True)
        self.status.set_device(result.device)
        self.status.show_hint(f"{result.label} on {result.device}")
        if not self._queued_runs and self._compare_count > 1:
            self.results.tick_only(self.results.results[-self._compare_count:])
            self._compare_count = 0
            self.actions.side_by_side.setChecked(True)
        self.refresh_view()

    def open_candidates(self) -> CandidatesDialog | None:
        """Show several samples of a generative model for the photo, to keep one of them."""
        if self.photo is None:
            self.status.show_error("Open a photo first.")
            return None
        models = [(entry.id, scale) for entry in self.models.entries.values()
                  if entry.kind == "generative" for scale in entry.scales]
        if not models:
            self.status.show_error("No generative model (such as pixelrsr) is installed.")
            return None
        dialog = CandidatesDialog(self.photo, models, self.tasks,
                                  device=self.models.device.currentText(), parent=self)
        dialog.kept.connect(self._on_run_finished)
        dialog.show()
        return dialog

    def _on_run_failed(self, message: str) -> None:
        self._queued_runs = []
        self._compare_count = 0
        name = self.photo_path.name if self.photo_path else "the pasted photo"
        self.status.show_error(f"Could not upscale {name}: {message}")

    def _on_cancelled(self) -> None:
        self._queued_runs = []
        self._compare_count = 0
        self.status.show_hint("Cancelled; nothing was written.")

    def _on_busy_changed(self, busy: bool) -> None:
        self.actions.cancel.setEnabled(busy)
        for action in (self.actions.run, self.actions.compare_models):
            action.setEnabled(not busy)
        self.batch.start_button.setEnabled(not busy)
        if not busy:
            self.status.hide_progress()

    # Showing

    def refresh_view(self) -> None:
        """Show what the chosen mode asks for: the wipe, the comparison, the difference or the
        reference matches."""
        result = self.results.current()
        matched = result is not None and bool(result.references)
        self.actions.matches.setEnabled(matched)
        if self.actions.matches.isChecked() and not matched:
            self.actions.wipe.setChecked(True)
        if self.actions.side_by_side.isChecked() and self.results.ticked():
            self.compare.show_results([(r.image, r.caption) for r in self.results.ticked()])
            self.stack.setCurrentWidget(self.compare)
            return
        self.stack.setCurrentWidget(self.view)
        if result is None:
            if self.before is not None:
                self.view.show_image(self.before)
            self.view.set_caption("")
        elif self.actions.difference.isChecked():
            difference = result.difference or self._differences.get(result)
            if difference is None:
                self._make_difference(result)
                return
            against = "the original" if result.psnr is not None else "bicubic"
            self.view.show_image(difference, keep_view=True)
            self.view.set_caption(f"Difference from {against} (×4) · {result.label}")
        elif self.actions.matches.isChecked():
            matches = self._match_views.get(result)
            if matches is None:
                self._make_match_view(result)
                return
            self.view.show_image(matches, keep_view=True)
            self.view.set_caption(f"Texture from the references: yellow matched, blue did not · "
                                  f"{result.label}")
        else:
            self.view.show_image(result.image, result.before or self.before, keep_view=True)
            self.view.set_caption(f"Before  |  {result.caption}")

    def _make_difference(self, result: RunResult) -> None:
        photo = self.photo

        def finished(image: DisplayImage) -> None:
            self._differences[result] = image
            self.refresh_view()

        self.tasks.start(
            lambda: difference_from_bicubic(photo, result),
            TaskCallbacks(progress=lambda item: self.status.show_progress(None, item.text),
                          finished=finished,
                          failed=lambda message: self.status.show_error(
                              f"Could not compare with bicubic: {message}"),
                          cancelled=self._on_cancelled))

    def _make_match_view(self, result: RunResult) -> None:
        photo = self.photo
        self._eta = EtaClock()

        def finished(image: DisplayImage) -> None:
            self._match_views[result] = image
            self.refresh_view()

        self.tasks.start(
            lambda: reference_matches(photo, result),
            TaskCallbacks(progress=lambda item: self._show_progress("Matching the references", item),
                          finished=finished,
                          failed=lambda message: self.status.show_error(
                              f"Could not match the references: {message}"),
                          cancelled=self._on_cancelled))

    def _zoom(self, how: str) -> None:
        target = self.compare if self.stack.currentWidget() is self.compare else self.view
        if how == "zoom_in":
            target.zoom_by(1.25)
        elif how == "zoom_out":
            target.zoom_by(1 / 1.25)
        else:
            getattr(target, how)()

    def _on_model_changed(self) -> None:
        entry = self.models.current()
        self.references.set_model(entry.id, uses_reference=entry.uses_reference,
                                  reference_models=self._reference_models)

    # Saving and batches

    def choose_save_path(self) -> None:
        result = self.results.current()
        if result is None:
            return
        folder = self.photo_path.parent if self.photo_path else Path.home()
        options = output_options(self.settings)
        name = options.file_name(self.photo_path, model=result.request.model,
                                 scale=result.request.scale)
        dialog = SaveDialog(folder / name, options=options, parent=self)
        if dialog.exec():
            self.save_result(dialog.chosen_path(), options=dialog.chosen_options())

    def save_result(self, path: Path, *, options: OutputOptions | None = None) -> None:
        """Write the current result in the background, never over the source photo; with the
        General settings' quality and metadata unless `options` are given."""
        result = self.results.current()
        if result is None:
            return
        protect = [self.photo_path] if self.photo_path else []
        options = options or output_options(self.settings)
        self.tasks.start(
            lambda: save_photo(result.photo, path, options=options, protect=protect),
            TaskCallbacks(progress=lambda item: self.status.show_progress(None, item.text),
                          finished=lambda saved: self.status.show_hint(f"Saved {saved}"),
                          failed=lambda message: self.status.show_error(
                              f"Could not save {path.name}: {message}"),
                          cancelled=self._on_cancelled))

    def start_batch(self) -> None:
        inputs, output = self.batch.inputs(), self.batch.output_folder()
        if not inputs or output is None:
            self.batch.stopped("Add photos or folders and choose an output folder first.")
            return
        self.settings.set("batch_output", str(output))
        request, skip = self.models.request(), self.batch.skip_existing.isChecked()
        options = output_options(self.settings)
        self.batch.started()
        self.tasks.start(
            lambda: upscale_batch(inputs, output, request, skip_existing=skip,
                                  options=options),
            TaskCallbacks(progress=self.batch.show_progress, finished=self.batch.finished,
                          failed=lambda message: self.batch.stopped(f"Stopped: {message}"),
                          cancelled=lambda: self.batch.stopped(
                              "Cancelled; finished files are kept, nothing half written.")))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        self.tasks.wait()
        if self.settings_dialog is not None:
            self.settings_dialog.close()  # a fine-tune stops at a checkpoint
        super().closeEvent(event)

    # Building

    def _remember_recent(self, path: Path) -> None:
        self._fill_recent_menu(self.settings.add_recent_file(path))

    def _fill_recent_menu(self, recent: list[Path]) -> None:
        self.recent_menu.clear()
        for path in recent:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, path=path: self.open_path(path))
        self.recent_menu.setEnabled(bool(recent))

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (one at a time; it stays open beside the window)."""
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.settings, self)
            self.settings_dialog.models_changed.connect(self.reload_models)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        return self.settings_dialog

    def reload_models(self) -> None:
        """Rebuild the model picker after a fine-tune, an import, a rename or a delete."""
        entries = catalog()
        self._reference_models = reference_models(entries)
        old = self.models
        self.models = ModelPanel(entries, self.settings)
        self.models.model_changed.connect(self._on_model_changed)
        self.docks["Model"].setWidget(self.models)
        old.deleteLater()
        self._on_model_changed()

    def _build_docks(self) -> None:
        docks = []
        for title, widget, area in (("Model", self.models, Qt.DockWidgetArea.LeftDockWidgetArea),
                                    ("Results", self.results, Qt.DockWidgetArea.RightDockWidgetArea),
                                    ("References", self.references,
                                     Qt.DockWidgetArea.RightDockWidgetArea),
                                    ("Batch", self.batch, Qt.DockWidgetArea.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}-dock")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self.addDockWidget(area, dock)
            docks.append(dock)
        self.tabifyDockWidget(docks[2], docks[3])
        docks[2].raise_()
        self.docks = {dock.windowTitle(): dock for dock in docks}

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([a.open, a.paste])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._fill_recent_menu(self.settings.recent_files())
        file_menu.addAction(a.save)
        file_menu.addSeparator()
        self.settings_action = file_menu.addAction("Settings…", self.open_settings)
        self.settings_action.setShortcut("Ctrl+,")
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        run_menu = self.menuBar().addMenu("&Run")
        run_menu.addActions([a.run, a.compare_models, a.cancel])
        self.candidates_action = run_menu.addAction("Candidates…", self.open_candidates)
        self.candidates_action.setShortcut("Ctrl+G")
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addActions([a.zoom_in, a.zoom_out, a.fit, a.actual_size])
        view_menu.addSeparator()
        view_menu.addActions([a.wipe, a.side_by_side, a.difference, a.matches])
        view_menu.addSeparator()
        view_menu.addActions([dock.toggleViewAction() for dock in self.docks.values()])

    def _build_toolbar(self) -> None:
        a = self.actions
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(22, 22))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for group in ((a.open, a.save), (a.run, a.compare_models, a.cancel),
                      (a.wipe, a.side_by_side, a.difference, a.matches), (a.fit, a.actual_size)):
            toolbar.addActions(list(group))
            toolbar.addSeparator()
        self.addToolBar(toolbar)
