"""PUT /api/jobs/{job_id}: full replacement by the owner."""

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tests.jobs.conftest import (
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    INVALID_BODIES,
    JOB_ITEM_KEYS,
    NOT_FOUND,
    NOT_OWNER,
    Actor,
    fetch_job,
    job_body,
    list_jobs,
    post_job_ok,
    titles,
)

MINIMAL = {
    "title": "Renamed",
    "description": "New description.",
    "location_type": "on_site",
    "job_type": "part_time",
}


async def put_job(client: AsyncClient, actor: Actor, job_id: int, body: dict) -> Response:
    return await client.put(f"/api/jobs/{job_id}", json=body, headers=actor.headers)


class TestUpdate:
    async def test_full_replacement(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        created = await post_job_ok(client, owner, currency="USD")
        response = await put_job(client, owner, created["id"], MINIMAL)
        assert response.status_code == 200, response.text
        data = response.json()
        assert set(data) == JOB_ITEM_KEYS
        assert data == {
            **created,
            "title": "Renamed",
            "description": "New description.",
            "location": None,
            "location_type": "on_site",
            "job_type": "part_time",
            "salary_min": None,
            "salary_max": None,
            "currency": "EUR",
        }
        job = await fetch_job(session, created["id"])
        assert job is not None
        assert (job.title, job.location, job.currency) == ("Renamed", None, "EUR")
        assert (job.requirements, job.responsibilities, job.benefits) == (None, None, None)

    async def test_every_field(self, client: AsyncClient, owner: Actor) -> None:
        created = await post_job_ok(client, owner)
        body = job_body(
            title="Lead engineer",
            location="Nantes",
            location_type="remote",
            job_type="contract",
            salary_min=70000,
            salary_max=90000,
            currency="CHF",
            requirements="Leadership",
        )
        data = (await put_job(client, owner, created["id"], body)).json()
        assert {key: data[key] for key in ("title", "location", "currency", "salary_max")} == {
            "title": "Lead engineer",
            "location": "Nantes",
            "currency": "CHF",
            "salary_max": 90000,
        }
        detail = (await client.get(f"/api/jobs/{created['id']}", headers=owner.headers)).json()
        assert detail["requirements"] == "Leadership"
        assert detail["salary_range"] == "70000 - 90000 CHF"

    @pytest.mark.parametrize("status", ["draft", "closed", "archived", "published"])
    async def test_status_key_ignored(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, status: str
    ) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, owner, created["id"], {**MINIMAL, "status": status})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "published"
        assert response.json()["posted_at"] == created["posted_at"]
        job = await fetch_job(session, created["id"])
        assert job is not None
        assert job.status.value == "published"

    async def test_draft_stays_draft(self, client: AsyncClient, owner: Actor) -> None:
        created = await post_job_ok(client, owner, status="draft")
        data = (await put_job(client, owner, created["id"], MINIMAL)).json()
        assert (data["status"], data["posted_at"]) == ("draft", None)

    async def test_search_follows(self, client: AsyncClient, owner: Actor) -> None:
        created = await post_job_ok(client, owner, title="Boulanger", description="Pain.")
        await put_job(client, owner, created["id"], {**MINIMAL, "title": "Pâtissier"})
        assert titles(await list_jobs(client, search="patissier")) == {"Pâtissier"}
        assert titles(await list_jobs(client, search="boulanger")) == set()

    @pytest.mark.parametrize("overrides", [o for o in INVALID_BODIES if "status" not in o])
    async def test_invalid(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, overrides: dict[str, Any]
    ) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, owner, created["id"], job_body(**overrides))
        assert response.status_code == 422, response.text
        job = await fetch_job(session, created["id"])
        assert job is not None
        assert job.title == "Backend engineer"


class TestUpdateAccess:
    async def test_same_company_employer(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, colleague: Actor
    ) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, colleague, created["id"], MINIMAL)
        assert (response.status_code, response.json()) == (403, NOT_OWNER)
        job = await fetch_job(session, created["id"])
        assert job is not None
        assert job.title == "Backend engineer"

    async def test_other_employer(self, client: AsyncClient, owner: Actor, outsider: Actor) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, outsider, created["id"], MINIMAL)
        assert (response.status_code, response.json()) == (403, NOT_OWNER)

    async def test_candidate(self, client: AsyncClient, owner: Actor, candidate: Actor) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, candidate, created["id"], MINIMAL)
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_admin(self, client: AsyncClient, owner: Actor, admin: Actor) -> None:
        created = await post_job_ok(client, owner)
        response = await put_job(client, admin, created["id"], MINIMAL)
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_anonymous(self, client: AsyncClient, owner: Actor) -> None:
        created = await post_job_ok(client, owner)
        response = await client.put(f"/api/jobs/{created['id']}", json=MINIMAL)
        assert (response.status_code, response.json()) == (401, AUTH_REQUIRED)

    async def test_missing(self, client: AsyncClient, owner: Actor) -> None:
        response = await put_job(client, owner, 424242, MINIMAL)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    @pytest.mark.parametrize("job_id", ["0", "-1", "abc"])
    async def test_malformed_id(self, client: AsyncClient, owner: Actor, job_id: str) -> None:
        response = await client.put(f"/api/jobs/{job_id}", json=MINIMAL, headers=owner.headers)
        assert response.status_code == 422
