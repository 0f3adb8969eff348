"""One code path per read (issue 19): the list and the detail build their bytes once, and the
cache only keeps them. Whoever asks, the body is the same with the cache off, on a miss and on
a hit; a candidate's `has_applied` is the one overlay on those bytes."""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate
from tests.cache.conftest import ANONYMOUS, JOBS, Actor, add_job, job_reads
from tests.fixtures.factories import make_application

LONG = "A description " * 40  # over the list's 300 characters: cut there, whole in the detail
WHO = pytest.mark.parametrize("who", ["anonymous", "candidate", "employer"])


@pytest.fixture
async def job_ids(session: AsyncSession, employer: Actor, candidate: Actor) -> list[int]:
    """Three published jobs; `candidate` applied to the second."""
    ids = []
    for n in range(3):
        job = await add_job(
            session, employer, title=f"Job {n}", description=LONG, salary_min=30, salary_max=40
        )
        ids.append(job.id)
        if n == 1:
            applicant = await session.get(Candidate, candidate.profile_id)
            assert applicant is not None
            await make_application(session, job=job, candidate=applicant)
    return ids


def actor_of(who: str, candidate: Actor, employer: Actor) -> Actor:
    return {"anonymous": ANONYMOUS, "candidate": candidate, "employer": employer}[who]


async def three_reads(
    app: FastAPI,
    client: AsyncClient,
    count_statements: Any,
    path: str,
    actor: Actor,
    *,
    cached: bool = True,
) -> tuple[bytes, bytes, bytes]:
    """The body with the cache off, then on a miss, then on a hit (`cached`: from the cache)."""
    cache = app.state.cache
    app.state.cache = None
    try:
        off = await client.get(path, headers=actor.headers)
    finally:
        app.state.cache = cache
    miss = await client.get(path, headers=actor.headers)
    with count_statements() as log:
        hit = await client.get(path, headers=actor.headers)
    assert [off.status_code, miss.status_code, hit.status_code] == [200, 200, 200]
    if cached:
        assert job_reads(log) == [], f"the hit is served from the cache\n{log}"
    return off.content, miss.content, hit.content


class TestSameBytes:
    @WHO
    async def test_list(
        self,
        app: FastAPI,
        client: AsyncClient,
        count_statements: Any,
        job_ids: list[int],
        candidate: Actor,
        employer: Actor,
        who: str,
    ) -> None:
        actor = actor_of(who, candidate, employer)
        off, miss, hit = await three_reads(app, client, count_statements, JOBS, actor)
        assert off == miss == hit
        jobs = {job["id"]: job for job in (await client.get(JOBS)).json()["jobs"]}
        page = {job["id"]: job for job in json.loads(off)["jobs"]}
        assert page.keys() == set(job_ids)
        assert {i: job["has_applied"] for i, job in page.items()} == {
            i: who == "candidate" and i == job_ids[1] for i in job_ids
        }
        assert all(job["description"] == LONG[:300] + "..." for job in page.values())
        assert all(job["has_applied"] is False for job in jobs.values()), "shared entry"

    @WHO
    async def test_detail(
        self,
        app: FastAPI,
        client: AsyncClient,
        count_statements: Any,
        job_ids: list[int],
        candidate: Actor,
        employer: Actor,
        who: str,
    ) -> None:
        actor = actor_of(who, candidate, employer)
        for n, job_id in enumerate(job_ids):
            path = f"{JOBS}/{job_id}"
            # An employer's detail is never cached (it may be their own job).
            off, miss, hit = await three_reads(
                app, client, count_statements, path, actor, cached=who != "employer"
            )
            assert off == miss == hit
            body = json.loads(off)
            assert body["has_applied"] is (who == "candidate" and n == 1)
            assert body["description"] == LONG
            assert (body["salary_range"], body["employment_type"]) == ("30 - 40 EUR", "full_time")
            anonymous = (await client.get(path)).json()
            assert anonymous["has_applied"] is False, "shared entry"
