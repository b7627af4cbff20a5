"""The world the access-control matrix runs in: every role, owners and outsiders.

- `founder` owns V (published, matched with P, in deal D), V2 (published; the investor asked
  for introduction X about it) and V3 (published, untouched); `other_founder` owns W (a draft).
- `investor` is a member of P; `other_investor` of Q; `loner` is an investor with no organisation.
- N is the founder's notification, N2 the investor's; the investor shortlisted V.
- `staff` is platform-wide; `programme_staff` is assigned to programme R only, which holds V3;
  programme R2 holds nothing. E is a pending request (by `staff`) to enrol the draft W in R2.
- I is an invitation from the investor (for P) to the other investor's email.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tests.factories import (
    AdminFactory,
    DealFactory,
    IntroductionFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.staff.factories import (
    EnrolmentRequestFactory,
    MemberInvitationFactory,
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from tests.webapp.ventures.factories import FeedbackFactory, MatchFactory, NotificationFactory
from tests.webapp.ventures.parties import make_founder, make_investor
from webapp.models import User
from webapp.services.accounts.api_tokens import issue_token
from webapp.services.accounts.sessions import start_session

ACTORS = (
    "anonymous",
    "founder",
    "other_founder",
    "investor",
    "other_investor",
    "staff",
    "admin",
    "programme_staff",
)


@dataclass
class World:
    """Ids of the objects the matrix's requests name, and the people who send them."""

    users: dict[str, User]
    ids: dict[str, int]
    loner_email: str


def build_world(session: Session) -> World:
    """Create the world (objects first, so a rebuild gives the same ids)."""
    founder = make_founder()
    other_founder = make_founder(visibility="draft", published_at=None)
    investor, other_investor = make_investor(), make_investor()
    v2 = VentureFactory(owner_id=founder.user.id)
    v3 = VentureFactory(owner_id=founder.user.id)
    MatchFactory(
        venture_id=founder.venture.id, investor_id=investor.profile.id, venture_rank=1,
        investor_rank=1,
    )  # fmt: skip
    MatchFactory(
        venture_id=other_founder.venture.id, investor_id=investor.profile.id, venture_rank=1,
        investor_rank=2,
    )  # fmt: skip
    FeedbackFactory(investor_id=investor.profile.id, venture_id=founder.venture.id)
    intro = IntroductionFactory(
        venture_id=v2.id, investor_id=investor.profile.id, requested_by=investor.user.id
    )
    deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
        introduction__requested_by=investor.user.id,
    )
    note = NotificationFactory(user_id=founder.user.id)
    note2 = NotificationFactory(user_id=investor.user.id)
    loner = InvestorUserFactory(organisation_id=None)
    staff = StaffFactory()
    programme, other_programme = ProgrammeFactory(), ProgrammeFactory()
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=v3.id)
    programme_staff = ProgrammeMemberFactory(programme_id=programme.id).user_id
    request = EnrolmentRequestFactory(
        programme_id=other_programme.id, venture_id=other_founder.venture.id, requested_by=staff.id
    )
    invitation = MemberInvitationFactory(
        organisation_id=investor.user.organisation_id,
        email=other_investor.user.email,
        invited_by=investor.user.id,
    )
    return World(
        users={
            "founder": founder.user,
            "other_founder": other_founder.user,
            "investor": investor.user,
            "other_investor": other_investor.user,
            "staff": staff,
            "admin": AdminFactory(),
            "programme_staff": session.get(User, programme_staff),
        },
        ids={
            "V": founder.venture.id,
            "V2": v2.id,
            "V3": v3.id,
            "W": other_founder.venture.id,
            "P": investor.profile.id,
            "Q": other_investor.profile.id,
            "X": intro.id,
            "D": deal.id,
            "N": note.id,
            "N2": note2.id,
            "R": programme.id,
            "R2": other_programme.id,
            "PS": programme_staff,
            "E": request.id,
            "I": invitation.id,
        },
        loner_email=loner.email,
    )


def bearer(session: Session, user: User) -> dict[str, str]:
    """A fresh API token for the user."""
    return {"Authorization": f"Bearer {issue_token(session=session, user=user).token}"}


def browser_session(session: Session, user: User) -> str:
    """A fresh server-side sign-in for the user (the raw token the cookie holds)."""
    return start_session(session=session, user=user)
