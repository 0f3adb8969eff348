"""Writing the demo data: one transaction, Core `insert()` in batches, ids computed up front."""

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from intowork.core.db import Database
from intowork.core.security import hash_password
from intowork.models import Base
from intowork.seed.applications import draw_applications
from intowork.seed.jobs import draw_job
from intowork.seed.people import draw_candidates, draw_companies_and_employers
from intowork.seed.stream import DemoData, Row
from intowork.seed.vocabulary import DEMO_DOMAIN, DEMO_PASSWORD

BATCH_SIZE = 5_000
TABLES = (
    "users",
    "companies",
    "employers",
    "candidates",
    "jobs",
    "job_applications",
    "application_status_history",
)


T = TypeVar("T")
Advance = Callable[[str, int], None]


class DemoDataExists(Exception):
    def __init__(self) -> None:
        super().__init__(
            f"demo data is already there (users @{DEMO_DOMAIN}); "
            "seed an empty database, or delete those users first"
        )


@dataclass(frozen=True, slots=True)
class SeedSummary:
    counts: dict[str, int]
    password: str
    employer_email: str
    candidate_email: str
    seconds: float


def planned_counts(jobs: int, applications: int | None = None) -> dict[str, int]:
    """Targets. Employers are drawn (1 to 3 per company); applications are capped by uniqueness."""
    return {
        "companies": max(5, jobs // 50),
        "candidates": max(20, jobs // 10),
        "jobs": jobs,
        "applications": jobs // 2 if applications is None else applications,
    }


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


async def _write(connection: AsyncConnection, table: str, rows: Sequence[Row]) -> None:
    statement = insert(Base.metadata.tables[table])
    for batch in batched(rows):
        await connection.execute(statement, batch)


async def _overlapped(
    batches: Iterable[list[T]], write: Callable[[list[T]], Coroutine[Any, Any, None]]
) -> None:
    """Write each batch while the next one is drawn: the driver waits for the database outside
    the GIL, so drawing and writing overlap (a fifth off a large seed on SQLite)."""
    writing: asyncio.Task[None] | None = None
    try:
        for batch in batches:
            if writing is not None:
                await writing
            writing = asyncio.create_task(write(batch))
            await asyncio.sleep(0)  # let it reach the driver before drawing the next batch
    finally:
        if writing is not None:
            await writing


async def _first_ids(connection: AsyncConnection) -> dict[str, int]:
    ids = {}
    for name in TABLES:
        highest = await connection.scalar(select(func.max(Base.metadata.tables[name].c.id)))
        ids[name] = (highest or 0) + 1
    return ids


async def _demo_users_exist(connection: AsyncConnection) -> bool:
    users = Base.metadata.tables["users"]
    found = await connection.scalar(
        select(users.c.id).where(users.c.email.like(f"%@{DEMO_DOMAIN}")).limit(1)
    )
    return found is not None


async def demo_data_exists(database: Database) -> bool:
    async with database.engine.connect() as connection:
        return await _demo_users_exist(connection)


async def _advance_sequences(connection: AsyncConnection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; the next insert must not collide."""
    for name in TABLES:
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - constants
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
        )


async def seed_demo_data(
    database: Database,
    *,
    jobs: int,
    seed: int,
    applications: int | None = None,
    busy_employer: int | None = None,
    advance: Advance | None = None,
) -> SeedSummary:
    """Write the demo data in one transaction; `DemoDataExists` if demo users are there already.

    `applications`: how many (default half the jobs); `busy_employer`: how many of them go to
    employer1's company (default: no such skew). `advance(stage, rows)` reports progress, for
    the stages of `STAGES`.
    """
    started = time.perf_counter()
    step = advance or (lambda _stage, _rows: None)
    plan = planned_counts(jobs, applications)
    hashed = await hash_password(DEMO_PASSWORD)
    step("password", 1)
    async with database.engine.begin() as connection:
        if await _demo_users_exist(connection):
            raise DemoDataExists
        data = DemoData(seed, await _first_ids(connection), hashed)
        companies, employer_users, employers = draw_companies_and_employers(data, plan["companies"])
        candidate_users, candidates = draw_candidates(data, plan["candidates"])
        await _write(connection, "users", employer_users + candidate_users)
        await _write(connection, "companies", companies)
        await _write(connection, "employers", employers)
        step("companies", len(companies))
        await _write(connection, "candidates", candidates)
        step("candidates", len(candidates))

        async def write_jobs(batch: list[Row]) -> None:
            await _write(connection, "jobs", batch)
            step("jobs", len(batch))

        written = 0
        busy_received = 0
        busy_jobs: set[int] = set()

        async def write_applications(batch: list[tuple[Row, list[Row]]]) -> None:
            nonlocal written, busy_received
            await _write(connection, "job_applications", [row for row, _ in batch])
            history = [row for _, rows in batch for row in rows]
            await _write(connection, "application_status_history", history)
            written += len(batch)
            busy_received += sum(row["job_id"] in busy_jobs for row, _ in batch)
            step("applications", len(batch))

        await _overlapped(batched(draw_job(data) for _ in range(jobs)), write_jobs)
        busy_jobs.update(data.published[index][0] for index in data.busy)
        drawn = draw_applications(data, plan["applications"], busy_employer)
        await _overlapped(batched(drawn), write_applications)
        if connection.dialect.name == "postgresql":
            await _advance_sequences(connection)
    if database.engine.dialect.name == "postgresql":
        # Autovacuum would get there in a while; until then the planner would take these tables
        # for nearly empty, and plan (and measure) accordingly.
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")
    counts = {
        "companies": len(companies),
        "employers": len(employers),
        "candidates": len(candidates),
        "jobs": jobs,
        "published jobs": len(data.published),
        "applications": written,
    }
    if busy_employer is not None:
        counts["received by employer1's company"] = busy_received
    return SeedSummary(
        counts=counts,
        password=DEMO_PASSWORD,
        employer_email=f"employer1@{DEMO_DOMAIN}",
        candidate_email=f"candidate1@{DEMO_DOMAIN}",
        seconds=time.perf_counter() - started,
    )


STAGES = {
    "password": "Hashing the demo password",
    "companies": "Companies and employers",
    "candidates": "Candidates",
    "jobs": "Jobs",
    "applications": "Applications",
}
