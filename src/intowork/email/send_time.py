"""E-mails composed by the worker when it sends them, because they carry a secret.

A password-reset e-mail holds a live token, and plain tokens are never stored (API.md §12). So
its outbox row holds only the recipient and the template: at each attempt the worker asks the
template's `SendTimeComposer` for the content (which may issue the secret), sends it, and keeps
only a redacted copy. A failed attempt discards what it issued; the next attempt issues anew.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.email.templates import RenderedEmail
from intowork.models.enums import EmailTemplate

COMPOSED_AT_SEND = frozenset({EmailTemplate.PASSWORD_RESET})
REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class ComposedEmail:
    """One attempt's content. `secret` is in `rendered` and must not reach the database."""

    rendered: RenderedEmail = field(repr=False)
    secret: str = field(repr=False)
    # Unique to this composition, never reused (a reset token's id): what `discard` takes back,
    # and part of the Message-ID.
    reference: int

    def __post_init__(self) -> None:
        if not self.secret:
            raise ValueError("a composed e-mail's secret must not be empty")

    def redact(self, value: str) -> str:
        return value.replace(self.secret, REDACTED)

    def redacted(self) -> RenderedEmail:
        """What may be stored: the same e-mail with the secret replaced."""
        return RenderedEmail(
            subject=self.redact(self.rendered.subject),
            text=self.redact(self.rendered.text),
            html=self.redact(self.rendered.html),
        )


class SendTimeComposer(Protocol):
    async def compose(
        self, session: AsyncSession, *, to_email: str, now: datetime
    ) -> ComposedEmail | None:
        """The content of this attempt, or None when nothing is to be sent to `to_email`.

        Runs in the worker's transaction, which commits before the e-mail is sent."""
        ...

    async def discard(self, session: AsyncSession, composed: ComposedEmail) -> None:
        """The attempt failed: undo what `compose` issued."""
        ...
