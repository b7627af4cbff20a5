"""Password rules and argon2id hashing with OWASP's parameters (rehashed when they change)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from webapp.services.common.errors import FieldError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_COUNT = 10_000

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 commonest passwords, from zxcvbn's frequency-ranked list (installed from PyPI)."""
    ranked = FREQUENCY_LISTS["passwords"]
    if len(ranked) < COMMON_COUNT:
        raise RuntimeError(
            f"zxcvbn ships {len(ranked)} passwords; expected at least {COMMON_COUNT}"
        )
    return frozenset(word.lower() for word in ranked[:COMMON_COUNT])


def password_problems(
    password: str, *, field: str = "password", email: str | None = None
) -> list[FieldError]:
    """What is wrong with a proposed password, in words a person can act on (empty if fine)."""
    length = len(password)
    if length < MIN_LENGTH:
        return [FieldError(field, f"Use at least {MIN_LENGTH} characters (this has {length})")]
    if length > MAX_LENGTH:
        return [FieldError(field, f"Use at most {MAX_LENGTH} characters (this has {length})")]
    if password.lower() in common_passwords():
        return [
            FieldError(
                field,
                "This is one of the 10,000 most common passwords; choose something less guessable",
            )
        ]
    if email and password.strip().lower() == email.strip().lower():
        return [FieldError(field, "Don't use your email address as your password")]
    return []


def hash_password(password: str) -> str:
    """An argon2id hash in PHC string form (salt and parameters included)."""
    return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches; a malformed hash is treated as a mismatch."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters (or another algorithm)."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """Verified against when no account matches, so timing doesn't reveal which emails exist."""
    return HASHER.hash("no account has this password: it only burns the same time")
