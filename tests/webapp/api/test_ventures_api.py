"""`/api/v1/ventures`: the contract of API.md, status codes and problem details."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import FounderFactory, InvestorUserFactory, VentureFactory
from tests.webapp.api.helpers import Caller, problem_fields
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from webapp.models import User

AsUser = Callable[[User | None], Caller]

BODY = {
    "name": "Aire Valley Robotics",
    "summary": "Autonomous inspection robots for sewers, spun out of the University of Leeds.",
    "sectors": ["robotics_automation"],
    "stage": "pre_seed",
    "raise_amount_gbp": 400_000,
    "instruments": ["equity", "grant"],
    "region": "west_yorkshire_ca",
    "institution": "leeds",
    "spinout": True,
    "incorporated_on": "2024-05-01",
    "companies_house_number": "12345678",
    "trl": 5,
    "team_size": 4,
    "seis": True,
}


def test_a_founder_creates_a_venture_and_ignores_fields_it_may_not_set(
    session: object, as_user: AsUser
) -> None:
    owner = FounderFactory()
    sneaky = BODY | {"owner_id": 999, "id": 5, "score": 1.0, "role": "admin"}
    response = as_user(owner).post("/api/v1/ventures", sneaky)
    assert response.status_code == 201, response.get_json()
    venture = response.get_json()
    assert venture["owner_id"] == owner.id
    assert venture["visibility"] == "draft"
    assert venture["sectors"] == ["robotics_automation"]
    assert venture["incorporated_on"] == "2024-05-01"
    assert {"created_at", "updated_at"} <= venture.keys()


def test_an_unknown_code_is_a_422_naming_the_field(session: object, as_user: AsUser) -> None:
    response = as_user(FounderFactory()).post(
        "/api/v1/ventures", BODY | {"sectors": ["robotics_automation", "alchemy"]}
    )
    assert response.status_code == 422
    assert problem_fields(response) == {"sectors[1]"}


def test_missing_and_malformed_fields_are_named(session: object, as_user: AsUser) -> None:
    body = {k: v for k, v in BODY.items() if k != "summary"} | {"trl": 12}
    response = as_user(FounderFactory()).post("/api/v1/ventures", body)
    assert response.status_code == 422
    assert problem_fields(response) == {"summary", "trl"}


def test_nul_characters_are_refused_not_stored(session: object, as_user: AsUser) -> None:
    response = as_user(FounderFactory()).post("/api/v1/ventures", BODY | {"name": "Nul\x00Ltd"})
    assert response.status_code == 422
    assert problem_fields(response) == {"name"}


def test_only_founders_create_and_anonymous_callers_get_401(
    session: object, as_user: AsUser
) -> None:
    assert as_user(InvestorUserFactory()).post("/api/v1/ventures", BODY).status_code == 403
    anonymous = as_user(None).post("/api/v1/ventures", BODY)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_lists_use_the_envelope_and_bounded_limits(
    session: object, as_user: AsUser, investor: Investor
) -> None:
    for _ in range(3):
        VentureFactory()
    caller = as_user(investor.user)
    page = caller.get("/api/v1/ventures?limit=2&offset=1").get_json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 1, 2)
    assert caller.get("/api/v1/ventures").get_json()["limit"] == 20
    for bad in ("limit=0", "limit=101", "offset=-1", "limit=ten"):
        response = caller.get(f"/api/v1/ventures?{bad}")
        assert response.status_code == 422, bad
        assert problem_fields(response) == {bad.split("=")[0]}


def test_list_filters_and_unknown_filter_codes(
    session: object, as_user: AsUser, investor: Investor
) -> None:
    fusion = VentureFactory(sectors=["fusion"])
    VentureFactory(sectors=["games"])
    caller = as_user(investor.user)
    found = caller.get("/api/v1/ventures?sector=clean_energy").get_json()
    assert [v["id"] for v in found["items"]] == [fusion.id]
    response = caller.get("/api/v1/ventures?region=mordor")
    assert response.status_code == 422
    assert problem_fields(response) == {"region"}


def test_owner_patches_and_deletes_others_cannot(
    session: object, as_user: AsUser, founder: Founder, investor: Investor
) -> None:
    url = f"/api/v1/ventures/{founder.venture.id}"
    owner = as_user(founder.user)
    changed = owner.patch(url, {"raise_amount_gbp": 650_000, "owner_id": 1})
    assert changed.status_code == 200
    assert changed.get_json()["raise_amount_gbp"] == 650_000
    assert changed.get_json()["owner_id"] == founder.user.id
    assert as_user(investor.user).patch(url, {"name": "Mine now"}).status_code == 403
    assert as_user(FounderFactory()).patch(url, {"name": "Mine now"}).status_code == 404
    assert as_user(investor.user).delete(url).status_code == 403
    assert owner.delete(url).status_code == 204
    assert owner.get(url).status_code == 404


def test_drafts_are_invisible_to_investors(
    session: object, as_user: AsUser, investor: Investor
) -> None:
    draft = VentureFactory(visibility="draft", published_at=None)
    assert as_user(investor.user).get(f"/api/v1/ventures/{draft.id}").status_code == 404
    listed = as_user(investor.user).get("/api/v1/ventures").get_json()
    assert listed["total"] == 0


def test_venture_matches_best_first_for_the_owner(
    session: object, as_user: AsUser, founder: Founder, investor: Investor
) -> None:
    second = make_investor()
    MatchFactory(venture_id=founder.venture.id, investor_id=second.profile.id, venture_rank=2)
    MatchFactory(venture_id=founder.venture.id, investor_id=investor.profile.id, venture_rank=1)
    url = f"/api/v1/ventures/{founder.venture.id}/matches"
    body = as_user(founder.user).get(url).get_json()
    assert [m["investor"]["id"] for m in body["items"]] == [investor.profile.id, second.profile.id]
    first = body["items"][0]
    assert first["investor"] == {
        "id": investor.profile.id,
        "name": investor.profile.name,
        "investor_type": investor.profile.investor_type,
    }
    assert 0 <= first["score"] <= 1
    assert first["reasons"][0] == {  # a row stored before reasons carried facts keeps its text
        "code": "sector_fit",
        "text": "Invests in diagnostics",
        "effect": "+",
        "facts": {},
    }
    assert {"model_version", "computed_at", "rank"} <= first.keys()
    assert as_user(investor.user).get(url).status_code == 403


def test_huge_ids_are_a_422_not_a_server_error(session: object, as_user: AsUser) -> None:
    response = as_user(FounderFactory()).get("/api/v1/ventures/99999999999999999999")
    assert response.status_code == 422
