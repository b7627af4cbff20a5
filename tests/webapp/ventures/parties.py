"""Fixtures for the two sides of a match: a founder with a venture, an investor with members.

Import them into a conftest.py (`from tests.webapp.ventures.parties import *`-style, by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session

from tests.factories import (
    DealFactory,
    FounderFactory,
    InvestorProfileFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from webapp.models import Deal, InvestorProfile, PortfolioDeal, User, Venture


@dataclass
class Founder:
    """A founder and their published venture."""

    user: User
    venture: Venture


@dataclass
class Investor:
    """An investor organisation's mandate and one member."""

    user: User
    profile: InvestorProfile


def past_deals(session: Session, investor_id: int, sectors: list[str], n: int, start: int) -> None:
    """`n` seed rounds in `sectors` on the investor's track record (companies `start`, …)."""
    for k in range(n):
        session.add(
            PortfolioDeal(
                investor_id=investor_id,
                company_name=f"Company {start + k}",
                funded_at=date(2024, 1 + k % 12, 1),
                amount_gbp=500_000,
                stage="seed",
                sectors=sectors,
                region="north_east_ca",
                dedupe_key=f"company-{start + k}",
            )
        )
    session.commit()


def make_founder(**venture: object) -> Founder:
    """A founder owning one venture (published unless told otherwise)."""
    user = FounderFactory(phone="+44 191 000 0001")
    return Founder(user=user, venture=VentureFactory(owner_id=user.id, **venture))


def make_investor(**profile: object) -> Investor:
    """An investor member of an organisation with a mandate."""
    mandate = InvestorProfileFactory(**profile)
    user = InvestorUserFactory(organisation_id=mandate.organisation_id, phone="+44 161 000 0002")
    return Investor(user=user, profile=mandate)


@pytest.fixture
def founder(session: Session) -> Founder:
    return make_founder()


@pytest.fixture
def investor(session: Session) -> Investor:
    return make_investor()


@pytest.fixture
def staff(session: Session) -> User:
    return StaffFactory()


@pytest.fixture
def deal(session: Session, investor: Investor, founder: Founder) -> Deal:
    """An accepted deal between the `founder`'s venture and the `investor`."""
    made: Deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
    )
    return made
