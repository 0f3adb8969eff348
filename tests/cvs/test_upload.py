"""POST /api/candidates/cv: PDF checks, size limit, file names, storage (API.md 6, C3)."""

from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from tests.applications.conftest import AUTH_REQUIRED, CANDIDATE_REQUIRED
from tests.cvs.conftest import (
    CV_UPLOAD,
    EMPTY_FILE,
    ONLY_PDF,
    PDF,
    UPLOAD_KEYS,
    cv_dir,
    cv_rows,
    file_of,
    raw_upload,
    separate_app,
    stored_files,
    upload_cv,
    upload_cv_ok,
)
from tests.fixtures.actors import ANONYMOUS, Actor, admin_actor, candidate_actor
from tests.fixtures.settings import SettingsFactory

LIMIT = 1024


def big_pdf(size: int) -> bytes:
    return (b"%PDF-" + b"x" * size)[:size]


def files_outside_cv_dir(root: Path, settings: Settings) -> list[Path]:
    """Every file under the test's temporary directory but the database and the stored CVs."""
    inside = cv_dir(settings).resolve()
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and not path.name.startswith("intowork.db")
        and inside not in path.resolve().parents
    ]


class TestUploadAuthorization:
    async def test_anonymous(self, client: AsyncClient, settings: Settings) -> None:
        response = await upload_cv(client, ANONYMOUS)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert stored_files(settings) == []

    async def test_employer(
        self, client: AsyncClient, session: AsyncSession, employer: Actor, settings: Settings
    ) -> None:
        response = await upload_cv(client, employer)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED
        assert await cv_rows(session) == []
        assert stored_files(settings) == []

    async def test_admin(self, client: AsyncClient, session: AsyncSession) -> None:
        response = await upload_cv(client, await admin_actor(client, session))
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED


class TestUpload:
    async def test_ok(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, settings: Settings
    ) -> None:
        response = await upload_cv(client, candidate)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == UPLOAD_KEYS
        assert candidate.candidate is not None
        [row] = await cv_rows(session, candidate)
        assert body == {
            "message": "CV uploaded successfully",
            "filename": "resume.pdf",
            "size": len(PDF),
            "candidate_id": candidate.candidate.id,
            "cv_id": row.id,
        }
        assert (row.filename, row.file_size, row.content_type, row.is_active) == (
            "resume.pdf",
            len(PDF),
            "application/pdf",
            True,
        )
        assert file_of(settings, row).read_bytes() == PDF
        assert stored_files(settings) == [file_of(settings, row)]

    async def test_generated_storage_names(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, settings: Settings
    ) -> None:
        await upload_cv_ok(client, candidate)
        await upload_cv_ok(client, candidate)
        first, second = await cv_rows(session, candidate)
        assert first.storage_key != second.storage_key
        assert "resume" not in first.storage_key
        assert len(stored_files(settings)) == 2

    async def test_each_candidate_their_own(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        other = await candidate_actor(client, session)
        mine = await upload_cv_ok(client, candidate)
        theirs = await upload_cv_ok(client, other)
        assert mine["candidate_id"] != theirs["candidate_id"]
        assert [row.id for row in await cv_rows(session, other)] == [theirs["cv_id"]]


class TestUploadRefused:
    @pytest.mark.parametrize(
        ("content", "content_type", "expected"),
        [
            (b"Hello, I am not a PDF at all.", "application/pdf", ONLY_PDF),
            (b"<html>%PDF-1.4</html>", "application/pdf", ONLY_PDF),
            (b"%PDF", "application/pdf", ONLY_PDF),
            (PDF, "text/plain", ONLY_PDF),
            (PDF, "application/octet-stream", ONLY_PDF),
            (PDF, "image/png", ONLY_PDF),
            (b"", "application/pdf", EMPTY_FILE),
        ],
        ids=[
            "text-renamed",
            "html",
            "truncated-magic",
            "pdf-as-text",
            "pdf-as-octet-stream",
            "pdf-as-png",
            "empty",
        ],
    )
    async def test_content(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        settings: Settings,
        content: bytes,
        content_type: str,
        expected: dict[str, str],
    ) -> None:
        response = await upload_cv(client, candidate, content, content_type=content_type)
        assert response.status_code == 400
        assert response.json() == expected
        assert await cv_rows(session) == []
        assert stored_files(settings) == []

    @pytest.mark.parametrize("field", ["file", "resume"])
    async def test_wrong_field(self, client: AsyncClient, candidate: Actor, field: str) -> None:
        response = await client.post(
            CV_UPLOAD,
            files={field: ("resume.pdf", PDF, "application/pdf")},
            headers=candidate.headers,
        )
        assert response.status_code == 422

    async def test_no_body(self, client: AsyncClient, candidate: Actor) -> None:
        assert (await client.post(CV_UPLOAD, headers=candidate.headers)).status_code == 422

    @pytest.mark.parametrize("cut", [3, 8, 40], ids=["closing-dashes", "boundary", "file"])
    async def test_body_cut_off(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        settings: Settings,
        cut: int,
    ) -> None:
        """A body without its closing boundary was cut off: the file may be too (it was stored
        as a whole CV)."""
        body, headers = raw_upload(b"resume.pdf")
        response = await client.post(
            CV_UPLOAD, content=body[:-cut], headers=candidate.headers | headers
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Invalid multipart upload"}
        assert await cv_rows(session) == []
        assert stored_files(settings) == []


class TestUploadSize:
    async def test_at_the_limit(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(cv_max_bytes=LIMIT)
        async with separate_app(settings) as (http, db_session):
            candidate = await candidate_actor(http, db_session)
            response = await upload_cv(http, candidate, big_pdf(LIMIT))
            assert response.status_code == 200, response.text
            assert response.json()["size"] == LIMIT

    @pytest.mark.parametrize("size", [LIMIT + 1, 20 * LIMIT])
    async def test_over_the_limit(self, make_settings: SettingsFactory, size: int) -> None:
        settings = make_settings(cv_max_bytes=LIMIT)
        async with separate_app(settings) as (http, db_session):
            candidate = await candidate_actor(http, db_session)
            response = await upload_cv(http, candidate, big_pdf(size))
            assert response.status_code == 413
            assert response.json() == {"detail": f"File too large (max {LIMIT} bytes)"}
            assert await cv_rows(db_session) == []
        assert stored_files(settings) == []
        leftovers = [p for p in settings.data_dir.rglob("*") if p.is_file()]
        assert leftovers == []

    async def test_default_limit_is_5_mib(self, settings: Settings) -> None:
        assert settings.cv_max_bytes == 5 * 1024 * 1024


class TestUploadFilenames:
    @pytest.mark.parametrize(
        "filename",
        ["../../etc/passwd.pdf", "/etc/passwd.pdf", "cvs/../../../escape.pdf", "..", "../"],
    )
    async def test_path_parts_removed(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        settings: Settings,
        tmp_path: Path,
        filename: str,
    ) -> None:
        body = await upload_cv_ok(client, candidate, filename=filename)
        [row] = await cv_rows(session, candidate)
        for stored in (body["filename"], row.filename):
            assert "/" not in stored
            assert "\\" not in stored
            assert ".." not in stored
            assert 0 < len(stored) <= 200
        assert body["filename"] == row.filename
        assert file_of(settings, row).read_bytes() == PDF
        assert files_outside_cv_dir(tmp_path, settings) == []

    async def test_basename_kept(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        body = await upload_cv_ok(client, candidate, filename="../../etc/passwd.pdf")
        assert body["filename"].endswith("passwd.pdf")

    async def test_long_name_truncated(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        body = await upload_cv_ok(client, candidate, filename="a" * 300 + ".pdf")
        [row] = await cv_rows(session, candidate)
        assert 0 < len(row.filename) <= 200
        assert body["filename"] == row.filename

    async def test_control_characters_stripped(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        content, headers = raw_upload(b"re\x01su\x07me\x1f\x7f\t.pdf")
        response = await client.post(
            CV_UPLOAD, content=content, headers={**headers, **candidate.headers}
        )
        assert response.status_code == 200, response.text
        [row] = await cv_rows(session, candidate)
        for stored in (response.json()["filename"], row.filename):
            assert not any(ord(char) < 0x20 or ord(char) == 0x7F for char in stored), stored
        assert row.filename == "resume.pdf"

    async def test_unicode_name_survives(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor
    ) -> None:
        body = await upload_cv_ok(client, candidate, filename="Zoë Müller CV.pdf")
        assert body["filename"] == "Zoë Müller CV.pdf"
