"""POST, PUT and DELETE /api/candidates/profile/experiences (API.md 6, C2)."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Experience
from tests.candidates.conftest import (
    EXPERIENCE_KEYS,
    EXPERIENCE_NOT_FOUND,
    EXPERIENCES,
    add_experience,
    delete_candidate_row,
    error_locations,
    experience_body,
    fetch_candidate,
    ok,
    read_profile,
)
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_one

LONGEST = {
    "title": "t" * 200,
    "company": "c" * 200,
    "location": "l" * 200,
    "description": "d" * 20_000,
}
REQUIRED = ["title", "company", "start_date"]


async def fetch_experience(session: AsyncSession, experience_id: int) -> Experience | None:
    return await fetch_one(session, select(Experience).where(Experience.id == experience_id))


class TestCreateExperience:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        response = await client.post(EXPERIENCES, json=experience_body(), headers=me.headers)
        data = ok(response)
        assert set(data) == EXPERIENCE_KEYS
        assert data == {
            "id": data["id"],
            "title": "Backend engineer",
            "company": "Acme",
            "location": "Paris",
            "start_date": "2020-01",
            "end_date": "2022-06",
            "is_current": False,
            "description": "Built the API.",
        }
        stored = await fetch_experience(session, data["id"])
        assert stored is not None
        assert stored.candidate_id == me.candidate_id
        assert (stored.start_date, stored.end_date) == ("2020-01", "2022-06")
        assert (await read_profile(client, me))["experiences"] == [data]

    async def test_minimal(self, client: AsyncClient, me: Actor) -> None:
        body = {"title": "Engineer", "company": "Acme", "start_date": "2021-04"}
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert data == {
            "id": data["id"],
            "title": "Engineer",
            "company": "Acme",
            "location": None,
            "start_date": "2021-04",
            "end_date": None,
            "is_current": False,
            "description": None,
        }

    async def test_trimmed_blank_optionals_null(self, client: AsyncClient, me: Actor) -> None:
        body = experience_body(
            title="  Engineer ", company="\tAcme\n", location="  ", description=""
        )
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert (data["title"], data["company"]) == ("Engineer", "Acme")
        assert (data["location"], data["description"]) == (None, None)

    async def test_current_without_end(self, client: AsyncClient, me: Actor) -> None:
        body = experience_body(is_current=True, end_date=None)
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert (data["is_current"], data["end_date"]) == (True, None)

    @pytest.mark.parametrize("end_date", ["2022-06", "2019-01", "2022-06-30", ""])
    async def test_current_forces_end_date_null(
        self, client: AsyncClient, session: AsyncSession, me: Actor, end_date: str
    ) -> None:
        body = experience_body(start_date="2020-01", is_current=True, end_date=end_date)
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert (data["is_current"], data["end_date"]) == (True, None)
        stored = await fetch_experience(session, data["id"])
        assert stored is not None
        assert stored.end_date is None

    async def test_several(self, client: AsyncClient, me: Actor) -> None:
        first = ok(await client.post(EXPERIENCES, json=experience_body(), headers=me.headers))
        second = ok(await client.post(EXPERIENCES, json=experience_body(), headers=me.headers))
        assert first["id"] != second["id"]
        assert len((await read_profile(client, me))["experiences"]) == 2

    async def test_created_on_first_use(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await delete_candidate_row(session, me.user)
        data = ok(await client.post(EXPERIENCES, json=experience_body(), headers=me.headers))
        candidate = await fetch_candidate(session, me.user.id)
        stored = await fetch_experience(session, data["id"])
        assert candidate is not None
        assert stored is not None
        assert stored.candidate_id == candidate.id

    async def test_trailing_slash(self, client: AsyncClient, me: Actor) -> None:
        response = await client.post(f"{EXPERIENCES}/", json=experience_body(), headers=me.headers)
        assert ok(response)["title"] == "Backend engineer"


class TestExperienceValidation:
    @pytest.mark.parametrize("field", REQUIRED)
    async def test_required(self, client: AsyncClient, me: Actor, field: str) -> None:
        body = experience_body()
        del body[field]
        response = await client.post(EXPERIENCES, json=body, headers=me.headers)
        assert error_locations(response) == [["body", field]]

    @pytest.mark.parametrize("field", REQUIRED)
    async def test_required_not_blank(self, client: AsyncClient, me: Actor, field: str) -> None:
        for value in ["", "   ", None]:
            body = {**experience_body(), field: value}
            response = await client.post(EXPERIENCES, json=body, headers=me.headers)
            assert error_locations(response) == [["body", field]], value

    async def test_longest_accepted(self, client: AsyncClient, me: Actor) -> None:
        data = ok(
            await client.post(EXPERIENCES, json=experience_body(**LONGEST), headers=me.headers)
        )
        assert {field: data[field] for field in LONGEST} == LONGEST

    @pytest.mark.parametrize("field", list(LONGEST))
    async def test_too_long(
        self, client: AsyncClient, session: AsyncSession, me: Actor, field: str
    ) -> None:
        body = experience_body(**{field: LONGEST[field] + "x"})
        response = await client.post(EXPERIENCES, json=body, headers=me.headers)
        assert error_locations(response) == [["body", field]]
        assert (await read_profile(client, me))["experiences"] == []

    @pytest.mark.parametrize(("start", "end"), [("2020-02", "2020-01"), ("2020-01", "2019-12")])
    async def test_end_before_start(
        self, client: AsyncClient, me: Actor, start: str, end: str
    ) -> None:
        body = experience_body(start_date=start, end_date=end)
        response = await client.post(EXPERIENCES, json=body, headers=me.headers)
        assert response.status_code == 422
        assert (await read_profile(client, me))["experiences"] == []

    async def test_compared_after_truncation(self, client: AsyncClient, me: Actor) -> None:
        # Same month once truncated: not "before".
        body = experience_body(start_date="2020-01-31", end_date="2020-01-01")
        data = ok(await client.post(EXPERIENCES, json=body, headers=me.headers))
        assert (data["start_date"], data["end_date"]) == ("2020-01", "2020-01")

    async def test_is_current_boolean(self, client: AsyncClient, me: Actor) -> None:
        for value in ["maybe", 2, [True], {"x": 1}]:
            body = experience_body(is_current=value)
            response = await client.post(EXPERIENCES, json=body, headers=me.headers)
            assert error_locations(response) == [["body", "is_current"]], value


class TestUpdateExperience:
    async def test_full_replacement(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        created = ok(await client.post(EXPERIENCES, json=experience_body(), headers=me.headers))
        body = {"title": "CTO", "company": "Globex", "start_date": "2023-03-15", "is_current": True}
        response = await client.put(f"{EXPERIENCES}/{created['id']}", json=body, headers=me.headers)
        data = ok(response)
        assert data == {
            "id": created["id"],
            "title": "CTO",
            "company": "Globex",
            "location": None,
            "start_date": "2023-03",
            "end_date": None,
            "is_current": True,
            "description": None,
        }
        stored = await fetch_experience(session, created["id"])
        assert stored is not None
        assert (stored.title, stored.location, stored.description) == ("CTO", None, None)
        assert (await read_profile(client, me))["experiences"] == [data]

    async def test_ends_a_current_position(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id, is_current=True)
        body = experience_body(start_date="2020-01", end_date="2024-12", is_current=False)
        data = ok(await client.put(f"{EXPERIENCES}/{experience.id}", json=body, headers=me.headers))
        assert (data["is_current"], data["end_date"]) == (False, "2024-12")

    async def test_same_rules_as_create(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id, title="Kept")
        path = f"{EXPERIENCES}/{experience.id}"
        bad_bodies = [
            experience_body(start_date="2022-01", end_date="2021-12"),
            experience_body(start_date="2022-13"),
            experience_body(title=""),
            experience_body(company=None),
            experience_body(description="d" * 20_001),
        ]
        for body in bad_bodies:
            response = await client.put(path, json=body, headers=me.headers)
            assert response.status_code == 422, body
        stored = await fetch_experience(session, experience.id)
        assert stored is not None
        assert stored.title == "Kept"

    async def test_body_id_ignored(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id)
        body = {**experience_body(), "id": experience.id + 100, "candidate_id": 999}
        data = ok(await client.put(f"{EXPERIENCES}/{experience.id}", json=body, headers=me.headers))
        assert data["id"] == experience.id
        stored = await fetch_experience(session, experience.id)
        assert stored is not None
        assert stored.candidate_id == me.candidate_id

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_experience(session, other.candidate_id, title="Theirs")
        response = await client.put(
            f"{EXPERIENCES}/{theirs.id}", json=experience_body(), headers=me.headers
        )
        assert response.status_code == 404
        assert response.json() == EXPERIENCE_NOT_FOUND
        stored = await fetch_experience(session, theirs.id)
        assert stored is not None
        assert (stored.title, stored.candidate_id) == ("Theirs", other.candidate_id)

    async def test_missing(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(
            f"{EXPERIENCES}/424242", json=experience_body(), headers=me.headers
        )
        assert response.status_code == 404
        assert response.json() == EXPERIENCE_NOT_FOUND

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id)
        response = await client.put(
            f"{EXPERIENCES}/{experience.id}/", json=experience_body(title="New"), headers=me.headers
        )
        assert ok(response)["title"] == "New"


class TestDeleteExperience:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        gone = await add_experience(session, me.candidate_id)
        kept = await add_experience(session, me.candidate_id)
        response = await client.delete(f"{EXPERIENCES}/{gone.id}", headers=me.headers)
        assert ok(response) == {"message": "Experience deleted"}
        assert await fetch_experience(session, gone.id) is None
        assert await fetch_experience(session, kept.id) is not None
        assert [item["id"] for item in (await read_profile(client, me))["experiences"]] == [kept.id]

    async def test_twice(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        experience = await add_experience(session, me.candidate_id)
        ok(await client.delete(f"{EXPERIENCES}/{experience.id}", headers=me.headers))
        response = await client.delete(f"{EXPERIENCES}/{experience.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == EXPERIENCE_NOT_FOUND

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_experience(session, other.candidate_id)
        response = await client.delete(f"{EXPERIENCES}/{theirs.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == EXPERIENCE_NOT_FOUND
        assert await fetch_experience(session, theirs.id) is not None

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id)
        response = await client.delete(f"{EXPERIENCES}/{experience.id}/", headers=me.headers)
        assert ok(response) == {"message": "Experience deleted"}
        assert await fetch_experience(session, experience.id) is None
