"""A venture's timeline, oldest first, inside the viewer's programme scope."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory, StaffFactory
from tests.webapp.staff.factories import ProgrammeMemberFactory, ProgrammeVentureFactory
from tests.webapp.staff.known_pipeline import at, seed_known_pipeline
from webapp.models import User
from webapp.services.common.errors import NotFound
from webapp.services.reports.timeline import venture_timeline


def test_timeline_tells_the_story_in_order(session):
    known = seed_known_pipeline()
    v1 = known.ventures["V1"]
    timeline = venture_timeline(session=session, viewer=AdminFactory(), venture_id=v1.id)
    story = [(e.at, e.title, e.investor_name) for e in timeline.entries[1:]]
    assert story == [
        (at(1, 10), "Published", None),
        (at(1, 20), "Introduction requested by the investor", "Northern Health Fund"),
        (at(1, 25), "Introduction accepted; deal opened", "Northern Health Fund"),
        (at(2, 1), "Introduction requested by the investor", "London Deep Tech"),
        (at(2, 4), "In conversation", "Northern Health Fund"),
        (at(2, 11), "Introduction declined", "London Deep Tech"),
        (at(3, 6), "Due diligence", "Northern Health Fund"),
        (at(4, 5), "Term sheet", "Northern Health Fund"),
        (at(5, 5), "Invested", "Northern Health Fund"),
    ]
    assert timeline.entries[0].kind == "created"
    assert (timeline.matches, timeline.open_deals) == (2, 0)


def test_assigned_staff_see_only_their_programmes_ventures(session):
    known = seed_known_pipeline()
    member = ProgrammeMemberFactory()
    ProgrammeVentureFactory(programme_id=member.programme_id, venture_id=known.ventures["V2"].id)
    staff = session.get(User, member.user_id)

    seen = venture_timeline(session=session, viewer=staff, venture_id=known.ventures["V2"].id)
    assert seen.venture.name == "Leeds Vision"
    with pytest.raises(NotFound):
        venture_timeline(session=session, viewer=staff, venture_id=known.ventures["V1"].id)
    # Unassigned staff are the platform team and see every venture.
    platform = StaffFactory()
    assert venture_timeline(session=session, viewer=platform, venture_id=known.ventures["V1"].id)
