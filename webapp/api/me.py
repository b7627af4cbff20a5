"""`GET /api/v1/me`: who the bearer token belongs to; `GET /api/v1/me/export`: everything we
hold about them (the same document as the account page's download)."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict

from webapp.api._openapi import problem_responses
from webapp.services.privacy.data_export import export_account_data
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint("me_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="accounts")])


class MeOut(BaseModel):
    """The caller; `email_verified` says whether they confirmed their address."""

    id: int
    email: str
    name: str
    role: str
    organisation_id: int | None
    email_verified: bool
    email_frequency: str


@api.get("/me", security=SECURITY, responses={200: MeOut, **problem_responses(401)})
@api_auth()
def me() -> tuple[dict[str, object], int]:
    """The account the bearer token belongs to."""
    user = require_user()
    out = MeOut(
        id=user.id or 0,
        email=str(user.email),
        name=user.name,
        role=user.role,
        organisation_id=user.organisation_id,
        email_verified=user.email_verified_at is not None,
        email_frequency=user.email_frequency,
    )
    return out.model_dump(), 200


class AccountExport(BaseModel):
    """Everything we hold about the caller (`format` names the version of this layout)."""

    model_config = ConfigDict(extra="allow")

    format: str
    exported_at: str
    account: dict[str, Any]
    organisation: dict[str, Any] | None
    ventures: list[dict[str, Any]]
    matches: list[dict[str, Any]]
    introductions: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    api_tokens: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    activity: list[dict[str, Any]]


@api.get("/me/export", security=SECURITY, responses={200: AccountExport, **problem_responses(401)})
@api_auth()
def export() -> tuple[dict[str, Any], int]:
    """Everything we hold about the caller, as the account page's "Download my data" gives it."""
    return export_account_data(session=get_session(), user=require_user()), 200
