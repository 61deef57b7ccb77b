import platform
import resource

import torch
from torch.nn import functional as F

from enhancer.engine.heap import keep_freed_memory, release_freed_memory


def _page_faults_of_a_convolution() -> int:
    """Minor page faults of one convolution with a 64 MB output (above glibc's 32 MB mmap limit)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    F.conv2d(torch.ones(1, 1, 1024, 1024), torch.ones(16, 1, 3, 3), padding=1).relu_()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_a_repeated_large_computation_reuses_the_memory_it_freed():
    kept = keep_freed_memory()
    assert kept == (platform.libc_ver()[0] == "glibc")
    faults = [_page_faults_of_a_convolution() for _ in range(4)]
    output_pages = (64 << 20) // resource.getpagesize()
    if kept:  # unkept, every run maps its output afresh: a fault per page, each time
        assert faults[-1] < output_pages // 20, faults
    release_freed_memory()
