"""Helpers of the concurrency tests (test_concurrency_*.py): actors, fresh reads, API.md's rules."""

import itertools
import re
from typing import Any, TypeVar

from httpx import Response
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import (
    Candidate,
    Employer,
    User,
)
from intowork.models.enums import (
    ApplicationStatus,
    UserRole,
)
from tests.fixtures.factories import (
    default_password_hash,
    make_company,
    make_employer,
)

Row = TypeVar("Row")
Headers = dict[str, str]
_emails = itertools.count(1)

MY = "/api/applications/my/applications"
EMPLOYER = "/api/applications/employer/applications"
HAS_APPLICATIONS = {"detail": "Job has applications; close or archive it instead"}
NOT_ACCEPTING = {"detail": "This job is not accepting applications"}
ALREADY_REGISTERED = {"detail": "Email already registered"}
INVALID_REFRESH = {"detail": "Invalid or revoked refresh token"}
APPLICATION_NOT_FOUND = {"detail": "Application not found"}
CANNOT_WITHDRAW = {"detail": "Cannot withdraw an application that has been accepted or rejected"}
APPLICATION_TRANSITION = re.compile(r"Cannot change application status from (\w+) to (\w+)")
JOB_TRANSITION = re.compile(r"Cannot change job status from (\w+) to (\w+)")
S = ApplicationStatus
# API.md P5.
ALLOWED = {
    S.APPLIED: {S.VIEWED, S.SHORTLISTED, S.INTERVIEW, S.REJECTED},
    S.VIEWED: {S.SHORTLISTED, S.INTERVIEW, S.REJECTED},
    S.SHORTLISTED: {S.INTERVIEW, S.REJECTED, S.ACCEPTED},
    S.INTERVIEW: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: set(),
    S.REJECTED: set(),
}


# --- helpers ---------------------------------------------------------------------------------


async def fresh(session: AsyncSession, statement: Select[Row]) -> list[Row]:
    """What is stored now: the API committed through its own sessions."""
    return list(await session.scalars(statement.execution_options(populate_existing=True)))


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def make_candidates(session: AsyncSession, n: int, prefix: str = "candidate") -> list[User]:
    """n candidate users with their profile rows, in one transaction (factories commit each)."""
    users = [
        User(
            email=f"{prefix}{next(_emails)}@example.com",
            password_hash=default_password_hash(),
            first_name="Cand",
            last_name=str(i),
            role=UserRole.CANDIDATE,
        )
        for i in range(n)
    ]
    session.add_all(users)
    await session.flush()
    session.add_all(Candidate(user_id=user.id) for user in users)
    await session.commit()
    return users


async def candidate_of(session: AsyncSession, user: User) -> Candidate:
    candidate = await session.scalar(select(Candidate).where(Candidate.user_id == user.id))
    assert candidate is not None
    return candidate


async def hiring_company(session: AsyncSession) -> tuple[User, Employer]:
    employer = await make_employer(session, company=await make_company(session, name="Acme"))
    user = await session.get(User, employer.user_id)
    assert user is not None
    return user, employer


def no_server_errors(responses: list[Response]) -> None:
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]


def stat_value(dashboard: dict[str, Any], title: str) -> str:
    [value] = [s["value"] for s in dashboard["stats"] if s["title"] == title]
    return str(value)
