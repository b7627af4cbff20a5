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
from webapp.api._pipeline_models import client_ip
from webapp.api.ventures import ReasonOut
from webapp.models import (
    Feedback,
    InvestorProfile,
    InvestorProfileCreate,
    InvestorProfileUpdate,
    User,
)
from webapp.models.enums import FeedbackAction, InvitationStatus, PassReason
from webapp.services.common.errors import NotFound
from webapp.services.introductions import feedback
from webapp.services.investors import investor_profiles, investors, member_invitations
from webapp.services.investors.member_invitations import InvitationView
from webapp.services.ranking import match_queries
from webapp.services.ranking.match_queries import InvestorMatch, MatchSort
from webapp.services.ventures.ventures import VentureFilters
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


class SectorDealsOut(BaseModel):
    """How many of the investor's past deals were in one sector."""

    sector: str
    deals: int


class InvestorPublicProfileOut(BaseModel):
    """An investor as founders who know it see it: the mandate, track record and team."""

    id: int
    name: str
    investor_type: str
    thesis: str
    sectors: list[str]
    stages: list[str]
    ticket_min_gbp: int
    ticket_max_gbp: int
    regions: list[str]
    instruments: list[str]
    eis: bool
    seis: bool
    active: bool = Field(description="false while the mandate is paused")
    past_deals: int = Field(description="past deals on record (imported history and deals here)")
    past_deals_by_sector: list[SectorDealsOut] = Field(
        description="a deal in several sectors counts once in each; most deals first"
    )
    members: list[str] | None = Field(
        description="the names of the people behind the mandate; null until one of the "
        "caller's introductions with this investor is accepted (always shown to staff)"
    )


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
    """A colleague to invite, by email address."""

    email: EmailStr


class InvitationPath(BaseModel):
    """An investor and one of its invitations."""

    investor_id: Id
    invitation_id: Id


class InvitationOut(BaseModel):
    """An invitation to manage the mandate; the same shape for every address."""

    id: int
    investor_id: int
    organisation_name: str
    email: str
    status: InvitationStatus
    invited_by_name: str | None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, view: InvitationView) -> InvitationOut:
        """From the service's view."""
        return cls.model_validate(view, from_attributes=True)


class InvitationList(BaseModel):
    """Invitations, newest first."""

    items: list[InvitationOut]
    total: int


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


@api.get(
    "/investors/<int:investor_id>/profile",
    security=SECURITY,
    responses={200: InvestorPublicProfileOut, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def investor_public_profile(path: InvestorPath) -> tuple[dict[str, Any], int]:
    """The investor's public profile: its members, staff, and founders with a venture that has
    the investor in its ranked list or an introduction with it (404 for anyone else)."""
    found = investor_profiles.public_profile(
        session=get_session(), viewer=require_user(), investor_id=path.investor_id
    )
    return InvestorPublicProfileOut.model_validate(found, from_attributes=True).model_dump(
        mode="json"
    ), 200


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
    page = match_queries.investor_matches(
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
            {"code": r["code"], "text": r["text"], "effect": r["effect"], "facts": r["facts"]}
            for r in match.reasons
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
    responses={202: InvitationOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def invite_member(path: InvestorPath, body: MemberIn) -> tuple[dict[str, Any], int]:
    """Invite a colleague by email: they join only when they accept (members only).

    The answer is 202 with the recorded invitation for every address, whether or not it
    belongs to an account, so this can't be used to find out who is registered. An active
    investor account with that address is told in the app and by email; any other address gets
    nothing from us, and the invitation waits 14 days for someone to register with it, confirm
    it and accept. Inviting an address that has an open invitation returns that invitation. 409
    when the address already manages this mandate (members are listed to you anyway) or when 25
    invitations are waiting.
    """
    invitation = member_invitations.invite_member(
        session=get_session(),
        actor=require_user(),
        investor_id=path.investor_id,
        email=body.email,
        ip=client_ip(),
    )
    return InvitationOut.of(invitation).model_dump(mode="json"), 202


@api.get(
    "/investors/<int:investor_id>/invitations",
    security=SECURITY,
    responses={200: InvitationList, **problems(*READ_ERRORS)},
)
@api_auth()
@validated
def list_invitations(path: InvestorPath) -> tuple[dict[str, Any], int]:
    """The organisation's invitations, newest first (members, admins, platform-wide staff).

    A status changes only when the invitee answers (accepted, declined), a member revokes it,
    or it passes its date (expired).
    """
    found = member_invitations.organisation_invitations(
        session=get_session(), viewer=require_user(), investor_id=path.investor_id
    )
    items = [InvitationOut.of(i).model_dump(mode="json") for i in found]
    return {"items": items, "total": len(items)}, 200


@api.delete(
    "/investors/<int:investor_id>/invitations/<int:invitation_id>",
    security=SECURITY,
    responses={200: InvitationOut, **problems(*WRITE_ERRORS)},
)
@api_auth()
@validated
def revoke_invitation(path: InvitationPath) -> tuple[dict[str, Any], int]:
    """Revoke an invitation nobody has answered (members; 409 once answered or expired)."""
    invitation = member_invitations.revoke_invitation(
        session=get_session(),
        actor=require_user(),
        investor_id=path.investor_id,
        invitation_id=path.invitation_id,
        ip=client_ip(),
    )
    return InvitationOut.of(invitation).model_dump(mode="json"), 200
