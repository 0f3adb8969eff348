"""The outbox worker: claim due messages, send them outside any transaction, record each outcome.

Delivery is at least once. A worker killed between its claim and its records loses nothing:
its messages stay `sending` until their lease expires, then another worker claims them again.
A receiver can drop the rare duplicate by its Message-ID, which is derived from the outbox row
and so is the same on every attempt (Resend also gets it as the idempotency key).

A password-reset e-mail is composed at each attempt (email/send_time.py): a new token, a new
link, so a Message-ID of its own too. The worker also deletes the messages finished more than
EMAIL_RETENTION_DAYS ago, once at start and then hourly.

`intowork worker` runs `OutboxWorker.run` until SIGTERM; in development `intowork serve` runs the
same loop as a task of the app (`EmbeddedWorker`, started and stopped by the lifespan).
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intowork.auth.flows import PasswordResetEmail
from intowork.core.config import EmailBackend, Settings
from intowork.core.observability import metrics
from intowork.email import repository
from intowork.email.backends import (
    Backend,
    DeliveryError,
    OutgoingEmail,
    PermanentDeliveryError,
    TransientDeliveryError,
    create_backend,
)
from intowork.email.repository import MAX_ATTEMPTS, ClaimedEmail
from intowork.email.send_time import COMPOSED_AT_SEND, ComposedEmail, SendTimeComposer
from intowork.email.templates import RenderedEmail
from intowork.models.enums import EmailTemplate

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
STOP_TIMEOUT_SECONDS = 10.0
ERROR_PAUSE_SECONDS = 5.0
PURGE_INTERVAL_SECONDS = 3600.0
PURGE_BATCH_SIZE = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


def retry_delay(attempts: int, rng: random.Random) -> timedelta:
    """After the n-th failed attempt: 30 s x 2^(n-1), capped at an hour, of which a random half
    is taken off (jitter), so that the messages of one provider outage don't retry in step."""
    ceiling = min(BACKOFF_BASE * (1 << min(attempts - 1, 16)), BACKOFF_CAP)
    return ceiling * (0.5 + 0.5 * rng.random())


def sender_domain(from_email: str) -> str:
    domain = parseaddr(from_email)[1].rpartition("@")[2].strip().lower()
    return domain or "intowork.local"


def message_id_for(email: ClaimedEmail, domain: str, composed: ComposedEmail | None = None) -> str:
    """Stable across attempts; the creation time keeps ids apart across databases.

    An e-mail composed at send time differs on every attempt (a new reset link, the previous one
    dead), so its id does too (the composition's own, e.g. the token's row id, never reused): a
    receiver or Resend (the id is its idempotency key) must never drop the attempt whose link
    works as a duplicate of one whose link does not, even after `intowork emails --retry`."""
    created = email.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    if composed is not None:
        return f"<outbox.{email.id}.{created}.{composed.reference}@{domain}>"
    return f"<outbox.{email.id}.{created}@{domain}>"


def send_time_composers(settings: Settings) -> dict[EmailTemplate, SendTimeComposer]:
    return {EmailTemplate.PASSWORD_RESET: PasswordResetEmail(settings)}


Outcome = Literal["sent", "retried", "failed", "skipped"]


@dataclass(slots=True)
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: "BatchResult") -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped


class OutboxWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        backend: Backend,
        *,
        from_email: str,
        composers: Mapping[EmailTemplate, SendTimeComposer],
        batch_size: int = 10,
        lease: timedelta = timedelta(seconds=120),
        poll_interval: float = 2.0,
        retention: timedelta = timedelta(days=30),
        rng: random.Random | None = None,
    ) -> None:
        if missing := COMPOSED_AT_SEND - set(composers):
            raise ValueError(f"no composer for {sorted(missing)}: see send_time_composers")
        self.sessionmaker = sessionmaker
        self.backend = backend
        self.from_email = from_email
        self.domain = sender_domain(from_email)
        self.composers = dict(composers)
        self.batch_size = batch_size
        self.lease = lease
        self.poll_interval = poll_interval
        self.retention = retention
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)

    @classmethod
    def from_settings(
        cls,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        backend: Backend | None = None,
    ) -> "OutboxWorker":
        if settings.is_production and settings.email_backend in {
            EmailBackend.CONSOLE,
            EmailBackend.FILE,
        }:
            logger.bind(backend=settings.email_backend.value).warning(
                "email.backend_not_delivering"
            )
        return cls(
            sessionmaker,
            backend or create_backend(settings),
            from_email=settings.from_email,
            composers=send_time_composers(settings),
            batch_size=settings.email_worker_batch_size,
            lease=timedelta(seconds=settings.email_lease_seconds),
            poll_interval=settings.email_worker_poll_seconds,
            retention=timedelta(days=settings.email_retention_days),
        )

    async def claim(self, *, now: datetime | None = None) -> list[ClaimedEmail]:
        """Takes a batch of due messages (and gives up on abandoned last attempts)."""
        now = now or utcnow()
        async with self.sessionmaker() as session:
            if not await repository.any_due(session, now=now):
                return []
        # Separate from the read: on SQLite a transaction that reads then writes can't take
        # the write lock when another writer committed in between.
        async with self.sessionmaker() as session, session.begin():
            for email_id in await repository.fail_abandoned(session, now=now):
                metrics.email_failed()
                logger.bind(outbox_id=email_id).warning("email.failed")
            return await repository.claim(session, now=now, lease=self.lease, limit=self.batch_size)

    async def deliver(
        self, claimed: list[ClaimedEmail], *, now: datetime | None = None
    ) -> BatchResult:
        """Sends the claimed messages concurrently, each outcome recorded as soon as it is known."""
        result = BatchResult(claimed=len(claimed))
        outcomes = await asyncio.gather(
            *(self._deliver_one(email, now=now) for email in claimed), return_exceptions=True
        )
        for email, outcome in zip(claimed, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                # Not recorded (the database went away): it is sent again after its lease.
                logger.opt(exception=outcome).bind(outbox_id=email.id).error(
                    "email.outcome_not_recorded"
                )
            elif outcome is not None:
                setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    async def run_once(self, *, now: datetime | None = None) -> BatchResult:
        return await self.deliver(await self.claim(now=now), now=now)

    async def drain(self, *, now: datetime | None = None) -> BatchResult:
        """Batch after batch, until nothing is due."""
        total = BatchResult()
        while (batch := await self.run_once(now=now)).claimed:
            total.add(batch)
        return total

    async def purge(self, *, now: datetime | None = None) -> int:
        """Deletes the messages that finished more than the retention ago, a batch per
        transaction (short write locks); returns how many."""
        before = (now or utcnow()) - self.retention
        total = 0
        while True:
            async with self.sessionmaker() as session, session.begin():
                purged = await repository.purge_finished(
                    session, before=before, limit=PURGE_BATCH_SIZE
                )
            total += purged
            if purged < PURGE_BATCH_SIZE:
                break
        if total:
            logger.bind(purged=total).info("email.purged")
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; a full batch is followed by the next one at once."""
        logger.bind(batch_size=self.batch_size).info("email.worker_started")
        next_purge = time.monotonic()
        while not stop.is_set():
            pause = self.poll_interval
            try:
                if time.monotonic() >= next_purge:
                    await self.purge()
                    next_purge = time.monotonic() + PURGE_INTERVAL_SECONDS
                batch = await self.run_once()
            except Exception as exc:  # the database restarting: keep going, slower
                logger.opt(exception=exc).error("email.worker_error")
                pause = max(self.poll_interval, ERROR_PAUSE_SECONDS)
            else:
                if batch.claimed >= self.batch_size:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
        logger.info("email.worker_stopped")

    async def _deliver_one(self, email: ClaimedEmail, *, now: datetime | None) -> Outcome | None:
        log = logger.bind(outbox_id=email.id, template=email.template.value, attempt=email.attempts)
        composed: ComposedEmail | None = None
        if email.template in COMPOSED_AT_SEND:
            step = await self._compose(email, now=now or utcnow())
            if step == "lost":  # a late worker: the row is another's now, whatever it holds
                log.info("email.claim_lost")
                return None
            if step == "skipped":
                metrics.email_skipped()
                log.info("email.skipped")
                return "skipped"
            composed = step
        try:
            await self._send(email, composed)
        except DeliveryError as exc:
            error: DeliveryError = exc
        except Exception as exc:  # a bug or an unforeseen library error: retried, then failed
            log.opt(exception=exc).error("email.backend_error")
            error = TransientDeliveryError(f"unexpected {type(exc).__name__}")
        else:
            async with self.sessionmaker() as session, session.begin():
                recorded = await repository.mark_sent(
                    session, email, now=now or utcnow(), content=_kept(composed)
                )
            metrics.email_sent()
            log.bind(recorded=recorded).info("email.sent")
            return "sent"

        moment = now or utcnow()
        reason = composed.redact(error.reason) if composed is not None else error.reason
        if error.permanent or email.attempts >= MAX_ATTEMPTS:
            async with self.sessionmaker() as session, session.begin():
                recorded = await repository.mark_failed(
                    session, email, reason=reason, now=moment, content=_kept(composed)
                )
                await self._discard(session, email, composed)
            metrics.email_failed()
            log.bind(reason=reason, recorded=recorded).warning("email.failed")
            return "failed"
        retry_at = moment + retry_delay(email.attempts, self.rng)
        async with self.sessionmaker() as session, session.begin():
            recorded = await repository.mark_retry(
                session,
                email,
                reason=reason,
                retry_at=retry_at,
                now=moment,
                content=_kept(composed),
            )
            await self._discard(session, email, composed)
        metrics.email_retried()
        log.bind(reason=reason, retry_at=retry_at.isoformat(), recorded=recorded).info(
            "email.retry_scheduled"
        )
        return "retried"

    async def _compose(
        self, email: ClaimedEmail, *, now: datetime
    ) -> ComposedEmail | Literal["skipped", "lost"]:
        """This attempt's content, issued and committed before it is sent; or the row finished
        as `skipped` when there is nothing to send. Errors propagate: the row stays claimed and
        is tried again once its lease expires."""
        async with self.sessionmaker() as session, session.begin():
            if not await repository.renew_claim(session, email, now=now):
                return "lost"
            composed = await self.composers[email.template].compose(
                session, to_email=email.to_email, now=now
            )
            if composed is None:
                await repository.mark_skipped(session, email, now=now)
                return "skipped"
        return composed

    async def _discard(
        self, session: AsyncSession, email: ClaimedEmail, composed: ComposedEmail | None
    ) -> None:
        if composed is not None:
            await self.composers[email.template].discard(session, composed)

    async def _send(self, email: ClaimedEmail, composed: ComposedEmail | None = None) -> None:
        try:
            validate_email(email.to_email, check_deliverability=False)
        except EmailNotValidError as exc:
            raise PermanentDeliveryError(f"invalid address: {exc}") from exc
        await self.backend.send(self.outgoing(email, composed))

    def outgoing(self, email: ClaimedEmail, composed: ComposedEmail | None = None) -> OutgoingEmail:
        subject, text, html = (
            (composed.rendered.subject, composed.rendered.text, composed.rendered.html)
            if composed is not None
            else (email.subject, email.body_text, email.body_html)
        )
        return OutgoingEmail(
            message_id=message_id_for(email, self.domain, composed),
            from_email=self.from_email,
            to_email=email.to_email,
            subject=subject,
            text=text,
            html=html,
        )


def _kept(composed: ComposedEmail | None) -> RenderedEmail | None:
    """What the row keeps of an e-mail composed at send time: its content, secret redacted."""
    return composed.redacted() if composed is not None else None


class EmbeddedWorker:
    """The delivery loop as a task of the app (`intowork serve` outside production)."""

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.worker.run(self._stop), name="intowork-email-worker")

    async def stop(self) -> None:
        """Lets the batch in flight finish; past the timeout it is cut short, and its messages
        are claimed again once their lease expires."""
        self._stop.set()
        try:
            if self._task is not None:
                await asyncio.wait_for(self._task, timeout=STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("email.worker_stop_timeout")
        finally:
            await self.worker.backend.aclose()


def start_embedded_worker(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> EmbeddedWorker:
    embedded = EmbeddedWorker(OutboxWorker.from_settings(sessionmaker, settings))
    embedded.start()
    return embedded
