"""The outbox worker: claim due messages, send them outside any transaction, record each outcome.

Delivery is at least once. A worker killed between its claim and its records loses nothing:
its messages stay `sending` until their lease expires, then another worker claims them again.
A receiver can drop the rare duplicate by its Message-ID, which is derived from the outbox row
and so is the same on every attempt (Resend also gets it as the idempotency key).

`intowork worker` runs `OutboxWorker.run` until SIGTERM; in development `intowork serve` runs the
same loop as a task of the app (`EmbeddedWorker`, started and stopped by the lifespan).
"""

import asyncio
import contextlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
STOP_TIMEOUT_SECONDS = 10.0
ERROR_PAUSE_SECONDS = 5.0


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


def message_id_for(email: ClaimedEmail, domain: str) -> str:
    """Stable across attempts; the creation time keeps ids apart across databases."""
    created = email.created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"<outbox.{email.id}.{created}@{domain}>"


Outcome = Literal["sent", "retried", "failed"]


@dataclass(slots=True)
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: "BatchResult") -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


class OutboxWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        backend: Backend,
        *,
        from_email: str,
        batch_size: int = 10,
        lease: timedelta = timedelta(seconds=120),
        poll_interval: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.backend = backend
        self.from_email = from_email
        self.domain = sender_domain(from_email)
        self.batch_size = batch_size
        self.lease = lease
        self.poll_interval = poll_interval
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
            batch_size=settings.email_worker_batch_size,
            lease=timedelta(seconds=settings.email_lease_seconds),
            poll_interval=settings.email_worker_poll_seconds,
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
            else:
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

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; a full batch is followed by the next one at once."""
        logger.bind(batch_size=self.batch_size).info("email.worker_started")
        while not stop.is_set():
            pause = self.poll_interval
            try:
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

    async def _deliver_one(self, email: ClaimedEmail, *, now: datetime | None) -> Outcome:
        log = logger.bind(outbox_id=email.id, template=email.template.value, attempt=email.attempts)
        try:
            await self._send(email)
        except DeliveryError as exc:
            error: DeliveryError = exc
        except Exception as exc:  # a bug or an unforeseen library error: retried, then failed
            log.opt(exception=exc).error("email.backend_error")
            error = TransientDeliveryError(f"unexpected {type(exc).__name__}")
        else:
            async with self.sessionmaker() as session, session.begin():
                recorded = await repository.mark_sent(session, email, now=now or utcnow())
            metrics.email_sent()
            log.bind(recorded=recorded).info("email.sent")
            return "sent"

        moment = now or utcnow()
        if error.permanent or email.attempts >= MAX_ATTEMPTS:
            async with self.sessionmaker() as session, session.begin():
                recorded = await repository.mark_failed(
                    session, email, reason=error.reason, now=moment
                )
            metrics.email_failed()
            log.bind(reason=error.reason, recorded=recorded).warning("email.failed")
            return "failed"
        retry_at = moment + retry_delay(email.attempts, self.rng)
        async with self.sessionmaker() as session, session.begin():
            recorded = await repository.mark_retry(
                session, email, reason=error.reason, retry_at=retry_at, now=moment
            )
        metrics.email_retried()
        log.bind(reason=error.reason, retry_at=retry_at.isoformat(), recorded=recorded).info(
            "email.retry_scheduled"
        )
        return "retried"

    async def _send(self, email: ClaimedEmail) -> None:
        try:
            validate_email(email.to_email, check_deliverability=False)
        except EmailNotValidError as exc:
            raise PermanentDeliveryError(f"invalid address: {exc}") from exc
        await self.backend.send(self.outgoing(email))

    def outgoing(self, email: ClaimedEmail) -> OutgoingEmail:
        return OutgoingEmail(
            message_id=message_id_for(email, self.domain),
            from_email=self.from_email,
            to_email=email.to_email,
            subject=email.subject,
            text=email.body_text,
            html=email.body_html,
        )


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
