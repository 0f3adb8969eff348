"""Resource loaders of the jobs routes (ownership is checked here, once) and the view buffer."""

from typing import Annotated

from fastapi import Depends, Request

from intowork.auth.dependencies import CurrentEmployer
from intowork.core.db import SessionDep
from intowork.core.error_docs import raises
from intowork.core.schemas import PathId
from intowork.jobs import service
from intowork.jobs.exceptions import JobNotFound, NotJobOwner
from intowork.jobs.views import JobViews
from intowork.models import Job

JobId = PathId


@raises(JobNotFound, NotJobOwner)
async def get_owned_job(job_id: JobId, user: CurrentEmployer, session: SessionDep) -> Job:
    return await service.get_owned_job(session, job_id, user)


OwnedJob = Annotated[Job, Depends(get_owned_job)]


async def get_job_views(request: Request) -> JobViews:
    """The app's view buffer (created in the lifespan)."""
    views: JobViews = request.app.state.job_views
    return views


JobViewsDep = Annotated[JobViews, Depends(get_job_views)]
