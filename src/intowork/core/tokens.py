"""Access tokens: HS256 JWTs (API.md 1.2)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

import jwt
from starlette.types import Scope

from intowork.core.config import Settings
from intowork.core.schemas import MAX_ID

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"
# `sid`: the sign-in (refresh-token family) the token was issued for. A token dies with its
# sign-in (sign-out, reuse detected, another session's credential change), at once.
REQUIRED_CLAIMS = ["sub", "sid", "type", "iat", "exp", "jti"]
# The request's decoded token (scope state): the rate limit reads it first, the auth dependency
# after, and an HS256 verification is the dearest step of a signed-in request's routing.
CLAIMS_STATE_KEY = "access_claims"


class TokenSubject(Protocol):
    """Who a token is issued to (a `User`): core knows the fields it signs, not the model."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> StrEnum: ...


class InvalidAccessToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: uuid.UUID
    issued_at: datetime


def create_access_token(
    user: TokenSubject,
    settings: Settings,
    *,
    now: datetime,
    session_id: uuid.UUID,
    session_expires_at: datetime | None = None,
) -> str:
    """An access token of the sign-in `session_id`; it never outlives that sign-in's expiry."""
    expires_at = now + timedelta(minutes=settings.access_token_expire_minutes)
    if session_expires_at is not None:
        expires_at = min(expires_at, session_expires_at)
    # `iat` keeps sub-second precision (a valid NumericDate), so a token issued right after a
    # password change is not mistaken for one issued before it (`tokens_valid_after`).
    payload = {
        "sub": str(user.id),
        "sid": session_id.hex,
        "email": user.email,
        "role": user.role.value,
        "type": ACCESS_TOKEN_TYPE,
        "iat": now.timestamp(),
        "exp": expires_at,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.jwt_secret_value, algorithm=ALGORITHM)


def decode_access_token(token: str, settings: Settings) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret_value,
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
        if payload["type"] != ACCESS_TOKEN_TYPE:
            raise InvalidAccessToken("not an access token")
        user_id = int(payload["sub"])
        if not 1 <= user_id <= MAX_ID:
            raise InvalidAccessToken("subject out of range")
        session_id = uuid.UUID(hex=str(payload["sid"]))
        issued_at = datetime.fromtimestamp(float(payload["iat"]), UTC)
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
        raise InvalidAccessToken(str(exc)) from exc
    return AccessClaims(user_id=user_id, session_id=session_id, issued_at=issued_at)


def request_claims(scope: Scope, token: str, settings: Settings) -> AccessClaims:
    """`decode_access_token`, once per request: the outcome, claims or refusal, is kept on the
    request's state for the same token."""
    state = scope.setdefault("state", {})
    cached: tuple[str, AccessClaims | str] | None = state.get(CLAIMS_STATE_KEY)
    if cached is not None and cached[0] == token:
        outcome = cached[1]
    else:
        try:
            outcome = decode_access_token(token, settings)
        except InvalidAccessToken as exc:
            outcome = str(exc)
        state[CLAIMS_STATE_KEY] = (token, outcome)
    if isinstance(outcome, str):
        raise InvalidAccessToken(outcome)
    return outcome
