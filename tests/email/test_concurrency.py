"""Two workers drain 1,000 messages at once and never send one twice: on PostgreSQL FOR UPDATE
SKIP LOCKED gives each row to one of them; on SQLite the claim is one conditional UPDATE.

Each worker runs in its own thread with its own event loop and engine, so their claims really
overlap in the database (in one event loop they would mostly take turns).
"""

import asyncio

from sqlalchemy import func, insert, select

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.email.worker import BatchResult, OutboxWorker
from intowork.models import EmailOutbox, PasswordResetToken, User
from intowork.models.enums import EmailStatus, EmailTemplate, UserRole
from tests.email.conftest import FROM_EMAIL, RecordingBackend, composers, reset_token_in
from tests.fixtures.factories import default_password_hash
from tests.fixtures.mail import sha256_hex
from tests.fixtures.settings import SettingsFactory

MESSAGES = 1000
RESET_REQUESTS = 60


def drain_in_own_loop(settings: Settings, backend: RecordingBackend) -> BatchResult:
    async def drain() -> BatchResult:
        database = create_database(settings)
        try:
            worker = OutboxWorker(
                database.sessionmaker,
                backend,
                from_email=FROM_EMAIL,
                composers=composers(),
                batch_size=10,
            )
            return await worker.drain()
        finally:
            await database.dispose()

    return asyncio.run(drain())


async def test_two_workers_never_send_one_twice(make_settings: SettingsFactory) -> None:
    settings = make_settings(db_pool_size=5)
    database = create_database(settings)
    try:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                insert(EmailOutbox),
                [
                    {
                        "to_email": f"user{n}@example.com",
                        "template": EmailTemplate.WELCOME,
                        "subject": f"Message {n}",
                        "body_text": f"Body {n}",
                    }
                    for n in range(MESSAGES)
                ],
            )
        first, second = RecordingBackend(), RecordingBackend()
        results = await asyncio.gather(
            asyncio.to_thread(drain_in_own_loop, settings, first),
            asyncio.to_thread(drain_in_own_loop, settings, second),
        )

        deliveries = first.deliveries() + second.deliveries()
        assert len(deliveries) == MESSAGES
        assert set(deliveries.values()) == {1}
        assert all(result.sent > 0 for result in results)  # both took part
        assert sum(result.sent for result in results) == MESSAGES
        async with database.sessionmaker() as session:
            statuses = await session.execute(
                select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)
            )
            assert {status: count for status, count in statuses} == {EmailStatus.SENT: MESSAGES}
            assert await session.scalar(select(func.max(EmailOutbox.attempts))) == 1
    finally:
        await database.dispose()


async def test_two_workers_compose_each_reset_once(make_settings: SettingsFactory) -> None:
    """Reset requests are composed by whichever worker claimed them: one e-mail per account,
    and every link received works."""
    settings = make_settings(db_pool_size=5)
    database = create_database(settings)
    try:
        emails = [f"user{n}@example.com" for n in range(RESET_REQUESTS)]
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                insert(User),
                [
                    {
                        "email": email,
                        "password_hash": default_password_hash(),
                        "first_name": "Ada",
                        "last_name": "Lovelace",
                        "role": UserRole.CANDIDATE,
                    }
                    for email in emails
                ],
            )
            await session.execute(
                insert(EmailOutbox),
                [
                    {
                        "to_email": email,
                        "template": EmailTemplate.PASSWORD_RESET,
                        "subject": "",
                        "body_text": "",
                    }
                    for email in emails
                ],
            )
        first, second = RecordingBackend(), RecordingBackend()
        await asyncio.gather(
            asyncio.to_thread(drain_in_own_loop, settings, first),
            asyncio.to_thread(drain_in_own_loop, settings, second),
        )

        received = first.sent + second.sent
        assert sorted(message.to_email for message in received) == sorted(emails)
        async with database.sessionmaker() as session:
            stored = set(await session.scalars(select(PasswordResetToken.token_hash)))
        assert {sha256_hex(reset_token_in(message.text)) for message in received} == stored
        assert len(stored) == RESET_REQUESTS
    finally:
        await database.dispose()
