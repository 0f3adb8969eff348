"""GET /api/applications/my/applications through the cache (issue 18): per candidate, filters and
pages apart, renewed by that candidate's events only. Both databases, both backends."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Job
from tests.cache.conftest import (
    EMPLOYER_APPLICATIONS,
    JOBS,
    MY_APPLICATIONS,
    Actor,
    add_job,
    apply_ok,
    call_ok,
    get_ok,
    job_body,
    reads,
)


async def read(
    client: AsyncClient, count_statements: Any, actor: Actor, **params: Any
) -> tuple[dict[str, Any], bool]:
    """The page, and whether it came from the cache (no query but the caller's own row)."""
    with count_statements() as log:
        page = await get_ok(client, MY_APPLICATIONS, actor, **params)
    return page, not reads(log)


def job_ids(page: dict[str, Any]) -> list[int]:
    return [item["job_id"] for item in page["applications"]]


async def test_miss_then_hit(
    client: AsyncClient, count_statements: Any, candidate: Actor, job: Job
) -> None:
    await apply_ok(client, candidate, job.id)
    first, cached = await read(client, count_statements, candidate)
    assert not cached
    second, cached = await read(client, count_statements, candidate)
    assert cached
    assert second == first
    assert job_ids(second) == [job.id]


async def test_filters_and_pages_are_apart(
    client: AsyncClient,
    session: AsyncSession,
    count_statements: Any,
    candidate: Actor,
    employer: Actor,
    job: Job,
) -> None:
    second_job = await add_job(session, employer, title="Second")
    first_id = await apply_ok(client, candidate, job.id)
    await apply_ok(client, candidate, second_job.id)
    path = f"{EMPLOYER_APPLICATIONS}/{first_id}/status"
    await call_ok(client, "PUT", path, employer, {"status": "interview"})
    everything, _ = await read(client, count_statements, candidate)
    assert job_ids(everything) == [second_job.id, job.id]
    interviews, cached = await read(client, count_statements, candidate, status="interview")
    assert (job_ids(interviews), cached) == ([job.id], False)
    page_two, cached = await read(client, count_statements, candidate, page=2, limit=1)
    assert (job_ids(page_two), page_two["total"], cached) == ([job.id], 2, False)
    for params in ({}, {"status": "interview"}, {"page": 2, "limit": 1}):
        _, cached = await read(client, count_statements, candidate, **params)
        assert cached, params


async def test_each_event_renews_it_and_only_its_candidate(
    client: AsyncClient,
    count_statements: Any,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    job: Job,
) -> None:
    await apply_ok(client, other_candidate, job.id)
    await read(client, count_statements, candidate)
    await read(client, count_statements, other_candidate)

    async def renewed() -> dict[str, Any]:
        page, cached = await read(client, count_statements, candidate)
        assert not cached
        _, others_cached = await read(client, count_statements, other_candidate)
        assert others_cached, "another candidate's list is untouched"
        return page

    application_id = await apply_ok(client, candidate, job.id)
    assert job_ids(await renewed()) == [job.id]
    path = f"{EMPLOYER_APPLICATIONS}/{application_id}/status"
    await call_ok(client, "PUT", path, employer, {"status": "viewed"})
    assert (await renewed())["applications"][0]["status"] == "viewed"
    await call_ok(client, "DELETE", f"{MY_APPLICATIONS}/{application_id}", candidate)
    assert job_ids(await renewed()) == []


async def test_job_edit_renews_its_applicants(
    client: AsyncClient,
    count_statements: Any,
    candidate: Actor,
    other_candidate: Actor,
    employer: Actor,
    job: Job,
) -> None:
    await apply_ok(client, candidate, job.id)
    await read(client, count_statements, candidate)
    await read(client, count_statements, other_candidate)
    await call_ok(client, "PUT", f"{JOBS}/{job.id}", employer, job_body(title="Lead engineer"))
    page, cached = await read(client, count_statements, candidate)
    assert (page["applications"][0]["job"]["title"], cached) == ("Lead engineer", False)
    _, cached = await read(client, count_statements, other_candidate)
    assert cached, "not an applicant"
