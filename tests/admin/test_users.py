"""GET /api/admin/users: shape, ordering, filters, search and skip/limit bounds."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import User
from intowork.models.enums import UserRole
from tests.admin.conftest import (
    BASE_TIME,
    USER_ITEM_KEYS,
    CountStatements,
    assert_bad_pages,
    iso,
    set_created_at,
)
from tests.fixtures.actors import Actor
from tests.fixtures.factories import make_user

URL = "/api/admin/users"


async def dated_user(session: AsyncSession, minutes: int, **values: Any) -> User:
    """A user created `minutes` after BASE_TIME (the admin caller is newer than all of them)."""
    user = await make_user(session, **values)
    await set_created_at(session, User, user.id, BASE_TIME + timedelta(minutes=minutes))
    return user


async def listed(client: AsyncClient, admin: Actor, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(URL, params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def listed_emails(client: AsyncClient, admin: Actor, **params: Any) -> list[str]:
    return [item["email"] for item in await listed(client, admin, **params)]


class TestShape:
    async def test_item(self, client: AsyncClient, session: AsyncSession, admin: Actor) -> None:
        user = await dated_user(
            session, 0, email="grace@example.com", first_name="Grace", last_name="Hopper"
        )
        items = await listed(client, admin)
        assert items[1] == {
            "id": user.id,
            "email": "grace@example.com",
            "first_name": "Grace",
            "last_name": "Hopper",
            "role": "candidate",
            "is_active": True,
            "created_at": iso(BASE_TIME),
        }
        assert set(items[0]) == USER_ITEM_KEYS
        assert items[0]["email"] == admin.user.email
        assert items[0]["role"] == "admin"

    async def test_no_secrets(self, client: AsyncClient, admin: Actor) -> None:
        response = await client.get(URL, headers=admin.headers)
        assert "password" not in response.text
        assert "tokens_valid_after" not in response.text


class TestOrdering:
    async def test_newest_first_then_id_desc(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        old = await dated_user(session, 0, email="old@example.com")
        tie_a = await dated_user(session, 5, email="tie-a@example.com")
        tie_b = await dated_user(session, 5, email="tie-b@example.com")
        new = await dated_user(session, 10, email="new@example.com")
        assert tie_a.id < tie_b.id
        ids = [item["id"] for item in await listed(client, admin)]
        assert ids == [admin.user.id, new.id, tie_b.id, tie_a.id, old.id]


class TestFilters:
    @pytest.fixture
    async def people(self, session: AsyncSession) -> None:
        await dated_user(session, 1, email="cand-on@example.com")
        await dated_user(session, 2, email="cand-off@example.com", is_active=False)
        await dated_user(session, 3, email="emp-on@example.com", role=UserRole.EMPLOYER)
        await dated_user(
            session, 4, email="emp-off@example.com", role=UserRole.EMPLOYER, is_active=False
        )
        await dated_user(
            session, 5, email="adm-off@example.com", role=UserRole.ADMIN, is_active=False
        )

    @pytest.mark.usefixtures("people")
    async def test_filters(self, client: AsyncClient, admin: Actor) -> None:
        cases: list[tuple[dict[str, str], list[str]]] = [
            ({"role": "candidate"}, ["cand-off", "cand-on"]),
            ({"role": "employer"}, ["emp-off", "emp-on"]),
            ({"role": "admin"}, ["root", "adm-off"]),
            ({"is_active": "true"}, ["root", "emp-on", "cand-on"]),
            ({"is_active": "false"}, ["adm-off", "emp-off", "cand-off"]),
            ({"role": "employer", "is_active": "false"}, ["emp-off"]),
            ({"role": "candidate", "is_active": "true", "search": "CAND"}, ["cand-on"]),
        ]
        for params, expected in cases:
            emails = await listed_emails(client, admin, **params)
            assert emails == [f"{name}@example.com" for name in expected], params

    async def test_invalid(self, client: AsyncClient, admin: Actor) -> None:
        invalid: list[dict[str, str]] = [
            {"role": "superuser"},
            {"role": "Admin"},
            {"role": ""},
            {"is_active": "maybe"},
            {"search": "s" * 201},
        ]
        for params in invalid:
            response = await client.get(URL, params=params, headers=admin.headers)
            assert response.status_code == 422, (params, response.text)
            assert isinstance(response.json()["detail"], list)


class TestSearch:
    @pytest.fixture
    async def people(self, session: AsyncSession) -> None:
        await dated_user(session, 1, email="ada@example.com", first_name="Ada", last_name="Byron")
        await dated_user(session, 2, email="x1@example.com", first_name="Grace", last_name="Adams")
        await dated_user(session, 3, email="x2@example.com", first_name="Alan", last_name="Turing")
        await dated_user(session, 4, email="under_score@example.com", first_name="U", last_name="S")
        await dated_user(session, 5, email="underxscore@example.com", first_name="U", last_name="X")
        await dated_user(session, 6, email="p1@example.com", first_name="100%", last_name="Sure")
        await dated_user(session, 7, email="p2@example.com", first_name="1000", last_name="Sure")

    @pytest.mark.usefixtures("people")
    async def test_search(self, client: AsyncClient, admin: Actor) -> None:
        cases = [
            ("ada", ["x1", "ada"]),
            ("ADA", ["x1", "ada"]),
            ("aDa@", ["ada"]),
            ("turING", ["x2"]),
            ("  grace  ", ["x1"]),
            ("r_s", ["under_score"]),
            ("_", ["under_score"]),
            ("0%", ["p1"]),
            ("%", ["p1"]),
            ("nobody", []),
        ]
        for search, expected in cases:
            emails = await listed_emails(client, admin, search=search)
            assert emails == [f"{name}@example.com" for name in expected], search

    @pytest.mark.usefixtures("people")
    async def test_blank_search_is_no_filter(self, client: AsyncClient, admin: Actor) -> None:
        for search in ("", "   "):
            assert len(await listed(client, admin, search=search)) == 8


class TestPagination:
    async def test_skip_and_limit(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        users = [await dated_user(session, -n, email=f"u{n}@example.com") for n in range(5)]
        ids = [admin.user.id, *(user.id for user in users)]
        assert [item["id"] for item in await listed(client, admin, limit=2)] == ids[:2]
        assert [item["id"] for item in await listed(client, admin, skip=2, limit=3)] == ids[2:5]
        assert [item["id"] for item in await listed(client, admin, skip=5, limit=100)] == ids[5:]
        assert await listed(client, admin, skip=6) == []
        assert await listed(client, admin, skip=2**31 - 1) == []

    async def test_default_limit_is_50(
        self, client: AsyncClient, session: AsyncSession, admin: Actor
    ) -> None:
        for _ in range(50):
            await make_user(session)
        assert len(await listed(client, admin)) == 50
        assert len(await listed(client, admin, limit=100)) == 51

    async def test_out_of_range(self, client: AsyncClient, admin: Actor) -> None:
        await assert_bad_pages(client, URL, admin.headers)


class TestStatements:
    async def test_one_statement_for_a_full_page(
        self,
        client: AsyncClient,
        session: AsyncSession,
        admin: Actor,
        count_statements: CountStatements,
    ) -> None:
        for n in range(12):
            await make_user(session, role=list(UserRole)[n % 3])
        with count_statements() as log:
            response = await client.get(
                URL, params={"search": "example", "is_active": "true"}, headers=admin.headers
            )
        assert response.status_code == 200
        assert len(response.json()) == 13
        assert log.count <= 2, log


async def test_trailing_slash(client: AsyncClient, admin: Actor) -> None:
    plain = await client.get(URL, params={"role": "admin"}, headers=admin.headers)
    slashed = await client.get(URL + "/", params={"role": "admin"}, headers=admin.headers)
    assert (plain.status_code, slashed.status_code) == (200, 200)
    assert slashed.json() == plain.json() != []
