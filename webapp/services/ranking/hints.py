"""Advice for founders from the active model: "what would widen your match", and syndicates.

The model and its prepared investor pool come from the scoring context the workers' refresh
uses (cached per process, rebuilt only when the model, the mandates or the history change),
so advice and rankings always come from the same model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import matching
from matching.advice import hint_sentence
from webapp.config import Settings
from webapp.models import InvestorProfile, User, Venture
from webapp.services.access.object_access import is_staff, readable_venture
from webapp.services.common.errors import Forbidden
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.ranking.model_registry import active_model
from webapp.services.ranking.scoring_cache import NoInvestors, scoring_context

_VENTURE_FIELDS = (
    "id",
    "name",
    "summary",
    "sectors",
    "stage",
    "raise_amount_gbp",
    "instruments",
    "region",
    "institution",
    "spinout",
    "eis",
    "seis",
)


@dataclass(frozen=True)
class WidenHint:
    """One checked change to the venture and how many more mandates it would fit."""

    code: str
    text: str
    change: dict[str, Any]
    added: int


@dataclass(frozen=True)
class SyndicateMember:
    """An investor in a proposed syndicate."""

    id: int
    name: str
    ticket_max_gbp: int


@dataclass(frozen=True)
class SyndicateProposal:
    """A lead and co-investors whose tickets together cover the raise."""

    lead: SyndicateMember
    co_investors: list[SyndicateMember]
    capacity_gbp: int
    score: float


@dataclass(frozen=True)
class Advice:
    """Everything the founder's match page offers beyond the ranked list."""

    hints: list[WidenHint]
    syndicates: list[SyndicateProposal]
    model_version: str


def venture_record(venture: Venture) -> dict[str, Any]:
    """A venture as the ranker reads it."""
    return {name: getattr(venture, name) for name in _VENTURE_FIELDS}


def advice_for_venture(
    *, session: Session, settings: Settings, viewer: User, venture_id: int
) -> Advice:
    """Widen-your-match hints and, when no single ticket covers the raise, syndicates."""
    venture = readable_venture(session, viewer, venture_id)
    if venture.owner_id != viewer.id and not is_staff(viewer):
        raise Forbidden(f"Only the venture's founder and staff see advice for venture {venture_id}")
    try:
        context = scoring_context(session=session, settings=settings)
    except NoInvestors:
        version = active_model(session=session, settings=settings).version
        return Advice(hints=[], syndicates=[], model_version=version)
    key = (venture_id, venture.updated_at, context.version, context.inputs)
    cached = _ADVICE.get(key)
    if cached is not None:
        return cached
    model, pool = context.model, context.pool
    record = venture_record(venture)
    # Worded with the current labels: an older model's taxonomy may carry none.
    labels, plain = matching_taxonomy(), matching.VentureRecord(**record)
    hints = [
        WidenHint(
            code=h.code,
            text=hint_sentence(labels, h.code, h.change, plain, h.added),
            change=dict(h.change),
            added=h.added,
        )
        for h in model.widen_hints(record, pool)
    ]
    found = model.propose_syndicates(record, pool)
    advice = Advice(
        hints=hints,
        syndicates=_syndicates(session, found),
        model_version=context.version,
    )
    _ADVICE.put(key, advice)
    return advice


class _AdviceCache:
    """Advice per venture version and scoring inputs: a founder's page view costs ~150 ms of
    scoring otherwise, and the answer only changes when the venture, model or mandates do."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], Advice] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Advice | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], advice: Advice) -> None:
        with self.lock:
            self.items[key] = advice
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_ADVICE = _AdviceCache(size=2_000)


def _syndicates(session: Session, found: list[matching.Syndicate]) -> list[SyndicateProposal]:
    ids = {i for s in found for i in s.investor_ids}
    if not ids:
        return []
    rows = session.exec(
        select(InvestorProfile.id, InvestorProfile.name, InvestorProfile.ticket_max_gbp).where(
            col(InvestorProfile.id).in_(ids)
        )
    ).all()
    members = {
        pk: SyndicateMember(id=pk, name=name, ticket_max_gbp=ticket)
        for pk, name, ticket in rows
        if pk is not None
    }
    return [
        SyndicateProposal(
            lead=members[s.lead_id],
            co_investors=[members[i] for i in s.co_investor_ids],
            capacity_gbp=int(s.capacity_gbp),
            score=float(s.score),
        )
        for s in found
        if all(i in members for i in s.investor_ids)
    ]
