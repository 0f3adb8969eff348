"""Who may call the profile routes (API.md 1.2, 6): candidates only, and only on their own items."""

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate, Education, Experience, Skill
from intowork.models.enums import UserRole
from tests.candidates.conftest import (
    AUTH_REQUIRED,
    BAD_IDS,
    CANDIDATE_REQUIRED,
    EDUCATION,
    EDUCATION_NOT_FOUND,
    EXPERIENCE_NOT_FOUND,
    EXPERIENCES,
    PROFILE,
    SKILL_NOT_FOUND,
    SKILLS,
    add_education,
    add_experience,
    add_skill,
    education_body,
    experience_body,
    skill_body,
)
from tests.fixtures.actors import Actor, make_actor

# Every route: method, path ("{id}" is an item of the owning candidate), a valid body.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", PROFILE, None),
    ("PUT", PROFILE, {"title": "Hijacked"}),
    ("POST", EXPERIENCES, experience_body()),
    ("PUT", f"{EXPERIENCES}/{{id}}", experience_body(title="Hijacked")),
    ("DELETE", f"{EXPERIENCES}/{{id}}", None),
    ("POST", EDUCATION, education_body()),
    ("PUT", f"{EDUCATION}/{{id}}", education_body(degree="Hijacked")),
    ("DELETE", f"{EDUCATION}/{{id}}", None),
    ("POST", SKILLS, skill_body()),
    ("PUT", f"{SKILLS}/{{id}}", skill_body(name="Hijacked")),
    ("DELETE", f"{SKILLS}/{{id}}", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]
ITEM_ROUTES = [route for route in ROUTES if "{id}" in route[1]]
ITEM_IDS = [f"{method} {path}" for method, path, _ in ITEM_ROUTES]
NOT_FOUND = {
    EXPERIENCES: EXPERIENCE_NOT_FOUND,
    EDUCATION: EDUCATION_NOT_FOUND,
    SKILLS: SKILL_NOT_FOUND,
}
ADDERS: dict[str, Callable[..., Any]] = {
    EXPERIENCES: add_experience,
    EDUCATION: add_education,
    SKILLS: add_skill,
}


def _collection(path: str) -> str:
    return path.removesuffix("/{id}")


async def _item_path(session: AsyncSession, owner: Actor, path: str) -> str:
    """`path` with `{id}` replaced by a fresh item of `owner` (unchanged without `{id}`)."""
    if "{id}" not in path:
        return path
    item = await ADDERS[_collection(path)](session, owner.candidate_id, **_kept_name(path))
    return path.replace("{id}", str(item.id))


def _kept_name(path: str) -> dict[str, str]:
    field = {EXPERIENCES: "title", EDUCATION: "degree", SKILLS: "name"}[_collection(path)]
    return {field: "Kept"}


async def _snapshot(session: AsyncSession) -> dict[str, Any]:
    """What a refused request must leave unchanged: every row and the names of the items."""
    snapshot: dict[str, Any] = {}
    for model, name in [(Experience, "title"), (Education, "degree"), (Skill, "name")]:
        rows = await session.execute(
            select(model.id, getattr(model, name))
            .order_by(model.id)
            .execution_options(populate_existing=True)
        )
        snapshot[model.__tablename__] = [tuple(row) for row in rows]
    titles = await session.execute(select(Candidate.id, Candidate.title).order_by(Candidate.id))
    snapshot["candidates"] = [tuple(row) for row in titles]
    snapshot["count"] = await session.scalar(select(func.count()).select_from(Candidate))
    return snapshot


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
class TestCandidateOnly:
    async def test_anonymous(
        self,
        client: AsyncClient,
        session: AsyncSession,
        me: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = await _item_path(session, me, path)
        before = await _snapshot(session)
        response = await client.request(method, url, json=body)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert response.headers["www-authenticate"] == "Bearer"
        assert await _snapshot(session) == before

    async def test_invalid_token(
        self,
        client: AsyncClient,
        session: AsyncSession,
        me: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = await _item_path(session, me, path)
        headers = {"Authorization": "Bearer not-a-token"}
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token"}

    @pytest.mark.parametrize("role", [UserRole.EMPLOYER, UserRole.ADMIN])
    async def test_other_roles(
        self,
        client: AsyncClient,
        session: AsyncSession,
        me: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        role: UserRole,
    ) -> None:
        url = await _item_path(session, me, path)
        caller = await make_actor(client, session, role)
        before = await _snapshot(session)
        response = await client.request(method, url, json=body, headers=caller.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED
        assert await _snapshot(session) == before


@pytest.mark.parametrize(("method", "path", "body"), ITEM_ROUTES, ids=ITEM_IDS)
class TestOwnItemsOnly:
    async def test_another_candidates_item(
        self,
        client: AsyncClient,
        session: AsyncSession,
        me: Actor,
        other: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = await _item_path(session, other, path)
        before = await _snapshot(session)
        response = await client.request(method, url, json=body, headers=me.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND[_collection(path)]
        assert await _snapshot(session) == before

    async def test_malformed_id(
        self,
        client: AsyncClient,
        me: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        for bad_id in BAD_IDS:
            url = path.replace("{id}", bad_id)
            response = await client.request(method, url, json=body, headers=me.headers)
            assert response.status_code == 422, bad_id
            assert [error["loc"][0] for error in response.json()["detail"]] == ["path"], bad_id

    async def test_largest_id_is_not_found(
        self,
        client: AsyncClient,
        me: Actor,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = path.replace("{id}", str(2**31 - 1))
        response = await client.request(method, url, json=body, headers=me.headers)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND[_collection(path)]
