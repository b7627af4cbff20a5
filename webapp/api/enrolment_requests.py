"""`/api/v1/enrolment-requests`: staff asking a founder to let an unpublished venture into a
programme, and the founder's answer. Each request is visible to the venture's founder only;
anyone else gets 404, as if it did not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from webapp.api._common import READ_ERRORS, WRITE_ERRORS, Id, problems, validated
from webapp.api._pipeline_models import client_ip
from webapp.models.enums import EnrolmentRequestStatus
from webapp.services.ventures import enrolment_requests
from webapp.services.ventures.enrolment_requests import RequestView
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "enrolment_requests_api",
    __name__,
    url_prefix="/api/v1/enrolment-requests",
    abp_tags=[Tag(name="programmes")],
)


class RequestPath(BaseModel):
    """An enrolment request id."""

    request_id: Id


class EnrolmentRequestOut(BaseModel):
    """A programme asking to enrol one of the founder's ventures."""

    id: int
    programme_id: int
    programme_name: str
    programme_description: str
    venture_id: int
    venture_name: str
    status: EnrolmentRequestStatus
    requested_by_name: str | None
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, view: RequestView) -> EnrolmentRequestOut:
        """From the service's view."""
        return cls.model_validate(view, from_attributes=True)


class EnrolmentRequestList(BaseModel):
    """The caller's requests, waiting ones first."""

    items: list[EnrolmentRequestOut]
    total: int


@api.get("", security=SECURITY, responses={200: EnrolmentRequestList, **problems(*READ_ERRORS)})
@api_auth()
@validated
def list_requests() -> tuple[dict[str, Any], int]:
    """Requests to enrol the caller's ventures in programmes (empty for anyone but founders)."""
    found = enrolment_requests.requests_for_founder(session=get_session(), founder=require_user())
    items = [EnrolmentRequestOut.of(r).model_dump(mode="json") for r in found]
    return {"items": items, "total": len(items)}, 200


def _answer(request_id: int, *, accept: bool) -> tuple[dict[str, Any], int]:
    view = enrolment_requests.answer_request(
        session=get_session(),
        actor=require_user(),
        request_id=request_id,
        accept=accept,
        ip=client_ip(),
    )
    return EnrolmentRequestOut.of(view).model_dump(mode="json"), 200


@api.post(
    "/<int:request_id>/accept",
    security=SECURITY,
    responses={200: EnrolmentRequestOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def accept(path: RequestPath) -> tuple[dict[str, Any], int]:
    """The founder accepts: the venture joins the programme and its staff see it.

    404 for anyone but the venture's founder; 409 once the request has been answered.
    """
    return _answer(path.request_id, accept=True)


@api.post(
    "/<int:request_id>/decline",
    security=SECURITY,
    responses={200: EnrolmentRequestOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def decline(path: RequestPath) -> tuple[dict[str, Any], int]:
    """The founder declines: the venture stays out, and staff can't ask again while unpublished.

    404 for anyone but the venture's founder; 409 once the request has been answered.
    """
    return _answer(path.request_id, accept=False)
