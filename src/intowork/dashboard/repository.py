"""Dashboard SQL: each role's stats in ONE statement (scalar subqueries), activities in one.

The statements are built once, at import, with bind parameters (`user_id`, `since`, `limit`):
building them per request (the UNION's column proxies, every comparison) and computing their
cache keys cost more Python time than PostgreSQL spent answering them. They run on the session's
connection as Core statements: plain rows, no ORM result machinery. Each row becomes a frozen
dataclass whose fields are the statement's labels, in order: checked once, at import, so rows are
built positionally (cheaper than reading a Row's attributes by name).
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeVarTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Label,
    Row,
    ScalarSelect,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from intowork.models import (
    ApplicationStatusHistory,
    Candidate,
    Company,
    Education,
    Employer,
    Experience,
    Job,
    JobApplication,
    Skill,
    User,
)
from intowork.models.base import Base, UTCDateTime
from intowork.models.enums import ApplicationStatus, JobStatus

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

History = ApplicationStatusHistory
STATUSES = tuple(ApplicationStatus)
USER_ID: BindParameter[int] = bindparam("user_id", type_=Integer)
SINCE: BindParameter[datetime] = bindparam("since", type_=UTCDateTime())
LIMIT: BindParameter[int] = bindparam("limit", type_=Integer)
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class AdminCounts:
    users: int
    users_recent: int
    companies: int
    companies_recent: int
    jobs: int
    jobs_recent: int
    applications: int
    applications_recent: int


@dataclass(frozen=True, slots=True)
class EmployerCounts:
    company_id: int | None
    active_jobs: int
    published_recent: int
    applications: int
    applications_recent: int
    interviews: int
    interviews_recent: int
    responded: int
    responded_recent: int


@dataclass(frozen=True, slots=True)
class CandidateCounts:
    applications: int
    applications_recent: int
    open_jobs: int
    published_recent: int
    interviews: int
    interviews_recent: int
    phone: str | None
    location: str | None
    title: str | None
    summary: str | None
    has_experience: bool
    has_education: bool
    has_skill: bool


EventKind = Literal["application", "status_change", "job"]


@dataclass(frozen=True, slots=True)
class Event:
    """One recent activity: `ref` is the id of the application, status change or job."""

    kind: EventKind
    ref: int
    at: datetime
    job_title: str
    first_name: str | None
    last_name: str | None
    to_status: str | None


def _check_labels(row_type: "type[DataclassInstance]", labels: Iterable[str]) -> None:
    """A statement whose rows fill `row_type` positionally must label its columns as its fields."""
    names, labels = [field.name for field in fields(row_type)], list(labels)
    if names != labels:
        raise TypeError(f"{row_type.__name__} fields {names} != statement labels {labels}")


async def _one(
    session: AsyncSession, statement: Select[*Columns], **params: int | datetime
) -> Row[*Columns]:
    connection = await session.connection()
    return (await connection.execute(statement, params)).one()


def _count(
    model: type[Base],
    *conditions: ColumnElement[bool],
    join: tuple[type[Base], ColumnElement[bool]] | None = None,
) -> ScalarSelect[int]:
    statement = select(func.count()).select_from(model)
    if join is not None:
        statement = statement.join(*join)
    return statement.where(*conditions).scalar_subquery()


def _company_of(user_id: BindParameter[int]) -> ScalarSelect[int | None]:
    return select(Employer.company_id).where(Employer.user_id == user_id).scalar_subquery()


def _candidate_of(user_id: BindParameter[int]) -> ScalarSelect[int]:
    return select(Candidate.id).where(Candidate.user_id == user_id).scalar_subquery()


def _admin_stats(
    since: BindParameter[datetime],
) -> Select[int, int, int, int, int, int, int, int]:
    return select(
        _count(User).label("users"),
        _count(User, User.created_at >= since).label("users_recent"),
        _count(Company).label("companies"),
        _count(Company, Company.created_at >= since).label("companies_recent"),
        _count(Job).label("jobs"),
        _count(Job, Job.created_at >= since).label("jobs_recent"),
        _count(JobApplication).label("applications"),
        _count(JobApplication, JobApplication.created_at >= since).label("applications_recent"),
    )


ADMIN_STATS = _admin_stats(SINCE)
_check_labels(AdminCounts, ADMIN_STATS.selected_columns.keys())


async def admin_stats(session: AsyncSession, *, since: datetime) -> AdminCounts:
    return AdminCounts(*await _one(session, ADMIN_STATS, since=since))


def _employer_stats(
    user_id: BindParameter[int], since: BindParameter[datetime]
) -> Select[int | None, int, int, int, int, int, int, int, int]:
    company_id = _company_of(user_id)
    of_company = (Job, Job.id == JobApplication.job_id)
    first_change = (
        select(func.min(History.changed_at))
        .where(History.application_id == JobApplication.id, History.from_status.is_not(None))
        .correlate(JobApplication)
        .scalar_subquery()
    )
    return select(
        company_id.label("company_id"),
        _count(Job, Job.company_id == company_id, Job.status == JobStatus.PUBLISHED).label(
            "active_jobs"
        ),
        _count(Job, Job.company_id == company_id, Job.posted_at >= since).label("published_recent"),
        _count(JobApplication, Job.company_id == company_id, join=of_company).label("applications"),
        _count(
            JobApplication,
            Job.company_id == company_id,
            JobApplication.applied_at >= since,
            join=of_company,
        ).label("applications_recent"),
        _count(
            JobApplication,
            Job.company_id == company_id,
            JobApplication.status == ApplicationStatus.INTERVIEW,
            join=of_company,
        ).label("interviews"),
        select(func.count())
        .select_from(History)
        .join(JobApplication, JobApplication.id == History.application_id)
        .join(Job, Job.id == JobApplication.job_id)
        .where(
            Job.company_id == company_id,
            History.to_status == ApplicationStatus.INTERVIEW,
            History.changed_at >= since,
        )
        .scalar_subquery()
        .label("interviews_recent"),
        _count(
            JobApplication,
            Job.company_id == company_id,
            JobApplication.status != ApplicationStatus.APPLIED,
            join=of_company,
        ).label("responded"),
        _count(
            JobApplication, Job.company_id == company_id, first_change >= since, join=of_company
        ).label("responded_recent"),
    )


EMPLOYER_STATS = _employer_stats(USER_ID, SINCE)
_check_labels(EmployerCounts, EMPLOYER_STATS.selected_columns.keys())


async def employer_stats(session: AsyncSession, user_id: int, *, since: datetime) -> EmployerCounts:
    row = await _one(session, EMPLOYER_STATS, user_id=user_id, since=since)
    return EmployerCounts(*row)


def _candidate_stats(
    user_id: BindParameter[int], since: BindParameter[datetime]
) -> Select[
    int, int, int, int, int, int, str | None, str | None, str | None, str | None, bool, bool, bool
]:
    candidate_id = _candidate_of(user_id)

    def profile(column: InstrumentedAttribute[str | None]) -> Label[str | None]:
        value = select(column).where(Candidate.user_id == user_id).scalar_subquery()
        return value.label(column.key)

    return select(
        _count(JobApplication, JobApplication.candidate_id == candidate_id).label("applications"),
        _count(
            JobApplication,
            JobApplication.candidate_id == candidate_id,
            JobApplication.applied_at >= since,
        ).label("applications_recent"),
        _count(Job, Job.status == JobStatus.PUBLISHED).label("open_jobs"),
        _count(Job, Job.posted_at >= since).label("published_recent"),
        _count(
            JobApplication,
            JobApplication.candidate_id == candidate_id,
            JobApplication.status == ApplicationStatus.INTERVIEW,
        ).label("interviews"),
        select(func.count())
        .select_from(History)
        .join(JobApplication, JobApplication.id == History.application_id)
        .where(
            JobApplication.candidate_id == candidate_id,
            History.to_status == ApplicationStatus.INTERVIEW,
            History.changed_at >= since,
        )
        .scalar_subquery()
        .label("interviews_recent"),
        profile(Candidate.phone),
        profile(Candidate.location),
        profile(Candidate.title),
        profile(Candidate.summary),
        exists().where(Experience.candidate_id == candidate_id).label("has_experience"),
        exists().where(Education.candidate_id == candidate_id).label("has_education"),
        exists().where(Skill.candidate_id == candidate_id).label("has_skill"),
    )


CANDIDATE_STATS = _candidate_stats(USER_ID, SINCE)
_check_labels(CandidateCounts, CANDIDATE_STATS.selected_columns.keys())


async def candidate_stats(
    session: AsyncSession, user_id: int, *, since: datetime
) -> CandidateCounts:
    row = await _one(session, CANDIDATE_STATS, user_id=user_id, since=since)
    return CandidateCounts(*row)


def _text() -> ColumnElement[str | None]:
    return cast(null(), String)


# One part of the UNION: kind, ref, at, job_title, first_name, last_name, to_status. The union
# reads `kind` as an EventKind and `at` as never null (unposted jobs are left out).
EventPart = Select[str, int, datetime | None, str, str | None, str | None, str | None]


def _recent_activities(
    *, candidate: bool, employer: bool
) -> Select[EventKind, int, datetime, str, str | None, str | None, str | None]:
    """The latest events of a scope, newest first, in one statement (UNION ALL).

    A candidate sees its applications and their status changes; an employer the applications,
    status changes and publications of its company's jobs; an admin (neither) everything.
    """
    scope: list[ColumnElement[bool]] = []
    job_scope: list[ColumnElement[bool]] = []
    if candidate:
        scope.append(Candidate.user_id == USER_ID)
    if employer:
        company_id = _company_of(USER_ID)
        scope.append(Job.company_id == company_id)
        job_scope.append(Job.company_id == company_id)

    applications: EventPart = (
        select(
            literal("application").label("kind"),
            JobApplication.id.label("ref"),
            JobApplication.applied_at.label("at"),
            Job.title.label("job_title"),
            User.first_name.label("first_name"),
            User.last_name.label("last_name"),
            _text().label("to_status"),
        )
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(*scope)
    )
    changes: EventPart = (
        select(
            literal("status_change").label("kind"),
            History.id.label("ref"),
            History.changed_at.label("at"),
            Job.title.label("job_title"),
            User.first_name.label("first_name"),
            User.last_name.label("last_name"),
            cast(History.to_status, String).label("to_status"),
        )
        .select_from(History)
        .join(JobApplication, JobApplication.id == History.application_id)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(History.from_status.is_not(None), *scope)
    )
    parts = [applications, changes]
    if not candidate:
        parts.append(
            select(
                literal("job").label("kind"),
                Job.id.label("ref"),
                Job.posted_at.label("at"),
                Job.title.label("job_title"),
                _text().label("first_name"),
                _text().label("last_name"),
                _text().label("to_status"),
            ).where(Job.posted_at.is_not(None), *job_scope)
        )
    events = union_all(*parts).subquery()
    return select(events).order_by(events.c.at.desc(), events.c.ref.desc()).limit(LIMIT)


RECENT_ACTIVITIES = {
    "candidate": _recent_activities(candidate=True, employer=False),
    "employer": _recent_activities(candidate=False, employer=True),
    "admin": _recent_activities(candidate=False, employer=False),
}
for _statement in RECENT_ACTIVITIES.values():
    _check_labels(Event, _statement.selected_columns.keys())


async def recent_activities(
    session: AsyncSession,
    *,
    candidate_user_id: int | None,
    employer_user_id: int | None,
    limit: int,
) -> list[Event]:
    """The latest events of a candidate, an employer's company, or everything (neither id)."""
    if candidate_user_id is not None:
        statement, user_id = RECENT_ACTIVITIES["candidate"], candidate_user_id
    elif employer_user_id is not None:
        statement, user_id = RECENT_ACTIVITIES["employer"], employer_user_id
    else:
        statement, user_id = RECENT_ACTIVITIES["admin"], None
    connection = await session.connection()
    params = {"limit": limit}
    if user_id is not None:
        params["user_id"] = user_id
    rows = await connection.execute(statement, params)
    return [Event(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class StageCounts:
    applied: int
    viewed: int
    shortlisted: int
    interview: int
    accepted: int
    rejected: int


@dataclass(frozen=True, slots=True)
class JobFunnel:
    job_id: int
    job_title: str
    status: JobStatus
    total_applications: int
    stages: StageCounts


@dataclass(frozen=True, slots=True)
class ApplicationProgress:
    status: ApplicationStatus
    applied_at: datetime
    first_interview_at: datetime | None
    reached: frozenset[ApplicationStatus]
    """The statuses its history ever moved it to."""


async def funnel_by_job(
    session: AsyncSession, company_id: int, *, job_id: int | None
) -> list[JobFunnel]:
    """Per job of the company: its status and its applications counted by current status."""
    per_status = [
        func.count(JobApplication.id).filter(JobApplication.status == status).label(status.value)
        for status in ApplicationStatus
    ]
    conditions = [Job.company_id == company_id]
    if job_id is not None:
        conditions.append(Job.id == job_id)
    rows = await session.execute(
        select(
            Job.id.label("job_id"),
            Job.title.label("job_title"),
            Job.status,
            func.count(JobApplication.id).label("total_applications"),
            *per_status,
        )
        .select_from(Job)
        .outerjoin(JobApplication, JobApplication.job_id == Job.id)
        .where(*conditions)
        .group_by(Job.id, Job.title, Job.status)
        .order_by(func.count(JobApplication.id).desc(), Job.id.desc())
    )
    funnels = []
    for row in rows:
        values = row._asdict()
        stages = StageCounts(**{status.value: values.pop(status.value) for status in STATUSES})
        funnels.append(JobFunnel(**values, stages=stages))
    return funnels


async def funnel_history(
    session: AsyncSession, company_id: int, *, job_id: int | None
) -> list[ApplicationProgress]:
    """Per application: its current status, when it was submitted, the statuses it ever
    reached (from its history), and when it first moved to interview."""
    conditions = [Job.company_id == company_id]
    if job_id is not None:
        conditions.append(Job.id == job_id)
    reached = {
        status: exists()
        .where(History.application_id == JobApplication.id, History.to_status == status)
        .label(f"reached_{status.value}")
        for status in STATUSES
    }
    first_interview = (
        select(func.min(History.changed_at))
        .where(
            History.application_id == JobApplication.id,
            History.to_status == ApplicationStatus.INTERVIEW,
        )
        .scalar_subquery()
        .label("first_interview_at")
    )
    rows = await session.execute(
        select(
            JobApplication.status,
            JobApplication.applied_at,
            first_interview,
            *reached.values(),
        )
        .join(Job, Job.id == JobApplication.job_id)
        .where(*conditions)
    )
    # One row per application: positional, the flags in STATUSES order as `reached` lists them.
    return [
        ApplicationProgress(
            status,
            applied_at,
            first_interview_at,
            frozenset(s for s, hit in zip(STATUSES, flags, strict=True) if hit),
        )
        for status, applied_at, first_interview_at, *flags in rows
    ]
