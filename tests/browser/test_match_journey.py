"""The whole match journey in Chromium: a founder and an investor meet, and a deal closes.

Founder signs up, creates and publishes a venture and sees ranked investors; an investor signs
up, sets a mandate, sees the venture ranked with reasons and asks for an introduction; the
founder accepts; both see each other's contact details; the deal moves to invested. Each page
is saved as a screenshot under test-artifacts/screenshots/.

Rankings come from the real pipeline: a `celery -A workers worker` process (started with the
workers' test helpers) picks up the outbox events the app writes and rescores both sides. If
those helpers are not importable, the test calls the same scoring service itself where a
worker would. No Match row is written by the test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.browser.conftest import TIMEOUT_MS, shot
from tests.factories import InvestorProfileFactory, InvestorUserFactory
from webapp.config import Settings
from webapp.models import InvestorProfile
from webapp.services.ranking.scoring import refresh_investor, refresh_venture
from webapp.services.ranking.scoring_cache import forget

try:
    from tests.workers.conftest import start_pool, stop_pool, worker_env, worker_logs
except ImportError:  # the workers' helpers are absent: score in this process instead
    start_pool = None

pytestmark = pytest.mark.browser

FOUNDER_PASSWORD = "heather moor lantern 27"
INVESTOR_PASSWORD = "slate river compass 81"
FOUNDER_EMAIL = "amara@teesidehydrogen.example"
INVESTOR_EMAIL = "james@northstarventures.example"
PIPELINE_TIMEOUT_S = 60


@pytest.fixture
def existing_investors(session: Session) -> list[InvestorProfile]:
    """Investors already on the platform when the founder arrives (varied mandates)."""
    mandates = [
        {"name": "Tees Valley Energy Fund", "sectors": ["clean_energy"], "stages": ["seed"],
         "regions": ["north_east"], "thesis": "Hydrogen and low-carbon industry on Teesside."},
        {"name": "Northern Deep Tech", "sectors": ["advanced_manufacturing", "clean_energy"],
         "stages": ["pre_seed", "seed", "series_a"], "regions": ["north_east", "north_west"],
         "thesis": "Hardware spinouts from Northern universities."},
        {"name": "Pennine Health Angels", "sectors": ["life_sciences"], "stages": ["seed"],
         "regions": ["yorkshire_humber"], "thesis": "Medtech and diagnostics."},
    ]  # fmt: skip
    found = []
    for mandate in mandates:
        profile = InvestorProfileFactory(**mandate)
        InvestorUserFactory(organisation_id=profile.organisation_id)
        found.append(profile)
    return found


@pytest.fixture
def fresh_scoring() -> Iterator[None]:
    """Score from this test's data, not a cache another test filled."""
    forget()
    yield
    forget()


@pytest.fixture
def workers(settings: Settings, redis_url: str) -> Iterator[bool]:
    """A real worker process for the journey (True), or None of them (False)."""
    if start_pool is None:
        yield False
        return
    with worker_logs() as logs:
        pool = start_pool(["journey"], worker_env(settings, redis_url, None), logs, redis_url)
        try:
            yield True
        finally:
            stop_pool(pool)


def ranked(page: Page, selector: str, engine: Engine, settings: Settings, workers: bool,
           **change: int) -> None:  # fmt: skip
    """Wait until the worker has ranked the change, reloading as a person would."""
    if not workers:  # do what the worker does for `venture.changed` / `investor.changed`
        with Session(engine, expire_on_commit=False) as session:
            if "venture_id" in change:
                refresh_venture(session=session, settings=settings, venture_id=change["venture_id"])
            if "investor_id" in change:
                refresh_investor(
                    session=session, settings=settings, investor_id=change["investor_id"]
                )
    deadline = time.monotonic() + PIPELINE_TIMEOUT_S
    while True:
        page.reload()
        if page.locator(selector).count():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"nothing ranked within {PIPELINE_TIMEOUT_S} s ({selector})")
        time.sleep(0.5)


def sign_up(page: Page, role: str, name: str, email: str, password: str, org: str = "") -> None:
    page.goto("/sign-up")
    page.get_by_label(role.capitalize()).check()
    page.get_by_label("Full name").fill(name)
    if org:
        page.get_by_label("Organisation name").fill(org)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("banner")).to_contain_text(role.capitalize())


def test_founder_and_investor_meet_and_close_a_deal(
    page: Page,
    browser: Browser,
    live_server: str,
    engine: Engine,
    settings: Settings,
    session: Session,
    page_errors: list[str],
    existing_investors: list[InvestorProfile],
    fresh_scoring: None,
    workers: bool,
) -> None:
    # --- The founder signs up and describes the venture with the guided form.
    sign_up(page, "founder", "Amara Okafor", FOUNDER_EMAIL, FOUNDER_PASSWORD)
    expect(page.get_by_role("heading", name="My ventures")).to_be_visible()
    shot(page, "01-founder-dashboard")
    page.get_by_role("link", name="Add your first venture").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tell investors")
    page.get_by_label("Venture name").fill("Teesside Hydrogen Works")
    page.get_by_label("What the venture does").fill(
        "Electrolysers for green hydrogen at industrial scale, spun out of Teesside University."
    )
    sectors = page.locator("fieldset#sectors")
    sectors.locator("summary", has_text="Clean energy industries").click()
    sectors.get_by_label("Hydrogen", exact=True).check()
    page.get_by_label("Seed", exact=True).check()
    page.get_by_label("How much are you raising?").fill("£750k")
    page.locator("fieldset#instruments").get_by_label("Equity", exact=True).check()
    page.get_by_label("Where is the venture based?").select_option("tees_valley_ca")
    page.get_by_label("University (optional)").select_option("teesside")
    page.get_by_label("This is a university spinout").check()
    shot(page, "02-venture-form")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("status").first).to_contain_text("is published")
    venture_id = int(re.search(r"/founder/ventures/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    shot(page, "03-venture-published")

    # --- The worker scores the new venture (`venture.changed`); the founder sees the list.
    ranked(page, ".match-card", engine, settings, workers, venture_id=venture_id)
    investors = page.get_by_role("heading", name="Your ranked investors")
    expect(investors).to_be_visible()
    best = page.locator(".match-card").first
    expect(best).to_contain_text("Tees Valley Energy Fund")
    expect(best.locator(".reasons li").first).to_be_visible()
    shot(page, "04-founder-ranked-investors")

    # --- An investor signs up in another browser and sets the mandate.
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    investor = context.new_page()
    investor.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        sign_up(investor, "investor", "James Hall", INVESTOR_EMAIL, INVESTOR_PASSWORD,
                org="Northstar Ventures North")  # fmt: skip
        expect(investor.get_by_role("heading", name="Set up your mandate")).to_be_visible()
        investor.get_by_label("Organisation or fund name").fill("Northstar Ventures North")
        investor.get_by_label("Type of investor").select_option("vc")
        mandate_sectors = investor.locator("fieldset#sectors")
        mandate_sectors.locator("summary", has_text="Clean energy industries").click()
        mandate_sectors.get_by_label("Clean energy industries (all of it)").check()
        investor.locator("fieldset#stages").get_by_label("Seed", exact=True).check()
        investor.locator("fieldset#stages").get_by_label("Series A", exact=True).check()
        investor.get_by_label("Smallest ticket").fill("250k")
        investor.get_by_label("Largest ticket").fill("£2,000,000")
        investor.locator("fieldset#regions").get_by_label("North East", exact=True).check()
        investor.locator("fieldset#instruments").get_by_label("Equity", exact=True).check()
        investor.get_by_label("Investment thesis").fill(
            "Green hydrogen, electrolysers and industrial decarbonisation in the North East."
        )
        shot(investor, "05-investor-mandate")
        investor.get_by_role("button", name="Save mandate").click()
        expect(investor.get_by_role("heading", name="Ranked ventures")).to_be_visible()
        shot(investor, "06-investor-matches-pending")

        session.rollback()
        profile_id = session.exec(
            select(InvestorProfile.id).where(InvestorProfile.name == "Northstar Ventures North")
        ).one()
        ranked(investor, ".match-card", engine, settings, workers, investor_id=profile_id)
        card = investor.locator(".match-card", has_text="Teesside Hydrogen Works")
        expect(card).to_be_visible()
        expect(card.get_by_role("heading", name="Why it ranks here")).to_be_visible()
        expect(card.locator(".reasons li").first).to_be_visible()
        shot(investor, "07-investor-ranked-ventures")

        # --- The investor asks for an introduction.
        card.locator("summary", has_text="Request introduction").click()
        card.get_by_label("Message to the founder").fill(
            "We back hydrogen on Teesside and would love to hear more."
        )
        card.get_by_role("button", name="Send request").click()
        expect(investor.get_by_role("status").first).to_contain_text("Introduction requested")
        shot(investor, "08-introduction-requested")

        # --- The founder accepts; both now see each other's contact details.
        page.goto("/introductions")
        expect(page.get_by_text("We back hydrogen on Teesside")).to_be_visible()
        expect(page.get_by_text(INVESTOR_EMAIL)).to_have_count(0)
        shot(page, "09-founder-introduction-request")
        page.get_by_role("button", name="Accept introduction with Northstar Ventures North").click()
        expect(page.get_by_role("status").first).to_contain_text("Introduction accepted")
        expect(page.get_by_role("link", name=INVESTOR_EMAIL)).to_be_visible()
        shot(page, "10-founder-sees-investor-contact")
        investor.goto("/introductions")
        expect(investor.get_by_role("link", name=FOUNDER_EMAIL)).to_be_visible()
        shot(investor, "11-investor-sees-founder-contact")

        # --- Both move the deal on until it is invested.
        investor.get_by_role("link", name="Follow the deal").click()
        expect(investor.get_by_role("heading", level=1)).to_contain_text("Teesside Hydrogen Works")
        shot(investor, "12-deal-accepted")
        for who, stage, amount in (
            (investor, "in_conversation", ""),
            (investor, "due_diligence", ""),
            (investor, "term_sheet", "600k"),
            (investor, "invested", "600k"),
        ):
            who.get_by_label("Move to").select_option(stage)
            if amount:
                who.get_by_label("Amount").fill(amount)
            who.get_by_role("button", name="Move deal").click()
            expect(who.get_by_role("status").first).to_contain_text("The deal is now at")
        expect(investor.locator(".stage-pill").first).to_have_text("Invested")
        expect(investor.get_by_text("This deal is closed at")).to_be_visible()
        shot(investor, "13-deal-invested")
        investor.goto("/deals")
        # Nothing is open any more, so the closed deals are unfolded on arrival.
        expect(investor.locator("#closed-deals .stage-pill")).to_have_text("Invested")
        shot(investor, "14-investor-deals-board")
        page.goto("/deals")
        expect(page.locator("#closed-deals")).to_contain_text("Northstar Ventures North")
        expect(page.locator("#closed-deals .stage-pill")).to_be_visible()
        shot(page, "15-founder-deals-board")
        page.goto("/notifications")
        shot(page, "16-founder-notifications")
    finally:
        context.close()
    assert page_errors == []
