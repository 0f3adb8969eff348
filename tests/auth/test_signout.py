"""POST /api/auth/signout and /signout-all (API.md A5)."""

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, User
from intowork.models.enums import SessionRevokedReason
from tests.auth.conftest import (
    AUTH_REQUIRED,
    INVALID_REFRESH,
    INVALID_TOKEN,
    me,
    refresh,
    signin_ok,
)
from tests.fixtures.actors import bearer
from tests.fixtures.factories import make_user
from tests.fixtures.reads import fetch_all, fetch_one


async def signout(client: AsyncClient, token: str) -> Response:
    return await client.post("/api/auth/signout", json={"refresh_token": token})


async def signout_all(client: AsyncClient, access_token: str) -> Response:
    return await client.post("/api/auth/signout-all", headers=bearer(access_token))


class TestSignout:
    async def test_no_content(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await signout(client, tokens["refresh_token"])
        assert response.status_code == 204
        assert response.content == b""

    async def test_token_dies(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await signout(client, tokens["refresh_token"])
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH
        [row] = await fetch_all(session, select(AuthSession))
        assert row.revoked_at is not None
        assert row.revoked_reason == SessionRevokedReason.SIGNOUT

    async def test_rotated_token_revokes_its_family(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token_a = (await signin_ok(client, user.email))["refresh_token"]
        token_b = (await refresh(client, token_a)).json()["refresh_token"]
        assert (await signout(client, token_a)).status_code == 204
        assert (await refresh(client, token_b)).status_code == 401

    async def test_child_token_revokes_its_family(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        token_a = (await signin_ok(client, user.email))["refresh_token"]
        token_b = (await refresh(client, token_a)).json()["refresh_token"]
        token_c = (await refresh(client, token_b)).json()["refresh_token"]
        assert (await signout(client, token_c)).status_code == 204
        assert (await refresh(client, token_c)).status_code == 401

    async def test_other_families_survive(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        first = await signin_ok(client, user.email)
        second = await signin_ok(client, user.email)
        await signout(client, first["refresh_token"])
        assert (await refresh(client, second["refresh_token"])).status_code == 200

    async def test_access_token_dies_with_its_session(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        # The access token carries its sign-in (`sid`): ending the sign-in ends it at once,
        # while another sign-in of the same user goes on.
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        other = await signin_ok(client, user.email)
        await signout(client, tokens["refresh_token"])
        response = await me(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        assert (await me(client, other["access_token"])).status_code == 200

    async def test_unknown_token(self, client: AsyncClient) -> None:
        response = await signout(client, "unknown-" + "z" * 40)
        assert response.status_code == 204
        assert response.content == b""

    async def test_twice(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        assert (await signout(client, tokens["refresh_token"])).status_code == 204
        assert (await signout(client, tokens["refresh_token"])).status_code == 204

    async def test_no_authentication_needed(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await client.post(
            "/api/auth/signout",
            json={"refresh_token": tokens["refresh_token"]},
            headers=bearer("garbage"),
        )
        assert response.status_code == 204


class TestSignoutAll:
    async def test_no_content(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await signout_all(client, tokens["access_token"])
        assert response.status_code == 204
        assert response.content == b""

    async def test_every_session_revoked(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        first = await signin_ok(client, user.email)
        second = await signin_ok(client, user.email)
        rotated = (await refresh(client, second["refresh_token"])).json()["refresh_token"]
        await signout_all(client, first["access_token"])
        for token in (first["refresh_token"], rotated):
            response = await refresh(client, token)
            assert response.status_code == 401
            assert response.json() == INVALID_REFRESH
        rows = await fetch_all(session, select(AuthSession).where(AuthSession.revoked_at.is_(None)))
        assert rows == []

    async def test_access_tokens_die(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        first = await signin_ok(client, user.email)
        second = await signin_ok(client, user.email)
        assert (await signout_all(client, first["access_token"])).status_code == 204
        for token in (first["access_token"], second["access_token"]):
            response = await me(client, token)
            assert response.status_code == 401
            assert response.json() == INVALID_TOKEN
        stored = await fetch_one(session, select(User.tokens_valid_after).where(User.id == user.id))
        assert stored is not None

    async def test_can_sign_in_again(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await signout_all(client, tokens["access_token"])
        fresh = await signin_ok(client, user.email)
        assert (await me(client, fresh["access_token"])).status_code == 200
        assert (await refresh(client, fresh["refresh_token"])).status_code == 200

    async def test_other_users_untouched(self, client: AsyncClient, session: AsyncSession) -> None:
        caller = await make_user(session)
        other = await make_user(session)
        caller_tokens = await signin_ok(client, caller.email)
        other_tokens = await signin_ok(client, other.email)
        await signout_all(client, caller_tokens["access_token"])
        assert (await me(client, other_tokens["access_token"])).status_code == 200
        assert (await refresh(client, other_tokens["refresh_token"])).status_code == 200

    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.post("/api/auth/signout-all")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["WWW-Authenticate"] == "Bearer"
