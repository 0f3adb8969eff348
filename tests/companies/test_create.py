"""POST /api/companies (API.md 7)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer
from tests.companies.conftest import (
    COMPANY_KEYS,
    LONGEST_COMPANY,
    TOO_LONG_COMPANY,
    TOO_LONG_IDS,
    delete_employer_row,
    employer_headers,
    owner_of,
)
from tests.fixtures.factories import make_company
from tests.fixtures.reads import fetch_one

FULL_BODY = {
    "name": "Acme",
    "description": "We make everything.",
    "industry": "Manufacturing",
    "size": "11-50",
    "website_url": "https://acme.test",
    "linkedin_url": "https://linkedin.com/company/acme",
    "address": "1 Road Runner Way",
    "city": "Phoenix",
    "country": "USA",
    "logo_url": "https://acme.test/logo.png",
}


def select_company(company_id: int) -> Select[Company]:
    return select(Company).where(Company.id == company_id)


async def company_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Company)) or 0)


class TestCreateCompany:
    async def test_ok(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        response = await client.post("/api/companies", json=FULL_BODY, headers=headers)
        assert response.status_code == 201, response.text
        data = response.json()
        assert set(data) == COMPANY_KEYS
        assert data == {"id": data["id"], **FULL_BODY}
        company = await fetch_one(session, select(Company).where(Company.id == data["id"]))
        assert company is not None
        assert company.created_by_user_id == user.id
        assert company.name == "Acme"

    async def test_links_a_caller_without_company(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        employer, _, headers = await employer_headers(client, session)
        response = await client.post("/api/companies", json={"name": "Acme"}, headers=headers)
        assert response.status_code == 201
        stored = await fetch_one(session, select(Employer).where(Employer.id == employer.id))
        assert stored is not None
        assert stored.company_id == response.json()["id"]
        mine = await client.get("/api/companies/my-company", headers=headers)
        assert mine.json()["id"] == response.json()["id"]

    async def test_caller_with_company_is_not_relinked(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        company, employer, user, headers = await owner_of(client, session, name="First")
        response = await client.post("/api/companies", json={"name": "Second"}, headers=headers)
        assert response.status_code == 201
        second = await fetch_one(session, select_company(response.json()["id"]))
        assert second is not None
        assert second.name == "Second"
        assert second.created_by_user_id == user.id
        stored = await fetch_one(session, select(Employer).where(Employer.id == employer.id))
        assert stored is not None
        assert stored.company_id == company.id
        mine = await client.get("/api/companies/my-company", headers=headers)
        assert mine.json()["name"] == "First"

    async def test_creator_may_join_it_later(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        *_, headers = await owner_of(client, session, name="Mine")
        created = await client.post("/api/companies", json={"name": "Second"}, headers=headers)
        response = await client.put(
            "/api/employers/me", json={"company_id": created.json()["id"]}, headers=headers
        )
        assert response.status_code == 200
        assert response.json()["employer"]["company_id"] == created.json()["id"]

    async def test_missing_employer_row_is_created_and_linked(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, user, headers = await employer_headers(client, session)
        await delete_employer_row(session, user)
        response = await client.post("/api/companies", json={"name": "Acme"}, headers=headers)
        assert response.status_code == 201
        stored = await fetch_one(session, select(Employer).where(Employer.user_id == user.id))
        assert stored is not None
        assert stored.company_id == response.json()["id"]

    async def test_only_name_required(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.post("/api/companies", json={"name": "Acme"}, headers=headers)
        assert response.status_code == 201
        data = response.json()
        assert data["name"] == "Acme"
        assert all(data[key] is None for key in COMPANY_KEYS - {"id", "name"})

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.post("/api/companies/", json={"name": "Acme"}, headers=headers)
        assert response.status_code == 201
        assert response.json()["name"] == "Acme"

    async def test_strings_trimmed(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        body = {"name": "  Acme  ", "city": "\tPhoenix \n"}
        response = await client.post("/api/companies", json=body, headers=headers)
        assert response.status_code == 201
        assert response.json()["name"] == "Acme"
        assert response.json()["city"] == "Phoenix"

    async def test_unknown_keys_ignored(self, client: AsyncClient, session: AsyncSession) -> None:
        other = await make_company(session, name="Other")
        _, user, headers = await employer_headers(client, session)
        body = {"name": "Acme", "id": other.id, "created_by_user_id": 12345, "colour": "red"}
        response = await client.post("/api/companies", json=body, headers=headers)
        assert response.status_code == 201
        assert response.json()["id"] != other.id
        assert "colour" not in response.json()
        company = await fetch_one(session, select_company(response.json()["id"]))
        assert company is not None
        assert company.created_by_user_id == user.id

    async def test_longest_values(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.post("/api/companies", json=LONGEST_COMPANY, headers=headers)
        assert response.status_code == 201, response.text
        assert response.json() == {"id": response.json()["id"], **LONGEST_COMPANY}

    @pytest.mark.parametrize(("field", "value"), TOO_LONG_COMPANY, ids=TOO_LONG_IDS)
    async def test_too_long(
        self, client: AsyncClient, session: AsyncSession, field: str, value: str
    ) -> None:
        *_, headers = await employer_headers(client, session)
        body = {"name": "Acme", field: value}
        response = await client.post("/api/companies", json=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", field]
        assert await company_count(session) == 0

    @pytest.mark.parametrize(
        "body",
        [{}, {"name": ""}, {"name": "   "}, {"name": None}, {"name": 42}, {"city": "Phoenix"}],
        ids=["missing", "empty", "blank", "null", "number", "no-name"],
    )
    async def test_bad_name(
        self, client: AsyncClient, session: AsyncSession, body: dict[str, Any]
    ) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.post("/api/companies", json=body, headers=headers)
        assert response.status_code == 422
        assert await company_count(session) == 0

    async def test_not_json(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        headers["Content-Type"] = "text/plain"
        response = await client.post("/api/companies", content=b"name=Acme", headers=headers)
        assert response.status_code == 422
