"""The e-mail outbox: messages are rows written in the business transaction.

Nothing is sent inside a request: `intowork worker` (or, in development, the same loop inside
`intowork serve`) delivers pending rows (intowork/email/worker.py), so a message exists exactly
when the event that caused it was committed. The subject and both bodies are rendered here, from
the template and its context, in the deployment's EMAIL_LANGUAGE.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.email.templates import composer_of
from intowork.models import EmailOutbox
from intowork.models.enums import EmailTemplate


def enqueue_email(
    session: AsyncSession,
    *,
    to_email: str,
    template: EmailTemplate,
    context: Mapping[str, Any],
) -> EmailOutbox:
    rendered = composer_of(session).compose(template, context)
    message = EmailOutbox(
        to_email=to_email,
        template=template,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    session.add(message)
    return message
