"""Management of tenants, roles and permissions (contract §5.3, §5.4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
