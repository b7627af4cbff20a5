"""Platform activity over the last ~18 months: feedback, introductions and the deals they open,
with realistic drop-off between deal stages and some deals left stalled."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reference.taxonomy import ReferenceData
from seeds.demo import distributions as dist
from seeds.demo.clock import Clock
from seeds.demo.fit import Mandate, Verdict, assess
from seeds.demo.records import (
    DemoDeal,
    DemoDealEvent,
    DemoFeedback,
    DemoIntroduction,
    DemoInvestor,
    DemoPortfolioDeal,
    DemoVenture,
)
from seeds.demo.text import pass_note

FEEDBACK_PER_INVESTOR = (3, 15)
SOFT_PASS_REASONS = {"traction": 0.4, "team": 0.25, "other": 0.2, "ticket_size": 0.15}
INVESTOR_ASKS_AFTER_SHORTLIST = 0.5
FOUNDER_ASKS = 0.25
# Introduction outcomes by who asked: accepted, declined, withdrawn, left unanswered.
RESPONSES = {
    "investor": (0.8, 0.12, 0.03, 0.05),
    "founder": (0.45, 0.4, 0.08, 0.07),
}
DECLINE_REASONS = (
    "Not raising from this kind of investor right now.",
    "Outside our current focus.",
    "We have just closed our round.",
    "Not the right time for us.",
)
# (stage, chance of reaching it from the previous stage, days it takes: low, high)
DEAL_STEPS = (
    ("in_conversation", 0.8, 3, 30),
    ("due_diligence", 0.5, 14, 60),
    ("term_sheet", 0.5, 14, 45),
    ("invested", 0.75, 20, 75),
)
CLOSE_ON_DROP = 0.6  # a deal that stops advancing is closed this often; otherwise it stalls
# From seed on, founders meet London's larger funds far more often than their numbers suggest
# (they market nationally, run scout programmes, and founders look south for bigger rounds).
SOUTHERN_FUND_VISIBILITY = 4.0
LOOKS_SOUTH_FROM_STAGE = "seed"
FUNDS_A_FOUNDER_MEETS = 10


@dataclass(frozen=True, slots=True)
class Activity:
    """What `generate_activity` returns."""

    feedback: list[DemoFeedback]
    introductions: list[DemoIntroduction]
    closed_deals: list[DemoPortfolioDeal]


@dataclass(frozen=True)
class ActivityFactory:
    """Draws feedback, introductions and deals from the ventures and mandates."""

    reference: ReferenceData
    clock: Clock
    ventures: Sequence[DemoVenture]
    investors: Sequence[DemoInvestor]

    def _feedback_for(
        self, rng: random.Random, index: int, mandate: Mandate, published: Sequence[int]
    ) -> list[DemoFeedback]:
        investor = self.investors[index]
        wanted = min(len(published), rng.randint(*FEEDBACK_PER_INVESTOR))
        candidates = rng.sample(published, min(len(published), 4 * wanted))
        scored = [(v, assess(self.reference, self.ventures[v], mandate)) for v in candidates]
        # Investors see their best matches, so feedback leans to good fits, with noise.
        scored.sort(key=lambda pair: pair[1].score + rng.gauss(0, 0.15), reverse=True)
        feedback = []
        for venture_index, verdict in sorted(scored[:wanted], key=lambda pair: pair[0]):
            action, reason = _verdict_to_feedback(rng, verdict)
            feedback.append(
                DemoFeedback(
                    investor=index,
                    venture=venture_index,
                    action=action,
                    reason=reason,
                    note=pass_note(reason) if reason and rng.random() < 0.4 else None,
                    actor_email=rng.choice(investor.member_emails),
                    created_at=self.clock.instant(
                        rng, not_before=self.ventures[venture_index].created_at
                    ),
                )
            )
        return feedback

    def _introduce(
        self, rng: random.Random, venture: int, investor: int, by: str, at: datetime
    ) -> DemoIntroduction | None:
        if at > self.clock.end:
            return None
        founder = self.ventures[venture].owner_email
        member = rng.choice(self.investors[investor].member_emails)
        asker, other = (founder, member) if by == "founder" else (member, founder)
        responded_at = self.clock.after(rng, at, 0.5, 14)
        outcome = rng.choices(("accepted", "declined", "withdrawn", "requested"), RESPONSES[by])[0]
        if responded_at > self.clock.end:
            outcome = "requested"
        deal = None
        if outcome == "accepted":
            deal = self._deal(rng, venture, investor, at, asker, responded_at, other)
        return DemoIntroduction(
            venture=venture,
            investor=investor,
            requested_by_role=by,
            requested_by_email=asker,
            message=f"Introduction requested through venturematch by the {by}.",
            status=outcome,
            decline_reason=rng.choice(DECLINE_REASONS) if outcome == "declined" else None,
            responded_by_email=other if outcome in {"accepted", "declined"} else None,
            created_at=at,
            responded_at=None if outcome == "requested" else responded_at,
            deal=deal,
        )

    def _deal(
        self,
        rng: random.Random,
        venture: int,
        investor: int,
        asked_at: datetime,
        asker: str,
        accepted_at: datetime,
        responder: str,
    ) -> DemoDeal:
        founder = self.ventures[venture].owner_email
        members = self.investors[investor].member_emails
        events = [
            DemoDealEvent("introduction_requested", asked_at, asker),
            DemoDealEvent("accepted", accepted_at, responder),
        ]
        for stage, chance, low, high in DEAL_STEPS:
            moved = rng.random() < chance
            at = self.clock.after(rng, events[-1].at, low, high)
            if at > self.clock.end:
                break  # still in progress today
            if moved:
                actor = rng.choice(members) if stage != "in_conversation" else founder
                events.append(DemoDealEvent(stage, at, actor))
                continue
            if rng.random() < CLOSE_ON_DROP:
                investor_walks = rng.random() < 0.7
                events.append(
                    DemoDealEvent(
                        "passed" if investor_walks else "withdrawn",
                        at,
                        rng.choice(members) if investor_walks else founder,
                    )
                )
            break  # closed, or stalled where it stands
        stage = events[-1].stage
        amount = None
        if stage in {"term_sheet", "invested"}:
            amount = self._amount(rng, venture, investor)
        return DemoDeal(stage=stage, amount_gbp=amount, events=tuple(events))

    def _amount(self, rng: random.Random, venture: int, investor: int) -> int:
        raise_gbp = self.ventures[venture].raise_amount_gbp
        mandate = self.investors[investor]
        share = raise_gbp * rng.uniform(0.15, 0.6)
        return dist.round_money(min(max(share, mandate.ticket_min_gbp), mandate.ticket_max_gbp))

    def generate(self, rng: random.Random) -> Activity:
        """Feedback per active investor, then introductions from both sides, then deals."""
        published = [i for i, v in enumerate(self.ventures) if v.visibility == "published"]
        active = [i for i, inv in enumerate(self.investors) if inv.active]
        mandates = {i: Mandate.of(self.reference, self.investors[i]) for i in active}
        feedback = [
            item for i in active for item in self._feedback_for(rng, i, mandates[i], published)
        ]
        # A pair the investor has passed on gets no introduction from either side.
        pairs = {(f.venture, f.investor) for f in feedback if f.action == "pass"}
        introductions: list[DemoIntroduction] = []

        def add(venture: int, investor: int, by: str, at: datetime) -> None:
            if (venture, investor) in pairs:
                return
            introduction = self._introduce(rng, venture, investor, by, at)
            if introduction is not None:
                pairs.add((venture, investor))
                introductions.append(introduction)

        for item in feedback:
            if item.action == "shortlist" and rng.random() < INVESTOR_ASKS_AFTER_SHORTLIST:
                at = self.clock.after(rng, item.created_at, 0, 10)
                add(item.venture, item.investor, "investor", at)
        for venture in published:
            forced = venture == 0 and 0 in mandates  # the demo founder has asked the demo fund
            if not (forced or (active and rng.random() < FOUNDER_ASKS)):
                continue
            target = 0 if forced else self._best_investor(rng, venture, active, mandates)
            if target is not None:
                at = self.clock.instant(rng, not_before=self.ventures[venture].created_at)
                add(venture, target, "founder", at)
        introductions.sort(key=lambda intro: (intro.created_at, intro.venture, intro.investor))
        closed = [self._portfolio_entry(intro) for intro in introductions if _invested(intro)]
        return Activity(feedback, introductions, closed)

    def _best_investor(
        self, rng: random.Random, venture: int, active: Sequence[int], mandates: dict[int, Mandate]
    ) -> int | None:
        """A founder approaches the best-fitting of a handful of investors they came across."""
        best: tuple[float, int] | None = None
        for investor in self._funds_met(rng, venture, active):
            verdict = assess(self.reference, self.ventures[venture], mandates[investor])
            fits = verdict.blocker is None and verdict.score > 0.5
            if fits and (best is None or verdict.score > best[0]):
                best = (verdict.score, investor)
        return None if best is None else best[1]

    def _funds_met(self, rng: random.Random, venture: int, active: Sequence[int]) -> list[int]:
        """The handful of active funds a founder comes across (without repeats)."""
        order = self.reference.stage_order
        later = order[self.ventures[venture].stage] >= order[LOOKS_SOUTH_FROM_STAGE]
        weights = [
            SOUTHERN_FUND_VISIBILITY
            if later and not self.reference.is_northern(self.investors[i].hq_region)
            else 1.0
            for i in active
        ]
        # Weighted sampling without replacement (Efraimidis–Spirakis): the largest keys u^(1/w).
        keys = sorted((rng.random() ** (1.0 / w), i) for w, i in zip(weights, active, strict=True))
        return [i for _, i in keys[-FUNDS_A_FOUNDER_MEETS:]]

    def _portfolio_entry(self, intro: DemoIntroduction) -> DemoPortfolioDeal:
        assert intro.deal is not None
        venture = self.ventures[intro.venture]
        return DemoPortfolioDeal(
            investor=intro.investor,
            company_name=venture.name,
            funded_on=intro.deal.updated_at.date(),
            sectors=venture.sectors,
            stage=venture.stage,
            region=venture.region,
            amount_gbp=intro.deal.amount_gbp or venture.raise_amount_gbp,
            venture=intro.venture,
        )


def _invested(intro: DemoIntroduction) -> bool:
    return intro.deal is not None and intro.deal.stage == "invested"


def _verdict_to_feedback(rng: random.Random, verdict: Verdict) -> tuple[str, str | None]:
    """A blocked pair is passed for that reason; a good fit is often shortlisted."""
    if verdict.blocker is not None:
        return "pass", verdict.blocker
    if rng.random() < 0.15 + 0.7 * verdict.score:
        return "shortlist", None
    reasons = tuple(SOFT_PASS_REASONS)
    return "pass", rng.choices(reasons, tuple(SOFT_PASS_REASONS.values()))[0]
