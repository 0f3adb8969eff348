"""Dashboard SQL: each role's stats in ONE statement (scalar subqueries), activities in one.

The statements are built once, at import, with bind parameters (`user_id`, `since`, `limit`):
building them per request (the UNION's column proxies, every comparison) and computing their
cache keys cost more Python time than PostgreSQL spent answering them. They run on the session's
connection as Core statements: plain rows, no ORM result machinery.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
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

from intowork.core.db import AnySelect
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
from intowork.models.base import UTCDateTime
from intowork.models.enums import ApplicationStatus, JobStatus

History = ApplicationStatusHistory
USER_ID = bindparam("user_id", type_=Integer)
SINCE = bindparam("since", type_=UTCDateTime())
LIMIT = bindparam("limit", type_=Integer)


async def _one(session: AsyncSession, statement: Any, **params: Any) -> Row[Any]:
    connection = await session.connection()
    return (await connection.execute(statement, params)).one()


def _count(model: Any, *conditions: ColumnElement[bool], join: Any = None) -> Any:
    statement = select(func.count()).select_from(model)
    if join is not None:
        statement = statement.join(*join)
    return statement.where(*conditions).scalar_subquery()


def _company_of(user_id: Any) -> Any:
    return select(Employer.company_id).where(Employer.user_id == user_id).scalar_subquery()


def _candidate_of(user_id: Any) -> Any:
    return select(Candidate.id).where(Candidate.user_id == user_id).scalar_subquery()


def _admin_stats(since: Any) -> Any:
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


async def admin_stats(session: AsyncSession, *, since: datetime) -> Any:
    return await _one(session, ADMIN_STATS, since=since)


def _employer_stats(user_id: Any, since: Any) -> Any:
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


async def employer_stats(session: AsyncSession, user_id: int, *, since: datetime) -> Any:
    return await _one(session, EMPLOYER_STATS, user_id=user_id, since=since)


def _candidate_stats(user_id: Any, since: Any) -> Any:
    candidate_id = _candidate_of(user_id)

    def profile(column: Any) -> Any:
        return select(column).where(Candidate.user_id == user_id).scalar_subquery()

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
        profile(Candidate.phone).label("phone"),
        profile(Candidate.location).label("location"),
        profile(Candidate.title).label("title"),
        profile(Candidate.summary).label("summary"),
        exists().where(Experience.candidate_id == candidate_id).label("has_experience"),
        exists().where(Education.candidate_id == candidate_id).label("has_education"),
        exists().where(Skill.candidate_id == candidate_id).label("has_skill"),
    )


CANDIDATE_STATS = _candidate_stats(USER_ID, SINCE)


async def candidate_stats(session: AsyncSession, user_id: int, *, since: datetime) -> Any:
    return await _one(session, CANDIDATE_STATS, user_id=user_id, since=since)


def _text(value: str | None = None) -> Any:
    return literal(value, String) if value is not None else cast(null(), String)


def _recent_activities(*, candidate: bool, employer: bool) -> Any:
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

    applications: AnySelect = (
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
    changes: AnySelect = (
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


async def recent_activities(
    session: AsyncSession,
    *,
    candidate_user_id: int | None,
    employer_user_id: int | None,
    limit: int,
) -> list[Any]:
    """The latest events of a candidate, an employer's company, or everything (neither id)."""
    if candidate_user_id is not None:
        statement, user_id = RECENT_ACTIVITIES["candidate"], candidate_user_id
    elif employer_user_id is not None:
        statement, user_id = RECENT_ACTIVITIES["employer"], employer_user_id
    else:
        statement, user_id = RECENT_ACTIVITIES["admin"], None
    connection = await session.connection()
    params: dict[str, Any] = {"limit": limit}
    if user_id is not None:
        params["user_id"] = user_id
    return list((await connection.execute(statement, params)).all())


async def funnel_by_job(session: AsyncSession, company_id: int, *, job_id: int | None) -> list[Any]:
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
    return list(rows.all())


async def funnel_history(
    session: AsyncSession, company_id: int, *, job_id: int | None
) -> list[Any]:
    """Per application: its current status, when it was submitted, the statuses it ever
    reached (from its history), and when it first moved to interview."""
    conditions = [Job.company_id == company_id]
    if job_id is not None:
        conditions.append(Job.id == job_id)
    reached = {
        status: exists()
        .where(History.application_id == JobApplication.id, History.to_status == status)
        .label(f"reached_{status.value}")
        for status in ApplicationStatus
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
    return list(rows.all())
