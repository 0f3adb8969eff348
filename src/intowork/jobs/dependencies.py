"""Resource loaders of the jobs routes: ownership is checked here, once."""

from typing import Annotated

from fastapi import Depends

from intowork.auth.dependencies import CurrentEmployer
from intowork.core.db import SessionDep
from intowork.core.schemas import PathId
from intowork.jobs import service
from intowork.models import Job

JobId = PathId


async def get_owned_job(job_id: JobId, user: CurrentEmployer, session: SessionDep) -> Job:
    return await service.get_owned_job(session, job_id, user)


OwnedJob = Annotated[Job, Depends(get_owned_job)]
