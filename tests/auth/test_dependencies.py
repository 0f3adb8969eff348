"""The authentication dependencies (API.md 1.2 "Who"), on probe routes and on the auth routes."""

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import UserRole
from tests.auth.conftest import AUTH_REQUIRED, INACTIVE, INVALID_TOKEN, set_user, signin_ok
from tests.fixtures.actors import bearer
from tests.fixtures.factories import DEFAULT_PASSWORD, OTHER_PASSWORD, make_user
from tests.fixtures.tokens import access_claims, forge

PROBES = {
    "/probe/any": None,
    "/probe/candidate-only": "Candidate access required",
    "/probe/employer-only": "Employer access required",
    "/probe/admin-only": "Admin access required",
}
ALLOWED = {
    UserRole.CANDIDATE: {"/probe/any", "/probe/candidate-only"},
    UserRole.EMPLOYER: {"/probe/any", "/probe/employer-only"},
    UserRole.ADMIN: {"/probe/any", "/probe/admin-only"},
}

# Every "any" route of the auth table, with a body that would be valid.
ANY_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/auth/signout-all", None),
    ("GET", "/api/auth/me", None),
    (
        "POST",
        "/api/auth/change-password",
        {"current_password": DEFAULT_PASSWORD, "new_password": OTHER_PASSWORD},
    ),
    ("POST", "/api/auth/change-email", {"new_email": "x@example.com", "password": "x"}),
    ("DELETE", "/api/auth/delete-account", None),
]
ANY_IDS = [path.rsplit("/", 1)[1] for _, path, _ in ANY_ROUTES]


async def call(
    client: AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> Response:
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.usefixtures("probe_app")
class TestRoleDependencies:
    @pytest.mark.parametrize("role", list(UserRole))
    @pytest.mark.parametrize("path", list(PROBES))
    async def test_role_matrix(
        self, client: AsyncClient, session: AsyncSession, role: UserRole, path: str
    ) -> None:
        user = await make_user(session, role=role)
        tokens = await signin_ok(client, user.email)
        response = await client.get(path, headers=bearer(tokens["access_token"]))
        if path in ALLOWED[role]:
            assert response.status_code == 200
            assert response.json() == {"id": user.id}
        else:
            assert response.status_code == 403
            assert response.json() == {"detail": PROBES[path]}

    @pytest.mark.parametrize("path", list(PROBES))
    async def test_anonymous(self, client: AsyncClient, path: str) -> None:
        response = await client.get(path)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize("path", list(PROBES))
    async def test_invalid_token(self, client: AsyncClient, path: str) -> None:
        response = await client.get(path, headers=bearer("not-a-token"))
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize("path", list(PROBES))
    async def test_inactive(self, client: AsyncClient, session: AsyncSession, path: str) -> None:
        # Inactive outranks the role check: an inactive admin is refused on every route.
        user = await make_user(session, role=UserRole.ADMIN, is_active=False)
        response = await client.get(path, headers=bearer(forge(access_claims(user))))
        assert response.status_code == 403
        assert response.json() == INACTIVE

    async def test_deactivated_after_signin(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session, role=UserRole.CANDIDATE)
        tokens = await signin_ok(client, user.email)
        await set_user(session, user.id, is_active=False)
        response = await client.get("/probe/candidate-only", headers=bearer(tokens["access_token"]))
        assert response.status_code == 403
        assert response.json() == INACTIVE

    async def test_role_from_the_row(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.CANDIDATE)
        token = forge(access_claims(user, role="admin"))
        response = await client.get("/probe/admin-only", headers=bearer(token))
        assert response.status_code == 403
        assert response.json() == {"detail": "Admin access required"}


class TestAnyRoutes:
    @pytest.mark.parametrize(("method", "path", "body"), ANY_ROUTES, ids=ANY_IDS)
    async def test_anonymous(self, client: AsyncClient, method: str, path: str, body: Any) -> None:
        response = await call(client, method, path, body, {})
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path", "body"), ANY_ROUTES, ids=ANY_IDS)
    async def test_invalid_token(
        self, client: AsyncClient, method: str, path: str, body: Any
    ) -> None:
        response = await call(client, method, path, body, bearer("not-a-token"))
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path", "body"), ANY_ROUTES, ids=ANY_IDS)
    async def test_inactive(
        self, client: AsyncClient, session: AsyncSession, method: str, path: str, body: Any
    ) -> None:
        user = await make_user(session, is_active=False)
        response = await call(client, method, path, body, bearer(forge(access_claims(user))))
        assert response.status_code == 403
        assert response.json() == INACTIVE

    @pytest.mark.parametrize("role", list(UserRole))
    async def test_every_role_allowed(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        user = await make_user(session, role=role)
        tokens = await signin_ok(client, user.email)
        response = await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
        assert response.status_code == 200
        assert response.json()["role"] == role.value


class TestPublicRoutesIgnoreTokens:
    async def test_signin_with_invalid_bearer(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        response = await client.post(
            "/api/auth/signin",
            json={"email": user.email, "password": DEFAULT_PASSWORD},
            headers=bearer("not-a-token"),
        )
        assert response.status_code == 200

    async def test_forgot_password_with_invalid_bearer(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/auth/forgot-password",
            json={"email": "nobody@example.com"},
            headers=bearer("not-a-token"),
        )
        assert response.status_code == 200
