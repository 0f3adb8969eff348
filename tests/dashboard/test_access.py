"""Who may call the dashboard routes (API.md 1.2 and 8): any active user; the funnel employers."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.dashboard.conftest import (
    ACTIVITIES,
    AUTH_REQUIRED,
    DASHBOARD,
    FUNNEL,
    INACTIVE,
    employer_of,
)
from tests.fixtures.actors import sign_in_headers
from tests.fixtures.factories import make_company, make_user

PATHS = [DASHBOARD, f"{DASHBOARD}/", ACTIVITIES, FUNNEL]


class TestAnonymous:
    @pytest.mark.parametrize("path", PATHS)
    async def test_no_token(self, client: AsyncClient, path: str) -> None:
        response = await client.get(path)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize("path", PATHS)
    async def test_bad_token(self, client: AsyncClient, path: str) -> None:
        response = await client.get(path, headers={"Authorization": "Bearer not-a-jwt"})
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token"}


class TestInactive:
    @pytest.mark.parametrize("role", list(UserRole))
    async def test_every_route(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        user = await make_user(session, role=role)
        if role is UserRole.EMPLOYER:
            (await employer_of(session, user)).company_id = (await make_company(session)).id
        headers = await sign_in_headers(client, user)
        user.is_active = False
        await session.commit()
        for path in PATHS:
            response = await client.get(path, headers=headers)
            assert response.status_code == 403, path
            assert response.json() == INACTIVE


class TestAnyRole:
    @pytest.mark.parametrize("role", list(UserRole))
    async def test_dashboard_and_activities(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        headers = await sign_in_headers(client, await make_user(session, role=role))
        for path in [DASHBOARD, ACTIVITIES]:
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
