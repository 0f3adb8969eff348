"""Helpers for the cache tests: the app on each cache backend, callers, and reading statement logs.

`cache_backend` runs a test on the in-process cache (no REDIS_URL) and on a real Redis (its own
key prefix); `settings` is overridden here so the suite's `app`, `client`, `session` and
`count_statements` fixtures all use it. Callers get access tokens minted directly: signing in
costs an Argon2 hash per user, and the cache is not about signing in.
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.jobs.search import search_document
from intowork.main import create_app
from intowork.models import Company, Employer, Job
from intowork.models.enums import JobStatus, UserRole

# The actors are tests/fixtures' (re-exported: this folder's tests import them from here); the
# cache's callers hold minted tokens (`new_actor` is `minted_actor`).
from tests.fixtures.actors import ANONYMOUS as ANONYMOUS
from tests.fixtures.actors import Actor as Actor
from tests.fixtures.actors import minted_actor as new_actor
from tests.fixtures.factories import make_company, make_job
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.statements import StatementLog
from tests.fixtures.timing import app_lifespan

# For tests about the cache's transport (Redis down, two processes): one database is enough.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

JOBS = "/api/jobs"
DASHBOARD = "/api/dashboard"
MY_APPLICATIONS = "/api/applications/my/applications"
EMPLOYER_APPLICATIONS = "/api/applications/employer/applications"
PUBLIC = "public, max-age=0, must-revalidate"
PRIVATE = "private, no-cache"

# The access check every authenticated request makes: the caller's own user row.
_USER_LOOKUP = re.compile(r"\bFROM users WHERE users\.id = ", re.IGNORECASE)
_FROM_JOBS = re.compile(r"\bFROM jobs\b", re.IGNORECASE)


@pytest.fixture(params=["memory", "redis"])
def cache_backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Where the cache lives: this process's memory, or a real Redis (own key prefix)."""
    if request.param == "memory":
        return {"redis_url": None}
    target: RedisTarget = request.getfixturevalue("redis_target")
    return {"redis_url": target.url, "redis_key_prefix": target.prefix}


@pytest.fixture
def settings(make_settings: SettingsFactory, cache_backend: dict[str, Any]) -> Settings:
    return make_settings(log_level="WARNING", **cache_backend)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[FastAPI]:
    """Another instance of the app (its own lifespan, engine and cache client)."""
    app = create_app(settings)
    async with app_lifespan(app):
        yield app


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def company(session: AsyncSession) -> Company:
    return await make_company(session, name="Acme Industries", description="We make everything.")


@pytest.fixture
async def employer(session: AsyncSession, settings: Settings, company: Company) -> Actor:
    """An employer of `company`: the owner of the jobs it posts."""
    return await new_actor(session, settings, UserRole.EMPLOYER, company=company)


@pytest.fixture
async def candidate(session: AsyncSession, settings: Settings) -> Actor:
    return await new_actor(session, settings, UserRole.CANDIDATE, first_name="Grace")


@pytest.fixture
async def other_candidate(session: AsyncSession, settings: Settings) -> Actor:
    return await new_actor(session, settings, UserRole.CANDIDATE, first_name="Alan")


async def add_job(
    session: AsyncSession,
    employer: Actor,
    *,
    title: str = "Backend engineer",
    status: JobStatus = JobStatus.PUBLISHED,
    **values: Any,
) -> Job:
    """A factory job with its search columns filled as the API fills them."""
    assert employer.profile_id is not None
    owner = await session.get(Employer, employer.profile_id)
    assert owner is not None
    assert owner.company_id is not None
    company = await session.get(Company, owner.company_id)
    assert company is not None
    description = values.pop("description", "Build the IntoWork API.")
    return await make_job(
        session,
        employer=owner,
        title=title,
        description=description,
        status=status,
        search_text=search_document(title, description),
        search_company=search_document(company.name),
        **values,
    )


@pytest.fixture
async def job(session: AsyncSession, employer: Actor) -> Job:
    return await add_job(session, employer)


def job_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Backend engineer",
        "description": "Build the IntoWork API in Python.",
        "location": "Paris",
        "location_type": "hybrid",
        "job_type": "full_time",
    }
    return body | overrides


async def get_ok(client: AsyncClient, path: str, actor: Actor = ANONYMOUS, **params: Any) -> Any:
    response = await client.get(path, headers=actor.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def call_ok(
    client: AsyncClient, method: str, path: str, actor: Actor, json: Any = None
) -> Response:
    response = await client.request(method, path, headers=actor.headers, json=json)
    assert response.status_code in {200, 201, 204}, response.text
    return response


async def apply_ok(client: AsyncClient, candidate: Actor, job_id: int) -> int:
    response = await call_ok(client, "POST", MY_APPLICATIONS, candidate, {"job_id": job_id})
    application_id: int = response.json()["id"]
    return application_id


def titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["jobs"]]


def applied(page: dict[str, Any]) -> dict[int, bool]:
    return {item["id"]: item["has_applied"] for item in page["jobs"]}


def reads(log: StatementLog) -> list[str]:
    """The SELECTs of a request, less the caller's own user row (checked on every request)."""
    return [
        statement
        for statement in log.statements
        if statement.upper().startswith(("SELECT", "WITH")) and not _USER_LOOKUP.search(statement)
    ]


def job_reads(log: StatementLog) -> list[str]:
    """The SELECTs that read the jobs table itself (a list page, its count, a detail)."""
    return [statement for statement in reads(log) if _FROM_JOBS.search(statement)]


async def views_in_database(session: AsyncSession, job_id: int) -> int:
    statement = (
        select(Job.views_count).where(Job.id == job_id).execution_options(populate_existing=True)
    )
    views = await session.scalar(statement)
    await session.commit()  # a fresh snapshot next time
    assert views is not None
    return views
