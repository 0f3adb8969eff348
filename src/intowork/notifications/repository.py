"""The SQL of notifications. Every statement is scoped to its owner: others' rows do not exist."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, false, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from intowork.models import Notification


@dataclass(frozen=True, slots=True)
class NotificationPage:
    notifications: list[Notification]
    total: int
    unread_count: int


def owned_by(user_id: int) -> ColumnElement[bool]:
    return Notification.user_id == user_id


def unread() -> ColumnElement[bool]:
    return Notification.is_read == false()


async def list_page(
    session: AsyncSession, user_id: int, *, unread_only: bool, offset: int, limit: int
) -> NotificationPage:
    """A page and both counts in one statement.

    The one-row counts are LEFT JOINed to the page, so a page past the end still returns a row
    (with a NULL notification) carrying the true totals.
    """
    counts = (
        select(
            func.count().label("all_count"),
            func.count().filter(unread()).label("unread_count"),
        )
        .where(owned_by(user_id))
        .subquery("counts")
    )
    conditions = [owned_by(user_id)]
    if unread_only:
        conditions.append(unread())
    page = (
        select(Notification)
        .where(*conditions)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset)
        .limit(limit)
        .subquery("page")
    )
    item = aliased(Notification, page)
    rows = (
        await session.execute(
            select(counts.c.all_count, counts.c.unread_count, item)
            .select_from(counts)
            .outerjoin(page, true())
            .order_by(page.c.created_at.desc(), page.c.id.desc())
        )
    ).all()
    all_count, unread_count = rows[0].all_count, rows[0].unread_count
    return NotificationPage(
        notifications=[row[2] for row in rows if row[2] is not None],
        total=unread_count if unread_only else all_count,
        unread_count=unread_count,
    )


async def count_unread(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Notification).where(owned_by(user_id), unread())
    )
    return count or 0


async def mark_read(
    session: AsyncSession, user_id: int, notification_id: int, *, now: datetime
) -> bool:
    """Marks an unread notification read; false when it is missing, someone else's or read.

    Conditional on `is_read`, so `read_at` is written once, even by concurrent calls.
    """
    marked = await session.scalar(
        update(Notification)
        .where(Notification.id == notification_id, owned_by(user_id), unread())
        .values(is_read=True, read_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return marked is not None


async def mark_all_read(session: AsyncSession, user_id: int, *, now: datetime) -> int:
    """One bulk update of the owner's unread notifications; returns how many changed."""
    result = await session.execute(
        update(Notification)
        .where(owned_by(user_id), unread())
        .values(is_read=True, read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def exists_for(session: AsyncSession, user_id: int, notification_id: int) -> bool:
    return bool(
        await session.scalar(
            select(exists().where(Notification.id == notification_id, owned_by(user_id)))
        )
    )


async def delete_one(session: AsyncSession, user_id: int, notification_id: int) -> bool:
    deleted = await session.scalar(
        delete(Notification)
        .where(Notification.id == notification_id, owned_by(user_id))
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return deleted is not None
