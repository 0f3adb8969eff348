"""Helpers for the application pipeline tests: the job applied to, applying, stored rows."""

from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import (
    ApplicationStatusHistory,
    EmailOutbox,
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
)

# The actors and fresh reads are tests/fixtures' (re-exported: this folder's tests import them
# from here).
from tests.fixtures.actors import ANONYMOUS as ANONYMOUS
from tests.fixtures.actors import Actor as Actor
from tests.fixtures.actors import admin_actor as admin_actor
from tests.fixtures.actors import candidate_actor as candidate_actor
from tests.fixtures.actors import employer_actor as employer_actor
from tests.fixtures.factories import make_job
from tests.fixtures.reads import fetch_all as fetch_all
from tests.fixtures.reads import fetch_one as fetch_one

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


async def add_job(session: AsyncSession, employer: Actor, **values: Any) -> Job:
    assert employer.employer is not None
    return await make_job(session, employer=employer.employer, **values)


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
def outsider(other_employer: Actor) -> Actor:
    """An employer of another company."""
    return other_employer


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
