"""PATCH /api/jobs/{job_id}/status: the lifecycle."""

from datetime import UTC, datetime

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import JobStatus
from tests.jobs.conftest import (
    ALL_STATUSES,
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    JOB_ITEM_KEYS,
    NOT_FOUND,
    NOT_OWNER,
    Actor,
    add_job,
    fetch_job,
    ids,
    is_recent,
    list_jobs,
    post_job_ok,
    set_job,
    utc,
)

ALLOWED = {
    ("draft", "published"),
    ("published", "closed"),
    ("closed", "published"),
    ("closed", "archived"),
}
FIRST_POSTED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


async def patch_status(client: AsyncClient, actor: Actor, job_id: int, status: str) -> Response:
    return await client.patch(
        f"/api/jobs/{job_id}/status", json={"status": status}, headers=actor.headers
    )


class TestStatusTransitions:
    @pytest.mark.parametrize(
        ("source", "target"), [(s, t) for s in ALL_STATUSES for t in ALL_STATUSES]
    )
    async def test_transition(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, source: str, target: str
    ) -> None:
        assert owner.employer is not None
        posted_at = None if source == "draft" else FIRST_POSTED
        job = await add_job(session, owner.employer, status=JobStatus(source), posted_at=posted_at)
        response = await patch_status(client, owner, job.id, target)
        stored = await fetch_job(session, job.id)
        assert stored is not None
        if (source, target) in ALLOWED or source == target:
            assert response.status_code == 200, response.text
            data = response.json()
            assert set(data) == JOB_ITEM_KEYS
            assert (data["id"], data["status"], data["has_applied"]) == (job.id, target, False)
            assert stored.status.value == target
        else:
            assert response.status_code == 409, response.text
            assert response.json() == {
                "detail": f"Cannot change job status from {source} to {target}"
            }
            assert stored.status.value == source

    async def test_first_publication_sets_posted_at(
        self, client: AsyncClient, owner: Actor
    ) -> None:
        created = await post_job_ok(client, owner, status="draft")
        assert created["posted_at"] is None
        data = (await patch_status(client, owner, created["id"], "published")).json()
        assert is_recent(data["posted_at"])
        assert ids(await list_jobs(client)) == [created["id"]]

    async def test_republish_keeps_first_posted_at(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        created = await post_job_ok(client, owner)
        await set_job(session, created["id"], posted_at=FIRST_POSTED)
        closed = await patch_status(client, owner, created["id"], "closed")
        assert closed.status_code == 200, closed.text
        assert utc(closed.json()["posted_at"]) == FIRST_POSTED
        assert (await list_jobs(client))["total"] == 0
        republished = await patch_status(client, owner, created["id"], "published")
        assert republished.status_code == 200, republished.text
        assert utc(republished.json()["posted_at"]) == FIRST_POSTED
        stored = await fetch_job(session, created["id"])
        assert stored is not None
        assert stored.posted_at == FIRST_POSTED
        assert ids(await list_jobs(client)) == [created["id"]]

    async def test_same_status_is_a_no_op(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        created = await post_job_ok(client, owner)
        await set_job(session, created["id"], posted_at=FIRST_POSTED)
        response = await patch_status(client, owner, created["id"], "published")
        assert response.status_code == 200
        assert utc(response.json()["posted_at"]) == FIRST_POSTED

    @pytest.mark.parametrize(
        "body", [{"status": "open"}, {"status": "PUBLISHED"}, {}, {"status": None}]
    )
    async def test_unknown_status(
        self, client: AsyncClient, owner: Actor, body: dict[str, object]
    ) -> None:
        created = await post_job_ok(client, owner)
        response = await client.patch(
            f"/api/jobs/{created['id']}/status", json=body, headers=owner.headers
        )
        assert response.status_code == 422


class TestStatusAccess:
    @pytest.fixture
    async def job_id(self, client: AsyncClient, owner: Actor) -> int:
        job_id: int = (await post_job_ok(client, owner))["id"]
        return job_id

    async def test_same_company_employer(
        self, client: AsyncClient, session: AsyncSession, job_id: int, colleague: Actor
    ) -> None:
        response = await patch_status(client, colleague, job_id, "closed")
        assert (response.status_code, response.json()) == (403, NOT_OWNER)
        stored = await fetch_job(session, job_id)
        assert stored is not None
        assert stored.status is JobStatus.PUBLISHED

    async def test_other_employer(self, client: AsyncClient, job_id: int, outsider: Actor) -> None:
        response = await patch_status(client, outsider, job_id, "closed")
        assert (response.status_code, response.json()) == (403, NOT_OWNER)

    async def test_candidate(self, client: AsyncClient, job_id: int, candidate: Actor) -> None:
        response = await patch_status(client, candidate, job_id, "closed")
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_admin(self, client: AsyncClient, job_id: int, admin: Actor) -> None:
        response = await patch_status(client, admin, job_id, "closed")
        assert (response.status_code, response.json()) == (403, EMPLOYER_REQUIRED)

    async def test_anonymous(self, client: AsyncClient, job_id: int) -> None:
        response = await client.patch(f"/api/jobs/{job_id}/status", json={"status": "closed"})
        assert (response.status_code, response.json()) == (401, AUTH_REQUIRED)

    async def test_missing(self, client: AsyncClient, owner: Actor) -> None:
        response = await patch_status(client, owner, 424242, "closed")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
