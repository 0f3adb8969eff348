from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from intowork.core.i18n import Language
from intowork.core.schemas import Email, Message, Name, RequestSchema, ResponseSchema
from intowork.models.enums import UserRole

# Passwords are taken exactly as typed: never trimmed (an imported hash of " secret" must still
# verify), and not length-capped here, so that an over-long one gets the policy's 400 (A2). The
# request body limit bounds what can reach the hasher.
Password = Annotated[str, StringConstraints(strip_whitespace=False)]
OpaqueToken = Annotated[str, Field(min_length=1, max_length=512)]


class SignupRole(StrEnum):
    """The roles anyone may sign up with: admins are made with `intowork create-admin`."""

    CANDIDATE = UserRole.CANDIDATE.value
    EMPLOYER = UserRole.EMPLOYER.value


class SignupRequest(RequestSchema):
    email: Email
    password: Password
    first_name: Name
    last_name: Name
    role: SignupRole


class SigninRequest(RequestSchema):
    email: Email
    password: Password


class RefreshRequest(RequestSchema):
    refresh_token: OpaqueToken


class ChangePasswordRequest(RequestSchema):
    current_password: Password
    new_password: Password


class ChangeEmailRequest(RequestSchema):
    new_email: Email
    password: Password


class ForgotPasswordRequest(RequestSchema):
    email: Email


class ResetPasswordRequest(RequestSchema):
    token: OpaqueToken
    new_password: Password


class AuthUser(ResponseSchema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: UserRole
    image: str | None


class TokenPair(ResponseSchema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"


class AuthResponse(TokenPair):
    user: AuthUser


class MeResponse(AuthUser):
    name: str
    is_active: bool
    # The stored preference, else the language this answer was given in (API.md M1).
    language: Language


class UpdateMeRequest(RequestSchema):
    language: Language


class ChangePasswordResponse(TokenPair):
    message: Message


class ChangeEmailResponse(ResponseSchema):
    message: Message
    new_email: str
