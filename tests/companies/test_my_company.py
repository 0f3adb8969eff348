"""GET and PUT /api/companies/my-company (API.md 7)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.search import search_document
from intowork.models import Company, Job
from intowork.models.enums import JobStatus
from tests.companies.conftest import (
    COMPANY_KEYS,
    COMPANY_NOT_FOUND,
    LONGEST_COMPANY,
    TOO_LONG_COMPANY,
    TOO_LONG_IDS,
    company_body,
    delete_employer_row,
    employer_headers,
    owner_of,
)
from tests.fixtures.factories import make_job
from tests.fixtures.reads import fetch_one

PATH = "/api/companies/my-company"
DETAILS = {"description": "Anvils and rockets", "city": "Phoenix", "size": "11-50"}


async def stored_company(session: AsyncSession, company_id: int) -> Company:
    company = await fetch_one(session, select(Company).where(Company.id == company_id))
    assert company is not None
    return company


class TestReadMyCompany:
    async def test_ok(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_, headers = await owner_of(client, session, **DETAILS)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert set(response.json()) == COMPANY_KEYS
        assert response.json() == company_body(company)
        assert response.json()["city"] == "Phoenix"
        assert response.json()["website_url"] is None

    async def test_colleague_who_did_not_create_it(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        company, *_ = await owner_of(client, session)
        *_, headers = await employer_headers(client, session, company=company)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == company.id

    async def test_employer_of_another_company_sees_only_theirs(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await owner_of(client, session, name="Acme")
        other, *_, headers = await owner_of(client, session, name="Globex")
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert response.json() == company_body(other)

    async def test_no_company(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    async def test_created_company_but_not_in_it(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, user, headers = await employer_headers(client, session)
        company, *_ = await owner_of(client, session)
        company.created_by_user_id = user.id
        await session.commit()
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404

    async def test_no_employer_row(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        await delete_employer_row(session, user)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_, headers = await owner_of(client, session)
        response = await client.get(f"{PATH}/", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == company.id


class TestUpdateMyCompany:
    async def test_partial(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_, headers = await owner_of(client, session, **DETAILS)
        response = await client.put(PATH, json={"industry": "Retail"}, headers=headers)
        assert response.status_code == 200, response.text
        assert set(response.json()) == COMPANY_KEYS
        expected = {**company_body(company), "industry": "Retail"}
        assert response.json() == expected
        assert company_body(await stored_company(session, company.id)) == expected

    async def test_every_field(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_, headers = await owner_of(client, session, **DETAILS)
        response = await client.put(PATH, json=LONGEST_COMPANY, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"id": company.id, **LONGEST_COMPANY}
        assert company_body(await stored_company(session, company.id)) == response.json()

    async def test_empty_body_changes_nothing(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        company, *_, headers = await owner_of(client, session, **DETAILS)
        response = await client.put(PATH, json={}, headers=headers)
        assert response.status_code == 200
        assert response.json() == company_body(company)

    async def test_null_clears_an_optional_field(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        company, *_, headers = await owner_of(client, session, **DETAILS)
        response = await client.put(PATH, json={"city": None}, headers=headers)
        assert response.status_code == 200
        assert response.json()["city"] is None
        assert response.json()["description"] == "Anvils and rockets"
        assert (await stored_company(session, company.id)).city is None

    async def test_strings_trimmed(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await owner_of(client, session)
        response = await client.put(PATH, json={"name": "  Acme Corp "}, headers=headers)
        assert response.json()["name"] == "Acme Corp"

    async def test_unknown_keys_ignored(self, client: AsyncClient, session: AsyncSession) -> None:
        company, _, user, headers = await owner_of(client, session)
        body = {"id": company.id + 100, "created_by_user_id": None, "city": "Oslo", "x": 1}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == company.id
        stored = await stored_company(session, company.id)
        assert stored.city == "Oslo"
        assert stored.created_by_user_id == user.id

    async def test_colleague_may_update(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_ = await owner_of(client, session)
        *_, headers = await employer_headers(client, session, company=company)
        response = await client.put(PATH, json={"city": "Oslo"}, headers=headers)
        assert response.status_code == 200
        assert (await stored_company(session, company.id)).city == "Oslo"

    async def test_employer_of_another_company_cannot_change_it(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        acme, *_ = await owner_of(client, session, name="Acme", **DETAILS)
        globex, *_, headers = await owner_of(client, session, name="Globex")
        response = await client.put(PATH, json={"name": "Renamed"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == globex.id
        assert company_body(await stored_company(session, acme.id)) == company_body(acme)

    async def test_no_company(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await employer_headers(client, session)
        response = await client.put(PATH, json={"name": "Acme"}, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        *_, headers = await owner_of(client, session)
        response = await client.put(f"{PATH}/", json={"city": "Oslo"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["city"] == "Oslo"

    @pytest.mark.parametrize("name", ["", "   ", None, 7], ids=["empty", "blank", "null", "number"])
    async def test_bad_name(self, client: AsyncClient, session: AsyncSession, name: Any) -> None:
        company, *_, headers = await owner_of(client, session)
        response = await client.put(PATH, json={"name": name, "city": "Oslo"}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][:2] == ["body", "name"]
        stored = await stored_company(session, company.id)
        assert (stored.name, stored.city) == ("Acme", None)

    @pytest.mark.parametrize(("field", "value"), TOO_LONG_COMPANY, ids=TOO_LONG_IDS)
    async def test_too_long(
        self, client: AsyncClient, session: AsyncSession, field: str, value: str
    ) -> None:
        company, *_, headers = await owner_of(client, session)
        response = await client.put(PATH, json={field: value}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", field]
        assert company_body(await stored_company(session, company.id)) == company_body(company)


class TestRenameRefreshesSearch:
    """A job is found by full-text search under its company's current name."""

    async def test_new_name_reaches_every_job(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, employer, _, headers = await owner_of(client, session, name="Acme")
        jobs = [
            await make_job(session, employer=employer, status=status)
            for status in (JobStatus.PUBLISHED, JobStatus.DRAFT)
        ]
        _, other_employer, *_ = await owner_of(client, session, name="Globex")
        untouched = await make_job(session, employer=other_employer, search_company="globex")
        response = await client.put(PATH, json={"name": "Wayne Énterprises"}, headers=headers)
        assert response.status_code == 200
        for job in jobs:
            stored = await fetch_one(session, select(Job).where(Job.id == job.id))
            assert stored is not None
            assert stored.search_company == search_document("Wayne Énterprises")
            assert stored.search_company == "wayne enterprises"
        stored_other = await fetch_one(session, select(Job).where(Job.id == untouched.id))
        assert stored_other is not None
        assert stored_other.search_company == "globex"

    async def test_same_name_leaves_index_alone(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, employer, _, headers = await owner_of(client, session, name="Acme")
        job = await make_job(session, employer=employer, search_company="sentinel")
        response = await client.put(PATH, json={"name": "Acme", "city": "Oslo"}, headers=headers)
        assert response.status_code == 200
        stored = await fetch_one(session, select(Job).where(Job.id == job.id))
        assert stored is not None
        assert stored.search_company == "sentinel"
