"""The hiring pipeline: applying, withdrawing, and moving applications through their statuses.

Every event writes, in the same transaction: the application's history (who, from, to, when),
an in-app notification and an e-mail outbox row for the person it concerns.
"""

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from loguru import logger
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.applications import repository
from intowork.applications.exceptions import (
    AlreadyApplied,
    ApplicationNotFound,
    CannotWithdraw,
    InvalidApplicationTransition,
    JobNotAcceptingApplications,
    NoAccessToApplication,
)
from intowork.applications.schemas import (
    ApplicationJob,
    CandidateApplication,
    CandidateApplicationList,
    EmployerApplication,
    EmployerApplicationList,
)
from intowork.candidates import service as candidates_service
from intowork.core.cache import Scope, Ttl, cache_of, invalidate_after_commit
from intowork.core.db import after_commit
from intowork.core.http_cache import JsonBody
from intowork.core.i18n import gettext, language_of
from intowork.core.observability import metrics
from intowork.core.pagination import total_pages
from intowork.core.signed_urls import UrlSigner
from intowork.core.storage import Storage
from intowork.cvs import service as cvs_service
from intowork.cvs.service import CvDownload, CvNotFound
from intowork.email.service import enqueue_email
from intowork.employers import service as employers_service
from intowork.jobs import service as jobs_service
from intowork.models import ApplicationStatusHistory, JobApplication, User
from intowork.models.enums import ApplicationStatus, EmailTemplate, JobStatus, NotificationType
from intowork.notifications.service import notify

S = ApplicationStatus
# P5: where each status may go; accepted and rejected are final.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.APPLIED: frozenset({S.VIEWED, S.SHORTLISTED, S.INTERVIEW, S.REJECTED}),
    S.VIEWED: frozenset({S.SHORTLISTED, S.INTERVIEW, S.REJECTED}),
    S.SHORTLISTED: frozenset({S.INTERVIEW, S.REJECTED, S.ACCEPTED}),
    S.INTERVIEW: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset(),
}
FINAL = frozenset({S.ACCEPTED, S.REJECTED})
# How each engine names the violated unique (candidate_id, job_id) constraint.
ONE_APPLICATION_PER_JOB = "uq_job_applications_candidate_id_job_id"
SQLITE_UNIQUE_VIOLATION = "UNIQUE constraint failed: job_applications.candidate_id"


def employer_cv_path(application_id: int) -> str:
    return f"/api/applications/employer/applications/{application_id}/cv"


def _candidate_view(row: Any) -> CandidateApplication:
    values = row._mapping
    return CandidateApplication(
        id=values["id"],
        job_id=values["job_id"],
        candidate_id=values["candidate_id"],
        status=values["status"],
        applied_at=values["applied_at"],
        cover_letter=values["cover_letter"],
        cv_id=values["cv_id"],
        job=ApplicationJob(
            id=values["job_id"],
            title=values["job_title"],
            company_name=values["company_name"],
            location=values["location"],
            location_type=values["location_type"],
            job_type=values["job_type"],
            salary_min=values["salary_min"],
            salary_max=values["salary_max"],
            currency=values["currency"],
        ),
    )


def _employer_view(row: Any, cv_url: Callable[[int], str]) -> EmployerApplication:
    values = dict(row._mapping)
    cv_id = values.pop("cv_id")
    first, last = values.pop("first_name"), values.pop("last_name")
    return EmployerApplication(
        **values,
        candidate_name=f"{first} {last}",
        cv_url=cv_url(values["id"]) if cv_id is not None else None,
    )


async def apply(
    session: AsyncSession,
    user: User,
    *,
    job_id: int,
    cover_letter: str | None,
    cv_id: int | None,
) -> CandidateApplication:
    """P1: published jobs only, once per candidate and job (the database's unique index)."""
    candidate = await candidates_service.get_or_create_candidate(session, user)
    job = await jobs_service.get_job_summary(session, job_id)
    if job.status is not JobStatus.PUBLISHED:
        raise JobNotAcceptingApplications()
    attached_cv = (
        await cvs_service.owned_cv_id(session, cv_id, candidate.id)
        if cv_id is not None
        else await cvs_service.latest_cv_id(session, candidate.id)
    )
    if await repository.exists_for(session, candidate_id=candidate.id, job_id=job.id):
        raise AlreadyApplied()
    application = JobApplication(
        job_id=job.id,
        candidate_id=candidate.id,
        cv_id=attached_cv,
        cover_letter=cover_letter,
        status=S.APPLIED,
    )
    session.add(application)
    try:
        await session.flush()
    except IntegrityError as exc:
        if ONE_APPLICATION_PER_JOB in str(exc.orig) or SQLITE_UNIQUE_VIOLATION in str(exc.orig):
            raise AlreadyApplied() from exc  # a concurrent apply by the same candidate won
        raise  # the job or the CV went away meanwhile: the generic conflict
    # Read again now that the row is written. On PostgreSQL the job is share-locked since the
    # first read, so this agrees with it. On SQLite that read ran before the write transaction,
    # and a close may have committed since; now the transaction holds the one write lock, so
    # a close commits either before this read or after this application.
    if await jobs_service.get_job_status(session, job.id) is not JobStatus.PUBLISHED:
        raise JobNotAcceptingApplications()
    session.add(
        ApplicationStatusHistory(
            application_id=application.id,
            from_status=None,
            to_status=S.APPLIED,
            changed_by_user_id=user.id,
        )
    )
    applicant = f"{user.first_name} {user.last_name}"
    with language_of(job.employer_language):
        notify(
            session,
            user_id=job.employer_user_id,
            type=NotificationType.NEW_APPLICATION,
            title=gettext("New application"),
            message=gettext(
                '{applicant} applied to "{job_title}".', applicant=applicant, job_title=job.title
            ),
            related_job_id=job.id,
            related_application_id=application.id,
        )
    enqueue_email(
        session,
        to_email=job.employer_email,
        template=EmailTemplate.NEW_APPLICATION,
        context={
            "first_name": job.employer_first_name,
            "applicant_name": applicant,
            "job_title": job.title,
            "company_name": job.company_name,
        },
        language=job.employer_language,
    )
    await session.flush()
    # The job's detail shows applications_count; the lists show it too, but tolerate its
    # staleness for their TTL (60 s) rather than every page being recomputed per application.
    employers = await employers_service.employers_of(session, job.company_id)
    invalidate_after_commit(
        session, *_candidate_scopes(user.id), Scope.job(job.id), Scope.STATS, *employers
    )
    after_commit(session, metrics.application_submitted)
    logger.bind(application_id=application.id, job_id=job.id).info("applications.submitted")
    return await get_candidate_application(session, user, application.id)


def _candidate_scopes(user_id: int) -> tuple[str, ...]:
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
        session, *_candidate_scopes(user.id), Scope.job(application.job_id), Scope.STATS, *employers
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
    rows: list[Any] = []
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


async def _visible_to_employer(session: AsyncSession, user: User, application_id: int) -> Any:
    """The application, if its job belongs to the caller's company: else 404 or 403."""
    row = await repository.get_with_context(session, application_id)
    if row is None:
        raise ApplicationNotFound()
    employer = await employers_service.get_or_create_employer(session, user)
    if employer.company_id is None or row.company_id != employer.company_id:
        raise NoAccessToApplication()
    return row


async def change_status(
    session: AsyncSession, user: User, application_id: int, status: ApplicationStatus
) -> None:
    application = await _visible_to_employer(session, user, application_id)
    # Decided from the status under lock, not from the read above: of concurrent changes, each
    # sees the one before it (a repeated change is a no-op, a move from a final status a 409).
    current = await repository.lock_status(session, application.id)
    if current is None:
        raise ApplicationNotFound()  # withdrawn meanwhile
    if status is current:
        return
    if status not in TRANSITIONS[current]:
        raise InvalidApplicationTransition(current.value, status.value)
    await repository.set_status(session, application.id, status)
    session.add(
        ApplicationStatusHistory(
            application_id=application.id,
            from_status=current,
            to_status=status,
            changed_by_user_id=user.id,
        )
    )
    with language_of(application.candidate_language):
        notify(
            session,
            user_id=application.candidate_user_id,
            type=NotificationType.STATUS_CHANGE,
            title=gettext("Application status updated"),
            message=gettext(
                'Your application for "{job_title}" moved to {status}.',
                job_title=application.job_title,
                status=gettext(status.value),
            ),
            related_job_id=application.job_id,
            related_application_id=application.id,
        )
    enqueue_email(
        session,
        to_email=application.candidate_email,
        template=EmailTemplate.STATUS_CHANGE,
        context={
            "first_name": application.candidate_first_name,
            "job_title": application.job_title,
            "status": status.value,
        },
        language=application.candidate_language,
    )
    await session.flush()
    employers = await employers_service.employers_of(session, application.company_id)
    invalidate_after_commit(session, *_candidate_scopes(application.candidate_user_id), *employers)
    after_commit(session, partial(metrics.application_status_changed, current, status))
    logger.bind(
        application_id=application.id, from_status=current.value, to_status=status.value
    ).info("applications.status_changed")


async def update_notes(
    session: AsyncSession, user: User, application_id: int, notes: str | None
) -> None:
    application = await _visible_to_employer(session, user, application_id)
    if not await repository.set_notes(session, application.id, notes):
        raise ApplicationNotFound()  # withdrawn meanwhile


async def download_cv(
    session: AsyncSession, storage: Storage, user: User, application_id: int
) -> CvDownload:
    """P4: the CV attached to the application, for the employers who see it."""
    application = await _visible_to_employer(session, user, application_id)
    cv = await cvs_service.get_cv(session, application.cv_id) if application.cv_id else None
    if cv is None:
        raise CvNotFound()
    return await cvs_service.open_cv(storage, cv)
