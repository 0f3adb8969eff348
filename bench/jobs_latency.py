"""Latency of the public job endpoints over a large demo data set. Numbers, not pass/fail.

SQLite (a temporary file, deleted afterwards; 100,000 jobs by default):

    .venv/bin/python bench/jobs_latency.py
    .venv/bin/python bench/jobs_latency.py --jobs 20000 --requests 100

PostgreSQL, in a scratch database you create and drop yourself:

    createdb -h 127.0.0.1 -U postgres jobs_bench
    .venv/bin/python bench/jobs_latency.py \
        --database-url postgresql://postgres@127.0.0.1:5432/jobs_bench
    dropdb -h 127.0.0.1 -U postgres jobs_bench

The database is migrated, then seeded with `intowork seed`'s generator (skipped when it already
holds the demo data, so a second run measures the same rows). The app runs in-process with its
lifespan and full middleware stack, driven by httpx over ASGI: no network and no server in the
numbers, only the app and the database. No Redis, rate limits off. Requests run one at a time,
after a few warm-up requests, for at most --budget seconds per scenario and phase. Each scenario
runs twice: with the app's response cache switched off ("db": every request reaches the
database) and on ("cached": the in-memory cache the app uses without Redis). `total` is what the
API reported.

Afterwards the plans of the list query and of a search query are printed: on PostgreSQL
`EXPLAIN (ANALYZE, BUFFERS)`, on SQLite `EXPLAIN QUERY PLAN`, of the statements the app sent
during one request (captured with a `before_cursor_execute` listener on the app's engine).
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.main import create_app
from intowork.models import Job
from intowork.models.enums import JobStatus
from intowork.seed import DemoDataExists, run_seed

SEARCH_WORD = "python"
WARM_UP = 5
console = Console(width=120)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs to seed (100000)")
    parser.add_argument("--requests", type=int, default=200, help="per scenario (200)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per scenario, at most (60)"
    )
    return parser.parse_args()


def make_settings(database_url: str | None, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40,
        redis_url=None,
        rate_limit_enabled=False,
        log_level="WARNING",
    )


async def seed(settings: Settings, jobs: int, seed_value: int) -> None:
    started = time.perf_counter()
    try:
        summary = await run_seed(settings, jobs=jobs, seed=seed_value, console=Console(stderr=True))
    except DemoDataExists:
        console.print("Demo data already there: measuring it as it is.")
        return
    console.print(f"Seeded in {time.perf_counter() - started:.1f} s: {summary.counts}")


async def pick_targets(settings: Settings, count: int, seed_value: int) -> tuple[str, list[int]]:
    """The most common location of published jobs, and `count` published job ids."""
    database = create_database(settings)
    try:
        async with database.engine.connect() as connection:
            published = Job.status == JobStatus.PUBLISHED
            city = await connection.scalar(
                select(Job.location)
                .where(published, Job.location.is_not(None))
                .group_by(Job.location)
                .order_by(func.count().desc())
                .limit(1)
            )
            ids = list(await connection.scalars(select(Job.id).where(published)))
    finally:
        await database.dispose()
    rng = random.Random(seed_value)  # noqa: S311 - not security
    return city or "Paris", [rng.choice(ids) for _ in range(count)]


async def measure(
    client: AsyncClient, paths: list[str], requests: int, budget: float
) -> tuple[list[float], int | None, int]:
    """Milliseconds per request, the `total` of the first answer, and the non-200 count.

    The first request warms up (connections, prepared statements, the response cache) and is not
    counted. Measuring stops after `budget` seconds, with at least one sample: a pathological
    plan shows as a few slow samples rather than an afternoon.
    """
    await client.get(paths[0])
    deadline = time.perf_counter() + budget
    for path in paths[1:WARM_UP]:
        if time.perf_counter() > deadline:
            break
        await client.get(path)
    timings: list[float] = []
    errors, total = 0, None
    for n in range(requests):
        if timings and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        response = await client.get(paths[n % len(paths)])
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors += 1
        elif total is None:
            total = response.json().get("total")
    return timings, total, errors


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[float]) -> list[str]:
    """p50, p95 and max, in milliseconds."""
    if not samples:
        return ["-", "-", "-"]
    return [
        f"{value:.1f}"
        for value in (statistics.median(samples), percentile(samples, 0.95), max(samples))
    ]


@contextmanager
def captured_statements(app: FastAPI) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []
    engine = app.state.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def explain(app: FastAPI, client: AsyncClient, label: str, path: str) -> None:
    with captured_statements(app) as statements:
        await client.get(path)
    engine = app.state.db.engine
    postgresql = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT") or "jobs" not in statement:
            continue
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql(prefix + statement, parameters)
            rows = result.all()
        console.rule(f"{label}: GET {path}")
        console.print(" ".join(statement.split()), style="dim", highlight=False)
        for row in rows:
            console.print(row[0] if postgresql else f"{row[1]:>3} {row[2]:>3}  {row[3]}")


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    settings = make_settings(args.database_url, data_dir)
    await seed(settings, args.jobs, args.seed)
    city, job_ids = await pick_targets(settings, args.requests, args.seed)
    scenarios = {
        "list, no filter": ["/api/jobs"],
        f"location={city}": [f"/api/jobs?location={city}"],
        f"search={SEARCH_WORD}": [f"/api/jobs?search={SEARCH_WORD}"],
        f"search={SEARCH_WORD}&location={city}": [
            f"/api/jobs?search={SEARCH_WORD}&location={city}"
        ],
        "detail /api/jobs/{id}": [f"/api/jobs/{job_id}" for job_id in job_ids],
    }
    app = create_app(settings)
    backend = make_url(settings.sqlalchemy_url).get_backend_name()
    table = Table(title=f"{backend}, {args.jobs} jobs, ms per request")
    columns = ["scenario", "total", "db n", "db p50", "db p95", "db max"]
    columns += ["cached p50", "cached p95", "non-200"]
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    async with LifespanManager(app):
        # The app's response cache (memory without Redis): measured off, then on. Off, every
        # request reaches the database; on, repeated requests are what a busy anonymous list
        # costs. `get_session` reads app.state.cache per request, and None means no cache.
        cache = getattr(app.state, "cache", None)
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, paths in scenarios.items():
                app.state.cache = None
                timings, total, errors = await measure(client, paths, args.requests, args.budget)
                cached: list[float] = []
                if cache is not None:
                    app.state.cache = cache
                    cached, _, cached_errors = await measure(
                        client, paths, args.requests, args.budget
                    )
                    errors += cached_errors
                table.add_row(
                    name,
                    "" if total is None else str(total),
                    str(len(timings)),
                    *summary(timings),
                    *summary(cached)[:2],
                    str(errors),
                )
            console.print(table)
            app.state.cache = None
            await explain(app, client, "list", "/api/jobs")
            await explain(app, client, "search", f"/api/jobs?search={SEARCH_WORD}")
            app.state.cache = cache


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as data_dir:
        asyncio.run(run(args, Path(data_dir)))


if __name__ == "__main__":
    main()
