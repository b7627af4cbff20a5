"""A person signs up, signs out, signs in, forgets the password and resets it — in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from tests.browser.conftest import shot
from tests.webapp.web_client import fresh
from webapp.models import EmailDelivery

pytestmark = pytest.mark.browser
PASSWORD = "granite harbour lantern 42"
NEW_PASSWORD = "copper kettle moorland 7"


def _link_from_latest_email(session: Session, kind: str) -> str:
    fresh(session)
    email = session.exec(
        select(EmailDelivery)
        .where(EmailDelivery.kind == kind)
        .order_by(col(EmailDelivery.id).desc())
    ).first()
    assert email is not None, f"no {kind} email was queued"
    match = re.search(r"https?://\S+", email.text_body)
    assert match, email.text_body
    return match.group(0)


def test_sign_up_sign_out_sign_in_and_reset_password(
    page: Page, session: Session, live_server: str, page_errors: list[str]
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find the investors")
    shot(page, "01-landing")

    page.get_by_role("link", name="Create a free account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    # Submitting empty shows the error summary, focused, and errors beside the fields.
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    assert "email-error" in (
        page.get_by_label("Email address").get_attribute("aria-describedby") or ""
    )
    shot(page, "02-sign-up-errors")

    page.get_by_label("Investor").check()
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Organisation name").fill("Humber Seed Partners")
    page.get_by_label("Email address").fill("priya@humberseed.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    shot(page, "03-sign-up-filled")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome, Priya Shah")
    expect(page.get_by_role("banner")).to_contain_text("Investor")
    shot(page, "04-signed-up")

    cookies = page.context.cookies()
    session_cookie = next(c for c in cookies if c["name"] == "vm_session")
    assert session_cookie["httpOnly"]
    assert session_cookie["secure"]  # Chromium keeps Secure cookies from http://127.0.0.1
    assert session_cookie["sameSite"] == "Lax"

    # Confirm the email address from the link in the queued email.
    page.goto(_link_from_latest_email(session, "account.verify_email"))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("status").first).to_contain_text("email address is confirmed")

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("signed out")
    header_sign_in = page.get_by_role("banner").get_by_role("link", name="Sign in")
    expect(header_sign_in).to_be_visible()
    shot(page, "05-signed-out")

    # Forgotten password: the email carries a single-use link.
    header_sign_in.click()
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill("priya@humberseed.example")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shot(page, "06-reset-requested")

    reset_link = _link_from_latest_email(session, "account.reset_password")
    page.goto(reset_link)
    assert "/reset-password/" not in page.url  # the token left the address bar
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    shot(page, "07-new-password")
    page.get_by_role("button", name="Change password", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Your password has been changed")

    # The old password no longer works; the new one does.
    page.get_by_label("Email address").fill("priya@humberseed.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email address or password is wrong")
    shot(page, "08-old-password-refused")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Priya Shah")  # on their dashboard
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    shot(page, "09-signed-in-again")

    # The reset link was single-use.
    page.goto(reset_link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert page_errors == []


def test_keyboard_user_can_skip_to_content_and_see_focus(page: Page) -> None:
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0  # on screen once focused
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    shot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_api_reference_renders_in_the_browser_without_csp_errors(
    page: Page, page_errors: list[str]
) -> None:
    page.goto("/api/docs")
    # Swagger UI builds every operation in the browser from the whole spec: on a slow, busy
    # machine that took longer than the default 5 s wait (CI, 6 Dec), though it rendered.
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/api/v1/auth/tokens").first).to_be_visible()
    shot(page, "api-docs")
    assert page_errors == []
