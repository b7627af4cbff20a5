"""Staff hear about stalled deals, each within what they may see: programme staff only about
their programmes' deals (the summary names ventures and investors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from tests.factories import AdminFactory, DealFactory, StaffFactory, VentureFactory
from tests.webapp.staff.factories import (
    DealEventFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from webapp.models import Notification, User
from webapp.services.notices.match_news import announce_stalled_deals

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def _stalled(name: str) -> int:
    deal = DealFactory(introduction__venture_id=VentureFactory(name=name).id, stage="accepted")
    DealEventFactory(deal_id=deal.id, stage="accepted", at=NOW - timedelta(days=30, hours=2))
    return int(deal.venture_id)


def _told(session: Session, user: User) -> list[str]:
    return list(
        session.exec(select(Notification.body).where(col(Notification.user_id) == user.id)).all()
    )


def test_programme_staff_hear_only_about_their_programmes_stalled_deals(session: Session) -> None:
    inside = _stalled("Inside Robotics")
    _stalled("Outside Secret Ltd")
    member = ProgrammeMemberFactory()
    ProgrammeVentureFactory(programme_id=member.programme_id, venture_id=inside)
    programme_staff = session.get(User, member.user_id)
    idle_staff = StaffFactory(platform_wide=False)  # no programme: sees nothing, hears nothing
    platform, admin = StaffFactory(), AdminFactory()
    assert programme_staff is not None

    assert announce_stalled_deals(session=session, now=NOW) == 3

    [scoped] = _told(session, programme_staff)
    assert "Inside Robotics" in scoped
    assert "Outside Secret Ltd" not in scoped
    assert _told(session, idle_staff) == []
    for user in (platform, admin):
        [everything] = _told(session, user)
        assert "Inside Robotics" in everything
        assert "Outside Secret Ltd" in everything
