"""`GET /api/v1/me`: who the bearer token belongs to."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.api._openapi import problem_responses
from webapp.web.auth import SECURITY, api_auth, require_user

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
