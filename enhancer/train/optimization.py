"""Optimisers, learning-rate schedules and gradient clipping, as recipes name them.

The learning rate is a pure function of the iteration, so a resumed run continues the schedule
where it stopped with nothing to restore but the iteration number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from enhancer.train.recipe import OptimizerConfig, ScheduleConfig


def make_optimizer(config: OptimizerConfig, parameters: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    parameters = list(parameters)
    if config.name == "adam":
        return torch.optim.Adam(parameters, lr=config.lr, betas=config.betas,
                                weight_decay=config.weight_decay)
    return torch.optim.SGD(parameters, lr=config.lr, momentum=config.momentum,
                           weight_decay=config.weight_decay)


def learning_rate(schedule: ScheduleConfig, base_lr: float, iteration: int) -> float:
    """The lr of (0-based) `iteration`: warm-up, then constant, step-decayed or cosine-annealed."""
    if iteration < schedule.warmup:
        return base_lr * (iteration + 1) / schedule.warmup
    if schedule.name == "constant":
        return base_lr
    if schedule.name == "step":
        return base_lr * schedule.gamma ** sum(iteration >= m for m in schedule.milestones)
    span = max(schedule.iterations - schedule.warmup - 1, 1)
    progress = min((iteration - schedule.warmup) / span, 1.0)
    return schedule.min_lr + (base_lr - schedule.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def clip_gradients(parameters: Iterable[nn.Parameter], config: OptimizerConfig, lr: float) -> None:
    """Clip in place as the recipe says.

    "adjustable" is VDSR's: each gradient value is clipped to [-theta / lr, theta / lr], so the
    step lr * gradient is bounded by theta whatever the learning rate, which lets VDSR train with
    a learning rate 10^4 times SRCNN's without exploding.
    """
    if config.clip == "none":
        return
    parameters = [p for p in parameters if p.grad is not None]
    if config.clip == "norm":
        nn.utils.clip_grad_norm_(parameters, config.clip_value)
    else:
        nn.utils.clip_grad_value_(parameters, config.clip_value / lr)
