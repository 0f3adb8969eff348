"""The SQL of candidate profiles: the whole profile in one statement, and owned-item lookups."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    ScalarSelect,
    UnaryExpression,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import KeyedColumnElement

from intowork.models import Candidate, CandidateCV, Education, Experience, Skill

Item = TypeVar("Item", Experience, Education, Skill)
Column = InstrumentedAttribute[object] | KeyedColumnElement[object]
Columns = Sequence[InstrumentedAttribute[object]]
Direction = UnaryExpression[bool] | UnaryExpression[int] | UnaryExpression[str]
Ordering = Sequence[InstrumentedAttribute[object] | Direction]
# One experience, education or skill as the database's JSON functions build it: the response
# schemas validate it (SQLite gives booleans as 0/1).
JsonObject = dict[str, object]

PROFILE_COLUMNS = (
    Candidate.id,
    Candidate.user_id,
    Candidate.phone,
    Candidate.location,
    Candidate.linkedin_url,
    Candidate.website_url,
    Candidate.title,
    Candidate.summary,
    Candidate.years_experience,
    Candidate.salary_expectation_min,
    Candidate.salary_expectation_max,
)
EXPERIENCE_COLUMNS = (
    Experience.id,
    Experience.title,
    Experience.company,
    Experience.location,
    Experience.start_date,
    Experience.end_date,
    Experience.is_current,
    Experience.description,
)
EDUCATION_COLUMNS = (
    Education.id,
    Education.degree,
    Education.school,
    Education.field_of_study,
    Education.location,
    Education.start_date,
    Education.end_date,
    Education.is_current,
    Education.description,
)
SKILL_COLUMNS = (Skill.id, Skill.name, Skill.level, Skill.category)
# API.md C1, as the Candidate relationships order them; `id` keeps ties stable.
EXPERIENCE_ORDER = (
    Experience.is_current.desc(),
    Experience.start_date.desc(),
    Experience.id.desc(),
)
EDUCATION_ORDER = (Education.start_date.desc(), Education.id.desc())
SKILL_ORDER = (Skill.name, Skill.id)


@dataclass(frozen=True, slots=True)
class ProfileRow:
    id: int
    user_id: int
    phone: str | None
    location: str | None
    linkedin_url: str | None
    website_url: str | None
    title: str | None
    summary: str | None
    years_experience: int | None
    salary_expectation_min: int | None
    salary_expectation_max: int | None
    cv_filename: str | None
    cv_uploaded_at: datetime | None
    experiences: list[JsonObject]
    educations: list[JsonObject]
    skills: list[JsonObject]
    cv_url: str | None = None
    """Not read here: the service signs the link for the viewer."""


async def get_by_user_id(session: AsyncSession, user_id: int) -> Candidate | None:
    return await session.scalar(select(Candidate).where(Candidate.user_id == user_id))


def _json_list(
    dialect: str,
    columns: Columns,
    owner: ColumnElement[bool],
    order_by: Ordering,
) -> ScalarSelect[list[JsonObject]]:
    """The candidate's rows of one table as a JSON array of objects, in `order_by` order."""
    if dialect == "postgresql":
        aggregate = func.json_agg(func.json_build_object(*_pairs(columns))).aggregate_order_by(
            *order_by
        )
        empty = literal([], JSON)
        return (
            select(func.coalesce(aggregate, empty, type_=JSON))
            .where(owner)
            .correlate(Candidate)
            .scalar_subquery()
        )
    # SQLite before 3.44 has no ORDER BY inside an aggregate; it aggregates the rows in the order
    # an ordered subquery yields them (a subquery with ORDER BY under an aggregate is never
    # flattened).
    rows = select(*columns).where(owner).order_by(*order_by).correlate(Candidate).subquery()
    return select(
        func.json_group_array(func.json_object(*_pairs(rows.c)), type_=JSON)
    ).scalar_subquery()


def _pairs(columns: Iterable[Column]) -> list[Column | BindParameter[str]]:
    """`key1, value1, key2, value2...`: the arguments of json_object / json_build_object."""
    return [part for column in columns for part in (literal(column.key), column)]


async def get_profile(session: AsyncSession, user_id: int) -> ProfileRow | None:
    """The caller's profile, its latest CV and its three lists, in one statement (API.md C1)."""
    dialect = session.get_bind().dialect.name
    cv = aliased(CandidateCV)
    latest_cv_id = (
        select(cv.id)
        .where(cv.candidate_id == Candidate.id)
        .order_by(cv.created_at.desc(), cv.id.desc())
        .limit(1)
        .correlate(Candidate)
        .scalar_subquery()
    )
    statement = (
        select(
            *PROFILE_COLUMNS,
            CandidateCV.filename.label("cv_filename"),
            CandidateCV.created_at.label("cv_uploaded_at"),
            _json_list(
                dialect,
                EXPERIENCE_COLUMNS,
                Experience.candidate_id == Candidate.id,
                EXPERIENCE_ORDER,
            ).label("experiences"),
            _json_list(
                dialect, EDUCATION_COLUMNS, Education.candidate_id == Candidate.id, EDUCATION_ORDER
            ).label("educations"),
            _json_list(
                dialect, SKILL_COLUMNS, Skill.candidate_id == Candidate.id, SKILL_ORDER
            ).label("skills"),
        )
        .select_from(Candidate)
        .outerjoin(CandidateCV, CandidateCV.id == latest_cv_id)
        .where(Candidate.user_id == user_id)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else ProfileRow(**row._asdict())


async def get_owned(
    session: AsyncSession, model: type[Item], item_id: int, *, user_id: int
) -> Item | None:
    """The item if it belongs to this user's candidate profile (one statement)."""
    return await session.scalar(
        select(model)
        .join(Candidate, Candidate.id == model.candidate_id)
        .where(model.id == item_id, Candidate.user_id == user_id)
    )


async def add(session: AsyncSession, item: Experience | Education | Skill) -> None:
    session.add(item)
    await session.flush()


async def delete_item(session: AsyncSession, item: Experience | Education | Skill) -> None:
    await session.delete(item)
    await session.flush()
