"""User accounts: the rules shared by sign-up (API) and `intowork create-admin` (CLI)."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.errors import BadRequest
from intowork.core.security import check_password_policy, hash_password
from intowork.models import User
from intowork.models.enums import UserRole
from intowork.users import repository
from intowork.users.exceptions import EmailAlreadyRegistered


def normalise_email(email: str) -> str:
    """Validated and lowercased: e-mail uniqueness is case-insensitive (API.md 1.1)."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise BadRequest(f"Invalid email address: {exc}") from exc


async def create_admin(
    session: AsyncSession, *, email: str, password: str, first_name: str, last_name: str
) -> User:
    email = normalise_email(email)
    check_password_policy(password)
    if await repository.get_by_email(session, email) is not None:
        raise EmailAlreadyRegistered()
    user = User(
        email=email,
        password_hash=await hash_password(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=UserRole.ADMIN,
    )
    session.add(user)
    await session.flush()
    return user
