"""`/api/v1/invitations`: invitations to manage an investor organisation's mandate, as the
invitee sees them. An invitation is addressed to an email; only the investor account with that
(confirmed) address can see or answer it, and everyone else gets 404."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.api._common import READ_ERRORS, WRITE_ERRORS, Id, problems, validated
from webapp.api._pipeline_models import client_ip
from webapp.api.investors import InvitationList, InvitationOut
from webapp.services.investors import member_invitations
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "invitations_api", __name__, url_prefix="/api/v1/invitations", abp_tags=[Tag(name="investors")]
)


class InvitationIdPath(BaseModel):
    """An invitation id."""

    invitation_id: Id


@api.get("", security=SECURITY, responses={200: InvitationList, **problems(*READ_ERRORS)})
@api_auth()
@validated
def my_invitations() -> tuple[dict[str, Any], int]:
    """Open invitations addressed to the caller (investor accounts; empty for anyone else)."""
    found = member_invitations.invitations_for(session=get_session(), user=require_user())
    items = [InvitationOut.of(i).model_dump(mode="json") for i in found]
    return {"items": items, "total": len(items)}, 200


def _answer(invitation_id: int, *, accept: bool) -> tuple[dict[str, Any], int]:
    view = member_invitations.answer_invitation(
        session=get_session(),
        actor=require_user(),
        invitation_id=invitation_id,
        accept=accept,
        ip=client_ip(),
    )
    return InvitationOut.of(view).model_dump(mode="json"), 200


@api.post(
    "/<int:invitation_id>/accept",
    security=SECURITY,
    responses={200: InvitationOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def accept(path: InvitationIdPath) -> tuple[dict[str, Any], int]:
    """Join the organisation: from now on you manage its mandate and see its ranked ventures.

    403 until your email address is confirmed; 409 when the invitation was answered, revoked or
    has expired, or when your account already manages another organisation's mandate.
    """
    return _answer(path.invitation_id, accept=True)


@api.post(
    "/<int:invitation_id>/decline",
    security=SECURITY,
    responses={200: InvitationOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def decline(path: InvitationIdPath) -> tuple[dict[str, Any], int]:
    """Decline: you don't join, and the member who invited you is told."""
    return _answer(path.invitation_id, accept=False)
