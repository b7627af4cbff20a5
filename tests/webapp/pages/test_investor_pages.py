"""Investors' pages: mandate form, ranked ventures with filters, pass and shortlist, intros."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import InvestorUserFactory, VentureFactory
from tests.webapp.pages.test_founder_pages import fresh
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Investor
from tests.webapp.web_client import post_form, sign_in
from webapp.models import Feedback, Introduction, InvestorProfile, User

MANDATE = {
    "name": "Pennine Angels",
    "investor_type": "angel_network",
    "sectors": ["clean_energy"],
    "stages": ["pre_seed", "seed"],
    "ticket_min_gbp": "25k",
    "ticket_max_gbp": "£300,000",
    "regions": ["north_west", "yorkshire_humber"],
    "instruments": ["equity"],
    "thesis": "Net-zero hardware from Northern labs.",
    "seis": "y",
    "active": "y",
}


def test_a_new_investor_is_sent_to_the_mandate_form_and_saves_it(
    client: FlaskClient, session: Session
) -> None:
    user = InvestorUserFactory(organisation_id=None)
    sign_in(client, user.email)
    first = client.get("/investor/matches")
    assert first.status_code == 302
    assert first.headers["Location"].endswith("/investor/mandate")
    assert "Sectors you invest in" in client.get("/investor/mandate").get_data(as_text=True)
    saved = post_form(client, "/investor/mandate", MANDATE)
    assert saved.status_code == 302
    fresh(session)
    profile = session.exec(select(InvestorProfile)).one()
    assert (profile.ticket_min_gbp, profile.ticket_max_gbp) == (25_000, 300_000)
    assert profile.regions == ["north_west", "yorkshire_humber"]


def test_mandate_errors_are_shown_beside_the_fields(client: FlaskClient, session: Session) -> None:
    sign_in(client, InvestorUserFactory(organisation_id=None).email)
    bad = MANDATE | {"stages": [], "ticket_min_gbp": "500k", "ticket_max_gbp": "100k"}
    response = post_form(client, "/investor/mandate", bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose at least one stage" in text
    assert "The largest ticket must be at least the smallest" in text


def test_ranked_ventures_filter_sort_page_and_pass(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    energy = [VentureFactory(sectors=["hydrogen"], name=f"Hydrogen Co {n}") for n in range(3)]
    games = VentureFactory(sectors=["games"], name="Pixel Forge")
    for rank, venture in enumerate([*energy, games], start=1):
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, investor_rank=rank)
    sign_in(client, investor.user.email)
    text = client.get("/investor/matches").get_data(as_text=True)
    assert text.index("Hydrogen Co 0") < text.index("Pixel Forge")
    assert "Why it ranks here" in text
    filtered = client.get("/investor/matches?sector=clean_energy").get_data(as_text=True)
    assert "Pixel Forge" not in filtered
    assert "of 3 ventures" in filtered
    paged = client.get("/investor/matches?limit=10&offset=2").get_data(as_text=True)
    assert "Hydrogen Co 2" in paged
    assert "Hydrogen Co 0" not in paged
    passed = post_form(
        client,
        "/investor/feedback",
        {"venture_id": str(energy[0].id), "action": "pass", "reason": "too_early"},
        form_page="/investor/matches",
    )
    assert passed.status_code == 302
    after = client.get("/investor/matches").get_data(as_text=True)
    assert "Hydrogen Co 0" not in after
    fresh(session)
    verdict = session.exec(select(Feedback)).one()
    assert (verdict.action, verdict.reason) == ("pass", "too_early")
    shortlist_page = client.get("/investor/shortlist").get_data(as_text=True)
    assert "Hydrogen Co 0" in shortlist_page
    assert "Too early for us" in shortlist_page


def test_a_pass_needs_a_reason(client: FlaskClient, session: Session, investor: Investor) -> None:
    venture = VentureFactory()
    MatchFactory(venture_id=venture.id, investor_id=investor.profile.id)
    sign_in(client, investor.user.email)
    response = post_form(
        client,
        "/investor/feedback",
        {"venture_id": str(venture.id), "action": "pass"},
        form_page="/investor/matches",
        follow_redirects=True,
    )
    assert "Choose why you are passing" in response.get_data(as_text=True)
    fresh(session)
    assert session.exec(select(Feedback)).all() == []


def test_requesting_an_introduction_from_the_list(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    venture = VentureFactory()
    MatchFactory(venture_id=venture.id, investor_id=investor.profile.id)
    sign_in(client, investor.user.email)
    response = post_form(
        client,
        "/investor/introductions",
        {"venture_id": str(venture.id), "message": "Shall we talk?"},
        form_page="/investor/matches",
        follow_redirects=True,
    )
    assert "Introduction requested" in response.get_data(as_text=True)
    fresh(session)
    intro = session.exec(select(Introduction)).one()
    assert (intro.venture_id, intro.message) == (venture.id, "Shall we talk?")
    detail = client.get(f"/investor/ventures/{venture.id}").get_data(as_text=True)
    assert "Introduction requested" in detail


def test_drafts_are_not_found_on_the_investor_venture_page(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    draft = VentureFactory(visibility="draft")
    sign_in(client, investor.user.email)
    assert client.get(f"/investor/ventures/{draft.id}").status_code == 404


def test_shortlisting_from_the_list_needs_no_reason(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    venture = VentureFactory(name="Keeper Ltd")
    MatchFactory(venture_id=venture.id, investor_id=investor.profile.id)
    sign_in(client, investor.user.email)
    response = post_form(
        client,
        "/investor/feedback",
        {"venture_id": str(venture.id), "action": "shortlist"},
        form_page="/investor/matches",
        follow_redirects=True,
    )
    assert "Shortlisted" in response.get_data(as_text=True)
    fresh(session)
    assert session.exec(select(Feedback)).one().action == "shortlist"
    assert "Keeper Ltd" in client.get("/investor/shortlist").get_data(as_text=True)


def test_the_venture_page_names_its_tax_reliefs(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    both = VentureFactory(seis=True, eis=True)
    eis_only = VentureFactory(seis=False, eis=True)
    neither = VentureFactory(seis=False, eis=False)
    sign_in(client, investor.user.email)
    for venture, words in ((both, "SEIS and EIS"), (eis_only, "EIS"), (neither, "None stated")):
        response = client.get(f"/investor/ventures/{venture.id}")
        assert response.status_code == 200, venture
        text = response.get_data(as_text=True)
        assert f"<dt>Tax relief</dt><dd>{words}</dd>" in text


def test_the_compact_list_is_remembered_as_the_investors_choice(
    app: Flask, client: FlaskClient, session: Session, investor: Investor
) -> None:
    ventures = [VentureFactory(name=f"Compact Co {n}") for n in range(3)]
    for rank, venture in enumerate(ventures, start=1):
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, investor_rank=rank)
    sign_in(client, investor.user.email)
    cards = client.get("/investor/matches").get_data(as_text=True)
    assert 'id="compact-list"' not in cards
    assert 'value="full" class="button button-small" aria-pressed="true"' in cards
    chosen = post_form(
        client,
        "/investor/matches/layout",
        {"view": "compact", "next": "/investor/matches?sort=newest"},
        form_page="/investor/matches",
    )
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/investor/matches?sort=newest"
    fresh(session)
    assert session.get(User, investor.user.id).list_view == "compact"  # type: ignore[union-attr]
    other_device = app.test_client()
    sign_in(other_device, investor.user.email)
    text = other_device.get("/investor/matches").get_data(as_text=True)
    assert 'id="compact-list"' in text
    row = text[text.index('id="venture-') :]
    row = row[: row.index("</details>")]
    top = row[row.index('class="top-reason"') : row.index("<details")]
    assert top.count('class="reason ') == 1  # only the strongest reason until expanded
    assert "Invests in diagnostics" in top
    assert "The raise is inside the ticket range" in row[row.index("<details") :]


def test_an_unknown_layout_is_refused(
    client: FlaskClient, session: Session, investor: Investor
) -> None:
    sign_in(client, investor.user.email)
    refused = post_form(
        client, "/investor/matches/layout", {"view": "tiles"}, form_page="/investor/mandate"
    )
    assert refused.status_code == 400
    fresh(session)
    assert session.get(User, investor.user.id).list_view == "full"  # type: ignore[union-attr]
