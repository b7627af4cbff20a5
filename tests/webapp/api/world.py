"""A small, complete world for whole-API tests: every role, and one of each object.

Objects are created first in an emptied database, so their ids are small (1, 2, …) and
generated requests often name real objects, not just missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tests.factories import AdminFactory, DealFactory, IntroductionFactory, StaffFactory
from tests.webapp.ventures.factories import FeedbackFactory, MatchFactory, NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor, make_founder, make_investor
from webapp.models import Deal, Introduction, User
from webapp.services.accounts.api_tokens import issue_token


@dataclass
class World:
    """Two founders, two investor organisations, staff, an admin and what links them."""

    founder: Founder
    other_founder: Founder
    investor: Investor
    other_investor: Investor
    staff: User
    admin: User
    introduction: Introduction
    deal: Deal

    def users(self) -> dict[str, User]:
        """Every account, by the part it plays."""
        return {
            "founder": self.founder.user,
            "other_founder": self.other_founder.user,
            "investor": self.investor.user,
            "other_investor": self.other_investor.user,
            "staff": self.staff,
            "admin": self.admin,
        }


def build_world(session: Session) -> World:
    """Create the world; the open introduction and the deal join founder and investor."""
    founder, other_founder = make_founder(), make_founder(visibility="draft", published_at=None)
    investor, other_investor = make_investor(), make_investor()
    for rank, (venture, profile) in enumerate(
        [
            (founder.venture, investor.profile),
            (founder.venture, other_investor.profile),
            (other_founder.venture, investor.profile),
        ],
        start=1,
    ):
        MatchFactory(
            venture_id=venture.id, investor_id=profile.id, investor_rank=rank, venture_rank=rank
        )
    FeedbackFactory(investor_id=other_investor.profile.id, venture_id=founder.venture.id)
    second = make_founder()
    intro = IntroductionFactory(
        venture_id=second.venture.id,
        investor_id=investor.profile.id,
        requested_by=investor.user.id,
    )
    deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
        introduction__requested_by=investor.user.id,
    )
    for user in (founder.user, investor.user):
        NotificationFactory(user_id=user.id)
    return World(
        founder=founder,
        other_founder=other_founder,
        investor=investor,
        other_investor=other_investor,
        staff=StaffFactory(),
        admin=AdminFactory(),
        introduction=intro,
        deal=deal,
    )


def bearer(session: Session, user: User) -> dict[str, str]:
    """Headers with a fresh token for the user (a test may revoke the token it was given)."""
    return {"Authorization": f"Bearer {issue_token(session=session, user=user).token}"}
