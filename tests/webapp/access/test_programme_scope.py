"""Staff assigned to a programme see only its ventures' details; admins and platform staff, all.

Issue 6, point 5, applied to every venture, introduction, deal and match endpoint; issue 11,
point 2: the ways programme staff used to step outside their programme.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

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
from webapp.models import ProgrammeVenture


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
    assigned = StaffFactory(platform_wide=False)
    ProgrammeMemberFactory(programme_id=programme.id, user_id=assigned.id)
    return {
        "programme": programme,
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


def _send(client, user, method, path, **kwargs):
    return client.open(path, method=method, headers=bearer(api_token(client, user.email)), **kwargs)


def test_programme_staff_cannot_enrol_another_founders_draft_and_then_read_it(
    client, session, world
):
    staff, programme = world["assigned"], world["programme"]
    draft = VentureFactory(name="Secret Draft Ltd", visibility="draft", published_at=None)
    MatchFactory(venture_id=draft.id, investor_id=world["investor"].id)
    enrol = _send(
        client, staff, "POST", f"/api/v1/programmes/{programme.id}/ventures",
        json={"venture_ids": [draft.id]},
    )  # fmt: skip
    assert enrol.status_code == 422
    assert _get(client, staff, f"/api/v1/ventures/{draft.id}").status_code == 404
    assert _get(client, staff, f"/api/v1/ventures/{draft.id}/matches").status_code == 404
    assert not session.exec(
        select(ProgrammeVenture).where(ProgrammeVenture.venture_id == draft.id)
    ).all()


def test_an_id_programme_staff_may_not_see_answers_like_one_that_does_not_exist(client, world):
    staff, programme = world["assigned"], world["programme"]
    draft = VentureFactory(visibility="draft", published_at=None)
    missing = draft.id + 1000
    url = f"/api/v1/programmes/{programme.id}/ventures"

    def answer(venture_id):
        response = _send(client, staff, "POST", url, json={"venture_ids": [venture_id]})
        body = response.get_data(as_text=True).replace(str(venture_id), "N")
        return response.status_code, response.headers["Content-Type"], body

    assert answer(draft.id) == answer(missing)
    assert answer(draft.id)[0] == 422


def test_programme_staff_cannot_unassign_themselves_and_losing_a_programme_never_widens(
    client, session, world
):
    staff, programme = world["assigned"], world["programme"]
    own = f"/api/v1/programmes/{programme.id}/staff/{staff.id}"
    assert _send(client, staff, "DELETE", own).status_code == 403
    assert _get(client, staff, "/api/v1/ventures").get_json()["total"] == 1
    # Even when an admin removes them, having no programme means seeing nothing.
    assert _send(client, AdminFactory(), "DELETE", own).status_code == 204
    assert _get(client, staff, "/api/v1/ventures").get_json()["total"] == 0
    assert _get(client, staff, f"/api/v1/ventures/{world['inside'].id}").status_code == 404
    assert _get(client, staff, "/api/v1/deals").get_json()["total"] == 0


def test_programme_staff_cannot_make_themselves_platform_wide(client, world):
    staff = world["assigned"]
    widen = _send(
        client, staff, "PATCH", f"/api/v1/staff-access/{staff.id}", json={"platform_wide": True}
    )
    assert widen.status_code == 403
    assert _get(client, staff, "/api/v1/ventures").get_json()["total"] == 1


def test_programme_staff_enrol_a_published_venture_and_then_see_it(client, world):
    staff, programme, outside = world["assigned"], world["programme"], world["outside"]
    enrol = _send(
        client, staff, "POST", f"/api/v1/programmes/{programme.id}/ventures",
        json={"venture_ids": [outside.id]},
    )  # fmt: skip
    assert enrol.get_json() == {
        "enrolled": 1,
        "requested": 0,
        "enrolled_ids": [outside.id],
        "requested_ids": [],
    }
    assert _get(client, staff, f"/api/v1/ventures/{outside.id}").status_code == 200
