"""Who may call the employer routes of /api/companies (API.md 1.2, 7)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.companies.conftest import AUTH_REQUIRED, EMPLOYER_REQUIRED, owner_of, user_headers

EMPLOYER_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/companies", {"name": "Intruder"}),
    ("GET", "/api/companies/my-company", None),
    ("PUT", "/api/companies/my-company", {"name": "Hijacked"}),
    ("GET", "/api/companies/my-company/stats", None),
]
IDS = [f"{method} {path}" for method, path, _ in EMPLOYER_ROUTES]


@pytest.mark.parametrize(("method", "path", "body"), EMPLOYER_ROUTES, ids=IDS)
class TestEmployerOnly:
    async def test_anonymous(
        self, client: AsyncClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        response = await client.request(method, path, json=body)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_invalid_token(
        self, client: AsyncClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        headers = {"Authorization": "Bearer not-a-token"}
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token"}

    @pytest.mark.parametrize("role", [UserRole.CANDIDATE, UserRole.ADMIN])
    async def test_other_roles(
        self,
        client: AsyncClient,
        session: AsyncSession,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        role: UserRole,
    ) -> None:
        company, *_ = await owner_of(client, session)
        headers = await user_headers(client, session, role)
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
        await session.refresh(company)
        assert company.name == "Acme"
