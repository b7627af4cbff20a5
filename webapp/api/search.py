"""`/api/v1/search`: find ventures and investors by name, among those the caller may open."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._common import READ_ERRORS, PageQuery, problems, validated
from webapp.services.ventures import search
from webapp.services.ventures.search import MAX_QUERY, SearchHit, SearchKind
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint("search_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="search")])


class SearchQuery(PageQuery):
    """What to look for, and optionally in which kind of record."""

    # Length is checked by the service, so the API and the page word the error alike.
    q: str = Field(
        default="",
        max_length=4 * MAX_QUERY,
        description="part of a name, any case (2 to 100 characters)",
    )
    kind: SearchKind | None = Field(
        default=None,
        description="`venture` or `investor`; by default every kind the caller may search",
    )


class VentureHitOut(BaseModel):
    """A published venture whose name matches (for investors and staff)."""

    kind: Literal["venture"]
    id: int
    name: str
    sectors: list[str]
    stage: str
    raise_amount_gbp: int
    region: str


class InvestorHitOut(BaseModel):
    """An investor whose name matches (for staff, and founders who may open its profile)."""

    kind: Literal["investor"]
    id: int
    name: str
    investor_type: str
    sectors: list[str]
    ticket_min_gbp: int
    ticket_max_gbp: int
    active: bool


SearchHitOut = Annotated[VentureHitOut | InvestorHitOut, Field(discriminator="kind")]


class SearchResults(BaseModel):
    """A page of matching names: those starting with the query first, then A to Z."""

    items: list[SearchHitOut]
    total: int
    limit: int
    offset: int


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    if hit.kind == SearchKind.VENTURE:
        return {
            "kind": "venture", "id": hit.id, "name": hit.name, "sectors": hit.sectors,
            "stage": hit.stage, "raise_amount_gbp": hit.raise_amount_gbp, "region": hit.region,
        }  # fmt: skip
    return {
        "kind": "investor", "id": hit.id, "name": hit.name, "investor_type": hit.investor_type,
        "sectors": hit.sectors, "ticket_min_gbp": hit.ticket_min_gbp,
        "ticket_max_gbp": hit.ticket_max_gbp, "active": hit.active,
    }  # fmt: skip


@api.get("/search", security=SECURITY, responses={200: SearchResults, **problems(*READ_ERRORS)})
@api_auth()
@validated
def search_by_name(query: SearchQuery) -> tuple[dict[str, Any], int]:
    """Names containing `q`: investors search published ventures; founders search the investors
    in their ventures' ranked lists or introductions; staff search both. 403 for a `kind` the
    caller may not search; 422 for a query under 2 or over 100 characters."""
    page = search.search(
        session=get_session(),
        viewer=require_user(),
        query=query.q,
        kind=query.kind,
        limit=query.limit,
        offset=query.offset,
    )
    return {
        "items": [_hit_json(hit) for hit in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }, 200
