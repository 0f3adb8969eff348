"""Statement budgets: lists and details must not grow with the page (no N+1)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from tests.fixtures.factories import make_application, make_candidate, make_employer
from tests.jobs.conftest import ANONYMOUS, Actor, add_job

WRITES = ("UPDATE", "INSERT", "DELETE")


@pytest.fixture
async def busy_jobs(session: AsyncSession, company: Company, candidate: Actor) -> list[int]:
    """Eleven published jobs (a full page of 10 and more), each with applications."""
    employer = await make_employer(session, company=company)
    someone = await make_candidate(session)
    assert candidate.candidate is not None
    job_ids = []
    for n in range(11):
        job = await add_job(session, employer, title=f"Job {n}")
        await make_application(session, job=job, candidate=someone)
        if n % 2:
            await make_application(session, job=job, candidate=candidate.candidate)
        job_ids.append(job.id)
    return job_ids


class TestStatementBudgets:
    @pytest.mark.parametrize(("who", "budget"), [("anonymous", 2), ("candidate", 3)])
    async def test_list(
        self,
        client: AsyncClient,
        count_statements: Any,
        busy_jobs: list[int],
        candidate: Actor,
        who: str,
        budget: int,
    ) -> None:
        actor = candidate if who == "candidate" else ANONYMOUS
        with count_statements() as log:
            response = await client.get("/api/jobs", headers=actor.headers)
        assert response.status_code == 200, response.text
        assert len(response.json()["jobs"]) == 10
        assert log.count <= budget, log

    # The detail itself, and for a candidate its own user row; no view UPDATE (jobs/views.py).
    @pytest.mark.parametrize(("who", "budget"), [("anonymous", 1), ("candidate", 2)])
    async def test_detail(
        self,
        client: AsyncClient,
        count_statements: Any,
        busy_jobs: list[int],
        candidate: Actor,
        who: str,
        budget: int,
    ) -> None:
        actor = candidate if who == "candidate" else ANONYMOUS
        with count_statements() as log:
            response = await client.get(f"/api/jobs/{busy_jobs[1]}", headers=actor.headers)
        assert response.status_code == 200, response.text
        assert response.json()["has_applied"] is (who == "candidate")
        assert log.count <= budget, log
        assert not [sql for sql in log.statements if sql.upper().startswith(WRITES)], log
