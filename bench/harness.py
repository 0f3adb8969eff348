"""What bench/run.py drives its runs with: processes, the two load generators, the server's
counters at /metrics, and one measured run (`measure`)."""

import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=140)

DB_COUNT = re.compile(r"^intowork_db_query_duration_seconds_count(?:\{[^}]*\})? ([0-9.e+]+)$", re.M)
HTTP_COUNT = re.compile(r"^intowork_http_request_duration_seconds_count\{.*\} ([0-9.e+]+)$", re.M)
CACHE_HITS = re.compile(r"^intowork_cache_hits_total(?:\{[^}]*\})? ([0-9.e+]+)$", re.M)
CACHE_MISSES = re.compile(r"^intowork_cache_misses_total(?:\{[^}]*\})? ([0-9.e+]+)$", re.M)
WRITES = re.compile(
    r"^intowork_(?:applications_submitted|application_status_changes)_total(?:\{[^}]*\})? "
    r"([0-9.e+]+)$",
    re.M,
)

# One request per line of the requests file, tab-separated: method, path, token, JSON body.
# Each is formatted once at start-up; `request` only cycles through them.
WRK_SCRIPT = """
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, token, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
  requests[#requests + 1] = wrk.format(method, path, headers, body)
end
local n = 0
request = function()
  n = n + 1
  return requests[((n - 1) % #requests) + 1]
end
-- Responses by status, only when asked (a response callback costs the client some speed).
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
if os.getenv("BENCH_STATUSES") == "1" then
  statuses = {}
  refusals = {}  -- the first few bodies of 4xx/5xx answers, for the report
  response = function(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status >= 400 and #refusals < 5 then
      refusals[#refusals + 1] = status .. " " .. string.sub(body or "", 1, 120)
    end
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local counted = {}
  local refused = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      counted[#counted + 1] = string.format('"%d": %d', status, count)
    end
    for _, text in ipairs(thread:get("refusals") or {}) do
      refused[#refused + 1] = string.format("%q", text):gsub("\\\n", "\\n")
    end
  end
  io.stderr:write("[" .. table.concat(refused, ", ") .. "]\\n")
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "non_2xx": %d, "p50_ms": %f, "p99_ms": %f, '
    .. '"statuses": {%s}}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    table.concat(counted, ", ")))
end
"""


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


@dataclass(frozen=True)
class Counters:
    """What the server has counted so far at /metrics (the scrape itself runs no SQL)."""

    statements: float = 0.0
    requests: float = 0.0
    cache_hits: float = 0.0
    cache_misses: float = 0.0
    writes: float = 0.0  # applications submitted and status changes, as committed

    @classmethod
    def read(cls, base: str) -> "Counters":
        text = httpx.get(f"{base}/metrics", timeout=5).text

        def total(pattern: re.Pattern[str]) -> float:
            return sum(float(value) for value in pattern.findall(text))

        return cls(
            total(DB_COUNT),
            total(HTTP_COUNT),
            total(CACHE_HITS),
            total(CACHE_MISSES),
            total(WRITES),
        )


# --- load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str = ""
    body: str = ""

    def line(self) -> str:
        return f"{self.method}\t{self.path}\t{self.token}\t{self.body}"


@dataclass
class Scenario:
    endpoint: str
    cache: str  # "cached", "off" (the response cache switched off), "-" (none involved), "floor"
    requests: list[Request]
    signin: bool = False
    reads: float = 1.0  # the share of `requests` that are reads (the mixed workload's is 0.95)
    statuses: bool = False  # count the responses by status

    @classmethod
    def get(cls, endpoint: str, cache: str, paths: list[str], token: str = "") -> "Scenario":
        return cls(endpoint, cache, [Request("GET", path, token) for path in paths])


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
    cache_hits: float | None = None
    cache_misses: float | None = None
    reads: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Load:
    client: str  # "wrk" or "httpx"
    directory: Path

    def run(
        self, base: str, scenario: Scenario, seconds: float, connections: int
    ) -> dict[str, Any]:
        return self.together(base, [(scenario, connections)], seconds)[0]

    def together(
        self, base: str, runs: list[tuple[Scenario, int]], seconds: float
    ) -> list[dict[str, Any]]:
        """Several scenarios at once, for the same time (the sign-in storm)."""
        if self.client == "wrk":
            return self._wrk(base, runs, seconds)
        return asyncio.run(together_httpx(base, runs, seconds))

    def _wrk(
        self, base: str, runs: list[tuple[Scenario, int]], seconds: float
    ) -> list[dict[str, Any]]:
        script = self.directory / "bench.lua"
        script.write_text(WRK_SCRIPT)
        children = []
        for index, (scenario, connections) in enumerate(runs):
            requests = self.directory / f"requests-{index}.tsv"
            requests.write_text("".join(request.line() + "\n" for request in scenario.requests))
            env = {**os.environ, "BENCH_REQUESTS": str(requests)}
            if scenario.statuses:
                env["BENCH_STATUSES"] = "1"
            command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
            command += ["--timeout", "10s", "-s", str(script), base + scenario.requests[0].path]
            children.append(
                subprocess.Popen(  # noqa: S603 (a fixed command line)
                    command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
            )
        summaries = []
        for child, (scenario, _connections) in zip(children, runs, strict=True):
            out, err = child.communicate(timeout=seconds + 60)
            if child.returncode != 0:
                raise SystemExit(f"wrk failed ({child.returncode}): {err}")
            summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
            summary["errors"] += summary.pop("non_2xx")
            refusals = err.strip().splitlines()[-1:] if scenario.statuses else []
            with suppress(ValueError):
                summary["refusals"] = json.loads(refusals[0]) if refusals else []
            summaries.append(summary)
        return summaries


async def together_httpx(
    base: str, runs: list[tuple[Scenario, int]], seconds: float
) -> list[dict[str, Any]]:
    return list(
        await asyncio.gather(
            *(run_httpx(base, scenario, seconds, connections) for scenario, connections in runs)
        )
    )


async def run_httpx(
    base: str, scenario: Scenario, seconds: float, connections: int
) -> dict[str, Any]:
    """The fallback client: `connections` workers, one request at a time each."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal counter, errors
            while time.perf_counter() < deadline:
                request = scenario.requests[counter % len(scenario.requests)]
                counter += 1
                headers = {"Authorization": f"Bearer {request.token}"} if request.token else {}
                if request.body:
                    headers["Content-Type"] = "application/json"
                started = time.perf_counter()
                try:
                    response = await client.request(
                        request.method, request.path, headers=headers, content=request.body or None
                    )
                    errors += response.status_code >= 400
                    statuses[str(response.status_code)] += 1
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
        "statuses": dict(statuses) if scenario.statuses else {},
    }


@dataclass
class Settings:
    """The run's timing: seconds of warm-up and measurement, connections."""

    duration: float
    warm_up: float
    signin_duration: float
    connections: int


def measure(
    timing: Settings, load: Load, base: str, pid: int, scenario: Scenario, *, app: bool
) -> Result:
    seconds = timing.signin_duration if scenario.signin else timing.duration
    connections = min(4, timing.connections) if scenario.signin else timing.connections
    if timing.warm_up > 0:
        load.run(base, scenario, timing.warm_up, connections)
    before = Counters.read(base) if app else Counters()
    cpu, wall = cpu_seconds(pid), time.monotonic()
    sample = load.run(base, scenario, seconds, connections)
    server_cpu = (cpu_seconds(pid) - cpu) / (time.monotonic() - wall)
    statements = hits = misses = None
    extra: dict[str, Any] = {}
    for key in ("statuses", "refusals"):
        if sample.get(key):
            extra[key] = sample[key]
    if app:
        after = Counters.read(base)
        requests = after.requests - before.requests
        statements = (after.statements - before.statements) / requests if requests else None
        hits = after.cache_hits - before.cache_hits
        misses = after.cache_misses - before.cache_misses
        extra["committed_applies_and_status_changes"] = after.writes - before.writes
    first = scenario.requests[0]
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
        path=f"{first.method} {first.path}",
        cache_hits=hits,
        cache_misses=misses,
        reads=scenario.reads,
        extra=extra,
    )
    show(result)
    return result


def show(result: Result) -> None:
    sql = "-" if result.statements is None else f"{result.statements:.2f}"
    console.print(
        f"  {result.endpoint:<28} {result.cache:<6} {result.rps:>8,.0f} req/s  "
        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors}  "
        f"SQL/req {sql}  server CPU {result.server_cpu:.0%}"
    )
