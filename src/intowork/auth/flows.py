"""The password-reset e-mail, composed by the outbox worker when it sends it (API.md A9).

forgot-password only writes a request to the outbox. At each attempt the worker calls
`PasswordResetEmail.compose`: a new token for the account (stored as its SHA-256), the link, the
rendered e-mail, handed to the backend and kept nowhere; an address without an account that may
reset its password gets nothing. A failed attempt discards its token; the next one issues anew.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.auth import service
from intowork.core.config import Settings
from intowork.email.send_time import ComposedEmail
from intowork.email.templates import EmailComposer
from intowork.models.enums import EmailTemplate


class PasswordResetEmail:
    """The `SendTimeComposer` of `EmailTemplate.PASSWORD_RESET`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.composer = EmailComposer.from_settings(settings)

    def link(self, token: str) -> str:
        return f"{self.composer.frontend_url}/auth/reset-password?token={token}"

    async def compose(
        self, session: AsyncSession, *, to_email: str, now: datetime
    ) -> ComposedEmail | None:
        issued = await service.issue_reset_token(session, self.settings, email=to_email, now=now)
        if issued is None:
            return None
        rendered = self.composer.compose(
            EmailTemplate.PASSWORD_RESET,
            {
                "first_name": issued.first_name,
                "reset_url": self.link(issued.token),
                "expires_minutes": self.settings.password_reset_expire_minutes,
            },
            language=issued.language,
        )
        return ComposedEmail(rendered=rendered, secret=issued.token, reference=issued.id)

    async def discard(self, session: AsyncSession, composed: ComposedEmail) -> None:
        await service.discard_reset_token(session, token_id=composed.reference)
