"""Soak: a real server under a bounded mixed workload for SOAK_SECONDS (default 300).

Each worker owns its actors (an employer with a company, two candidates), so every answer it gets
is known in advance: a status outside the expected one is an error, as is any transport error.
The server's resident memory is sampled throughout; after a warm-up it must stay flat.
"""

import asyncio
import os
import random
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.test_cli import INTOWORK, cli_environment, free_port, run_cli
from tests.fixtures.actors import Actor, bearer
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.redis import RedisTarget
from tests.fixtures.services import TEST_DATABASE_URL, service_missing
from tests.fixtures.timing import wait_for_http

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
WORKERS = 8
WARM_UP_SECONDS = min(30.0, SOAK_SECONDS / 5)
SAMPLE_SECONDS = 2.0
# Flat: after the warm-up, the last third's peak RSS exceeds the first third's by at most this.
MAX_RSS_GROWTH_BYTES = 16 * 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORDS = ("python", "engineer", "data", "paris", "remote", "senior", "café", "rust", "ops")
CITIES = ("Paris", "Lyon", "Lille", "Nantes", "Remote")
# The pipeline an employer walks an application along (API.md P5).
PIPELINE = {"applied": "viewed", "viewed": "shortlisted", "shortlisted": "interview"}
LIMIT = "1000000/minute"  # rate limiting stays on (and on Redis), without refusing the load


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_operation: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@dataclass
class World:
    """One worker's own actors and what it knows of their state."""

    employer: Actor
    company_id: int
    candidates: list[Actor]
    jobs: list[int] = field(default_factory=list)
    applications: dict[int, str] = field(default_factory=dict)  # id -> status
    applied: set[tuple[int, int]] = field(default_factory=set)  # (candidate index, job id)


class Soak:
    def __init__(self, http: httpx.AsyncClient, tally: Tally, public_jobs: list[int]) -> None:
        self.http = http
        self.tally = tally
        self.public_jobs = public_jobs

    async def call(
        self, operation: str, expected: int, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.errors.append(f"{operation}: {type(exc).__name__}: {exc}")
            return None
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.by_operation[operation] += 1
        if response.status_code != expected:
            self.tally.errors.append(
                f"{operation}: {method} {path} -> {response.status_code} {response.text[:200]}"
            )
            return None
        return response

    async def signup(self, role: str) -> Actor:
        body = {
            "email": f"soak-{uuid.uuid4().hex[:12]}@example.com",
            "password": DEFAULT_PASSWORD,
            "first_name": "Soak",
            "last_name": role.title(),
            "role": role,
        }
        response = await self.call("signup", 201, "POST", "/api/auth/signup", json=body)
        assert response is not None, self.tally.errors
        tokens = response.json()
        return Actor(
            user=None, headers=bearer(tokens["access_token"]), refresh_token=tokens["refresh_token"]
        )

    async def make_world(self, number: int) -> World:
        employer = await self.signup("employer")
        company = await self.call(
            "create_company",
            201,
            "POST",
            "/api/companies",
            json={"name": f"Soak company {number}", "city": random.choice(CITIES)},
            headers=employer.headers,
        )
        assert company is not None, self.tally.errors
        world = World(
            employer=employer,
            company_id=company.json()["id"],
            candidates=[await self.signup("candidate") for _ in range(2)],
        )
        for candidate in world.candidates:
            files = {"cv": ("resume.pdf", PDF, "application/pdf")}
            await self.call(
                "upload_cv",
                200,
                "POST",
                "/api/candidates/cv",
                files=files,
                headers=candidate.headers,
            )
        for _ in range(3):
            await self.create_job(world)
        return world

    async def create_job(self, world: World) -> None:
        words = random.sample(WORDS, 3)
        body = {
            "title": " ".join(words).title(),
            "description": f"We look for {' '.join(words)} people. " * 5,
            "location": random.choice(CITIES),
            "location_type": random.choice(["on_site", "remote", "hybrid"]),
            "job_type": random.choice(["full_time", "part_time", "contract"]),
            "salary_min": 30000,
            "salary_max": 60000,
        }
        response = await self.call(
            "create_job", 201, "POST", "/api/jobs/create", json=body, headers=world.employer.headers
        )
        if response is not None:
            job_id = response.json()["id"]
            world.jobs.append(job_id)
            self.public_jobs.append(job_id)

    # The operations a worker picks from, each with the status it must get.

    async def browse(self, world: World) -> None:
        params: dict[str, str | int] = {"page": random.randint(1, 3), "limit": 10}
        if random.random() < 0.5:
            params["search"] = random.choice(WORDS)
        if random.random() < 0.3:
            params["location"] = random.choice(CITIES)
        await self.call("list_jobs", 200, "GET", "/api/jobs", params=params)

    async def read_job(self, world: World) -> None:
        job_id = random.choice(self.public_jobs)
        await self.call("read_job", 200, "GET", f"/api/jobs/{job_id}")

    async def read_company(self, world: World) -> None:
        await self.call("read_company", 200, "GET", f"/api/companies/{world.company_id}")

    async def candidate_pages(self, world: World) -> None:
        headers = random.choice(world.candidates).headers
        for operation, path in (
            ("candidate_dashboard", "/api/dashboard"),
            ("my_applications", "/api/applications/my/applications"),
            ("notifications", "/api/notifications"),
            ("profile", "/api/candidates/profile"),
        ):
            await self.call(operation, 200, "GET", path, headers=headers)

    async def apply(self, world: World) -> None:
        index = random.randrange(len(world.candidates))
        open_jobs = [job for job in world.jobs if (index, job) not in world.applied]
        if not open_jobs:
            await self.create_job(world)
            return
        job_id = random.choice(open_jobs)
        response = await self.call(
            "apply",
            201,
            "POST",
            "/api/applications/my/applications",
            json={"job_id": job_id, "cover_letter": "Hello"},
            headers=world.candidates[index].headers,
        )
        if response is not None:
            world.applied.add((index, job_id))
            world.applications[response.json()["id"]] = "applied"

    async def update_profile(self, world: World) -> None:
        body = {"title": random.choice(WORDS), "location": random.choice(CITIES)}
        headers = random.choice(world.candidates).headers
        await self.call(
            "update_profile", 200, "PUT", "/api/candidates/profile", json=body, headers=headers
        )

    async def employer_pages(self, world: World) -> None:
        headers = world.employer.headers
        for operation, path in (
            ("employer_dashboard", "/api/dashboard"),
            ("employer_funnel", "/api/dashboard/employer-funnel"),
            ("employer_applications", "/api/applications/employer/applications"),
            ("my_jobs", "/api/jobs/my-jobs"),
            ("company_stats", "/api/companies/my-company/stats"),
        ):
            await self.call(operation, 200, "GET", path, headers=headers)

    async def edit_job(self, world: World) -> None:
        job_id = random.choice(world.jobs)
        body = {
            "title": f"{random.choice(WORDS).title()} engineer",
            "description": "Edited during the soak. " * 4,
            "location": random.choice(CITIES),
            "location_type": "hybrid",
            "job_type": "full_time",
        }
        await self.call(
            "edit_job", 200, "PUT", f"/api/jobs/{job_id}", json=body, headers=world.employer.headers
        )

    async def move_application(self, world: World) -> None:
        movable = [
            (id_, status) for id_, status in world.applications.items() if status in PIPELINE
        ]
        if not movable:
            await self.apply(world)
            return
        application_id, status = random.choice(movable)
        base = f"/api/applications/employer/applications/{application_id}"
        headers = world.employer.headers
        response = await self.call(
            "change_status",
            200,
            "PUT",
            f"{base}/status",
            json={"status": PIPELINE[status]},
            headers=headers,
        )
        if response is not None:
            world.applications[application_id] = PIPELINE[status]
        await self.call(
            "notes", 200, "PUT", f"{base}/notes", json={"notes": "Seen"}, headers=headers
        )

    async def refresh(self, world: World) -> None:
        actor = random.choice([world.employer, *world.candidates])
        response = await self.call(
            "refresh", 200, "POST", "/api/auth/refresh", json={"refresh_token": actor.refresh_token}
        )
        if response is not None:
            tokens = response.json()
            actor.headers = bearer(tokens["access_token"])
            actor.refresh_token = tokens["refresh_token"]

    def operations(self) -> list[tuple[Callable[[World], Awaitable[None]], int]]:
        return [
            (self.browse, 30),
            (self.read_job, 20),
            (self.read_company, 5),
            (self.candidate_pages, 10),
            (self.apply, 8),
            (self.update_profile, 5),
            (self.employer_pages, 8),
            (self.edit_job, 5),
            (self.move_application, 6),
            (self.create_job, 2),
            (self.refresh, 1),
        ]

    async def run(self, world: World, deadline: float) -> None:
        operations, weights = zip(*self.operations(), strict=True)
        while time.monotonic() < deadline:
            operation = random.choices(operations, weights)[0]
            await operation(world)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]


@pytest.fixture
def soak_database_url() -> Iterator[str]:
    """A PostgreSQL database of the soak's own, dropped afterwards."""
    if TEST_DATABASE_URL is None:
        service_missing("the PostgreSQL soak needs TEST_DATABASE_URL")
    url = asyncio.run(create_database("intowork_soak"))
    try:
        yield url
    finally:
        asyncio.run(drop_database(url))


def start_server(tmp_path: Path, database_url: str | None, redis: RedisTarget | None) -> Server:
    env = cli_environment(tmp_path / "data", database_url)
    env.update(
        {
            "ENVIRONMENT": "production",
            "EMAIL_BACKEND": "file",
            "EMAIL_WORKER_IN_PROCESS": "true",
            "RATE_LIMIT_ENABLED": "true",
        }
    )
    for tier in ("LISTING", "DETAIL", "MUTATION", "APPLY", "DASHBOARD", "DEFAULT"):
        env[f"RATE_LIMIT_{tier}"] = LIMIT
    for tier in ("SIGNIN_ACCOUNT", "SIGNIN_IP", "SIGNUP"):
        env[f"RATE_LIMIT_{tier}"] = LIMIT
    if redis is not None:
        env["REDIS_URL"] = redis.url
        env["REDIS_KEY_PREFIX"] = redis.prefix
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [*INTOWORK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", process=process)
    return Server(base=base, process=process)


async def sample_rss(pid: int, samples: list[tuple[float, int]], started: float) -> None:
    while True:
        samples.append((time.monotonic() - started, rss_bytes(pid)))
        await asyncio.sleep(SAMPLE_SECONDS)


async def soak(base: str, pid: int) -> tuple[Tally, list[tuple[float, int]]]:
    tally = Tally()
    samples: list[tuple[float, int]] = []
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        public_jobs: list[int] = []
        soaks = [Soak(http, tally, public_jobs) for _ in range(WORKERS)]
        worlds = [await runner.make_world(number) for number, runner in enumerate(soaks)]
        assert not tally.errors, tally.errors[:10]
        started = time.monotonic()
        sampler = asyncio.create_task(sample_rss(pid, samples, started))
        deadline = started + SOAK_SECONDS
        await asyncio.gather(
            *(runner.run(world, deadline) for runner, world in zip(soaks, worlds, strict=True))
        )
        sampler.cancel()
    return tally, samples


def rss_growth(samples: list[tuple[float, int]]) -> tuple[int, int]:
    """(peak RSS in the first third after warm-up, peak RSS in the last third)."""
    steady = [rss for at, rss in samples if at >= WARM_UP_SECONDS]
    third = max(1, len(steady) // 3)
    return max(steady[:third]), max(steady[-third:])


def report(engine: str, tally: Tally, samples: list[tuple[float, int]]) -> str:
    latencies = sorted(tally.latencies)
    first, last = rss_growth(samples)
    mib = 1024 * 1024
    lines = [
        f"soak[{engine}]: {len(latencies)} requests in {SOAK_SECONDS:.0f} s "
        f"({len(latencies) / SOAK_SECONDS:.0f}/s), {len(tally.errors)} errors",
        f"  latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms",
        f"  RSS start {samples[0][1] / mib:.1f} MiB, after warm-up peak {first / mib:.1f} MiB, "
        f"last third peak {last / mib:.1f} MiB, max {max(r for _, r in samples) / mib:.1f} MiB "
        f"({len(samples)} samples)",
        "  RSS by minute (MiB): "
        + ", ".join(f"{rss / mib:.1f}" for at, rss in samples if int(at) % 60 < SAMPLE_SECONDS),
        "  " + ", ".join(f"{op} {n}" for op, n in sorted(tally.by_operation.items())),
    ]
    return "\n".join(lines)


@pytest.fixture
def soak_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Server]]:
    engine = request.param
    if engine == "sqlite":
        server = start_server(tmp_path, None, None)
    else:
        database_url = request.getfixturevalue("soak_database_url")
        redis = request.getfixturevalue("redis_target")
        server = start_server(tmp_path, database_url, redis)
    try:
        yield engine, server
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]


@pytest.mark.parametrize(
    "soak_server", ["sqlite", "postgresql+redis"], indirect=True, ids=["sqlite", "postgresql+redis"]
)
def test_mixed_workload_without_errors_and_flat_memory(
    soak_server: tuple[str, Server],
) -> None:
    engine, server = soak_server
    random.seed(12)
    tally, samples = asyncio.run(soak(server.base, server.process.pid))
    print(report(engine, tally, samples))  # the figures docs/reliability.md quotes

    assert not tally.errors, f"{len(tally.errors)} errors, first: {tally.errors[:10]}"
    assert sum(tally.by_operation.values()) > SOAK_SECONDS * 20, "the load really ran"
    assert server.process.poll() is None, "the server is still up"
    first, last = rss_growth(samples)
    assert last - first <= MAX_RSS_GROWTH_BYTES, report(engine, tally, samples)
