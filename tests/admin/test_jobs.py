"""GET /api/admin/jobs: every status, true application counts, one statement."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer, Job, User
from intowork.models.enums import JobStatus
from tests.admin.conftest import (
    BASE_TIME,
    JOB_ITEM_KEYS,
    CountStatements,
    assert_bad_pages,
    iso,
    set_created_at,
)
from tests.fixtures.actors import Actor
from tests.fixtures.factories import make_application, make_candidate, make_company, make_employer

URL = "/api/admin/jobs"


@pytest.fixture
async def company(session: AsyncSession) -> Company:
    return await make_company(session, name="Analytical Engines")


@pytest.fixture
async def employer(session: AsyncSession, company: Company) -> Employer:
    return await make_employer(session, company=company)


async def dated_job(session: AsyncSession, employer: Employer, minutes: int, **values: Any) -> Job:
    job = Job(
        employer_id=employer.id,
        company_id=employer.company_id,
        title=values.pop("title", f"Job {minutes}"),
        description="Build things.",
        status=values.pop("status", JobStatus.PUBLISHED),
        **values,
    )
    session.add(job)
    await session.commit()
    await set_created_at(session, Job, job.id, BASE_TIME + timedelta(minutes=minutes))
    return job


async def listed(client: AsyncClient, admin: Actor, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(URL, params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


class TestShape:
    async def test_item_with_true_counts(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, employer: Employer
    ) -> None:
        popular = await dated_job(
            session, employer, 1, title="Popular", status=JobStatus.CLOSED, location="Paris"
        )
        quiet = await dated_job(session, employer, 0, title="Quiet", status=JobStatus.DRAFT)
        for _ in range(3):
            await make_application(session, job=popular, candidate=await make_candidate(session))
        poster = await session.get(User, employer.user_id)
        assert poster is not None
        items = await listed(client, admin)
        assert items == [
            {
                "id": popular.id,
                "title": "Popular",
                "company_name": "Analytical Engines",
                "employer_email": poster.email,
                "status": "closed",
                "location": "Paris",
                "applications_count": 3,
                "created_at": iso(BASE_TIME + timedelta(minutes=1)),
            },
            {
                "id": quiet.id,
                "title": "Quiet",
                "company_name": "Analytical Engines",
                "employer_email": poster.email,
                "status": "draft",
                "location": None,
                "applications_count": 0,
                "created_at": iso(BASE_TIME),
            },
        ]
        assert set(items[0]) == JOB_ITEM_KEYS

    async def test_empty(self, client: AsyncClient, admin: Actor) -> None:
        assert await listed(client, admin) == []


class TestFilterOrderPages:
    async def test_status_filter(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, employer: Employer
    ) -> None:
        by_status = {
            status: await dated_job(session, employer, n, status=status)
            for n, status in enumerate(JobStatus)
        }
        extra = await dated_job(session, employer, 10, status=JobStatus.PUBLISHED)
        for status, job in by_status.items():
            expected = [extra.id, job.id] if status is JobStatus.PUBLISHED else [job.id]
            ids = [item["id"] for item in await listed(client, admin, status=status.value)]
            assert ids == expected, status
        assert len(await listed(client, admin)) == 5

    async def test_bad_status(self, client: AsyncClient, admin: Actor) -> None:
        for status in ("open", "PUBLISHED", ""):
            response = await client.get(URL, params={"status": status}, headers=admin.headers)
            assert response.status_code == 422, status

    async def test_newest_first_then_id_desc(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, employer: Employer
    ) -> None:
        old = await dated_job(session, employer, 0)
        tie_a = await dated_job(session, employer, 5)
        tie_b = await dated_job(session, employer, 5)
        new = await dated_job(session, employer, 10)
        ids = [new.id, tie_b.id, tie_a.id, old.id]
        assert [item["id"] for item in await listed(client, admin)] == ids
        assert [item["id"] for item in await listed(client, admin, skip=3, limit=1)] == ids[3:]
        assert await listed(client, admin, skip=4) == []

    async def test_out_of_range(self, client: AsyncClient, admin: Actor) -> None:
        await assert_bad_pages(client, URL, admin.headers)

    async def test_one_statement_for_a_full_page(
        self,
        client: AsyncClient,
        session: AsyncSession,
        admin: Actor,
        company: Company,
        count_statements: CountStatements,
    ) -> None:
        candidates = [await make_candidate(session) for _ in range(2)]
        expected = {}
        for n in range(12):
            job = await dated_job(session, await make_employer(session, company=company), n)
            for candidate in candidates[: n % 3]:
                await make_application(session, job=job, candidate=candidate)
            expected[job.id] = n % 3
        with count_statements() as log:
            response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200
        assert {item["id"]: item["applications_count"] for item in response.json()} == expected
        assert log.count <= 2, log

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, admin: Actor, employer: Employer
    ) -> None:
        await dated_job(session, employer, 0)
        plain = await client.get(URL, params={"status": "published"}, headers=admin.headers)
        slashed = await client.get(URL + "/", params={"status": "published"}, headers=admin.headers)
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json() != []
