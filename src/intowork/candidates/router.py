"""/api/candidates: the candidate's own profile, experiences, education and skills (API.md 6).

The CV routes under the same prefix belong to the CVs domain.
"""

from fastapi import APIRouter, Response, status

from intowork.auth.dependencies import CurrentCandidate
from intowork.candidates import service
from intowork.candidates.dependencies import OwnedEducation, OwnedExperience, OwnedSkill
from intowork.candidates.schemas import (
    CandidateProfile,
    EducationCreate,
    EducationResponse,
    EducationUpdate,
    ExperienceCreate,
    ExperienceResponse,
    ExperienceUpdate,
    ProfileUpdate,
    SkillCreate,
    SkillResponse,
    SkillUpdate,
)
from intowork.core.db import SessionDep
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MessageResponse
from intowork.core.signed_urls import UrlSignerDep

router = APIRouter(prefix="/api/candidates", tags=["candidates"])


@router.get("/profile", response_model=CandidateProfile, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_profile(
    session: SessionDep, user: CurrentCandidate, signer: UrlSignerDep
) -> CandidateProfile:
    """The caller's profile with experiences, education, skills and the latest CV."""
    return await service.get_profile(session, user, signer=signer)


@router.put("/profile", response_model=CandidateProfile, dependencies=[RateLimit(Tier.MUTATION)])
async def update_profile(
    body: ProfileUpdate, session: SessionDep, user: CurrentCandidate, signer: UrlSignerDep
) -> CandidateProfile:
    """Change the keys sent; null clears a field."""
    return await service.update_profile(session, user, changes=body, signer=signer)


@router.post(
    "/profile/experiences",
    response_model=ExperienceResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def create_experience(
    body: ExperienceCreate, session: SessionDep, user: CurrentCandidate
) -> ExperienceResponse:
    """Add a work experience."""
    return await service.add_experience(session, user, data=body)


@router.put(
    "/profile/experiences/{experience_id}",
    response_model=ExperienceResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def update_experience(
    body: ExperienceUpdate, experience: OwnedExperience, session: SessionDep
) -> ExperienceResponse:
    """Replace one of the caller's work experiences."""
    return await service.update_experience(session, experience, data=body)


@router.delete(
    "/profile/experiences/{experience_id}",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def delete_experience(
    experience: OwnedExperience, user: CurrentCandidate, session: SessionDep
) -> MessageResponse:
    """Delete one of the caller's work experiences."""
    await service.delete_experience(session, user, experience)
    return MessageResponse(message="Experience deleted")


@router.post(
    "/profile/education", response_model=EducationResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def create_education(
    body: EducationCreate, session: SessionDep, user: CurrentCandidate
) -> EducationResponse:
    """Add an education entry."""
    return await service.add_education(session, user, data=body)


@router.put(
    "/profile/education/{education_id}",
    response_model=EducationResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def update_education(
    body: EducationUpdate, education: OwnedEducation, session: SessionDep
) -> EducationResponse:
    """Replace one of the caller's education entries."""
    return await service.update_education(session, education, data=body)


@router.delete(
    "/profile/education/{education_id}",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def delete_education(
    education: OwnedEducation, user: CurrentCandidate, session: SessionDep
) -> MessageResponse:
    """Delete one of the caller's education entries."""
    await service.delete_education(session, user, education)
    return MessageResponse(message="Education deleted")


@router.post(
    "/profile/skills", response_model=SkillResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def create_skill(
    body: SkillCreate, session: SessionDep, user: CurrentCandidate
) -> SkillResponse:
    """Add a skill."""
    return await service.add_skill(session, user, data=body)


@router.put(
    "/profile/skills/{skill_id}",
    response_model=SkillResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def update_skill(body: SkillUpdate, skill: OwnedSkill, session: SessionDep) -> SkillResponse:
    """Replace one of the caller's skills."""
    return await service.update_skill(session, skill, data=body)


@router.delete(
    "/profile/skills/{skill_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def delete_skill(skill: OwnedSkill, user: CurrentCandidate, session: SessionDep) -> None:
    """Delete one of the caller's skills."""
    await service.delete_skill(session, user, skill)
