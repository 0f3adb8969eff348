"""POST, PUT and DELETE /api/candidates/profile/skills (API.md 6)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Skill
from intowork.models.enums import SkillCategory
from tests.candidates.conftest import (
    SKILL_KEYS,
    SKILL_NOT_FOUND,
    SKILLS,
    add_skill,
    delete_candidate_row,
    error_locations,
    fetch_candidate,
    ok,
    read_profile,
    skill_body,
)
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_one


async def fetch_skill(session: AsyncSession, skill_id: int) -> Skill | None:
    return await fetch_one(session, select(Skill).where(Skill.id == skill_id))


class TestCreateSkill:
    async def test_ok(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        data = ok(await client.post(SKILLS, json=skill_body(), headers=me.headers))
        assert set(data) == SKILL_KEYS
        assert data == {"id": data["id"], "name": "Python", "level": 4, "category": "technical"}
        stored = await fetch_skill(session, data["id"])
        assert stored is not None
        assert (stored.candidate_id, stored.category) == (me.candidate_id, SkillCategory.TECHNICAL)
        assert (await read_profile(client, me))["skills"] == [data]

    @pytest.mark.parametrize("category", [category.value for category in SkillCategory])
    async def test_every_category(self, client: AsyncClient, me: Actor, category: str) -> None:
        data = ok(await client.post(SKILLS, json=skill_body(category=category), headers=me.headers))
        assert data["category"] == category

    async def test_every_level(self, client: AsyncClient, me: Actor) -> None:
        for level in [1, 2, 3, 4, 5]:
            data = ok(await client.post(SKILLS, json=skill_body(level=level), headers=me.headers))
            assert data["level"] == level

    async def test_name_trimmed(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await client.post(SKILLS, json=skill_body(name="  Go \n"), headers=me.headers))
        assert data["name"] == "Go"

    async def test_created_on_first_use(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await delete_candidate_row(session, me.user)
        data = ok(await client.post(SKILLS, json=skill_body(), headers=me.headers))
        candidate = await fetch_candidate(session, me.user.id)
        stored = await fetch_skill(session, data["id"])
        assert candidate is not None
        assert stored is not None
        assert stored.candidate_id == candidate.id

    async def test_trailing_slash(self, client: AsyncClient, me: Actor) -> None:
        assert ok(await client.post(f"{SKILLS}/", json=skill_body(), headers=me.headers))


class TestSkillValidation:
    async def test_level_1_to_5(self, client: AsyncClient, me: Actor) -> None:
        for level in [0, 6, -1, 100, 2.5, "guru", "Expert", "6", None]:
            body = {**skill_body(), "level": level}
            response = await client.post(SKILLS, json=body, headers=me.headers)
            assert error_locations(response) == [["body", "level"]], level
        assert (await read_profile(client, me))["skills"] == []

    async def test_unknown_category(self, client: AsyncClient, me: Actor) -> None:
        for category in ["Technical", "TECHNICAL", "hard", "", "languages", None, 1]:
            body = {**skill_body(), "category": category}
            response = await client.post(SKILLS, json=body, headers=me.headers)
            assert error_locations(response) == [["body", "category"]], category
        assert (await read_profile(client, me))["skills"] == []

    @pytest.mark.parametrize("field", ["name", "level", "category"])
    async def test_required(self, client: AsyncClient, me: Actor, field: str) -> None:
        body = skill_body()
        del body[field]
        response = await client.post(SKILLS, json=body, headers=me.headers)
        assert error_locations(response) == [["body", field]]

    async def test_blank_name(self, client: AsyncClient, me: Actor) -> None:
        for name in ["", "   ", None]:
            body = {**skill_body(), "name": name}
            response = await client.post(SKILLS, json=body, headers=me.headers)
            assert error_locations(response) == [["body", "name"]], name

    async def test_name_limit(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await client.post(SKILLS, json=skill_body(name="n" * 100), headers=me.headers))
        assert data["name"] == "n" * 100
        response = await client.post(SKILLS, json=skill_body(name="n" * 101), headers=me.headers)
        assert error_locations(response) == [["body", "name"]]


class TestUpdateSkill:
    async def test_full_replacement(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        skill = await add_skill(session, me.candidate_id)
        body = {"name": "French", "level": 5, "category": "language"}
        data = ok(await client.put(f"{SKILLS}/{skill.id}", json=body, headers=me.headers))
        assert data == {"id": skill.id, **body}
        stored = await fetch_skill(session, skill.id)
        assert stored is not None
        assert (stored.name, stored.level, stored.category) == ("French", 5, SkillCategory.LANGUAGE)

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "Go", "level": 6, "category": "technical"},
            {"name": "Go", "level": 3, "category": "magic"},
            {"name": "Go", "level": 3},
            {"name": "", "level": 3, "category": "soft"},
        ],
    )
    async def test_same_rules_as_create(
        self, client: AsyncClient, session: AsyncSession, me: Actor, body: dict[str, Any]
    ) -> None:
        skill = await add_skill(session, me.candidate_id, name="Kept")
        response = await client.put(f"{SKILLS}/{skill.id}", json=body, headers=me.headers)
        assert response.status_code == 422
        stored = await fetch_skill(session, skill.id)
        assert stored is not None
        assert (stored.name, stored.level) == ("Kept", 3)

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_skill(session, other.candidate_id, name="Theirs")
        response = await client.put(f"{SKILLS}/{theirs.id}", json=skill_body(), headers=me.headers)
        assert response.status_code == 404
        assert response.json() == SKILL_NOT_FOUND
        stored = await fetch_skill(session, theirs.id)
        assert stored is not None
        assert stored.name == "Theirs"

    async def test_missing(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(f"{SKILLS}/424242", json=skill_body(), headers=me.headers)
        assert response.status_code == 404
        assert response.json() == SKILL_NOT_FOUND

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        skill = await add_skill(session, me.candidate_id)
        response = await client.put(
            f"{SKILLS}/{skill.id}/", json=skill_body(name="Go"), headers=me.headers
        )
        assert ok(response)["name"] == "Go"


class TestDeleteSkill:
    async def test_no_content(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        gone = await add_skill(session, me.candidate_id, name="Gone")
        kept = await add_skill(session, me.candidate_id, name="Kept")
        response = await client.delete(f"{SKILLS}/{gone.id}", headers=me.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert await fetch_skill(session, gone.id) is None
        assert await fetch_skill(session, kept.id) is not None
        assert [item["id"] for item in (await read_profile(client, me))["skills"]] == [kept.id]

    async def test_twice(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        skill = await add_skill(session, me.candidate_id)
        assert (await client.delete(f"{SKILLS}/{skill.id}", headers=me.headers)).status_code == 204
        response = await client.delete(f"{SKILLS}/{skill.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == SKILL_NOT_FOUND

    async def test_another_candidates(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        theirs = await add_skill(session, other.candidate_id)
        response = await client.delete(f"{SKILLS}/{theirs.id}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == SKILL_NOT_FOUND
        assert await fetch_skill(session, theirs.id) is not None

    async def test_trailing_slash(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        skill = await add_skill(session, me.candidate_id)
        response = await client.delete(f"{SKILLS}/{skill.id}/", headers=me.headers)
        assert response.status_code == 204
        assert await fetch_skill(session, skill.id) is None
