"""Listing and downloading one's CVs (API.md 6: cvs, cv/download, cvs/{id}/download, {id}/cv)."""

from datetime import UTC, datetime, timedelta

from httpx import AsyncClient

from tests.applications.conftest import AUTH_REQUIRED, CANDIDATE_REQUIRED, utc
from tests.cvs.conftest import (
    CV_ITEM_KEYS,
    CV_LIST,
    CV_NOT_FOUND,
    LATEST_CV,
    NO_CV,
    assert_pdf_download,
    pdf,
    upload_cv_ok,
)
from tests.fixtures.actors import ANONYMOUS, Actor


def download_path(cv_id: object) -> str:
    return f"/api/candidates/cvs/{cv_id}/download"


def candidate_cv_path(candidate_id: object) -> str:
    return f"/api/candidates/{candidate_id}/cv"


class TestCvList:
    async def test_empty(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(CV_LIST, headers=candidate.headers)
        assert response.status_code == 200
        assert response.json() == []

    async def test_newest_first(self, client: AsyncClient, candidate: Actor) -> None:
        before = datetime.now(UTC)
        first = await upload_cv_ok(client, candidate, pdf("one"), filename="one.pdf")
        second = await upload_cv_ok(client, candidate, pdf("two!"), filename="two.pdf")
        response = await client.get(CV_LIST, headers=candidate.headers)
        assert response.status_code == 200
        items = response.json()
        assert [set(item) for item in items] == [CV_ITEM_KEYS, CV_ITEM_KEYS]
        for item in items:
            created_at = utc(item.pop("created_at"))
            assert before - timedelta(seconds=5) <= created_at <= datetime.now(UTC)
        assert items == [
            {
                "id": second["cv_id"],
                "filename": "two.pdf",
                "file_size": len(pdf("two!")),
                "is_active": True,
            },
            {
                "id": first["cv_id"],
                "filename": "one.pdf",
                "file_size": len(pdf("one")),
                "is_active": True,
            },
        ]

    async def test_only_own(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        mine = await upload_cv_ok(client, candidate)
        await upload_cv_ok(client, other_candidate)
        response = await client.get(CV_LIST, headers=candidate.headers)
        assert [item["id"] for item in response.json()] == [mine["cv_id"]]

    async def test_employer(self, client: AsyncClient, employer: Actor) -> None:
        response = await client.get(CV_LIST, headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(CV_LIST)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED


class TestLatestCvDownload:
    async def test_none(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(LATEST_CV, headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == NO_CV

    async def test_latest(self, client: AsyncClient, candidate: Actor) -> None:
        await upload_cv_ok(client, candidate, pdf("old"), filename="old.pdf")
        await upload_cv_ok(client, candidate, pdf("new"), filename="new.pdf")
        response = await client.get(LATEST_CV, headers=candidate.headers)
        assert_pdf_download(response, pdf("new"), "new.pdf")

    async def test_not_another_candidates(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        await upload_cv_ok(client, other_candidate)
        response = await client.get(LATEST_CV, headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == NO_CV

    async def test_employer(self, client: AsyncClient, employer: Actor) -> None:
        response = await client.get(LATEST_CV, headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(LATEST_CV, headers=ANONYMOUS.headers)
        assert response.status_code == 401

    async def test_non_ascii_name(self, client: AsyncClient, candidate: Actor) -> None:
        await upload_cv_ok(client, candidate, pdf("zoe"), filename="Zoë Müller.pdf")
        response = await client.get(LATEST_CV, headers=candidate.headers)
        assert response.status_code == 200
        assert response.content == pdf("zoe")
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["cache-control"] == "private, no-store"


class TestCvDownloadById:
    async def test_older_one(self, client: AsyncClient, candidate: Actor) -> None:
        old = await upload_cv_ok(client, candidate, pdf("old"), filename="old.pdf")
        await upload_cv_ok(client, candidate, pdf("new"), filename="new.pdf")
        response = await client.get(download_path(old["cv_id"]), headers=candidate.headers)
        assert_pdf_download(response, pdf("old"), "old.pdf")

    async def test_another_candidates(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        theirs = await upload_cv_ok(client, other_candidate)
        response = await client.get(download_path(theirs["cv_id"]), headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND

    async def test_missing(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(download_path(999_999), headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == CV_NOT_FOUND

    async def test_employer(self, client: AsyncClient, candidate: Actor, employer: Actor) -> None:
        mine = await upload_cv_ok(client, candidate)
        response = await client.get(download_path(mine["cv_id"]), headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_anonymous(self, client: AsyncClient, candidate: Actor) -> None:
        mine = await upload_cv_ok(client, candidate)
        response = await client.get(download_path(mine["cv_id"]))
        assert response.status_code == 401


class TestCandidateCvRoute:
    async def test_owner_gets_latest(self, client: AsyncClient, candidate: Actor) -> None:
        await upload_cv_ok(client, candidate, pdf("old"), filename="old.pdf")
        latest = await upload_cv_ok(client, candidate, pdf("new"), filename="new.pdf")
        response = await client.get(
            candidate_cv_path(latest["candidate_id"]), headers=candidate.headers
        )
        assert_pdf_download(response, pdf("new"), "new.pdf")

    async def test_owner_without_cv(self, client: AsyncClient, candidate: Actor) -> None:
        assert candidate.candidate is not None
        response = await client.get(
            candidate_cv_path(candidate.candidate.id), headers=candidate.headers
        )
        assert response.status_code == 404

    async def test_another_candidate(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        theirs = await upload_cv_ok(client, other_candidate)
        response = await client.get(
            candidate_cv_path(theirs["candidate_id"]), headers=candidate.headers
        )
        assert response.status_code == 404
        assert b"%PDF" not in response.content

    async def test_missing_candidate(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(candidate_cv_path(999_999), headers=candidate.headers)
        assert response.status_code == 404

    async def test_employer(self, client: AsyncClient, candidate: Actor, employer: Actor) -> None:
        mine = await upload_cv_ok(client, candidate)
        response = await client.get(
            candidate_cv_path(mine["candidate_id"]), headers=employer.headers
        )
        assert response.status_code in (403, 404)
        assert b"%PDF" not in response.content

    async def test_anonymous(self, client: AsyncClient, candidate: Actor) -> None:
        mine = await upload_cv_ok(client, candidate)
        response = await client.get(candidate_cv_path(mine["candidate_id"]))
        assert response.status_code == 401
        assert b"%PDF" not in response.content


class TestNoPublicUploads:
    async def test_no_uploads_mount(self, client: AsyncClient, candidate: Actor) -> None:
        await upload_cv_ok(client, candidate)
        for path in ("/uploads", "/uploads/resume.pdf", "/uploads/cvs/resume.pdf"):
            response = await client.get(path)
            assert response.status_code == 404
            assert b"%PDF" not in response.content
