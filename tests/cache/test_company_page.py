"""GET /api/companies/{id} through the cache (API.md 7): served without the database on a hit,
renewed by writes to the company or its jobs. Both databases, both backends."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Job
from tests.cache.conftest import JOBS, Actor, call_ok, get_ok, job_body
from tests.fixtures.factories import make_company

MY_COMPANY = "/api/companies/my-company"


def path_of(company: Company) -> str:
    return f"/api/companies/{company.id}"


async def warm(client: AsyncClient, count_statements: Any, company: Company) -> dict[str, Any]:
    first = await get_ok(client, path_of(company))
    with count_statements() as log:
        second = await get_ok(client, path_of(company))
    assert log.count == 0, log
    assert second == first
    return second


class TestHitAndMiss:
    async def test_miss_then_hit(
        self, client: AsyncClient, count_statements: Any, company: Company, job: Job
    ) -> None:
        with count_statements() as log:
            first = await get_ok(client, path_of(company))
        assert log.count >= 1
        assert (first["name"], first["published_jobs_count"]) == ("Acme Industries", 1)
        assert await warm(client, count_statements, company) == first

    async def test_companies_apart(
        self, client: AsyncClient, session: AsyncSession, count_statements: Any, company: Company
    ) -> None:
        other = await make_company(session, name="Globex")
        await warm(client, count_statements, company)
        with count_statements() as log:
            page = await get_ok(client, path_of(other))
        assert log.count >= 1, "another company is another entry"
        assert page["name"] == "Globex"
        assert (await warm(client, count_statements, other))["name"] == "Globex"
        assert (await get_ok(client, path_of(company)))["name"] == "Acme Industries"

    async def test_not_found_is_not_cached(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        """A 404 is not remembered: the company that gets that id next is found at once."""
        response = await client.get(f"/api/companies/{company.id + 1}")
        assert (response.status_code, response.json()) == (404, {"detail": "Company not found"})
        created = await make_company(session, name="Initech")  # no API write: no version bump
        assert created.id == company.id + 1
        assert (await get_ok(client, path_of(created)))["name"] == "Initech"


class TestInvalidation:
    async def test_company_update(
        self, client: AsyncClient, count_statements: Any, company: Company, employer: Actor
    ) -> None:
        await warm(client, count_statements, company)
        changes = {"name": "Acme Renamed", "city": "Lyon"}
        await call_ok(client, "PUT", MY_COMPANY, employer, changes)
        page = await get_ok(client, path_of(company))
        assert (page["name"], page["city"]) == ("Acme Renamed", "Lyon")

    async def test_job_published_closed_deleted(
        self,
        client: AsyncClient,
        count_statements: Any,
        company: Company,
        employer: Actor,
    ) -> None:
        assert (await warm(client, count_statements, company))["published_jobs_count"] == 0
        created = await call_ok(client, "POST", "/api/jobs/create", employer, job_body())
        job_id = created.json()["id"]
        assert (await warm(client, count_statements, company))["published_jobs_count"] == 1
        await call_ok(client, "PATCH", f"{JOBS}/{job_id}/status", employer, {"status": "closed"})
        assert (await warm(client, count_statements, company))["published_jobs_count"] == 0
        await call_ok(client, "PATCH", f"{JOBS}/{job_id}/status", employer, {"status": "published"})
        assert (await warm(client, count_statements, company))["published_jobs_count"] == 1
        await call_ok(client, "PATCH", f"{JOBS}/{job_id}/status", employer, {"status": "closed"})
        await call_ok(client, "DELETE", f"{JOBS}/{job_id}", employer)
        assert (await get_ok(client, path_of(company)))["published_jobs_count"] == 0
