"""Paths of the application routes: optional trailing slash, malformed ids (API.md 1.1)."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Job
from tests.applications.conftest import (
    BAD_IDS,
    EMPLOYER,
    MY,
    Actor,
    application_row,
    apply_ok,
)


class TestTrailingSlash:
    async def test_candidate_routes(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await client.post(f"{MY}/", json={"job_id": job.id}, headers=candidate.headers)
        assert created.status_code == 201
        application_id = created.json()["id"]
        listing = await client.get(f"{MY}/", headers=candidate.headers)
        assert listing.status_code == 200
        assert listing.json()["total"] == 1
        detail = await client.get(f"{MY}/{application_id}/", headers=candidate.headers)
        assert detail.status_code == 200
        assert detail.json()["id"] == application_id
        withdrawn = await client.delete(f"{MY}/{application_id}/", headers=candidate.headers)
        assert withdrawn.status_code == 200
        assert await application_row(session, application_id) is None

    async def test_employer_routes(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        application_id = (await apply_ok(client, candidate, job.id))["id"]
        listing = await client.get(f"{EMPLOYER}/", headers=employer.headers)
        assert listing.status_code == 200
        assert listing.json()["total"] == 1
        status = await client.put(
            f"{EMPLOYER}/{application_id}/status/",
            json={"status": "viewed"},
            headers=employer.headers,
        )
        assert status.status_code == 200
        notes = await client.put(
            f"{EMPLOYER}/{application_id}/notes/", json={"notes": "ok"}, headers=employer.headers
        )
        assert notes.status_code == 200
        cv = await client.get(f"{EMPLOYER}/{application_id}/cv/", headers=employer.headers)
        assert cv.status_code == 404
        assert cv.json() == {"detail": "CV not found"}


class TestMalformedIds:
    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_candidate_routes(self, client: AsyncClient, candidate: Actor, bad: str) -> None:
        assert (await client.get(f"{MY}/{bad}", headers=candidate.headers)).status_code == 422
        assert (await client.delete(f"{MY}/{bad}", headers=candidate.headers)).status_code == 422

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_employer_routes(self, client: AsyncClient, employer: Actor, bad: str) -> None:
        headers = employer.headers
        status = await client.put(
            f"{EMPLOYER}/{bad}/status", json={"status": "viewed"}, headers=headers
        )
        assert status.status_code == 422
        notes = await client.put(f"{EMPLOYER}/{bad}/notes", json={"notes": "x"}, headers=headers)
        assert notes.status_code == 422
        assert (await client.get(f"{EMPLOYER}/{bad}/cv", headers=headers)).status_code == 422

    async def test_apply_job_id_text(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.post(MY, json={"job_id": "abc"}, headers=candidate.headers)
        assert response.status_code == 422

    @pytest.mark.parametrize("bad", [0, -1, 99_999_999_999])
    async def test_apply_job_id_out_of_range(
        self, client: AsyncClient, candidate: Actor, bad: int
    ) -> None:
        # Not a path id, so 404 is acceptable too; never a 500 (an int32 overflow on PostgreSQL).
        response = await client.post(MY, json={"job_id": bad}, headers=candidate.headers)
        assert response.status_code in (404, 422), response.text

    async def test_employer_list_huge_job_id(self, client: AsyncClient, employer: Actor) -> None:
        response = await client.get(
            EMPLOYER, params={"job_id": 99_999_999_999}, headers=employer.headers
        )
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            assert response.json()["total"] == 0
