"""Dashboards per role, recent activities and the employer's hiring funnel (API.md 8).

Stats are honest: every `change` is a count of real events of the last 7 days.
"""

from datetime import UTC, datetime, timedelta
from statistics import median

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.cache import Scope, Ttl, cache_of
from intowork.core.errors import NotFound
from intowork.core.http_cache import JsonBody
from intowork.core.i18n import current_language, gettext, ngettext
from intowork.dashboard import repository
from intowork.dashboard.schemas import (
    Activity,
    ConversionRates,
    DashboardResponse,
    FunnelJob,
    FunnelResponse,
    FunnelStages,
    Stat,
)
from intowork.employers import service as employers_service
from intowork.jobs.exceptions import JobNotFound
from intowork.models import User
from intowork.models.enums import ApplicationStatus, UserRole

CHANGE_WINDOW = timedelta(days=7)
RECENT_ACTIVITIES = 5
COLORS = ("blue", "green", "purple", "orange")


class CompanyNotFound(NotFound):
    detail = "Company not found"


# The figures a dashboard shares with others: candidates count the open jobs, admins the site.
_SHARED: dict[UserRole, tuple[str, ...]] = {
    UserRole.CANDIDATE: (Scope.OPEN_JOBS,),
    UserRole.ADMIN: (Scope.STATS,),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _stats(*entries: tuple[str, str, int]) -> list[Stat]:
    return [
        Stat(
            title=gettext(title),
            value=value,
            change=f"+{recent}" if recent > 0 else "0",
            change_type="increase" if recent > 0 else "neutral",
            color=color,
        )
        for (title, value, recent), color in zip(entries, COLORS, strict=True)
    ]


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def candidate_profile_completion(user: User, row: repository.CandidateCounts) -> int:
    """The old server's formula: 60% for the filled fields, then experience, education, skills."""
    fields = (
        user.first_name,
        user.last_name,
        user.email,
        row.phone,
        row.location,
        row.title,
        row.summary,
    )
    filled = sum(1 for value in fields if value is not None and str(value).strip())
    score = 60 * filled / len(fields)
    score += 15 if row.has_experience else 0
    score += 15 if row.has_education else 0
    score += 10 if row.has_skill else 0
    return round(score)


async def get_dashboard_json(session: AsyncSession, user: User) -> JsonBody:
    """The dashboard through the cache: per user, 120 s, renewed by the events that change it."""
    cache = cache_of(session)

    async def render() -> bytes:
        dashboard = await get_dashboard(session, user)
        return dashboard.model_dump_json(by_alias=True).encode()

    if cache is None:
        return JsonBody(await render(), personalised=True)
    key = await cache.dashboard_key(user.id, current_language(), shows=_SHARED.get(user.role, ()))
    body = await cache.get_or_compute("dashboard", key, Ttl.DASHBOARD, render)
    return JsonBody(body, personalised=True)


async def get_dashboard(session: AsyncSession, user: User) -> DashboardResponse:
    since = utcnow() - CHANGE_WINDOW
    if user.role is UserRole.CANDIDATE:
        mine = await repository.candidate_stats(session, user.id, since=since)
        completion = candidate_profile_completion(user, mine)
        stats = _stats(
            ("Applications sent", str(mine.applications), mine.applications_recent),
            ("Open jobs", str(mine.open_jobs), mine.published_recent),
            ("Interviews", str(mine.interviews), mine.interviews_recent),
            ("Profile completion", f"{completion}%", 0),
        )
    elif user.role is UserRole.EMPLOYER:
        ours = await repository.employer_stats(session, user.id, since=since)
        completion = 100 if ours.company_id is not None else 30
        stats = _stats(
            ("Active jobs", str(ours.active_jobs), ours.published_recent),
            ("Applications received", str(ours.applications), ours.applications_recent),
            ("Interviews", str(ours.interviews), ours.interviews_recent),
            ("Response rate", _percent(ours.responded, ours.applications), ours.responded_recent),
        )
    else:
        site = await repository.admin_stats(session, since=since)
        completion = 100
        stats = _stats(
            ("Users", str(site.users), site.users_recent),
            ("Companies", str(site.companies), site.companies_recent),
            ("Jobs", str(site.jobs), site.jobs_recent),
            ("Applications", str(site.applications), site.applications_recent),
        )
    return DashboardResponse(
        stats=stats,
        recent_activities=await list_activities(session, user, limit=RECENT_ACTIVITIES),
        profile_completion=completion,
    )


TIME_UNITS = (
    (86400, "{count} day ago", "{count} days ago"),
    (3600, "{count} hour ago", "{count} hours ago"),
    (60, "{count} minute ago", "{count} minutes ago"),
)


def time_ago(moment: datetime, now: datetime) -> str:
    """`Il y a 3 minutes` / `3 minutes ago` (API.md M1)."""
    seconds = max(0, int((now - moment).total_seconds()))
    for size, singular, plural in TIME_UNITS:
        if seconds >= size:
            return ngettext(singular, plural, seconds // size)
    return gettext("just now")


async def list_activities(session: AsyncSession, user: User, *, limit: int) -> list[Activity]:
    rows = await repository.recent_activities(
        session,
        candidate_user_id=user.id if user.role is UserRole.CANDIDATE else None,
        employer_user_id=user.id if user.role is UserRole.EMPLOYER else None,
        limit=limit,
    )
    now = utcnow()
    own = user.role is UserRole.CANDIDATE
    return [_activity(row, now=now, own=own) for row in rows]


def _activity(row: repository.Event, *, now: datetime, own: bool) -> Activity:
    candidate = f"{row.first_name} {row.last_name}"
    if row.kind == "job":
        action, target, prefix = gettext("Job published"), row.job_title, "job"
    elif row.kind == "application":
        action = gettext("Application submitted" if own else "New application")
        target = row.job_title if own else f"{row.job_title} - {candidate}"
        prefix = "application"
    else:
        action = gettext("Application moved to {status}", status=gettext(str(row.to_status)))
        target = row.job_title if own else f"{row.job_title} - {candidate}"
        prefix = "status"
    return Activity(
        id=f"{prefix}-{row.ref}",
        action=action,
        target=target,
        time=time_ago(row.at, now),
        type=row.kind,
        timestamp=row.at,
    )


async def get_funnel(session: AsyncSession, user: User, *, job_id: int | None) -> FunnelResponse:
    employer = await employers_service.get_or_create_employer(session, user)
    if employer.company_id is None:
        raise CompanyNotFound()
    jobs = await repository.funnel_by_job(session, employer.company_id, job_id=job_id)
    if job_id is not None and not jobs:
        raise JobNotFound()
    applications = await repository.funnel_history(session, employer.company_id, job_id=job_id)
    total = len(applications)
    current = {status: 0 for status in ApplicationStatus}
    reached = {status: 0 for status in ApplicationStatus}
    interview_delays: list[float] = []
    for row in applications:
        current[row.status] += 1
        for status in ApplicationStatus:
            if status is ApplicationStatus.APPLIED or row.status is status or status in row.reached:
                reached[status] += 1
        if row.first_interview_at is not None:
            delay = row.first_interview_at - row.applied_at
            interview_delays.append(delay.total_seconds() / 86400)

    def rate(status: ApplicationStatus) -> float:
        return round(reached[status] / total, 4) if total else 0.0

    return FunnelResponse(
        total_applications=total,
        stages=_stages(current),
        reached=_stages(reached),
        conversion_rates=ConversionRates(
            viewed=rate(ApplicationStatus.VIEWED),
            shortlisted=rate(ApplicationStatus.SHORTLISTED),
            interview=rate(ApplicationStatus.INTERVIEW),
            accepted=rate(ApplicationStatus.ACCEPTED),
        ),
        median_days_to_interview=round(median(interview_delays), 1) if interview_delays else None,
        jobs=[FunnelJob.model_validate(job) for job in jobs],
    )


def _stages(counts: dict[ApplicationStatus, int]) -> FunnelStages:
    return FunnelStages(**{status.value: count for status, count in counts.items()})
