"""Helpers for the application pipeline tests: signed-in actors, applying, fresh database reads."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import (
    ApplicationStatusHistory,
    Candidate,
    Company,
    EmailOutbox,
    Employer,
    Job,
    JobApplication,
    Notification,
    User,
)
from intowork.models.enums import (
    ApplicationStatus,
    EmailTemplate,
    JobLocation,
    JobType,
    NotificationType,
    UserRole,
)
from tests.fixtures.factories import (
    DEFAULT_PASSWORD,
    make_company,
    make_employer,
    make_job,
    make_user,
)

Row = TypeVar("Row")

MY = "/api/applications/my/applications"
EMPLOYER = "/api/applications/employer/applications"

CANDIDATE_APPLICATION_KEYS = frozenset(
    {
        "id",
        "job_id",
        "candidate_id",
        "status",
        "applied_at",
        "notes",
        "cover_letter",
        "cv_id",
        "job",
    }
)
JOB_SUMMARY_KEYS = frozenset(
    {
        "id",
        "title",
        "company_name",
        "location",
        "location_type",
        "job_type",
        "salary_min",
        "salary_max",
        "currency",
    }
)
EMPLOYER_APPLICATION_KEYS = frozenset(
    {
        "id",
        "job_id",
        "job_title",
        "candidate_id",
        "candidate_name",
        "candidate_email",
        "candidate_phone",
        "status",
        "applied_at",
        "cover_letter",
        "notes",
        "cv_url",
    }
)
PAGE_KEYS = frozenset({"applications", "total", "page", "limit", "total_pages"})

AUTH_REQUIRED = {"detail": "Authentication required"}
CANDIDATE_REQUIRED = {"detail": "Candidate access required"}
EMPLOYER_REQUIRED = {"detail": "Employer access required"}
APPLICATION_NOT_FOUND = {"detail": "Application not found"}
NO_ACCESS = {"detail": "You do not have access to this application"}
JOB_NOT_FOUND = {"detail": "Job not found"}
NOT_ACCEPTING = {"detail": "This job is not accepting applications"}
ALREADY_APPLIED = {"detail": "You have already applied to this job"}
CV_NOT_FOUND = {"detail": "CV not found"}
CANNOT_WITHDRAW = {"detail": "Cannot withdraw an application that has been accepted or rejected"}
WITHDRAWN = {"message": "Application withdrawn successfully"}

STATUSES = [status.value for status in ApplicationStatus]
# API.md P5: every other pair of distinct statuses is refused; accepted and rejected are final.
ALLOWED_TRANSITIONS = frozenset(
    {
        ("applied", "viewed"),
        ("applied", "shortlisted"),
        ("applied", "interview"),
        ("applied", "rejected"),
        ("viewed", "shortlisted"),
        ("viewed", "interview"),
        ("viewed", "rejected"),
        ("shortlisted", "interview"),
        ("shortlisted", "rejected"),
        ("shortlisted", "accepted"),
        ("interview", "accepted"),
        ("interview", "rejected"),
    }
)
REFUSED_TRANSITIONS = sorted(
    (old, new)
    for old in STATUSES
    for new in STATUSES
    if old != new and (old, new) not in ALLOWED_TRANSITIONS
)
# Malformed or out of range path ids (API.md 1.1).
BAD_IDS = ["0", "-1", "abc", "99999999999"]


@dataclass
class Actor:
    """A signed-in user (or nobody); `candidate`/`employer` is its profile row when it has one."""

    user: User | None
    headers: dict[str, str] = field(default_factory=dict)
    candidate: Candidate | None = None
    employer: Employer | None = None


ANONYMOUS = Actor(user=None)


async def sign_in(client: AsyncClient, user: User) -> dict[str, str]:
    response = await client.post(
        "/api/auth/signin", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def candidate_actor(
    client: AsyncClient,
    session: AsyncSession,
    *,
    first_name: str = "Ada",
    last_name: str = "Lovelace",
    phone: str | None = None,
) -> Actor:
    user = await make_user(session, first_name=first_name, last_name=last_name)
    candidate = await session.scalar(select(Candidate).where(Candidate.user_id == user.id))
    assert candidate is not None
    if phone is not None:
        candidate.phone = phone
        await session.commit()
    return Actor(user=user, headers=await sign_in(client, user), candidate=candidate)


async def employer_actor(
    client: AsyncClient, session: AsyncSession, company: Company | None
) -> Actor:
    employer = await make_employer(session, company=company)
    user = await session.get(User, employer.user_id)
    assert user is not None
    return Actor(user=user, headers=await sign_in(client, user), employer=employer)


async def admin_actor(client: AsyncClient, session: AsyncSession) -> Actor:
    user = await make_user(session, role=UserRole.ADMIN)
    return Actor(user=user, headers=await sign_in(client, user))


async def add_job(session: AsyncSession, employer: Actor, **values: Any) -> Job:
    assert employer.employer is not None
    return await make_job(session, employer=employer.employer, **values)


@pytest.fixture
async def company(session: AsyncSession) -> Company:
    return await make_company(session, name="Acme Industries")


@pytest.fixture
async def employer(client: AsyncClient, session: AsyncSession, company: Company) -> Actor:
    """The employer who posted `job`, in `company`."""
    return await employer_actor(client, session, company)


@pytest.fixture
async def job(session: AsyncSession, employer: Actor) -> Job:
    return await add_job(
        session,
        employer,
        title="Data engineer",
        location="Lyon",
        location_type=JobLocation.HYBRID,
        job_type=JobType.CONTRACT,
        salary_min=40000,
        salary_max=55000,
        currency="USD",
    )


@pytest.fixture
async def candidate(client: AsyncClient, session: AsyncSession) -> Actor:
    return await candidate_actor(client, session, phone="+33 6 12 34 56 78")


@pytest.fixture
async def outsider(client: AsyncClient, session: AsyncSession) -> Actor:
    """An employer of another company."""
    return await employer_actor(client, session, await make_company(session, name="Globex"))


async def apply(client: AsyncClient, actor: Actor, job_id: Any, **fields: Any) -> Response:
    return await client.post(MY, json={"job_id": job_id, **fields}, headers=actor.headers)


async def apply_ok(client: AsyncClient, actor: Actor, job_id: int, **fields: Any) -> dict[str, Any]:
    response = await apply(client, actor, job_id, **fields)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def set_status(
    client: AsyncClient, actor: Actor, application_id: Any, status: str
) -> Response:
    return await client.put(
        f"{EMPLOYER}/{application_id}/status", json={"status": status}, headers=actor.headers
    )


async def set_notes(
    client: AsyncClient, actor: Actor, application_id: Any, notes: str | None
) -> Response:
    return await client.put(
        f"{EMPLOYER}/{application_id}/notes", json={"notes": notes}, headers=actor.headers
    )


async def fetch_one(session: AsyncSession, statement: Select[Row]) -> Row | None:
    """A fresh read: the API committed through its own session, ours may hold stale objects."""
    return await session.scalar(statement.execution_options(populate_existing=True))


async def fetch_all(session: AsyncSession, statement: Select[Row]) -> list[Row]:
    return list(await session.scalars(statement.execution_options(populate_existing=True)))


async def application_row(session: AsyncSession, application_id: int) -> JobApplication | None:
    return await fetch_one(
        session, select(JobApplication).where(JobApplication.id == application_id)
    )


async def history_of(session: AsyncSession, application_id: int) -> list[ApplicationStatusHistory]:
    return await fetch_all(
        session,
        select(ApplicationStatusHistory)
        .where(ApplicationStatusHistory.application_id == application_id)
        .order_by(ApplicationStatusHistory.id),
    )


async def notifications_of(
    session: AsyncSession, user: User | None, kind: NotificationType | None = None
) -> list[Notification]:
    assert user is not None
    statement = select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        statement = statement.where(Notification.type == kind)
    return await fetch_all(session, statement.order_by(Notification.id))


async def emails_to(
    session: AsyncSession, user: User | None, template: EmailTemplate
) -> list[EmailOutbox]:
    assert user is not None
    return await fetch_all(
        session,
        select(EmailOutbox)
        .where(EmailOutbox.to_email == user.email, EmailOutbox.template == template)
        .order_by(EmailOutbox.id),
    )


async def set_row(session: AsyncSession, application_id: int, **values: Any) -> None:
    await session.execute(
        update(JobApplication).where(JobApplication.id == application_id).values(**values)
    )
    await session.commit()


def utc(value: str) -> datetime:
    """An API timestamp: ISO-8601 UTC with the designator (API.md 1.1)."""
    assert value.endswith("Z"), value
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None
    return parsed.astimezone(UTC)


def page_of(total: int, page: int, limit: int) -> dict[str, int]:
    return {"total": total, "page": page, "limit": limit, "total_pages": -(-total // limit)}
