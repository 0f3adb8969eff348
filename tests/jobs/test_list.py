"""GET /api/jobs: shape, visibility, pagination and ordering."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company
from intowork.models.enums import JobLocation, JobStatus, JobType
from tests.fixtures.factories import make_employer
from tests.jobs.conftest import add_job, ids, list_jobs, total_pages, utc


class TestListShape:
    async def test_exact_keys_and_values(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        job = await add_job(
            session,
            employer,
            title="Data engineer",
            description="Pipelines.",
            location="Lyon",
            location_type=JobLocation.REMOTE,
            job_type=JobType.CONTRACT,
            salary_min=40000,
            salary_max=55000,
            currency="USD",
            requirements="SQL",
        )
        page = await list_jobs(client)
        assert page["total"] == 1
        item = page["jobs"][0]
        assert job.posted_at is not None
        assert abs(utc(item.pop("posted_at")) - job.posted_at) < timedelta(seconds=1)
        assert item == {
            "id": job.id,
            "title": "Data engineer",
            "description": "Pipelines.",
            "company_name": "Acme Industries",
            "company_logo_url": "https://cdn.example.com/acme.png",
            "location": "Lyon",
            "location_type": "remote",
            "job_type": "contract",
            "salary_min": 40000,
            "salary_max": 55000,
            "currency": "USD",
            "is_featured": False,
            "views_count": 0,
            "applications_count": 0,
            "has_applied": False,
            "status": "published",
        }

    async def test_nulls_are_present(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer)
        item = (await list_jobs(client))["jobs"][0]
        assert (item["location"], item["salary_min"], item["salary_max"]) == (None, None, None)
        assert item["currency"] == "EUR"

    @pytest.mark.parametrize(
        ("length", "truncated"), [(299, False), (300, False), (301, True), (5000, True)]
    )
    async def test_description_truncation(
        self,
        client: AsyncClient,
        session: AsyncSession,
        company: Company,
        length: int,
        truncated: bool,
    ) -> None:
        description = "".join(chr(ord("a") + n % 26) for n in range(length))
        employer = await make_employer(session, company=company)
        await add_job(session, employer, description=description)
        item = (await list_jobs(client))["jobs"][0]
        expected = description[:300] + "..." if truncated else description
        assert item["description"] == expected


class TestListVisibility:
    async def test_only_published(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        published = await add_job(session, employer, title="Open")
        for status in (JobStatus.DRAFT, JobStatus.CLOSED, JobStatus.ARCHIVED):
            await add_job(session, employer, title=status.value, status=status)
        page = await list_jobs(client)
        assert ids(page) == [published.id]
        assert page["total"] == 1
        assert page["jobs"][0]["status"] == "published"


class TestListPagination:
    async def test_defaults(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        for n in range(12):
            await add_job(session, employer, title=f"Job {n}")
        page = await list_jobs(client)
        assert (page["total"], page["page"], page["limit"], page["total_pages"]) == (12, 1, 10, 2)
        assert len(page["jobs"]) == 10
        second = await list_jobs(client, page=2)
        assert len(second["jobs"]) == 2
        assert second["page"] == 2

    async def test_empty(self, client: AsyncClient) -> None:
        page = await list_jobs(client)
        assert page == {
            "jobs": [],
            "total": 0,
            "page": 1,
            "limit": 10,
            "total_pages": 0,
            "total_is_estimate": False,
        }

    @pytest.mark.parametrize("limit", [1, 2, 3, 5, 7, 100])
    async def test_pages_are_disjoint_and_stable(
        self, client: AsyncClient, session: AsyncSession, company: Company, limit: int
    ) -> None:
        # Same posted_at for all: only `id DESC` separates them.
        employer = await make_employer(session, company=company)
        moment = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
        created = [(await add_job(session, employer, posted_at=moment)).id for _ in range(7)]
        seen: list[int] = []
        for number in range(1, total_pages(7, limit) + 1):
            page = await list_jobs(client, page=number, limit=limit)
            assert (page["total"], page["limit"], page["page"]) == (7, limit, number)
            assert page["total_pages"] == total_pages(7, limit)
            seen += ids(page)
        assert seen == sorted(created, reverse=True)

    async def test_past_the_end(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        for _ in range(3):
            await add_job(session, employer)
        page = await list_jobs(client, page=5, limit=2)
        assert page == {
            "jobs": [],
            "total": 3,
            "page": 5,
            "limit": 2,
            "total_pages": 2,
            "total_is_estimate": False,
        }

    @pytest.mark.parametrize("number", [4, 1_000_001, 2**31])
    async def test_far_past_the_end(
        self, client: AsyncClient, session: AsyncSession, company: Company, number: int
    ) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer)
        page = await list_jobs(client, page=number, limit=100)
        assert (page["jobs"], page["total"], page["page"]) == ([], 1, number)

    @pytest.mark.parametrize(
        "params",
        [{"page": 10**20}, {"limit": 10**20}, {"salary_min": 10**20}, {"company_id": 10**20}],
    )
    async def test_huge_numbers_are_not_errors(
        self, client: AsyncClient, params: dict[str, int]
    ) -> None:
        response = await client.get("/api/jobs", params=params)
        assert response.status_code in {200, 422}, response.text

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": 101},
            {"limit": -1},
            {"limit": "ten"},
            {"page": 0},
            {"page": -1},
            {"page": "one"},
        ],
    )
    async def test_out_of_range(self, client: AsyncClient, params: dict[str, object]) -> None:
        response = await client.get("/api/jobs", params=params)
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], list)


class TestListSort:
    async def _dataset(self, session: AsyncSession, company: Company) -> list[int]:
        """Jobs with mixed posted_at (ties included); returns ids in `posted_at DESC, id DESC`."""
        employer = await make_employer(session, company=company)
        base = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
        offsets = [3, 0, 5, 0, 1, 5, 2]
        rows = []
        for n, hours in enumerate(offsets):
            posted_at = base - timedelta(hours=hours)
            job = await add_job(session, employer, title=f"Engineer {n}", posted_at=posted_at)
            rows.append((posted_at, job.id))
        return [job_id for _, job_id in sorted(rows, reverse=True)]

    async def test_recent(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        expected = await self._dataset(session, company)
        assert ids(await list_jobs(client, sort="recent", limit=100)) == expected

    async def test_default_is_recent(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        expected = await self._dataset(session, company)
        assert ids(await list_jobs(client, limit=100)) == expected

    async def test_relevance_without_search_is_recent(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        expected = await self._dataset(session, company)
        assert ids(await list_jobs(client, sort="relevance", limit=100)) == expected
        assert ids(await list_jobs(client, sort="relevance", search="!!!", limit=100)) == expected

    async def test_relevance_with_search(
        self, client: AsyncClient, session: AsyncSession, company: Company
    ) -> None:
        employer = await make_employer(session, company=company)
        await add_job(session, employer, title="Python developer", description="Django.")
        await add_job(session, employer, title="Chef", description="Python in the kitchen.")
        await add_job(session, employer, title="Gardener", description="Plants.")
        relevance = await list_jobs(client, search="python", sort="relevance")
        recent = await list_jobs(client, search="python", sort="recent")
        assert set(ids(relevance)) == set(ids(recent))
        assert {item["title"] for item in relevance["jobs"]} == {"Python developer", "Chef"}
        assert relevance["total"] == 2

    @pytest.mark.parametrize("sort", ["oldest", "RECENT", "posted_at"])
    async def test_unknown_sort(self, client: AsyncClient, sort: str) -> None:
        response = await client.get("/api/jobs", params={"sort": sort})
        assert response.status_code == 422
