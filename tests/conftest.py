"""Every test runs offscreen, on the CPU, with a private user data folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture(autouse=True)
def user_home(tmp_path, monkeypatch):
    """A fresh user data folder, so user models of one test never reach another."""
    home = tmp_path / "enhancer-home"
    monkeypatch.setenv("ENHANCER_HOME", str(home))
    return home
