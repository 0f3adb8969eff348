"""No secret reaches the logs (STYLE.md "Logging"): passwords, tokens, password hashes."""

from collections.abc import Iterator

import pytest
from httpx import AsyncClient
from loguru import logger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from tests.auth.conftest import me, refresh, request_reset, signin, signup_ok
from tests.fixtures.actors import bearer
from tests.fixtures.factories import OTHER_PASSWORD, STRONG_PASSWORD
from tests.fixtures.mail import Mailbox
from tests.fixtures.reads import fetch_all

RESET_PASSWORD = "Res3t!Password-now"
WRONG_PASSWORD = "Wr0ng?Password-typo"

# (logger name, formatted line)
Captured = list[tuple[str, str]]


@pytest.fixture
def captured_logs() -> Iterator[Captured]:
    lines: Captured = []
    sink = logger.add(
        lambda message: lines.append((message.record["name"] or "", str(message))),
        level=0,
        format="{message} {extra}\n{exception}",
    )
    yield lines
    logger.remove(sink)


async def run_auth_flows(
    client: AsyncClient, session: AsyncSession, mailbox: Mailbox
) -> dict[str, str]:
    """Sign-up, failed and good sign-in, refresh, reuse, change-password, forgot, reset.

    Returns every secret that went over the wire or into the users table, with what it is.
    """
    secrets = dict.fromkeys(
        (STRONG_PASSWORD, OTHER_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD), "password"
    )

    def remember_tokens(data: dict[str, str]) -> None:
        secrets[data["access_token"]] = "access token"
        secrets[data["refresh_token"]] = "refresh token"

    async def remember_hash() -> None:
        for stored in await fetch_all(session, select(User.password_hash)):
            if stored:
                secrets[stored] = "password hash"

    signed_up = await signup_ok(client, email="log@example.com", password=STRONG_PASSWORD)
    await remember_hash()
    remember_tokens(signed_up)
    assert (await signin(client, "log@example.com", WRONG_PASSWORD)).status_code == 401
    signed_in = (await signin(client, "log@example.com", STRONG_PASSWORD)).json()
    remember_tokens(signed_in)

    rotated = (await refresh(client, signed_in["refresh_token"])).json()
    remember_tokens(rotated)
    assert (await refresh(client, signed_in["refresh_token"])).status_code == 401  # reuse
    await me(client, signed_up["access_token"])

    changed = await client.post(
        "/api/auth/change-password",
        json={"current_password": STRONG_PASSWORD, "new_password": OTHER_PASSWORD},
        headers=bearer(signed_up["access_token"]),
    )
    assert changed.status_code == 200
    remember_tokens(changed.json())
    await remember_hash()

    reset_token = await request_reset(client, mailbox, "log@example.com")
    secrets[reset_token] = "reset token"
    response = await client.post(
        "/api/auth/reset-password", json={"token": reset_token, "new_password": RESET_PASSWORD}
    )
    assert response.status_code == 200
    await remember_hash()
    return secrets


def leaks(lines: Captured, secrets: dict[str, str]) -> list[str]:
    """One entry per leaking line: the logger, what leaked, the start of the line."""
    found = []
    for name, line in lines:
        kinds = sorted({kind for secret, kind in secrets.items() if secret in line})
        if kinds:
            found.append(f"[{name}] {', '.join(kinds)}: {line[:120]}")
    return found


class TestNoSecretsInLogs:
    async def test_app_lines(
        self,
        client: AsyncClient,
        session: AsyncSession,
        mailbox: Mailbox,
        captured_logs: Captured,
    ) -> None:
        secrets = await run_auth_flows(client, session, mailbox)
        own = [(name, line) for name, line in captured_logs if name.startswith("intowork")]
        assert own, "the sink captured no app line: the test would prove nothing"
        found = leaks(own, secrets)
        assert not found, "\n".join(found)

    async def test_every_line_at_every_level(
        self,
        client: AsyncClient,
        session: AsyncSession,
        mailbox: Mailbox,
        captured_logs: Captured,
    ) -> None:
        # Libraries too (uvicorn, SQLAlchemy, drivers, the outbox worker), at DEBUG and below.
        secrets = await run_auth_flows(client, session, mailbox)
        found = leaks(captured_logs, secrets)
        assert not found, "\n".join(found)
