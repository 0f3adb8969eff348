"""GET /api/jobs/my-jobs: the employer's own jobs, every status."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import JobStatus
from tests.jobs.conftest import (
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    Actor,
    add_job,
    ids,
    list_jobs,
    titles,
)

MY_JOBS = "/api/jobs/my-jobs"


async def add_dated(
    session: AsyncSession, actor: Actor, title: str, hours_ago: int, **values: object
) -> int:
    assert actor.employer is not None
    created_at = datetime(2026, 1, 12, 12, tzinfo=UTC) - timedelta(hours=hours_ago)
    job = await add_job(session, actor.employer, title=title, created_at=created_at, **values)
    return job.id


class TestMyJobs:
    async def test_own_jobs_every_status_newest_first(
        self, client: AsyncClient, session: AsyncSession, owner: Actor, colleague: Actor
    ) -> None:
        expected = [
            await add_dated(session, owner, "Recent draft", 0, status=JobStatus.DRAFT),
            await add_dated(session, owner, "Archived", 1, status=JobStatus.ARCHIVED),
            await add_dated(session, owner, "Published", 2),
            await add_dated(session, owner, "Closed", 3, status=JobStatus.CLOSED),
            await add_dated(session, owner, "Draft", 4, status=JobStatus.DRAFT),
        ]
        await add_dated(session, colleague, "Colleague's", 0)
        page = await list_jobs(client, owner, path=MY_JOBS)
        assert ids(page) == expected
        assert (page["total"], page["page"], page["limit"], page["total_pages"]) == (5, 1, 10, 1)
        statuses = {item["title"]: item["status"] for item in page["jobs"]}
        assert statuses["Draft"] == "draft"
        assert statuses["Archived"] == "archived"
        posted = {item["title"]: item["posted_at"] for item in page["jobs"]}
        assert posted["Draft"] is None
        assert posted["Published"] is not None

    async def test_empty(self, client: AsyncClient, owner: Actor) -> None:
        page = await list_jobs(client, owner, path=MY_JOBS)
        assert page == {
            "jobs": [],
            "total": 0,
            "page": 1,
            "limit": 10,
            "total_pages": 0,
            "total_is_estimate": False,
        }

    async def test_pagination(
        self, client: AsyncClient, session: AsyncSession, owner: Actor
    ) -> None:
        created = [await add_dated(session, owner, f"Job {n}", n) for n in range(5)]
        first = await list_jobs(client, owner, path=MY_JOBS, limit=2)
        third = await list_jobs(client, owner, path=MY_JOBS, limit=2, page=3)
        past = await list_jobs(client, owner, path=MY_JOBS, limit=2, page=4)
        assert ids(first) == created[:2]
        assert ids(third) == created[4:]
        assert (first["total"], first["total_pages"]) == (5, 3)
        assert (past["jobs"], past["total"]) == ([], 5)

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}])
    async def test_out_of_range(
        self, client: AsyncClient, owner: Actor, params: dict[str, int]
    ) -> None:
        response = await client.get(MY_JOBS, params=params, headers=owner.headers)
        assert response.status_code == 422

    @pytest.mark.parametrize(
        ("status_filter", "expected"),
        [("draft", {"Draft"}), ("published", {"Published"}), ("archived", set())],
    )
    async def test_status_filter(
        self,
        client: AsyncClient,
        session: AsyncSession,
        owner: Actor,
        status_filter: str,
        expected: set[str],
    ) -> None:
        await add_dated(session, owner, "Draft", 1, status=JobStatus.DRAFT)
        await add_dated(session, owner, "Published", 2)
        page = await list_jobs(client, owner, path=MY_JOBS, status_filter=status_filter)
        assert titles(page) == expected

    async def test_unknown_status_filter(self, client: AsyncClient, owner: Actor) -> None:
        response = await client.get(
            MY_JOBS, params={"status_filter": "open"}, headers=owner.headers
        )
        assert response.status_code == 422


class TestMyJobsSearch:
    @pytest.fixture
    async def jobs(self, session: AsyncSession, owner: Actor, colleague: Actor) -> None:
        await add_dated(session, owner, "Python developer", 1, description="Backend work.")
        await add_dated(session, owner, "100% remote tester", 2, description="QA.")
        await add_dated(session, owner, "Data_engineer", 3, description="Pipelines.")
        await add_dated(session, owner, "Chef", 4, status=JobStatus.DRAFT, description="Python?")
        await add_dated(session, colleague, "Python colleague", 5)

    @pytest.mark.usefixtures("jobs")
    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            ("Python", {"Python developer", "Chef"}),
            ("ython dev", {"Python developer"}),
            ("Backend", {"Python developer"}),
            ("%", {"100% remote tester"}),
            ("0% r", {"100% remote tester"}),
            ("_", {"Data_engineer"}),
            ("a_e", {"Data_engineer"}),
            ("%_", set()),
            ("Rust", set()),
        ],
    )
    async def test_substring(
        self, client: AsyncClient, owner: Actor, search: str, expected: set[str]
    ) -> None:
        page = await list_jobs(client, owner, path=MY_JOBS, search=search)
        assert titles(page) == expected
        assert page["total"] == len(expected)


class TestMyJobsAccess:
    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(MY_JOBS)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_candidate(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(MY_JOBS, headers=candidate.headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED

    async def test_admin(self, client: AsyncClient, admin: Actor) -> None:
        response = await client.get(MY_JOBS, headers=admin.headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
