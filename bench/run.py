"""The benchmark suite: every public endpoint under load, against a bare-FastAPI floor.

    make bench                                   # 10k jobs, SQLite (SIZE=..., ENGINE=...)
    make bench ENGINE=postgresql                 # a scratch database on 127.0.0.1 + Redis db 14
    make bench-scale                             # 1k, 10k, 100k jobs; docs/performance.{md,png}
    .venv/bin/python bench/run.py --size 10000 --engine sqlite
    .venv/bin/python bench/run.py --scale --engine postgresql

For each size, in a temporary directory deleted afterwards:

1. A database seeded by `intowork seed`'s generator (`run_seed`): a SQLite file, or on
   PostgreSQL the DATABASE_URL given, else a scratch database `intowork_bench_*` created on
   127.0.0.1 and dropped at the end. On PostgreSQL the server also gets Redis
   (REDIS_URL, default redis://127.0.0.1:6379/14) with a key prefix of its own
   (`intowork-bench-<pid>:`), whose keys are deleted afterwards (SCAN + DEL, never FLUSHALL).
2. `taskset -c 0 intowork serve` (uvicorn, one worker) with ENVIRONMENT=production,
   LOG_LEVEL=WARNING and RATE_LIMIT_ENABLED=false (the sign-in limit, 5 per 15 minutes and
   account, would otherwise turn the sign-in run into 429s).
3. The load comes from core 1: this process pins itself there and starts wrk (one thread, a
   small Lua script for the paths, the POST body and the Authorization header); without wrk, a
   bounded asyncio httpx client. `--warm-up` seconds, then `--duration` seconds measured
   (`--signin-duration` for the sign-in, whose Argon2 hash is slow on purpose).
4. Cached and uncached: the cached runs hit the real server repeating the same requests (the
   first fills the cache). The uncached runs hit the same app with its response cache switched
   off (bench/serve_nocache.py sets `app.state.cache = None` after start-up), so every request
   reaches the database with exactly the same URL: the difference is the cache, nothing else.
5. SQL statements per request: the server's own counters at /metrics, read around each run,
   `intowork_db_query_duration_seconds_count` delta over the
   `intowork_http_request_duration_seconds_count` delta (the scrapes themselves run no SQL).
6. The floor, in the same run, same client, same pinning (bench/floor_app.py): FastAPI
   returning the same 20-job JSON from memory, and one raw asyncpg query (skipped, with a note,
   when PostgreSQL is unreachable). Every figure is also given as a ratio to the JSON floor.

Results go to bench/results/<engine>-<size>.json; with --scale (or --docs) docs/performance.md
and docs/performance.png are rendered from every result file there. Numbers, never pass/fail.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from rich.console import Console
from rich.table import Table

from intowork.core.config import Environment, Settings
from intowork.seed import DEMO_DOMAIN, DEMO_PASSWORD, run_seed

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs"
SCALE_SIZES = (1_000, 10_000, 100_000)
SEARCH_WORD = "python"
LIMIT = 20  # the job list and search pages, and the floor's body: 20 jobs
DETAIL_IDS = 50  # job detail cycles through this many published jobs
console = Console(width=130)

DB_COUNT = re.compile(r"^intowork_db_query_duration_seconds_count(?:\{[^}]*\})? ([0-9.e+]+)$", re.M)
HTTP_COUNT = re.compile(r"^intowork_http_request_duration_seconds_count\{.*\} ([0-9.e+]+)$", re.M)

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local token = os.getenv("BENCH_TOKEN") or ""
local headers = {}
if token ~= "" then headers["Authorization"] = "Bearer " .. token end
if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
local n = 0
request = function()
  n = n + 1
  return wrk.format(method, paths[(n % #paths) + 1], headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "non_2xx": %d, "p50_ms": %f, "p99_ms": %f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=10_000, help="jobs to seed (10000)")
    parser.add_argument("--scale", action="store_true", help="1k, 10k and 100k, then the docs")
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
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--docs", action="store_true", help="render docs/ from bench/results")
    parser.add_argument("--docs-only", action="store_true", help="only render docs/")
    return parser.parse_args()


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def process(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[int]:
    with log.open("wb") as output:
        child = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield child.pid
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)


def wait_until_up(url: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counters(base: str) -> tuple[float, float]:
    """(SQL statements, HTTP requests) the server has counted so far."""
    text = httpx.get(f"{base}/metrics", timeout=5).text
    return (
        sum(float(value) for value in DB_COUNT.findall(text)),
        sum(float(value) for value in HTTP_COUNT.findall(text)),
    )


# --- load ------------------------------------------------------------------------------------


@dataclass
class Scenario:
    endpoint: str
    cache: str  # "cached", "uncached", "-" (no cache involved), "floor"
    paths: list[str]
    method: str = "GET"
    body: str = ""
    token: str = ""
    signin: bool = False


@dataclass
class Result:
    endpoint: str
    cache: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    statements: float | None
    server_cpu: float
    path: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Load:
    client: str
    connections: int
    script: Path | None
    directory: Path

    def run(
        self, base: str, scenario: Scenario, seconds: float, connections: int
    ) -> dict[str, Any]:
        if self.script is not None:
            return self._wrk(base, scenario, seconds, connections)
        return asyncio.run(run_httpx(base, scenario, seconds, connections))

    def _wrk(
        self, base: str, scenario: Scenario, seconds: float, connections: int
    ) -> dict[str, Any]:
        paths = self.directory / "paths.txt"
        paths.write_text("\n".join(scenario.paths) + "\n")
        env = {
            **os.environ,
            "BENCH_PATHS": str(paths),
            "BENCH_METHOD": scenario.method,
            "BENCH_BODY": scenario.body,
            "BENCH_TOKEN": scenario.token,
        }
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", "10s", "-s", str(self.script), f"{base}{scenario.paths[0]}"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
        summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        summary["errors"] += summary.pop("non_2xx")
        return summary


async def run_httpx(
    base: str, scenario: Scenario, seconds: float, connections: int
) -> dict[str, Any]:
    """The fallback client: `connections` workers, one request at a time each."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {scenario.token}"} if scenario.token else {}
    if scenario.body:
        headers["Content-Type"] = "application/json"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal counter, errors
            while time.perf_counter() < deadline:
                counter += 1
                path = scenario.paths[counter % len(scenario.paths)]
                started = time.perf_counter()
                try:
                    response = await client.request(
                        scenario.method, path, headers=headers, content=scenario.body or None
                    )
                    errors += response.status_code >= 400
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": errors,
        "p50_ms": quantiles[49],
        "p99_ms": quantiles[98],
    }


def measure(
    args: argparse.Namespace, load: Load, base: str, pid: int, scenario: Scenario, app: bool
) -> Result:
    seconds = args.signin_duration if scenario.signin else args.duration
    connections = min(4, args.connections) if scenario.signin else args.connections
    load.run(base, scenario, args.warm_up, connections)
    before = counters(base) if app else (0.0, 0.0)
    cpu, wall = cpu_seconds(pid), time.monotonic()
    sample = load.run(base, scenario, seconds, connections)
    server_cpu = (cpu_seconds(pid) - cpu) / (time.monotonic() - wall)
    statements = None
    if app:
        after = counters(base)
        requests = after[1] - before[1]
        statements = (after[0] - before[0]) / requests if requests else None
    result = Result(
        endpoint=scenario.endpoint,
        cache=scenario.cache,
        requests=sample["requests"],
        seconds=sample["seconds"],
        errors=sample["errors"],
        p50_ms=sample["p50_ms"],
        p99_ms=sample["p99_ms"],
        statements=statements,
        server_cpu=server_cpu,
        path=f"{scenario.method} {scenario.paths[0]}",
    )
    sql = "-" if statements is None else f"{statements:.2f}"
    console.print(
        f"  {scenario.endpoint:<26} {scenario.cache:<9} {result.rps:>8,.0f} req/s  "
        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors}  "
        f"SQL/req {sql}  server CPU {server_cpu:.0%}"
    )
    return result


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
    except Exception:  # any failure: no PostgreSQL for the floor
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


def seed(database_url: str, data_dir: Path, size: int, seed_value: int) -> float:
    settings = Settings(
        _env_file=None,
        environment=Environment.DEVELOPMENT,
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret="seed-" + "x" * 48,
        log_level="WARNING",
    )
    summary = asyncio.run(
        run_seed(settings, jobs=size, seed=seed_value, console=Console(stderr=True))
    )
    console.print(f"Seeded {size:,} jobs in {summary.seconds:.1f} s: {summary.counts}")
    return summary.seconds


# --- one size --------------------------------------------------------------------------------


def signin(base: str, email: str) -> str:
    response = httpx.post(
        f"{base}/api/auth/signin", json={"email": email, "password": DEMO_PASSWORD}, timeout=30
    )
    if response.status_code != 200:
        raise SystemExit(f"sign-in of {email}: {response.status_code} {response.text}")
    token: str = response.json()["access_token"]
    return token


def scenarios(base: str) -> tuple[list[Scenario], list[Scenario], bytes, dict[str, Any]]:
    """The runs on the cached server, those on the uncached one, the floor's body, facts."""
    employer = signin(base, f"employer1@{DEMO_DOMAIN}")
    candidate = signin(base, f"candidate1@{DEMO_DOMAIN}")
    first = httpx.get(f"{base}/api/jobs", params={"limit": LIMIT}, timeout=30)
    first.raise_for_status()
    listing = httpx.get(f"{base}/api/jobs", params={"limit": 100}, timeout=30).json()
    ids = [job["id"] for job in listing["jobs"]][:DETAIL_IDS]
    cities = Counter(job.get("location") for job in listing["jobs"] if job.get("location"))
    city = cities.most_common(1)[0][0] if cities else "Paris"
    query = urlencode({"search": SEARCH_WORD, "location": city, "limit": LIMIT})
    search = f"/api/jobs?{query}"
    found = httpx.get(f"{base}{search}", timeout=30).json()
    mine = httpx.get(
        f"{base}/api/applications/my/applications",
        headers={"Authorization": f"Bearer {candidate}"},
        timeout=30,
    ).json()
    facts = {
        "published_jobs": listing["total"],
        "search": search,
        "search_total": found.get("total"),
        "candidate_applications": mine.get("total"),
    }
    signin_body = json.dumps({"email": f"employer1@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})

    def reads(cache: str) -> list[Scenario]:
        return [
            Scenario("job list", cache, [f"/api/jobs?limit={LIMIT}"]),
            Scenario("search + location", cache, [search]),
            Scenario("job detail", cache, [f"/api/jobs/{job_id}" for job_id in ids]),
            Scenario("employer dashboard", cache, ["/api/dashboard"], token=employer),
            Scenario(
                "candidate applications",
                cache,
                ["/api/applications/my/applications"],
                token=candidate,
            ),
        ]

    cached = [
        Scenario("/health", "-", ["/health"]),
        *reads("cached"),
        Scenario("sign-in", "-", ["/api/auth/signin"], "POST", signin_body, signin=True),
    ]
    return cached, reads("uncached"), first.content, facts


def run_size(args: argparse.Namespace, load_client: str, size: int) -> dict[str, Any]:
    console.rule(f"{size:,} jobs, {args.engine}")
    load_at_start = os.getloadavg()
    console.print(
        f"load average before: {load_at_start[0]:.2f} {load_at_start[1]:.2f} {load_at_start[2]:.2f}"
    )
    started = time.monotonic()
    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as temporary:
        directory = Path(temporary)
        script = None
        if load_client == "wrk":
            script = directory / "bench.lua"
            script.write_text(WRK_SCRIPT)
        load = Load(load_client, args.connections, script, directory)
        with database(args, directory, size) as (database_url, floor_pg):
            seed_seconds = seed(database_url, directory / "data", size, args.seed)
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
                "DATA_DIR": str(directory / "data"),
                "WEB_CONCURRENCY": "1",
            }
            prefix = f"intowork-bench-{os.getpid()}:"
            if args.engine == "postgresql":
                env |= {"REDIS_URL": args.redis_url, "REDIS_KEY_PREFIX": prefix}
            taskset = ["taskset", "-c", "0"]
            python = sys.executable
            try:
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                serve = [*taskset, str(Path(python).parent / "intowork"), "serve"]
                serve += ["--host", "127.0.0.1", "--port", str(port)]
                log = directory / "server.log"
                with process(serve, env=env, log=log) as pid:
                    wait_until_up(f"{base}/health", log)
                    cached, uncached, body, facts = scenarios(base)
                    console.print(f"facts: {facts}")
                    for scenario in cached:
                        results.append(measure(args, load, base, pid, scenario, app=True))
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                nocache = [*taskset, python, str(ROOT / "bench" / "serve_nocache.py")]
                nocache += ["--port", str(port)]
                log = directory / "nocache.log"
                with process(nocache, env=env, log=log) as pid:
                    wait_until_up(f"{base}/health", log)
                    for scenario in uncached:
                        results.append(measure(args, load, base, pid, scenario, app=True))
            finally:
                if args.engine == "postgresql":
                    drop_redis_keys(args.redis_url, prefix)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            (directory / "floor.json").write_bytes(body)
            floor = [*taskset, python, str(ROOT / "bench" / "floor_app.py"), "--port", str(port)]
            floor += ["--body", str(directory / "floor.json")]
            if floor_pg:
                floor += ["--pg", floor_pg]
            else:
                notes.append("asyncpg floor skipped: PostgreSQL unreachable at 127.0.0.1")
            log = directory / "floor.log"
            with process(floor, env=dict(os.environ), log=log) as pid:
                wait_until_up(f"{base}/health", log)
                floors = [Scenario("floor: FastAPI JSON", "floor", ["/floor/json"])]
                if floor_pg:
                    floors.append(Scenario("floor: asyncpg query", "floor", ["/floor/asyncpg"]))
                for scenario in floors:
                    results.append(measure(args, load, base, pid, scenario, app=False))
    load_at_end = os.getloadavg()
    record = {
        "engine": args.engine,
        "size": size,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "client": f"wrk -t1 -c{args.connections}"
        if load_client == "wrk"
        else f"httpx asyncio, {args.connections} workers",
        "duration": args.duration,
        "signin_duration": args.signin_duration,
        "warm_up": args.warm_up,
        "seed_seconds": seed_seconds,
        "wall_seconds": time.monotonic() - started,
        "load_before": load_at_start,
        "load_after": load_at_end,
        "facts": facts,
        "notes": notes,
        "results": [asdict(result) | {"rps": result.rps} for result in results],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.engine}-{size}.json").write_text(json.dumps(record, indent=2) + "\n")
    print_table(record)
    return record


# --- reports ---------------------------------------------------------------------------------


def floor_of(record: dict[str, Any]) -> dict[str, Any]:
    return next(row for row in record["results"] if row["endpoint"] == "floor: FastAPI JSON")


def table_rows(record: dict[str, Any]) -> list[list[str]]:
    floor = floor_of(record)
    rows = []
    for row in record["results"]:
        sql = "-" if row["statements"] is None else f"{row['statements']:.2f}"
        rows.append(
            [
                row["endpoint"],
                row["cache"],
                f"{row['rps']:,.0f}",
                f"{row['rps'] / floor['rps']:.0%}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['p99_ms'] / floor['p99_ms']:.1f}x",
                str(row["errors"]),
                sql,
                f"{row['server_cpu']:.0%}",
            ]
        )
    return rows


HEADERS = [
    "endpoint",
    "cache",
    "req/s",
    "req/s vs floor",
    "p50 ms",
    "p99 ms",
    "p99 vs floor",
    "errors",
    "SQL/req",
    "server CPU",
]


def print_table(record: dict[str, Any]) -> None:
    table = Table(title=f"{record['engine']}, {record['size']:,} jobs ({record['client']})")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in {"endpoint", "cache"} else "right")
    for row in table_rows(record):
        table.add_row(*row)
    console.print(table)
    for note in record["notes"]:
        console.print(f"[yellow]{note}[/yellow]")


def load_results() -> dict[str, dict[int, dict[str, Any]]]:
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for path in sorted(RESULTS.glob("*.json")):
        record = json.loads(path.read_text())
        found.setdefault(record["engine"], {})[record["size"]] = record
    return found


def pick(record: dict[str, Any], endpoint: str, cache: str) -> dict[str, Any]:
    return next(r for r in record["results"] if r["endpoint"] == endpoint and r["cache"] == cache)


def plot(found: dict[str, dict[int, dict[str, Any]]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    engines = sorted(found)
    figure, axes = plt.subplots(1, len(engines), figsize=(6.5 * len(engines), 4.5), squeeze=False)
    series = [
        ("job list", "uncached"),
        ("search + location", "uncached"),
        ("job detail", "uncached"),
        ("employer dashboard", "uncached"),
        ("candidate applications", "uncached"),
        ("job list", "cached"),
    ]
    for axis, engine in zip(axes[0], engines, strict=True):
        sizes = sorted(found[engine])
        for endpoint, cache in series:
            p99 = [pick(found[engine][size], endpoint, cache)["p99_ms"] for size in sizes]
            p50 = [pick(found[engine][size], endpoint, cache)["p50_ms"] for size in sizes]
            line = axis.plot(sizes, p99, marker="o", label=f"{endpoint} ({cache}) p99")[0]
            axis.plot(sizes, p50, marker=".", linestyle=":", color=line.get_color())
        floor = [floor_of(found[engine][size])["p99_ms"] for size in sizes]
        axis.plot(sizes, floor, color="black", linestyle="--", label="floor (FastAPI JSON) p99")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("jobs seeded")
        axis.set_ylabel("latency, ms (solid p99, dotted p50)")
        axis.set_title(f"{engine}: latency vs size, 16 connections, server on 1 core")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    DOCS.mkdir(exist_ok=True)
    figure.savefig(DOCS / "performance.png", dpi=110)
    plt.close(figure)


def machine() -> str:
    model = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    wrk = shutil.which("wrk")
    generator = f"wrk ({wrk})" if wrk else "httpx"
    return (
        f"{model}, {os.cpu_count()} cores{memory}; Linux {platform.release()}; "
        f"Python {platform.python_version()}; load generator: {generator}"
    )


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def targets(engine: str, runs: dict[int, dict[str, Any]]) -> list[str]:
    lines = []
    sizes = sorted(runs)
    for size in sizes:
        record = runs[size]
        floor = floor_of(record)
        cached = pick(record, "job list", "cached")
        lines.append(
            f"- {engine}, {size:,} jobs: cached job list at {cached['rps'] / floor['rps']:.0%} of "
            f"the floor's req/s ({cached['rps']:,.0f} vs {floor['rps']:,.0f}; target >= 50%)."
        )
    if len(sizes) >= 2:
        small, large = runs[sizes[0]], runs[sizes[-1]]
        for endpoint in ("job list", "search + location"):
            a, b = pick(small, endpoint, "uncached"), pick(large, endpoint, "uncached")
            lines.append(
                f"- {engine}, uncached {endpoint} p99: {b['p99_ms']:.1f} ms at {sizes[-1]:,} vs "
                f"{a['p99_ms']:.1f} ms at {sizes[0]:,}: {b['p99_ms'] / a['p99_ms']:.1f}x "
                "(target within 2x)."
            )
    for size in sizes:
        rows = [r for r in runs[size]["results"] if r["statements"] is not None]
        worst = max(rows, key=lambda r: r["statements"])
        dashboard = pick(runs[size], "employer dashboard", "uncached")
        lines.append(
            f"- {engine}, {size:,} jobs: most SQL statements per request "
            f"{worst['statements']:.2f} ({worst['endpoint']}, {worst['cache']}; target <= 3); "
            f"employer dashboard uncached {dashboard['statements']:.2f} (target 1)."
        )
    return lines


def render_docs() -> None:
    found = load_results()
    if not found:
        raise SystemExit("no results in bench/results: run bench/run.py first")
    plot(found)
    parts = [
        "# Performance",
        "",
        "Rendered by `bench/run.py` from `bench/results/*.json`: numbers measured, never asserted."
        " Every figure comes from one run of the suite; on a shared or busy machine they move, so"
        " the load average around each run is given.",
        "",
        f"Machine: {machine()}.",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                             # 10k jobs, SQLite (SIZE=..., ENGINE=...)",
        "make bench ENGINE=postgresql           # scratch database on 127.0.0.1, Redis db 14",
        "make bench SCALE=1                     # 1k, 10k, 100k on SQLite",
        "make bench SCALE=1 ENGINE=postgresql   # the same on PostgreSQL + Redis",
        "# without make (after `pip install matplotlib` into .venv):",
        ".venv/bin/python bench/run.py --scale --engine sqlite",
        ".venv/bin/python bench/run.py --docs-only   # re-render this page from bench/results",
        "```",
        "",
        "## Method",
        "",
        "- Data: `intowork seed`'s generator (`run_seed`, seed 42) at the given number of jobs.",
        "- Server: `taskset -c 0 intowork serve`, one uvicorn worker, `ENVIRONMENT=production`,"
        " `LOG_LEVEL=WARNING`, **`RATE_LIMIT_ENABLED=false`** (the sign-in limit of 5 per 15"
        " minutes per account would otherwise turn the sign-in run into 429s, and the listing"
        " limit of 60/min the others). On PostgreSQL, Redis db 14 with a key prefix of the run's"
        " own, deleted afterwards.",
        "- Load: wrk, one thread, pinned to core 1, 16 connections (4 for sign-in), keep-alive;"
        " 1 s of warm-up, then 6 s measured (3 s for sign-in).",
        "- Cached: the real server, the same request over and over (the first fills the cache;"
        " job detail cycles over 50 published jobs). Uncached: the same app and URLs with its"
        " response cache switched off (`bench/serve_nocache.py` sets `app.state.cache = None`"
        " once started): every request reaches the database. Sign-in and `/health` use no cache"
        " (`-`).",
        "- SQL/req: the server's `intowork_db_query_duration_seconds_count` delta divided by its"
        " `intowork_http_request_duration_seconds_count` delta over the run.",
        "- Floor: `bench/floor_app.py` on the same core with the same client: bare FastAPI"
        " returning the same 20-job JSON body (`GET /api/jobs?limit=20`) from memory, and one"
        " doing one raw asyncpg query (20 rows from `generate_series`, pool of 5) when"
        " PostgreSQL is reachable. `vs floor` columns are against the JSON floor.",
        "- Job list and search pages are 20 jobs (`limit=20`), search is"
        f" `search={SEARCH_WORD}` plus the most common location of the first 100 published jobs.",
        "",
    ]
    for engine in sorted(found):
        runs = found[engine]
        main = runs.get(10_000) or runs[sorted(runs)[0]]
        parts += [
            f"## {engine}: every endpoint at {main['size']:,} jobs",
            "",
            f"Run {main['when']}, {main['client']}, load average before"
            f" {main['load_before'][0]:.2f} / after {main['load_after'][0]:.2f} (1 min);"
            f" {main['facts']['published_jobs']:,} published jobs, search matches"
            f" {main['facts']['search_total']}, candidate1 has"
            f" {main['facts']['candidate_applications']} applications.",
            "",
            markdown_table(HEADERS, table_rows(main)),
            "",
            *[f"> {note}" for note in main["notes"]],
            "",
        ]
        sizes = sorted(runs)
        if len(sizes) > 1:
            headers = ["endpoint", "cache"]
            for size in sizes:
                headers += [
                    f"p50 @{size // 1000}k",
                    f"p99 @{size // 1000}k",
                    f"req/s @{size // 1000}k",
                ]
            rows = []
            for row in main["results"]:
                cells = [row["endpoint"], row["cache"]]
                for size in sizes:
                    other = pick(runs[size], row["endpoint"], row["cache"])
                    cells += [
                        f"{other['p50_ms']:.2f}",
                        f"{other['p99_ms']:.2f}",
                        f"{other['rps']:,.0f}",
                    ]
                rows.append(cells)
            loads = ", ".join(f"{size:,}: {runs[size]['load_before'][0]:.2f}" for size in sizes)
            parts += [
                f"### {engine}: scale series",
                "",
                f"Load average (1 min) before each size: {loads}. Seeding took "
                + ", ".join(f"{runs[s]['seed_seconds']:.0f} s" for s in sizes)
                + ".",
                "",
                markdown_table(headers, rows),
                "",
            ]
        parts += [f"### {engine}: against the issue's targets (reported, not asserted)", ""]
        parts += targets(engine, runs)
        parts += [""]
    notes = RESULTS / "notes.md"
    if notes.exists():  # what the person who ran it saw: kept across re-renders
        parts += ["## Notes on these runs", "", notes.read_text().strip(), ""]
    parts += [
        "## Latency against size",
        "",
        "![latency vs size](performance.png)",
        "",
    ]
    (DOCS / "performance.md").write_text("\n".join(parts))
    console.print(f"wrote {DOCS / 'performance.md'} and {DOCS / 'performance.png'}")


def main() -> None:
    args = parse_args()
    if args.docs_only:
        render_docs()
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
    sizes = (args.sizes or SCALE_SIZES) if args.scale else (args.size,)
    for size in sizes:
        run_size(args, client, size)
    if args.scale or args.docs:
        render_docs()


if __name__ == "__main__":
    main()
