"""GET /api/admin/employers: employer rows joined with their account and company."""

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Employer, User
from intowork.models.enums import UserRole
from tests.admin.conftest import (
    BASE_TIME,
    EMPLOYER_ITEM_KEYS,
    CountStatements,
    assert_bad_pages,
    iso,
    set_created_at,
)
from tests.fixtures.actors import Actor
from tests.fixtures.factories import make_company, make_employer, make_user

URL = "/api/admin/employers"


async def dated_employer(session: AsyncSession, minutes: int, **values: Any) -> Employer:
    employer = await make_employer(session, **values)
    await set_created_at(session, Employer, employer.id, BASE_TIME + timedelta(minutes=minutes))
    return employer


async def listed(client: AsyncClient, admin: Actor, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(URL, params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


class TestShape:
    async def test_items(self, client: AsyncClient, session: AsyncSession, admin: Actor) -> None:
        company = await make_company(session, name="Analytical Engines")
        with_company = await dated_employer(session, 1, company=company)
        without = await dated_employer(session, 0)
        with_company.position = "CTO"
        with_company.phone = "+33 1 23 45 67 89"
        user = await session.get(User, with_company.user_id)
        assert user is not None
        user.is_active = False
        await session.commit()
        other = await session.get(User, without.user_id)
        assert other is not None
        assert await listed(client, admin) == [
            {
                "id": with_company.id,
                "user_id": user.id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "company_name": "Analytical Engines",
                "position": "CTO",
                "phone": "+33 1 23 45 67 89",
                "is_active": False,
                "created_at": iso(BASE_TIME + timedelta(minutes=1)),
            },
            {
                "id": without.id,
                "user_id": other.id,
                "email": other.email,
                "first_name": other.first_name,
                "last_name": other.last_name,
                "company_name": None,
                "position": None,
                "phone": None,
                "is_active": True,
                "created_at": iso(BASE_TIME),
            },
        ]

    async def test_only_employers(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        await make_user(session, role=UserRole.CANDIDATE)
        await make_user(session, role=UserRole.ADMIN)
        assert await listed(client, admin) == []
        employer = await make_employer(session)
        items = await listed(client, admin)
        assert [item["id"] for item in items] == [employer.id]
        assert set(items[0]) == EMPLOYER_ITEM_KEYS


class TestOrderingAndPages:
    async def test_newest_first_then_id_desc(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        old = await dated_employer(session, 0)
        tie_a = await dated_employer(session, 5)
        tie_b = await dated_employer(session, 5)
        new = await dated_employer(session, 10)
        ids = [new.id, tie_b.id, tie_a.id, old.id]
        assert [item["id"] for item in await listed(client, admin)] == ids
        assert [item["id"] for item in await listed(client, admin, skip=1, limit=2)] == ids[1:3]
        assert await listed(client, admin, skip=4) == []

    async def test_out_of_range(self, client: AsyncClient, admin: Actor) -> None:
        await assert_bad_pages(client, URL, admin.headers)

    async def test_one_statement_for_a_full_page(
        self,
        client: AsyncClient,
        session: AsyncSession,
        admin: Actor,
        count_statements: CountStatements,
    ) -> None:
        company = await make_company(session)
        for n in range(12):
            await make_employer(session, company=company if n % 2 else None)
        with count_statements() as log:
            response = await client.get(URL, headers=admin.headers)
        assert response.status_code == 200
        assert len(response.json()) == 12
        assert log.count <= 2, log

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        await make_employer(session)
        plain = await client.get(URL, headers=admin.headers)
        slashed = await client.get(URL + "/", headers=admin.headers)
        assert (plain.status_code, slashed.status_code) == (200, 200)
        assert slashed.json() == plain.json() != []
