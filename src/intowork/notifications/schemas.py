from datetime import datetime

from intowork.core.schemas import ResponseSchema
from intowork.models.enums import NotificationType


class NotificationResponse(ResponseSchema):
    id: int
    type: NotificationType
    title: str
    message: str
    related_job_id: int | None
    related_application_id: int | None
    is_read: bool
    read_at: datetime | None
    created_at: datetime


class NotificationListResponse(ResponseSchema):
    notifications: list[NotificationResponse]
    total: int
    unread_count: int


class UnreadCountResponse(ResponseSchema):
    unread_count: int
