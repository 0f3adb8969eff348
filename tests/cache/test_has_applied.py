"""has_applied is per caller and never inside a shared entry (API.md J1, ARCHITECTURE "Cache").

Whoever fills the cache first (a candidate who applied, or an anonymous caller), every later
reader of the same cached page or detail sees only their own applications.
"""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate, Job
from tests.cache.conftest import (
    ANONYMOUS,
    JOBS,
    Actor,
    add_job,
    applied,
    get_ok,
    job_reads,
)
from tests.fixtures.factories import make_application

ORDERS = pytest.mark.parametrize("first", ["applicant", "anonymous"])


@pytest.fixture
async def jobs(session: AsyncSession, employer: Actor, candidate: Actor) -> tuple[int, int]:
    """Two published jobs; `candidate` applied to the first only."""
    first = await add_job(session, employer, title="Applied to")
    second = await add_job(session, employer, title="Not applied to")
    applicant = await session.get(Candidate, candidate.profile_id)
    assert applicant is not None
    await make_application(session, job=first, candidate=applicant)
    return first.id, second.id


async def read_page(
    client: AsyncClient, count_statements: Any, actor: Actor, *, cached: bool
) -> dict[int, bool]:
    with count_statements() as log:
        page = await get_ok(client, JOBS, actor)
    if cached:
        assert job_reads(log) == [], f"served from the cached page\n{log}"
    return applied(page)


async def read_detail(
    client: AsyncClient, count_statements: Any, actor: Actor, job_id: int, *, cached: bool
) -> bool:
    with count_statements() as log:
        detail = await get_ok(client, f"{JOBS}/{job_id}", actor)
    if cached:
        assert job_reads(log) == [], f"served from the cached detail\n{log}"
    has_applied: bool = detail["has_applied"]
    return has_applied


class TestJobList:
    @ORDERS
    async def test_each_caller_sees_their_own(
        self,
        client: AsyncClient,
        count_statements: Any,
        candidate: Actor,
        other_candidate: Actor,
        employer: Actor,
        jobs: tuple[int, int],
        first: str,
    ) -> None:
        mine, other = jobs
        if first == "applicant":
            assert await read_page(client, count_statements, candidate, cached=False) == {
                mine: True,
                other: False,
            }
            assert await read_page(client, count_statements, ANONYMOUS, cached=True) == {
                mine: False,
                other: False,
            }
        else:
            assert await read_page(client, count_statements, ANONYMOUS, cached=False) == {
                mine: False,
                other: False,
            }
            assert await read_page(client, count_statements, candidate, cached=True) == {
                mine: True,
                other: False,
            }
        for someone_else in (other_candidate, employer, ANONYMOUS):
            assert await read_page(client, count_statements, someone_else, cached=True) == {
                mine: False,
                other: False,
            }
        assert await read_page(client, count_statements, candidate, cached=True) == {
            mine: True,
            other: False,
        }

    async def test_two_applicants(
        self,
        client: AsyncClient,
        session: AsyncSession,
        count_statements: Any,
        candidate: Actor,
        other_candidate: Actor,
        jobs: tuple[int, int],
    ) -> None:
        mine, other = jobs
        theirs = await session.get(Candidate, other_candidate.profile_id)
        other_job = await session.get(Job, other)
        assert theirs is not None
        assert other_job is not None
        await make_application(session, job=other_job, candidate=theirs)
        assert await read_page(client, count_statements, other_candidate, cached=False) == {
            mine: False,
            other: True,
        }
        assert await read_page(client, count_statements, candidate, cached=True) == {
            mine: True,
            other: False,
        }
        assert await read_page(client, count_statements, other_candidate, cached=True) == {
            mine: False,
            other: True,
        }


class TestJobDetail:
    @ORDERS
    async def test_each_caller_sees_their_own(
        self,
        client: AsyncClient,
        count_statements: Any,
        candidate: Actor,
        other_candidate: Actor,
        jobs: tuple[int, int],
        first: str,
    ) -> None:
        mine, _ = jobs
        if first == "applicant":
            assert await read_detail(client, count_statements, candidate, mine, cached=False)
            assert not await read_detail(client, count_statements, ANONYMOUS, mine, cached=True)
        else:
            assert not await read_detail(client, count_statements, ANONYMOUS, mine, cached=False)
            assert await read_detail(client, count_statements, candidate, mine, cached=True)
        assert not await read_detail(client, count_statements, other_candidate, mine, cached=True)
        assert not await read_detail(client, count_statements, ANONYMOUS, mine, cached=True)
        assert await read_detail(client, count_statements, candidate, mine, cached=True)
