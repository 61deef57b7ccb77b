"""The worker turns a generator's yields into signals, its return into `finished`, and cancels
between pulls with the generator closed."""

import threading

from enhancer.ui.worker import TaskCallbacks, TaskRunner, describe_error


class Recorder:
    def __init__(self):
        self.progress, self.finished, self.failed, self.cancelled = [], [], [], []

    def callbacks(self) -> TaskCallbacks:
        return TaskCallbacks(progress=self.progress.append, finished=self.finished.append,
                             failed=self.failed.append,
                             cancelled=lambda: self.cancelled.append(True))


def test_yields_become_progress_and_the_return_value_finishes(qtbot):
    runner, seen = TaskRunner(), Recorder()

    def count():
        for i in range(3):
            yield i
        return "done"

    with qtbot.waitSignal(runner.done, timeout=5000):
        assert runner.start(count, seen.callbacks())
    assert seen.progress == [0, 1, 2]
    assert seen.finished == ["done"]
    assert not runner.busy


def test_cancel_stops_between_pulls_and_closes_the_generator(qtbot):
    runner, seen = TaskRunner(), Recorder()
    pulled, release, closed = threading.Event(), threading.Event(), []

    def endless():
        try:
            while True:
                pulled.set()
                release.wait(timeout=5)
                yield "tile"
        finally:
            closed.append(True)

    with qtbot.waitSignal(runner.done, timeout=5000):
        runner.start(endless, seen.callbacks())
        assert pulled.wait(timeout=5)
        runner.cancel()
        release.set()
    assert seen.cancelled == [True]
    assert closed == [True]
    assert seen.finished == [] and len(seen.progress) <= 1


def test_a_failure_is_a_message_and_a_second_task_waits_its_turn(qtbot):
    runner, seen = TaskRunner(), Recorder()

    def broken():
        yield "starting"
        raise ValueError("photo.png: truncated file")

    with qtbot.waitSignal(runner.done, timeout=5000):
        runner.start(broken, seen.callbacks())
        assert not runner.start(broken, Recorder().callbacks())
    assert seen.failed == ["photo.png: truncated file"]


def test_errors_without_a_message_name_their_type():
    assert describe_error(KeyError()) == "KeyError"
    assert describe_error(ZeroDivisionError("division by zero")) == "ZeroDivisionError: division by zero"
    assert describe_error(OSError("disk full")) == "disk full"
