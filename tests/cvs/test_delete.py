"""DELETE /api/candidates/cvs/{cv_id}: row then file; applications keep existing (API.md 6)."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Job
from tests.applications.conftest import AUTH_REQUIRED, CANDIDATE_REQUIRED, application_row, apply_ok
from tests.cvs.conftest import (
    CV_LIST,
    CV_NOT_FOUND,
    LATEST_CV,
    assert_pdf_download,
    cv_row,
    cv_rows,
    file_of,
    pdf,
    stored_files,
    upload_cv_ok,
)
from tests.fixtures.actors import Actor


def cv_path(cv_id: object) -> str:
    return f"/api/candidates/cvs/{cv_id}"


class TestDeleteCv:
    async def test_ok(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, settings: Settings
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        row = await cv_row(session, uploaded["cv_id"])
        assert row is not None
        path = file_of(settings, row)
        assert path.exists()
        response = await client.delete(cv_path(uploaded["cv_id"]), headers=candidate.headers)
        assert response.status_code == 200
        body = response.json()
        assert body == {"message": "CV deleted successfully"}
        assert await cv_row(session, uploaded["cv_id"]) is None
        assert not path.exists()
        assert stored_files(settings) == []
        assert (await client.get(CV_LIST, headers=candidate.headers)).json() == []

    async def test_previous_becomes_latest(
        self, client: AsyncClient, candidate: Actor, settings: Settings
    ) -> None:
        await upload_cv_ok(client, candidate, pdf("old"), filename="old.pdf")
        new = await upload_cv_ok(client, candidate, pdf("new"), filename="new.pdf")
        await client.delete(cv_path(new["cv_id"]), headers=candidate.headers)
        response = await client.get(LATEST_CV, headers=candidate.headers)
        assert_pdf_download(response, pdf("old"), "old.pdf")
        assert len(stored_files(settings)) == 1

    async def test_applications_keep_existing(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        application = await apply_ok(client, candidate, job.id)
        assert application["cv_id"] == uploaded["cv_id"]
        response = await client.delete(cv_path(uploaded["cv_id"]), headers=candidate.headers)
        assert response.status_code == 200
        row = await application_row(session, application["id"])
        assert row is not None
        assert row.cv_id is None
        detail = await client.get(
            f"/api/applications/my/applications/{application['id']}", headers=candidate.headers
        )
        assert detail.json()["cv_id"] is None
        listing = await client.get(
            "/api/applications/employer/applications", headers=employer.headers
        )
        assert [item["cv_url"] for item in listing.json()["applications"]] == [None]

    async def test_another_candidates(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        other_candidate: Actor,
        settings: Settings,
    ) -> None:
        theirs = await upload_cv_ok(client, other_candidate)
        response = await client.delete(cv_path(theirs["cv_id"]), headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND
        row = await cv_row(session, theirs["cv_id"])
        assert row is not None
        assert file_of(settings, row).exists()

    async def test_missing(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.delete(cv_path(999_999), headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND

    async def test_twice(self, client: AsyncClient, candidate: Actor) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        await client.delete(cv_path(uploaded["cv_id"]), headers=candidate.headers)
        response = await client.delete(cv_path(uploaded["cv_id"]), headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND

    async def test_employer(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        response = await client.delete(cv_path(uploaded["cv_id"]), headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED
        assert len(await cv_rows(session, candidate)) == 1

    async def test_anonymous(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        response = await client.delete(cv_path(uploaded["cv_id"]))
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert len(await cv_rows(session, candidate)) == 1
