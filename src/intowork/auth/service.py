"""Accounts and sessions: sign-up, sign-in, refresh-token rotation, password and e-mail changes.

Refresh tokens follow RFC 9700: opaque, stored as SHA-256, rotated on every use; presenting a
rotated or revoked token again is reuse and revokes the whole family (every token descended from
the same sign-in).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from loguru import logger
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.auth import repository
from intowork.auth.exceptions import (
    EmailInUse,
    InactiveAccount,
    IncorrectCurrentPassword,
    IncorrectPassword,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    RefreshTokenReused,
    ResetTokenExpired,
    ResetTokenUsed,
)
from intowork.auth.schemas import AuthResponse, AuthUser, TokenPair
from intowork.core.config import Settings
from intowork.core.email import enqueue_email
from intowork.core.observability import metrics
from intowork.core.security import (
    check_password_policy,
    dummy_verify,
    hash_password,
    new_opaque_token,
    token_digest,
    verify_password,
)
from intowork.core.tokens import create_access_token
from intowork.models import AuthSession, PasswordResetToken, User
from intowork.models.enums import EmailTemplate, SessionRevokedReason, UserRole
from intowork.users import repository as users_repository
from intowork.users import service as users_service


@dataclass(frozen=True, slots=True)
class ClientInfo:
    user_agent: str | None
    ip: str | None


def utcnow() -> datetime:
    return datetime.now(UTC)


async def signup(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: UserRole,
    client: ClientInfo,
) -> AuthResponse:
    """User, profile row, welcome e-mail and a first session, in the request's one transaction."""
    user = await users_service.create_user(
        session,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=role,
    )
    enqueue_email(
        session,
        to_email=user.email,
        template=EmailTemplate.WELCOME,
        context={"first_name": user.first_name, "role": role.value},
    )
    metrics.user_registered(role)
    logger.bind(user_id=user.id, role=role.value).info("auth.signed_up")
    return await _auth_response(session, settings, user, client=client)


async def signin(
    session: AsyncSession, settings: Settings, *, email: str, password: str, client: ClientInfo
) -> AuthResponse:
    user = await users_repository.get_by_email(session, email)
    if user is None or user.password_hash is None:
        await dummy_verify(password)
        metrics.signin_attempted(success=False)
        logger.info("auth.signin_failed")
        raise InvalidCredentials()
    matches, upgraded_hash = await verify_password(password, user.password_hash)
    if not matches:
        metrics.signin_attempted(success=False)
        logger.bind(user_id=user.id).info("auth.signin_failed")
        raise InvalidCredentials()
    if not user.is_active:
        metrics.signin_attempted(success=False)
        raise InactiveAccount()
    if upgraded_hash is not None:
        user.password_hash = upgraded_hash
        logger.bind(user_id=user.id).info("auth.password_rehashed")
    now = utcnow()
    await repository.purge_expired_sessions(session, user.id, now=now)
    metrics.signin_attempted(success=True)
    logger.bind(user_id=user.id).info("auth.signed_in")
    return await _auth_response(session, settings, user, client=client, now=now)


async def refresh(
    session: AsyncSession, settings: Settings, *, refresh_token: str, client: ClientInfo
) -> TokenPair:
    now = utcnow()
    current = await repository.get_session_by_hash(session, token_digest(refresh_token))
    if current is None:
        raise InvalidRefreshToken()
    if current.rotated_at is not None or current.revoked_at is not None:
        await repository.revoke_family(
            session, current.family_id, reason=SessionRevokedReason.REUSE_DETECTED, now=now
        )
        logger.bind(user_id=current.user_id, family_id=str(current.family_id)).warning(
            "security.refresh_token_reuse"
        )
        raise RefreshTokenReused()
    if current.idle_expires_at <= now or current.absolute_expires_at <= now:
        raise InvalidRefreshToken()
    user = await users_repository.get_by_id(session, current.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()
    if not await repository.mark_rotated(session, current.id, now=now):
        # A concurrent refresh of the same token won the race: this one simply loses.
        raise InvalidRefreshToken()
    new_token = _open_session(session, settings, user, client=client, now=now, parent=current)
    await session.flush()
    return TokenPair(
        access_token=create_access_token(user, settings, now=now), refresh_token=new_token
    )


async def signout(session: AsyncSession, *, refresh_token: str) -> None:
    """Revokes the token's family; unknown or already revoked tokens are fine too."""
    current = await repository.get_session_by_hash(session, token_digest(refresh_token))
    if current is not None:
        await repository.revoke_family(
            session, current.family_id, reason=SessionRevokedReason.SIGNOUT, now=utcnow()
        )


async def signout_all(session: AsyncSession, user: User) -> None:
    await _revoke_all_sessions(session, user, reason=SessionRevokedReason.SIGNOUT_ALL)


async def revoke_sessions_for_deactivation(session: AsyncSession, user: User) -> None:
    """An admin deactivated the user: refresh and access tokens alike stop working now."""
    await _revoke_all_sessions(session, user, reason=SessionRevokedReason.DEACTIVATED)


async def change_password(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    current_password: str,
    new_password: str,
    client: ClientInfo,
) -> TokenPair:
    if (
        user.password_hash is None
        or not (await verify_password(current_password, user.password_hash))[0]
    ):
        raise IncorrectCurrentPassword()
    check_password_policy(new_password)
    now = utcnow()
    user.password_hash = await hash_password(new_password)
    await _revoke_all_sessions(session, user, reason=SessionRevokedReason.PASSWORD_CHANGE, now=now)
    refresh_token = _open_session(session, settings, user, client=client, now=now)
    await session.flush()
    logger.bind(user_id=user.id).info("auth.password_changed")
    return TokenPair(
        access_token=create_access_token(user, settings, now=now), refresh_token=refresh_token
    )


async def change_email(session: AsyncSession, user: User, *, new_email: str, password: str) -> str:
    if user.password_hash is None or not (await verify_password(password, user.password_hash))[0]:
        raise IncorrectPassword()
    if new_email == user.email:
        return user.email
    if await users_repository.get_by_email(session, new_email) is not None:
        raise EmailInUse()
    user.email = new_email
    try:
        await session.flush()
    except IntegrityError as exc:  # taken meanwhile by a concurrent request
        raise EmailInUse() from exc
    logger.bind(user_id=user.id).info("auth.email_changed")
    return new_email


async def forgot_password(session: AsyncSession, settings: Settings, *, email: str) -> None:
    """Writes a reset e-mail to the outbox for an active user with a password; else nothing."""
    user = await users_repository.get_by_email(session, email)
    if user is None or not user.is_active or user.password_hash is None:
        return
    await repository.delete_unused_reset_tokens(session, user.id)
    token = new_opaque_token()
    now = utcnow()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=now + timedelta(minutes=settings.password_reset_expire_minutes),
        )
    )
    # The link carries the token: it goes into the e-mail and nowhere else (never a log line).
    link = f"{settings.frontend_url.rstrip('/')}/auth/reset-password?token={token}"
    enqueue_email(
        session,
        to_email=user.email,
        template=EmailTemplate.PASSWORD_RESET,
        context={
            "first_name": user.first_name,
            "reset_url": link,
            "expires_minutes": settings.password_reset_expire_minutes,
        },
    )
    await session.flush()
    logger.bind(user_id=user.id).info("auth.password_reset_requested")


async def reset_password(session: AsyncSession, *, token: str, new_password: str) -> None:
    now = utcnow()
    reset = await repository.get_reset_token_by_hash(session, token_digest(token))
    if reset is None:
        raise InvalidResetToken()
    if reset.used_at is not None:
        raise ResetTokenUsed()
    if reset.expires_at <= now:
        raise ResetTokenExpired()
    check_password_policy(new_password)
    user = await users_repository.get_by_id(session, reset.user_id)
    if user is None:
        raise InvalidResetToken()
    user.password_hash = await hash_password(new_password)
    await repository.mark_reset_tokens_used(session, user.id, now=now)
    await _revoke_all_sessions(session, user, reason=SessionRevokedReason.PASSWORD_RESET, now=now)
    await session.flush()
    logger.bind(user_id=user.id).info("auth.password_reset")


async def _auth_response(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    client: ClientInfo,
    now: datetime | None = None,
) -> AuthResponse:
    now = now or utcnow()
    refresh_token = _open_session(session, settings, user, client=client, now=now)
    await session.flush()
    return AuthResponse(
        access_token=create_access_token(user, settings, now=now),
        refresh_token=refresh_token,
        user=AuthUser.model_validate(user),
    )


def _open_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    client: ClientInfo,
    now: datetime,
    parent: AuthSession | None = None,
) -> str:
    """A new refresh token: a new family, or the next link of `parent`'s family."""
    token = new_opaque_token()
    absolute_expiry = (
        parent.absolute_expires_at
        if parent is not None
        else now + timedelta(days=settings.refresh_token_max_days)
    )
    idle_expiry = min(now + timedelta(days=settings.refresh_token_idle_days), absolute_expiry)
    session.add(
        AuthSession(
            user_id=user.id,
            family_id=parent.family_id if parent is not None else uuid.uuid4(),
            parent_id=parent.id if parent is not None else None,
            token_hash=token_digest(token),
            last_used_at=now,
            idle_expires_at=idle_expiry,
            absolute_expires_at=absolute_expiry,
            user_agent=(client.user_agent or "")[:500] or None,
            ip=(client.ip or "")[:45] or None,
        )
    )
    return token


async def _revoke_all_sessions(
    session: AsyncSession,
    user: User,
    *,
    reason: SessionRevokedReason,
    now: datetime | None = None,
) -> None:
    """Every refresh token of the user dies, and so does every access token issued before now."""
    now = now or utcnow()
    user.tokens_valid_after = now
    await repository.revoke_all_for_user(session, user.id, reason=reason, now=now)
    logger.bind(user_id=user.id, reason=reason.value).info("auth.sessions_revoked")
