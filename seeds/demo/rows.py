"""Demo records as insert-ready column dicts, one function per table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seeds.demo.records import (
    DemoDealEvent,
    DemoFeedback,
    DemoIntroduction,
    DemoInvestor,
    DemoOrganisation,
    DemoPortfolioDeal,
    DemoUser,
    DemoVenture,
)

Row = dict[str, Any]


def organisation_row(organisation: DemoOrganisation, at: datetime) -> Row:
    """An `organisation` row."""
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "website": organisation.website,
        "created_at": at,
    }


def user_row(user: DemoUser, organisation_id: int | None, password_hash: str) -> Row:
    """A `user` row; demo people are verified and take the weekly digest; the demo logins
    get every e-mail at once, so a walk through the demo shows them."""
    return {
        "email": user.email,
        "name": user.name,
        "password_hash": password_hash,
        "role": user.role,
        "active": True,
        "organisation_id": organisation_id,
        "email_verified_at": user.created_at,
        "email_frequency": "instant" if user.password else "digest",
        "created_at": user.created_at,
        "updated_at": user.created_at,
    }


def investor_row(investor: DemoInvestor, organisation_id: int, at: datetime) -> Row:
    """An `investor_profile` row (code lists become JSON arrays)."""
    return {
        "organisation_id": organisation_id,
        "name": investor.name,
        "investor_type": investor.investor_type,
        "sectors": list(investor.sectors),
        "excluded_sectors": list(investor.excluded_sectors),
        "stages": list(investor.stages),
        "ticket_min_gbp": investor.ticket_min_gbp,
        "ticket_max_gbp": investor.ticket_max_gbp,
        "regions": list(investor.regions),
        "regions_strict": investor.regions_strict,
        "instruments": list(investor.instruments),
        "thesis": investor.thesis,
        "eis": investor.eis,
        "seis": investor.seis,
        "institutions": list(investor.institutions),
        "hq_region": investor.hq_region,
        "active": investor.active,
        "created_at": at,
        "updated_at": at,
    }


def venture_row(venture: DemoVenture, owner_id: int) -> Row:
    """A `venture` row; anything not a draft was published when it was listed."""
    return {
        "owner_id": owner_id,
        "name": venture.name,
        "summary": venture.summary,
        "sectors": list(venture.sectors),
        "stage": venture.stage,
        "raise_amount_gbp": venture.raise_amount_gbp,
        "instruments": list(venture.instruments),
        "region": venture.region,
        "institution": venture.institution,
        "spinout": venture.spinout,
        "incorporated_on": venture.incorporated_on,
        "companies_house_number": venture.companies_house_number,
        "trl": venture.trl,
        "team_size": venture.team_size,
        "eis": venture.eis,
        "seis": venture.seis,
        "visibility": venture.visibility,
        "created_at": venture.created_at,
        "updated_at": venture.created_at,
        "published_at": None if venture.visibility == "draft" else venture.created_at,
    }


def portfolio_row(
    deal: DemoPortfolioDeal, investor_id: int, venture_id: int | None, at: datetime
) -> Row:
    """A `portfolio_deal` row: imported history, or a deal closed on the platform."""
    return {
        "investor_id": investor_id,
        "venture_id": venture_id,
        "company_name": deal.company_name,
        "funded_at": deal.funded_on,
        "amount_gbp": deal.amount_gbp,
        "stage": deal.stage,
        "sectors": list(deal.sectors),
        "region": deal.region,
        "source": "import" if deal.venture is None else "platform",
        "dedupe_key": deal.dedupe_key,
        "created_at": at,
    }


def feedback_row(feedback: DemoFeedback, investor_id: int, venture_id: int, actor: int) -> Row:
    """A `feedback` row."""
    return {
        "investor_id": investor_id,
        "venture_id": venture_id,
        "action": feedback.action,
        "reason": feedback.reason,
        "note": feedback.note,
        "actor_id": actor,
        "created_at": feedback.created_at,
        "updated_at": feedback.created_at,
    }


def introduction_row(
    intro: DemoIntroduction,
    venture_id: int,
    investor_id: int,
    requested_by: int,
    responded_by: int | None,
) -> Row:
    """An `introduction` row."""
    return {
        "venture_id": venture_id,
        "investor_id": investor_id,
        "requested_by": requested_by,
        "requested_by_role": intro.requested_by_role,
        "message": intro.message,
        "status": intro.status,
        "decline_reason": intro.decline_reason,
        "responded_by": responded_by,
        "created_at": intro.created_at,
        "responded_at": intro.responded_at,
    }


def deal_row(
    intro: DemoIntroduction, introduction_id: int, venture_id: int, investor_id: int
) -> Row:
    """A `deal` row, opened when the introduction was accepted."""
    assert intro.deal is not None
    return {
        "introduction_id": introduction_id,
        "venture_id": venture_id,
        "investor_id": investor_id,
        "stage": intro.deal.stage,
        "amount_gbp": intro.deal.amount_gbp,
        "created_at": intro.deal.events[1].at,
        "updated_at": intro.deal.updated_at,
    }


def event_row(event: DemoDealEvent, deal_id: int, actor: int) -> Row:
    """A `deal_event` row."""
    return {
        "deal_id": deal_id,
        "stage": event.stage,
        "actor_id": actor,
        "at": event.at,
        "note": event.note,
    }
