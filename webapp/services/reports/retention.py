"""North retention: how much of the cohort's activity is with investors who back the North.

An investor is Northern when its headquarters region is in the North of England or its mandate
names a Northern region or area (a mandate of "England" or "UK" alone does not count: it says
nothing about the North). Three levels, each a share of venture–investor pairs:
- matched: stored matches of the cohort's ventures (dated by the venture's publication, since
  matches are recomputed and carry no lasting date);
- introduced: introductions requested, dated by the request;
- invested: deals that reached `invested`, dated by the invested event (or the deal's last
  update when no event was recorded); the capital share is given alongside.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, Introduction, Match, Venture
from webapp.models.enums import DealStage
from webapp.services.reports.mandate_coverage import MandateIndex, cached_mandates
from webapp.services.reports.pipeline_filters import PipelineFilters, cohort_ids, published_at
from webapp.services.reports.sql_time import Grain, period_key

LEVELS = ("matched", "introduced", "invested")
Grouped = tuple[int, str, int, int | None]  # investor id, period, pairs, capital


def share_of(part: int, whole: int) -> float | None:
    """A share rounded to four places; None when there is nothing to share."""
    return round(part / whole, 4) if whole else None


@dataclass
class RetentionFigure:
    """Pairs at one level (overall or in one period), and how many were with Northern investors."""

    level: str
    period: str | None
    pairs: int = 0
    northern: int = 0
    capital_gbp: int = 0
    northern_capital_gbp: int = 0

    @property
    def share(self) -> float | None:
        """Northern pairs over all pairs."""
        return share_of(self.northern, self.pairs)

    @property
    def capital_share(self) -> float | None:
        """Northern capital over all capital (invested level only)."""
        return share_of(self.northern_capital_gbp, self.capital_gbp)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        body: dict[str, object] = {
            "level": self.level,
            "pairs": self.pairs,
            "northern": self.northern,
            "share": self.share,
        }
        if self.period is not None:
            body["period"] = self.period
        if self.level == "invested":
            body["capital_gbp"] = self.capital_gbp
            body["northern_capital_gbp"] = self.northern_capital_gbp
            body["capital_share"] = self.capital_share
        return body


@dataclass
class RetentionReport:
    """Overall shares per level and their trend by period."""

    grain: Grain
    overall: list[RetentionFigure]
    trend: list[RetentionFigure]

    def level(self, name: str) -> RetentionFigure:
        """The overall figure of one level."""
        return next(f for f in self.overall if f.level == name)

    def periods(self) -> list[str]:
        """Every period with activity, oldest first."""
        return sorted({f.period for f in self.trend if f.period is not None})

    def as_dict(self) -> dict[str, object]:
        """The body of `GET /api/v1/pipeline/retention`."""
        return {
            "grain": self.grain,
            "overall": [f.as_dict() for f in self.overall],
            "trend": [f.as_dict() for f in self.trend],
        }


def _grouped(session: Session, filters: PipelineFilters, grain: Grain) -> dict[str, list[Grouped]]:
    """(investor, period, pairs, capital) rows for each level, grouped by the database."""
    cohort = cohort_ids(session, filters)
    venture_period = period_key(published_at(), grain)
    matched = (
        select(col(Match.investor_id), venture_period, func.count(), func.sum(0))
        .join(Venture, col(Venture.id) == col(Match.venture_id))
        .where(col(Match.venture_id).in_(cohort))
        .group_by(col(Match.investor_id), venture_period)
    )
    intro_period = period_key(col(Introduction.created_at), grain)
    introduced = (
        select(col(Introduction.investor_id), intro_period, func.count(), func.sum(0))
        .where(col(Introduction.venture_id).in_(cohort))
        .group_by(col(Introduction.investor_id), intro_period)
    )
    invested_at = (
        select(col(DealEvent.deal_id).label("deal_id"), func.max(col(DealEvent.at)).label("at"))
        .where(col(DealEvent.stage) == DealStage.INVESTED.value)
        .group_by(col(DealEvent.deal_id))
        .subquery("invested_at")
    )
    deal_period = period_key(func.coalesce(invested_at.c.at, col(Deal.updated_at)), grain)
    invested = (
        select(
            col(Deal.investor_id),
            deal_period,
            func.count(),
            func.sum(func.coalesce(col(Deal.amount_gbp), 0)),
        )
        .outerjoin(invested_at, invested_at.c.deal_id == col(Deal.id))
        .where(col(Deal.stage) == DealStage.INVESTED.value)
        .where(col(Deal.venture_id).in_(cohort))
        .group_by(col(Deal.investor_id), deal_period)
    )
    connection = session.connection()
    return {
        level: [
            (row[0], row[1], int(row[2]), int(row[3] or 0)) for row in connection.execute(query)
        ]
        for level, query in (
            ("matched", matched),
            ("introduced", introduced),
            ("invested", invested),
        )
    }


def _fold(
    level: str, rows: Iterable[Grouped], mandates: MandateIndex
) -> tuple[RetentionFigure, list[RetentionFigure]]:
    overall = RetentionFigure(level, None)
    by_period: dict[str, RetentionFigure] = defaultdict(lambda: RetentionFigure(level, None))
    for investor_id, period, pairs, capital in rows:
        northern = bool(mandates.northern[mandates.position[investor_id]])
        figure = by_period[period]
        figure.period = period
        for target in (overall, figure):
            target.pairs += pairs
            target.capital_gbp += capital or 0
            if northern:
                target.northern += pairs
                target.northern_capital_gbp += capital or 0
    return overall, [by_period[p] for p in sorted(by_period)]


def north_retention(
    *, session: Session, filters: PipelineFilters, grain: Grain = "quarter"
) -> RetentionReport:
    """Northern shares of the cohort's matches, introductions and investments, with the trend."""
    mandates = cached_mandates(session=session)
    grouped = _grouped(session, filters, grain)
    overall, trend = [], []
    for level in LEVELS:
        total, periods = _fold(level, grouped[level], mandates)
        overall.append(total)
        trend.extend(periods)
    return RetentionReport(grain=grain, overall=overall, trend=trend)
