"""Evidence exports: one row per introduction/deal for staff, and an aggregate table by growth
sector × region × quarter that is safe to publish (counts under 5 suppressed).

Both follow the dashboard's cohort and filters (`pipeline_filters`), and the deal rows use the
same reach rule as the funnel (`pipeline_progress`), so the three agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, Introduction, InvestorProfile, User, Venture
from webapp.models.enums import DealStage
from webapp.services.common.audit import record_audit
from webapp.services.common.taxonomy import reference_data
from webapp.services.reports.mandate_coverage import MandateIndex, cached_mandates
from webapp.services.reports.pipeline_filters import PipelineFilters, cohort_ids, published_at
from webapp.services.reports.pipeline_progress import (
    ACCEPTED,
    FUNNEL,
    INVESTED,
    REQUESTED,
    deal_reach,
    load_progress,
)

# (column, meaning) of the per-deal CSV, in order: the documentation shown beside the download.
DEAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("introduction_id", "The introduction request; every deal starts as one"),
    ("deal_id", "The deal its acceptance opened; empty if it was never accepted"),
    ("venture_id", "The venture"),
    ("venture_name", "The venture's name"),
    ("venture_sectors", "Its sector codes, separated by ';'"),
    ("growth_sectors", "The top-level growth sectors of those codes, separated by ';'"),
    ("venture_stage", "Its funding stage code"),
    ("venture_region", "Its region code as recorded"),
    ("venture_institution", "Its university code; empty when none"),
    ("venture_published_at", "When it was first published (UTC, ISO 8601)"),
    ("raise_amount_gbp", "The raise it seeks, whole GBP"),
    ("investor_id", "The investor"),
    ("investor_name", "The investor's name"),
    ("investor_type", "Its investor-type code"),
    ("investor_northern", "true when headquartered in the North or holding a Northern mandate"),
    ("requested_by", "founder or investor: who asked for the introduction"),
    ("requested_at", "When the introduction was requested (UTC)"),
    ("answered_at", "When the other side answered (UTC); empty while unanswered"),
    ("current_stage", "Where it stands: the deal stage, or the introduction's status"),
    ("furthest_stage", "The furthest stage on the path it reached (the funnel's rule)"),
    ("amount_gbp", "The amount agreed, whole GBP; empty when not recorded"),
    ("invested_at", "When it reached invested (UTC); empty otherwise"),
    ("last_event_at", "Its latest deal event (UTC); empty without a deal"),
)
SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "[c]"  # the Office for National Statistics' marker for a confidential cell


def is_small(count: int) -> bool:
    """The publishing rule: a count from 1 to 4 could single out a venture, so it is withheld,
    and so is any money resting on it. 0 singles out nobody and is published.

    Every table released outside the programme team (this export, the public observatory)
    applies this one rule.
    """
    return 0 < count < SUPPRESSION_THRESHOLD


EVIDENCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sector", "Top-level growth sector code (a venture in two appears in both)"),
    ("sector_label", "Its name"),
    ("region", "ITL1 region (or nation) of the venture"),
    ("region_label", "Its name"),
    ("quarter", "Quarter the ventures were first published, e.g. 2025-Q1"),
    ("ventures", "Ventures published in the cell"),
    ("introduced", "Of those, ventures with at least one introduction requested"),
    ("accepted", "Of those, ventures with at least one introduction accepted"),
    ("invested", "Of those, ventures with at least one deal invested"),
    ("capital_sought_gbp", "Sum of their raises (shown only when ventures ≥ 5)"),
    ("capital_invested_gbp", "Sum of invested amounts (shown only when invested ≥ 5)"),
)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def deal_rows(*, session: Session, filters: PipelineFilters) -> Iterator[list[object]]:
    """One row per introduction of the cohort (with its deal), oldest request first.

    The query runs here, before the first row is asked for, so a download never fails halfway.
    """
    reference = reference_data()
    top = {s.code: reference.sector_ancestors(s.code)[-1] for s in reference.sectors}
    northern = cached_mandates(session=session)
    reach = deal_reach()
    events = (
        select(
            col(DealEvent.deal_id).label("deal_id"),
            func.max(col(DealEvent.at)).label("last_at"),
        )
        .group_by(col(DealEvent.deal_id))
        .subquery("last_event")
    )
    invested = (
        select(col(DealEvent.deal_id).label("deal_id"), func.max(col(DealEvent.at)).label("at"))
        .where(col(DealEvent.stage) == DealStage.INVESTED.value)
        .group_by(col(DealEvent.deal_id))
        .subquery("invested_event")
    )
    query = (
        select(
            col(Introduction.id),
            col(Deal.id),
            col(Venture.id),
            col(Venture.name),
            col(Venture.sectors),
            col(Venture.stage),
            col(Venture.region),
            col(Venture.institution),
            published_at(),
            col(Venture.raise_amount_gbp),
            col(InvestorProfile.id),
            col(InvestorProfile.name),
            col(InvestorProfile.investor_type),
            col(Introduction.requested_by_role),
            col(Introduction.created_at),
            col(Introduction.responded_at),
            col(Introduction.status),
            col(Deal.stage),
            reach.c.reach,
            col(Deal.amount_gbp),
            invested.c.at,
            events.c.last_at,
        )
        .select_from(Introduction)
        .join(Venture, col(Venture.id) == col(Introduction.venture_id))
        .join(InvestorProfile, col(InvestorProfile.id) == col(Introduction.investor_id))
        .outerjoin(Deal, col(Deal.introduction_id) == col(Introduction.id))
        .outerjoin(reach, reach.c.deal_id == col(Deal.id))
        .outerjoin(invested, invested.c.deal_id == col(Deal.id))
        .outerjoin(events, events.c.deal_id == col(Deal.id))
        .where(col(Introduction.venture_id).in_(cohort_ids(session, filters)))
        .order_by(col(Introduction.created_at), col(Introduction.id))
    )
    return _deal_lines(session.connection().execute(query).all(), top, northern)


def _deal_lines(
    results: Sequence[Any], top: Mapping[str, str], northern: MandateIndex
) -> Iterator[list[object]]:
    for result in results:
        row: tuple[Any, ...] = tuple(result)
        (intro_id, deal_id, vid, vname, sectors, stage, region, institution, published) = row[:9]
        (raise_gbp, iid, iname, itype, by, asked, answered, status) = row[9:17]
        (deal_stage, deal_reach_at, amount, invested_at, last_at) = row[17:]
        yield [
            intro_id,
            deal_id or "",
            vid,
            vname,
            ";".join(sectors),
            ";".join(sorted({top[c] for c in sectors if c in top})),
            stage,
            region,
            institution or "",
            _iso(published),
            raise_gbp,
            iid,
            iname,
            itype,
            "true" if northern.northern[northern.position[iid]] else "false",
            by,
            _iso(asked),
            _iso(answered),
            deal_stage
            or (DealStage.INTRODUCTION_REQUESTED.value if status == "requested" else status),
            FUNNEL[deal_reach_at] if deal_id else FUNNEL[REQUESTED],
            amount if amount is not None else "",
            _iso(invested_at),
            _iso(last_at),
        ]


def itl1_region(code: str) -> str:
    """The ITL1 region (or nation) a region code lies in; coarse enough to publish."""
    return reference_data().itl1_region(code)


def quarter_of(day: float) -> str:
    """`2025-Q1` for a day number (days since 1970-01-01 UTC) in January to March 2025."""
    moment = datetime.fromtimestamp(day * 86400, tz=UTC)
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


@dataclass
class EvidenceCell:
    """Counts for one growth sector × region × quarter, before suppression."""

    sector: str
    region: str
    quarter: str
    ventures: int = 0
    introduced: int = 0
    accepted: int = 0
    invested: int = 0
    capital_sought_gbp: int = 0
    capital_invested_gbp: int = 0
    suppressed: list[str] = field(default_factory=list)

    def published(self) -> dict[str, Any]:
        """The cell as released: small counts, and money resting on them, withheld (None)."""
        reference = reference_data()
        body: dict[str, Any] = {
            "sector": self.sector,
            "sector_label": reference.sector_by_code[self.sector].label,
            "region": self.region,
            "region_label": reference.region_by_code[self.region].label,
            "quarter": self.quarter,
        }
        suppressed = []
        for name in ("ventures", "introduced", "accepted", "invested"):
            value = getattr(self, name)
            small = is_small(value)
            body[name] = None if small else value
            if small:
                suppressed.append(name)
        for name, basis in (
            ("capital_sought_gbp", self.ventures),
            ("capital_invested_gbp", self.invested),
        ):
            hidden = is_small(basis)
            body[name] = None if hidden else getattr(self, name)
            if hidden:
                suppressed.append(name)
        body["suppressed"] = suppressed
        return body


def evidence_cells(*, session: Session, filters: PipelineFilters) -> list[dict[str, Any]]:
    """The aggregate table, suppressed, ordered by quarter, sector and region."""
    reference = reference_data()
    top = {s.code: reference.sector_ancestors(s.code)[-1] for s in reference.sectors}
    cells: dict[tuple[str, str, str], EvidenceCell] = {}
    for venture in load_progress(session=session, filters=filters).ventures:
        region = itl1_region(venture.region)
        quarter = quarter_of(venture.published_day)
        for sector in sorted({top[c] for c in venture.sectors if c in top}):
            key = (sector, region, quarter)
            cell = cells.get(key) or cells.setdefault(key, EvidenceCell(*key))
            cell.ventures += 1
            cell.introduced += venture.reached >= REQUESTED
            cell.accepted += venture.reached >= ACCEPTED
            cell.invested += venture.reached >= INVESTED
            cell.capital_sought_gbp += venture.raise_amount_gbp
            cell.capital_invested_gbp += venture.invested_gbp
    ordered = sorted(cells.values(), key=lambda c: (c.quarter, c.sector, c.region))
    return [cell.published() for cell in ordered]


def evidence_csv_rows(cells: list[dict[str, Any]]) -> Iterator[list[object]]:
    """The aggregate table as CSV values, with the confidentiality marker in withheld cells."""
    for cell in cells:
        yield [SUPPRESSED if cell[name] is None else cell[name] for name, _ in EVIDENCE_COLUMNS]


def record_export(
    *, session: Session, actor: User, kind: str, query: dict[str, str], ip: str | None = None
) -> None:
    """Downloads that name ventures, investors or people are staff actions: audit them.

    Call it before reading the rows, so nothing leaves without its audit row. The row commits
    in a short transaction of its own: the request's read transaction is ended first, since on
    SQLite a read snapshot cannot become a write once another process has committed.
    """
    session.commit()  # ends the read transaction (the caller's sign-in lookup), writes nothing
    record_audit(
        session=session,
        actor=actor,
        action=f"export.{kind}",
        object_type="export",
        object_id=None,
        after={"filters": query},
        ip=ip,
    )
    session.commit()
