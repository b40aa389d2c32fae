"""Access-key exchange (contract §2.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
