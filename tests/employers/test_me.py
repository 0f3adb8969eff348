"""GET and PUT /api/employers/me (API.md 7, E1)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer, User
from intowork.models.enums import UserRole
from tests.companies.conftest import (
    AUTH_REQUIRED,
    BAD_IDS,
    CANNOT_JOIN,
    COMPANY_NOT_FOUND,
    EMPLOYER_REQUIRED,
    delete_employer_row,
    employer_headers,
    owner_of,
    user_headers,
)
from tests.fixtures.factories import make_company
from tests.fixtures.reads import fetch_one

PATH = "/api/employers/me"
PROFILE_KEYS = {
    "id",
    "user_id",
    "company_id",
    "position",
    "department",
    "phone",
    "can_create_jobs",
    "can_manage_candidates",
    "is_admin",
}
SUMMARY_KEYS = {"id", "company_id", "position", "department", "phone"}
ROUTES = [("GET", None), ("PUT", {"position": "CTO"})]


async def stored_employer(session: AsyncSession, user: User) -> Employer:
    employer = await fetch_one(session, select(Employer).where(Employer.user_id == user.id))
    assert employer is not None
    return employer


async def created_by(session: AsyncSession, user: User, name: str = "Mine") -> Company:
    company = Company(name=name, created_by_user_id=user.id)
    session.add(company)
    await session.commit()
    return company


@pytest.mark.parametrize(("method", "body"), ROUTES, ids=[method for method, _ in ROUTES])
class TestEmployerOnly:
    async def test_anonymous(
        self, client: AsyncClient, method: str, body: dict[str, Any] | None
    ) -> None:
        response = await client.request(method, PATH, json=body)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    @pytest.mark.parametrize("role", [UserRole.CANDIDATE, UserRole.ADMIN])
    async def test_other_roles(
        self,
        client: AsyncClient,
        session: AsyncSession,
        method: str,
        body: dict[str, Any] | None,
        role: UserRole,
    ) -> None:
        headers = await user_headers(client, session, role)
        response = await client.request(method, PATH, json=body, headers=headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
        assert await session.scalar(select(Employer)) is None


class TestReadProfile:
    async def test_ok(self, client: AsyncClient, session: AsyncSession) -> None:
        company, employer, user, headers = await owner_of(client, session)
        employer.position = "CTO"
        employer.phone = "+33 1 23 45 67 89"
        await session.commit()
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert set(response.json()) == PROFILE_KEYS
        assert response.json() == {
            "id": employer.id,
            "user_id": user.id,
            "company_id": company.id,
            "position": "CTO",
            "department": None,
            "phone": "+33 1 23 45 67 89",
            "can_create_jobs": True,
            "can_manage_candidates": True,
            "is_admin": False,
        }

    async def test_without_company(self, client: AsyncClient, session: AsyncSession) -> None:
        employer, _, headers = await employer_headers(client, session)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == employer.id
        assert response.json()["company_id"] is None

    async def test_created_on_first_use(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        await delete_employer_row(session, user)
        response = await client.get(PATH, headers=headers)
        assert response.status_code == 200
        stored = await stored_employer(session, user)
        assert response.json() == {
            "id": stored.id,
            "user_id": user.id,
            "company_id": None,
            "position": None,
            "department": None,
            "phone": None,
            "can_create_jobs": True,
            "can_manage_candidates": True,
            "is_admin": False,
        }
        again = await client.get(PATH, headers=headers)
        assert again.json()["id"] == stored.id

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        employer, _, headers = await employer_headers(client, session)
        response = await client.get(f"{PATH}/", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == employer.id


class TestUpdateProfile:
    async def test_ok(self, client: AsyncClient, session: AsyncSession) -> None:
        company, employer, user, headers = await owner_of(client, session)
        body = {"position": " CTO ", "department": "Engineering", "phone": "+1 555 0100"}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"message", "employer"}
        assert set(response.json()["employer"]) == SUMMARY_KEYS
        assert response.json() == {
            "message": "Employer profile updated",
            "employer": {
                "id": employer.id,
                "company_id": company.id,
                "position": "CTO",
                "department": "Engineering",
                "phone": "+1 555 0100",
            },
        }
        stored = await stored_employer(session, user)
        assert (stored.position, stored.department, stored.phone) == (
            "CTO",
            "Engineering",
            "+1 555 0100",
        )
        assert stored.company_id == company.id

    async def test_partial(self, client: AsyncClient, session: AsyncSession) -> None:
        _, employer, user, headers = await owner_of(client, session)
        employer.position = "CTO"
        employer.department = "Engineering"
        await session.commit()
        response = await client.put(PATH, json={"phone": "123"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["employer"]["position"] == "CTO"
        stored = await stored_employer(session, user)
        assert (stored.position, stored.department, stored.phone) == ("CTO", "Engineering", "123")

    async def test_null_clears_a_text_field(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, employer, user, headers = await owner_of(client, session)
        employer.position = "CTO"
        await session.commit()
        response = await client.put(PATH, json={"position": None}, headers=headers)
        assert response.status_code == 200
        assert (await stored_employer(session, user)).position is None

    @pytest.mark.parametrize("body", [{}, {"company_id": None}], ids=["omitted", "null"])
    async def test_company_left_unchanged(
        self, client: AsyncClient, session: AsyncSession, body: dict[str, Any]
    ) -> None:
        company, _, user, headers = await owner_of(client, session)
        response = await client.put(PATH, json={**body, "position": "CEO"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["employer"]["company_id"] == company.id
        stored = await stored_employer(session, user)
        assert (stored.company_id, stored.position) == (company.id, "CEO")

    async def test_employer_type_and_unknown_keys_ignored(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        _, employer, user, headers = await owner_of(client, session)
        body = {
            "employer_type": "recruiter",
            "is_admin": True,
            "can_create_jobs": False,
            "user_id": 999,
            "id": 999,
            "position": "HR",
        }
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 200
        assert response.json()["employer"]["id"] == employer.id
        stored = await stored_employer(session, user)
        assert (stored.is_admin, stored.can_create_jobs, stored.position) == (False, True, "HR")

    async def test_employer_type_any_shape_ignored(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        *_, headers = await owner_of(client, session)
        response = await client.put(PATH, json={"employer_type": {"a": [1]}}, headers=headers)
        assert response.status_code == 200

    async def test_created_on_first_use(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        await delete_employer_row(session, user)
        response = await client.put(PATH, json={"position": "CTO"}, headers=headers)
        assert response.status_code == 200
        stored = await stored_employer(session, user)
        assert response.json()["employer"]["id"] == stored.id
        assert stored.position == "CTO"

    async def test_trailing_slash(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        response = await client.put(f"{PATH}/", json={"position": "CTO"}, headers=headers)
        assert response.status_code == 200
        assert (await stored_employer(session, user)).position == "CTO"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("position", "p" * 201), ("department", "d" * 201), ("phone", "1" * 51)],
        ids=["position", "department", "phone"],
    )
    async def test_too_long(
        self, client: AsyncClient, session: AsyncSession, field: str, value: str
    ) -> None:
        _, user, headers = await employer_headers(client, session)
        response = await client.put(PATH, json={field: value}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", field]
        assert getattr(await stored_employer(session, user), field) is None

    async def test_longest_values(self, client: AsyncClient, session: AsyncSession) -> None:
        _, user, headers = await employer_headers(client, session)
        body = {"position": "p" * 200, "department": "d" * 200, "phone": "1" * 50}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 200, response.text
        stored = await stored_employer(session, user)
        assert (stored.position, stored.department, stored.phone) == tuple(body.values())


class TestJoinCompany:
    """E1: only a company the caller created or already belongs to."""

    async def test_company_they_created(self, client: AsyncClient, session: AsyncSession) -> None:
        employer, user, headers = await employer_headers(client, session)
        company = await created_by(session, user)
        response = await client.put(PATH, json={"company_id": company.id}, headers=headers)
        assert response.status_code == 200
        assert response.json()["employer"] == {
            "id": employer.id,
            "company_id": company.id,
            "position": None,
            "department": None,
            "phone": None,
        }
        assert (await stored_employer(session, user)).company_id == company.id
        mine = await client.get("/api/companies/my-company", headers=headers)
        assert mine.json()["id"] == company.id

    async def test_back_to_a_company_they_created(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        current, _, user, headers = await owner_of(client, session, name="Current")
        company = await created_by(session, user, name="Earlier")
        response = await client.put(PATH, json={"company_id": company.id}, headers=headers)
        assert response.status_code == 200
        assert response.json()["employer"]["company_id"] == company.id
        assert current.id != company.id

    async def test_company_they_belong_to(self, client: AsyncClient, session: AsyncSession) -> None:
        company, *_ = await owner_of(client, session)
        _, user, headers = await employer_headers(client, session, company=company)
        body = {"company_id": company.id, "position": "Recruiter"}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 200
        stored = await stored_employer(session, user)
        assert (stored.company_id, stored.position) == (company.id, "Recruiter")

    async def test_takeover_without_company(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        """The old server's hole: any employer could attach itself to any company."""
        victim, *_ = await owner_of(client, session, name="Victim")
        _, user, headers = await employer_headers(client, session)
        body = {"company_id": victim.id, "position": "Spy"}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 403
        assert response.json() == CANNOT_JOIN
        stored = await stored_employer(session, user)
        assert (stored.company_id, stored.position) == (None, None)
        for path in ["/api/companies/my-company", "/api/companies/my-company/stats"]:
            assert (await client.get(path, headers=headers)).status_code == 404

    async def test_takeover_from_another_company(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        victim, *_ = await owner_of(client, session, name="Victim")
        own, _, user, headers = await owner_of(client, session, name="Own")
        response = await client.put(PATH, json={"company_id": victim.id}, headers=headers)
        assert response.status_code == 403
        assert response.json() == CANNOT_JOIN
        assert (await stored_employer(session, user)).company_id == own.id
        mine = await client.get("/api/companies/my-company", headers=headers)
        assert mine.json()["id"] == own.id

    async def test_company_created_by_nobody(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        """A company from before `created_by_user_id` (or whose creator left) can't be joined."""
        company = await make_company(session, name="Legacy")
        _, user, headers = await employer_headers(client, session)
        response = await client.put(PATH, json={"company_id": company.id}, headers=headers)
        assert response.status_code == 403
        assert (await stored_employer(session, user)).company_id is None

    async def test_unknown_company(self, client: AsyncClient, session: AsyncSession) -> None:
        company, _, user, headers = await owner_of(client, session)
        body = {"company_id": company.id + 1000, "position": "CTO"}
        response = await client.put(PATH, json=body, headers=headers)
        assert response.status_code == 404
        assert response.json() == COMPANY_NOT_FOUND
        stored = await stored_employer(session, user)
        assert (stored.company_id, stored.position) == (company.id, None)

    @pytest.mark.parametrize("company_id", [*BAD_IDS, 0, -1, 99999999999, 2**31, 1.5, [1], {}])
    async def test_bad_company_id(
        self, client: AsyncClient, session: AsyncSession, company_id: Any
    ) -> None:
        company, _, user, headers = await owner_of(client, session)
        response = await client.put(PATH, json={"company_id": company_id}, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][:2] == ["body", "company_id"]
        assert (await stored_employer(session, user)).company_id == company.id
