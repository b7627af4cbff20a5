"""Programme staff find ventures by name and pick them to enrol — on a phone, with the keyboard —
and a founder consents to a draft joining (issue 12, point 7; issue 11, point 2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.conftest import shot
from tests.browser.steps import PHONE, no_sideways_scroll, sign_in
from tests.factories import StaffFactory, VentureFactory
from tests.webapp.staff.factories import (
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from webapp.models import User

pytestmark = pytest.mark.browser


def test_programme_staff_search_pick_and_enrol_with_the_keyboard_on_a_phone(
    page: Page, session: Session, page_errors: list[str]
) -> None:
    programme = ProgrammeFactory(name="Tees Accelerator cohort 6")
    member = ProgrammeMemberFactory(programme_id=programme.id)
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=VentureFactory().id)
    VentureFactory(name="Teesside Hydrogen Storage", sectors=["hydrogen"], stage="seed")
    VentureFactory(name="Teesside Robotics Inspection", stage="series_a")
    VentureFactory(name="Teesside Secret Draft", visibility="draft", published_at=None)
    VentureFactory(name="Mersey Materials")
    staff = session.get(User, member.user_id)
    assert staff is not None

    page.set_viewport_size(PHONE)
    sign_in(page, staff.email)
    page.goto("/staff/programmes")
    page.get_by_role("link", name="Tees Accelerator cohort 6", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tees Accelerator cohort 6")
    expect(page.locator("#programme-ventures tbody tr")).to_have_count(1)
    no_sideways_scroll(page)
    shot(page, "01-programme-phone")

    # Keyboard only: type the name, Tab to the stage filter, choose, Tab on to Search, Enter.
    page.get_by_label("Venture name").focus()
    page.keyboard.type("teesside")
    page.keyboard.press("Tab")  # sector
    page.keyboard.press("Tab")  # stage
    expect(page.get_by_label("Stage")).to_be_focused()
    page.get_by_label("Stage").select_option("seed")
    page.keyboard.press("Tab")  # region
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=teesside.*stage=seed"))
    results = page.locator(".pick-list .pick-name")
    expect(results).to_have_text(["Teesside Hydrogen Storage"])  # no draft, no other stage
    no_sideways_scroll(page)
    shot(page, "02-results-phone")

    page.get_by_label("Stage").select_option("")
    page.get_by_role("button", name="Search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=teesside.*stage=&"))
    # Keys only once the new page has loaded, as a person would: the search lands on
    # #results, and a fragment scroll that comes after a focus moves where Tab starts from.
    # On one slow CI run Tab left the picked box for somewhere else; this is the likeliest
    # cause (not reproduced).
    page.wait_for_load_state("load")
    expect(results).to_have_text(["Teesside Hydrogen Storage", "Teesside Robotics Inspection"])
    pick = page.get_by_role("checkbox", name="Teesside Robotics Inspection")
    pick.focus()
    page.keyboard.press("Space")
    expect(pick).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enrol selected ventures")).to_be_focused()
    shot(page, "03-picked-phone")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Enrolled 1 venture.")
    expect(page.locator("#programme-ventures tbody tr")).to_have_count(2)
    expect(page.locator("#programme-ventures")).to_contain_text("Teesside Robotics Inspection")
    enrolled = page.locator(".pick", has_text="Teesside Robotics Inspection")
    expect(enrolled).to_contain_text("Already in this programme")
    expect(enrolled.get_by_role("checkbox")).to_have_count(0)
    no_sideways_scroll(page)
    shot(page, "04-enrolled-phone")
    assert page_errors == []


def test_a_draft_joins_when_its_founder_accepts_in_the_app(
    page: Page, session: Session, page_errors: list[str]
) -> None:
    programme = ProgrammeFactory(name="Humber Launchpad")
    platform = StaffFactory(name="Pat Platform")
    draft = VentureFactory(name="Quiet Draft Ltd", visibility="draft", published_at=None)
    owner = session.get(User, draft.owner_id)
    assert owner is not None

    sign_in(page, platform.email)
    page.goto(f"/staff/programmes/{programme.id}")
    page.get_by_label("Venture name").fill("quiet")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".pick", has_text="Quiet Draft Ltd")).to_contain_text(
        "Not published: its founder will be asked"
    )
    page.get_by_role("checkbox", name="Quiet Draft Ltd").check()
    page.get_by_role("button", name="Enrol selected ventures").click()
    expect(page.get_by_role("status").first).to_contain_text("Asked 1 founder for consent")
    expect(page.locator("#pending-requests")).to_contain_text("Quiet Draft Ltd")
    shot(page, "01-asked")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, owner.email)
    page.goto("/notifications")
    note = page.locator(".notification", has_text="Humber Launchpad would like to enrol")
    note.get_by_role("button", name=re.compile("^Open")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    shot(page, "02-founder-request")
    page.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Quiet Draft Ltd joined Humber Launchpad"
    )
    expect(page.locator("#memberships")).to_contain_text("Quiet Draft Ltd is in Humber Launchpad")
    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    shot(page, "03-founder-accepted-phone")
    assert page_errors == []
