"""Helpers for the CV tests: PDF bodies, uploads, download checks, the files on disk."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.main import create_app
from intowork.models import CandidateCV, Job
from tests.fixtures.actors import Actor
from tests.fixtures.factories import make_job
from tests.fixtures.reads import fetch_all, fetch_one
from tests.fixtures.timing import app_lifespan

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CV_UPLOAD = "/api/candidates/cv"
CV_LIST = "/api/candidates/cvs"
LATEST_CV = "/api/candidates/cv/download"
UPLOAD_KEYS = frozenset({"message", "filename", "size", "candidate_id", "cv_id"})
CV_ITEM_KEYS = frozenset({"id", "filename", "file_size", "is_active", "created_at"})
ONLY_PDF = {"detail": "Only PDF files are accepted"}
EMPTY_FILE = {"detail": "The file is empty"}
CV_NOT_FOUND = {"detail": "CV not found"}
NO_CV = {"detail": "No CV uploaded"}


def pdf(marker: str) -> bytes:
    """A distinct small PDF, so that a download can be traced to its upload."""
    return PDF + f"%{marker}\n".encode()


async def upload_cv(
    client: AsyncClient,
    actor: Actor,
    content: bytes = PDF,
    *,
    filename: str = "resume.pdf",
    content_type: str = "application/pdf",
) -> Response:
    return await client.post(
        CV_UPLOAD, files={"cv": (filename, content, content_type)}, headers=actor.headers
    )


async def upload_cv_ok(
    client: AsyncClient, actor: Actor, content: bytes = PDF, **kw: Any
) -> dict[str, Any]:
    response = await upload_cv(client, actor, content, **kw)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def raw_upload(filename: bytes, content: bytes = PDF) -> tuple[bytes, dict[str, str]]:
    """A multipart body built by hand, for file names httpx would escape (control characters)."""
    boundary = "intowork-test-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="cv"; filename="'
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def assert_pdf_download(response: Response, content: bytes, filename: str = "resume.pdf") -> None:
    """API.md 6, "Every PDF download"."""
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["content-type"].split(";")[0].strip() == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"


def cv_dir(settings: Settings) -> Path:
    return settings.data_dir / "cvs"


def stored_files(settings: Settings) -> list[Path]:
    directory = cv_dir(settings)
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


async def cv_rows(session: AsyncSession, actor: Actor | None = None) -> list[CandidateCV]:
    statement = select(CandidateCV).order_by(CandidateCV.id)
    if actor is not None:
        assert actor.candidate is not None
        statement = statement.where(CandidateCV.candidate_id == actor.candidate.id)
    return await fetch_all(session, statement)


async def cv_row(session: AsyncSession, cv_id: int) -> CandidateCV | None:
    return await fetch_one(session, select(CandidateCV).where(CandidateCV.id == cv_id))


def file_of(settings: Settings, row: CandidateCV) -> Path:
    return cv_dir(settings) / row.storage_key


@pytest.fixture
async def job(session: AsyncSession, employer: Actor) -> Job:
    assert employer.employer is not None
    return await make_job(session, employer=employer.employer)


@asynccontextmanager
async def separate_app(settings: Settings) -> AsyncIterator[tuple[AsyncClient, AsyncSession]]:
    """An app of its own (e.g. with a small CV limit) on the test's database and data directory."""
    application = create_app(settings)
    async with app_lifespan(application):
        transport = ASGITransport(app=application, raise_app_exceptions=False)
        async with (
            AsyncClient(transport=transport, base_url="http://testserver") as http,
            application.state.db.sessionmaker() as db_session,
        ):
            yield http, db_session
