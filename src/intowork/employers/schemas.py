"""Employer profile bodies and responses (API.md 7, E1)."""

from typing import Annotated

from pydantic import StringConstraints

from intowork.core.schemas import Id, Message, RequestSchema, ResponseSchema

ShortText = Annotated[str, StringConstraints(max_length=200)]
# The column is 50 wide: a longer number is a 422, never a database error.
Phone = Annotated[str, StringConstraints(max_length=50)]


class EmployerUpdate(RequestSchema):
    """Partial. `employer_type`, sent by the frontend, is ignored like any unknown key.

    `company_id` omitted or null leaves the company unchanged; `position`, `department` and
    `phone` sent as null are cleared.
    """

    company_id: Id | None = None
    position: ShortText | None = None
    department: ShortText | None = None
    phone: Phone | None = None


class EmployerResponse(ResponseSchema):
    id: int
    user_id: int
    company_id: int | None
    position: str | None
    department: str | None
    phone: str | None
    can_create_jobs: bool
    can_manage_candidates: bool
    is_admin: bool


class EmployerSummary(ResponseSchema):
    id: int
    company_id: int | None
    position: str | None
    department: str | None
    phone: str | None


class EmployerUpdateResponse(ResponseSchema):
    message: Message
    employer: EmployerSummary
