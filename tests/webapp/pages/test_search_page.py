"""The search page: a form, a page of names that link where the caller may go, plain errors."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.factories import StaffFactory, VentureFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, Investor, make_investor
from tests.webapp.web_client import sign_in


def test_an_investor_finds_a_venture_and_follows_the_link(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    venture = VentureFactory(name="Tynewind Blade Sensing")
    sign_in(client, investor.user.email)
    empty = client.get("/search")
    assert empty.status_code == 200
    assert "Find published ventures by name." in empty.get_data(as_text=True)
    text = client.get("/search?q=tynewind").get_data(as_text=True)
    assert "1 name contains “tynewind”." in text
    assert f'href="/investor/ventures/{venture.id}"><strong>Tynewind Blade Sensing' in text
    assert 'name="kind"' not in text  # one kind only: no choice to make


def test_a_founder_finds_an_investor_it_may_open(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    known = make_investor(name="Wharfe Angels")
    make_investor(name="Wharfe Capital")
    MatchFactory(venture_id=founder.venture.id, investor_id=known.profile.id, venture_rank=1)
    sign_in(client, founder.user.email)
    text = client.get("/search?q=wharfe").get_data(as_text=True)
    assert f'href="/investors/{known.profile.id}"><strong>Wharfe Angels' in text
    assert "Wharfe Capital" not in text


def test_staff_choose_what_to_look_in(client: FlaskClient, session: Session) -> None:
    venture = VentureFactory(name="Ouse Robotics")
    investor = make_investor(name="Ouse Fund")
    sign_in(client, StaffFactory().email)
    both = client.get("/search?q=ouse").get_data(as_text=True)
    assert f'href="/staff/ventures/{venture.id}"' in both
    assert f'href="/investors/{investor.profile.id}"' in both
    ventures_only = client.get("/search?q=ouse&kind=venture").get_data(as_text=True)
    assert "Ouse Fund" not in ventures_only
    assert 'id="kind-venture" name="kind" value="venture" checked' in ventures_only


def test_a_one_letter_query_is_explained_beside_the_field(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    sign_in(client, investor.user.email)
    response = client.get("/search?q=a")
    assert response.status_code == 422
    assert "Type at least 2 characters of a name" in response.get_data(as_text=True)
