"""/api/admin: platform figures and the oversight of users, employers and jobs (API.md 10)."""

from typing import Annotated

from fastapi import APIRouter, Query

from intowork.admin import service
from intowork.admin.dependencies import SkipPage, UserId
from intowork.admin.exceptions import CannotDeactivateSelf, CannotDeleteSelf
from intowork.admin.schemas import (
    ActivationRequest,
    AdminEmployerItem,
    AdminJobItem,
    AdminMe,
    AdminStats,
    AdminUserItem,
)
from intowork.auth.dependencies import AdminUser
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MessageResponse, NulFree
from intowork.core.storage import StorageDep
from intowork.models import User
from intowork.models.enums import JobStatus, UserRole

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/stats", response_model=AdminStats, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_stats(session: SessionDep, _admin: AdminUser) -> AdminStats:
    """Platform-wide counts, jobs by status and the sign-ups of the last 7 days."""
    return await service.get_stats(session)


@router.get("/users", response_model=list[AdminUserItem], dependencies=[RateLimit(Tier.DEFAULT)])
async def list_users(
    session: SessionDep,
    _admin: AdminUser,
    paging: SkipPage,
    role: UserRole | None = None,
    is_active: bool | None = None,
    search: Annotated[str | None, Query(max_length=200), NulFree] = None,
) -> list[User]:
    """Every account, newest first; `search` matches e-mail and names, case-insensitively."""
    return await service.list_users(
        session,
        role=role,
        is_active=is_active,
        search=search,
        offset=paging.skip,
        limit=paging.limit,
    )


@router.get(
    "/employers", response_model=list[AdminEmployerItem], dependencies=[RateLimit(Tier.DEFAULT)]
)
async def list_employers(
    session: SessionDep, _admin: AdminUser, paging: SkipPage
) -> list[AdminEmployerItem]:
    """Employer profiles with their account and company, newest first."""
    return await service.list_employers(session, offset=paging.skip, limit=paging.limit)


@router.get("/jobs", response_model=list[AdminJobItem], dependencies=[RateLimit(Tier.DEFAULT)])
async def list_jobs(
    session: SessionDep, _admin: AdminUser, paging: SkipPage, status: JobStatus | None = None
) -> list[AdminJobItem]:
    """Jobs in every status with their true application counts, newest first."""
    return await service.list_jobs(session, status=status, offset=paging.skip, limit=paging.limit)


@router.put(
    "/users/{user_id}/activate",
    response_model=AdminUserItem,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(CannotDeactivateSelf),
)
async def activate_user(
    user_id: UserId, body: ActivationRequest, session: SessionDep, admin: AdminUser
) -> User:
    """Activate or deactivate an account; deactivation signs it out everywhere at once."""
    return await service.set_user_active(session, admin, user_id=user_id, is_active=body.is_active)


@router.delete(
    "/users/{user_id}",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(CannotDeleteSelf),
)
async def delete_user(
    user_id: UserId, session: SessionDep, storage: StorageDep, admin: AdminUser
) -> MessageResponse:
    """Delete an account and everything it owns, as its owner could."""
    await service.delete_user(session, storage, admin, user_id=user_id)
    return MessageResponse(message="User deleted successfully")


@router.get("/me", response_model=AdminMe, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_admin_me(admin: AdminUser) -> User:
    """The calling admin's account."""
    return admin
