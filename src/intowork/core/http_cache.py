"""HTTP caching of JSON reads: ETag, Cache-Control, and 304 on a matching If-None-Match.

The cached reads (jobs, companies, dashboard) build their answer with `json_response` and choose
public or private themselves; `ConditionalGetMiddleware` does the same for every other signed-in
GET answered with JSON (API.md M4), so a browser revalidates instead of downloading again, and
its 304s are not counted by the rate limits (core/ratelimit.py).
"""

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC = "public, max-age=0, must-revalidate"
PRIVATE = "private, no-cache"

IfNoneMatch = Annotated[str | None, Header(include_in_schema=False)]

# What a 304 leaves out: it has no body (RFC 9110 15.4.5).
BODY_HEADERS = frozenset({b"content-type", b"content-length"})


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): `W/"x"` matches `"x"`; a list matches
    when one of its tags does; `*` matches any current representation."""
    if not if_none_match:
        return False
    tag = etag.removeprefix("W/")
    for listed in if_none_match.split(","):
        listed = listed.strip()
        if listed == "*" or listed.removeprefix("W/") == tag:
            return True
    return False


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
    if matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A response body already serialised (possibly straight from the cache)."""

    body: bytes
    personalised: bool


class ConditionalGetMiddleware:
    """ETag, `Cache-Control: private, no-cache` and `Vary: Authorization` on every 200 JSON
    answer to a GET carrying Authorization; 304 without a body when If-None-Match matches.

    Only those answers are held back (in one piece, as they are already in memory) to hash them;
    an answer that already has an ETag (`json_response`) passes untouched, and so does every
    anonymous one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if "authorization" not in request_headers:
            await self.app(scope, receive, send)
            return
        if_none_match = request_headers.get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_validators(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _needs_validators(message):
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await _send_validated(send, start, b"".join(chunks), if_none_match)
                return
            await send(message)

        await self.app(scope, receive, send_with_validators)


def _needs_validators(start: Message) -> bool:
    if start["status"] != 200:
        return False
    headers = Headers(raw=start["headers"])
    return "etag" not in headers and headers.get("content-type", "").startswith("application/json")


async def _send_validated(
    send: Send, start: Message, body: bytes, if_none_match: str | None
) -> None:
    etag = etag_of(body)
    headers = MutableHeaders(raw=list(start["headers"]))
    headers["ETag"] = etag
    headers.setdefault("Cache-Control", PRIVATE)
    headers.add_vary_header("Authorization")
    if matches(if_none_match, etag):
        raw = [(name, value) for name, value in headers.raw if name not in BODY_HEADERS]
        await send({"type": "http.response.start", "status": 304, "headers": raw})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})
