"""A fixture for tests that run many tiny torch operations: extra intra-op threads only add
synchronisation, and on a busy machine two threads made such tests tens of times slower.
Import it into a test module (`from tests.torch_threads import one_thread`) to apply it there."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
