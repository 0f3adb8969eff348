"""CV files: upload, listing, private downloads and deletion (API.md 6, C3).

A row and its file live and die together: a file written for a transaction that rolls back is
removed, and a deleted row's file is removed once the deletion is committed.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.candidates import service as candidates_service
from intowork.core.db import after_commit, after_rollback
from intowork.core.errors import NotFound
from intowork.core.observability import metrics
from intowork.core.storage import Storage, StoredFileMissing
from intowork.cvs import repository
from intowork.cvs.schemas import CvItem, CvUploadResponse
from intowork.cvs.upload import PDF_CONTENT_TYPE, ReceivedFile
from intowork.models import CandidateCV, User


class CvNotFound(NotFound):
    detail = "CV not found"


class NoCvUploaded(NotFound):
    detail = "No CV uploaded"


@dataclass(frozen=True, slots=True)
class CvDownload:
    """What a download route streams, with the headers of API.md 6 "Every PDF download"."""

    chunks: AsyncIterator[bytes]
    size: int
    filename: str

    @property
    def headers(self) -> dict[str, str]:
        ascii_name = self.filename.encode("ascii", "replace").decode().replace("?", "_")
        disposition = f'attachment; filename="{ascii_name}"'
        if ascii_name != self.filename:
            disposition += f"; filename*=UTF-8''{quote(self.filename)}"
        return {
            "Content-Disposition": disposition,
            "Content-Length": str(self.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        }


async def save_upload(
    session: AsyncSession, storage: Storage, user: User, received: ReceivedFile
) -> CvUploadResponse:
    after_rollback(session, lambda: storage.delete(received.storage_key))
    candidate = await candidates_service.get_or_create_candidate(session, user)
    cv = CandidateCV(
        candidate_id=candidate.id,
        filename=received.filename,
        storage_key=received.storage_key,
        file_size=received.size,
        content_type=PDF_CONTENT_TYPE,
    )
    session.add(cv)
    await session.flush()
    after_commit(session, partial(metrics.cv_uploaded, received.size))
    logger.bind(cv_id=cv.id, size=received.size).info("cvs.uploaded")
    return CvUploadResponse(
        message="CV uploaded successfully",
        filename=cv.filename,
        size=cv.file_size,
        candidate_id=candidate.id,
        cv_id=cv.id,
    )


async def list_cvs(session: AsyncSession, user: User) -> list[CvItem]:
    candidate = await candidates_service.get_or_create_candidate(session, user)
    return [
        CvItem.model_validate(cv)
        for cv in await repository.list_for_candidate(session, candidate.id)
    ]


async def download_latest(session: AsyncSession, storage: Storage, user: User) -> CvDownload:
    candidate = await candidates_service.get_or_create_candidate(session, user)
    cv = await repository.latest_for_candidate(session, candidate.id)
    if cv is None:
        raise NoCvUploaded()
    return await open_cv(storage, cv)


async def download_own(
    session: AsyncSession, storage: Storage, user: User, cv_id: int
) -> CvDownload:
    candidate = await candidates_service.get_or_create_candidate(session, user)
    cv = await repository.get_for_candidate(session, cv_id, candidate.id)
    if cv is None:
        raise CvNotFound()
    return await open_cv(storage, cv)


async def download_latest_of(
    session: AsyncSession, storage: Storage, user: User, candidate_id: int
) -> CvDownload:
    """`/api/candidates/{candidate_id}/cv`: a candidate's own latest CV; for anyone else, 404."""
    candidate = await candidates_service.get_or_create_candidate(session, user)
    cv = (
        await repository.latest_for_candidate(session, candidate.id)
        if candidate.id == candidate_id
        else None
    )
    if cv is None:
        raise CvNotFound()
    return await open_cv(storage, cv)


async def delete_own(session: AsyncSession, storage: Storage, user: User, cv_id: int) -> None:
    """Row then file; applications that carried it keep existing with `cv_id` null."""
    candidate = await candidates_service.get_or_create_candidate(session, user)
    cv = await repository.get_for_candidate(session, cv_id, candidate.id)
    if cv is None:
        raise CvNotFound()
    await repository.delete_cv(session, cv.id)
    key = cv.storage_key
    after_commit(session, lambda: storage.delete(key))
    logger.bind(cv_id=cv.id).info("cvs.deleted")


async def get_cv(session: AsyncSession, cv_id: int) -> CandidateCV | None:
    return await repository.get(session, cv_id)


async def latest_cv_id(session: AsyncSession, candidate_id: int) -> int | None:
    cv = await repository.latest_for_candidate(session, candidate_id)
    return cv.id if cv is not None else None


async def owned_cv_id(session: AsyncSession, cv_id: int, candidate_id: int) -> int:
    cv = await repository.get_for_candidate(session, cv_id, candidate_id)
    if cv is None:
        raise CvNotFound()
    return cv.id


async def open_cv(storage: Storage, cv: CandidateCV) -> CvDownload:
    if not await storage.exists(cv.storage_key):
        logger.bind(cv_id=cv.id).error("cvs.file_missing")
        raise CvNotFound()
    return CvDownload(
        chunks=_read(storage, cv.storage_key), size=cv.file_size, filename=cv.filename
    )


async def _read(storage: Storage, key: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in storage.read(key):
            yield chunk
    except StoredFileMissing:  # removed between the check and the read: nothing more to send
        return


def forget_files_after_commit(session: AsyncSession, storage: Storage, keys: list[str]) -> None:
    """Account deletion: the files of the removed rows go once the deletion is committed."""

    async def delete_files() -> None:
        for key in keys:
            await storage.delete(key)

    if keys:
        after_commit(session, delete_files)


async def storage_keys_of_user(session: AsyncSession, user_id: int) -> list[str]:
    return await repository.storage_keys_of_user(session, user_id)
