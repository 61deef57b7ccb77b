import pytest
import torch
from torch import nn

from enhancer.train.optimization import clip_gradients, learning_rate, make_optimizer
from enhancer.train.recipe import OptimizerConfig, ScheduleConfig


def layer_with_gradient(values):
    layer = nn.Linear(len(values), 1, bias=False)
    layer.weight.grad = torch.tensor([values])
    return layer


def test_adjustable_clipping_bounds_each_step_by_theta():
    layer = layer_with_gradient([50.0, -0.5, -300.0])
    config = OptimizerConfig(name="sgd", lr=0.1, clip="adjustable", clip_value=4.0)
    clip_gradients(layer.parameters(), config, lr=0.1)
    assert layer.weight.grad.tolist() == [[40.0, -0.5, -40.0]]  # theta / lr = 40
    layer = layer_with_gradient([50.0, -0.5, -300.0])
    clip_gradients(layer.parameters(), config, lr=0.01)  # a lower lr allows larger gradients
    assert layer.weight.grad.tolist() == [[50.0, -0.5, -300.0]]


def test_norm_clipping_scales_the_whole_gradient():
    layer = layer_with_gradient([3.0, 4.0])
    clip_gradients(layer.parameters(), OptimizerConfig(clip="norm", clip_value=1.0), lr=1e-3)
    assert layer.weight.grad[0].tolist() == pytest.approx([0.6, 0.8], rel=1e-5)
    layer = layer_with_gradient([3.0, 4.0])
    clip_gradients(layer.parameters(), OptimizerConfig(), lr=1e-3)
    assert layer.weight.grad[0].tolist() == [3.0, 4.0]


def test_schedules():
    cosine = ScheduleConfig(name="cosine", iterations=101, warmup=10, min_lr=0.1)
    assert learning_rate(cosine, 1.0, 0) == pytest.approx(0.1)
    assert learning_rate(cosine, 1.0, 9) == pytest.approx(1.0)
    assert learning_rate(cosine, 1.0, 10) == pytest.approx(1.0)
    assert learning_rate(cosine, 1.0, 100) == pytest.approx(0.1)
    middle = learning_rate(cosine, 1.0, 55)
    assert middle == pytest.approx(0.55)
    step = ScheduleConfig(name="step", iterations=100, milestones=(20, 50), gamma=0.1)
    assert [learning_rate(step, 1.0, i) for i in (19, 20, 49, 50)] == pytest.approx(
        [1.0, 0.1, 0.1, 0.01])
    assert learning_rate(ScheduleConfig(name="constant"), 0.5, 9999) == 0.5


def test_the_optimiser_the_recipe_names():
    parameters = list(nn.Linear(2, 2).parameters())
    adam = make_optimizer(OptimizerConfig(name="adam", lr=0.01, betas=(0.8, 0.9)), parameters)
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.8, 0.9)
    sgd = make_optimizer(OptimizerConfig(name="sgd", lr=0.1, momentum=0.5), parameters)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.5
