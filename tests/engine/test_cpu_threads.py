"""The CPU thread count for inference: torch's own on an idle machine, else the fastest measured."""

import pytest
import torch

from enhancer.engine import cpu_threads
from enhancer.engine.cpu_threads import (
    cpu_is_busy,
    inference_threads,
    speeds_by_thread_count,
    thread_counts,
    use_inference_threads,
)


class FakeTiming:
    """Speeds by thread count, as a timing would find them; remembers what it was asked."""

    def __init__(self, speeds):
        self.speeds = speeds
        self.asked = []

    def __call__(self, counts):
        self.asked.append(list(counts))
        return {count: self.speeds[count] for count in counts}


def test_the_thread_counts_tried_are_one_the_powers_of_two_and_all():
    assert thread_counts(1) == [1]
    assert thread_counts(2) == [1, 2]
    assert thread_counts(12) == [1, 2, 4, 8, 12]


def test_a_machine_is_busy_when_other_programs_take_the_cores_torch_would_use():
    assert not cpu_is_busy(0.2, cores=2, threads=2)
    assert cpu_is_busy(1.1, cores=2, threads=2)
    assert not cpu_is_busy(3.0, cores=16, threads=8)  # eight cores left for eight threads
    assert cpu_is_busy(9.0, cores=16, threads=8)


def test_an_idle_machine_keeps_torchs_count_untimed():
    timing = FakeTiming({1: 100.0, 2: 1.0})
    assert inference_threads(2, load=0.1, cores=2, measure=timing) == 2
    assert timing.asked == []


def test_a_busy_machine_takes_the_fastest_count_measured():
    timing = FakeTiming({1: 600.0, 2: 20.0, 4: 700.0, 8: 300.0})
    assert inference_threads(2, load=1.5, cores=2, measure=timing) == 1
    assert inference_threads(8, load=12.0, cores=8, measure=timing) == 4
    assert timing.asked == [[1, 2], [1, 2, 4, 8]]


def test_a_busy_machine_keeps_several_threads_when_they_are_faster():
    assert inference_threads(2, load=1.5, cores=2, measure=FakeTiming({1: 300.0, 2: 500.0})) == 2


def test_an_unknown_load_is_measured_and_one_thread_never_is():
    timing = FakeTiming({1: 600.0, 2: 20.0})
    assert inference_threads(2, load=None, cores=2, measure=timing) == 1
    assert inference_threads(1, load=None, cores=2, measure=timing) == 1
    assert timing.asked == [[1, 2]]


def test_speeds_are_measured_with_each_count_and_the_setting_is_left_alone():
    found = torch.get_num_threads()
    seen = []
    speeds = speeds_by_thread_count(lambda: seen.append(torch.get_num_threads()), [1, 2],
                                    seconds=0.01)
    assert set(speeds) == {1, 2} and all(speed > 0 for speed in speeds.values())
    assert set(seen) == {1, 2}
    assert torch.get_num_threads() == found


@pytest.fixture
def fresh_decision(monkeypatch):
    """A process that has not decided yet, whose torch's default is two threads, on a busy CPU."""
    threads = torch.get_num_threads()
    cpu_threads._decided_threads.cache_clear()
    torch.set_num_threads(2)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(cpu_threads, "_load_average", lambda: 1.8)
    timing = FakeTiming({1: 600.0, 2: 20.0})
    monkeypatch.setattr(cpu_threads, "_time_convolution", timing)
    yield timing
    cpu_threads._decided_threads.cache_clear()
    torch.set_num_threads(threads)


def test_the_count_is_decided_once_per_process_and_set_for_the_cpu(fresh_decision):
    use_inference_threads(torch.device("cpu"))
    assert torch.get_num_threads() == 1
    torch.set_num_threads(2)
    use_inference_threads(torch.device("cpu"))
    assert torch.get_num_threads() == 1
    assert fresh_decision.asked == [[1, 2]]


def test_other_devices_and_a_users_omp_num_threads_leave_the_count_alone(fresh_decision, monkeypatch):
    use_inference_threads(torch.device("meta"))
    assert torch.get_num_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    use_inference_threads(torch.device("cpu"))
    assert torch.get_num_threads() == 2
    assert fresh_decision.asked == []
