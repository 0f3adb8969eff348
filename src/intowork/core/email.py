"""The e-mail outbox: messages are rows written in the business transaction.

Nothing is sent inside a request; a worker delivers pending rows (a later issue adds it), so a
message exists exactly when the event that caused it was committed.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import EmailOutbox
from intowork.models.enums import EmailTemplate


def enqueue_email(
    session: AsyncSession,
    *,
    to_email: str,
    template: EmailTemplate,
    subject: str,
    body_text: str,
    body_html: str | None = None,
) -> EmailOutbox:
    message = EmailOutbox(
        to_email=to_email,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )
    session.add(message)
    return message
