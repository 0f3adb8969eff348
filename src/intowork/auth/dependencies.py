"""Who is calling, declared once: token -> user -> role (API.md 1.2).

The user row is read on every request, with its sign-in, and authorization uses the row, not the
token's claims: a deleted user or an ended sign-in is 401, a deactivated user 403, a token issued
before `tokens_valid_after` 401.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.auth import repository as auth_repository
from intowork.auth.exceptions import InactiveAccount, InvalidToken, WrongRole
from intowork.auth.service import ClientInfo, SignedIn
from intowork.core.config import Settings, SettingsDep
from intowork.core.db import SessionDep
from intowork.core.error_docs import declared_errors, raises
from intowork.core.errors import Unauthorized
from intowork.core.i18n import use_language
from intowork.core.net import client_ip
from intowork.core.observability.context import bind_user
from intowork.core.signed_urls import LinkExpiredOrInvalid, UrlSigner
from intowork.core.tokens import InvalidAccessToken, request_claims
from intowork.models import User
from intowork.models.enums import UserRole
from intowork.users import service as users_service

bearer_scheme = HTTPBearer(auto_error=False, description="The access token of a sign-in")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def _signed_in(
    request: Request, session: AsyncSession, settings: Settings, token: str
) -> SignedIn:
    try:
        claims = request_claims(request.scope, token, settings)
    except InvalidAccessToken as exc:
        raise InvalidToken() from exc
    user = await auth_repository.get_signed_in_user(
        session, claims.user_id, claims.session_id, issued_at=claims.issued_at
    )
    if user is None:
        raise InvalidToken()
    if user.tokens_valid_after is not None and claims.issued_at < user.tokens_valid_after:
        raise InvalidToken()
    return SignedIn(user=user, session_id=claims.session_id)


@raises(Unauthorized, InvalidToken, InactiveAccount)
async def get_signed_in(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: BearerCredentials
) -> SignedIn:
    if credentials is None:
        raise Unauthorized("Authentication required")
    signed_in = await _signed_in(request, session, settings, credentials.credentials)
    bind_user(signed_in.user.id)
    use_language(signed_in.user.language)
    if not signed_in.user.is_active:
        raise InactiveAccount()
    return signed_in


CurrentSignIn = Annotated[SignedIn, Depends(get_signed_in)]


async def get_current_user(signed_in: CurrentSignIn) -> User:
    return signed_in.user


async def get_optional_user(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: BearerCredentials
) -> User | None:
    """For public routes that personalise: an invalid or inactive caller counts as anonymous."""
    if credentials is None:
        return None
    try:
        user = (await _signed_in(request, session, settings, credentials.credentials)).user
    except InvalidToken:
        return None
    if not user.is_active:
        return None
    bind_user(user.id)
    use_language(user.language)
    return user


SignedUrlExpiry = Annotated[
    str | None, Query(description="A signed link's expiry (Unix seconds), given with `sig`")
]
SignedUrlSignature = Annotated[
    str | None, Query(description="A signed link's signature: opens the file without a token")
]


@raises(*declared_errors(get_signed_in), LinkExpiredOrInvalid)
async def get_file_viewer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: BearerCredentials,
    exp: SignedUrlExpiry = None,
    sig: SignedUrlSignature = None,
) -> User:
    """Who downloads a file: the token's user, else the viewer a signed link names (API.md M2).

    A sent Authorization header alone decides, as on every route; `exp` and `sig` are then
    ignored. With neither (or both empty: `exp=&sig=`), the request carries no credential: 401.
    A link's viewer is checked as a token's user is (deleted, inactive, role, and the route's
    own rights), so that a link dies with the access it was made for.
    """
    if credentials is not None or not (exp or sig):
        return (await get_signed_in(request, session, settings, credentials)).user
    viewer_id = UrlSigner.from_settings(settings).verify(request.scope["path"], exp, sig)
    user = await users_service.get_user(session, viewer_id)
    if user is None:
        raise LinkExpiredOrInvalid()
    bind_user(user.id)
    use_language(user.language)
    if not user.is_active:
        raise InactiveAccount()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def _require_role(
    role: UserRole, message: str, caller: Callable[..., Awaitable[User]] = get_current_user
) -> Callable[[User], Awaitable[User]]:
    @raises(WrongRole(message))
    async def require(user: Annotated[User, Depends(caller)]) -> User:
        if user.role is not role:
            raise WrongRole(message)
        return user

    require.__name__ = f"require_{role.value}"
    return require


CurrentCandidate = Annotated[
    User, Depends(_require_role(UserRole.CANDIDATE, "Candidate access required"))
]
CurrentEmployer = Annotated[
    User, Depends(_require_role(UserRole.EMPLOYER, "Employer access required"))
]
AdminUser = Annotated[User, Depends(_require_role(UserRole.ADMIN, "Admin access required"))]
# Download routes whose URLs the API hands out signed (a `cv_url`): a token or a signed link.
CandidateFileViewer = Annotated[
    User,
    Depends(_require_role(UserRole.CANDIDATE, "Candidate access required", get_file_viewer)),
]
EmployerFileViewer = Annotated[
    User, Depends(_require_role(UserRole.EMPLOYER, "Employer access required", get_file_viewer))
]


def printable(header: str | None) -> str | None:
    """A header kept for display (the sessions list): control characters dropped, NUL included,
    which PostgreSQL text cannot hold."""
    if header is None:
        return None
    return "".join(character for character in header if character.isprintable()) or None


async def get_client_info(request: Request, settings: SettingsDep) -> ClientInfo:
    return ClientInfo(
        user_agent=printable(request.headers.get("user-agent")),
        ip=client_ip(request, settings.trusted_proxies),
    )


ClientInfoDep = Annotated[ClientInfo, Depends(get_client_info)]
