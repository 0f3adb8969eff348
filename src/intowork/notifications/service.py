"""In-app notifications: written by other domains' services in their own transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Notification
from intowork.models.enums import NotificationType


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
