"""How far each venture and each deal got: the one definition the summary, the exports and the
evidence share, so their figures agree.

Funnel positions: 0 published, 1 matched, 2 introduction requested, 3 accepted, 4 in
conversation, 5 due diligence, 6 term sheet, 7 invested. A later step implies the earlier ones
(a deal that jumped from due diligence to invested has passed the term-sheet stage). A deal's
reach is the furthest of its events and its current stage, and at least `accepted` (a deal only
exists once an introduction was accepted).

Speed: four compact queries (ventures, introductions, deals, deal events — numbers and codes,
times as day numbers so no datetime is parsed) and one pass over them in Python. The deal and
introduction facts do not depend on the filters, so each process keeps them until their own
tables change (`pipeline_cache`); a request with new filters reads only its cohort's ventures.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, exists, func, literal, select, type_coerce
from sqlmodel import Session, col

from webapp.models import Deal, DealEvent, Introduction, Match, Venture
from webapp.models.enums import DEAL_PATH, DealStage
from webapp.services.pipeline_cache import cached, deals_fingerprint, introductions_fingerprint
from webapp.services.pipeline_filters import (
    PipelineFilters,
    published_at,
    venture_conditions,
    was_published,
)
from webapp.services.sql_time import unix_days

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
    """Everything the summary and the evidence need about the cohort, from one pass."""

    ventures: list[VentureProgress]
    stays: dict[int, list[float]] = field(default_factory=dict)  # funnel position → days
    introductions_by_investor: Counter[int] = field(default_factory=Counter)
    deals_by_investor: Counter[int] = field(default_factory=Counter)
    invested_by_investor: Counter[int] = field(default_factory=Counter)
    invested_gbp_by_investor: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class DealFacts:
    """One deal, whatever the filters: its reach and its finished stays in timed stages."""

    investor_id: int
    position: int  # funnel position of its current stage (0 when closed without investing)
    amount_gbp: int | None
    reach: int
    stays: tuple[tuple[int, float], ...]  # (funnel position, days spent there)


@dataclass(frozen=True, slots=True)
class IntroductionFacts:
    """One introduction request: who was asked, when, and when they answered (days)."""

    investor_id: int
    asked_day: float
    answered_day: float | None


def _rows(session: Session, query: Any) -> list[Any]:
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


def _ventures(session: Session, filters: PipelineFilters) -> list[Any]:
    matched = exists(select(literal(1)).where(col(Match.venture_id) == col(Venture.id)))
    query = select(
        col(Venture.id),
        type_coerce(col(Venture.sectors), String),  # raw JSON text, parsed once per distinct value
        col(Venture.stage),
        col(Venture.region),
        col(Venture.institution),
        col(Venture.raise_amount_gbp),
        unix_days(published_at()),
        matched,
    ).where(was_published(), *venture_conditions(session, filters))
    return _rows(session, query)


def deal_facts(session: Session) -> dict[int, tuple[DealFacts, ...]]:
    """Every deal's facts by venture, reused until a deal or deal event changes."""
    return cached(
        session, "deal-facts", lambda: _load_deal_facts(session), fingerprint_of=deals_fingerprint
    )


def _load_deal_facts(session: Session) -> dict[int, tuple[DealFacts, ...]]:
    deals = select(
        col(Deal.id),
        col(Deal.venture_id),
        col(Deal.investor_id),
        stage_position(col(Deal.stage)),
        col(Deal.amount_gbp),
    )
    owners = {row[0]: row[1:] for row in _rows(session, deals)}
    reach = {deal_id: max(int(row[2]), ACCEPTED) for deal_id, row in owners.items()}
    events = select(
        col(DealEvent.deal_id),
        stage_position(col(DealEvent.stage)),
        unix_days(col(DealEvent.at)),
    ).order_by(col(DealEvent.deal_id), col(DealEvent.at), col(DealEvent.id))
    stays: dict[int, list[tuple[int, float]]] = defaultdict(list)
    timed = TIMED_DEAL_STAGES
    previous_deal, previous_position, previous_day = None, 0, 0.0
    for deal_id, position, day in _rows(session, events):
        known = reach.get(deal_id)
        if known is None:
            continue  # an event written after we read the deals
        if position > known:
            reach[deal_id] = position
        if deal_id == previous_deal and previous_position in timed:
            stays[deal_id].append((previous_position, day - previous_day))
        previous_deal, previous_position, previous_day = deal_id, position, day
    by_venture: dict[int, list[DealFacts]] = defaultdict(list)
    for deal_id, (venture_id, investor_id, position, amount) in owners.items():
        facts = DealFacts(investor_id, position, amount, reach[deal_id], tuple(stays[deal_id]))
        by_venture[venture_id].append(facts)
    return {venture_id: tuple(found) for venture_id, found in by_venture.items()}


def introduction_facts(session: Session) -> dict[int, tuple[IntroductionFacts, ...]]:
    """Every introduction request by venture, reused until one is requested or answered."""
    return cached(
        session,
        "introduction-facts",
        lambda: _load_introduction_facts(session),
        fingerprint_of=introductions_fingerprint,
    )


def _load_introduction_facts(session: Session) -> dict[int, tuple[IntroductionFacts, ...]]:
    query = select(
        col(Introduction.venture_id),
        col(Introduction.investor_id),
        unix_days(col(Introduction.created_at)),
        unix_days(col(Introduction.responded_at)),
    )
    by_venture: dict[int, list[IntroductionFacts]] = defaultdict(list)
    for venture_id, investor_id, asked, answered in _rows(session, query):
        by_venture[venture_id].append(IntroductionFacts(investor_id, asked, answered))
    return {venture_id: tuple(found) for venture_id, found in by_venture.items()}


def _deals(session: Session, cohort: set[int], progress: Progress) -> dict[int, list[int]]:
    """Per cohort venture: [furthest reach, invested GBP, invested deals without an amount]."""
    facts = deal_facts(session)
    stays: dict[int, list[float]] = defaultdict(list)
    per_venture: dict[int, list[int]] = {}
    for venture_id in cohort:
        for deal in facts.get(venture_id, ()):
            found = per_venture.setdefault(venture_id, [0, 0, 0])
            found[0] = max(found[0], deal.reach)
            progress.deals_by_investor[deal.investor_id] += 1
            for position, days in deal.stays:
                stays[position].append(days)
            if deal.position == INVESTED:
                found[1] += deal.amount_gbp or 0
                found[2] += deal.amount_gbp is None
                progress.invested_by_investor[deal.investor_id] += 1
                progress.invested_gbp_by_investor[deal.investor_id] += deal.amount_gbp or 0
    progress.stays.update(stays)
    return per_venture


def _introductions(session: Session, cohort: set[int], progress: Progress) -> dict[int, float]:
    """First request per cohort venture; request → answer times go into the stays."""
    facts = introduction_facts(session)
    first_request: dict[int, float] = {}
    answers: list[float] = []
    for venture_id in cohort:
        for introduction in facts.get(venture_id, ()):
            progress.introductions_by_investor[introduction.investor_id] += 1
            asked = introduction.asked_day
            if asked < first_request.get(venture_id, float("inf")):
                first_request[venture_id] = asked
            if introduction.answered_day is not None:
                answers.append(introduction.answered_day - asked)
    progress.stays[REQUESTED] = answers
    return first_request


def load_progress(*, session: Session, filters: PipelineFilters) -> Progress:
    """The cohort's ventures with their reach, plus stays and per-investor counts."""
    progress = Progress(ventures=[])
    ventures = _ventures(session, filters)
    cohort = {row[0] for row in ventures}
    per_venture = _deals(session, cohort, progress)
    first_request = _introductions(session, cohort, progress)
    parsed: dict[Any, tuple[str, ...]] = {}  # many ventures share a sector list
    none = (0, 0, 0)
    for vid, sectors, stage, region, institution, raise_gbp, published, is_matched in ventures:
        reach, invested_gbp, without_amount = per_venture.get(vid, none)
        asked = first_request.get(vid)
        reached = reach or (REQUESTED if asked is not None else MATCHED if is_matched else 0)
        key = sectors if isinstance(sectors, str) else tuple(sectors)
        codes = parsed.get(key)
        if codes is None:
            codes = tuple(json.loads(sectors)) if isinstance(sectors, str) else tuple(key)
            parsed[key] = codes
        progress.ventures.append(
            VentureProgress(
                vid,
                codes,
                stage,
                region,
                institution,
                raise_gbp,
                float(published),
                asked,
                reached,
                invested_gbp,
                without_amount,
            )
        )
    return progress
