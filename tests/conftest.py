"""The app under test: real lifespan, full middleware stack, driven over ASGI by httpx."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Environment, Settings
from intowork.main import create_app
from tests.fixtures.timing import app_lifespan

pytest_plugins = ["tests.fixtures.databases", "tests.fixtures.redis", "tests.fixtures.statements"]

# Strong enough for production settings too (random, 64 characters).
TEST_JWT_SECRET = "JNl9xir25WRBFNo4Ie7N6suKYxbreMLyzANfSgVXLJv0RRpfPehbaJpX9bzQZLri"

SettingsFactory = Callable[..., Settings]


def app_settings(**overrides: Any) -> Settings:
    """Settings for a test app (give it `database_url` and `data_dir`): no .env, no Redis."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "jwt_secret": TEST_JWT_SECRET,
        "redis_url": None,
        "log_level": "DEBUG",
        "rate_limit_enabled": False,
        "email_worker_in_process": False,
        # The suite checks the English catalogue (API.md 3-10); French has its own tests.
        "default_language": "en",
        # Views are flushed by the tests themselves (`await app.state.job_views.flush()`).
        "view_flush_seconds": 86_400,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> SettingsFactory:
    """Settings for one test: its own database and data directory, no .env, no Redis."""

    def make(**overrides: Any) -> Settings:
        return app_settings(
            **{"database_url": database_url, "data_dir": tmp_path / "data", **overrides}
        )

    return make


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with app_lifespan(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session on the app's own database, for factories and for checking what was stored."""
    async with app.state.db.sessionmaker() as db_session:
        yield db_session
