import logging
from dataclasses import replace

import pytest
import torch

from enhancer.engine.precision import choose_dtype
from tests.engine.nets import CONV

CPU = torch.device("cpu")
CUDA = torch.device("cuda", 0)
UNSAFE = replace(CONV, half_precision=False)


def test_auto_is_fp32_on_the_cpu():
    assert choose_dtype(CPU, CONV) == torch.float32


def test_auto_is_fp16_on_a_gpu_for_half_safe_models():
    assert choose_dtype(CUDA, CONV) == torch.float16
    assert choose_dtype(torch.device("mps"), CONV) == torch.float16
    assert choose_dtype(CUDA, UNSAFE) == torch.float32


def test_fp16_on_the_cpu_falls_back_to_fp32_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        assert choose_dtype(CPU, CONV, "fp16") == torch.float32
    assert "fp16" in caplog.text


def test_bf16_is_honoured_on_the_cpu():
    assert choose_dtype(CPU, CONV, "bf16") == torch.bfloat16


def test_explicit_half_on_an_unsafe_model_is_honoured_with_a_warning(caplog, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    with caplog.at_level(logging.WARNING):
        assert choose_dtype(CUDA, UNSAFE, "fp16") == torch.float16
        assert choose_dtype(CUDA, UNSAFE, "bf16") == torch.bfloat16
    assert caplog.text.count("not declared safe") == 2


def test_bf16_on_a_gpu_without_it_falls_back_to_fp32(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device: "Old GPU")
    assert choose_dtype(CUDA, CONV, "bf16") == torch.float32


def test_fp32_is_always_honoured():
    assert choose_dtype(CUDA, CONV, "fp32") == torch.float32


def test_an_unknown_precision_lists_the_choices():
    with pytest.raises(ValueError, match="auto, fp32, fp16, bf16"):
        choose_dtype(CPU, CONV, "int8")
