"""The e-mail outbox: messages are rows written in the business transaction.

Nothing is sent inside a request: `intowork worker` (or, in development, the same loop inside
`intowork serve`) delivers pending rows (worker.py), so a message exists exactly when the event
that caused it was committed. The subject and both bodies are rendered here, from the template
and its context, in the recipient's language (else EMAIL_LANGUAGE); except for the templates
whose content carries a secret (a password-reset link), which the worker composes when it sends
them (send_time.py): their row holds the recipient and the template. Other domains write their
messages through this module, never through the outbox's repository.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.i18n import Language
from intowork.email.send_time import COMPOSED_AT_SEND
from intowork.email.templates import composer_of
from intowork.models import EmailOutbox
from intowork.models.enums import EmailTemplate


def enqueue_email(
    session: AsyncSession,
    *,
    to_email: str,
    template: EmailTemplate,
    context: Mapping[str, Any],
    language: Language | None = None,
) -> EmailOutbox:
    """`language`: the recipient's stored preference (None: EMAIL_LANGUAGE)."""
    if template in COMPOSED_AT_SEND:
        raise ValueError(f"{template.value} e-mails are composed at send time: enqueue_request")
    rendered = composer_of(session).compose(template, context, language=language)
    message = EmailOutbox(
        to_email=to_email,
        template=template,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    session.add(message)
    return message


def enqueue_request(
    session: AsyncSession, *, to_email: str, template: EmailTemplate
) -> EmailOutbox:
    """A message the worker composes when it sends it (or skips, if there is nothing to send).

    The row is the same whoever `to_email` is: writing it tells nothing and costs the same."""
    if template not in COMPOSED_AT_SEND:
        raise ValueError(f"{template.value} e-mails are rendered now: enqueue_email")
    message = EmailOutbox(to_email=to_email, template=template, subject="", body_text="")
    session.add(message)
    return message
