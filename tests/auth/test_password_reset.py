"""POST /api/auth/forgot-password and /reset-password (API.md A9, A10), and the reset e-mail as
the outbox delivers it: composed at send time, the plain token stored nowhere (issue 16 items 2
and 8; docs/security.md, "Reset tokens and the outbox")."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.email.backends import PermanentDeliveryError, TransientDeliveryError
from intowork.models import EmailOutbox, PasswordResetToken
from intowork.models.enums import EmailStatus, EmailTemplate
from tests.auth.conftest import (
    INVALID_REFRESH,
    INVALID_TOKEN,
    POLICY_CASES,
    URLSAFE_256_BITS,
    columns_holding,
    me,
    refresh,
    request_reset,
    set_user,
    signin,
    signin_ok,
)
from tests.fixtures.factories import DEFAULT_PASSWORD, OTHER_PASSWORD, STRONG_PASSWORD, make_user
from tests.fixtures.mail import RESET_LINK, Mailbox, sha256_hex
from tests.fixtures.reads import fetch_all
from tests.fixtures.settings import SettingsFactory

SENT = {"message": "If an account exists for this email, a password reset link has been sent"}
UNKNOWN = {"detail": "Invalid or expired reset token"}
USED = {"detail": "This reset token has already been used"}
EXPIRED = {"detail": "This reset token has expired"}
NO_RESET = ["unknown", "inactive", "no-password"]
LINK_START = "/auth/reset-password?token="


async def forgot(client: AsyncClient, email: str) -> Response:
    return await client.post("/api/auth/forgot-password", json={"email": email})


async def reset(client: AsyncClient, token: str, password: str = STRONG_PASSWORD) -> Response:
    return await client.post(
        "/api/auth/reset-password", json={"token": token, "new_password": password}
    )


async def reset_emails(session: AsyncSession) -> list[EmailOutbox]:
    return await fetch_all(
        session,
        select(EmailOutbox)
        .where(EmailOutbox.template == EmailTemplate.PASSWORD_RESET)
        .order_by(EmailOutbox.id),
    )


async def reset_tokens(session: AsyncSession) -> list[PasswordResetToken]:
    return await fetch_all(session, select(PasswordResetToken))


async def expire_reset_token(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.token_hash == sha256_hex(token))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.commit()


async def address_for(session: AsyncSession, who: str) -> str:
    """The e-mail of someone who may not reset a password: no account, inactive, no password."""
    if who == "unknown":
        return "nobody@example.com"
    user = await make_user(session, is_active=who != "inactive")
    if who == "no-password":
        await set_user(session, user.id, password_hash=None)
    return user.email


def stored(row: EmailOutbox) -> dict[str, Any]:
    """What a request row holds, but its id, recipient and clocks."""
    return {
        "template": row.template,
        "subject": row.subject,
        "body_text": row.body_text,
        "body_html": row.body_html,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "sent_at": row.sent_at,
    }


class TestForgotPasswordAnswer:
    @pytest.mark.parametrize("who", ["active", *NO_RESET])
    async def test_same_message(self, client: AsyncClient, session: AsyncSession, who: str) -> None:
        email = (await make_user(session)).email if who == "active" else None
        response = await forgot(client, email or await address_for(session, who))
        assert response.status_code == 200
        assert response.json() == SENT

    async def test_invalid_email(self, client: AsyncClient) -> None:
        assert (await forgot(client, "not-an-email")).status_code == 422


class TestForgotPasswordSameWork:
    """Whether the account exists or not, the request runs the same statements and writes the
    same row: the answer's timing tells nothing (the work is counted, not timed)."""

    @pytest.mark.parametrize("who", NO_RESET)
    async def test_same_statements(
        self, client: AsyncClient, session: AsyncSession, count_statements: Any, who: str
    ) -> None:
        known = await make_user(session)
        other = await address_for(session, who)
        await forgot(client, "warm-up@example.com")  # connections and caches, once
        with count_statements() as for_known:
            assert (await forgot(client, known.email)).json() == SENT
        with count_statements() as for_other:
            assert (await forgot(client, other)).json() == SENT
        assert for_known.statements == for_other.statements, f"{for_known}\n---\n{for_other}"
        [statement] = for_known.statements
        assert statement.startswith("INSERT INTO email_outbox ")

    @pytest.mark.parametrize("who", NO_RESET)
    async def test_same_row(self, client: AsyncClient, session: AsyncSession, who: str) -> None:
        known = await make_user(session, email="ada@example.com")
        await forgot(client, known.email)
        await forgot(client, await address_for(session, who))
        first, second = await reset_emails(session)
        assert stored(first) == stored(second)
        assert (first.status, first.attempts) == (EmailStatus.PENDING, 0)
        assert await reset_tokens(session) == []


class TestForgotPasswordRequest:
    async def test_one_row_without_a_link(self, client: AsyncClient, session: AsyncSession) -> None:
        await make_user(session, email="ada@example.com")
        await forgot(client, "ADA@example.com")
        [email] = await reset_emails(session)
        assert email.to_email == "ada@example.com"
        assert email.sent_at is None
        assert await columns_holding(session, LINK_START) == []
        # The token is made when the e-mail is sent, not before.
        assert await reset_tokens(session) == []


class TestResetEmailDelivered:
    async def test_received_with_a_working_link(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session, email="ada@example.com")
        await forgot(client, "ada@example.com")
        assert (await mailbox.deliver()).sent == 1

        [message] = mailbox.received
        assert message.to_email == "ada@example.com"
        assert message.subject == "Réinitialisez votre mot de passe IntoWork"
        match = RESET_LINK.search(message.text)
        assert match is not None, message.text
        assert match.group(1).endswith("http://localhost:3000")
        token = match.group(2)
        assert URLSAFE_256_BITS.fullmatch(token)
        assert message.html is not None
        assert f'href="http://localhost:3000{LINK_START}{token}"' in message.html
        [row] = await reset_tokens(session)
        assert (row.user_id, row.token_hash, row.used_at) == (user.id, sha256_hex(token), None)

        assert (await reset(client, token)).status_code == 200
        await signin_ok(client, user.email, STRONG_PASSWORD)

    async def test_valid_for_an_hour_from_sending(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        await forgot(client, user.email)
        sent_at = datetime.now(UTC) + timedelta(minutes=10)
        await mailbox.deliver(now=sent_at)
        [row] = await reset_tokens(session)
        assert row.expires_at == sent_at + timedelta(minutes=60)

    async def test_row_keeps_the_email_redacted(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        await make_user(session, email="ada@example.com")
        await forgot(client, "ada@example.com")
        await mailbox.deliver()
        [email] = await reset_emails(session)
        assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
        assert email.sent_at is not None
        assert email.subject == "Réinitialisez votre mot de passe IntoWork"
        assert email.body_html is not None
        for body in (email.body_text, email.body_html):
            assert f"http://localhost:3000{LINK_START}[redacted]" in body
            assert "Bonjour Ada" in body

    @pytest.mark.parametrize("who", NO_RESET)
    async def test_nothing_sent_for(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox, who: str
    ) -> None:
        await forgot(client, await address_for(session, who))
        result = await mailbox.deliver()
        assert (result.claimed, result.skipped, result.sent, result.failed) == (1, 1, 0, 0)
        assert mailbox.attempted == []
        [email] = await reset_emails(session)
        assert email.status is EmailStatus.SKIPPED
        assert email.sent_at is None
        assert await reset_tokens(session) == []
        assert (await mailbox.deliver()).claimed == 0

    async def test_second_request_invalidates_the_first(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        first = await request_reset(client, mailbox, user.email)
        second = await request_reset(client, mailbox, user.email)
        assert first != second
        response = await reset(client, first)
        assert response.status_code == 400
        assert response.json() in (UNKNOWN, USED, EXPIRED)
        assert (await reset(client, second)).status_code == 200

    async def test_an_email_change_before_sending_sends_nothing(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        """The request names an address; the account that had it no longer does."""
        user = await make_user(session, email="ada@example.com")
        await forgot(client, "ada@example.com")
        await set_user(session, user.id, email="countess@example.org")
        assert (await mailbox.deliver()).skipped == 1
        assert mailbox.received == []


class TestPlainTokenNeverStored:
    """Regression (issue 16 item 2): the outbox kept the whole link, token included."""

    async def test_after_delivery_and_after_the_reset(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        await forgot(client, user.email)
        assert await columns_holding(session, LINK_START) == []
        await mailbox.deliver()
        [token] = mailbox.reset_tokens(user.email)
        assert await columns_holding(session, token) == []
        assert (await reset(client, token)).status_code == 200
        assert await columns_holding(session, token) == []

    async def test_retry_after_a_failed_send(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        mailbox.errors.append(TransientDeliveryError("SMTP 421: try again later"))
        await forgot(client, user.email)
        t0 = datetime.now(UTC) + timedelta(seconds=1)
        assert (await mailbox.deliver(now=t0)).retried == 1
        [unsent] = mailbox.reset_tokens(user.email, attempted=True)
        [email] = await reset_emails(session)
        assert (email.status, email.last_error) == (
            EmailStatus.PENDING,
            "SMTP 421: try again later",
        )
        assert await columns_holding(session, unsent) == []
        assert await reset_tokens(session) == []  # the unsent token is gone with its attempt

        assert (await mailbox.deliver(now=email.next_attempt_at)).sent == 1
        [token] = mailbox.reset_tokens(user.email)
        assert token != unsent
        first, second = mailbox.attempted
        assert first.message_id != second.message_id  # a receiver must not drop the working one
        assert await columns_holding(session, token) == []
        assert (await reset(client, unsent)).json() == UNKNOWN
        assert (await reset(client, token)).status_code == 200
        assert await columns_holding(session, token) == []

    async def test_given_up(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        mailbox.errors.append(PermanentDeliveryError("SMTP 550: no such mailbox"))
        await forgot(client, user.email)
        assert (await mailbox.deliver()).failed == 1
        [unsent] = mailbox.reset_tokens(user.email, attempted=True)
        [email] = await reset_emails(session)
        assert email.status is EmailStatus.FAILED
        assert await columns_holding(session, unsent) == []
        assert await reset_tokens(session) == []


class TestForgotPasswordFrontendUrl:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(frontend_url="https://jobs.example.org")

    async def test_link_uses_frontend_url(
        self, app: FastAPI, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        await forgot(client, user.email)
        await mailbox.deliver()
        [message] = mailbox.received
        assert f"https://jobs.example.org{LINK_START}" in message.text


class TestResetPasswordRefused:
    async def test_unknown_token(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        await request_reset(client, mailbox, user.email)
        response = await reset(client, "unknown-" + "q" * 40)
        assert response.status_code == 400
        assert response.json() == UNKNOWN

    async def test_used(self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        assert (await reset(client, token)).status_code == 200
        response = await reset(client, token, OTHER_PASSWORD)
        assert response.status_code == 400
        assert response.json() == USED
        await signin_ok(client, user.email, STRONG_PASSWORD)

    async def test_expired(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        await expire_reset_token(session, token)
        response = await reset(client, token)
        assert response.status_code == 400
        assert response.json() == EXPIRED
        await signin_ok(client, user.email)

    async def test_used_checked_before_expired(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        await reset(client, token)
        await expire_reset_token(session, token)
        assert (await reset(client, token)).json() == USED

    async def test_expired_checked_before_policy(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        await expire_reset_token(session, token)
        assert (await reset(client, token, "weak")).json() == EXPIRED

    @pytest.mark.parametrize(("password", "message"), POLICY_CASES[::2])
    async def test_policy(
        self,
        client: AsyncClient,
        session: AsyncSession,
        mailbox: Mailbox,
        password: str,
        message: str,
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        response = await reset(client, token, password)
        assert response.status_code == 400
        assert response.json() == {"detail": message}
        # A refused password does not spend the token.
        assert (await reset(client, token)).status_code == 200

    async def test_very_long_password_gets_the_policy_message(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        response = await reset(client, token, "Aa1!" + "b" * 2000)
        assert response.status_code == 400
        assert response.json() == {"detail": "Password must be at most 128 characters long"}


class TestResetPasswordOk:
    async def test_message(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        response = await reset(client, token)
        assert response.status_code == 200
        assert response.json() == {"message": "Password has been reset successfully"}

    async def test_new_password_signs_in(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        await reset(client, token)
        await signin_ok(client, user.email, STRONG_PASSWORD)
        assert (await signin(client, user.email, DEFAULT_PASSWORD)).status_code == 401

    async def test_sessions_and_access_tokens_die(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        token = await request_reset(client, mailbox, user.email)
        await reset(client, token)
        response = await me(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_every_reset_token_spent(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        await request_reset(client, mailbox, user.email)
        token = await request_reset(client, mailbox, user.email)
        await reset(client, token)
        # The second request replaced the first link's unused token; the one left is spent.
        [row] = await reset_tokens(session)
        assert row.used_at is not None

    async def test_fresh_signin_after_reset_works(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        token = await request_reset(client, mailbox, user.email)
        await reset(client, token)
        tokens = await signin_ok(client, user.email, STRONG_PASSWORD)
        assert (await me(client, tokens["access_token"])).status_code == 200
