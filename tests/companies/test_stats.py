"""GET /api/companies/my-company/stats (API.md 7)."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from intowork.models.enums import ApplicationStatus, JobStatus
from tests.companies.conftest import (
    COMPANY_NOT_FOUND,
    delete_employer_row,
    employer_headers,
    owner_of,
)
from tests.fixtures.actors import Headers
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_employer,
    make_job,
)

PATH = "/api/companies/my-company/stats"
STATS_KEYS = {"active_jobs", "total_jobs", "total_applications", "total_employers"}


async def two_companies(
    client: AsyncClient, session: AsyncSession
) -> tuple[Headers, Headers, Headers]:
    """Acme: jobs in every status, applications to three of them, two employers (the owner and
    a colleague who posted one job). Globex, the noise: one job, two applications, one employer.

    Returns the headers of Acme's owner, Acme's colleague and Globex's owner.
    """
    acme, owner, _, owner_headers = await owner_of(client, session, name="Acme")
    colleague, _, colleague_headers = await employer_headers(client, session, company=acme)
    published = await make_job(session, employer=owner, status=JobStatus.PUBLISHED)
    published_too = await make_job(session, employer=colleague, status=JobStatus.PUBLISHED)
    await make_job(session, employer=owner, status=JobStatus.DRAFT)
    closed = await make_job(session, employer=owner, status=JobStatus.CLOSED)
    await make_job(session, employer=owner, status=JobStatus.ARCHIVED)
    candidates = [await make_candidate(session) for _ in range(3)]
    statuses = [ApplicationStatus.APPLIED, ApplicationStatus.REJECTED, ApplicationStatus.ACCEPTED]
    for candidate, status in zip(candidates, statuses, strict=True):
        await make_application(session, job=published, candidate=candidate, status=status)
    await make_application(session, job=published_too, candidate=candidates[0])
    await make_application(session, job=closed, candidate=candidates[1])

    _, globex_owner, _, globex_headers = await owner_of(client, session, name="Globex")
    globex_job = await make_job(session, employer=globex_owner)
    for candidate in candidates[:2]:
        await make_application(session, job=globex_job, candidate=candidate)
    # An employer of no company counts nowhere.
    await make_employer(session)
    return owner_headers, colleague_headers, globex_headers


ACME_STATS = {"active_jobs": 2, "total_jobs": 5, "total_applications": 5, "total_employers": 2}
GLOBEX_STATS = {"active_jobs": 1, "total_jobs": 1, "total_applications": 2, "total_employers": 1}


class TestCompanyStats:
    async def test_figures(self, client: AsyncClient, session: AsyncSession) -> None:
        owner, colleague, globex = await two_companies(client, session)
        for headers, expected in [(owner, ACME_STATS), (colleague, ACME_STATS)]:
            response = await client.get(PATH, headers=headers)
            assert response.status_code == 200
            assert set(response.json()) == STATS_KEYS
            assert response.json() == expected
        assert (await client.get(PATH, headers=globex)).json() == GLOBEX_STATS

    async def test_empty_company(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await owner_of(client, session)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert response.json() == {
            "active_jobs": 0,
            "total_jobs": 0,
            "total_applications": 0,
            "total_employers": 1,
        }

    async def test_one_statement(
        self, client: AsyncClient, session: AsyncSession, count_statements: Any
    ) -> None:
        owner, *_ = await two_companies(client, session)
        with count_statements() as log:
            response = await client.get(PATH, headers=owner)
        assert response.json() == ACME_STATS
        # The current-user lookup, then the stats.
        assert log.count <= 2, log

    async def test_no_company(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    async def test_no_employer_row(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        await delete_employer_row(session, user)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    async def test_created_company_but_not_in_it(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        """Having created a company is not membership: its figures stay with its members."""
        _, user, headers = await employer_headers(client, session)
        session.add(Company(name="Left behind", created_by_user_id=user.id))
        await session.commit()
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await owner_of(client, session)
        response = await client.get(f"{PATH}/", headers=headers)
        assert response.status_code == 200
        assert response.json()["total_employers"] == 1
