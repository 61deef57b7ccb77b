"""Time left on long work, from its pace since the first progress report.

The first report comes after the work's set-up (loading a model, preparing reference photos: over a
minute for a 12 MP reference), which says nothing about the pace of the rest. Extrapolated from the
start, a two-hour upscale showed "ETA 24:12:43" after its first tile and 6 hours after its fifth.
"""

from __future__ import annotations

import time

# Below this share done since the first report, an estimate swings too much to be worth showing.
MIN_FRACTION = 0.02


class EtaClock:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self._first: tuple[float, float] | None = None  # (time, fraction) of the first report
        self._last = 0.0

    def seconds_left(self, fraction: float) -> float | None:
        """Seconds until `fraction` reaches 1 at the pace since the first report; None while too
        little is done to tell."""
        now = time.monotonic()
        if self._first is None or fraction < self._last:  # the first report, or work restarted
            self._first = (now, fraction)
        self._last = fraction
        first_time, first_fraction = self._first
        done = fraction - first_fraction
        if done < MIN_FRACTION or fraction >= 1:
            return 0.0 if fraction >= 1 else None
        return (now - first_time) * (1 - fraction) / done

    def text(self, fraction: float) -> str:
        """"ETA 1:05", or "" while too little is done to tell."""
        left = self.seconds_left(fraction)
        return "" if left is None else f"ETA {clock(left)}"


def clock(seconds: float | None) -> str:
    """"1:05", "1:02:03"; "--:--" for an unknown time."""
    if seconds is None:
        return "--:--"
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
