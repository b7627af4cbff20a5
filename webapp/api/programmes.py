"""`/api/v1/programmes`: cohorts and pipelines that staff run, the ventures in them and the staff
assigned to them (staff and admins only; assigned staff see only their programmes)."""

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
    problems,
    validated,
)
from webapp.api._pipeline_models import STAFF, client_ip
from webapp.services import programmes
from webapp.services.ids import saved_id
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


class ProgrammeOut(BaseModel):
    """A programme with its ventures and staff."""

    id: int
    name: str
    description: str
    created_at: datetime
    ventures: list[EnrolledVenture]
    staff: list[AssignedStaff]


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

    venture_ids: list[Id] = Field(min_length=1, max_length=500)


class EnrolOut(BaseModel):
    """How many were newly enrolled."""

    enrolled: int


class AssignIn(BaseModel):
    """A staff account to assign."""

    user_id: Id


def _detail(programme_id: int) -> dict[str, Any]:
    found = programmes.programme_detail(
        session=get_session(), viewer=require_user(), programme_id=programme_id
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
    """Create a programme (409 if the name is taken)."""
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
    """Enrol ventures; unknown ids are a 422 naming each one."""
    count = programmes.enrol_ventures(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        venture_ids=body.venture_ids,
        ip=client_ip(),
    )
    return {"enrolled": count}, 200


@api.delete(
    "/<int:programme_id>/ventures/<int:venture_id>",
    security=SECURITY,
    responses={204: None, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def withdraw(path: EnrolmentPath) -> tuple[str, int]:
    """Take a venture out of the programme."""
    programmes.withdraw_venture(
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
    """Assign a staff account: from then on it sees only its programmes' ventures."""
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
    """Remove a staff member from the programme."""
    programmes.unassign_staff(
        session=get_session(),
        actor=require_user(),
        programme_id=path.programme_id,
        user_id=path.user_id,
        ip=client_ip(),
    )
    return "", 204
