"""/api/notifications: the caller's own in-app notifications (API.md 9)."""

from typing import Annotated

from fastapi import APIRouter, Query

from intowork.auth.dependencies import CurrentUser
from intowork.core.db import SessionDep
from intowork.core.pagination import MAX_LIMIT
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MAX_ID, MessageResponse, PathId
from intowork.notifications import service
from intowork.notifications.schemas import NotificationListResponse, UnreadCountResponse

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

NotificationId = PathId
# Deep enough for any real inbox; bounded so an absurd offset is a 422, not a database overflow.
MAX_OFFSET = MAX_ID


@router.get("", response_model=NotificationListResponse, dependencies=[RateLimit(Tier.LISTING)])
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    unread_only: bool = False,
) -> NotificationListResponse:
    """The caller's notifications, newest first, with the total and the unread count."""
    return await service.list_notifications(
        session, user, unread_only=unread_only, offset=offset, limit=limit
    )


@router.get(
    "/unread-count", response_model=UnreadCountResponse, dependencies=[RateLimit(Tier.LISTING)]
)
async def count_unread_notifications(session: SessionDep, user: CurrentUser) -> UnreadCountResponse:
    """How many of the caller's notifications are unread."""
    return UnreadCountResponse(unread_count=await service.count_unread(session, user))


@router.put(
    "/mark-all-read", response_model=MessageResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def mark_all_notifications_read(session: SessionDep, user: CurrentUser) -> MessageResponse:
    """Mark every unread notification of the caller as read."""
    await service.mark_all_read(session, user)
    return MessageResponse(message="All notifications marked as read")


@router.put(
    "/{notification_id}/read",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def mark_notification_read(
    notification_id: NotificationId, session: SessionDep, user: CurrentUser
) -> MessageResponse:
    """Mark one of the caller's notifications as read; repeating it changes nothing."""
    await service.mark_read(session, user, notification_id=notification_id)
    return MessageResponse(message="Notification marked as read")


@router.delete(
    "/{notification_id}", response_model=MessageResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def delete_notification(
    notification_id: NotificationId, session: SessionDep, user: CurrentUser
) -> MessageResponse:
    """Delete one of the caller's notifications."""
    await service.delete_notification(session, user, notification_id=notification_id)
    return MessageResponse(message="Notification deleted")
