"""The outbox's SQL: claiming due messages, recording each attempt, listing and requeueing.

A message is due when it is `pending` and its `next_attempt_at` has come, or when it is
`sending` and its lease (`next_attempt_at` again) has expired: the worker that claimed it died.
Claiming counts the attempt and sets the lease, in the claim's own short transaction; the
sending happens after the commit. Each outcome is recorded only by the claim that made it (same
`attempts` and still `sending`), so a worker whose lease was taken over cannot overwrite what
the new owner records.

Finished messages (sent, skipped, failed) are deleted once EMAIL_RETENTION_DAYS have passed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.email.templates import RenderedEmail
from intowork.models import EmailOutbox
from intowork.models.enums import EmailStatus, EmailTemplate

MAX_ATTEMPTS = 5
INTERRUPTED = "delivery interrupted on the last attempt (the worker stopped)"
FINISHED = (EmailStatus.SENT, EmailStatus.SKIPPED, EmailStatus.FAILED)


@dataclass(frozen=True, slots=True)
class ClaimedEmail:
    id: int
    to_email: str
    subject: str
    body_text: str
    body_html: str | None
    template: EmailTemplate
    attempts: int  # this attempt included
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FailedEmail:
    id: int
    template: EmailTemplate
    to_email: str
    attempts: int
    last_error: str | None
    updated_at: datetime


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        EmailOutbox.status.in_((EmailStatus.PENDING, EmailStatus.SENDING)),
        EmailOutbox.next_attempt_at <= now,
        EmailOutbox.attempts < MAX_ATTEMPTS,
    )


async def fail_abandoned(session: AsyncSession, *, now: datetime) -> list[int]:
    """Messages whose last allowed attempt was claimed by a worker that never came back."""
    result = await session.execute(
        update(EmailOutbox)
        .where(
            EmailOutbox.status == EmailStatus.SENDING,
            EmailOutbox.next_attempt_at <= now,
            EmailOutbox.attempts >= MAX_ATTEMPTS,
        )
        .values(status=EmailStatus.FAILED, last_error=INTERRUPTED, updated_at=now)
        .returning(EmailOutbox.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def any_due(session: AsyncSession, *, now: datetime) -> bool:
    """A read, so that an idle worker's polling never takes SQLite's write lock."""
    abandoned = and_(EmailOutbox.status == EmailStatus.SENDING, EmailOutbox.next_attempt_at <= now)
    return bool(await session.scalar(select(exists().where(or_(_due(now), abandoned)))))


async def claim(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[ClaimedEmail]:
    """Marks up to `limit` due messages `sending` until `now + lease`, and returns them.

    PostgreSQL: the due rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers each
    take different rows without waiting for one another. SQLite has one writer at a time: a
    single conditional UPDATE claims atomically.
    """
    oldest_first = (EmailOutbox.next_attempt_at, EmailOutbox.id)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            await session.scalars(
                select(EmailOutbox.id)
                .where(_due(now))
                .order_by(*oldest_first)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        chosen: ColumnElement[bool] = EmailOutbox.id.in_(ids)
    else:
        chosen = and_(
            EmailOutbox.id.in_(
                select(EmailOutbox.id).where(_due(now)).order_by(*oldest_first).limit(limit)
            ),
            _due(now),
        )
    result = await session.execute(
        update(EmailOutbox)
        .where(chosen)
        .values(
            status=EmailStatus.SENDING,
            attempts=EmailOutbox.attempts + 1,
            next_attempt_at=now + lease,
            updated_at=now,
        )
        .returning(
            EmailOutbox.id,
            EmailOutbox.to_email,
            EmailOutbox.subject,
            EmailOutbox.body_text,
            EmailOutbox.body_html,
            EmailOutbox.template,
            EmailOutbox.attempts,
            EmailOutbox.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = [ClaimedEmail(**row._mapping) for row in result]
    claimed.sort(key=lambda email: email.id)
    return claimed


def _owned(email: ClaimedEmail) -> ColumnElement[bool]:
    return and_(
        EmailOutbox.id == email.id,
        EmailOutbox.status == EmailStatus.SENDING,
        EmailOutbox.attempts == email.attempts,
    )


async def _record(session: AsyncSession, email: ClaimedEmail, **values: object) -> bool:
    result = await session.execute(
        update(EmailOutbox)
        .where(_owned(email))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _content(content: RenderedEmail | None) -> dict[str, object]:
    """What an e-mail composed at send time keeps of its attempt (its secret already redacted)."""
    if content is None:
        return {}
    return {"subject": content.subject, "body_text": content.text, "body_html": content.html}


async def renew_claim(session: AsyncSession, email: ClaimedEmail, *, now: datetime) -> bool:
    """Still this claim's? A write, so that it also takes SQLite's write lock (and PostgreSQL's
    row lock) for the rest of the caller's transaction."""
    return await _record(session, email, updated_at=now)


async def mark_sent(
    session: AsyncSession,
    email: ClaimedEmail,
    *,
    now: datetime,
    content: RenderedEmail | None = None,
) -> bool:
    return await _record(
        session,
        email,
        status=EmailStatus.SENT,
        sent_at=now,
        last_error=None,
        updated_at=now,
        **_content(content),
    )


async def mark_skipped(session: AsyncSession, email: ClaimedEmail, *, now: datetime) -> bool:
    return await _record(
        session, email, status=EmailStatus.SKIPPED, last_error=None, updated_at=now
    )


async def mark_failed(
    session: AsyncSession,
    email: ClaimedEmail,
    *,
    reason: str,
    now: datetime,
    content: RenderedEmail | None = None,
) -> bool:
    return await _record(
        session,
        email,
        status=EmailStatus.FAILED,
        last_error=reason,
        updated_at=now,
        **_content(content),
    )


async def mark_retry(
    session: AsyncSession,
    email: ClaimedEmail,
    *,
    reason: str,
    retry_at: datetime,
    now: datetime,
    content: RenderedEmail | None = None,
) -> bool:
    return await _record(
        session,
        email,
        status=EmailStatus.PENDING,
        next_attempt_at=retry_at,
        last_error=reason,
        updated_at=now,
        **_content(content),
    )


async def purge_finished(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Deletes up to `limit` of the messages that finished (sent, skipped, failed) before
    `before`, oldest first; returns how many."""
    oldest = (
        select(EmailOutbox.id)
        .where(EmailOutbox.status.in_(FINISHED), EmailOutbox.updated_at < before)
        .order_by(EmailOutbox.id)
        .limit(limit)
    )
    result = await session.execute(
        delete(EmailOutbox)
        .where(EmailOutbox.id.in_(oldest))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def list_failed(session: AsyncSession, *, limit: int | None = None) -> list[FailedEmail]:
    statement = (
        select(
            EmailOutbox.id,
            EmailOutbox.template,
            EmailOutbox.to_email,
            EmailOutbox.attempts,
            EmailOutbox.last_error,
            EmailOutbox.updated_at,
        )
        .where(EmailOutbox.status == EmailStatus.FAILED)
        .order_by(EmailOutbox.id)
        .limit(limit)
    )
    return [FailedEmail(**row._mapping) for row in await session.execute(statement)]


async def requeue_failed(
    session: AsyncSession, *, now: datetime, email_id: int | None = None
) -> list[int]:
    """Failed messages become pending again, due now, with a fresh set of attempts."""
    statement = update(EmailOutbox).where(EmailOutbox.status == EmailStatus.FAILED)
    if email_id is not None:
        statement = statement.where(EmailOutbox.id == email_id)
    result = await session.execute(
        statement.values(
            status=EmailStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
        .returning(EmailOutbox.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())
