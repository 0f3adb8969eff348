"""One Alembic chain builds the schema on both engines, and it is the schema the models declare."""

from pathlib import Path

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


class TestSqliteAutoincrementMigration:
    """Migration 0003 on a database made before it: rows, links and search triggers kept, ids
    never given again (issue 16 item 1)."""

    async def upgraded(self, path: str, before: list[str]) -> list[tuple[object, ...]]:
        # One pooled connection: the one the upgrade hands back is the one read afterwards.
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}", pool_size=1, max_overflow=0)
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0002"))
            for statement in before:
                await connection.exec_driver_sql(statement)
        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM users WHERE id = 2")  # cascades
            await connection.exec_driver_sql(
                "INSERT INTO users (email, first_name, last_name, role)"
                " VALUES ('c@example.com', 'C', 'C', 'candidate')"
            )
            await connection.exec_driver_sql(
                "INSERT INTO jobs (employer_id, company_id, title, description, search_text,"
                " search_company) VALUES (1, 1, 'Rust', 'x', 'rust developer', 'acme')"
            )
            rows = [
                *(await connection.exec_driver_sql("SELECT id, email FROM users ORDER BY id")),
                *(await connection.exec_driver_sql("SELECT id, user_id FROM candidates")),
                *(
                    await connection.exec_driver_sql(
                        "SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH 'rust OR python'"
                        " ORDER BY rowid"
                    )
                ),
                *(await connection.exec_driver_sql("PRAGMA foreign_keys")),
            ]
        await engine.dispose()
        return [tuple(row) for row in rows]

    async def test_upgrade(self, tmp_path: Path) -> None:
        rows = await self.upgraded(
            str(tmp_path / "old.db"),
            [
                "INSERT INTO users (email, first_name, last_name, role) VALUES"
                " ('a@example.com', 'A', 'A', 'employer'),"
                " ('b@example.com', 'B', 'B', 'candidate')",
                "INSERT INTO candidates (user_id) VALUES (2)",
                "INSERT INTO companies (name) VALUES ('Acme')",
                "INSERT INTO employers (user_id, company_id) VALUES (1, 1)",
                "INSERT INTO jobs (employer_id, company_id, title, description, search_text,"
                " search_company) VALUES (1, 1, 'Python', 'x', 'python developer', 'acme')",
            ],
        )
        assert rows == [
            (1, "a@example.com"),
            (3, "c@example.com"),  # 2 was deleted: never given again
            # no candidate row: its user's delete cascaded, so foreign keys are on again
            (1,),  # jobs_fts: the job of before the rebuild, and the one inserted after it
            (2,),
            (1,),  # PRAGMA foreign_keys
        ]

    async def test_kept_while_rebuilding(self, tmp_path: Path) -> None:
        rows = await self.upgraded(
            str(tmp_path / "old.db"),
            [
                "INSERT INTO users (email, first_name, last_name, role) VALUES"
                " ('a@example.com', 'A', 'A', 'employer'),"
                " ('b@example.com', 'B', 'B', 'candidate'),"
                " ('d@example.com', 'D', 'D', 'candidate')",
                "INSERT INTO candidates (user_id) VALUES (3)",
                "INSERT INTO companies (name) VALUES ('Acme')",
                "INSERT INTO employers (user_id, company_id) VALUES (1, 1)",
            ],
        )
        # users was rebuilt (dropped, renamed) under the candidate row: it survived.
        assert (1, 3) in rows
