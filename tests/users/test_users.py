"""/api/users: admin-only listing and lookup in the old shape; POST is gone for everyone."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from intowork.models.enums import UserRole
from tests.admin.conftest import (
    ADMIN_REQUIRED,
    AUTH_REQUIRED,
    BAD_IDS,
    BASE_TIME,
    INACTIVE,
    LEGACY_USER_KEYS,
    USER_NOT_FOUND,
    CountStatements,
    assert_bad_pages,
    inactive_admin,
    set_created_at,
)
from tests.fixtures.actors import Actor, make_actor
from tests.fixtures.factories import make_user

URL = "/api/users"
REMOVED = {"detail": "This endpoint has been removed"}


def legacy_item(user: User, **overrides: Any) -> dict[str, Any]:
    return {
        "clerk_id": None,
        "email": user.email,
        "role": user.role.value,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "id": user.id,
        "is_active": user.is_active,
        **overrides,
    }


class TestList:
    async def test_items_newest_first(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        old = await make_user(session, email="old@example.com", is_active=False)
        new = await make_user(session, role=UserRole.EMPLOYER, email="new@example.com")
        await set_created_at(session, User, old.id, BASE_TIME)
        await set_created_at(session, User, new.id, BASE_TIME + timedelta(minutes=1))
        response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert response.json() == [legacy_item(admin.user), legacy_item(new), legacy_item(old)]
        assert set(response.json()[0]) == LEGACY_USER_KEYS

    async def test_skip_and_limit(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        users = [await make_user(session) for _ in range(3)]
        for n, user in enumerate(users):
            await set_created_at(session, User, user.id, BASE_TIME - timedelta(minutes=n))
        ids = [admin.user.id, *(user.id for user in users)]
        page = await client.get(URL, params={"skip": 1, "limit": 2}, headers=admin.headers)
        assert [item["id"] for item in page.json()] == ids[1:3]
        past_end = await client.get(URL, params={"skip": 4}, headers=admin.headers)
        assert past_end.json() == []
        await assert_bad_pages(client, URL, admin.headers)

    async def test_default_limit_is_50(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        for _ in range(50):
            await make_user(session)
        response = await client.get(URL, headers=admin.headers)
        assert len(response.json()) == 50

    async def test_one_statement(
        self,
        client: AsyncClient,
        session: AsyncSession,
        admin: Actor,
        count_statements: CountStatements,
    ) -> None:
        for n in range(12):
            await make_user(session, role=list(UserRole)[n % 3])
        with count_statements() as log:
            response = await client.get(URL, headers=admin.headers)
        assert len(response.json()) == 13
        assert log.count <= 2, log

    async def test_trailing_slash(self, client: AsyncClient, admin: Actor) -> None:
        plain = await client.get(URL, headers=admin.headers)
        slashed = await client.get(URL + "/", headers=admin.headers)
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json() != []


class TestRead:
    async def test_item(self, client: AsyncClient, session: AsyncSession, admin: Actor) -> None:
        user = await make_user(session, role=UserRole.EMPLOYER, first_name="Grace")
        response = await client.get(f"{URL}/{user.id}", headers=admin.headers)
        assert response.status_code == 200
        assert response.json() == legacy_item(user)
        slashed = await client.get(f"{URL}/{user.id}/", headers=admin.headers)
        assert slashed.json() == response.json()

    async def test_unknown(self, client: AsyncClient, admin: Actor) -> None:
        response = await client.get(f"{URL}/424242", headers=admin.headers)
        assert response.status_code == 404
        assert response.json() == USER_NOT_FOUND

    async def test_malformed_ids(self, client: AsyncClient, admin: Actor) -> None:
        for user_id in BAD_IDS:
            response = await client.get(f"{URL}/{user_id}", headers=admin.headers)
            assert response.status_code == 422, user_id


class TestCreateRemoved:
    @pytest.mark.parametrize(
        "who", ["anonymous", "bad-token", "candidate", "employer", "inactive-admin", "admin"]
    )
    async def test_gone_for_everyone(
        self, client: AsyncClient, session: AsyncSession, who: str
    ) -> None:
        headers: dict[str, str] = {}
        if who == "bad-token":
            headers = {"Authorization": "Bearer not-a-jwt"}
        elif who == "inactive-admin":
            headers = (await inactive_admin(client, session)).headers
        elif who != "anonymous":
            headers = (await make_actor(client, session, UserRole(who))).headers
        before = await session.scalar(select(func.count()).select_from(User))
        body = {"clerk_id": "user_123", "email": "clerk@example.com", "role": "admin"}
        for path in (URL, URL + "/"):
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 410, response.text
            assert response.json() == REMOVED
        without_body = await client.post(URL, headers=headers)
        assert (without_body.status_code, without_body.json()) == (410, REMOVED)
        assert await session.scalar(select(func.count()).select_from(User)) == before


class TestAuthorization:
    @pytest.mark.parametrize("path", [URL, f"{URL}/1"])
    async def test_anonymous(self, client: AsyncClient, path: str) -> None:
        response = await client.get(path)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    @pytest.mark.parametrize("role", [UserRole.CANDIDATE, UserRole.EMPLOYER])
    async def test_wrong_role(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        actor = await make_actor(client, session, role)
        for path in (URL, f"{URL}/{actor.user.id}"):
            response = await client.get(path, headers=actor.headers)
            assert response.status_code == 403, path
            assert response.json() == ADMIN_REQUIRED

    async def test_inactive_admin(self, client: AsyncClient, session: AsyncSession) -> None:
        actor = await inactive_admin(client, session)
        for path in (URL, f"{URL}/{actor.user.id}"):
            response = await client.get(path, headers=actor.headers)
            assert response.status_code == 403, path
            assert response.json() == INACTIVE

    async def test_admin(self, client: AsyncClient, admin: Actor) -> None:
        for path in (URL, f"{URL}/{admin.user.id}"):
            assert (await client.get(path, headers=admin.headers)).status_code == 200, path
