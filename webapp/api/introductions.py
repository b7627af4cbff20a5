"""`/api/v1/introductions`: double opt-in; contact details cross only after acceptance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, model_validator

from webapp.api._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    PageQuery,
    Text,
    page_body,
    problems,
    validated,
)
from webapp.models.enums import IntroductionStatus
from webapp.services.introductions import introductions
from webapp.services.introductions.introductions import IntroductionView
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "introductions_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="introductions")]
)


class IntroductionPath(BaseModel):
    """An introduction id."""

    introduction_id: Id


class IntroductionIn(BaseModel):
    """Ask to be introduced: an investor member for its organisation, or the venture's founder."""

    venture_id: Id
    investor_id: Id
    message: Text | None = Field(default=None, max_length=2000)


class DeclineIn(BaseModel):
    """Why the introduction is declined (optional, shown to the other side)."""

    reason: Text | None = Field(default=None, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _no_body(cls, data: Any) -> Any:
        return {} if data is None else data  # the body is optional: no body = no reason


class ContactOut(BaseModel):
    """How to reach the other side; present only once the introduction is accepted."""

    name: str
    email: str
    phone: str | None
    organisation: str


class IntroductionOut(BaseModel):
    """An introduction request and where it stands."""

    id: int
    venture_id: int
    investor_id: int
    venture_name: str
    investor_name: str
    status: Literal["requested", "accepted", "declined", "withdrawn"]
    requested_by: int | None
    requested_by_role: str
    message: str | None
    decline_reason: str | None
    responded_by: int | None
    created_at: datetime
    responded_at: datetime | None
    deal_id: int | None
    contact: ContactOut | None

    @classmethod
    def of(cls, view: IntroductionView) -> IntroductionOut:
        """Flatten the read model."""
        intro = view.introduction
        return cls(
            id=intro.id or 0,
            venture_id=intro.venture_id,
            investor_id=intro.investor_id,
            venture_name=view.venture_name,
            investor_name=view.investor_name,
            status=intro.status,
            requested_by=intro.requested_by,
            requested_by_role=intro.requested_by_role,
            message=intro.message,
            decline_reason=intro.decline_reason,
            responded_by=intro.responded_by,
            created_at=intro.created_at,
            responded_at=intro.responded_at,
            deal_id=view.deal_id,
            contact=ContactOut.model_validate(view.contact, from_attributes=True)
            if view.contact
            else None,
        )


class IntroductionList(BaseModel):
    """A page of the caller's introductions, newest first."""

    items: list[IntroductionOut]
    total: int
    limit: int
    offset: int


class IntroductionListQuery(PageQuery):
    """Optionally only introductions in one status."""

    status: IntroductionStatus | None = None


def _view(introduction_id: int) -> dict[str, Any]:
    view = introductions.get_introduction(
        session=get_session(), viewer=require_user(), introduction_id=introduction_id
    )
    return IntroductionOut.of(view).model_dump(mode="json")


@api.post(
    "/introductions",
    security=SECURITY,
    responses={201: IntroductionOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def request_introduction(body: IntroductionIn) -> tuple[dict[str, Any], int]:
    """Ask for an introduction; 409 if one for the pair is already open."""
    intro = introductions.request_introduction(
        session=get_session(),
        actor=require_user(),
        venture_id=body.venture_id,
        investor_id=body.investor_id,
        message=body.message,
    )
    return _view(intro.id or 0), 201


@api.get(
    "/introductions",
    security=SECURITY,
    responses={200: IntroductionList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def list_introductions(query: IntroductionListQuery) -> tuple[dict[str, Any], int]:
    """The caller's introductions, asked and received."""
    page = introductions.list_introductions(
        session=get_session(),
        viewer=require_user(),
        status=query.status,
        limit=query.limit,
        offset=query.offset,
    )
    return page_body(page, IntroductionOut.of), 200


@api.get(
    "/introductions/<int:introduction_id>",
    security=SECURITY,
    responses={200: IntroductionOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def get_introduction(path: IntroductionPath) -> tuple[dict[str, Any], int]:
    """One introduction the caller is a side of."""
    return _view(path.introduction_id), 200


@api.post(
    "/introductions/<int:introduction_id>/accept",
    security=SECURITY,
    responses={200: IntroductionOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def accept_introduction(path: IntroductionPath) -> tuple[dict[str, Any], int]:
    """The other side accepts: contact details cross over and a deal opens."""
    introductions.accept_introduction(
        session=get_session(), actor=require_user(), introduction_id=path.introduction_id
    )
    return _view(path.introduction_id), 200


@api.post(
    "/introductions/<int:introduction_id>/decline",
    security=SECURITY,
    responses={200: IntroductionOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def decline_introduction(path: IntroductionPath, body: DeclineIn) -> tuple[dict[str, Any], int]:
    """The other side declines, optionally saying why."""
    introductions.decline_introduction(
        session=get_session(),
        actor=require_user(),
        introduction_id=path.introduction_id,
        reason=body.reason,
    )
    return _view(path.introduction_id), 200


@api.post(
    "/introductions/<int:introduction_id>/withdraw",
    security=SECURITY,
    responses={200: IntroductionOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def withdraw_introduction(path: IntroductionPath) -> tuple[dict[str, Any], int]:
    """The side that asked takes its open request back."""
    introductions.withdraw_introduction(
        session=get_session(), actor=require_user(), introduction_id=path.introduction_id
    )
    return _view(path.introduction_id), 200
