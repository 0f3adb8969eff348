"""Reset e-mails composed by the worker at each attempt: a fresh token, a redacted copy kept, the
unsent token discarded, a row finished as `skipped` when there is no account to reset, and
nothing composed by a worker whose claim was taken over (email/send_time.py)."""

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from intowork.core.db import Database
from intowork.email.backends import OutgoingEmail, TransientDeliveryError
from intowork.email.send_time import REDACTED, ComposedEmail
from intowork.email.service import enqueue_request
from intowork.email.templates import RenderedEmail
from intowork.email.worker import OutboxWorker
from intowork.models.enums import EmailStatus, EmailTemplate
from tests.email.conftest import (
    FROM_EMAIL,
    RecordingBackend,
    add_reset_email,
    make_worker,
    outbox_row,
    reset_token_in,
    soon,
    stored_reset_hashes,
    token_works,
)

LEASE = timedelta(seconds=120)


def counter(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


class Killed(BaseException):
    """The worker process dies while the backend sends (not an error it could handle)."""


class DyingBackend(RecordingBackend):
    async def send(self, email: OutgoingEmail) -> None:
        raise Killed()


class EchoingBackend(RecordingBackend):
    """A provider whose refusal quotes the message back."""

    async def send(self, email: OutgoingEmail) -> None:
        self.attempts += 1
        raise TransientDeliveryError(f"refused: {email.text}")


class TestComposedAtSend:
    async def test_sent_with_a_working_link_and_kept_redacted(self, database: Database) -> None:
        email_id = await add_reset_email(database, first_name="Ada")
        backend = RecordingBackend()
        sent_before = counter("intowork_emails_sent_total")
        assert (await make_worker(database, backend).drain(now=soon())).sent == 1
        [message] = backend.sent
        token = reset_token_in(message.text)
        assert await token_works(database, token)
        assert counter("intowork_emails_sent_total") - sent_before == 1

        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.SENT
        assert row.subject == message.subject
        assert row.body_text == message.text.replace(token, REDACTED)
        assert row.body_html == (message.html or "").replace(token, REDACTED)
        assert token not in f"{row.subject}{row.body_text}{row.body_html}{row.last_error}"

    async def test_no_account_is_skipped_and_counted_apart(self, database: Database) -> None:
        email_id = await add_reset_email(database)
        async with database.sessionmaker() as session, session.begin():
            unknown = enqueue_request(
                session, to_email="nobody@example.com", template=EmailTemplate.PASSWORD_RESET
            )
            await session.flush()
            unknown_id = unknown.id
        backend = RecordingBackend()
        names = ("sent", "failed", "retried", "skipped")
        before = {name: counter(f"intowork_emails_{name}_total") for name in names}

        result = await make_worker(database, backend).drain(now=soon())
        assert (result.sent, result.skipped, result.failed, result.retried) == (1, 1, 0, 0)
        assert [message.to_email for message in backend.sent] == ["ada@example.com"]
        after = {name: counter(f"intowork_emails_{name}_total") - before[name] for name in names}
        assert after == {"sent": 1, "failed": 0, "retried": 0, "skipped": 1}
        row = await outbox_row(database, unknown_id)
        assert (row.status, row.attempts, row.sent_at) == (EmailStatus.SKIPPED, 1, None)
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_each_attempt_has_its_own_token_and_message_id(self, database: Database) -> None:
        email_id = await add_reset_email(database)
        backend = RecordingBackend(TransientDeliveryError("SMTP 421: busy"))
        worker = make_worker(database, backend)
        t0 = soon()
        [claimed] = await worker.claim(now=t0)
        assert (await worker.deliver([claimed], now=t0)).retried == 1
        assert await stored_reset_hashes(database) == []  # the unsent token went with it
        row = await outbox_row(database, email_id)
        assert (await worker.run_once(now=row.next_attempt_at)).sent == 1
        first, second = [email.message_id for email in backend.attempted]
        assert first != second
        assert first.startswith(f"<outbox.{email_id}.")
        assert second.startswith(f"<outbox.{email_id}.")
        [message] = backend.sent
        assert await token_works(database, reset_token_in(message.text))

    async def test_the_error_text_never_keeps_the_token(self, database: Database) -> None:
        email_id = await add_reset_email(database)
        backend = EchoingBackend()
        assert (await make_worker(database, backend).run_once(now=soon())).retried == 1
        row = await outbox_row(database, email_id)
        assert row.last_error is not None
        assert row.last_error.startswith("refused: Bonjour Ada")
        assert f"token={REDACTED}" in row.last_error

    async def test_a_worker_killed_after_composing(self, database: Database) -> None:
        """Its token was issued, its e-mail maybe sent: after the lease, another worker sends
        anew with a new token; the first one dies (earlier unused tokens are invalidated)."""
        email_id = await add_reset_email(database)
        dead = make_worker(database, DyingBackend(), lease=LEASE)
        t0 = soon()
        assert (await dead.run_once(now=t0)).claimed == 1
        [orphan] = await stored_reset_hashes(database)
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENDING

        backend = RecordingBackend()
        survivor = make_worker(database, backend, lease=LEASE)
        assert (await survivor.run_once(now=t0 + LEASE)).sent == 1
        [message] = backend.sent
        token = reset_token_in(message.text)
        assert await token_works(database, token)
        assert orphan not in await stored_reset_hashes(database)

    async def test_a_late_worker_composes_nothing(self, database: Database) -> None:
        email_id = await add_reset_email(database)
        slow_backend, new_backend = RecordingBackend(), RecordingBackend()
        slow = make_worker(database, slow_backend, lease=LEASE)
        t0 = soon()
        [claimed] = await slow.claim(now=t0)
        new_owner = make_worker(database, new_backend, lease=LEASE)
        [reclaimed] = await new_owner.claim(now=t0 + LEASE)

        result = await slow.deliver([claimed], now=t0 + LEASE + timedelta(seconds=1))
        assert (result.claimed, result.sent, result.retried, result.failed) == (1, 0, 0, 0)
        assert slow_backend.attempts == 0
        assert await stored_reset_hashes(database) == []
        await new_owner.deliver([reclaimed], now=t0 + LEASE + timedelta(seconds=2))
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT
        [message] = new_backend.sent
        assert await token_works(database, reset_token_in(message.text))


class TestComposers:
    def test_a_worker_needs_the_reset_composer(self, database: Database) -> None:
        with pytest.raises(ValueError, match="password_reset"):
            OutboxWorker(
                database.sessionmaker, RecordingBackend(), from_email=FROM_EMAIL, composers={}
            )

    def test_redaction(self) -> None:
        composed = ComposedEmail(
            rendered=RenderedEmail(subject="s", text="a tok_1 b tok_1", html="<a href=tok_1>"),
            secret="tok_1",
            reference=1,
        )
        assert composed.redacted() == RenderedEmail(
            subject="s", text=f"a {REDACTED} b {REDACTED}", html=f"<a href={REDACTED}>"
        )

    def test_an_empty_secret_is_refused(self) -> None:
        with pytest.raises(ValueError, match="secret"):
            ComposedEmail(rendered=RenderedEmail("s", "t", "h"), secret="", reference=1)
