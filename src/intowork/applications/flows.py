"""The pipeline's events, each one flow: applying, and moving an application to a new status.

Every event writes, in its transaction, the application's history (who, from, to, when), an
in-app notification and an e-mail outbox row for the person it concerns (`record_event`). The
cache scopes it makes stale and its business metric follow the commit (`after_commit`), so a
rolled-back event bumps and counts nothing.
"""

from collections.abc import Callable, Mapping
from functools import partial

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.applications import repository
from intowork.applications.exceptions import (
    AlreadyApplied,
    ApplicationNotFound,
    InvalidApplicationTransition,
    JobNotAcceptingApplications,
)
from intowork.applications.repository import Recipient
from intowork.applications.schemas import ApplicationJob, CandidateApplication
from intowork.applications.service import candidate_scopes, visible_to_employer
from intowork.candidates import service as candidates_service
from intowork.core.cache import Scope, invalidate_after_commit
from intowork.core.db import after_commit
from intowork.core.errors import AppError
from intowork.core.i18n import gettext, language_of
from intowork.core.observability import metrics
from intowork.cvs import service as cvs_service
from intowork.email.service import enqueue_email
from intowork.employers import service as employers_service
from intowork.jobs import service as jobs_service
from intowork.jobs.exceptions import JobNotFound
from intowork.models import ApplicationStatusHistory, User
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


async def apply(
    session: AsyncSession,
    user: User,
    *,
    job_id: int,
    cover_letter: str | None,
    cv_id: int | None,
) -> CandidateApplication:
    """P1: published jobs only, once per candidate and job (the database's unique index).

    Refusals in this order: unknown job (404), job not published (400), CV not the caller's
    (404), already applied (400).
    """
    job = await repository.get_job_to_apply(session, job_id, candidate_user_id=user.id)
    if job is None:
        raise JobNotFound()
    if job.status is not JobStatus.PUBLISHED:
        raise JobNotAcceptingApplications()
    candidate_id = job.candidate_id
    if candidate_id is None:  # made at sign-up; made here for an account that predates that
        candidate_id = (await candidates_service.get_or_create_candidate(session, user)).id
    attached_cv = (
        await cvs_service.owned_cv_id(session, cv_id, candidate_id)
        if cv_id is not None
        else await cvs_service.latest_cv_id(session, candidate_id)
    )
    inserted = await repository.insert_unless_applied(
        session,
        job_id=job_id,
        candidate_id=candidate_id,
        cv_id=attached_cv,
        cover_letter=cover_letter,
    )
    if inserted is None:
        raise await _refusal(session, job_id)
    applicant = f"{user.first_name} {user.last_name}"
    record_event(
        session,
        application_id=inserted.id,
        job_id=job_id,
        change=(None, S.APPLIED),
        by=user,
        to=job.employer,
        notification=NotificationType.NEW_APPLICATION,
        text=lambda: (
            gettext("New application"),
            gettext(
                '{applicant} applied to "{job_title}".',
                applicant=applicant,
                job_title=job.view.title,
            ),
        ),
        email=EmailTemplate.NEW_APPLICATION,
        context={
            "applicant_name": applicant,
            "job_title": job.view.title,
            "company_name": job.view.company_name,
        },
    )
    # The job's detail shows applications_count; the lists show it too, but tolerate its
    # staleness for their TTL (60 s) rather than every page being recomputed per application.
    await _after_commit(
        session,
        company_id=job.company_id,
        scopes=(*candidate_scopes(user.id), Scope.job(job_id), Scope.STATS),
        metric=metrics.application_submitted,
    )
    logger.bind(application_id=inserted.id, job_id=job_id).info("applications.submitted")
    return CandidateApplication(
        id=inserted.id,
        job_id=job_id,
        candidate_id=candidate_id,
        status=S.APPLIED,
        applied_at=inserted.applied_at,
        cover_letter=cover_letter,
        cv_id=attached_cv,
        job=ApplicationJob.model_validate(job.view),
    )


async def _refusal(session: AsyncSession, job_id: int) -> AppError:
    """Why the insert inserted nothing, told by the job's status now: deleted or closed since
    it was read (the same refusals as before the insert), else applied already."""
    status = await jobs_service.get_job_status(session, job_id)
    if status is None:
        return JobNotFound()
    if status is not JobStatus.PUBLISHED:
        return JobNotAcceptingApplications()
    return AlreadyApplied()


async def change_status(
    session: AsyncSession, user: User, application_id: int, status: ApplicationStatus
) -> None:
    """P5: along `TRANSITIONS`; the same status again is a no-op."""
    application = await visible_to_employer(session, user, application_id)
    previous = await _move(session, application.id, read=application.status, to=status)
    if previous is None:
        return
    record_event(
        session,
        application_id=application.id,
        job_id=application.job_id,
        change=(previous, status),
        by=user,
        to=application.candidate,
        notification=NotificationType.STATUS_CHANGE,
        text=lambda: (
            gettext("Application status updated"),
            gettext(
                'Your application for "{job_title}" moved to {status}.',
                job_title=application.job_title,
                status=gettext(status.value),
            ),
        ),
        email=EmailTemplate.STATUS_CHANGE,
        context={"job_title": application.job_title, "status": status.value},
    )
    await _after_commit(
        session,
        company_id=application.company_id,
        scopes=candidate_scopes(application.candidate.user_id),
        metric=partial(metrics.application_status_changed, previous, status),
    )
    logger.bind(
        application_id=application.id, from_status=previous.value, to_status=status.value
    ).info("applications.status_changed")


async def _move(
    session: AsyncSession, application_id: int, *, read: ApplicationStatus, to: ApplicationStatus
) -> ApplicationStatus | None:
    """The status the application moved from; None when it already had `to`.

    Usually one compare-and-set from the status just read. Otherwise (the same status, a refused
    move, or a concurrent change since the read) it is decided from the status under the row's
    lock: of concurrent changes, each sees the one before it (a repeated change is a no-op, a
    move from a final status a 409).
    """
    if to in TRANSITIONS[read] and await repository.move_status(
        session, application_id, from_status=read, to_status=to
    ):
        return read
    current = await repository.lock_status(session, application_id)
    if current is None:
        raise ApplicationNotFound()  # withdrawn meanwhile
    if to is current:
        return None
    if to not in TRANSITIONS[current]:
        raise InvalidApplicationTransition(current.value, to.value)
    await repository.set_status(session, application_id, to)
    return current


async def _after_commit(
    session: AsyncSession,
    *,
    company_id: int,
    scopes: tuple[str, ...],
    metric: Callable[[], None],
) -> None:
    """Once the transaction committed: the cache scopes the event made stale, with the
    dashboards of the company's employers, are renewed, and its business metric counted."""
    employers = await employers_service.employers_of(session, company_id)
    invalidate_after_commit(session, *scopes, *employers)
    after_commit(session, metric)


def record_event(
    session: AsyncSession,
    *,
    application_id: int,
    job_id: int,
    change: tuple[ApplicationStatus | None, ApplicationStatus],
    by: User,
    to: Recipient,
    notification: NotificationType,
    text: Callable[[], tuple[str, str]],
    email: EmailTemplate,
    context: Mapping[str, str],
) -> None:
    """The history row, the notification (`text`: its title and message, composed in the
    recipient's language) and the e-mail (its context gets the recipient's first name)."""
    from_status, to_status = change
    session.add(
        ApplicationStatusHistory(
            application_id=application_id,
            from_status=from_status,
            to_status=to_status,
            changed_by_user_id=by.id,
        )
    )
    with language_of(to.language):
        title, message = text()
    notify(
        session,
        user_id=to.user_id,
        type=notification,
        title=title,
        message=message,
        related_job_id=job_id,
        related_application_id=application_id,
    )
    enqueue_email(
        session,
        to_email=to.email,
        template=email,
        context={"first_name": to.first_name, **context},
        language=to.language,
    )
