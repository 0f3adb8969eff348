"""Helpers for the notifications API tests: `alice` and `bob`, stored notifications, reads."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Notification, User
from intowork.models.enums import NotificationType
from intowork.notifications.service import notify
from tests.fixtures.actors import Actor
from tests.fixtures.statements import StatementLog

URL = "/api/notifications"
NOTIFICATION_KEYS = frozenset(
    {
        "id",
        "type",
        "title",
        "message",
        "related_job_id",
        "related_application_id",
        "is_read",
        "read_at",
        "created_at",
    }
)
LIST_KEYS = frozenset({"notifications", "total", "unread_count"})
NOT_FOUND = {"detail": "Notification not found"}
AUTH_REQUIRED = {"detail": "Authentication required"}
MARKED_READ = {"message": "Notification marked as read"}
ALL_MARKED_READ = {"message": "All notifications marked as read"}
DELETED = {"message": "Notification deleted"}
# Whole seconds: the wire format is then exactly "...T09:30:00Z" on both engines.
BASE_TIME = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
MALFORMED_IDS = ["0", "-1", "abc", "99999999999"]
# The `count_statements` fixture.
CountStatements = Callable[[], AbstractContextManager[StatementLog]]


@pytest.fixture
def alice(candidate: Actor) -> Actor:
    return candidate


@pytest.fixture
def bob(other_candidate: Actor) -> Actor:
    """Another user: none of `alice`'s notifications are his."""
    return other_candidate


async def add_notification(
    session: AsyncSession,
    user: User,
    *,
    created_at: datetime | None = None,
    read_at: datetime | None = None,
    type: NotificationType = NotificationType.SYSTEM,
    title: str = "Hello",
    message: str = "Something happened",
    related_job_id: int | None = None,
    related_application_id: int | None = None,
) -> Notification:
    """Written the way the other services write them (`notify`); read when `read_at` is given."""
    notification = notify(
        session,
        user_id=user.id,
        type=type,
        title=title,
        message=message,
        related_job_id=related_job_id,
        related_application_id=related_application_id,
    )
    if created_at is not None:
        notification.created_at = created_at
    if read_at is not None:
        notification.is_read = True
        notification.read_at = read_at
    await session.commit()
    return notification


async def add_many(
    session: AsyncSession, user: User, count: int, *, read: bool = False
) -> list[Notification]:
    """`count` notifications one minute apart, oldest first."""
    notifications = []
    for n in range(count):
        created_at = BASE_TIME + timedelta(minutes=n)
        notifications.append(
            await add_notification(
                session,
                user,
                created_at=created_at,
                read_at=created_at if read else None,
                title=f"Notification {n}",
            )
        )
    return notifications


async def fetch(session: AsyncSession, notification_id: int) -> Notification | None:
    """A fresh read: the API committed through its own session, ours may hold stale objects."""
    return await session.scalar(
        select(Notification)
        .where(Notification.id == notification_id)
        .execution_options(populate_existing=True)
    )


async def set_read_at(session: AsyncSession, notification_id: int, read_at: datetime) -> None:
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(is_read=True, read_at=read_at)
    )
    await session.commit()


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["notifications"]]


def without_id_and_time(item: dict[str, Any]) -> dict[str, Any]:
    """A listed notification less what the database chose (its id and creation time)."""
    return {key: value for key, value in item.items() if key not in {"id", "created_at"}}
