"""POST /api/jobs/create."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from intowork.models.enums import JobStatus
from tests.jobs.conftest import (
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    INVALID_BODIES,
    JOB_ITEM_KEYS,
    Actor,
    employer_actor,
    fetch_job,
    is_recent,
    job_body,
    list_jobs,
    post_job,
    post_job_ok,
)

CREATE = "/api/jobs/create"


class TestCreate:
    async def test_published_by_default(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, company: Company
    ) -> None:
        data = await post_job_ok(client, owner)
        assert set(data) == JOB_ITEM_KEYS
        posted_at = data.pop("posted_at")
        assert is_recent(posted_at)
        assert data == {
            "id": data["id"],
            "title": "Backend engineer",
            "description": "Build the IntoWork API in Python.",
            "company_name": "Acme Industries",
            "company_logo_url": "https://cdn.example.com/acme.png",
            "location": "Paris",
            "location_type": "hybrid",
            "job_type": "full_time",
            "salary_min": 50000,
            "salary_max": 60000,
            "currency": "EUR",
            "is_featured": False,
            "views_count": 0,
            "applications_count": 0,
            "has_applied": False,
            "status": "published",
        }
        job = await fetch_job(session, data["id"])
        assert job is not None
        assert owner.employer is not None
        assert (job.employer_id, job.company_id) == (owner.employer.id, company.id)
        assert (job.requirements, job.responsibilities, job.benefits) == (
            "Python, SQL",
            "Ship features",
            "Remote days",
        )
        assert job.status is JobStatus.PUBLISHED
        assert [item["id"] for item in (await list_jobs(client))["jobs"]] == [data["id"]]

    async def test_explicit_published(self, client: AsyncClient, owner: Actor) -> None:
        data = await post_job_ok(client, owner, status="published")
        assert data["status"] == "published"
        assert is_recent(data["posted_at"])

    async def test_draft(self, client: AsyncClient, owner: Actor) -> None:
        data = await post_job_ok(client, owner, status="draft")
        assert (data["status"], data["posted_at"]) == ("draft", None)
        assert (await list_jobs(client))["total"] == 0

    async def test_full_description(self, client: AsyncClient, owner: Actor) -> None:
        description = "Long text. " * 100
        data = await post_job_ok(client, owner, description=description)
        assert data["description"] == description.strip()

    async def test_optionals_omitted(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        body = {
            "title": "Minimal",
            "description": "Just enough.",
            "location_type": "remote",
            "job_type": "internship",
        }
        response = await client.post(CREATE, json=body, headers=owner.headers)
        assert response.status_code == 201, response.text
        data = response.json()
        assert (data["location"], data["salary_min"], data["salary_max"]) == (None, None, None)
        assert data["currency"] == "EUR"
        job = await fetch_job(session, data["id"])
        assert job is not None
        assert (job.requirements, job.responsibilities, job.benefits) == (None, None, None)

    async def test_strings_trimmed(self, client: AsyncClient, owner: Actor) -> None:
        data = await post_job_ok(client, owner, title="  Backend engineer  ", location=" Lyon ")
        assert (data["title"], data["location"]) == ("Backend engineer", "Lyon")

    @pytest.mark.parametrize(
        "overrides",
        [
            {"currency": "USD"},
            {"salary_min": 50000, "salary_max": 50000},
            {"salary_min": 0, "salary_max": 0},
            {"salary_min": 40000, "salary_max": None},
            {"salary_min": None, "salary_max": 40000},
            {"title": "t" * 200},
            {"description": "d" * 20000},
            {"location": "l" * 200},
            {"requirements": "r" * 20000},
            {"unknown_key": "ignored"},
        ],
    )
    async def test_accepted(
        self, client: AsyncClient, owner: Actor, overrides: dict[str, Any]
    ) -> None:
        response = await post_job(client, owner, **overrides)
        assert response.status_code == 201, response.text


class TestCreateValidation:
    @pytest.mark.parametrize("overrides", INVALID_BODIES)
    async def test_invalid(
        self, client: AsyncClient, owner: Actor, overrides: dict[str, Any]
    ) -> None:
        response = await post_job(client, owner, **overrides)
        assert response.status_code == 422, response.text
        assert isinstance(response.json()["detail"], list)
        page = await list_jobs(client, owner, path="/api/jobs/my-jobs")
        assert page["total"] == 0

    async def test_not_json(self, client: AsyncClient, owner: Actor) -> None:
        response = await client.post(
            CREATE, content=b"title=x", headers={**owner.headers, "Content-Type": "text/plain"}
        )
        assert response.status_code == 422


class TestCreateAccess:
    async def test_without_company(self, client: AsyncClient, session: AsyncSession) -> None:
        loner = await employer_actor(client, session, None)
        response = await post_job(client, loner)
        assert response.status_code == 400
        assert response.json() == {"detail": "Create or join a company before posting jobs"}

    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.post(CREATE, json=job_body())
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_candidate(self, client: AsyncClient, candidate: Actor) -> None:
        response = await post_job(client, candidate)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED

    async def test_admin(self, client: AsyncClient, admin: Actor) -> None:
        response = await post_job(client, admin)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
