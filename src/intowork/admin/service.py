"""The admin tools' rules: figures, oversight lists, activation and deletion of accounts.

An admin may deactivate or delete any account but their own, other admins' included: the caller
stays an active admin, so the platform never loses its last one this way.
"""

from datetime import UTC, datetime, timedelta

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.admin import repository
from intowork.admin.exceptions import CannotDeactivateSelf, CannotDeleteSelf, UserNotFound
from intowork.admin.repository import UserFilters
from intowork.admin.schemas import (
    AdminEmployerItem,
    AdminJobItem,
    AdminStats,
    DatabaseStatus,
)
from intowork.auth import service as auth_service
from intowork.core.storage import Storage
from intowork.models import User
from intowork.models.enums import JobStatus, UserRole
from intowork.users import service as users_service

RECENT_SIGNUP_DAYS = 7


async def get_stats(session: AsyncSession) -> AdminStats:
    since = datetime.now(UTC) - timedelta(days=RECENT_SIGNUP_DAYS)
    stats = await repository.stats(session, signed_up_since=since)
    return AdminStats.model_validate(stats)


async def list_users(
    session: AsyncSession,
    *,
    role: UserRole | None = None,
    is_active: bool | None = None,
    search: str | None = None,
    offset: int,
    limit: int,
) -> list[User]:
    """Newest first; `search` is a case-insensitive substring of the e-mail or either name."""
    filters = UserFilters(role=role, is_active=is_active, search=(search or "").strip() or None)
    return await repository.list_users(session, filters, offset=offset, limit=limit)


async def list_employers(
    session: AsyncSession, *, offset: int, limit: int
) -> list[AdminEmployerItem]:
    rows = await repository.list_employers(session, offset=offset, limit=limit)
    return [AdminEmployerItem.model_validate(row) for row in rows]


async def list_jobs(
    session: AsyncSession, *, status: JobStatus | None, offset: int, limit: int
) -> list[AdminJobItem]:
    rows = await repository.list_jobs(session, status=status, offset=offset, limit=limit)
    return [AdminJobItem.model_validate(row) for row in rows]


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await users_service.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def set_user_active(
    session: AsyncSession, admin: User, *, user_id: int, is_active: bool
) -> User:
    """Deactivation ends every session of the user and voids the access tokens already issued.

    Re-activating oneself is a harmless no-op (the caller is active by definition). Deactivating
    an account that is already inactive revokes again, in case it still held sessions.
    Re-activation revives nothing: the user signs in again.
    """
    if user_id == admin.id and not is_active:
        raise CannotDeactivateSelf()
    user = await get_user(session, user_id)
    user.is_active = is_active
    if not is_active:
        await auth_service.revoke_sessions_for_deactivation(session, user)
    await session.flush()
    logger.bind(admin_id=admin.id, user_id=user.id, is_active=is_active).info(
        "admin.user_activation_changed"
    )
    return user


async def delete_user(
    session: AsyncSession, storage: Storage, admin: User, *, user_id: int
) -> None:
    """Exactly as the user's own account deletion (API.md A8)."""
    if user_id == admin.id:
        raise CannotDeleteSelf()
    user = await get_user(session, user_id)
    await users_service.delete_account(session, storage, user)
    logger.bind(admin_id=admin.id, user_id=user_id).info("admin.user_deleted")


async def database_status(session: AsyncSession) -> DatabaseStatus:
    """Counting the users is the test query: an unreachable database raises, and becomes a 503."""
    users_count = await users_service.count_users(session)
    return DatabaseStatus(users_count=users_count, message="Database connection is working")
