"""The catalogue is complete: every message the API can answer with has its French text."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from httpx import AsyncClient

import intowork
from intowork.core.errors import AppError
from intowork.core.i18n import Language, translations

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def every_error_class() -> list[type[AppError]]:
    for module in pkgutil.walk_packages(intowork.__path__, "intowork."):
        if not module.name.startswith(("intowork.seed", "intowork.__main__")):
            importlib.import_module(module.name)
    found: list[type[AppError]] = []
    pending = [AppError]
    while pending:
        current = pending.pop()
        if current.__module__.startswith("intowork."):  # not the tests' own examples
            found.append(current)
        pending.extend(current.__subclasses__())
    return found


def french(message: str) -> str:
    return translations(Language.FR).gettext(message)


@pytest.mark.parametrize("error", every_error_class(), ids=lambda error: error.__qualname__)
def test_every_error_detail_is_french(error: type[AppError]) -> None:
    assert french(error.detail) != error.detail, f"no French for {error.detail!r}"


@pytest.mark.parametrize(
    "message",
    [
        "Candidate access required",
        "Employer access required",
        "Admin access required",
        "Rate limit exceeded: {amount} per {seconds} seconds",
        "File too large (max {max_bytes} bytes)",
        "Cannot change job status from {current} to {requested}",
        "Cannot change application status from {current} to {requested}",
        "Invalid email address: {reason}",
        *[
            f"Password must {rule}"
            for rule in (
                "be at least 12 characters long",
                "be at most 128 characters long",
                "contain at least one uppercase letter",
                "contain at least one lowercase letter",
                "contain at least one digit",
                "contain at least one special character",
            )
        ],
    ],
)
def test_messages_built_elsewhere_are_french(message: str) -> None:
    translated = french(message)
    assert translated != message
    assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(message))


def test_every_french_text_keeps_its_placeholders() -> None:
    catalogue = translations(Language.FR)
    for message_id, text in catalogue._catalog.items():  # type: ignore[attr-defined]
        source = message_id[0] if isinstance(message_id, tuple) else message_id
        if source:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(source)) | {"count"}


ANSWER = re.compile(r'message="([^"]+)"|FORGOT_PASSWORD_MESSAGE = "([^"]+)"')


def test_every_answer_message_is_french() -> None:
    """The `{"message": ...}` of every route (literals in the routers and services)."""
    source = Path(intowork.__file__).parent
    found = {
        text
        for path in source.rglob("*.py")
        for match in ANSWER.finditer(path.read_text(encoding="utf-8"))
        for text in match.groups()
        if text and " " in text and path.parent.name != "core"
    }
    assert len(found) >= 15
    missing = sorted(text for text in found if french(text) == text)
    assert missing == []


async def test_answers_are_given_in_french(client: AsyncClient) -> None:
    response = await client.post(
        "/api/auth/forgot-password",
        json={"email": "nobody@example.com"},
        headers={"Accept-Language": "fr"},
    )
    assert response.json()["message"] == (
        "Si un compte existe pour cette adresse, un lien de réinitialisation a été envoyé"
    )
