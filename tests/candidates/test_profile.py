"""GET /api/candidates/profile: shape, first use, the latest CV, list orders, one statement (C1)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models.enums import SkillCategory
from tests.candidates.conftest import (
    EDUCATION_KEYS,
    EXPERIENCE_KEYS,
    PROFILE,
    SKILL_KEYS,
    add_cv,
    add_education,
    add_experience,
    add_skill,
    delete_candidate_row,
    fetch_candidate,
    read_profile,
    utc,
)
from tests.fixtures.actors import Actor
from tests.fixtures.signed_urls import assert_signed


class TestReadProfile:
    async def test_empty_profile(self, client: AsyncClient, me: Actor) -> None:
        assert await read_profile(client, me) == {
            "id": me.candidate_id,
            "user_id": me.user.id,
            "phone": None,
            "location": None,
            "linkedin_url": None,
            "website_url": None,
            "title": None,
            "summary": None,
            "bio": None,
            "years_experience": None,
            "salary_expectation_min": None,
            "salary_expectation_max": None,
            "cv_url": None,
            "cv_filename": None,
            "cv_uploaded_at": None,
            "experiences": [],
            "educations": [],
            "skills": [],
        }

    async def test_stored_fields(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        assert me.candidate is not None
        values: dict[str, Any] = {
            "phone": "+33 6 12 34 56 78",
            "location": "Lyon",
            "linkedin_url": "https://linkedin.com/in/ada",
            "website_url": "https://ada.dev",
            "title": "Engineer",
            "summary": "First line.\nSecond line.",
            "years_experience": 7,
            "salary_expectation_min": 50000,
            "salary_expectation_max": 70000,
        }
        for field, value in values.items():
            setattr(me.candidate, field, value)
        await session.commit()
        data = await read_profile(client, me)
        assert {field: data[field] for field in values} == values

    async def test_item_shapes(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        experience = await add_experience(
            session,
            me.candidate_id,
            location="Paris",
            description="Did things.",
            end_date="2021-02",
        )
        education = await add_education(session, me.candidate_id, location=None)
        skill = await add_skill(session, me.candidate_id, category=SkillCategory.LANGUAGE)
        data = await read_profile(client, me)
        assert data["experiences"] == [
            {
                "id": experience.id,
                "title": "Engineer",
                "company": "Acme",
                "location": "Paris",
                "start_date": "2020-01",
                "end_date": "2021-02",
                "is_current": False,
                "description": "Did things.",
            }
        ]
        assert data["educations"] == [
            {
                "id": education.id,
                "degree": "BSc",
                "school": "Sorbonne",
                "institution": "Sorbonne",
                "field_of_study": None,
                "location": None,
                "start_date": "2010-09",
                "end_date": "2013-06",
                "is_current": False,
                "description": None,
            }
        ]
        assert data["skills"] == [
            {"id": skill.id, "name": "Python", "level": 3, "category": "language"}
        ]
        assert set(data["experiences"][0]) == EXPERIENCE_KEYS
        assert set(data["educations"][0]) == EDUCATION_KEYS
        assert set(data["skills"][0]) == SKILL_KEYS

    async def test_current_experience_is_a_boolean(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await add_experience(session, me.candidate_id, is_current=True)
        data = await read_profile(client, me)
        assert data["experiences"][0]["is_current"] is True

    async def test_only_own_items(
        self, client: AsyncClient, session: AsyncSession, me: Actor, other: Actor
    ) -> None:
        await add_experience(session, other.candidate_id)
        await add_education(session, other.candidate_id)
        await add_skill(session, other.candidate_id)
        await add_cv(session, other.candidate_id)
        mine = await add_skill(session, me.candidate_id, name="SQL")
        data = await read_profile(client, me)
        assert data["experiences"] == []
        assert data["educations"] == []
        assert [skill["id"] for skill in data["skills"]] == [mine.id]
        assert data["cv_url"] is None

    async def test_created_on_first_use(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        await delete_candidate_row(session, me.user)
        data = await read_profile(client, me)
        candidate = await fetch_candidate(session, me.user.id)
        assert candidate is not None
        assert data["id"] == candidate.id
        assert data["user_id"] == me.user.id
        assert data["experiences"] == data["educations"] == data["skills"] == []
        assert await read_profile(client, me) == data

    async def test_trailing_slash(self, client: AsyncClient, me: Actor) -> None:
        response = await client.get(f"{PROFILE}/", headers=me.headers)
        assert response.status_code == 200
        assert response.json()["id"] == me.candidate_id


class TestLatestCv:
    async def test_no_cv(self, client: AsyncClient, me: Actor) -> None:
        data = await read_profile(client, me)
        assert (data["cv_url"], data["cv_filename"], data["cv_uploaded_at"]) == (None, None, None)

    async def test_one_cv(
        self, client: AsyncClient, session: AsyncSession, me: Actor, settings: Settings
    ) -> None:
        uploaded = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
        await add_cv(session, me.candidate_id, filename="Ada CV.pdf", created_at=uploaded)
        data = await read_profile(client, me)
        # A link signed for the caller (API.md M2).
        assert_signed(data["cv_url"], f"/api/candidates/{me.candidate_id}/cv", me.user.id, settings)
        assert data["cv_filename"] == "Ada CV.pdf"
        assert utc(data["cv_uploaded_at"]) == uploaded

    async def test_newest_wins(self, client: AsyncClient, session: AsyncSession, me: Actor) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        await add_cv(
            session, me.candidate_id, filename="old.pdf", created_at=now - timedelta(days=2)
        )
        await add_cv(session, me.candidate_id, filename="new.pdf", created_at=now)
        # Inserted last but older: the upload time decides, not the id.
        await add_cv(
            session, me.candidate_id, filename="mid.pdf", created_at=now - timedelta(days=1)
        )
        data = await read_profile(client, me)
        assert data["cv_filename"] == "new.pdf"
        assert utc(data["cv_uploaded_at"]) == now

    async def test_same_time_highest_id_wins(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        await add_cv(session, me.candidate_id, filename="first.pdf", created_at=at)
        await add_cv(session, me.candidate_id, filename="second.pdf", created_at=at)
        assert (await read_profile(client, me))["cv_filename"] == "second.pdf"

    async def test_deleted_latest_falls_back(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        now = datetime.now(UTC)
        await add_cv(session, me.candidate_id, filename="old.pdf", created_at=now - timedelta(1))
        newest = await add_cv(session, me.candidate_id, filename="new.pdf", created_at=now)
        await session.delete(newest)
        await session.commit()
        assert (await read_profile(client, me))["cv_filename"] == "old.pdf"


class TestOrder:
    async def test_experiences_current_first_then_newest_start(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        cid = me.candidate_id
        old = await add_experience(session, cid, start_date="2015-01", end_date="2016-01")
        recent = await add_experience(session, cid, start_date="2021-03", end_date="2022-01")
        current_old = await add_experience(session, cid, start_date="2012-05", is_current=True)
        middle = await add_experience(session, cid, start_date="2018-11", end_date="2020-01")
        current_new = await add_experience(session, cid, start_date="2023-02", is_current=True)
        data = await read_profile(client, me)
        assert [item["id"] for item in data["experiences"]] == [
            current_new.id,
            current_old.id,
            recent.id,
            middle.id,
            old.id,
        ]

    async def test_educations_newest_start_first(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        cid = me.candidate_id
        bachelor = await add_education(session, cid, start_date="2010-09", end_date="2013-06")
        doctorate = await add_education(session, cid, start_date="2016-10", end_date="2019-12")
        master = await add_education(session, cid, start_date="2013-09", end_date="2015-06")
        data = await read_profile(client, me)
        assert [item["id"] for item in data["educations"]] == [
            doctorate.id,
            master.id,
            bachelor.id,
        ]

    async def test_skills_by_name(
        self, client: AsyncClient, session: AsyncSession, me: Actor
    ) -> None:
        cid = me.candidate_id
        for name in ["Rust", "Docker", "Python", "Kubernetes", "Ansible"]:
            await add_skill(session, cid, name=name)
        data = await read_profile(client, me)
        names = [item["name"] for item in data["skills"]]
        assert names == ["Ansible", "Docker", "Kubernetes", "Python", "Rust"]


class TestStatementBudget:
    async def test_one_statement_for_the_whole_profile(
        self, client: AsyncClient, session: AsyncSession, me: Actor, count_statements: Any
    ) -> None:
        cid = me.candidate_id
        for year in range(2010, 2016):
            await add_experience(session, cid, start_date=f"{year}-01", end_date=f"{year}-12")
            await add_education(session, cid, start_date=f"{year}-02", end_date=f"{year}-11")
            await add_skill(session, cid, name=f"Skill {year}")
            await add_cv(session, cid, filename=f"cv-{year}.pdf")
        with count_statements() as log:
            response = await client.get(PROFILE, headers=me.headers)
        assert response.status_code == 200, response.text
        data = response.json()
        assert (len(data["experiences"]), len(data["educations"]), len(data["skills"])) == (6, 6, 6)
        assert data["cv_filename"] == "cv-2015.pdf"
        # The current-user lookup, then the profile with its lists and latest CV.
        assert log.count == 2, log

    async def test_budget_does_not_grow_with_the_profile(
        self, client: AsyncClient, session: AsyncSession, me: Actor, count_statements: Any
    ) -> None:
        with count_statements() as empty:
            await read_profile(client, me)
        await add_experience(session, me.candidate_id)
        await add_skill(session, me.candidate_id)
        with count_statements() as filled:
            await read_profile(client, me)
        assert empty.count == filled.count == 2, filled

    async def test_update_budget(
        self, client: AsyncClient, session: AsyncSession, me: Actor, count_statements: Any
    ) -> None:
        await add_experience(session, me.candidate_id)
        await add_cv(session, me.candidate_id)
        with count_statements() as log:
            response = await client.put(PROFILE, json={"title": "CTO"}, headers=me.headers)
        assert response.status_code == 200, response.text
        # The current user, the candidate row, the UPDATE, then the profile as for GET.
        assert log.count == 4, log
