"""Helpers for the jobs API tests: job owners, job bodies, indexed factory jobs, reads."""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.search import search_document
from intowork.models import Company, Employer, Job
from intowork.models.enums import JobStatus

# The actors are tests/fixtures' (re-exported: this folder's tests import them from here).
from tests.fixtures.actors import ANONYMOUS as ANONYMOUS
from tests.fixtures.actors import Actor as Actor
from tests.fixtures.actors import bearer as bearer
from tests.fixtures.actors import candidate_actor as candidate_actor
from tests.fixtures.actors import employer_actor as employer_actor
from tests.fixtures.factories import make_company, make_job

JOB_ITEM_KEYS = frozenset(
    {
        "id",
        "title",
        "description",
        "company_name",
        "company_logo_url",
        "location",
        "location_type",
        "job_type",
        "salary_min",
        "salary_max",
        "currency",
        "posted_at",
        "is_featured",
        "views_count",
        "applications_count",
        "has_applied",
        "status",
    }
)
JOB_DETAIL_KEYS = JOB_ITEM_KEYS | {
    "requirements",
    "responsibilities",
    "benefits",
    "company_description",
    "company_industry",
    "company_size",
    "created_at",
    "employment_type",
    "salary_range",
}
PAGE_KEYS = frozenset({"jobs", "total", "page", "limit", "total_pages", "total_is_estimate"})
AUTH_REQUIRED = {"detail": "Authentication required"}
EMPLOYER_REQUIRED = {"detail": "Employer access required"}
NOT_OWNER = {"detail": "You do not own this job"}
NOT_FOUND = {"detail": "Job not found"}
ALL_STATUSES = [status.value for status in JobStatus]

# Each one makes a create (or update) body invalid: 422.
INVALID_BODIES: list[dict[str, Any]] = [
    {"salary_min": 70000, "salary_max": 60000},
    {"salary_min": -1},
    {"salary_max": -1, "salary_min": None},
    {"salary_min": "lots"},
    {"currency": "eur"},
    {"currency": "EURO"},
    {"currency": "EU"},
    {"currency": "E1R"},
    {"currency": ""},
    {"title": None},
    {"description": None},
    {"title": "t" * 201},
    {"description": "d" * 20001},
    {"location": "l" * 201},
    {"requirements": "r" * 20001},
    {"responsibilities": "r" * 20001},
    {"benefits": "b" * 20001},
    {"status": "closed"},
    {"status": "archived"},
    {"status": "open"},
    {"job_type": "freelance"},
    {"location_type": "moon"},
]


UNSET: Any = object()


@pytest.fixture
async def company(session: AsyncSession) -> Company:
    return await make_company(
        session,
        name="Acme Industries",
        description="We make everything.",
        industry="Manufacturing",
        size="11-50",
        logo_url="https://cdn.example.com/acme.png",
    )


@pytest.fixture
def owner(employer: Actor) -> Actor:
    """An employer of `company`; the jobs it posts are its own."""
    return employer


@pytest.fixture
async def colleague(client: AsyncClient, session: AsyncSession, company: Company) -> Actor:
    """Another employer of the same company: not the owner of `owner`'s jobs."""
    return await employer_actor(client, session, company)


@pytest.fixture
def outsider(other_employer: Actor) -> Actor:
    """An employer of another company."""
    return other_employer


def job_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body; `None` values are dropped (the key is then omitted)."""
    body: dict[str, Any] = {
        "title": "Backend engineer",
        "description": "Build the IntoWork API in Python.",
        "location": "Paris",
        "location_type": "hybrid",
        "job_type": "full_time",
        "salary_min": 50000,
        "salary_max": 60000,
        "currency": "EUR",
        "requirements": "Python, SQL",
        "responsibilities": "Ship features",
        "benefits": "Remote days",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


async def post_job(client: AsyncClient, actor: Actor, **overrides: Any) -> Response:
    return await client.post("/api/jobs/create", json=job_body(**overrides), headers=actor.headers)


async def post_job_ok(client: AsyncClient, actor: Actor, **overrides: Any) -> dict[str, Any]:
    response = await post_job(client, actor, **overrides)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def add_job(
    session: AsyncSession,
    employer: Employer,
    *,
    title: str = "Backend engineer",
    description: str = "Build the IntoWork API.",
    status: JobStatus = JobStatus.PUBLISHED,
    posted_at: datetime | None = UNSET,
    **values: Any,
) -> Job:
    """A factory job with its search columns filled as the API fills them."""
    company = await session.get(Company, employer.company_id)
    assert company is not None
    job = await make_job(
        session,
        employer=employer,
        status=status,
        title=title,
        description=description,
        search_text=search_document(title, description),
        search_company=search_document(company.name),
        **values,
    )
    if posted_at is not UNSET:
        job.posted_at = posted_at
        await session.commit()
    return job


async def fetch_job(session: AsyncSession, job_id: int) -> Job | None:
    """A fresh read: the API wrote through its own session."""
    statement = select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    return await session.scalar(statement)


async def set_job(session: AsyncSession, job_id: int, **values: Any) -> None:
    await session.execute(update(Job).where(Job.id == job_id).values(**values))
    await session.commit()


async def list_jobs(
    client: AsyncClient, actor: Actor = ANONYMOUS, path: str = "/api/jobs", **params: Any
) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert set(data) == PAGE_KEYS
    for item in data["jobs"]:
        assert set(item) == JOB_ITEM_KEYS, sorted(item)
    return data


def ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["jobs"]]


def titles(page: dict[str, Any]) -> set[str]:
    return {item["title"] for item in page["jobs"]}


def total_pages(total: int, limit: int) -> int:
    return math.ceil(total / limit)


def utc(timestamp: str) -> datetime:
    assert timestamp.endswith("Z"), f"{timestamp!r}: timestamps are UTC with a designator"
    return datetime.fromisoformat(timestamp)


def is_recent(timestamp: str) -> bool:
    return abs(datetime.now(UTC) - utc(timestamp)) < timedelta(minutes=1)


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
