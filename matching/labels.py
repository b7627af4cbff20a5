"""What the ranker learns from: platform outcomes and past funding rounds, as dated labels."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from matching.records import DealRecord, Outcome, VentureRecord

# (label, weight) per outcome kind: investment and accepted intros are the real positives;
# a shortlist is a weaker yes; a pass is a no; shown-and-ignored is a weak no.
OUTCOME_LABELS: dict[str, tuple[int, float]] = {
    "invested": (1, 1.0),
    "intro_accepted": (1, 1.0),
    "shortlisted": (1, 0.5),
    "passed": (0, 1.0),
    "ignored": (0, 0.3),
}
# Pass reasons about the venture itself rather than the investor's mandate.
QUALITY_REASONS = frozenset({"team", "traction", "other"})
_PRIORITY = ("invested", "intro_accepted", "passed", "shortlisted", "ignored")
_FALLBACK_RAISE = 1_000_000  # only when the history holds no amount at all


@dataclass(frozen=True, slots=True)
class LabelEvent:
    """One labelled pair, and the ranking question (`query`) it answers.

    A platform venture's outcomes in one window answer one question ("which investors for this
    venture?"); a past round answers its own, and its participants share its weight (`shared`),
    so a round with ten investors counts as much as a round with one.
    """

    date: dt.date
    venture: VentureRecord
    investor_id: int
    label: int
    weight: float
    query: tuple[int, int]  # (venture id, round day or 0 for platform outcomes)
    shared: bool = False


@dataclass(frozen=True)
class TypicalRaise:
    """Median round size per stage: the size of a past round whose amount was not published."""

    by_stage: dict[str, int]
    overall: int

    @classmethod
    def of(cls, deals: Sequence[DealRecord]) -> TypicalRaise:
        """Medians over the deals with an amount (each round once)."""
        rounds = {(d.company_key, d.date, d.stage): d.amount_gbp for d in deals if d.amount_gbp}
        amounts: dict[str, list[int]] = {}
        for (_, _, stage), amount in rounds.items():
            amounts.setdefault(stage or "", []).append(int(amount or 0))
        every = [a for values in amounts.values() for a in values]
        return cls(
            {stage: int(statistics.median(v)) for stage, v in amounts.items() if stage},
            int(statistics.median(every)) if every else _FALLBACK_RAISE,
        )

    def __call__(self, stage: str) -> int:
        return self.by_stage.get(stage, self.overall)


def link_companies(deals: Sequence[DealRecord]) -> list[DealRecord]:
    """Give imported companies stable negative venture ids, so follow-ons link across rounds."""
    ids: dict[str, int] = {}
    linked = []
    for d in deals:
        if d.venture_id is None:
            d = dataclasses.replace(d, venture_id=ids.setdefault(d.company_key, -1 - len(ids)))
        linked.append(d)
    return linked


def _best_outcomes(outcomes: Sequence[Outcome]) -> dict[tuple[int, int], Outcome]:
    """The strongest outcome per pair (an investment outranks the shortlist before it)."""
    best: dict[tuple[int, int], Outcome] = {}
    for o in outcomes:
        if o.kind not in OUTCOME_LABELS:
            raise ValueError(f"outcome kind {o.kind!r}; expected one of {', '.join(_PRIORITY)}")
        key = (o.venture_id, o.investor_id)
        if key not in best or _PRIORITY.index(o.kind) < _PRIORITY.index(best[key].kind):
            best[key] = o
    return best


def _round_venture(
    deal: DealRecord, venture_id: int, typical: TypicalRaise, unplaced: str | None
) -> VentureRecord | None:
    """The venture a past round describes (what it raised, where, at which stage), if it can."""
    region = deal.region or unplaced
    if deal.stage is None or region is None:
        return None
    return VentureRecord(
        id=venture_id,
        name=deal.company_key,
        sectors=tuple(deal.sectors),
        stage=deal.stage,
        raise_amount_gbp=int(deal.amount_gbp or typical(deal.stage)),
        region=region,
    )


def label_events(
    ventures: Sequence[VentureRecord],
    deals: Sequence[DealRecord],
    outcomes: Sequence[Outcome],
    *,
    unplaced_region: str | None = None,
) -> list[LabelEvent]:
    """Outcomes on platform ventures, then every past round no outcome already labels.

    `deals` must be linked (`link_companies`). A round of a platform venture is described by
    the venture's profile; any other round by the deal itself (its amount, when missing, is the
    typical one for its stage). A round without a region is placed in `unplaced_region`, the
    taxonomy's code for "not recorded" if it has one; rounds without a stage, or without a
    region and no such code, describe no venture and only feed the track record.
    """
    by_id = {v.id: v for v in ventures}
    best = _best_outcomes(outcomes)
    events = []
    for (vid, iid), o in best.items():
        if vid in by_id:
            y, w = OUTCOME_LABELS[o.kind]
            if o.kind == "passed" and o.reason in QUALITY_REASONS:
                w *= 0.5  # a pass on the team or traction says less about the fit
            events.append(LabelEvent(o.date, by_id[vid], iid, y, w, (vid, 0)))
    typical = TypicalRaise.of(deals)
    seen: set[tuple[int, int, int]] = set()
    for d in deals:
        vid = d.venture_id if d.venture_id is not None else 0
        if (vid, d.investor_id) in best:
            continue
        venture = by_id.get(vid)
        if venture is not None:
            key = (vid, d.investor_id, 0)  # the same profile whichever round: label it once
            query, shared = (vid, 0), False
        else:
            day = d.date.toordinal()
            key, query, shared = (vid, d.investor_id, day), (vid, day), True
            venture = _round_venture(d, vid, typical, unplaced_region)
        if venture is not None and key not in seen:
            seen.add(key)
            events.append(LabelEvent(d.date, venture, d.investor_id, 1, 1.0, query, shared))
    return events
