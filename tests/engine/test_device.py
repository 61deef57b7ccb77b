import pytest
import torch

from enhancer.engine.device import DeviceError, choose_device, describe_device


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture
def one_cuda_gpu(monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)


def test_auto_falls_back_to_the_cpu(no_gpu):
    assert choose_device("auto") == torch.device("cpu")


def test_auto_prefers_cuda(one_cuda_gpu):
    assert choose_device() == torch.device("cuda", 0)


def test_auto_takes_mps_without_cuda(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert choose_device("auto") == torch.device("mps")


@pytest.mark.parametrize("preference", ["cuda", "cuda:0", "mps"])
def test_an_unavailable_choice_is_an_error(no_gpu, preference):
    with pytest.raises(DeviceError, match=preference):
        choose_device(preference)


def test_a_missing_gpu_index_names_the_ones_there_are(one_cuda_gpu):
    assert choose_device("CUDA:0") == torch.device("cuda", 0)
    with pytest.raises(DeviceError, match="cuda:0$"):
        choose_device("cuda:3")


def test_an_unknown_device_lists_the_choices():
    with pytest.raises(DeviceError, match="auto, cpu, cuda"):
        choose_device("tpu")


def test_the_cpu_is_described_with_its_threads():
    assert describe_device(torch.device("cpu")) == f"CPU ({torch.get_num_threads()} threads)"
