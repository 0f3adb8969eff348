"""Issue 16 item 1 and API.md M8: a deleted account's tokens never come back; ids never reused.

Tokens are also bound to their sign-in (`sid`): a sign-in ended by reuse detection ends its
access tokens at once.
"""

from datetime import UTC, datetime, timedelta

from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Candidate, Employer, User
from intowork.models.enums import UserRole
from tests.auth.conftest import INVALID_REFRESH, INVALID_TOKEN, me, refresh, signin_ok, signup_ok
from tests.fixtures.actors import bearer
from tests.fixtures.factories import default_password_hash, make_user
from tests.fixtures.reads import fetch_one
from tests.fixtures.tokens import access_token


async def delete_account(client: AsyncClient, token: str) -> None:
    response = await client.delete("/api/auth/delete-account", headers=bearer(token))
    assert response.status_code == 200, response.text


class TestDeletedAccountToken:
    async def test_next_signup_gets_a_new_id(self, client: AsyncClient) -> None:
        first = await signup_ok(client)
        await delete_account(client, first["access_token"])
        second = await signup_ok(client, role="employer")
        assert second["user"]["id"] > first["user"]["id"]

    async def test_old_token_is_not_the_next_account(self, client: AsyncClient) -> None:
        first = await signup_ok(client)
        await delete_account(client, first["access_token"])
        await signup_ok(client, role="employer")
        response = await me(client, first["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await client.post(
            "/api/companies", json={"name": "Stolen"}, headers=bearer(first["access_token"])
        )
        assert response.status_code == 401

    async def test_old_token_is_not_a_later_admin(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        first = await signup_ok(client)
        await delete_account(client, first["access_token"])
        await make_user(session, role=UserRole.ADMIN)
        response = await client.get("/api/admin/stats", headers=bearer(first["access_token"]))
        assert response.status_code == 401

    async def test_reused_id_still_refuses_old_token(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        """Even an id given again (an import, a restored backup) is not entered with an old
        token: the token predates the account."""
        first = await signup_ok(client)
        old_id = first["user"]["id"]
        await delete_account(client, first["access_token"])
        await session.execute(
            insert(User).values(
                id=old_id,
                email="successor@example.com",
                password_hash=default_password_hash(),
                first_name="Next",
                last_name="Owner",
                role=UserRole.EMPLOYER,
                created_at=datetime.now(UTC) + timedelta(seconds=2),
            )
        )
        await session.execute(insert(Employer).values(user_id=old_id))
        await session.commit()
        response = await me(client, first["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN

    async def test_token_issued_after_creation_works(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await make_user(session)
        response = await me(client, access_token(user, settings))
        assert response.status_code == 200
        assert response.json()["id"] == user.id


class TestIdsNeverReused:
    async def test_deleted_newest_row_id_not_given_again(self, session: AsyncSession) -> None:
        user = await make_user(session)
        candidate_id = await session.scalar(
            select(Candidate.id).where(Candidate.user_id == user.id)
        )
        await session.delete(user)
        await session.commit()
        again = await make_user(session)
        assert again.id > user.id
        again_candidate = await fetch_one(
            session, select(Candidate.id).where(Candidate.user_id == again.id)
        )
        assert candidate_id is not None
        assert again_candidate is not None
        assert again_candidate > candidate_id


class TestReuseDetectionEndsAccessTokens:
    async def test_family_access_tokens_die(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        rotated = (await refresh(client, tokens["refresh_token"])).json()
        reused = await refresh(client, tokens["refresh_token"])
        assert reused.status_code == 401
        assert reused.json() == INVALID_REFRESH
        for token in (tokens["access_token"], rotated["access_token"]):
            response = await me(client, token)
            assert response.status_code == 401
            assert response.json() == INVALID_TOKEN

    async def test_other_sign_ins_go_on(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        other = await signin_ok(client, user.email)
        tokens = await signin_ok(client, user.email)
        await refresh(client, tokens["refresh_token"])
        await refresh(client, tokens["refresh_token"])
        assert (await me(client, other["access_token"])).status_code == 200
