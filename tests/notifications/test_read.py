"""Unread count, marking one and marking all as read (API.md 9)."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.schemas import MAX_ID
from intowork.models import Notification
from tests.fixtures.actors import Actor
from tests.notifications.conftest import (
    ALL_MARKED_READ,
    BASE_TIME,
    MARKED_READ,
    NOT_FOUND,
    URL,
    CountStatements,
    add_many,
    add_notification,
    fetch,
    set_read_at,
)

UNREAD_COUNT_URL = f"{URL}/unread-count"
MARK_ALL_URL = f"{URL}/mark-all-read"


def read_url(notification_id: int | str) -> str:
    return f"{URL}/{notification_id}/read"


def assert_recent(moment: datetime | None) -> None:
    assert moment is not None
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


class TestUnreadCount:
    async def test_zero(self, client: AsyncClient, alice: Actor) -> None:
        response = await client.get(UNREAD_COUNT_URL, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"unread_count": 0}

    async def test_counts_own_unread_only(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        await add_many(session, alice.user, 3)
        await add_many(session, alice.user, 2, read=True)
        await add_many(session, bob.user, 4)
        response = await client.get(UNREAD_COUNT_URL, headers=alice.headers)
        assert response.json() == {"unread_count": 3}

    async def test_follows_reads(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        first, _second = await add_many(session, alice.user, 2)
        await client.put(read_url(first.id), headers=alice.headers)
        assert (await client.get(UNREAD_COUNT_URL, headers=alice.headers)).json() == {
            "unread_count": 1
        }
        await client.put(MARK_ALL_URL, headers=alice.headers)
        assert (await client.get(UNREAD_COUNT_URL, headers=alice.headers)).json() == {
            "unread_count": 0
        }

    async def test_one_statement(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        count_statements: CountStatements,
    ) -> None:
        await add_many(session, alice.user, 5)
        with count_statements() as log:
            response = await client.get(UNREAD_COUNT_URL, headers=alice.headers)
        assert response.status_code == 200
        assert log.count <= 2, log


class TestMarkRead:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.put(read_url(notification.id), headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == MARKED_READ
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.is_read is True
        assert_recent(stored.read_at)

    async def test_shown_in_list(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(session, alice.user)
        await client.put(read_url(notification.id), headers=alice.headers)
        body = (await client.get(URL, headers=alice.headers)).json()
        [item] = body["notifications"]
        assert item["is_read"] is True
        assert item["read_at"] is not None
        assert item["read_at"].endswith("Z")
        assert body["unread_count"] == 0

    async def test_idempotent_keeps_first_read_at(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(session, alice.user)
        assert (await client.put(read_url(notification.id), headers=alice.headers)).json() == (
            MARKED_READ
        )
        first = await fetch(session, notification.id)
        assert first is not None
        first_read_at = first.read_at
        assert_recent(first_read_at)
        second = await client.put(read_url(notification.id), headers=alice.headers)
        assert second.status_code == 200
        assert second.json() == MARKED_READ
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.is_read is True
        assert stored.read_at == first_read_at

    async def test_earlier_read_at_kept(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        # A read_at far in the past would visibly change if a repeated call rewrote it.
        notification = await add_notification(session, alice.user, created_at=BASE_TIME)
        await set_read_at(session, notification.id, BASE_TIME + timedelta(hours=1))
        response = await client.put(read_url(notification.id), headers=alice.headers)
        assert response.status_code == 200
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.read_at == BASE_TIME + timedelta(hours=1)

    async def test_others_untouched(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        target, other = await add_many(session, alice.user, 2)
        await client.put(read_url(target.id), headers=alice.headers)
        stored = await fetch(session, other.id)
        assert stored is not None
        assert stored.is_read is False
        assert stored.read_at is None

    async def test_missing(self, client: AsyncClient, alice: Actor) -> None:
        response = await client.put(read_url(MAX_ID), headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_someone_elses(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        notification = await add_notification(session, bob.user)
        response = await client.put(read_url(notification.id), headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.is_read is False
        assert stored.read_at is None

    async def test_someone_elses_already_read(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        notification = await add_notification(session, bob.user, read_at=BASE_TIME)
        response = await client.put(read_url(notification.id), headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_statement_budget(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        count_statements: CountStatements,
    ) -> None:
        notification = await add_notification(session, alice.user)
        with count_statements() as first:
            await client.put(read_url(notification.id), headers=alice.headers)
        # The user, then one conditional UPDATE.
        assert first.count <= 2, first
        with count_statements() as repeat:
            await client.put(read_url(notification.id), headers=alice.headers)
        # The UPDATE matched nothing: one existence check tells "already read" from 404.
        assert repeat.count <= 3, repeat


class TestMarkAllRead:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        created = await add_many(session, alice.user, 3)
        response = await client.put(MARK_ALL_URL, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == ALL_MARKED_READ
        for notification in created:
            stored = await fetch(session, notification.id)
            assert stored is not None
            assert stored.is_read is True
            assert_recent(stored.read_at)

    async def test_nothing_to_mark(self, client: AsyncClient, alice: Actor) -> None:
        response = await client.put(MARK_ALL_URL, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == ALL_MARKED_READ

    async def test_already_read_keep_read_at(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        earlier = BASE_TIME + timedelta(hours=2)
        read = await add_notification(session, alice.user, created_at=BASE_TIME, read_at=earlier)
        unread = await add_notification(session, alice.user)
        await client.put(MARK_ALL_URL, headers=alice.headers)
        stored_read = await fetch(session, read.id)
        stored_unread = await fetch(session, unread.id)
        assert stored_read is not None
        assert stored_unread is not None
        assert stored_read.read_at == earlier
        assert stored_unread.is_read is True
        assert_recent(stored_unread.read_at)

    async def test_only_the_callers(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        await add_many(session, alice.user, 2)
        bobs = await add_many(session, bob.user, 3)
        await client.put(MARK_ALL_URL, headers=alice.headers)
        for notification in bobs:
            stored = await fetch(session, notification.id)
            assert stored is not None
            assert stored.is_read is False
            assert stored.read_at is None
        assert (await client.get(UNREAD_COUNT_URL, headers=bob.headers)).json() == {
            "unread_count": 3
        }
        assert (await client.get(UNREAD_COUNT_URL, headers=alice.headers)).json() == {
            "unread_count": 0
        }

    async def test_twice(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        [notification] = await add_many(session, alice.user, 1)
        await client.put(MARK_ALL_URL, headers=alice.headers)
        first = await fetch(session, notification.id)
        assert first is not None
        first_read_at = first.read_at
        response = await client.put(MARK_ALL_URL, headers=alice.headers)
        assert response.status_code == 200
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.read_at == first_read_at

    @pytest.mark.parametrize("count", [0, 1, 40])
    async def test_one_bulk_update(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        count_statements: CountStatements,
        count: int,
    ) -> None:
        await add_many(session, alice.user, count)
        with count_statements() as log:
            response = await client.put(MARK_ALL_URL, headers=alice.headers)
        assert response.status_code == 200
        assert log.count <= 2, log
        assert sum(sql.startswith("UPDATE notifications") for sql in log.statements) == 1, log
        unread = await session.scalar(
            select(Notification.id)
            .where(Notification.is_read.is_(False))
            .execution_options(populate_existing=True)
        )
        assert unread is None
