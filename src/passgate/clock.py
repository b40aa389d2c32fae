"""Time as a value passed in, so tests can move it.

Everything in passgate reads time through a ``Clock``; ruff bans ``time.time()`` and
``datetime.now()`` elsewhere.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in unix seconds (float)."""

    def now(self) -> float: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        return time.time()  # noqa: TID251 - the one sanctioned read of the wall clock


class OffsetClock:
    """The wall clock shifted by an adjustable offset; for tests and simulations."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset  # noqa: TID251

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self.offset += seconds
