"""Who may call the notifications routes, malformed ids, and the optional trailing slash."""

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from intowork.models.enums import UserRole
from tests.fixtures.actors import Actor, make_actor
from tests.notifications.conftest import (
    ALL_MARKED_READ,
    AUTH_REQUIRED,
    DELETED,
    MALFORMED_IDS,
    MARKED_READ,
    URL,
    add_many,
    add_notification,
    fetch,
    ids,
)

# (method, path); "{id}" is filled with a real notification id where one is needed.
ROUTES = [
    ("GET", URL),
    ("GET", f"{URL}/unread-count"),
    ("PUT", f"{URL}/mark-all-read"),
    ("PUT", f"{URL}/{{id}}/read"),
    ("DELETE", f"{URL}/{{id}}"),
]
ID_ROUTES = [(method, path) for method, path in ROUTES if "{id}" in path]


def route_ids(routes: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {path}" for method, path in routes]


class TestAnonymous:
    @pytest.mark.parametrize(("method", "path"), ROUTES, ids=route_ids(ROUTES))
    async def test_401(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, method: str, path: str
    ) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.request(method, path.format(id=notification.id))
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["WWW-Authenticate"] == "Bearer"
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.is_read is False

    @pytest.mark.parametrize(("method", "path"), ROUTES, ids=route_ids(ROUTES))
    async def test_invalid_token(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, method: str, path: str
    ) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.request(
            method,
            path.format(id=notification.id),
            headers={"Authorization": "Bearer not-a-token"},
        )
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token"}
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path"), ROUTES, ids=route_ids(ROUTES))
    async def test_inactive_account(
        self, client: AsyncClient, session: AsyncSession, alice: Actor, method: str, path: str
    ) -> None:
        notification = await add_notification(session, alice.user)
        await session.execute(update(User).where(User.id == alice.user.id).values(is_active=False))
        await session.commit()
        response = await client.request(
            method, path.format(id=notification.id), headers=alice.headers
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "Account is inactive"}


class TestEveryRole:
    """Candidates, employers and admins all have an inbox of their own."""

    @pytest.mark.parametrize("role", list(UserRole))
    async def test_full_cycle(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        actor = await make_actor(client, session, role)
        first, second, third = await add_many(session, actor.user, 3)

        listed = await client.get(URL, headers=actor.headers)
        assert listed.status_code == 200
        assert ids(listed.json()) == [third.id, second.id, first.id]

        count = await client.get(f"{URL}/unread-count", headers=actor.headers)
        assert count.json() == {"unread_count": 3}

        read = await client.put(f"{URL}/{first.id}/read", headers=actor.headers)
        assert (read.status_code, read.json()) == (200, MARKED_READ)

        deleted = await client.delete(f"{URL}/{second.id}", headers=actor.headers)
        assert (deleted.status_code, deleted.json()) == (200, DELETED)

        marked = await client.put(f"{URL}/mark-all-read", headers=actor.headers)
        assert (marked.status_code, marked.json()) == (200, ALL_MARKED_READ)

        body = (await client.get(URL, headers=actor.headers)).json()
        assert ids(body) == [third.id, first.id]
        assert body["total"] == 2
        assert body["unread_count"] == 0

    @pytest.mark.parametrize("role", list(UserRole))
    @pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=route_ids(ID_ROUTES))
    async def test_other_users_notification_is_404(
        self,
        client: AsyncClient,
        session: AsyncSession,
        alice: Actor,
        role: UserRole,
        method: str,
        path: str,
    ) -> None:
        intruder = await make_actor(client, session, role)
        notification = await add_notification(session, alice.user)
        response = await client.request(
            method, path.format(id=notification.id), headers=intruder.headers
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Notification not found"}
        stored = await fetch(session, notification.id)
        assert stored is not None
        assert stored.is_read is False


class TestMalformedIds:
    @pytest.mark.parametrize("bad_id", MALFORMED_IDS)
    @pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=route_ids(ID_ROUTES))
    async def test_422(
        self, client: AsyncClient, alice: Actor, method: str, path: str, bad_id: str
    ) -> None:
        response = await client.request(method, path.format(id=bad_id), headers=alice.headers)
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "notification_id"]


class TestTrailingSlash:
    async def test_list(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        await add_many(session, alice.user, 2)
        plain = await client.get(URL, params={"limit": 1}, headers=alice.headers)
        slashed = await client.get(f"{URL}/", params={"limit": 1}, headers=alice.headers)
        assert slashed.status_code == plain.status_code == 200
        assert slashed.json() == plain.json()

    async def test_anonymous_list(self, client: AsyncClient) -> None:
        response = await client.get(f"{URL}/")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_unread_count(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        await add_many(session, alice.user, 2)
        response = await client.get(f"{URL}/unread-count/", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"unread_count": 2}

    async def test_mark_all_read(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        response = await client.put(f"{URL}/mark-all-read/", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == ALL_MARKED_READ

    async def test_mark_read(
        self, client: AsyncClient, session: AsyncSession, alice: Actor
    ) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.put(f"{URL}/{notification.id}/read/", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == MARKED_READ

    async def test_delete(self, client: AsyncClient, session: AsyncSession, alice: Actor) -> None:
        notification = await add_notification(session, alice.user)
        response = await client.delete(f"{URL}/{notification.id}/", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == DELETED
