"""Bearer access tokens (API.md 1.2): what is accepted, what is refused, and with which message."""

from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from tests.auth.conftest import INVALID_TOKEN, me, set_user, signin_ok
from tests.fixtures.factories import make_user
from tests.fixtures.tokens import access_claims, forge, unsigned_token


def assert_invalid(response: Any) -> None:
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN
    assert response.headers["WWW-Authenticate"] == "Bearer"


class TestValidAccessToken:
    async def test_issued_token_accepted(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await me(client, tokens["access_token"])
        assert response.status_code == 200
        assert response.json()["id"] == user.id

    async def test_forged_with_the_right_secret_accepted(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        # Proves that the refusals below come from the tampering, not from the forging.
        user = await make_user(session)
        response = await me(client, forge(access_claims(user)))
        assert response.status_code == 200

    async def test_lowercase_scheme(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        token = forge(access_claims(user))
        response = await client.get("/api/auth/me", headers={"Authorization": f"bearer {token}"})
        assert response.status_code == 200

    async def test_authorization_uses_the_row_not_the_claims(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token = forge(access_claims(user, role="admin", email="someone@else.com"))
        response = await me(client, token)
        assert response.status_code == 200
        assert response.json()["role"] == "candidate"
        assert response.json()["email"] == user.email


class TestTamperedAccessToken:
    async def test_alg_none(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, unsigned_token(access_claims(user))))

    async def test_wrong_secret(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, forge(access_claims(user), secret="other-" + "y" * 40)))

    @pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
    @pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
    async def test_other_hmac_algorithm(
        self, client: AsyncClient, session: AsyncSession, algorithm: str
    ) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, forge(access_claims(user), algorithm=algorithm)))

    async def test_expired(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        claims = access_claims(user)
        claims.update(iat=claims["iat"] - 7200, exp=claims["iat"] - 3600)
        assert_invalid(await me(client, forge(claims)))

    async def test_missing_exp(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        claims = access_claims(user)
        del claims["exp"]
        assert_invalid(await me(client, forge(claims)))

    async def test_type_refresh(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, forge(access_claims(user, type="refresh"))))

    async def test_missing_type(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        claims = access_claims(user)
        del claims["type"]
        assert_invalid(await me(client, forge(claims)))

    async def test_refresh_token_as_bearer(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        assert_invalid(await me(client, tokens["refresh_token"]))

    @pytest.mark.parametrize("sub", ["abc", "0", "-1", "", "1.5", "99999999999999999999999"])
    async def test_malformed_subject(
        self, client: AsyncClient, session: AsyncSession, sub: str
    ) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, forge(access_claims(user, sub=sub))))

    async def test_unknown_user(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        assert_invalid(await me(client, forge(access_claims(user, sub=str(user.id + 1000)))))

    async def test_deleted_user(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await session.execute(delete(User).where(User.id == user.id))
        await session.commit()
        assert_invalid(await me(client, tokens["access_token"]))

    async def test_issued_before_tokens_valid_after(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        claims = access_claims(user)
        claims.update(iat=claims["iat"] - 600)
        await set_user(session, user.id, tokens_valid_after=datetime.now(UTC))
        assert_invalid(await me(client, forge(claims)))

    @pytest.mark.parametrize(
        "token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "Bearer x", "é"]
    )
    async def test_garbage(self, client: AsyncClient, token: str) -> None:
        response = await client.get(
            "/api/auth/me",
            headers={"Authorization": f"Bearer {token}".encode()},  # type: ignore[dict-item]
        )
        assert_invalid(response)
