"""`/api/v1/programmes`: cohorts and pipelines that staff run, the ventures in them and the staff
assigned to them.

Who may do what (the rule is in `webapp.services.ventures.programmes`): admins and platform-wide
staff see every programme; other staff see only the programmes they are assigned to (404 for the
rest).
Admins and platform-wide staff create programmes; only admins assign and remove staff. Anyone who
sees a programme enrols and withdraws ventures: a published venture joins at once, an
unpublished one joins when its founder accepts (`/api/v1/enrolment-requests`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from webapp.api._pipeline_models import STAFF, client_ip
from webapp.services.common.ids import saved_id
from webapp.services.ventures import enrolment_requests, programme_enrolment, programmes
from webapp.services.ventures.enrolment_requests import RequestView
from webapp.services.ventures.programme_enrolment import Candidate, CandidateStatus
from webapp.services.ventures.ventures import VentureFilters
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "programmes_api", __name__, url_prefix="/api/v1/programmes", abp_tags=[Tag(name="programmes")]
)


class ProgrammeIn(BaseModel):
    """A new programme."""

    name: Text = Field(min_length=2, max_length=160)
    description: Text = Field(default="", max_length=4000)


class ProgrammeSummaryOut(BaseModel):
    """A programme with its counts."""

    id: int
    name: str
    description: str
    ventures: int
    staff: int


class ProgrammeList(BaseModel):
    """Every programme the caller may see, by name."""

    items: list[ProgrammeSummaryOut]
    total: int
    limit: int
    offset: int


class EnrolledVenture(BaseModel):
    """A venture in the programme."""

    id: int
    name: str
    stage: str
    region: str
    visibility: str


class AssignedStaff(BaseModel):
    """A staff member assigned to the programme."""

    id: int
    name: str
    email: str


class PendingRequestOut(BaseModel):
    """A venture waiting for its founder's consent to join."""

    id: int
    venture_id: int
    venture_name: str
    requested_by_name: str | None
    created_at: datetime

    @classmethod
    def of(cls, view: RequestView) -> PendingRequestOut:
        """From the service's view."""
        return cls.model_validate(view, from_attributes=True)


class ProgrammeOut(BaseModel):
    """A programme with its ventures and staff."""

    id: int
    name: str
    description: str
    created_at: datetime
    ventures: list[EnrolledVenture]
    staff: list[AssignedStaff]
    pending_requests: list[PendingRequestOut] = Field(
        description="Unpublished ventures waiting for their founder's consent. Shown to admins "
        "and platform-wide staff only: until the founder accepts, a draft's name is theirs."
    )


class ProgrammePath(BaseModel):
    """A programme id."""

    programme_id: Id


class EnrolmentPath(ProgrammePath):
    """A programme and one of its ventures."""

    venture_id: Id


class AssignmentPath(ProgrammePath):
    """A programme and one of its staff."""

    user_id: Id


class EnrolIn(BaseModel):
    """Ventures to enrol (already-enrolled ones are left alone)."""

    venture_ids: list[Id] = Field(
        min_length=1,
        max_length=500,
        description="Published ventures join at once; unpublished ones wait for their founder. "
        "An id you may not see is refused exactly like one that does not exist.",
    )


class EnrolOut(BaseModel):
    """What the enrolment did."""

    enrolled: int = Field(description="How many ventures joined now")
    requested: int = Field(description="How many wait for their founder's consent")
    enrolled_ids: list[int]
    requested_ids: list[int]


class CandidateQuery(PageQuery):
    """Search for ventures to enrol."""

    q: str | None = Field(default=None, max_length=100, description="part of the venture's name")
    sector: str | None = Field(default=None, description="sector code (parents match children)")
    stage: str | None = Field(default=None, description="stage code")
    region: str | None = Field(default=None, description="region code (parents match children)")


class CandidateOut(BaseModel):
    """A venture the caller may enrol, and what enrolling it would do."""

    id: int
    name: str
    sectors: list[str]
    stage: str
    region: str
    visibility: str
    status: CandidateStatus = Field(
        description="enrolled: already in this programme; can_enrol: published, joins at once; "
        "needs_consent: unpublished, its founder will be asked; awaiting_founder: asked, no "
        "answer yet; declined: its founder said no"
    )

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateOut:
        """From the service's candidate."""
        v = candidate.venture
        return cls(
            id=saved_id(v),
            name=v.name,
            sectors=v.sectors,
            stage=v.stage,
            region=v.region,
            visibility=v.visibility,
            status=candidate.status,
        )


class CandidateList(BaseModel):
    """A page of ventures to enrol, by name."""

    items: list[CandidateOut]
    total: int
    limit: int
    offset: int


class AssignIn(BaseModel):
    """A staff account to assign."""

    user_id: Id


def _detail(programme_id: int) -> dict[str, Any]:
    session, viewer = get_session(), require_user()
    found = programmes.programme_detail(session=session, viewer=viewer, programme_id=programme_id)
    pending = enrolment_requests.pending_requests(
        session=session, viewer=viewer, programme_id=programme_id
    )
    p = found.programme
    return ProgrammeOut(
        id=programme_id,
        name=p.name,
        description=p.description,
        created_at=p.created_at,
        ventures=[
            EnrolledVenture(
                id=saved_id(v),
                name=v.name,
                stage=v.stage,
                region=v.region,
                visibility=v.visibility,
            )
            for v in found.ventures
        ],
        staff=[AssignedStaff(id=saved_id(u), name=u.name, email=u.email) for u in found.staff],
        pending_requests=[PendingRequestOut.of(r) for r in pending],
    ).model_dump(mode="json")


@api.get("", security=SECURITY, responses={200: ProgrammeList, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def list_programmes(query: PageQuery) -> tuple[dict[str, Any], int]:
    """The programmes the caller may see, by name."""
    found = programmes.list_programmes(session=get_session(), viewer=require_user())
    items = [
        ProgrammeSummaryOut.model_validate(p, from_attributes=True).model_dump() for p in found
    ]
    window = items[query.offset : query.offset + query.limit]
    return {"items": window, "total": len(items), "limit": query.limit, "offset": query.offset}, 200


@api.post("", security=SECURITY, responses={201: ProgrammeOut, **problems(*WRITE_ERRORS)})
@api_auth(*STAFF)
@validated
def create_programme(body: ProgrammeIn) -> tuple[dict[str, Any], int]:
    """Create a programme (admins and platform-wide staff; 409 if the name is taken).

    Programme staff get 403: they work inside the programmes an admin gives them.
    """
    made = programmes.create_programme(
        session=get_session(),
        actor=require_user(),
        name=body.name,
        description=body.description,
        ip=client_ip(),
    )
    return _detail(saved_id(made)), 201


@api.get(
    "/<int:programme_id>",
    security=SECURITY,
    responses={200: ProgrammeOut, **problems(*READ_ERRORS)},
)
@api_auth(*STAFF)
@validated
def get_programme(path: ProgrammePath) -> tuple[dict[str, Any], int]:
    """One programme with its ventures and staff."""
    return _detail(path.programme_id), 200


@api.post(
    "/<int:programme_id>/ventures",
    security=SECURITY,
    responses={200: EnrolOut, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def enrol(path: ProgrammePath, body: EnrolIn) -> tuple[dict[str, Any], int]:
    """Enrol ventures: published ones join, unpublished ones wait for their founder.

    A venture that is a draft or closed is its founder's alone: the founder is asked (in the app
    and by email) and it joins only if they accept. Only staff who can see the draft (admins and
    platform-wide staff) can ask. Ids the caller may not see, and ids that don't exist, are the
    same 422 (`no venture N`, naming each `venture_ids[i]`), and nothing is enrolled.
    """
    result = programme_enrolment.enrol_ventures(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        venture_ids=body.venture_ids,
        ip=client_ip(),
    )
    return EnrolOut(
        enrolled=len(result.enrolled),
        requested=len(result.requested),
        enrolled_ids=result.enrolled,
        requested_ids=result.requested,
    ).model_dump(), 200


@api.get(
    "/<int:programme_id>/candidates",
    security=SECURITY,
    responses={200: CandidateList, **problems(*READ_ERRORS)},
)
@api_auth(*STAFF)
@validated
def candidates(path: ProgrammePath, query: CandidateQuery) -> tuple[dict[str, Any], int]:
    """Search ventures to enrol by name, sector, stage and region, A to Z.

    Programme staff find published ventures (and those already in their programmes); admins and
    platform-wide staff find every venture, where an unpublished one needs its founder's consent.
    """
    page = programme_enrolment.enrolment_candidates(
        session=get_session(),
        viewer=require_user(),
        programme_id=path.programme_id,
        name=query.q,
        filters=VentureFilters(sector=query.sector, stage=query.stage, region=query.region),
        limit=query.limit,
        offset=query.offset,
    )
    return page_body(page, CandidateOut.of), 200


@api.delete(
    "/<int:programme_id>/ventures/<int:venture_id>",
    security=SECURITY,
    responses={204: None, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def withdraw(path: EnrolmentPath) -> tuple[str, int]:
    """Take a venture out of the programme."""
    programme_enrolment.withdraw_venture(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        venture_id=path.venture_id,
        ip=client_ip(),
    )
    return "", 204


@api.post(
    "/<int:programme_id>/staff",
    security=SECURITY,
    responses={204: None, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def assign(path: ProgrammePath, body: AssignIn) -> tuple[str, int]:
    """Assign a staff account (admins only; staff get 403, even for themselves).

    The account then sees this programme's ventures too. Platform-wide access is separate
    (`/api/v1/staff-access`).
    """
    programmes.assign_staff(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        user_id=body.user_id,
        ip=client_ip(),
    )
    return "", 204


@api.delete(
    "/<int:programme_id>/staff/<int:user_id>",
    security=SECURITY,
    responses={204: None, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def unassign(path: AssignmentPath) -> tuple[str, int]:
    """Remove a staff member from the programme (admins only; staff get 403, even for themselves).

    Removing never widens a view: a staff account with no programme sees nothing unless an
    admin has made it platform-wide.
    """
    programmes.unassign_staff(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        user_id=path.user_id,
        ip=client_ip(),
    )
    return "", 204
