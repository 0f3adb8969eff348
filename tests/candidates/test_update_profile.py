"""PUT /api/candidates/profile: partial, null clears, numbers >= 0, min <= max, string limits."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.candidates.conftest import (
    PROFILE,
    PROFILE_KEYS,
    add_experience,
    add_skill,
    delete_candidate_row,
    error_locations,
    fetch_candidate,
    ok,
    read_profile,
)
from tests.fixtures.actors import Actor

FULL_UPDATE: dict[str, Any] = {
    "phone": "+33 6 12 34 56 78",
    "location": "Lyon",
    "linkedin_url": "https://www.linkedin.com/in/ada",
    "website_url": "https://ada.dev",
    "title": "Staff engineer",
    "summary": "Ten years of Python.\n\nLoves databases.",
    "years_experience": 10,
    "salary_expectation_min": 60000,
    "salary_expectation_max": 80000,
}
# Every string field at its maximum length: API.md 1.1 classes, `phone` capped at its column (50).
LONGEST: dict[str, str] = {
    "phone": "1" * 50,
    "location": "l" * 200,
    "linkedin_url": "https://l.test/" + "l" * 485,
    "website_url": "https://w.test/" + "w" * 485,
    "title": "t" * 200,
    "summary": "s" * 20_000,
}
NUMBERS = ["years_experience", "salary_expectation_min", "salary_expectation_max"]


async def put_profile(client: AsyncClient, caller: Actor, body: dict[str, Any]) -> Any:
    return await client.put(PROFILE, json=body, headers=caller.headers)


class TestUpdateProfile:
    async def test_every_field(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        data = ok(await put_profile(client, me, FULL_UPDATE))
        assert set(data) == PROFILE_KEYS
        assert {field: data[field] for field in FULL_UPDATE} == FULL_UPDATE
        assert (data["id"], data["user_id"]) == (me.candidate_id, me.user.id)
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert {field: getattr(stored, field) for field in FULL_UPDATE} == FULL_UPDATE
        assert await read_profile(client, me) == data

    async def test_only_sent_keys_change(self, client: AsyncClient, me: Actor) -> None:
        ok(await put_profile(client, me, FULL_UPDATE))
        data = ok(await put_profile(client, me, {"title": "Principal engineer"}))
        assert data["title"] == "Principal engineer"
        assert {field: data[field] for field in FULL_UPDATE if field != "title"} == {
            field: value for field, value in FULL_UPDATE.items() if field != "title"
        }

    async def test_empty_body_changes_nothing(self, client: AsyncClient, me: Actor) -> None:
        before = ok(await put_profile(client, me, FULL_UPDATE))
        assert ok(await put_profile(client, me, {})) == before

    @pytest.mark.parametrize("field", list(FULL_UPDATE))
    async def test_null_clears(
        self, client: AsyncClient, session: AsyncSession, me: Actor, field: str
    ) -> None:
        ok(await put_profile(client, me, FULL_UPDATE))
        data = ok(await put_profile(client, me, {field: None}))
        assert data[field] is None
        others = {key: value for key, value in FULL_UPDATE.items() if key != field}
        assert {key: data[key] for key in others} == others
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert getattr(stored, field) is None

    async def test_blank_string_clears(self, client: AsyncClient, me: Actor) -> None:
        ok(await put_profile(client, me, FULL_UPDATE))
        data = ok(await put_profile(client, me, {"title": "", "location": "   "}))
        assert (data["title"], data["location"]) == (None, None)

    async def test_strings_trimmed(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await put_profile(client, me, {"location": "  Lyon ", "title": "\tCTO\n"}))
        assert (data["location"], data["title"]) == ("Lyon", "CTO")

    async def test_summary_round_trips(self, client: AsyncClient, me: Actor) -> None:
        summary = (
            "Line one.\n\n  Indented line \u2013 with unicode: café, 東京, emoji 🚀.\n" + "x" * 5000
        )
        data = ok(await put_profile(client, me, {"summary": summary}))
        assert data["summary"] == summary.strip()
        assert (await read_profile(client, me))["summary"] == summary.strip()

    async def test_unknown_and_derived_keys_ignored(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        body = {
            "id": other.candidate_id,
            "user_id": other.user.id,
            "cv_url": "/elsewhere",
            "cv_filename": "forged.pdf",
            "experiences": [{"title": "Forged"}],
            "skills": "nope",
            "favourite_colour": "blue",
            "title": "Engineer",
        }
        data = ok(await put_profile(client, me, body))
        assert (data["id"], data["user_id"], data["title"]) == (
            me.candidate_id,
            me.user.id,
            "Engineer",
        )
        assert (data["cv_url"], data["cv_filename"], data["experiences"]) == (None, None, [])
        untouched = await fetch_candidate(session, other.user.id)
        assert untouched is not None
        assert untouched.title is None

    async def test_returns_the_whole_profile(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        experience = await add_experience(session, me.candidate_id)
        skill = await add_skill(session, me.candidate_id)
        data = ok(await put_profile(client, me, {"title": "Engineer"}))
        assert [item["id"] for item in data["experiences"]] == [experience.id]
        assert [item["id"] for item in data["skills"]] == [skill.id]

    async def test_created_on_first_use(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await delete_candidate_row(session, me.user)
        data = ok(await put_profile(client, me, {"title": "Engineer"}))
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert (data["id"], stored.title) == (stored.id, "Engineer")

    async def test_trailing_slash(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(f"{PROFILE}/", json={"title": "Engineer"}, headers=me.headers)
        assert ok(response)["title"] == "Engineer"


class TestNumbers:
    @pytest.mark.parametrize("field", NUMBERS)
    async def test_zero_accepted(self, client: AsyncClient, me: Actor, field: str) -> None:
        assert ok(await put_profile(client, me, {field: 0}))[field] == 0

    @pytest.mark.parametrize("field", NUMBERS)
    async def test_invalid(
        self, client: AsyncClient, session: AsyncSession, me: Actor, field: str
    ) -> None:
        for value in [-1, -50000, 2**31, 1.5, "many", [1], {"n": 1}]:
            response = await put_profile(client, me, {field: value})
            assert error_locations(response) == [["body", field]], value
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert getattr(stored, field) is None

    async def test_largest_accepted(self, client: AsyncClient, me: Actor) -> None:
        body = {field: 2**31 - 1 for field in NUMBERS}
        data = ok(await put_profile(client, me, body))
        assert {field: data[field] for field in NUMBERS} == body


class TestSalaryRange:
    async def test_min_above_max(self, client: AsyncClient, me: Actor) -> None:
        body = {"salary_expectation_min": 80000, "salary_expectation_max": 60000}
        response = await put_profile(client, me, body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "value_error"

    async def test_equal_bounds(self, client: AsyncClient, me: Actor) -> None:
        body = {"salary_expectation_min": 70000, "salary_expectation_max": 70000}
        data = ok(await put_profile(client, me, body))
        assert (data["salary_expectation_min"], data["salary_expectation_max"]) == (70000, 70000)

    async def test_min_alone_above_stored_max(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        ok(await put_profile(client, me, {"salary_expectation_max": 60000}))
        response = await put_profile(client, me, {"salary_expectation_min": 60001, "title": "X"})
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert isinstance(detail, list)
        assert detail[0]["type"] == "value_error"
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert (stored.salary_expectation_min, stored.title) == (None, None)

    async def test_max_alone_below_stored_min(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        ok(await put_profile(client, me, {"salary_expectation_min": 50000}))
        response = await put_profile(client, me, {"salary_expectation_max": 49999})
        assert response.status_code == 422
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert (stored.salary_expectation_min, stored.salary_expectation_max) == (50000, None)

    async def test_alone_within_stored_bound(self, client: AsyncClient, me: Actor) -> None:
        ok(await put_profile(client, me, {"salary_expectation_max": 60000}))
        data = ok(await put_profile(client, me, {"salary_expectation_min": 60000}))
        assert (data["salary_expectation_min"], data["salary_expectation_max"]) == (60000, 60000)

    async def test_clearing_the_other_bound_allows_any_value(
        self, client: AsyncClient, me: Actor
    ) -> None:
        ok(await put_profile(client, me, {"salary_expectation_max": 60000}))
        body = {"salary_expectation_min": 90000, "salary_expectation_max": None}
        data = ok(await put_profile(client, me, body))
        assert (data["salary_expectation_min"], data["salary_expectation_max"]) == (90000, None)

    async def test_moving_both_bounds_together(self, client: AsyncClient, me: Actor) -> None:
        ok(
            await put_profile(
                client, me, {"salary_expectation_min": 40000, "salary_expectation_max": 50000}
            )
        )
        body = {"salary_expectation_min": 90000, "salary_expectation_max": 100000}
        data = ok(await put_profile(client, me, body))
        assert (data["salary_expectation_min"], data["salary_expectation_max"]) == (90000, 100000)


class TestStringLimits:
    async def test_longest_accepted(self, client: AsyncClient, me: Actor) -> None:
        data = ok(await put_profile(client, me, LONGEST))
        assert {field: data[field] for field in LONGEST} == LONGEST

    @pytest.mark.parametrize("field", list(LONGEST))
    async def test_one_too_long(
        self, client: AsyncClient, session: AsyncSession, me: Actor, field: str
    ) -> None:
        response = await put_profile(client, me, {field: LONGEST[field] + "x"})
        assert error_locations(response) == [["body", field]]
        stored = await fetch_candidate(session, me.user.id)
        assert stored is not None
        assert getattr(stored, field) is None

    @pytest.mark.parametrize("field", list(LONGEST))
    async def test_measured_after_trimming(
        self, client: AsyncClient, me: Actor, field: str
    ) -> None:
        data = ok(await put_profile(client, me, {field: f"  {LONGEST[field]}  "}))
        assert data[field] == LONGEST[field]

    async def test_not_a_string(self, client: AsyncClient, me: Actor) -> None:
        for value in [123, ["Lyon"], {"city": "Lyon"}, True]:
            response = await put_profile(client, me, {"location": value})
            assert error_locations(response) == [["body", "location"]], value

    async def test_not_an_object(self, client: AsyncClient, me: Actor) -> None:
        response = await client.put(PROFILE, json=["title"], headers=me.headers)
        assert response.status_code == 422
