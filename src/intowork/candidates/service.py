"""Candidate profiles: the profile itself, its experiences, education and skills (API.md 6)."""

from dataclasses import replace
from typing import TypeVar

from loguru import logger
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.candidates import repository
from intowork.candidates.exceptions import (
    EducationNotFound,
    ExperienceNotFound,
    SalaryRangeInvalid,
    SkillNotFound,
)
from intowork.candidates.schemas import (
    CandidateProfile,
    EducationCreate,
    EducationResponse,
    ExperienceCreate,
    ExperienceResponse,
    ProfileUpdate,
    SkillCreate,
    SkillResponse,
)
from intowork.core.cache import Scope, invalidate_after_commit
from intowork.core.signed_urls import UrlSigner
from intowork.models import Candidate, Education, Experience, Skill, User

Item = TypeVar("Item", Experience, Education, Skill)


async def get_or_create_candidate(session: AsyncSession, user: User) -> Candidate:
    """The caller's candidate row: made at sign-up, or here on first use (API.md 6)."""
    candidate = await repository.get_by_user_id(session, user.id)
    if candidate is None:
        candidate = Candidate(user_id=user.id)
        session.add(candidate)
        await session.flush()
    return candidate


def cv_path(candidate_id: int) -> str:
    """Where the owner downloads their latest CV (served by the CVs domain)."""
    return f"/api/candidates/{candidate_id}/cv"


def _completion_may_change(session: AsyncSession, user_id: int) -> None:
    """That candidate's dashboard: its profile completion counts these fields and entries."""
    invalidate_after_commit(session, Scope.user(user_id))


async def get_profile(session: AsyncSession, user: User, *, signer: UrlSigner) -> CandidateProfile:
    """C1: one statement when the candidate row exists (it is made at sign-up). `cv_url` is a
    link signed for the caller (API.md M2)."""
    row = await repository.get_profile(session, user.id)
    if row is None:
        await get_or_create_candidate(session, user)
        row = await repository.get_profile(session, user.id)
        assert row is not None
    return _profile(row, signer, user.id)


def _profile(row: repository.ProfileRow, signer: UrlSigner, viewer_id: int) -> CandidateProfile:
    if row.cv_filename is not None:
        row = replace(row, cv_url=signer.sign(cv_path(row.id), viewer_id))
    profile = CandidateProfile.model_validate(row)
    # C1's orders, applied again here: SQLite (< 3.44) cannot order inside json_group_array, and
    # the order of its subquery is an implementation detail.
    profile.experiences.sort(key=lambda e: e.id, reverse=True)
    profile.experiences.sort(key=lambda e: (e.is_current, e.start_date), reverse=True)
    profile.educations.sort(key=lambda e: (e.start_date, e.id), reverse=True)
    profile.skills.sort(key=lambda s: (s.name, s.id))
    return profile


async def update_profile(
    session: AsyncSession, user: User, *, changes: ProfileUpdate, signer: UrlSigner
) -> CandidateProfile:
    """Partial update. The salary range is checked against the stored bound not sent."""
    candidate = await get_or_create_candidate(session, user)
    values = changes.model_dump(exclude_unset=True)
    low = values.get("salary_expectation_min", candidate.salary_expectation_min)
    high = values.get("salary_expectation_max", candidate.salary_expectation_max)
    if low is not None and high is not None and low > high:
        raise SalaryRangeInvalid()
    for field, value in values.items():
        setattr(candidate, field, value)
    await session.flush()
    _completion_may_change(session, user.id)
    logger.bind(candidate_id=candidate.id, fields=sorted(values)).info("candidates.profile_updated")
    return await get_profile(session, user, signer=signer)


async def _add(session: AsyncSession, user: User, model: type[Item], data: BaseModel) -> Item:
    candidate = await get_or_create_candidate(session, user)
    item = model(candidate_id=candidate.id, **data.model_dump())
    await repository.add(session, item)
    _completion_may_change(session, user.id)
    return item


async def _replace(session: AsyncSession, item: Item, data: BaseModel) -> Item:
    for field, value in data.model_dump().items():
        setattr(item, field, value)
    await session.flush()
    return item


async def add_experience(
    session: AsyncSession, user: User, *, data: ExperienceCreate
) -> ExperienceResponse:
    experience = await _add(session, user, Experience, data)
    return ExperienceResponse.model_validate(experience)


async def get_owned_experience(session: AsyncSession, experience_id: int, user: User) -> Experience:
    """The caller's experience; someone else's is as missing as a deleted one (404)."""
    experience = await repository.get_owned(session, Experience, experience_id, user_id=user.id)
    if experience is None:
        raise ExperienceNotFound()
    return experience


async def update_experience(
    session: AsyncSession, experience: Experience, *, data: ExperienceCreate
) -> ExperienceResponse:
    return ExperienceResponse.model_validate(await _replace(session, experience, data))


async def delete_experience(session: AsyncSession, user: User, experience: Experience) -> None:
    await repository.delete_item(session, experience)
    _completion_may_change(session, user.id)


async def add_education(
    session: AsyncSession, user: User, *, data: EducationCreate
) -> EducationResponse:
    education = await _add(session, user, Education, data)
    return EducationResponse.model_validate(education)


async def get_owned_education(session: AsyncSession, education_id: int, user: User) -> Education:
    """The caller's education entry; someone else's is as missing as a deleted one (404)."""
    education = await repository.get_owned(session, Education, education_id, user_id=user.id)
    if education is None:
        raise EducationNotFound()
    return education


async def update_education(
    session: AsyncSession, education: Education, *, data: EducationCreate
) -> EducationResponse:
    return EducationResponse.model_validate(await _replace(session, education, data))


async def delete_education(session: AsyncSession, user: User, education: Education) -> None:
    await repository.delete_item(session, education)
    _completion_may_change(session, user.id)


async def add_skill(session: AsyncSession, user: User, *, data: SkillCreate) -> SkillResponse:
    skill = await _add(session, user, Skill, data)
    return SkillResponse.model_validate(skill)


async def get_owned_skill(session: AsyncSession, skill_id: int, user: User) -> Skill:
    """The caller's skill; someone else's is as missing as a deleted one (404)."""
    skill = await repository.get_owned(session, Skill, skill_id, user_id=user.id)
    if skill is None:
        raise SkillNotFound()
    return skill


async def update_skill(session: AsyncSession, skill: Skill, *, data: SkillCreate) -> SkillResponse:
    return SkillResponse.model_validate(await _replace(session, skill, data))


async def delete_skill(session: AsyncSession, user: User, skill: Skill) -> None:
    await repository.delete_item(session, skill)
    _completion_may_change(session, user.id)
