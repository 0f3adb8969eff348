"""Helpers for the company and employer API tests: callers of each role, fresh database reads."""

from typing import Any, TypeVar

from httpx import AsyncClient
from sqlalchemy import Select, delete
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer, User
from intowork.models.enums import UserRole
from tests.fixtures.factories import DEFAULT_PASSWORD, make_company, make_employer, make_user

Headers = dict[str, str]
Row = TypeVar("Row")

COMPANY_KEYS = {
    "id",
    "name",
    "description",
    "industry",
    "size",
    "website_url",
    "linkedin_url",
    "address",
    "city",
    "country",
    "logo_url",
}
COMPANY_NOT_FOUND = {"detail": "Company not found"}
AUTH_REQUIRED = {"detail": "Authentication required"}
EMPLOYER_REQUIRED = {"detail": "Employer access required"}
CANNOT_JOIN = {"detail": "You cannot join this company"}
# Malformed or out of range (API.md 1.1): 0, negative, not a number, beyond 32 bits.
BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999", str(2**31)]
# Every field of a company at its maximum length (API.md 1.1 and the column widths).
LONGEST_COMPANY = {
    "name": "n" * 100,
    "description": "d" * 20_000,
    "industry": "i" * 200,
    "size": "s" * 50,
    "website_url": "https://w.test/" + "w" * 485,
    "linkedin_url": "https://l.test/" + "l" * 485,
    "address": "a" * 200,
    "city": "c" * 100,
    "country": "k" * 100,
    "logo_url": "https://o.test/" + "o" * 485,
}
TOO_LONG_COMPANY = [(field, value + "x") for field, value in LONGEST_COMPANY.items()]
TOO_LONG_IDS = [field for field, _ in TOO_LONG_COMPANY]


async def sign_in(client: AsyncClient, user: User) -> Headers:
    response = await client.post(
        "/api/auth/signin", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def user_headers(client: AsyncClient, session: AsyncSession, role: UserRole) -> Headers:
    return await sign_in(client, await make_user(session, role=role))


async def employer_headers(
    client: AsyncClient, session: AsyncSession, *, company: Company | None = None
) -> tuple[Employer, User, Headers]:
    """A signed-in employer, in `company` or in none."""
    employer = await make_employer(session, company=company)
    user = await session.get(User, employer.user_id)
    assert user is not None
    return employer, user, await sign_in(client, user)


async def owner_of(
    client: AsyncClient, session: AsyncSession, *, name: str = "Acme", **values: Any
) -> tuple[Company, Employer, User, Headers]:
    """A company with the employer who created it and belongs to it."""
    company = await make_company(session, name=name, **values)
    employer, user, headers = await employer_headers(client, session, company=company)
    company.created_by_user_id = user.id
    await session.commit()
    return company, employer, user, headers


async def delete_employer_row(session: AsyncSession, user: User) -> None:
    await session.execute(delete(Employer).where(Employer.user_id == user.id))
    await session.commit()


async def fetch_one(session: AsyncSession, statement: Select[Row]) -> Row | None:
    """A fresh read: the API committed through its own session, ours may hold stale objects."""
    return await session.scalar(statement.execution_options(populate_existing=True))


def company_body(company: Company) -> dict[str, Any]:
    return {key: getattr(company, key) for key in COMPANY_KEYS}
