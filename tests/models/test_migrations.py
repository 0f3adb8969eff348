"""One Alembic chain builds the schema on both engines, and it is the schema the models declare."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.migrations import (
    alembic_config,
    include_object,
    pending_revisions,
    render_item,
    upgrade_to_head,
)
from intowork.models import Base

pytestmark = pytest.mark.usefixtures("database_url")


def schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_item": render_item, "include_object": include_object},
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_models(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.connect() as connection:
        differences = await connection.run_sync(schema_differences)
    await engine.dispose()
    assert differences == []


async def test_every_table_is_built(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert {"auth_sessions", "password_reset_tokens", "application_status_history"} <= tables
    assert "email_outbox" in tables


async def test_nothing_pending_after_upgrade(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    assert await pending_revisions(engine) == []
    await engine.dispose()


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "base"))
    async with engine.connect() as connection:
        left = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert left.isdisjoint(Base.metadata.tables)
    assert len(await pending_revisions(engine)) >= 1
    await upgrade_to_head(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
    await engine.dispose()
