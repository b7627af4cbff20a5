"""`GET /api/v1/search`: names, by role, paginated like every list."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from tests.factories import FounderFactory, StaffFactory, VentureFactory
from tests.webapp.api.helpers import Caller, problem_fields
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Investor, make_founder, make_investor
from webapp.models import User

AsUser = Callable[[User | None], Caller]


def test_an_investor_searches_published_ventures(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    venture = VentureFactory(name="Tynewind Blade Sensing", seis=True)
    VentureFactory(name="Tynewind Draft", visibility="draft", published_at=None)
    answer = as_user(investor.user).get("/api/v1/search?q=tynewind")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "items": [
            {
                "kind": "venture", "id": venture.id, "name": "Tynewind Blade Sensing",
                "sectors": venture.sectors, "stage": venture.stage,
                "raise_amount_gbp": venture.raise_amount_gbp, "region": venture.region,
            }
        ],
        "total": 1, "limit": 20, "offset": 0,
    }  # fmt: skip


def test_a_founder_searches_the_investors_it_may_open(session: Session, as_user: AsUser) -> None:
    founder = make_founder()
    known, stranger = make_investor(name="Aire Angels"), make_investor(name="Aire Capital")
    MatchFactory(venture_id=founder.venture.id, investor_id=known.profile.id, venture_rank=1)
    body = as_user(founder.user).get("/api/v1/search?q=AIRE").get_json()
    assert [(i["kind"], i["name"]) for i in body["items"]] == [("investor", "Aire Angels")]
    assert stranger.profile.name not in str(body)
    forbidden = as_user(founder.user).get("/api/v1/search?q=aire&kind=venture")
    assert forbidden.status_code == 403


def test_staff_page_through_both_kinds(session: Session, as_user: AsUser) -> None:
    for n in range(3):
        VentureFactory(name=f"Leeds Lab {n}")
        make_investor(name=f"Leeds Fund {n}")
    caller = as_user(StaffFactory())
    first = caller.get("/api/v1/search?q=leeds&limit=4").get_json()
    rest = caller.get("/api/v1/search?q=leeds&limit=4&offset=4").get_json()
    assert (first["total"], len(first["items"]), len(rest["items"])) == (6, 4, 2)
    kinds = {i["kind"] for i in first["items"] + rest["items"]}
    assert kinds == {"venture", "investor"}
    only = caller.get("/api/v1/search?q=leeds&kind=investor").get_json()
    assert only["total"] == 3


def test_bad_queries_are_422_naming_the_field(session: Session, as_user: AsUser) -> None:
    caller = as_user(FounderFactory())
    for url, field in (
        ("/api/v1/search?q=a", "q"),
        ("/api/v1/search?q=0%00", "q"),  # NUL: PostgreSQL answered 500 (make fuzz found it)
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=abc&kind=people", "kind"),
        ("/api/v1/search?q=abc&limit=500", "limit"),
    ):
        answer = caller.get(url)
        assert answer.status_code == 422, url
        assert field in problem_fields(answer), url


def test_signing_in_comes_first(session: Session, as_user: AsUser) -> None:
    assert as_user(None).get("/api/v1/search?q=a").status_code == 401
