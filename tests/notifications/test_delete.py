"""DELETE /api/notifications/{id} (API.md 9)."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.schemas import MAX_ID
from tests.fixtures.actors import Actor
from tests.notifications.conftest import (
    BASE_TIME,
    DELETED,
    NOT_FOUND,
    URL,
    CountStatements,
    add_many,
    add_notification,
    fetch,
    ids,
)


class TestDelete:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == DELETED
        assert await fetch(session, notification.id) is None

    async def test_read_notification(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(session, alice.user, read_at=BASE_TIME)
        response = await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        assert response.status_code == 200
        assert await fetch(session, notification.id) is None

    async def test_list_and_counts_follow(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        first, second, third = await add_many(session, alice.user, 3)
        await client.delete(f"{URL}/{second.id}", headers=alice.headers)
        body = (await client.get(URL, headers=alice.headers)).json()
        assert ids(body) == [third.id, first.id]
        assert body["total"] == 2
        assert body["unread_count"] == 2

    async def test_twice(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        notification = await add_notification(session, alice.user)
        await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        response = await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_read_after_delete(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(session, alice.user)
        await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        response = await client.put(f"{URL}/{notification.id}/read", headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_missing(self, client: AsyncClient, alice: Actor) -> None:
        response = await client.delete(f"{URL}/{MAX_ID}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_someone_elses(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, bob: Actor
    ) -> None:
        notification = await add_notification(session, bob.user)
        response = await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert await fetch(session, notification.id) is not None

    async def test_one_statement(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        count_statements: CountStatements,
    ) -> None:
        notification = await add_notification(session, alice.user)
        with count_statements() as log:
            response = await client.delete(f"{URL}/{notification.id}", headers=alice.headers)
        assert response.status_code == 200
        assert log.count <= 2, log
