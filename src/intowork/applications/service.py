"""The hiring pipeline's reads, withdrawals and notes; applying and status changes, the events
that notify someone, are the flows of `applications/flows.py`."""

import time
from collections.abc import Callable

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.applications import repository
from intowork.applications.exceptions import (
    ApplicationNotFound,
    CannotWithdraw,
    NoAccessToApplication,
)
from intowork.applications.schemas import (
    CandidateApplication,
    CandidateApplicationList,
    EmployerApplication,
    EmployerApplicationList,
)
from intowork.candidates import service as candidates_service
from intowork.core.cache import Scope, Ttl, cache_of, invalidate_after_commit
from intowork.core.http_cache import JsonBody
from intowork.core.pagination import total_pages
from intowork.core.signed_urls import UrlSigner
from intowork.core.storage import Storage
from intowork.cvs import service as cvs_service
from intowork.cvs.service import CvDownload, CvNotFound
from intowork.employers import service as employers_service
from intowork.models import User
from intowork.models.enums import ApplicationStatus

S = ApplicationStatus
FINAL = frozenset({S.ACCEPTED, S.REJECTED})


def employer_cv_path(application_id: int) -> str:
    return f"/api/applications/employer/applications/{application_id}/cv"


def _candidate_view(row: repository.CandidateApplicationRow) -> CandidateApplication:
    return CandidateApplication.model_validate(row)


def _employer_view(
    row: repository.EmployerApplicationRow, cv_url: Callable[[int], str]
) -> EmployerApplication:
    return EmployerApplication(
        id=row.id,
        job_id=row.job_id,
        job_title=row.job_title,
        candidate_id=row.candidate_id,
        candidate_name=f"{row.first_name} {row.last_name}",
        candidate_email=row.candidate_email,
        candidate_phone=row.candidate_phone,
        status=row.status,
        applied_at=row.applied_at,
        cover_letter=row.cover_letter,
        notes=row.notes,
        cv_url=cv_url(row.id) if row.cv_id is not None else None,
    )


def candidate_scopes(user_id: int) -> tuple[str, ...]:
    """A candidate's event: its list of applications and its dashboard."""
    return (Scope.applications(user_id), Scope.user(user_id))


async def list_candidate_applications_json(
    session: AsyncSession,
    user: User,
    *,
    status: ApplicationStatus | None,
    page: int,
    limit: int,
    offset: int,
) -> JsonBody:
    """The candidate's list through the cache: per candidate, renewed by its events."""
    cache = cache_of(session)

    async def render() -> bytes:
        applications = await list_candidate_applications(
            session, user, status=status, page=page, limit=limit, offset=offset
        )
        return applications.model_dump_json(by_alias=True).encode()

    if cache is None:
        return JsonBody(await render(), personalised=True)
    key = await cache.my_applications_key(user.id, repr((status, page, limit)))
    body = await cache.get_or_compute("my_applications", key, Ttl.MY_APPLICATIONS, render)
    return JsonBody(body, personalised=True)


async def list_candidate_applications(
    session: AsyncSession,
    user: User,
    *,
    status: ApplicationStatus | None,
    page: int,
    limit: int,
    offset: int,
) -> CandidateApplicationList:
    """One statement (two for a page past the end): the candidate is found from its user."""
    rows, total = await repository.list_for_candidate_user(
        session, user.id, status=status, offset=offset, limit=limit
    )
    return CandidateApplicationList(
        applications=[_candidate_view(row) for row in rows],
        total=total,
        page=page,
        limit=limit,
        total_pages=total_pages(total, limit),
    )


async def get_candidate_application(
    session: AsyncSession, user: User, application_id: int
) -> CandidateApplication:
    candidate = await candidates_service.get_or_create_candidate(session, user)
    row = await repository.get_for_candidate(session, application_id, candidate.id)
    if row is None:
        raise ApplicationNotFound()
    return _candidate_view(row)


async def withdraw(session: AsyncSession, user: User, application_id: int) -> None:
    """P2: any status but accepted or rejected; the candidate may apply again afterwards."""
    application = await get_candidate_application(session, user, application_id)
    if application.status in FINAL:
        raise CannotWithdraw()
    if not await repository.delete_unless_final(session, application.id, final=FINAL):
        # Accepted or rejected meanwhile, or withdrawn by a concurrent request.
        if await repository.exists(session, application.id):
            raise CannotWithdraw()
        raise ApplicationNotFound()
    employers = await employers_service.employers_of_job(session, application.job_id)
    invalidate_after_commit(
        session, *candidate_scopes(user.id), Scope.job(application.job_id), Scope.STATS, *employers
    )
    logger.bind(application_id=application.id).info("applications.withdrawn")


async def list_employer_applications(
    session: AsyncSession,
    user: User,
    *,
    signer: UrlSigner,
    status: ApplicationStatus | None,
    job_id: int | None,
    page: int,
    limit: int,
    offset: int,
) -> EmployerApplicationList:
    """P3; each `cv_url` is a link signed for the caller (API.md M2)."""
    employer = await employers_service.get_or_create_employer(session, user)
    rows: list[repository.EmployerApplicationRow] = []
    total = 0
    if employer.company_id is not None:
        rows, total = await repository.list_for_company(
            session, employer.company_id, status=status, job_id=job_id, offset=offset, limit=limit
        )
    now = time.time()

    def cv_url(application_id: int) -> str:
        return signer.sign(employer_cv_path(application_id), user.id, now)

    return EmployerApplicationList(
        applications=[_employer_view(row, cv_url) for row in rows],
        total=total,
        page=page,
        limit=limit,
        total_pages=total_pages(total, limit),
    )


async def visible_to_employer(
    session: AsyncSession, user: User, application_id: int
) -> repository.EmployerContext:
    """The application, if its job belongs to the caller's company: else 404 or 403."""
    application = await repository.get_for_employer(session, application_id, viewer_user_id=user.id)
    if application is None:
        raise ApplicationNotFound()
    if application.viewer_company_id != application.company_id:
        raise NoAccessToApplication()
    return application


async def update_notes(
    session: AsyncSession, user: User, application_id: int, notes: str | None
) -> None:
    application = await visible_to_employer(session, user, application_id)
    if not await repository.set_notes(session, application.id, notes):
        raise ApplicationNotFound()  # withdrawn meanwhile


async def download_cv(
    session: AsyncSession, storage: Storage, user: User, application_id: int
) -> CvDownload:
    """P4: the CV attached to the application, for the employers who see it."""
    application = await visible_to_employer(session, user, application_id)
    cv = await cvs_service.get_cv(session, application.cv_id) if application.cv_id else None
    if cv is None:
        raise CvNotFound()
    return await cvs_service.open_cv(storage, cv)
