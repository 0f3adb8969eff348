"""Helpers for the dashboard tests (API.md 8): signed-in callers and one fixed dataset.

`build_world` writes every timestamp explicitly, in hours before `now` (whole seconds), with
events on both sides of the 7-day (168 h) window and none near its edge. The expected figures in
the tests are counted by hand from the table in its docstring.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
from intowork.models.enums import ApplicationStatus, JobStatus, SkillCategory, UserRole
from tests.fixtures.actors import Headers
from tests.fixtures.factories import make_application, make_company, make_job, make_user

Status = ApplicationStatus

DASHBOARD = "/api/dashboard"
ACTIVITIES = "/api/dashboard/activities"
FUNNEL = "/api/dashboard/employer-funnel"

DASHBOARD_KEYS = {"stats", "recentActivities", "profileCompletion"}
STAT_KEYS = {"title", "value", "change", "changeType", "color"}
ACTIVITY_KEYS = {"id", "action", "target", "time", "type", "timestamp"}
FUNNEL_KEYS = {
    "total_applications",
    "stages",
    "reached",
    "conversion_rates",
    "median_days_to_interview",
    "jobs",
}
STAGE_KEYS = {"applied", "viewed", "shortlisted", "interview", "accepted", "rejected"}
RATE_KEYS = {"viewed", "shortlisted", "interview", "accepted"}
FUNNEL_JOB_KEYS = {"job_id", "job_title", "status", "total_applications", "stages"}

AUTH_REQUIRED = {"detail": "Authentication required"}
INACTIVE = {"detail": "Account is inactive"}
EMPLOYER_REQUIRED = {"detail": "Employer access required"}
COMPANY_NOT_FOUND = {"detail": "Company not found"}


def stat(title: str, value: str, change: str, change_type: str, color: str) -> dict[str, str]:
    return {
        "title": title,
        "value": value,
        "change": change,
        "changeType": change_type,
        "color": color,
    }


def stages(**counts: int) -> dict[str, int]:
    """Every stage, zero unless given."""
    return {stage: counts.get(stage, 0) for stage in sorted(STAGE_KEYS)}


async def get_ok(client: AsyncClient, path: str, headers: Headers, **params: object) -> Response:
    response = await client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response


async def make_person(
    session: AsyncSession, role: UserRole, first: str, last: str, *, created_at: datetime
) -> User:
    user = await make_user(session, role=role, first_name=first, last_name=last)
    user.created_at = created_at
    await session.commit()
    return user


async def candidate_of(session: AsyncSession, user: User) -> Candidate:
    candidate = await session.scalar(select(Candidate).where(Candidate.user_id == user.id))
    assert candidate is not None
    return candidate


async def employer_of(session: AsyncSession, user: User) -> Employer:
    employer = await session.scalar(select(Employer).where(Employer.user_id == user.id))
    assert employer is not None
    return employer


@dataclass
class Tracked:
    """An application and its history rows, by the status each moved it to."""

    application: JobApplication
    moves: dict[Status, ApplicationStatusHistory] = field(default_factory=dict)

    @property
    def activity_id(self) -> str:
        return f"application-{self.application.id}"

    def move_id(self, status: Status) -> str:
        return f"status-{self.moves[status].id}"


@dataclass
class World:
    now: datetime
    admin: User
    acme: Company
    globex: Company
    acme_owner: User
    globex_owner: User
    grace: User
    alan: User
    barbara: User
    jobs: dict[str, Job] = field(default_factory=dict)
    applications: dict[str, Tracked] = field(default_factory=dict)

    def at(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours)

    def iso(self, hours: float) -> str:
        return self.at(hours).strftime("%Y-%m-%dT%H:%M:%SZ")

    def job_id(self, name: str) -> str:
        return f"job-{self.jobs[name].id}"

    def app(self, name: str) -> str:
        return self.applications[name].activity_id

    def move(self, name: str, status: Status) -> str:
        return self.applications[name].move_id(status)


async def add_application(
    session: AsyncSession,
    world: World,
    name: str,
    *,
    job: str,
    candidate: User,
    applied: float,
    moves: list[tuple[Status, float]],
) -> Tracked:
    """An application submitted `applied` hours ago, moved through `moves` (status, hours ago),
    with the history the pipeline writes: an initial row (from null), then one per move."""
    final = moves[-1][0] if moves else Status.APPLIED
    application = await make_application(
        session, job=world.jobs[job], candidate=await candidate_of(session, candidate), status=final
    )
    application.applied_at = application.created_at = world.at(applied)
    tracked = Tracked(application)
    session.add(
        ApplicationStatusHistory(
            application_id=application.id,
            from_status=None,
            to_status=Status.APPLIED,
            changed_at=world.at(applied),
            created_at=world.at(applied),
        )
    )
    previous = Status.APPLIED
    for status, hours in moves:
        row = ApplicationStatusHistory(
            application_id=application.id,
            from_status=previous,
            to_status=status,
            changed_at=world.at(hours),
            created_at=world.at(hours),
        )
        session.add(row)
        tracked.moves[status] = row
        previous = status
    await session.commit()
    world.applications[name] = tracked
    return tracked


async def build_world(session: AsyncSession) -> World:
    """The fixed dataset. Times are hours before `now`; the window is the last 168 h.

    Users: admin (20 h), Acme's owner (720), Globex's owner (49), candidates Grace Hopper (480),
    Alan Turing (300), Barbara Liskov (360). Companies: Acme (720), Globex (49).

    | job | company | title                     | status    | created | posted |
    |-----|---------|---------------------------|-----------|---------|--------|
    | j1  | Acme    | Backend engineer          | published | 504     | 480    |
    | j2  | Acme    | Data analyst              | published | 72      | 50     |
    | j3  | Acme    | Designer                  | closed    | 336     | 288    |
    | j4  | Acme    | Intern                    | draft     | 10      | -      |
    | j5  | Acme    | Archived role             | archived  | 720     | 696    |
    | g1  | Globex  | Site reliability engineer | published | 47      | 46     |
    | g2  | Globex  | Globex draft              | draft     | 240     | -      |

    | app | candidate | job | applied | moves (status at hours)                       |
    |-----|-----------|-----|---------|-----------------------------------------------|
    | a1  | Grace     | j1  | 360     | viewed 336, shortlisted 300, interview 120    |
    | a2  | Alan      | j1  | 144     | viewed 96, interview 72, rejected 26          |
    | a3  | Barbara   | j1  | 240     | interview 192                                 |
    | a4  | Grace     | j2  | 48      | -                                             |
    | a5  | Barbara   | j3  | 280     | viewed 270, shortlisted 36                    |
    | a6  | Alan      | j3  | 286     | shortlisted 264, accepted 150                 |
    | b1  | Grace     | g1  | 30      | interview 3                                   |
    | b2  | Alan      | g1  | 40      | viewed 20                                     |

    Grace's profile: phone, location, title (no summary); one experience, one skill, no
    education: round(60 * 6/7 + 15 + 10) = 76.
    """
    now = datetime.now(UTC).replace(microsecond=0)

    def at(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    admin = await make_person(session, UserRole.ADMIN, "Root", "Admin", created_at=at(20))
    acme = await make_company(session, name="Acme", created_at=at(720))
    globex = await make_company(session, name="Globex", created_at=at(49))
    acme_owner = await make_person(session, UserRole.EMPLOYER, "Ada", "Acme", created_at=at(720))
    globex_owner = await make_person(session, UserRole.EMPLOYER, "Gil", "Globex", created_at=at(49))
    (await employer_of(session, acme_owner)).company_id = acme.id
    (await employer_of(session, globex_owner)).company_id = globex.id
    grace = await make_person(session, UserRole.CANDIDATE, "Grace", "Hopper", created_at=at(480))
    alan = await make_person(session, UserRole.CANDIDATE, "Alan", "Turing", created_at=at(300))
    barbara = await make_person(
        session, UserRole.CANDIDATE, "Barbara", "Liskov", created_at=at(360)
    )
    await session.commit()
    world = World(now, admin, acme, globex, acme_owner, globex_owner, grace, alan, barbara)

    for name, owner, title, status, created, posted in [
        ("j1", acme_owner, "Backend engineer", JobStatus.PUBLISHED, 504, 480),
        ("j2", acme_owner, "Data analyst", JobStatus.PUBLISHED, 72, 50),
        ("j3", acme_owner, "Designer", JobStatus.CLOSED, 336, 288),
        ("j4", acme_owner, "Intern", JobStatus.DRAFT, 10, None),
        ("j5", acme_owner, "Archived role", JobStatus.ARCHIVED, 720, 696),
        ("g1", globex_owner, "Site reliability engineer", JobStatus.PUBLISHED, 47, 46),
        ("g2", globex_owner, "Globex draft", JobStatus.DRAFT, 240, None),
    ]:
        job = await make_job(
            session, employer=await employer_of(session, owner), status=status, title=title
        )
        # Set afterwards: make_job fills posted_at itself from the status.
        job.created_at = at(created)
        job.posted_at = at(posted) if posted is not None else None
        await session.commit()
        world.jobs[name] = job

    for name, candidate, job, applied, moves in [
        (
            "a1",
            grace,
            "j1",
            360,
            [(Status.VIEWED, 336), (Status.SHORTLISTED, 300), (Status.INTERVIEW, 120)],
        ),
        (
            "a2",
            alan,
            "j1",
            144,
            [(Status.VIEWED, 96), (Status.INTERVIEW, 72), (Status.REJECTED, 26)],
        ),
        ("a3", barbara, "j1", 240, [(Status.INTERVIEW, 192)]),
        ("a4", grace, "j2", 48, []),
        ("a5", barbara, "j3", 280, [(Status.VIEWED, 270), (Status.SHORTLISTED, 36)]),
        ("a6", alan, "j3", 286, [(Status.SHORTLISTED, 264), (Status.ACCEPTED, 150)]),
        ("b1", grace, "g1", 30, [(Status.INTERVIEW, 3)]),
        ("b2", alan, "g1", 40, [(Status.VIEWED, 20)]),
    ]:
        await add_application(
            session, world, name, job=job, candidate=candidate, applied=applied, moves=moves
        )

    profile = await candidate_of(session, grace)
    profile.phone, profile.location, profile.title = "+33 6 12 34 56 78", "Paris", "Engineer"
    await add_profile_rows(session, profile, experience=True, skill=True)
    return world


async def add_profile_rows(
    session: AsyncSession,
    candidate: Candidate,
    *,
    experience: bool = False,
    education: bool = False,
    skill: bool = False,
) -> None:
    if experience:
        session.add(
            Experience(
                candidate_id=candidate.id, title="Engineer", company="Navy", start_date="2020-01"
            )
        )
    if education:
        session.add(
            Education(
                candidate_id=candidate.id,
                degree="PhD",
                school="Yale",
                start_date="2015-09",
                end_date="2019-06",
            )
        )
    if skill:
        session.add(
            Skill(
                candidate_id=candidate.id, name="COBOL", level=5, category=SkillCategory.TECHNICAL
            )
        )
    await session.commit()


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)
