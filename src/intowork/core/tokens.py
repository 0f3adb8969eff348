"""Access tokens: HS256 JWTs (API.md 1.2)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from intowork.core.config import Settings
from intowork.core.schemas import MAX_ID
from intowork.models import User

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"
REQUIRED_CLAIMS = ["sub", "type", "iat", "exp", "jti"]


class InvalidAccessToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    issued_at: datetime


def create_access_token(user: User, settings: Settings, *, now: datetime) -> str:
    # `iat` keeps sub-second precision (a valid NumericDate), so a token issued right after a
    # password change is not mistaken for one issued before it (`tokens_valid_after`).
    payload = {
        "sub": str(user.id),
        "email": user.email,
        "role": user.role.value,
        "type": ACCESS_TOKEN_TYPE,
        "iat": now.timestamp(),
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
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
        issued_at = datetime.fromtimestamp(float(payload["iat"]), UTC)
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
        raise InvalidAccessToken(str(exc)) from exc
    return AccessClaims(user_id=user_id, issued_at=issued_at)
