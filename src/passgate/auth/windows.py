"""In-process moving-window counters, for a single instance without Redis.

Why not ``limits``' ``MemoryStorage``: it rescans every key it holds after each hit (and
for moving windows hands each key to a thread to bisect), so its cost per request grows
with the number of login IDs seen: profiling put it at ~30 % of the server's CPU on OTP
verify with a few thousand users (docs/performance.md). Here a hit touches only its own
key; expired keys are swept at most once a minute, in one pass.

Semantics match ``limits``' moving window: a hit is allowed when fewer than ``amount``
hits were allowed in the last ``seconds``; a refused hit is not counted.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_SWEEP_EVERY_S = 60.0


class MovingWindows:
    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._hits: dict[tuple[str, ...], tuple[float, deque[float]]] = {}  # key -> (window s, times)
        self._next_sweep = now() + _SWEEP_EVERY_S

    def hit(self, key: tuple[str, ...], amount: int, seconds: float) -> float:
        """Count a hit under ``key`` (at most ``amount`` per ``seconds``).

        Returns 0 if allowed, else the seconds until the oldest counted hit leaves the window.
        """
        now = self._now()
        if now >= self._next_sweep:
            self._sweep(now)
        entry = self._hits.get(key)
        if entry is None:
            entry = self._hits[key] = (seconds, deque())
        times = entry[1]
        horizon = now - seconds
        while times and times[0] <= horizon:
            times.popleft()
        if len(times) >= amount:
            return times[0] - horizon
        times.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Drop keys whose newest hit has left its window (they count nothing any more)."""
        self._next_sweep = now + _SWEEP_EVERY_S
        stale = [key for key, (seconds, times) in self._hits.items() if not times or times[-1] <= now - seconds]
        for key in stale:
            del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)
