"""GET /api/jobs/stats/recent: published jobs posted in the last `days` days."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from intowork.models.enums import JobStatus
from tests.fixtures.factories import make_employer
from tests.jobs.conftest import add_job, days_ago

STATS = "/api/jobs/stats/recent"


class TestRecentStats:
    @pytest.fixture
    async def jobs(self, session: AsyncSession, company: Company) -> None:
        employer = await make_employer(session, company=company)
        for days in (0.01, 0.9, 5.5, 6.9, 7.9, 29.5, 40):
            await add_job(session, employer, posted_at=days_ago(days))
        # Recently posted, but not published (any more): never counted.
        for status in (JobStatus.CLOSED, JobStatus.ARCHIVED, JobStatus.DRAFT):
            await add_job(session, employer, status=status, posted_at=days_ago(1))

    @pytest.mark.usefixtures("jobs")
    @pytest.mark.parametrize(
        ("days", "count"), [(None, 4), (7, 4), (1, 2), (6, 3), (8, 5), (9, 5), (30, 6)]
    )
    async def test_count(self, client: AsyncClient, days: int | None, count: int) -> None:
        params = {} if days is None else {"days": days}
        response = await client.get(STATS, params=params)
        assert response.status_code == 200, response.text
        assert response.json() == {"count": count, "days": days or 7}

    async def test_no_jobs(self, client: AsyncClient) -> None:
        response = await client.get(STATS)
        assert response.status_code == 200
        assert response.json() == {"count": 0, "days": 7}

    @pytest.mark.parametrize("days", [0, -1, 31, 365, "week", "1.5"])
    async def test_out_of_range(self, client: AsyncClient, days: object) -> None:
        response = await client.get(STATS, params={"days": days})
        assert response.status_code == 422

    async def test_public_ignores_token(self, client: AsyncClient) -> None:
        response = await client.get(STATS, headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 200
