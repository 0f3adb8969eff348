"""/api/applications: the candidate's applications and the employer's pipeline (API.md 5)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import StreamingResponse

from intowork.applications import flows, service
from intowork.applications.exceptions import (
    AlreadyApplied,
    CannotWithdraw,
    InvalidApplicationTransition,
    JobNotAcceptingApplications,
)
from intowork.applications.schemas import (
    ApplyRequest,
    CandidateApplication,
    CandidateApplicationList,
    EmployerApplicationList,
    NotesUpdateRequest,
    NotesUpdateResponse,
    StatusUpdateRequest,
    StatusUpdateResponse,
)
from intowork.auth.dependencies import CurrentCandidate, CurrentEmployer, EmployerFileViewer
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.errors import Conflict
from intowork.core.http_cache import IfNoneMatch, json_response
from intowork.core.pagination import PageParams, page_params
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MAX_ID, MessageResponse, PathId
from intowork.core.signed_urls import UrlSignerDep
from intowork.core.storage import StorageDep
from intowork.cvs.responses import PDF_RESPONSE, pdf_response
from intowork.cvs.service import CvNotFound
from intowork.jobs.exceptions import JobNotFound
from intowork.models.enums import ApplicationStatus

router = APIRouter(prefix="/api/applications", tags=["applications"])

ApplicationId = PathId
CandidatePage = Annotated[PageParams, Depends(page_params(10))]
EmployerPage = Annotated[PageParams, Depends(page_params(20))]


@router.get(
    "/my/applications",
    response_model=CandidateApplicationList,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def list_my_applications(
    user: CurrentCandidate,
    session: SessionDep,
    paging: CandidatePage,
    status: ApplicationStatus | None = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The caller's applications, newest first."""
    applications = await service.list_candidate_applications_json(
        session, user, status=status, page=paging.page, limit=paging.limit, offset=paging.offset
    )
    return json_response(applications.body, if_none_match=if_none_match, personalised=True)


@router.post(
    "/my/applications",
    response_model=CandidateApplication,
    status_code=status.HTTP_201_CREATED,
    dependencies=[RateLimit(Tier.APPLY)],
    responses=error_responses(
        JobNotAcceptingApplications, AlreadyApplied, JobNotFound, CvNotFound, Conflict
    ),
)
async def apply_to_job(
    body: ApplyRequest, user: CurrentCandidate, session: SessionDep
) -> CandidateApplication:
    """Apply to a published job, with a cover letter and a CV (the latest by default)."""
    return await flows.apply(
        session, user, job_id=body.job_id, cover_letter=body.cover_letter, cv_id=body.cv_id
    )


@router.get(
    "/my/applications/{application_id}",
    response_model=CandidateApplication,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def read_my_application(
    application_id: ApplicationId, user: CurrentCandidate, session: SessionDep
) -> CandidateApplication:
    """One of the caller's applications."""
    return await service.get_candidate_application(session, user, application_id)


@router.delete(
    "/my/applications/{application_id}",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(CannotWithdraw),
)
async def withdraw_application(
    application_id: ApplicationId, user: CurrentCandidate, session: SessionDep
) -> MessageResponse:
    """Withdraw an application that is not yet accepted or rejected."""
    await service.withdraw(session, user, application_id)
    return MessageResponse(message="Application withdrawn successfully")


@router.get(
    "/employer/applications",
    response_model=EmployerApplicationList,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def list_company_applications(
    user: CurrentEmployer,
    session: SessionDep,
    signer: UrlSignerDep,
    paging: EmployerPage,
    status: ApplicationStatus | None = None,
    job_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> EmployerApplicationList:
    """Applications to the caller's company's jobs, newest first, with signed CV links."""
    return await service.list_employer_applications(
        session,
        user,
        signer=signer,
        status=status,
        job_id=job_id,
        page=paging.page,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get(
    "/employer/applications/{application_id}/cv",
    response_class=StreamingResponse,
    responses=PDF_RESPONSE,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def download_application_cv(
    application_id: ApplicationId,
    user: EmployerFileViewer,
    session: SessionDep,
    storage: StorageDep,
) -> StreamingResponse:
    """Download the CV attached to an application, with a token or a signed `cv_url`."""
    return pdf_response(await service.download_cv(session, storage, user, application_id))


@router.put(
    "/employer/applications/{application_id}/status",
    response_model=StatusUpdateResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(InvalidApplicationTransition("{current}", "{requested}")),
)
async def change_application_status(
    application_id: ApplicationId,
    body: StatusUpdateRequest,
    user: CurrentEmployer,
    session: SessionDep,
) -> StatusUpdateResponse:
    """Move an application through the pipeline."""
    await flows.change_status(session, user, application_id, body.status)
    return StatusUpdateResponse(
        message="Application status updated", application_id=application_id, new_status=body.status
    )


@router.put(
    "/employer/applications/{application_id}/notes",
    response_model=NotesUpdateResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def update_application_notes(
    application_id: ApplicationId,
    body: NotesUpdateRequest,
    user: CurrentEmployer,
    session: SessionDep,
) -> NotesUpdateResponse:
    """Replace the employer's private note on an application."""
    await service.update_notes(session, user, application_id, body.notes)
    return NotesUpdateResponse(
        message="Notes updated", application_id=application_id, notes=body.notes
    )
