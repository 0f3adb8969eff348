"""POST, PUT and DELETE /api/candidates/profile/education (API.md 6, C2)."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Education
from tests.candidates.conftest import (
    EDUCATION,
    EDUCATION_KEYS,
    EDUCATION_NOT_FOUND,
    add_education,
    delete_candidate_row,
    education_body,
    error_locations,
    fetch_candidate,
    ok,
    read_profile,
)
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_one

LONGEST = {
    "degree": "d" * 200,
    "school": "s" * 200,
    "field_of_study": "f" * 200,
    "location": "l" * 200,
    "description": "x" * 20_000,
}
REQUIRED = ["degree", "school", "start_date"]


async def fetch_education(session: AsyncSession, education_id: int) -> Education | None:
    return await fetch_one(session, select(Education).where(Education.id == education_id))


class TestCreateEducation:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        data = ok(await client.post(EDUCATION, json=education_body(), headers=me.headers))
        assert set(data) == EDUCATION_KEYS
        assert data == {
            "id": data["id"],
            "degree": "MSc Computer Science",
            "school": "Sorbonne",
            "institution": "Sorbonne",
            "field_of_study": None,
            "location": "Paris",
            "start_date": "2015-09",
            "end_date": "2017-06",
            "is_current": False,
            "description": "Databases and compilers.",
        }
        stored = await fetch_education(session, data["id"])
        assert stored is not None
        assert stored.candidate_id == me.candidate_id
        assert (await read_profile(client, me))["educations"] == [data]

    async def test_minimal(self, client: AsyncClient, me: Actor) -> None:
        body = {"degree": "BSc", "school": "EPFL", "start_date": "2010-09", "end_date": "2013-06"}
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["location"], data["description"]) == (None, None)

    async def test_trimmed_blank_optionals_null(self, client: AsyncClient, me: Actor) -> None:
        body = education_body(degree=" BSc ", school="\nEPFL", location=" ", description="")
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["degree"], data["school"]) == ("BSc", "EPFL")
        assert (data["location"], data["description"]) == (None, None)

    async def test_same_start_and_end(self, client: AsyncClient, me: Actor) -> None:
        body = education_body(start_date="2019-09", end_date="2019-09-30")
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["start_date"], data["end_date"]) == ("2019-09", "2019-09")

    async def test_created_on_first_use(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await delete_candidate_row(session, me.user)
        data = ok(await client.post(EDUCATION, json=education_body(), headers=me.headers))
        candidate = await fetch_candidate(session, me.user.id)
        stored = await fetch_education(session, data["id"])
        assert candidate is not None
        assert stored is not None
        assert stored.candidate_id == candidate.id

    async def test_trailing_slash(self, client: AsyncClient, me: Actor) -> None:
        response = await client.post(f"{EDUCATION}/", json=education_body(), headers=me.headers)
        assert ok(response)["degree"] == "MSc Computer Science"


class TestEducationValidation:
    @pytest.mark.parametrize("field", REQUIRED)
    async def test_required(self, client: AsyncClient, me: Actor, field: str) -> None:
        body = education_body()
        del body[field]
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert error_locations(response) == [["body", field]]

    @pytest.mark.parametrize("field", REQUIRED)
    async def test_required_not_blank(self, client: AsyncClient, me: Actor, field: str) -> None:
        for value in ["", "   ", None]:
            body = {**education_body(), field: value}
            response = await client.post(EDUCATION, json=body, headers=me.headers)
            assert error_locations(response) == [["body", field]], value

    async def test_longest_accepted(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await client.post(EDUCATION, json=education_body(**LONGEST), headers=me.headers))
        assert {field: data[field] for field in LONGEST} == LONGEST

    @pytest.mark.parametrize("field", list(LONGEST))
    async def test_too_long(self, client: AsyncClient, me: Actor, field: str) -> None:
        body = education_body(**{field: LONGEST[field] + "x"})
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert error_locations(response) == [["body", field]]
        assert (await read_profile(client, me))["educations"] == []

    async def test_end_before_start(self, client: AsyncClient, me: Actor) -> None:
        body = education_body(start_date="2018-09", end_date="2018-08-31")
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert response.status_code == 422
        assert (await read_profile(client, me))["educations"] == []


class TestUpdateEducation:
    async def test_full_replacement(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        created = ok(await client.post(EDUCATION, json=education_body(), headers=me.headers))
        body = {"degree": "PhD", "school": "ETH", "start_date": "2018-01", "end_date": "2021-12-20"}
        response = await client.put(f"{EDUCATION}/{created['id']}", json=body, headers=me.headers)
        data = ok(response)
        assert data == {
            "id": created["id"],
            "degree": "PhD",
            "school": "ETH",
            "institution": "ETH",
            "field_of_study": None,
            "location": None,
            "start_date": "2018-01",
            "end_date": "2021-12",
            "is_current": False,
            "description": None,
        }
        stored = await fetch_education(session, created["id"])
        assert stored is not None
        assert (stored.degree, stored.end_date, stored.location) == ("PhD", "2021-12", None)

    async def test_same_rules_as_create(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        education = await add_education(session, me.candidate_id, degree="Kept")
        path = f"{EDUCATION}/{education.id}"
        bad_bodies = [
            education_body(start_date="2020-01", end_date="2019-12"),
            education_body(start_date="2020-1"),
            education_body(field_of_study="f" * 201),
            education_body(school="s" * 201),
        ]
        for body in bad_bodies:
            response = await client.put(path, json=body, headers=me.headers)
            assert response.status_code == 422, body
        stored = await fetch_education(session, education.id)
        assert stored is not None
        assert stored.degree == "Kept"

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_education(session, other.candidate_id, degree="Theirs")
        response = await client.put(
            f"{EDUCATION}/{theirs.id}", json=education_body(), headers=me.headers
        )
        assert response.status_code == 404
        assert response.json() == EDUCATION_NOT_FOUND
        stored = await fetch_education(session, theirs.id)
        assert stored is not None
        assert stored.degree == "Theirs"

    async def test_missing(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(
            f"{EDUCATION}/424242", json=education_body(), headers=me.headers
        )
        assert response.status_code == 404
        assert response.json() == EDUCATION_NOT_FOUND

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        education = await add_education(session, me.candidate_id)
        response = await client.put(
            f"{EDUCATION}/{education.id}/", json=education_body(degree="New"), headers=me.headers
        )
        assert ok(response)["degree"] == "New"


class TestDeleteEducation:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        gone = await add_education(session, me.candidate_id)
        kept = await add_education(session, me.candidate_id)
        response = await client.delete(f"{EDUCATION}/{gone.id}", headers=me.headers)
        assert ok(response) == {"message": "Education deleted"}
        assert await fetch_education(session, gone.id) is None
        assert await fetch_education(session, kept.id) is not None

    async def test_twice(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        education = await add_education(session, me.candidate_id)
        ok(await client.delete(f"{EDUCATION}/{education.id}", headers=me.headers))
        response = await client.delete(f"{EDUCATION}/{education.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == EDUCATION_NOT_FOUND

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_education(session, other.candidate_id)
        response = await client.delete(f"{EDUCATION}/{theirs.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == EDUCATION_NOT_FOUND
        assert await fetch_education(session, theirs.id) is not None

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        education = await add_education(session, me.candidate_id)
        response = await client.delete(f"{EDUCATION}/{education.id}/", headers=me.headers)
        assert ok(response) == {"message": "Education deleted"}
