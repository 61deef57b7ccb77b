import torch
from torch import nn

from enhancer.train.ema import WeightAverage


def test_the_average_follows_the_weights_at_the_decay_rate():
    network = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    average = WeightAverage(network, decay=0.9)
    before = network[0].weight.detach().clone()
    with torch.no_grad():
        network[0].weight.add_(1.0)
    network[1].num_batches_tracked.fill_(7)
    average.update(network)
    decay = 2 / 11  # the warm-up decay after one update, below 0.9
    expected = decay * before + (1 - decay) * network[0].weight.detach()
    assert torch.allclose(average.network[0].weight, expected)
    assert average.network[1].num_batches_tracked.item() == 7
    for _ in range(200):
        average.update(network)
    assert torch.allclose(average.network[0].weight, network[0].weight, atol=1e-6)


def test_the_average_is_separate_and_round_trips():
    network = nn.Linear(2, 2)
    average = WeightAverage(network, decay=0.99)
    assert average.network.weight is not network.weight
    assert not average.network.weight.requires_grad
    average.update(network)
    restored = WeightAverage(nn.Linear(2, 2), decay=0.99)
    restored.load_state_dict(average.state_dict())
    assert restored.updates == 1
    assert torch.equal(restored.network.weight, average.network.weight)
