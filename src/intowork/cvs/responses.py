"""The PDF download response, shared by the CV routes and the application CV route (API.md 6)."""

from typing import Any

from fastapi.responses import StreamingResponse

from intowork.cvs.service import CvDownload
from intowork.cvs.upload import PDF_CONTENT_TYPE

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PDF_CONTENT_TYPE: {}}, "description": "The PDF file"}
}


def pdf_response(download: CvDownload) -> StreamingResponse:
    return StreamingResponse(download.chunks, media_type=PDF_CONTENT_TYPE, headers=download.headers)
