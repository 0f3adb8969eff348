"""EMAIL_RETENTION_DAYS: the worker deletes the messages finished (sent, skipped, failed) longer
ago than that, recipient and bodies with them; nothing still to be sent is ever touched."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from intowork.core.config import Settings
from intowork.core.db import Database
from intowork.email import worker as worker_module
from intowork.email.worker import OutboxWorker
from intowork.models import EmailOutbox
from intowork.models.enums import EmailStatus
from tests.email.conftest import RecordingBackend, add_emails, make_worker
from tests.fixtures.settings import SettingsFactory

RETENTION = timedelta(days=30)


async def age(database: Database, email_id: int, status: EmailStatus, finished: datetime) -> None:
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == email_id)
            .values(status=status, updated_at=finished, next_attempt_at=finished)
        )


async def remaining(database: Database) -> set[int]:
    async with database.sessionmaker() as session:
        return set(await session.scalars(select(EmailOutbox.id)))


class TestPurge:
    async def test_old_finished_messages_go_recent_and_unfinished_stay(
        self, database: Database
    ) -> None:
        now = datetime.now(UTC)
        old = now - RETENTION - timedelta(minutes=1)
        recent = now - RETENTION + timedelta(minutes=1)
        ids = await add_emails(database, 8)
        cases = {
            ids[0]: (EmailStatus.SENT, old),
            ids[1]: (EmailStatus.FAILED, old),
            ids[2]: (EmailStatus.SKIPPED, old),
            ids[3]: (EmailStatus.SENT, recent),
            ids[4]: (EmailStatus.FAILED, recent),
            ids[5]: (EmailStatus.SKIPPED, recent),
            ids[6]: (EmailStatus.PENDING, old),  # still to be sent, however old
            ids[7]: (EmailStatus.SENDING, old),
        }
        for email_id, (status, finished) in cases.items():
            await age(database, email_id, status, finished)

        worker = make_worker(database, RecordingBackend(), retention=RETENTION)
        assert await worker.purge(now=now) == 3
        assert await remaining(database) == set(ids[3:])
        assert await worker.purge(now=now) == 0

    async def test_in_batches(self, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(worker_module, "PURGE_BATCH_SIZE", 2)
        now = datetime.now(UTC)
        ids = await add_emails(database, 5)
        for email_id in ids:
            await age(database, email_id, EmailStatus.SENT, now - RETENTION - timedelta(days=1))
        worker = make_worker(database, RecordingBackend(), retention=RETENTION)
        assert await worker.purge(now=now) == 5
        assert await remaining(database) == set()

    async def test_the_loop_purges_when_it_starts(self, database: Database) -> None:
        now = datetime.now(UTC)
        old, recent = await add_emails(database, 2)
        await age(database, old, EmailStatus.SENT, now - RETENTION - timedelta(days=1))
        await age(database, recent, EmailStatus.SENT, now - timedelta(days=1))
        worker = make_worker(database, RecordingBackend(), retention=RETENTION, poll_interval=0.02)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            for _ in range(500):
                if await remaining(database) == {recent}:
                    break
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)
        assert await remaining(database) == {recent}


class TestSetting:
    def test_thirty_days_by_default(self, settings: Settings, database: Database) -> None:
        assert settings.email_retention_days == 30
        worker = OutboxWorker.from_settings(database.sessionmaker, settings, RecordingBackend())
        assert worker.retention == timedelta(days=30)

    def test_from_settings(self, make_settings: SettingsFactory, database: Database) -> None:
        settings = make_settings(email_retention_days=7)
        worker = OutboxWorker.from_settings(database.sessionmaker, settings, RecordingBackend())
        assert worker.retention == timedelta(days=7)

    def test_at_least_a_day(self, make_settings: SettingsFactory) -> None:
        with pytest.raises(ValueError, match="email_retention_days"):
            make_settings(email_retention_days=0)
