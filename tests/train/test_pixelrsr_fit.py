import pytest
import torch

from enhancer.data.thumbnails import Thumbnails
from enhancer.models.archs.pixelrsr import PixelRSR, PixelRSRRegressor
from enhancer.train.pixelrsr_fit import PixelRSRFitConfig, fit_pixelrsr
from tests.torch_threads import one_thread  # noqa: F401 (autouse fixture)

NETWORK = {"features": 8, "blocks": 1, "prior_features": 8, "prior_layers": 2, "hidden": 4}


def tiny_views():
    generator = torch.Generator().manual_seed(0)
    return Thumbnails(high=torch.randint(0, 256, (6, 3, 8, 8), dtype=torch.uint8, generator=generator),
                      low=torch.randint(0, 256, (6, 3, 2, 2), dtype=torch.uint8, generator=generator))


@pytest.mark.parametrize("objective, kind, prior", [("pixelrsr", PixelRSR, True),
                                                    ("conditioning", PixelRSR, False),
                                                    ("l2", PixelRSRRegressor, None)])
def test_each_objective_trains_its_network(objective, kind, prior):
    network = NETWORK if objective != "l2" else {"features": 8, "blocks": 1}
    config = PixelRSRFitConfig(objective=objective, network=network, iterations=12, batch_size=4,
                               lr=1e-2, warmup=1)
    progress = []
    training = fit_pixelrsr(config, (), device=torch.device("cpu"), views=tiny_views())
    while True:
        try:
            progress.append(next(training))
        except StopIteration as done:
            trained, iterations = done.value
            break
    assert isinstance(trained, kind) and not trained.training and iterations == 12
    if prior is not None:
        assert (trained.prior is not None) == prior
    losses = [p.loss for p in progress]
    assert sum(losses[-3:]) < sum(losses[:3])  # it learns (random views: memorising them)


def test_unknown_recipe_keys_are_refused():
    with pytest.raises(ValueError, match="unknown pixelrsr recipe keys: iteratons"):
        PixelRSRFitConfig.from_table({"name": "x", "iteratons": 5})
    with pytest.raises(ValueError, match="objective"):
        PixelRSRFitConfig.from_table({"objective": "gan"})
