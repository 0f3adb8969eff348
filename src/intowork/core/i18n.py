"""The one message catalogue (API.md M1): every human-readable string the API returns, in French
and English, as gettext catalogues (`intowork/locales/<language>/LC_MESSAGES/messages.po`, read
with Babel at import; the English text is the message id, so `en` needs no catalogue).

The language of a request: the signed-in user's stored preference, else `Accept-Language`, else
`DEFAULT_LANGUAGE`. `LanguageMiddleware` decides the last two and sets `Content-Language`; the
auth dependency applies the first (`use_language`).
"""

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


@cache
def translations(language: Language) -> NullTranslations:
    path = LOCALES_DIR / language.value / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.value)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


@dataclass(slots=True)
class RequestLanguage:
    """Mutable, so that a dependency's choice reaches the middleware that set the header."""

    language: Language
    default: Language  # DEFAULT_LANGUAGE, for people without a stored preference


_current: ContextVar[RequestLanguage | None] = ContextVar("intowork_language", default=None)
# Outside a request and `language_of` (a CLI command): French, as DEFAULT_LANGUAGE's default.
FALLBACK = Language.FR


def current_language() -> Language:
    current = _current.get()
    return current.language if current is not None else FALLBACK


def use_language(language: Language | str | None) -> None:
    """The signed-in user's stored preference wins over the request's negotiated language."""
    current = _current.get()
    if current is not None and language:
        current.language = Language(language)


@contextmanager
def language_of(language: Language | str | None) -> Iterator[None]:
    """Text for someone else than the caller (a notification's recipient) in their stored
    language, else in DEFAULT_LANGUAGE (never in the caller's)."""
    current = _current.get()
    default = current.default if current is not None else FALLBACK
    chosen = Language(language) if language else default
    token = _current.set(RequestLanguage(chosen, default))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, /, **params: Any) -> str:
    """`message` (its English text, the message id) in the current language, `{name}`s filled."""
    text = translations(current_language()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, count: int, /, **params: Any) -> str:
    text = translations(current_language()).ngettext(singular, plural, count)
    return text.format(count=count, **params)


def negotiate(accept_language: str | None, default: Language) -> Language:
    """The best of our languages for an `Accept-Language` header (RFC 9110 12.5.4 weights)."""
    best: tuple[float, Language] | None = None
    for item in (accept_language or "").split(","):
        tag, _, parameters = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary == "*":
            primary = default.value
        if primary not in Language._value2member_map_:
            continue
        weight = _weight(parameters)
        if weight <= 0:
            continue
        # Higher weight first; for equal weights, the first listed.
        if best is None or weight > best[0]:
            best = (weight, Language(primary))
    return best[1] if best is not None else default


def _weight(parameters: str) -> float:
    name, _, value = parameters.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        return min(1.0, max(0.0, float(value)))
    except ValueError:
        return 0.0


CONTENT_LANGUAGE = "Content-Language"


class LanguageMiddleware:
    """Chooses the request's language from `Accept-Language` (or the default) and says on the
    response which one was used."""

    def __init__(self, app: ASGIApp, *, default: Language) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: Mapping[bytes, bytes] = dict(scope["headers"])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        chosen = RequestLanguage(negotiate(accept, self.default), self.default)
        token = _current.set(chosen)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers[CONTENT_LANGUAGE] = chosen.language.value
                response_headers.add_vary_header("Accept-Language")
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _current.reset(token)
