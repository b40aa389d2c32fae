"""Permissions and roles of a project (contract §5.4).

A role is project-level (``tenant_id`` '') or defined in one tenant; its name is unique in
that scope. Roles name their permissions by ID, and grants name roles by ID, so a rename
shows everywhere at the next load. Deleting a permission or a role removes it from roles
and grants by foreign key (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from passgate.models.roles import PermissionRecord, RoleRecord
from passgate.storage.database import Params, Row, Transaction, in_list
from passgate.storage.mapping import BOOL, INT, Column, RecordTable, as_is

# --- permissions ----------------------------------------------------------------------------
PERMISSIONS = RecordTable(
    "permissions",
    PermissionRecord,
    (Column("id"), Column("name"), Column("description"), Column("created_at", "created_at_ms", conversion=INT)),
)
_INSERT_PERMISSION = PERMISSIONS.insert_sql("project_id")


async def insert_permission(tx: Transaction, project_id: str, permission: PermissionRecord) -> None:
    """Insert the permission; ``IntegrityViolation`` if its name is taken in the project."""
    await tx.execute(_INSERT_PERMISSION, {**PERMISSIONS.params_of(permission), "project_id": project_id})


async def find_permission(
    tx: Transaction, project_id: str, *, name: str | None = None, permission_id: str | None = None
) -> PermissionRecord | None:
    """The permission with this ID (when given) or name."""
    column, value = ("id", permission_id) if permission_id else ("name", name)
    row = await tx.fetch_one(
        f"SELECT * FROM permissions WHERE project_id = :p AND {column} = :v", {"p": project_id, "v": value}
    )
    return PERMISSIONS.from_row(row) if row else None


async def rename_permission(tx: Transaction, permission_id: str, name: str, description: str) -> None:
    """Set the name and description; ``IntegrityViolation`` if the name is taken."""
    await tx.execute(
        "UPDATE permissions SET name = :name, description = :description WHERE id = :id",
        {"id": permission_id, "name": name, "description": description},
    )


async def delete_permission(tx: Transaction, permission_id: str) -> None:
    """Delete the permission; roles lose it (foreign key cascade)."""
    await tx.execute("DELETE FROM permissions WHERE id = :id", {"id": permission_id})


async def list_permissions(tx: Transaction, project_id: str) -> list[PermissionRecord]:
    rows = await tx.fetch_all(
        "SELECT * FROM permissions WHERE project_id = :p ORDER BY created_at, name", {"p": project_id}
    )
    return [PERMISSIONS.from_row(row) for row in rows]


async def permission_ids(tx: Transaction, project_id: str, names: Sequence[str]) -> dict[str, str]:
    """Permission name -> ID for those of ``names`` that exist."""
    if not names:
        return {}
    placeholders, params = in_list("n", list(names))
    rows = await tx.fetch_all(
        f"SELECT id, name FROM permissions WHERE project_id = :p AND name IN {placeholders}",
        {**params, "p": project_id},
    )
    return {row["name"]: row["id"] for row in rows}


# --- roles -------------------------------------------------------------------------------------
ROLES = RecordTable(
    "roles",
    RoleRecord,
    (
        *as_is("id", "name", "tenant_id", "description"),
        Column("is_default", "default", conversion=BOOL),
        Column("private", conversion=BOOL),
        Column("created_at", "created_at_ms", conversion=INT),
    ),
    other_fields=("permission_names",),
)
_INSERT_ROLE = ROLES.insert_sql("project_id")
_UPDATE_ROLE = f"UPDATE roles SET {ROLES.assignments(leaving=('id', 'tenant_id', 'created_at'))} WHERE id = :id"
_ROLE_COLUMNS = ", ".join(f"r.{column}" for column in ROLES.columns)


async def _roles(tx: Transaction, where: str, params: Params) -> list[RoleRecord]:
    """Roles matching ``where`` (over ``r``), oldest first, each with its permission names."""
    rows = await tx.fetch_all(
        f"SELECT {_ROLE_COLUMNS}, p.name AS permission_name"
        " FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id"
        " LEFT JOIN permissions p ON p.id = rp.permission_id"
        f" WHERE {where} ORDER BY r.created_at, r.id, p.name",
        params,
    )
    first_rows: dict[str, Row] = {}
    permissions: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        first_rows.setdefault(row["id"], row)
        if row["permission_name"] is not None:
            permissions[row["id"]].append(row["permission_name"])
    return [ROLES.from_row(row, permission_names=tuple(permissions[role_id])) for role_id, row in first_rows.items()]


async def list_roles(tx: Transaction, project_id: str) -> list[RoleRecord]:
    """Every role of the project, project-level and tenant-level."""
    return await _roles(tx, "r.project_id = :p", {"p": project_id})


async def find_role(
    tx: Transaction, project_id: str, tenant_id: str, *, name: str | None = None, role_id: str | None = None
) -> RoleRecord | None:
    """The role with this ID (when given), or with this name in ``tenant_id`` ('' = project level)."""
    if role_id:
        found = await _roles(tx, "r.project_id = :p AND r.id = :id", {"p": project_id, "id": role_id})
    else:
        found = await _roles(
            tx, "r.project_id = :p AND r.tenant_id = :t AND r.name = :n", {"p": project_id, "t": tenant_id, "n": name}
        )
    return found[0] if found else None


async def insert_role(tx: Transaction, project_id: str, role: RoleRecord) -> None:
    """Insert the role (not its permissions); ``IntegrityViolation`` if its name is taken in its scope."""
    await tx.execute(_INSERT_ROLE, {**ROLES.params_of(role), "project_id": project_id})


async def update_role(tx: Transaction, role: RoleRecord) -> None:
    """Overwrite name, description and flags (not permissions); ``IntegrityViolation`` if the name is taken."""
    await tx.execute(_UPDATE_ROLE, ROLES.params_of(role))


async def set_role_permissions(tx: Transaction, role_id: str, permission_ids: Sequence[str]) -> None:
    """Make exactly these permissions (by ID) the role's."""
    await tx.execute("DELETE FROM role_permissions WHERE role_id = :r", {"r": role_id})
    for permission_id in dict.fromkeys(permission_ids):
        await tx.execute(
            "INSERT INTO role_permissions (role_id, permission_id) VALUES (:r, :p)", {"r": role_id, "p": permission_id}
        )


async def delete_role(tx: Transaction, role_id: str) -> None:
    """Delete the role; its grants and permission links go with it (foreign key cascade)."""
    await tx.execute("DELETE FROM roles WHERE id = :id", {"id": role_id})
