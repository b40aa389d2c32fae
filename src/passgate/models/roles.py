"""Permissions and roles of a project.

A role is project-level (``tenant_id`` '') or defined in one tenant; its name is unique in
that scope.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_LEVEL = ""  # the tenant_id of a project-level role


@dataclass(frozen=True)
class PermissionRecord:
    id: str
    name: str
    description: str = ""
    created_at_ms: int = 0


@dataclass(frozen=True)
class RoleRecord:
    id: str
    name: str
    tenant_id: str = PROJECT_LEVEL
    description: str = ""
    default: bool = False
    private: bool = False
    created_at_ms: int = 0
    permission_names: tuple[str, ...] = ()
