"""GET /api/jobs/{id} through the cache: shared by anonymous callers and candidates, served as
the stored bytes, views counted off the read path (jobs/views.py), writes seen by the next read.
Both databases, both backends."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.schemas import JobDetailResponse
from intowork.jobs.service import mark_applied
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
WRITES = ("UPDATE", "INSERT", "DELETE")
# Text that looks like the key, inside the job's own strings: never touched by the patch.
LOOKALIKE = 'Say "has_applied":false and {"has_applied":false} here.'


async def warm(client: AsyncClient, count_statements: Any, job_id: int) -> dict[str, Any]:
    """Two reads: the second comes from the cache, without a single statement."""
    await get_ok(client, f"{JOBS}/{job_id}")
    with count_statements() as log:
        detail = await get_ok(client, f"{JOBS}/{job_id}")
    assert log.statements == [], log
    return detail


def writes(log: Any) -> list[str]:
    return [sql for sql in log.statements if sql.upper().startswith(WRITES)]


class TestHitAndMiss:
    async def test_miss_then_hit(
        self, client: AsyncClient, count_statements: Any, job: Job
    ) -> None:
        with count_statements() as log:
            first = await client.get(f"{JOBS}/{job.id}")
        assert len(job_reads(log)) == 1, log
        with count_statements() as log:
            second = await client.get(f"{JOBS}/{job.id}")
        assert log.statements == [], log
        assert second.status_code == first.status_code == 200
        assert second.content == first.content, "the stored bytes, as they are"
        assert second.headers["content-type"] == "application/json"

    async def test_candidate_reads_the_shared_entry(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
    ) -> None:
        anonymous = await warm(client, count_statements, job.id)
        with count_statements() as log:
            seen = await get_ok(client, f"{JOBS}/{job.id}", candidate)
        assert job_reads(log) == [], log
        assert seen == anonymous

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


class TestHasApplied:
    """A hit for a candidate who applied: `has_applied` set in the stored bytes, by replacement."""

    async def test_hit_is_byte_identical_to_the_computed_answer(
        self,
        client: AsyncClient,
        session: AsyncSession,
        count_statements: Any,
        candidate: Actor,
        other_candidate: Actor,
        employer: Actor,
    ) -> None:
        job = await add_job(session, employer, description=LOOKALIKE, benefits=LOOKALIKE)
        await apply_ok(client, candidate, job.id)
        # A miss: computed for this candidate (has_applied true), the anonymous copy stored.
        computed = await client.get(f"{JOBS}/{job.id}", headers=candidate.headers)
        with count_statements() as log:
            patched = await client.get(f"{JOBS}/{job.id}", headers=candidate.headers)
        assert job_reads(log) == [], "served from the cache"
        assert patched.content == computed.content
        body = patched.json()
        assert body["has_applied"] is True
        assert (body["description"], body["benefits"]) == (LOOKALIKE, LOOKALIKE)
        assert patched.headers["ETag"] == computed.headers["ETag"]
        other = await get_ok(client, f"{JOBS}/{job.id}", other_candidate)
        assert other["has_applied"] is False
        assert (await get_ok(client, f"{JOBS}/{job.id}"))["has_applied"] is False

    async def test_same_bytes_as_encoding_the_model(
        self, client: AsyncClient, session: AsyncSession, employer: Actor
    ) -> None:
        job = await add_job(session, employer, description=LOOKALIKE, requirements=LOOKALIKE)
        stored = (await client.get(f"{JOBS}/{job.id}")).content
        detail = JobDetailResponse.model_validate_json(stored)
        assert detail.model_dump_json(by_alias=True).encode() == stored
        expected = detail.model_copy(update={"has_applied": True})
        assert mark_applied(stored) == expected.model_dump_json(by_alias=True).encode()


class TestViews:
    async def test_every_read_counts(
        self,
        client: AsyncClient,
        session: AsyncSession,
        app: FastAPI,
        count_statements: Any,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        seen = [(await get_ok(client, f"{JOBS}/{job.id}"))["views_count"] for _ in range(3)]
        seen.append((await get_ok(client, f"{JOBS}/{job.id}", candidate))["views_count"])
        assert seen == [0, 0, 0, 0], "the stored count: views are written by the flusher"
        assert await views_in_database(session, job.id) == 0
        assert await app.state.job_views.flush() == 4
        assert await views_in_database(session, job.id) == 4
        owner_view = await get_ok(client, f"{JOBS}/{job.id}", employer)
        assert owner_view["views_count"] == 4, "the owner reads the database"
        await warm(client, count_statements, job.id)
        assert await app.state.job_views.flush() == 2, "the owner's read is not counted"
        assert await views_in_database(session, job.id) == 6

    async def test_no_write_on_the_read_path(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
    ) -> None:
        for actor in (ANONYMOUS, ANONYMOUS, candidate, candidate):  # a miss, then hits
            with count_statements() as log:
                await get_ok(client, f"{JOBS}/{job.id}", actor)
            assert writes(log) == [], log


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
