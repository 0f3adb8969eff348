"""Short-lived signed file URLs (API.md M2): a `cv_url` that opens in a new browser tab, which
sends no Authorization header.

`<path>?exp=<unix seconds>&sig=<viewer id>.<mac>`, where `mac` is an HMAC-SHA256 of the exact
path, the viewer's user id and `exp`, under a key derived from the server secret (never the
secret itself, which also signs access tokens). The viewer id rides in `sig` so that the server
knows whom to serve the file to; the MAC covers it, so it cannot be changed. docs/decisions.md,
"Signed file URLs", says why this is not a JWT.
"""

import base64
import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass
from typing import Annotated, Self
from urllib.parse import urlencode

from fastapi import Depends

from intowork.core.config import Settings, SettingsDep
from intowork.core.errors import Forbidden

KEY_CONTEXT = b"intowork signed file url v1"
# The expiry is rounded up to a whole step: a list that carries links (and its ETag, M4) stays
# the same for a minute, instead of changing every second.
MAX_EXPIRY_STEP_SECONDS = 60
# Canonical forms only: ASCII digits without a leading zero, the MAC's 43 base64url characters.
EXPIRY = re.compile(r"[1-9][0-9]{0,11}")
SIGNATURE = re.compile(r"([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{43})")
SIGNATURE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_])(sig=)[^&\s\"']+")
REDACTED = r"\1[redacted]"


class LinkExpiredOrInvalid(Forbidden):
    detail = "Link expired or invalid"


@dataclass(frozen=True, slots=True)
class UrlSigner:
    key: bytes
    ttl_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        key = hmac.new(settings.jwt_secret_value.encode(), KEY_CONTEXT, hashlib.sha256).digest()
        return cls(key=key, ttl_seconds=settings.signed_url_ttl_seconds)

    def sign(self, path: str, viewer_id: int, now: float | None = None) -> str:
        """`path?exp=...&sig=...`, which serves `path` to `viewer_id` for at least the TTL."""
        now = time.time() if now is None else now
        step = min(MAX_EXPIRY_STEP_SECONDS, self.ttl_seconds)
        expires = math.ceil((now + self.ttl_seconds) / step) * step
        signature = f"{viewer_id}.{self._mac(path, viewer_id, expires)}"
        return f"{path}?{urlencode({'exp': expires, 'sig': signature})}"

    def verify(self, path: str, exp: str | None, sig: str | None, now: float | None = None) -> int:
        """The viewer's user id, when `exp` and `sig` were signed for `path` and have not expired;
        else LinkExpiredOrInvalid, whichever part is wrong."""
        now = time.time() if now is None else now
        if exp is None or sig is None:
            raise LinkExpiredOrInvalid()
        signature = SIGNATURE.fullmatch(sig)
        if EXPIRY.fullmatch(exp) is None or signature is None:
            raise LinkExpiredOrInvalid()
        viewer_id, expires = int(signature[1]), int(exp)
        expected = self._mac(path, viewer_id, expires)
        if not hmac.compare_digest(expected.encode(), signature[2].encode()) or now >= expires:
            raise LinkExpiredOrInvalid()
        return viewer_id

    def _mac(self, path: str, viewer_id: int, expires: int) -> str:
        message = f"{path}\n{viewer_id}\n{expires}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redact_signatures(text: str) -> str:
    """`...?exp=1&sig=12.abc` -> `...?exp=1&sig=[redacted]`, for text logged from elsewhere."""
    return SIGNATURE_IN_TEXT.sub(REDACTED, text) if "sig=" in text else text


async def get_url_signer(settings: SettingsDep) -> UrlSigner:
    return UrlSigner.from_settings(settings)


UrlSignerDep = Annotated[UrlSigner, Depends(get_url_signer)]
