"""An investor's public profile: what a founder may know about a fund before and after meeting it.

A founder sees the mandate (type, thesis, sectors, stages, ticket range, regions, instruments,
SEIS/EIS) and the fund's track record by sector once the investor is in one of their ranked
lists or the two have an introduction; the names of the people behind it only once an
introduction has been accepted. Contact details stay with introductions (`introductions.py`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

from webapp.models import Introduction, InvestorProfile, PortfolioDeal, User, Venture
from webapp.models.enums import IntroductionStatus, Role
from webapp.services.access.object_access import is_member, is_staff, readable_investor_profile


@dataclass(frozen=True)
class SectorDeals:
    """How many of the investor's past deals were in one sector."""

    sector: str
    deals: int


@dataclass(frozen=True)
class PublicInvestorProfile:
    """The mandate as founders see it, with the track record and (when shared) the team."""

    id: int
    name: str
    investor_type: str
    thesis: str
    sectors: list[str]
    stages: list[str]
    ticket_min_gbp: int
    ticket_max_gbp: int
    regions: list[str]
    instruments: list[str]
    eis: bool
    seis: bool
    active: bool
    past_deals: int
    past_deals_by_sector: list[SectorDeals]
    # None until the viewer may know who works there (an accepted introduction, or staff).
    members: list[str] | None


def _track_record(session: Session, investor_id: int) -> tuple[int, list[SectorDeals]]:
    """Past deals (imported history and deals closed here); a deal counts once per sector."""
    sector_lists = session.exec(
        select(PortfolioDeal.sectors).where(col(PortfolioDeal.investor_id) == investor_id)
    ).all()
    counts: Counter[str] = Counter()
    for sectors in sector_lists:
        counts.update(set(sectors or []))
    by_sector = [
        SectorDeals(sector=s, deals=n)
        for s, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return len(sector_lists), by_sector


def _introduced(session: Session, founder: User, investor_id: int) -> bool:
    """Whether one of the founder's ventures has an accepted introduction with the investor."""
    owned = select(col(Venture.id)).where(col(Venture.owner_id) == founder.id)
    return (
        session.exec(
            select(Introduction.id)
            .where(col(Introduction.investor_id) == investor_id)
            .where(col(Introduction.venture_id).in_(owned))
            .where(col(Introduction.status) == IntroductionStatus.ACCEPTED.value)
            .limit(1)
        ).first()
        is not None
    )


def _member_names(session: Session, profile: InvestorProfile) -> list[str]:
    return list(
        session.exec(
            select(User.name)
            .where(col(User.organisation_id) == profile.organisation_id)
            .where(col(User.role) == Role.INVESTOR.value)
            .where(col(User.active).is_(True))
            .order_by(col(User.name))
        ).all()
    )


def public_profile(*, session: Session, viewer: User, investor_id: int) -> PublicInvestorProfile:
    """The investor as the viewer may see it (404 for those who may not know it exists)."""
    profile = readable_investor_profile(session, viewer, investor_id)
    assert profile.id is not None
    past_deals, by_sector = _track_record(session, profile.id)
    team_shared = (
        is_staff(viewer) or is_member(viewer, profile) or _introduced(session, viewer, profile.id)
    )
    return PublicInvestorProfile(
        id=profile.id,
        name=profile.name,
        investor_type=profile.investor_type,
        thesis=profile.thesis,
        sectors=list(profile.sectors),
        stages=list(profile.stages),
        ticket_min_gbp=profile.ticket_min_gbp,
        ticket_max_gbp=profile.ticket_max_gbp,
        regions=list(profile.regions),
        instruments=list(profile.instruments),
        eis=profile.eis,
        seis=profile.seis,
        active=profile.active,
        past_deals=past_deals,
        past_deals_by_sector=by_sector,
        members=_member_names(session, profile) if team_shared else None,
    )
