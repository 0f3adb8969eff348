"""POST /api/auth/refresh (API.md A4): rotation, reuse detection, expiry, storage."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, User
from intowork.models.enums import SessionRevokedReason
from tests.auth.conftest import (
    INVALID_REFRESH,
    TOKEN_PAIR_KEYS,
    URLSAFE_256_BITS,
    me,
    refresh,
    set_user,
    signin_ok,
)
from tests.fixtures.factories import make_user
from tests.fixtures.mail import sha256_hex
from tests.fixtures.reads import fetch_all, fetch_one


async def signed_in(client: AsyncClient, session: AsyncSession) -> dict[str, Any]:
    user = await make_user(session)
    return await signin_ok(client, user.email)


async def session_row(session: AsyncSession, token: str) -> AuthSession:
    row = await fetch_one(
        session, select(AuthSession).where(AuthSession.token_hash == sha256_hex(token))
    )
    assert row is not None
    return row


async def expire_session(session: AsyncSession, token: str, **columns: timedelta) -> None:
    now = datetime.now(UTC)
    values = {column: now - ago for column, ago in columns.items()}
    await session.execute(
        update(AuthSession).where(AuthSession.token_hash == sha256_hex(token)).values(**values)
    )
    await session.commit()


class TestRefreshOk:
    async def test_token_pair(self, client: AsyncClient, session: AsyncSession) -> None:
        tokens = await signed_in(client, session)
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 200
        data = response.json()
        assert set(data) == TOKEN_PAIR_KEYS
        assert data["token_type"] == "bearer"
        assert data["refresh_token"] != tokens["refresh_token"]
        assert URLSAFE_256_BITS.fullmatch(data["refresh_token"])
        assert (await me(client, data["access_token"])).status_code == 200

    async def test_chain_of_rotations(self, client: AsyncClient, session: AsyncSession) -> None:
        token = (await signed_in(client, session))["refresh_token"]
        seen = {token}
        for _ in range(3):
            response = await refresh(client, token)
            assert response.status_code == 200
            token = response.json()["refresh_token"]
            assert token not in seen
            seen.add(token)

    async def test_rotation_rows(self, client: AsyncClient, session: AsyncSession) -> None:
        parent_token = (await signed_in(client, session))["refresh_token"]
        child_token = (await refresh(client, parent_token)).json()["refresh_token"]
        parent = await session_row(session, parent_token)
        child = await session_row(session, child_token)
        assert parent.rotated_at is not None
        assert parent.revoked_at is None
        assert child.parent_id == parent.id
        assert child.family_id == parent.family_id
        assert child.user_id == parent.user_id
        assert child.rotated_at is None
        assert child.revoked_at is None
        assert child.absolute_expires_at == parent.absolute_expires_at


class TestRefreshReuse:
    async def test_rotated_token_refused(self, client: AsyncClient, session: AsyncSession) -> None:
        token_a = (await signed_in(client, session))["refresh_token"]
        assert (await refresh(client, token_a)).status_code == 200
        response = await refresh(client, token_a)
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_reuse_revokes_the_family(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        token_a = (await signed_in(client, session))["refresh_token"]
        token_b = (await refresh(client, token_a)).json()["refresh_token"]
        assert (await refresh(client, token_a)).status_code == 401
        response = await refresh(client, token_b)
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH
        child = await session_row(session, token_b)
        assert child.revoked_at is not None
        assert child.revoked_reason == SessionRevokedReason.REUSE_DETECTED

    async def test_other_families_survive(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        first = (await signin_ok(client, user.email))["refresh_token"]
        second = (await signin_ok(client, user.email))["refresh_token"]
        await refresh(client, first)
        await refresh(client, first)
        assert (await refresh(client, second)).status_code == 200

    async def test_concurrent_use_one_wins(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        token = (await signed_in(client, session))["refresh_token"]
        responses = await asyncio.gather(refresh(client, token), refresh(client, token))
        assert sorted(r.status_code for r in responses) == [200, 401]
        children = await fetch_all(
            session, select(AuthSession).where(AuthSession.parent_id.is_not(None))
        )
        assert len(children) == 1


class TestRefreshRefused:
    async def test_unknown_token(self, client: AsyncClient, session: AsyncSession) -> None:
        await signed_in(client, session)
        response = await refresh(client, "x" * 43)
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_carries_www_authenticate(self, client: AsyncClient) -> None:
        response = await refresh(client, "x" * 43)
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_access_token_is_not_a_refresh_token(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        tokens = await signed_in(client, session)
        response = await refresh(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_empty_token(self, client: AsyncClient) -> None:
        response = await refresh(client, "")
        assert response.status_code in {401, 422}

    async def test_missing_token(self, client: AsyncClient) -> None:
        assert (await client.post("/api/auth/refresh", json={})).status_code == 422

    async def test_idle_expired(self, client: AsyncClient, session: AsyncSession) -> None:
        token = (await signed_in(client, session))["refresh_token"]
        await expire_session(session, token, idle_expires_at=timedelta(seconds=1))
        response = await refresh(client, token)
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_absolute_expired(self, client: AsyncClient, session: AsyncSession) -> None:
        token = (await signed_in(client, session))["refresh_token"]
        await expire_session(session, token, absolute_expires_at=timedelta(seconds=1))
        response = await refresh(client, token)
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH

    async def test_user_deactivated(self, client: AsyncClient, session: AsyncSession) -> None:
        tokens = await signed_in(client, session)
        await set_user(session, tokens["user"]["id"], is_active=False)
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH


class TestRefreshExpiryWindows:
    async def test_idle_window_from_settings(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        before = datetime.now(UTC)
        token = (await signed_in(client, session))["refresh_token"]
        row = await session_row(session, token)
        assert row.idle_expires_at - before >= timedelta(days=7) - timedelta(minutes=1)
        assert row.idle_expires_at - before <= timedelta(days=7, minutes=1)
        assert row.absolute_expires_at - before >= timedelta(days=30) - timedelta(minutes=1)
        assert row.absolute_expires_at - before <= timedelta(days=30, minutes=1)

    async def test_rotation_slides_idle_but_not_absolute(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        token = (await signed_in(client, session))["refresh_token"]
        # An old family whose idle window was about to close: rotation renews the idle window only.
        await expire_session(session, token, idle_expires_at=-timedelta(hours=1))
        parent = await session_row(session, token)
        child_token = (await refresh(client, token)).json()["refresh_token"]
        child = await session_row(session, child_token)
        assert child.idle_expires_at > parent.idle_expires_at + timedelta(days=6)
        assert child.absolute_expires_at == parent.absolute_expires_at


class TestRefreshStorage:
    async def test_only_the_hash_is_stored(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        tokens = await signed_in(client, session)
        child = (await refresh(client, tokens["refresh_token"])).json()["refresh_token"]
        rows = await fetch_all(session, select(AuthSession))
        assert {row.token_hash for row in rows} == {
            sha256_hex(tokens["refresh_token"]),
            sha256_hex(child),
        }
        for row in rows:
            stored = " ".join(str(getattr(row, c.key)) for c in AuthSession.__table__.columns)
            assert tokens["refresh_token"] not in stored
            assert child not in stored

    async def test_user_row_holds_no_token(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        tokens = await signed_in(client, session)
        user = await fetch_one(session, select(User).where(User.id == tokens["user"]["id"]))
        stored = " ".join(str(getattr(user, c.key)) for c in User.__table__.columns)
        assert tokens["refresh_token"] not in stored
