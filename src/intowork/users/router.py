"""/api/users and /api/db-status: legacy routes, now admin-only (API.md 10)."""

from fastapi import APIRouter, status

from intowork.admin import service as admin_service
from intowork.admin.dependencies import SkipPage, UserId
from intowork.admin.schemas import DatabaseStatus, LegacyUserItem
from intowork.auth.dependencies import AdminUser
from intowork.core.db import SessionDep
from intowork.core.errors import Gone
from intowork.core.ratelimit import RateLimit, Tier
from intowork.models import User

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/users", response_model=list[LegacyUserItem], dependencies=[RateLimit(Tier.DEFAULT)])
async def list_users(session: SessionDep, _admin: AdminUser, paging: SkipPage) -> list[User]:
    """Every account, newest first, in the old Clerk-synchronised shape."""
    return await admin_service.list_users(session, offset=paging.skip, limit=paging.limit)


@router.post(
    "/users",
    status_code=status.HTTP_410_GONE,
    response_model=None,
    responses={status.HTTP_410_GONE: {"description": "This endpoint has been removed"}},
    deprecated=True,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def create_user() -> None:
    """Removed: the Clerk synchronisation it served is gone. Answers 410 to everyone."""
    raise Gone()


@router.get(
    "/users/{user_id}", response_model=LegacyUserItem, dependencies=[RateLimit(Tier.DEFAULT)]
)
async def read_user(user_id: UserId, session: SessionDep, _admin: AdminUser) -> User:
    """One account, in the old Clerk-synchronised shape."""
    return await admin_service.get_user(session, user_id)


@router.get("/db-status", response_model=DatabaseStatus, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_db_status(session: SessionDep, _admin: AdminUser) -> DatabaseStatus:
    """Whether the database answers; an unreachable one is a 503."""
    return await admin_service.database_status(session)
