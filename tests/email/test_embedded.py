"""The delivery loop inside the app (development's `intowork serve`), end to end: forgot-password
over HTTP, the e-mail in DATA_DIR/emails as an .eml file, the token never in a log line."""

import asyncio
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from loguru import logger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.email.worker import EmbeddedWorker
from intowork.models import EmailOutbox, PasswordResetToken
from intowork.models.enums import EmailStatus, EmailTemplate
from tests.fixtures.factories import make_user
from tests.fixtures.mail import RESET_LINK, sha256_hex
from tests.fixtures.settings import SettingsFactory


@pytest.fixture
def captured_logs() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(
        lambda message: lines.append(str(message)), level=0, format="{message} {extra}"
    )
    yield lines
    logger.remove(sink)


async def wait_for_files(directory: Path, seconds: float = 10) -> list[Path]:
    for _ in range(int(seconds / 0.02)):
        files = await asyncio.to_thread(lambda: sorted(directory.glob("*.eml")))
        if files:
            return files
        await asyncio.sleep(0.02)
    raise AssertionError(f"no e-mail in {directory}")


async def wait_for_status(session: AsyncSession, status: EmailStatus) -> EmailOutbox:
    for _ in range(500):
        row = await session.scalar(select(EmailOutbox).execution_options(populate_existing=True))
        if row is not None and row.status is status:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"the e-mail never became {status}")


class TestFileBackend:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(
            email_worker_in_process=True, email_backend="file", email_worker_poll_seconds=0.02
        )

    async def test_forgot_password_delivered(
        self,
        app: FastAPI,
        client: AsyncClient,
        session: AsyncSession,
        settings: Settings,
        captured_logs: list[str],
    ) -> None:
        assert isinstance(app.state.email_worker, EmbeddedWorker)
        await make_user(session, email="ada@example.com", first_name="Ada")
        response = await client.post("/api/auth/forgot-password", json={"email": "ada@example.com"})
        assert response.status_code == 200

        [path] = await wait_for_files(settings.data_dir / "emails")
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert message["To"] == "ada@example.com"
        assert message["Subject"] == "Réinitialisez votre mot de passe IntoWork"
        row = await wait_for_status(session, EmailStatus.SENT)
        assert row.template is EmailTemplate.PASSWORD_RESET
        assert message["Message-ID"].startswith(f"<outbox.{row.id}.")
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None
        assert html is not None
        match = RESET_LINK.search(text.get_content())
        assert match is not None, text.get_content()
        assert match.group(1).endswith("http://localhost:3000")
        token = match.group(2)
        assert f'href="http://localhost:3000/auth/reset-password?token={token}"' in (
            html.get_content()
        )
        [stored] = await session.scalars(select(PasswordResetToken))
        assert stored.token_hash == sha256_hex(token)
        assert token not in row.body_text
        assert any("email.sent" in line for line in captured_logs)
        assert not any(token in line for line in captured_logs)


class TestConsoleBackend:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(email_worker_in_process=True, email_worker_poll_seconds=0.02)

    async def test_logs_recipient_and_subject_never_the_body(
        self, client: AsyncClient, session: AsyncSession, captured_logs: list[str]
    ) -> None:
        await make_user(session, email="ada@example.com")
        await client.post("/api/auth/forgot-password", json={"email": "ada@example.com"})
        await wait_for_status(session, EmailStatus.SENT)
        [console_line] = [line for line in captured_logs if line.startswith("email.console")]
        assert "ada@example.com" in console_line
        assert "Réinitialisez votre mot de passe IntoWork" in console_line
        # The token lives only in the e-mail (here, nowhere): no log line holds any link.
        assert not any(RESET_LINK.search(line) for line in captured_logs)


class TestNotInTests:
    async def test_off_in_the_test_settings(self, app: FastAPI) -> None:
        assert app.state.email_worker is None
