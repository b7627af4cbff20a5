"""Request and response models of the staff pipeline API (documented in /api/openapi.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from webapp.api._common import Id, PageQuery
from webapp.models import User
from webapp.models.bounds import IsoDate
from webapp.models.codes import InstitutionCode, RegionCode, SectorCode, StageCode
from webapp.services.access.staff_scope import resolve_programmes
from webapp.services.reports.pipeline_filters import PipelineFilters, make_filters
from webapp.services.reports.sql_time import Grain
from webapp.services.reports.stalled import MAX_DAYS, MIN_DAYS
from webapp.web.db_session import get_session

# The one place the staff API decides who may call it.
STAFF = ("staff", "admin")


class PipelineQuery(BaseModel):
    """Filters shared by every pipeline view; sector and region include their sub-codes.

    The date range selects the ventures *published* in it (the cohort), which are then followed
    through the funnel whatever the date of their later steps.
    """

    model_config = ConfigDict(populate_by_name=True)

    date_from: IsoDate | None = Field(
        default=None, alias="from", description="First day, inclusive (YYYY-MM-DD)"
    )
    date_to: IsoDate | None = Field(
        default=None, alias="to", description="Last day, inclusive (YYYY-MM-DD)"
    )
    sector: SectorCode | None = None
    stage: StageCode | None = None
    region: RegionCode | None = None
    institution: InstitutionCode | None = None
    programme: Id | None = Field(default=None, description="Only ventures in this programme")

    def filters(self, user: User) -> PipelineFilters:
        """Checked filters, narrowed to the programmes the caller may see."""
        checked = make_filters(
            date_from=self.date_from,
            date_to=self.date_to,
            sector=self.sector,
            stage=self.stage,
            region=self.region,
            institution=self.institution,
        )
        scope = resolve_programmes(session=get_session(), user=user, programme=self.programme)
        return checked.with_scope(scope)


class PagedPipelineQuery(PipelineQuery, PageQuery):
    """Pipeline filters with `?limit=` and `?offset=`."""


class StalledQuery(PageQuery):
    """`?days=` without an event (default 30) and an optional programme."""

    days: int = Field(default=30, ge=MIN_DAYS, le=MAX_DAYS)
    programme: Id | None = None


class RetentionQuery(PipelineQuery):
    """Pipeline filters and the trend's period."""

    grain: Grain = "quarter"


class FunnelStep(BaseModel):
    """Cohort ventures that reached this stage or a later one."""

    stage: str
    count: int


class ConversionOut(BaseModel):
    """Share of one stage's ventures that reached the next (null when the first is empty)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    rate: float | None


class VentureBreakdown(BaseModel):
    """One row of the breakdown by sector, stage, region or institution."""

    code: str
    label: str
    ventures: int
    matched: int
    introduced: int
    accepted: int
    invested: int
    capital_sought_gbp: int
    capital_invested_gbp: int


class InvestorTypeBreakdown(BaseModel):
    """One row of the breakdown by investor type."""

    code: str
    label: str
    investors: int
    introductions: int
    deals: int
    invested: int
    capital_invested_gbp: int


class SummaryOut(BaseModel):
    """The dashboard's figures for the filtered cohort."""

    funnel: list[FunnelStep]
    conversion: list[ConversionOut]
    median_days_in_stage: dict[str, float | None]
    ventures: int
    investors: int
    capital_sought_gbp: int
    capital_invested_gbp: int
    invested_deals_without_amount: int
    north_retention: float | None = Field(ge=0, le=1)
    by_sector: list[VentureBreakdown]
    by_stage: list[VentureBreakdown]
    by_region: list[VentureBreakdown]
    by_institution: list[VentureBreakdown]
    by_investor_type: list[InvestorTypeBreakdown]


class GapCellOut(BaseModel):
    """Demand and supply in one growth sector × stage × region cell."""

    sector: str
    stage: str
    region: str
    ventures: int
    capital_sought_gbp: int
    investors_in_mandate: int
    capacity_gbp: int = Field(description="Sum of the largest ticket of each investor in mandate")
    shortfall_gbp: int
    coverage: float
    ventures_without_investor: int


class GapList(BaseModel):
    """Cells, worst gap first."""

    items: list[GapCellOut]
    total: int
    limit: int
    offset: int


class NamedRef(BaseModel):
    """An object's id and name."""

    id: int
    name: str


class InvestorRef(NamedRef):
    """An investor's id, name and type."""

    investor_type: str


class UnservedVentureOut(BaseModel):
    """The venture as the unserved list shows it."""

    id: int
    name: str
    sectors: list[str]
    stage: str
    region: str
    raise_amount_gbp: int


class NearMiss(BaseModel):
    """An investor near the venture and the mandate rules it breaks."""

    investor: InvestorRef
    misses: list[str]


class UnservedOut(BaseModel):
    """A published venture no active investor's mandate covers."""

    venture: UnservedVentureOut
    nearest_investors: list[NearMiss]


class UnservedList(BaseModel):
    """Unserved ventures, largest raise first."""

    items: list[UnservedOut]
    total: int
    limit: int
    offset: int


class LastEvent(BaseModel):
    """The deal's newest event (stage null when it has none; `at` is then its update time)."""

    stage: str | None
    at: datetime
    actor_id: int | None
    note: str | None


class StalledOut(BaseModel):
    """An open deal with no event for the period."""

    deal_id: int
    venture: NamedRef
    investor: NamedRef
    stage: str
    amount_gbp: int | None
    last_event: LastEvent
    days_quiet: int


class StalledList(BaseModel):
    """Stalled deals, quietest first."""

    items: list[StalledOut]
    total: int
    limit: int
    offset: int


class RetentionFigureOut(BaseModel):
    """Pairs at one level, and the share with Northern investors."""

    level: Literal["matched", "introduced", "invested"]
    period: str | None = None
    pairs: int
    northern: int
    share: float | None
    capital_gbp: int | None = None
    northern_capital_gbp: int | None = None
    capital_share: float | None = None


class RetentionOut(BaseModel):
    """North retention overall and by period."""

    grain: Grain
    overall: list[RetentionFigureOut]
    trend: list[RetentionFigureOut]


class ColumnDoc(BaseModel):
    """A column of an export and what it holds."""

    name: str
    description: str


class Suppression(BaseModel):
    """How small cells are withheld."""

    threshold: int
    rule: str


class EvidenceCellOut(BaseModel):
    """One growth sector × region × quarter; withheld values are null and listed."""

    sector: str
    sector_label: str
    region: str
    region_label: str
    quarter: str
    ventures: int | None
    introduced: int | None
    accepted: int | None
    invested: int | None
    capital_sought_gbp: int | None
    capital_invested_gbp: int | None
    suppressed: list[str]


class EvidenceOut(BaseModel):
    """The publishable aggregate table with its column documentation."""

    columns: list[ColumnDoc]
    suppression: Suppression
    cells: list[EvidenceCellOut]


class TimelineEntryOut(BaseModel):
    """Something that happened to the venture."""

    at: datetime
    kind: str
    title: str
    investor: NamedRef | None
    detail: str | None
    deal_id: int | None


class TimelineVenture(BaseModel):
    """The venture the timeline is about."""

    id: int
    name: str
    stage: str
    region: str
    visibility: str


class TimelineOut(BaseModel):
    """A venture's story, oldest first."""

    venture: TimelineVenture
    matches: int
    open_deals: int
    entries: list[TimelineEntryOut]


class VenturePath(BaseModel):
    """A venture id."""

    venture_id: Id


class JobOut(BaseModel):
    """A long job and its progress (`done` of `total`)."""

    id: int
    kind: str
    status: str
    total: int
    done: int
    progress: float
    message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RefreshOut(BaseModel):
    """The newest full refresh, if any."""

    job: JobOut | None


def client_ip() -> str | None:
    """The caller's address for the audit log."""
    return request.remote_addr
