"""CV files of the candidate (API.md 6): upload, list, download, delete."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from intowork.auth.dependencies import CandidateFileViewer, CurrentCandidate
from intowork.core.config import SettingsDep
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.middleware import STREAMED_BODY
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import MessageResponse, PathId
from intowork.core.storage import StorageDep
from intowork.cvs import service
from intowork.cvs.responses import PDF_RESPONSE, pdf_response
from intowork.cvs.schemas import CvItem, CvUploadResponse
from intowork.cvs.service import NoCvUploaded
from intowork.cvs.upload import PDF_CONTENT_TYPE, EmptyFile, InvalidUpload, NotAPdf, receive_pdf

router = APIRouter(prefix="/api/candidates", tags=["cvs"])


@router.post(
    "/cv",
    response_model=CvUploadResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["cv"],
                        "properties": {"cv": {"type": "string", "format": "binary"}},
                    },
                    "encoding": {"cv": {"contentType": PDF_CONTENT_TYPE}},
                }
            },
        }
    },
    dependencies=[RateLimit(Tier.MUTATION), STREAMED_BODY],
    responses=error_responses(NotAPdf, EmptyFile, InvalidUpload),
)
async def upload_cv(
    request: Request,
    user: CurrentCandidate,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> CvUploadResponse:
    """Upload a PDF CV (multipart field `cv`), streamed with a size cap."""
    # The raw request is the body stream itself: it is read as it arrives, never spooled whole.
    received = await receive_pdf(request, storage, field_name="cv", max_bytes=settings.cv_max_bytes)
    return await service.save_upload(session, storage, user, received)


@router.get(
    "/cv/download",
    response_class=StreamingResponse,
    responses=PDF_RESPONSE | error_responses(NoCvUploaded),
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def download_latest_cv(
    user: CurrentCandidate, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """Download the caller's latest CV."""
    return pdf_response(await service.download_latest(session, storage, user))


@router.get("/cvs", response_model=list[CvItem], dependencies=[RateLimit(Tier.DEFAULT)])
async def list_cvs(user: CurrentCandidate, session: SessionDep) -> list[CvItem]:
    """The caller's CVs, newest first."""
    return await service.list_cvs(session, user)


@router.get(
    "/cvs/{cv_id}/download",
    response_class=StreamingResponse,
    responses=PDF_RESPONSE,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def download_cv(
    cv_id: PathId, user: CurrentCandidate, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """Download one of the caller's CVs."""
    return pdf_response(await service.download_own(session, storage, user, cv_id))


@router.delete(
    "/cvs/{cv_id}", response_model=MessageResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def delete_cv(
    cv_id: PathId, user: CurrentCandidate, session: SessionDep, storage: StorageDep
) -> MessageResponse:
    """Delete one of the caller's CVs (applications keep existing without it)."""
    await service.delete_own(session, storage, user, cv_id)
    return MessageResponse(message="CV deleted successfully")


@router.get(
    "/{candidate_id}/cv",
    response_class=StreamingResponse,
    responses=PDF_RESPONSE,
    dependencies=[RateLimit(Tier.DEFAULT)],
)
async def download_candidate_cv(
    candidate_id: PathId, user: CandidateFileViewer, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """Download this candidate's latest CV (the candidate only; a token or a signed `cv_url`)."""
    return pdf_response(await service.download_latest_of(session, storage, user, candidate_id))
