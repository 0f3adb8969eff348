"""Alembic, driven from the app: `intowork migrate`, `intowork serve` in development, tests."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

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
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


async def pending_revisions(engine: AsyncEngine) -> list[str]:
    """Revisions between the database's current one and head (empty when up to date)."""

    def compute(sync: Connection) -> list[str]:
        script = ScriptDirectory.from_config(alembic_config())
        current = MigrationContext.configure(sync).get_current_heads()
        heads = tuple(script.get_heads())
        return [rev.revision for rev in script.iterate_revisions(heads, tuple(current) or None)]

    async with engine.connect() as connection:
        return await connection.run_sync(compute)
