"""Introductions, deals and notifications pages for both sides."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import DealFactory, FounderFactory, IntroductionFactory, VentureFactory
from tests.webapp.pages.test_founder_pages import fresh
from tests.webapp.ventures.factories import NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import post_form, sign_in
from webapp.models import Deal, Notification


def test_the_founder_accepts_and_both_see_contacts(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    intro = IntroductionFactory(
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        requested_by=investor.user.id,
        message="Keen to meet",
    )
    sign_in(client, founder.user.email)
    page = client.get("/introductions").get_data(as_text=True)
    assert "Keen to meet" in page
    assert investor.user.email not in page
    accepted = post_form(
        client, f"/introductions/{intro.id}/accept", {}, form_page="/introductions"
    )
    assert accepted.status_code == 302
    page = client.get("/introductions").get_data(as_text=True)
    assert investor.user.email in page
    fresh(session)
    deal = session.exec(select(Deal)).one()
    deal_page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert investor.user.email in deal_page
    assert "Move the deal on" in deal_page


def test_moving_a_deal_through_the_form_and_the_board(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
    )
    sign_in(client, investor.user.email)
    url = f"/deals/{deal.id}"
    moved = post_form(
        client, f"{url}/move", {"stage": "term_sheet", "amount_gbp": "400k"}, form_page=url
    )
    assert moved.status_code == 302
    backwards = post_form(client, f"{url}/move", {"stage": "in_conversation"}, form_page=url)
    assert backwards.status_code == 422  # not among the moves now open
    invested = post_form(client, f"{url}/move", {"stage": "invested"}, form_page=url)
    assert invested.status_code == 302
    fresh(session)
    stored = session.get(Deal, deal.id)
    assert stored is not None
    assert (stored.stage, stored.amount_gbp) == ("invested", 400_000)
    board = client.get("/deals").get_data(as_text=True)
    assert founder.venture.name in board
    assert "Invested" in board


def test_outsiders_cannot_see_a_deal(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
    )
    sign_in(client, FounderFactory().email)
    assert client.get(f"/deals/{deal.id}").status_code == 404


def test_notification_centre(client: FlaskClient, session: Session, founder: Founder) -> None:
    first = NotificationFactory(user_id=founder.user.id, title="An investor is interested")
    NotificationFactory(user_id=founder.user.id, title="Your venture was published")
    NotificationFactory(title="Someone else's news")
    sign_in(client, founder.user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "An investor is interested" in page
    assert "Someone else" not in page
    assert "2 unread" in page
    post_form(client, f"/notifications/{first.id}/read", {}, form_page="/notifications")
    unread = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "An investor is interested" not in unread
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    fresh(session)
    assert all(
        n.read_at for n in session.exec(select(Notification)).all() if n.user_id == founder.user.id
    )


@pytest.fixture
def investor_asked(founder: Founder, investor: Investor) -> None:
    """The investor has asked the founder for an introduction."""
    IntroductionFactory(
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        requested_by=investor.user.id,
        requested_by_role="investor",
    )


@pytest.mark.usefixtures("investor_asked")
def test_an_investor_reads_each_introduction_by_venture_name_once(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    sign_in(client, investor.user.email)
    text = client.get("/introductions").get_data(as_text=True)
    name = founder.venture.name
    assert f">{name}</a></strong>" in text
    assert f"about {name}" not in text.lower()
    assert f'href="/investor/ventures/{founder.venture.id}"' in text


@pytest.mark.usefixtures("investor_asked")
def test_a_founder_reads_which_venture_each_introduction_is_about(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    sign_in(client, founder.user.email)
    text = client.get("/introductions").get_data(as_text=True)
    assert f"About your venture {founder.venture.name} · asked" in text
    assert f'href="/investors/{investor.profile.id}"' in text


def test_the_board_lists_closed_deals_unfolded_when_nothing_is_open(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
        stage="passed",
    )
    sign_in(client, investor.user.email)
    text = client.get("/deals").get_data(as_text=True)
    assert '<details class="closed-deals card" id="closed-deals" open>' in text
    assert "(1 passed)" in text
    assert founder.venture.name in text
    assert 'id="col-passed"' not in text  # no column for a closed stage


def test_the_board_keeps_closed_deals_folded_beside_open_ones(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    for stage in ("passed", "due_diligence"):
        DealFactory(
            introduction__venture_id=VentureFactory(owner_id=founder.user.id).id,
            introduction__investor_id=investor.profile.id,
            stage=stage,
        )
    sign_in(client, founder.user.email)
    text = client.get("/deals").get_data(as_text=True)
    assert '<details class="closed-deals card" id="closed-deals">' in text
    assert 'id="col-due_diligence"' in text
