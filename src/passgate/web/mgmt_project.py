"""Project settings over the management API (passgate's own; see docs/decisions.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
