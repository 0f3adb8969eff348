"""POST /api/auth/signin (API.md A3)."""

import time

import pytest
from httpx import AsyncClient
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, User
from intowork.models.enums import UserRole
from tests.auth.conftest import (
    AUTH_RESPONSE_KEYS,
    AUTH_USER_KEYS,
    INACTIVE,
    me,
    refresh,
    set_user,
    signin,
    signin_ok,
)
from tests.fixtures.factories import DEFAULT_PASSWORD, OTHER_PASSWORD, STRONG_PASSWORD, make_user
from tests.fixtures.reads import fetch_all, fetch_one

BAD_CREDENTIALS = {"detail": "Invalid email or password"}


class TestSigninOk:
    async def test_auth_response(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.EMPLOYER, email="ada@example.com")
        response = await signin(client, "ada@example.com")
        assert response.status_code == 200
        data = response.json()
        assert set(data) == AUTH_RESPONSE_KEYS
        assert data["token_type"] == "bearer"
        assert set(data["user"]) == AUTH_USER_KEYS
        assert data["user"] == {
            "id": user.id,
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "role": "employer",
            "image": None,
        }

    async def test_tokens_work(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        data = await signin_ok(client, user.email)
        assert (await me(client, data["access_token"])).status_code == 200
        assert (await refresh(client, data["refresh_token"])).status_code == 200

    async def test_email_case_insensitive(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        data = await signin_ok(client, "ADA@Example.Com")
        assert data["user"]["id"] == user.id

    async def test_each_signin_starts_a_family(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        await signin_ok(client, user.email)
        await signin_ok(client, user.email)
        rows = await fetch_all(session, select(AuthSession).where(AuthSession.user_id == user.id))
        assert len(rows) == 2
        assert rows[0].family_id != rows[1].family_id
        assert all(row.parent_id is None for row in rows)

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        response = await client.post(
            "/api/auth/signin/", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 200
        assert set(response.json()) == AUTH_RESPONSE_KEYS


class TestSigninRefused:
    async def test_unknown_email(self, client: AsyncClient, session: AsyncSession) -> None:
        await make_user(session, email="ada@example.com")
        response = await signin(client, "nobody@example.com")
        assert response.status_code == 401
        assert response.json() == BAD_CREDENTIALS

    async def test_wrong_password(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        response = await signin(client, user.email, STRONG_PASSWORD)
        assert response.status_code == 401
        assert response.json() == BAD_CREDENTIALS

    async def test_no_password_hash(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        await set_user(session, user.id, password_hash=None)
        response = await signin(client, user.email)
        assert response.status_code == 401
        assert response.json() == BAD_CREDENTIALS

    async def test_no_session_on_failure(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        await signin(client, user.email, STRONG_PASSWORD)
        assert await fetch_all(session, select(AuthSession)) == []

    @pytest.mark.parametrize(
        "body", [{}, {"email": "a@example.com"}, {"password": "x"}, {"email": 1, "password": "x"}]
    )
    async def test_malformed_body(self, client: AsyncClient, body: dict[str, object]) -> None:
        assert (await client.post("/api/auth/signin", json=body)).status_code == 422

    async def test_carries_www_authenticate(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        response = await signin(client, user.email, STRONG_PASSWORD)
        assert response.headers["WWW-Authenticate"] == "Bearer"


class TestSigninTiming:
    async def test_unknown_email_costs_a_verify(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        # Coarse on purpose: without the dummy verify an unknown e-mail answers ~50x faster.
        user = await make_user(session)

        async def fastest(email: str) -> float:
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                assert (await signin(client, email, STRONG_PASSWORD)).status_code == 401
                timings.append(time.perf_counter() - started)
            return min(timings)

        await fastest(user.email)  # warm-up
        wrong_password = await fastest(user.email)
        unknown_email = await fastest("nobody@example.com")
        assert unknown_email > 0.3 * wrong_password


class TestSigninInactive:
    async def test_correct_password(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, is_active=False)
        response = await signin(client, user.email)
        assert response.status_code == 403
        assert response.json() == INACTIVE
        assert await fetch_all(session, select(AuthSession)) == []

    async def test_wrong_password(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, is_active=False)
        response = await signin(client, user.email, STRONG_PASSWORD)
        assert response.status_code == 401
        assert response.json() == BAD_CREDENTIALS


class TestSigninBcryptUpgrade:
    async def test_bcrypt_hash_verified_then_rehashed(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        await set_user(session, user.id, password_hash=BcryptHasher().hash(STRONG_PASSWORD))
        await signin_ok(client, user.email, STRONG_PASSWORD)
        stored = await fetch_one(session, select(User.password_hash).where(User.id == user.id))
        assert stored is not None
        assert stored.startswith("$argon2id$")
        await signin_ok(client, user.email, STRONG_PASSWORD)

    async def test_wrong_password_keeps_bcrypt(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        bcrypt_hash = BcryptHasher().hash(STRONG_PASSWORD)
        await set_user(session, user.id, password_hash=bcrypt_hash)
        assert (await signin(client, user.email, OTHER_PASSWORD)).status_code == 401
        stored = await fetch_one(session, select(User.password_hash).where(User.id == user.id))
        assert stored == bcrypt_hash
