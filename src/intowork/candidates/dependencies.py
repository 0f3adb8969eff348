"""Resource loaders of the candidate routes: ownership is checked here, once."""

from typing import Annotated

from fastapi import Depends

from intowork.auth.dependencies import CurrentCandidate
from intowork.candidates import service
from intowork.candidates.exceptions import EducationNotFound, ExperienceNotFound, SkillNotFound
from intowork.core.db import SessionDep
from intowork.core.error_docs import raises
from intowork.core.schemas import PathId
from intowork.models import Education, Experience, Skill

ItemId = PathId


@raises(ExperienceNotFound)
async def get_owned_experience(
    experience_id: ItemId, user: CurrentCandidate, session: SessionDep
) -> Experience:
    return await service.get_owned_experience(session, experience_id, user)


@raises(EducationNotFound)
async def get_owned_education(
    education_id: ItemId, user: CurrentCandidate, session: SessionDep
) -> Education:
    return await service.get_owned_education(session, education_id, user)


@raises(SkillNotFound)
async def get_owned_skill(skill_id: ItemId, user: CurrentCandidate, session: SessionDep) -> Skill:
    return await service.get_owned_skill(session, skill_id, user)


OwnedExperience = Annotated[Experience, Depends(get_owned_experience)]
OwnedEducation = Annotated[Education, Depends(get_owned_education)]
OwnedSkill = Annotated[Skill, Depends(get_owned_skill)]
