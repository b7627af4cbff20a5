"""The filters every pipeline view shares, and the cohort of ventures they select.

The cohort is the set of ventures that reached the platform's shop window: published at some
point (published now, or published and later closed), with the publication date inside the date
range. Every figure of the dashboard, the export and the retention view follows that cohort
through the funnel, so the figures agree with one another.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlmodel import Session, col

from webapp.models import ProgrammeVenture, Venture
from webapp.models.enums import Visibility
from webapp.services.access.staff_scope import Scope
from webapp.services.common.errors import FieldError, ValidationFailed
from webapp.services.common.json_filters import dialect_name, json_array_overlaps
from webapp.services.common.taxonomy import check_codes, reference_data

FILTER_CODE_FIELDS = {
    "sector": "sector",
    "stage": "stage",
    "region": "region",
    "institution": "institution",
}


@dataclass(frozen=True)
class PipelineFilters:
    """What the person asked to see; `programme_ids` None means every programme and none."""

    date_from: date | None = None
    date_to: date | None = None
    sector: str | None = None
    stage: str | None = None
    region: str | None = None
    institution: str | None = None
    programme_ids: Scope = None

    def with_scope(self, scope: Scope) -> PipelineFilters:
        """The same filters limited to a programme scope."""
        return replace(self, programme_ids=scope)

    def as_query(self) -> dict[str, str]:
        """The filters as URL query parameters (for links between views and the export)."""
        pairs = {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sector": self.sector,
            "stage": self.stage,
            "region": self.region,
            "institution": self.institution,
        }
        if self.programme_ids is not None and len(self.programme_ids) == 1:
            pairs["programme"] = str(next(iter(self.programme_ids)))
        return {key: value for key, value in pairs.items() if value}


def make_filters(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    sector: str | None = None,
    stage: str | None = None,
    region: str | None = None,
    institution: str | None = None,
    programme_ids: Scope = None,
) -> PipelineFilters:
    """Validated filters: unknown codes and a reversed date range are 422s naming the field."""
    values = {"sector": sector, "stage": stage, "region": region, "institution": institution}
    values = {key: (value.strip() or None) if value else None for key, value in values.items()}
    errors = check_codes(values, FILTER_CODE_FIELDS)
    if date_from and date_to and date_from > date_to:
        errors.append(
            FieldError("to", f"{date_to.isoformat()} is before from={date_from.isoformat()}")
        )
    if errors:
        raise ValidationFailed(errors)
    return PipelineFilters(
        date_from=date_from,
        date_to=date_to,
        programme_ids=programme_ids,
        **values,
    )


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of a day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def published_at() -> ColumnElement[datetime]:
    """When a venture entered the shop window (creation time for rows published without one)."""
    return func.coalesce(col(Venture.published_at), col(Venture.created_at))


def venture_conditions(
    session: Session, filters: PipelineFilters, *, dated: bool = True
) -> list[ColumnElement[bool]]:
    """WHERE clauses on `venture` for the filters (sector and region include sub-codes)."""
    reference = reference_data()
    found: list[ColumnElement[bool]] = []
    if dated and filters.date_from:
        found.append(published_at() >= start_of(filters.date_from))
    if dated and filters.date_to:
        found.append(published_at() < start_of(filters.date_to + timedelta(days=1)))
    if filters.stage:
        found.append(col(Venture.stage) == filters.stage)
    if filters.region:
        found.append(col(Venture.region).in_(sorted(reference.region_descendants(filters.region))))
    if filters.institution:
        found.append(col(Venture.institution) == filters.institution)
    if filters.sector:
        codes = reference.sector_descendants(filters.sector)
        found.append(json_array_overlaps(dialect_name(session), col(Venture.sectors), codes))
    if filters.programme_ids is not None:
        if filters.programme_ids:
            enrolled = select(col(ProgrammeVenture.venture_id)).where(
                col(ProgrammeVenture.programme_id).in_(sorted(filters.programme_ids))
            )
            found.append(col(Venture.id).in_(enrolled))
        else:
            found.append(false())
    return found


def was_published() -> ColumnElement[bool]:
    """Ventures that have been in the shop window (drafts never were)."""
    return or_(
        col(Venture.published_at).is_not(None),
        col(Venture.visibility).in_([Visibility.PUBLISHED.value, Visibility.CLOSED.value]),
    )


def cohort_ids(session: Session, filters: PipelineFilters) -> Select[Any]:
    """`SELECT venture.id` of the cohort, to use as a subquery."""
    return select(col(Venture.id)).where(was_published(), *venture_conditions(session, filters))
