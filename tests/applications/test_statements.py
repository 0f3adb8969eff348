"""Statement budgets of the application lists: a page costs the same for 1 or 10 rows (no N+1)."""

import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import CandidateCV, Job
from tests.applications.conftest import (
    EMPLOYER,
    MY,
    Actor,
    add_job,
    employer_actor,
)
from tests.fixtures.factories import make_application, make_candidate, make_company

# The user lookup, the caller's profile row, the count and the page.
BUDGET = 4
# The candidate's list (issue 18): the user lookup, and the page with its total in one statement.
CANDIDATE_BUDGET = 2


async def attach_cv(session: AsyncSession, candidate_id: int) -> int:
    cv = CandidateCV(
        candidate_id=candidate_id,
        filename="resume.pdf",
        storage_key=uuid.uuid4().hex,
        file_size=10,
        content_type="application/pdf",
    )
    session.add(cv)
    await session.commit()
    return cv.id


class TestCandidateListBudget:
    async def test_ten_applications(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        count_statements: Any,
    ) -> None:
        assert candidate.candidate is not None
        elsewhere = await employer_actor(
            client, session, await make_company(session, name="Globex")
        )
        for number in range(10):
            owner = employer if number % 2 else elsewhere
            job = await add_job(session, owner, title=f"Job {number}")
            await make_application(session, job=job, candidate=candidate.candidate)
        with count_statements() as log:
            response = await client.get(MY, headers=candidate.headers)
        assert response.status_code == 200
        assert len(response.json()["applications"]) == 10
        assert {item["job"]["company_name"] for item in response.json()["applications"]} == {
            "Acme Industries",
            "Globex",
        }
        assert log.count <= CANDIDATE_BUDGET, log

    async def test_page_past_the_end_still_has_its_total(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        count_statements: Any,
    ) -> None:
        assert candidate.candidate is not None
        for number in range(3):
            job = await add_job(session, employer, title=f"Job {number}")
            await make_application(session, job=job, candidate=candidate.candidate)
        with count_statements() as log:
            response = await client.get(MY, headers=candidate.headers, params={"page": 5})
        assert response.status_code == 200
        assert (response.json()["applications"], response.json()["total"]) == ([], 3)
        assert log.count <= CANDIDATE_BUDGET + 1, log  # the count apart, past the end only

    async def test_no_application(
        self, client: AsyncClient, candidate: Actor, count_statements: Any
    ) -> None:
        with count_statements() as log:
            response = await client.get(MY, headers=candidate.headers)
        assert response.status_code == 200
        assert (response.json()["applications"], response.json()["total"]) == ([], 0)
        assert log.count <= CANDIDATE_BUDGET, log


class TestEmployerListBudget:
    async def test_ten_applications(
        self,
        client: AsyncClient,
        session: AsyncSession,
        employer: Actor,
        job: Job,
        count_statements: Any,
    ) -> None:
        second = await add_job(session, employer, title="Second")
        for number in range(10):
            applicant = await make_candidate(session)
            applicant.phone = f"+33 6 00 00 00 {number:02d}"
            await session.commit()
            application = await make_application(
                session, job=job if number % 2 else second, candidate=applicant
            )
            if number % 3:
                application.cv_id = await attach_cv(session, applicant.id)
                await session.commit()
        with count_statements() as log:
            response = await client.get(EMPLOYER, headers=employer.headers)
        assert response.status_code == 200
        items = response.json()["applications"]
        assert len(items) == 10
        assert all(item["candidate_phone"] for item in items)
        assert sum(item["cv_url"] is not None for item in items) == 6
        assert log.count <= BUDGET, log
