"""`/api/v1/staff-access`: what each staff account sees, and platform-wide access (admins only).

A staff account sees the ventures of the programmes it is assigned to, or, when an admin has
made it platform-wide, everything. Having no programme never means everything; only an admin
changes either, so no staff member can widen their own view.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._common import READ_ERRORS, WRITE_ERRORS, Id, problems, validated
from webapp.api._pipeline_models import client_ip
from webapp.services.accounts import staff_access
from webapp.services.accounts.staff_access import StaffAccess
from webapp.services.common.ids import saved_id
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "staff_access_api", __name__, url_prefix="/api/v1/staff-access", abp_tags=[Tag(name="staff")]
)


class StaffPath(BaseModel):
    """A staff account's user id."""

    user_id: Id


class StaffAccessOut(BaseModel):
    """A staff account and what it sees."""

    user_id: int
    name: str
    email: str
    active: bool
    platform_wide: bool = Field(description="sees every programme and venture")
    programmes: list[str] = Field(description="the programmes it is assigned to, by name")

    @classmethod
    def of(cls, access: StaffAccess) -> StaffAccessOut:
        """From the service's record."""
        user = access.user
        return cls(
            user_id=saved_id(user),
            name=user.name,
            email=user.email,
            active=user.active,
            platform_wide=access.platform_wide,
            programmes=access.programmes,
        )


class StaffAccessList(BaseModel):
    """Every staff account by name."""

    items: list[StaffAccessOut]
    total: int


class StaffAccessIn(BaseModel):
    """Grant or remove platform-wide access."""

    platform_wide: bool


@api.get("", security=SECURITY, responses={200: StaffAccessList, **problems(*READ_ERRORS)})
@api_auth("admin")
@validated
def list_access() -> tuple[dict[str, Any], int]:
    """Every staff account with what it sees (admins only)."""
    found = staff_access.staff_access(session=get_session(), viewer=require_user())
    items = [StaffAccessOut.of(a).model_dump() for a in found]
    return {"items": items, "total": len(items)}, 200


@api.patch(
    "/<int:user_id>",
    security=SECURITY,
    responses={200: StaffAccessOut, **problems(*WRITE_ERRORS)},
)
@api_auth("admin")
@validated
def change_access(path: StaffPath, body: StaffAccessIn) -> tuple[dict[str, Any], int]:
    """Make a staff account platform-wide, or limit it to its programmes (admins only; audited).

    404 for any id that isn't a staff account.
    """
    access = staff_access.set_platform_wide(
        session=get_session(),
        actor=require_user(),
        user_id=path.user_id,
        platform_wide=body.platform_wide,
        ip=client_ip(),
    )
    return StaffAccessOut.of(access).model_dump(), 200
