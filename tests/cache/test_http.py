"""HTTP caching of the cached reads: ETag, Cache-Control, Vary, and 304 on a matching
If-None-Match. One database (no query differs); both cache backends."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate, Company, Job
from tests.cache.conftest import (
    ANONYMOUS,
    DASHBOARD,
    JOBS,
    PRIVATE,
    PUBLIC,
    SQLITE_ONLY,
    Actor,
    call_ok,
    job_body,
    job_reads,
    views_in_database,
)
from tests.fixtures.factories import make_application

pytestmark = SQLITE_ONLY


async def fetch(
    client: AsyncClient, path: str, actor: Actor = ANONYMOUS, etag: str | None = None
) -> Response:
    headers = dict(actor.headers)
    if etag is not None:
        headers["If-None-Match"] = etag
    response = await client.get(path, headers=headers)
    assert response.status_code in {200, 304}, response.text
    return response


def assert_validators(response: Response, cache_control: str) -> str:
    etag = response.headers["ETag"]
    assert len(etag) > 2
    assert etag[0] == etag[-1] == '"', "a strong validator"
    assert response.headers["Cache-Control"] == cache_control
    vary = {name.strip().lower() for name in response.headers["Vary"].split(",")}
    assert "authorization" in vary, "the answer depends on who asks"
    return etag


def assert_not_modified(response: Response, etag: str, cache_control: str) -> None:
    assert response.status_code == 304
    assert response.content == b""
    assert "Content-Type" not in response.headers
    assert response.headers.get("Content-Length", "0") == "0"
    assert assert_validators(response, cache_control) == etag


@pytest.fixture
def company_path(company: Company) -> str:
    return f"/api/companies/{company.id}"


class TestPublicReads:
    @pytest.mark.parametrize("path", [JOBS, "company"])
    async def test_revalidation(
        self, client: AsyncClient, job: Job, company_path: str, path: str
    ) -> None:
        path = company_path if path == "company" else path
        first = await fetch(client, path)
        assert first.status_code == 200
        etag = assert_validators(first, PUBLIC)
        assert_not_modified(await fetch(client, path, etag=etag), etag, PUBLIC)
        assert_not_modified(await fetch(client, path, etag=f"W/{etag}"), etag, PUBLIC)
        listed = f'"something-else", {etag}'
        assert_not_modified(await fetch(client, path, etag=listed), etag, PUBLIC)
        other = await fetch(client, path, etag='"something-else"')
        assert (other.status_code, other.content) == (200, first.content)

    @pytest.mark.parametrize("path", [JOBS, "company"])
    async def test_changed_resource_gets_a_new_etag(
        self, client: AsyncClient, job: Job, employer: Actor, company_path: str, path: str
    ) -> None:
        path = company_path if path == "company" else path
        etag = assert_validators(await fetch(client, path), PUBLIC)
        await call_ok(client, "POST", "/api/jobs/create", employer, job_body(title="New one"))
        changed = await fetch(client, path, etag=etag)
        assert changed.status_code == 200
        new_etag = assert_validators(changed, PUBLIC)
        assert new_etag != etag
        assert_not_modified(await fetch(client, path, etag=new_etag), new_etag, PUBLIC)

    async def test_not_modified_from_the_cache(
        self, client: AsyncClient, count_statements: Any, job: Job
    ) -> None:
        etag = assert_validators(await fetch(client, JOBS), PUBLIC)
        with count_statements() as log:
            assert_not_modified(await fetch(client, JOBS, etag=etag), etag, PUBLIC)
        assert log.count == 0, log

    async def test_job_detail(
        self, client: AsyncClient, session: AsyncSession, app: FastAPI, job: Job
    ) -> None:
        """Views are counted off the body (jobs/views.py): a revalidation is a 304, and still
        counts its view."""
        first = await fetch(client, f"{JOBS}/{job.id}")
        etag = assert_validators(first, PUBLIC)
        assert_not_modified(await fetch(client, f"{JOBS}/{job.id}", etag=etag), etag, PUBLIC)
        assert await app.state.job_views.flush() == 2
        assert await views_in_database(session, job.id) == 2


class TestPersonalisedReads:
    async def test_candidate_list_is_private(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        anonymous_etag = assert_validators(await fetch(client, JOBS), PUBLIC)
        applicant = await session.get(Candidate, candidate.profile_id)
        assert applicant is not None
        await make_application(session, job=job, candidate=applicant)
        mine = await fetch(client, JOBS, candidate)
        etag = assert_validators(mine, PRIVATE)
        assert mine.json()["jobs"][0]["has_applied"] is True
        assert etag != anonymous_etag, "the ETag covers the caller's own has_applied"
        assert_not_modified(await fetch(client, JOBS, candidate, etag), etag, PRIVATE)
        stale = await fetch(client, JOBS, candidate, anonymous_etag)
        assert stale.status_code == 200

    async def test_employer_list_is_private(
        self, client: AsyncClient, employer: Actor, job: Job
    ) -> None:
        assert_validators(await fetch(client, JOBS, employer), PRIVATE)

    async def test_candidate_detail_is_private(
        self, client: AsyncClient, candidate: Actor, job: Job
    ) -> None:
        assert_validators(await fetch(client, f"{JOBS}/{job.id}"), PUBLIC)
        assert_validators(await fetch(client, f"{JOBS}/{job.id}", candidate), PRIVATE)

    async def test_dashboard(
        self, client: AsyncClient, count_statements: Any, candidate: Actor, employer: Actor
    ) -> None:
        etag = assert_validators(await fetch(client, DASHBOARD, candidate), PRIVATE)
        with count_statements() as log:
            assert_not_modified(await fetch(client, DASHBOARD, candidate, etag), etag, PRIVATE)
        assert job_reads(log) == [], log
        await call_ok(client, "POST", "/api/jobs/create", employer, job_body())
        changed = await fetch(client, DASHBOARD, candidate, etag)
        assert changed.status_code == 200
        assert assert_validators(changed, PRIVATE) != etag
