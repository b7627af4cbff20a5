"""A founder's data export holds everything about them and nothing about anyone else."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from tests.factories import DealFactory, InvestorUserFactory, VentureFactory
from tests.webapp.ventures.factories import MatchFactory, NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor
from webapp.services import data_export
from webapp.services.errors import Forbidden


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
    exported = data_export.export_founder_data(session=session, user=founder.user)
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


def test_only_founders_export(session: Session) -> None:
    with pytest.raises(Forbidden):
        data_export.export_founder_data(session=session, user=InvestorUserFactory())
