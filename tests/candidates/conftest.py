"""Helpers for the candidate profile tests: `me` and `other`, bodies, direct rows, fresh reads."""

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Candidate, CandidateCV, Education, Experience, Skill, User
from intowork.models.enums import SkillCategory
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_one

PROFILE = "/api/candidates/profile"
EXPERIENCES = "/api/candidates/profile/experiences"
EDUCATION = "/api/candidates/profile/education"
SKILLS = "/api/candidates/profile/skills"

PROFILE_KEYS = {
    "id",
    "user_id",
    "phone",
    "location",
    "linkedin_url",
    "website_url",
    "title",
    "summary",
    "bio",
    "years_experience",
    "salary_expectation_min",
    "salary_expectation_max",
    "cv_url",
    "cv_filename",
    "cv_uploaded_at",
    "experiences",
    "educations",
    "skills",
}
EXPERIENCE_KEYS = {
    "id",
    "title",
    "company",
    "location",
    "start_date",
    "end_date",
    "is_current",
    "description",
}
EDUCATION_KEYS = {
    "id",
    "degree",
    "school",
    "institution",
    "field_of_study",
    "location",
    "start_date",
    "end_date",
    "is_current",
    "description",
}
SKILL_KEYS = {"id", "name", "level", "category"}

AUTH_REQUIRED = {"detail": "Authentication required"}
CANDIDATE_REQUIRED = {"detail": "Candidate access required"}
EXPERIENCE_NOT_FOUND = {"detail": "Experience not found"}
EDUCATION_NOT_FOUND = {"detail": "Education not found"}
SKILL_NOT_FOUND = {"detail": "Skill not found"}
# Malformed or out of range (API.md 1.1): 0, negative, not a number, beyond 32 bits.
BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999", str(2**31)]

_storage_keys = itertools.count(1)


@pytest.fixture
def me(candidate: Actor) -> Actor:
    return candidate


@pytest.fixture
def other(other_candidate: Actor) -> Actor:
    """Another candidate: its items are not `me`'s."""
    return other_candidate


def experience_body(**overrides: Any) -> dict[str, Any]:
    """A valid experience; a `None` override drops the key."""
    body: dict[str, Any] = {
        "title": "Backend engineer",
        "company": "Acme",
        "location": "Paris",
        "start_date": "2020-01",
        "end_date": "2022-06",
        "is_current": False,
        "description": "Built the API.",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def education_body(**overrides: Any) -> dict[str, Any]:
    """A valid education entry; a `None` override drops the key."""
    body: dict[str, Any] = {
        "degree": "MSc Computer Science",
        "school": "Sorbonne",
        "location": "Paris",
        "start_date": "2015-09",
        "end_date": "2017-06",
        "description": "Databases and compilers.",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def skill_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Python", "level": 4, "category": "technical"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


async def add_experience(session: AsyncSession, candidate_id: int, **values: Any) -> Experience:
    fields: dict[str, Any] = {
        "title": "Engineer",
        "company": "Acme",
        "start_date": "2020-01",
        "end_date": None,
        "is_current": False,
    }
    fields.update(values)
    experience = Experience(candidate_id=candidate_id, **fields)
    session.add(experience)
    await session.commit()
    return experience


async def add_education(session: AsyncSession, candidate_id: int, **values: Any) -> Education:
    fields: dict[str, Any] = {
        "degree": "BSc",
        "school": "Sorbonne",
        "start_date": "2010-09",
        "end_date": "2013-06",
    }
    fields.update(values)
    education = Education(candidate_id=candidate_id, **fields)
    session.add(education)
    await session.commit()
    return education


async def add_skill(session: AsyncSession, candidate_id: int, **values: Any) -> Skill:
    fields: dict[str, Any] = {"name": "Python", "level": 3, "category": SkillCategory.TECHNICAL}
    fields.update(values)
    skill = Skill(candidate_id=candidate_id, **fields)
    session.add(skill)
    await session.commit()
    return skill


async def add_cv(
    session: AsyncSession,
    candidate_id: int,
    *,
    filename: str = "cv.pdf",
    created_at: datetime | None = None,
) -> CandidateCV:
    """A CV row as the CV upload stores it (the file itself is not needed by the profile)."""
    cv = CandidateCV(
        candidate_id=candidate_id,
        filename=filename,
        storage_key=f"test-{next(_storage_keys)}.pdf",
        file_size=1234,
        content_type="application/pdf",
        created_at=created_at or datetime.now(UTC),
    )
    session.add(cv)
    await session.commit()
    return cv


async def delete_candidate_row(session: AsyncSession, user: User) -> None:
    await session.execute(delete(Candidate).where(Candidate.user_id == user.id))
    await session.commit()


async def fetch_candidate(session: AsyncSession, user_id: int) -> Candidate | None:
    return await fetch_one(session, select(Candidate).where(Candidate.user_id == user_id))


async def read_profile(client: AsyncClient, caller: Actor) -> dict[str, Any]:
    response = await client.get(PROFILE, headers=caller.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert set(data) == PROFILE_KEYS, sorted(data)
    return data


def ok(response: Response, status_code: int = 200) -> dict[str, Any]:
    assert response.status_code == status_code, response.text
    data: dict[str, Any] = response.json()
    return data


def error_locations(response: Response) -> list[list[str | int]]:
    """The `loc` of each error of a 422 in FastAPI's shape (API.md 1.3)."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    return [error["loc"] for error in detail]


def utc(timestamp: str) -> datetime:
    assert timestamp.endswith("Z"), f"{timestamp!r}: timestamps are UTC with a designator"
    return datetime.fromisoformat(timestamp)
