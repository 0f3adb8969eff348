"""Helpers for the auth API tests: sign-up/sign-in shortcuts, reset requests, stored secrets."""

import re
import uuid
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import String, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Base, User
from tests.fixtures.actors import bearer
from tests.fixtures.factories import DEFAULT_PASSWORD, STRONG_PASSWORD
from tests.fixtures.mail import Mailbox

AUTH_USER_KEYS = {"id", "email", "first_name", "last_name", "role", "image"}
AUTH_RESPONSE_KEYS = {"access_token", "refresh_token", "token_type", "user"}
TOKEN_PAIR_KEYS = {"access_token", "refresh_token", "token_type"}
INVALID_REFRESH = {"detail": "Invalid or revoked refresh token"}
INVALID_TOKEN = {"detail": "Invalid or expired token"}
AUTH_REQUIRED = {"detail": "Authentication required"}
INACTIVE = {"detail": "Account is inactive"}
URLSAFE_256_BITS = re.compile(r"[A-Za-z0-9_-]{43,}")
# Per rule: one password failing only that rule, one failing later rules too (order decides).
POLICY_CASES = [
    ("Sh0rt!", "Password must be at least 12 characters long"),
    ("short", "Password must be at least 12 characters long"),
    ("Aa1!" + "a" * 125, "Password must be at most 128 characters long"),
    ("x" * 129, "Password must be at most 128 characters long"),
    ("lowercase-only-1", "Password must contain at least one uppercase letter"),
    ("nouppercaseatall", "Password must contain at least one uppercase letter"),
    ("UPPERCASE-ONLY-1", "Password must contain at least one lowercase letter"),
    ("NOLOWERCASEATALL", "Password must contain at least one lowercase letter"),
    ("No-Digits-Here!", "Password must contain at least one digit"),
    ("NoDigitsNoSpecials", "Password must contain at least one digit"),
    ("NoSpecials12345", "Password must contain at least one special character"),
    ("Tilde~Is~Not1Special", "Password must contain at least one special character"),
]


async def signup(client: AsyncClient, **fields: Any) -> Response:
    body = {
        "email": f"new-{uuid.uuid4().hex[:10]}@example.com",
        "password": STRONG_PASSWORD,
        "first_name": "Grace",
        "last_name": "Hopper",
        "role": "candidate",
        **fields,
    }
    return await client.post("/api/auth/signup", json=body)


async def signup_ok(client: AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await signup(client, **fields)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def signin(client: AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> Response:
    return await client.post("/api/auth/signin", json={"email": email, "password": password})


async def signin_ok(client: AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> dict:
    response = await signin(client, email, password)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def refresh(client: AsyncClient, token: str) -> Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def me(client: AsyncClient, access_token: str) -> Response:
    return await client.get("/api/auth/me", headers=bearer(access_token))


async def set_user(session: AsyncSession, user_id: int, **values: Any) -> None:
    await session.execute(update(User).where(User.id == user_id).values(**values))
    await session.commit()


@pytest.fixture
def mailbox(app: FastAPI) -> Mailbox:
    return Mailbox(app)


async def request_reset(client: AsyncClient, mailbox: Mailbox, email: str) -> str:
    """Asks for a reset link, lets the outbox deliver it, returns the token of the link received."""
    response = await client.post("/api/auth/forgot-password", json={"email": email})
    assert response.status_code == 200, response.text
    await mailbox.deliver()
    tokens = mailbox.reset_tokens(email)
    assert tokens, f"no reset link received at {email}"
    return tokens[-1]


async def columns_holding(session: AsyncSession, secret: str) -> list[str]:
    """`table.column` of every stored text that contains `secret`, in every table."""
    found = []
    for table in Base.metadata.sorted_tables:
        texts = [column for column in table.columns if isinstance(column.type, String)]
        if not texts:
            continue
        for row in await session.execute(select(*texts)):
            found += [
                f"{table.name}.{column.name}"
                for column, value in zip(texts, row, strict=True)
                if isinstance(value, str) and secret in value
            ]
    return found


def probe_router() -> APIRouter:
    """Routes that exist only in these tests, one per authentication dependency."""
    from intowork.auth.dependencies import (  # imported late: only probe tests need it
        AdminUser,
        CurrentCandidate,
        CurrentEmployer,
        CurrentUser,
    )

    router = APIRouter(prefix="/probe")

    @router.get("/any")
    async def any_user(user: CurrentUser) -> dict[str, int]:
        return {"id": user.id}

    @router.get("/candidate-only")
    async def candidate_only(user: CurrentCandidate) -> dict[str, int]:
        return {"id": user.id}

    @router.get("/employer-only")
    async def employer_only(user: CurrentEmployer) -> dict[str, int]:
        return {"id": user.id}

    @router.get("/admin-only")
    async def admin_only(user: AdminUser) -> dict[str, int]:
        return {"id": user.id}

    return router


@pytest.fixture
def probe_app(app: FastAPI) -> FastAPI:
    app.include_router(probe_router())
    return app
