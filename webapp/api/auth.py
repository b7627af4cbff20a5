"""`/api/v1/auth/…`: register, exchange credentials for a bearer token, revoke it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import url_for
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._openapi import problem_responses
from webapp.services.accounts import accounts, api_tokens
from webapp.services.outbox import links
from webapp.web.auth import SECURITY, api_auth, bearer_token
from webapp.web.db_session import get_session
from webapp.web.limits import client_ip, per_ip_limit, throttle, too_many

api = APIBlueprint("auth_api", __name__, url_prefix="/api/v1/auth", abp_tags=[Tag(name="accounts")])


class RegisterIn(BaseModel):
    """Self-registration: founders and investors only (staff and admins are made by an admin)."""

    email: str = Field(max_length=254, examples=["ada@tyne-diagnostics.co.uk"])
    password: str = Field(max_length=1000, description="12 to 128 characters, not a common one")
    name: str = Field(max_length=120)
    role: Literal["founder", "investor"]
    organisation_name: str | None = Field(
        default=None, max_length=200, description="Investors: the organisation they invest for"
    )


class UserOut(BaseModel):
    """An account as the API shows it."""

    id: int
    email: str
    name: str
    role: str


class TokenIn(BaseModel):
    """Credentials to exchange for a bearer token."""

    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class TokenOut(BaseModel):
    """Shown once: keep it secret; it expires at `expires_at`."""

    token: str
    expires_at: datetime


def _verify_link(token: str) -> str:
    return links.absolute(url_for("auth.verify_email", token=token))


@api.post(
    "/register",
    responses={201: UserOut, **problem_responses(400, 409, 413, 415, 422, 429)},
)
@per_ip_limit("20/hour", scope="sign-up")
def register(body: RegisterIn) -> tuple[dict[str, object], int]:
    """Create a founder or investor account; a confirmation link is emailed."""
    user = accounts.register(
        session=get_session(),
        email=body.email,
        password=body.password,
        name=body.name,
        role=body.role,
        organisation_name=body.organisation_name if body.role == "investor" else None,
        link_for=_verify_link,
    )
    out = UserOut(id=user.id or 0, email=str(user.email), name=user.name, role=user.role)
    return out.model_dump(), 201


@api.post(
    "/tokens",
    responses={201: TokenOut, **problem_responses(400, 401, 413, 415, 422, 429)},
)
def create_token(body: TokenIn) -> tuple[dict[str, object], int]:
    """Exchange email and password for a bearer token (rate-limited per IP and account)."""
    try:
        user = accounts.authenticate(
            session=get_session(),
            email=body.email,
            password=body.password,
            ip=client_ip(),
            throttle=throttle(),
        )
    except accounts.TooManyAttempts as exc:
        raise too_many(exc.retry_after_s, exc.detail) from None
    issued = api_tokens.issue_token(session=get_session(), user=user)
    return TokenOut(token=issued.token, expires_at=issued.expires_at).model_dump(mode="json"), 201


@api.delete(
    "/tokens/current",
    security=SECURITY,
    responses={204: None, **problem_responses(401)},
)
@api_auth()
def revoke_current_token() -> tuple[str, int]:
    """Revoke the token this request was made with; it stops working at once."""
    raw = bearer_token()
    if raw is not None:
        api_tokens.revoke_token(session=get_session(), raw_token=raw)
    return "", 204
