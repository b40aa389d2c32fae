"""Records for the storage contract, every field set to something other than its default."""

from __future__ import annotations

from typing import Any

from passgate.identifiers import new_opaque_id, new_project_id, new_user_id
from passgate.models.projects import Project, ProjectSettings
from passgate.models.users import User, UserStatus
from passgate.storage import projects_store, users_store
from passgate.storage.database import Database

NOW_MS = 1_800_000_000_250  # a time whose seconds are exact in binary (times go ms -> s -> ms)


async def new_project(db: Database, **settings: Any) -> Project:
    """A stored project (unique ID) with the given settings."""
    project = Project(
        id=new_project_id(), name="storage contract", settings=ProjectSettings(**settings), created_at=NOW_MS / 1000
    )
    async with db.transaction() as tx:
        await projects_store.insert_project(tx, project)
    return project


def a_user(project_id: str, **fields: Any) -> User:
    """A user with every field set (``fields`` override), its two login IDs unique."""
    email = f"{new_opaque_id()}@example.com"
    values: dict[str, Any] = {
        "id": new_user_id(),
        "project_id": project_id,
        "login_ids": (email, f"+1555{new_opaque_id()[:7]}"),
        "status": UserStatus.INVITED,
        "created_at": NOW_MS / 1000,
        "modified_at": (NOW_MS + 500) / 1000,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "middle_name": "King",
        "family_name": "Lovelace",
        "email": email,
        "verified_email": True,
        "phone": "+15550000000",
        "verified_phone": True,
        "test": True,
        "picture": "https://example.com/ada.png",
        "custom_attributes": {"plan": "pro", "seats": 3, "nested": {"a": [1, 2]}},
    }
    return User(**{**values, **fields})


async def stored_user(db: Database, project_id: str, **fields: Any) -> User:
    user = a_user(project_id, **fields)
    async with db.transaction() as tx:
        await users_store.insert_user(tx, user)
    return user
