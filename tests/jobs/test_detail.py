"""GET /api/jobs/{job_id}: JobDetailResponse, visibility and views."""

import asyncio
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Job
from intowork.models.enums import JobLocation, JobStatus, JobType
from tests.fixtures.factories import make_application, make_candidate, make_company, make_employer
from tests.jobs.conftest import (
    ANONYMOUS,
    JOB_DETAIL_KEYS,
    NOT_FOUND,
    Actor,
    add_job,
    fetch_job,
    utc,
)


async def owned_job(session: AsyncSession, owner: Actor, **values: object) -> Job:
    assert owner.employer is not None
    return await add_job(session, owner.employer, **values)  # type: ignore[arg-type]


async def flush(app: FastAPI) -> None:
    await app.state.job_views.flush()


async def stored_views(session: AsyncSession, job_id: int) -> int:
    stored = await fetch_job(session, job_id)
    assert stored is not None
    await session.commit()  # a fresh snapshot next time
    return stored.views_count


async def get_job(client: AsyncClient, job_id: int | str, actor: Actor = ANONYMOUS) -> dict:
    response = await client.get(f"/api/jobs/{job_id}", headers=actor.headers)
    assert response.status_code == 200, response.text
    data: dict = response.json()
    assert set(data) == JOB_DETAIL_KEYS, sorted(data)
    return data


class TestDetailShape:
    async def test_exact_keys_and_values(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        description = "Full description. " * 40
        job = await owned_job(
            session,
            owner,
            title="Data engineer",
            description=description,
            requirements="SQL",
            responsibilities="Pipelines",
            benefits="Lunch",
            location="Lyon",
            location_type=JobLocation.REMOTE,
            job_type=JobType.CONTRACT,
            salary_min=40000,
            salary_max=55000,
            currency="USD",
            is_featured=True,
        )
        data = await get_job(client, job.id, owner)  # the owner's read does not count a view
        assert job.posted_at is not None
        assert abs(utc(data.pop("posted_at")) - job.posted_at) < timedelta(seconds=1)
        assert abs(utc(data.pop("created_at")) - job.created_at) < timedelta(seconds=1)
        assert data == {
            "id": job.id,
            "title": "Data engineer",
            "description": description,
            "company_name": "Acme Industries",
            "company_logo_url": "https://cdn.example.com/acme.png",
            "company_description": "We make everything.",
            "company_industry": "Manufacturing",
            "company_size": "11-50",
            "location": "Lyon",
            "location_type": "remote",
            "job_type": "contract",
            "employment_type": "contract",
            "salary_min": 40000,
            "salary_max": 55000,
            "salary_range": "40000 - 55000 USD",
            "currency": "USD",
            "requirements": "SQL",
            "responsibilities": "Pipelines",
            "benefits": "Lunch",
            "is_featured": True,
            "views_count": 0,
            "applications_count": 0,
            "has_applied": False,
            "status": "published",
        }

    async def test_nulls(self, client: AsyncClient, session: AsyncSession) -> None:
        bare = await make_company(session, name="Bare")
        job = await add_job(session, await make_employer(session, company=bare))
        data = await get_job(client, job.id)
        for key in (
            "company_logo_url",
            "company_description",
            "company_industry",
            "company_size",
            "requirements",
            "responsibilities",
            "benefits",
            "location",
            "salary_min",
            "salary_max",
            "salary_range",
        ):
            assert data[key] is None, key
        assert (data["currency"], data["employment_type"]) == ("EUR", "full_time")

    @pytest.mark.parametrize(
        ("salary_min", "salary_max", "currency", "expected"),
        [
            (50000, 60000, "EUR", "50000 - 60000 EUR"),
            (0, 0, "GBP", "0 - 0 GBP"),
            (50000, None, "EUR", None),
            (None, 60000, "EUR", None),
            (None, None, "EUR", None),
        ],
    )
    async def test_salary_range(
        self,
        client: AsyncClient,
        session: AsyncSession,
        company: Company,
        salary_min: int | None,
        salary_max: int | None,
        currency: str,
        expected: str | None,
    ) -> None:
        employer = await make_employer(session, company=company)
        job = await add_job(
            session, employer, salary_min=salary_min, salary_max=salary_max, currency=currency
        )
        assert (await get_job(client, job.id))["salary_range"] == expected

    async def test_applications(
        self, client: AsyncClient, session: AsyncSession, company: Company, candidate: Actor
    ) -> None:
        employer = await make_employer(session, company=company)
        job = await add_job(session, employer)
        assert candidate.candidate is not None
        await make_application(session, job=job, candidate=candidate.candidate)
        await make_application(session, job=job, candidate=await make_candidate(session))
        mine = await get_job(client, job.id, candidate)
        assert (mine["applications_count"], mine["has_applied"]) == (2, True)
        anonymous = await get_job(client, job.id)
        assert (anonymous["applications_count"], anonymous["has_applied"]) == (2, False)


class TestDetailVisibility:
    async def test_published_for_everyone(
        self,
        client: AsyncClient,
        session: AsyncSession,
        owner: Actor,
        colleague: Actor,
        outsider: Actor,
        candidate: Actor,
        admin: Actor,
    ) -> None:
        job = await owned_job(session, owner)
        for actor in (ANONYMOUS, candidate, colleague, outsider, admin, owner):
            assert (await get_job(client, job.id, actor))["id"] == job.id

    @pytest.mark.parametrize("status", [JobStatus.DRAFT, JobStatus.CLOSED, JobStatus.ARCHIVED])
    async def test_unpublished_for_the_owner_only(
        self,
        client: AsyncClient,
        session: AsyncSession,
        owner: Actor,
        colleague: Actor,
        outsider: Actor,
        candidate: Actor,
        admin: Actor,
        status: JobStatus,
    ) -> None:
        job = await owned_job(session, owner, status=status)
        for name, actor in [
            ("anonymous", ANONYMOUS),
            ("candidate", candidate),
            ("same-company employer", colleague),
            ("other employer", outsider),
            ("admin", admin),
        ]:
            response = await client.get(f"/api/jobs/{job.id}", headers=actor.headers)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), name
        data = await get_job(client, job.id, owner)
        assert data["status"] == status.value

    async def test_invalid_token_is_anonymous(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        job = await owned_job(session, owner)
        response = await client.get(
            f"/api/jobs/{job.id}", headers={"Authorization": "Bearer garbage"}
        )
        assert response.status_code == 200
        assert response.json()["has_applied"] is False

    async def test_missing(self, client: AsyncClient) -> None:
        response = await client.get("/api/jobs/424242")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    @pytest.mark.parametrize("job_id", ["0", "-1", "abc", "1.5", "99999999999"])
    async def test_malformed_id(self, client: AsyncClient, job_id: str) -> None:
        response = await client.get(f"/api/jobs/{job_id}")
        assert response.status_code == 422, response.text
        assert isinstance(response.json()["detail"], list)


class TestDetailViews:
    """Views are buffered (jobs/views.py) and written by the flusher; these tests flush."""

    async def test_anonymous_reads_count(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, owner: Actor
    ) -> None:
        job = await owned_job(session, owner)
        await get_job(client, job.id)
        await get_job(client, job.id)
        assert await stored_views(session, job.id) == 0, "not written on the read path"
        await flush(app)
        assert await stored_views(session, job.id) == 2

    async def test_concurrent_reads_all_count(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, owner: Actor
    ) -> None:
        job = await owned_job(session, owner)
        responses = await asyncio.gather(*(client.get(f"/api/jobs/{job.id}") for _ in range(10)))
        assert [response.status_code for response in responses] == [200] * 10
        await flush(app)
        assert await stored_views(session, job.id) == 10

    async def test_signed_in_non_owners_count(
        self,
        client: AsyncClient,
        session: AsyncSession,
        app: FastAPI,
        owner: Actor,
        colleague: Actor,
        candidate: Actor,
    ) -> None:
        job = await owned_job(session, owner)
        await get_job(client, job.id, candidate)
        await get_job(client, job.id, colleague)
        await flush(app)
        assert await stored_views(session, job.id) == 2

    @pytest.mark.parametrize("status", [JobStatus.PUBLISHED, JobStatus.DRAFT])
    async def test_owner_reads_do_not_count(
        self,
        client: AsyncClient,
        session: AsyncSession,
        app: FastAPI,
        owner: Actor,
        status: JobStatus,
    ) -> None:
        job = await owned_job(session, owner, status=status, views_count=5)
        await get_job(client, job.id, owner)
        await get_job(client, job.id, owner)
        await flush(app)
        assert await stored_views(session, job.id) == 5
        assert (await get_job(client, job.id, owner))["views_count"] == 5

    async def test_hidden_reads_do_not_count(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, owner: Actor
    ) -> None:
        job = await owned_job(session, owner, status=JobStatus.DRAFT)
        response = await client.get(f"/api/jobs/{job.id}")
        assert response.status_code == 404
        await flush(app)
        assert await stored_views(session, job.id) == 0

    async def test_owner_sees_the_flushed_count(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, owner: Actor
    ) -> None:
        job = await owned_job(session, owner)
        for _ in range(3):
            await get_job(client, job.id)
        assert (await get_job(client, job.id, owner))["views_count"] == 0, "lags until a flush"
        await flush(app)
        assert (await get_job(client, job.id, owner))["views_count"] == 3
