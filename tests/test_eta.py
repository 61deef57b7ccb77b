import pytest

from enhancer import eta
from enhancer.eta import EtaClock, clock


@pytest.fixture
def now(monkeypatch):
    current = [1000.0]
    monkeypatch.setattr(eta.time, "monotonic", lambda: current[0])
    return current


def test_the_estimate_follows_the_pace_after_the_set_up_not_since_the_start(now):
    timer = EtaClock()
    now[0] += 100  # a long set-up before the first tile
    assert timer.seconds_left(0.001) is None
    now[0] += 5
    assert timer.seconds_left(0.011) is None  # too little done since to tell
    now[0] += 5
    assert timer.seconds_left(0.101) == pytest.approx(10 * 0.899 / 0.1)
    assert timer.text(1.0) == "ETA 0:00"


def test_work_that_starts_over_is_timed_afresh(now):
    timer = EtaClock()
    timer.seconds_left(0.0)
    now[0] += 50
    assert timer.seconds_left(0.5) == pytest.approx(50)
    now[0] += 1
    assert timer.seconds_left(0.0) is None  # retried with smaller tiles, from zero
    now[0] += 10
    assert timer.text(0.25) == "ETA 0:30"


def test_clock_reads_like_a_clock():
    assert (clock(None), clock(65), clock(3723.4)) == ("--:--", "1:05", "1:02:03")
