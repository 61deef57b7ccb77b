"""Driving the core's long-running generators when nobody watches their progress."""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

Result = TypeVar("Result")


def run_to_end(generator: Generator[object, None, Result]) -> Result:
    """Pull every progress report from `generator` and return its return value."""
    while True:
        try:
            next(generator)
        except StopIteration as finished:
            return finished.value
