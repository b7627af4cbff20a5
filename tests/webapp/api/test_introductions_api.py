"""`/api/v1/introductions` and `/api/v1/deals`: double opt-in to invested, through the API."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from tests.factories import FounderFactory, StaffFactory
from tests.webapp.api.helpers import Caller, problem_fields
from tests.webapp.ventures.factories import NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.models import User

AsUser = Callable[[User | None], Caller]


def test_double_opt_in_to_an_invested_deal(
    session: Session, as_user: AsUser, investor: Investor, founder: Founder
) -> None:
    asker, answerer = as_user(investor.user), as_user(founder.user)
    pair = {"venture_id": founder.venture.id, "investor_id": investor.profile.id}
    requested = asker.post("/api/v1/introductions", pair | {"message": "Coffee in Newcastle?"})
    assert requested.status_code == 201
    intro = requested.get_json()
    assert (intro["status"], intro["requested_by"]) == ("requested", investor.user.id)
    assert intro["contact"] is None
    assert asker.post("/api/v1/introductions", pair).status_code == 409
    assert answerer.get(f"/api/v1/introductions/{intro['id']}").get_json()["contact"] is None
    assert asker.post(f"/api/v1/introductions/{intro['id']}/accept").status_code == 403

    accepted = answerer.post(f"/api/v1/introductions/{intro['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["contact"]["email"] == investor.user.email
    seen = asker.get(f"/api/v1/introductions/{intro['id']}").get_json()
    assert seen["contact"]["email"] == founder.user.email
    deal_id = seen["deal_id"]

    deal_url = f"/api/v1/deals/{deal_id}"
    for who, stage in (
        (answerer, "in_conversation"),
        (asker, "due_diligence"),
        (asker, "term_sheet"),
    ):
        assert who.patch(deal_url, {"stage": stage}).status_code == 200
    backwards = asker.patch(deal_url, {"stage": "in_conversation"})
    assert backwards.status_code == 409
    assert backwards.mimetype == "application/problem+json"
    invested = asker.patch(deal_url, {"stage": "invested", "amount_gbp": 500_000, "note": "Done"})
    assert invested.status_code == 200
    deal = invested.get_json()
    assert (deal["stage"], deal["amount_gbp"]) == ("invested", 500_000)
    assert [e["stage"] for e in deal["events"]] == [
        "introduction_requested",
        "accepted",
        "in_conversation",
        "due_diligence",
        "term_sheet",
        "invested",
    ]
    assert deal["events"][-1]["actor_id"] == investor.user.id
    assert deal["events"][-1]["note"] == "Done"
    assert deal["next_stages"] == []
    assert as_user(founder.user).get("/api/v1/deals").get_json()["total"] == 1
    assert as_user(StaffFactory()).get(deal_url).status_code == 200
    assert as_user(FounderFactory()).get(deal_url).status_code == 404


def test_decline_takes_an_optional_reason_and_bad_stages_are_422(
    session: Session, as_user: AsUser, investor: Investor, founder: Founder
) -> None:
    pair = {"venture_id": founder.venture.id, "investor_id": investor.profile.id}
    first = as_user(founder.user).post("/api/v1/introductions", pair).get_json()
    no_body = as_user(investor.user).post(f"/api/v1/introductions/{first['id']}/decline")
    assert no_body.status_code == 200
    assert no_body.get_json()["status"] == "declined"
    second = as_user(founder.user).post("/api/v1/introductions", pair).get_json()
    with_reason = as_user(investor.user).post(
        f"/api/v1/introductions/{second['id']}/decline", {"reason": "Outside our fund's life"}
    )
    assert with_reason.get_json()["decline_reason"] == "Outside our fund's life"
    listed = as_user(founder.user).get("/api/v1/introductions?status=declined").get_json()
    assert listed["total"] == 2
    assert problem_fields(as_user(investor.user).patch("/api/v1/deals/1", {"stage": "won"})) == {
        "stage"
    }


def test_outsiders_cannot_request_for_others(
    session: Session, as_user: AsUser, investor: Investor, founder: Founder
) -> None:
    pair = {"venture_id": founder.venture.id, "investor_id": investor.profile.id}
    assert as_user(make_investor().user).post("/api/v1/introductions", pair).status_code == 404
    assert as_user(FounderFactory()).post("/api/v1/introductions", pair).status_code == 404
    assert as_user(StaffFactory()).post("/api/v1/introductions", pair).status_code == 403


def test_notifications_list_and_read(session: Session, as_user: AsUser, founder: Founder) -> None:
    mine = NotificationFactory(user_id=founder.user.id)
    theirs = NotificationFactory()
    caller = as_user(founder.user)
    listed = caller.get("/api/v1/notifications?unread=true").get_json()
    assert [n["id"] for n in listed["items"]] == [mine.id]
    assert listed["unread"] == 1
    assert caller.post(f"/api/v1/notifications/{mine.id}/read").status_code == 204
    assert caller.get("/api/v1/notifications?unread=true").get_json()["total"] == 0
    assert caller.get("/api/v1/notifications?unread=false").get_json()["total"] == 1
    assert caller.post(f"/api/v1/notifications/{theirs.id}/read").status_code == 404
    assert caller.post("/api/v1/notifications/read").status_code == 204
