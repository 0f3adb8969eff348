"""Receiving a PDF upload while it streams: the size cap is enforced before the body is read.

FastAPI's `UploadFile` would spool the whole body first; here the multipart stream is parsed as
it arrives (python-multipart, as Starlette does), the file part is written to storage chunk by
chunk, and the upload is refused as soon as it passes the limit, is not declared as a PDF, or
does not start like one.
"""

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi.exceptions import RequestValidationError
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from intowork.core.errors import BadRequest, PayloadTooLarge
from intowork.core.storage import Storage

PDF_MAGIC = b"%PDF-"
PDF_CONTENT_TYPE = "application/pdf"
MAX_FILENAME_LENGTH = 200
# Room for the multipart envelope (boundaries, part headers) around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class NotAPdf(BadRequest):
    detail = "Only PDF files are accepted"


class EmptyFile(BadRequest):
    detail = "The file is empty"


class InvalidUpload(BadRequest):
    detail = "Invalid multipart upload"


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        "File too large (max {max_bytes} bytes)", params={"max_bytes": max_bytes}
    )


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    filename: str
    size: int
    storage_key: str


def sanitise_filename(raw: str | None, *, default: str = "cv.pdf") -> str:
    """A display name only (never a path): no directories, control or quoting characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*')
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return default
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_FILENAME_LENGTH - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and 0 < len(extension) <= 10 else name[:200]
    return name


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    content_type: str = ""
    headers: dict[bytes, bytes] = field(default_factory=dict)


class _PdfPartReader:
    """Feeds python-multipart and collects the bytes of one file field, checking as they come."""

    def __init__(self, field_name: str, max_bytes: int) -> None:
        self.field_name = field_name
        self.max_bytes = max_bytes
        self.part = _Part()
        self.header_field = b""
        self.header_value = b""
        self.in_target = False
        self.found: _Part | None = None
        self.size = 0
        self.head = b""
        self.pending: list[bytes] = []
        self.complete = False

    def on_part_begin(self) -> None:
        self.part = _Part()
        self.in_target = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.part.filename = filename.decode("utf-8", "replace") if filename is not None else None
        content_type, _ = parse_options_header(self.part.headers.get(b"content-type", b""))
        self.part.content_type = content_type.decode("latin-1").lower()
        if self.part.name == self.field_name and self.found is None:
            if self.part.content_type != PDF_CONTENT_TYPE:
                raise NotAPdf()
            self.in_target = True
            self.found = self.part

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_target:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        if len(self.head) < len(PDF_MAGIC):
            self.head += chunk[: len(PDF_MAGIC) - len(self.head)]
            if not PDF_MAGIC.startswith(self.head[: len(PDF_MAGIC)]):
                raise NotAPdf()
        self.pending.append(chunk)

    def on_part_end(self) -> None:
        self.in_target = False

    def on_end(self) -> None:
        # The closing boundary: without it the body was cut off, the file perhaps with it.
        self.complete = True


async def receive_pdf(
    request: Request, storage: Storage, *, field_name: str, max_bytes: int
) -> ReceivedFile:
    """Streams the `field_name` file of a multipart body into storage, or refuses it."""
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and declared.isdigit()
        and int(declared) > max_bytes + MULTIPART_OVERHEAD
    ):
        raise too_large(max_bytes)
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise _missing_field(field_name)

    reader = _PdfPartReader(field_name, max_bytes)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": reader.on_part_begin,
            "on_part_data": reader.on_part_data,
            "on_part_end": reader.on_part_end,
            "on_header_field": reader.on_header_field,
            "on_header_value": reader.on_header_value,
            "on_header_end": reader.on_header_end,
            "on_headers_finished": reader.on_headers_finished,
            "on_end": reader.on_end,
        },
    )

    async def file_chunks() -> AsyncIterator[bytes]:
        received = 0
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > max_bytes + MULTIPART_OVERHEAD:
                    raise too_large(max_bytes)
                parser.write(chunk)
                for data in reader.pending:
                    yield data
                reader.pending.clear()
            parser.finalize()
        except FormParserError as exc:
            raise InvalidUpload() from exc

    key = storage.new_key("pdf")
    size = await storage.write(key, file_chunks())
    if not reader.complete:
        await storage.delete(key)
        raise InvalidUpload()
    if reader.found is None:
        await storage.delete(key)
        raise _missing_field(field_name)
    if size == 0 or len(reader.head) < len(PDF_MAGIC):
        await storage.delete(key)
        raise EmptyFile() if size == 0 else NotAPdf()
    return ReceivedFile(
        filename=sanitise_filename(reader.found.filename), size=size, storage_key=key
    )


def _missing_field(field_name: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "missing", "loc": ("body", field_name), "msg": "Field required"}]
    )
