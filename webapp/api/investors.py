"""`/api/v1/investors`: organisations' mandates, their ranked ventures, and their feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, EmailStr, Field

from webapp.api._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    CodeFilterQuery,
    Id,
    Text,
    problems,
    validated,
)
from webapp.api.ventures import ReasonOut
from webapp.models import (
    Feedback,
    InvestorProfile,
    InvestorProfileCreate,
    InvestorProfileUpdate,
    User,
)
from webapp.models.enums import FeedbackAction, PassReason
from webapp.services import feedback, investors, match_views
from webapp.services.errors import NotFound
from webapp.services.match_views import InvestorMatch, MatchSort
from webapp.services.ventures import VentureFilters
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "investors_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="investors")]
)


class InvestorPath(BaseModel):
    """An investor profile id."""

    investor_id: Id


class FeedbackPath(BaseModel):
    """An investor and one of the ventures it gave feedback on."""

    investor_id: Id
    venture_id: Id


class InvestorOut(BaseModel):
    """An organisation's mandate."""

    id: int
    organisation_id: int
    name: str
    investor_type: str
    sectors: list[str]
    excluded_sectors: list[str]
    stages: list[str]
    ticket_min_gbp: int
    ticket_max_gbp: int
    regions: list[str]
    regions_strict: bool
    instruments: list[str]
    thesis: str
    eis: bool
    seis: bool
    institutions: list[str]
    hq_region: str | None
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, profile: InvestorProfile) -> InvestorOut:
        """Read the stored row."""
        return cls.model_validate(profile, from_attributes=True)


class VentureSummaryOut(BaseModel):
    """The venture in an investor's list."""

    id: int
    name: str
    summary: str
    sectors: list[str]
    stage: str
    raise_amount_gbp: int
    region: str
    institution: str | None
    spinout: bool
    eis: bool
    seis: bool


class InvestorMatchOut(BaseModel):
    """One venture in the investor's ranked list."""

    venture: VentureSummaryOut
    score: float = Field(ge=0, le=1)
    rank: int
    reasons: list[ReasonOut]
    model_version: str
    computed_at: datetime
    shortlisted: bool

    @classmethod
    def of(cls, match: InvestorMatch) -> InvestorMatchOut:
        """From the read model."""
        return cls.model_validate(match, from_attributes=True)


class InvestorMatchList(BaseModel):
    """A page of the investor's ranked ventures, best first."""

    items: list[InvestorMatchOut]
    total: int
    limit: int
    offset: int


class MatchQuery(CodeFilterQuery):
    """Filters and order of an investor's ranked ventures."""

    sort: MatchSort = Field(
        default=MatchSort.RANK, description="rank, newest, raise_asc, raise_desc"
    )


class FeedbackIn(BaseModel):
    """Shortlist a venture, or pass on it with a reason."""

    venture_id: Id
    action: FeedbackAction
    reason: PassReason | None = None
    note: Text | None = Field(default=None, max_length=1000)


class FeedbackOut(BaseModel):
    """The investor's current verdict on a venture."""

    id: int
    investor_id: int
    venture_id: int
    action: Literal["shortlist", "pass"]
    reason: str | None
    note: str | None
    actor_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Feedback) -> FeedbackOut:
        """Read the stored row."""
        return cls.model_validate(row, from_attributes=True)


class MemberOut(BaseModel):
    """A person who manages the mandate."""

    id: int
    name: str
    email: str

    @classmethod
    def of(cls, user: User) -> MemberOut:
        """Read the stored row."""
        return cls.model_validate(user, from_attributes=True)


class MemberList(BaseModel):
    """The organisation's members."""

    items: list[MemberOut]


class MemberIn(BaseModel):
    """A colleague's investor account, by email."""

    email: EmailStr


@api.post("/investors", security=SECURITY, responses={201: InvestorOut, **problems(*WRITE_ERRORS)})
@api_auth("investor")
@validated
def create_investor(body: InvestorProfileCreate) -> tuple[dict[str, Any], int]:
    """Create the mandate of the caller's organisation (one per organisation)."""
    profile = investors.create_investor_profile(
        session=get_session(), actor=require_user(), data=body
    )
    return InvestorOut.of(profile).model_dump(mode="json"), 201


@api.get(
    "/investors/mine",
    security=SECURITY,
    responses={200: InvestorOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def my_investor() -> tuple[dict[str, Any], int]:
    """The mandate of the caller's organisation (404 when it has none yet)."""
    profile = investors.profile_of(session=get_session(), user=require_user())
    if profile is None:
        raise NotFound(
            "Your account has no investor profile; create one with POST /api/v1/investors"
        )
    return InvestorOut.of(profile).model_dump(mode="json"), 200


@api.get(
    "/investors/<int:investor_id>",
    security=SECURITY,
    responses={200: InvestorOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def get_investor(path: InvestorPath) -> tuple[dict[str, Any], int]:
    """A mandate (its members and staff)."""
    profile = investors.get_investor_profile(
        session=get_session(), viewer=require_user(), investor_id=path.investor_id
    )
    return InvestorOut.of(profile).model_dump(mode="json"), 200


@api.patch(
    "/investors/<int:investor_id>",
    security=SECURITY,
    responses={200: InvestorOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def update_investor(path: InvestorPath, body: InvestorProfileUpdate) -> tuple[dict[str, Any], int]:
    """Change some fields of the mandate (members); rankings refresh in the background."""
    profile = investors.update_investor_profile(
        session=get_session(), actor=require_user(), investor_id=path.investor_id, data=body
    )
    return InvestorOut.of(profile).model_dump(mode="json"), 200


@api.get(
    "/investors/<int:investor_id>/matches",
    security=SECURITY,
    responses={200: InvestorMatchList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def investor_matches(path: InvestorPath, query: MatchQuery) -> tuple[dict[str, Any], int]:
    """Published ventures ranked for the investor, best first, with reasons (members, staff)."""
    page = match_views.investor_matches(
        session=get_session(),
        viewer=require_user(),
        investor_id=path.investor_id,
        filters=VentureFilters(
            sector=query.sector,
            stage=query.stage,
            region=query.region,
            institution=query.institution,
        ),
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
    )
    # The busiest endpoint: plain dicts (same shape as InvestorMatchOut), not a model per item.
    return {
        "items": [_match_json(m) for m in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }, 200


def _match_json(match: InvestorMatch) -> dict[str, Any]:
    venture = match.venture
    return {
        "venture": {
            "id": venture.id,
            "name": venture.name,
            "summary": venture.summary,
            "sectors": venture.sectors,
            "stage": venture.stage,
            "raise_amount_gbp": venture.raise_amount_gbp,
            "region": venture.region,
            "institution": venture.institution,
            "spinout": venture.spinout,
            "eis": venture.eis,
            "seis": venture.seis,
        },
        "score": match.score,
        "rank": match.rank,
        "reasons": [
            {"code": r["code"], "text": r["text"], "effect": r["effect"]} for r in match.reasons
        ],
        "model_version": match.model_version,
        "computed_at": match.computed_at.isoformat().replace("+00:00", "Z"),
        "shortlisted": match.shortlisted,
    }


@api.post(
    "/investors/<int:investor_id>/feedback",
    security=SECURITY,
    responses={201: FeedbackOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def give_feedback(path: InvestorPath, body: FeedbackIn) -> tuple[dict[str, Any], int]:
    """Shortlist a venture or pass on it; a pass takes it off the list at once."""
    row = feedback.give_feedback(
        session=get_session(),
        actor=require_user(),
        investor_id=path.investor_id,
        venture_id=body.venture_id,
        action=body.action,
        reason=body.reason,
        note=body.note,
    )
    return FeedbackOut.of(row).model_dump(mode="json"), 201


@api.delete(
    "/investors/<int:investor_id>/feedback/<int:venture_id>",
    security=SECURITY,
    responses={204: None, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def withdraw_feedback(path: FeedbackPath) -> tuple[str, int]:
    """Undo a shortlist or a pass; a passed venture returns to the list."""
    feedback.withdraw_feedback(
        session=get_session(),
        actor=require_user(),
        investor_id=path.investor_id,
        venture_id=path.venture_id,
    )
    return "", 204


@api.get(
    "/investors/<int:investor_id>/members",
    security=SECURITY,
    responses={200: MemberList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def list_members(path: InvestorPath) -> tuple[dict[str, Any], int]:
    """The people who manage the mandate."""
    members = investors.list_members(
        session=get_session(), viewer=require_user(), investor_id=path.investor_id
    )
    return {"items": [MemberOut.of(m).model_dump(mode="json") for m in members]}, 200


@api.post(
    "/investors/<int:investor_id>/members",
    security=SECURITY,
    responses={201: MemberOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def add_member(path: InvestorPath, body: MemberIn) -> tuple[dict[str, Any], int]:
    """Bring in a colleague who has an investor account and no organisation yet."""
    member = investors.add_member(
        session=get_session(), actor=require_user(), investor_id=path.investor_id, email=body.email
    )
    return MemberOut.of(member).model_dump(mode="json"), 201
