"""DELETE /api/auth/delete-account of a candidate with CVs and applications (API.md A8, 12)."""

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import ApplicationStatusHistory, Candidate, JobApplication, User
from tests.applications.conftest import add_job, apply_ok, set_status
from tests.cvs.conftest import cv_rows, file_of, pdf, stored_files, upload_cv_ok
from tests.fixtures.actors import Actor
from tests.fixtures.reads import fetch_all, fetch_one


async def delete_account(client: AsyncClient, actor: Actor) -> None:
    response = await client.delete("/api/auth/delete-account", headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Account deleted successfully"}


class TestDeleteCandidateWithCvsAndApplications:
    async def test_nothing_left(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        other_candidate: Actor,
        employer: Actor,
        settings: Settings,
    ) -> None:
        assert candidate.user is not None
        assert candidate.candidate is not None
        first_job = await add_job(session, employer, title="First")
        second_job = await add_job(session, employer, title="Second")
        await upload_cv_ok(client, candidate, pdf("one"))
        await upload_cv_ok(client, candidate, pdf("two"))
        first = await apply_ok(client, candidate, first_job.id)
        await apply_ok(client, candidate, second_job.id)
        assert (await set_status(client, employer, first["id"], "interview")).status_code == 200
        kept_cv = await upload_cv_ok(client, other_candidate, pdf("kept"))
        kept = await apply_ok(client, other_candidate, first_job.id)
        own_files = [file_of(settings, row) for row in await cv_rows(session, candidate)]
        assert len(own_files) == 2
        assert all(path.exists() for path in own_files)

        await delete_account(client, candidate)

        assert await fetch_one(session, select(User).where(User.id == candidate.user.id)) is None
        assert (
            await fetch_one(
                session, select(Candidate).where(Candidate.id == candidate.candidate.id)
            )
            is None
        )
        remaining = await fetch_all(session, select(JobApplication))
        assert [row.id for row in remaining] == [kept["id"]]
        history = await fetch_all(session, select(ApplicationStatusHistory))
        assert {row.application_id for row in history} == {kept["id"]}
        assert await cv_rows(session, candidate) == []
        assert not any(path.exists() for path in own_files)
        [kept_row] = await cv_rows(session)
        assert kept_row.id == kept_cv["cv_id"]
        assert stored_files(settings) == [file_of(settings, kept_row)]
        assert file_of(settings, kept_row).read_bytes() == pdf("kept")

    async def test_employer_still_works(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
    ) -> None:
        job = await add_job(session, employer)
        await upload_cv_ok(client, candidate)
        await apply_ok(client, candidate, job.id)
        await delete_account(client, candidate)
        listing = await client.get(
            "/api/applications/employer/applications", headers=employer.headers
        )
        assert listing.status_code == 200
        assert listing.json()["total"] == 0
