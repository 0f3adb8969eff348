"""POST /api/auth/change-email (API.md A7)."""

import asyncio

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from tests.auth.conftest import me, refresh, request_reset, signin, signin_ok
from tests.fixtures.actors import bearer
from tests.fixtures.factories import DEFAULT_PASSWORD, OTHER_PASSWORD, STRONG_PASSWORD, make_user
from tests.fixtures.mail import Mailbox
from tests.fixtures.reads import fetch_one


async def change_email(
    client: AsyncClient, access_token: str, new_email: str, password: str = DEFAULT_PASSWORD
) -> Response:
    return await client.post(
        "/api/auth/change-email",
        json={"new_email": new_email, "password": password},
        headers=bearer(access_token),
    )


async def stored_email(session: AsyncSession, user: User) -> str | None:
    return await fetch_one(session, select(User.email).where(User.id == user.id))


class TestChangeEmailRefused:
    async def test_wrong_password(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        response = await change_email(
            client, tokens["access_token"], "new@example.com", OTHER_PASSWORD
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Password is incorrect"}
        assert await stored_email(session, user) == "ada@example.com"

    @pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@Example.COM"])
    async def test_taken(self, client: AsyncClient, session: AsyncSession, taken: str) -> None:
        await make_user(session, email="taken@example.com")
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        response = await change_email(client, tokens["access_token"], taken)
        assert response.status_code == 400
        assert response.json() == {"detail": "Email already in use"}
        assert await stored_email(session, user) == "ada@example.com"

    async def test_concurrent_claims_of_one_address(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        first = await signin_ok(client, (await make_user(session)).email)
        second = await signin_ok(client, (await make_user(session)).email)
        responses = await asyncio.gather(
            change_email(client, first["access_token"], "wanted@example.com"),
            change_email(client, second["access_token"], "wanted@example.com"),
        )
        assert sorted(r.status_code for r in responses) == [200, 400]
        [refused] = [r for r in responses if r.status_code == 400]
        assert refused.json() == {"detail": "Email already in use"}

    @pytest.mark.parametrize("email", ["not-an-email", "a@", ""])
    async def test_invalid(self, client: AsyncClient, session: AsyncSession, email: str) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        assert (await change_email(client, tokens["access_token"], email)).status_code == 422


class TestChangeEmailOk:
    async def test_response_lowercased(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        response = await change_email(client, tokens["access_token"], "Countess@Example.ORG")
        assert response.status_code == 200
        assert response.json() == {
            "message": "Email updated successfully",
            "new_email": "countess@example.org",
        }
        assert await stored_email(session, user) == "countess@example.org"

    async def test_sign_in_with_new_email(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        await change_email(client, tokens["access_token"], "countess@example.org")
        assert (await signin(client, "ada@example.com")).status_code == 401
        assert (await signin_ok(client, "countess@example.org"))["user"]["id"] == user.id

    async def test_access_token_keeps_working(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        # Authorization reads the row, not the (now outdated) email claim.
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        await change_email(client, tokens["access_token"], "countess@example.org")
        response = await me(client, tokens["access_token"])
        assert response.status_code == 200
        assert response.json()["email"] == "countess@example.org"

    @pytest.mark.parametrize("own", ["ada@example.com", "ADA@example.com"])
    async def test_own_email_is_a_noop(
        self, client: AsyncClient, session: AsyncSession, own: str
    ) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        response = await change_email(client, tokens["access_token"], own)
        assert response.status_code == 200
        assert response.json()["new_email"] == "ada@example.com"
        assert await stored_email(session, user) == "ada@example.com"

    async def test_freed_email_can_be_registered(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        await change_email(client, tokens["access_token"], "countess@example.org")
        other = await make_user(session, email="someone@example.com")
        other_tokens = await signin_ok(client, other.email)
        response = await change_email(client, other_tokens["access_token"], "ada@example.com")
        assert response.status_code == 200


class TestChangeEmailEndsOtherSessions:
    """Issue 16 item 5 and API.md M3."""

    async def test_reset_token_dies(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        token = await request_reset(client, mailbox, user.email)
        assert (await change_email(client, tokens["access_token"], "new@example.com")).is_success
        response = await client.post(
            "/api/auth/reset-password", json={"token": token, "new_password": STRONG_PASSWORD}
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Invalid or expired reset token"}
        assert (await signin(client, "new@example.com")).status_code == 200

    async def test_other_sessions_end(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        other = await signin_ok(client, user.email)
        assert (await change_email(client, tokens["access_token"], "new@example.com")).is_success
        assert (await me(client, other["access_token"])).status_code == 401
        assert (await refresh(client, other["refresh_token"])).status_code == 401
        assert (await me(client, tokens["access_token"])).status_code == 200
        assert (await refresh(client, tokens["refresh_token"])).status_code == 200
