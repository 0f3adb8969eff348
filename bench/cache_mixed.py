"""Cache hit rate under a mixed workload (issue 18): 95% reads, 5% writes, the app in process.

    .venv/bin/python bench/cache_mixed.py
    .venv/bin/python bench/cache_mixed.py --jobs 2000 --requests 20000
    .venv/bin/python bench/cache_mixed.py --database-url postgresql://postgres@127.0.0.1/bench

A temporary SQLite database (or --database-url) filled by `intowork seed`'s generator; the app
driven over ASGI (no server, no network: this measures what the cache keeps, not throughput),
with the in-process cache, or Redis with --redis-url. A fixed population of active users reads:
`--candidates` candidates (their dashboards and applications) and the employers of the companies
of the `--hot` most popular published jobs (their dashboards), anonymous visitors (list pages 1
to 5, a search, those jobs' details and their companies' pages). One request in twenty is a
write by the same people: an application, an application status change, or a job edit. The
cache's own events give hits and misses per cache name, counted after a warm-up pass over every
read. Numbers, not pass/fail.
"""

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.core.tokens import create_access_token
from intowork.main import create_app
from intowork.models import Candidate, Employer, Job, User
from intowork.models.enums import ApplicationStatus, JobStatus
from intowork.seed import DemoDataExists, run_seed

console = Console(width=120)
WRITE_SHARE = 0.05
LIST_PAGES = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", help="default: the in-process cache")
    parser.add_argument("--jobs", type=int, default=2000, help="jobs to seed (2000)")
    parser.add_argument("--requests", type=int, default=10_000, help="measured (10000)")
    parser.add_argument("--candidates", type=int, default=20, help="active candidates (20)")
    parser.add_argument("--hot", type=int, default=50, help="jobs read in detail (50)")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


@dataclass
class Events:
    """The cache's `CacheEvents`: hits and misses by cache name."""

    hits: Counter[str] = field(default_factory=Counter)
    misses: Counter[str] = field(default_factory=Counter)

    def hit(self, name: str) -> None:
        self.hits[name] += 1

    def miss(self, name: str) -> None:
        self.misses[name] += 1

    def error(self) -> None:
        pass

    def duration(self, seconds: float) -> None:
        pass


@dataclass
class World:
    candidates: list[dict[str, str]]
    employers: dict[int, dict[str, str]]  # company id -> one employer's headers
    jobs: list[tuple[int, int]]  # (job id, company id), the hot ones
    companies: list[int]


def headers(user: User, settings: Settings) -> dict[str, str]:
    token = create_access_token(user, settings, now=datetime.now(UTC), session_id=uuid.uuid4())
    return {"Authorization": f"Bearer {token}"}


async def load_world(settings: Settings, args: argparse.Namespace) -> World:
    database = create_database(settings)
    try:
        async with database.sessionmaker() as session:
            jobs = list(
                (
                    await session.execute(
                        select(Job.id, Job.company_id)
                        .where(Job.status == JobStatus.PUBLISHED)
                        .order_by(Job.views_count.desc(), Job.id)
                        .limit(args.hot)
                    )
                ).all()
            )
            companies = sorted({company_id for _, company_id in jobs})
            candidates = list(
                await session.scalars(
                    select(User)
                    .join(Candidate, Candidate.user_id == User.id)
                    .order_by(User.id)
                    .limit(args.candidates)
                )
            )
            employers: dict[int, dict[str, str]] = {}
            rows = await session.execute(
                select(Employer.company_id, User)
                .join(User, User.id == Employer.user_id)
                .where(Employer.company_id.in_(companies))
                .order_by(User.id)
            )
            for company_id, user in rows:
                if company_id is not None and company_id not in employers:
                    employers[company_id] = headers(user, settings)
    finally:
        await database.dispose()
    return World(
        candidates=[headers(user, settings) for user in candidates],
        employers=employers,
        jobs=[(job_id, company_id) for job_id, company_id in jobs],
        companies=companies,
    )


def reads(world: World) -> list[tuple[str, dict[str, str]]]:
    """Every read of the workload: (path, headers)."""
    anonymous: dict[str, str] = {}
    paths = [(f"/api/jobs?page={page}", anonymous) for page in range(1, LIST_PAGES + 1)]
    paths.append(("/api/jobs?search=engineer", anonymous))
    paths += [(f"/api/jobs/{job_id}", anonymous) for job_id, _ in world.jobs]
    paths += [(f"/api/companies/{company_id}", anonymous) for company_id in world.companies]
    for candidate in world.candidates:
        paths += [("/api/dashboard", candidate), ("/api/applications/my/applications", candidate)]
    paths += [("/api/dashboard", employer) for employer in world.employers.values()]
    return paths


async def write(client: AsyncClient, world: World, rng: random.Random) -> str:
    """One write by the active users; returns its kind."""
    kind = rng.choice(["apply", "status", "edit"])
    job_id, company_id = rng.choice(world.jobs)
    employer = world.employers.get(company_id)
    if kind == "apply" or employer is None:
        candidate = rng.choice(world.candidates)
        await client.post(
            "/api/applications/my/applications", headers=candidate, json={"job_id": job_id}
        )
        return "apply"
    if kind == "status":
        page = await client.get(
            "/api/applications/employer/applications",
            headers=employer,
            params={"status": ApplicationStatus.APPLIED.value},
        )
        applications = page.json().get("applications", [])
        if applications:
            application_id = rng.choice(applications)["id"]
            await client.put(
                f"/api/applications/employer/applications/{application_id}/status",
                headers=employer,
                json={"status": ApplicationStatus.VIEWED.value},
            )
        return "status"
    detail = (await client.get(f"/api/jobs/{job_id}", headers=employer)).json()
    if "title" in detail:
        body = {
            name: detail[name]
            for name in ("description", "location", "location_type", "job_type", "currency")
        }
        body["title"] = f"{detail['title'].split(' #')[0]} #{rng.randrange(1000)}"
        await client.put(f"/api/jobs/{job_id}", headers=employer, json=body)
    return "edit"


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=args.database_url,
        data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40,
        redis_url=args.redis_url,
        rate_limit_enabled=False,
        log_level="WARNING",
    )
    try:
        await run_seed(settings, jobs=args.jobs, seed=args.seed, console=Console(stderr=True))
    except DemoDataExists:
        console.print("Demo data already there: measuring it as it is.")
    world = await load_world(settings, args)
    workload = reads(world)
    rng = random.Random(args.seed)  # noqa: S311 - not security
    app = create_app(settings)
    async with LifespanManager(app):
        events = Events()
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            for path, caller in workload:  # warm-up: every read once
                await client.get(path, headers=caller)
            app.state.cache.events = events
            writes: Counter[str] = Counter()
            statuses: Counter[int] = Counter()
            started = time.perf_counter()
            for _ in range(args.requests):
                if rng.random() < WRITE_SHARE:
                    writes[await write(client, world, rng)] += 1
                    continue
                path, caller = rng.choice(workload)
                statuses[(await client.get(path, headers=caller)).status_code] += 1
            elapsed = time.perf_counter() - started
    show(args, events, writes, statuses, elapsed, len(workload))


def show(
    args: argparse.Namespace,
    events: Events,
    writes: Counter[str],
    statuses: Counter[int],
    elapsed: float,
    distinct: int,
) -> None:
    backend = "redis" if args.redis_url else "memory"
    table = Table(title=f"mixed workload, {args.jobs} jobs, {backend} cache, {distinct} reads")
    for column in ("cache", "hits", "misses", "hit rate"):
        table.add_column(column, justify="left" if column == "cache" else "right")
    names = sorted(set(events.hits) | set(events.misses))
    for name in [*names, "all"]:
        hits = events.hits.total() if name == "all" else events.hits[name]
        misses = events.misses.total() if name == "all" else events.misses[name]
        rate = hits / (hits + misses) if hits + misses else 0.0
        table.add_row(name, str(hits), str(misses), f"{rate:.1%}")
    console.print(table)
    console.print(
        f"{args.requests} requests in {elapsed:.1f} s; writes {dict(writes)}; "
        f"read statuses {dict(statuses)}"
    )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="intowork-mixed-") as directory:
        asyncio.run(run(args, Path(directory)))


if __name__ == "__main__":
    main()
