"""Uncached latency of the public job list and search on an existing database. Numbers only.

Seed once per size and engine, then measure as often as needed (the data is not touched):

    DATA_DIR=/tmp/sq100k .venv/bin/intowork seed --jobs 100000
    .venv/bin/python bench/list_scale.py --database-url sqlite:////tmp/sq100k/intowork.db

    createdb -h 127.0.0.1 -U postgres scale_100k
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scale_100k \
        .venv/bin/intowork seed --jobs 100000
    .venv/bin/python bench/list_scale.py \
        --database-url postgresql://postgres@127.0.0.1:5432/scale_100k --explain

The app runs in-process (lifespan and full middleware stack, httpx over ASGI) with its response
cache off and rate limits off, one request at a time: every request reaches the database. For
each scenario: p50 and p99 in milliseconds over --requests requests (after a few warm-ups), and
the `total` / `total_is_estimate` the API answered. --explain prints the plan of each statement
one request of a scenario sent (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event

from intowork.core.config import Settings
from intowork.main import create_app

WARM_UP = 5
SCENARIOS = {
    "list": "/api/jobs",
    "list, page 5": "/api/jobs?page=5",
    "location": "/api/jobs?location=paris",
    "search": "/api/jobs?search=developer",
    "search + location": "/api/jobs?search=developer&location=paris",
    "rare search + location": "/api/jobs?search=python&location=lyon",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300, help="per scenario (300)")
    parser.add_argument("--explain", action="store_true", help="print the statements' plans")
    return parser.parse_args()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def explain(app: Any, client: AsyncClient, path: str) -> None:
    statements: list[tuple[str, Any]] = []
    engine = app.state.db.engine

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await client.get(path)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    postgresql = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
    for statement, parameters in statements:
        if "jobs" not in statement or not statement.lstrip().upper().startswith("SELECT"):
            continue
        async with engine.connect() as connection:
            rows = (await connection.exec_driver_sql(prefix + statement, parameters)).all()
        print(f"--- {path}\n{' '.join(statement.split())}")
        for row in rows:
            print(row[0] if postgresql else f"  {row[1]:>3} {row[2]:>3}  {row[3]}")


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=args.database_url,
        data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40,
        redis_url=None,
        rate_limit_enabled=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with LifespanManager(app):
        app.state.cache = None
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            print(f"{'scenario':<24} {'total':>6} {'est.':>5} {'p50 ms':>8} {'p99 ms':>8}")
            for name, path in SCENARIOS.items():
                for _ in range(WARM_UP):
                    body = (await client.get(path)).json()
                timings = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = await client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                print(
                    f"{name:<24} {body['total']:>6} {body.get('total_is_estimate', '-')!s:>5}"
                    f" {statistics.median(timings):>8.1f} {percentile(timings, 0.99):>8.1f}"
                )
            if args.explain:
                for path in SCENARIOS.values():
                    await explain(app, client, path)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as data_dir:
        asyncio.run(run(args, Path(data_dir)))


if __name__ == "__main__":
    main()
