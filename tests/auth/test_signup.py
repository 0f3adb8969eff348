"""POST /api/auth/signup (API.md A1, A2)."""

import asyncio

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession, Candidate, Employer, User
from tests.auth.conftest import (
    AUTH_RESPONSE_KEYS,
    AUTH_USER_KEYS,
    POLICY_CASES,
    TOKEN_PAIR_KEYS,
    URLSAFE_256_BITS,
    me,
    refresh,
    signup,
    signup_ok,
)
from tests.fixtures.factories import STRONG_PASSWORD
from tests.fixtures.reads import fetch_all, fetch_one
from tests.fixtures.settings import TEST_JWT_SECRET


class TestSignupResponse:
    async def test_auth_response_shape(self, client: AsyncClient) -> None:
        response = await signup(client, email="grace@example.com", role="employer")
        assert response.status_code == 201
        data = response.json()
        assert set(data) == AUTH_RESPONSE_KEYS
        assert data["token_type"] == "bearer"
        assert set(data["user"]) == AUTH_USER_KEYS
        assert data["user"] == {
            "id": data["user"]["id"],
            "email": "grace@example.com",
            "first_name": "Grace",
            "last_name": "Hopper",
            "role": "employer",
            "image": None,
        }

    async def test_access_token_claims(self, client: AsyncClient) -> None:
        data = await signup_ok(client)
        header = jwt.get_unverified_header(data["access_token"])
        claims = jwt.decode(data["access_token"], TEST_JWT_SECRET, algorithms=["HS256"])
        assert header["alg"] == "HS256"
        assert {"sub", "email", "role", "type", "iat", "exp", "jti"} <= set(claims)
        assert claims["sub"] == str(data["user"]["id"])
        assert claims["email"] == data["user"]["email"]
        assert claims["role"] == "candidate"
        assert claims["type"] == "access"
        assert claims["exp"] - claims["iat"] == pytest.approx(60 * 60, abs=1)

    async def test_refresh_token_is_opaque_and_long(self, client: AsyncClient) -> None:
        data = await signup_ok(client)
        assert URLSAFE_256_BITS.fullmatch(data["refresh_token"])
        assert data["refresh_token"].count(".") != 2  # not a JWT

    async def test_access_token_works_on_me(self, client: AsyncClient) -> None:
        data = await signup_ok(client)
        response = await me(client, data["access_token"])
        assert response.status_code == 200
        assert response.json()["id"] == data["user"]["id"]

    async def test_refresh_token_works(self, client: AsyncClient) -> None:
        data = await signup_ok(client)
        response = await refresh(client, data["refresh_token"])
        assert response.status_code == 200
        assert set(response.json()) == TOKEN_PAIR_KEYS


class TestSignupStorage:
    async def test_candidate_row_created(self, client: AsyncClient, session: AsyncSession) -> None:
        data = await signup_ok(client, role="candidate")
        user_id = data["user"]["id"]
        assert await fetch_one(session, select(Candidate).where(Candidate.user_id == user_id))
        assert not await fetch_one(session, select(Employer).where(Employer.user_id == user_id))

    async def test_employer_row_created_without_company(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        data = await signup_ok(client, role="employer")
        user_id = data["user"]["id"]
        employer = await fetch_one(session, select(Employer).where(Employer.user_id == user_id))
        assert employer is not None
        assert employer.company_id is None
        assert not await fetch_one(session, select(Candidate).where(Candidate.user_id == user_id))

    async def test_one_session_opened(self, client: AsyncClient, session: AsyncSession) -> None:
        data = await signup_ok(client)
        rows = await fetch_all(
            session, select(AuthSession).where(AuthSession.user_id == data["user"]["id"])
        )
        assert len(rows) == 1

    async def test_password_hashed_with_argon2id(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        data = await signup_ok(client)
        user = await fetch_one(session, select(User).where(User.id == data["user"]["id"]))
        assert user is not None
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert STRONG_PASSWORD not in user.password_hash

    async def test_names_trimmed(self, client: AsyncClient, session: AsyncSession) -> None:
        data = await signup_ok(client, first_name="  Grace ", last_name="\tHopper  ")
        assert (data["user"]["first_name"], data["user"]["last_name"]) == ("Grace", "Hopper")
        user = await fetch_one(session, select(User).where(User.id == data["user"]["id"]))
        assert user is not None
        assert (user.first_name, user.last_name) == ("Grace", "Hopper")


class TestSignupEmail:
    async def test_stored_lowercased(self, client: AsyncClient, session: AsyncSession) -> None:
        data = await signup_ok(client, email="Mixed.Case@Example.COM")
        assert data["user"]["email"] == "mixed.case@example.com"
        user = await fetch_one(session, select(User).where(User.id == data["user"]["id"]))
        assert user is not None
        assert user.email == "mixed.case@example.com"

    async def test_duplicate(self, client: AsyncClient) -> None:
        await signup_ok(client, email="dup@example.com")
        response = await signup(client, email="dup@example.com")
        assert response.status_code == 400
        assert response.json() == {"detail": "Email already registered"}

    async def test_duplicate_is_case_insensitive(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await signup_ok(client, email="dup@example.com")
        response = await signup(client, email="DUP@Example.com", role="employer")
        assert response.status_code == 400
        assert response.json() == {"detail": "Email already registered"}
        assert len(await fetch_all(session, select(User))) == 1

    async def test_concurrent_duplicates(self, client: AsyncClient, session: AsyncSession) -> None:
        responses = await asyncio.gather(
            signup(client, email="race@example.com"), signup(client, email="RACE@example.com")
        )
        assert sorted(r.status_code for r in responses) == [201, 400]
        [refused] = [r for r in responses if r.status_code == 400]
        assert refused.json() == {"detail": "Email already registered"}
        assert len(await fetch_all(session, select(User))) == 1
        assert len(await fetch_all(session, select(Candidate))) == 1

    @pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", ""])
    async def test_invalid(self, client: AsyncClient, email: str) -> None:
        assert (await signup(client, email=email)).status_code == 422


class TestSignupRole:
    async def test_admin_refused(self, client: AsyncClient, session: AsyncSession) -> None:
        response = await signup(client, role="admin")
        assert response.status_code == 422
        assert await fetch_all(session, select(User)) == []

    @pytest.mark.parametrize("role", ["superuser", "", None])
    async def test_unknown(self, client: AsyncClient, role: str | None) -> None:
        assert (await signup(client, role=role)).status_code == 422


class TestSignupValidation:
    @pytest.mark.parametrize("field", ["first_name", "last_name"])
    async def test_name_too_long(self, client: AsyncClient, field: str) -> None:
        assert (await signup(client, **{field: "x" * 101})).status_code == 422

    @pytest.mark.parametrize("field", ["first_name", "last_name"])
    async def test_name_at_limit(self, client: AsyncClient, field: str) -> None:
        assert (await signup(client, **{field: "x" * 100})).status_code == 201

    @pytest.mark.parametrize("field", ["email", "password", "first_name", "last_name", "role"])
    async def test_missing_field(self, client: AsyncClient, field: str) -> None:
        body = {
            "email": "m@example.com",
            "password": STRONG_PASSWORD,
            "first_name": "A",
            "last_name": "B",
            "role": "candidate",
        }
        del body[field]
        assert (await client.post("/api/auth/signup", json=body)).status_code == 422


class TestSignupPasswordPolicy:
    @pytest.mark.parametrize(("password", "message"), POLICY_CASES)
    async def test_refused_in_order(
        self, client: AsyncClient, session: AsyncSession, password: str, message: str
    ) -> None:
        response = await signup(client, password=password)
        assert response.status_code == 400
        assert response.json() == {"detail": message}
        assert await fetch_all(session, select(User)) == []

    async def test_very_long_password_gets_the_policy_message(self, client: AsyncClient) -> None:
        response = await signup(client, password="Aa1!" + "b" * 2000)
        assert response.status_code == 400
        assert response.json() == {"detail": "Password must be at most 128 characters long"}

    @pytest.mark.parametrize("password", ["Aa1!" + "b" * 8, "Aa1!" + "b" * 124, "Aa1[" + "b" * 8])
    async def test_bounds_accepted(self, client: AsyncClient, password: str) -> None:
        assert (await signup(client, password=password)).status_code == 201
