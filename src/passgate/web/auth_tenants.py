"""Tenant selection and the signed-in user's tenants (contract §2.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES: list[tuple[str, str, Callable[..., Any], str]] = []
