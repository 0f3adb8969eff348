"""The authorization matrix: every served operation x six actors -> the status API.md gives.

Resources named in a path belong to "candidate" (the owner candidate) and to "employer" (company
A, who posted the jobs); "other candidate" owns nothing of theirs and "other employer" belongs to
company B. Write operations carry a valid body, so that a status reflects authorization, not
validation. test_authorization_matrix.py checks the table against the app's route table (both
ways) and runs every cell.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from intowork.models import (
    ApplicationStatusHistory,
    AuthSession,
    Base,
    Candidate,
    CandidateCV,
    Company,
    Education,
    Employer,
    Experience,
    Job,
    JobApplication,
    Notification,
    Skill,
    User,
)
from tests.fixtures.factories import DEFAULT_PASSWORD, STRONG_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Actor(StrEnum):
    ANONYMOUS = "anonymous"
    CANDIDATE = "candidate"
    OTHER_CANDIDATE = "other_candidate"
    EMPLOYER = "employer"
    OTHER_EMPLOYER = "other_employer"
    ADMIN = "admin"


USERS = tuple(actor for actor in Actor if actor is not Actor.ANONYMOUS)


@dataclass(frozen=True, slots=True)
class Expect:
    status: int
    detail: str | None = None  # a refusal's `{"detail": ...}`

    @property
    def refused(self) -> bool:
        return self.status >= 400


AUTH_REQUIRED = Expect(401, "Authentication required")
CANDIDATE_REQUIRED = Expect(403, "Candidate access required")
EMPLOYER_REQUIRED = Expect(403, "Employer access required")
ADMIN_REQUIRED = Expect(403, "Admin access required")
NOT_JOB_OWNER = Expect(403, "You do not own this job")
JOB_NOT_FOUND = Expect(404, "Job not found")
NO_ACCESS_TO_APPLICATION = Expect(403, "You do not have access to this application")
APPLICATION_NOT_FOUND = Expect(404, "Application not found")
CV_NOT_FOUND = Expect(404, "CV not found")
NOTIFICATION_NOT_FOUND = Expect(404, "Notification not found")

Expectations = Mapping[Actor, Expect]
Cell = int | Expect


def _expect(cell: Cell) -> Expect:
    return cell if isinstance(cell, Expect) else Expect(cell)


def public(status: int = 200) -> Expectations:
    """Who = public: a token is ignored."""
    return dict.fromkeys(Actor, Expect(status))


def any_user(status: int = 200) -> Expectations:
    """Who = any: every signed-in active user."""
    return {Actor.ANONYMOUS: AUTH_REQUIRED, **dict.fromkeys(USERS, Expect(status))}


def own_only(owner: Cell, others: Expect) -> Expectations:
    """Any user, but the resource in the path is the candidate's (notifications)."""
    return {
        Actor.ANONYMOUS: AUTH_REQUIRED,
        Actor.CANDIDATE: _expect(owner),
        **dict.fromkeys(USERS[1:], others),
    }


def candidates(owner: Cell, other: Cell | None = None) -> Expectations:
    """Who = candidate: `owner` for the candidate, `other` (default: the same) for the other one."""
    return {
        Actor.ANONYMOUS: AUTH_REQUIRED,
        Actor.CANDIDATE: _expect(owner),
        Actor.OTHER_CANDIDATE: _expect(owner if other is None else other),
        Actor.EMPLOYER: CANDIDATE_REQUIRED,
        Actor.OTHER_EMPLOYER: CANDIDATE_REQUIRED,
        Actor.ADMIN: CANDIDATE_REQUIRED,
    }


def employers(owner: Cell, other: Cell | None = None) -> Expectations:
    """Who = employer: `owner` for company A's employer, `other` for company B's."""
    return {
        Actor.ANONYMOUS: AUTH_REQUIRED,
        Actor.CANDIDATE: EMPLOYER_REQUIRED,
        Actor.OTHER_CANDIDATE: EMPLOYER_REQUIRED,
        Actor.EMPLOYER: _expect(owner),
        Actor.OTHER_EMPLOYER: _expect(owner if other is None else other),
        Actor.ADMIN: EMPLOYER_REQUIRED,
    }


def admins(status: int = 200) -> Expectations:
    return {
        Actor.ANONYMOUS: AUTH_REQUIRED,
        **dict.fromkeys(USERS, ADMIN_REQUIRED),
        Actor.ADMIN: Expect(status),
    }


@dataclass(frozen=True, slots=True)
class World:
    """Ids of one freshly built world (see `build_world` in the test module)."""

    headers: Mapping[Actor, Mapping[str, str]]
    user_ids: Mapping[Actor, int]
    company_id: int  # company A
    posted_job_id: int  # published, the candidate applied to it
    draft_job_id: int  # the job of the {job_id} routes: its owner alone sees it
    open_job_id: int  # published, nobody applied: the one applied to
    candidate_id: int
    experience_id: int
    education_id: int
    skill_id: int
    cv_id: int
    application_id: int  # the candidate's, to the posted job, with the CV
    notification_id: int  # the candidate's
    bystander_id: int  # a user who is none of the actors: sign-in, password reset
    bystander_email: str

    def path_params(self) -> dict[str, int]:
        return {
            "company_id": self.company_id,
            "job_id": self.draft_job_id,
            "candidate_id": self.candidate_id,
            "experience_id": self.experience_id,
            "education_id": self.education_id,
            "skill_id": self.skill_id,
            "cv_id": self.cv_id,
            "application_id": self.application_id,
            "notification_id": self.notification_id,
            "user_id": self.user_ids[Actor.CANDIDATE],
        }


class Secret(Enum):
    """A single-use token some public operations need, minted afresh for each call."""

    REFRESH_TOKEN = "refresh_token"
    RESET_TOKEN = "reset_token"


Body = Callable[[World, str], Any]


def fixed(payload: dict[str, Any]) -> Body:
    return lambda _world, _secret: payload


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    expect: Expectations
    body: Body | None = None
    query: Callable[[World], dict[str, int]] | None = None
    upload: bool = False
    secret: Secret | None = None
    # Tables a refused call must leave as they were (named by every write that refuses anyone).
    writes: tuple[type[Base], ...] = ()
    # A success changes nothing the next cases rely on (else the world is rebuilt after it).
    keeps_world: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


JOB_BODY = {
    "title": "Platform engineer",
    "description": "Run the platform.",
    "location": "Lyon",
    "location_type": "hybrid",
    "job_type": "full_time",
    "salary_min": 40000,
    "salary_max": 60000,
}
EXPERIENCE_BODY = {"title": "Engineer", "company": "Initech", "start_date": "2020-01"}
EDUCATION_BODY = {
    "degree": "MSc",
    "school": "INSA",
    "start_date": "2015-09",
    "end_date": "2018-06",
}
SKILL_BODY = {"name": "Python", "level": 4, "category": "technical"}


def _signup(_world: World, _secret: str) -> dict[str, Any]:
    return {
        "email": unique_email("signup"),
        "password": STRONG_PASSWORD,
        "first_name": "Grace",
        "last_name": "Hopper",
        "role": "candidate",
    }


def _change_email(_world: World, _secret: str) -> dict[str, Any]:
    return {"new_email": unique_email("renamed"), "password": DEFAULT_PASSWORD}


OPERATIONS: list[Operation] = [
    # Operations (API.md 11); METRICS_TOKEN is unset in the tests, so /metrics is public.
    Operation("GET", "/", public()),
    Operation("GET", "/health", public()),
    Operation("GET", "/health/ready", public()),
    Operation("GET", "/metrics", public()),
    Operation("GET", "/docs", public()),
    Operation("GET", "/openapi.json", public()),
    # FastAPI's defaults beside /docs, which API.md 11 does not list: public like /docs.
    Operation("GET", "/docs/oauth2-redirect", public()),
    Operation("GET", "/redoc", public()),
    Operation("GET", "/api/ping", public()),
    Operation("GET", "/api/status", public()),
    # Auth (API.md 3)
    Operation("POST", "/api/auth/signup", public(201), body=_signup, keeps_world=True),
    Operation(
        "POST",
        "/api/auth/signin",
        public(),
        body=lambda w, _: {"email": w.bystander_email, "password": DEFAULT_PASSWORD},
        keeps_world=True,
    ),
    Operation(
        "POST",
        "/api/auth/refresh",
        public(),
        body=lambda _, secret: {"refresh_token": secret},
        secret=Secret.REFRESH_TOKEN,
        keeps_world=True,
    ),
    Operation(
        "POST",
        "/api/auth/signout",
        public(204),
        body=lambda _, secret: {"refresh_token": secret},
        secret=Secret.REFRESH_TOKEN,
        keeps_world=True,
    ),
    Operation("POST", "/api/auth/signout-all", any_user(204), writes=(User, AuthSession)),
    Operation("GET", "/api/auth/me", any_user()),
    Operation(
        "PUT",
        "/api/auth/me",
        any_user(),
        body=fixed({"language": "en"}),
        writes=(User,),
        keeps_world=True,  # English is the tests' language already
    ),
    Operation(
        "POST",
        "/api/auth/change-password",
        any_user(),
        body=fixed({"current_password": DEFAULT_PASSWORD, "new_password": STRONG_PASSWORD}),
        writes=(User, AuthSession),
    ),
    Operation(
        "POST",
        "/api/auth/change-email",
        any_user(),
        body=_change_email,
        writes=(User,),
        keeps_world=True,  # no case relies on an actor's e-mail; the tokens stay valid
    ),
    Operation("DELETE", "/api/auth/delete-account", any_user(), writes=(User,)),
    Operation(
        "POST",
        "/api/auth/forgot-password",
        public(),
        body=lambda w, _: {"email": w.bystander_email},
        keeps_world=True,
    ),
    Operation(
        "POST",
        "/api/auth/reset-password",
        public(),
        # The same password again: the bystander can still sign in afterwards.
        body=lambda _, secret: {"token": secret, "new_password": DEFAULT_PASSWORD},
        secret=Secret.RESET_TOKEN,
        keeps_world=True,
    ),
    # Companies and employers (API.md 7)
    Operation(
        "POST",
        "/api/companies",
        employers(201),
        body=fixed({"name": "Company C"}),
        writes=(Company, Employer),
        keeps_world=True,
    ),
    Operation("GET", "/api/companies/my-company", employers(200)),
    Operation(
        "PUT",
        "/api/companies/my-company",
        employers(200),
        body=fixed({"description": "We hire."}),
        writes=(Company,),
        keeps_world=True,
    ),
    Operation("GET", "/api/companies/my-company/stats", employers(200)),
    Operation("GET", "/api/companies/{company_id}", public()),
    Operation("GET", "/api/employers/me", employers(200)),
    Operation(
        "PUT",
        "/api/employers/me",
        # E1: company A may be joined by its own employer only.
        employers(200, Expect(403, "You cannot join this company")),
        body=lambda w, _: {"company_id": w.company_id, "position": "Head of hiring"},
        writes=(Employer,),
        keeps_world=True,
    ),
    # Jobs (API.md 4); {job_id} is company A's draft: J4 shows it to its owner alone.
    Operation("GET", "/api/jobs", public()),
    Operation("GET", "/api/jobs/my-jobs", employers(200)),
    Operation("GET", "/api/jobs/stats/recent", public()),
    Operation(
        "POST",
        "/api/jobs/create",
        employers(201),
        body=fixed({**JOB_BODY, "status": "published"}),
        writes=(Job,),
        keeps_world=True,
    ),
    Operation(
        "GET",
        "/api/jobs/{job_id}",
        {**dict.fromkeys(Actor, JOB_NOT_FOUND), Actor.EMPLOYER: Expect(200)},
        writes=(Job,),  # a refused reader adds no view
    ),
    Operation(
        "PUT",
        "/api/jobs/{job_id}",
        employers(200, NOT_JOB_OWNER),
        body=fixed(JOB_BODY),
        writes=(Job,),
        keeps_world=True,
    ),
    Operation(
        "PATCH",
        "/api/jobs/{job_id}/status",
        employers(200, NOT_JOB_OWNER),
        body=fixed({"status": "published"}),
        writes=(Job,),
    ),
    Operation("DELETE", "/api/jobs/{job_id}", employers(204, NOT_JOB_OWNER), writes=(Job,)),
    # Candidates (API.md 6): candidate-only; another candidate's item is a 404.
    Operation("GET", "/api/candidates/profile", candidates(200)),
    Operation(
        "PUT",
        "/api/candidates/profile",
        candidates(200),
        body=fixed({"title": "Backend engineer", "years_experience": 5}),
        writes=(Candidate,),
        keeps_world=True,
    ),
    Operation(
        "POST",
        "/api/candidates/profile/experiences",
        candidates(200),
        body=fixed(EXPERIENCE_BODY),
        writes=(Experience,),
        keeps_world=True,
    ),
    Operation(
        "PUT",
        "/api/candidates/profile/experiences/{experience_id}",
        candidates(200, Expect(404, "Experience not found")),
        body=fixed(EXPERIENCE_BODY),
        writes=(Experience,),
        keeps_world=True,
    ),
    Operation(
        "DELETE",
        "/api/candidates/profile/experiences/{experience_id}",
        candidates(200, Expect(404, "Experience not found")),
        writes=(Experience,),
    ),
    Operation(
        "POST",
        "/api/candidates/profile/education",
        candidates(200),
        body=fixed(EDUCATION_BODY),
        writes=(Education,),
        keeps_world=True,
    ),
    Operation(
        "PUT",
        "/api/candidates/profile/education/{education_id}",
        candidates(200, Expect(404, "Education not found")),
        body=fixed(EDUCATION_BODY),
        writes=(Education,),
        keeps_world=True,
    ),
    Operation(
        "DELETE",
        "/api/candidates/profile/education/{education_id}",
        candidates(200, Expect(404, "Education not found")),
        writes=(Education,),
    ),
    Operation(
        "POST",
        "/api/candidates/profile/skills",
        candidates(200),
        body=fixed(SKILL_BODY),
        writes=(Skill,),
        keeps_world=True,
    ),
    Operation(
        "PUT",
        "/api/candidates/profile/skills/{skill_id}",
        candidates(200, Expect(404, "Skill not found")),
        body=fixed(SKILL_BODY),
        writes=(Skill,),
        keeps_world=True,
    ),
    Operation(
        "DELETE",
        "/api/candidates/profile/skills/{skill_id}",
        candidates(204, Expect(404, "Skill not found")),
        writes=(Skill,),
    ),
    Operation(
        "POST",
        "/api/candidates/cv",
        candidates(200),
        upload=True,
        writes=(CandidateCV,),
        # Not kept: the other candidate would own a CV from then on.
    ),
    Operation("GET", "/api/candidates/cv/download", candidates(200, Expect(404, "No CV uploaded"))),
    Operation("GET", "/api/candidates/cvs", candidates(200)),
    Operation("GET", "/api/candidates/cvs/{cv_id}/download", candidates(200, CV_NOT_FOUND)),
    Operation(
        "DELETE",
        "/api/candidates/cvs/{cv_id}",
        candidates(200, CV_NOT_FOUND),
        writes=(CandidateCV, JobApplication),
    ),
    Operation("GET", "/api/candidates/{candidate_id}/cv", candidates(200, CV_NOT_FOUND)),
    # Applications (API.md 5)
    Operation("GET", "/api/applications/my/applications", candidates(200)),
    Operation(
        "POST",
        "/api/applications/my/applications",
        # P1: the other candidate cannot attach the candidate's CV.
        candidates(201, CV_NOT_FOUND),
        body=lambda w, _: {"job_id": w.open_job_id, "cv_id": w.cv_id, "cover_letter": "Hi"},
        writes=(JobApplication, Notification),
        keeps_world=True,
    ),
    Operation(
        "GET",
        "/api/applications/my/applications/{application_id}",
        candidates(200, APPLICATION_NOT_FOUND),
    ),
    Operation(
        "DELETE",
        "/api/applications/my/applications/{application_id}",
        candidates(200, APPLICATION_NOT_FOUND),
        writes=(JobApplication, ApplicationStatusHistory),
    ),
    Operation("GET", "/api/applications/employer/applications", employers(200)),
    Operation(
        "GET",
        "/api/applications/employer/applications/{application_id}/cv",
        employers(200, NO_ACCESS_TO_APPLICATION),
    ),
    Operation(
        "PUT",
        "/api/applications/employer/applications/{application_id}/status",
        employers(200, NO_ACCESS_TO_APPLICATION),
        body=fixed({"status": "viewed"}),
        writes=(JobApplication, ApplicationStatusHistory, Notification),
    ),
    Operation(
        "PUT",
        "/api/applications/employer/applications/{application_id}/notes",
        employers(200, NO_ACCESS_TO_APPLICATION),
        body=fixed({"notes": "Strong profile"}),
        writes=(JobApplication,),
        keeps_world=True,
    ),
    # Notifications (API.md 9): own only; {notification_id} is the candidate's.
    Operation("GET", "/api/notifications", any_user()),
    Operation("GET", "/api/notifications/unread-count", any_user()),
    Operation(
        "PUT",
        "/api/notifications/mark-all-read",
        any_user(),
        writes=(Notification,),
        keeps_world=True,
    ),
    Operation(
        "PUT",
        "/api/notifications/{notification_id}/read",
        own_only(200, NOTIFICATION_NOT_FOUND),
        writes=(Notification,),
        keeps_world=True,
    ),
    Operation(
        "DELETE",
        "/api/notifications/{notification_id}",
        own_only(200, NOTIFICATION_NOT_FOUND),
        writes=(Notification,),
    ),
    # Dashboard (API.md 8); the funnel of another company's job is a 404.
    Operation("GET", "/api/dashboard", any_user()),
    Operation("GET", "/api/dashboard/activities", any_user()),
    Operation(
        "GET",
        "/api/dashboard/employer-funnel",
        employers(200, JOB_NOT_FOUND),
        query=lambda w: {"job_id": w.posted_job_id},
    ),
    # Admin, users (API.md 10); {user_id} is the candidate's account.
    Operation("GET", "/api/admin/stats", admins()),
    Operation("GET", "/api/admin/users", admins()),
    Operation("GET", "/api/admin/employers", admins()),
    Operation("GET", "/api/admin/jobs", admins()),
    Operation(
        "PUT",
        "/api/admin/users/{user_id}/activate",
        admins(),
        body=fixed({"is_active": False}),
        writes=(User, AuthSession),
    ),
    Operation("DELETE", "/api/admin/users/{user_id}", admins(), writes=(User,)),
    Operation("GET", "/api/admin/me", admins()),
    Operation("GET", "/api/users", admins()),
    Operation(
        "POST",
        "/api/users",
        dict.fromkeys(Actor, Expect(410, "This endpoint has been removed")),
        writes=(User,),
    ),
    Operation("GET", "/api/users/{user_id}", admins()),
    Operation("GET", "/api/db-status", admins()),
]
