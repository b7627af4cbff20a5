"""`/api/v1/ventures`: founders' ventures, and each venture's ranked investors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    CodeFilterQuery,
    Id,
    PageQuery,
    page_body,
    problems,
    validated,
)
from webapp.models import Venture, VentureCreate, VentureUpdate
from webapp.services.ranking import hints, match_queries
from webapp.services.ranking.match_queries import VentureMatch
from webapp.services.ventures import ventures
from webapp.services.ventures.ventures import VentureFilters
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import current_settings, get_session

api = APIBlueprint("ventures_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="ventures")])


class VenturePath(BaseModel):
    """A venture id."""

    venture_id: Id


class VentureOut(BaseModel):
    """A venture as the API returns it."""

    id: int
    owner_id: int
    name: str
    summary: str
    sectors: list[str]
    stage: str
    raise_amount_gbp: int
    instruments: list[str]
    region: str
    institution: str | None
    spinout: bool
    incorporated_on: date | None
    companies_house_number: str | None
    trl: int | None
    team_size: int | None
    eis: bool
    seis: bool
    visibility: Literal["draft", "published", "closed"]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None

    @classmethod
    def of(cls, venture: Venture) -> VentureOut:
        """Read the stored row."""
        return cls.model_validate(venture, from_attributes=True)


class VentureList(BaseModel):
    """A page of ventures."""

    items: list[VentureOut]
    total: int
    limit: int
    offset: int


class VentureListQuery(CodeFilterQuery):
    """Filters: a parent sector or region matches everything below it."""


class ReasonOut(BaseModel):
    """Why the ranker placed a pair where it did: a code, its words, and the facts behind it.

    `facts` holds codes and figures (e.g. `{"raise": 3200000, "min": 250000, "max": 2000000}`
    for `ticket_fit`, `{"sector": "offshore_wind", "deals": 4, "of": 12}` for `track_sector`);
    `text` words them with labels. A broken mandate rule is always listed with effect "-".
    """

    code: str
    text: str
    effect: Literal["+", "-"]
    facts: dict[str, Any] = Field(default_factory=dict)


class InvestorSummaryOut(BaseModel):
    """The investor in a venture's list."""

    id: int
    name: str
    investor_type: str


class VentureMatchOut(BaseModel):
    """One investor in the venture's ranked list."""

    investor: InvestorSummaryOut
    score: float = Field(ge=0, le=1)
    rank: int
    reasons: list[ReasonOut]
    model_version: str
    computed_at: datetime

    @classmethod
    def of(cls, match: VentureMatch) -> VentureMatchOut:
        """From the read model."""
        return cls.model_validate(match, from_attributes=True)


class VentureMatchList(BaseModel):
    """A page of the venture's ranked investors, best first."""

    items: list[VentureMatchOut]
    total: int
    limit: int
    offset: int


class HintOut(BaseModel):
    """A checked change to the venture that would fit more mandates."""

    code: str
    text: str
    change: dict[str, Any]
    added: int


class SyndicateMemberOut(BaseModel):
    """An investor in a proposed syndicate."""

    id: int
    name: str
    ticket_max_gbp: int


class SyndicateOut(BaseModel):
    """A lead and co-investors whose tickets together cover the raise."""

    lead: SyndicateMemberOut
    co_investors: list[SyndicateMemberOut]
    capacity_gbp: int
    score: float


class AdviceOut(BaseModel):
    """ "What would widen your match", and syndicates when no single ticket covers the raise."""

    hints: list[HintOut]
    syndicates: list[SyndicateOut]
    model_version: str


@api.post(
    "/ventures",
    security=SECURITY,
    responses={201: VentureOut, **problems(*WRITE_ERRORS)},
)
@api_auth("founder")
@validated
def create_venture(body: VentureCreate) -> tuple[dict[str, Any], int]:
    """Create a venture (founders); a draft unless `visibility` is `published`."""
    venture = ventures.create_venture(session=get_session(), owner=require_user(), data=body)
    return VentureOut.of(venture).model_dump(mode="json"), 201


@api.get("/ventures", security=SECURITY, responses={200: VentureList, **problems(*READ_ERRORS)})
@api_auth()
@validated
def list_ventures(query: VentureListQuery) -> tuple[dict[str, Any], int]:
    """Published ventures (investors, staff) or the caller's own (founders), filtered."""
    page = ventures.list_ventures(
        session=get_session(),
        viewer=require_user(),
        filters=VentureFilters(
            sector=query.sector,
            stage=query.stage,
            region=query.region,
            institution=query.institution,
        ),
        limit=query.limit,
        offset=query.offset,
    )
    return page_body(page, VentureOut.of), 200


@api.get(
    "/ventures/<int:venture_id>",
    security=SECURITY,
    responses={200: VentureOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def get_venture(path: VenturePath) -> tuple[dict[str, Any], int]:
    """One venture the caller may see."""
    venture = ventures.get_venture(
        session=get_session(), viewer=require_user(), venture_id=path.venture_id
    )
    return VentureOut.of(venture).model_dump(mode="json"), 200


@api.patch(
    "/ventures/<int:venture_id>",
    security=SECURITY,
    responses={200: VentureOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def update_venture(path: VenturePath, body: VentureUpdate) -> tuple[dict[str, Any], int]:
    """Change some fields of the caller's venture (only those sent)."""
    venture = ventures.update_venture(
        session=get_session(), actor=require_user(), venture_id=path.venture_id, data=body
    )
    return VentureOut.of(venture).model_dump(mode="json"), 200


@api.delete(
    "/ventures/<int:venture_id>",
    security=SECURITY,
    responses={204: None, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def delete_venture(path: VenturePath) -> tuple[str, int]:
    """Erase the caller's venture and the personal data that hangs off it."""
    ventures.delete_venture(session=get_session(), actor=require_user(), venture_id=path.venture_id)
    return "", 204


@api.get(
    "/ventures/<int:venture_id>/matches",
    security=SECURITY,
    responses={200: VentureMatchList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def venture_matches(path: VenturePath, query: PageQuery) -> tuple[dict[str, Any], int]:
    """The venture's ranked investors with reasons, best first (its founder and staff)."""
    page = match_queries.venture_matches(
        session=get_session(),
        viewer=require_user(),
        venture_id=path.venture_id,
        limit=query.limit,
        offset=query.offset,
    )
    return page_body(page, VentureMatchOut.of), 200


@api.get(
    "/ventures/<int:venture_id>/advice",
    security=SECURITY,
    responses={200: AdviceOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def venture_advice(path: VenturePath) -> tuple[dict[str, Any], int]:
    """Changes that would widen the venture's match, and syndicates for a large raise."""
    advice = hints.advice_for_venture(
        session=get_session(),
        settings=current_settings(),
        viewer=require_user(),
        venture_id=path.venture_id,
    )
    return AdviceOut.model_validate(advice, from_attributes=True).model_dump(mode="json"), 200
