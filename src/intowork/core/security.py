"""Password policy and hashing (Argon2id; imported bcrypt hashes still verify)."""

import hashlib
import secrets
import string
from functools import cache

from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from intowork.core.errors import BadRequest

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
SPECIAL_CHARACTERS = frozenset("!@#$%^&*()_+-=[]{}|;:,.<>?")

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
password_hash = PasswordHash(
    (Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1), BcryptHasher())
)


class WeakPassword(BadRequest):
    pass


def check_password_policy(password: str) -> None:
    """API.md A2, checked in order; the first failing rule is the message."""
    rules = (
        (len(password) >= MIN_PASSWORD_LENGTH, "at least 12 characters long"),
        (len(password) <= MAX_PASSWORD_LENGTH, "at most 128 characters long"),
        (any(c.isupper() for c in password), "contain at least one uppercase letter"),
        (any(c.islower() for c in password), "contain at least one lowercase letter"),
        (any(c in string.digits for c in password), "contain at least one digit"),
        (
            any(c in SPECIAL_CHARACTERS for c in password),
            "contain at least one special character",
        ),
    )
    for ok, requirement in rules:
        if not ok:
            verb = "" if requirement.startswith("contain") else "be "
            raise WeakPassword(f"Password must {verb}{requirement}")


async def hash_password(password: str) -> str:
    # Argon2 takes tens of milliseconds of CPU: never on the event loop.
    return await to_thread.run_sync(password_hash.hash, password)


def _verify_and_update(password: str, stored_hash: str) -> tuple[bool, str | None]:
    try:
        return password_hash.verify_and_update(password, stored_hash)
    except (UnknownHashError, ValueError):
        # An unreadable stored hash, or a password bcrypt cannot take (> 72 bytes): no match.
        return False, None


async def verify_password(password: str, stored_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one is bcrypt or has outdated parameters)."""
    return await to_thread.run_sync(_verify_and_update, password, stored_hash)


@cache
def _dummy_hash() -> str:
    return password_hash.hash(secrets.token_urlsafe(16))


async def dummy_verify(password: str) -> None:
    """The work of a real verification, so an unknown e-mail answers in the same time."""
    await to_thread.run_sync(_verify_and_update, password, _dummy_hash())


def new_opaque_token() -> str:
    """URL-safe, 256 random bits: refresh and password-reset tokens."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Opaque tokens are stored and looked up only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
