from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intowork.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from intowork.models.cv import CandidateCV
    from intowork.models.education import Education
    from intowork.models.experience import Experience
    from intowork.models.skill import Skill
    from intowork.models.user import User


class Candidate(TimestampMixin, Base):
    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint(
            "years_experience IS NULL OR years_experience >= 0", name="years_experience_nonneg"
        ),
        CheckConstraint(
            "salary_expectation_min IS NULL OR salary_expectation_min >= 0",
            name="salary_expectation_min_nonneg",
        ),
        CheckConstraint(
            "salary_expectation_max IS NULL OR salary_expectation_max >= 0",
            name="salary_expectation_max_nonneg",
        ),
        CheckConstraint(
            "salary_expectation_min IS NULL OR salary_expectation_max IS NULL"
            " OR salary_expectation_min <= salary_expectation_max",
            name="salary_expectation_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    location: Mapped[str | None] = mapped_column(String(200))
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    website_url: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    years_experience: Mapped[int | None]
    salary_expectation_min: Mapped[int | None]
    salary_expectation_max: Mapped[int | None]

    user: Mapped["User"] = relationship(back_populates="candidate", lazy="raise")
    # The database cascades the deletes; the ORM only deletes the children it has loaded.
    experiences: Mapped[list["Experience"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=(
            "(Experience.is_current.desc(), Experience.start_date.desc(), Experience.id.desc())"
        ),
    )
    educations: Mapped[list["Education"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Education.start_date.desc(), Education.id.desc())",
    )
    skills: Mapped[list["Skill"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Skill.name, Skill.id)",
    )
    cvs: Mapped[list["CandidateCV"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(CandidateCV.created_at.desc(), CandidateCV.id.desc())",
    )
