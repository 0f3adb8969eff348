"""Helpers for the admin and /api/users tests: expected bodies, bad pages, dated rows."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from intowork.models.base import Base
from intowork.models.enums import UserRole
from tests.fixtures.actors import Actor, Headers, make_actor
from tests.fixtures.statements import StatementLog

# The `count_statements` fixture.
CountStatements = Callable[[], AbstractContextManager[StatementLog]]

AUTH_REQUIRED = {"detail": "Authentication required"}
INVALID_TOKEN = {"detail": "Invalid or expired token"}
INVALID_REFRESH = {"detail": "Invalid or revoked refresh token"}
INACTIVE = {"detail": "Account is inactive"}
ADMIN_REQUIRED = {"detail": "Admin access required"}
USER_NOT_FOUND = {"detail": "User not found"}
UNAVAILABLE = {"detail": "Service temporarily unavailable"}
# Malformed or out of range (API.md 1.1): zero, negative, not a number, beyond 32 bits.
BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999", str(2**31)]
# skip >= 0, limit 1..100 (API.md 1.5); each is a 422.
BAD_PAGES: list[dict[str, Any]] = [
    {"skip": -1},
    {"skip": "x"},
    {"skip": 2**31},
    {"limit": 0},
    {"limit": 101},
    {"limit": -5},
    {"limit": "many"},
]
# Whole seconds: the wire format is then exactly "...T09:30:00Z" on both engines.
BASE_TIME = datetime(2020, 1, 12, 9, 30, tzinfo=UTC)

USER_ITEM_KEYS = frozenset(
    {"id", "email", "first_name", "last_name", "role", "is_active", "created_at"}
)
EMPLOYER_ITEM_KEYS = frozenset(
    {
        "id",
        "user_id",
        "email",
        "first_name",
        "last_name",
        "company_name",
        "position",
        "phone",
        "is_active",
        "created_at",
    }
)
JOB_ITEM_KEYS = frozenset(
    {
        "id",
        "title",
        "company_name",
        "employer_email",
        "status",
        "location",
        "applications_count",
        "created_at",
    }
)
LEGACY_USER_KEYS = frozenset(
    {"clerk_id", "email", "role", "first_name", "last_name", "id", "is_active"}
)


async def assert_bad_pages(client: AsyncClient, url: str, headers: Headers) -> None:
    for params in BAD_PAGES:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert isinstance(response.json()["detail"], list)


async def inactive_admin(client: AsyncClient, session: AsyncSession) -> Actor:
    """An admin signed in while active, then deactivated behind the API's back (token intact)."""
    actor = await make_actor(client, session, UserRole.ADMIN)
    await session.execute(update(User).where(User.id == actor.user.id).values(is_active=False))
    await session.commit()
    return actor


async def set_created_at(
    session: AsyncSession, model: type[Base], row_id: int, when: datetime
) -> None:
    table = model.__table__
    await session.execute(update(table).where(table.c.id == row_id).values(created_at=when))
    await session.commit()


def days_ago(days: float, *, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
