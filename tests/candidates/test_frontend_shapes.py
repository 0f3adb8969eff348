"""M5: the IntoWork frontend's profile forms are accepted and stored as the wire values.

Skill levels and categories as the frontend's words, education with `institution`,
`field_of_study` and `is_current`, the profile's `bio`; responses carry both names.
"""

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Education, Skill
from intowork.models.enums import SkillCategory
from tests.candidates.conftest import (
    EDUCATION,
    EDUCATION_KEYS,
    PROFILE,
    SKILL_KEYS,
    SKILLS,
    add_education,
    add_skill,
    error_locations,
    fetch_candidate,
    ok,
    read_profile,
)
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_one

# (level sent, category sent) -> (level stored, category stored)
SKILL_WORDS = [
    (("beginner", "technique"), (1, SkillCategory.TECHNICAL)),
    (("intermediate", "soft-skill"), (2, SkillCategory.SOFT)),
    (("advanced", "langue"), (3, SkillCategory.LANGUAGE)),
    (("expert", "autre"), (4, SkillCategory.OTHER)),
]


def frontend_education(**overrides: Any) -> dict[str, Any]:
    """An education entry as the IntoWork frontend's form sends it."""
    body: dict[str, Any] = {
        "institution": "Université Lyon 1",
        "degree": "Master",
        "field_of_study": "Informatique",
        "start_date": "2021-09",
        "end_date": "2023-06",
        "is_current": False,
        "description": "Systèmes distribués.",
    }
    body.update(overrides)
    return body


async def fetch_skill(session: AsyncSession, skill_id: int) -> Skill | None:
    return await fetch_one(session, select(Skill).where(Skill.id == skill_id))


async def fetch_education(session: AsyncSession, education_id: int) -> Education | None:
    return await fetch_one(session, select(Education).where(Education.id == education_id))


class TestSkillWords:
    async def test_stored_as_wire_values(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        for (level, category), (stored_level, stored_category) in SKILL_WORDS:
            body = {"name": f"Skill {stored_level}", "level": level, "category": category}
            data = ok(await client.post(SKILLS, json=body, headers=me.headers))
            assert set(data) == SKILL_KEYS
            assert (data["level"], data["category"]) == (stored_level, stored_category.value)
            stored = await fetch_skill(session, data["id"])
            assert stored is not None
            assert (stored.level, stored.category) == (stored_level, stored_category)
        skills = (await read_profile(client, me))["skills"]
        assert [(s["level"], s["category"]) for s in skills] == [
            (1, "technical"),
            (2, "soft"),
            (3, "language"),
            (4, "other"),
        ]

    async def test_mixed_with_wire_values(self, client: AsyncClient, me: Actor) -> None:
        body = {"name": "Go", "level": 5, "category": "autre"}
        assert ok(await client.post(SKILLS, json=body, headers=me.headers))["category"] == "other"
        body = {"name": "Go", "level": "advanced", "category": "technical"}
        assert ok(await client.post(SKILLS, json=body, headers=me.headers))["level"] == 3

    async def test_english_other(self, client: AsyncClient, me: Actor) -> None:
        body = {"name": "Cooking", "level": 2, "category": "other"}
        assert ok(await client.post(SKILLS, json=body, headers=me.headers))["category"] == "other"

    async def test_unknown_words(self, client: AsyncClient, me: Actor) -> None:
        for field, value in [
            ("level", "guru"),
            ("level", "Beginner"),
            ("level", ""),
            ("category", "cuisine"),
            ("category", "Technique"),
            ("category", "soft_skill"),
        ]:
            body = {"name": "Go", "level": "expert", "category": "technique", field: value}
            response = await client.post(SKILLS, json=body, headers=me.headers)
            assert error_locations(response) == [["body", field]], value
        assert (await read_profile(client, me))["skills"] == []

    async def test_update(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        skill = await add_skill(session, me.candidate_id)
        body = {"name": "Anglais", "level": "expert", "category": "langue"}
        data = ok(await client.put(f"{SKILLS}/{skill.id}", json=body, headers=me.headers))
        assert data == {"id": skill.id, "name": "Anglais", "level": 4, "category": "language"}
        stored = await fetch_skill(session, skill.id)
        assert stored is not None
        assert (stored.level, stored.category) == (4, SkillCategory.LANGUAGE)

    async def test_update_unknown_word(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        skill = await add_skill(session, me.candidate_id, name="Kept")
        body = {"name": "Go", "level": 3, "category": "cuisine"}
        response = await client.put(f"{SKILLS}/{skill.id}", json=body, headers=me.headers)
        assert error_locations(response) == [["body", "category"]]
        stored = await fetch_skill(session, skill.id)
        assert stored is not None
        assert stored.name == "Kept"


class TestFrontendEducation:
    async def test_frontend_body(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        data = ok(await client.post(EDUCATION, json=frontend_education(), headers=me.headers))
        assert set(data) == EDUCATION_KEYS
        assert data == {
            "id": data["id"],
            "degree": "Master",
            "school": "Université Lyon 1",
            "institution": "Université Lyon 1",
            "field_of_study": "Informatique",
            "location": None,
            "start_date": "2021-09",
            "end_date": "2023-06",
            "is_current": False,
            "description": "Systèmes distribués.",
        }
        stored = await fetch_education(session, data["id"])
        assert stored is not None
        assert (stored.school, stored.field_of_study, stored.is_current) == (
            "Université Lyon 1",
            "Informatique",
            False,
        )
        assert (await read_profile(client, me))["educations"] == [data]

    async def test_current_has_no_end(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        body = frontend_education(is_current=True, end_date="2025-06")
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["is_current"], data["end_date"]) == (True, None)
        stored = await fetch_education(session, data["id"])
        assert stored is not None
        assert (stored.is_current, stored.end_date) == (True, None)
        [listed] = (await read_profile(client, me))["educations"]
        assert (listed["is_current"], listed["end_date"]) == (True, None)

    async def test_current_without_end_date(self, client: AsyncClient, me: Actor) -> None:
        body = frontend_education(is_current=True)
        del body["end_date"]
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["is_current"], data["end_date"]) == (True, None)

    async def test_minimal_frontend_body(self, client: AsyncClient, me: Actor) -> None:
        body = {"institution": "EPFL", "degree": "BSc", "start_date": "2010-09-01"}
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["school"], data["field_of_study"], data["end_date"]) == ("EPFL", None, None)
        assert (data["start_date"], data["is_current"]) == ("2010-09", False)

    async def test_school_wins(self, client: AsyncClient, me: Actor) -> None:
        body = frontend_education(school="Sorbonne")
        data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
        assert (data["school"], data["institution"]) == ("Sorbonne", "Sorbonne")

    async def test_institution_rules(self, client: AsyncClient, me: Actor) -> None:
        for value in ["", "   ", None, "i" * 201]:
            body = frontend_education(institution=value)
            response = await client.post(EDUCATION, json=body, headers=me.headers)
            assert error_locations(response) == [["body", "institution"]], value
        body = frontend_education()
        del body["institution"]
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert error_locations(response) == [["body", "school"]]
        assert (await read_profile(client, me))["educations"] == []

    async def test_field_of_study(self, client: AsyncClient, me: Actor) -> None:
        data = ok(
            await client.post(
                EDUCATION, json=frontend_education(field_of_study="f" * 200), headers=me.headers
            )
        )
        assert data["field_of_study"] == "f" * 200
        for value, stored in [(" ", None), ("", None), (None, None), (" Maths ", "Maths")]:
            body = frontend_education(field_of_study=value)
            data = ok(await client.post(EDUCATION, json=body, headers=me.headers))
            assert data["field_of_study"] == stored, value
        body = frontend_education(field_of_study="f" * 201)
        response = await client.post(EDUCATION, json=body, headers=me.headers)
        assert error_locations(response) == [["body", "field_of_study"]]

    async def test_date_rules_hold(self, client: AsyncClient, me: Actor) -> None:
        for overrides in [
            {"start_date": "2021-09", "end_date": "2021-08-31"},
            {"start_date": "2021-13"},
            {"end_date": "June 2023"},
        ]:
            body = frontend_education(**overrides)
            response = await client.post(EDUCATION, json=body, headers=me.headers)
            assert response.status_code == 422, overrides
        assert (await read_profile(client, me))["educations"] == []

    async def test_update(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        education = await add_education(session, me.candidate_id)
        body = frontend_education(institution="INSA", is_current=True)
        path = f"{EDUCATION}/{education.id}"
        data = ok(await client.put(path, json=body, headers=me.headers))
        assert (data["school"], data["institution"]) == ("INSA", "INSA")
        assert (data["field_of_study"], data["is_current"], data["end_date"]) == (
            "Informatique",
            True,
            None,
        )
        stored = await fetch_education(session, education.id)
        assert stored is not None
        assert (stored.school, stored.is_current, stored.end_date) == ("INSA", True, None)

    async def test_update_same_rules(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        education = await add_education(session, me.candidate_id, degree="Kept")
        path = f"{EDUCATION}/{education.id}"
        for body in [
            frontend_education(start_date="2024-01", end_date="2023-01"),
            frontend_education(institution=""),
            frontend_education(field_of_study="f" * 201),
        ]:
            response = await client.put(path, json=body, headers=me.headers)
            assert response.status_code == 422, body
        stored = await fetch_education(session, education.id)
        assert stored is not None
        assert stored.degree == "Kept"


class TestBio:
    async def test_written_and_read(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        bio = "Développeuse backend.\nAime les bases de données."
        data = ok(await client.put(PROFILE, json={"bio": f" {bio} "}, headers=me.headers))
        assert (data["summary"], data["bio"]) == (bio, bio)
        profile = await read_profile(client, me)
        assert (profile["summary"], profile["bio"]) == (bio, bio)
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert stored.summary == bio

    async def test_summary_answers_as_bio(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await client.put(PROFILE, json={"summary": "Hello"}, headers=me.headers))
        assert (data["summary"], data["bio"]) == ("Hello", "Hello")

    async def test_summary_wins(self, client: AsyncClient, me: Actor) -> None:
        body = {"summary": "From summary", "bio": "From bio"}
        data = ok(await client.put(PROFILE, json=body, headers=me.headers))
        assert (data["summary"], data["bio"]) == ("From summary", "From summary")

    async def test_null_clears(self, client: AsyncClient, me: Actor) -> None:
        ok(await client.put(PROFILE, json={"bio": "Hello"}, headers=me.headers))
        for value in [None, ""]:
            data = ok(await client.put(PROFILE, json={"bio": value}, headers=me.headers))
            assert (data["summary"], data["bio"]) == (None, None)

    async def test_not_sent_kept(self, client: AsyncClient, me: Actor) -> None:
        ok(await client.put(PROFILE, json={"bio": "Hello"}, headers=me.headers))
        data = ok(await client.put(PROFILE, json={"title": "Engineer"}, headers=me.headers))
        assert (data["summary"], data["bio"]) == ("Hello", "Hello")

    async def test_too_long(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(PROFILE, json={"bio": "b" * 20_001}, headers=me.headers)
        assert error_locations(response) == [["body", "bio"]]
        assert (await read_profile(client, me))["bio"] is None
