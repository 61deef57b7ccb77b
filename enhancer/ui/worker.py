"""The one bridge between the core's generators and the window: a generator pulled in a QThread.

The core does long work as plain generators (DESIGN.md §2). `GeneratorWorker` pulls one in a
background thread and turns its yields into `progress` signals and its return value into
`finished`; cancelling sets a flag that is checked between pulls, then closes the generator, so a
run stops after the tile in hand and its `finally` blocks clean up. `TaskRunner` owns the thread
and hands each signal to the callbacks of the task that started it, on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal, Slot

from enhancer.engine.heap import release_freed_memory

log = logging.getLogger(__name__)

StartGenerator = Callable[[], Generator[object, None, object]]


class GeneratorWorker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, start: StartGenerator) -> None:
        super().__init__()
        self._start = start
        self._cancel_requested = False

    def cancel(self) -> None:
        """Ask the run to stop; called from the GUI thread, read between pulls."""
        self._cancel_requested = True

    @Slot()
    def run(self) -> None:
        generator = None
        try:
            # Built here, not in the GUI thread: building may load weights or walk folders.
            generator = self._start()
            while not self._cancel_requested:
                try:
                    item = next(generator)
                except StopIteration as done:
                    self.finished.emit(done.value)
                    return
                self.progress.emit(item)
            self.cancelled.emit()
        except Exception as error:  # any failure must reach the user, not end the thread silently
            log.exception("background task failed")
            self.failed.emit(describe_error(error))
        finally:
            if generator is not None:
                generator.close()
            release_freed_memory()


def describe_error(error: BaseException) -> str:
    """A sentence for the user: the message alone when it names its subject, else with its type."""
    message = str(error)
    if isinstance(error, (OSError, ValueError, LookupError, RuntimeError)) and message:
        return message
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@dataclass(frozen=True)
class TaskCallbacks:
    progress: Callable[[object], None]
    finished: Callable[[object], None]
    failed: Callable[[str], None]
    cancelled: Callable[[], None]


class TaskRunner(QObject):
    """Runs one background task at a time and reports to that task's callbacks."""

    busy_changed = Signal(bool)
    done = Signal()
    """The task's thread has ended, after its last callback ran."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: GeneratorWorker | None = None
        self._callbacks: TaskCallbacks | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, start: StartGenerator, callbacks: TaskCallbacks) -> bool:
        """Start a task unless one is running; True if started."""
        if self.busy:
            return False
        self._callbacks = callbacks
        self._thread = QThread()
        self._worker = GeneratorWorker(start)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait(self) -> None:
        """Block until the running task's thread ends (on quitting the app)."""
        if self._thread is not None:
            self._thread.wait()

    @Slot(object)
    def _on_progress(self, item: object) -> None:
        if self._callbacks is not None:
            self._callbacks.progress(item)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        callbacks = self._end()
        if callbacks is not None:
            callbacks.finished(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        callbacks = self._end()
        if callbacks is not None:
            callbacks.failed(message)

    @Slot()
    def _on_cancelled(self) -> None:
        callbacks = self._end()
        if callbacks is not None:
            callbacks.cancelled()

    def _end(self) -> TaskCallbacks | None:
        """Let the thread stop; the callbacks of the task, which no later signal will reach."""
        callbacks, self._callbacks = self._callbacks, None
        if self._thread is not None:
            self._thread.quit()
        return callbacks

    @Slot()
    def _on_thread_finished(self) -> None:
        self._thread.wait()
        self._worker.deleteLater()
        self._thread.deleteLater()
        self._thread = self._worker = None
        self.busy_changed.emit(False)
        self.done.emit()
