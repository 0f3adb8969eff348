"""Alembic environment: one chain for SQLite and PostgreSQL.

The app passes an open connection in `config.attributes["connection"]` (see
`intowork.core.migrations`); the plain `alembic` command builds an engine from the settings.
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from intowork.core.config import Settings
from intowork.core.db import create_engine
from intowork.core.migrations import include_object, render_item, set_sqlite_foreign_keys
from intowork.models import Base

config = context.config
target_metadata = Base.metadata


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )


def run_with_connection(connection: Connection) -> None:
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_settings() -> None:
    engine = create_engine(Settings())
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            await set_sqlite_foreign_keys(connection, on=False)  # see upgrade_to_head
        await connection.run_sync(run_with_connection)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=Settings().sqlalchemy_url, target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_with_connection(given)
else:
    asyncio.run(run_with_settings())
