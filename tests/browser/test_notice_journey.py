"""Notices in Chromium: an introduction, its contacts, a deal move and the unread count.

The investor asks for an introduction, the founder accepts and reads the investor's contact
under the notice, moves the deal to term sheet, and the investor sees the count in the
navigation ("Notifications, 2 unread") fall as they read. Staff read it all in the audit log in
words. Checked at 1280 px and 390 px. Introduction notices are written by a worker after the
event; here the test calls that same service where the worker would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session, select

from tests.browser.conftest import TIMEOUT_MS, shot
from tests.browser.steps import no_sideways_scroll, sign_in
from tests.factories import StaffFactory
from tests.webapp.ventures.parties import make_founder, make_investor
from webapp.models import Introduction
from webapp.services.notices.match_news import announce_introduction

pytestmark = pytest.mark.browser


def _unread_link(page: Page, count: int) -> Locator:
    """The navigation's notifications link, opening the folded menu on a phone first."""
    name = f"Notifications, {count} unread"
    # app.js folds the menu once the page has loaded; asking earlier races it on a busy machine.
    page.wait_for_load_state("load")
    menu = page.get_by_role("button", name=re.compile("^Menu"))
    if menu.is_visible():
        expect(menu).to_have_accessible_name(f"Menu ({name})")
        menu.click()
    link = page.get_by_role("link", name=name)
    expect(link).to_be_visible()
    return link


def _announce(session: Session) -> None:
    """What the worker does after an introduction event: tell the other side."""
    session.rollback()
    for intro in session.exec(select(Introduction)).all():
        announce_introduction(session=session, introduction_id=intro.id or 0)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_introduction_and_a_deal_move_reach_the_other_side_with_an_unread_count(
    browser: Browser, live_server: str, session: Session, width: int, page_errors: list[str]
) -> None:
    founder = make_founder(name="Tyne Dx", eis=False, seis=False)
    investor = make_investor(name="Pennine Angels")
    staff = StaffFactory()
    sides = {}
    for who in ("investor", "founder", "staff"):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        sides[who] = context.new_page()
    as_investor, as_founder, as_staff = sides["investor"], sides["founder"], sides["staff"]

    sign_in(as_investor, investor.user.email)
    as_investor.goto(f"/investor/ventures/{founder.venture.id}")
    as_investor.get_by_text("Request introduction").click()
    as_investor.get_by_label("Message to the founder").fill("Coffee in Newcastle?")
    as_investor.get_by_role("button", name="Send request to Tyne Dx").click()
    _announce(session)

    sign_in(as_founder, founder.user.email)
    _unread_link(as_founder, 1)
    as_founder.goto("/introductions")
    as_founder.get_by_role("button", name="Accept introduction with Pennine Angels").click()
    _announce(session)
    as_founder.goto("/notifications")
    notice = as_founder.locator(".notification", has_text="Introduction accepted: Pennine Angels")
    expect(notice.get_by_role("link", name=investor.user.email)).to_be_visible()
    expect(notice).to_contain_text(investor.user.phone or "")
    no_sideways_scroll(as_founder)
    shot(as_founder, f"founder-notice-with-contact-{width}")

    as_founder.goto("/deals")
    as_founder.get_by_role("link", name="Pennine Angels").first.click()
    as_founder.get_by_label("Move to").select_option("term_sheet")
    as_founder.get_by_role("button", name="Move deal").click()
    expect(as_founder.get_by_text("The deal is now at term sheet.")).to_be_visible()

    as_investor.goto("/deals")
    badge = _unread_link(as_investor, 2)
    shot(as_investor, f"investor-unread-badge-{width}")
    badge.click()
    moved = as_investor.locator(".notification", has_text="Tyne Dx moved the deal to term sheet")
    expect(moved).to_contain_text("from accepted to term sheet")
    moved.get_by_role("button", name=re.compile("^Open")).click()
    expect(as_investor).to_have_url(re.compile(r"/deals/\d+$"))
    _unread_link(as_investor, 1)
    no_sideways_scroll(as_investor)

    sign_in(as_staff, staff.email)
    as_staff.goto("/staff/audit")
    table = as_staff.locator("#audit-table")
    for label in ("Requested an introduction", "Accepted an introduction", "Moved a deal"):
        expect(table).to_contain_text(label)
    expect(table).not_to_contain_text("introduction.requested")
    shot(as_staff, f"staff-audit-labels-{width}")
    assert page_errors == []
    for side in sides.values():
        side.context.close()
