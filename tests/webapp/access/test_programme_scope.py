"""Staff assigned to a programme see only its ventures' details; admins and platform staff, all.

Issue 6, point 5, applied to every venture, introduction, deal and match endpoint.
"""

from __future__ import annotations

import pytest

from tests.factories import (
    AdminFactory,
    DealFactory,
    InvestorProfileFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.staff.factories import (
    MatchFactory,
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from tests.webapp.web_client import api_token, bearer


@pytest.fixture
def world(session):
    """Two ventures with deals, one enrolled in a programme; one investor matched to both."""
    investor = InvestorProfileFactory()
    inside, outside = VentureFactory(name="Inside Ltd"), VentureFactory(name="Outside Ltd")
    programme = ProgrammeFactory()
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=inside.id)
    deal_in = DealFactory(introduction__venture_id=inside.id, introduction__investor_id=investor.id)
    deal_out = DealFactory(
        introduction__venture_id=outside.id, introduction__investor_id=investor.id
    )
    for rank, venture in enumerate((inside, outside), start=1):
        MatchFactory(venture_id=venture.id, investor_id=investor.id, investor_rank=rank)
    assigned = StaffFactory()
    ProgrammeMemberFactory(programme_id=programme.id, user_id=assigned.id)
    return {
        "investor": investor,
        "inside": inside,
        "outside": outside,
        "deal_in": deal_in,
        "deal_out": deal_out,
        "assigned": assigned,
    }


def _get(client, user, path):
    return client.get(path, headers=bearer(api_token(client, user.email)))


def test_assigned_staff_read_only_their_programmes_ventures_and_deals(client, world):
    staff = world["assigned"]
    assert _get(client, staff, f"/api/v1/ventures/{world['inside'].id}").status_code == 200
    assert _get(client, staff, f"/api/v1/ventures/{world['outside'].id}").status_code == 404
    assert _get(client, staff, f"/api/v1/deals/{world['deal_in'].id}").status_code == 200
    assert _get(client, staff, f"/api/v1/deals/{world['deal_out'].id}").status_code == 404
    outside_intro = world["deal_out"].introduction_id
    assert _get(client, staff, f"/api/v1/introductions/{outside_intro}").status_code == 404
    matches_of_outside = f"/api/v1/ventures/{world['outside'].id}/matches"
    assert _get(client, staff, matches_of_outside).status_code == 404


def test_assigned_staff_lists_hold_only_their_programmes_ventures(client, world):
    staff, inside = world["assigned"], world["inside"].id
    ventures = _get(client, staff, "/api/v1/ventures").get_json()
    assert [v["id"] for v in ventures["items"]] == [inside]
    assert ventures["total"] == 1
    deals = _get(client, staff, "/api/v1/deals").get_json()
    assert [d["venture_id"] for d in deals["items"]] == [inside]
    introductions = _get(client, staff, "/api/v1/introductions").get_json()
    assert [i["venture_id"] for i in introductions["items"]] == [inside]
    matches = _get(client, staff, f"/api/v1/investors/{world['investor'].id}/matches").get_json()
    assert [m["venture"]["id"] for m in matches["items"]] == [inside]


@pytest.mark.parametrize("make_user", [AdminFactory, StaffFactory], ids=["admin", "platform-staff"])
def test_admins_and_unassigned_staff_see_everything(client, world, make_user):
    user = make_user()
    everything = {world["inside"].id, world["outside"].id}
    ventures = _get(client, user, "/api/v1/ventures").get_json()
    assert {v["id"] for v in ventures["items"]} == everything
    deals = _get(client, user, "/api/v1/deals").get_json()
    assert {d["venture_id"] for d in deals["items"]} == everything
    assert _get(client, user, f"/api/v1/ventures/{world['outside'].id}").status_code == 200
