"""GET /api/jobs: the total is exact up to JOB_LIST_COUNT_CAP matches, then an estimate."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Company
from intowork.models.enums import JobStatus
from tests.fixtures.factories import make_employer
from tests.fixtures.settings import SettingsFactory
from tests.jobs.conftest import add_job, ids, list_jobs

CAP = 3


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(job_list_count_cap=CAP)


@pytest.fixture
async def five_jobs(session: AsyncSession, company: Company) -> list[int]:
    """Five published Python jobs in Paris, newest first; a draft and an unrelated job aside."""
    employer = await make_employer(session, company=company)
    job_ids = [
        (await add_job(session, employer, title=f"Python developer {n}", location="Paris 11e")).id
        for n in range(5)
    ]
    await add_job(session, employer, title="Python draft", location="Paris", status=JobStatus.DRAFT)
    await add_job(session, employer, title="Accountant", location="Lyon")
    return job_ids[::-1]


def totals(page: dict[str, Any]) -> tuple[int, int, bool]:
    return page["total"], page["total_pages"], page["total_is_estimate"]


class TestCountCap:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            # More matches than the cap: the cap, flagged.
            ({"limit": 2}, (CAP, 2, True)),
            ({"search": "python", "limit": 2}, (CAP, 2, True)),
            ({"search": "python", "location": "paris", "limit": 2}, (CAP, 2, True)),
            # The window reaches the end of the asked page: still a lower bound, one page on.
            ({"search": "python", "page": 2, "limit": 2}, (4, 2, True)),
            # The window covers the asked page: the last page's total is exact.
            ({"search": "python", "page": 3, "limit": 2}, (5, 3, False)),
            ({"search": "python", "limit": 10}, (5, 1, False)),
            # Fewer matches than the cap: exact.
            ({"location": "lyon", "limit": 1}, (1, 1, False)),
            ({"search": "dev", "location": "nowhere", "limit": 1}, (0, 0, False)),
        ],
    )
    async def test_totals(
        self,
        client: AsyncClient,
        five_jobs: list[int],
        params: dict[str, Any],
        expected: tuple[int, int, bool],
    ) -> None:
        assert totals(await list_jobs(client, **params)) == expected

    async def test_pages_are_unchanged(self, client: AsyncClient, five_jobs: list[int]) -> None:
        walked = [
            ids(await list_jobs(client, location="paris", page=n, limit=2)) for n in (1, 2, 3)
        ]
        assert walked == [five_jobs[:2], five_jobs[2:4], five_jobs[4:]]

    async def test_past_the_end_is_exact(self, client: AsyncClient, five_jobs: list[int]) -> None:
        page = await list_jobs(client, search="python", page=9, limit=2)
        assert page["jobs"] == []
        assert totals(page) == (5, 3, False)

    async def test_at_the_cap_is_exact(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        for n in range(CAP):
            await add_job(session, employer, title=f"Job {n}")
        assert totals(await list_jobs(client, limit=1)) == (CAP, CAP, False)


class TestDefaultCap:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings()

    async def test_default(self, settings: Settings) -> None:
        assert settings.job_list_count_cap == 1000

    async def test_small_lists_are_exact(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        for n in range(4):
            await add_job(session, employer, title=f"Job {n}")
        assert totals(await list_jobs(client, limit=2)) == (4, 2, False)
