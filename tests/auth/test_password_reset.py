"""POST /api/auth/forgot-password and /reset-password (API.md A9, A10)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import EmailOutbox, PasswordResetToken
from intowork.models.enums import EmailStatus, EmailTemplate
from tests.auth.conftest import (
    INVALID_REFRESH,
    INVALID_TOKEN,
    OTHER_PASSWORD,
    POLICY_CASES,
    RESET_LINK,
    STRONG_PASSWORD,
    URLSAFE_256_BITS,
    fetch_all,
    me,
    refresh,
    request_reset,
    set_user,
    sha256_hex,
    signin,
    signin_ok,
)
from tests.conftest import SettingsFactory
from tests.fixtures.factories import DEFAULT_PASSWORD, make_user

SENT = {"message": "If an account exists for this email, a password reset link has been sent"}
UNKNOWN = {"detail": "Invalid or expired reset token"}
USED = {"detail": "This reset token has already been used"}
EXPIRED = {"detail": "This reset token has expired"}


async def forgot(client: AsyncClient, email: str) -> Response:
    return await client.post("/api/auth/forgot-password", json={"email": email})


async def reset(client: AsyncClient, token: str, password: str = STRONG_PASSWORD) -> Response:
    return await client.post(
        "/api/auth/reset-password", json={"token": token, "new_password": password}
    )


async def reset_emails(session: AsyncSession) -> list[EmailOutbox]:
    return await fetch_all(
        session, select(EmailOutbox).where(EmailOutbox.template == EmailTemplate.PASSWORD_RESET)
    )


async def expire_reset_token(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.token_hash == sha256_hex(token))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.commit()


class TestForgotPasswordAnswer:
    @pytest.mark.parametrize("who", ["active", "unknown", "inactive", "no-password"])
    async def test_same_message(self, client: AsyncClient, session: AsyncSession, who: str) -> None:
        user = await make_user(session, is_active=who != "inactive")
        if who == "no-password":
            await set_user(session, user.id, password_hash=None)
        email = "nobody@example.com" if who == "unknown" else user.email
        response = await forgot(client, email)
        assert response.status_code == 200
        assert response.json() == SENT

    @pytest.mark.parametrize("who", ["unknown", "inactive", "no-password"])
    async def test_no_email_for(self, client: AsyncClient, session: AsyncSession, who: str) -> None:
        user = await make_user(session, is_active=who != "inactive")
        if who == "no-password":
            await set_user(session, user.id, password_hash=None)
        await forgot(client, "nobody@example.com" if who == "unknown" else user.email)
        assert await reset_emails(session) == []
        assert await fetch_all(session, select(PasswordResetToken)) == []

    async def test_invalid_email(self, client: AsyncClient) -> None:
        assert (await forgot(client, "not-an-email")).status_code == 422


class TestForgotPasswordEmail:
    async def test_outbox_row(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, email="ada@example.com")
        await forgot(client, "ADA@example.com")
        [email] = await reset_emails(session)
        assert email.to_email == "ada@example.com"
        match = RESET_LINK.search(email.body_text)
        assert match
        assert match.group(1).endswith("http://localhost:3000")
        token = match.group(2)
        assert URLSAFE_256_BITS.fullmatch(token)
        [row] = await fetch_all(session, select(PasswordResetToken))
        assert row.user_id == user.id
        assert row.token_hash == sha256_hex(token)
        assert row.used_at is None

    async def test_not_delivered_during_the_request(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        await forgot(client, user.email)
        [email] = await reset_emails(session)
        assert email.status == EmailStatus.PENDING
        assert email.attempts == 0
        assert email.sent_at is None

    async def test_expiry_window(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        before = datetime.now(UTC)
        await forgot(client, user.email)
        [row] = await fetch_all(session, select(PasswordResetToken))
        assert timedelta(minutes=59) <= row.expires_at - before <= timedelta(minutes=61)

    async def test_second_request_invalidates_the_first(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        first = await request_reset(client, session, user.email)
        second = await request_reset(client, session, user.email)
        assert first != second
        response = await reset(client, first)
        assert response.status_code == 400
        assert response.json() in (UNKNOWN, USED, EXPIRED)
        assert (await reset(client, second)).status_code == 200


class TestForgotPasswordFrontendUrl:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(frontend_url="https://jobs.example.org")

    async def test_link_uses_frontend_url(
        self, app: FastAPI, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        await forgot(client, user.email)
        [email] = await reset_emails(session)
        assert "https://jobs.example.org/auth/reset-password?token=" in email.body_text


class TestResetPasswordRefused:
    async def test_unknown_token(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        await request_reset(client, session, user.email)
        response = await reset(client, "unknown-" + "q" * 40)
        assert response.status_code == 400
        assert response.json() == UNKNOWN

    async def test_used(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        assert (await reset(client, token)).status_code == 200
        response = await reset(client, token, OTHER_PASSWORD)
        assert response.status_code == 400
        assert response.json() == USED
        await signin_ok(client, user.email, STRONG_PASSWORD)

    async def test_expired(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        await expire_reset_token(session, token)
        response = await reset(client, token)
        assert response.status_code == 400
        assert response.json() == EXPIRED
        await signin_ok(client, user.email)

    async def test_used_checked_before_expired(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        await reset(client, token)
        await expire_reset_token(session, token)
        assert (await reset(client, token)).json() == USED

    async def test_expired_checked_before_policy(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        await expire_reset_token(session, token)
        assert (await reset(client, token, "weak")).json() == EXPIRED

    @pytest.mark.parametrize(("password", "message"), POLICY_CASES[::2])
    async def test_policy(
        self, client: AsyncClient, session: AsyncSession, password: str, message: str
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        response = await reset(client, token, password)
        assert response.status_code == 400
        assert response.json() == {"detail": message}
        # A refused password does not spend the token.
        assert (await reset(client, token)).status_code == 200

    async def test_very_long_password_gets_the_policy_message(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        response = await reset(client, token, "Aa1!" + "b" * 2000)
        assert response.status_code == 400
        assert response.json() == {"detail": "Password must be at most 128 characters long"}


class TestResetPasswordOk:
    async def test_message(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        response = await reset(client, token)
        assert response.status_code == 200
        assert response.json() == {"message": "Password has been reset successfully"}

    async def test_new_password_signs_in(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        await reset(client, token)
        await signin_ok(client, user.email, STRONG_PASSWORD)
        assert (await signin(client, user.email, DEFAULT_PASSWORD)).status_code == 401

    async def test_sessions_and_access_tokens_die(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        token = await request_reset(client, session, user.email)
        await reset(client, token)
        response = await me(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_every_reset_token_spent(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        await request_reset(client, session, user.email)
        token = await request_reset(client, session, user.email)
        await reset(client, token)
        rows = await fetch_all(session, select(PasswordResetToken))
        assert rows
        assert all(row.used_at is not None for row in rows)

    async def test_fresh_signin_after_reset_works(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, session, user.email)
        await reset(client, token)
        tokens = await signin_ok(client, user.email, STRONG_PASSWORD)
        assert (await me(client, tokens["access_token"])).status_code == 200
