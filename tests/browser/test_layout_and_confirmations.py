"""What only a browser shows: the header on one line at 1280 px, wide tables scrolling in their
own named box on a phone, the deals board on a laptop screen, the compact ranked list, and
confirmations that come only once a form is filled in and say what will happen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect
from sqlmodel import Session

from tests.browser.conftest import shot
from tests.browser.steps import PHONE, header_middles, no_sideways_scroll, page_height, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    DealFactory,
    FounderFactory,
    StaffFactory,
    UserFactory,
    VentureFactory,
)
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import make_founder, make_investor
from tests.webapp.web_client import fresh
from webapp.models import User, Venture

pytestmark = pytest.mark.browser


class Dialogs:
    """Records every confirm() the page opens and answers it as told."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        self.accept = False
        page.on("dialog", self._answer)

    def _answer(self, dialog: Dialog) -> None:
        self.messages.append(dialog.message)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


@pytest.fixture
def dialogs(page: Page) -> Dialogs:
    return Dialogs(page)


def _one_line(page: Page) -> None:
    """Every header link, the name and sign-out share one row."""
    middles = header_middles(page)
    assert max(middles) - min(middles) < 8, middles


@pytest.mark.parametrize("role", ["founder", "investor", "staff", "admin"])
def test_the_header_fits_one_line_at_1280_px(page: Page, session: Session, role: str) -> None:
    if role == "investor":
        user = make_investor(name="Scarwick Iron Venture Partners").user
    else:
        factory = {"founder": FounderFactory, "staff": StaffFactory, "admin": AdminFactory}[role]
        user = factory(name="Alexandra Whitfield")
    sign_in(page, user.email)
    _one_line(page)
    shot(page, f"header-{role}")


def test_a_wide_table_scrolls_in_its_own_named_box_on_a_phone(
    page: Page, session: Session, page_errors: list[str]
) -> None:
    admin = AdminFactory()
    for n in range(3):
        UserFactory(email=f"a-rather-long-address-for-person-{n}@northern-university.example.org")
    page.set_viewport_size(PHONE)
    sign_in(page, admin.email)
    page.goto("/admin/users")
    no_sideways_scroll(page)
    region = page.get_by_role("region", name=re.compile(r"^\d+ accounts"))
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")  # keyboard users scroll it like any scrolling area
    expect(region).to_be_focused()
    # Chromium scrolls smoothly: wait for the scroll to land rather than read it at once.
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    shot(page, "admin-users-phone")
    assert page_errors == []


def test_the_deals_board_shows_a_lone_closed_deal_at_1280_px(page: Page, session: Session) -> None:
    founder = make_founder(name="Tynewind Blade Sensing")
    investor = make_investor()
    DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
        stage="passed",
    )
    sign_in(page, investor.user.email)
    page.goto("/deals")
    deal = page.get_by_role("link", name="Tynewind Blade Sensing")
    expect(deal).to_be_in_viewport()
    box = deal.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280
    no_sideways_scroll(page)
    assert page.locator(".board").evaluate("b => b.scrollWidth <= b.clientWidth")
    shot(page, "deals-board-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(deal).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "deals-board-phone")


def test_the_compact_list_is_chosen_once_and_remembered(page: Page, session: Session) -> None:
    investor = make_investor()
    for rank in range(1, 21):
        venture = VentureFactory(name=f"Venture number {rank}")
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, investor_rank=rank)
    sign_in(page, investor.user.email)
    cards_height = page_height(page)
    page.get_by_role("button", name="Compact list").click()
    expect(page.get_by_role("button", name="Compact list")).to_have_attribute(
        "aria-pressed", "true"
    )
    compact_height = page_height(page)  # a new page: measured once its stylesheets are in
    assert compact_height < cards_height / 2, (compact_height, cards_height)
    first = page.locator("#compact-list > li").first
    expect(first.get_by_role("button", name="Shortlist Venture number 1")).to_be_hidden()
    first.locator("summary", has_text="More").click()
    expect(first.get_by_role("button", name="Shortlist Venture number 1")).to_be_visible()
    shot(page, "compact-list")
    fresh(session)
    stored = session.get(User, investor.user.id)
    assert stored is not None
    assert stored.list_view == "compact"
    page.context.clear_cookies()
    sign_in(page, investor.user.email)  # a new sign-in, as on another device
    expect(page.locator("#compact-list")).to_be_visible()


def test_erasing_an_account_asks_only_once_the_form_is_filled_in(
    page: Page, session: Session, dialogs: Dialogs
) -> None:
    founder = FounderFactory()
    founder_id = founder.id
    sign_in(page, founder.email)
    page.goto("/account")
    erase = page.get_by_role("button", name="Erase my account")
    erase.click()
    expect(page.get_by_role("alert").filter(has_text="Your account was not erased")).to_be_visible()
    assert dialogs.messages == []  # nothing to confirm yet: the server said what's missing
    page.get_by_label("Your password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label("I understand this permanently erases").check()
    page.get_by_role("button", name="Erase my account").click()
    assert dialogs.messages == ["Erase your account permanently? This cannot be undone."]
    fresh(session)
    assert session.get(User, founder_id) is not None  # dismissed: nothing erased
    dialogs.accept = True
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("status").first).to_contain_text("have been erased")
    fresh(session)
    assert session.get(User, founder_id) is None


def test_closing_a_venture_says_what_happens_and_asks_first(
    page: Page, session: Session, dialogs: Dialogs
) -> None:
    founder = make_founder(name="Wear Valley Sensors")
    sign_in(page, founder.user.email)
    page.goto(f"/founder/ventures/{founder.venture.id}")
    page.get_by_role("button", name="Close the round to new investors").click()
    [question] = dialogs.messages
    assert question.startswith("Close Wear Valley Sensors to new investors?")
    assert "Introductions and deals already under way carry on" in question
    fresh(session)
    stored = session.get(Venture, founder.venture.id)
    assert stored is not None
    assert stored.visibility == "published"
    dialogs.accept = True
    page.get_by_role("button", name="Close the round to new investors").click()
    expect(page.get_by_role("status").first).to_contain_text("closed to new investors")
    expect(page.get_by_role("button", name="Publish again")).to_be_visible()
