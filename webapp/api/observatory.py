"""`GET /api/v1/observatory`: the open regional observatory, for anyone (no token needed).

Dashboards poll it. Each answer carries a strong ETag (a hash of the exact body) and
`Cache-Control: public, max-age=60`. A poll that sends the ETag back in `If-None-Match` gets
`304 Not Modified` until the pipeline changes. Requests are counted per client IP like the
rest of the API's open endpoints, reads included, because this one is meant to be polled.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from flask import Response, current_app, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from webapp.api._common import problems, validated
from webapp.services.common.csv_out import csv_lines
from webapp.services.reports.regional.observatory import (
    observatory,
    observatory_csv_header,
    observatory_csv_rows,
)
from webapp.web.db_session import get_session
from webapp.web.limits import per_ip_limit

api = APIBlueprint(
    "observatory_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="observatory")]
)

MAX_AGE_S = 60  # a minute: dashboards poll, and the ETag makes a repeat poll nearly free
RATE_LIMIT = "120/minute"  # per client IP; a dashboard polling every minute uses one
_CACHE_HEADERS = {
    "ETag": {"description": "Identifies this exact body", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": f"public, max-age={MAX_AGE_S}",
        "schema": {"type": "string"},
    },
}

Column = Literal[
    "ventures",
    "capital_sought_gbp",
    "matched_in_mandate",
    "share_matched_in_mandate",
    "introduced",
    "invested",
    "capital_invested_gbp",
    "median_days_to_first_introduction",
]


class ObservatoryQuery(BaseModel):
    """`?format=json` (the default) or `?format=csv`."""

    format: Literal["json", "csv"] = Field(
        default="json", description="json, or csv for one line per row (withheld cells hold [c])"
    )


class ColumnOut(BaseModel):
    """A column and what it counts."""

    name: str
    description: str


class FiguresOut(BaseModel):
    """The platform's figures for one row; null where withheld (listed in `withheld`)."""

    code: str
    label: str
    northern: bool | None = Field(default=None, description="Regions, the North and the rest")
    ventures: int | None
    capital_sought_gbp: int | None
    matched_in_mandate: int | None
    share_matched_in_mandate: float | None
    introduced: int | None
    invested: int | None
    capital_invested_gbp: int | None
    median_days_to_first_introduction: float | None
    withheld: list[Column]


class PlatformOut(BaseModel):
    """The platform's figures by region (ITL1), growth sector and stage."""

    cohort: str
    columns: list[ColumnOut]
    total: FiguresOut
    north: FiguresOut
    rest: FiguresOut
    by_region: list[FiguresOut]
    by_sector: list[FiguresOut]
    by_stage: list[FiguresOut]


class NorthOut(BaseModel):
    """The North's position: its share on the platform and of UK spin-off investment."""

    platform_share_of_ventures: float | None
    platform_share_of_capital_sought: float | None
    public_share_of_spinoff_investment: float | None
    public_year: int | None


class SuppressionOut(BaseModel):
    """How small counts are withheld."""

    threshold: int
    rule: str


class YearOut(BaseModel):
    """An academic year: 2018 is 2018/19."""

    year: int
    academic_year: str


class NorthShareOut(YearOut):
    """The North's share of UK spin-off investment in one year."""

    north_spinoff_investment_gbp: int | None
    uk_spinoff_investment_gbp: int | None
    share: float | None


class PublicYearOut(YearOut):
    """One place's public figures in one year (null where not published)."""

    spinoff_investment_gbp: int | None
    spinoff_turnover_gbp: int | None
    active_graduate_startups: int | None


class PublicPlaceOut(BaseModel):
    """A region (or the North, the rest, the whole UK) and its public figures by year."""

    code: str
    label: str
    northern: bool | None = None
    years: list[PublicYearOut]


class PublicStatisticsOut(BaseModel):
    """HESA HE-BCI spin-off figures by region and year: reference figures, credited."""

    source: str
    about: str
    columns: list[ColumnOut]
    years: list[YearOut]
    north_share: list[NorthShareOut]
    by_region: list[PublicPlaceOut]


class ObservatoryOut(BaseModel):
    """The platform's figures, withheld where small, beside the public statistics."""

    model_config = ConfigDict(
        openapi_extra={  # type: ignore[typeddict-unknown-key]
            "description": "The observatory (JSON), or with ?format=csv the same rows as CSV",
            "headers": _CACHE_HEADERS,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    )

    platform: PlatformOut
    north: NorthOut
    suppression: SuppressionOut
    public_statistics: PublicStatisticsOut


NOT_MODIFIED = {
    "description": "Not modified: the If-None-Match ETag still identifies the current body",
    "headers": _CACHE_HEADERS,
}


@api.get("/observatory", responses={200: ObservatoryOut, 304: NOT_MODIFIED, **problems(422, 429)})
@per_ip_limit(RATE_LIMIT, scope="observatory", reads=True)
@validated
def get_observatory(query: ObservatoryQuery) -> Response:
    """The open regional observatory (no auth): the pipeline by region, sector and stage.

    Counts from 1 to 4 ventures are withheld, with complements wherever a total would give
    them away; the rule is in `suppression`. HESA HE-BCI spin-off figures stand beside the
    platform's figures, credited in `public_statistics.source`. Send the ETag back in
    `If-None-Match` to get 304 until the data changes.
    """
    found = observatory(session=get_session())
    if query.format == "csv":
        text = "".join(
            csv_lines(observatory_csv_header(found.statistics), observatory_csv_rows(found))
        )
        response = _cacheable(text.encode("utf-8"), "text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = (
            'attachment; filename="venturematch-observatory.csv"'
        )
    else:
        body: str = current_app.json.dumps(found.as_dict())
        response = _cacheable(body.encode("utf-8"), "application/json")
    response.make_conditional(request)  # 304 without a body when If-None-Match matches
    return response


def _cacheable(body: bytes, content_type: str) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_S
    return response
