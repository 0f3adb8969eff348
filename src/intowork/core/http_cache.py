"""HTTP caching of JSON reads: ETag, Cache-Control, and 304 on a matching If-None-Match."""

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Response

PUBLIC = "public, max-age=0, must-revalidate"
PRIVATE = "private, no-cache"

IfNoneMatch = Annotated[str | None, Header(include_in_schema=False)]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def json_response(body: bytes, *, if_none_match: str | None, personalised: bool) -> Response:
    """The JSON body with its validators; 304 without a body when the client already has it.

    Browsers revalidate every time (max-age=0), so a write is seen on the next read, and a match
    costs a 304. A personalised answer may be kept by the browser only, never by a shared proxy.
    """
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Cache-Control": PRIVATE if personalised else PUBLIC,
        "Vary": "Authorization",
    }
    if if_none_match and etag in _listed(if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


def _listed(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A response body already serialised (possibly straight from the cache)."""

    body: bytes
    personalised: bool
