"""Time left, from the share of the work done so far."""

from __future__ import annotations

import time

# Below this share done, an estimate swings too much to be worth showing.
MIN_FRACTION = 0.02


class EtaClock:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def text(self, fraction: float) -> str:
        """"ETA 1:05", or "" while too little is done to tell."""
        if fraction < MIN_FRACTION:
            return ""
        elapsed = time.monotonic() - self.started
        return f"ETA {clock(elapsed * (1 - fraction) / fraction)}"


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
