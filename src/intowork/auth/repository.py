"""SQL of refresh-token sessions and password-reset tokens."""

import uuid
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, PasswordResetToken
from intowork.models.enums import SessionRevokedReason


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
    session: AsyncSession, user_id: int, *, reason: SessionRevokedReason, now: datetime
) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
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


async def mark_reset_tokens_used(session: AsyncSession, user_id: int, *, now: datetime) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
