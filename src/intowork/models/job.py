from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, column, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intowork.models.base import Base, TimestampMixin
from intowork.models.enums import JobLocation, JobStatus, JobType, db_enum

if TYPE_CHECKING:
    from intowork.models.company import Company
    from intowork.models.employer import Employer


class Job(TimestampMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("salary_min IS NULL OR salary_min >= 0", name="salary_min_nonneg"),
        CheckConstraint("salary_max IS NULL OR salary_max >= 0", name="salary_max_nonneg"),
        CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name="salary_range",
        ),
        CheckConstraint("views_count >= 0", name="views_count_nonneg"),
        CheckConstraint("length(currency) = 3", name="currency_length"),
        # The public list: published jobs, newest first (`posted_at DESC, id DESC`), per filter.
        Index(
            "ix_jobs_status_posted_at", "status", column("posted_at").desc(), column("id").desc()
        ),
        Index(None, "status", "job_type", "posted_at"),
        Index(None, "status", "location_type", "posted_at"),
        Index(None, "status", "salary_min"),
        Index(None, "company_id", "status"),
        Index(None, "employer_id", "status"),
        Index(None, "employer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str | None] = mapped_column(Text)
    responsibilities: Mapped[str | None] = mapped_column(Text)
    benefits: Mapped[str | None] = mapped_column(Text)
    job_type: Mapped[JobType] = mapped_column(
        db_enum(JobType, "job_type"),
        default=JobType.FULL_TIME,
        server_default=JobType.FULL_TIME.value,
    )
    location_type: Mapped[JobLocation] = mapped_column(
        db_enum(JobLocation, "location_type"),
        default=JobLocation.ON_SITE,
        server_default=JobLocation.ON_SITE.value,
    )
    location: Mapped[str | None] = mapped_column(String(200))
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    status: Mapped[JobStatus] = mapped_column(
        db_enum(JobStatus, "status"), default=JobStatus.DRAFT, server_default=JobStatus.DRAFT.value
    )
    is_featured: Mapped[bool] = mapped_column(default=False, server_default=false())
    views_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    posted_at: Mapped[datetime | None]
    # Folded words for full-text search (see jobs/search.py), indexed by FTS5 on SQLite and, on
    # PostgreSQL, as the generated `search_vector` column with a GIN index (migration 0002).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_company: Mapped[str] = mapped_column(Text, default="", server_default="")

    employer: Mapped["Employer"] = relationship(lazy="raise")
    company: Mapped["Company"] = relationship(lazy="raise")
