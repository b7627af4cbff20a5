"""Password hashes for seeded users: real hashes (the web app's argon2id helper) for the demo
logins, and one shared hash of a thrown-away secret for everyone else, since hashing thousands
would take minutes."""

from __future__ import annotations

import secrets
from collections.abc import Callable

HashPassword = Callable[[str], str]


def unusable_password_hash(hasher: HashPassword) -> str:
    """A valid hash of 32 random bytes that nobody keeps: no one can sign in with it, and a
    password reset still works as for any account."""
    return hasher(secrets.token_urlsafe(32))
