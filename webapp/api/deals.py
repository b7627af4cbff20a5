"""`/api/v1/deals`: deals opened by accepted introductions, moved forward by either party."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

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
from webapp.models.bounds import MAX_MONEY_GBP
from webapp.models.enums import DealClosedReason, DealStage
from webapp.services.deals import deals
from webapp.services.deals.deals import DealView
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint("deals_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="deals")])

Stage = Literal[
    "introduction_requested",
    "accepted",
    "in_conversation",
    "due_diligence",
    "term_sheet",
    "invested",
    "declined",
    "passed",
    "withdrawn",
]


class DealPath(BaseModel):
    """A deal id."""

    deal_id: Id


class DealEventOut(BaseModel):
    """One step of a deal: the stage reached, who moved it, when, and why."""

    stage: Stage
    actor_id: int | None
    at: datetime
    note: str | None


class DealOut(BaseModel):
    """A deal and its history, oldest event first."""

    id: int
    introduction_id: int | None = Field(description="None once the venture was erased")
    venture_id: int | None = Field(description="None once the venture was erased")
    investor_id: int
    venture_name: str
    investor_name: str
    stage: Stage
    closed_reason: DealClosedReason | None = Field(
        default=None, description="Set when the deal closed because a party went away"
    )
    closed_reason_label: str | None = None
    amount_gbp: int | None
    created_at: datetime
    updated_at: datetime
    events: list[DealEventOut]
    next_stages: list[Stage]

    @classmethod
    def of(cls, view: DealView) -> DealOut:
        """Flatten the read model."""
        deal = view.deal
        return cls.model_validate(
            {
                **deal.model_dump(),
                "venture_name": view.venture_name,
                "investor_name": view.investor_name,
                "closed_reason_label": view.closed_reason_label,
                "events": [e.model_dump() for e in view.events],
                "next_stages": [s.value for s in view.next_stages],
            }
        )


class DealList(BaseModel):
    """A page of deals, most recently moved first."""

    items: list[DealOut]
    total: int
    limit: int
    offset: int


class DealListQuery(PageQuery):
    """Optionally only deals at one stage."""

    stage: DealStage | None = None


class DealMoveIn(BaseModel):
    """Move the deal on: forward along the path, or out to passed / withdrawn."""

    stage: Literal[
        "in_conversation", "due_diligence", "term_sheet", "invested", "passed", "withdrawn"
    ]
    amount_gbp: int | None = Field(default=None, ge=1, le=MAX_MONEY_GBP)
    note: Text | None = Field(default=None, max_length=2000)


@api.get("/deals", security=SECURITY, responses={200: DealList, **problems(*READ_ERRORS)})
@api_auth()
@validated
def list_deals(query: DealListQuery) -> tuple[dict[str, Any], int]:
    """The caller's deals (every deal for staff)."""
    page = deals.list_deals(
        session=get_session(),
        viewer=require_user(),
        stage=query.stage,
        limit=query.limit,
        offset=query.offset,
    )
    return page_body(page, DealOut.of), 200


@api.get(
    "/deals/<int:deal_id>", security=SECURITY, responses={200: DealOut, **problems(*READ_ERRORS)}
)
@api_auth()
@validated
def get_deal(path: DealPath) -> tuple[dict[str, Any], int]:
    """One deal with its events (its parties and staff)."""
    view = deals.get_deal(session=get_session(), viewer=require_user(), deal_id=path.deal_id)
    return DealOut.of(view).model_dump(mode="json"), 200


@api.patch(
    "/deals/<int:deal_id>",
    security=SECURITY,
    responses={200: DealOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def move_deal(path: DealPath, body: DealMoveIn) -> tuple[dict[str, Any], int]:
    """Move the deal; stages only go forward, except to passed or withdrawn (else 409)."""
    session, user = get_session(), require_user()
    deals.move_deal(
        session=session,
        actor=user,
        deal_id=path.deal_id,
        stage=DealStage(body.stage),
        amount_gbp=body.amount_gbp,
        note=body.note,
    )
    view = deals.get_deal(session=session, viewer=user, deal_id=path.deal_id)
    return DealOut.of(view).model_dump(mode="json"), 200
