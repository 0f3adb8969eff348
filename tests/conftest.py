"""The app under test: real lifespan, full middleware stack, driven over ASGI by httpx."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.main import create_app
from tests.fixtures.settings import SettingsFactory, app_settings
from tests.fixtures.timing import app_lifespan

pytest_plugins = [
    "tests.fixtures.actors",
    "tests.fixtures.databases",
    "tests.fixtures.redis",
    "tests.fixtures.statements",
]


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
