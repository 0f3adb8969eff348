"""POST /api/auth/change-password (API.md A6)."""

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, User
from intowork.models.enums import SessionRevokedReason
from tests.auth.conftest import (
    INVALID_REFRESH,
    INVALID_TOKEN,
    POLICY_CASES,
    TOKEN_PAIR_KEYS,
    me,
    refresh,
    set_user,
    signin,
    signin_ok,
)
from tests.fixtures.actors import bearer
from tests.fixtures.factories import DEFAULT_PASSWORD, OTHER_PASSWORD, STRONG_PASSWORD, make_user
from tests.fixtures.reads import fetch_all, fetch_one

WRONG_CURRENT = {"detail": "Current password is incorrect"}


async def change_password(
    client: AsyncClient, access_token: str, current: str, new: str
) -> Response:
    return await client.post(
        "/api/auth/change-password",
        json={"current_password": current, "new_password": new},
        headers=bearer(access_token),
    )


async def signed_in(client: AsyncClient, session: AsyncSession) -> tuple[User, dict[str, Any]]:
    user = await make_user(session)
    return user, await signin_ok(client, user.email)


class TestChangePasswordRefused:
    async def test_wrong_current(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        response = await change_password(
            client, tokens["access_token"], OTHER_PASSWORD, STRONG_PASSWORD
        )
        assert response.status_code == 400
        assert response.json() == WRONG_CURRENT
        await signin_ok(client, user.email)

    async def test_wrong_current_checked_before_policy(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, tokens = await signed_in(client, session)
        response = await change_password(client, tokens["access_token"], OTHER_PASSWORD, "weak")
        assert response.status_code == 400
        assert response.json() == WRONG_CURRENT

    async def test_no_password_hash(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        await set_user(session, user.id, password_hash=None)
        response = await change_password(
            client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD
        )
        assert response.status_code == 400
        assert response.json() == WRONG_CURRENT

    @pytest.mark.parametrize(("password", "message"), POLICY_CASES[::2])
    async def test_policy(
        self, client: AsyncClient, session: AsyncSession, password: str, message: str
    ) -> None:
        user, tokens = await signed_in(client, session)
        response = await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, password)
        assert response.status_code == 400
        assert response.json() == {"detail": message}
        await signin_ok(client, user.email)
        assert (await refresh(client, tokens["refresh_token"])).status_code == 200

    async def test_missing_field(self, client: AsyncClient, session: AsyncSession) -> None:
        _, tokens = await signed_in(client, session)
        response = await client.post(
            "/api/auth/change-password",
            json={"new_password": STRONG_PASSWORD},
            headers=bearer(tokens["access_token"]),
        )
        assert response.status_code == 422


class TestChangePasswordOk:
    async def test_response(self, client: AsyncClient, session: AsyncSession) -> None:
        _, tokens = await signed_in(client, session)
        response = await change_password(
            client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD
        )
        assert response.status_code == 200
        data = response.json()
        assert set(data) == {"message", *TOKEN_PAIR_KEYS}
        assert data["message"] == "Password changed successfully"
        assert data["token_type"] == "bearer"
        assert data["refresh_token"] != tokens["refresh_token"]

    async def test_new_tokens_work(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        data = (
            await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD)
        ).json()
        response = await me(client, data["access_token"])
        assert response.status_code == 200
        assert response.json()["id"] == user.id
        assert (await refresh(client, data["refresh_token"])).status_code == 200

    async def test_other_sessions_die(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        other_device = await signin_ok(client, user.email)
        await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD)
        response = await me(client, other_device["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await refresh(client, other_device["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_own_session_goes_on(self, client: AsyncClient, session: AsyncSession) -> None:
        """API.md M3: the frontend ignores the returned tokens and goes on with its own."""
        user, tokens = await signed_in(client, session)
        await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD)
        response = await me(client, tokens["access_token"])
        assert response.status_code == 200
        assert response.json()["id"] == user.id
        assert (await refresh(client, tokens["refresh_token"])).status_code == 200

    async def test_sessions_in_database(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        await signin_ok(client, user.email)
        await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD)
        rows = await fetch_all(session, select(AuthSession).where(AuthSession.user_id == user.id))
        live = [row for row in rows if row.revoked_at is None and row.rotated_at is None]
        assert len(live) == 2  # the caller's own and the one returned
        revoked = [row for row in rows if row.revoked_at is not None]
        assert len(revoked) == 1
        assert {row.revoked_reason for row in revoked} == {SessionRevokedReason.PASSWORD_CHANGE}

    async def test_new_password_signs_in(self, client: AsyncClient, session: AsyncSession) -> None:
        user, tokens = await signed_in(client, session)
        await change_password(client, tokens["access_token"], DEFAULT_PASSWORD, STRONG_PASSWORD)
        await signin_ok(client, user.email, STRONG_PASSWORD)
        assert (await signin(client, user.email, DEFAULT_PASSWORD)).status_code == 401
        stored = await fetch_one(session, select(User.password_hash).where(User.id == user.id))
        assert stored is not None
        assert stored.startswith("$argon2id$")
