"""Every ORM model, re-exported so that Alembic and the app see the whole schema."""

from intowork.models.application import JobApplication
from intowork.models.application_status_history import ApplicationStatusHistory
from intowork.models.auth_session import AuthSession
from intowork.models.base import Base
from intowork.models.candidate import Candidate
from intowork.models.company import Company
from intowork.models.cv import CandidateCV
from intowork.models.education import Education
from intowork.models.email_outbox import EmailOutbox
from intowork.models.employer import Employer
from intowork.models.experience import Experience
from intowork.models.job import Job
from intowork.models.notification import Notification
from intowork.models.password_reset_token import PasswordResetToken
from intowork.models.skill import Skill
from intowork.models.user import User

__all__ = [
    "ApplicationStatusHistory",
    "AuthSession",
    "Base",
    "Candidate",
    "CandidateCV",
    "Company",
    "Education",
    "EmailOutbox",
    "Employer",
    "Experience",
    "Job",
    "JobApplication",
    "Notification",
    "PasswordResetToken",
    "Skill",
    "User",
]
