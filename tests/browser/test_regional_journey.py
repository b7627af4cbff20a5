"""A visitor without an account reads the North's position in the observatory, and staff open
the regional context, in Chromium at desktop and phone widths, with no console or CSP errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.conftest import shot
from tests.browser.steps import PHONE, charts_drawn, no_sideways_scroll
from tests.factories import DEFAULT_PASSWORD, StaffFactory
from tests.webapp.regional.cohort import comfortable_cohort
from webapp.services.reports import pipeline_cache

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_norths_position(
    page: Page, session: Session, page_errors: list[str]
) -> None:
    pipeline_cache.clear()
    comfortable_cohort()
    page.goto("/")
    page.get_by_role("link", name="Open the regional observatory").click()
    expect(page).to_have_url(re.compile(r"/observatory$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Regional observatory")
    figure = page.locator('[data-figure="public_share_of_spinoff_investment"]')
    expect(figure).to_have_text("10.1%")
    expect(page.locator('[data-figure="platform_share_of_ventures"]')).to_have_text("71.4%")
    expect(
        page.get_by_text("Source: HESA HE-BCI, aggregated to NUTS2 by Nesta").first
    ).to_be_visible()
    charts_drawn(page, 2)
    no_sideways_scroll(page)
    shot(page, "01-observatory-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    shot(page, "02-observatory-phone")
    assert page_errors == []


def test_staff_open_the_regional_context(
    page: Page, session: Session, page_errors: list[str]
) -> None:
    pipeline_cache.clear()
    comfortable_cohort()
    staff = StaffFactory()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Programme staff").get_by_role(
        "link", name="Regions"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regional context")
    expect(page.locator('[data-place="north_west"][data-column="ventures"]')).to_have_text("10")
    charts_drawn(page, 3)
    no_sideways_scroll(page)
    shot(page, "01-regions-desktop")
    page.get_by_label("Stage").select_option("seed")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator('[data-place="all"][data-column="ventures"]')).to_have_text("10")
    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    shot(page, "02-regions-phone")
    assert page_errors == []
