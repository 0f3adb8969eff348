"""Paths of the CV routes: optional trailing slash, malformed ids (API.md 1.1)."""

import pytest
from httpx import AsyncClient

from tests.applications.conftest import BAD_IDS
from tests.cvs.conftest import CV_LIST, CV_UPLOAD, LATEST_CV, PDF, assert_pdf_download
from tests.fixtures.actors import Actor


class TestTrailingSlash:
    async def test_every_cv_route(self, client: AsyncClient, candidate: Actor) -> None:
        headers = candidate.headers
        upload = await client.post(
            f"{CV_UPLOAD}/", files={"cv": ("resume.pdf", PDF, "application/pdf")}, headers=headers
        )
        assert upload.status_code == 200, upload.text
        cv_id, candidate_id = upload.json()["cv_id"], upload.json()["candidate_id"]
        listing = await client.get(f"{CV_LIST}/", headers=headers)
        assert listing.status_code == 200
        assert [item["id"] for item in listing.json()] == [cv_id]
        assert_pdf_download(await client.get(f"{LATEST_CV}/", headers=headers), PDF)
        assert_pdf_download(await client.get(f"{CV_LIST}/{cv_id}/download/", headers=headers), PDF)
        assert_pdf_download(
            await client.get(f"/api/candidates/{candidate_id}/cv/", headers=headers), PDF
        )
        deleted = await client.delete(f"{CV_LIST}/{cv_id}/", headers=headers)
        assert deleted.status_code == 200


class TestMalformedIds:
    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_cv_routes(self, client: AsyncClient, candidate: Actor, bad: str) -> None:
        headers = candidate.headers
        assert (await client.get(f"{CV_LIST}/{bad}/download", headers=headers)).status_code == 422
        assert (await client.delete(f"{CV_LIST}/{bad}", headers=headers)).status_code == 422
        assert (await client.get(f"/api/candidates/{bad}/cv", headers=headers)).status_code == 422
