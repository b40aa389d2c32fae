"""Custom attribute definitions (``custom_attributes_store``): per project, named once, read back whole."""

from __future__ import annotations

import pytest

from passgate.models.custom_attributes import AttributeOption, AttributeType, CustomAttributeDefinition
from passgate.models.projects import Project
from passgate.storage import custom_attributes_store
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import NOW_MS, new_project

pytestmark = pytest.mark.anyio


def a_definition(project_id: str, name: str, at_ms: int = NOW_MS) -> CustomAttributeDefinition:
    return CustomAttributeDefinition(
        project_id=project_id,
        name=name,
        type=AttributeType.MULTI_SELECT,
        display_name=f"The {name}",
        options=(AttributeOption("eu", "Europe"), AttributeOption("us", "United States")),
        required=True,
        created_at_ms=at_ms,
    )


async def test_definitions_read_back_whole_oldest_first(db: Database, project: Project) -> None:
    later, earlier = a_definition(project.id, "a-later", NOW_MS + 1), a_definition(project.id, "z-earlier")
    plain = CustomAttributeDefinition(project.id, "plain", AttributeType.STRING, created_at_ms=NOW_MS + 2)
    async with db.transaction() as tx:
        for definition in (later, earlier, plain):
            await custom_attributes_store.insert(tx, definition)
    async with db.transaction(write=False) as tx:
        assert await custom_attributes_store.list_for(tx, project.id) == [earlier, later, plain]


async def test_a_name_is_defined_once_per_project(db: Database, project: Project) -> None:
    other = await new_project(db)
    async with db.transaction() as tx:
        await custom_attributes_store.insert(tx, a_definition(project.id, "region"))
        await custom_attributes_store.insert(tx, a_definition(other.id, "region"))  # another project's: fine
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await custom_attributes_store.insert(tx, a_definition(project.id, "region"))


async def test_delete_removes_only_the_named_definitions_of_the_project(db: Database, project: Project) -> None:
    other = await new_project(db)
    async with db.transaction() as tx:
        for name in ("keep", "drop", "also-drop"):
            await custom_attributes_store.insert(tx, a_definition(project.id, name))
        await custom_attributes_store.insert(tx, a_definition(other.id, "drop"))
        assert await custom_attributes_store.delete(tx, project.id, ["drop", "also-drop", "unknown"]) == 2
        assert await custom_attributes_store.delete(tx, project.id, []) == 0
        assert [d.name for d in await custom_attributes_store.list_for(tx, project.id)] == ["keep"]
        assert [d.name for d in await custom_attributes_store.list_for(tx, other.id)] == ["drop"]
