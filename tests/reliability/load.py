"""Fault injection under load: the concurrent clients, the mixed workload, the request timeline
and the checks that every write answered 2xx is in the database."""

import asyncio
import itertools
import random
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intowork.core.config import Settings
from intowork.models import ApplicationStatusHistory, Job, JobApplication
from intowork.models.enums import UserRole
from tests.cache.conftest import ANONYMOUS, Actor, add_job, job_body, new_actor
from tests.fixtures.factories import make_company

# A request that has not answered by then is recorded as hung (status 0), not awaited forever.
REQUEST_TIMEOUT_SECONDS = 30.0
HUNG = 0


@dataclass(frozen=True, slots=True)
class Call:
    """One request of a load run: times are `time.monotonic()` seconds."""

    operation: str
    expected: int
    status: int
    started: float
    ended: float
    body: Any

    @property
    def ok(self) -> bool:
        return self.status == self.expected

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def overlaps(self, start: float, end: float) -> bool:
        return self.started <= end and self.ended >= start


class Timeline:
    """Every request of a run, in completion order, and the moments the test marked."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> float:
        self.marks[name] = time.monotonic()
        return self.marks[name]

    async def call(
        self,
        client: AsyncClient,
        operation: str,
        method: str,
        path: str,
        *,
        expected: int = 200,
        actor: Actor = ANONYMOUS,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Call:
        started = time.monotonic()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                response = await client.request(
                    method, path, headers=actor.headers, json=json, params=params
                )
        except TimeoutError:
            status, body = HUNG, None
        else:
            status = response.status_code
            body = response.json() if response.content else None
        call = Call(operation, expected, status, started, time.monotonic(), body)
        self.calls.append(call)
        return call

    def failed(self) -> list[Call]:
        return [call for call in self.calls if not call.ok]

    def started_between(self, start: float, end: float) -> list[Call]:
        return [call for call in self.calls if start <= call.started < end]

    def relative(self, moment: float) -> float:
        """Seconds since the first request: how timelines are reported."""
        origin = min((call.started for call in self.calls), default=moment)
        return round(moment - origin, 3)

    def describe(self, calls: Iterable[Call], limit: int = 10) -> str:
        """A few calls, for assertion messages: operation, status, start and duration."""
        return "; ".join(
            f"{call.operation} {call.status} at {self.relative(call.started)}s "
            f"({call.seconds:.3f}s): {str(call.body)[:100]}"
            for call in itertools.islice(calls, limit)
        )


@asynccontextmanager
async def load(step: Callable[[int], Awaitable[None]], clients: int) -> AsyncIterator[None]:
    """`clients` concurrent clients, each calling `step(its index)` back to back, for as long as
    the block runs; a client that fails (a bug of the test, not a status) fails the test.

    The clients are stopped between requests, never cancelled in the middle of one: a request
    cancelled inside the database driver can leave its connection stuck for good.
    """
    stop = asyncio.Event()

    async def client(index: int) -> None:
        while not stop.is_set():
            await step(index)

    tasks = [asyncio.create_task(client(index)) for index in range(clients)]
    try:
        yield
    finally:
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_SECONDS + 5)
        for task in pending:
            task.cancel()
    assert not pending, f"{len(pending)} clients still waiting for an answer"
    for task in done:
        task.result()


async def sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


@dataclass
class World:
    """What the load works on: one company, its employers and jobs, candidates, applications."""

    company_id: int
    employers: list[Actor]
    candidates: list[Actor]
    owner_of: dict[int, Actor]  # published job id -> the employer who posted it
    titles: dict[int, str]  # published job id -> its title before the load
    applications: dict[int, Actor]  # application id -> an employer who sees it
    applied_pairs: set[tuple[int | None, int]]  # (candidate id, job id) of those applications

    @property
    def jobs(self) -> list[int]:
        return list(self.owner_of)


async def build_world(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    employers: int = 2,
    candidates: int = 8,
    jobs: int = 12,
    applications: int = 6,
) -> World:
    async with sessionmaker() as session:
        company = await make_company(session, name="Acme Industries")
        employer_actors = [
            await new_actor(session, settings, UserRole.EMPLOYER, company=company)
            for _ in range(employers)
        ]
        candidate_actors = [
            await new_actor(session, settings, UserRole.CANDIDATE, first_name=f"Candidate{n}")
            for n in range(candidates)
        ]
        owner_of: dict[int, Actor] = {}
        titles: dict[int, str] = {}
        for n in range(jobs):
            owner = employer_actors[n % employers]
            job = await add_job(session, owner, title=f"Backend engineer {n}")
            owner_of[job.id], titles[job.id] = owner, job.title
        rows = [
            JobApplication(job_id=job_id, candidate_id=candidate.profile_id)
            for job_id, candidate in itertools.islice(
                zip(owner_of, itertools.cycle(candidate_actors), strict=False), applications
            )
        ]
        session.add_all(rows)
        await session.commit()
        return World(
            company_id=company.id,
            employers=employer_actors,
            candidates=candidate_actors,
            owner_of=owner_of,
            titles=titles,
            applications={row.id: owner_of[row.job_id] for row in rows},
            applied_pairs={(row.candidate_id, row.job_id) for row in rows},
        )


@dataclass
class Attempt:
    """A write of a value to one row; sequential per row, so the last 2xx is the row's value
    unless a later attempt that failed (503) committed anyway."""

    value: str
    call: Call


@dataclass
class Workload:
    """A mixed workload on a World: anonymous job lists, searches, details and company pages;
    signed-in lists, dashboards and notifications; applies, job creations, job edits, notes.

    A row is edited by one client at a time (taken from a free list, put back after the answer),
    so its attempts are in commit order and `check_writes` can tell what the database must hold.
    """

    world: World
    client: AsyncClient
    timeline: Timeline
    # Weight of each kind of write against 12 for the busiest reads: every job write or apply
    # invalidates the cached job pages, so a read-mostly load keeps some cache hits.
    write_weight: float = 4.0
    seed: int = 0
    rng: random.Random = field(init=False)
    free_jobs: deque[int] = field(init=False)
    free_applications: deque[int] = field(init=False)
    apply_pairs: deque[tuple[Actor, int]] = field(init=False)
    edits: dict[int, list[Attempt]] = field(init=False, default_factory=lambda: defaultdict(list))
    notes: dict[int, list[Attempt]] = field(init=False, default_factory=lambda: defaultdict(list))
    created: list[Attempt] = field(init=False, default_factory=list)
    applied: list[tuple[Actor, int, Call]] = field(init=False, default_factory=list)
    sequence: "itertools.count[int]" = field(init=False, default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.free_jobs = deque(self.world.jobs)
        self.free_applications = deque(self.world.applications)
        pairs = [
            (candidate, job_id)
            for candidate in self.world.candidates
            for job_id in self.world.jobs
            if (candidate.profile_id, job_id) not in self.world.applied_pairs
        ]
        self.rng.shuffle(pairs)
        self.apply_pairs = deque(pairs)
        self.operations: list[tuple[float, Callable[[], Awaitable[Any]]]] = [
            (12, self.list_jobs),
            (4, self.search_jobs),
            (12, self.job_detail),
            (4, self.company_page),
            (6, self.candidate_list),
            (6, self.dashboard),
            (6, self.notifications),
            (4, self.employer_applications),
            (self.write_weight, self.apply),
            (self.write_weight, self.edit_job),
            (self.write_weight, self.create_job),
            (self.write_weight, self.write_notes),
        ]

    def _next(self) -> int:
        return next(self.sequence)

    async def step(self, _client_index: int) -> None:
        weights = [weight for weight, _ in self.operations]
        operation = self.rng.choices([op for _, op in self.operations], weights)[0]
        await operation()

    async def _get(
        self, operation: str, path: str, actor: Actor = ANONYMOUS, **params: Any
    ) -> Call:
        return await self.timeline.call(
            self.client, operation, "GET", path, actor=actor, params=params or None
        )

    async def list_jobs(self) -> None:
        await self._get("jobs.list", "/api/jobs", page=self.rng.randint(1, 2), limit=10)

    async def search_jobs(self) -> None:
        await self._get("jobs.search", "/api/jobs", search="backend engineer")

    async def job_detail(self) -> None:
        await self._get("jobs.detail", f"/api/jobs/{self.rng.choice(self.world.jobs)}")

    async def company_page(self) -> None:
        await self._get("company", f"/api/companies/{self.world.company_id}")

    async def candidate_list(self) -> None:
        await self._get("jobs.list.signed_in", "/api/jobs", self.rng.choice(self.world.candidates))

    async def dashboard(self) -> None:
        actor = self.rng.choice(self.world.candidates + self.world.employers)
        await self._get("dashboard", "/api/dashboard", actor)

    async def notifications(self) -> None:
        actor = self.rng.choice(self.world.candidates + self.world.employers)
        await self._get("notifications", "/api/notifications", actor)

    async def employer_applications(self) -> None:
        actor = self.rng.choice(self.world.employers)
        await self._get("applications.employer", "/api/applications/employer/applications", actor)

    async def apply(self) -> None:
        if not self.apply_pairs:
            await self.list_jobs()
            return
        candidate, job_id = self.apply_pairs.popleft()
        call = await self.timeline.call(
            self.client,
            "apply",
            "POST",
            "/api/applications/my/applications",
            expected=201,
            actor=candidate,
            json={"job_id": job_id},
        )
        self.applied.append((candidate, job_id, call))

    async def edit_job(self) -> None:
        if not self.free_jobs:
            await self.job_detail()
            return
        job_id = self.free_jobs.popleft()
        title = f"Edited job {self._next()}"
        call = await self.timeline.call(
            self.client,
            "jobs.edit",
            "PUT",
            f"/api/jobs/{job_id}",
            actor=self.world.owner_of[job_id],
            json=job_body(title=title),
        )
        self.edits[job_id].append(Attempt(title, call))
        self.free_jobs.append(job_id)

    async def create_job(self) -> None:
        title = f"Created job {self._next()}"
        call = await self.timeline.call(
            self.client,
            "jobs.create",
            "POST",
            "/api/jobs/create",
            expected=201,
            actor=self.rng.choice(self.world.employers),
            json=job_body(title=title),
        )
        self.created.append(Attempt(title, call))

    async def write_notes(self) -> None:
        if not self.free_applications:
            await self.employer_applications()
            return
        application_id = self.free_applications.popleft()
        text = f"Note {self._next()}"
        call = await self.timeline.call(
            self.client,
            "notes",
            "PUT",
            f"/api/applications/employer/applications/{application_id}/notes",
            actor=self.world.applications[application_id],
            json={"notes": text},
        )
        self.notes[application_id].append(Attempt(text, call))
        self.free_applications.append(application_id)

    def writes(self) -> int:
        return (
            sum(map(len, self.edits.values()))
            + sum(map(len, self.notes.values()))
            + len(self.created)
            + len(self.applied)
        )


def possible_values(attempts: list[Attempt], original: str | None) -> set[str | None]:
    """What a row written by these sequential attempts may hold: the last acknowledged value, or
    the value of any later attempt that failed (its commit may have happened before the fault)."""
    acknowledged = [index for index, attempt in enumerate(attempts) if attempt.call.ok]
    start = acknowledged[-1] if acknowledged else 0
    values: set[str | None] = {attempt.value for attempt in attempts[start:]}
    if not acknowledged:
        values.add(original)
    return values


async def check_writes(sessionmaker: async_sessionmaker[AsyncSession], work: Workload) -> int:
    """Every write answered 2xx is in the database, once; returns how many were checked."""
    checked = 0
    async with sessionmaker() as session:
        job_rows = await session.execute(select(Job.id, Job.title))
        titles = {job_id: title for job_id, title in job_rows}
        for job_id, attempts in work.edits.items():
            expected = possible_values(attempts, work.world.titles[job_id])
            assert titles[job_id] in expected, (job_id, attempts)
            checked += sum(attempt.call.ok for attempt in attempts)

        note_rows = await session.execute(select(JobApplication.id, JobApplication.notes))
        notes_of = {application_id: notes for application_id, notes in note_rows}
        for application_id, attempts in work.notes.items():
            expected = possible_values(attempts, None)
            assert notes_of[application_id] in expected, (application_id, attempts)
            checked += sum(attempt.call.ok for attempt in attempts)

        title_counts: dict[str, int] = defaultdict(int)
        for title in titles.values():
            title_counts[title] += 1
        for attempt in work.created:
            count = title_counts.get(attempt.value, 0)
            assert count <= 1, f"job {attempt.value!r} created {count} times"
            if attempt.call.ok:
                assert titles.get(attempt.call.body["id"]) == attempt.value, attempt
                checked += 1

        applications = {
            row.id: (row.candidate_id, row.job_id)
            for row in await session.scalars(select(JobApplication))
        }
        pairs = list(applications.values())
        assert len(pairs) == len(set(pairs)), "one application per candidate and job"
        history_rows = await session.execute(
            select(ApplicationStatusHistory.application_id, func.count())
            .where(ApplicationStatusHistory.from_status.is_(None))
            .group_by(ApplicationStatusHistory.application_id)
        )
        initial_rows = {application_id: count for application_id, count in history_rows}
        for candidate, job_id, call in work.applied:
            if call.ok:
                application_id = call.body["id"]
                assert applications.get(application_id) == (candidate.profile_id, job_id), call
                assert initial_rows.get(application_id) == 1, "its history row, same transaction"
                checked += 1
    return checked


async def count_keys(url: str, pattern: str) -> int:
    client = Redis.from_url(url, socket_timeout=2)
    try:
        return len([key async for key in client.scan_iter(match=pattern, count=1000)])
    finally:
        await client.aclose()
