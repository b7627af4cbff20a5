"""Reasons in the API carry the facts behind them, worded with labels, deal-breakers included."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from tests.factories import InvestorProfileFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import make_founder, make_investor, past_deals
from webapp.config import Settings
from webapp.models import User
from webapp.services.ranking import scoring
from webapp.services.ranking.scoring_cache import forget

AsUser = Callable[[User | None], Caller]


def test_both_sides_see_figures_and_the_ticket_deal_breaker(
    session: Session, settings: Settings, as_user: AsUser
) -> None:
    forget()
    founder = make_founder(raise_amount_gbp=3_200_000, sectors=["diagnostics"])
    fund = make_investor(ticket_min_gbp=250_000, ticket_max_gbp=2_000_000)
    market = InvestorProfileFactory(ticket_min_gbp=1_000_000, ticket_max_gbp=5_000_000)
    past_deals(session, fund.profile.id, ["diagnostics"], 4, 0)
    past_deals(session, fund.profile.id, ["offshore_wind"], 8, 100)
    past_deals(session, market.id, ["ai"], 40, 200)  # the market seldom backs diagnostics
    scoring.refresh_venture(session=session, settings=settings, venture_id=founder.venture.id)

    venture_side = as_user(founder.user).get(f"/api/v1/ventures/{founder.venture.id}/matches")
    assert venture_side.status_code == 200, venture_side.get_json()
    [item] = [m for m in venture_side.get_json()["items"] if m["investor"]["id"] == fund.profile.id]
    investor_side = as_user(fund.user).get(f"/api/v1/investors/{fund.profile.id}/matches")
    assert investor_side.status_code == 200, investor_side.get_json()
    [other] = [
        m for m in investor_side.get_json()["items"] if m["venture"]["id"] == founder.venture.id
    ]
    for reasons in (item["reasons"], other["reasons"]):
        by_code = {r["code"]: r for r in reasons}
        assert by_code["ticket_fit"] == {
            "code": "ticket_fit",
            "text": "Tickets £250k–£2m; the £3.2m raise is above its maximum",
            "effect": "-",
            "facts": {"raise": 3_200_000, "min": 250_000, "max": 2_000_000},
        }
        assert by_code["track_sector"] == {
            "code": "track_sector",
            "text": "Backs Diagnostics: 4 of its 12 past deals",
            "effect": "+",
            "facts": {"sector": "diagnostics", "deals": 4, "of": 12},
        }
        assert all("_" not in r["text"] for r in reasons)  # labels, never codes
