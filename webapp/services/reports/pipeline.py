"""The pipeline at a glance: the funnel, conversion, time in each stage, capital, breakdowns.

Definitions (the dashboard, `GET /api/v1/pipeline/summary` and the CSV export all use them):
- The cohort is the ventures published within the date range (see `pipeline_filters`); each is
  followed through the funnel whatever the date of its later steps.
- A funnel count is the number of cohort ventures that reached the stage *or any later one*:
  published → matched (has a stored match) → introduction requested → accepted (a deal opened)
  → in conversation → due diligence → term sheet → invested. Reaching a deal stage means any
  of the venture's deals recorded it (its events, or its current stage).
- Conversion is the share of one stage's ventures that reached the next stage.
- Median days in a stage: `published` is publication to the first introduction request;
  `introduction_requested` is request to answer (accepted, declined or withdrawn); each deal
  stage is from its event to the deal's next event. Only finished stays count; a stage with
  none is null. `matched` and `invested` are not timed (matches are recomputed; invested ends).
- Capital sought is the cohort's raise amounts; capital invested is the amounts of its deals
  that reached `invested` (a deal recorded without an amount adds nothing and is counted in
  `invested_deals_without_amount`).
- `investors` counts active investors whose mandate reaches the sector/stage/region filters.
- Breakdowns count each venture once per row it belongs to: by top-level growth sector (a
  venture in two growth sectors appears in both rows), stage, region (as recorded) and
  institution; by investor type counts introductions and deals on the cohort's ventures.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session

from webapp.models.enums import DEAL_PATH
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.mandate_coverage import MandateIndex, cached_mandates
from webapp.services.reports.pipeline_cache import cached
from webapp.services.reports.pipeline_filters import PipelineFilters
from webapp.services.reports.pipeline_progress import (
    ACCEPTED,
    FUNNEL,
    INVESTED,
    MATCHED,
    REQUESTED,
    Ints,
    Progress,
    load_progress,
)
from webapp.services.reports.retention import share_of

TIMED_STAGES: tuple[str, ...] = ("published", *(s.value for s in DEAL_PATH[:-1]))
NO_INSTITUTION = "none"


@dataclass
class VentureTally:
    """One row of a venture breakdown."""

    code: str
    label: str
    ventures: int = 0
    matched: int = 0
    introduced: int = 0
    accepted: int = 0
    invested: int = 0
    capital_sought_gbp: int = 0
    capital_invested_gbp: int = 0

    @classmethod
    def of(cls, code: str, label: str, bucket: list[int]) -> VentureTally:
        """From a bucket: ventures per funnel position reached, then the two sums."""
        reached = bucket[: len(FUNNEL)]

        def from_(position: int) -> int:
            return sum(reached[position:])

        return cls(
            code,
            label,
            ventures=from_(0),
            matched=from_(MATCHED),
            introduced=from_(REQUESTED),
            accepted=from_(ACCEPTED),
            invested=from_(INVESTED),
            capital_sought_gbp=bucket[-2],
            capital_invested_gbp=bucket[-1],
        )


@dataclass
class InvestorTypeTally:
    """One row of the investor-type breakdown."""

    code: str
    label: str
    investors: int = 0
    introductions: int = 0
    deals: int = 0
    invested: int = 0
    capital_invested_gbp: int = 0


@dataclass
class PipelineSummary:
    """Every figure of the dashboard."""

    funnel: list[tuple[str, int]]
    median_days_in_stage: dict[str, float | None]
    ventures: int
    investors: int
    capital_sought_gbp: int
    capital_invested_gbp: int
    invested_deals_without_amount: int
    north_retention: float | None
    by_sector: list[VentureTally]
    by_stage: list[VentureTally]
    by_region: list[VentureTally]
    by_institution: list[VentureTally]
    by_investor_type: list[InvestorTypeTally]
    filters: PipelineFilters = field(default_factory=PipelineFilters)

    @property
    def conversion(self) -> list[tuple[str, str, float | None]]:
        """Share of each stage's ventures that reached the next (None when none were there)."""
        pairs = zip(self.funnel, self.funnel[1:], strict=False)
        return [(a, b, round(m / n, 4) if n else None) for (a, n), (b, m) in pairs]

    def as_dict(self) -> dict[str, Any]:
        """The body of `GET /api/v1/pipeline/summary`."""
        return {
            "funnel": [{"stage": s, "count": n} for s, n in self.funnel],
            "conversion": [{"from": a, "to": b, "rate": r} for a, b, r in self.conversion],
            "median_days_in_stage": self.median_days_in_stage,
            "ventures": self.ventures,
            "investors": self.investors,
            "capital_sought_gbp": self.capital_sought_gbp,
            "capital_invested_gbp": self.capital_invested_gbp,
            "invested_deals_without_amount": self.invested_deals_without_amount,
            "north_retention": self.north_retention,
            "by_sector": [vars(t) for t in self.by_sector],
            "by_stage": [vars(t) for t in self.by_stage],
            "by_region": [vars(t) for t in self.by_region],
            "by_institution": [vars(t) for t in self.by_institution],
            "by_investor_type": [vars(t) for t in self.by_investor_type],
        }


def median_days(values: Sequence[float]) -> float | None:
    """The median stay to a tenth of a day; None when there is no finished stay yet."""
    return round(statistics.median(values), 1) if values else None


def first_introduction_waits(progress: Progress, rows: Ints | None = None) -> list[float]:
    """Days from publication to the first introduction request, for the ventures asked."""
    first = progress.first_request_day if rows is None else progress.first_request_day[rows]
    published = progress.published_day if rows is None else progress.published_day[rows]
    asked = ~np.isnan(first)
    waits: list[float] = (first[asked] - published[asked]).tolist()
    return waits


def _medians(progress: Progress) -> dict[str, float | None]:
    """Median finished stay per timed stage (None when there is none yet)."""
    stays = dict(progress.stays)
    stays[0] = first_introduction_waits(progress)
    return {stage: median_days(stays.get(FUNNEL.index(stage), [])) for stage in TIMED_STAGES}


def tally_by(
    codes: list[str],
    rows: Ints,
    progress: Progress,
    labels: Mapping[str, str],
) -> list[VentureTally]:
    """One tally per distinct code, in first-seen order; `rows[i]` is the cohort row of `codes[i]`.

    Every breakdown of the dashboard, and the regional views, count through here.
    """
    index = {code: i for i, code in enumerate(dict.fromkeys(codes))}
    keys = np.fromiter(map(index.__getitem__, codes), np.int64, len(codes))
    width, groups = len(FUNNEL), len(index)
    reached = np.bincount(keys * width + progress.reached[rows], minlength=groups * width)
    sought = np.bincount(keys, weights=progress.raise_gbp[rows], minlength=groups)
    invested = np.bincount(keys, weights=progress.invested_gbp[rows], minlength=groups)
    by_group = reached.reshape(groups, width).tolist()
    sums = zip(np.rint(sought).tolist(), np.rint(invested).tolist(), strict=True)
    return [
        VentureTally.of(code, labels.get(code, code), [*by_group[i], int(s), int(v)])
        for i, (code, (s, v)) in enumerate(zip(index, sums, strict=True))
    ]


def growth_sector_memberships(progress: Progress) -> tuple[list[str], Ints]:
    """(growth sector, cohort row) pairs: a venture counts once in each growth sector it is in."""
    reference = reference_data()
    top_sector = {s.code: reference.sector_ancestors(s.code)[-1] for s in reference.sectors}
    rows: list[int] = []
    codes: list[str] = []
    tops: dict[tuple[str, ...], list[str]] = {}
    for row, sectors in enumerate(progress.sectors):
        found = tops.get(sectors)
        if found is None:
            found = tops[sectors] = sorted({top_sector[c] for c in sectors if c in top_sector})
        rows.extend([row] * len(found))
        codes.extend(found)
    return codes, np.array(rows, np.int64)


def _by_investor_type(
    progress: Progress, mandates: MandateIndex, active_by_type: Mapping[str, int]
) -> list[InvestorTypeTally]:
    labels = {t.code: t.label for t in reference_data().investor_types}
    tallies = {code: InvestorTypeTally(code, label) for code, label in labels.items()}

    def tally(investor_id: int) -> InvestorTypeTally:
        code = mandates.investors[mandates.position[investor_id]].investor_type
        return tallies.setdefault(code, InvestorTypeTally(code, code))

    for investor_id, count in progress.introductions_by_investor.items():
        tally(investor_id).introductions += count
    for investor_id, count in progress.deals_by_investor.items():
        tally(investor_id).deals += count
    for investor_id, count in progress.invested_by_investor.items():
        tally(investor_id).invested += count
        tally(investor_id).capital_invested_gbp += progress.invested_gbp_by_investor[investor_id]
    for code, count in active_by_type.items():
        tallies[code].investors = count
    return [t for t in tallies.values() if t.investors or t.introductions or t.deals]


def pipeline_summary(*, session: Session, filters: PipelineFilters) -> PipelineSummary:
    """Every dashboard figure for the filtered cohort (reused until the data changes)."""
    return cached(session, ("summary", filters), lambda: compute_summary(session, filters))


def compute_summary(session: Session, filters: PipelineFilters) -> PipelineSummary:
    """Every dashboard figure for the filtered cohort, from one pass over compact rows."""
    reference = reference_data()
    labels = {
        "sector": {s.code: s.label for s in reference.sectors},
        "stage": {s.code: s.label for s in reference.stages},
        "region": {r.code: r.label for r in reference.regions},
        "institution": {i.code: i.label for i in reference.institutions},
    }
    labels["institution"][NO_INSTITUTION] = "No university link"
    progress = load_progress(session=session, filters=filters)

    every = np.arange(len(progress.ids))
    sector_codes, sector_rows = growth_sector_memberships(progress)
    institutions = [code or NO_INSTITUTION for code in progress.institutions]
    by = {
        "sector": tally_by(sector_codes, sector_rows, progress, labels["sector"]),
        "stage": tally_by(progress.stages, every, progress, labels["stage"]),
        "region": tally_by(progress.regions, every, progress, labels["region"]),
        "institution": tally_by(institutions, every, progress, labels["institution"]),
    }
    overall = tally_by(["all"] * len(every), every, progress, {"all": "All"})
    totals = overall[0] if overall else VentureTally("all", "All")
    reached = np.bincount(progress.reached, minlength=len(FUNNEL)).tolist()
    funnel = [sum(reached[p:]) for p in range(len(FUNNEL))]
    no_amount = int(progress.invested_without_amount.sum())

    mandates = cached_mandates(session=session)
    reach_filter = mandates.covering_filter(
        sector=filters.sector, stage=filters.stage, region=filters.region
    )
    active_by_type = Counter(
        investor.investor_type
        for investor, keep in zip(mandates.investors, reach_filter, strict=True)
        if keep
    )
    invested_pairs = progress.invested_by_investor
    northern = sum(n for i, n in invested_pairs.items() if mandates.northern[mandates.position[i]])

    stage_order = reference.stage_order

    def biggest_first(rows: list[VentureTally]) -> list[VentureTally]:
        return sorted(rows, key=lambda t: (-t.ventures, t.label))

    return PipelineSummary(
        funnel=list(zip(FUNNEL, funnel, strict=True)),
        median_days_in_stage=_medians(progress),
        ventures=totals.ventures,
        investors=int(reach_filter.sum()),
        capital_sought_gbp=totals.capital_sought_gbp,
        capital_invested_gbp=totals.capital_invested_gbp,
        invested_deals_without_amount=no_amount,
        north_retention=share_of(northern, sum(invested_pairs.values())),
        by_sector=biggest_first(by["sector"]),
        by_stage=sorted(by["stage"], key=lambda t: stage_order.get(t.code, 99)),
        by_region=biggest_first(by["region"]),
        by_institution=biggest_first(by["institution"]),
        by_investor_type=_by_investor_type(progress, mandates, active_by_type),
        filters=filters,
    )
