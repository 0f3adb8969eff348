"""GET /api/applications/employer/applications/{id}/cv: the attached CV (API.md 5, P4)."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Job
from tests.applications.conftest import (
    ANONYMOUS,
    APPLICATION_NOT_FOUND,
    AUTH_REQUIRED,
    CV_NOT_FOUND,
    EMPLOYER,
    EMPLOYER_REQUIRED,
    NO_ACCESS,
    Actor,
    apply_ok,
    employer_actor,
)
from tests.cvs.conftest import assert_pdf_download, pdf, upload_cv_ok


def cv_path(application_id: int) -> str:
    return f"{EMPLOYER}/{application_id}/cv"


async def applied_with_cv(
    client: AsyncClient, candidate: Actor, job: Job
) -> tuple[dict[str, Any], dict[str, Any]]:
    cv = await upload_cv_ok(client, candidate, pdf("attached"), filename="resume.pdf")
    return await apply_ok(client, candidate, job.id, cv_id=cv["cv_id"]), cv


class TestEmployerCvDownload:
    async def test_attached_cv(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        response = await client.get(cv_path(application["id"]), headers=employer.headers)
        assert_pdf_download(response, pdf("attached"))

    async def test_the_attached_one_not_the_latest(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        await upload_cv_ok(client, candidate, pdf("newer"), filename="newer.pdf")
        response = await client.get(cv_path(application["id"]), headers=employer.headers)
        assert_pdf_download(response, pdf("attached"))

    async def test_cv_url_is_the_route(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        await applied_with_cv(client, candidate, job)
        listing = await client.get(EMPLOYER, headers=employer.headers)
        [item] = listing.json()["applications"]
        response = await client.get(item["cv_url"], headers=employer.headers)
        assert_pdf_download(response, pdf("attached"))

    async def test_colleague_in_same_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        company: Company,
        job: Job,
    ) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        colleague = await employer_actor(client, session, company)
        response = await client.get(cv_path(application["id"]), headers=colleague.headers)
        assert_pdf_download(response, pdf("attached"))

    async def test_no_cv(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        application = await apply_ok(client, candidate, job.id)
        response = await client.get(cv_path(application["id"]), headers=employer.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND

    async def test_cv_deleted(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        application, cv = await applied_with_cv(client, candidate, job)
        deleted = await client.delete(
            f"/api/candidates/cvs/{cv['cv_id']}", headers=candidate.headers
        )
        assert deleted.status_code == 200
        response = await client.get(cv_path(application["id"]), headers=employer.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND


class TestEmployerCvAuthorization:
    async def test_other_company(
        self, client: AsyncClient, candidate: Actor, outsider: Actor, job: Job
    ) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        response = await client.get(cv_path(application["id"]), headers=outsider.headers)
        assert response.status_code == 403
        assert response.json() == NO_ACCESS

    async def test_no_company(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        loner = await employer_actor(client, session, None)
        response = await client.get(cv_path(application["id"]), headers=loner.headers)
        assert response.status_code in (403, 404)
        assert b"%PDF" not in response.content

    async def test_missing(self, client: AsyncClient, employer: Actor) -> None:
        response = await client.get(cv_path(999_999), headers=employer.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_candidate(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        response = await client.get(cv_path(application["id"]), headers=candidate.headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED

    async def test_anonymous(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        application, _ = await applied_with_cv(client, candidate, job)
        response = await client.get(cv_path(application["id"]), headers=ANONYMOUS.headers)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
