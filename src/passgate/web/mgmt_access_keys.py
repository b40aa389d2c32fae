"""Management of access keys (contract §5.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
