"""The data export (one format for every role, on the account page and in the API) holds
everything about the person and nothing about anyone else."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.factories import DealFactory, VentureFactory
from tests.webapp.ventures.factories import MatchFactory, NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import sign_in
from webapp.services.privacy import data_export


def test_the_export_holds_the_account_ventures_matches_deals_and_notifications(
    session: Session, founder: Founder, investor: Investor
) -> None:
    MatchFactory(
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        reasons=[["ticket_fit", "-", {"raise": 3_200_000, "min": 250_000, "max": 2_000_000}]],
    )
    DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
    )
    NotificationFactory(user_id=founder.user.id, title="An investor is interested")
    VentureFactory()  # someone else's
    exported = data_export.export_account_data(session=session, user=founder.user)
    assert exported["account"]["email"] == founder.user.email
    assert [v["id"] for v in exported["ventures"]] == [founder.venture.id]
    assert len(exported["matches"]) == 1
    assert exported["matches"][0]["reasons"] == [  # stored facts, worded for people
        {
            "code": "ticket_fit",
            "text": "Tickets £250k–£2m; the £3.2m raise is above its maximum",
            "effect": "-",
            "facts": {"raise": 3_200_000, "min": 250_000, "max": 2_000_000},
        }
    ]
    assert len(exported["introductions"]) == 1
    assert exported["deals"][0]["venture_id"] == founder.venture.id
    assert exported["notifications"][0]["title"] == "An investor is interested"
    text = json.dumps(exported)  # plain JSON all the way down
    assert "password" not in text
    assert investor.user.email not in text


def test_an_investor_exports_the_same_format_without_venture_records(
    session: Session, investor: Investor
) -> None:
    exported = data_export.export_account_data(session=session, user=investor.user)
    assert exported["format"] == data_export.EXPORT_FORMAT
    assert exported["account"]["email"] == investor.user.email
    assert exported["organisation"]["id"] == investor.user.organisation_id
    assert exported["ventures"] == exported["matches"] == exported["deals"] == []


def test_the_api_and_the_page_give_the_same_document(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    from tests.webapp.api.world import bearer

    headers = bearer(session, founder.user)
    from_api = client.get("/api/v1/me/export", headers=headers)
    assert from_api.status_code == 200
    sign_in(client, str(founder.user.email))
    from_page = client.get("/account/export.json").json
    assert from_api.json is not None
    assert from_page is not None
    for document in (from_api.json, from_page):
        assert document["format"] == data_export.EXPORT_FORMAT
        assert [v["id"] for v in document["ventures"]] == [founder.venture.id]
        assert document["account"]["email"] == founder.user.email
    # Signing in for the page adds a session, a login time and activity: the rest is the same.
    drop = {"exported_at", "account", "sessions", "api_tokens", "activity"}
    assert {k: v for k, v in from_api.json.items() if k not in drop} == {
        k: v for k, v in from_page.items() if k not in drop
    }


def test_the_export_needs_a_token(client: FlaskClient) -> None:
    assert client.get("/api/v1/me/export").status_code == 401
