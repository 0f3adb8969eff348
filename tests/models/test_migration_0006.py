"""Migration 0006: skills.category accepts `other`, educations gain field_of_study and is_current
and may have no end_date; on SQLite both table rebuilds keep their rows, indexes, AUTOINCREMENT
and counter (no id handed out twice); the downgrade keeps every row in the earlier shapes."""

from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.migrations import alembic_config, upgrade_to_head

pytestmark = pytest.mark.usefixtures("database_url")

SKILL = text(
    "INSERT INTO skills (candidate_id, name, level, category) VALUES (1, :name, 3, :category)"
)
EDUCATION = text(
    "INSERT INTO educations (candidate_id, degree, school, start_date, end_date)"
    " VALUES (1, 'MSc', :school, '2020-09', :end_date)"
)
EDUCATION_0006 = text(
    "INSERT INTO educations"
    " (candidate_id, degree, school, field_of_study, start_date, end_date, is_current)"
    " VALUES (1, 'PhD', 'ETH', 'Databases', '2023-09', NULL, :is_current)"
)


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def rows(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def refused(engine: AsyncEngine, statement: Any, values: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(statement, values)


async def sqlite_schema(engine: AsyncEngine, table: str) -> dict[str, str]:
    async with engine.connect() as connection:
        found = await connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE tbl_name = :name AND sql IS NOT NULL"),
            {"name": table},
        )
        return {name: sql for name, sql in found}


async def test_up_and_down(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await downgrade_to(engine, "0005")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (email, first_name, last_name, role)"
                    " VALUES ('ada@example.com', 'Ada', 'L', 'candidate')"
                )
            )
            await connection.execute(text("INSERT INTO candidates (user_id) VALUES (1)"))
            for name in ["SQL", "Gone"]:
                await connection.execute(SKILL, {"name": name, "category": "technical"})
            for school in ["INSA", "Gone"]:
                await connection.execute(EDUCATION, {"school": school, "end_date": "2022-06"})
            await connection.execute(text("DELETE FROM skills WHERE id = 2"))
            await connection.execute(text("DELETE FROM educations WHERE id = 2"))
        await refused(engine, SKILL, {"name": "Cooking", "category": "other"})
        await refused(engine, EDUCATION, {"school": "ETH", "end_date": None})

        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.execute(SKILL, {"name": "Cooking", "category": "other"})
            await connection.execute(EDUCATION_0006, {"is_current": True})
        [first, (skill_id, *other)] = await rows(
            engine, "SELECT id, name, category FROM skills ORDER BY id"
        )
        assert (first, other) == ((1, "SQL", "technical"), ["Cooking", "other"])
        [kept, (education_id, *added)] = await rows(
            engine,
            "SELECT id, school, field_of_study, end_date, is_current FROM educations ORDER BY id",
        )
        assert (*kept[:-1], bool(kept[-1])) == (1, "INSA", None, "2022-06", False)
        assert (*added[:-1], bool(added[-1])) == ("ETH", "Databases", None, True)
        # The deleted rows' ids are not handed out again (PostgreSQL's refused inserts used some).
        assert skill_id > 2
        assert education_id > 2
        await refused(engine, SKILL, {"name": "Magic", "category": "magic"})
        if engine.dialect.name == "sqlite":
            for table in ["skills", "educations"]:
                schema = await sqlite_schema(engine, table)
                assert "AUTOINCREMENT" in schema[table]
                assert f"ix_{table}_candidate_id" in schema
                assert f"fk_{table}_candidate_id_candidates" in schema[table]

        await downgrade_to(engine, "0005")
        assert await rows(engine, "SELECT id, category FROM skills ORDER BY id") == [
            (1, "technical"),
            (skill_id, "technical"),
        ]
        assert await rows(engine, "SELECT id, end_date FROM educations ORDER BY id") == [
            (1, "2022-06"),
            (education_id, "2023-09"),
        ]
        await refused(engine, SKILL, {"name": "Cooking", "category": "other"})
        await refused(engine, EDUCATION, {"school": "ETH", "end_date": None})
    finally:
        await upgrade_to_head(engine)
        await engine.dispose()
