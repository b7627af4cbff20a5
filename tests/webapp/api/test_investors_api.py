"""`/api/v1/investors`: mandates, ranked ventures and feedback through the API."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory, VentureFactory
from tests.webapp.api.helpers import Caller, problem_fields
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Investor, make_investor
from webapp.models import MatchImpression, OutboxEvent, User

AsUser = Callable[[User | None], Caller]

MANDATE = {
    "name": "Mersey Angels",
    "investor_type": "angel_network",
    "sectors": ["life_sciences"],
    "stages": ["pre_seed", "seed"],
    "ticket_min_gbp": 25_000,
    "ticket_max_gbp": 250_000,
    "regions": ["north_west"],
    "instruments": ["equity"],
    "thesis": "Life sciences spinouts from Liverpool and Manchester.",
    "seis": True,
}


def test_an_investor_creates_its_mandate_once(session: Session, as_user: AsUser) -> None:
    caller = as_user(InvestorUserFactory(organisation_id=None))
    created = caller.post("/api/v1/investors", MANDATE | {"id": 77, "organisation_id": 1})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Mersey Angels"
    assert body["id"] != 77
    assert caller.post("/api/v1/investors", MANDATE).status_code == 409
    assert caller.get(f"/api/v1/investors/{body['id']}").get_json()["thesis"] == MANDATE["thesis"]


def test_mandate_validation_names_fields(session: Session, as_user: AsUser) -> None:
    caller = as_user(InvestorUserFactory(organisation_id=None))
    response = caller.post("/api/v1/investors", MANDATE | {"regions": ["north_west", "narnia"]})
    assert response.status_code == 422
    assert problem_fields(response) == {"regions[1]"}
    no_stages = {k: v for k, v in MANDATE.items() if k != "stages"}
    assert problem_fields(caller.post("/api/v1/investors", no_stages)) == {"stages"}


def test_only_members_read_and_change_the_mandate(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    url = f"/api/v1/investors/{investor.profile.id}"
    assert as_user(investor.user).patch(url, {"ticket_max_gbp": 3_000_000}).status_code == 200
    assert as_user(make_investor().user).get(url).status_code == 404
    assert as_user(FounderFactory()).get(url).status_code == 404
    assert as_user(StaffFactory()).get(url).status_code == 200
    assert as_user(StaffFactory()).patch(url, {"name": "Staff edit"}).status_code == 403


def test_matches_are_ranked_published_and_a_pass_removes_one_at_once(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    best, next_best = VentureFactory(), VentureFactory()
    draft = VentureFactory(visibility="draft")
    for rank, venture in enumerate((best, draft, next_best), start=1):
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, investor_rank=rank)
    caller = as_user(investor.user)
    url = f"/api/v1/investors/{investor.profile.id}/matches"
    listed = caller.get(url).get_json()
    assert [m["venture"]["id"] for m in listed["items"]] == [best.id, next_best.id]
    venture = listed["items"][0]["venture"]
    assert {"id", "name", "sectors", "stage", "raise_amount_gbp", "region"} <= venture.keys()
    assert listed["items"][0]["reasons"][0]["effect"] in {"+", "-"}
    assert len(session.exec(select(MatchImpression)).all()) == 2
    passed = caller.post(
        f"/api/v1/investors/{investor.profile.id}/feedback",
        {"venture_id": best.id, "action": "pass", "reason": "too_early"},
    )
    assert passed.status_code == 201
    assert passed.get_json()["reason"] == "too_early"
    after = caller.get(url).get_json()
    assert [m["venture"]["id"] for m in after["items"]] == [next_best.id]
    assert after["total"] == 1
    session.rollback()  # end the test session's read snapshot to see the app's commits
    kinds = {e.kind for e in session.exec(select(OutboxEvent)).all()}
    assert "feedback.given" in kinds


def test_feedback_validation(session: Session, as_user: AsUser, investor: Investor) -> None:
    caller = as_user(investor.user)
    url = f"/api/v1/investors/{investor.profile.id}/feedback"
    venture = VentureFactory()
    bad_reason = caller.post(url, {"venture_id": venture.id, "action": "pass", "reason": "vibes"})
    assert problem_fields(bad_reason) == {"reason"}
    assert problem_fields(caller.post(url, {"venture_id": venture.id, "action": "love"})) == {
        "action"
    }
    shortlisted = caller.post(url, {"venture_id": venture.id, "action": "shortlist"})
    assert shortlisted.status_code == 201
    unknown = caller.post(url, {"venture_id": 987654, "action": "shortlist"})
    assert unknown.status_code == 404


def test_match_filters_and_sort_are_checked(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    caller = as_user(investor.user)
    url = f"/api/v1/investors/{investor.profile.id}/matches"
    assert problem_fields(caller.get(f"{url}?sector=basket_weaving")) == {"sector"}
    assert problem_fields(caller.get(f"{url}?sort=random")) == {"sort"}
    assert caller.get(f"{url}?sort=raise_desc&stage=seed&limit=5").status_code == 200


def test_body_errors_come_after_authentication(session: Session, as_user: AsUser) -> None:
    response = as_user(None).post("/api/v1/investors", {"name": 1})
    assert response.status_code == 401
    malformed = as_user(InvestorUserFactory()).post(
        "/api/v1/investors", data="{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    not_json = as_user(InvestorUserFactory()).post(
        "/api/v1/investors", data="name=x", content_type="text/plain"
    )
    assert not_json.status_code == 415


def test_an_investor_finds_its_own_profile(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    mine = as_user(investor.user).get("/api/v1/investors/mine")
    assert mine.status_code == 200
    assert mine.get_json()["id"] == investor.profile.id
    assert (
        as_user(InvestorUserFactory(organisation_id=None)).get("/api/v1/investors/mine").status_code
        == 404
    )
    assert as_user(FounderFactory()).get("/api/v1/investors/mine").status_code == 404


def test_a_founder_reads_the_public_profile_of_an_investor_in_its_list(
    session: Session, as_user: AsUser
) -> None:
    investor = make_investor(name="Tyne Seed Fund", sectors=["ai"], seis=True)
    owner = FounderFactory()
    venture = VentureFactory(owner_id=owner.id)
    url = f"/api/v1/investors/{investor.profile.id}/profile"
    assert as_user(owner).get(url).status_code == 404  # not in any of its lists yet
    MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, venture_rank=2)
    answer = as_user(owner).get(url)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["name"] == "Tyne Seed Fund"
    assert body["sectors"] == ["ai"]
    assert body["seis"] is True
    assert body["past_deals"] == 0
    assert body["past_deals_by_sector"] == []
    assert body["members"] is None
    assert "organisation_id" not in body
    assert "excluded_sectors" not in body
    staff_view = as_user(StaffFactory()).get(url).get_json()
    assert staff_view["members"] == [investor.user.name]
