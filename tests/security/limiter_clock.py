"""The rate limiter's clock, moved by hand: minutes of traffic in seconds of test.

The `limits` library reads `time.time()` in its moving-window strategy and in both storages
(in-process and Redis: the Redis scripts are given the client's timestamps). Only those modules
see the moved clock; tokens, signed links and the app's own timestamps keep the real time.
"""

import time
from types import ModuleType
from typing import Any

import limits.aio.storage.memory
import limits.aio.storage.redis.redispy
import limits.aio.strategies
import pytest

LIMITER_MODULES: tuple[ModuleType, ...] = (
    limits.aio.strategies,
    limits.aio.storage.memory,
    limits.aio.storage.redis.redispy,
)


class LimiterClock:
    """Starts at the real time; `advance_to(seconds)` moves it to that many seconds after."""

    def __init__(self) -> None:
        self.start = time.time()
        self.elapsed = 0.0

    def time(self) -> float:
        return self.start + self.elapsed

    def advance_to(self, seconds: float) -> None:
        assert seconds >= self.elapsed, "the clock never goes back"
        self.elapsed = seconds


class _TimeModule:
    """`time` as the limiter modules see it: the moved clock, everything else real."""

    def __init__(self, clock: LimiterClock) -> None:
        self._clock = clock

    def time(self) -> float:
        return self._clock.time()

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def install_limiter_clock(monkeypatch: pytest.MonkeyPatch) -> LimiterClock:
    """The limiter's clock for the rest of the test (monkeypatch undoes it)."""
    clock = LimiterClock()
    for module in LIMITER_MODULES:
        monkeypatch.setattr(module, "time", _TimeModule(clock))
    return clock
