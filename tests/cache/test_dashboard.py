"""GET /api/dashboard through the cache (API.md 8): per user, served without a query on a hit,
renewed by the events that change it. Both databases, both backends."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Candidate, Company, Job
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
from tests.fixtures.factories import make_application


async def warm(client: AsyncClient, count_statements: Any, actor: Actor) -> dict[str, Any]:
    """Two reads: the second comes from the cache (no query but the caller's own user row)."""
    first = await get_ok(client, DASHBOARD, actor)
    with count_statements() as log:
        second = await get_ok(client, DASHBOARD, actor)
    assert reads(log) == [], log
    assert second == first
    return second


def stat(dashboard: dict[str, Any], title: str) -> str:
    values = {entry["title"]: entry["value"] for entry in dashboard["stats"]}
    return values[title]


class TestHitAndMiss:
    async def test_miss_then_hit(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
    ) -> None:
        with count_statements() as log:
            first = await get_ok(client, DASHBOARD, candidate)
        assert reads(log), log
        assert stat(first, "Open jobs") == "1"
        assert await warm(client, count_statements, candidate) == first

    async def test_per_user(
        self,
        client: AsyncClient,
        session: AsyncSession,
        count_statements: Any,
        candidate: Actor,
        other_candidate: Actor,
        job: Job,
    ) -> None:
        applicant = await session.get(Candidate, candidate.profile_id)
        assert applicant is not None
        await make_application(session, job=job, candidate=applicant)
        mine = await warm(client, count_statements, candidate)
        theirs = await warm(client, count_statements, other_candidate)
        assert (stat(mine, "Applications sent"), stat(theirs, "Applications sent")) == ("1", "0")
        assert len(mine["recentActivities"]) == 1
        assert theirs["recentActivities"] == []


class TestCandidateInvalidation:
    async def test_apply_status_change_withdraw(
        self,
        client: AsyncClient,
        count_statements: Any,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        before = await warm(client, count_statements, candidate)
        assert stat(before, "Applications sent") == "0"
        assert stat(await warm(client, count_statements, employer), "Applications received") == "0"

        application_id = await apply_ok(client, candidate, job.id)
        assert stat(await warm(client, count_statements, candidate), "Applications sent") == "1"
        assert stat(await warm(client, count_statements, employer), "Applications received") == "1"

        status_path = f"{EMPLOYER_APPLICATIONS}/{application_id}/status"
        await call_ok(client, "PUT", status_path, employer, {"status": "interview"})
        assert stat(await warm(client, count_statements, candidate), "Interviews") == "1"
        assert stat(await warm(client, count_statements, employer), "Interviews") == "1"

        await call_ok(client, "DELETE", f"{MY_APPLICATIONS}/{application_id}", candidate)
        after = await get_ok(client, DASHBOARD, candidate)
        assert (stat(after, "Applications sent"), stat(after, "Interviews")) == ("0", "0")

    async def test_profile_change(
        self, client: AsyncClient, count_statements: Any, candidate: Actor
    ) -> None:
        before = (await warm(client, count_statements, candidate))["profileCompletion"]
        changes = {"phone": "+33 1 23 45 67 89", "title": "Engineer", "location": "Paris"}
        await call_ok(client, "PUT", "/api/candidates/profile", candidate, changes)
        after = await get_ok(client, DASHBOARD, candidate)
        assert after["profileCompletion"] > before
        assert stat(after, "Profile completion") == f"{after['profileCompletion']}%"

    async def test_job_published(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, employer: Actor
    ) -> None:
        assert stat(await warm(client, count_statements, candidate), "Open jobs") == "0"
        await call_ok(client, "POST", "/api/jobs/create", employer, job_body())
        assert stat(await get_ok(client, DASHBOARD, candidate), "Open jobs") == "1"


class TestEmployerInvalidation:
    async def test_company_create(
        self,
        client: AsyncClient,
        session: AsyncSession,
        settings: Settings,
        count_statements: Any,
    ) -> None:
        newcomer = await new_actor(session, settings, UserRole.EMPLOYER)
        assert (await warm(client, count_statements, newcomer))["profileCompletion"] == 30
        await call_ok(client, "POST", "/api/companies", newcomer, {"name": "Newco"})
        assert (await get_ok(client, DASHBOARD, newcomer))["profileCompletion"] == 100

    async def test_company_join(
        self,
        client: AsyncClient,
        session: AsyncSession,
        settings: Settings,
        count_statements: Any,
    ) -> None:
        founder = await new_actor(session, settings, UserRole.EMPLOYER)
        await call_ok(client, "POST", "/api/companies", founder, {"name": "First"})
        second = await call_ok(client, "POST", "/api/companies", founder, {"name": "Second"})
        second_company = await session.get(Company, second.json()["id"])
        assert second_company is not None
        colleague = await new_actor(session, settings, UserRole.EMPLOYER, company=second_company)
        await add_job(session, colleague)
        assert stat(await warm(client, count_statements, founder), "Active jobs") == "0"
        await call_ok(
            client, "PUT", "/api/employers/me", founder, {"company_id": second_company.id}
        )
        assert stat(await get_ok(client, DASHBOARD, founder), "Active jobs") == "1"

    async def test_job_writes(
        self, client: AsyncClient, count_statements: Any, employer: Actor
    ) -> None:
        assert stat(await warm(client, count_statements, employer), "Active jobs") == "0"
        created = await call_ok(client, "POST", "/api/jobs/create", employer, job_body())
        assert stat(await warm(client, count_statements, employer), "Active jobs") == "1"
        job_id = created.json()["id"]
        await call_ok(client, "PATCH", f"{JOBS}/{job_id}/status", employer, {"status": "closed"})
        assert stat(await get_ok(client, DASHBOARD, employer), "Active jobs") == "0"
