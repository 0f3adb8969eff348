"""The benchmark suite: issue 18's endpoints under load, as shares of floors measured in the run.

    make bench                           # the issue's dataset on SQLite (ENGINE=postgresql)
    make bench SCALE=1                   # uncached list and search at 1k, 10k, 100k jobs
    .venv/bin/python bench/run.py --engine postgresql --docs
    .venv/bin/python bench/run.py --quick --size 300 --docs   # smoke: bench/results/quick/

The main run (bench/results/<engine>-<size>.json), in a temporary directory deleted afterwards:

1. A database seeded by `intowork seed`'s generator (`run_seed`): by default the issue's
   dataset, 2,000 jobs, 10,442 applications, 974 of them received by employer1's company. A
   SQLite file, or on PostgreSQL the DATABASE_URL given, else a scratch database
   `intowork_bench_*` on 127.0.0.1 dropped at the end, with Redis (REDIS_URL, default
   redis://127.0.0.1:6379/14) under a key prefix of the run's own, whose keys are deleted
   afterwards (SCAN + DEL, never FLUSHALL).
2. `taskset -c 0 intowork serve` (one uvicorn worker), ENVIRONMENT=production, LOG_LEVEL=WARNING,
   RATE_LIMIT_ENABLED=false. The load comes from core 1 (wrk, one thread per run, or a bounded
   asyncio httpx client without wrk), 16 connections, `--warm-up` then `--duration` seconds.
3. The floors, twice (before and after the app's runs; the report uses their mean and shows the
   drift): bench/floor_app.py on core 0, same client: `/health` returning a tiny dict, the
   memory floor `/floor/dicts` (the 20-job page held as plain dicts, FastAPI's default
   encoder: issue 18's floor), the same dicts from a typed endpoint, the page as stored
   bytes, and one raw asyncpg query when PostgreSQL answers.
4. On the real server: /health, every read cached, sign-in, the sign-in storm (/health with 4
   connections while 8 sign in), then the mixed workload: its reads alone, then the same
   sequence with one request in 20 replaced by a write (applies, status changes, job edits),
   with the cache hit rate from the server's /metrics hit and miss counters around the run.
5. The same app with its response cache switched off (bench/serve_nocache.py): every read.
6. SQL statements per request: /metrics' statement count over its request count, per run.

The scale series (`--scale`, bench/results/scale-<engine>-<size>.json): at each size (1k, 10k,
100k, the seed's default proportions) the uncached job list and search + location and the
memory floor. `--docs` renders docs/performance.{md,png} from every result file.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docs_page
import report
from harness import (
    ROOT,
    Load,
    Result,
    Scenario,
    Settings,
    console,
    cpu_seconds,
    free_port,
    measure,
    process,
    show,
    wait_until_up,
)
from workloads import LIMIT, World

from intowork.core.config import Environment
from intowork.core.config import Settings as AppSettings
from intowork.seed import run_seed

SCALE_SIZES = (1_000, 10_000, 100_000)
STORM_SIGNINS = 8
STORM_HEALTH = 4
MIX_RPS = 6_000  # the mixed sequence is long enough not to wrap below this rate
QUICK = report.RESULTS / "quick"  # git-ignored


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=2_000, help="jobs to seed (2000)")
    parser.add_argument("--applications", type=int, default=10_442, help="(10442)")
    parser.add_argument(
        "--busy-employer", type=int, default=974, help="received by employer1's company (974)"
    )
    parser.add_argument("--scale", action="store_true", help="the scale series instead")
    parser.add_argument("--sizes", type=int, nargs="+", help="with --scale: other sizes")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    )
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds measured (6)")
    parser.add_argument("--signin-duration", type=float, default=3.0)
    parser.add_argument("--warm-up", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 1 s per run, no warm-up, marked"
    )
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument("--docs-dir", type=Path, default=docs_page.DOCS)
    parser.add_argument("--docs", action="store_true", help="then render the docs")
    parser.add_argument("--docs-only", action="store_true", help="only render the docs")
    args = parser.parse_args()
    if args.quick:
        args.duration = args.signin_duration = 1.0
        args.warm_up = 0.0
        # A smoke run never overwrites the real results nor docs/performance.md.
        if args.results == report.RESULTS:
            args.results = QUICK
        if args.docs_dir == docs_page.DOCS:
            args.docs_dir = QUICK
    return args


# --- databases -------------------------------------------------------------------------------


def asyncpg_url(url: str) -> str:
    return re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)


async def pg_admin(admin_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_url(admin_url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pg_reachable(url: str) -> bool:
    try:
        asyncio.run(pg_admin(url, "SELECT 1"))
    except Exception:  # any failure: no PostgreSQL for the asyncpg floor
        return False
    return True


@contextmanager
def database(args: argparse.Namespace, directory: Path, size: int) -> Iterator[tuple[str, str]]:
    """(the app's DATABASE_URL, a PostgreSQL URL for the asyncpg floor or "")."""
    if args.engine == "sqlite":
        floor = args.pg_admin_url if pg_reachable(args.pg_admin_url) else ""
        yield f"sqlite+aiosqlite:///{directory / 'intowork.db'}", floor
        return
    if args.database_url:
        yield args.database_url, asyncpg_url(args.database_url)
        return
    name = f"intowork_bench_{size}_{os.getpid()}"
    asyncio.run(pg_admin(args.pg_admin_url, f'CREATE DATABASE "{name}"'))
    url = args.pg_admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url, asyncpg_url(url)
    finally:
        asyncio.run(pg_admin(args.pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


def seed(
    database_url: str, data_dir: Path, size: int, args: argparse.Namespace, *, full: bool
) -> tuple[float, dict[str, int]]:
    settings = AppSettings(
        _env_file=None,
        environment=Environment.DEVELOPMENT,
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret="seed-" + "x" * 48,
        log_level="WARNING",
    )
    summary = asyncio.run(
        run_seed(
            settings,
            jobs=size,
            seed=args.seed,
            console=console,
            applications=args.applications if full else None,
            busy_employer=args.busy_employer if full else None,
        )
    )
    console.print(f"Seeded {size:,} jobs in {summary.seconds:.1f} s: {summary.counts}")
    return summary.seconds, summary.counts


# --- servers ---------------------------------------------------------------------------------


class Bench:
    """One size: its directory, database, environment and load generator."""

    def __init__(self, args: argparse.Namespace, client: str, directory: Path) -> None:
        self.args = args
        self.directory = directory
        self.load = Load(client, directory)
        self.timing = Settings(args.duration, args.warm_up, args.signin_duration, args.connections)
        self.python = sys.executable
        self.taskset = ["taskset", "-c", "0"]
        self.prefix = f"intowork-bench-{os.getpid()}:"
        self.results: list[Result] = []
        self.notes: list[str] = []

    def environment(self, database_url: str) -> dict[str, str]:
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
            "DATA_DIR": str(self.directory / "data"),
            "WEB_CONCURRENCY": "1",
        }
        if self.args.engine == "postgresql":
            env |= {"REDIS_URL": self.args.redis_url, "REDIS_KEY_PREFIX": self.prefix}
        return env

    @contextmanager
    def server(
        self, command: list[str], env: dict[str, str], name: str
    ) -> Iterator[tuple[str, int]]:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = self.directory / f"{name}.log"
        with process([*self.taskset, *command, "--port", str(port)], env=env, log=log) as pid:
            wait_until_up(f"{base}/health", log)
            yield base, pid

    def app(self, env: dict[str, str]) -> Any:
        command = [str(Path(self.python).parent / "intowork"), "serve", "--host", "127.0.0.1"]
        return self.server(command, env, "server")

    def nocache(self, env: dict[str, str]) -> Any:
        return self.server([self.python, str(ROOT / "bench" / "serve_nocache.py")], env, "nocache")

    def run(self, base: str, pid: int, scenario: Scenario, *, app: bool = True) -> Result:
        result = measure(self.timing, self.load, base, pid, scenario, app=app)
        self.results.append(result)
        return result

    def floors(self, page: bytes, floor_pg: str, round_: int, *, scale: bool = False) -> None:
        (self.directory / "floor.json").write_bytes(page)
        command = [self.python, str(ROOT / "bench" / "floor_app.py")]
        command += ["--body", str(self.directory / "floor.json")]
        if floor_pg:
            command += ["--pg", floor_pg]
        elif round_ == 1:
            self.notes.append("asyncpg floor skipped: PostgreSQL unreachable at 127.0.0.1")
        scenarios = [
            Scenario.get(report.FLOOR_HEALTH, "floor", ["/health"]),
            Scenario.get(report.FLOOR_MEMORY, "floor", ["/floor/dicts"]),
        ]
        if not scale:
            scenarios.append(Scenario.get(report.FLOOR_TYPED, "floor", ["/floor/typed"]))
            scenarios.append(Scenario.get(report.FLOOR_BYTES, "floor", ["/floor/json"]))
            if floor_pg:
                scenarios.append(Scenario.get(report.FLOOR_ASYNCPG, "floor", ["/floor/asyncpg"]))
        with self.server(command, dict(os.environ), f"floor{round_}") as (base, pid):
            for scenario in scenarios:
                self.run(base, pid, scenario, app=False).extra["round"] = round_

    def storm(self, base: str, pid: int, world: World) -> None:
        """/health while STORM_SIGNINS connections sign in (Argon2 must not block the loop)."""
        health = Scenario.get("storm: /health", "-", ["/health"])
        signins = world.signin_scenario()
        signins.endpoint = f"storm: sign-in x{STORM_SIGNINS}"
        seconds = max(self.args.signin_duration, 2.0)
        started = time.monotonic()
        cpu = cpu_seconds(pid)
        samples = self.load.together(
            base, [(health, STORM_HEALTH), (signins, STORM_SIGNINS)], seconds
        )
        server_cpu = (cpu_seconds(pid) - cpu) / (time.monotonic() - started)
        for scenario, sample in zip((health, signins), samples, strict=True):
            request = scenario.requests[0]
            result = Result(
                endpoint=scenario.endpoint,
                cache="-",
                statements=None,
                server_cpu=server_cpu,
                path=f"{request.method} {request.path}",
                **{k: v for k, v in sample.items() if k not in {"statuses", "refusals"}},
            )
            show(result)
            self.results.append(result)


def run_main(args: argparse.Namespace, client: str, size: int) -> None:
    console.rule(f"{size:,} jobs, {args.engine}: every endpoint, floors, storm, mixed workload")
    load_at_start = os.getloadavg()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as temporary:
        bench = Bench(args, client, Path(temporary))
        with database(args, bench.directory, size) as (database_url, floor_pg):
            seed_seconds, counts = seed(
                database_url, bench.directory / "data", size, args, full=True
            )
            env = bench.environment(database_url)
            try:
                with bench.app(env) as (base, pid):
                    world = World.read(base)
                    console.print(f"facts: {world.facts}")
                    bench.floors(world.page, floor_pg, 1)
                    bench.run(base, pid, Scenario.get("/health", "-", ["/health"]))
                    for scenario in world.reads("cached"):
                        bench.run(base, pid, scenario)
                    bench.run(base, pid, world.signin_scenario())
                    bench.storm(base, pid, world)
                    length = max(2_000, int(args.duration * MIX_RPS))
                    pure, mixed = world.mixed(base, length)
                    bench.run(base, pid, pure)
                    bench.timing.warm_up, warm_up = 0.0, bench.timing.warm_up
                    bench.run(base, pid, mixed)  # no warm-up: its writes would repeat
                    bench.timing.warm_up = warm_up
                with bench.nocache(env) as (base, pid):
                    for scenario in world.reads("off"):
                        bench.run(base, pid, scenario)
                bench.floors(world.page, floor_pg, 2)
            finally:
                if args.engine == "postgresql":
                    drop_redis_keys(args.redis_url, bench.prefix)
    facts = world.facts | {"seeded": counts}
    record = save(args, bench, "main", size, started, load_at_start, seed_seconds, facts)
    report.print_main(record)


def run_scale(args: argparse.Namespace, client: str, size: int) -> None:
    console.rule(f"{size:,} jobs, {args.engine}: scale series")
    load_at_start = os.getloadavg()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as temporary:
        bench = Bench(args, client, Path(temporary))
        with database(args, bench.directory, size) as (database_url, _floor_pg):
            seed_seconds, counts = seed(
                database_url, bench.directory / "data", size, args, full=False
            )
            env = bench.environment(database_url)
            try:
                with bench.nocache(env) as (base, pid):
                    world = World.read(base)
                    for scenario in world.reads("off")[:2]:
                        bench.run(base, pid, scenario)
                bench.floors(world.page, "", 1, scale=True)
            finally:
                if args.engine == "postgresql":
                    drop_redis_keys(args.redis_url, bench.prefix)
    facts = world.facts | {"seeded": counts}
    save(args, bench, "scale", size, started, load_at_start, seed_seconds, facts)


def save(
    args: argparse.Namespace,
    bench: Bench,
    kind: str,
    size: int,
    started: float,
    load_at_start: tuple[float, float, float],
    seed_seconds: float,
    facts: dict[str, Any],
) -> dict[str, Any]:
    record = {
        "format": 2,
        "kind": kind,
        "engine": args.engine,
        "size": size,
        "quick": args.quick,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "client": f"wrk -t1 -c{args.connections}"
        if bench.load.client == "wrk"
        else f"httpx asyncio, {args.connections} workers",
        "duration": args.duration,
        "signin_duration": args.signin_duration,
        "warm_up": args.warm_up,
        "limit": LIMIT,
        "seed_seconds": seed_seconds,
        "wall_seconds": time.monotonic() - started,
        "load_before": load_at_start,
        "load_after": os.getloadavg(),
        "facts": facts,
        "notes": bench.notes,
        "results": [asdict(result) | {"rps": result.rps} for result in bench.results],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    name = f"{args.engine}-{size}.json" if kind == "main" else f"scale-{args.engine}-{size}.json"
    (args.results / name).write_text(json.dumps(record, indent=2) + "\n")
    console.print(f"wrote {args.results / name} ({record['wall_seconds']:.0f} s)")
    return record


def main() -> None:
    args = parse_args()
    if args.docs_only:
        docs_page.render_docs(args.results, args.docs_dir)
        return
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs two cores: the server on core 0, the load on core 1")
    if shutil.which("taskset") is None:
        raise SystemExit("taskset is needed to pin the server to one core")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"
    if client == "httpx":
        console.print(
            "[yellow]wrk not found: the bounded asyncio httpx client drives the load "
            "(apt-get install -y wrk for the real figures)[/yellow]"
        )
    os.sched_setaffinity(0, {1})
    if args.scale:
        for size in args.sizes or SCALE_SIZES:
            run_scale(args, client, size)
    else:
        run_main(args, client, args.size)
    if args.docs:
        docs_page.render_docs(args.results, args.docs_dir)


if __name__ == "__main__":
    main()
