"""Backoff with jitter, failed after 5 attempts, permanent failures, metrics (time passed in)."""

import random
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from intowork.core.db import Database
from intowork.email.backends import PermanentDeliveryError, TransientDeliveryError
from intowork.email.repository import MAX_ATTEMPTS
from intowork.email.worker import BACKOFF_BASE, BACKOFF_CAP, retry_delay
from intowork.models.enums import EmailStatus
from tests.email.conftest import RecordingBackend, add_emails, make_worker, outbox_row, soon


def counter(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


class TestRetryDelay:
    def test_doubles_from_30_seconds(self) -> None:
        rng = random.Random(1)
        for attempts in range(1, 8):
            ceiling = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)
            for _ in range(50):
                assert ceiling / 2 <= retry_delay(attempts, rng) <= ceiling

    def test_capped_at_an_hour(self) -> None:
        assert retry_delay(40, random.Random(2)) <= timedelta(hours=1)

    def test_jittered(self) -> None:
        rng = random.Random(3)
        assert len({retry_delay(3, rng) for _ in range(20)}) == 20


class TestSchedule:
    async def test_retried_with_backoff_then_failed_after_five_attempts(
        self, database: Database
    ) -> None:
        errors = [TransientDeliveryError("SMTP 421: try again later")] * MAX_ATTEMPTS
        backend = RecordingBackend(*errors)
        worker = make_worker(database, backend, rng=random.Random(5))
        [email_id] = await add_emails(database)
        failed_before = counter("intowork_emails_failed_total")
        retried_before = counter("intowork_emails_retried_total")

        now = soon()
        for attempt in range(1, MAX_ATTEMPTS):
            assert (await worker.run_once(now=now)).retried == 1
            row = await outbox_row(database, email_id)
            assert (row.status, row.attempts) == (EmailStatus.PENDING, attempt)
            assert row.last_error == "SMTP 421: try again later"
            ceiling = BACKOFF_BASE * 2 ** (attempt - 1)
            assert ceiling / 2 <= row.next_attempt_at - now <= ceiling
            # Not a moment before it is due.
            early = row.next_attempt_at - timedelta(milliseconds=1)
            assert (await worker.run_once(now=early)).claimed == 0
            now = row.next_attempt_at

        assert (await worker.run_once(now=now)).failed == 1
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
        assert row.last_error == "SMTP 421: try again later"
        assert row.sent_at is None
        assert (await worker.drain(now=now + timedelta(days=30))).claimed == 0
        assert backend.attempts == MAX_ATTEMPTS
        assert counter("intowork_emails_retried_total") - retried_before == MAX_ATTEMPTS - 1
        assert counter("intowork_emails_failed_total") - failed_before == 1

    async def test_success_after_a_retry(self, database: Database) -> None:
        backend = RecordingBackend(TransientDeliveryError("Resend 503: unavailable"))
        worker = make_worker(database, backend)
        [email_id] = await add_emails(database)
        sent_before = counter("intowork_emails_sent_total")
        now = soon()
        await worker.run_once(now=now)
        row = await outbox_row(database, email_id)
        assert (await worker.run_once(now=row.next_attempt_at)).sent == 1
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.SENT, 2)
        assert row.last_error is None
        assert counter("intowork_emails_sent_total") - sent_before == 1


class TestPermanent:
    async def test_failed_at_once_with_the_reason(self, database: Database) -> None:
        backend = RecordingBackend(PermanentDeliveryError("SMTP 550: no such mailbox"))
        [email_id] = await add_emails(database)
        result = await make_worker(database, backend).drain(now=soon())
        assert (result.failed, result.retried) == (1, 0)
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
        assert row.last_error == "SMTP 550: no such mailbox"

    @pytest.mark.parametrize("address", ["not-an-address", "ada@", "ada@example..com"])
    async def test_invalid_address_never_reaches_the_backend(
        self, database: Database, address: str
    ) -> None:
        backend = RecordingBackend()
        [email_id] = await add_emails(database, to_email=address)
        assert (await make_worker(database, backend).drain(now=soon())).failed == 1
        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.FAILED
        assert row.last_error is not None
        assert row.last_error.startswith("invalid address")
        assert backend.attempts == 0

    async def test_unexpected_error_is_retried(self, database: Database) -> None:
        backend = RecordingBackend(RuntimeError("boom"))
        [email_id] = await add_emails(database)
        assert (await make_worker(database, backend).run_once(now=soon())).retried == 1
        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.PENDING
        assert row.last_error == "unexpected RuntimeError"
