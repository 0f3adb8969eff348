"""Concurrency invariants (issue 12) of accounts: refreshes of one token, sign-ups with one
e-mail, notifications read at once (see test_concurrency_applications.py)."""

import asyncio
import hashlib
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import (
    AuthSession,
    Candidate,
    EmailOutbox,
    Employer,
    Notification,
    User,
)
from intowork.models.enums import (
    EmailTemplate,
    NotificationType,
    SessionRevokedReason,
)
from tests.fixtures.factories import (
    DEFAULT_PASSWORD,
)
from tests.fixtures.tokens import bearer_header
from tests.reliability.concurrency import (
    ALREADY_REGISTERED,
    INVALID_REFRESH,
    count,
    fresh,
    make_candidates,
)

# --- refreshes, sign-ups, notifications ------------------------------------------------------


def sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def refresh(client: AsyncClient, token: str) -> Any:
    return client.post("/api/auth/refresh", json={"refresh_token": token})


class TestRefreshOneToken:
    """API.md A4: of concurrent uses of one refresh token, one wins; a reuse revokes the family."""

    PARALLEL = 20
    ROUNDS = 3

    async def test_exactly_one_rotation(self, client: AsyncClient, session: AsyncSession) -> None:
        [user] = await make_candidates(session, 1)
        for _ in range(self.ROUNDS):
            signin = await client.post(
                "/api/auth/signin", json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
            token = signin.json()["refresh_token"]
            responses = await asyncio.gather(
                *(refresh(client, token) for _ in range(self.PARALLEL))
            )
            [won] = [r for r in responses if r.status_code == 200]
            for lost in (r for r in responses if r is not won):
                assert (lost.status_code, lost.json()) == (401, INVALID_REFRESH)

            [parent] = await fresh(
                session, select(AuthSession).where(AuthSession.token_hash == sha256_hex(token))
            )
            family = await fresh(
                session, select(AuthSession).where(AuthSession.family_id == parent.family_id)
            )
            [child] = [row for row in family if row.parent_id == parent.id]
            assert len(family) == 2
            assert parent.rotated_at is not None
            assert child.token_hash == sha256_hex(won.json()["refresh_token"])
            assert child.rotated_at is None
            # A loser that read the token after the winner's commit saw a reuse: the family,
            # the winner's new token included, is revoked. Otherwise nothing is revoked.
            reasons = {row.revoked_reason for row in family}
            assert reasons in ({None}, {SessionRevokedReason.REUSE_DETECTED})
            again = await refresh(client, won.json()["refresh_token"])
            assert again.status_code == (200 if reasons == {None} else 401)
            me = await client.get(
                "/api/auth/me", headers={"Authorization": f"Bearer {won.json()['access_token']}"}
            )
            # The access token dies with its revoked sign-in (issue 16 item 9).
            assert me.status_code == (200 if reasons == {None} else 401)


class TestSignupOneEmail:
    async def test_one_account(self, client: AsyncClient, session: AsyncSession) -> None:
        parallel = 20
        bodies = [
            {
                "email": "Race@Example.com".upper() if i % 2 else "race@example.com",
                "password": "Str0ng&Secret-pass",
                "first_name": f"First{i}",
                "last_name": "Racer",
                "role": "employer" if i % 3 else "candidate",
            }
            for i in range(parallel)
        ]
        responses = await asyncio.gather(
            *(client.post("/api/auth/signup", json=body) for body in bodies)
        )
        [created] = [r for r in responses if r.status_code == 201]
        for refused in (r for r in responses if r is not created):
            assert (refused.status_code, refused.json()) == (400, ALREADY_REGISTERED)
        [user] = await fresh(session, select(User))
        assert user.email == "race@example.com"
        assert user.id == created.json()["user"]["id"]
        profiles = await count(session, Candidate) + await count(session, Employer)
        assert profiles == 1
        assert await count(session, AuthSession) == 1
        assert await count(session, EmailOutbox, EmailOutbox.template == EmailTemplate.WELCOME) == 1


class TestNotificationsRead:
    async def test_mark_read_and_read_all_at_once(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        unread = 15
        [user] = await make_candidates(session, 1)
        headers = bearer_header(user, settings)
        session.add_all(
            Notification(user_id=user.id, type=NotificationType.SYSTEM, title=f"n{i}", message="m")
            for i in range(unread)
        )
        await session.commit()
        ids = await fresh(session, select(Notification.id).order_by(Notification.id))
        url = "/api/notifications"

        def burst() -> list[Any]:
            one_by_one = [client.put(f"{url}/{id_}/read", headers=headers) for id_ in ids * 2]
            everything = [client.put(f"{url}/mark-all-read", headers=headers) for _ in range(5)]
            return [*one_by_one[:unread], *everything, *one_by_one[unread:]]

        responses = await asyncio.gather(*burst())
        assert {r.status_code for r in responses} == {200}
        messages = {r.json()["message"] for r in responses}
        assert messages == {"Notification marked as read", "All notifications marked as read"}
        listed = (await client.get(url, headers=headers, params={"limit": 100})).json()
        assert (listed["total"], listed["unread_count"]) == (unread, 0)
        read_at = {n["id"]: n["read_at"] for n in listed["notifications"]}
        assert None not in read_at.values()
        # `read_at` is set once: a second burst changes nothing.
        await asyncio.gather(*burst())
        listed = (await client.get(url, headers=headers, params={"limit": 100})).json()
        assert {n["id"]: n["read_at"] for n in listed["notifications"]} == read_at
