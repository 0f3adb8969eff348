"""User accounts: the rules shared by sign-up (API) and `intowork create-admin` (CLI)."""

from email_validator import EmailNotValidError, validate_email
from loguru import logger
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.cache import Scope, invalidate_after_commit
from intowork.core.errors import BadRequest
from intowork.core.i18n import Language, gettext, language_of
from intowork.core.schemas import nfkc
from intowork.core.security import check_password_policy, hash_password
from intowork.core.storage import Storage
from intowork.cvs import service as cvs_service
from intowork.email.service import enqueue_email
from intowork.models import Candidate, Employer, Notification, User
from intowork.models.enums import EmailTemplate, NotificationType, UserRole
from intowork.users import repository
from intowork.users.exceptions import EmailAlreadyRegistered


def normalise_email(email: str) -> str:
    """As the API's `Email` does it: NFKC, validated, lowercased (API.md 1.1)."""
    try:
        return validate_email(nfkc(email.strip()), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise BadRequest("Invalid email address: {reason}", params={"reason": str(exc)}) from exc


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: UserRole,
    language: Language | None = None,
) -> User:
    """A user with the empty profile row of its role (candidates and employers)."""
    email = normalise_email(email)
    check_password_policy(password)
    if await repository.get_by_email(session, email) is not None:
        raise EmailAlreadyRegistered()
    user = User(
        email=email,
        password_hash=await hash_password(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        language=language,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail won
        raise EmailAlreadyRegistered() from exc
    if role is UserRole.CANDIDATE:
        session.add(Candidate(user_id=user.id))
    elif role is UserRole.EMPLOYER:
        session.add(Employer(user_id=user.id))
    await session.flush()
    invalidate_after_commit(session, Scope.STATS)  # admins count the users
    return user


async def create_admin(
    session: AsyncSession, *, email: str, password: str, first_name: str, last_name: str
) -> User:
    return await create_user(
        session,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=UserRole.ADMIN,
    )


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await repository.get_by_id(session, user_id)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.get_by_email(session, email)


async def count_users(session: AsyncSession) -> int:
    return await repository.count(session)


async def delete_account(session: AsyncSession, storage: Storage, user: User) -> None:
    """API.md A8: the user and all it owns go, by the database's cascades, in one transaction.

    An employer's jobs go with their applications: each affected candidate is told, in the app
    and by e-mail, before the rows disappear. The company stays. A candidate's CV files are
    removed once the deletion is committed.
    """
    cvs_service.forget_files_after_commit(
        session, storage, await cvs_service.storage_keys_of_user(session, user.id)
    )
    for applicant in await repository.applicants_to_jobs_of(session, user.id):
        with language_of(applicant.language):
            session.add(
                Notification(
                    user_id=applicant.user_id,
                    type=NotificationType.SYSTEM,
                    title=gettext("Job removed"),
                    message=gettext(
                        'The job "{job_title}" you applied to has been removed by its employer.',
                        job_title=applicant.job_title,
                    ),
                )
            )
        enqueue_email(
            session,
            to_email=applicant.email,
            template=EmailTemplate.JOB_REMOVED,
            context={"first_name": applicant.first_name, "job_title": applicant.job_title},
            language=applicant.language,
        )
    await session.flush()
    await repository.delete_user(session, user.id)
    # Rare, and it reaches far (its jobs, applications, company): everything is renewed.
    invalidate_after_commit(session, Scope.ALL)
    logger.bind(user_id=user.id, role=user.role.value).info("users.account_deleted")
