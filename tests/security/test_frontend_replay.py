"""Issue 17 item 4 (API.md M4): with the default limits, people using the IntoWork frontend never
meet a 429 (a script hammering the same routes without revalidating still does:
test_conditional_limits.py).

One open dashboard tab of the frontend re-renders in a loop; `CANDIDATE_TAB` is what it sent in
30 s. A browser keeps the ETag of each 200 and sends If-None-Match on the next request to the
same URL; the 304s that follow are not counted. The limiter's clock is moved by hand
(limiter_clock.py), so ten minutes of traffic need no ten minutes of test.
"""

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from intowork.core.config import Settings
from intowork.models import User
from intowork.models.enums import UserRole
from tests.fixtures.factories import make_company, make_employer, make_job, make_user
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.tokens import bearer_header
from tests.security.conftest import SQLITE_ONLY, client_for, running
from tests.security.limiter_clock import LimiterClock, install_limiter_clock

SLICE_SECONDS = 30
APPLY = "/api/applications/my/applications"
CV_UPLOAD = "/api/candidates/cv"
PROFILE = "/api/candidates/profile"
RECENT_JOBS = "/api/jobs/stats/recent?days=7"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Read:
    url: str
    per_slice: int
    signed_in: bool = True


# Recorded from one open tab, per 30 s (issue 17). The frontend asks for the count of recent jobs
# without its token (jobsAPI.getRecentJobsCount): that one is anonymous, counted per IP.
CANDIDATE_TAB = (
    Read("/api/dashboard", 148),
    Read("/api/dashboard/activities", 148),
    Read(RECENT_JOBS, 448, signed_in=False),
    Read("/api/candidates/cvs", 386),
    Read("/api/applications/my/applications", 242),
    Read(PROFILE, 192),
)
# The same page for an employer: it asks for the candidate profile whatever the role (a 403,
# counted each time), and its sidebar asks for the employer's jobs and company where a
# candidate's asks for CVs and applications.
EMPLOYER_TAB = (
    Read("/api/dashboard", 148),
    Read("/api/dashboard/activities", 148),
    Read(RECENT_JOBS, 448, signed_in=False),
    Read(PROFILE, 192),
    Read("/api/jobs/my-jobs", 386),
    Read("/api/companies/my-company", 242),
)


@dataclass
class Browser:
    """One person's browser. Its HTTP cache keeps the ETag of each 200, per URL and per
    Authorization (the answers vary by it), and revalidates with it."""

    http: AsyncClient
    authorization: dict[str, str]
    etags: dict[tuple[str, bool], str] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)

    async def read(self, read: Read) -> None:
        headers = dict(self.authorization) if read.signed_in else {}
        etag = self.etags.get((read.url, read.signed_in))
        if etag is not None:
            headers["If-None-Match"] = etag
        response = await self.http.get(read.url, headers=headers)
        if response.status_code == 200:
            self.etags[read.url, read.signed_in] = response.headers["ETag"]
        self.statuses[read.url, response.status_code] += 1

    async def send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.http.request(method, url, headers=self.authorization, **kwargs)
        assert response.status_code in {200, 201}, response.text
        body: dict[str, Any] = response.json()
        return body

    def count(self, status: int, url: str | None = None) -> int:
        return sum(
            number
            for (path, code), number in self.statuses.items()
            if code == status and url in {None, path}
        )


@dataclass
class People:
    candidate: Browser
    employer: Browser
    job_id: int
    application_id: int = 0

    async def upload_cv(self) -> None:
        await self.candidate.send(
            "POST", CV_UPLOAD, files={"cv": ("cv.pdf", PDF, "application/pdf")}
        )

    async def apply(self) -> None:
        application = await self.candidate.send("POST", APPLY, json={"job_id": self.job_id})
        self.application_id = application["id"]

    async def update_profile(self) -> None:
        await self.candidate.send(
            "PUT", PROFILE, json={"title": "Backend engineer", "location": "Lyon"}
        )

    async def move_to_interview(self) -> None:
        path = f"/api/applications/employer/applications/{self.application_id}/status"
        await self.employer.send("PUT", path, json={"status": "interview"})


async def meet(app: FastAPI, http: AsyncClient, settings: Settings) -> People:
    """A candidate, and an employer whose company has one published job."""
    async with app.state.db.sessionmaker() as session:
        candidate = await make_user(session, role=UserRole.CANDIDATE)
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer)
        employer_user = await session.get(User, employer.user_id)
    assert employer_user is not None
    return People(
        candidate=Browser(http, bearer_header(candidate, settings)),
        employer=Browser(http, bearer_header(employer_user, settings)),
        job_id=job.id,
    )


Action = Callable[[], Awaitable[None]]


def tab_timeline(
    browser: Browser, tab: tuple[Read, ...], seconds: int
) -> list[tuple[float, Action]]:
    """Every read of `tab` for `seconds`, each URL's reads spread evenly over each slice."""
    events: list[tuple[float, Action]] = []
    for start in range(0, seconds, SLICE_SECONDS):
        for read in tab:
            step = SLICE_SECONDS / read.per_slice
            events += [
                (start + (index + 0.5) * step, partial(browser.read, read))
                for index in range(read.per_slice)
            ]
    return events


async def use_the_frontend(clock: LimiterClock, people: People, seconds: int) -> None:
    """Both tabs open for `seconds`, with a few writes in between that change what they show."""
    writes: list[tuple[float, Action]] = [
        (0.1 * seconds, people.upload_cv),
        (0.3 * seconds, people.apply),
        (0.5 * seconds, people.update_profile),
        (0.7 * seconds, people.move_to_interview),
    ]
    events = (
        tab_timeline(people.candidate, CANDIDATE_TAB, seconds)
        + tab_timeline(people.employer, EMPLOYER_TAB, seconds)
        + writes
    )
    # A stable sort: at equal times, the candidate's reads, then the employer's, then a write.
    for at, action in sorted(events, key=lambda event: event[0]):
        clock.advance_to(at)
        await action()


def assert_never_limited(people: People, seconds: int) -> None:
    candidate, employer = people.candidate, people.employer
    for browser, tab in ((candidate, CANDIDATE_TAB), (employer, EMPLOYER_TAB)):
        assert browser.count(429) == 0, browser.statuses
        sent = sum(read.per_slice for read in tab) * seconds // SLICE_SECONDS
        assert sum(browser.statuses.values()) == sent
        # Downloaded again: first loads and what the writes changed; the rest are revalidations.
        assert browser.count(200) < 0.01 * sent, browser.statuses
    # The writes were seen: the pages downloaded again what they changed.
    assert candidate.count(200, "/api/candidates/cvs") >= 2
    assert candidate.count(200, APPLY) >= 2
    assert candidate.count(200, PROFILE) >= 3
    assert employer.count(200, "/api/dashboard") >= 2
    # The employer's page still asks for a candidate profile, and is refused, never limited.
    assert employer.count(403, PROFILE) == EMPLOYER_TAB[3].per_slice * seconds // SLICE_SECONDS


class TestTheFrontendIsNeverLimited:
    """The default limits, no override. What is under test is transport (validators, limits),
    which no query changes: one database each."""

    @SQLITE_ONLY
    async def test_a_minute_at_the_recorded_rate(
        self, make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A minute spans every window of the tiers met (each per minute), first loads and
        writes included; about 6,300 requests. The slow test below does ten minutes."""
        settings = make_settings(rate_limit_enabled=True, log_level="WARNING")
        clock = install_limiter_clock(monkeypatch)
        async with running(settings) as app, client_for(app) as http:
            people = await meet(app, http, settings)
            await use_the_frontend(clock, people, 60)
        assert_never_limited(people, 60)

    @pytest.mark.slow
    @pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
    async def test_ten_minutes_at_the_recorded_rate_as_in_production(
        self,
        make_settings: SettingsFactory,
        monkeypatch: pytest.MonkeyPatch,
        redis_target: RedisTarget,
    ) -> None:
        """PostgreSQL and counters in Redis; about 63,000 requests."""
        settings = make_settings(
            rate_limit_enabled=True,
            log_level="WARNING",
            redis_url=redis_target.url,
            redis_key_prefix=redis_target.prefix,
        )
        clock = install_limiter_clock(monkeypatch)
        async with running(settings) as app, client_for(app) as http:
            people = await meet(app, http, settings)
            await use_the_frontend(clock, people, 10 * 60)
        assert_never_limited(people, 10 * 60)
