"""Job detail under load on SQLite with the real server (issue 18: no write per read).

    .venv/bin/python bench/job_detail.py                     # 2,000 jobs, 16 connections, 6 s
    .venv/bin/python bench/job_detail.py --size 2000 --duration 4

bench/run.py's method, for GET /api/jobs/{id} only: a temporary SQLite database seeded by
`intowork seed`'s generator, `taskset -c 0 intowork serve` (ENVIRONMENT=production, no Redis,
rate limits off), the load from core 1 (wrk when installed, else the asyncio httpx client), 50
published jobs in turn. Three runs: anonymous readers with the response cache (every read after
the first of each job is a hit), a signed-in candidate with the cache, and anonymous readers of
bench/serve_nocache.py (cache off: every read reaches the database); then the floor of
bench/floor_app.py (the 20-job list JSON served from memory), every rate also given as its
share of the floor. Afterwards the views the server wrote (`intowork_job_views_flushed_total`,
absent before views were buffered) are compared with the stored `views_count`s. The machine's
load average is printed first: on a shared machine the figures are noisy. Numbers, never
pass/fail.
"""

import argparse
import asyncio
import os
import re
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
from run import (  # bench/run.py: the same processes, load and measurement
    DETAIL_IDS,
    LIMIT,
    ROOT,
    WRK_SCRIPT,
    Load,
    Result,
    Scenario,
    console,
    free_port,
    measure,
    process,
    seed,
    signin,
    wait_until_up,
)
from sqlalchemy import func, select

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.models import Job
from intowork.seed import DEMO_DOMAIN

FLUSHED = re.compile(r"^intowork_job_views_flushed_total ([0-9.e+]+)$", re.M)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=2_000, help="jobs to seed (2000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds measured (6)")
    parser.add_argument("--warm-up", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    args = parser.parse_args()
    args.signin_duration = args.duration  # read by run.measure, unused here
    return args


async def stored_views(database_url: str, data_dir: Path) -> int:
    settings = Settings(
        _env_file=None, database_url=database_url, data_dir=data_dir, jwt_secret="x" * 48
    )
    database = create_database(settings)
    try:
        async with database.engine.connect() as connection:
            return int(await connection.scalar(select(func.sum(Job.views_count))) or 0)
    finally:
        await database.dispose()


def views_flushed(base: str) -> float | None:
    found = FLUSHED.search(httpx.get(f"{base}/metrics", timeout=5).text)
    return float(found.group(1)) if found else None


def run(args: argparse.Namespace, client: str) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="intowork-bench-detail-") as temporary:
        directory = Path(temporary)
        script = None
        if client == "wrk":
            script = directory / "bench.lua"
            script.write_text(WRK_SCRIPT)
        load = Load(client, args.connections, script, directory)
        database_url = f"sqlite+aiosqlite:///{directory / 'intowork.db'}"
        data_dir = directory / "data"
        seed(database_url, data_dir, args.size, args.seed)
        seeded = asyncio.run(stored_views(database_url, data_dir))
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("REDIS_", "DATABASE_", "RATE_LIMIT", "METRICS_"))
        }
        env |= {
            "ENVIRONMENT": "production",
            "JWT_SECRET": secrets.token_urlsafe(36),
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_ENABLED": "false",
            "DATABASE_URL": database_url,
            "DATA_DIR": str(data_dir),
            "WEB_CONCURRENCY": "1",
        }
        taskset = ["taskset", "-c", "0"]
        python = sys.executable
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [*taskset, str(Path(python).parent / "intowork"), "serve"]
        serve += ["--host", "127.0.0.1", "--port", str(port)]
        log = directory / "server.log"
        with process(serve, env=env, log=log) as pid:
            wait_until_up(f"{base}/health", log)
            listing = httpx.get(f"{base}/api/jobs", params={"limit": 100}, timeout=30).json()
            paths = [f"/api/jobs/{job['id']}" for job in listing["jobs"]][:DETAIL_IDS]
            floor_body = httpx.get(f"{base}/api/jobs", params={"limit": LIMIT}, timeout=30).content
            candidate = signin(base, f"candidate1@{DEMO_DOMAIN}")
            for scenario in (
                Scenario("job detail", "cached", paths),
                Scenario("job detail, candidate", "cached", paths, token=candidate),
            ):
                results.append(measure(args, load, base, pid, scenario, app=True))
            before_stop = views_flushed(base)
        written = asyncio.run(stored_views(database_url, data_dir)) - seeded
        served = sum(result.requests for result in results)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        nocache = [*taskset, python, str(ROOT / "bench" / "serve_nocache.py"), "--port", str(port)]
        log = directory / "nocache.log"
        with process(nocache, env=env, log=log) as pid:
            wait_until_up(f"{base}/health", log)
            scenario = Scenario("job detail", "uncached", paths)
            results.append(measure(args, load, base, pid, scenario, app=True))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        (directory / "floor.json").write_bytes(floor_body)
        floor = [*taskset, python, str(ROOT / "bench" / "floor_app.py"), "--port", str(port)]
        floor += ["--body", str(directory / "floor.json")]
        log = directory / "floor.log"
        with process(floor, env=dict(os.environ), log=log) as pid:
            wait_until_up(f"{base}/health", log)
            scenario = Scenario("floor: FastAPI JSON", "floor", ["/floor/json"])
            results.append(measure(args, load, base, pid, scenario, app=False))
    console.print(
        f"views written by the cached server: {written:,} once stopped (measured requests:"
        f" {served:,}, plus warm-ups); by its /metrics before the shutdown flush: {before_stop}"
    )
    return results


def main() -> None:
    args = parse_args()
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        raise SystemExit("needs two cores and taskset: the server on core 0, the load on core 1")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"
    os.sched_setaffinity(0, {1})
    load = os.getloadavg()
    console.print(f"client {client}; load average before: {load[0]:.2f} {load[1]:.2f}")
    results = run(args, client)
    floor = results[-1].rps or 1.0
    for result in results:
        console.print(
            f"{result.endpoint:<24} {result.cache:<9} {result.rps:>7,.0f} req/s"
            f" ({result.rps / floor:4.0%} of the floor)  p50 {result.p50_ms:7.2f} ms"
            f"  p99 {result.p99_ms:7.2f} ms  errors {result.errors}"
        )


if __name__ == "__main__":
    main()
