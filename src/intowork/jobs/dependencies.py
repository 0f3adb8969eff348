"""Resource loaders of the jobs routes: ownership is checked here, once."""

from typing import Annotated

from fastapi import Depends, Path

from intowork.auth.dependencies import CurrentEmployer
from intowork.core.db import SessionDep
from intowork.core.schemas import MAX_ID
from intowork.jobs import service
from intowork.models import Job

JobId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def get_owned_job(job_id: JobId, user: CurrentEmployer, session: SessionDep) -> Job:
    return await service.get_owned_job(session, job_id, user)


OwnedJob = Annotated[Job, Depends(get_owned_job)]
