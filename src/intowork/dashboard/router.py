"""/api/dashboard: stats, recent activities and the hiring funnel (API.md 8)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from intowork.auth.dependencies import CurrentEmployer, CurrentUser
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.http_cache import IfNoneMatch, json_response
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MAX_ID
from intowork.dashboard import service
from intowork.dashboard.schemas import Activity, DashboardResponse, FunnelResponse
from intowork.dashboard.service import CompanyNotFound
from intowork.jobs.exceptions import JobNotFound

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("", response_model=DashboardResponse, dependencies=[RateLimit(Tier.DASHBOARD)])
async def read_dashboard(
    user: CurrentUser, session: SessionDep, if_none_match: IfNoneMatch = None
) -> Response:
    """The caller's dashboard: four stats, recent activities, profile completion."""
    dashboard = await service.get_dashboard_json(session, user)
    return json_response(dashboard.body, if_none_match=if_none_match, personalised=True)


@router.get("/activities", response_model=list[Activity], dependencies=[RateLimit(Tier.DASHBOARD)])
async def list_activities(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Activity]:
    """The caller's recent events, newest first."""
    return await service.list_activities(session, user, limit=limit)


@router.get(
    "/employer-funnel",
    response_model=FunnelResponse,
    dependencies=[RateLimit(Tier.DASHBOARD)],
    responses=error_responses(CompanyNotFound, JobNotFound),
)
async def read_employer_funnel(
    user: CurrentEmployer,
    session: SessionDep,
    job_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> FunnelResponse:
    """The company's hiring funnel, overall and per job."""
    return await service.get_funnel(session, user, job_id=job_id)
