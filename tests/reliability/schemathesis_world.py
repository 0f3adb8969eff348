"""The world the schemathesis server holds (tests/reliability/test_schemathesis.py): two companies
with their employers, published, draft and closed jobs, candidates with applications, CVs,
experiences, notifications, a refresh and a reset token; and the real values of its rows, which
replace half of those of a valid generated case."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.security import token_digest
from intowork.jobs.search import search_document
from intowork.models import (
    ApplicationStatusHistory,
    AuthSession,
    Base,
    Candidate,
    CandidateCV,
    Company,
    Education,
    Employer,
    Experience,
    Job,
    JobApplication,
    Notification,
    PasswordResetToken,
    Skill,
    User,
)
from intowork.models.enums import (
    ApplicationStatus,
    JobStatus,
    NotificationType,
    SkillCategory,
    UserRole,
)
from tests.fixtures.factories import DEFAULT_PASSWORD, default_password_hash

INACTIVE = "inactive"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
STRONG_PASSWORD = "Another-Horse-43!"


async def reset_world(
    database_url: str, cv_keys: list[str]
) -> tuple[dict[str, list[Any]], dict[str, User]]:
    """Empties every table, then seeds the world; ids start at 1 again, so they repeat."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(delete(table))
        async with AsyncSession(engine, expire_on_commit=False) as session:
            return await seed(session, cv_keys)
    finally:
        await engine.dispose()


async def seed(
    session: AsyncSession, cv_keys: list[str]
) -> tuple[dict[str, list[Any]], dict[str, User]]:
    """Two companies with their employers and jobs, candidates who applied, an admin, an
    inactive account and a spare one for the admin to delete."""

    def user(role: UserRole, name: str, *, is_active: bool = True) -> User:
        return User(
            email=f"{name}@example.com",
            password_hash=default_password_hash(),
            first_name=name.capitalize(),
            last_name="Tester",
            role=role,
            is_active=is_active,
        )

    admin = user(UserRole.ADMIN, "admin")
    candidate_users = [user(UserRole.CANDIDATE, name) for name in ("candidate", "rival", "spare")]
    inactive = user(UserRole.CANDIDATE, "inactive", is_active=False)
    employer_users = [user(UserRole.EMPLOYER, name) for name in ("employer", "stranger")]
    session.add_all([admin, *candidate_users, inactive, *employer_users])
    await session.flush()
    companies = [
        Company(name=name, city="Lyon", created_by_user_id=owner.id)
        for name, owner in zip(("Acme", "Globex"), employer_users, strict=True)
    ]
    session.add_all(companies)
    await session.flush()
    employers = [
        Employer(user_id=owner.id, company_id=company.id, position="Recruiter")
        for owner, company in zip(employer_users, companies, strict=True)
    ]
    candidates = [
        Candidate(user_id=person.id, title="Engineer", summary="Builds things", phone="0600000000")
        for person in [*candidate_users, inactive]
    ]
    session.add_all([*employers, *candidates])
    await session.flush()

    def job(employer: Employer, title: str, status: JobStatus) -> Job:
        company = companies[employers.index(employer)]
        return Job(
            employer_id=employer.id,
            company_id=company.id,
            title=title,
            description="Build and run the platform. " * 20,
            status=status,
            location="Lyon",
            salary_min=40000,
            salary_max=60000,
            posted_at=datetime.now(UTC) if status is not JobStatus.DRAFT else None,
            search_text=search_document(title, "Build and run the platform."),
            search_company=search_document(company.name),
        )

    jobs = [
        job(employers[0], "Backend engineer", JobStatus.PUBLISHED),
        job(employers[0], "Data engineer", JobStatus.DRAFT),
        job(employers[0], "Site reliability engineer", JobStatus.CLOSED),
        job(employers[1], "Frontend engineer", JobStatus.PUBLISHED),
        job(employers[0], "Product designer", JobStatus.PUBLISHED),
    ]
    session.add_all(jobs)
    cvs = [
        CandidateCV(
            candidate_id=candidate.id,
            filename="cv.pdf",
            storage_key=key,
            file_size=len(PDF),
            content_type="application/pdf",
        )
        for candidate, key in zip(candidates[:2], cv_keys, strict=True)
    ]
    experiences = [
        Experience(candidate_id=c.id, title="Developer", company="Initech", start_date="2019-09")
        for c in candidates[:2]
    ]
    educations = [
        Education(
            candidate_id=c.id, degree="MSc", school="INSA", start_date="2014-09", end_date="2019-06"
        )
        for c in candidates[:2]
    ]
    skills = [
        Skill(candidate_id=c.id, name="Python", level=4, category=SkillCategory.TECHNICAL)
        for c in candidates[:2]
    ]
    session.add_all([*cvs, *experiences, *educations, *skills])
    await session.flush()
    pairs = [
        (candidates[0], jobs[0], ApplicationStatus.APPLIED, cvs[0].id),
        (candidates[1], jobs[0], ApplicationStatus.INTERVIEW, cvs[1].id),
        (candidates[0], jobs[3], ApplicationStatus.SHORTLISTED, None),
        (candidates[1], jobs[3], ApplicationStatus.REJECTED, None),
    ]
    applications = [
        JobApplication(job_id=j.id, candidate_id=c.id, status=status, cv_id=cv_id)
        for c, j, status, cv_id in pairs
    ]
    session.add_all(applications)
    await session.flush()
    session.add_all(
        ApplicationStatusHistory(application_id=a.id, from_status=None, to_status=a.status)
        for a in applications
    )
    notifications = [
        Notification(
            user_id=owner.id,
            type=kind,
            title="News",
            message="Something happened",
            related_job_id=jobs[0].id,
            related_application_id=applications[0].id,
        )
        for owner, kind in (
            (candidate_users[0], NotificationType.STATUS_CHANGE),
            (employer_users[0], NotificationType.NEW_APPLICATION),
            (candidate_users[1], NotificationType.STATUS_CHANGE),
        )
    ]
    now = datetime.now(UTC)
    refresh_token, reset_token = f"refresh-{uuid.uuid4().hex}", f"reset-{uuid.uuid4().hex}"
    session.add_all(
        [
            *notifications,
            AuthSession(
                user_id=candidate_users[0].id,
                family_id=uuid.uuid4(),
                token_hash=token_digest(refresh_token),
                last_used_at=now,
                idle_expires_at=now + timedelta(days=7),
                absolute_expires_at=now + timedelta(days=30),
            ),
            PasswordResetToken(
                user_id=candidate_users[0].id,
                token_hash=token_digest(reset_token),
                expires_at=now + timedelta(hours=1),
            ),
        ]
    )
    await session.commit()

    def ids(rows: list[Any]) -> list[int]:
        return [row.id for row in rows]

    values: dict[str, list[Any]] = {
        "job_id": ids(jobs),
        "company_id": ids(companies),
        "application_id": ids(applications),
        "cv_id": ids(cvs),
        "candidate_id": ids(candidates[:2]),
        "experience_id": ids(experiences),
        "education_id": ids(educations),
        "skill_id": ids(skills),
        "notification_id": ids(notifications),
        "user_id": ids([*candidate_users, inactive, *employer_users, admin]),
        "email": [candidate_users[0].email, employer_users[0].email, inactive.email],
        "password": [DEFAULT_PASSWORD],
        "current_password": [DEFAULT_PASSWORD],
        "new_password": [STRONG_PASSWORD],
        "refresh_token": [refresh_token],
        "token": [reset_token],
        "start_date": ["2019-09", "2020-01-15"],
        "end_date": ["2023-06", ""],
        "cv": [PDF],
    }
    principals = {
        UserRole.CANDIDATE.value: candidate_users[0],
        UserRole.EMPLOYER.value: employer_users[0],
        UserRole.ADMIN.value: admin,
        INACTIVE: inactive,
    }
    return values, principals
