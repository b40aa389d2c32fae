"""Management JWT calls: update JWT, impersonation, management sign-in/up (contract §5.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
