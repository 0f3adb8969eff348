"""/api/auth: accounts, sign-in and sessions (API.md 3)."""

from fastapi import APIRouter, Depends, Request, Response, status

from intowork.auth import service
from intowork.auth.dependencies import ClientInfoDep, CurrentSignIn, CurrentUser
from intowork.auth.exceptions import (
    EmailInUse,
    InactiveAccount,
    IncorrectCurrentPassword,
    IncorrectPassword,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    ResetTokenExpired,
    ResetTokenUsed,
)
from intowork.auth.schemas import (
    AuthResponse,
    ChangeEmailRequest,
    ChangeEmailResponse,
    ChangePasswordRequest,
    ChangePasswordResponse,
    ForgotPasswordRequest,
    MeResponse,
    RefreshRequest,
    ResetPasswordRequest,
    SigninRequest,
    SignupRequest,
    TokenPair,
    UpdateMeRequest,
)
from intowork.core.config import SettingsDep
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.ratelimit import RateLimit, Tier, enforce
from intowork.core.schemas import MessageResponse
from intowork.core.storage import StorageDep
from intowork.models.enums import UserRole
from intowork.users import service as users_service
from intowork.users.exceptions import EmailAlreadyRegistered

router = APIRouter(prefix="/api/auth", tags=["auth"])

FORGOT_PASSWORD_MESSAGE = "If an account exists for this email, a password reset link has been sent"


@router.post(
    "/signup",
    response_model=AuthResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[RateLimit(Tier.SIGNUP)],
    responses=error_responses(EmailAlreadyRegistered),
)
async def signup(
    body: SignupRequest, session: SessionDep, settings: SettingsDep, client: ClientInfoDep
) -> AuthResponse:
    """Create a candidate or employer account and sign it in."""
    return await service.signup(
        session,
        settings,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        role=UserRole(body.role),
        client=client,
    )


async def limit_signin_per_account(body: SigninRequest, request: Request) -> None:
    """Sign-in attempts are also counted per account (normalised e-mail), whatever the IP."""
    await enforce(request, Tier.SIGNIN_ACCOUNT, f"email:{body.email}")


@router.post(
    "/signin",
    response_model=AuthResponse,
    dependencies=[RateLimit(Tier.SIGNIN_IP), Depends(limit_signin_per_account)],
    responses=error_responses(InvalidCredentials, InactiveAccount),
)
async def signin(
    body: SigninRequest, session: SessionDep, settings: SettingsDep, client: ClientInfoDep
) -> AuthResponse:
    """Sign in with e-mail and password; starts a new session."""
    return await service.signin(
        session, settings, email=body.email, password=body.password, client=client
    )


@router.post(
    "/refresh",
    response_model=TokenPair,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(InvalidRefreshToken),
)
async def refresh_tokens(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, client: ClientInfoDep
) -> TokenPair:
    """Exchange a refresh token for a new pair; the presented token is used up."""
    return await service.refresh(session, settings, refresh_token=body.refresh_token, client=client)


@router.post(
    "/signout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def signout(body: RefreshRequest, session: SessionDep) -> None:
    """End the session this refresh token belongs to."""
    await service.signout(session, refresh_token=body.refresh_token)


@router.post(
    "/signout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def signout_all(user: CurrentUser, session: SessionDep) -> None:
    """End every session of the caller; their access tokens stop working too."""
    await service.signout_all(session, user)


@router.get("/me", response_model=MeResponse, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_me(user: CurrentUser) -> MeResponse:
    """The caller's account."""
    return service.me(user)


@router.put("/me", response_model=MeResponse, dependencies=[RateLimit(Tier.MUTATION)])
async def update_me(body: UpdateMeRequest, user: CurrentUser, session: SessionDep) -> MeResponse:
    """Change the caller's preferences: the language of the API's messages and e-mails."""
    return await service.update_me(session, user, language=body.language)


@router.post(
    "/change-password",
    response_model=ChangePasswordResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(IncorrectCurrentPassword),
)
async def change_password(
    body: ChangePasswordRequest,
    signed_in: CurrentSignIn,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientInfoDep,
) -> ChangePasswordResponse:
    """Change the password; other sessions end, this one goes on, a new one is returned."""
    tokens = await service.change_password(
        session,
        settings,
        signed_in,
        current_password=body.current_password,
        new_password=body.new_password,
        client=client,
    )
    return ChangePasswordResponse(message="Password changed successfully", **tokens.model_dump())


@router.post(
    "/change-email",
    response_model=ChangeEmailResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(IncorrectPassword, EmailInUse),
)
async def change_email(
    body: ChangeEmailRequest, signed_in: CurrentSignIn, session: SessionDep
) -> ChangeEmailResponse:
    """Change the sign-in e-mail (password required); every other session ends."""
    new_email = await service.change_email(
        session, signed_in, new_email=body.new_email, password=body.password
    )
    return ChangeEmailResponse(message="Email updated successfully", new_email=new_email)


@router.delete(
    "/delete-account", response_model=MessageResponse, dependencies=[RateLimit(Tier.MUTATION)]
)
async def delete_account(
    user: CurrentUser, session: SessionDep, storage: StorageDep
) -> MessageResponse:
    """Delete the caller's account and everything it owns."""
    await users_service.delete_account(session, storage, user)
    return MessageResponse(message="Account deleted successfully")


@router.post(
    "/forgot-password",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.FORGOT_PASSWORD)],
)
async def forgot_password(body: ForgotPasswordRequest, session: SessionDep) -> MessageResponse:
    """E-mail a password reset link, if the account exists; the answer is always the same."""
    await service.forgot_password(session, email=body.email)
    return MessageResponse(message=FORGOT_PASSWORD_MESSAGE)


@router.post(
    "/reset-password",
    response_model=MessageResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(InvalidResetToken, ResetTokenUsed, ResetTokenExpired),
)
async def reset_password(body: ResetPasswordRequest, session: SessionDep) -> MessageResponse:
    """Set a new password with the token of a reset link."""
    await service.reset_password(session, token=body.token, new_password=body.new_password)
    return MessageResponse(message="Password has been reset successfully")
