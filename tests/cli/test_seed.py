"""`intowork seed`, run as a user runs it: a real process, on both engines."""

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.jobs.search import parse_search, search_document
from intowork.models import (
    ApplicationStatusHistory,
    Candidate,
    Company,
    Employer,
    Job,
    JobApplication,
    User,
)
from intowork.models.enums import JobStatus, UserRole
from intowork.seed import DEMO_DOMAIN, DEMO_PASSWORD
from tests.cli.test_cli import STRONG_PASSWORD, cli_environment, run_cli

JOBS = 300


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def index_matches(session: AsyncSession, term: str) -> set[int]:
    """Job ids the engine's full-text index finds for `term` (a word prefix)."""
    query = parse_search(term)
    if session.get_bind().dialect.name == "sqlite":
        statement = text("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH :q")
        rows = await session.execute(statement, {"q": query.sqlite_match()})
    else:
        statement = text(
            "SELECT id FROM jobs WHERE to_tsvector('simple', search_text || ' ' || search_company)"
            " @@ to_tsquery('simple', :q)"
        )
        rows = await session.execute(statement, {"q": query.postgresql_tsquery()})
    return set(rows.scalars())


class TestSeed:
    async def test_builds_a_realistic_data_set(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        result = run_cli("seed", "--jobs", str(JOBS), env=cli_environment(tmp_path, database_url))
        assert result.returncode == 0, result.stderr
        assert DEMO_PASSWORD in result.stderr
        assert f"employer1@{DEMO_DOMAIN}" in result.stderr
        assert f"candidate1@{DEMO_DOMAIN}" in result.stderr

        assert await count(session, Company) == 6
        employers = await count(session, Employer)
        assert 6 <= employers <= 18
        assert await count(session, User, User.role == UserRole.EMPLOYER) == employers
        assert await count(session, Employer, Employer.company_id.is_(None)) == 0
        assert await count(session, Candidate) == 30
        assert await count(session, User, User.role == UserRole.CANDIDATE) == 30
        assert await count(session, Job) == JOBS
        assert await count(session, JobApplication) == JOBS // 2
        initial = ApplicationStatusHistory.from_status.is_(None)
        assert await count(session, ApplicationStatusHistory, initial) == JOBS // 2
        # Every demo account shares one hash, computed once.
        hashes = await session.scalars(select(User.password_hash).distinct())
        assert len(hashes.all()) == 1

        published = await count(session, Job, Job.status == JobStatus.PUBLISHED)
        assert 0.75 * JOBS <= published <= 0.95 * JOBS
        assert await count(session, Job, Job.status == JobStatus.DRAFT) > 0
        assert await count(session, Job, Job.posted_at.is_(None)) == await count(
            session, Job, Job.status == JobStatus.DRAFT
        )
        assert await count(session, Job, Job.salary_min > Job.salary_max) == 0
        not_published = JobApplication.job_id.in_(
            select(Job.id).where(Job.status != JobStatus.PUBLISHED)
        )
        assert await count(session, JobApplication, not_published) == 0
        statuses = await session.scalars(select(JobApplication.status).distinct())
        assert len(statuses.all()) >= 5

        jobs = (await session.execute(select(Job, Company.name).join(Company))).all()
        titles = {job.title for job, _ in jobs}
        assert titles & {"Développeur·se Python", "Chargé(e) de recrutement", "Responsable RH"}
        assert titles & {"Data Engineer", "Backend Engineer (Python)", "Recruiter"}
        for job, company_name in jobs:
            assert job.search_text
            assert job.search_text == search_document(job.title, job.description)
            assert job.search_company == search_document(company_name)

    async def test_full_text_search_finds_seeded_words(
        self, database_url: str, tmp_path: Path, session: AsyncSession, client: AsyncClient
    ) -> None:
        result = run_cli("seed", "--jobs", str(JOBS), env=cli_environment(tmp_path, database_url))
        assert result.returncode == 0, result.stderr
        jobs = (
            await session.execute(select(Job.id, Job.status, Job.search_text, Job.search_company))
        ).all()
        for term in ("python", "Développeur", "équipe", "team"):
            (prefix,) = parse_search(term).indexed_terms
            expected = {
                job_id
                for job_id, _status, words, company in jobs
                if any(word.startswith(prefix) for word in f"{words} {company}".split())
            }
            assert expected, term
            assert await index_matches(session, term) == expected, term

            response = await client.get("/api/jobs", params={"search": term, "limit": 100})
            assert response.status_code == 200, response.text
            published = {
                job_id for job_id, status, *_ in jobs if status == JobStatus.PUBLISHED
            } & expected
            assert response.json()["total"] == len(published), term
            assert {job["id"] for job in response.json()["jobs"]} <= published

    async def test_demo_accounts_can_sign_in(
        self, database_url: str, tmp_path: Path, session: AsyncSession, client: AsyncClient
    ) -> None:
        result = run_cli("seed", "--jobs", "20", env=cli_environment(tmp_path, database_url))
        assert result.returncode == 0, result.stderr
        for role in (UserRole.EMPLOYER, UserRole.CANDIDATE):
            email = await session.scalar(
                select(User.email)
                .where(User.role == role, User.email.endswith(f"@{DEMO_DOMAIN}"))
                .limit(1)
            )
            assert email is not None
            assert email in result.stdout + result.stderr
            response = await client.post(
                "/api/auth/signin", json={"email": email, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, response.text

    def test_same_seed_same_rows(self, tmp_path: Path) -> None:
        queries = (
            "SELECT title, salary_min, salary_max, currency, location, status, posted_at"
            " FROM jobs ORDER BY id",
            "SELECT job_id, candidate_id, status, applied_at FROM job_applications ORDER BY id",
            "SELECT email, first_name, last_name, role FROM users ORDER BY id",
        )

        def rows_of(name: str, seed: str) -> list[list[tuple[Any, ...]]]:
            data_dir = tmp_path / name
            result = run_cli(
                "seed", "--jobs", str(JOBS), "--seed", seed, env=cli_environment(data_dir)
            )
            assert result.returncode == 0, result.stderr
            with closing(sqlite3.connect(data_dir / "intowork.db")) as connection:
                return [connection.execute(query).fetchall() for query in queries]

        first = rows_of("first", "7")
        jobs, applications, _users = first
        assert (len(jobs), len(applications)) == (JOBS, JOBS // 2)
        assert rows_of("second", "7") == first
        assert rows_of("other", "8")[0] != first[0]

    async def test_second_run_refused(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        env = cli_environment(tmp_path, database_url)
        assert run_cli("seed", "--jobs", "20", env=env).returncode == 0
        again = run_cli("seed", "--jobs", "20", env=env)
        assert again.returncode == 1
        assert "demo data is already there" in again.stderr
        assert "Traceback" not in again.stderr
        assert await count(session, Job) == 20
        # The seeded ids did not leave the id sequences behind: new rows still insert.
        admin = run_cli(
            "create-admin",
            "--email",
            "admin@example.com",
            "--password",
            STRONG_PASSWORD,
            "--first-name",
            "A",
            "--last-name",
            "B",
            env=env,
        )
        assert admin.returncode == 0, admin.stderr


class TestSeedOptions:
    async def test_applications_and_busy_employer(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        env = cli_environment(tmp_path, database_url)
        result = run_cli(
            "seed", "--jobs", "200", "--applications", "900", "--busy-employer", "150", env=env
        )
        assert result.returncode == 0, result.stderr
        assert await count(session, JobApplication) == 900
        initial = ApplicationStatusHistory.from_status.is_(None)
        assert await count(session, ApplicationStatusHistory, initial) == 900
        employer1 = (
            select(Employer.company_id)
            .join(User, User.id == Employer.user_id)
            .where(User.email == f"employer1@{DEMO_DOMAIN}")
            .scalar_subquery()
        )
        received = JobApplication.job_id.in_(select(Job.id).where(Job.company_id == employer1))
        assert await count(session, JobApplication, received) == 150
        # Every other company shares the rest.
        others = await session.scalars(
            select(Job.company_id)
            .join(JobApplication, JobApplication.job_id == Job.id)
            .where(Job.company_id != employer1)
            .distinct()
        )
        assert len(others.all()) >= 3
        assert "received by employer1's company" in result.stdout + result.stderr


@pytest.mark.parametrize("jobs", ["0", "-5"])
def test_job_count_must_be_positive(tmp_path: Path, jobs: str) -> None:
    result = run_cli("seed", "--jobs", jobs, env=cli_environment(tmp_path))
    assert result.returncode == 2
