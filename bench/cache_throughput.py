"""Job-list throughput with and without the response cache: the real server on one core.

    .venv/bin/python bench/cache_throughput.py
    .venv/bin/python bench/cache_throughput.py --jobs 2000 --duration 10 --connections 32
    .venv/bin/python bench/cache_throughput.py --cache redis   # its own redis-server, core 0

What it does, in a temporary directory deleted afterwards:

1. A SQLite database, migrated and filled by `intowork seed`'s generator (--jobs jobs, of which
   the published ones make the public list).
2. `taskset -c 0 intowork serve` (uvicorn, one worker) with ENVIRONMENT=production, a random
   48-character JWT_SECRET, LOG_LEVEL=WARNING, RATE_LIMIT_ENABLED=false, no .env. The cache is
   the in-process one (no REDIS_URL), or with --cache redis a redis-server of the bench's own on
   a free port (no persistence), pinned to core 0 beside the server.
3. The load comes from core 1 (this process pins itself there): wrk with one thread when it is
   installed, else a bounded asyncio httpx client. Keep-alive, --connections at once.
   - cached: GET /api/jobs?page=1&limit=10 over and over (the first request fills the cache).
   - uncached: GET /api/jobs?page=k&limit=10, k going through every page in turn; after each
     half of the pages one PUT /api/companies/my-company {} (a company write, which invalidates
     every job list) so that no page is ever served from the cache. Those writes are in the
     figures: two requests in P+2 for P pages.
4. The server's own counters (/metrics: cache hits and misses of the job list, its CPU time)
   are read around each run and printed with the figures, to show what each run measured.

Each scenario: a warm-up of --warm-up seconds, then --duration seconds measured. Numbers, not
pass/fail; requests stay on 127.0.0.1 and stop by themselves.
"""

import argparse
import asyncio
import json
import math
import os
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from intowork.core.config import Environment, Settings
from intowork.seed import run_seed

console = Console(width=120)
LIST_PATH = "/api/jobs"
BUMP_PATH = "/api/companies/my-company"
LIMIT = 10
CLIENT_BOUND_BELOW = 0.8  # server CPU share under which the client, not the server, was the limit
METRIC = re.compile(r'^intowork_cache_(hits|misses)_total\{cache="job_list"\} ([0-9.e+]+)$', re.M)

WRK_SCRIPT = """
local pages = tonumber(os.getenv("BENCH_PAGES") or "0")
local token = os.getenv("BENCH_TOKEN") or ""
local half = math.floor(pages / 2)
local n = 0
request = function()
  if pages == 0 then
    return wrk.format("GET", "/api/jobs?page=1&limit=10")
  end
  n = n + 1
  local i = n % (pages + 2)
  if i == 0 or i == half + 1 then
    return wrk.format("PUT", "/api/companies/my-company",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "{}")
  end
  local page = i <= half and i or i - 1
  return wrk.format("GET", "/api/jobs?page=" .. page .. "&limit=10")
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
    parser.add_argument("--jobs", type=int, default=2000, help="jobs to seed (2000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured (10)")
    parser.add_argument("--warm-up", type=float, default=2.0, help="seconds before (2)")
    parser.add_argument("--connections", type=int, default=32, help="in flight at once (32)")
    parser.add_argument("--cache", choices=("memory", "redis"), default="memory")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def process(command: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Iterator[int]:
    """A child process for the duration of the block; its pid. Stopped (then killed) after."""
    with log.open("wb") as output:
        child = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
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


def wait_until_up(url: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cache_counts(base: str) -> tuple[float, float]:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = dict(METRIC.findall(text))
    return float(found.get("hits", 0)), float(found.get("misses", 0))


@dataclass(frozen=True)
class Sample:
    """What the load generator saw."""

    requests: int
    seconds: float
    failed: int  # transport errors and 4xx/5xx
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Run:
    name: str
    sample: Sample
    hits: float
    misses: float
    server_cpu: float  # share of one core the server used during the run

    @property
    def per_second(self) -> float:
        return self.sample.requests / self.sample.seconds


def run_wrk(
    base: str, seconds: float, connections: int, pages: int, token: str, script: Path
) -> Sample:
    env = {**os.environ, "BENCH_PAGES": str(pages), "BENCH_TOKEN": token}
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(script), f"{base}{LIST_PATH}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return Sample(
        requests=summary["requests"],
        seconds=summary["seconds"],
        failed=summary["errors"] + summary["non_2xx"],
        p50_ms=summary["p50_ms"],
        p99_ms=summary["p99_ms"],
    )


def uncached_step(n: int, pages: int) -> int:
    """The n-th request of the uncached run (as in WRK_SCRIPT): a page, or 0 for a write.

    The pages are read in two halves, with a write after each: when the first requests of a
    half still see the previous version (the write is not committed yet), that version holds
    only the other half's pages, so even they are misses.
    """
    half = pages // 2
    step = n % (pages + 2)
    if step in {0, half + 1}:
        return 0
    return step if step <= half else step - 1


async def run_httpx(base: str, seconds: float, connections: int, pages: int, token: str) -> Sample:
    """The fallback client: `connections` workers, one request at a time each."""
    latencies: list[float] = []
    failed = 0
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    bump = {"Authorization": f"Bearer {token}"}

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal counter, failed
            while time.perf_counter() < deadline:
                counter += 1
                page = uncached_step(counter, pages) if pages else 1
                started = time.perf_counter()
                if page == 0:
                    response = await client.put(BUMP_PATH, json={}, headers=bump)
                else:
                    response = await client.get(LIST_PATH, params={"page": page, "limit": LIMIT})
                latencies.append((time.perf_counter() - started) * 1000)
                failed += response.status_code >= 400

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return Sample(len(latencies), elapsed, failed, quantiles[49], quantiles[98])


def measure(
    name: str,
    args: argparse.Namespace,
    base: str,
    pid: int,
    pages: int,
    token: str,
    script: Path | None,
) -> Run:
    def once(seconds: float) -> Sample:
        if script is not None:
            return run_wrk(base, seconds, args.connections, pages, token, script)
        return asyncio.run(run_httpx(base, seconds, args.connections, pages, token))

    once(args.warm_up)
    if pages:  # a fresh version: the warm-up's pages are not reused
        httpx.put(f"{base}{BUMP_PATH}", json={}, headers={"Authorization": f"Bearer {token}"})
    hits, misses = cache_counts(base)
    cpu, wall = cpu_seconds(pid), time.monotonic()
    sample = once(args.duration)
    server_cpu = (cpu_seconds(pid) - cpu) / (time.monotonic() - wall)
    after_hits, after_misses = cache_counts(base)
    return Run(name, sample, after_hits - hits, after_misses - misses, server_cpu)


def employer_token(base: str) -> str:
    """An employer of its own company, signed up through the API: its company writes are the
    bench's way to invalidate every job list. (The demo accounts of `intowork seed` cannot sign
    in: their e-mail domain, .test, is refused as special-use.)"""
    body = {
        "email": "bench-employer@example.com",
        "password": "Bench-Password-42!",
        "first_name": "Bench",
        "last_name": "Employer",
        "role": "employer",
    }
    signup = httpx.post(f"{base}/api/auth/signup", json=body, timeout=30)
    if signup.status_code != 201:
        raise SystemExit(f"sign-up: {signup.status_code} {signup.text}")
    token: str = signup.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    company = httpx.post(f"{base}/api/companies", json={"name": "Bench Co"}, headers=headers)
    if company.status_code != 201:
        raise SystemExit(f"company: {company.status_code} {company.text}")
    return token


def seed(database_url: str, data_dir: Path, jobs: int, seed_value: int) -> None:
    settings = Settings(
        _env_file=None,
        environment=Environment.DEVELOPMENT,
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret="seed-" + "x" * 48,
        log_level="WARNING",
    )
    summary = asyncio.run(
        run_seed(settings, jobs=jobs, seed=seed_value, console=Console(stderr=True))
    )
    console.print(f"Seeded in {summary.seconds:.1f} s: {summary.counts}")


def main() -> None:
    args = parse_args()
    if (os.cpu_count() or 1) <= max(args.server_cpu, args.client_cpu):
        raise SystemExit("needs two cores: the server on one, the load on the other")
    if shutil.which("taskset") is None:
        raise SystemExit("taskset is needed to pin the server to one core")
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
    os.sched_setaffinity(0, {args.client_cpu})
    taskset = ["taskset", "-c", str(args.server_cpu)]

    with tempfile.TemporaryDirectory(prefix="intowork-bench-") as temporary:
        directory = Path(temporary)
        database_url = f"sqlite+aiosqlite:///{directory / 'intowork.db'}"
        seed(database_url, directory / "data", args.jobs, args.seed)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("REDIS_", "DATABASE_", "RATE_LIMIT", "METRICS_"))
        }
        env |= {
            "ENVIRONMENT": "production",
            "JWT_SECRET": secrets.token_urlsafe(36),  # 48 characters
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_ENABLED": "false",
            "DATABASE_URL": database_url,
            "DATA_DIR": str(directory / "data"),
            "WEB_CONCURRENCY": "1",
        }
        serve = [*taskset, str(Path(sys.executable).parent / "intowork"), "serve"]
        with redis_server(args, directory, taskset) as redis_url:
            port = free_port()  # after Redis has bound its own
            base = f"http://127.0.0.1:{port}"
            serve += ["--host", "127.0.0.1", "--port", str(port)]
            if redis_url is not None:
                env["REDIS_URL"] = redis_url
                env["REDIS_KEY_PREFIX"] = "bench:"
            with process(serve, cwd=directory, env=env, log=directory / "server.log") as pid:
                wait_until_up(f"{base}/health", directory / "server.log")
                token = employer_token(base)
                total = httpx.get(f"{base}{LIST_PATH}", params={"limit": 1}).json()["total"]
                pages = math.ceil(total / LIMIT)
                script = None
                if use_wrk:
                    script = directory / "bench.lua"
                    script.write_text(WRK_SCRIPT)
                client = "wrk -t1" if use_wrk else "httpx (asyncio)"
                console.print(
                    f"{total} published jobs ({pages} pages of {LIMIT}); server pid {pid} on "
                    f"core {args.server_cpu} ({args.cache} cache); load from core "
                    f"{args.client_cpu}: {client}, {args.connections} connections, "
                    f"{args.duration:.0f} s per scenario"
                )
                runs = [
                    measure("cached", args, base, pid, 0, token, script),
                    measure("uncached", args, base, pid, pages, token, script),
                ]
    report(runs)


@contextmanager
def redis_server(
    args: argparse.Namespace, directory: Path, taskset: list[str]
) -> Iterator[str | None]:
    if args.cache != "redis":
        yield None
        return
    if shutil.which("redis-server") is None:
        raise SystemExit("--cache redis needs redis-server on the PATH")
    port = free_port()
    command = [*taskset, "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]
    with process(command, cwd=directory, env=dict(os.environ), log=directory / "redis.log"):
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"


def report(runs: list[Run]) -> None:
    table = Table(title="GET /api/jobs, server on one core")
    for column in ("scenario", "req/s", "p50 ms", "p99 ms", "requests", "failed"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    table.add_column("cache hits / misses (server)", justify="right")
    table.add_column("server CPU", justify="right")
    for run in runs:
        table.add_row(
            run.name,
            f"{run.per_second:,.0f}",
            f"{run.sample.p50_ms:.2f}",
            f"{run.sample.p99_ms:.2f}",
            f"{run.sample.requests:,}",
            str(run.sample.failed),
            f"{run.hits:,.0f} / {run.misses:,.0f}",
            f"{run.server_cpu:.0%}",
        )
    console.print(table)
    cached, uncached = runs
    console.print(f"cached / uncached throughput: {cached.per_second / uncached.per_second:.1f}x")
    for run in runs:
        if run.server_cpu < CLIENT_BOUND_BELOW:
            console.print(
                f"[yellow]{run.name}: the server used {run.server_cpu:.0%} of its core: the load "
                "generator was the limit, not the server (install wrk).[/yellow]"
            )


if __name__ == "__main__":
    main()
