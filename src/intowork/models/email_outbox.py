from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from intowork.models.base import Base, TimestampMixin, utcnow
from intowork.models.enums import EmailStatus, EmailTemplate, db_enum


class EmailOutbox(TimestampMixin, Base):
    """Written in the business transaction; a worker delivers it later with backoff."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[EmailTemplate] = mapped_column(db_enum(EmailTemplate, "template"))
    status: Mapped[EmailStatus] = mapped_column(
        db_enum(EmailStatus, "status"),
        default=EmailStatus.PENDING,
        server_default=EmailStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
