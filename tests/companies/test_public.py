"""GET /api/companies/{company_id}, the public company page (API.md 7)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.schemas import MAX_ID
from intowork.models.enums import JobStatus, UserRole
from tests.companies.conftest import (
    BAD_IDS,
    COMPANY_KEYS,
    COMPANY_NOT_FOUND,
    company_body,
    employer_headers,
    owner_of,
    user_headers,
)
from tests.fixtures.factories import make_company, make_job

DETAILS = {"description": "Anvils", "industry": "Tools", "logo_url": "https://acme.test/l.png"}


class TestReadCompany:
    async def test_anonymous(self, client: AsyncClient, session: AsyncSession) -> None:
        company, employer, *_ = await owner_of(client, session, **DETAILS)
        for status in [JobStatus.PUBLISHED, JobStatus.PUBLISHED, JobStatus.DRAFT, JobStatus.CLOSED]:
            await make_job(session, employer=employer, status=status)
        _, globex_owner, *_ = await owner_of(client, session, name="Globex")
        await make_job(session, employer=globex_owner)
        response = await client.get(f"/api/companies/{company.id}")
        assert response.status_code == 200
        assert set(response.json()) == COMPANY_KEYS | {"published_jobs_count"}
        assert response.json() == {**company_body(company), "published_jobs_count": 2}

    async def test_no_jobs(self, client: AsyncClient, session: AsyncSession) -> None:
        company = await make_company(session, name="Lonely")
        response = await client.get(f"/api/companies/{company.id}")
        assert response.status_code == 200
        assert response.json()["published_jobs_count"] == 0
        assert response.json()["name"] == "Lonely"

    @pytest.mark.parametrize("role", list(UserRole))
    async def test_any_role(
        self, client: AsyncClient, session: AsyncSession, role: UserRole
    ) -> None:
        company = await make_company(session, name="Acme")
        headers = await user_headers(client, session, role)
        response = await client.get(f"/api/companies/{company.id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == company.id

    async def test_employer_of_another_company(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        company, *_ = await owner_of(client, session, **DETAILS)
        await owner_of(client, session, name="Globex")
        *_, headers = await employer_headers(client, session)
        response = await client.get(f"/api/companies/{company.id}", headers=headers)
        assert response.status_code == 200
        assert response.json() == {**company_body(company), "published_jobs_count": 0}

    async def test_invalid_token_ignored(self, client: AsyncClient, session: AsyncSession) -> None:
        company = await make_company(session)
        headers = {"Authorization": "Bearer not-a-token"}
        response = await client.get(f"/api/companies/{company.id}", headers=headers)
        assert response.status_code == 200

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        company = await make_company(session)
        response = await client.get(f"/api/companies/{company.id}/")
        assert response.status_code == 200
        assert response.json()["id"] == company.id

    @pytest.mark.parametrize("company_id", [1, 12345, MAX_ID])
    async def test_not_found(
        self, client: AsyncClient, session: AsyncSession, company_id: int
    ) -> None:
        response = await client.get(f"/api/companies/{company_id}")
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    @pytest.mark.parametrize("company_id", BAD_IDS)
    async def test_bad_id(self, client: AsyncClient, company_id: Any) -> None:
        response = await client.get(f"/api/companies/{company_id}")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "company_id"]

    async def test_my_company_is_not_an_id(self, client: AsyncClient) -> None:
        """The literal route wins: anonymous gets 401, not a 422 for a malformed id."""
        response = await client.get("/api/companies/my-company")
        assert response.status_code == 401

    async def test_one_statement(
        self, client: AsyncClient, session: AsyncSession, count_statements: Any
    ) -> None:
        company, employer, *_ = await owner_of(client, session)
        await make_job(session, employer=employer)
        with count_statements() as log:
            response = await client.get(f"/api/companies/{company.id}")
        assert response.json()["published_jobs_count"] == 1
        assert log.count == 1, log
