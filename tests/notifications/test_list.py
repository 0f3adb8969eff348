"""GET /api/notifications (API.md 9): shape, order, offset pagination, unread_only, one query."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models.enums import NotificationType
from intowork.notifications.router import MAX_OFFSET
from tests.fixtures.actors import Actor
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
)
from tests.notifications.conftest import (
    BASE_TIME,
    LIST_KEYS,
    NOTIFICATION_KEYS,
    URL,
    CountStatements,
    add_many,
    add_notification,
    ids,
    without_id_and_time,
)


class TestShape:
    async def test_empty(self, client: AsyncClient, alice: Actor) -> None:
        response = await client.get(URL, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"notifications": [], "total": 0, "unread_count": 0}

    async def test_exact_keys_and_values(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(
            session,
            alice.user,
            created_at=BASE_TIME,
            type=NotificationType.STATUS_CHANGE,
            title="Application update",
            message="Your application moved to interview",
        )
        response = await client.get(URL, headers=alice.headers)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == LIST_KEYS
        [item] = body["notifications"]
        assert set(item) == NOTIFICATION_KEYS
        assert item == {
            "id": notification.id,
            "type": "status_change",
            "title": "Application update",
            "message": "Your application moved to interview",
            "related_job_id": None,
            "related_application_id": None,
            "is_read": False,
            "read_at": None,
            "created_at": "2026-01-12T09:30:00Z",
        }
        assert body["total"] == 1
        assert body["unread_count"] == 1

    async def test_read_notification(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        await add_notification(
            session, alice.user, created_at=BASE_TIME, read_at=BASE_TIME + timedelta(hours=1)
        )
        body = (await client.get(URL, headers=alice.headers)).json()
        [item] = body["notifications"]
        assert item["is_read"] is True
        assert item["read_at"] == "2026-01-12T10:30:00Z"
        assert body["unread_count"] == 0

    async def test_related_ids(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer)
        application = await make_application(
            session, job=job, candidate=await make_candidate(session)
        )
        await add_notification(
            session,
            alice.user,
            type=NotificationType.NEW_APPLICATION,
            related_job_id=job.id,
            related_application_id=application.id,
        )
        [item] = (await client.get(URL, headers=alice.headers)).json()["notifications"]
        assert without_id_and_time(item) == {
            "type": "new_application",
            "title": "Hello",
            "message": "Something happened",
            "related_job_id": job.id,
            "related_application_id": application.id,
            "is_read": False,
            "read_at": None,
        }

    @pytest.mark.parametrize("kind", list(NotificationType))
    async def test_every_type(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, kind: NotificationType
    ) -> None:
        await add_notification(session, alice.user, type=kind)
        [item] = (await client.get(URL, headers=alice.headers)).json()["notifications"]
        assert without_id_and_time(item) == {
            "type": kind.value,
            "title": "Hello",
            "message": "Something happened",
            "related_job_id": None,
            "related_application_id": None,
            "is_read": False,
            "read_at": None,
        }

    async def test_own_only(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        mine = await add_notification(session, alice.user)
        await add_notification(session, bob.user)
        await add_notification(session, bob.user, read_at=BASE_TIME)
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [mine.id]
        assert body["total"] == 1
        assert body["unread_count"] == 1


class TestOrdering:
    async def test_newest_first(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        # Inserted out of time order: created_at decides, not the id.
        middle = await add_notification(session, alice.user, created_at=BASE_TIME)
        newest = await add_notification(
            session, alice.user, created_at=BASE_TIME + timedelta(days=1)
        )
        oldest = await add_notification(
            session, alice.user, created_at=BASE_TIME - timedelta(days=1)
        )
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [newest.id, middle.id, oldest.id]

    async def test_ties_by_id_desc(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        older = await add_notification(
            session, alice.user, created_at=BASE_TIME - timedelta(seconds=1)
        )
        tied = [await add_notification(session, alice.user, created_at=BASE_TIME) for _ in range(3)]
        newer = await add_notification(
            session, alice.user, created_at=BASE_TIME + timedelta(seconds=1)
        )
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [newer.id, *sorted((n.id for n in tied), reverse=True), older.id]

    async def test_ties_stable_across_pages(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        tied = [await add_notification(session, alice.user, created_at=BASE_TIME) for _ in range(5)]
        seen: list[int] = []
        for offset in (0, 2, 4):
            response = await client.get(
                URL, params={"limit": 2, "offset": offset}, headers=alice.headers
            )
            seen += ids(response.json())
        assert seen == sorted((n.id for n in tied), reverse=True)

    async def test_read_and_unread_interleaved(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        first = await add_notification(session, alice.user, created_at=BASE_TIME, read_at=BASE_TIME)
        second = await add_notification(
            session, alice.user, created_at=BASE_TIME + timedelta(minutes=1)
        )
        third = await add_notification(
            session,
            alice.user,
            created_at=BASE_TIME + timedelta(minutes=2),
            read_at=BASE_TIME + timedelta(minutes=3),
        )
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [third.id, second.id, first.id]


class TestPagination:
    async def test_default_limit_is_20(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        created = await add_many(session, alice.user, 25)
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [n.id for n in reversed(created)][:20]
        assert body["total"] == 25
        assert body["unread_count"] == 25

    async def test_limit_and_offset(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        created = await add_many(session, alice.user, 25)
        newest_first = [n.id for n in reversed(created)]
        response = await client.get(URL, params={"limit": 10, "offset": 10}, headers=alice.headers)
        assert response.status_code == 200
        assert ids(response.json()) == newest_first[10:20]
        last = (await client.get(URL, params={"offset": 20}, headers=alice.headers)).json()
        assert ids(last) == newest_first[20:]
        assert last["total"] == 25

    async def test_pages_cover_everything_once(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        created = await add_many(session, alice.user, 7)
        seen: list[int] = []
        for offset in range(0, 9, 3):
            response = await client.get(
                URL, params={"limit": 3, "offset": offset}, headers=alice.headers
            )
            seen += ids(response.json())
        assert seen == [n.id for n in reversed(created)]

    @pytest.mark.parametrize("offset", [5, 1000, MAX_OFFSET])
    async def test_past_the_end(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, offset: int
    ) -> None:
        await add_many(session, alice.user, 3)
        await add_many(session, alice.user, 2, read=True)
        response = await client.get(URL, params={"offset": offset}, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"notifications": [], "total": 5, "unread_count": 3}

    @pytest.mark.parametrize("limit", [1, 100])
    async def test_limit_bounds_accepted(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, limit: int
    ) -> None:
        await add_many(session, alice.user, 3)
        response = await client.get(URL, params={"limit": limit}, headers=alice.headers)
        assert response.status_code == 200
        assert len(response.json()["notifications"]) == min(limit, 3)

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("limit", "0"),
            ("limit", "-1"),
            ("limit", "101"),
            ("limit", "ten"),
            ("limit", "1.5"),
            ("offset", "-1"),
            ("offset", str(MAX_OFFSET + 1)),
            ("offset", "99999999999999999999999"),
            ("offset", "first"),
            ("unread_only", "maybe"),
        ],
    )
    async def test_out_of_range_is_422(
        self, client: AsyncClient, alice: Actor, name: str, value: str
    ) -> None:
        response = await client.get(URL, params={name: value}, headers=alice.headers)
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["query", name]


class TestUnreadOnly:
    async def test_filters_and_counts(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        unread = await add_many(session, alice.user, 3)
        await add_many(session, alice.user, 4, read=True)
        response = await client.get(URL, params={"unread_only": "true"}, headers=alice.headers)
        assert response.status_code == 200
        body = response.json()
        assert ids(body) == [n.id for n in reversed(unread)]
        assert all(item["is_read"] is False for item in body["notifications"])
        assert body["total"] == 3
        assert body["unread_count"] == 3

    async def test_false_lists_everything(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        await add_many(session, alice.user, 3)
        await add_many(session, alice.user, 4, read=True)
        body = (
            await client.get(URL, params={"unread_only": "false"}, headers=alice.headers)
        ).json()
        assert len(body["notifications"]) == 7
        assert body["total"] == 7
        assert body["unread_count"] == 3

    async def test_paginated_total_honours_filter(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        unread = await add_many(session, alice.user, 5)
        await add_many(session, alice.user, 5, read=True)
        body = (
            await client.get(
                URL,
                params={"unread_only": "true", "limit": 2, "offset": 2},
                headers=alice.headers,
            )
        ).json()
        assert ids(body) == [n.id for n in reversed(unread)][2:4]
        assert body["total"] == 5
        assert body["unread_count"] == 5

    async def test_nothing_unread(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        await add_many(session, alice.user, 2, read=True)
        response = await client.get(URL, params={"unread_only": "1"}, headers=alice.headers)
        assert response.json() == {"notifications": [], "total": 0, "unread_count": 0}


class TestStatementBudget:
    """One statement for the page and both counts, plus the current-user lookup."""

    BUDGET = 2

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"unread_only": "true"},
            {"limit": 100},
            {"offset": 1000},
            {"unread_only": "true", "offset": 1000},
        ],
    )
    async def test_list(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        count_statements: CountStatements,
        params: dict[str, Any],
    ) -> None:
        await add_many(session, alice.user, 30)
        await add_many(session, alice.user, 30, read=True)
        with count_statements() as log:
            response = await client.get(URL, params=params, headers=alice.headers)
        assert response.status_code == 200
        assert log.count <= self.BUDGET, log

    async def test_empty_inbox(
        self, client: AsyncClient, alice: Actor, count_statements: CountStatements
    ) -> None:
        with count_statements() as log:
            response = await client.get(URL, headers=alice.headers)
        assert response.status_code == 200
        assert log.count <= self.BUDGET, log
