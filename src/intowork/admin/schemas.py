from datetime import datetime
from typing import Literal

from intowork.core.schemas import Message, RequestSchema, ResponseSchema
from intowork.models.enums import JobStatus, UserRole


class JobsByStatus(ResponseSchema):
    draft: int
    published: int
    closed: int
    archived: int


class AdminStats(ResponseSchema):
    total_users: int
    total_candidates: int
    total_employers: int
    total_companies: int
    total_jobs: int
    total_applications: int
    total_notifications: int
    active_users: int
    inactive_users: int
    jobs_by_status: JobsByStatus
    recent_signups: int


class AdminUserItem(ResponseSchema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: UserRole
    is_active: bool
    created_at: datetime


class AdminEmployerItem(ResponseSchema):
    id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    company_name: str | None
    position: str | None
    phone: str | None
    is_active: bool
    created_at: datetime


class AdminJobItem(ResponseSchema):
    id: int
    title: str
    company_name: str
    employer_email: str
    status: JobStatus
    location: str | None
    applications_count: int
    created_at: datetime


class ActivationRequest(RequestSchema):
    is_active: bool


class AdminMe(ResponseSchema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: UserRole
    is_active: bool


class LegacyUserItem(ResponseSchema):
    """The item of /api/users, in the old Clerk-synchronised shape (`clerk_id` always null)."""

    clerk_id: None = None
    email: str
    role: UserRole
    first_name: str
    last_name: str
    id: int
    is_active: bool


class DatabaseStatus(ResponseSchema):
    status: Literal["connected"] = "connected"
    test_query: Literal["ok"] = "ok"
    users_count: int
    message: Message
