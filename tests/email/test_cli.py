"""`intowork emails --failed/--retry` and `intowork worker`, run as a user runs them.

A process costs a second to start, so the commands run as processes on SQLite only; what they
do (the SQL) is tested in-process on both engines.
"""

import asyncio
import shutil
import signal
import time
from asyncio.subprocess import DEVNULL, PIPE
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import update

from intowork.core.config import Environment, Settings
from intowork.core.db import Database, create_database
from intowork.email.commands import failed_emails, requeue_failed
from intowork.email.templates import install_composer
from intowork.models import EmailOutbox
from intowork.models.enums import EmailStatus, EmailTemplate
from tests.cli.test_cli import INTOWORK, cli_environment, run_cli
from tests.email.conftest import (
    add_emails,
    add_reset_email,
    outbox_row,
    reset_token_in,
    token_works,
)
from tests.fixtures.settings import TEST_JWT_SECRET, SettingsFactory


async def fail(database: Database, email_id: int, error: str) -> None:
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == email_id)
            .values(status=EmailStatus.FAILED, attempts=5, last_error=error)
        )


class TestCommands:
    async def test_list_and_requeue(
        self, database: Database, make_settings: SettingsFactory
    ) -> None:
        settings = make_settings()
        first, second, healthy = await add_emails(database, 3)
        await fail(database, first, "SMTP 550: no such mailbox")
        await fail(database, second, "Resend 422: bad")

        listed = await failed_emails(settings)
        assert [(row.id, row.template, row.attempts) for row in listed] == [
            (first, EmailTemplate.WELCOME, 5),
            (second, EmailTemplate.WELCOME, 5),
        ]
        assert [row.last_error for row in listed] == [
            "SMTP 550: no such mailbox",
            "Resend 422: bad",
        ]

        assert await requeue_failed(settings, email_id=healthy) == []
        assert await requeue_failed(settings, email_id=first) == [first]
        row = await outbox_row(database, first)
        assert (row.status, row.attempts) == (EmailStatus.PENDING, 0)
        assert await requeue_failed(settings, email_id=None) == [second]
        assert await failed_emails(settings) == []


@pytest.fixture
async def sqlite_database(
    tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[tuple[Database, str]]:
    """A database of its own for the processes (not the two-engine `database_url`)."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.TEST,
        database_url=url,
        data_dir=tmp_path,
        jwt_secret=TEST_JWT_SECRET,
    )
    database = create_database(settings)
    install_composer(database.sessionmaker, settings)
    yield database, url
    await database.dispose()


class TestEmails:
    async def test_list_and_retry(
        self, sqlite_database: tuple[Database, str], tmp_path: Path
    ) -> None:
        database, url = sqlite_database
        env = cli_environment(tmp_path, url)
        first, second, healthy = await add_emails(database, 3, to_email="bob@example.com")
        await fail(database, first, "SMTP 550: no such mailbox")
        await fail(database, second, "Resend 422: bad")

        listed = run_cli("emails", "--failed", env=env)
        assert listed.returncode == 0, listed.stderr
        lines = [line for line in listed.stdout.splitlines() if "bob@example.com" in line]
        assert len(lines) == 2
        assert all("welcome" in line and " 5 " in line for line in lines)
        assert lines[0].split()[1] == str(first)
        assert "SMTP 550" in listed.stdout
        assert "Resend 422" in listed.stdout

        one = run_cli("emails", "--retry", "--id", str(first), env=env)
        assert one.returncode == 0, one.stderr
        assert "Requeued 1 e-mail(s)." in one.stderr
        assert (await outbox_row(database, first)).status is EmailStatus.PENDING
        assert (await outbox_row(database, second)).status is EmailStatus.FAILED

        unknown = run_cli("emails", "--retry", "--id", str(healthy), env=env)
        assert unknown.returncode == 1
        assert f"No failed e-mail with id {healthy}" in unknown.stderr

        everything = run_cli("emails", "--retry", env=env)
        assert everything.returncode == 0, everything.stderr
        assert (await outbox_row(database, second)).status is EmailStatus.PENDING
        assert "No failed e-mails." in run_cli("emails", "--failed", env=env).stderr

    def test_needs_a_choice(self, tmp_path: Path) -> None:
        result = run_cli("emails", env=cli_environment(tmp_path))
        assert result.returncode == 2
        assert "--failed or --retry" in result.stderr


class TestWorker:
    async def test_once_drains_the_outbox(
        self, sqlite_database: tuple[Database, str], tmp_path: Path
    ) -> None:
        database, url = sqlite_database
        email_id = await add_reset_email(database)
        env = cli_environment(tmp_path, url) | {"EMAIL_BACKEND": "file"}
        result = run_cli("worker", "--once", env=env)
        assert result.returncode == 0, result.stderr
        assert "1 sent" in result.stderr
        [path] = (tmp_path / "emails").glob("*.eml")
        assert b"Subject: =?utf-8?q?R=C3=A9initialisez" in path.read_bytes()
        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.SENT
        # Composed by the worker process: the link it wrote works, and the row does not hold it.
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = message.get_body(("plain",))
        assert text is not None
        token = reset_token_in(text.get_content())
        assert await token_works(database, token)
        assert token not in row.body_text

    async def test_runs_until_sigterm(
        self, sqlite_database: tuple[Database, str], tmp_path: Path
    ) -> None:
        database, url = sqlite_database
        env = cli_environment(tmp_path, url) | {
            "EMAIL_BACKEND": "file",
            "EMAIL_WORKER_POLL_SECONDS": "0.05",
        }
        worker = await asyncio.create_subprocess_exec(
            *INTOWORK, "worker", env=env, stdout=DEVNULL, stderr=PIPE
        )
        try:
            email_id = await add_reset_email(database)
            deadline = time.monotonic() + 30
            while (await outbox_row(database, email_id)).status is not EmailStatus.SENT:
                assert time.monotonic() < deadline, "the worker sent nothing"
                assert worker.returncode is None, "the worker stopped"
                await asyncio.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, errors = await asyncio.wait_for(worker.communicate(), timeout=15)
        assert worker.returncode == 0, errors
        assert b"Traceback" not in errors
