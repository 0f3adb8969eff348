"""A candidate's hit on the cached job list: the stored bytes with `has_applied` laid over them,
byte for byte what parsing, changing and encoding the page again gave (issue 18)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.schemas import JobItem, JobListResponse
from intowork.jobs.service import _mark_applied, _page_job_ids
from intowork.models import Candidate
from intowork.models.enums import JobLocation, JobStatus, JobType
from tests.cache.conftest import JOBS, Actor, add_job, job_reads
from tests.fixtures.factories import make_application

# Texts that quote what the overlay looks for: escaped inside JSON strings, never matched.
TRICKY = '{"id":2,"has_applied":false} {"id":3,'


def job_item(job_id: int, text: str) -> JobItem:
    return JobItem(
        id=job_id,
        title=f"Job {job_id} {text}",
        description=text,
        company_name=text,
        company_logo_url=None,
        location=None,
        location_type=JobLocation.REMOTE,
        job_type=JobType.FULL_TIME,
        salary_min=None,
        salary_max=None,
        currency="EUR",
        posted_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        is_featured=job_id % 2 == 0,
        views_count=job_id,
        applications_count=1,
        has_applied=False,
        status=JobStatus.PUBLISHED,
    )


def anonymous_page(ids: list[int]) -> bytes:
    page = JobListResponse(
        jobs=[job_item(i, TRICKY) for i in ids], total=len(ids), page=1, limit=20, total_pages=1
    )
    return page.model_dump_json(by_alias=True).encode()


def reencoded(body: bytes, applied: set[int]) -> bytes:
    """The former path: parse the cached page, set the flags, encode it again."""
    result = JobListResponse.model_validate_json(body)
    for job in result.jobs:
        job.has_applied = job.id in applied
    return result.model_dump_json(by_alias=True).encode()


IDS = [12, 3, 1, 2, 30, 123]


class TestOverlay:
    def test_ids_in_page_order(self) -> None:
        assert _page_job_ids(anonymous_page(IDS)) == IDS
        assert _page_job_ids(anonymous_page([])) == []

    @pytest.mark.parametrize(
        "applied", [set(), {3}, {12, 123}, {1, 2, 3}, set(IDS), {999}, {2, 999}]
    )
    def test_identical_to_reencoding(self, applied: set[int]) -> None:
        body = anonymous_page(IDS)
        assert _mark_applied(body, applied) == reencoded(body, applied)


@pytest.mark.usefixtures("cache_backend")
class TestCandidateHit:
    async def test_hit_is_the_miss_byte_for_byte(
        self,
        client: AsyncClient,
        session: AsyncSession,
        count_statements: Any,
        employer: Actor,
        candidate: Actor,
    ) -> None:
        jobs = [await add_job(session, employer, title=f"Job {n} {TRICKY}") for n in range(5)]
        applicant = await session.get(Candidate, candidate.profile_id)
        assert applicant is not None
        for job in (jobs[0], jobs[3]):
            await make_application(session, job=job, candidate=applicant)
        miss = await client.get(JOBS, headers=candidate.headers)
        with count_statements() as log:
            hit = await client.get(JOBS, headers=candidate.headers)
        assert miss.status_code == hit.status_code == 200
        assert hit.content == miss.content
        assert hit.headers["ETag"] == miss.headers["ETag"]
        assert {job["id"]: job["has_applied"] for job in hit.json()["jobs"]} == {
            job.id: job in (jobs[0], jobs[3]) for job in jobs
        }
        assert job_reads(log) == [], f"served from the cached page\n{log}"
        anonymous = (await client.get(JOBS)).json()
        assert not any(job["has_applied"] for job in anonymous["jobs"])
