"""Where the shipped files and the user's files live.

Shipped files (`models/`, `resources/`) sit beside the package in a source checkout and inside
the bundle of a PyInstaller build. The user's files (fine-tuned and imported models, checkpoints)
live in the platform's user data folder, or under `$ENHANCER_HOME` when that is set (tests, portable
installs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Enhancer"


def install_root() -> Path:
    """The folder that holds `models/` and `resources/`."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def shipped_models_dir() -> Path:
    return install_root() / "models"


def resources_dir() -> Path:
    return install_root() / "resources"


def sample_photo() -> Path:
    return resources_dir() / "sample.png"


def user_data_dir() -> Path:
    override = os.environ.get("ENHANCER_HOME")
    if override:
        return Path(override)
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def user_models_dir() -> Path:
    return user_data_dir() / "models"
