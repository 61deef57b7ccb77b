import pytest
import torch

from enhancer.features.efficientnet_lite import SamePaddedConv
from enhancer.features.extractor import FeatureExtractor
from enhancer.features.vgg import VGGFeatures


def torchvision_vgg_file(path, depth):
    """Random VGG weights saved under torchvision's keys (features.N, classifier.N)."""
    torch.manual_seed(depth)
    state = {f"features.{k}": v for k, v in VGGFeatures(depth=depth).features.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(4, 4)  # ignored: the extractor reads features only
    torch.save(state, path)
    return state


@pytest.mark.parametrize("size", [7, 8, 33])
def test_same_padding_gives_the_ceiling_of_size_over_stride(size):
    conv = SamePaddedConv(1, 1, 3, stride=2, bias=False)
    assert conv(torch.zeros(1, 1, size, size + 1)).shape[-2:] == ((size + 1) // 2, (size + 2) // 2)


def test_efficientnet_layers_have_their_channels_and_strides():
    extractor = FeatureExtractor(layers=("stage1", "stage2", "stage3", "stage4"))
    features = extractor(torch.rand(2, 3, 64, 48))
    assert [f.shape for f in features] == [(2, 16, 32, 24), (2, 24, 16, 12), (2, 40, 8, 6),
                                           (2, 80, 4, 3)]
    # ImageNet weights, not a random initialisation: the stem's batch statistics were learned.
    assert extractor.backbone._bn0.running_var.std() > 0.1


def test_the_extractor_is_frozen_but_passes_gradients_to_the_image():
    extractor = FeatureExtractor(layers=("stage2",))
    extractor.train()
    assert not extractor.training and not extractor.backbone._bn0.training
    assert not any(p.requires_grad for p in extractor.parameters())
    image = torch.rand(1, 3, 32, 32, requires_grad=True)
    extractor(image)[0].square().mean().backward()
    assert image.grad is not None and image.grad.abs().sum() > 0


def test_an_unknown_layer_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="stage2"):
        FeatureExtractor(layers=("relu2_2",))


@pytest.mark.parametrize(("depth", "last_conv"), [(16, 28), (19, 34)])
def test_torchvision_vgg_weights_load_with_their_numbering(tmp_path, depth, last_conv):
    state = torchvision_vgg_file(tmp_path / "vgg.pth", depth)
    assert f"features.{last_conv}.weight" in state  # torchvision's numbering of the last conv
    extractor = FeatureExtractor(network=tmp_path / "vgg.pth", layers=("relu2_2", "relu1_1"))
    relu2_2, relu1_1 = extractor(torch.rand(1, 3, 32, 32))
    assert relu2_2.shape == (1, 128, 16, 16) and relu1_1.shape == (1, 64, 32, 32)
    assert torch.equal(extractor.backbone.features[7].weight, state["features.7.weight"])
    assert (relu1_1 >= 0).all()  # after the ReLU


def test_a_file_that_is_not_vgg_is_refused(tmp_path):
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not a torchvision"):
        FeatureExtractor(network=tmp_path / "other.pth", layers=("relu1_1",))
