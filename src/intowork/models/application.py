from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, column, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intowork.models.base import Base, TimestampMixin, utcnow
from intowork.models.enums import ApplicationStatus, db_enum

if TYPE_CHECKING:
    from intowork.models.candidate import Candidate
    from intowork.models.cv import CandidateCV
    from intowork.models.job import Job


class JobApplication(TimestampMixin, Base):
    __tablename__ = "job_applications"
    __table_args__ = (
        # Full, not partial: a second application to the same job is refused under concurrency.
        UniqueConstraint("candidate_id", "job_id"),
        Index(None, "job_id", "status"),
        Index(
            "ix_job_applications_candidate_id_applied_at",
            "candidate_id",
            column("applied_at").desc(),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    cv_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_cvs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        db_enum(ApplicationStatus, "status"),
        default=ApplicationStatus.APPLIED,
        server_default=ApplicationStatus.APPLIED.value,
    )
    cover_letter: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    job: Mapped["Job"] = relationship(lazy="raise")
    candidate: Mapped["Candidate"] = relationship(lazy="raise")
    cv: Mapped["CandidateCV | None"] = relationship(lazy="raise")
