"""Helpers for the company and employer API tests: callers of each role, company bodies."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer, User
from intowork.models.enums import UserRole
from tests.fixtures.actors import Headers, employer_actor, make_actor
from tests.fixtures.factories import make_company

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


async def user_headers(client: AsyncClient, session: AsyncSession, role: UserRole) -> Headers:
    return (await make_actor(client, session, role)).headers


async def employer_headers(
    client: AsyncClient, session: AsyncSession, *, company: Company | None = None
) -> tuple[Employer, User, Headers]:
    """A signed-in employer, in `company` or in none."""
    actor = await employer_actor(client, session, company)
    assert actor.employer is not None
    assert actor.user is not None
    return actor.employer, actor.user, actor.headers


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


def company_body(company: Company) -> dict[str, Any]:
    return {key: getattr(company, key) for key in COMPANY_KEYS}
