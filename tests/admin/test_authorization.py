"""Every /api/admin route: anonymous 401, candidate, employer and inactive admin 403, admin 2xx."""

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from intowork.models.enums import UserRole
from tests.admin.conftest import ADMIN_REQUIRED, AUTH_REQUIRED, INACTIVE, inactive_admin
from tests.fixtures.actors import Actor, make_actor
from tests.fixtures.factories import make_user
from tests.fixtures.reads import fetch_one

# (method, path with {target} for the user acted upon, JSON body, success status)
ROUTES: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("GET", "/api/admin/stats", None, 200),
    ("GET", "/api/admin/users", None, 200),
    ("GET", "/api/admin/employers", None, 200),
    ("GET", "/api/admin/jobs", None, 200),
    ("PUT", "/api/admin/users/{target}/activate", {"is_active": False}, 200),
    ("DELETE", "/api/admin/users/{target}", None, 200),
    ("GET", "/api/admin/me", None, 200),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


async def call(
    client: AsyncClient,
    route: tuple[str, str, dict[str, Any] | None, int],
    target: User,
    headers: dict[str, str],
) -> Response:
    method, path, body, _ = route
    return await client.request(method, path.format(target=target.id), json=body, headers=headers)


@pytest.fixture
async def target(session: AsyncSession) -> User:
    return await make_user(session, email="target@example.com")


async def assert_untouched(session: AsyncSession, target: User) -> None:
    stored = await fetch_one(session, select(User).where(User.id == target.id))
    assert stored is not None
    assert stored.is_active


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
class TestAuthorization:
    async def test_anonymous(
        self, client: AsyncClient, session: AsyncSession, target: User, route: Any
    ) -> None:
        response = await call(client, route, target, {})
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["www-authenticate"] == "Bearer"
        await assert_untouched(session, target)

    async def test_garbage_token(
        self, client: AsyncClient, session: AsyncSession, target: User, route: Any
    ) -> None:
        response = await call(client, route, target, {"Authorization": "Bearer not-a-jwt"})
        assert response.status_code == 401
        await assert_untouched(session, target)

    @pytest.mark.parametrize("role", [UserRole.CANDIDATE, UserRole.EMPLOYER])
    async def test_wrong_role(
        self,
        client: AsyncClient,
        session: AsyncSession,
        target: User,
        route: Any,
        role: UserRole,
    ) -> None:
        actor = await make_actor(client, session, role)
        response = await call(client, route, target, actor.headers)
        assert response.status_code == 403
        assert response.json() == ADMIN_REQUIRED
        await assert_untouched(session, target)

    async def test_inactive_admin(
        self, client: AsyncClient, session: AsyncSession, target: User, route: Any
    ) -> None:
        actor = await inactive_admin(client, session)
        response = await call(client, route, target, actor.headers)
        assert response.status_code == 403
        assert response.json() == INACTIVE
        await assert_untouched(session, target)

    async def test_admin(self, client: AsyncClient, admin: Actor, target: User, route: Any) -> None:
        response = await call(client, route, target, admin.headers)
        assert response.status_code == route[3], response.text
