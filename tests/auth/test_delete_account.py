"""DELETE /api/auth/delete-account (API.md A8), for accounts without jobs."""

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, Candidate, Company, Employer, PasswordResetToken, User
from intowork.models.enums import UserRole
from tests.auth.conftest import (
    INVALID_REFRESH,
    INVALID_TOKEN,
    me,
    refresh,
    request_reset,
    signin,
    signin_ok,
)
from tests.fixtures.actors import bearer
from tests.fixtures.factories import make_company, make_employer, make_user
from tests.fixtures.mail import Mailbox
from tests.fixtures.reads import fetch_all, fetch_one


async def delete_account(client: AsyncClient, access_token: str) -> Response:
    return await client.delete("/api/auth/delete-account", headers=bearer(access_token))


class TestDeleteCandidate:
    async def test_message(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        response = await delete_account(client, tokens["access_token"])
        assert response.status_code == 200
        assert response.json() == {"message": "Account deleted successfully"}

    async def test_rows_gone(
        self, client: AsyncClient, session: AsyncSession, mailbox: Mailbox
    ) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await request_reset(client, mailbox, user.email)
        await delete_account(client, tokens["access_token"])
        assert await fetch_one(session, select(User).where(User.id == user.id)) is None
        assert await fetch_all(session, select(Candidate).where(Candidate.user_id == user.id)) == []
        assert await fetch_all(session, select(AuthSession)) == []
        assert await fetch_all(session, select(PasswordResetToken)) == []

    async def test_tokens_die(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await delete_account(client, tokens["access_token"])
        response = await me(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
        response = await refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.json() == INVALID_REFRESH
        assert (await signin(client, user.email)).status_code == 401

    async def test_twice(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        await delete_account(client, tokens["access_token"])
        assert (await delete_account(client, tokens["access_token"])).status_code == 401

    async def test_other_users_untouched(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session)
        other = await make_user(session)
        tokens = await signin_ok(client, user.email)
        other_tokens = await signin_ok(client, other.email)
        await delete_account(client, tokens["access_token"])
        assert (await me(client, other_tokens["access_token"])).status_code == 200
        assert (await refresh(client, other_tokens["refresh_token"])).status_code == 200

    async def test_email_can_be_registered_again(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        user = await make_user(session, email="ada@example.com")
        tokens = await signin_ok(client, user.email)
        await delete_account(client, tokens["access_token"])
        response = await client.post(
            "/api/auth/signup",
            json={
                "email": "ada@example.com",
                "password": "Str0ng&Secret-pass",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "role": "candidate",
            },
        )
        assert response.status_code == 201


class TestDeleteEmployer:
    async def test_company_stays(self, client: AsyncClient, session: AsyncSession) -> None:
        company = await make_company(session, name="Analytical Engines")
        employer = await make_employer(session, company=company)
        user = await fetch_one(session, select(User).where(User.id == employer.user_id))
        assert user is not None
        tokens = await signin_ok(client, user.email)
        response = await delete_account(client, tokens["access_token"])
        assert response.status_code == 200
        assert await fetch_one(session, select(User).where(User.id == user.id)) is None
        assert await fetch_one(session, select(Employer).where(Employer.id == employer.id)) is None
        kept = await fetch_one(session, select(Company).where(Company.id == company.id))
        assert kept is not None
        assert kept.name == "Analytical Engines"

    async def test_without_company(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.EMPLOYER)
        tokens = await signin_ok(client, user.email)
        assert (await delete_account(client, tokens["access_token"])).status_code == 200
        assert await fetch_all(session, select(Employer)) == []


class TestDeleteAdmin:
    async def test_admin_without_profile(self, client: AsyncClient, session: AsyncSession) -> None:
        user = await make_user(session, role=UserRole.ADMIN)
        tokens = await signin_ok(client, user.email)
        assert (await delete_account(client, tokens["access_token"])).status_code == 200
        assert await fetch_one(session, select(User).where(User.id == user.id)) is None
