"""`/api/v1/audit`: who did what, when (staff and admins; assigned staff see their programmes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from webapp.api._common import READ_ERRORS, PageQuery, Text, problems, validated
from webapp.api._pipeline_models import STAFF, client_ip
from webapp.models.bounds import IsoDate
from webapp.services.reports.audit_queries import (
    AUDIT_COLUMNS,
    AuditFilters,
    audit_csv_rows,
    audit_entries,
)
from webapp.services.reports.evidence import record_export
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.csv_download import CSV_RESPONSE, csv_response
from webapp.web.db_session import get_session

api = APIBlueprint("audit_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="audit")])


class AuditQuery(BaseModel):
    """Every filter is optional; `action` matches a prefix (`programme.` finds them all)."""

    model_config = ConfigDict(populate_by_name=True)

    actor: Text | None = Field(default=None, max_length=254, description="Email, name or id")
    action: Text | None = Field(default=None, max_length=60)
    object_type: Text | None = Field(default=None, max_length=40)
    object_id: Text | None = Field(default=None, max_length=40)
    date_from: IsoDate | None = Field(
        default=None, alias="from", description="First day, inclusive (YYYY-MM-DD)"
    )
    date_to: IsoDate | None = Field(
        default=None, alias="to", description="Last day, inclusive (YYYY-MM-DD)"
    )

    def filters(self) -> AuditFilters:
        """As the service takes them."""
        return AuditFilters(
            actor=self.actor,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class PagedAuditQuery(AuditQuery, PageQuery):
    """Filters with `?limit=` and `?offset=`."""


class AuditEntryOut(BaseModel):
    """One audit entry; `before`/`after` are snapshots of the object (blank once erased)."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_email: str | None
    actor_role: str | None
    action: str
    action_label: str = Field(
        description="The action in words, e.g. 'Enrolled a venture in a programme'"
    )
    object_type: str
    object_label: str = Field(description="The object type in words, e.g. 'Investor'")
    object_id: str | None
    ip: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditList(BaseModel):
    """Entries, newest first."""

    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


@api.get("/audit", security=SECURITY, responses={200: AuditList, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def list_audit(query: PagedAuditQuery) -> tuple[dict[str, Any], int]:
    """Audit entries matching the filters, newest first."""
    page = audit_entries(
        session=get_session(),
        viewer=require_user(),
        filters=query.filters(),
        limit=query.limit,
        offset=query.offset,
    )
    items = [
        AuditEntryOut.model_validate(e, from_attributes=True).model_dump(mode="json")
        for e in page.items
    ]
    return {"items": items, "total": page.total, "limit": page.limit, "offset": page.offset}, 200


@api.get("/audit.csv", security=SECURITY, responses={200: CSV_RESPONSE, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def audit_csv(query: AuditQuery) -> Response:
    """Every matching entry as CSV, oldest first."""
    user, session = require_user(), get_session()
    record_export(
        session=session, actor=user, kind="audit", query=query.filters().as_query(), ip=client_ip()
    )
    rows = audit_csv_rows(session=session, viewer=user, filters=query.filters())
    return csv_response("venturematch-audit", list(AUDIT_COLUMNS), rows)
