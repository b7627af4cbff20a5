"""The platform's own figures for groups of the pipeline's cohort: by region, sector or stage.

Every count goes through the dashboard's tally (`pipeline.tally_by`) and its median of the days
from publishing to the first introduction, so a region here shows what the dashboard shows when
filtered to that region. Whether a venture is matched to an investor "in mandate" is decided by
the rules of `matching.mandate` (through `mandate_coverage`), never by a copy of them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import String, select, type_coerce
from sqlmodel import Session, col

from webapp.models import Match, Venture
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.mandate_coverage import VentureShape, cached_mandates
from webapp.services.reports.pipeline import first_introduction_waits, median_days, tally_by
from webapp.services.reports.pipeline_filters import PipelineFilters, cohort_ids
from webapp.services.reports.pipeline_progress import Bools, Ints, Progress, raw_rows
from webapp.services.reports.retention import share_of

# (group code, cohort row) pairs: a venture may belong to several groups (growth sectors).
Memberships = tuple[list[str], Ints]
# The groups above the regions, as codes and row labels.
TOTAL, TOTAL_LABEL = "all", "All ventures"
NORTH, NORTH_LABEL = "north", "The North"  # North East, North West, Yorkshire and The Humber
REST, REST_LABEL = "rest", "Rest of the UK and beyond"
NORTHERN_REGIONS = ("north_east", "north_west", "yorkshire_humber")


@dataclass(frozen=True)
class PlatformFigures:
    """One group's figures. Counts are ventures, the unit every threshold protects."""

    code: str
    label: str
    ventures: int = 0
    capital_sought_gbp: int = 0
    matched_in_mandate: int = 0
    introduced: int = 0
    invested: int = 0
    capital_invested_gbp: int = 0
    median_days_to_first_introduction: float | None = None

    @property
    def share_matched_in_mandate(self) -> float | None:
        """Share of the group's ventures matched to at least one investor in mandate."""
        return share_of(self.matched_in_mandate, self.ventures)


def figures_by(
    progress: Progress,
    memberships: Memberships,
    labels: Mapping[str, str],
    matched: Bools,
) -> dict[str, PlatformFigures]:
    """Figures per group code (groups with no venture are absent)."""
    codes, rows = memberships
    members: dict[str, list[int]] = defaultdict(list)
    for code, row in zip(codes, rows.tolist(), strict=True):
        members[code].append(row)
    found: dict[str, PlatformFigures] = {}
    for tally in tally_by(codes, rows, progress, labels):
        chosen = np.array(members[tally.code], dtype=np.int64)
        found[tally.code] = PlatformFigures(
            code=tally.code,
            label=tally.label,
            ventures=tally.ventures,
            capital_sought_gbp=tally.capital_sought_gbp,
            matched_in_mandate=int(matched[chosen].sum()),
            introduced=tally.introduced,
            invested=tally.invested,
            capital_invested_gbp=tally.capital_invested_gbp,
            median_days_to_first_introduction=median_days(
                first_introduction_waits(progress, chosen)
            ),
        )
    return found


def every_venture(progress: Progress, code: str = TOTAL) -> Memberships:
    """One group holding the whole cohort."""
    return [code] * len(progress.ids), np.arange(len(progress.ids), dtype=np.int64)


def by_itl1_region(progress: Progress) -> Memberships:
    """Each venture in its ITL1 region or nation (a country-level or foreign code stays itself)."""
    reference = reference_data()
    return [reference.itl1_region(code) for code in progress.regions], np.arange(
        len(progress.ids), dtype=np.int64
    )


def by_recorded_region(progress: Progress) -> Memberships:
    """Each venture in the region or area it recorded (a combined authority, say)."""
    return list(progress.regions), np.arange(len(progress.ids), dtype=np.int64)


def north_or_rest(progress: Progress) -> Memberships:
    """Each venture in the North of England (`NORTH`) or anywhere else (`REST`)."""
    reference = reference_data()
    codes = [NORTH if reference.is_northern(code) else REST for code in progress.regions]
    return codes, np.arange(len(progress.ids), dtype=np.int64)


def by_stage(progress: Progress) -> Memberships:
    """Each venture in its funding stage."""
    return list(progress.stages), np.arange(len(progress.ids), dtype=np.int64)


def matched_in_mandate(*, session: Session, progress: Progress, filters: PipelineFilters) -> Bools:
    """Per cohort row: does any of its stored matches have an investor whose mandate covers it?

    Stored matches are the ranker's top K, which skips only hard exclusions; this asks whether
    the ranker put at least one investor who says they back ventures like this one in front of
    the founder. Matches are read as raw rows and looked up with arrays: there are K of them per
    venture (20 × 10,000 in the benchmark).
    """
    found = np.zeros(len(progress.ids), dtype=bool)
    if not len(progress.ids):
        return found
    cohort = cohort_ids(session, filters)
    pairs = raw_rows(
        session,
        select(col(Match.venture_id), col(Match.investor_id))
        .where(col(Match.venture_id).in_(cohort))
        .order_by(col(Match.venture_id)),
    )
    if not pairs:
        return found
    mandates = cached_mandates(session=session)
    venture = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
    investor = np.fromiter((p[1] for p in pairs), np.int64, len(pairs))
    row = np.searchsorted(progress.ids, venture)
    column = np.searchsorted(mandates.ids, investor)  # loaded in id order
    known = (row < len(progress.ids)) & (column < len(mandates.ids))
    known[known] = (progress.ids[row[known]] == venture[known]) & (
        mandates.ids[column[known]] == investor[known]
    )  # skip ventures published, and investors added, since the cohort and index were read
    row, column = row[known], column[known]
    instruments = _instruments(session, cohort)
    rows = np.unique(row)
    covers = np.zeros((len(rows), len(mandates)), dtype=bool)
    for i, r in enumerate(rows.tolist()):
        offered, eis, seis = instruments.get(int(progress.ids[r]), ((), False, False))
        shape = VentureShape(
            sectors=progress.sectors[r],
            stage=progress.stages[r],
            region=progress.regions[r],
            instruments=offered,
            raise_amount_gbp=int(progress.raise_gbp[r]),
            eis=eis,
            seis=seis,
        )
        covers[i] = mandates.covering(shape)
    in_mandate = covers[np.searchsorted(rows, row), column]
    found[row[in_mandate]] = True
    return found


def _instruments(session: Session, cohort: Any) -> dict[int, tuple[tuple[str, ...], bool, bool]]:
    """Each cohort venture's instruments and SEIS/EIS eligibility (lists are parsed once each)."""
    query = select(
        col(Venture.id),
        type_coerce(col(Venture.instruments), String),
        col(Venture.eis),
        col(Venture.seis),
    ).where(col(Venture.id).in_(cohort))
    parsed: dict[str, tuple[str, ...]] = {}
    found: dict[int, tuple[tuple[str, ...], bool, bool]] = {}
    for venture_id, raw, eis, seis in raw_rows(session, query):
        if not isinstance(raw, str):  # a driver that decodes JSON itself
            found[int(venture_id)] = (tuple(raw or ()), bool(eis), bool(seis))
            continue
        codes = parsed.get(raw)
        if codes is None:
            codes = parsed[raw] = tuple(json.loads(raw) or ())
        found[int(venture_id)] = (codes, bool(eis), bool(seis))
    return found
