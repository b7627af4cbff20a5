"""The investor's public profile page, as founders reach it from their ranked list."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.factories import FounderFactory, IntroductionFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, make_investor
from tests.webapp.web_client import sign_in
from webapp.models import PortfolioDeal


def test_a_founder_opens_a_ranked_investor_and_reads_its_mandate(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    investor = make_investor(
        name="Pennine Angels",
        sectors=["offshore_wind"],
        stages=["seed"],
        thesis="Net-zero hardware from Northern labs.",
        seis=True,
        eis=False,
    )
    MatchFactory(venture_id=founder.venture.id, investor_id=investor.profile.id)
    session.add(
        PortfolioDeal(
            investor_id=investor.profile.id, company_name="Tide Cell", funded_at=date(2024, 1, 5),
            sectors=["offshore_wind"], dedupe_key="tide-cell",
        )
    )  # fmt: skip
    session.commit()
    sign_in(client, founder.user.email)
    venture_page = client.get(f"/founder/ventures/{founder.venture.id}").get_data(as_text=True)
    link = f'href="/investors/{investor.profile.id}"'
    assert link in venture_page
    page = client.get(f"/investors/{investor.profile.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Net-zero hardware from Northern labs." in text
    assert "<dt>SEIS and EIS</dt><dd>Invests through SEIS</dd>" in text
    assert "Offshore wind" in text
    assert "1 past deal on record" in text
    assert "shared once one of your introductions with them is accepted" in text
    assert investor.user.name not in text


def test_the_team_appears_after_an_accepted_introduction(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    investor = make_investor()
    IntroductionFactory(
        venture_id=founder.venture.id, investor_id=investor.profile.id, status="accepted"
    )
    sign_in(client, founder.user.email)
    text = client.get(f"/investors/{investor.profile.id}").get_data(as_text=True)
    assert f"<li>{investor.user.name}</li>" in text
    assert investor.user.email not in text  # contact details stay with the introduction


def test_a_founder_who_never_met_the_investor_gets_not_found(
    client: FlaskClient, session: Session
) -> None:
    investor = make_investor()
    sign_in(client, FounderFactory().email)
    assert client.get(f"/investors/{investor.profile.id}").status_code == 404
