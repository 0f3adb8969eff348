"""Migration 0004: email_outbox.status accepts `skipped`; on SQLite the table rebuild keeps its
rows, indexes, AUTOINCREMENT and counter (no id handed out twice); the downgrade undoes it."""

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.migrations import alembic_config, upgrade_to_head

pytestmark = pytest.mark.usefixtures("database_url")

INSERT = text(
    "INSERT INTO email_outbox (to_email, subject, body_text, template, status)"
    " VALUES ('ada@example.com', '', '', 'password_reset', :status)"
)


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def ids(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT id, status FROM email_outbox ORDER BY id"))
        return [(row.id, row.status) for row in rows]


async def test_skipped_status_up_and_down(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await downgrade_to(engine, "0003")
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"status": "sent"})
            await connection.execute(INSERT, {"status": "sent"})
            await connection.execute(text("DELETE FROM email_outbox WHERE id = 2"))
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(INSERT, {"status": "skipped"})

        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"status": "skipped"})
        [(first, first_status), (new, new_status)] = await ids(engine)
        assert (first, first_status, new_status) == (1, "sent", "skipped")
        assert new > 2  # the deleted row's id is not handed out again
        if engine.dialect.name == "sqlite":
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master"
                        " WHERE tbl_name = 'email_outbox' AND sql IS NOT NULL"
                    )
                )
                schema = {name: sql for name, sql in rows}
            assert "AUTOINCREMENT" in schema["email_outbox"]
            assert "ix_email_outbox_status_next_attempt_at" in schema

        await downgrade_to(engine, "0003")
        assert await ids(engine) == [(1, "sent")]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(INSERT, {"status": "skipped"})
    finally:
        await upgrade_to_head(engine)
        await engine.dispose()
