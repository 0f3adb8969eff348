"""PUT /api/admin/users/{id}/activate: deactivation takes effect at once, everywhere."""

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, User
from intowork.models.enums import SessionRevokedReason, UserRole
from tests.admin.conftest import (
    BAD_IDS,
    INACTIVE,
    INVALID_REFRESH,
    INVALID_TOKEN,
    USER_ITEM_KEYS,
    USER_NOT_FOUND,
)
from tests.fixtures.actors import Actor, bearer, make_actor, sign_in
from tests.fixtures.factories import DEFAULT_PASSWORD, make_user
from tests.fixtures.reads import fetch_all, fetch_one

CANNOT_DEACTIVATE_SELF = {"detail": "You cannot deactivate your own account"}


def url(user_id: object) -> str:
    return f"/api/admin/users/{user_id}/activate"


async def set_active(
    client: AsyncClient, admin: Actor, user_id: object, is_active: Any
) -> Response:
    return await client.put(url(user_id), json={"is_active": is_active}, headers=admin.headers)


async def me(client: AsyncClient, access_token: str) -> Response:
    return await client.get("/api/auth/me", headers=bearer(access_token))


async def refresh(client: AsyncClient, refresh_token: str) -> Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": refresh_token})


async def stored_user(session: AsyncSession, user_id: int) -> User:
    user = await fetch_one(session, select(User).where(User.id == user_id))
    assert user is not None
    return user


class TestDeactivate:
    async def test_returns_the_user_item(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session, email="grace@example.com", first_name="Grace")
        response = await set_active(client, admin, user.id, False)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == USER_ITEM_KEYS
        assert body["id"] == user.id
        assert body["email"] == "grace@example.com"
        assert body["first_name"] == "Grace"
        assert body["role"] == "candidate"
        assert body["is_active"] is False
        assert body["created_at"].endswith("Z")
        assert not (await stored_user(session, user.id)).is_active

    async def test_access_token_dies_at_once(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        """The token predates `tokens_valid_after`: 401 (API.md 1.2), before the inactive 403."""
        victim = await make_actor(client, session, UserRole.EMPLOYER)
        assert (await me(client, victim.access_token)).status_code == 200
        assert (await set_active(client, admin, victim.user.id, False)).status_code == 200
        response = await me(client, victim.access_token)
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        assert response.headers["www-authenticate"] == "Bearer"
        assert (await stored_user(session, victim.user.id)).tokens_valid_after is not None

    async def test_refresh_tokens_die(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        victim = await make_actor(client, session)
        second_device = await sign_in(client, victim.user)
        assert (await set_active(client, admin, victim.user.id, False)).status_code == 200
        for actor in (victim, second_device):
            response = await refresh(client, actor.refresh_token)
            assert response.status_code == 401
            assert response.json() == INVALID_REFRESH
        sessions = await fetch_all(
            session, select(AuthSession).where(AuthSession.user_id == victim.user.id)
        )
        assert len(sessions) == 2
        assert all(row.revoked_at is not None for row in sessions)
        assert {row.revoked_reason for row in sessions} == {SessionRevokedReason.DEACTIVATED}

    async def test_sign_in_refused(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session)
        assert (await set_active(client, admin, user.id, False)).status_code == 200
        response = await client.post(
            "/api/auth/signin", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 403
        assert response.json() == INACTIVE

    async def test_others_untouched(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        victim = await make_actor(client, session)
        bystander = await make_actor(client, session)
        assert (await set_active(client, admin, victim.user.id, False)).status_code == 200
        assert (await me(client, bystander.access_token)).status_code == 200
        assert (await refresh(client, bystander.refresh_token)).status_code == 200
        assert (await me(client, admin.access_token)).status_code == 200

    async def test_another_admin(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        other = await make_actor(client, session, UserRole.ADMIN)
        assert (await set_active(client, admin, other.user.id, False)).status_code == 200
        response = await client.get("/api/admin/stats", headers=other.headers)
        assert response.status_code == 401

    async def test_already_inactive_is_revoked_again(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        """An account made inactive elsewhere may still hold sessions: they end too."""
        victim = await make_actor(client, session)
        victim_row = await stored_user(session, victim.user.id)
        victim_row.is_active = False
        await session.commit()
        response = await set_active(client, admin, victim.user.id, False)
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        assert (await refresh(client, victim.refresh_token)).status_code == 401
        assert (await me(client, victim.access_token)).json() == INVALID_TOKEN


class TestReactivate:
    async def test_signs_in_again(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        victim = await make_actor(client, session)
        assert (await set_active(client, admin, victim.user.id, False)).status_code == 200
        response = await set_active(client, admin, victim.user.id, True)
        assert response.status_code == 200
        assert response.json()["is_active"] is True
        assert (await stored_user(session, victim.user.id)).is_active
        # What deactivation ended stays ended; a fresh sign-in works.
        assert (await me(client, victim.access_token)).status_code == 401
        assert (await refresh(client, victim.refresh_token)).status_code == 401
        fresh = await sign_in(client, victim.user)
        assert (await me(client, fresh.access_token)).status_code == 200
        assert (await refresh(client, fresh.refresh_token)).status_code == 200

    async def test_active_user_is_a_no_op(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        victim = await make_actor(client, session)
        response = await set_active(client, admin, victim.user.id, True)
        assert response.status_code == 200
        assert response.json()["is_active"] is True
        assert (await me(client, victim.access_token)).status_code == 200
        assert (await refresh(client, victim.refresh_token)).status_code == 200


class TestSelf:
    async def test_cannot_deactivate_self(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        response = await set_active(client, admin, admin.user.id, False)
        assert response.status_code == 400
        assert response.json() == CANNOT_DEACTIVATE_SELF
        stored = await stored_user(session, admin.user.id)
        assert stored.is_active
        assert stored.tokens_valid_after is None
        assert (await me(client, admin.access_token)).status_code == 200
        assert (await refresh(client, admin.refresh_token)).status_code == 200

    async def test_activating_self_is_harmless(self, client: AsyncClient, admin: Actor) -> None:
        response = await set_active(client, admin, admin.user.id, True)
        assert response.status_code == 200
        assert response.json()["is_active"] is True
        assert (await me(client, admin.access_token)).status_code == 200


class TestInvalid:
    async def test_unknown_user(self, client: AsyncClient, admin: Actor) -> None:
        response = await set_active(client, admin, 424242, False)
        assert response.status_code == 404
        assert response.json() == USER_NOT_FOUND

    async def test_malformed_ids(self, client: AsyncClient, admin: Actor) -> None:
        for user_id in BAD_IDS:
            response = await set_active(client, admin, user_id, False)
            assert response.status_code == 422, user_id

    async def test_bad_bodies(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session)
        for body in ({}, {"is_active": None}, {"is_active": "perhaps"}, {"active": False}):
            response = await client.put(url(user.id), json=body, headers=admin.headers)
            assert response.status_code == 422, body
        assert (await stored_user(session, user.id)).is_active

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        user = await make_user(session)
        response = await client.put(
            url(user.id) + "/", json={"is_active": False}, headers=admin.headers
        )
        assert response.status_code == 200
        assert response.json()["is_active"] is False
