"""GET /api/jobs through the cache: the anonymous page is computed once, and every job write
(through the API) is seen by the next read. On both databases and both cache backends."""

import asyncio
import contextlib
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs import repository
from intowork.models import Job
from tests.cache.conftest import (
    JOBS,
    MY_APPLICATIONS,
    Actor,
    add_job,
    apply_ok,
    call_ok,
    get_ok,
    job_body,
    job_reads,
    titles,
)
from tests.fixtures.timing import patient

CONCURRENT = 100


async def warm(client: AsyncClient, count_statements: Any, **params: Any) -> dict[str, Any]:
    """Reads the page twice: the first fills the cache, the second must not reach the database."""
    first = await get_ok(client, JOBS, **params)
    with count_statements() as log:
        second = await get_ok(client, JOBS, **params)
    assert log.count == 0, log
    assert second == first
    return second


class TestHitAndMiss:
    async def test_miss_then_hit(
        self, client: AsyncClient, count_statements: Any, job: Job
    ) -> None:
        with count_statements() as log:
            first = await get_ok(client, JOBS)
        assert len(job_reads(log)) == 2, log  # the page and its total
        with count_statements() as log:
            second = await get_ok(client, JOBS)
        assert log.count == 0, log
        assert second == first
        assert titles(second) == ["Backend engineer"]

    async def test_each_filter_set_is_its_own_entry(
        self, client: AsyncClient, session: AsyncSession, employer: Actor, count_statements: Any
    ) -> None:
        await add_job(session, employer, title="Paris job", location="Paris")
        await add_job(session, employer, title="Lyon job", location="Lyon")
        await warm(client, count_statements)
        with count_statements() as log:
            paris = await get_ok(client, JOBS, location="paris")
        assert len(job_reads(log)) == 2, "another filter set is another entry"
        assert titles(paris) == ["Paris job"]
        with count_statements() as log:
            page_two = await get_ok(client, JOBS, page=2, limit=1)
        assert len(job_reads(log)) == 2, "another page is another entry"
        assert page_two["total"] == 2
        assert len(page_two["jobs"]) == 1
        with count_statements() as log:
            same = await get_ok(client, JOBS, location="PARIS ")
        assert log.count == 0, "the location is matched case-insensitively and trimmed: one entry"
        assert same == paris

    async def test_employer_reads_the_shared_page(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        anonymous = await warm(client, count_statements)
        with count_statements() as log:
            seen = await get_ok(client, JOBS, employer)
        assert job_reads(log) == [], log
        assert seen == anonymous


class MissCounter:
    """Wraps the app cache's events: counts the misses of the job list."""

    def __init__(self, events: Any) -> None:
        self.events = events
        self.misses = 0
        self.all_missed = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.events, name)

    def miss(self, name: str) -> None:
        self.misses += name == "job_list"
        if self.misses == CONCURRENT:
            self.all_missed.set()
        self.events.miss(name)


class TestConcurrentMisses:
    async def test_one_computation(
        self,
        app: FastAPI,
        client: AsyncClient,
        session: AsyncSession,
        employer: Actor,
        count_statements: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The page's query is held until all the requests have missed: every one of them is a
        concurrent miss, and one query answers them all."""
        for n in range(3):
            await add_job(session, employer, title=f"Job {n}")
        counter = MissCounter(app.state.cache.events)
        monkeypatch.setattr(app.state.cache, "events", counter)
        list_published = repository.list_published

        async def held(*args: Any, **kwargs: Any) -> Any:
            with contextlib.suppress(TimeoutError):  # then the count of misses below fails
                await asyncio.wait_for(counter.all_missed.wait(), timeout=patient(60))
            return await list_published(*args, **kwargs)

        monkeypatch.setattr(repository, "list_published", held)
        with count_statements() as log:
            responses = await asyncio.gather(*(client.get(JOBS) for _ in range(CONCURRENT)))
        assert counter.misses == CONCURRENT
        assert {response.status_code for response in responses} == {200}
        assert len({response.content for response in responses}) == 1
        assert responses[0].json()["total"] == 3
        reads = job_reads(log)
        pages = [s for s in reads if not s.lstrip().upper().startswith("SELECT COUNT")]
        assert (len(pages), len(reads)) == (1, 2), log  # one page, one total
        with count_statements() as log:
            assert (await client.get(JOBS)).content == responses[0].content
        assert log.count == 0, log


class TestInvalidation:
    """A write through the API, after the page was cached: the next read shows it."""

    async def test_create(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements)
        await call_ok(client, "POST", "/api/jobs/create", employer, job_body(title="Data analyst"))
        page = await get_ok(client, JOBS)
        assert titles(page) == ["Data analyst", "Backend engineer"]
        assert page["total"] == 2

    async def test_create_draft(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        """A draft changes no public page, and the page is still right after the bump."""
        await warm(client, count_statements)
        body = job_body(title="Secret", status="draft")
        await call_ok(client, "POST", "/api/jobs/create", employer, body)
        assert titles(await get_ok(client, JOBS)) == ["Backend engineer"]

    async def test_update(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements)
        await call_ok(client, "PUT", f"{JOBS}/{job.id}", employer, job_body(title="Renamed"))
        assert titles(await get_ok(client, JOBS)) == ["Renamed"]

    async def test_close_and_publish_again(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements)
        path = f"{JOBS}/{job.id}/status"
        await call_ok(client, "PATCH", path, employer, {"status": "closed"})
        page = await warm(client, count_statements)
        assert (page["jobs"], page["total"]) == ([], 0)
        await call_ok(client, "PATCH", path, employer, {"status": "published"})
        assert titles(await get_ok(client, JOBS)) == ["Backend engineer"]

    async def test_delete(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        await warm(client, count_statements)
        await call_ok(client, "DELETE", f"{JOBS}/{job.id}", employer)
        assert (await get_ok(client, JOBS))["jobs"] == []

    async def test_company_rename(
        self, client: AsyncClient, count_statements: Any, employer: Actor, job: Job
    ) -> None:
        page = await warm(client, count_statements)
        assert page["jobs"][0]["company_name"] == "Acme Industries"
        rename = {"name": "Acme Renamed"}
        await call_ok(client, "PUT", "/api/companies/my-company", employer, rename)
        assert (await get_ok(client, JOBS))["jobs"][0]["company_name"] == "Acme Renamed"
        found = await get_ok(client, JOBS, search="renamed")
        assert [item["id"] for item in found["jobs"]] == [job.id]

    async def test_apply_and_withdraw(
        self,
        client: AsyncClient,
        count_statements: Any,
        candidate: Actor,
        job: Job,
    ) -> None:
        """An application does not renew every list page: the lists show applications_count
        with up to their TTL's staleness (docs/decisions.md), the job's detail shows it at once."""
        page = await warm(client, count_statements)
        assert page["jobs"][0]["applications_count"] == 0
        application_id = await apply_ok(client, candidate, job.id)
        assert await warm(client, count_statements) == page, "still served from the cache"
        assert (await get_ok(client, f"{JOBS}/{job.id}"))["applications_count"] == 1
        await call_ok(client, "DELETE", f"{MY_APPLICATIONS}/{application_id}", candidate)
        assert (await get_ok(client, f"{JOBS}/{job.id}"))["applications_count"] == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_failed_write_changes_nothing(
    client: AsyncClient, count_statements: Any, employer: Actor, job: Job
) -> None:
    """A refused write (409) rolls back: the cached page is still the truth, and still served."""
    page = await warm(client, count_statements)
    response = await client.patch(
        f"{JOBS}/{job.id}/status", headers=employer.headers, json={"status": "draft"}
    )
    assert response.status_code == 409, response.text
    assert await warm(client, count_statements) == page
