"""The shared browser steps measure what a person sees, even on a loaded CI machine."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.steps import PHONE, header_middles, no_sideways_scroll, sign_in
from tests.factories import StaffFactory, VentureFactory
from tests.webapp.staff.factories import (
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from webapp.models import User

pytestmark = pytest.mark.browser


def _slow_network(page: Page) -> None:
    """Every request from here on takes 1.5 s more, and nothing comes from the cache."""
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.setCacheDisabled", {"cacheDisabled": True})
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_the_width_check_waits_for_slow_stylesheets(page: Page, session: Session) -> None:
    """A CI run measured a page whose text had arrived but whose stylesheets had not (435 px)."""
    programme = ProgrammeFactory(name="Tees Accelerator cohort 6")
    member = ProgrammeMemberFactory(programme_id=programme.id)
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=VentureFactory().id)
    VentureFactory(name="Teesside Hydrogen Storage", stage="seed")
    staff = session.get(User, member.user_id)
    assert staff is not None
    page.set_viewport_size(PHONE)
    sign_in(page, staff.email)
    page.goto(f"/staff/programmes/{programme.id}")

    _slow_network(page)
    page.get_by_label("Venture name").fill("teesside")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".pick-list .pick-name")).to_have_text(["Teesside Hydrogen Storage"])
    unstyled = page.evaluate("document.documentElement.scrollWidth")
    assert unstyled > PHONE["width"], "the stylesheets arrived early: this test shows nothing"
    no_sideways_scroll(page)


def test_sign_in_returns_once_the_page_is_styled(page: Page, session: Session) -> None:
    """A CI run measured the 1280 px header just after signing in, before its stylesheet had
    loaded: its links stood one under another."""
    staff = StaffFactory()
    page.goto("/sign-in")
    _slow_network(page)
    sign_in(page, staff.email)
    middles = header_middles(page)
    assert max(middles) - min(middles) < 8, middles
