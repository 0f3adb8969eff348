"""/api/jobs: the public list and search, details, and the employer's job management (API.md 4)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from intowork.auth.dependencies import CurrentEmployer, OptionalUser
from intowork.core.config import SettingsDep
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.http_cache import IfNoneMatch, json_response
from intowork.core.pagination import PageParams, page_params
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MAX_ID, NulFree
from intowork.jobs import service
from intowork.jobs.dependencies import JobId, JobViewsDep, OwnedJob
from intowork.jobs.exceptions import InvalidJobTransition, JobHasApplications, NoCompany
from intowork.jobs.repository import JobFilters, JobListQuery
from intowork.jobs.schemas import (
    SALARY_MAX,
    JobCreate,
    JobDetailResponse,
    JobListResponse,
    JobResponse,
    JobSort,
    JobStatusUpdate,
    JobUpdate,
    RecentJobsResponse,
)
from intowork.jobs.search import parse_search
from intowork.models.enums import JobLocation, JobStatus, JobType

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

JobPage = Annotated[PageParams, Depends(page_params(10))]
SearchText = Annotated[str | None, Query(max_length=500), NulFree]


@router.get("", response_model=JobListResponse, dependencies=[RateLimit(Tier.LISTING)])
async def list_jobs(
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalUser,
    paging: JobPage,
    if_none_match: IfNoneMatch = None,
    search: SearchText = None,
    location: Annotated[str | None, Query(max_length=200), NulFree] = None,
    job_type: JobType | None = None,
    location_type: JobLocation | None = None,
    salary_min: Annotated[int | None, Query(ge=0, le=SALARY_MAX)] = None,
    company_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    sort: JobSort = JobSort.RECENT,
) -> Response:
    """Published jobs: full-text search, filters, pagination."""
    filters = JobFilters(
        search=parse_search(search),
        location=location,
        job_type=job_type,
        location_type=location_type,
        salary_min=salary_min,
        company_id=company_id,
    )
    query = JobListQuery(
        filters=filters,
        paging=paging,
        by_relevance=sort is JobSort.RELEVANCE,
        count_cap=settings.job_list_count_cap,
    )
    page = await service.list_jobs(session, query, viewer=viewer)
    return json_response(page.body, if_none_match=if_none_match, personalised=page.personalised)


@router.get("/my-jobs", response_model=JobListResponse, dependencies=[RateLimit(Tier.DEFAULT)])
async def list_my_jobs(
    session: SessionDep,
    user: CurrentEmployer,
    paging: JobPage,
    search: SearchText = None,
    status_filter: JobStatus | None = None,
) -> JobListResponse:
    """The caller's jobs in every status, newest first."""
    return await service.list_employer_jobs(
        session,
        user,
        search=search.strip() if search else None,
        status=status_filter,
        page=paging.page,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get(
    "/stats/recent", response_model=RecentJobsResponse, dependencies=[RateLimit(Tier.DEFAULT)]
)
async def count_recent_jobs(
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=30)] = 7,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """How many jobs were published in the last `days` days."""
    count = await service.count_recent_jobs(session, days=days)
    # Public validators: the IntoWork frontend asks for it anonymously, dozens of times a minute.
    body = RecentJobsResponse(count=count, days=days).model_dump_json().encode()
    return json_response(body, if_none_match=if_none_match, personalised=False)


@router.post(
    "/create",
    response_model=JobResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(NoCompany),
)
async def create_job(body: JobCreate, session: SessionDep, user: CurrentEmployer) -> JobResponse:
    """Post a job for the caller's company, published (default) or as a draft."""
    return await service.create_job(session, user, body)


@router.get("/{job_id}", response_model=JobDetailResponse, dependencies=[RateLimit(Tier.DETAIL)])
async def read_job(
    job_id: JobId,
    session: SessionDep,
    viewer: OptionalUser,
    views: JobViewsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """A job's details; unpublished jobs are visible to their owner only."""
    detail = await service.get_job_detail(session, job_id, viewer=viewer, views=views)
    return json_response(detail.body, if_none_match=if_none_match, personalised=detail.personalised)


@router.put("/{job_id}", response_model=JobResponse, dependencies=[RateLimit(Tier.MUTATION)])
async def update_job(body: JobUpdate, job: OwnedJob, session: SessionDep) -> JobResponse:
    """Replace a job's content (its status changes through PATCH /status)."""
    return await service.update_job(session, job, body)


@router.patch(
    "/{job_id}/status",
    response_model=JobResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(InvalidJobTransition("{current}", "{requested}")),
)
async def change_job_status(
    body: JobStatusUpdate, job: OwnedJob, session: SessionDep
) -> JobResponse:
    """Move a job through its lifecycle: draft, published, closed, archived."""
    return await service.change_status(session, job, body.status)


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(JobHasApplications),
)
async def delete_job(job: OwnedJob, session: SessionDep) -> None:
    """Delete a job nobody applied to."""
    await service.delete_job(session, job)
