"""Entity-scoped invalidation (docs/decisions.md): each write renews what it changed, and what it
did not change is still served from the cache. Both databases, both backends."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Company, Job
from intowork.models.enums import UserRole
from tests.cache.conftest import (
    DASHBOARD,
    EMPLOYER_APPLICATIONS,
    JOBS,
    MY_APPLICATIONS,
    Actor,
    add_job,
    apply_ok,
    call_ok,
    get_ok,
    job_body,
    new_actor,
    reads,
)
from tests.fixtures.factories import make_company
from tests.fixtures.statements import StatementLog

COMPANY = "/api/companies"


class Reader:
    """Reads a page and tells whether the database was reached (the caller's row aside)."""

    def __init__(self, client: AsyncClient, count_statements: Any) -> None:
        self.client = client
        self.count_statements = count_statements

    async def read(self, path: str, actor: Actor) -> tuple[Any, StatementLog]:
        with self.count_statements() as log:
            body = await get_ok(self.client, path, actor)
        return body, log

    async def cached(self, path: str, actor: Actor) -> bool:
        _, log = await self.read(path, actor)
        return not reads(log)

    async def warm(self, *pages: tuple[str, Actor]) -> None:
        for path, actor in pages:
            await self.read(path, actor)
            assert await self.cached(path, actor), path


@pytest.fixture
def reader(client: AsyncClient, count_statements: Any) -> Reader:
    return Reader(client, count_statements)


@pytest.fixture
async def other_company(session: AsyncSession) -> Company:
    return await make_company(session, name="Globex")


@pytest.fixture
async def other_employer(
    session: AsyncSession, settings: Settings, other_company: Company
) -> Actor:
    return await new_actor(session, settings, UserRole.EMPLOYER, company=other_company)


@pytest.fixture
async def job_b(session: AsyncSession, other_employer: Actor) -> Job:
    return await add_job(session, other_employer, title="Data engineer")


ANONYMOUS = Actor(user=None)


async def test_apply_renews_its_job_and_people_only(
    reader: Reader,
    client: AsyncClient,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    other_employer: Actor,
    job: Job,
    job_b: Job,
) -> None:
    detail_a, detail_b = f"{JOBS}/{job.id}", f"{JOBS}/{job_b.id}"
    await reader.warm(
        (detail_a, ANONYMOUS),
        (detail_b, ANONYMOUS),
        (JOBS, ANONYMOUS),
        (DASHBOARD, candidate),
        (DASHBOARD, other_candidate),
        (DASHBOARD, employer),
        (DASHBOARD, other_employer),
        (MY_APPLICATIONS, candidate),
        (MY_APPLICATIONS, other_candidate),
    )
    await apply_ok(client, candidate, job.id)
    # Renewed: the job's detail (its count), the candidate's pages, its employers' dashboard.
    assert not await reader.cached(detail_a, ANONYMOUS)
    assert not await reader.cached(DASHBOARD, candidate)
    assert not await reader.cached(MY_APPLICATIONS, candidate)
    assert not await reader.cached(DASHBOARD, employer)
    # Kept: the other job, the lists (a count's staleness within their TTL), everyone else.
    assert await reader.cached(detail_b, ANONYMOUS)
    assert await reader.cached(JOBS, ANONYMOUS)
    assert await reader.cached(DASHBOARD, other_candidate)
    assert await reader.cached(MY_APPLICATIONS, other_candidate)
    assert await reader.cached(DASHBOARD, other_employer)


async def test_job_edit_renews_its_job_lists_and_applicants(
    reader: Reader,
    client: AsyncClient,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    other_employer: Actor,
    company: Company,
    other_company: Company,
    job: Job,
    job_b: Job,
) -> None:
    await apply_ok(client, candidate, job.id)
    detail_a, detail_b = f"{JOBS}/{job.id}", f"{JOBS}/{job_b.id}"
    await reader.warm(
        (detail_a, ANONYMOUS),
        (detail_b, ANONYMOUS),
        (JOBS, ANONYMOUS),
        (f"{COMPANY}/{company.id}", ANONYMOUS),
        (f"{COMPANY}/{other_company.id}", ANONYMOUS),
        (DASHBOARD, other_candidate),
        (DASHBOARD, employer),
        (DASHBOARD, other_employer),
        (MY_APPLICATIONS, candidate),
        (MY_APPLICATIONS, other_candidate),
    )
    await call_ok(client, "PUT", detail_a, employer, job_body(title="Staff engineer"))
    assert not await reader.cached(detail_a, ANONYMOUS)
    assert not await reader.cached(JOBS, ANONYMOUS)
    assert not await reader.cached(DASHBOARD, employer)
    applications, _ = await reader.read(MY_APPLICATIONS, candidate)
    assert applications["applications"][0]["job"]["title"] == "Staff engineer"
    # An edit changes no count: company pages and candidates' "Open jobs" are kept.
    assert await reader.cached(detail_b, ANONYMOUS)
    assert await reader.cached(f"{COMPANY}/{company.id}", ANONYMOUS)
    assert await reader.cached(f"{COMPANY}/{other_company.id}", ANONYMOUS)
    assert await reader.cached(DASHBOARD, other_candidate)
    assert await reader.cached(DASHBOARD, other_employer)
    assert await reader.cached(MY_APPLICATIONS, other_candidate)


async def test_job_status_change_renews_open_jobs_and_its_company(
    reader: Reader,
    client: AsyncClient,
    candidate: Actor,
    employer: Actor,
    other_employer: Actor,
    company: Company,
    other_company: Company,
    job: Job,
    job_b: Job,
) -> None:
    await reader.warm(
        (f"{JOBS}/{job_b.id}", ANONYMOUS),
        (f"{COMPANY}/{company.id}", ANONYMOUS),
        (f"{COMPANY}/{other_company.id}", ANONYMOUS),
        (DASHBOARD, candidate),
        (DASHBOARD, other_employer),
    )
    await call_ok(client, "PATCH", f"{JOBS}/{job.id}/status", employer, {"status": "closed"})
    page, _ = await reader.read(f"{COMPANY}/{company.id}", ANONYMOUS)
    assert page["published_jobs_count"] == 0
    dashboard, _ = await reader.read(DASHBOARD, candidate)
    assert {s["title"]: s["value"] for s in dashboard["stats"]}["Open jobs"] == "1"
    assert await reader.cached(f"{JOBS}/{job_b.id}", ANONYMOUS)
    assert await reader.cached(f"{COMPANY}/{other_company.id}", ANONYMOUS)
    assert await reader.cached(DASHBOARD, other_employer)


async def test_application_status_change(
    reader: Reader,
    client: AsyncClient,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    other_employer: Actor,
    job: Job,
) -> None:
    application_id = await apply_ok(client, candidate, job.id)
    await apply_ok(client, other_candidate, job.id)
    await reader.warm(
        (f"{JOBS}/{job.id}", ANONYMOUS),
        (JOBS, ANONYMOUS),
        (DASHBOARD, candidate),
        (DASHBOARD, other_candidate),
        (DASHBOARD, employer),
        (DASHBOARD, other_employer),
        (MY_APPLICATIONS, candidate),
        (MY_APPLICATIONS, other_candidate),
    )
    path = f"{EMPLOYER_APPLICATIONS}/{application_id}/status"
    await call_ok(client, "PUT", path, employer, {"status": "interview"})
    applications, _ = await reader.read(MY_APPLICATIONS, candidate)
    assert applications["applications"][0]["status"] == "interview"
    assert not await reader.cached(DASHBOARD, candidate)
    assert not await reader.cached(DASHBOARD, employer)
    assert await reader.cached(f"{JOBS}/{job.id}", ANONYMOUS)
    assert await reader.cached(JOBS, ANONYMOUS)
    assert await reader.cached(DASHBOARD, other_candidate)
    assert await reader.cached(MY_APPLICATIONS, other_candidate)
    assert await reader.cached(DASHBOARD, other_employer)


async def test_notes_renew_nothing(
    reader: Reader, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
) -> None:
    """No cached page shows an employer's note."""
    application_id = await apply_ok(client, candidate, job.id)
    await reader.warm((DASHBOARD, candidate), (DASHBOARD, employer), (MY_APPLICATIONS, candidate))
    path = f"{EMPLOYER_APPLICATIONS}/{application_id}/notes"
    await call_ok(client, "PUT", path, employer, {"notes": "Strong candidate"})
    assert await reader.cached(DASHBOARD, candidate)
    assert await reader.cached(DASHBOARD, employer)
    assert await reader.cached(MY_APPLICATIONS, candidate)


async def test_profile_change_renews_that_dashboard_only(
    reader: Reader, client: AsyncClient, candidate: Actor, other_candidate: Actor, job: Job
) -> None:
    await reader.warm(
        (DASHBOARD, candidate), (DASHBOARD, other_candidate), (f"{JOBS}/{job.id}", ANONYMOUS)
    )
    await call_ok(client, "PUT", "/api/candidates/profile", candidate, {"phone": "+33 6 12"})
    assert not await reader.cached(DASHBOARD, candidate)
    assert await reader.cached(DASHBOARD, other_candidate)
    assert await reader.cached(f"{JOBS}/{job.id}", ANONYMOUS)


async def test_company_edit_renews_its_jobs_only(
    reader: Reader,
    client: AsyncClient,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    other_company: Company,
    job: Job,
    job_b: Job,
) -> None:
    await apply_ok(client, candidate, job.id)
    await apply_ok(client, other_candidate, job_b.id)
    await reader.warm(
        (f"{JOBS}/{job.id}", ANONYMOUS),
        (f"{JOBS}/{job_b.id}", ANONYMOUS),
        (f"{COMPANY}/{other_company.id}", ANONYMOUS),
        (MY_APPLICATIONS, candidate),
        (MY_APPLICATIONS, other_candidate),
    )
    await call_ok(client, "PUT", "/api/companies/my-company", employer, {"name": "Acme Renamed"})
    detail, _ = await reader.read(f"{JOBS}/{job.id}", ANONYMOUS)
    assert detail["company_name"] == "Acme Renamed"
    applications, _ = await reader.read(MY_APPLICATIONS, candidate)
    assert applications["applications"][0]["job"]["company_name"] == "Acme Renamed"
    assert await reader.cached(f"{JOBS}/{job_b.id}", ANONYMOUS)
    assert await reader.cached(f"{COMPANY}/{other_company.id}", ANONYMOUS)
    assert await reader.cached(MY_APPLICATIONS, other_candidate)
