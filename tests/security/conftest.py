"""Helpers for the abuse-protection tests: apps with rate limits on, callers by IP and by user."""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.core.ratelimit import RateLimit, Tier
from intowork.main import create_app
from intowork.models import Company, Job, User
from intowork.models.enums import UserRole
from tests.fixtures.abuse import World, build_world
from tests.fixtures.factories import make_company, make_employer, make_job, make_user
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.timing import app_lifespan

# For modules about transport behaviour that no query changes: run on one database only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PEER = "203.0.113.9"
OTHER_PEER = "203.0.113.77"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}
PROBE_ERROR = "/api/probe/boom"
INTERNAL_ERROR = {"detail": "Internal server error"}

Send = Callable[[int], Awaitable[Response]]


def build_app(settings: Settings, *, probe: bool = False) -> FastAPI:
    """The real app; `probe` adds a route that fails with an unexpected error (a 500)."""
    app = create_app(settings)
    if probe:

        async def boom() -> None:
            raise RuntimeError("probe: an unexpected failure")

        app.add_api_route(
            PROBE_ERROR, boom, methods=["GET"], dependencies=[RateLimit(Tier.DEFAULT)]
        )
    return app


@asynccontextmanager
async def running(settings: Settings, *, probe: bool = False) -> AsyncIterator[FastAPI]:
    """The app of `build_app`, with its lifespan."""
    app = build_app(settings, probe=probe)
    async with app_lifespan(app):
        yield app


def client_for(app: FastAPI, peer: str = PEER) -> AsyncClient:
    """A client whose requests come from the socket peer `peer`."""
    transport = ASGITransport(app=app, client=(peer, 1234), raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture(params=["memory", "redis"])
def limit_storage(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Where the counters live: this process's memory, or a real Redis (own key prefix)."""
    if request.param == "memory":
        return {"redis_url": None}
    target: RedisTarget = request.getfixturevalue("redis_target")
    return {"redis_url": target.url, "redis_key_prefix": target.prefix}


@pytest.fixture
def limited_settings(make_settings: SettingsFactory, limit_storage: dict[str, Any]):
    """Settings with rate limiting on (the suite's default turns it off), on each storage."""

    def make(**overrides: Any) -> Settings:
        return make_settings(**{"rate_limit_enabled": True, **limit_storage, **overrides})

    return make


@pytest.fixture
def shared_settings(make_settings: SettingsFactory, redis_target: RedisTarget):
    """Settings with rate limiting on and the counters in Redis, as in production."""

    def make(**overrides: Any) -> Settings:
        values = {"redis_url": redis_target.url, "redis_key_prefix": redis_target.prefix}
        return make_settings(**{"rate_limit_enabled": True, **values, **overrides})

    return make


async def add_user(app: FastAPI, role: UserRole = UserRole.CANDIDATE) -> User:
    async with app.state.db.sessionmaker() as session:
        return await make_user(session, role=role)


async def add_job(app: FastAPI) -> Job:
    async with app.state.db.sessionmaker() as session:
        company: Company = await make_company(session)
        employer = await make_employer(session, company=company)
        return await make_job(session, employer=employer)


def assert_counted(response: Response, limit: int, remaining: int) -> None:
    assert response.status_code < 500, response.text
    assert response.status_code != 429, response.text
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == str(remaining)
    reset = int(response.headers["X-RateLimit-Reset"])
    assert time.time() < reset, "X-RateLimit-Reset is a Unix time in the future"
    assert "Retry-After" not in response.headers


def assert_refused(response: Response, limit: int, seconds: int) -> None:
    """API.md 1.3/1.6: 429 with the common error body, Retry-After and X-RateLimit-*."""
    assert response.status_code == 429, response.text
    assert response.json() == {"detail": f"Rate limit exceeded: {limit} per {seconds} seconds"}
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    now = time.time()
    reset = int(response.headers["X-RateLimit-Reset"])
    assert now < reset <= now + seconds + 2
    assert 1 <= int(response.headers["Retry-After"]) <= seconds + 1


def assert_unlimited(response: Response) -> None:
    assert response.status_code != 429, response.text
    assert not {name for name in RATE_HEADERS if name in response.headers}
    assert "Retry-After" not in response.headers


async def assert_limit(send: Send, limit: int, seconds: int = 60) -> Response:
    """Requests 1..limit pass, Remaining counting down; request limit+1 is refused."""
    for index in range(limit):
        assert_counted(await send(index), limit, limit - index - 1)
    refused = await send(limit)
    assert_refused(refused, limit, seconds)
    return refused


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> World:
    """The input-abuse tests' jobs and callers (tests/fixtures/abuse.py)."""
    return await build_world(session, settings)
