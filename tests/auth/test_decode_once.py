"""One JWT verification per request: the rate limit's and the auth dependency's (issue 18)."""

from collections.abc import Callable

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core import tokens
from intowork.core.config import Settings
from intowork.core.tokens import AccessClaims, InvalidAccessToken, request_claims
from tests.auth.conftest import AUTH_REQUIRED, INVALID_TOKEN
from tests.fixtures.factories import make_user
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.tokens import access_token, bearer_header

DEFAULT_LIMIT = 2
READ_LIMIT = 50


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(
        rate_limit_enabled=True,
        rate_limit_default=f"{DEFAULT_LIMIT}/minute",
        rate_limit_read=f"{READ_LIMIT}/minute",
    )


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens verified, in order."""
    seen: list[str] = []
    real: Callable[[str, Settings], AccessClaims] = tokens.decode_access_token

    def counting(token: str, settings: Settings) -> AccessClaims:
        seen.append(token)
        return real(token, settings)

    monkeypatch.setattr(tokens, "decode_access_token", counting)
    return seen


class TestOneDecodePerRequest:
    async def test_signed_in_read(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, decodes: list[str]
    ) -> None:
        user = await make_user(session)
        response = await client.get("/api/auth/me", headers=bearer_header(user, settings))
        assert response.status_code == 200
        assert response.json()["id"] == user.id
        # The rate limit found the user in it: the signed-in read budget, not the IP's.
        assert response.headers["X-RateLimit-Limit"] == str(READ_LIMIT)
        assert len(decodes) == 1

    async def test_each_request_decodes_its_own(
        self, client: AsyncClient, session: AsyncSession, settings: Settings, decodes: list[str]
    ) -> None:
        user = await make_user(session)
        headers = bearer_header(user, settings)
        for _ in range(3):
            assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
        assert len(decodes) == 3

    async def test_invalid_token_same_401_and_ip_limit(
        self, client: AsyncClient, decodes: list[str]
    ) -> None:
        headers = {"Authorization": "Bearer not.a.token"}
        for _ in range(DEFAULT_LIMIT):
            response = await client.get("/api/auth/me", headers=headers)
            assert response.status_code == 401
            assert response.json() == INVALID_TOKEN
            assert response.headers["X-RateLimit-Limit"] == str(DEFAULT_LIMIT)
        assert len(decodes) == DEFAULT_LIMIT
        refused = await client.get("/api/auth/me", headers=headers)
        assert refused.status_code == 429
        # The anonymous caller shares that address's budget.
        assert (await client.get("/api/auth/me")).status_code == 429

    async def test_anonymous_decodes_nothing(self, client: AsyncClient, decodes: list[str]) -> None:
        response = await client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert decodes == []


class TestRequestClaims:
    @pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
    async def test_kept_per_token(
        self, session: AsyncSession, settings: Settings, decodes: list[str]
    ) -> None:
        first, second = await make_user(session), await make_user(session)
        scope: dict[str, object] = {}
        token = access_token(first, settings)
        assert request_claims(scope, token, settings).user_id == first.id
        assert request_claims(scope, token, settings).user_id == first.id
        assert len(decodes) == 1
        # Another token in the same scope is verified, never mistaken for the first.
        assert request_claims(scope, access_token(second, settings), settings).user_id == second.id
        assert len(decodes) == 2

    @pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
    def test_refusal_kept_too(self, settings: Settings, decodes: list[str]) -> None:
        scope: dict[str, object] = {}
        for _ in range(2):
            with pytest.raises(InvalidAccessToken):
                request_claims(scope, "not.a.token", settings)
        assert len(decodes) == 1
