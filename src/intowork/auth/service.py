"""Accounts and sessions: sign-up, sign-in, refresh-token rotation, password and e-mail changes.

Refresh tokens follow RFC 9700: opaque, stored as SHA-256, rotated on every use; presenting a
rotated or revoked token again is reuse and revokes the whole family (every token descended from
the same sign-in).
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

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
from intowork.auth.schemas import AuthResponse, AuthUser, MeResponse, TokenPair
from intowork.core.config import Settings
from intowork.core.db import after_commit
from intowork.core.i18n import Language, current_language, use_language
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
from intowork.email.service import enqueue_email, enqueue_request
from intowork.models import AuthSession, PasswordResetToken, User
from intowork.models.enums import EmailTemplate, SessionRevokedReason, UserRole
from intowork.users import service as users_service


@dataclass(frozen=True, slots=True)
class ClientInfo:
    user_agent: str | None
    ip: str | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The caller and the sign-in (refresh-token family) its access token belongs to."""

    user: User
    session_id: uuid.UUID


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
        language=current_language(),
    )
    enqueue_email(
        session,
        to_email=user.email,
        template=EmailTemplate.WELCOME,
        context={"first_name": user.first_name, "role": role.value},
        language=user.language,
    )
    after_commit(session, partial(metrics.user_registered, role))
    logger.bind(user_id=user.id, role=role.value).info("auth.signed_up")
    return await _auth_response(session, settings, user, client=client)


async def signin(
    session: AsyncSession, settings: Settings, *, email: str, password: str, client: ClientInfo
) -> AuthResponse:
    user = await users_service.get_user_by_email(session, email)
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
    after_commit(session, partial(metrics.signin_attempted, success=True))
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
    user = await users_service.get_user(session, current.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()
    if not await repository.mark_rotated(session, current.id, now=now):
        # A concurrent refresh of the same token won the race: this one simply loses.
        raise InvalidRefreshToken()
    opened = _open_session(session, settings, user, client=client, now=now, parent=current)
    await session.flush()
    return _token_pair(settings, user, opened, now=now)


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
    signed_in: SignedIn,
    *,
    current_password: str,
    new_password: str,
    client: ClientInfo,
) -> TokenPair:
    """The caller's own sign-in goes on; every other one ends (API.md M3)."""
    user = signed_in.user
    if (
        user.password_hash is None
        or not (await verify_password(current_password, user.password_hash))[0]
    ):
        raise IncorrectCurrentPassword()
    check_password_policy(new_password)
    now = utcnow()
    user.password_hash = await hash_password(new_password)
    await _revoke_other_sessions(
        session, signed_in, reason=SessionRevokedReason.PASSWORD_CHANGE, now=now
    )
    opened = _open_session(session, settings, user, client=client, now=now)
    await session.flush()
    logger.bind(user_id=user.id).info("auth.password_changed")
    return _token_pair(settings, user, opened, now=now)


async def change_email(
    session: AsyncSession, signed_in: SignedIn, *, new_email: str, password: str
) -> str:
    user = signed_in.user
    if user.password_hash is None or not (await verify_password(password, user.password_hash))[0]:
        raise IncorrectPassword()
    if new_email == user.email:
        return user.email
    if await users_service.get_user_by_email(session, new_email) is not None:
        raise EmailInUse()
    user.email = new_email
    try:
        await session.flush()
    except IntegrityError as exc:  # taken meanwhile by a concurrent request
        raise EmailInUse() from exc
    # A reset link sent to the old address must not take the account back (API.md M3).
    await repository.delete_unused_reset_tokens(session, user.id)
    await _revoke_other_sessions(
        session, signed_in, reason=SessionRevokedReason.EMAIL_CHANGE, now=utcnow()
    )
    logger.bind(user_id=user.id).info("auth.email_changed")
    return new_email


async def forgot_password(session: AsyncSession, *, email: str) -> None:
    """Writes a reset request to the outbox, whoever `email` belongs to.

    The same one INSERT for every address: the answer's timing cannot tell whether an account
    exists. The worker decides when it sends (`issue_reset_token`); the link is made then, and
    only the e-mail ever holds it (docs/security.md, "Reset tokens and the outbox")."""
    enqueue_request(session, to_email=email, template=EmailTemplate.PASSWORD_RESET)
    logger.info("auth.password_reset_requested")


@dataclass(frozen=True, slots=True)
class IssuedResetToken:
    id: int
    token: str = field(repr=False)  # plain: into the e-mail being sent, never stored or logged
    first_name: str = field(repr=False)
    language: Language | None = None


async def issue_reset_token(
    session: AsyncSession, settings: Settings, *, email: str, now: datetime
) -> IssuedResetToken | None:
    """For the outbox worker sending a reset e-mail: a new token for an active user with a
    password (their earlier unused tokens die), valid from `now`; else None, nothing to send."""
    user = await users_service.get_user_by_email(session, email)
    if user is None or not user.is_active or user.password_hash is None:
        return None
    await repository.delete_unused_reset_tokens(session, user.id)
    token = new_opaque_token()
    row = PasswordResetToken(
        user_id=user.id,
        token_hash=token_digest(token),
        expires_at=now + timedelta(minutes=settings.password_reset_expire_minutes),
    )
    session.add(row)
    await session.flush()
    logger.bind(user_id=user.id).info("auth.password_reset_issued")
    return IssuedResetToken(
        id=row.id, token=token, first_name=user.first_name, language=user.language
    )


async def discard_reset_token(session: AsyncSession, *, token_id: int) -> None:
    """The e-mail meant to carry it was not sent."""
    await repository.delete_unused_reset_token(session, token_id)


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
    user = await users_service.get_user(session, reset.user_id)
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
    opened = _open_session(session, settings, user, client=client, now=now)
    await session.flush()
    pair = _token_pair(settings, user, opened, now=now)
    return AuthResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        user=AuthUser.model_validate(user),
    )


@dataclass(frozen=True, slots=True)
class OpenedSession:
    refresh_token: str
    row: AuthSession


def _token_pair(
    settings: Settings, user: User, opened: OpenedSession, *, now: datetime
) -> TokenPair:
    access_token = create_access_token(
        user,
        settings,
        now=now,
        session_id=opened.row.family_id,
        session_expires_at=opened.row.idle_expires_at,
    )
    return TokenPair(access_token=access_token, refresh_token=opened.refresh_token)


def _open_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    client: ClientInfo,
    now: datetime,
    parent: AuthSession | None = None,
) -> OpenedSession:
    """A new refresh token: a new family, or the next link of `parent`'s family."""
    token = new_opaque_token()
    absolute_expiry = (
        parent.absolute_expires_at
        if parent is not None
        else now + timedelta(days=settings.refresh_token_max_days)
    )
    idle_expiry = min(now + timedelta(days=settings.refresh_token_idle_days), absolute_expiry)
    row = AuthSession(
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
    session.add(row)
    return OpenedSession(refresh_token=token, row=row)


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


async def _revoke_other_sessions(
    session: AsyncSession, signed_in: SignedIn, *, reason: SessionRevokedReason, now: datetime
) -> None:
    """Every sign-in but the caller's ends; their access tokens die with them (their `sid`)."""
    user_id = signed_in.user.id
    await repository.revoke_all_for_user(
        session, user_id, reason=reason, now=now, keep_family=signed_in.session_id
    )
    logger.bind(user_id=user_id, reason=reason.value).info("auth.other_sessions_revoked")


def me(user: User) -> MeResponse:
    return MeResponse(
        id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        name=user.name or f"{user.first_name} {user.last_name}",
        role=user.role,
        image=user.image,
        is_active=user.is_active,
        language=user.language or current_language(),
    )


async def update_me(session: AsyncSession, user: User, *, language: Language) -> MeResponse:
    user.language = language
    use_language(language)  # this very answer speaks it already
    await session.flush()
    logger.bind(user_id=user.id, language=language.value).info("auth.language_changed")
    return me(user)
