"""GET /api/jobs/{id} through the cache: shared by anonymous callers and candidates, views still
counted on every non-owner read, writes seen by the next read. Both databases, both backends."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Job
from intowork.models.enums import JobStatus
from tests.cache.conftest import (
    ANONYMOUS,
    JOBS,
    MY_APPLICATIONS,
    Actor,
    add_job,
    apply_ok,
    call_ok,
    get_ok,
    job_body,
    job_reads,
    views_in_database,
)

NOT_FOUND = {"detail": "Job not found"}


async def warm(client: AsyncClient, count_statements: Any, job_id: int) -> dict[str, Any]:
    """Two reads: the second comes from the cache (its only statement counts the view)."""
    await get_ok(client, f"{JOBS}/{job_id}")
    with count_statements() as log:
        detail = await get_ok(client, f"{JOBS}/{job_id}")
    assert job_reads(log) == [], log
    assert [s.split()[0].upper() for s in log.statements] == ["UPDATE"], log
    return detail


class TestHitAndMiss:
    async def test_miss_then_hit(
        self, client: AsyncClient, count_statements: Any, job: Job
    ) -> None:
        with count_statements() as log:
            first = await get_ok(client, f"{JOBS}/{job.id}")
        assert len(job_reads(log)) == 1, log
        with count_statements() as log:
            second = await get_ok(client, f"{JOBS}/{job.id}")
        assert job_reads(log) == [], log
        assert second == first | {"views_count": first["views_count"] + 1}

    async def test_candidate_reads_the_shared_entry(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
    ) -> None:
        anonymous = await warm(client, count_statements, job.id)
        with count_statements() as log:
            seen = await get_ok(client, f"{JOBS}/{job.id}", candidate)
        assert job_reads(log) == [], log
        assert seen == anonymous | {"views_count": anonymous["views_count"] + 1}

    async def test_owner_reads_the_database(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        """The owner may see unpublished jobs and adds no view: never served from the cache."""
        await warm(client, count_statements, job.id)
        with count_statements() as log:
            await get_ok(client, f"{JOBS}/{job.id}", employer)
        assert len(job_reads(log)) == 1, log

    async def test_draft_is_not_cached(
        self, client: AsyncClient, session: AsyncSession, employer: Actor
    ) -> None:
        draft = await add_job(session, employer, status=JobStatus.DRAFT)
        assert (await get_ok(client, f"{JOBS}/{draft.id}", employer))["status"] == "draft"
        for _ in range(2):
            response = await client.get(f"{JOBS}/{draft.id}")
            assert (response.status_code, response.json()) == (404, NOT_FOUND)


class TestViews:
    async def test_every_read_counts(
        self,
        client: AsyncClient,
        session: AsyncSession,
        count_statements: Any,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        seen = [(await get_ok(client, f"{JOBS}/{job.id}"))["views_count"] for _ in range(3)]
        seen.append((await get_ok(client, f"{JOBS}/{job.id}", candidate))["views_count"])
        assert seen == [1, 2, 3, 4]
        assert await views_in_database(session, job.id) == 4
        owner_view = await get_ok(client, f"{JOBS}/{job.id}", employer)
        assert owner_view["views_count"] == 4, "the owner's reads are not counted"
        assert await views_in_database(session, job.id) == 4
        assert (await warm(client, count_statements, job.id))["views_count"] == 6
        assert await views_in_database(session, job.id) == 6


class TestInvalidation:
    async def test_update(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements, job.id)
        body = job_body(title="Renamed", benefits="Four-day week")
        await call_ok(client, "PUT", f"{JOBS}/{job.id}", employer, body)
        detail = await get_ok(client, f"{JOBS}/{job.id}")
        assert (detail["title"], detail["benefits"]) == ("Renamed", "Four-day week")

    async def test_close(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements, job.id)
        await call_ok(client, "PATCH", f"{JOBS}/{job.id}/status", employer, {"status": "closed"})
        response = await client.get(f"{JOBS}/{job.id}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    async def test_delete(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements, job.id)
        await call_ok(client, "DELETE", f"{JOBS}/{job.id}", employer)
        response = await client.get(f"{JOBS}/{job.id}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    async def test_company_rename(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements, job.id)
        changes = {"name": "Acme Renamed", "description": "New description"}
        await call_ok(client, "PUT", "/api/companies/my-company", employer, changes)
        detail = await get_ok(client, f"{JOBS}/{job.id}")
        assert (detail["company_name"], detail["company_description"]) == (
            "Acme Renamed",
            "New description",
        )

    async def test_apply_and_withdraw(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
    ) -> None:
        assert (await warm(client, count_statements, job.id))["applications_count"] == 0
        application_id = await apply_ok(client, candidate, job.id)
        assert (await warm(client, count_statements, job.id))["applications_count"] == 1
        await call_ok(client, "DELETE", f"{MY_APPLICATIONS}/{application_id}", candidate)
        assert (await get_ok(client, f"{JOBS}/{job.id}"))["applications_count"] == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_not_found_is_not_cached(
    client: AsyncClient, session: AsyncSession, employer: Actor, job: Job
) -> None:
    """A 404 is not remembered: the job that gets that id next is found at once."""
    response = await client.get(f"{JOBS}/{job.id + 1}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    created = await add_job(session, employer)  # no API write, so no version bump
    assert created.id == job.id + 1
    assert (await get_ok(client, f"{JOBS}/{created.id}", ANONYMOUS))["id"] == created.id
