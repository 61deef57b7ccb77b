"""Timing a fine-tune's training steps: the thread count it picks and the iterations it plans."""

import torch

from enhancer.models.archs.espcn import SPECS
from enhancer.train.finetune_speed import (
    TrainingSpeed,
    measure_speed,
    planned_iterations,
)


def test_the_speed_is_measured_with_severalthread_counts_and_the_setting_is_left_alone():
    network = SPECS[0].network(scale=2, features=[6, 4])
    before = [p.detach().clone() for p in network.parameters()]
    threads = torch.get_num_threads()

    speed = measure_speed(network, channels=1, scale=2, patch_size=12, batch_size=4,
                          device=torch.device("cpu"))

    assert 1 <= speed.threads <= threads and speed.iterations_per_second > 0
    assert speed.patches_per_second == 4 * speed.iterations_per_second
    assert torch.get_num_threads() == threads
    assert all(torch.equal(a, b) for a, b in zip(before, network.parameters()))  # a copy trained


def test_a_time_budget_holds_the_measured_speed_less_a_margin():
    speed = TrainingSpeed(threads=1, iterations_per_second=50.0, batch_size=16)
    assert planned_iterations(speed, 4.0) == 10_200  # 50 it/s * 240 s * 0.85
    assert planned_iterations(TrainingSpeed(1, 1e-6, 16), 1.0) == 1



def test_the_timed_steps_are_those_of_the_objective_the_run_will_minimise():
    class CountingObjective:
        fingerprint = ""
        started = steps = 0

        def start(self, network, device):
            self.started += 1

        def step(self, network, optimizer, batch, recipe, lr, *, fast):
            assert batch.lr.shape == (4, 3, 6, 6) and batch.hr.shape == (4, 3, 12, 12)
            self.steps += 1

    counting = CountingObjective()
    network = SPECS[0].network(scale=2, features=[6, 4], channels=3)
    measure_speed(network, channels=3, scale=2, patch_size=12, batch_size=4,
                  device=torch.device("cpu"), objective=(counting, None))
    assert counting.started == 1 and counting.steps > 0
