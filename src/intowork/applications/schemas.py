from datetime import datetime

from intowork.core.schemas import Id, Message, OptionalLongText, RequestSchema, ResponseSchema
from intowork.models.enums import ApplicationStatus, JobLocation, JobType


class ApplyRequest(RequestSchema):
    job_id: Id
    cover_letter: OptionalLongText = None
    cv_id: Id | None = None


class StatusUpdateRequest(RequestSchema):
    status: ApplicationStatus


class NotesUpdateRequest(RequestSchema):
    # Required, though it may be null: a body without it must not wipe the note.
    notes: OptionalLongText


class ApplicationJob(ResponseSchema):
    id: int
    title: str
    company_name: str
    location: str | None
    location_type: JobLocation
    job_type: JobType
    salary_min: int | None
    salary_max: int | None
    currency: str


class CandidateApplication(ResponseSchema):
    id: int
    job_id: int
    candidate_id: int
    status: ApplicationStatus
    applied_at: datetime
    # Employer notes are private: always null in the candidate's views.
    notes: None = None
    cover_letter: str | None
    cv_id: int | None
    job: ApplicationJob


class CandidateApplicationList(ResponseSchema):
    applications: list[CandidateApplication]
    total: int
    page: int
    limit: int
    total_pages: int


class EmployerApplication(ResponseSchema):
    id: int
    job_id: int
    job_title: str
    candidate_id: int
    candidate_name: str
    candidate_email: str
    candidate_phone: str | None
    status: ApplicationStatus
    applied_at: datetime
    cover_letter: str | None
    notes: str | None
    cv_url: str | None


class EmployerApplicationList(ResponseSchema):
    applications: list[EmployerApplication]
    total: int
    page: int
    limit: int
    total_pages: int


class StatusUpdateResponse(ResponseSchema):
    message: Message
    application_id: int
    new_status: ApplicationStatus


class NotesUpdateResponse(ResponseSchema):
    message: Message
    application_id: int
    notes: str | None
