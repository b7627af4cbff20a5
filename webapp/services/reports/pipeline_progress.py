"""How far each venture and each deal got: the one definition the summary, the exports and the
evidence share, so their figures agree.

Funnel positions: 0 published, 1 matched, 2 introduction requested, 3 accepted, 4 in
conversation, 5 due diligence, 6 term sheet, 7 invested. A later step implies the earlier ones
(a deal that jumped from due diligence to invested has passed the term-sheet stage). A deal's
reach is the furthest of its events and its current stage, and at least `accepted` (a deal only
exists once an introduction was accepted).

Speed: four compact queries (ventures, introductions, deals, deal events — numbers and codes,
times as day numbers so no datetime is parsed), then array operations (numpy) rather than a
Python loop per row. The deal and introduction facts do not depend on the filters, so each
process keeps them as arrays until their own tables change (`pipeline_cache`); a request with
new filters reads only its cohort's venture rows.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import String, case, exists, func, literal, select, type_coerce
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, Introduction, Match, Venture
from webapp.models.enums import DEAL_PATH, DealStage
from webapp.services.reports.pipeline_cache import (
    cached,
    deals_fingerprint,
    introductions_fingerprint,
)
from webapp.services.reports.pipeline_filters import (
    PipelineFilters,
    published_at,
    venture_conditions,
    was_published,
)
from webapp.services.reports.sql_time import unix_days

FUNNEL: tuple[str, ...] = ("published", "matched", *(s.value for s in DEAL_PATH))
MATCHED = FUNNEL.index("matched")
REQUESTED = FUNNEL.index(DealStage.INTRODUCTION_REQUESTED.value)
ACCEPTED = FUNNEL.index(DealStage.ACCEPTED.value)
INVESTED = FUNNEL.index(DealStage.INVESTED.value)
_ON_PATH = {stage.value: FUNNEL.index(stage.value) for stage in DEAL_PATH}
# Deal stages whose stays are timed from deal events (request → answer comes from introductions).
TIMED_DEAL_STAGES = frozenset(range(ACCEPTED, INVESTED))


def stage_position(stage_column: Any) -> Any:
    """SQL: the funnel position of a deal stage (0 for declined, passed and withdrawn)."""
    return case(_ON_PATH, value=stage_column, else_=0)


def deal_reach() -> Any:
    """Subquery (deal_id, reach) with each deal's funnel reach, for per-deal exports."""
    by_events = select(
        col(DealEvent.deal_id).label("deal_id"),
        stage_position(col(DealEvent.stage)).label("position"),
    ).subquery("event_position")
    furthest = (
        select(by_events.c.deal_id, by_events.c.position)
        .union_all(select(col(Deal.id), stage_position(col(Deal.stage))))
        .subquery("positions")
    )
    top = func.max(furthest.c.position)
    return (
        select(
            furthest.c.deal_id.label("deal_id"),
            case((top < ACCEPTED, ACCEPTED), else_=top).label("reach"),
        )
        .group_by(furthest.c.deal_id)
        .subquery("deal_reach")
    )


Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class VentureProgress:
    """One cohort venture and how far it got; days are days since 1970-01-01 UTC."""

    id: int
    sectors: tuple[str, ...]
    stage: str
    region: str
    institution: str | None
    raise_amount_gbp: int
    published_day: float
    first_request_day: float | None
    reached: int  # funnel position
    invested_gbp: int
    invested_without_amount: int


@dataclass
class Progress:
    """Everything the summary and the evidence need about the cohort, as columns.

    Row i of every array and list is the cohort's i-th venture (in id order).
    """

    ids: Ints
    sectors: list[tuple[str, ...]]
    stages: list[str]
    regions: list[str]
    institutions: list[str | None]
    raise_gbp: Ints
    published_day: Floats
    first_request_day: Floats  # NaN: never asked
    reached: Ints  # funnel position
    invested_gbp: Ints
    invested_without_amount: Ints
    stays: dict[int, list[float]] = field(default_factory=dict)  # funnel position → days
    introductions_by_investor: Counter[int] = field(default_factory=Counter)
    deals_by_investor: Counter[int] = field(default_factory=Counter)
    invested_by_investor: Counter[int] = field(default_factory=Counter)
    invested_gbp_by_investor: Counter[int] = field(default_factory=Counter)

    @cached_property
    def ventures(self) -> list[VentureProgress]:
        """The same figures one venture at a time, for reports that group them their own way."""
        asked = [None if np.isnan(d) else d for d in self.first_request_day.tolist()]
        return [
            VentureProgress(*row)
            for row in zip(
                self.ids.tolist(),
                self.sectors,
                self.stages,
                self.regions,
                self.institutions,
                self.raise_gbp.tolist(),
                self.published_day.tolist(),
                asked,
                self.reached.tolist(),
                self.invested_gbp.tolist(),
                self.invested_without_amount.tolist(),
                strict=True,
            )
        ]


@dataclass(frozen=True)
class DealFacts:
    """Every deal, whatever the filters, one row per deal; stays one row per finished stay."""

    venture: Ints
    investor: Ints
    reach: Ints  # furthest funnel position of its events and its current stage
    invested: Bools  # its current stage is `invested`
    amount_gbp: Ints  # 0 when none was recorded
    without_amount: Bools  # invested, but no amount recorded
    stay_venture: Ints
    stay_position: Ints
    stay_days: Floats


@dataclass(frozen=True)
class IntroductionFacts:
    """Every introduction request: who was asked, when, and when they answered (days)."""

    venture: Ints
    investor: Ints
    asked_day: Floats
    answered_day: Floats  # NaN: not answered yet


def raw_rows(session: Session, query: Any) -> list[Any]:
    """All rows as the driver returns them.

    These queries select only numbers and strings (times as day numbers), which need no type
    processing, so the driver's tuples are read straight from the cursor: building SQLAlchemy
    Row objects was most of the cost for 50,000 events.
    """
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _column(rows: list[Any], index: int, dtype: Any, missing: Any = 0) -> Any:
    values = [row[index] for row in rows]
    if missing is not None:
        values = [missing if v is None else v for v in values]
    return np.array(values, dtype=dtype).reshape(len(rows))


def _ventures(session: Session, filters: PipelineFilters) -> list[Any]:
    matched = exists(select(literal(1)).where(col(Match.venture_id) == col(Venture.id)))
    query = (
        select(
            col(Venture.id),
            type_coerce(col(Venture.sectors), String),  # raw JSON, parsed once per distinct value
            col(Venture.stage),
            col(Venture.region),
            col(Venture.institution),
            col(Venture.raise_amount_gbp),
            unix_days(published_at()),
            matched,
        )
        .where(was_published(), *venture_conditions(session, filters))
        .order_by(col(Venture.id))
    )
    return raw_rows(session, query)


def deal_facts(session: Session) -> DealFacts:
    """Every deal's facts, reused until a deal or deal event changes."""
    return cached(
        session, "deal-facts", lambda: _load_deal_facts(session), fingerprint_of=deals_fingerprint
    )


def _load_deal_facts(session: Session) -> DealFacts:
    deal_rows = raw_rows(
        session,
        select(
            col(Deal.id),
            col(Deal.venture_id),
            col(Deal.investor_id),
            stage_position(col(Deal.stage)),
            col(Deal.amount_gbp),
        ).order_by(col(Deal.id)),
    )
    deal_ids = _column(deal_rows, 0, np.int64)
    venture = _column(deal_rows, 1, np.int64)
    current = _column(deal_rows, 3, np.int64)
    amount_known = np.array([row[4] is not None for row in deal_rows], dtype=bool)
    reach = np.maximum(current, ACCEPTED)
    event_rows = raw_rows(
        session,
        select(
            col(DealEvent.deal_id),
            stage_position(col(DealEvent.stage)),
            unix_days(col(DealEvent.at)),
        ).order_by(col(DealEvent.deal_id), col(DealEvent.at), col(DealEvent.id)),
    )
    event_deal = _column(event_rows, 0, np.int64)
    where = np.searchsorted(deal_ids, event_deal)
    known = where < len(deal_ids)
    known[known] = deal_ids[where[known]] == event_deal[known]  # not a deal written since
    where = where[known]
    position = _column(event_rows, 1, np.int64)[known]
    day = _column(event_rows, 2, np.float64)[known]
    np.maximum.at(reach, where, position)
    # A stay ends at the deal's next event; only stays in accepted…term sheet are timed.
    follows = where[1:] == where[:-1]
    timed = follows & (position[:-1] >= ACCEPTED) & (position[:-1] < INVESTED)
    invested = current == INVESTED
    return DealFacts(
        venture=venture,
        investor=_column(deal_rows, 2, np.int64),
        reach=reach,
        invested=invested,
        amount_gbp=_column(deal_rows, 4, np.int64),
        without_amount=invested & ~amount_known,
        stay_venture=venture[where[:-1][timed]],
        stay_position=position[:-1][timed],
        stay_days=(day[1:] - day[:-1])[timed],
    )


def introduction_facts(session: Session) -> IntroductionFacts:
    """Every introduction request, reused until one is requested, answered or removed."""
    return cached(
        session,
        "introduction-facts",
        lambda: _load_introduction_facts(session),
        fingerprint_of=introductions_fingerprint,
    )


def _load_introduction_facts(session: Session) -> IntroductionFacts:
    rows = raw_rows(
        session,
        select(
            col(Introduction.venture_id),
            col(Introduction.investor_id),
            unix_days(col(Introduction.created_at)),
            unix_days(col(Introduction.responded_at)),
        ),
    )
    return IntroductionFacts(
        venture=_column(rows, 0, np.int64),
        investor=_column(rows, 1, np.int64),
        asked_day=_column(rows, 2, np.float64),
        answered_day=_column(rows, 3, np.float64, missing=np.nan),
    )


def _counts(keys: Ints, weights: Ints | None = None) -> Counter[int]:
    """How often each key occurs (or the sum of its weights), as plain ints."""
    found, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=weights, minlength=len(found))
    return Counter(dict(zip(found.tolist(), np.rint(sums).astype(np.int64).tolist(), strict=True)))


def _deals(session: Session, cohort: Ints, progress: Progress) -> tuple[Ints, Ints, Ints]:
    """Per cohort venture (`cohort` order): furthest deal reach, invested GBP, no-amount count."""
    facts = deal_facts(session)
    size = len(cohort)
    inside = np.isin(facts.venture, cohort)
    row = np.searchsorted(cohort, facts.venture[inside])
    reach = np.zeros(size, dtype=np.int64)
    np.maximum.at(reach, row, facts.reach[inside])
    invested = facts.invested[inside]
    amount = np.where(invested, facts.amount_gbp[inside], 0)
    invested_gbp = np.rint(np.bincount(row, weights=amount, minlength=size)).astype(np.int64)
    without = np.bincount(row, weights=facts.without_amount[inside], minlength=size)
    investors = facts.investor[inside]
    progress.deals_by_investor.update(_counts(investors))
    progress.invested_by_investor.update(_counts(investors[invested]))
    progress.invested_gbp_by_investor.update(_counts(investors[invested], amount[invested]))
    stayed = np.isin(facts.stay_venture, cohort)
    positions, days = facts.stay_position[stayed], facts.stay_days[stayed]
    for position in TIMED_DEAL_STAGES:
        found = days[positions == position]
        if len(found):
            progress.stays[position] = found.tolist()
    return reach, invested_gbp, without.astype(np.int64)


def _introductions(session: Session, cohort: Ints, progress: Progress) -> Floats:
    """First request per cohort venture (NaN if none); request → answer times go into stays."""
    facts = introduction_facts(session)
    inside = np.isin(facts.venture, cohort)
    progress.introductions_by_investor.update(_counts(facts.investor[inside]))
    first = np.full(len(cohort), np.inf)
    asked = facts.asked_day[inside]
    np.minimum.at(first, np.searchsorted(cohort, facts.venture[inside]), asked)
    answered = facts.answered_day[inside]
    waited = answered - asked
    progress.stays[REQUESTED] = waited[~np.isnan(answered)].tolist()
    first[np.isinf(first)] = np.nan
    return first


def load_progress(*, session: Session, filters: PipelineFilters) -> Progress:
    """The cohort's ventures with their reach, plus stays and per-investor counts."""
    rows = _ventures(session, filters)
    parsed: dict[str, tuple[str, ...]] = {}  # many ventures share a sector list

    def sectors_of(raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, str):  # a driver that decodes JSON itself
            return tuple(raw)
        codes = parsed.get(raw)
        if codes is None:
            codes = parsed[raw] = tuple(json.loads(raw))
        return codes

    ids = _column(rows, 0, np.int64)
    progress = Progress(
        ids=ids,
        sectors=[sectors_of(row[1]) for row in rows],
        stages=[row[2] for row in rows],
        regions=[row[3] for row in rows],
        institutions=[row[4] for row in rows],
        raise_gbp=_column(rows, 5, np.int64),
        published_day=_column(rows, 6, np.float64),
        first_request_day=np.zeros(0),
        reached=np.zeros(0, dtype=np.int64),
        invested_gbp=np.zeros(0, dtype=np.int64),
        invested_without_amount=np.zeros(0, dtype=np.int64),
    )
    deal_reach, progress.invested_gbp, progress.invested_without_amount = _deals(
        session, ids, progress
    )
    progress.first_request_day = _introductions(session, ids, progress)
    matched = np.array([bool(row[7]) for row in rows], dtype=bool).reshape(len(rows))
    progress.reached = np.where(
        deal_reach > 0,
        deal_reach,
        np.where(~np.isnan(progress.first_request_day), REQUESTED, np.where(matched, MATCHED, 0)),
    ).astype(np.int64)
    return progress
