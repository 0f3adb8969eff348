"""DELETE /api/jobs/{job_id}."""

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import JobStatus
from tests.fixtures.factories import make_application, make_candidate
from tests.jobs.conftest import (
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    NOT_FOUND,
    NOT_OWNER,
    Actor,
    add_job,
    fetch_job,
    list_jobs,
)


async def delete_job(client: AsyncClient, actor: Actor, job_id: int | str) -> Response:
    return await client.delete(f"/api/jobs/{job_id}", headers=actor.headers)


@pytest.fixture
async def job_id(session: AsyncSession, owner: Actor) -> int:
    assert owner.employer is not None
    return (await add_job(session, owner.employer)).id


class TestDelete:
    @pytest.mark.parametrize("status", list(JobStatus))
    async def test_without_applications(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, status: JobStatus
    ) -> None:
        assert owner.employer is not None
        job = await add_job(session, owner.employer, status=status)
        response = await delete_job(client, owner, job.id)
        assert response.status_code == 204, response.text
        assert response.content == b""
        assert await fetch_job(session, job.id) is None
        again = await client.get(f"/api/jobs/{job.id}", headers=owner.headers)
        assert (again.status_code, again.json()) == (404, NOT_FOUND)
        assert (await list_jobs(client))["total"] == 0

    async def test_with_applications(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, job_id: int
    ) -> None:
        job = await fetch_job(session, job_id)
        assert job is not None
        await make_application(session, job=job, candidate=await make_candidate(session))
        response = await delete_job(client, owner, job_id)
        assert response.status_code == 409
        assert response.json() == {"detail": "Job has applications; close or archive it instead"}
        assert await fetch_job(session, job_id) is not None

    async def test_twice(self, client: AsyncClient, owner: Actor, job_id: int) -> None:
        assert (await delete_job(client, owner, job_id)).status_code == 204
        response = await delete_job(client, owner, job_id)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


class TestDeleteAccess:
    async def test_same_company_employer(
        self, client: AsyncClient, session: AsyncSession, job_id: int, colleague: Actor
    ) -> None:
        response = await delete_job(client, colleague, job_id)
        assert (response.status_code, response.json()) == (403, NOT_OWNER)
        assert await fetch_job(session, job_id) is not None

    async def test_other_employer(
        self, client: AsyncClient, session: AsyncSession, job_id: int, outsider: Actor
    ) -> None:
        response = await delete_job(client, outsider, job_id)
        assert (response.status_code, response.json()) == (403, NOT_OWNER)
        assert await fetch_job(session, job_id) is not None

    async def test_candidate(self, client: AsyncClient, job_id: int, candidate: Actor) -> None:
        response = await delete_job(client, candidate, job_id)
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_admin(self, client: AsyncClient, job_id: int, admin: Actor) -> None:
        response = await delete_job(client, admin, job_id)
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_anonymous(self, client: AsyncClient, session: AsyncSession, job_id: int) -> None:
        response = await client.delete(f"/api/jobs/{job_id}")
        assert (response.status_code, response.json()) == (401, AUTH_REQUIRED)
        assert await fetch_job(session, job_id) is not None

    async def test_missing(self, client: AsyncClient, owner: Actor) -> None:
        response = await delete_job(client, owner, 424242)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    @pytest.mark.parametrize("bad_id", ["0", "-1", "abc"])
    async def test_malformed_id(self, client: AsyncClient, owner: Actor, bad_id: str) -> None:
        assert (await delete_job(client, owner, bad_id)).status_code == 422
