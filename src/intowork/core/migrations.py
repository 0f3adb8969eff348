"""Alembic, driven from the app: `intowork migrate`, `intowork serve` in development, tests."""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intowork.models.base import UTCDateTime

# The chain lives at the top of the repository (migrations/), beside src/.
MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Autogenerate renders plain SQLAlchemy types, so migrations never import the app's."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate ignores the engine-specific full-text objects of migration 0002 (made in
    raw SQL, described by no model): the FTS5 table with its shadow tables, PostgreSQL's
    `jobs.search_vector` and its GIN index."""
    return not (
        reflected
        and name is not None
        and name.startswith(("jobs_fts", "ix_jobs_search", "search_vector"))
    )


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's table rebuilds (migration 0003) need foreign keys off, and the pragma only
            # takes effect outside a transaction; the connection goes back to the pool with them on.
            await set_sqlite_foreign_keys(connection, on=False)
        try:
            async with connection.begin():
                await connection.run_sync(
                    lambda sync: command.upgrade(alembic_config(sync), "head")
                )
        finally:
            if sqlite:
                await set_sqlite_foreign_keys(connection, on=True)


async def set_sqlite_foreign_keys(connection: AsyncConnection, *, on: bool) -> None:
    await connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    await connection.commit()


async def pending_revisions(engine: AsyncEngine) -> list[str]:
    """Revisions between the database's current one and head (empty when up to date)."""

    def compute(sync: Connection) -> list[str]:
        script = ScriptDirectory.from_config(alembic_config())
        current = MigrationContext.configure(sync).get_current_heads()
        heads = tuple(script.get_heads())
        return [rev.revision for rev in script.iterate_revisions(heads, tuple(current) or None)]

    async with engine.connect() as connection:
        return await connection.run_sync(compute)


VERSION_TABLE = "alembic_version"
VERSIONS = table(VERSION_TABLE, column("version_num"))


class SchemaPosition(StrEnum):
    UP = "up"
    BEHIND = "behind"  # migrations to apply: `intowork migrate`
    AHEAD = "ahead"  # migrated by a newer version of the code


@dataclass(frozen=True, slots=True)
class SchemaState:
    position: SchemaPosition
    current: str | None
    expected: str


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def code_head() -> str:
    """The revision this code expects (the chain has one head)."""
    head = _script().get_current_head()
    assert head is not None
    return head


async def schema_state(connection: AsyncConnection) -> SchemaState:
    """Where the database's schema stands against the code's (one small query)."""
    # Read directly: alembic's MigrationContext logs a line each time it is configured, which
    # readiness probes would repeat every few seconds.
    if await connection.run_sync(lambda sync: inspect(sync).has_table(VERSION_TABLE)):
        heads = list((await connection.execute(select(VERSIONS.c.version_num))).scalars())
    else:
        heads = []
    current = heads[0] if len(heads) == 1 else None
    expected = code_head()
    if current == expected:
        position = SchemaPosition.UP
    elif current is None or _known(current):
        position = SchemaPosition.BEHIND
    else:
        position = SchemaPosition.AHEAD
    return SchemaState(position=position, current=current, expected=expected)


def _known(revision: str) -> bool:
    try:
        return _script().get_revision(revision) is not None
    except CommandError:
        return False
