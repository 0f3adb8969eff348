"""At least once: a worker that dies after its claim loses nothing; its lease runs out and
another worker sends the messages, under the same Message-ID."""

from datetime import timedelta

from sqlalchemy import select

from intowork.core.db import Database
from intowork.email.repository import INTERRUPTED, MAX_ATTEMPTS
from intowork.models import EmailOutbox
from intowork.models.enums import EmailStatus
from tests.email.conftest import RecordingBackend, add_emails, make_worker, outbox_row, soon

LEASE = timedelta(seconds=120)


class TestLease:
    async def test_claimed_rows_are_reclaimed_after_the_lease(self, database: Database) -> None:
        [email_id] = await add_emails(database)
        dead = make_worker(database, RecordingBackend(), lease=LEASE)
        t0 = soon()
        [claimed] = await dead.claim(now=t0)  # ... and the worker is killed here
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.SENDING, 1)
        assert row.next_attempt_at == t0 + LEASE

        backend = RecordingBackend()
        other = make_worker(database, backend, lease=LEASE)
        assert (await other.run_once(now=t0 + LEASE - timedelta(seconds=1))).claimed == 0
        assert (await other.run_once(now=t0 + LEASE)).sent == 1
        assert list(backend.deliveries().values()) == [1]
        [sent] = backend.sent
        assert sent.message_id == dead.outgoing(claimed).message_id
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.SENT, 2)
        assert (await other.drain(now=t0 + timedelta(days=1))).claimed == 0

    async def test_killed_in_the_middle_of_a_batch(self, database: Database) -> None:
        """Killed after sending 2 of 5 and recording none: all 5 go out, the 2 sent again keep
        their Message-ID (a receiver drops them), none is lost."""
        ids = await add_emails(database, 5)
        backend = RecordingBackend()
        dead = make_worker(database, backend, lease=LEASE, batch_size=5)
        t0 = soon()
        claimed = await dead.claim(now=t0)
        assert [email.id for email in claimed] == ids
        for email in claimed[:2]:
            await backend.send(dead.outgoing(email))

        survivor = make_worker(database, backend, lease=LEASE)
        assert (await survivor.drain(now=t0 + LEASE)).sent == 5
        deliveries = backend.deliveries()
        assert len(deliveries) == 5
        assert sorted(deliveries.values()) == [1, 1, 1, 2, 2]
        for email_id in ids:
            assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_a_late_worker_cannot_overwrite_the_new_owner(self, database: Database) -> None:
        [email_id] = await add_emails(database)
        slow = make_worker(database, RecordingBackend(), lease=LEASE)
        t0 = soon()
        [claimed] = await slow.claim(now=t0)
        new_owner = make_worker(database, RecordingBackend(), lease=LEASE)
        [reclaimed] = await new_owner.claim(now=t0 + LEASE)
        assert reclaimed.attempts == 2

        # The slow worker finally finishes: it sent, but the row is no longer its to record.
        await slow.deliver([claimed], now=t0 + LEASE + timedelta(seconds=1))
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.SENDING, 2)
        await new_owner.deliver([reclaimed], now=t0 + LEASE + timedelta(seconds=2))
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_an_abandoned_last_attempt_is_failed(self, database: Database) -> None:
        [email_id] = await add_emails(database)
        async with database.sessionmaker() as session, session.begin():
            row = await session.scalar(select(EmailOutbox).where(EmailOutbox.id == email_id))
            assert row is not None
            row.attempts = MAX_ATTEMPTS - 1
        t0 = soon()
        worker = make_worker(database, RecordingBackend(), lease=LEASE)
        assert len(await worker.claim(now=t0)) == 1  # the fifth attempt, never finished
        assert (await worker.run_once(now=t0 + LEASE)).claimed == 0
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
        assert row.last_error == INTERRUPTED
