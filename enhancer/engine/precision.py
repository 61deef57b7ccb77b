"""Which floating-point type a model computes in.

"auto" is fp16 on a GPU for architectures that declare `half_precision`, and fp32 everywhere else.
fp16 rather than bf16: both run at the same tensor-core speed, but fp16 keeps 11 significant bits
(steps of 1/2048 near 1.0) where bf16 keeps 8 (1/256), as coarse as the 8-bit output itself, so
bf16 would move pixels by a level routinely. fp16's weakness is range (it overflows past 65504),
and `half_precision` is the architecture's word that its activations stay inside it.

An explicit choice is honoured where it can help: bf16 on the CPU (recent x86 CPUs have bf16
kernels). fp16 on the CPU has no fast kernels and only makes inference slower, so it falls back to
fp32 with a warning rather than an error, so that one script can pass `--precision fp16` to every
machine.
"""

from __future__ import annotations

import logging

import torch

from enhancer.models.spec import ArchSpec

log = logging.getLogger(__name__)

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
PREFERENCES = ("auto", *DTYPES)


def choose_dtype(device: torch.device, spec: ArchSpec, preference: str = "auto") -> torch.dtype:
    if preference == "auto":
        on_gpu = device.type in ("cuda", "mps")
        return torch.float16 if on_gpu and spec.half_precision else torch.float32
    if preference not in DTYPES:
        choices = ", ".join(PREFERENCES)
        raise ValueError(f"unknown precision {preference!r}; choose one of {choices}")
    dtype = DTYPES[preference]
    if dtype == torch.float32:
        return dtype
    if device.type == "cpu" and dtype == torch.float16:
        log.warning("fp16 has no fast CPU kernels; computing in fp32 instead")
        return torch.float32
    if device.type == "cuda" and dtype == torch.bfloat16 and not torch.cuda.is_bf16_supported():
        name = torch.cuda.get_device_name(device)
        log.warning("%s does not support bf16; computing in fp32 instead", name)
        return torch.float32
    if not spec.half_precision:
        log.warning(
            "%s is not declared safe in %s: results may differ from fp32 by more than 1/255",
            spec.name,
            preference,
        )
    return dtype
