"""SQL of refresh-token sessions and password-reset tokens."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, PasswordResetToken, User
from intowork.models.enums import SessionRevokedReason

# Instances' clocks may differ a little: a token issued by one right after another created the
# account must not predate it.
CLOCK_SKEW = timedelta(seconds=1)


async def get_signed_in_user(
    session: AsyncSession, user_id: int, family_id: uuid.UUID, *, issued_at: datetime
) -> User | None:
    """The user of an access token, in one statement: none when the token's sign-in was revoked
    (sign-out, reuse, a credential change) or the token predates the account (API.md M8)."""
    revoked = exists().where(
        AuthSession.family_id == family_id, AuthSession.revoked_at.is_not(None)
    )
    return await session.scalar(
        select(User).where(User.id == user_id, User.created_at <= issued_at + CLOCK_SKEW, ~revoked)
    )


async def get_session_by_hash(session: AsyncSession, token_hash: str) -> AuthSession | None:
    return await session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash))


async def mark_rotated(session: AsyncSession, auth_session_id: int, *, now: datetime) -> bool:
    """Atomically consume a usable token: of two concurrent refreshes, one gets True."""
    result = await session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == auth_session_id,
            AuthSession.rotated_at.is_(None),
            AuthSession.revoked_at.is_(None),
        )
        .values(rotated_at=now, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, *, reason: SessionRevokedReason, now: datetime
) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.family_id == family_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def revoke_all_for_user(
    session: AsyncSession,
    user_id: int,
    *,
    reason: SessionRevokedReason,
    now: datetime,
    keep_family: uuid.UUID | None = None,
) -> None:
    """Every sign-in of the user ends, but `keep_family` when given (the caller's own)."""
    statement = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep_family is not None:
        statement = statement.where(AuthSession.family_id != keep_family)
    await session.execute(
        statement.values(revoked_at=now, revoked_reason=reason).execution_options(
            synchronize_session=False
        )
    )


async def purge_expired_sessions(session: AsyncSession, user_id: int, *, now: datetime) -> None:
    await session.execute(
        delete(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            or_(AuthSession.idle_expires_at < now, AuthSession.absolute_expires_at < now),
        )
        .execution_options(synchronize_session=False)
    )


async def get_reset_token_by_hash(
    session: AsyncSession, token_hash: str
) -> PasswordResetToken | None:
    return await session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    )


async def delete_unused_reset_tokens(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        delete(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )


async def delete_unused_reset_token(session: AsyncSession, token_id: int) -> None:
    await session.execute(
        delete(PasswordResetToken)
        .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )


async def mark_reset_tokens_used(session: AsyncSession, user_id: int, *, now: datetime) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
