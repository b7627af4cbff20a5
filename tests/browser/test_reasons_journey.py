"""Reasons in Chromium: a founder and an investor see figures, labels and the deal-breaker.

A £3.2m raise and a fund whose tickets stop at £2m: both sides see the ticket listed against
the pair (first, so even the compact list shows it), the fund's track record in figures, and
labels rather than codes. Lists come from the scoring service the workers call.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from tests.browser.conftest import TIMEOUT_MS, shot
from tests.browser.steps import sign_in
from tests.factories import InvestorProfileFactory
from tests.webapp.ventures.parties import make_founder, make_investor, past_deals
from webapp.config import Settings
from webapp.services.ranking.scoring import refresh_venture
from webapp.services.ranking.scoring_cache import forget

pytestmark = pytest.mark.browser

DEAL_BREAKER = "Tickets £250k–£2m; the £3.2m raise is above its maximum"
TRACK_RECORD = "Backs Diagnostics: 4 of its 12 past deals"


def test_founder_and_investor_see_figures_and_the_deal_breaker(
    browser: Browser, live_server: str, session: Session, settings: Settings
) -> None:
    forget()
    founder = make_founder(name="Tyne Sepsis Dx", raise_amount_gbp=3_200_000)
    fund = make_investor(name="Pennine Health Fund", ticket_min_gbp=250_000)
    market = InvestorProfileFactory(name="Humber AI Capital", sectors=["ai"])
    past_deals(session, fund.profile.id, ["diagnostics"], 4, 0)
    past_deals(session, fund.profile.id, ["offshore_wind"], 8, 100)
    past_deals(session, market.id, ["ai"], 40, 200)
    refresh_venture(session=session, settings=settings, venture_id=founder.venture.id)
    session.commit()

    founder_page = browser.new_page(base_url=live_server)
    founder_page.set_default_timeout(TIMEOUT_MS)
    sign_in(founder_page, founder.user.email)
    founder_page.goto(f"/founder/ventures/{founder.venture.id}")
    card = founder_page.locator(".match-card", has_text="Pennine Health Fund")
    against = card.locator(".reason-against", has_text=DEAL_BREAKER)
    expect(against).to_be_visible()
    expect(against).to_contain_text("Against:")
    expect(card.locator(".reason-for", has_text=TRACK_RECORD)).to_be_visible()
    expect(card.locator(".reasons")).not_to_contain_text("_")
    shot(founder_page, "founder-reasons-with-figures")

    investor_page = browser.new_page(base_url=live_server)
    investor_page.set_default_timeout(TIMEOUT_MS)
    sign_in(investor_page, fund.user.email)
    investor_page.goto("/investor/matches")
    card = investor_page.locator(f"#venture-{founder.venture.id}")
    expect(card.locator(".reason-against", has_text=DEAL_BREAKER)).to_be_visible()
    expect(card.locator(".reason-for", has_text=TRACK_RECORD)).to_be_visible()
    shot(investor_page, "investor-reasons-with-figures")
    investor_page.get_by_role("button", name="Compact list").click()
    row = investor_page.locator(f"#venture-{founder.venture.id}")
    expect(row.locator(".top-reason")).to_contain_text(DEAL_BREAKER)  # one line, still shown
    shot(investor_page, "investor-compact-list-deal-breaker")
    founder_page.close()
    investor_page.close()
