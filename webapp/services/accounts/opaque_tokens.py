"""Random bearer secrets and the digests stored instead of them (sessions, API, link tokens)."""

from __future__ import annotations

import hashlib
import secrets

# 32 random bytes = 256 bits, well above the 128-bit floor; URL-safe so it fits links and headers.
TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh unguessable secret to hand to the client (never stored as is)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(raw: str) -> str:
    """SHA-256 hex of a token: high-entropy secrets need no salt or slow hash to be safe at rest."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def saved_id(row: object) -> int:
    """The primary key of a saved row (tokens are only issued to users already in the database)."""
    value = getattr(row, "id", None)
    if value is None:
        raise ValueError(f"{type(row).__name__} must be saved before a token is issued for it")
    return int(value)
