"""In-app notifications: written by other domains' services in their own transaction (`notify`),
read, marked read and deleted by their owner through /api/notifications (API.md 9)."""

from datetime import UTC, datetime

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Notification, User
from intowork.models.enums import NotificationType
from intowork.notifications import repository
from intowork.notifications.exceptions import NotificationNotFound
from intowork.notifications.schemas import NotificationListResponse


def notify(
    session: AsyncSession,
    *,
    user_id: int,
    type: NotificationType,
    title: str,
    message: str,
    related_job_id: int | None = None,
    related_application_id: int | None = None,
) -> Notification:
    notification = Notification(
        user_id=user_id,
        type=type,
        title=title[:200],
        message=message,
        related_job_id=related_job_id,
        related_application_id=related_application_id,
    )
    session.add(notification)
    return notification


def utcnow() -> datetime:
    return datetime.now(UTC)


async def list_notifications(
    session: AsyncSession, user: User, *, unread_only: bool, offset: int, limit: int
) -> NotificationListResponse:
    page = await repository.list_page(
        session, user.id, unread_only=unread_only, offset=offset, limit=limit
    )
    return NotificationListResponse.model_validate(page)


async def count_unread(session: AsyncSession, user: User) -> int:
    return await repository.count_unread(session, user.id)


async def mark_read(session: AsyncSession, user: User, *, notification_id: int) -> None:
    """Idempotent: an already read notification keeps its first `read_at`."""
    if await repository.mark_read(session, user.id, notification_id, now=utcnow()):
        return
    if not await repository.exists_for(session, user.id, notification_id):
        raise NotificationNotFound()


async def mark_all_read(session: AsyncSession, user: User) -> int:
    return await repository.mark_all_read(session, user.id, now=utcnow())


async def delete_notification(session: AsyncSession, user: User, *, notification_id: int) -> None:
    if not await repository.delete_one(session, user.id, notification_id):
        raise NotificationNotFound()
    logger.bind(notification_id=notification_id).info("notifications.deleted")
