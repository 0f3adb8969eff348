"""GET /api/db-status: admin-only; a database that cannot be reached is a 503."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import create_database
from intowork.models.enums import UserRole
from tests.admin.conftest import (
    ADMIN_REQUIRED,
    AUTH_REQUIRED,
    INACTIVE,
    UNAVAILABLE,
    CountStatements,
    inactive_admin,
)
from tests.fixtures.actors import Actor, make_actor
from tests.fixtures.factories import make_user
from tests.fixtures.settings import SettingsFactory

URL = "/api/db-status"
UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:1/nowhere"


class TestDbStatus:
    async def test_connected(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        await make_user(session)
        await make_user(session, role=UserRole.EMPLOYER)
        response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == {
            "status": "connected",
            "test_query": "ok",
            "users_count": 3,
            "message": "Database connection is working",
        }

    async def test_one_statement(
        self, client: AsyncClient, admin: Actor, count_statements: CountStatements
    ) -> None:
        with count_statements() as log:
            response = await client.get(URL + "/", headers=admin.headers)
        assert response.status_code == 200
        assert log.count <= 2, log


@pytest.fixture
async def database_down(app: FastAPI, make_settings: SettingsFactory) -> AsyncIterator[None]:
    """The app's database swapped for one nobody listens to; put back afterwards."""
    working = app.state.db
    app.state.db = create_database(make_settings(database_url=UNREACHABLE_DATABASE))
    yield
    await app.state.db.dispose()
    app.state.db = working


class TestDatabaseDown:
    async def test_503(self, client: AsyncClient, admin: Actor, database_down: None) -> None:
        response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE

    async def test_lost_during_the_test_query(
        self, client: AsyncClient, admin: Actor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The caller was looked up (session.get); the count itself (session.scalar) fails."""

        async def lost(*_args: Any, **_kwargs: Any) -> None:
            raise OperationalError("SELECT", {}, ConnectionResetError("server closed"))

        monkeypatch.setattr(AsyncSession, "scalar", lost)
        response = await client.get(URL, headers=admin.headers)
        monkeypatch.undo()
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE


class TestAuthorization:
    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(URL)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    @pytest.mark.parametrize("role", [UserRole.CANDIDATE, UserRole.EMPLOYER])
    async def test_wrong_role(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        actor = await make_actor(client, session, role)
        response = await client.get(URL, headers=actor.headers)
        assert response.status_code == 403
        assert response.json() == ADMIN_REQUIRED

    async def test_inactive_admin(self, client: AsyncClient, session: AsyncSession) -> None:
        actor = await inactive_admin(client, session)
        response = await client.get(URL, headers=actor.headers)
        assert response.status_code == 403
        assert response.json() == INACTIVE
